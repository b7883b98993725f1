//! The parser's public API.

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::grammar;
use crate::syntax::lexer::Lexer;
use crate::syntax::sugar::{Builder, Top};

pub fn parse_tops(file: FileId, text: &str) -> Result<Vec<Top>, Vec<Diagnostic>> {
    let builder = Builder::new(file);
    let result = grammar::ModuleParser::new().parse(&builder, Lexer::new(text));
    let mut diagnostics = builder.into_diagnostics();
    match result {
        Ok(tops) if diagnostics.is_empty() => Ok(tops),
        Ok(_) => Err(diagnostics),
        Err(e) => {
            diagnostics.insert(0, Diagnostic::error("E101", format!("{e:?}")));
            Err(diagnostics)
        }
    }
}
