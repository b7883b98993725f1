#!/usr/bin/env bash
# The issue's scalar benchmark (issue 11), whole process, best of 3: the
# gradient of a 1,000-step recurrence at 1,000 points on the JIT's
# compiled reverse mode (bench/reverse_loop.dl), on its tracked mode
# (DLANG_JIT_TRACKED_GRAD=1), on the interpreter, the same recurrence
# without the gradient (bench/reverse_loop_eval.dl), and a hand-written
# Rust forward + backward pass (bench/reverse_loop_hand.rs, built here
# with `rustc -O`). Start-up (parsing, checking, compiling) is measured
# with a run of no points and taken off the dlang figures too.
# Not part of `cargo test`: `bash bench/reverse_loop.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

hand=$(mktemp -d)
trap 'rm -rf "$hand"' EXIT
rustc -O -o "$hand/reverse_loop_hand" bench/reverse_loop_hand.rs
sed 's/for k = 0 to 999/for k = 0 to -1/' bench/reverse_loop.dl > "$hand/startup.dl"

jit="$dlang run --backend jit"
compiled=$(best_of_3 $jit bench/reverse_loop.dl)
tracked=$(DLANG_JIT_TRACKED_GRAD=1 best_of_3 $jit bench/reverse_loop.dl)
interp=$(best_of_3 "$dlang" run --backend interp bench/reverse_loop.dl)
eval=$(best_of_3 $jit bench/reverse_loop_eval.dl)
startup=$(best_of_3 $jit "$hand/startup.dl")
rust=$(best_of_3 "$hand/reverse_loop_hand")
echo "gradient, compiled reverse mode: ${compiled} s  ($($jit bench/reverse_loop.dl))"
echo "gradient, tracked mode:          ${tracked} s"
echo "gradient, interpreter:           ${interp} s"
echo "f alone, JIT:                    ${eval} s"
echo "JIT start-up (no points):        ${startup} s"
echo "hand-written Rust:               ${rust} s  ($("$hand/reverse_loop_hand"))"
python3 - "$compiled" "$tracked" "$eval" "$startup" "$rust" <<'PY'
import sys
compiled, tracked, evaluated, startup, rust = map(float, sys.argv[1:])
print(f"compiled / Rust, whole process:       {compiled / rust:.2f}x")
print(f"compiled / Rust, start-up taken off:  {(compiled - startup) / rust:.2f}x")
print(f"compiled / f alone (grad/eval):       {(compiled - startup) / (evaluated - startup):.2f}x")
print(f"tracked / compiled:                   {(tracked - startup) / (compiled - startup):.2f}x")
PY
