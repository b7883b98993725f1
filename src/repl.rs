//! The interactive loop: reads an expression or items, checks and runs
//! them on the interpreter, and answers as OCaml's toplevel does
//! (`- : int = 3`, `val f : int -> int = <fun>`).
//!
//! On a terminal it uses rustyline (line editing, history in
//! `~/.dlang_history` or `$DLANG_HISTORY`); otherwise it reads standard
//! input line by line without prompts, so a piped session prints only
//! the answers. Input that [`crate::syntax::parse::is_incomplete`] says
//! ends too early is continued on a `..> ` line. (rustyline's `Validator`
//! could continue the line too, but it shows no prompt on continuation
//! lines, so the loop asks for each line itself.)

#![forbid(unsafe_code)]

use crate::diagnostics::Diagnostic;
use crate::driver::loader::SourceOrigin;
use crate::driver::output::{write_stderr, write_stdout};
use crate::driver::show_decl::{show_exception, show_type_group};
use crate::interp::Interpreter;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::print::show_quoted;
use crate::syntax::ast::{Item, ItemKind, Phase, ReplInput, UntypedExpr, UntypedItem};
use crate::syntax::parse::{is_incomplete, parse_repl_input};
use crate::{Failure, Session};
use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const PROMPT: &str = "# ";
const CONTINUATION_PROMPT: &str = "..> ";

const HELP: &str = "\
Type an expression to evaluate it, or items (`let`, `type`, `open`,
`import`) to add them to the session. Input continues on a `..>` line
while it is incomplete; a trailing `;;` is allowed.
  :type EXPR   show the type of EXPR without evaluating it
  :load FILE   check and run FILE in this session
  :help        show this help
  :quit        leave (Ctrl-D too); Ctrl-C stops a running evaluation
";

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
    fn interactive(&mut self) -> i32 {
        let Ok(mut editor) = DefaultEditor::new() else {
            return self.piped();
        };
        let history = history_path().filter(|path| match history_file_refused(path) {
            None => true,
            Some(why) => {
                write_stderr(&format!(
                    "dlang: not using the history file {}: {why}\n",
                    path.display()
                ));
                false
            }
        });
        if let Some(path) = &history {
            let _ = editor.load_history(path);
        }
        write_stdout(&format!(
            "dlang {} — :help for help, :quit to leave\n",
            env!("CARGO_PKG_VERSION")
        ));
        let mut buffer = String::new();
        loop {
            let prompt = if buffer.is_empty() {
                PROMPT
            } else {
                CONTINUATION_PROMPT
            };
            match editor.readline(prompt) {
                Ok(line) => {
                    push_line(&mut buffer, &line);
                    if is_blank(&buffer) {
                        buffer.clear();
                        continue;
                    }
                    if is_command(&buffer) || !is_incomplete(&buffer) {
                        let _ = editor.add_history_entry(buffer.as_str());
                        // Checked again: the file may have been replaced since.
                        if let Some(path) = &history {
                            if history_file_refused(path).is_none() {
                                let _ = editor.save_history(path);
                            }
                        }
                        let input = std::mem::take(&mut buffer);
                        if let Next::Quit = self.handle(&input) {
                            return 0;
                        }
                    }
                }
                // Ctrl-C at the prompt abandons the input being typed.
                Err(ReadlineError::Interrupted) => buffer.clear(),
                Err(_) => {
                    // Ctrl-D (or a closed terminal) ends the session; what
                    // was typed so far is still evaluated.
                    if !buffer.trim().is_empty() {
                        self.handle(&buffer);
                    }
                    return 0;
                }
            }
        }
    }

    /// Without a terminal the whole input may be a file, laid out as
    /// OCaml code usually is, so a complete input still waits for the next
    /// line when that line carries on the same definition (it is indented
    /// or starts with `|`, `and`, `in`, `else`, …). A `;;` at the end of a
    /// line ends the input at once, so a program driving the REPL through
    /// a pipe need not send the next line to get an answer.
    fn piped(&mut self) -> i32 {
        let mut lines = std::io::stdin().lock().lines().peekable();
        let mut buffer = String::new();
        while let Some(line) = lines.next() {
            let line = match line {
                Ok(line) => line,
                Err(error) => {
                    write_stderr(&format!("dlang: cannot read standard input: {error}\n"));
                    return 2;
                }
            };
            push_line(&mut buffer, &line);
            if is_blank(&buffer) {
                buffer.clear();
                continue;
            }
            let complete = is_command(&buffer)
                || line.trim_end().ends_with(";;")
                || (!is_incomplete(&buffer)
                    && !matches!(lines.peek(), Some(Ok(next)) if continues_input(next)));
            if complete {
                let input = std::mem::take(&mut buffer);
                if let Next::Quit = self.handle(&input) {
                    return 0;
                }
            }
        }
        if !is_blank(&buffer) {
            self.handle(&buffer);
        }
        0
    }

    fn handle(&mut self, input: &str) -> Next {
        let trimmed = input.trim();
        if let Some(command) = trimmed.strip_prefix(':') {
            return self.command(command);
        }
        self.eval_source(input);
        Next::Continue
    }

    fn command(&mut self, command: &str) -> Next {
        let (name, argument) = command
            .split_once(char::is_whitespace)
            .map(|(n, a)| (n, a.trim()))
            .unwrap_or((command, ""));
        match name {
            "quit" | "q" => return Next::Quit,
            "help" | "h" => write_stdout(HELP),
            "type" | "t" if !argument.is_empty() => self.show_type(argument),
            "load" | "l" if !argument.is_empty() => self.load(Path::new(argument)),
            "type" | "t" | "load" | "l" => write_stdout(&format!(
                "`:{name}` needs an argument; :help lists the commands\n"
            )),
            _ => write_stdout(&format!(
                "unknown command `:{name}`; :help lists the commands\n"
            )),
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

fn push_line(buffer: &mut String, line: &str) {
    if !buffer.is_empty() {
        buffer.push('\n');
    }
    buffer.push_str(line);
}

/// Whether a line goes on with the input before it rather than starting
/// a new one: indented lines, and lines that open with a word or symbol
/// that cannot start an input.
fn continues_input(line: &str) -> bool {
    const CONTINUING_WORDS: &[&str] = &[
        "and", "in", "then", "else", "with", "when", "do", "done", "end", "to", "downto", "of",
    ];
    if line.starts_with([' ', '\t']) {
        return !line.trim().is_empty();
    }
    let first_word: String = line
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '\'')
        .collect();
    CONTINUING_WORDS.contains(&first_word.as_str())
        || line.starts_with([
            '|', ')', ']', '}', ';', ',', '=', '+', '-', '*', '/', '^', '@', '<', '>', '&',
        ])
        || line.starts_with("::")
}

fn is_command(buffer: &str) -> bool {
    buffer.trim_start().starts_with(':')
}

/// Only whitespace and line comments: nothing to evaluate (a piped
/// session may carry comments between inputs).
fn is_blank(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#')
    })
}

/// OCaml users end toplevel input with `;;`; dlang accepts and drops it.
fn strip_double_semicolon(input: &str) -> &str {
    let trimmed = input.trim_end();
    trimmed.strip_suffix(";;").unwrap_or(trimmed)
}

fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("DLANG_HISTORY") {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".dlang_history"))
}

/// Why the history file must not be used, if it must not: saving
/// rewrites the file in place, so through a symbolic link (or into a
/// device or a FIFO) it would overwrite whatever the link names. A file
/// not there yet is fine (saving creates it).
fn history_file_refused(path: &Path) -> Option<&'static str> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(_) => Some("it cannot be examined"),
        Ok(meta) if meta.file_type().is_symlink() => Some("it is a symbolic link"),
        Ok(meta) if !meta.is_file() => Some("it is not a regular file"),
        Ok(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn history_is_refused_through_links_and_special_files() {
        let dir = std::env::temp_dir().join(format!("dlang-history-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let regular = dir.join("history");
        assert_eq!(history_file_refused(&regular), None, "a file not there yet");
        std::fs::write(&regular, "1 + 2\n").unwrap();
        assert_eq!(history_file_refused(&regular), None);
        let link = dir.join("link");
        std::os::unix::fs::symlink(&regular, &link).unwrap();
        assert_eq!(history_file_refused(&link), Some("it is a symbolic link"));
        assert_eq!(history_file_refused(&dir), Some("it is not a regular file"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn blank_input_is_only_space_and_comments() {
        assert!(is_blank("  \n# a comment\n"));
        assert!(!is_blank("# c\n1 + 2"));
    }

    #[test]
    fn indented_and_keyword_lines_continue_the_input() {
        assert!(continues_input("  | Leaf -> 0"));
        assert!(continues_input("| Node _ -> 1"));
        assert!(continues_input("and odd n = n <> 0"));
        assert!(continues_input("in x + 1"));
        assert!(!continues_input("let y = 2"));
        assert!(!continues_input("f 2"));
        assert!(!continues_input("andrew"));
        assert!(!continues_input("   "));
        assert!(!continues_input(":quit"));
    }

    #[test]
    fn double_semicolon_is_dropped() {
        assert_eq!(strip_double_semicolon("1 + 2;;  "), "1 + 2");
        assert_eq!(strip_double_semicolon("let x = 1"), "let x = 1");
    }
}
