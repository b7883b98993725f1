#!/usr/bin/env bash
# Issue 11's 10^6 cases: `grad` of the 10^6-step loops and the 10^6-deep
# non-tail recursion of tests/golden/ad on the release build's JIT (and
# its tracked mode, DLANG_JIT_TRACKED_GRAD=1) against the interpreter:
# wall-clock time (best of 3, whole process) and peak memory (the largest
# max RSS of the 3 runs, getrusage).
#
# Bytes per differentiated primitive: the same program with 1 step
# instead of 10^6 is measured too, and (max RSS of 10^6 steps - max RSS of
# 1 step) / (10^6 * primitives a step) is printed; the primitives of a
# step are counted by hand from the source (given below with each file).
# Not part of `cargo test`: `bash bench/reverse_million.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "$(date -u '+%Y-%m-%d %H:%M UTC'); load:$(uptime | sed 's/.*load average://')"
# The backend of a mode: "tracked" is the JIT with every site tracked.
backend() {
    if [ "$1" = interp ]; then echo interp; else echo jit; fi
}

# Runs the rest of the line (a command or a function) in mode $1.
in_mode() {
    local mode=$1
    shift
    if [ "$mode" = tracked ]; then
        (export DLANG_JIT_TRACKED_GRAD=1 && "$@")
    else
        "$@"
    fi
}

printf '%-22s %-9s %9s %9s %9s %12s  %s\n' program mode 'time s' 'RSS MiB' 'RSS@1 MiB' 'bytes/prim' 'grad sites'
# file, primitives of one step: million_loop's `acc * c + x * c` is three
# (two products, a sum); million_recursion's `x * c + sum ...` two;
# million_for_loop's `sin y * 0.9 + y * 0.1 + 0.05` five.
for case in million_loop:3 million_recursion:2 million_for_loop:5; do
    name=${case%:*}
    prims=${case#*:}
    file=tests/golden/ad/$name.dl
    sed 's/1000000/1/' "$file" > "$work/$name.1.dl"
    grep -q 1000000 "$file" || { echo "no 1000000 in $file" >&2; exit 1; }
    for mode in jit tracked interp; do
        sites=-
        if [ "$mode" != interp ]; then
            sites=$(in_mode "$mode" "$dlang" run --timings --backend jit "$file" 2>&1 >/dev/null |
                grep -o '[0-9]* compiled reverse, [0-9]* tracked' || echo '?')
        fi
        read -r time rss < <(in_mode "$mode" best_of_3_rss "$dlang" run --backend "$(backend "$mode")" "$file")
        read -r _ rss1 < <(in_mode "$mode" best_of_3_rss "$dlang" run --backend "$(backend "$mode")" "$work/$name.1.dl")
        bytes=$(python3 -c "print(f'{($rss - $rss1) * 1048576 / (1e6 * $prims):.1f}')")
        printf '%-22s %-9s %9s %9s %9s %12s  %s\n' "$name" "$mode" "$time" "$rss" "$rss1" "$bytes" "$sites"
    done
done
echo "load:$(uptime | sed 's/.*load average://')"
