//! The JIT as a [`Backend`]: the modules a program needs are kept until
//! the main module arrives; then what its top-level code reaches is
//! lowered, compiled and run. A construct outside the subset stops the
//! program with `E401` before any of it runs (there is no fallback).

#![forbid(unsafe_code)]

use super::abi::{internal, panic_message};
use super::codegen::compile_keeping;
use super::ir::FuncId;
use super::lower::{lower_program, Module};
use super::run::run;
use crate::backend::Backend;
use crate::driver::output::write_stderr;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::value::Value;
use crate::stdlib::MODULES;
use crate::syntax::ast::{Expr, Item};
use crate::types::TypeInfo;
use std::io::Write;
use std::time::{Duration, Instant};

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
    /// Set, the time of each phase is printed to stderr (`dlang run
    /// --timings`).
    timings: bool,
}

impl JitBackend {
    pub fn new(ctx: RuntimeCtx) -> JitBackend {
        JitBackend {
            ctx,
            modules: Vec::new(),
            emit: None,
            timings: false,
        }
    }

    /// Given `Some(emit)`, the backend prints the compiled program to the
    /// run's output instead of running it.
    pub fn emitting(self, emit: Option<Emit>) -> JitBackend {
        JitBackend { emit, ..self }
    }

    /// With `timings`, the backend prints to stderr how long lowering,
    /// compiling and running the main module took.
    pub fn timed(self, timings: bool) -> JitBackend {
        JitBackend { timings, ..self }
    }

    fn run_main(&mut self, items: &[Item<TypeInfo>]) -> Result<(), RuntimeError> {
        // Lowering and translation recurse over each function's tree: an
        // expression may nest as deep as the parser allows
        // (`syntax::depth::MAX_DEPTH`, as the checker's own stack is sized
        // for), deeper than the main thread's stack takes.
        stacker::grow(COMPILE_STACK_SIZE, || {
            contain_panic(|| self.compile_and_run(items))
        })
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
        self.report("lower", started.elapsed(), "");
        if self.emit == Some(Emit::Ir) {
            return self.show(&super::print::program(&program));
        }
        let keep_clif = self.emit == Some(Emit::Clif);
        let compiled = compile_keeping(program, &[FuncId(0)], keep_clif)
            .map_err(|e| RuntimeError::internal(format!("JIT: {e}")))?;
        let sites = compiled.program.grad_sites;
        let detail = format!(
            " ({} functions; grad sites: {} compiled reverse, {} tracked)",
            compiled.program.functions.len(),
            sites.compiled,
            sites.tracked
        );
        self.report("compile", compiled.compile_time, &detail);
        if keep_clif {
            return self.show(&compiled.clif.join("\n"));
        }
        let running = Instant::now();
        let outcome = run(&compiled, FuncId(0), &[], &mut self.ctx).map(|_| ());
        self.report("run", running.elapsed(), "");
        outcome
    }

    /// `phase`'s line of `dlang run --timings`.
    fn report(&mut self, phase: &str, elapsed: Duration, detail: &str) {
        if self.timings {
            // After what the program printed so far, as an error is.
            let _ = self.ctx.out.flush();
            write_stderr(&format!("{}\n", timing_line(phase, elapsed, detail)));
        }
    }

    fn show(&mut self, text: &str) -> Result<(), RuntimeError> {
        self.ctx
            .out
            .write_all(text.as_bytes())
            .map_err(|e| RuntimeError::internal(format!("writing the compiled program: {e}")))
    }
}

/// Runs `phase`, turning a Rust panic into an internal error (R099)
/// instead of letting it end the process. Lowering and Cranelift's
/// compilation run no generated code, so unwinding out of them crosses
/// Rust frames only; once generated code runs, every runtime entry
/// catches its own panics (`abi::guard`), so none reaches this far
/// through generated frames. A panic here is a bug in dlang, never the
/// user's: the message asks for a report.
pub fn contain_panic(phase: impl FnOnce() -> Result<(), RuntimeError>) -> Result<(), RuntimeError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(phase)) {
        Ok(outcome) => outcome,
        Err(payload) => Err(internal(format!(
            "panic: {}",
            panic_message(payload.as_ref())
        ))),
    }
}

/// One line of `dlang run --timings`: `timings: PHASE MS ms`, then
/// `detail`.
pub fn timing_line(phase: &str, elapsed: Duration, detail: &str) -> String {
    format!(
        "timings: {phase} {:.3} ms{detail}",
        elapsed.as_secs_f64() * 1e3
    )
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
