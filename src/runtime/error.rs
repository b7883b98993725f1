//! Run-time errors (`R0xx`).
//!
//! Primitives return a [`RuntimeError`] without a location; the
//! interpreter fills in the span of the expression being evaluated and the
//! dlang call stack before it reaches the user.

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct RuntimeError {
    /// Stable code, e.g. `R001`.
    pub code: &'static str,
    pub message: String,
    pub span: Option<Span>,
    /// Innermost call first: the function's name and the span of the call.
    pub stack: Vec<(String, Span)>,
}

impl RuntimeError {
    pub fn new(code: &'static str, message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            code,
            message: message.into(),
            span: None,
            stack: Vec::new(),
        }
    }

    pub fn at(mut self, span: Span) -> RuntimeError {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }

    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut d = Diagnostic::error(self.code, self.message.clone());
        if let Some(span) = self.span {
            d = d.with_label(span, "raised here");
        }
        if !self.stack.is_empty() {
            let mut note = String::from("dlang call stack, innermost first:");
            for (name, _) in &self.stack {
                note.push_str("\n  in ");
                note.push_str(name);
            }
            d = d.with_note(note);
        }
        d
    }
}
