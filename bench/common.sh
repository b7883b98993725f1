# Shared by the bench scripts (sourced, not run): builds the release
# binary once and times whole commands.
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
