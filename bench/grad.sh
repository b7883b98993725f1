#!/usr/bin/env bash
# Whole-process timing, best of 3, of `grad` of a 1,000,000-iteration loop
# (bench/grad.dl) against the plain evaluation of the same function
# (bench/grad_eval.dl), and their ratio (the goal is <= 5x).
# Not part of `cargo test`: run it by hand, `bash bench/grad.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

eval_s=$(best_of_3 $dlang run --backend interp bench/grad_eval.dl)
grad_s=$(best_of_3 $dlang run --backend interp bench/grad.dl)
ratio=$(python3 -c "print(f'{$grad_s / $eval_s:.2f}')")
echo "eval: ${eval_s}s  grad: ${grad_s}s  grad/eval: ${ratio}x"
