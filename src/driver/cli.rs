//! The command line, parsed by hand into a [`Command`].
//!
//! Anything the user got wrong is a [`UsageError`]; `main` prints it and
//! exits with status 64 (`EX_USAGE`).

use super::backends::BackendName;
use crate::jit::backend::Emit;
use std::fmt;
use std::path::PathBuf;

pub const USAGE: &str = "\
dlang: a small statically typed ML-family language in which every program is differentiable

Usage:
  dlang run FILE [--backend interp|jit] [--max-memory SIZE] [-- ARGS...]
                               check FILE and run it; ARGS are `Sys.args ()`;
                               the backend is the JIT unless
                               `--backend interp`; past SIZE bytes (suffix K, M,
                               G or T, or `none`; default half the
                               machine's memory) the run stops with R015
  dlang run FILE --emit ir|clif
                               compile FILE with the JIT and print its IR or
                               Cranelift IR instead of running it
  dlang run FILE --timings     also print to stderr how long each phase took
                               (parse+check, then lower and compile on the
                               JIT, run), in milliseconds
  dlang FILE.dl [-- ARGS...]   the same as `dlang run FILE.dl` (also for a
                               path such as `./train`, as a `#!` line runs it)
  dlang check FILE [--types]   check FILE without running it; --types prints
                               `val name : type` for each top-level binding
  dlang repl                   start the interactive loop (also plain `dlang`)
  dlang --help                 print this help
  dlang --version              print the version

Exit status: 0 success, 1 run-time error, 2 static error (lexing, parsing,
types, imports, unreadable FILE), 64 bad command line.
";

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Run {
        file: PathBuf,
        /// [`BackendName::DEFAULT`] when no `--backend` was given.
        backend: BackendName,
        /// `--max-memory` in bytes (`usize::MAX` for `none`); `None`
        /// when not given, for the default limit.
        max_memory: Option<usize>,
        /// `--emit`: compile with the JIT and print, do not run.
        emit: Option<Emit>,
        /// `--timings`: print each phase's time to stderr.
        timings: bool,
        args: Vec<String>,
    },
    Check {
        file: PathBuf,
        types: bool,
    },
    Repl,
    Help,
    Version,
}

#[derive(Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses the arguments after the program name.
pub fn parse_command_line(args: &[String]) -> Result<Command, UsageError> {
    let Some((first, rest)) = args.split_first() else {
        return Ok(Command::Repl);
    };
    match first.as_str() {
        "run" => parse_run(rest),
        "check" => parse_check(rest),
        "repl" => match rest.first() {
            None => Ok(Command::Repl),
            Some(extra) => Err(unexpected(extra, "repl")),
        },
        "help" | "--help" | "-h" => Ok(Command::Help),
        "--version" | "-V" | "version" => Ok(Command::Version),
        other if other.starts_with('-') => Err(UsageError(format!("unknown option `{other}`"))),
        file if names_a_file(file) => parse_run(args),
        other => Err(UsageError(format!(
            "unknown command `{other}` (to run a file, `dlang run {}`)",
            shell_word(other)
        ))),
    }
}

/// Whether a first argument that is no command is a program to run
/// (`dlang foo.dl` is `dlang run foo.dl`): a `.dl` file, or a path, as a
/// `#!/usr/bin/env dlang` script is started (`./train`). A bare word is
/// taken for a mistyped command instead.
fn names_a_file(arg: &str) -> bool {
    arg.ends_with(".dl") || arg.contains(std::path::MAIN_SEPARATOR) || arg.contains('/')
}

fn parse_run(args: &[String]) -> Result<Command, UsageError> {
    let mut file = None;
    let mut backend = BackendName::DEFAULT;
    let mut max_memory = None;
    let mut emit = None;
    let mut timings = false;
    let mut backend_given = false;
    let mut program_args = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        if arg == "--" {
            program_args = args[i + 1..].to_vec();
            break;
        }
        if let Some(value) = arg.strip_prefix("--backend=") {
            backend = parse_backend(value)?;
            backend_given = true;
        } else if arg == "--backend" {
            let value = args
                .get(i + 1)
                .ok_or_else(|| UsageError("`--backend` needs a value: `jit` or `interp`".into()))?;
            backend = parse_backend(value)?;
            backend_given = true;
            i += 1;
        } else if let Some(value) = arg.strip_prefix("--emit=") {
            emit = Some(parse_emit(value)?);
        } else if arg == "--emit" {
            let value = args
                .get(i + 1)
                .ok_or_else(|| UsageError("`--emit` needs a value: `ir` or `clif`".into()))?;
            emit = Some(parse_emit(value)?);
            i += 1;
        } else if arg == "--timings" {
            timings = true;
        } else if let Some(value) = arg.strip_prefix("--max-memory=") {
            max_memory = Some(parse_memory(value)?);
        } else if arg == "--max-memory" {
            let value = args.get(i + 1).ok_or_else(|| {
                UsageError("`--max-memory` needs a size: bytes, or with K, M, G or T".into())
            })?;
            max_memory = Some(parse_memory(value)?);
            i += 1;
        } else if arg.starts_with('-') && arg != "-" {
            return Err(for_the_program(
                format!("unknown option `{arg}` for `dlang run`"),
                file.is_some(),
                args,
                i,
            ));
        } else if file.is_none() {
            file = Some(PathBuf::from(arg));
        } else {
            return Err(for_the_program(
                format!("unexpected argument `{arg}` for `dlang run`"),
                true,
                args,
                i,
            ));
        }
        i += 1;
    }
    let file = file.ok_or_else(|| UsageError("`dlang run` needs a FILE to run".into()))?;
    if emit.is_some() {
        // What is emitted is the JIT's code: no other backend has any.
        if backend_given && backend != BackendName::Jit {
            return Err(UsageError(
                "`--emit` shows the JIT's code: it takes no `--backend` but `jit`".into(),
            ));
        }
        backend = BackendName::Jit;
    }
    Ok(Command::Run {
        file,
        backend,
        max_memory,
        emit,
        timings,
        args: program_args,
    })
}

fn parse_check(args: &[String]) -> Result<Command, UsageError> {
    let mut file = None;
    let mut types = false;
    for arg in args {
        match arg.as_str() {
            "--types" => types = true,
            flag if flag.starts_with('-') && flag != "-" => {
                return Err(UsageError(format!(
                    "unknown option `{flag}` for `dlang check`"
                )))
            }
            path if file.is_none() => file = Some(PathBuf::from(path)),
            extra => return Err(unexpected(extra, "check")),
        }
    }
    let file = file.ok_or_else(|| UsageError("`dlang check` needs a FILE to check".into()))?;
    Ok(Command::Check { file, types })
}

fn parse_backend(value: &str) -> Result<BackendName, UsageError> {
    BackendName::parse(value).ok_or_else(|| {
        UsageError(format!(
            "unknown backend `{value}`: expected `jit` or `interp`"
        ))
    })
}

fn parse_emit(value: &str) -> Result<Emit, UsageError> {
    match value {
        "ir" => Ok(Emit::Ir),
        "clif" => Ok(Emit::Clif),
        _ => Err(UsageError(format!(
            "unknown `--emit` kind `{value}`: expected `ir` or `clif`"
        ))),
    }
}

fn parse_memory(value: &str) -> Result<usize, UsageError> {
    crate::runtime::memory::parse_size(value).ok_or_else(|| {
        UsageError(format!(
            "`--max-memory {value}` is not a size: give bytes, or a number with K, M, G or T (`512M`), or `none`"
        ))
    })
}

/// `message` about `args[at]`, which the user may have meant for the
/// program: says that the program's arguments go after `--`, with the
/// command line that passes them there when the FILE came before them.
fn for_the_program(message: String, file_before: bool, args: &[String], at: usize) -> UsageError {
    let hint = if file_before {
        let words: Vec<String> = args[..at]
            .iter()
            .map(|arg| shell_word(arg))
            .chain(std::iter::once("--".to_string()))
            .chain(args[at..].iter().map(|arg| shell_word(arg)))
            .collect();
        format!("dlang run {}", words.join(" "))
    } else {
        "dlang run FILE -- ARGS".to_string()
    };
    let hint = format!("note: the program's own arguments go after `--`: {hint}");
    UsageError(format!("{message}\n{hint}"))
}

/// `word` as a shell reads it back: quoted when it holds anything but
/// the characters of ordinary file names and options.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

fn unexpected(arg: &str, command: &str) -> UsageError {
    UsageError(format!("unexpected argument `{arg}` for `dlang {command}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, UsageError> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse_command_line(&args)
    }

    #[test]
    fn bare_dlang_is_the_repl() {
        assert_eq!(parse(&[]), Ok(Command::Repl));
        assert_eq!(parse(&["repl"]), Ok(Command::Repl));
    }

    #[test]
    fn run_takes_backend_anywhere_and_args_after_double_dash() {
        assert_eq!(
            parse(&["run", "--backend", "interp", "a.dl", "--", "x", "--y"]),
            Ok(Command::Run {
                file: "a.dl".into(),
                backend: BackendName::Interp,
                max_memory: None,
                emit: None,
                timings: false,
                args: vec!["x".into(), "--y".into()],
            })
        );
        assert_eq!(
            parse(&["run", "a.dl", "--backend=jit"]),
            Ok(Command::Run {
                file: "a.dl".into(),
                backend: BackendName::Jit,
                max_memory: None,
                emit: None,
                timings: false,
                args: vec![],
            })
        );
    }

    #[test]
    fn emit_implies_the_jit() {
        let emit = |args: &[&str]| match parse(args) {
            Ok(Command::Run { emit, backend, .. }) => Ok((emit, backend)),
            Ok(other) => panic!("not a run: {other:?}"),
            Err(e) => Err(e),
        };
        assert_eq!(
            emit(&["run", "a.dl", "--emit", "ir"]),
            Ok((Some(Emit::Ir), BackendName::Jit))
        );
        assert_eq!(
            emit(&["run", "--emit=clif", "--backend=jit", "a.dl"]),
            Ok((Some(Emit::Clif), BackendName::Jit))
        );
        assert!(emit(&["run", "a.dl", "--emit", "asm"]).is_err());
        assert!(emit(&["run", "a.dl", "--emit"]).is_err());
        assert!(emit(&["run", "a.dl", "--emit", "ir", "--backend", "interp"]).is_err());
    }

    #[test]
    fn run_takes_timings_before_double_dash_only() {
        let timings = |args: &[&str]| match parse(args) {
            Ok(Command::Run { timings, .. }) => Some(timings),
            _ => None,
        };
        assert_eq!(timings(&["run", "a.dl", "--timings"]), Some(true));
        assert_eq!(
            timings(&["run", "--timings", "--backend", "jit", "a.dl"]),
            Some(true)
        );
        assert_eq!(timings(&["run", "a.dl", "--", "--timings"]), Some(false));
    }

    #[test]
    fn run_takes_a_memory_limit() {
        let limit = |args: &[&str]| match parse(args) {
            Ok(Command::Run { max_memory, .. }) => Ok(max_memory),
            Ok(other) => panic!("not a run: {other:?}"),
            Err(e) => Err(e),
        };
        assert_eq!(
            limit(&["run", "a.dl", "--max-memory", "1G"]),
            Ok(Some(1 << 30))
        );
        assert_eq!(
            limit(&["run", "--max-memory=none", "a.dl"]),
            Ok(Some(usize::MAX))
        );
        assert_eq!(limit(&["run", "a.dl"]), Ok(None));
        assert!(limit(&["run", "a.dl", "--max-memory", "lots"]).is_err());
        assert!(limit(&["run", "a.dl", "--max-memory"]).is_err());
    }

    #[test]
    fn run_without_backend_uses_the_default() {
        assert_eq!(
            parse(&["run", "a.dl"]),
            Ok(Command::Run {
                file: "a.dl".into(),
                backend: BackendName::DEFAULT,
                max_memory: None,
                emit: None,
                timings: false,
                args: vec![],
            })
        );
    }

    #[test]
    fn check_with_types() {
        assert_eq!(
            parse(&["check", "--types", "a.dl"]),
            Ok(Command::Check {
                file: "a.dl".into(),
                types: true
            })
        );
    }

    #[test]
    fn a_file_alone_is_run() {
        let run = |file: &str, args: Vec<String>| Command::Run {
            file: file.into(),
            backend: BackendName::DEFAULT,
            max_memory: None,
            emit: None,
            timings: false,
            args,
        };
        assert_eq!(parse(&["foo.dl"]), Ok(run("foo.dl", vec![])));
        assert_eq!(
            parse(&["./train", "--", "--epochs", "2"]),
            Ok(run("./train", vec!["--epochs".into(), "2".into()]))
        );
        assert_eq!(
            parse(&["frobnicate"]),
            Err(UsageError(
                "unknown command `frobnicate` (to run a file, `dlang run frobnicate`)".into()
            ))
        );
    }

    #[test]
    fn an_option_for_the_program_is_shown_after_double_dash() {
        let message = |args: &[&str]| parse(args).unwrap_err().0;
        assert_eq!(
            message(&["run", "f.dl", "--epochs", "2"]),
            "unknown option `--epochs` for `dlang run`\n\
             note: the program's own arguments go after `--`: dlang run f.dl -- --epochs 2"
        );
        assert_eq!(
            message(&["f.dl", "--backend", "interp", "data dir"]),
            "unexpected argument `data dir` for `dlang run`\n\
             note: the program's own arguments go after `--`: dlang run f.dl --backend interp -- 'data dir'"
        );
        assert_eq!(
            message(&["run", "--epochs", "f.dl"]),
            "unknown option `--epochs` for `dlang run`\n\
             note: the program's own arguments go after `--`: dlang run FILE -- ARGS"
        );
    }

    #[test]
    fn mistakes_are_usage_errors() {
        for bad in [
            &["frobnicate"][..],
            &["--frob"],
            &["run"],
            &["run", "a.dl", "b.dl"],
            &["run", "a.dl", "--backend"],
            &["run", "a.dl", "--backend", "gpu"],
            &["run", "a.dl", "--fast"],
            &["check"],
            &["check", "a.dl", "--typez"],
            &["repl", "x"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
