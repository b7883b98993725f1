#!/usr/bin/env python3
"""Expected output of the tensor golden tests (tests/golden/tensor/*.dl),
computed independently with NumPy: values in float32, gradients and
tangents from their closed forms or direct loops (no autodiff), each printed
as dlang prints it (see dlang_format.py).

    python3 tests/tensor_reference/make_expected.py write   # writes NAME.stdout and data/*.npy
    python3 tests/tensor_reference/make_expected.py check   # compares the committed NAME.stdout

`check` compares number by number: exact where the result is exactly
representable, within ULPS float32 units in the last place elsewhere;
every other character must match. The slack is for honest float32
rounding: transcendental functions may round differently in NumPy and in
Rust's libm, and a derivative such as sigmoid's s*(1-s) loses a few bits to
cancellation (PyTorch's float32 sigmoid gradient at 2.0 is 6 ulps from the
exact 0.10499358, the same as dlang's). Files blessed from dlang's output
are checked this way. `write` writes the reference text itself, which is
the golden file wherever dlang's last bits agree with NumPy's.

Each case below mirrors one .dl file line by line: case `NAME` returns the
values that `NAME.dl` prints, in order.
"""

import os
import re
import sys

import numpy as np

from dlang_format import Array, Record, Some, show

F = np.float32
HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "golden", "tensor")
ULPS = 8

CASES = {}

# Cases whose golden file was blessed from dlang's output because some last
# digits differ from NumPy's (within ULPS): `write` without names leaves
# them alone, so it never replaces dlang's digits with NumPy's.
BLESSED = {"math", "softmax", "second_order"}


def case(function):
    CASES[function.__name__] = function
    return function


def t(values):
    return np.array(values, dtype=F)


def via_f64(function, x):
    """`function` evaluated in double precision and rounded once to float32:
    the correctly rounded result an f32 kernel aims for."""
    return function(np.asarray(x, dtype=np.float64)).astype(F)


def fsum(x):
    """Tensor.sum: a float32 tensor's sum returned as a dlang float."""
    return float(np.sum(np.asarray(x, dtype=np.float64)).astype(F))


def unbroadcast(adjoint, shape):
    """The adjoint of a broadcast operand: summed over the broadcast axes."""
    while adjoint.ndim > len(shape):
        adjoint = adjoint.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and adjoint.shape[axis] != 1:
            adjoint = adjoint.sum(axis=axis, keepdims=True)
    return adjoint.astype(F)


@case
def construct():
    return [
        t([1.0, -2.5, 0.1]),
        t([[1, 2, 3], [4, 5, 6]]),
        np.zeros((2, 3), F),
        np.ones(3, F),
        np.full((2, 2), 7.5, F),
        np.arange(5, dtype=F),
        t(3.25),
        np.eye(4, dtype=F)[2],
        [2, 3, 4],
        [],
        [0],
        [7],
        [float(F(v)) for v in (1.0, 2.0, 3.0, 0.1)],
        [2.0],
    ]


@case
def print():  # noqa: A001 - the case is named after print.dl
    arange = lambda n: np.arange(n, dtype=F)  # noqa: E731
    return [
        t(-1.5),
        arange(8).reshape(2, 2, 2),
        np.zeros(0, F),
        np.zeros((2, 0), F),
        t([0.1, 1e-7, 16777217.0, 3.4e38, 123456.78, -0.5]),
        t([-np.inf, np.nan, 0.0]),
        (1, np.ones(2, F)),
        [t(1.0), t([2.0])],
        "tensor([1.0, 2.0])!",
        arange(1000),
        arange(1001),
        arange(2000).reshape(100, 20),
        arange(1050).reshape(2, 525),
        np.zeros((1001, 2), F),
        arange(1100).reshape(11, 10, 10),
    ]


A = t([[1, 2, 3], [4, 5, 6]])
B = t([10, 20, 30])
C = t([[1], [2]])
D = t([[1, 2, 4]])


@case
def arith():
    return [
        A + A,
        A + B,
        B - A,
        C * D,
        D * C,
        A / C,
        t(2.0) * A,
        F(2.0) * A,
        A - F(1.0),
        F(1.0) / D,
        A / F(4.0),
        F(10.0) - B,
        -A,
        A ** F(2.0),
        D ** D,
        F(2.0) ** D,
        A @ A.T + F(0.5),
    ]


@case
def arith_grad():
    ones = lambda like: np.ones_like(like, dtype=F)  # noqa: E731
    ab = ones(A + B)
    return [
        unbroadcast(ab, B.shape),
        ones(A),
        unbroadcast(-ab, B.shape),
        unbroadcast(A * ab, B.shape),
        unbroadcast(np.broadcast_to(D, (2, 3)), C.shape),
        unbroadcast(np.broadcast_to(C, (2, 3)), D.shape),
        np.broadcast_to(F(1) / C, (2, 3)).astype(F),
        unbroadcast(-A / (C * C), C.shape),
        np.full((2, 1), F(3)),
        np.full((1, 3), F(-2)),
        t(fsum(A)),
        unbroadcast(np.arange(24, dtype=F).reshape(2, 3, 4), (3, 1)).reshape(3),
        2 * A,
        -ones(A),
        3 * D * D,
        via_f64(lambda d: d ** d * np.log(d), D),
        via_f64(lambda d: 2 ** d * np.log(2), D),
        float(F(np.sum(D.astype(np.float64) ** 2 * np.log(D.astype(np.float64))))),
        float(F(np.sum(D.astype(np.float64) * 2.0 ** (D.astype(np.float64) - 1)))),
        fsum(A),
        6.0,
        fsum(F(1) / D),
        fsum(-D / F(4.0)),
        fsum(A),
        (fsum(A * B), unbroadcast(A, B.shape)),
        (C * D, t([[1], [0]]) * D),
        (A * F(2.0), A),
        (A / C, np.broadcast_to(F(1) / C, (2, 3)).astype(F)),
    ]


X = t([0.5, 1.0, 2.0])
Y = t([-1.5, 0.5, 2.0])
DX = t([1.0, 2.0, 3.0])


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


@case
def math():
    step = (Y > 0).astype(F)
    return [
        via_f64(np.exp, X),
        via_f64(np.log, X),
        via_f64(np.sqrt, X),
        via_f64(np.tanh, Y),
        via_f64(sigmoid, Y),
        np.maximum(Y, 0),
        via_f64(np.exp, X),
        via_f64(np.sin, X),
        via_f64(np.cos, X),
        via_f64(np.tan, X),
        np.abs(Y),
        via_f64(np.exp, X),
        via_f64(lambda v: 1 / v, X),
        via_f64(lambda v: 0.5 / np.sqrt(v), X),
        via_f64(lambda v: 1 - np.tanh(v) ** 2, Y),
        via_f64(lambda v: sigmoid(v) * (1 - sigmoid(v)), Y),
        step,
        via_f64(np.cos, X),
        via_f64(lambda v: -np.sin(v), X),
        via_f64(lambda v: 1 / np.cos(v) ** 2, X),
        np.sign(Y),
        (via_f64(np.exp, X), via_f64(lambda v: np.exp(v) * DX, X)),
        (via_f64(np.log, X), via_f64(lambda v: DX / v, X)),
        (via_f64(np.tanh, Y), via_f64(lambda v: (1 - np.tanh(v) ** 2) * DX, Y)),
        (np.maximum(Y, 0), step * DX),
        (fsum(via_f64(np.sin, X)), fsum(via_f64(lambda v: np.cos(v) * DX, X))),
    ]


@case
def clip():
    v = t([-2.0, -0.5, 0.5, 0.75, 3.0])
    inside = ((v > -1) & (v < 1)).astype(F)
    return [
        np.clip(v, -1, 1),
        t([-1, 1]),
        np.clip(t([[0.1, 0.3], [-0.1, 0.2]]), 0, 0.25),
        inside,
        (np.clip(v, -1, 1), inside * 2),
    ]


@case
def clip_bounds():
    # torch.clamp's gradient (2.15) is 0 on the bounds themselves.
    v = t([-2.0, -1.0, 0.5, 1.0, 3.0])
    inside = ((v > -1) & (v < 1)).astype(F)
    return [inside, (np.clip(v, -1, 1), inside * 2), t([0, 0])]


@case
def tangent_broadcast():
    ones = np.ones((2, 3), F)
    return [
        (A + B, ones),
        (A - B, -ones),
        (B - A, ones),
        (A + F(2), ones),
        (F(2) - A, ones),
        (A + F(2), ones),
        (fsum(A + B), 6.0),
        (A + B + B, 2 * ones),
    ]


T = t([[1, 5, 2], [4, 3, 6]])
CUBE = np.arange(24, dtype=F).reshape(2, 3, 4)


@case
def reduce():
    iota = np.arange(6, dtype=F).reshape(2, 3)
    at_max = (T == T.max()).astype(F)
    return [
        fsum(T),
        float(F(T.mean())),
        float(T.max()),
        -1.0,
        T.sum(axis=0),
        T.sum(axis=1),
        CUBE.sum(axis=1),
        t(6.5),
        int(np.argmax(T)),
        int(np.argmax(t([3, 1, 3]))),
        np.argmax(T, axis=0).astype(F),
        np.argmax(T, axis=1).astype(F),
        np.argmax(CUBE, axis=2).astype(F),
        np.ones_like(T),
        np.full_like(T, F(1) / F(6)),
        at_max,
        np.broadcast_to(t([1, 2, 3]), (2, 3)).astype(F),
        np.broadcast_to(t([[1], [2]]), (2, 3)).astype(F),
        np.full(3, F(2) / F(6), F),
        CUBE.sum(axis=1),
        (fsum(T), 6.0),
        (float(F(T.mean())), float(F(T.mean()))),  # mean is linear
        (float(T.max()), float(iota.flat[np.argmax(T)])),
        (T.sum(axis=0), iota.sum(axis=0)),
        # Tied maxima share the gradient equally (as PyTorch's max()).
        (t([3, 1, 3]) == 3).astype(F) / F(2),
    ]


def softmax(v):
    v = np.asarray(v, np.float64)
    e = np.exp(v - v.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(v):
    v = np.asarray(v, np.float64)
    shifted = v - v.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax_vjp(v, w):
    s = softmax(v)
    w = np.asarray(w, np.float64)
    return (s * (w - (s * w).sum(axis=-1, keepdims=True))).astype(F)


def log_softmax_vjp(v, w):
    w = np.asarray(w, np.float64)
    return (w - softmax(v) * w.sum(axis=-1, keepdims=True)).astype(F)


@case
def softmax_case():
    x = t([1, 2, 3])
    m = t([[1, 2, 3], [1, 1, 1]])
    w = t([[1, 0, 0], [0, 2, -1]])
    return [
        softmax(x).astype(F),
        softmax(m).astype(F),
        log_softmax(x).astype(F),
        log_softmax(m).astype(F),
        softmax(t([1000, 1000])).astype(F),
        log_softmax(t([1000, 0])).astype(F),
        softmax_vjp(x, t([1, 0, 0])),
        softmax_vjp(m, w),
        log_softmax_vjp(m, w),
        log_softmax_vjp(x, t([0, 0, 1])),
        (softmax(x).astype(F), softmax_vjp(x, t([1, 0, -1]))),  # J is symmetric
        (log_softmax(m).astype(F), (w - (softmax(m) * w).sum(axis=-1, keepdims=True)).astype(F)),
    ]


CASES["softmax"] = CASES.pop("softmax_case")


@case
def matmul():
    a = A
    b = t([[1, -1], [0.5, 2], [-2, 1]])
    v = t([1, 0, -1])
    w = t([[1, 2], [3, 4]])
    ones22 = np.ones((2, 2), F)
    u = t([1, 2, -1])
    return [
        a @ b,
        b @ a,
        a @ v,
        [4, 1],
        ones22 @ b.T,
        a.T @ ones22,
        w @ b.T,
        a.T @ w,
        a.T @ t([1, 2]),
        np.outer(t([1, 2]), v).astype(F),
        # d/dx sum(x @ x) = 1 @ x^T + x^T @ 1.
        ones22 @ w.T + w.T @ ones22,
        (a @ b, np.ones((2, 3), F) @ b),
        (a @ b, a @ b),
        t(u @ v),
        u @ b,
        b.sum(axis=1),
        v,
        np.outer(u, t([1, -1])).astype(F),
        (u @ b, v @ b),
    ]


@case
def shape_ops():
    tt = A
    u = t([7, 8, 9])
    w32 = t([[1, 2], [3, 4], [5, 6]])
    w43 = np.arange(12, dtype=F).reshape(4, 3)
    row_grad = np.zeros((2, 3), F)
    row_grad[1] = u
    slice_grad = np.zeros((2, 3), F)
    slice_grad[:, 1:3] = t([[1, 2], [3, 4]])
    get_grad = np.zeros((2, 3), F)
    get_grad[1, 2] = 3
    iota = np.arange(6, dtype=F).reshape(2, 3)
    return [
        tt.reshape(3, 2),
        tt.reshape(6),
        t(5.0).reshape(1, 1),
        tt.T,
        tt[1],
        tt[:, 1:3],
        tt[1:2],
        u[0:0],
        np.concatenate([tt, tt], axis=0),
        np.concatenate([tt, np.ones((2, 1), F)], axis=1),
        np.concatenate([u, u, t([1])]),
        np.stack([u, u]),
        np.stack([tt, tt]),
        6.0,
        7.0,
        w32.reshape(2, 3),
        w32.T,
        row_grad,
        slice_grad,
        [w43[:2], w43[2:]],
        [tt[0], tt[1]],
        get_grad,
        (tt.T, tt.T),
        (tt[0], np.ones(3, F)),
        (2.0, 1.0),
        (tt.reshape(6), iota.reshape(6)),
        (tt[:, 1:3], iota[:, 1:3]),
        (np.concatenate([tt, tt * 2], axis=1), np.concatenate([iota, iota * 2], axis=1)),
        (np.stack([u, np.ones(3, F), u]), np.stack([t([1, 0, -1]), np.zeros(3, F), t([1, 0, -1])])),
    ]


def conv2d(x, k, pad):
    n, c, h, w = x.shape
    o, c2, kh, kw = k.shape
    assert c == c2
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = h + 2 * pad - kh + 1, w + 2 * pad - kw + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = xp[:, :, i:i + kh, j:j + kw]
            out[:, :, i, j] = np.einsum("ncab,ocab->no", window, k)
    return out.astype(F)


def conv2d_grads(x, k, pad, g):
    """Adjoints of x and k for the output adjoint g, by scattering each
    output element's contribution back (no transposed convolution)."""
    n, c, h, w = x.shape
    o, _, kh, kw = k.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dk = np.zeros(k.shape)
    for i in range(g.shape[2]):
        for j in range(g.shape[3]):
            gij = g[:, :, i, j].astype(np.float64)
            dxp[:, :, i:i + kh, j:j + kw] += np.einsum("no,ocab->ncab", gij, k)
            dk += np.einsum("no,ncab->ocab", gij, xp[:, :, i:i + kh, j:j + kw])
    dx = dxp[:, :, pad:pad + h, pad:pad + w]
    return dx.astype(F), dk.astype(F)


def max_pool2d(x, k):
    n, c, h, w = x.shape
    oh, ow = h // k, w // k
    windows = x[:, :, :oh * k, :ow * k].reshape(n, c, oh, k, ow, k)
    return windows.max(axis=(3, 5))


def max_pool2d_grad(x, k, g):
    dx = np.zeros_like(x)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(x.shape[2] // k):
                for j in range(x.shape[3] // k):
                    window = x[n, c, i * k:(i + 1) * k, j * k:(j + 1) * k]
                    a, b = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * k + a, j * k + b] += g[n, c, i, j]
    return dx


@case
def conv():
    x = np.arange(9, dtype=F).reshape(1, 1, 3, 3)
    k = t([[1, 2], [3, -1]]).reshape(1, 1, 2, 2)
    x2 = np.arange(36, dtype=F).reshape(2, 2, 3, 3) - F(18)
    k2 = np.arange(24, dtype=F).reshape(3, 2, 2, 2) - F(12)
    p = t([3, 1, 4, 15, 5, 9, 2, 6, 0, 8, 11, 7, 13, 10, 12, 14]).reshape(1, 1, 4, 4)
    pool_w = t([1, 2, 3, 4]).reshape(1, 1, 2, 2)
    ones_out = lambda x, k, pad: np.ones_like(conv2d(x, k, pad))  # noqa: E731
    return [
        conv2d(x, k, 0),
        conv2d(x, k, 1),
        conv2d(x2, k2, 0),
        [2, 3, 4, 4],
        conv2d_grads(x, k, 1, ones_out(x, k, 1))[0],
        conv2d_grads(x, k, 0, ones_out(x, k, 0))[1],
        conv2d_grads(x2, k2, 1, conv2d(x2, k2, 1))[0],
        conv2d_grads(x2, k2, 0, conv2d(x2, k2, 0))[1],
        (conv2d(x, k, 0), conv2d(x, np.ones((1, 1, 2, 2), F), 0)),
        max_pool2d(p, 2),
        max_pool2d(np.arange(25, dtype=F).reshape(1, 1, 5, 5), 2),
        max_pool2d_grad(p, 2, pool_w),
        (max_pool2d(p, 2), max_pool2d(p, 2)),  # the tangent follows the argmax
        t([1, 0, 0, 0]).reshape(1, 1, 2, 2),  # np.argmax picks the first of tied maxima
    ]


@case
def equal():
    return [True, True, False, False, False, True, False, True]


@case
def structures():
    x = t([[1, 2], [3, 4], [5, 6]])
    w = t([[1, 0, -1], [2, 1, 0]])
    b = t([0.5, -0.5, 1])
    z = x @ w + b
    active = (z > 0).astype(F)
    v = t([1, 2, 3])
    dv = t([1, 0, -1])
    return [
        fsum(np.maximum(z, 0)),
        Record(w=x.T @ active, b=active.sum(axis=0)),
        (fsum(z), (x.T @ np.ones_like(z), np.full(3, F(3)))),
        [t([3, 4]), t([1, 2])],
        (3.0, np.full(2, F(3))),
        (t([2, -4]), np.zeros((2, 2), F)),
        (z, x @ np.ones((2, 3), F) + t([1, 0, 0])),
        (3 * v * v, 6 * v * dv),
        4 * v,
        v,
    ]


@case
def second_order():
    x, y = X.astype(np.float64), Y.astype(np.float64)
    v = np.array([1.0, -1.0, 0.5])
    w = np.array([1.0, 2.0, -1.0])
    sig = sigmoid(y)
    s = softmax(y)
    ds = s * (v - (s * v).sum())
    a = A.astype(np.float64)
    dm = np.array([[1, 1], [0, -1], [2, 0]], dtype=np.float64)
    tanh_hvp = -2 * np.tanh(y) * (1 - np.tanh(y) ** 2)
    as_f32 = lambda values: np.asarray(values).astype(F)  # noqa: E731
    return [
        as_f32(tanh_hvp * v),
        as_f32(np.exp(x) * (2 + x) * v),
        as_f32(sig * (1 - sig) * (1 - 2 * sig) * v),
        as_f32(v / x),
        as_f32(-0.25 * x ** -1.5 * v),
        as_f32(2 * (y > 0) * v),
        # g = s * (w - s.w); its derivative along v, by the product rule.
        as_f32(ds * (w - (s * w).sum()) - s * (ds * w).sum()),
        as_f32(-ds * w.sum()),
        as_f32(tanh_hvp),
        as_f32(2 * a.T @ a @ dm),
        as_f32(2 * 2 * v),
        as_f32(np.broadcast_to(2 * np.ones((2, 3)).sum(axis=1, keepdims=True), (2, 3))),
        float(F((x * x * np.exp(x * 0.5)).sum())),
    ]


@case
def construct_grad():
    return [
        3.0,  # 1 + 2
        8.0,  # 1 + 1 + 2s at s = 3
        3.0,  # 2s at s = 1.5
        [1.0, 2.0],
        t([4, 3]),
        (t([1, 2]), t([1, 2])),
    ]


@case
def elements_grad():
    return [2.0, t([2, 4]), ([1.0, 2.0], [0.5, -1.0])]


@case
def control():
    x = t([1, 2])
    return [
        Array([t([3, 4]), x]),
        Some(2 * x),
        3 * x * x,
        4 * x ** 3,
        (x * x, x),
        2 * x + 1,
        2 * x,
        np.full(2, 2 * x.sum(), F),
    ]


NPY_INPUTS = {
    "f32_2x3.npy": np.array([[1.5, -2, 0.1], [1e-7, 3e38, 0]], dtype="<f4"),
    "f64_3.npy": np.array([0.1, 1 / 3, -1e300], dtype="<f8"),
    "i64_2x2.npy": np.array([[1, -2], [2**40 + 1, 0]], dtype="<i8"),
    "f32_scalar.npy": np.array(2.5, dtype="<f4"),
    "f32_empty.npy": np.zeros((0, 3), dtype="<f4"),
    "i32_3.npy": np.array([1, 2, 3], dtype="<i4"),
}


@case
def npy():
    roundtrip = np.arange(24, dtype=F).reshape(2, 3, 4) / F(7)
    with np.errstate(over="ignore"):  # -1e300 becomes -inf, as in dlang
        loaded = [NPY_INPUTS[name].astype(F) for name in
                  ("f32_2x3.npy", "f64_3.npy", "i64_2x2.npy", "f32_scalar.npy")]
    return loaded + [[0, 3], ([2, 3, 4], True), t(0.1)]


def write_npy_inputs():
    data = os.path.join(GOLDEN, "data")
    os.makedirs(data, exist_ok=True)
    for name, array in NPY_INPUTS.items():
        np.save(os.path.join(data, name), array)
    with open(os.path.join(data, "not_npy.npy"), "wb") as f:
        f.write(b"this is a text file, not a NumPy array\n")


def expected_text(name):
    return "".join(show(value) + "\n" for value in CASES[name]())


NUMBER = re.compile(r"-?(?:\d+\.\d*(?:e-?\d+)?|\d+e-?\d+|inf|nan)")


def ulp_distance(a, b):
    a, b = F(a), F(b)
    if np.isnan(a) and np.isnan(b):
        return 0
    ia, ib = (int(np.array(v, F).view(np.int32)) for v in (a, b))
    # Map sign-magnitude to a monotonic integer line.
    ia = ia if ia >= 0 else -(ia & 0x7FFFFFFF)
    ib = ib if ib >= 0 else -(ib & 0x7FFFFFFF)
    return abs(ia - ib)


def compare(name, expected, actual):
    problems = []
    for line_no, (want, got) in enumerate(zip(expected.splitlines(), actual.splitlines()), 1):
        want_nums, got_nums = NUMBER.findall(want), NUMBER.findall(got)
        if NUMBER.sub("#", want) != NUMBER.sub("#", got) or len(want_nums) != len(got_nums):
            problems.append(f"{name}.stdout line {line_no}:\n  reference {want}\n  dlang     {got}")
            continue
        for w, g in zip(want_nums, got_nums):
            if w != g and ulp_distance(float(w), float(g)) > ULPS:
                problems.append(
                    f"{name}.stdout line {line_no}: {g} differs from the reference {w}"
                    f" by {ulp_distance(float(w), float(g))} f32 ulps\n  reference {want}\n  dlang     {got}"
                )
    if len(expected.splitlines()) != len(actual.splitlines()):
        problems.append(f"{name}.stdout: {len(actual.splitlines())} lines, the reference has "
                        f"{len(expected.splitlines())}")
    return problems


def check_saved_npy():
    """What save_npy wrote (left by npy.dl) must read back in NumPy."""
    path = os.path.join(GOLDEN, "roundtrip.tmp.npy")
    if not os.path.exists(path):
        return [f"{path} missing: run the npy golden test first"]
    saved = np.load(path)
    want = np.arange(24, dtype=F).reshape(2, 3, 4) / F(7)
    if saved.dtype != np.float32 or not np.array_equal(saved, want):
        return [f"{path}: NumPy reads {saved.dtype} {saved.shape}, not the saved tensor"]
    return []


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "check"
    names = sys.argv[2:] or sorted(CASES)
    if mode == "write":
        if not sys.argv[2:]:
            names = [name for name in names if name not in BLESSED]
        write_npy_inputs()
        for name in names:
            with open(os.path.join(GOLDEN, name + ".stdout"), "w") as f:
                f.write(expected_text(name))
        return 0
    if mode == "check":
        problems = []
        for name in names:
            path = os.path.join(GOLDEN, name + ".stdout")
            if not os.path.exists(path):
                problems.append(f"{path} missing")
                continue
            with open(path) as f:
                problems += compare(name, expected_text(name), f.read())
        if "npy" in names:
            problems += check_saved_npy()
        for problem in problems:
            sys.stdout.write(problem + "\n")
        sys.stdout.write(f"{len(names)} cases checked, {len(problems)} problems\n")
        return 1 if problems else 0
    sys.stderr.write("usage: make_expected.py write|check [NAME...]\n")
    return 64


if __name__ == "__main__":
    sys.exit(main())
