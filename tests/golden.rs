//! Golden tests: every `tests/golden/<kind>/NAME.dl` is one test that runs
//! the real `dlang` binary and compares what it prints with the expected
//! files beside it:
//!
//! - `NAME.stdout`: the exact standard output;
//! - `NAME.stderr`: standard error, trailing spaces stripped per line
//!   (compared only when the file exists);
//! - `NAME.exit`: the exit status, when it is not 0;
//! - `NAME.args`: optional, the command line (one argument per line, `$FILE`
//!   stands for the test file); otherwise the kind decides the command.
//!   In `cli/`, an `.args` that says `$BACKEND` runs once per backend of
//!   [`BACKENDS`], `$BACKEND` standing for its name (`interp/cli/NAME`,
//!   `jit/cli/NAME`), against the same expected files: a command-line
//!   behaviour both backends must share.
//!
//! The kind folder decides the command: `types/` runs `dlang check --types`,
//! `repl/` pipes the file into `dlang repl`, `cli/` runs `dlang run` (each
//! once: checking runs no backend, the REPL is the interpreter's, the
//! command line is the test), and every other kind runs
//! `dlang run --backend B` once for each backend B of [`BACKENDS`]
//! against the same expected files: the test `interp/ad/nesting` is
//! `ad/nesting.dl` on the interpreter, `jit/ad/nesting` on the JIT. The
//! `examples` kind runs `examples/NAME.dl` with its expected files in
//! `tests/golden/examples/`.
//!
//! A `.dl` whose first line starts with `# helper` or says `module used by
//! other tests` is a module imported by other tests, not a test. Every test file must begin with a comment that
//! says what it tests.
//!
//! `DLANG_BLESS=1 cargo test --test golden` rewrites the expected files
//! from the actual output (review the diff before committing); the
//! output of the first backend listed (the interpreter, the definitional
//! semantics) is the one written, and other backends are compared to it.
//!
//! The JIT compiles a subset of the language so far. A test named in
//! `tests/golden/jit_pending.txt` (`kind/NAME: reason`, one a line) must
//! be refused by the JIT with `E401` and exit status 64 — never a wrong
//! answer — and fails once it passes, so the list only shrinks; every
//! other test must match its expected files on the JIT too. An entry
//! `kind/NAME (stderr differs): reason` is a known divergence: stdout
//! and exit status must match, only stderr may differ.
//! `DLANG_JIT_PENDING_BLESS=1 cargo test --test golden` (with no filter)
//! rewrites the list from the tests the JIT refuses.

use dlang::driver::backends::BackendName;
use libtest_mimic::{Arguments, Failed, Trial};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// A test that runs longer than this is killed and fails.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The backends every golden program runs on. Not `BackendName::BUILT`
/// (the backends the property and robustness tests use): the JIT runs
/// golden programs before it covers `grad`, with a pending list.
const BACKENDS: &[BackendName] = &[BackendName::Interp, BackendName::Jit];

const PENDING_FILE: &str = "tests/golden/jit_pending.txt";
const PENDING_BLESS_VAR: &str = "DLANG_JIT_PENDING_BLESS";
/// The JIT's "cannot compile this yet" and its exit status.
const NOT_COMPILED: &str = "[E401]";
const NOT_COMPILED_EXIT: i32 = 64;
/// Marks a pending test the JIT runs with the right stdout and exit
/// status but a different stderr (a known divergence to fix, listed so
/// it stays visible): `kind/NAME (stderr differs): reason`.
const STDERR_DIFFERS: &str = "(stderr differs)";

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pending = Arc::new(read_pending(root));
    let refused = Arc::new(Mutex::new(Vec::new()));
    let mut trials = Vec::new();
    for case in collect_cases(root) {
        let name = case.name.clone();
        let pending = Arc::clone(&pending);
        let refused = Arc::clone(&refused);
        trials.push(Trial::test(name, move || case.run(&pending, &refused)));
    }
    let bless = std::env::var_os(PENDING_BLESS_VAR).is_some() && args.filter.is_none();
    let conclusion = libtest_mimic::run(&args, trials);
    if bless {
        let mut lines = refused.lock().map(|r| r.clone()).unwrap_or_default();
        // Known divergences are kept: only a person can judge them fixed.
        lines.extend(
            pending
                .iter()
                .filter(|(name, _)| name.ends_with(STDERR_DIFFERS))
                .map(|(name, reason)| format!("{name}: {reason}")),
        );
        lines.sort();
        let mut text = String::new();
        for line in lines {
            text.push_str(&line);
            text.push('\n');
        }
        if let Err(e) = fs::write(root.join(PENDING_FILE), text) {
            eprintln!("cannot write {PENDING_FILE}: {e}");
        }
    }
    conclusion.exit();
}

/// The pending list: test name (`kind/NAME`) to the reason given.
fn read_pending(root: &Path) -> Vec<(String, String)> {
    let text = fs::read_to_string(root.join(PENDING_FILE)).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match l.split_once(':') {
            Some((name, reason)) => (name.trim().to_string(), reason.trim().to_string()),
            None => (l.trim().to_string(), String::new()),
        })
        .collect()
}

/// In a `cli/` test's `.args`: the backend's name, the test run once per
/// backend.
const BACKEND_VAR: &str = "$BACKEND";

/// Kinds whose programs run once, on no backend or the REPL's.
const RUN_ONCE: &[&str] = &["cli", "repl", "types"];

struct Case {
    /// `BACKEND/kind/NAME`, or `kind/NAME` for the kinds run once.
    name: String,
    kind: String,
    /// The backend `dlang run` uses; `None` for the kinds run once.
    backend: Option<BackendName>,
    /// The `.dl` file.
    source: PathBuf,
    /// Where the expected files are, without extension.
    expected: PathBuf,
}

fn collect_cases(root: &Path) -> Vec<Case> {
    let golden = root.join("tests/golden");
    let mut cases = Vec::new();
    let Ok(kinds) = fs::read_dir(&golden) else {
        return cases;
    };
    let mut kinds: Vec<PathBuf> = kinds
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    kinds.sort();
    for kind_dir in kinds {
        let kind = file_name(&kind_dir);
        let source_dir = if kind == "examples" {
            root.join("examples")
        } else {
            kind_dir.clone()
        };
        for source in dl_files(&source_dir) {
            if is_helper(&source) {
                continue;
            }
            let stem = source
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let per_backend = fs::read_to_string(kind_dir.join(&stem).with_extension("args"))
                .is_ok_and(|args| args.contains(BACKEND_VAR));
            let backends: Vec<Option<BackendName>> =
                if RUN_ONCE.contains(&kind.as_str()) && !per_backend {
                    vec![None]
                } else {
                    BACKENDS.iter().copied().map(Some).collect()
                };
            for backend in backends {
                let name = match backend {
                    Some(backend) => format!("{}/{kind}/{stem}", backend.as_str()),
                    None => format!("{kind}/{stem}"),
                };
                cases.push(Case {
                    name,
                    kind: kind.clone(),
                    backend,
                    expected: kind_dir.join(&stem),
                    source: source.clone(),
                });
            }
        }
    }
    cases
}

fn dl_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "dl"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn is_helper(source: &Path) -> bool {
    fs::read_to_string(source).is_ok_and(|text| {
        let first_line = text.lines().next().unwrap_or("");
        first_line.starts_with("# helper") || first_line.contains("module used by other tests")
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What one run of the binary produced.
struct Outcome {
    stdout: String,
    stderr: String,
    exit: i32,
}

impl Case {
    fn run(
        &self,
        pending: &[(String, String)],
        refused: &Mutex<Vec<String>>,
    ) -> Result<(), Failed> {
        let text = fs::read_to_string(&self.source)
            .map_err(|e| format!("cannot read {}: {e}", self.source.display()))?;
        if !(text.starts_with('#') || text.starts_with("(*")) {
            return Err(
                "a golden test must begin with a comment saying what it tests and expects".into(),
            );
        }
        let outcome = self.execute(&text)?;
        let reference = self.backend.is_none_or(|b| Some(&b) == BACKENDS.first());
        if std::env::var_os("DLANG_BLESS").is_some() && reference {
            return self.bless(&outcome);
        }
        if self.backend == Some(BackendName::Jit) {
            return self.compare_jit(&outcome, pending, refused);
        }
        self.compare(&outcome)
    }

    /// `kind/NAME`, as the pending list names the test.
    fn short_name(&self) -> String {
        format!("{}/{}", self.kind, file_name(&self.expected))
    }

    fn compare_jit(
        &self,
        outcome: &Outcome,
        pending: &[(String, String)],
        refused: &Mutex<Vec<String>>,
    ) -> Result<(), Failed> {
        let name = self.short_name();
        let not_compiled = outcome.exit == NOT_COMPILED_EXIT
            && outcome.stdout.is_empty()
            && refusal(&outcome.stderr).is_some();
        if std::env::var_os(PENDING_BLESS_VAR).is_some() && not_compiled {
            let reason = refusal(&outcome.stderr).unwrap_or_default();
            let reason = reason.trim_start_matches(NOT_COMPILED).trim();
            let reason = reason.trim_start_matches("Error: ").to_string();
            if let Ok(mut refused) = refused.lock() {
                refused.push(format!("{name}: {reason}"));
            }
            return Ok(());
        }
        let differs = format!("{name} {STDERR_DIFFERS}");
        if pending.iter().any(|(n, _)| *n == differs) {
            let mut stdout_and_exit = self.compare_streams(outcome, false);
            if stdout_and_exit.is_ok() && self.compare(outcome).is_ok() {
                stdout_and_exit =
                    Err(format!("{name} passes on the JIT: remove it from {PENDING_FILE}").into());
            }
            return stdout_and_exit;
        }
        if !pending.iter().any(|(n, _)| *n == name) {
            return self.compare(outcome);
        }
        if self.compare(outcome).is_ok() {
            return Err(format!("{name} passes on the JIT: remove it from {PENDING_FILE}").into());
        }
        if not_compiled {
            Ok(())
        } else {
            Err(format!(
                "{name} is pending on the JIT, which must refuse it with {NOT_COMPILED} and exit status {NOT_COMPILED_EXIT}; exit {}, stdout:\n{}\nstderr:\n{}",
                outcome.exit, outcome.stdout, outcome.stderr
            )
            .into())
        }
    }

    fn command_line(&self) -> Result<Vec<String>, Failed> {
        let file = file_name(&self.source);
        let args_file = self.expected.with_extension("args");
        if let Ok(spec) = fs::read_to_string(&args_file) {
            return Ok(spec
                .lines()
                .filter(|l| !l.is_empty())
                .map(|l| l.replace("$FILE", &file))
                .map(|l| match self.backend {
                    Some(backend) => l.replace(BACKEND_VAR, backend.as_str()),
                    None => l,
                })
                .collect());
        }
        Ok(match (self.kind.as_str(), self.backend) {
            ("types", _) => vec!["check".into(), "--types".into(), file],
            ("repl", _) => vec!["repl".into()],
            (_, Some(backend)) => vec![
                "run".into(),
                "--backend".into(),
                backend.as_str().into(),
                file,
            ],
            (_, None) => vec!["run".into(), file],
        })
    }

    fn execute(&self, text: &str) -> Result<Outcome, Failed> {
        // The backends' runs of one program take turns: a program may
        // write a file and read it back, and two runs at once would race.
        let turn = program_lock(&self.source);
        let _turn = turn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let dir = self.source.parent().unwrap_or(Path::new("."));
        let history =
            std::env::temp_dir().join(format!("dlang-golden-history-{}", std::process::id()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_dlang"))
            .args(self.command_line()?)
            .current_dir(dir)
            .env("DLANG_HISTORY", &history)
            .env("NO_COLOR", "1")
            // Cranelift's verifier checks every function the JIT compiles.
            .env("DLANG_JIT_VERIFY", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start dlang: {e}"))?;
        let input = if self.kind == "repl" {
            text.as_bytes().to_vec()
        } else {
            Vec::new()
        };
        let mut stdin = child.stdin.take();
        let feeder = thread::spawn(move || {
            if let Some(stdin) = stdin.as_mut() {
                // A program that exits early closes the pipe; that is fine.
                let _ = stdin.write_all(&input);
            }
        });
        let stdout = read_in_background(child.stdout.take());
        let stderr = read_in_background(child.stderr.take());
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > TIMEOUT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("timed out after {} s", TIMEOUT.as_secs()).into());
                }
                Ok(None) => thread::sleep(Duration::from_millis(5)),
                Err(e) => return Err(format!("waiting for dlang: {e}").into()),
            }
        };
        let _ = feeder.join();
        Ok(Outcome {
            stdout: stdout.join().unwrap_or_default(),
            stderr: strip_trailing_spaces(&stderr.join().unwrap_or_default()),
            // Killed by a signal (a crash) shows as -1, never as a pass.
            exit: status.code().unwrap_or(-1),
        })
    }

    fn compare(&self, actual: &Outcome) -> Result<(), Failed> {
        self.compare_streams(actual, true)
    }

    /// Compares stdout and the exit status, and stderr when `stderr` is set.
    fn compare_streams(&self, actual: &Outcome, stderr: bool) -> Result<(), Failed> {
        let expected_stdout =
            fs::read_to_string(self.expected.with_extension("stdout")).map_err(|_| {
                format!(
                    "no {} yet (bless with DLANG_BLESS=1); actual stdout:\n{}\nactual stderr:\n{}",
                    self.expected.with_extension("stdout").display(),
                    actual.stdout,
                    actual.stderr
                )
            })?;
        let expected_exit = match fs::read_to_string(self.expected.with_extension("exit")) {
            Ok(s) => s
                .trim()
                .parse::<i32>()
                .map_err(|_| "the .exit file must hold one integer")?,
            Err(_) => 0,
        };
        let mut problems = Vec::new();
        if actual.stdout != expected_stdout {
            problems.push(describe_difference(
                "stdout",
                &expected_stdout,
                &actual.stdout,
            ));
        }
        let expected_stderr = fs::read_to_string(self.expected.with_extension("stderr"))
            .ok()
            .filter(|_| stderr);
        if let Some(expected_stderr) = expected_stderr {
            let expected_stderr = strip_trailing_spaces(&expected_stderr);
            if actual.stderr != expected_stderr {
                problems.push(describe_difference(
                    "stderr",
                    &expected_stderr,
                    &actual.stderr,
                ));
            }
        }
        if actual.exit != expected_exit {
            problems.push(format!(
                "exit status: expected {expected_exit}, got {}\nstderr:\n{}",
                actual.exit, actual.stderr
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n").into())
        }
    }

    fn bless(&self, actual: &Outcome) -> Result<(), Failed> {
        let write = |ext: &str, text: Option<String>| -> Result<(), Failed> {
            let path = self.expected.with_extension(ext);
            match text {
                Some(text) => fs::write(&path, text)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()).into()),
                None => {
                    let _ = fs::remove_file(&path);
                    Ok(())
                }
            }
        };
        if let Some(dir) = self.expected.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        write("stdout", Some(actual.stdout.clone()))?;
        write(
            "stderr",
            (!actual.stderr.is_empty()).then(|| actual.stderr.clone()),
        )?;
        write(
            "exit",
            (actual.exit != 0).then(|| format!("{}\n", actual.exit)),
        )
    }
}

/// The JIT's `E401` line (after any warnings the checker printed).
fn refusal(stderr: &str) -> Option<&str> {
    stderr.lines().find(|l| l.starts_with(NOT_COMPILED))
}

fn read_in_background(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn strip_trailing_spaces(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Names the first differing line, then shows both texts whole (they are
/// short in golden tests), so a failure reads without a diff tool.
fn describe_difference(stream: &str, expected: &str, actual: &str) -> String {
    let first = expected
        .lines()
        .zip(actual.lines())
        .position(|(e, a)| e != a)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    format!(
        "{stream} differs from line {}:\n--- expected\n{}--- actual\n{}---",
        first + 1,
        truncate(expected),
        truncate(actual)
    )
}

fn truncate(text: &str) -> String {
    const LIMIT: usize = 4000;
    if text.len() <= LIMIT {
        return text.to_string();
    }
    let mut cut = LIMIT;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}\n… ({} more bytes)\n", &text[..cut], text.len() - cut)
}

/// One lock per golden program, shared by its runs on each backend.
fn program_lock(source: &Path) -> Arc<Mutex<()>> {
    static LOCKS: Mutex<Vec<(PathBuf, Arc<Mutex<()>>)>> = Mutex::new(Vec::new());
    let mut locks = LOCKS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, lock)) = locks.iter().find(|(path, _)| path == source) {
        return Arc::clone(lock);
    }
    let lock = Arc::new(Mutex::new(()));
    locks.push((source.to_path_buf(), Arc::clone(&lock)));
    lock
}
