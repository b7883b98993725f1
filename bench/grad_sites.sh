#!/usr/bin/env bash
# The share of `grad`/`value_and_grad` sites that compiled reverse mode
# takes, over tests/golden/**/*.dl and examples/*.dl: the JIT reports
# each program's sites with `--timings` (a program the JIT
# refuses, tests/golden/jit_pending.txt, reports none and is counted apart).
# Not part of `cargo test`: `bash bench/grad_sites.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

compiled=0 tracked=0 refused=0
for file in $(grep -lE '\b(grad|value_and_grad)\b' tests/golden/*/*.dl examples/*.dl); do
    # A golden's own memory limit (NAME.args): without it the
    # grad_memory_limit programs fill memory until the timeout.
    limit=()
    args=${file%.dl}.args
    if [ -f "$args" ] && grep -qx -- --max-memory "$args"; then
        limit=(--max-memory "$(grep -x -A1 -- --max-memory "$args" | tail -1)")
    fi
    report=$(timeout 120 "$dlang" run --timings --backend jit "${limit[@]}" "$file" \
        2>&1 >/dev/null </dev/null |
        grep -o 'grad sites: [0-9]* compiled reverse, [0-9]* tracked' || true)
    if [ -z "$report" ]; then
        refused=$((refused + 1))
        continue
    fi
    read -r c t < <(echo "$report" | sed -E 's/grad sites: ([0-9]+) compiled reverse, ([0-9]+) tracked/\1 \2/')
    compiled=$((compiled + c))
    tracked=$((tracked + t))
    echo "$file: $c compiled, $t tracked"
done
total=$((compiled + tracked))
echo "sites lowered: $total; compiled reverse mode: $compiled ($((100 * compiled / (total > 0 ? total : 1)))%), tracked: $tracked"
echo "programs with grad the JIT refuses or that stop before reporting: $refused"
