//! Source text to AST: tokens (logos), the lalrpop grammar, parse errors.

pub mod ast;
pub mod lexer;
pub mod parse;
pub mod sugar;
pub mod token;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused)]
    grammar,
    "/dlang.rs"
);
