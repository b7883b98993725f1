//! The JIT as a [`Backend`]: the modules a program needs are kept until
//! the main module arrives; then what its top-level code reaches is
//! lowered, compiled and run. A construct outside the subset stops the
//! program with `E401` before any of it runs (there is no fallback).

#![forbid(unsafe_code)]

use super::codegen::compile;
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

pub struct JitBackend {
    ctx: RuntimeCtx,
    /// The modules run so far, by name, waiting for the main module.
    modules: Vec<(String, Vec<Item<TypeInfo>>)>,
}

impl JitBackend {
    pub fn new(ctx: RuntimeCtx) -> JitBackend {
        JitBackend {
            ctx,
            modules: Vec::new(),
        }
    }

    fn run_main(&mut self, items: &[Item<TypeInfo>]) -> Result<(), RuntimeError> {
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
        let compiled = compile(program, &[FuncId(0)])
            .map_err(|e| RuntimeError::internal(format!("JIT: {e}")))?;
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
