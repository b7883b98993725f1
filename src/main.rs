//! The `dlang` command: parses the command line, calls the pipeline in the
//! library, and maps the outcome to an exit status (0 ok, 1 run-time
//! error, 2 static error, 64 bad command line).

use dlang::driver::cli::{parse_command_line, Backend, Command, USAGE};
use dlang::driver::output::{write_stderr, write_stdout};
use dlang::runtime::ctx::RuntimeCtx;
use dlang::{Failure, Session};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const EXIT_RUNTIME_ERROR: u8 = 1;
const EXIT_STATIC_ERROR: u8 = 2;
const EXIT_USAGE: u8 = 64;
/// What a shell reports for a process ended by SIGINT.
const EXIT_INTERRUPTED_TWICE: i32 = 130;

/// Part of the contract until the JIT exists: printed once, on stderr,
/// whenever the JIT was asked for (explicitly or by default).
const JIT_NOTICE: &str = "dlang: the JIT backend is not built yet; running on the interpreter";

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
        Command::Repl => ExitCode::from(dlang::repl::run_repl().clamp(0, 255) as u8),
        Command::Check { file, types } => check(&file, types),
        Command::Run {
            file,
            backend,
            args,
        } => {
            if backend != Some(Backend::Interp) {
                write_stderr(&format!("{JIT_NOTICE}\n"));
            }
            run(&file, args)
        }
    }
}

fn usage_error(message: &str) -> ExitCode {
    write_stderr(&format!("dlang: {message}\n"));
    write_stderr("Try `dlang --help`.\n");
    ExitCode::from(EXIT_USAGE)
}

fn check(file: &Path, print_types: bool) -> ExitCode {
    let ctx = RuntimeCtx::new(
        Box::new(std::io::sink()),
        Vec::new(),
        Arc::new(AtomicBool::new(false)),
    );
    let (_, program) = match load_and_check(ctx, file) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    if print_types {
        let stdout = std::io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        for (name, ty) in &program.bindings {
            let _ = writeln!(out, "val {name} : {ty}");
        }
        let _ = out.flush();
    }
    ExitCode::SUCCESS
}

fn run(file: &Path, args: Vec<String>) -> ExitCode {
    let interrupted = Arc::new(AtomicBool::new(false));
    install_interrupt_handler(interrupted.clone());
    // Buffered: a program that prints a million lines must not make a
    // million write calls. Flushed at exit and before anything on stderr.
    let out = BufWriter::with_capacity(1 << 16, std::io::stdout());
    let ctx = RuntimeCtx::new(Box::new(out), args, interrupted);
    let (mut session, program) = match load_and_check(ctx, file) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let outcome = session.run(&program);
    session.flush_output();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(diagnostic) => report_failure(&mut session, &Failure::Runtime(diagnostic)),
    }
}

/// Loads the stdlib, then checks FILE and its imports, printing warnings;
/// on failure the diagnostics are already printed and the exit status is
/// returned.
fn load_and_check(
    ctx: RuntimeCtx,
    file: &Path,
) -> Result<(Session, dlang::CheckedProgram), ExitCode> {
    let mut session = Session::new(ctx).map_err(|message| internal_error(&message))?;
    let program = match session.check_file(file) {
        Ok(program) => program,
        Err(failure) => return Err(report_failure(&mut session, &failure)),
    };
    for warning in &program.warnings {
        write_stderr(&session.render(warning));
    }
    Ok((session, program))
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

fn internal_error(message: &str) -> ExitCode {
    write_stderr(message);
    ExitCode::from(EXIT_STATIC_ERROR)
}

fn report_failure(session: &mut Session, failure: &Failure) -> ExitCode {
    let (diagnostics, status) = match failure {
        Failure::Static(diagnostics) => (diagnostics.as_slice(), EXIT_STATIC_ERROR),
        Failure::Runtime(diagnostic) => (std::slice::from_ref(diagnostic), EXIT_RUNTIME_ERROR),
    };
    session.flush_output();
    for diagnostic in diagnostics {
        write_stderr(&session.render(diagnostic));
    }
    ExitCode::from(status)
}
