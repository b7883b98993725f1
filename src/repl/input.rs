//! When a line ends an input: the REPL's reading of OCaml layout (§11).
//!
//! A complete one-line input runs at Enter; an input that needed more
//! lines (`type shape =` and its `| …` lines, `match … with` and its
//! arms) is read whole and ends at a line ending in `;;` or at an empty
//! line, as utop reads it, or as soon as it has a syntax error that no
//! further line can mend. Piped input can also look at the next line, so
//! a file laid out as usual needs no empty lines: a complete input ends
//! there unless the next line carries it on (it is indented, or opens
//! with `|`, `and`, `in`, an infix operator, …). A command (`:type e`,
//! `#use "f"`) is always one line.

use super::command;
use crate::syntax::ast::FileId;
use crate::syntax::parse::{is_incomplete, parse_repl_input};

/// One input, ready to be handled.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Input {
    /// A `:command` or `#directive` line.
    Command(String),
    /// An expression or items, possibly over several lines.
    Source(String),
}

impl Input {
    pub(super) fn text(&self) -> &str {
        match self {
            Input::Command(text) | Input::Source(text) => text,
        }
    }
}

/// What the reader knows of the line after the one pushed.
#[derive(Clone, Copy)]
pub(super) enum Next<'a> {
    /// At a terminal: not typed yet.
    Unknown,
    /// Piped: the next line, or `None` at the end of the input.
    Line(Option<&'a str>),
}

/// The input read so far.
#[derive(Default)]
pub(super) struct InputBuffer {
    text: String,
    lines: usize,
    /// A line of this input could not be read (not UTF-8): when the input
    /// ends it is dropped instead of run.
    damaged: bool,
}

impl InputBuffer {
    /// Whether no line of an input has been read yet.
    pub(super) fn is_empty(&self) -> bool {
        self.lines == 0
    }

    /// Adds one line; returns the input when the line ends it.
    pub(super) fn push(&mut self, line: &str, next: Next<'_>) -> Option<Input> {
        if self.is_empty() {
            if command::is_command(line) {
                return Some(Input::Command(line.to_string()));
            }
            if is_blank(line) {
                return None;
            }
        } else if line.trim().is_empty() {
            return self.finish();
        }
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.text.push_str(line);
        self.lines += 1;
        if line.trim_end().ends_with(";;") {
            return self.finish();
        }
        let complete = !is_incomplete(&self.text);
        let ends = match next {
            // A syntax error that no further line can mend ends a typed
            // input at once: its diagnostic is the answer, rather than an
            // empty line the user would have to guess.
            Next::Unknown => complete && (self.lines == 1 || cannot_parse(&self.text)),
            Next::Line(next) => complete && !next.is_some_and(continues_input),
        };
        if ends {
            self.finish()
        } else {
            None
        }
    }

    /// Marks the input being read as damaged (see [`InputBuffer::damaged`]).
    pub(super) fn damage(&mut self) {
        self.damaged = true;
    }

    /// Ends the input here (an empty line, `;;`, the end of the input):
    /// what was read, unless it was nothing or damaged.
    pub(super) fn finish(&mut self) -> Option<Input> {
        let buffer = std::mem::take(self);
        (!buffer.damaged && !is_blank(&buffer.text)).then_some(Input::Source(buffer.text))
    }

    /// Forgets the input being read (Ctrl-C at the prompt).
    pub(super) fn clear(&mut self) {
        *self = InputBuffer::default();
    }
}

fn cannot_parse(text: &str) -> bool {
    parse_repl_input(FileId(0), strip_double_semicolon(text)).is_err()
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

/// Only whitespace and line comments: nothing to evaluate (a piped
/// session may carry comments between inputs).
fn is_blank(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#')
    })
}

/// OCaml users end toplevel input with `;;`; dlang accepts and drops it.
pub(super) fn strip_double_semicolon(input: &str) -> &str {
    let trimmed = input.trim_end();
    trimmed.strip_suffix(";;").unwrap_or(trimmed).trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The inputs `lines` make, typed at a terminal (`piped` false) or
    /// piped; what is left at the end of the input is flushed.
    fn inputs(lines: &[&str], piped: bool) -> Vec<Input> {
        let mut buffer = InputBuffer::default();
        let mut found = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let next = match piped {
                true => Next::Line(lines.get(i + 1).copied()),
                false => Next::Unknown,
            };
            found.extend(buffer.push(line, next));
        }
        found.extend(buffer.finish());
        found
    }

    fn source(text: &str) -> Input {
        Input::Source(text.to_string())
    }

    #[test]
    fn a_typed_variant_over_lines_is_read_whole() {
        let typed = [
            "type shape =",
            "  | Circle of float",
            "  | Square of float",
            "",
        ];
        assert_eq!(
            inputs(&typed, false),
            [source(
                "type shape =\n  | Circle of float\n  | Square of float"
            )]
        );
    }

    #[test]
    fn a_typed_match_over_lines_ends_at_an_empty_line_or_double_semicolon() {
        let typed = [
            "let rec len l = match l with",
            "  | [] -> 0",
            "  | _ :: t -> 1 + len t",
            "",
            "len [1; 2]",
        ];
        assert_eq!(
            inputs(&typed, false),
            [
                source("let rec len l = match l with\n  | [] -> 0\n  | _ :: t -> 1 + len t"),
                source("len [1; 2]"),
            ]
        );
        let typed = ["let x =", "  1;;", "x"];
        assert_eq!(
            inputs(&typed, false),
            [source("let x =\n  1;;"), source("x")]
        );
    }

    #[test]
    fn a_complete_line_runs_at_once_when_typed() {
        let typed = ["1 + 2", "let x = 1", "  | not a continuation"];
        assert_eq!(
            inputs(&typed, false),
            [
                source("1 + 2"),
                source("let x = 1"),
                source("  | not a continuation"),
            ]
        );
    }

    #[test]
    fn a_typed_input_that_cannot_be_mended_ends_at_once() {
        let typed = ["let f x =", "  x + )", "f"];
        assert_eq!(
            inputs(&typed, false),
            [source("let f x =\n  x + )"), source("f")]
        );
    }

    #[test]
    fn an_empty_line_ends_even_an_incomplete_input() {
        // The parser then says what is missing.
        assert_eq!(
            inputs(&["let x =", "", "2"], false),
            [source("let x ="), source("2")]
        );
    }

    #[test]
    fn piped_lines_continue_by_layout() {
        let piped = [
            "let rec depth t =",
            "  match t with",
            "  | [] -> 0",
            "  | _ :: rest -> 1 + depth rest",
            "depth [1]",
            "type t = A",
            "  | B",
        ];
        assert_eq!(
            inputs(&piped, true),
            [
                source("let rec depth t =\n  match t with\n  | [] -> 0\n  | _ :: rest -> 1 + depth rest"),
                source("depth [1]"),
                source("type t = A\n  | B"),
            ]
        );
    }

    #[test]
    fn commands_are_one_line_and_comments_no_input() {
        let typed = [":type 1", "# a comment", "#use \"f.dl\"", "#quit;;"];
        assert_eq!(
            inputs(&typed, false),
            [
                Input::Command(":type 1".into()),
                Input::Command("#use \"f.dl\"".into()),
                Input::Command("#quit;;".into()),
            ]
        );
        // Inside an input, a line starting with `:` is part of it.
        assert_eq!(
            inputs(&["let l = 1", ":: []"], true),
            [source("let l = 1\n:: []")]
        );
    }

    #[test]
    fn a_damaged_input_is_dropped_when_it_ends() {
        let mut buffer = InputBuffer::default();
        assert_eq!(buffer.push("let x =", Next::Unknown), None);
        buffer.damage();
        assert_eq!(buffer.push("  1", Next::Unknown), None);
        assert_eq!(buffer.push("", Next::Unknown), None);
        assert_eq!(buffer.push("2", Next::Unknown), Some(source("2")));
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
        assert_eq!(strip_double_semicolon(":quit ;;"), ":quit");
        assert_eq!(strip_double_semicolon("let x = 1"), "let x = 1");
    }
}
