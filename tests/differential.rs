//! Differential test of the two backends: random well-typed programs
//! (`common/well_typed.rs`, over the whole language) run in-process on
//! the interpreter and on the JIT, and their standard output, standard
//! error (what the program wrote there and the rendered run-time
//! diagnostic) and exit status must be the same bytes. A JIT that refuses
//! a generated program (E401) fails the test too: the generator stays
//! inside what the JIT compiles, by narrow named exclusions only.
//!
//! Each program is `CASES` independent generated functions, so one
//! compilation tests many expressions. A failure prints the program's
//! seed, the program and both outcomes. Environment:
//!
//! - `DLANG_DIFFERENTIAL_PROGRAMS=N`: run `N` programs (default
//!   [`DEFAULT_PROGRAMS`]);
//! - `DLANG_DIFFERENTIAL_SEED=S`: the first program's seed (default
//!   [`DEFAULT_SEED`]); program `i` has seed `S + i`, so
//!   `DLANG_DIFFERENTIAL_SEED=S DLANG_DIFFERENTIAL_PROGRAMS=1` replays the
//!   program of seed `S` alone.
//!
//! Each program is written to `target/tmp/differential/seed_S.dl` and
//! removed once both backends agreed on it: if the test process dies (an
//! abort in generated code cannot be caught), the file left there is the
//! program it was running.

#[path = "common/fuzz.rs"]
mod fuzz;

#[path = "common/watchdog.rs"]
mod watchdog;

#[path = "common/well_typed.rs"]
mod well_typed;

use dlang::driver::backends::{self, BackendName};
use dlang::jit::lower::E_NOT_COMPILED;
use dlang::runtime::ctx::{RuntimeCtx, SharedBuffer};
use dlang::{Failure, Session};
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use watchdog::Watchdog;

const DEFAULT_PROGRAMS: u64 = 150;
const DEFAULT_SEED: u64 = 0xD1FF_0000;
/// Generated functions per program.
const CASES: usize = 10;
/// Programs run this many at a time.
const THREADS: u64 = 2;
/// Generated programs terminate within milliseconds; one still running
/// after this is stopped (R006), which a hang on one backend only shows.
const TIME_LIMIT: Duration = Duration::from_secs(20);

/// What a run shows a user: `dlang run`'s streams and exit status.
#[derive(PartialEq, Debug)]
struct Outcome {
    stdout: String,
    stderr: String,
    status: i32,
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => {
            let text = text.trim();
            let parsed = match text.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => text.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("{name}={text} is not a number"))
        }
        Err(_) => default,
    }
}

/// Checks and runs the program at `path` on `backend` as `dlang run`
/// does, collecting what it prints; the rendered diagnostics when it does
/// not check.
fn run_on(backend: BackendName, path: &Path, watchdog: &Watchdog) -> Result<Outcome, String> {
    let (stdout, stderr) = (SharedBuffer::default(), SharedBuffer::default());
    let (mut ctx, _) = RuntimeCtx::capturing();
    ctx.out = Box::new(stdout.clone());
    ctx.err = Box::new(stderr.clone());
    ctx.interrupted = watchdog.interrupted.clone();
    let mut session = Session::new(backends::start(backend, ctx));
    let program = match session.check_file(path) {
        Ok(program) => program,
        Err(Failure::Static(found)) => {
            return Err(found.iter().map(|d| session.render(d)).collect())
        }
        Err(Failure::Runtime(found)) => return Err(session.render(&found)),
    };
    let outcome = session.run(&program);
    session.flush_output();
    let status = match outcome {
        Ok(()) => 0,
        Err(diagnostic) => {
            let mut err = stderr.clone();
            let _ = err.write_all(session.render(&diagnostic).as_bytes());
            if diagnostic.code == E_NOT_COMPILED {
                64
            } else {
                1
            }
        }
    };
    Ok(Outcome {
        stdout: stdout.contents(),
        stderr: stderr.contents(),
        status,
    })
}

/// The streams and statuses that differ, each as the two backends wrote it.
fn difference(interp: &Outcome, jit: &Outcome) -> String {
    let mut text = String::new();
    let streams = [
        ("stdout", &interp.stdout, &jit.stdout),
        ("stderr", &interp.stderr, &jit.stderr),
    ];
    for (name, a, b) in streams {
        if a != b {
            text.push_str(&format!(
                "--- {name} on interp\n{a}\n--- {name} on jit\n{b}\n"
            ));
        }
    }
    if interp.status != jit.status {
        text.push_str(&format!(
            "--- exit status: {} on interp, {} on jit\n",
            interp.status, jit.status
        ));
    }
    text
}

fn scratch_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("differential");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Generates the program of `seed` and runs it on both backends: whether
/// it ran to its end, or what went wrong.
fn differential(seed: u64, dir: &Path, watchdog: &Watchdog) -> Result<bool, String> {
    let text = well_typed::program(&mut fuzz::Rng::new(seed), CASES);
    let path = dir.join(format!("seed_{seed:x}.dl"));
    std::fs::write(&path, &text).expect("write program");
    let mut outcomes = Vec::new();
    for backend in [BackendName::Interp, BackendName::Jit] {
        watchdog.start_input(seed);
        let ran = catch_unwind(AssertUnwindSafe(|| run_on(backend, &path, watchdog)));
        watchdog.finish_input();
        match ran {
            Ok(Ok(outcome)) => outcomes.push(outcome),
            Ok(Err(diagnostics)) => {
                return Err(format!(
                    "seed {seed:#x}: the generator made a program that does not check:\n{diagnostics}\n{text}"
                ))
            }
            Err(_) => return Err(format!("seed {seed:#x}: {backend:?} panicked on\n{text}")),
        }
    }
    let (interp, jit) = (&outcomes[0], &outcomes[1]);
    if interp != jit {
        return Err(format!(
            "seed {seed:#x}: the backends differ (replay: DLANG_DIFFERENTIAL_SEED={seed:#x} \
             DLANG_DIFFERENTIAL_PROGRAMS=1)\n--- program\n{text}\n{}",
            difference(interp, jit)
        ));
    }
    let _ = std::fs::remove_file(&path);
    Ok(interp.status == 0)
}

#[test]
fn interpreter_and_jit_agree_on_random_programs() {
    let programs = env_number("DLANG_DIFFERENTIAL_PROGRAMS", DEFAULT_PROGRAMS);
    let first_seed = env_number("DLANG_DIFFERENTIAL_SEED", DEFAULT_SEED);
    let dir = scratch_dir();
    let started = Instant::now();
    // The JIT compiles one program on one thread: a thread per core.
    let outcomes: Vec<Result<u64, String>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|worker| {
                let dir = &dir;
                scope.spawn(move || {
                    let watchdog = Watchdog::new(TIME_LIMIT);
                    let mut completed = 0;
                    for i in (worker..programs).step_by(THREADS as usize) {
                        let seed = first_seed.wrapping_add(i);
                        completed += differential(seed, dir, &watchdog)? as u64;
                    }
                    Ok(completed)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|_| Err("a worker panicked".into())))
            .collect()
    });
    let mut completed = 0;
    for outcome in outcomes {
        completed += outcome.unwrap_or_else(|failure| panic!("{failure}"));
    }
    let elapsed = started.elapsed();
    eprintln!(
        "differential: {programs} programs of {CASES} cases ({completed} ran to the end) in {:.1} s: {:.2} programs/s",
        elapsed.as_secs_f64(),
        programs as f64 / elapsed.as_secs_f64()
    );
    // Most programs must run to their end, or the cases after a failing
    // one would go untested.
    assert!(
        completed * 2 >= programs,
        "only {completed} of {programs} programs ran to the end"
    );
}
