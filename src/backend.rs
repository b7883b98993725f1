//! The seam between the checked program and what runs it.
//!
//! A backend receives only checked trees (`Item<TypeInfo>`,
//! `Expr<TypeInfo>`) and shares everything a user can see through the
//! runtime: values, primitives, errors, the [`RuntimeCtx`]. The
//! interpreter implements [`Backend`] (`src/interp/backend.rs`); the JIT
//! will too. [`crate::Session`] runs every program through this trait, so
//! the pipeline does not know which backend it drives.

#![forbid(unsafe_code)]

use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::value::Value;
use crate::syntax::ast::{Expr, Item};
use crate::types::TypeInfo;

pub trait Backend {
    /// Runs a checked module's items in order. `module` is `None` for the
    /// main file and REPL input (its bindings are top level), `Some("List")`
    /// for a module whose bindings become `List.x`, `Some("Prelude")` for
    /// the prelude. When it fails, none of the module's bindings stay
    /// defined.
    fn run_module(
        &mut self,
        module: Option<&str>,
        items: &[Item<TypeInfo>],
    ) -> Result<(), RuntimeError>;

    /// Evaluates a checked REPL expression at top level.
    fn eval_expr(&mut self, expr: &Expr<TypeInfo>) -> Result<Value, RuntimeError>;

    /// The value of a top-level binding of the main scope, if it is
    /// defined (the REPL prints it after `val`).
    fn top_level_value(&self, name: &str) -> Option<Value>;

    /// The state the running program's primitives share: its output, its
    /// arguments, the interrupt flag, the random generator.
    fn ctx_mut(&mut self) -> &mut RuntimeCtx;
}
