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
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
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

    /// Renders without colour, with trailing spaces stripped from every
    /// line, so the text is stable for golden files and terminals alike.
    pub fn render(&self, sources: &SourceMap) -> String {
        let kind = match self.severity {
            Severity::Error => ReportKind::Error,
            Severity::Warning => ReportKind::Warning,
        };
        let name_of = |span: Span| sources.get(span.file).name.clone();
        let Some(primary) = self.labels.first() else {
            // Same header as ariadne's so every diagnostic reads alike.
            let mut out = format!("[{}] {kind}: {}\n", self.code, self.message);
            for note in &self.notes {
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
        for note in &self.notes {
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
