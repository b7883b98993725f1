//! The interactive loop: reads an expression or items, checks and runs
//! them on the interpreter, and answers as OCaml's toplevel does
//! (`- : int = 3`, `val f : int -> int = <fun>`).
//!
//! At a terminal it uses rustyline (line editing, Tab completion, history
//! in `~/.dlang_history` or `$DLANG_HISTORY`: [`terminal`]); otherwise it
//! reads standard input line by line without prompts, so a piped session
//! prints only the answers ([`piped`]). Both read OCaml layout by the
//! rules of [`input`].

#![forbid(unsafe_code)]

mod command;
mod completion;
mod history;
mod input;
mod piped;
mod terminal;

use crate::diagnostics::Diagnostic;
use crate::driver::loader::SourceOrigin;
use crate::driver::output::{write_stderr, write_stdout};
use crate::driver::show_decl::{show_exception, show_type_group};
use crate::interp::Interpreter;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::print::show_quoted;
use crate::syntax::ast::{Item, ItemKind, Phase, ReplInput, UntypedExpr, UntypedItem};
use crate::syntax::parse::parse_repl_input;
use crate::{Failure, Session};
use command::Command;
use input::{strip_double_semicolon, Input};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A line of input that is not UTF-8 (the REPL reads text; the input the
/// line belongs to is dropped and the session goes on).
pub const E_INPUT_NOT_UTF8: &str = "E007";

/// What the loop does after one input.
enum Next {
    Continue,
    Quit,
}

struct Repl {
    session: Session,
    /// How many inputs were read, to give each its own source name.
    inputs: usize,
    interrupted: Arc<AtomicBool>,
}

/// Runs the REPL until `:quit` or end of input; returns the exit status.
pub fn run_repl() -> i32 {
    let interrupted = Arc::new(AtomicBool::new(false));
    let handler_flag = interrupted.clone();
    // Only the REPL's own process installs a handler, once; if it cannot,
    // Ctrl-C keeps its default meaning (ending the process).
    let _ = ctrlc::set_handler(move || handler_flag.store(true, Ordering::SeqCst));
    let ctx = RuntimeCtx::new(Box::new(std::io::stdout()), Vec::new(), interrupted.clone());
    // The REPL runs on the interpreter whatever backends exist (the
    // language contract: the JIT compiles whole programs).
    let mut repl = Repl {
        session: Session::new(Box::new(Interpreter::new(ctx))),
        inputs: 0,
        interrupted,
    };
    if std::io::stdin().is_terminal() {
        repl.interactive()
    } else {
        repl.piped()
    }
}

impl Repl {
    fn handle(&mut self, input: &Input) -> Next {
        match input {
            Input::Source(text) => self.eval_source(text),
            // `InputBuffer` makes commands of command lines only.
            Input::Command(line) => {
                if let Some(command) = command::parse(line) {
                    return self.command(command);
                }
            }
        }
        Next::Continue
    }

    fn command(&mut self, command: Command<'_>) -> Next {
        match command {
            Command::Quit => return Next::Quit,
            Command::Help => write_stdout(command::HELP),
            Command::Type(expr) => self.show_type(expr),
            Command::Load(file) => self.load(Path::new(file)),
            Command::Mistake(message) => write_stdout(&format!("{message}\n")),
        }
        let _ = std::io::stdout().flush();
        Next::Continue
    }

    /// Parses, checks and runs one input, printing answers or diagnostics.
    fn eval_source(&mut self, input: &str) {
        let text = strip_double_semicolon(input);
        let file = self.next_source(text);
        let parsed = match parse_repl_input(file, text) {
            Ok(parsed) => parsed,
            Err(diagnostics) => return self.report(&diagnostics),
        };
        self.interrupted.store(false, Ordering::SeqCst);
        match parsed {
            ReplInput::Expr(expr) => self.eval_expr(expr),
            ReplInput::Items(items) => self.eval_items(items),
        }
        let _ = std::io::stdout().flush();
    }

    fn eval_expr(&mut self, expr: UntypedExpr) {
        let mut warnings = Vec::new();
        let checked = self.session.check_expr(expr, &mut warnings);
        self.report(&warnings);
        let (typed, ty) = match checked {
            Ok(checked) => checked,
            Err(failure) => return self.report_failure(&failure),
        };
        match self.session.eval_expr(&typed) {
            Ok(value) => {
                self.session.flush_output();
                write_stdout(&format!("- : {ty} = {}\n", show_quoted(&value)));
            }
            Err(failure) => self.report_failure(&failure),
        }
    }

    fn eval_items(&mut self, items: Vec<UntypedItem>) {
        let declarations = type_declarations(&items);
        let mut warnings = Vec::new();
        let checked = self
            .session
            .check_items(items, &SourceOrigin::repl(), &mut warnings);
        self.report(&warnings);
        let checked = match checked {
            Ok(checked) => checked,
            Err(failure) => return self.report_failure(&failure),
        };
        if let Err(failure) = self.session.run_items(&checked) {
            return self.report_failure(&failure);
        }
        self.session.flush_output();
        for line in declarations {
            write_stdout(&format!("{line}\n"));
        }
        self.print_bindings(&checked.bindings);
    }

    fn show_type(&mut self, text: &str) {
        let file = self.next_source(text);
        let expr = match parse_repl_input(file, text) {
            Ok(ReplInput::Expr(expr)) => expr,
            Ok(ReplInput::Items(_)) => {
                write_stdout("`:type` takes an expression, not items\n");
                return;
            }
            Err(diagnostics) => return self.report(&diagnostics),
        };
        match self.session.type_of(expr) {
            Ok(ty) => write_stdout(&format!("{} : {ty}\n", text.trim())),
            Err(failure) => self.report_failure(&failure),
        }
    }

    /// `:load FILE` checks and runs the file as if its items were typed,
    /// then lists its bindings as `val` lines (OCaml's `#use`).
    fn load(&mut self, path: &Path) {
        self.interrupted.store(false, Ordering::SeqCst);
        let program = match self.session.check_file_running_imports(path) {
            Ok(program) => program,
            Err(failure) => return self.report_failure(&failure),
        };
        self.report(&program.warnings);
        if let Err(diagnostic) = self.session.run(&program) {
            return self.report_failure(&Failure::Runtime(diagnostic));
        }
        self.session.flush_output();
        for line in type_declarations(program.main_items()) {
            write_stdout(&format!("{line}\n"));
        }
        self.print_bindings(&program.bindings);
    }

    fn print_bindings(&self, bindings: &[(String, String)]) {
        for (name, ty) in bindings {
            let shown = crate::syntax::operators::declared_name(name);
            match self.session.top_level_value(name) {
                Some(value) => {
                    write_stdout(&format!("val {shown} : {ty} = {}\n", show_quoted(&value)))
                }
                None => write_stdout(&format!("val {shown} : {ty}\n")),
            }
        }
    }

    fn next_source(&mut self, text: &str) -> crate::syntax::ast::FileId {
        self.inputs += 1;
        self.session
            .add_source(format!("<repl {}>", self.inputs), text)
    }

    fn report(&mut self, diagnostics: &[Diagnostic]) {
        if diagnostics.is_empty() {
            return;
        }
        self.session.flush_output();
        let _ = std::io::stdout().flush();
        for diagnostic in diagnostics {
            write_stderr(&self.session.render(diagnostic));
        }
    }

    fn report_failure(&mut self, failure: &Failure) {
        match failure {
            Failure::Static(diagnostics) => self.report(diagnostics),
            Failure::Runtime(diagnostic) => self.report(std::slice::from_ref(diagnostic)),
        }
    }
}

/// The REPL's echo of every `type` and `exception` item, as source lines.
fn type_declarations<A: Phase>(items: &[Item<A>]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| match &item.kind {
            ItemKind::Type(decls, _) => Some(show_type_group(decls)),
            ItemKind::Exception(decl) => Some(vec![show_exception(decl)]),
            _ => None,
        })
        .flatten()
        .collect()
}
