//! What joins the front end to a backend: the command line, the choice of
//! backend, loading a program's modules (imports and the standard library
//! it uses), and the REPL's echo of types. The pipeline itself, which
//! calls these, is `Session` in `lib.rs`.

#![forbid(unsafe_code)]

pub mod backends;
pub mod cli;
pub mod live_output;
pub mod loader;
pub mod output;
pub mod show_decl;
pub mod stdlib_use;
