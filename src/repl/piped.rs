//! The REPL reading a pipe or a file: no prompts, no banner, no history,
//! only answers and diagnostics. Lines are read as bytes, so a line that
//! is not UTF-8 is reported (E007) and its input dropped while the
//! session goes on.

use super::input::{InputBuffer, Next as NextLine};
use super::{Next, Repl, E_INPUT_NOT_UTF8};
use crate::diagnostics::Diagnostic;
use crate::driver::output::write_stderr;
use crate::syntax::ast::Span;
use std::io::BufRead;

impl Repl {
    pub(super) fn piped(&mut self) -> i32 {
        let mut lines = std::io::stdin()
            .lock()
            .split(b'\n')
            .map(|line| line.map(strip_carriage_return))
            .peekable();
        let mut buffer = InputBuffer::default();
        while let Some(line) = lines.next() {
            let bytes = match line {
                Ok(bytes) => bytes,
                Err(error) => {
                    write_stderr(&format!("dlang: cannot read standard input: {error}\n"));
                    return 2;
                }
            };
            let line = match String::from_utf8(bytes) {
                Ok(line) => line,
                Err(error) => {
                    let line = String::from_utf8_lossy(error.as_bytes()).into_owned();
                    self.report_not_utf8(&line, error.utf8_error().valid_up_to());
                    buffer.damage();
                    line
                }
            };
            let next = match lines.peek() {
                Some(Ok(next)) => Some(String::from_utf8_lossy(next)),
                _ => None,
            };
            let input = buffer.push(&line, NextLine::Line(next.as_deref()));
            if let Some(input) = input {
                if let Next::Quit = self.handle(&input) {
                    return 0;
                }
            }
        }
        if let Some(input) = buffer.finish() {
            self.handle(&input);
        }
        0
    }

    /// `line` (decoded with U+FFFD for the bad bytes) is shown as a source
    /// of its own, labelled at the first byte that is not UTF-8.
    fn report_not_utf8(&mut self, line: &str, first_bad: usize) {
        let file = self.next_source(line);
        let end = first_bad + char::REPLACEMENT_CHARACTER.len_utf8();
        let diagnostic = Diagnostic::error(E_INPUT_NOT_UTF8, "input is not valid UTF-8")
            .with_label(Span::new(file, first_bad, end), "this byte is not UTF-8")
            .with_note("the REPL reads UTF-8 text: the input this line belongs to is dropped and the session goes on");
        self.report(&[diagnostic]);
    }
}

fn strip_carriage_return(mut line: Vec<u8>) -> Vec<u8> {
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    line
}
