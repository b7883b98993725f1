//! The `dlang` command: parses the command line, calls the pipeline in the
//! library, and maps the outcome to an exit status (0 ok, 1 run-time
//! error, 2 static error, 64 bad command line).

#![forbid(unsafe_code)]

use dlang::diagnostics::Diagnostic;
use dlang::driver::backends::{self, BackendName};
use dlang::driver::cli::{parse_command_line, Command, USAGE};
use dlang::driver::live_output::LiveOutput;
use dlang::driver::loader::Loader;
use dlang::driver::output::{write_stderr, write_stdout};
use dlang::jit::backend::{timing_line, Emit};
use dlang::runtime::ctx::RuntimeCtx;
use dlang::runtime::memory;
use dlang::{CheckedProgram, Failure, Session};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

const EXIT_RUNTIME_ERROR: u8 = 1;
const EXIT_STATIC_ERROR: u8 = 2;
const EXIT_USAGE: u8 = 64;
/// What a shell reports for a process ended by SIGINT.
const EXIT_INTERRUPTED_TWICE: i32 = 130;

fn main() -> ExitCode {
    let mut args = Vec::new();
    for arg in std::env::args_os().skip(1) {
        match arg.into_string() {
            Ok(arg) => args.push(arg),
            Err(arg) => return usage_error(&format!("argument {arg:?} is not valid UTF-8")),
        }
    }
    let command = match parse_command_line(&args) {
        Ok(command) => command,
        Err(error) => return usage_error(&error.0),
    };
    match command {
        Command::Help => {
            write_stdout(USAGE);
            ExitCode::SUCCESS
        }
        Command::Version => {
            write_stdout(&format!("dlang {}\n", env!("CARGO_PKG_VERSION")));
            ExitCode::SUCCESS
        }
        Command::Repl => {
            memory::set_limit(memory::default_limit());
            ExitCode::from(dlang::repl::run_repl().clamp(0, 255) as u8)
        }
        Command::Check { file, types } => check(&file, types),
        Command::Run {
            file,
            backend,
            max_memory,
            emit,
            timings,
            args,
        } => {
            memory::set_limit(max_memory.unwrap_or_else(memory::default_limit));
            run(&file, backend, emit, timings, args)
        }
    }
}

fn usage_error(message: &str) -> ExitCode {
    write_stderr(&format!("dlang: {message}\n"));
    write_stderr("Try `dlang --help`.\n");
    ExitCode::from(EXIT_USAGE)
}

/// Checks FILE and its imports on no backend at all: nothing runs.
fn check(file: &Path, print_types: bool) -> ExitCode {
    let mut loader = Loader::new();
    let checked = dlang::check_program(&mut loader, file);
    let program = match report_warnings(checked, |d| loader.render(d)) {
        Ok(program) => program,
        Err(status) => return status,
    };
    if print_types {
        let stdout = std::io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        for (name, ty) in &program.bindings {
            let name = dlang::syntax::operators::declared_name(name);
            let _ = writeln!(out, "val {name} : {ty}");
        }
        let _ = out.flush();
    }
    ExitCode::SUCCESS
}

fn run(
    file: &Path,
    backend: BackendName,
    emit: Option<Emit>,
    timings: bool,
    args: Vec<String>,
) -> ExitCode {
    let interrupted = Arc::new(AtomicBool::new(false));
    install_interrupt_handler(interrupted.clone());
    // Buffered, yet live (see `LiveOutput`); flushed at exit and before
    // anything on stderr.
    let ctx = RuntimeCtx::new(Box::new(LiveOutput::stdout()), args, interrupted);
    let mut session = Session::new(backends::start_for_run(backend, emit, timings, ctx));
    let started = Instant::now();
    let checked = session.check_file(file);
    if timings {
        write_stderr(&format!(
            "{}\n",
            timing_line("parse+check", started.elapsed(), "")
        ));
    }
    let program = match report_warnings(checked, |d| session.render(d)) {
        Ok(program) => program,
        Err(status) => return status,
    };
    let started = Instant::now();
    let outcome = session.run(&program);
    let ran = started.elapsed();
    session.flush_output();
    // The JIT times its own phases, which all happen in the run.
    if timings && backend == BackendName::Interp {
        write_stderr(&format!("{}\n", timing_line("run", ran, "")));
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(diagnostic) => {
            // The JIT refusing a construct it cannot compile yet is, like
            // a backend this build lacks, a command line it cannot follow
            // (nothing of the program ran); the JIT being the default, say
            // how to run the program anyway.
            if diagnostic.code == dlang::jit::lower::E_NOT_COMPILED {
                let diagnostic =
                    diagnostic.with_note("`--backend interp` runs this program on the interpreter");
                write_stderr(&session.render(&diagnostic));
                ExitCode::from(EXIT_USAGE)
            } else {
                write_stderr(&session.render(&diagnostic));
                ExitCode::from(EXIT_RUNTIME_ERROR)
            }
        }
    }
}

/// Prints the warnings of a checked program, or the errors of one that
/// did not check (nothing has run yet, so nothing needs flushing first).
fn report_warnings(
    checked: Result<CheckedProgram, Failure>,
    render: impl Fn(&Diagnostic) -> String,
) -> Result<CheckedProgram, ExitCode> {
    match checked {
        Ok(program) => {
            for warning in &program.warnings {
                write_stderr(&render(warning));
            }
            Ok(program)
        }
        Err(Failure::Static(diagnostics)) => {
            for diagnostic in &diagnostics {
                write_stderr(&render(diagnostic));
            }
            Err(ExitCode::from(EXIT_STATIC_ERROR))
        }
        Err(Failure::Runtime(diagnostic)) => {
            write_stderr(&render(&diagnostic));
            Err(ExitCode::from(EXIT_RUNTIME_ERROR))
        }
    }
}

/// The first Ctrl-C asks the interpreter to stop (it reports R006 with
/// the call stack); a second one, if the first went unheard, ends the
/// process at once.
fn install_interrupt_handler(flag: Arc<AtomicBool>) {
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(EXIT_INTERRUPTED_TWICE);
        }
    });
}
