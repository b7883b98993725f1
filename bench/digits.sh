#!/usr/bin/env bash
# The digits MLP (64-128-10, relu, batch 32, Adam 1e-3, 20 epochs) in dlang
# (`dlang run --backend interp examples/digits.dl`) against the same model in
# PyTorch eager on the CPU (bench/digits_pytorch.py), with one thread and with
# PyTorch's default thread count. Prints best-of-3 times and the ratios (the
# goal is dlang within 2x of PyTorch). Installs PyTorch into bench/.venv on
# first use. Not part of `cargo test`: run it by hand, `bash bench/digits.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f examples/digits.dl ]; then
    echo "bench/digits.sh: examples/digits.dl does not exist yet; nothing to time" >&2
    exit 1
fi

source bench/common.sh
bench_venv bench/requirements-torch.txt

# Runs a command three times; prints the best whole-process seconds and the
# best training seconds that the program reports itself: the sum of
# examples/digits.dl's "time Xs" per epoch, or digits_pytorch.py's
# "training seconds: X" (its loop alone, without starting Python and
# importing torch).
measure() {
    python3 - "$@" <<'PY'
import re, subprocess, sys, time
best_whole = best_train = None
for _ in range(3):
    start = time.perf_counter()
    out = subprocess.run(sys.argv[1:], check=True, capture_output=True, text=True).stdout
    whole = time.perf_counter() - start
    torch = re.search(r"training seconds: ([0-9.]+)", out)
    train = float(torch.group(1)) if torch else sum(
        float(s) for s in re.findall(r"time ([0-9.]+)s", out))
    best_whole = whole if best_whole is None else min(best_whole, whole)
    best_train = train if best_train is None else min(best_train, train)
print(f"{best_whole:.3f} {best_train:.3f}")
PY
}

echo "load before: $(uptime)"
echo "--- dlang examples/digits.dl (last lines of one run)"
dlang_out=$("$dlang" run --backend interp examples/digits.dl)
echo "$dlang_out" | tail -n 3
# A fast run that does not learn would be no result: the issue asks >= 95%.
if ! echo "$dlang_out" | python3 -c '
import re, sys
found = re.findall(r"training accuracy ([0-9.]+)", sys.stdin.read())
sys.exit(0 if found and float(found[-1]) >= 0.95 else 1)'; then
    echo "bench/digits.sh: examples/digits.dl did not reach 95% training accuracy" >&2
    exit 1
fi
echo "--- the same computation? (bench/digits_check.py: same initial weights, 2 epochs)"
PYTHONDONTWRITEBYTECODE=1 "$python" bench/digits_check.py --epochs 2 --dlang "$dlang"
echo "--- PyTorch, one thread (last lines of one run)"
"$python" bench/digits_pytorch.py --threads 1 | tail -n 3

# Assignments, so that a failed run stops the script (set -e).
dlang_times=$(measure "$dlang" run --backend interp examples/digits.dl)
torch1_times=$(measure "$python" bench/digits_pytorch.py --threads 1)
torchn_times=$(measure "$python" bench/digits_pytorch.py)
read -r dlang_whole dlang_train <<<"$dlang_times"
read -r torch1_whole torch1_train <<<"$torch1_times"
read -r torchn_whole torchn_train <<<"$torchn_times"
echo "load after:  $(uptime)"

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
per_epoch() { python3 -c "print(f'{$1 / 20:.4f}')"; }
echo "--- best of 3, seconds for 20 epochs (training loop; whole process)"
echo "dlang (interp):          ${dlang_train}; ${dlang_whole}  ($(per_epoch "$dlang_train") s/epoch)"
echo "PyTorch, 1 thread:       ${torch1_train}; ${torch1_whole}  ($(per_epoch "$torch1_train") s/epoch)"
echo "PyTorch, default threads: ${torchn_train}; ${torchn_whole}  ($(per_epoch "$torchn_train") s/epoch)"
echo "dlang / PyTorch 1 thread:       $(ratio "$dlang_train" "$torch1_train")x training loop," \
    "$(ratio "$dlang_whole" "$torch1_whole")x whole process (goal: <= 2x)"
echo "dlang / PyTorch default threads: $(ratio "$dlang_train" "$torchn_train")x training loop," \
    "$(ratio "$dlang_whole" "$torchn_whole")x whole process"
