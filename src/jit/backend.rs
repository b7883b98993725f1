//! The JIT as a [`Backend`]: the modules a program needs are kept until
//! the main module arrives; then what its top-level code reaches is
//! lowered, compiled and run. A construct outside the subset stops the
//! program with `E401` before any of it runs (there is no fallback).

#![forbid(unsafe_code)]

use super::codegen::compile_keeping;
use super::ir::FuncId;
use super::lower::{lower_program, Module};
use super::run::run;
use crate::backend::Backend;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::value::Value;
use crate::stdlib::MODULES;
use crate::syntax::ast::{Expr, Item};
use crate::types::TypeInfo;
use std::time::Instant;

/// Set, the JIT prints to stderr how long lowering and compiling took.
pub const TIMINGS_VAR: &str = "DLANG_JIT_TIMINGS";

/// What `dlang run --emit` prints instead of running the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emit {
    /// The JIT's IR (`src/jit/ir.rs`), as [`super::print`] writes it.
    Ir,
    /// Cranelift's IR of each function, as translated.
    Clif,
}

/// The stack lowering and compiling run on: only the pages used are
/// committed.
const COMPILE_STACK_SIZE: usize = 1 << 30;

pub struct JitBackend {
    ctx: RuntimeCtx,
    /// The modules run so far, by name, waiting for the main module.
    modules: Vec<(String, Vec<Item<TypeInfo>>)>,
    /// Set, the main module is compiled and shown, not run.
    emit: Option<Emit>,
}

impl JitBackend {
    pub fn new(ctx: RuntimeCtx) -> JitBackend {
        JitBackend::emitting(ctx, None)
    }

    /// A backend that, given `Some(emit)`, prints the compiled program to
    /// the run's output instead of running it.
    pub fn emitting(ctx: RuntimeCtx, emit: Option<Emit>) -> JitBackend {
        JitBackend {
            ctx,
            modules: Vec::new(),
            emit,
        }
    }

    fn run_main(&mut self, items: &[Item<TypeInfo>]) -> Result<(), RuntimeError> {
        // Lowering and translation recurse over the program's tree (the
        // top-level items nest as continuations, `let`s as bodies), so a
        // long file needs more than the main thread's stack.
        stacker::grow(COMPILE_STACK_SIZE, || self.compile_and_run(items))
    }

    fn compile_and_run(&mut self, items: &[Item<TypeInfo>]) -> Result<(), RuntimeError> {
        let started = Instant::now();
        let mut modules: Vec<Module<'_>> = self
            .modules
            .iter()
            .map(|(name, items)| Module {
                name: Some(name),
                items,
                stdlib: MODULES.iter().any(|m| m.name == name),
            })
            .collect();
        modules.push(Module {
            name: None,
            items,
            stdlib: false,
        });
        let program = lower_program(&modules)?;
        let lowered = started.elapsed();
        if self.emit == Some(Emit::Ir) {
            return self.show(&super::print::program(&program));
        }
        let keep_clif = self.emit == Some(Emit::Clif);
        let compiled = compile_keeping(program, &[FuncId(0)], keep_clif)
            .map_err(|e| RuntimeError::internal(format!("JIT: {e}")))?;
        if keep_clif {
            return self.show(&compiled.clif.join("\n"));
        }
        if std::env::var_os(TIMINGS_VAR).is_some() {
            let sites = compiled.program.grad_sites;
            eprintln!(
                "jit: lowering {:.3} ms, compiling {:.3} ms, {} functions, \
                 grad sites: {} compiled reverse, {} tracked",
                lowered.as_secs_f64() * 1e3,
                compiled.compile_time.as_secs_f64() * 1e3,
                compiled.program.functions.len(),
                sites.compiled,
                sites.tracked
            );
        }
        run(&compiled, FuncId(0), &[], &mut self.ctx).map(|_| ())
    }

    fn show(&mut self, text: &str) -> Result<(), RuntimeError> {
        use std::io::Write;
        self.ctx
            .out
            .write_all(text.as_bytes())
            .map_err(|e| RuntimeError::internal(format!("writing the compiled program: {e}")))
    }
}

impl Backend for JitBackend {
    fn run_module(
        &mut self,
        module: Option<&str>,
        items: &[Item<TypeInfo>],
    ) -> Result<(), RuntimeError> {
        match module {
            Some(name) => {
                self.modules.push((name.to_string(), items.to_vec()));
                Ok(())
            }
            None => self.run_main(items),
        }
    }

    fn eval_expr(&mut self, _expr: &Expr<TypeInfo>) -> Result<Value, RuntimeError> {
        Err(RuntimeError::internal(
            "the JIT does not evaluate REPL expressions: the REPL runs on the interpreter",
        ))
    }

    fn top_level_value(&self, _name: &str) -> Option<Value> {
        None
    }

    fn ctx_mut(&mut self) -> &mut RuntimeCtx {
        &mut self.ctx
    }
}
