//! The definitional CPS interpreter.
//!
//! The typed AST is lowered once to [`code::Code`] (names resolved to
//! slots, captures and globals), then run by [`machine`], whose
//! continuation is a heap stack of [`frame::Frame`]s: `reset` pushes a
//! delimiter, `shift` cuts the frames above it into a continuation
//! (`control::CapturedContinuation`). Function values are the runtime's
//! `Closure`, whose `code` is a [`LambdaId`].

#[cfg(test)]
mod apply_tests;
mod build;
mod call;
mod code;
mod control;
mod direct;
mod frame;
mod globals;
mod grad;
mod lower;
mod machine;
mod pattern;
mod resume;
#[cfg(test)]
mod tests;

use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::function::Apply;
use crate::runtime::value::Value;
use crate::syntax::ast::{Item, ItemKind, TypeBody};

use code::{Code, LambdaId};
use globals::Globals;
use lower::Lowerer;
use machine::Machine;

pub struct Interpreter {
    code: Code,
    globals: Globals,
    machine: Machine,
    ctx: RuntimeCtx,
}

impl Interpreter {
    pub fn new(ctx: RuntimeCtx) -> Interpreter {
        let mut code = Code::default();
        let machine = Machine::new(&mut code);
        Interpreter {
            code,
            globals: Globals::default(),
            machine,
            ctx,
        }
    }

    pub fn ctx_mut(&mut self) -> &mut RuntimeCtx {
        &mut self.ctx
    }

    /// Runs a module's items in order (top-level lets evaluated, types
    /// registered, open applied). `module`: None = main file/REPL top
    /// level, Some("List") = bindings become List.x, Some("Prelude") =
    /// open everywhere.
    pub fn run_module<A>(
        &mut self,
        module: Option<&str>,
        items: &[Item<A>],
    ) -> Result<(), RuntimeError> {
        let before = self.globals.snapshot();
        let result = self.run_items(module, items);
        if result.is_err() {
            self.globals.restore(before);
        }
        result
    }

    fn run_items<A>(
        &mut self,
        module: Option<&str>,
        items: &[Item<A>],
    ) -> Result<(), RuntimeError> {
        for item in items {
            match &item.kind {
                ItemKind::Let(group) if group.recursive => self.run_let_rec(module, group)?,
                ItemKind::Let(group) => self.run_let(module, group)?,
                ItemKind::Type(decls) => {
                    for decl in decls {
                        if let TypeBody::Record(fields) = &decl.body {
                            let names: Vec<String> =
                                fields.iter().map(|f| f.name.clone()).collect();
                            self.globals.declare_record(&names);
                        }
                    }
                }
                ItemKind::Open(path) => {
                    let mut name = path.modules.clone();
                    name.push(path.name.clone());
                    self.globals.open(module, &name.join("."));
                }
                // The driver has already run the imported module.
                ItemKind::Import(_) => {}
            }
        }
        Ok(())
    }

    fn run_let<A>(
        &mut self,
        module: Option<&str>,
        group: &crate::syntax::ast::LetGroup<A>,
    ) -> Result<(), RuntimeError> {
        // Every right-hand side sees the bindings from before the group.
        let mut lowered = Vec::new();
        for binding in &group.bindings {
            let mut lowerer = Lowerer::new(&mut self.code, &self.globals, &mut self.ctx, module);
            lowered.push(lowerer.lower_top_binding(binding)?);
        }
        let mut results = Vec::new();
        for top in lowered {
            let value = self.run_lambda(top.lambda)?;
            let size = self.code.lambda(top.lambda).frame_size as usize;
            let mut slots = vec![Value::Unit; size];
            if !pattern::match_pattern(&top.pat, &value, &mut slots) {
                return Err(RuntimeError::match_failure(
                    "the value does not match the pattern of this `let`",
                )
                .at(top.span));
            }
            results.push((top.names, slots));
        }
        for (names, slots) in results {
            for (name, slot) in names {
                let index = self.globals.define(module, &name);
                let value = slots.get(slot as usize).cloned().unwrap_or(Value::Unit);
                self.globals.values[index as usize] = value;
            }
        }
        Ok(())
    }

    fn run_let_rec<A>(
        &mut self,
        module: Option<&str>,
        group: &crate::syntax::ast::LetGroup<A>,
    ) -> Result<(), RuntimeError> {
        let mut targets = Vec::new();
        for binding in &group.bindings {
            let name = lower::binding_name(&binding.pattern).ok_or_else(|| {
                RuntimeError::internal("`let rec` must bind a name").at(binding.span)
            })?;
            targets.push((self.globals.define(module, name), name));
        }
        for (binding, (index, name)) in group.bindings.iter().zip(targets) {
            let mut lowerer = Lowerer::new(&mut self.code, &self.globals, &mut self.ctx, module);
            let lambda = lowerer.lower_thunk(&binding.expr, Some(name))?;
            let value = self.run_lambda(lambda)?;
            self.globals.values[index as usize] = value;
        }
        Ok(())
    }

    /// REPL: evaluate an expression at top level.
    pub fn eval_repl_expr<A>(
        &mut self,
        expr: &crate::syntax::ast::Expr<A>,
    ) -> Result<Value, RuntimeError> {
        let mut lowerer = Lowerer::new(&mut self.code, &self.globals, &mut self.ctx, None);
        let lambda = lowerer.lower_thunk(expr, None)?;
        self.run_lambda(lambda)
    }

    /// Value of a top-level binding of the main scope (REPL prints it).
    pub fn lookup_global(&self, name: &str) -> Option<Value> {
        let index = self.globals.lookup_binding(None, name)?;
        self.globals.values.get(index as usize).cloned()
    }

    fn run_lambda(&mut self, lambda: LambdaId) -> Result<Value, RuntimeError> {
        self.machine
            .run(&self.code, &self.globals.values, &mut self.ctx, lambda)
    }
}

impl Apply for Interpreter {
    /// Calls a function value from outside any run (an embedder, a test).
    fn apply(&mut self, f: &Value, arg: Value) -> Result<Value, RuntimeError> {
        self.machine
            .call(&self.code, &self.globals.values, &mut self.ctx, f, arg)
    }
}
