"""Checks that NumPy and dlang read each other's checkpoints (NN.save,
NN.load; src/runtime/checkpoint.rs). Not run by `cargo test` (CI has no
NumPy); run it by hand from the repository root after `cargo build`:

    python3 tests/checkpoint_numpy/check.py

It runs save.dl, which writes a checkpoint, loads that with numpy.load and
compares every array with the values save.dl made, bit for bit; then it
writes a checkpoint with numpy.savez and has load.dl read it back.
"""

import pathlib
import subprocess
import sys
import tempfile

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
DLANG = HERE.parent.parent / "target" / "debug" / "dlang"


def run(program, directory):
    result = subprocess.run(
        [str(DLANG), "run", "--backend", "interp", str(HERE / program)],
        cwd=directory, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{program} failed:\n{result.stderr}")
    return result.stdout


def main():
    with tempfile.TemporaryDirectory() as directory:
        run("save.dl", directory)
        with np.load(pathlib.Path(directory) / "model.npz") as archive:
            names = list(archive.keys())
            expected = {
                "w1": np.arange(6, dtype=np.float32).reshape(2, 3) / np.float32(7),
                "b1": np.array([0.1, -0.0, 1e-40], dtype=np.float32),
                "layers.0.0": np.array(1 / 3, dtype=np.float64),
                "layers.0.1": np.array([2.5], dtype=np.float32),
                "layers.1.0": np.array(-1e-300, dtype=np.float64),
                "layers.1.1": np.zeros((0,), dtype=np.float32),
                "scale.Some": np.array(0.1, dtype=np.float64),
            }
            assert names == list(expected), names
            for name, want in expected.items():
                got = archive[name]
                assert got.dtype == want.dtype, (name, got.dtype)
                assert got.shape == want.shape, (name, got.shape)
                assert got.tobytes() == want.tobytes(), (name, got, want)
        print(f"numpy.load read {len(names)} arrays bit for bit: {', '.join(names)}")

        np.savez(pathlib.Path(directory) / "from_numpy.npz",
                 w=np.array([[1.0, 2.0], [3.0, 4.5]], dtype=np.float32),
                 b=np.array(0.25, dtype=np.float64),
                 steps=np.array([1, 2, 3], dtype=np.int64))
        out = run("load.dl", directory)
        assert out == "{ w = tensor([[1.0, 2.0], [3.0, 4.5]]); b = 0.25; steps = tensor([1.0, 2.0, 3.0]) }\n", out
        print("NN.load read numpy.savez's file:", out.strip())


main()
