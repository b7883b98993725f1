//! Bounded allocation (issue 15, item 3), through the real binary: under
//! `--max-memory`, a primitive asked for a huge value refuses it before
//! allocating (R008, or R011 for a tensor), and a program that grows
//! without bound stops with R015. Never a panic, an allocator abort or
//! the OOM killer. The generated cases come from `adversarial.rs`; each
//! runs under a generous time bound, a robustness condition rather than
//! a benchmark. Every case runs on both backends ([`run_on_both`]) and
//! must print the same bytes and exit the same way on each: the limits
//! live in the shared runtime, so compiled code meets them exactly where
//! the interpreter does.

#[path = "common/fuzz.rs"]
mod fuzz;

#[path = "common/adversarial.rs"]
mod adversarial;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The limit every case runs under: small, so that growing to it is quick.
const LIMIT: &str = "128M";

/// How long one case may take, allowing for a loaded machine.
const TIME_BOUND: Duration = Duration::from_secs(60);

struct Outcome {
    status: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dlang-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn run(dir: &Path, name: &str, program: &str) -> Outcome {
    run_on("interp", dir, name, program)
}

/// Runs `program` on the interpreter and on the JIT, asserts that both
/// printed the same stdout and stderr and exited alike, and returns the
/// interpreter's outcome.
fn run_on_both(dir: &Path, name: &str, program: &str) -> Outcome {
    let interp = run_on("interp", dir, name, program);
    let jit = run_on("jit", dir, name, program);
    assert_eq!(
        (&jit.stdout, &jit.stderr, jit.status),
        (&interp.stdout, &interp.stderr, interp.status),
        "{name}: the JIT (left) and the interpreter (right) differ:\n{program}"
    );
    interp
}

fn run_on(backend: &str, dir: &Path, name: &str, program: &str) -> Outcome {
    let file = dir.join(format!("{name}.dl"));
    std::fs::write(&file, program).expect("write program");
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_dlang"))
        .args(["run", "--backend", backend, "--max-memory", LIMIT])
        .arg(&file)
        .stdin(Stdio::null())
        .output()
        .expect("run dlang");
    let elapsed = started.elapsed();
    assert!(elapsed < TIME_BOUND, "{name} took {elapsed:?}:\n{program}");
    Outcome {
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed,
    }
}

/// Success, or a run-time error with one of `codes`; never a crash.
fn assert_clean(name: &str, program: &str, outcome: &Outcome, codes: &[&str]) {
    let stderr = &outcome.stderr;
    assert!(
        !stderr.contains("panicked") && !stderr.contains("memory allocation of"),
        "{name} crashed:\n{program}\n{stderr}"
    );
    match outcome.status {
        Some(0) => {}
        Some(1) => assert!(
            codes.iter().any(|c| stderr.contains(&format!("[{c}]"))),
            "{name} failed with an unexpected error:\n{program}\n{stderr}"
        ),
        Some(2) => assert!(
            stderr.contains("Error"),
            "{name}: a static error without a diagnostic:\n{program}\n{stderr}"
        ),
        other => panic!("{name} ended with {other:?} (a signal?):\n{program}\n{stderr}"),
    }
}

#[test]
fn huge_values_are_refused_before_allocating() {
    let dir = scratch_dir("limits-huge");
    let cases = [
        ("range", "let v = List.range 0 1000000000000", "R008"),
        (
            "init",
            "let v = List.init 4611686018427387903 (fun i -> i)",
            "R008",
        ),
        (
            "string_make",
            "let v = String.make 100000000000 \"a\"",
            "R008",
        ),
        ("array_make", "let v = Array.make 100000000000 0", "R008"),
        (
            "array_init",
            "let v = Array.init 100000000000 (fun i -> i)",
            "R008",
        ),
        ("tensor", "let v = Tensor.zeros [8192; 8192]", "R008"),
        (
            "doubling_string",
            "let rec grow s = grow (s ^ s)\nlet () = grow \"ab\"",
            "R008",
        ),
    ];
    for (name, program, code) in cases {
        let outcome = run_on_both(&dir, name, program);
        assert_eq!(outcome.status, Some(1), "{name}: {}", outcome.stderr);
        assert!(
            outcome.stderr.contains(&format!("[{code}]"))
                && outcome.stderr.contains("memory limit"),
            "{name}: {}",
            outcome.stderr
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A `shift` in each call of a shift body: each step costs the same, so
/// 200,000 of them fit the time bound and [`LIMIT`], where copying every
/// earlier step's activations (quadratic) needed gigabytes at 8,000. On
/// both backends: the JIT's continuations are heap closures, linear too.
#[test]
fn shifts_in_shift_bodies_run_in_linear_time_and_memory() {
    let dir = scratch_dir("limits-shift");
    let cases = [
        ("discarded", "shift k -> l (n - 1)"),
        ("resumed", "shift k -> (k (); l (n - 1))"),
    ];
    for (name, body) in cases {
        let program = format!(
            "let rec l n = if n = 0 then () else {body}\nlet () = reset (l 200000)\nlet () = print \"done\""
        );
        for backend in ["interp", "jit"] {
            let outcome = run_on(backend, &dir, name, &program);
            assert_eq!(outcome.status, Some(0), "{name}: {}", outcome.stderr);
            assert_eq!(outcome.stdout, "done\n", "{name}");
            assert!(
                outcome.elapsed < Duration::from_secs(10),
                "{name} on {backend} took {:?}",
                outcome.elapsed
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unbounded_growth_ends_with_out_of_memory() {
    let dir = scratch_dir("limits-growth");
    let cases = [
        (
            "list_in_recursion",
            "let rec grow acc n = grow (n :: acc) (n + 1)\nlet () = print (List.length (grow [] 0))",
        ),
        (
            "list_in_while",
            "let r = ref []\nlet () = while true do r := 1 :: !r done",
        ),
        (
            "shift_loop",
            "let rec l n = if n = 0 then () else shift k -> (k (); l (n - 1))\nlet () = reset (l 1000000000)",
        ),
    ];
    for (name, program) in cases {
        let outcome = run(&dir, name, program);
        assert_eq!(outcome.status, Some(1), "{name}: {}", outcome.stderr);
        assert!(
            outcome.stderr.contains("[R015]") || outcome.stderr.contains("[R005]"),
            "{name}: {}",
            outcome.stderr
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Compiled code polls the limit too (in the runtime entries that make
/// values) and stops as the interpreter does, with the same report. The
/// `shift` loop of the test above is left out: the JIT runs it in
/// constant memory, so it only ends after its 10^9 steps.
#[test]
fn unbounded_growth_on_the_jit_ends_with_out_of_memory() {
    let dir = scratch_dir("limits-growth-jit");
    let cases = [
        (
            "list_in_recursion",
            "let rec grow acc n = grow (n :: acc) (n + 1)\nlet () = print (List.length (grow [] 0))",
        ),
        (
            "list_in_while",
            "let r = ref []\nlet () = while true do r := 1 :: !r done",
        ),
        (
            "closures_in_loop",
            "let r = ref []\nlet () = for i = 0 to 1000000000000 do r := (fun x -> x + i) :: !r done",
        ),
    ];
    for (name, program) in cases {
        let jit = run_on("jit", &dir, name, program);
        assert_eq!(jit.status, Some(1), "{name}: {}", jit.stderr);
        assert!(jit.stderr.contains("[R015]"), "{name}: {}", jit.stderr);
        let interp = run(&dir, name, program);
        assert_eq!(jit.stderr, interp.stderr, "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generated_allocations_stay_within_the_limit() {
    let dir = scratch_dir("limits-generated");
    let mut rng = fuzz::Rng::new(0x4D_454D);
    for i in 0..24 {
        let (name, program) = match i % 3 {
            0 => ("allocation", adversarial::huge_allocation(&mut rng)),
            1 => ("shape", adversarial::extreme_shape(&mut rng)),
            _ => ("shift", adversarial::nested_shift(&mut rng)),
        };
        let name = format!("{name}_{i}");
        let outcome = run_on_both(&dir, &name, &program);
        assert_clean(
            &name,
            &program,
            &outcome,
            &["R003", "R005", "R008", "R011", "R014", "R015"],
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The checker's wide shapes, called: thousands of parameters, nested
/// `fun`s, match arms and tuple components compile (a decision tree, a
/// function with stack-passed arguments) and run, or are refused with a
/// coded error, on both backends alike.
#[test]
fn wide_programs_run_alike_on_both_backends() {
    let dir = scratch_dir("limits-wide");
    let mut rng = fuzz::Rng::new(0x5_71DE);
    for i in 0..15 {
        let program = adversarial::wide_call(&mut rng);
        let name = format!("wide_{i}");
        let outcome = run_on_both(&dir, &name, &program);
        assert_clean(&name, &program, &outcome, &["R005"]);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The widest of [`adversarial::wide_scopes`] (2,000, near the checker's
/// limits) compile and run on both backends alike, each well within a
/// robustness bound: the JIT keeps wide argument lists, components and
/// scopes in memory rather than as SSA values, where their compile time
/// grew faster than linearly (5-12 s at 800 in the debug build, minutes
/// at 2,000).
#[test]
fn the_widest_scopes_compile_alike_on_both_backends() {
    const BOUND: Duration = Duration::from_secs(10);
    let dir = scratch_dir("limits-widest");
    for (name, program) in adversarial::wide_scopes(2000) {
        let interp = run_on("interp", &dir, name, &program);
        let jit = run_on("jit", &dir, name, &program);
        assert_eq!(
            (&jit.stdout, &jit.stderr, jit.status),
            (&interp.stdout, &interp.stderr, interp.status),
            "{name}: the JIT (left) and the interpreter (right) differ"
        );
        assert_eq!(interp.status, Some(0), "{name}: {}", interp.stderr);
        assert!(
            jit.elapsed < BOUND,
            "{name} took {:?} on the JIT",
            jit.elapsed
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn crafted_npy_files_are_read_or_refused() {
    let dir = scratch_dir("limits-npy");
    let mut rng = fuzz::Rng::new(0x4E_5059);
    for i in 0..16 {
        let file = dir.join(format!("crafted_{i}.npy"));
        std::fs::write(&file, adversarial::npy_file(&mut rng)).expect("write npy");
        let program = format!(
            "let t = Tensor.load_npy {:?}\nlet () = print (Tensor.shape t)\nlet () = print t",
            file.display().to_string()
        );
        let name = format!("npy_{i}");
        let outcome = run_on_both(&dir, &name, &program);
        assert_clean(&name, &program, &outcome, &["R007", "R008", "R011", "R012"]);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
