"""Reference numbers for dlang's optimizers (src/runtime/optim.rs).

Runs a few steps of each optimizer of docs/language.md §8 on the losses of
steps.dl, written out by hand here (NumPy only, no autodiff), and writes
reference.txt: one line per case, its name and then every element of the
parameters after each step (leaves left to right, tensors row-major).
Floats are f64 as in dlang; tensors are float32 and every tensor
operation is done in float32, as dlang does.

tests/optim_reference.rs runs steps.dl and compares. This script is not
run by `cargo test`; rerun it by hand (python3 make_reference.py) after
changing a case, and commit reference.txt.
"""

import math

import numpy as np

F = np.float32
STEPS = 5

# The losses of steps.dl:
#   float:  (x - 0.5)^2                                   x0 = 1.5
#   tensor: sum (w * (p - t) * (p - t))                   p0 below
#   pair:   sum (w2 * (a - t2) * (a - t2)) + (b - 0.5)^2  (a0, b0) below
W = np.array([1.0, 0.5, 2.0, 3.0], F)
T = np.array([1.0, 2.0, -1.0, 0.25], F)
P0 = np.array([0.5, -1.0, 2.0, 0.0], F)
W2 = np.array([[1.0, 2.0], [0.5, 1.5]], F)
T2 = np.array([[0.0, 1.0], [-1.0, 2.0]], F)
A0 = np.array([[1.0, -1.0], [0.5, 0.0]], F)
B0 = 2.0


def grad_float(x):
    return 2.0 * (x - 0.5)


def grad_tensor(p, w, t):
    # d/dp of w*(p-t)*(p-t) is w*(p-t) + w*(p-t): the reverse pass adds
    # the two uses of (p - t) in float32.
    d = p - t
    return (w * d) + (w * d)


class Sgd:
    def __init__(self, lr):
        self.lr = lr

    def step(self, p, g, dtype):
        return p - dtype(self.lr) * g


class Momentum:
    """torch.optim.SGD(momentum=beta): buf = g first, then beta*buf + g."""

    def __init__(self, lr, beta):
        self.lr, self.beta, self.buf = lr, beta, {}

    def step(self, p, g, dtype, key):
        if key not in self.buf:
            self.buf[key] = g
        else:
            self.buf[key] = dtype(self.beta) * self.buf[key] + g
        return p - dtype(self.lr) * self.buf[key]


class Adagrad:
    """min-char-rnn: G += g^2; p -= lr*g/sqrt(G + 1e-8)."""

    def __init__(self, lr):
        self.lr, self.sum = lr, {}

    def step(self, p, g, dtype, key):
        self.sum[key] = self.sum.get(key, dtype(0.0)) + g * g
        return p - dtype(self.lr) * g / np.sqrt(self.sum[key] + dtype(1e-8))


class Adam:
    """torch.optim.Adam, betas (0.9, 0.999), eps 1e-8."""

    def __init__(self, lr):
        self.lr, self.m, self.v, self.t = lr, {}, {}, 0

    def begin_step(self):
        self.t += 1

    def step(self, p, g, dtype, key):
        b1, b2, eps = 0.9, 0.999, 1e-8
        m = dtype(b1) * self.m.get(key, dtype(0.0)) + dtype(1 - b1) * g
        v = dtype(b2) * self.v.get(key, dtype(0.0)) + dtype(1 - b2) * g * g
        self.m[key], self.v[key] = m, v
        step_size = dtype(self.lr / (1 - b1**self.t))
        correction2_sqrt = dtype(math.sqrt(1 - b2**self.t))
        return p - step_size * m / (np.sqrt(v) / correction2_sqrt + dtype(eps))


class Rmsprop:
    """torch.optim.RMSprop, alpha 0.99, eps 1e-8: v = alpha*v + (1-alpha)*g^2;
    p - lr*(g/(sqrt(v) + eps))."""

    def __init__(self, lr):
        self.lr, self.v = lr, {}

    def step(self, p, g, dtype, key):
        alpha = 0.99
        v = dtype(alpha) * self.v.get(key, dtype(0.0)) + dtype(1 - alpha) * g * g
        self.v[key] = v
        return p - dtype(self.lr) * (g / (np.sqrt(v) + dtype(1e-8)))


class AdamW(Adam):
    """torch.optim.AdamW: p*(1 - lr*weight_decay), then Adam's step."""

    def __init__(self, lr, weight_decay):
        super().__init__(lr)
        self.weight_decay = weight_decay

    def step(self, p, g, dtype, key):
        decayed = p * dtype(1 - self.lr * self.weight_decay)
        return super().step(decayed, g, dtype, key)


def make(name):
    return {
        "sgd": lambda: Sgd(0.1),
        "momentum": lambda: Momentum(0.1, 0.9),
        "adagrad": lambda: Adagrad(0.1),
        "adam": lambda: Adam(0.1),
        "rmsprop": lambda: Rmsprop(0.01),
        "adamw": lambda: AdamW(0.1, 0.1),
    }[name]()


def step_decay(lr0, step_size, gamma, epoch):
    """torch.optim.lr_scheduler.StepLR's closed form."""
    return lr0 * gamma ** (epoch // step_size)


def cosine_annealing(lr0, lr_min, t_max, epoch):
    """torch.optim.lr_scheduler.CosineAnnealingLR's closed form."""
    return lr_min + (lr0 - lr_min) * (1 + math.cos(math.pi * epoch / t_max)) / 2


def run(opt, leaves, grads, dtypes, schedule=None):
    """STEPS steps; the elements of the leaves after each. With a
    schedule, step e (from 0) uses the learning rate schedule(e)."""
    out = []
    for epoch in range(STEPS):
        if schedule is not None:
            opt.lr = schedule(epoch)
        if hasattr(opt, "begin_step"):
            opt.begin_step()
        gs = grads(leaves)
        new = []
        for key, (p, g, dtype) in enumerate(zip(leaves, gs, dtypes)):
            if isinstance(opt, Sgd):
                new.append(opt.step(p, g, dtype))
            else:
                new.append(opt.step(p, g, dtype, key))
        leaves = new
        for leaf in leaves:
            out.extend(np.asarray(leaf, dtype=np.float64).ravel().tolist())
    return out


def cases():
    for name in ["sgd", "momentum", "adagrad", "adam", "rmsprop", "adamw"]:
        yield f"{name}_float", run(
            make(name), [1.5], lambda ls: [grad_float(ls[0])], [float]
        )
        yield f"{name}_tensor", run(
            make(name), [P0], lambda ls: [grad_tensor(ls[0], W, T)], [F]
        )
        yield f"{name}_pair", run(
            make(name),
            [A0, B0],
            lambda ls: [grad_tensor(ls[0], W2, T2), grad_float(ls[1])],
            [F, float],
        )
    yield "step_decay_float", [step_decay(0.1, 3, 0.5, e) for e in range(10)]
    yield "cosine_annealing_float", [cosine_annealing(0.1, 0.001, 10, e) for e in range(13)]
    yield "adam_cosine_float", run(
        Adam(0.1),
        [1.5],
        lambda ls: [grad_float(ls[0])],
        [float],
        lambda e: cosine_annealing(0.1, 0.001, 4, e),
    )
    c = 0.75
    clipped = [np.clip(np.array([-2.0, 0.5, 1.0, -0.1], F), F(-c), F(c)), min(max(3.0, -c), c), -0.2]
    yield "clip", [float(x) for x in clipped[0]] + clipped[1:]


def main():
    with open("reference.txt", "w") as f:
        f.write("# written by make_reference.py; see its docstring\n")
        for name, values in cases():
            f.write(name + " " + " ".join(repr(float(v)) for v in values) + "\n")


if __name__ == "__main__":
    main()
