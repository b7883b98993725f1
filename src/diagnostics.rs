//! One neutral diagnostic type for every phase, rendered in one place.
//!
//! Each phase keeps its own error enum (lexing, parsing, types, imports,
//! run time) and turns it into a [`Diagnostic`]; only this module knows
//! about ariadne. Codes are stable and documented in `docs/language.md`:
//! `E0xx` lexing, `E1xx` parsing, `E2xx` names and types, `E3xx` imports,
//! `R0xx` run time, `W0xx` warnings.

#![forbid(unsafe_code)]

use crate::source::SourceMap;
use crate::syntax::ast::Span;
use ariadne::{Config, IndexType, Label as AriadneLabel, Report, ReportKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code such as `E201`.
    pub code: &'static str,
    pub message: String,
    /// The first label is the primary location.
    pub labels: Vec<Label>,
    /// Extra lines printed after the source excerpt (`note: ...`).
    pub notes: Vec<String>,
    /// What only run-time errors have; boxed, so that a `Result` carrying
    /// a diagnostic stays small.
    pub places: Option<Box<Places>>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Places {
    /// Notes that name places in the sources, printed after `notes`.
    pub notes: Vec<Vec<NotePart>>,
    /// The spans of the calls that led to the primary label, innermost
    /// first (a run-time error's call stack). When the primary label lies
    /// in a library file ([`SourceFile::is_library`]), the innermost of
    /// these outside every library takes it: the user sees the call they
    /// wrote, and the library's place becomes a note.
    pub calls: Vec<Span>,
}

/// A piece of a note: text, or a place in the sources, shown as
/// `file:line:col` (the line and column ariadne's header shows).
#[derive(Clone, Debug, PartialEq)]
pub enum NotePart {
    Text(String),
    Place(Span),
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            places: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn with_placed_note(mut self, note: Vec<NotePart>) -> Diagnostic {
        self.places_mut().notes.push(note);
        self
    }

    pub fn with_calls(mut self, calls: Vec<Span>) -> Diagnostic {
        self.places_mut().calls = calls;
        self
    }

    fn places_mut(&mut self) -> &mut Places {
        self.places.get_or_insert_with(Default::default)
    }

    /// Renders without colour, with trailing spaces stripped from every
    /// line, so the text is stable for golden files and terminals alike.
    /// Control characters are shown, never sent ([`visible_controls`]).
    pub fn render(&self, sources: &SourceMap) -> String {
        visible_controls(&self.render_raw(sources))
    }

    fn render_raw(&self, sources: &SourceMap) -> String {
        let shown = self.outside_libraries(sources);
        let this = shown.as_ref().unwrap_or(self);
        let mut notes = this.notes.clone();
        let placed = this.places.iter().flat_map(|p| p.notes.iter());
        notes.extend(placed.map(|parts| {
            parts
                .iter()
                .map(|part| match part {
                    NotePart::Text(text) => text.clone(),
                    NotePart::Place(span) => sources.place(*span),
                })
                .collect::<String>()
        }));
        this.render_with(sources, &notes)
    }

    /// The diagnostic labelled at the user's call into the library its
    /// primary label lies in, if it does and there is such a call.
    fn outside_libraries(&self, sources: &SourceMap) -> Option<Diagnostic> {
        let in_library = |span: &Span| sources.get(span.file).is_library();
        let primary = self.labels.first().filter(|l| in_library(&l.span))?;
        let calls = &self.places.as_ref()?.calls;
        let call = calls.iter().find(|span| !in_library(span))?;
        let mut moved = self.clone();
        moved.labels[0] = Label {
            span: *call,
            message: "raised inside this call".to_string(),
        };
        moved.places_mut().notes.insert(
            0,
            vec![
                NotePart::Text("raised in the standard library, at ".to_string()),
                NotePart::Place(primary.span),
            ],
        );
        Some(moved)
    }

    fn render_with(&self, sources: &SourceMap, notes: &[String]) -> String {
        let kind = match self.severity {
            Severity::Error => ReportKind::Error,
            Severity::Warning => ReportKind::Warning,
        };
        let name_of = |span: Span| sources.get(span.file).name.clone();
        let Some(primary) = self.labels.first() else {
            // Same header as ariadne's so every diagnostic reads alike.
            let mut out = format!("[{}] {kind}: {}\n", self.code, self.message);
            for note in notes {
                out.push_str(&format!("  note: {note}\n"));
            }
            return out;
        };
        let mut report = Report::build(kind, (name_of(primary.span), primary.span.range()))
            .with_code(self.code)
            .with_message(&self.message)
            .with_config(
                Config::default()
                    .with_color(false)
                    .with_index_type(IndexType::Byte),
            );
        for (order, label) in self.labels.iter().enumerate() {
            let mut l = AriadneLabel::new((name_of(label.span), label.span.range()))
                .with_order(order as i32);
            if !label.message.is_empty() {
                l = l.with_message(&label.message);
            }
            report = report.with_label(l);
        }
        for note in notes {
            report = report.with_note(note);
        }
        let cache = ariadne::sources(
            sources
                .files()
                .map(|(_, f)| (f.name.clone(), f.text.clone()))
                .collect::<Vec<_>>(),
        );
        let mut bytes = Vec::new();
        if report.finish().write(cache, &mut bytes).is_err() {
            return format!("[{}] {kind}: {}\n", self.code, self.message);
        }
        let text = String::from_utf8_lossy(&bytes);
        let mut out = String::new();
        for line in text.lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// `text` with every control character but newline and tab replaced by a
/// visible stand-in: C0 and DEL by their Control Pictures (`\x1b` is
/// `␛`, one column like the character it replaces, so labels stay
/// aligned), C1 by `�`. Source lines and messages come from files and
/// programs: echoed raw, an escape sequence in them would retitle or
/// clear the terminal showing the diagnostic.
pub fn visible_controls(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            '\u{80}'..='\u{9f}' => '\u{fffd}',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::Span;

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(
            visible_controls("a\x1b]0;x\x07\x1b[2J\tb\n"),
            "a␛]0;x␇␛[2J\tb\n"
        );
        assert_eq!(visible_controls("\u{7f}\u{9b}é"), "␡\u{fffd}é");
        let mut sources = SourceMap::new();
        let text = "let x = \"\x1b]0;pwned\x07\x1b[2J\" + 1\n";
        let file = sources.add("evil.dl", text.to_string());
        let d = Diagnostic::error("E200", "mismatch \x1b[31m")
            .with_label(Span::new(file, 8, text.len() - 1), "here \x1b[0m");
        let rendered = d.render(&sources);
        assert!(
            !rendered.chars().any(|c| c.is_control() && c != '\n'),
            "{rendered:?}"
        );
        assert!(rendered.contains("␛]0;pwned␇␛[2J"), "{rendered}");
    }

    #[test]
    fn an_error_in_a_library_is_labelled_at_the_users_call() {
        let mut sources = SourceMap::new();
        let user_text = "let x = 1\nlet () = print (List.find p l)\n";
        let user = sources.add("main.dl", user_text);
        let library = sources.add("<stdlib>/list.dl", "let find p l =\n  raise Not_found\n");
        let raise = Span::new(library, 17, 32);
        let call = Span::new(user, 25, 39);
        let d = Diagnostic::error("R014", "uncaught")
            .with_label(raise, "raised here")
            .with_calls(vec![Span::new(library, 0, 3), call]);
        let rendered = d.render(&sources);
        assert!(rendered.contains("[ main.dl:2:16 ]"), "{rendered}");
        assert!(rendered.contains("raised inside this call"), "{rendered}");
        assert!(
            rendered.contains("raised in the standard library, at <stdlib>/list.dl:2:3"),
            "{rendered}"
        );
        // Without a call outside the library, the library's place stays.
        let d = d.with_calls(vec![Span::new(library, 0, 3)]);
        assert!(d.render(&sources).contains("[ <stdlib>/list.dl:2:3 ]"));
    }

    #[test]
    fn a_place_is_file_line_and_column_in_characters() {
        let mut sources = SourceMap::new();
        let file = sources.add("a.dl", "é = 1\n  x");
        assert_eq!(sources.place(Span::new(file, 0, 1)), "a.dl:1:1");
        assert_eq!(sources.place(Span::new(file, 5, 6)), "a.dl:1:5");
        assert_eq!(sources.place(Span::new(file, 9, 10)), "a.dl:2:3");
    }
}
