//! The REPL at a terminal: prompts, line editing, Tab completion and
//! history (rustyline). rustyline's `Validator` could continue an input
//! too, but it shows no prompt on continuation lines, so the loop asks
//! for each line itself.

use super::completion::Completion;
use super::history::{history_file_refused, history_path};
use super::input::{InputBuffer, Next as NextLine};
use super::{Next, Repl, E_INPUT_NOT_UTF8};
use crate::diagnostics::Diagnostic;
use crate::driver::output::{write_stderr, write_stdout};
use rustyline::config::{CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::Editor;
use std::path::Path;

const PROMPT: &str = "# ";
const CONTINUATION_PROMPT: &str = "..> ";

impl Repl {
    pub(super) fn interactive(&mut self) -> i32 {
        // Bash's completion: the longest common part, then the list.
        let config = Config::builder()
            .completion_type(CompletionType::List)
            .build();
        let Ok(mut editor) = Editor::<Completion, DefaultHistory>::with_config(config) else {
            return self.piped();
        };
        let mut completion = Completion::default();
        completion.refresh(self.session.checker());
        editor.set_helper(Some(completion));
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
        let mut buffer = InputBuffer::default();
        loop {
            let prompt = if buffer.is_empty() {
                PROMPT
            } else {
                CONTINUATION_PROMPT
            };
            match editor.readline(prompt) {
                Ok(line) => {
                    let Some(input) = buffer.push(&line, NextLine::Unknown) else {
                        continue;
                    };
                    let _ = editor.add_history_entry(input.text());
                    if let Some(path) = &history {
                        save_history(&mut editor, path);
                    }
                    if let Next::Quit = self.handle(&input) {
                        return 0;
                    }
                    if let Some(completion) = editor.helper_mut() {
                        completion.refresh(self.session.checker());
                    }
                }
                // Ctrl-C at the prompt abandons the input being typed.
                Err(ReadlineError::Interrupted) => buffer.clear(),
                Err(ReadlineError::Io(error))
                    if error.kind() == std::io::ErrorKind::InvalidData =>
                {
                    buffer.clear();
                    self.report(&[not_utf8_typed()]);
                }
                Err(_) => {
                    // Ctrl-D (or a closed terminal) ends the session; what
                    // was typed so far is still evaluated.
                    if let Some(input) = buffer.finish() {
                        self.handle(&input);
                    }
                    return 0;
                }
            }
        }
    }
}

/// Saves the history, checked again: the file may have been replaced by
/// a link since the session started.
fn save_history(editor: &mut Editor<Completion, DefaultHistory>, path: &Path) {
    if history_file_refused(path).is_none() {
        let _ = editor.save_history(path);
    }
}

/// rustyline stops reading at a byte that is not UTF-8 and drops the
/// line, so there is no text to point at; the bytes typed after it on
/// the same line arrive as the next line.
fn not_utf8_typed() -> Diagnostic {
    Diagnostic::error(E_INPUT_NOT_UTF8, "typed input is not valid UTF-8").with_note(
        "the REPL reads UTF-8 text: the input being typed is dropped and the session goes on",
    )
}
