#!/usr/bin/env bash
# Whole-process timing, best of 3: `dlang run --backend interp bench/fib.dl`
# against `python3 bench/fib.py`, and their ratio (the goal is <= 2x).
# Not part of `cargo test`: run it by hand, `bash bench/fib.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

expected=832040
for cmd in "$dlang run --backend interp bench/fib.dl" "python3 bench/fib.py"; do
    out=$($cmd)
    if [ "$out" != "$expected" ]; then
        echo "bench: \`$cmd\` printed $out, expected $expected" >&2
        exit 1
    fi
done

dlang_time=$(best_of_3 "$dlang" run --backend interp bench/fib.dl)
python_time=$(best_of_3 python3 bench/fib.py)
ratio=$(python3 -c "print(f'{$dlang_time / $python_time:.2f}')")
echo "dlang (interp): ${dlang_time} s"
echo "python3:        ${python_time} s"
echo "ratio:          ${ratio}x (goal: <= 2x)"
