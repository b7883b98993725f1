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
//!
//! The kind folder decides the command: `types/` runs `dlang check --types`,
//! `repl/` pipes the file into `dlang repl`, `cli/` runs `dlang run` (each
//! once: checking runs no backend, the REPL is the interpreter's, the
//! command line is the test), and every other kind runs
//! `dlang run --backend B` once for each backend B of
//! `BackendName::BUILT`, against the same expected files: the test
//! `interp/ad/nesting` is `ad/nesting.dl` on the interpreter. The
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

use dlang::driver::backends::BackendName;
use libtest_mimic::{Arguments, Failed, Trial};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// A test that runs longer than this is killed and fails.
const TIMEOUT: Duration = Duration::from_secs(120);

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut trials = Vec::new();
    for case in collect_cases(root) {
        let name = case.name.clone();
        trials.push(Trial::test(name, move || case.run()));
    }
    libtest_mimic::run(&args, trials).exit();
}

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
            let backends: Vec<Option<BackendName>> = if RUN_ONCE.contains(&kind.as_str()) {
                vec![None]
            } else {
                BackendName::BUILT.iter().copied().map(Some).collect()
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
    fn run(&self) -> Result<(), Failed> {
        let text = fs::read_to_string(&self.source)
            .map_err(|e| format!("cannot read {}: {e}", self.source.display()))?;
        if !(text.starts_with('#') || text.starts_with("(*")) {
            return Err(
                "a golden test must begin with a comment saying what it tests and expects".into(),
            );
        }
        let outcome = self.execute(&text)?;
        let reference = self
            .backend
            .is_none_or(|b| Some(&b) == BackendName::BUILT.first());
        if std::env::var_os("DLANG_BLESS").is_some() && reference {
            return self.bless(&outcome);
        }
        self.compare(&outcome)
    }

    fn command_line(&self) -> Result<Vec<String>, Failed> {
        let file = file_name(&self.source);
        let args_file = self.expected.with_extension("args");
        if let Ok(spec) = fs::read_to_string(&args_file) {
            return Ok(spec
                .lines()
                .filter(|l| !l.is_empty())
                .map(|l| l.replace("$FILE", &file))
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
        let dir = self.source.parent().unwrap_or(Path::new("."));
        let history =
            std::env::temp_dir().join(format!("dlang-golden-history-{}", std::process::id()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_dlang"))
            .args(self.command_line()?)
            .current_dir(dir)
            .env("DLANG_HISTORY", &history)
            .env("NO_COLOR", "1")
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
        if let Ok(expected_stderr) = fs::read_to_string(self.expected.with_extension("stderr")) {
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
