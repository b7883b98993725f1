#!/usr/bin/env bash
# Whole-process timing, best of 3: `dlang run --backend interp bench/fib.dl`
# against `python3 bench/fib.py`, and their ratio (the goal is <= 2x).
# Not part of `cargo test`: run it by hand, `bash bench/fib.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
dlang=target/release/dlang

# Prints the best wall-clock time of three runs of the command, in seconds.
best_of_3() {
    python3 - "$@" <<'PY'
import subprocess, sys, time
best = None
for _ in range(3):
    start = time.perf_counter()
    subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
print(f"{best:.3f}")
PY
}

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
