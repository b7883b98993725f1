# bench/digits_check.py — checks that bench/digits.sh compares the same
# computation: PyTorch's model (bench/digits_pytorch.py) and dlang's
# (bench/digits_check.dl, the loop of examples/digits.dl) start from the same
# weights, train the same epochs, and must agree on every epoch's mean loss
# and on the trained weights within float32 tolerance.
#
#   bench/.venv/bin/python bench/digits_check.py [--epochs N] [--dlang PATH]
#
# Run from the repository root. Exits 1 when they disagree.
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

from digits_pytorch import load

# Measured (2026-11-27): after 2 epochs the losses differ by 1.6e-7
# (relative) and the weights by 5.8e-7; after 20, 3.4e-7 and 1.2e-5
# (float32 sums in a different order, amplified a little by Adam).
LOSS_TOLERANCE = 1e-5  # relative, per epoch
WEIGHT_TOLERANCE = 1e-4  # absolute


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--dlang", default="target/release/dlang")
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(0)
    x, y = load("examples/data")
    model = torch.nn.Sequential(
        torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
    )
    first, second = model[0], model[2]
    with tempfile.TemporaryDirectory() as tmp:
        # dlang's weights are [in; out]; nn.Linear stores [out; in].
        initial = {
            "w1": first.weight.detach().T, "b1": first.bias.detach(),
            "w2": second.weight.detach().T, "b2": second.bias.detach(),
        }
        for name, value in initial.items():
            np.save(os.path.join(tmp, name + ".npy"), value.contiguous().numpy())

        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()
        n = x.shape[0]
        torch_losses = []
        for _ in range(args.epochs):
            total = 0.0
            for start in range(0, n, 32):
                xb, yb = x[start:start + 32], y[start:start + 32]
                optimizer.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                optimizer.step()
                total += loss.item() * xb.shape[0]
            torch_losses.append(total / n)

        run = subprocess.run(
            [args.dlang, "run", "--backend", "interp", "bench/digits_check.dl", "--",
             tmp, str(args.epochs)],
            capture_output=True, text=True,
        )
        if run.returncode != 0:
            sys.stderr.write(run.stderr)
            return 1
        dlang_losses = [float(line) for line in run.stdout.split()]
        trained = {
            "w1": first.weight.detach().T, "b1": first.bias.detach(),
            "w2": second.weight.detach().T, "b2": second.bias.detach(),
        }
        worst_weight = max(
            float(np.abs(np.load(os.path.join(tmp, f"dlang_{name}.npy")) - value.numpy()).max())
            for name, value in trained.items()
        )

    ok = len(dlang_losses) == len(torch_losses)
    for epoch, (d, t) in enumerate(zip(dlang_losses, torch_losses), 1):
        relative = abs(d - t) / abs(t)
        ok &= relative <= LOSS_TOLERANCE
        print(f"epoch {epoch}: loss dlang {d:.7f}  PyTorch {t:.7f}  relative difference {relative:.1e}")
    ok &= worst_weight <= WEIGHT_TOLERANCE
    print(f"trained weights: largest difference {worst_weight:.1e}")
    print("same computation" if ok else "DIFFERENT computations")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
