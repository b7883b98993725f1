//! The driver's parts that are not the pipeline itself (that is in
//! `lib.rs`): the command line, import resolution, REPL echo of types.

pub mod cli;
pub mod loader;
pub mod output;
pub mod show_decl;
