# Shared by the bench scripts (sourced, not run): builds the release
# binary once (or takes the one $DLANG names, to measure another build),
# sets up the peers' venv and times whole commands.
if [ -z "${DLANG:-}" ]; then
    cargo build --release --quiet
fi
dlang=${DLANG:-target/release/dlang}

# Creates bench/.venv (git-ignored) if needed and installs the pinned
# requirements file $1 into it; sets $python to the venv's interpreter.
bench_venv() {
    local venv=bench/.venv
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
