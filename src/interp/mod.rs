//! The definitional CPS interpreter.
//!
//! The checked tree is lowered once to [`code::Code`] (the checker's
//! resolutions turned into slots, captures and global indices), then run
//! by [`machine`], whose
//! continuation is a heap stack of [`frame::Frame`]s: `reset` pushes a
//! delimiter, `shift` cuts the frames above it into a continuation
//! (`control::CapturedContinuation`). Function values are the runtime's
//! `Closure`, whose `code` is a [`LambdaId`].

#![forbid(unsafe_code)]

#[cfg(test)]
mod apply_tests;
mod backend;
mod build;
mod call;
mod code;
mod control;
mod direct;
mod frame;
mod grad;
mod handler;
mod lower;
mod machine;
mod native;
mod pattern;
mod resume;
mod sort;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::{RuntimeError, Unmatched};
use crate::runtime::function::Apply;
use crate::runtime::value::{RecordLayout, Value};
use crate::syntax::ast::{Expr, Item, ItemKind, LetGroup, TypeBody};
use crate::types::resolved::{Binder, GlobalId};
use crate::types::{TypeId, TypeInfo};

use code::{Code, LambdaId};
use lower::Lowerer;
use machine::Machine;

pub struct Interpreter {
    code: Code,
    /// The value of every global, by the checker's id (`Unit` until its
    /// binding has run).
    globals: Vec<Value>,
    /// The layout of every record type declared so far.
    layouts: HashMap<TypeId, RecordLayout>,
    /// The newest global of each name of the main scope, for
    /// [`Interpreter::lookup_global`].
    main_names: HashMap<String, GlobalId>,
    machine: Machine,
    ctx: RuntimeCtx,
}

impl Interpreter {
    pub fn new(ctx: RuntimeCtx) -> Interpreter {
        let mut code = Code::default();
        let machine = Machine::new(&mut code);
        Interpreter {
            code,
            globals: Vec::new(),
            layouts: HashMap::new(),
            main_names: HashMap::new(),
            machine,
            ctx,
        }
    }

    pub fn ctx_mut(&mut self) -> &mut RuntimeCtx {
        &mut self.ctx
    }

    /// Runs a module's checked items in order (top-level lets evaluated,
    /// record layouts registered). `module`: None = main file/REPL top
    /// level, Some("List") = its functions are named `List.f` in traces.
    pub fn run_module(
        &mut self,
        module: Option<&str>,
        items: &[Item<TypeInfo>],
    ) -> Result<(), RuntimeError> {
        // As in OCaml, the bindings of a module or REPL input that fails
        // half-way never existed.
        let before = self.main_names.clone();
        let result = self.run_items(module, items);
        if result.is_err() {
            self.main_names = before;
        }
        result
    }

    fn run_items(
        &mut self,
        module: Option<&str>,
        items: &[Item<TypeInfo>],
    ) -> Result<(), RuntimeError> {
        for item in items {
            match &item.kind {
                ItemKind::Let(group) if group.recursive => self.run_let_rec(module, group)?,
                ItemKind::Let(group) => self.run_let(module, group)?,
                // The constructor is the checker's; nothing runs.
                ItemKind::Exception(_) => {}
                ItemKind::Type(decls, ids) => {
                    for (decl, id) in decls.iter().zip(ids) {
                        if let TypeBody::Record(fields) = &decl.body {
                            let layout = crate::runtime::data::record_layout(fields);
                            self.layouts.insert(*id, layout);
                        }
                    }
                }
                // Names are resolved by the checker; the driver has
                // already run an imported module.
                ItemKind::Open(_) | ItemKind::Import(_) => {}
            }
        }
        Ok(())
    }

    fn define(&mut self, module: Option<&str>, id: GlobalId, name: &str, value: Value) {
        let value = native::replacement(module, name).unwrap_or(value);
        let index = id.0 as usize;
        if self.globals.len() <= index {
            self.globals.resize(index + 1, Value::Unit);
        }
        self.globals[index] = value;
        if module.is_none() {
            self.main_names.insert(name.to_string(), id);
        }
    }

    fn run_let(
        &mut self,
        module: Option<&str>,
        group: &LetGroup<TypeInfo>,
    ) -> Result<(), RuntimeError> {
        // Every right-hand side sees the bindings from before the group.
        let mut lowered = Vec::new();
        for binding in &group.bindings {
            let mut lowerer = Lowerer::new(&mut self.code, &self.layouts, module);
            lowered.push((lowerer.lower_top_binding(binding)?, &binding.pattern));
        }
        let mut results = Vec::new();
        for (top, pattern) in lowered {
            let value = self.run_lambda(top.lambda)?;
            let size = self.code.lambda(top.lambda).frame_size as usize;
            let mut slots = vec![Value::Unit; size];
            if !pattern::match_pattern(&top.pat, &value, &mut slots) {
                return Err(
                    RuntimeError::match_failure(Unmatched::TopLevelLet, &value).at(top.span)
                );
            }
            results.push((top.globals, slots, pattern));
        }
        for (globals, slots, pattern) in results {
            for (id, slot) in globals {
                let value = slots.get(slot as usize).cloned().unwrap_or(Value::Unit);
                let name = lower::bound_name(pattern, Binder::Global(id)).unwrap_or_default();
                self.define(module, id, name, value);
            }
        }
        Ok(())
    }

    fn run_let_rec(
        &mut self,
        module: Option<&str>,
        group: &LetGroup<TypeInfo>,
    ) -> Result<(), RuntimeError> {
        for binding in &group.bindings {
            let Some((name, Binder::Global(id))) = lower::binding_name(&binding.pattern) else {
                return Err(RuntimeError::internal("`let rec` must bind a name").at(binding.span));
            };
            let mut lowerer = Lowerer::new(&mut self.code, &self.layouts, module);
            let lambda = lowerer.lower_thunk(&binding.expr, Some(name))?;
            let value = self.run_lambda(lambda)?;
            self.define(module, id, name, value);
        }
        Ok(())
    }

    /// REPL: evaluate an expression at top level.
    pub fn eval_repl_expr(&mut self, expr: &Expr<TypeInfo>) -> Result<Value, RuntimeError> {
        let mut lowerer = Lowerer::new(&mut self.code, &self.layouts, None);
        let lambda = lowerer.lower_thunk(expr, None)?;
        self.run_lambda(lambda)
    }

    /// Value of a top-level binding of the main scope (REPL prints it).
    pub fn lookup_global(&self, name: &str) -> Option<Value> {
        let id = self.main_names.get(name)?;
        self.globals.get(id.0 as usize).cloned()
    }

    fn run_lambda(&mut self, lambda: LambdaId) -> Result<Value, RuntimeError> {
        self.machine
            .run(&self.code, &self.globals, &mut self.ctx, lambda)
    }
}

impl Apply for Interpreter {
    /// Calls a function value from outside any run (an embedder, a test).
    fn apply(&mut self, f: &Value, arg: Value) -> Result<Value, RuntimeError> {
        self.machine
            .call(&self.code, &self.globals, &mut self.ctx, f, arg)
    }
}
