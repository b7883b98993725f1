//! Source text to AST: tokens (logos), the lalrpop grammar, parse errors.

pub mod ast;
pub mod token;
