"""Cross-checks dlang's tensor derivatives against PyTorch's autograd on
random inputs: for each op, a vector-Jacobian product (`grad` of the output
weighted by a random tensor) and a Jacobian-vector product (`jvp` along
random tangents), on shapes that exercise broadcasting, batches, channels,
padding and partial pooling windows. Not part of `cargo test` (it needs
PyTorch, which bench/digits.sh installs into bench/.venv):

    cargo build --release
    bench/.venv/bin/python tests/tensor_reference/torch_crosscheck.py [--dlang PATH]

Prints one line per derivative and exits 1 on any disagreement beyond
TOLERANCE (relative to |expected| + 1e-3). float32 sums in another order
differ by up to about 4e-5 here (the 108-term sums of the padded
convolution's gradient, where terms cancel); most agree to 1e-7.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import torch
from torch.nn import functional as F

TOLERANCE = 1e-4
RNG = np.random.default_rng(1)


def literal(array):
    """A dlang expression for a float32 array, digits exact."""
    flat = "; ".join(repr(float(v)) for v in array.reshape(-1))
    shape = "; ".join(str(n) for n in array.shape)
    return f"(Tensor.reshape (Tensor.of_list [{flat}]) [{shape}])"


def tuple_of(items):
    return items[0] if len(items) == 1 else "(" + ", ".join(items) + ")"


class Case:
    def __init__(self, name, dlang_body, torch_fn, shapes, positive=False):
        self.name = name
        inputs = [RNG.standard_normal(s).astype(np.float32) for s in shapes]
        if positive:
            inputs = [np.abs(x) + np.float32(0.5) for x in inputs]
        tangents = [RNG.standard_normal(s).astype(np.float32) for s in shapes]
        tracked = [torch.tensor(x, requires_grad=True) for x in inputs]
        out = torch_fn(*tracked)
        self.weight = RNG.standard_normal(tuple(out.shape)).astype(np.float32)
        (out * torch.tensor(self.weight)).sum().backward()
        self.expected_grad = np.concatenate([t.grad.numpy().reshape(-1) for t in tracked])
        _, tangent_out = torch.func.jvp(
            torch_fn, tuple(torch.tensor(x) for x in inputs), tuple(torch.tensor(d) for d in tangents)
        )
        self.expected_jvp = tangent_out.detach().numpy().reshape(-1)
        names = [f"x{i}" for i in range(len(shapes))]
        pattern = tuple_of(names)
        point = tuple_of([literal(x) for x in inputs])
        direction = tuple_of([literal(d) for d in tangents])
        self.program = (
            f'let () = print ("{self.name} grad", grad (fun {pattern} -> '
            f"Tensor.sum (({dlang_body}) * {literal(self.weight)})) {point})\n"
            f'let () = print ("{self.name} jvp", snd (jvp (fun {pattern} -> {dlang_body}) '
            f"{point} {direction}))\n"
        )


CASES = [
    Case("add [3;4]+[4]", "x0 + x1", lambda a, b: a + b, [(3, 4), (4,)]),
    Case("add [3;1]+[1;4]", "x0 + x1", lambda a, b: a + b, [(3, 1), (1, 4)]),
    Case("sub [2;3;4]-[3;1]", "x0 - x1", lambda a, b: a - b, [(2, 3, 4), (3, 1)]),
    Case("sub [4]-[2;3;4]", "x0 - x1", lambda a, b: a - b, [(4,), (2, 3, 4)]),
    Case("mul [2;3;4]*[4]", "x0 * x1", lambda a, b: a * b, [(2, 3, 4), (4,)]),
    Case("div [3;4]/[3;1]", "x0 / x1", lambda a, b: a / b, [(3, 4), (3, 1)], positive=True),
    Case("pow [3;4]**[4]", "x0 ** x1", lambda a, b: a ** b, [(3, 4), (4,)], positive=True),
    Case("neg", "-x0", lambda a: -a, [(3, 4)]),
    Case("matmul", "x0 @ x1", lambda a, b: a @ b, [(5, 7), (7, 3)]),
    Case("matvec", "x0 @ x1", lambda a, b: a @ b, [(5, 7), (7,)]),
    Case("vecmat", "x0 @ x1", lambda a, b: a @ b, [(5,), (5, 3)]),
    Case("softmax [4;5]", "Tensor.softmax x0", lambda a: torch.softmax(a, -1), [(4, 5)]),
    Case("softmax [2;3;5]", "Tensor.softmax x0", lambda a: torch.softmax(a, -1), [(2, 3, 5)]),
    Case("log_softmax", "Tensor.log_softmax x0", lambda a: torch.log_softmax(a, -1), [(2, 3, 5)]),
    Case("sum_axis 0", "Tensor.sum_axis 0 x0", lambda a: a.sum(0), [(2, 3, 4)]),
    Case("sum_axis 2", "Tensor.sum_axis 2 x0", lambda a: a.sum(2), [(2, 3, 4)]),
    Case("sum", "Tensor.scalar (Tensor.sum x0)", lambda a: a.sum(), [(3, 4)]),
    Case("mean", "Tensor.scalar (Tensor.mean (x0 + x1))", lambda a, b: (a + b).mean(), [(3, 4), (4,)]),
    Case("max", "Tensor.scalar (Tensor.max x0)", lambda a: a.max(), [(3, 4)]),
    Case("conv2d pad 1", "Tensor.conv2d x0 x1 1", lambda x, k: F.conv2d(x, k, padding=1),
         [(2, 3, 5, 6), (4, 3, 3, 3)]),
    Case("conv2d pad 0", "Tensor.conv2d x0 x1 0", lambda x, k: F.conv2d(x, k, padding=0),
         [(1, 2, 4, 4), (3, 2, 2, 3)]),
    Case("conv2d pad 2", "Tensor.conv2d x0 x1 2", lambda x, k: F.conv2d(x, k, padding=2),
         [(1, 1, 3, 3), (2, 1, 3, 3)]),
    Case("max_pool2d 2", "Tensor.max_pool2d x0 2", lambda x: F.max_pool2d(x, 2), [(2, 3, 4, 5)]),
    Case("max_pool2d 3", "Tensor.max_pool2d x0 3", lambda x: F.max_pool2d(x, 3), [(1, 2, 7, 6)]),
    Case("exp", "Tensor.exp x0", torch.exp, [(3, 4)]),
    Case("log", "Tensor.log x0", torch.log, [(3, 4)], positive=True),
    Case("sqrt", "Tensor.sqrt x0", torch.sqrt, [(3, 4)], positive=True),
    Case("tanh", "Tensor.tanh x0", torch.tanh, [(3, 4)]),
    Case("sigmoid", "Tensor.sigmoid x0", torch.sigmoid, [(3, 4)]),
    Case("relu", "Tensor.relu x0", torch.relu, [(3, 4)]),
    Case("sin", "sin x0", torch.sin, [(3, 4)]),
    Case("cos", "cos x0", torch.cos, [(3, 4)]),
    Case("tan", "tan x0", torch.tan, [(3, 4)]),
    Case("abs", "abs x0", torch.abs, [(3, 4)]),
    Case("clip", "Tensor.clip (-0.5) 0.5 x0", lambda a: torch.clamp(a, -0.5, 0.5), [(3, 4)]),
    Case("transpose", "Tensor.transpose x0", lambda a: a.T, [(3, 4)]),
    Case("reshape", "Tensor.reshape x0 [4; 3]", lambda a: a.reshape(4, 3), [(3, 4)]),
    Case("slice", "Tensor.slice x0 1 1 2", lambda a: a[:, 1:3], [(3, 4)]),
    Case("row", "Tensor.row x0 2", lambda a: a[2], [(3, 4)]),
    Case("concat", "Tensor.concat 1 [x0; x1]", lambda a, b: torch.cat([a, b], 1), [(3, 2), (3, 4)]),
    Case("stack", "Tensor.stack [x0; x1]", lambda a, b: torch.stack([a, b]), [(3, 2), (3, 2)]),
    Case("linear relu", "Tensor.relu (x0 @ x1 + x2)", lambda x, w, b: torch.relu(x @ w + b),
         [(5, 4), (4, 3), (3,)]),
]

NUMBER = re.compile(r"-?(?:\d+\.\d*(?:e-?\d+)?|\d+e-?\d+|inf|nan)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dlang", default="target/release/dlang")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "crosscheck.dl")
        with open(path, "w") as f:
            f.write("# dlang derivatives against PyTorch's\n")
            f.writelines(case.program for case in CASES)
        run = subprocess.run([args.dlang, "run", "--backend", "interp", path],
                             capture_output=True, text=True)
    if run.returncode != 0:
        sys.stderr.write(run.stderr)
        return 1
    lines = iter(run.stdout.splitlines())
    failures = 0
    for case in CASES:
        for kind, expected in (("grad", case.expected_grad), ("jvp", case.expected_jvp)):
            line = next(lines, "")
            prefix = f'("{case.name} {kind}", '
            if not line.startswith(prefix):
                print(f"BAD {case.name} {kind}: unexpected output {line[:80]!r}")
                failures += 1
                continue
            got = np.array([float(v) for v in NUMBER.findall(line[len(prefix):])])
            if got.shape != expected.shape:
                print(f"BAD {case.name} {kind}: {got.size} numbers, PyTorch has {expected.size}")
                failures += 1
                continue
            error = float(np.max(np.abs(got - expected) / (np.abs(expected) + 1e-3)))
            verdict = "ok " if error <= TOLERANCE else "BAD"
            failures += verdict == "BAD"
            print(f"{verdict} {case.name} {kind}: largest relative difference {error:.1e}")
    print(f"{2 * len(CASES)} derivatives compared with PyTorch, {failures} disagree")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
