#!/usr/bin/env bash
# The interpreter against CPython on five everyday workloads (issue 16):
# whole-process wall-clock time, best of 3, and the ratio dlang / python
# (the goal is <= 1 on each, and List.sort of 10^6 ints under 1 s).
# Each bench/interp/<name>.dl has a twin <name>.py printing the same line.
# Not part of `cargo test`: run it by hand, `bash bench/interp.sh [name…]`.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

workloads=("$@")
if [ ${#workloads[@]} -eq 0 ]; then
    workloads=(fib trees float_loop lists sort)
fi

printf '%-12s %10s %10s %7s\n' workload "dlang (s)" "python (s)" ratio
for name in "${workloads[@]}"; do
    dl=bench/interp/$name.dl
    py=bench/interp/$name.py
    dl_out=$("$dlang" run --backend interp "$dl")
    py_out=$(python3 "$py")
    if [ "$dl_out" != "$py_out" ]; then
        echo "bench: $dl printed $dl_out but $py printed $py_out" >&2
        exit 1
    fi
    dl_time=$(best_of_3 "$dlang" run --backend interp "$dl")
    py_time=$(best_of_3 python3 "$py")
    ratio=$(python3 -c "print(f'{$dl_time / $py_time:.2f}')")
    printf '%-12s %10s %10s %7s\n' "$name" "$dl_time" "$py_time" "$ratio"
done
