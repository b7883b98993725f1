#!/usr/bin/env bash
# Output buffering (issue 14): how long the first line of
# bench/output_latency.dl takes to reach a pipe while the program goes on
# working (best of 3), and the time of bench/output_lines.dl (10^6 lines)
# into a pipe, wall-clock and CPU (best of 5; the CPU time is the steadier
# figure on a loaded machine). With a second binary, `DLANG_BEFORE=path bash bench/output.sh`,
# the same figures for it beside (e.g. a build from before the change).
# Not part of `cargo test`: run it by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

measure() {
    python3 - "$1" <<'PY'
import os, subprocess, sys, time
dlang = sys.argv[1]

def first_line_latency():
    start = time.perf_counter()
    child = subprocess.Popen([dlang, "run", "--backend", "interp", "bench/output_latency.dl"], stdout=subprocess.PIPE)
    first = child.stdout.readline()
    arrived = time.perf_counter() - start
    child.stdout.read()
    child.wait()
    ended = time.perf_counter() - start
    assert first == b"first line\n", first
    return arrived, ended

def many_lines():
    start = time.perf_counter()
    child = subprocess.Popen([dlang, "run", "--backend", "interp", "bench/output_lines.dl"], stdout=subprocess.PIPE)
    lines = 0
    for chunk in iter(lambda: child.stdout.read(1 << 16), b""):
        lines += chunk.count(b"\n")
    _, _, usage = os.wait4(child.pid, 0)
    assert lines == 1000000, lines
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime

latencies = [first_line_latency() for _ in range(3)]
arrived, ended = min(latencies)
runs = [many_lines() for _ in range(5)]
wall = min(r[0] for r in runs)
cpu = min(r[1] for r in runs)
print(f"  first line through a pipe: {arrived:.3f} s (program ended at {ended:.3f} s)")
print(f"  10^6 lines into a pipe:    {wall:.3f} s wall, {cpu:.3f} s CPU (user + system)")
PY
}

echo "$dlang:"
measure "$dlang"
if [ -n "${DLANG_BEFORE:-}" ]; then
    echo "$DLANG_BEFORE:"
    measure "$DLANG_BEFORE"
fi
