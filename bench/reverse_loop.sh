#!/usr/bin/env bash
# The issue's scalar benchmark (issue 11): the gradient of a 1,000-step
# recurrence at 1,000 points (bench/reverse_loop.dl) on the release
# build's JIT (compiled reverse mode, and its tracked mode with
# DLANG_JIT_TRACKED_GRAD=1) and interpreter, against a hand-written Rust
# forward + backward pass (bench/reverse_loop_hand.rs, built here at
# opt-level 3, cargo's release profile) and JAX `jit(grad)`
# (bench/reverse_loop_jax.py, in bench/.venv-jax, which this script
# creates); and the recurrence without the gradient
# (bench/reverse_loop_eval.dl) for the grad/eval ratio.
#
# Every process figure is the best of 3 runs, whole process. Start-up is
# taken off by measuring the same program with no points (the loop over
# the points runs 0 times: dlang still parses, checks and compiles all of
# it; Rust's binary is given 0), best of 3 too, and subtracting it. JAX
# times itself in the process (best of 3, after compiling ahead of time;
# compile time apart), so its figure has no start-up to take off; its
# whole process (Python, importing JAX, compiling) is printed beside.
# Then the 10^6 rows: bench/reverse_million.sh.
# Not part of `cargo test`: `bash bench/reverse_loop.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rustc --edition 2021 -C opt-level=3 -o "$work/reverse_loop_hand" bench/reverse_loop_hand.rs
sed 's/for k = 0 to 999/for k = 0 to -1/' bench/reverse_loop.dl > "$work/startup.dl"
sed 's/for k = 0 to 999/for k = 0 to -1/' bench/reverse_loop_eval.dl > "$work/startup_eval.dl"
for f in "$work/startup.dl" "$work/startup_eval.dl"; do
    grep -q 'to -1' "$f" || { echo "no point loop to empty in $f" >&2; exit 1; }
done

echo "$(date -u '+%Y-%m-%d %H:%M UTC'); load:$(uptime | sed 's/.*load average://')"
jit="$dlang run --backend jit"
interp="$dlang run --backend interp"
echo "sums: jit $($jit bench/reverse_loop.dl), interp $($interp bench/reverse_loop.dl)," \
    "Rust $("$work/reverse_loop_hand")"
compiled=$(best_of_3 $jit bench/reverse_loop.dl)
compiled0=$(best_of_3 $jit "$work/startup.dl")
tracked=$(DLANG_JIT_TRACKED_GRAD=1 best_of_3 $jit bench/reverse_loop.dl)
interpreted=$(best_of_3 $interp bench/reverse_loop.dl)
interpreted0=$(best_of_3 $interp "$work/startup.dl")
eval=$(best_of_3 $jit bench/reverse_loop_eval.dl)
eval0=$(best_of_3 $jit "$work/startup_eval.dl")
rust=$(best_of_3 "$work/reverse_loop_hand")
rust0=$(best_of_3 "$work/reverse_loop_hand" 0)

bench_venv bench/requirements-jax.txt bench/.venv-jax
jax_start=$(date +%s.%N)
jax=$("$python" bench/reverse_loop_jax.py)
jax_whole=$(python3 -c "print(f'{$(date +%s.%N) - $jax_start:.3f}')")
echo "$jax" | sed 's/^/  /'
jax_loop=$(echo "$jax" | sed -n 's/^loop: *\([0-9.]*\) s.*/\1/p')
jax_python=$(echo "$jax" | sed -n 's/^python: *\([0-9.]*\) s.*/\1/p')
jax_vmap=$(echo "$jax" | sed -n 's/^vmap: *\([0-9.]*\) s.*/\1/p')
echo "load:$(uptime | sed 's/.*load average://')"

python3 - "$compiled" "$compiled0" "$tracked" "$interpreted" "$interpreted0" \
    "$eval" "$eval0" "$rust" "$rust0" "$jax_loop" "$jax_python" "$jax_vmap" "$jax_whole" <<'PY'
import sys
(compiled, compiled0, tracked, interp, interp0, evaluated, eval0,
 rust, rust0, jax_loop, jax_python, jax_vmap, jax_whole) = map(float, sys.argv[1:])
rust_net = rust - rust0
rows = [
    ("dlang JIT, compiled reverse mode", compiled, compiled0, compiled - compiled0),
    ("dlang JIT, tracked mode", tracked, compiled0, tracked - compiled0),
    ("dlang interpreter", interp, interp0, interp - interp0),
    ("hand-written Rust", rust, rust0, rust_net),
    ("JAX jit(grad), fori_loop over points", jax_whole, None, jax_loop),
    ("JAX jit(grad), Python loop over points", None, None, jax_python),
    ("JAX jit(vmap(grad)) (batched)", None, None, jax_vmap),
    ("dlang JIT, recurrence alone (no grad)", evaluated, eval0, evaluated - eval0),
]
def cell(x, fmt="{:.3f}"):
    return "-" if x is None else fmt.format(x)
print(f"{'variant':42} {'whole s':>8} {'start s':>8} {'net s':>8} {'whole/Rust':>10} {'net/Rust':>9}")
for name, whole, start, net in rows:
    ratio_whole = None if whole is None else whole / rust
    print(f"{name:42} {cell(whole):>8} {cell(start):>8} {net:8.4f} "
          f"{cell(ratio_whole, '{:.2f}x'):>10} {net / rust_net:8.2f}x")
print(f"grad/eval, compiled, start-up off: {(compiled - compiled0) / (evaluated - eval0):.2f}x")
print(f"compiled / JAX loop form, net:     {(compiled - compiled0) / jax_loop:.2f}x")
PY
