#!/usr/bin/env bash
# Compiled reverse mode against its peers, measured in the same run
# (whole process, best of 3): the gradient of a `sin`-heavy function at
# 10^6 points (bench/reverse.dl) on the JIT's compiled reverse mode, on its
# tracked mode (DLANG_JIT_TRACKED_GRAD=1: boxed tracked floats and the
# runtime's AD), the derivative written out by hand and compiled by the
# same JIT (bench/reverse_hand.dl), and `f` itself (bench/reverse_eval.dl).
# The paper's claim is compiled ≈ hand-written.
# Not part of `cargo test`: run it by hand, `bash bench/reverse.sh`
# (DLANG=target/debug/dlang to measure a debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

jit="$dlang run --backend jit"
compiled=$(best_of_3 $jit bench/reverse.dl)
tracked=$(DLANG_JIT_TRACKED_GRAD=1 best_of_3 $jit bench/reverse.dl)
hand=$(best_of_3 $jit bench/reverse_hand.dl)
eval=$(best_of_3 $jit bench/reverse_eval.dl)
echo "gradient, compiled reverse mode: ${compiled} s  ($($jit bench/reverse.dl))"
echo "gradient, tracked mode:          ${tracked} s"
echo "derivative written by hand:      ${hand} s  ($($jit bench/reverse_hand.dl))"
echo "f alone:                         ${eval} s"
python3 - "$compiled" "$tracked" "$hand" "$eval" <<'PY'
import sys
compiled, tracked, hand, evaluated = map(float, sys.argv[1:])
print(f"compiled / hand-written: {compiled / hand:.2f}x")
print(f"tracked / compiled:      {tracked / compiled:.2f}x")
print(f"compiled / f alone:      {compiled / evaluated:.2f}x")
PY
