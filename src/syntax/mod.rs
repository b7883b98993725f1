//! Source text to AST: tokens (logos), the lalrpop grammar, parse errors.

#![forbid(unsafe_code)]

pub mod ast;
pub mod depth;
pub mod lexer;
pub mod open_constructs;
pub mod operators;
pub mod parse;
pub mod parse_error;
pub mod sexp;
pub mod sugar;
pub mod token;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused)]
    grammar,
    "/dlang.rs"
);

#[cfg(test)]
mod tests;
