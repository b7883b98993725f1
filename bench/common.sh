# Shared by the bench scripts (sourced, not run): builds the release
# binary once (or takes the one $DLANG names, to measure another build),
# sets up the peers' venv and times whole commands.
if [ -z "${DLANG:-}" ]; then
    cargo build --release --quiet
fi
dlang=${DLANG:-target/release/dlang}

# Creates the venv $2 (default bench/.venv; git-ignored) if needed and
# installs the pinned requirements file $1 into it; sets $python to the
# venv's interpreter.
bench_venv() {
    local venv=${2:-bench/.venv}
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet -r "$1"
    python="$venv/bin/python"
}

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

# Prints the best wall-clock time (seconds) and the largest maximum
# resident set size (MiB, getrusage of each child) of three runs of the
# command, as "TIME RSS".
best_of_3_rss() {
    python3 - "$@" <<'PY'
import os, subprocess, sys, time
best = None
rss = 0
for _ in range(3):
    start = time.perf_counter()
    child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{sys.argv[1:]} failed: status {status}")
    best = elapsed if best is None else min(best, elapsed)
    rss = max(rss, usage.ru_maxrss)  # KiB on Linux
print(f"{best:.3f} {rss / 1024:.1f}")
PY
}
