# bench/reverse_loop_jax.py — the JAX peer of bench/reverse_loop.dl
# (bench/reverse_loop.sh runs it in bench/.venv-jax): the gradient of the
# 1,000-step recurrence y <- sin(y)*0.9 + y*0.1 + 0.05 at the 1,000 points
# k * 0.001, summed, in float64 (dlang's floats) on the CPU, one thread.
#
# Three forms, each compiled ahead of time (`jit(...).lower(...).compile()`)
# so compile seconds are reported apart from the run's:
#   loop:    one jitted program, a `fori_loop` over the points adding
#            `grad(f)` of each — the dlang program's shape, and the figure
#            the table compares;
#   python:  a Python `for` over the points calling the jitted `grad(f)`
#            once a point (each call pays JAX's dispatch);
#   vmap:    `jit(vmap(grad(f)))` over the 1,000 points at once, then a sum
#            (batched, which the dlang program is not: reported beside).
# Each run's time is the best of 3, in the process (no start-up); the sums
# are printed so the script can check they agree with dlang's and Rust's.
import os
import sys
import time

os.environ.setdefault(
    "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402

jax.config.update("jax_enable_x64", True)

STEPS = 1000
POINTS = 1000


def f(x):
    return lax.fori_loop(0, STEPS, lambda _, y: jnp.sin(y) * 0.9 + y * 0.1 + 0.05, x)


df = jax.grad(f)


def summed(_):
    return lax.fori_loop(
        0, POINTS, lambda k, s: s + df(jnp.asarray(k, jnp.float64) * 0.001), jnp.float64(0.0))


def batched(xs):
    return jnp.sum(jax.vmap(df)(xs))


def compiled(fn, arg):
    start = time.perf_counter()
    exe = jax.jit(fn).lower(arg).compile()
    return exe, time.perf_counter() - start


def best_of_3(run):
    best = None
    for _ in range(3):
        start = time.perf_counter()
        value = run()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, value


def main():
    zero = jnp.float64(0.0)
    points = jnp.arange(POINTS, dtype=jnp.float64) * 0.001

    loop, loop_compile = compiled(summed, zero)
    loop_time, loop_sum = best_of_3(lambda: float(loop(zero)))

    point, point_compile = compiled(df, zero)

    def python_loop():
        s = 0.0
        for k in range(POINTS):
            s += float(point(jnp.float64(k * 0.001)))
        return s

    python_time, python_sum = best_of_3(python_loop)

    vmapped, vmap_compile = compiled(batched, points)
    vmap_time, vmap_sum = best_of_3(lambda: float(vmapped(points)))

    print(f"jax {jax.__version__}, {jax.default_backend()}")
    print(f"loop:   {loop_time:.4f} s  compile {loop_compile:.3f} s  sum {loop_sum!r}")
    print(f"python: {python_time:.4f} s  compile {point_compile:.3f} s  sum {python_sum!r}")
    print(f"vmap:   {vmap_time:.4f} s  compile {vmap_compile:.3f} s  sum {vmap_sum!r}")


if __name__ == "__main__":
    sys.exit(main())
