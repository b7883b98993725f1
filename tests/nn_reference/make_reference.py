"""Reference numbers for NN.layer_norm and NN.gru_cell (stdlib/nn.dl).

Computes, with NumPy in float32, what torch.nn.functional.layer_norm
(last axis, eps 1e-5, with weight and bias) and torch.nn.GRUCell give on
the inputs of layers.dl, and the gradient of a weighted sum of the layer
norm with respect to its input (PyTorch's backward formula), and writes
reference.txt: one line per case, its name and then the elements
(row-major).

The GRU is written as torch.nn.GRUCell's documentation states it, with
PyTorch's parameters transposed as dlang stores them (x @ wx, weights
[in; 3H], gates r, z, n side by side):
    r = sigmoid(x W_ir + b_ir + h W_hr + b_hr)
    z = sigmoid(x W_iz + b_iz + h W_hz + b_hz)
    n = tanh(x W_in + b_in + r * (h W_hn + b_hn))
    h' = (1 - z) * n + z * h

tests/nn_reference.rs runs layers.dl and compares. This script is not run
by `cargo test`; rerun it by hand (python3 make_reference.py) after
changing a case, and commit reference.txt.
"""

import numpy as np

F = np.float32


def seq(n, scale, offset):
    """layers.dl's `seq`: scale * sin(i + offset) for i < n, as float32."""
    return (scale * np.sin(np.arange(n, dtype=np.float64) + offset)).astype(F)


def sigmoid(x):
    return F(1) / (F(1) + np.exp(-x))


def layer_norm_case():
    x = (seq(10, 2.0, 0.0)).reshape(2, 5)
    gamma = seq(5, 0.5, 1.0) + F(1)
    beta = seq(5, 0.1, 2.0)
    mean = x.mean(axis=-1, keepdims=True)
    d = x - mean
    var = (d * d).mean(axis=-1, keepdims=True)
    sigma = np.sqrt(var + F(1e-5))
    xhat = d / sigma
    y = xhat * gamma + beta
    # d/dx of sum(y * w): PyTorch's layer-norm backward.
    w = seq(10, 1.0, 3.0).reshape(2, 5)
    dxhat = w * gamma
    dx = (dxhat - dxhat.mean(axis=-1, keepdims=True)
          - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True)) / sigma
    return y, dx


def gru_case():
    n, inp, hidden = 2, 3, 4
    x = seq(n * inp, 1.0, 0.5).reshape(n, inp)
    h = seq(n * hidden, 0.8, 1.5).reshape(n, hidden)
    wx = seq(inp * 3 * hidden, 0.6, 2.5).reshape(inp, 3 * hidden)
    wh = seq(hidden * 3 * hidden, 0.5, 3.5).reshape(hidden, 3 * hidden)
    bx = seq(3 * hidden, 0.3, 4.5)
    bh = seq(3 * hidden, 0.2, 5.5)
    gx = x @ wx + bx
    gh = h @ wh + bh
    gate = lambda g, k: g[:, k * hidden:(k + 1) * hidden]
    r = sigmoid(gate(gx, 0) + gate(gh, 0))
    z = sigmoid(gate(gx, 1) + gate(gh, 1))
    nn = np.tanh(gate(gx, 2) + r * gate(gh, 2))
    return (F(1) - z) * nn + z * h


def main():
    y, dx = layer_norm_case()
    cases = {"layer_norm": y, "layer_norm_grad": dx, "gru_cell": gru_case()}
    with open("reference.txt", "w") as f:
        f.write("# written by make_reference.py; see its docstring\n")
        for name, values in cases.items():
            f.write(name + " " + " ".join(repr(float(v)) for v in values.ravel()) + "\n")


if __name__ == "__main__":
    main()
