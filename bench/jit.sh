#!/usr/bin/env bash
# dlang's JIT against OCaml native code and CPython (issue 10), with the
# interpreter in the same table: whole-process wall-clock time, best of
# 3, printed as ratios. The goals: JIT / ocamlopt <= 1.5 on fib and
# float_loop, <= 2.5 on trees, trees_walk and lists; CPython / JIT >= 20
# on each.
#
# Every workload is one program per language printing the same line:
# bench/interp/<name>.{dl,py} (shared with bench/interp.sh) or
# bench/jit/<name>.{dl,py}, and bench/ocaml/<name>.ml. Each has one line
# `let size = N` (Python `size = N`); this script runs copies with the
# size of the table below, chosen so that ocamlopt takes at least 0.2 s
# (it warns when it does not).
#
# Compile time is the JIT's own, inside the process (lowering plus
# Cranelift, from `dlang run --timings`, best of 3); parsing and checking are
# not in it (the interpreter does them too).
#
# `bash bench/jit.sh [name…]`; `DLANG=path/to/dlang` measures another
# build; `BENCH_JIT_ONLY=1` leaves out the interpreter and CPython (the
# slow columns); `BENCH_CPU=1` times user + system CPU time instead of
# wall-clock time (on a machine shared with other jobs, the wall clock
# mostly measures the others). Not part of `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

declare -A sizes=(
    [fib]=38
    [trees]=32
    [trees_walk]=32
    [float_loop]=20000000
    [lists]=3
    [generator]=10000000
)
workloads=("$@")
if [ ${#workloads[@]} -eq 0 ]; then
    workloads=(fib trees trees_walk float_loop lists generator)
fi

if ! command -v ocamlopt >/dev/null; then
    apt-get install -y ocaml-nox >/dev/null || {
        apt-get update >/dev/null && apt-get install -y ocaml-nox >/dev/null
    }
fi
# OCaml's List.map and List.filter, like dlang's, recurse once per
# element; dlang's JIT runs on a stack of its own.
ulimit -s unlimited 2>/dev/null || ulimit -s "$(ulimit -Hs)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Copies $1 to $2 with its `size` line set to $3.
resized() {
    sed -E "s/^((let )?size = )[0-9]+$/\1$3/" "$1" >"$2"
    grep -qE "^(let )?size = $3$" "$2" || {
        echo "bench: $1 has no \`size\` line" >&2
        exit 1
    }
}

# The best of 3 of the JIT's in-process compile time (lowering plus
# Cranelift), in milliseconds.
compile_ms() {
    local best="" ms
    for _ in 1 2 3; do
        ms=$("$dlang" run --backend jit --timings "$1" 2>&1 >/dev/null |
            sed -nE 's/^timings: (lower|compile) ([0-9.]+) ms.*/\2/p' |
            awk '{ sum += $1 } END { printf "%.1f", sum }')
        if [ -z "$best" ] || awk "BEGIN { exit !($ms < $best) }"; then best=$ms; fi
    done
    echo "$best"
}

# Fails unless the command (from $3 on) prints $2, ocamlopt's line.
check_output() {
    local out
    out=$("${@:3}")
    if [ "$out" != "$2" ]; then
        echo "bench: $1: \`${*:3}\` printed $out, ocamlopt's program $2" >&2
        exit 1
    fi
}

# The best user + system CPU time of three runs of the command, in
# seconds.
best_cpu_of_3() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys
best = None
for _ in range(3):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    best = spent if best is None else min(best, spent)
print(f"{best:.3f}")
PY
}
timed=best_of_3
if [ -n "${BENCH_CPU:-}" ]; then timed=best_cpu_of_3; fi

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

printf '%-11s %9s %8s %8s %8s %8s %10s %10s %10s %11s\n' workload size \
    "jit (s)" "ocaml" "python" "interp" "jit/ocaml" "python/jit" "interp/jit" "compile ms"
for name in "${workloads[@]}"; do
    dir=bench/interp
    [ -f "$dir/$name.dl" ] || dir=bench/jit
    size=${sizes[$name]}
    resized "$dir/$name.dl" "$work/$name.dl" "$size"
    resized "$dir/$name.py" "$work/$name.py" "$size"
    resized "bench/ocaml/$name.ml" "$work/$name.ml" "$size"
    (cd "$work" && ocamlopt -O3 -o "$name.exe" "$name.ml" 2>/dev/null ||
        ocamlopt -o "$name.exe" "$name.ml")

    expected=$("$work/$name.exe")
    check_output "$name" "$expected" "$dlang" run --backend jit "$work/$name.dl"
    if [ -z "${BENCH_JIT_ONLY:-}" ]; then
        check_output "$name" "$expected" python3 "$work/$name.py"
    fi

    jit=$($timed "$dlang" run --backend jit "$work/$name.dl")
    ocaml=$($timed "$work/$name.exe")
    if awk "BEGIN { exit !($ocaml < 0.2) }"; then
        echo "bench: ocamlopt took only $ocaml s on $name (size $size)" >&2
    fi
    python=- interp=- python_ratio=- interp_ratio=-
    if [ -z "${BENCH_JIT_ONLY:-}" ]; then
        python=$($timed python3 "$work/$name.py")
        interp=$($timed "$dlang" run --backend interp "$work/$name.dl")
        python_ratio=$(ratio "$python" "$jit")
        interp_ratio=$(ratio "$interp" "$jit")
    fi
    printf '%-11s %9s %8s %8s %8s %8s %10s %10s %10s %11s\n' "$name" "$size" \
        "$jit" "$ocaml" "$python" "$interp" "$(ratio "$jit" "$ocaml")" \
        "$python_ratio" "$interp_ratio" "$(compile_ms "$work/$name.dl")"
done
