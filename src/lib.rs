//! dlang: a small statically typed ML-family language in which every
//! program is differentiable.
//!
//! The pipeline, in the order a program goes through it: the source text
//! is parsed ([`syntax::parse`]) into an untyped AST; the
//! [`driver::loader::Loader`] loads the modules it needs (its imports,
//! depth-first, and the standard library modules it uses), each checked
//! ([`types::Checker`]) into a typed AST before the modules that use it;
//! and only when the whole program is free of static errors do the modules
//! run, in that order, on a [`backend::Backend`] (the interpreter,
//! [`interp::Interpreter`], until the JIT is built). `dlang check` stops
//! before any backend ([`check_program`]). A [`Session`] holds what the
//! pipeline keeps between inputs: the loader and the backend (the REPL keeps
//! one session for its whole life). docs/architecture.md draws the whole.

pub mod backend;
pub mod diagnostics;
pub mod driver;
pub mod interp;
pub mod jit;
pub mod repl;
pub mod runtime;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod types;

use backend::Backend;
use diagnostics::Diagnostic;
use driver::loader::{Dependency, Loader, SourceOrigin};
use runtime::value::Value;
use std::io::Write;
use std::path::Path;
use syntax::ast::{Expr, FileId, Item, UntypedExpr, UntypedItem};
use types::{CheckedModule, Checker, TypeInfo};

/// Why a program did not run to the end.
pub enum Failure {
    /// Lexing, parsing, type or import errors: nothing ran (exit status 2).
    Static(Vec<Diagnostic>),
    /// A run-time error, with the dlang call stack in a note (exit status 1).
    Runtime(Diagnostic),
}

/// A whole program, checked and ready to run.
#[derive(Default)]
pub struct CheckedProgram {
    /// Every module not run yet, in the order it runs: each after the
    /// modules it uses, the main file last (`None`: its bindings are top
    /// level).
    modules: Vec<(Option<String>, Vec<Item<TypeInfo>>)>,
    /// Warnings of every module, in the order they were found.
    pub warnings: Vec<Diagnostic>,
    /// The main file's top-level bindings and their printed types.
    pub bindings: Vec<(String, String)>,
}

impl CheckedProgram {
    /// The main file's checked items.
    pub fn main_items(&self) -> &[Item<TypeInfo>] {
        self.modules
            .last()
            .map_or(&[], |(_, items)| items.as_slice())
    }

    fn add_main(&mut self, main: CheckedModule) {
        self.warnings.extend(main.warnings);
        self.bindings = main.bindings;
        self.modules.push((None, main.items));
    }
}

/// Checks the file at `path` and every module it needs, running nothing:
/// `dlang check`, and `dlang run` before it runs the program.
pub fn check_program(loader: &mut Loader, path: &Path) -> Result<CheckedProgram, Failure> {
    let mut program = CheckedProgram::default();
    let main = loader.check_file(path, &mut |dependency| {
        program.warnings.extend(dependency.warnings);
        program
            .modules
            .push((Some(dependency.name), dependency.items));
        Ok(())
    })?;
    program.add_main(main);
    Ok(program)
}

pub struct Session {
    loader: Loader,
    backend: Box<dyn Backend>,
    /// The checker as it was before the last REPL items were checked: if
    /// running them fails, their bindings never existed (as in OCaml), so
    /// the checker goes back to this.
    checker_before_items: Option<Checker>,
}

impl Session {
    /// A session running programs on `backend`. The standard library is
    /// loaded as programs use it.
    pub fn new(backend: Box<dyn Backend>) -> Session {
        Session {
            loader: Loader::new(),
            backend,
            checker_before_items: None,
        }
    }

    /// Reads and checks `path` and everything it needs; nothing runs
    /// until [`Session::run`], so a program with a static error prints
    /// nothing (`dlang run`).
    pub fn check_file(&mut self, path: &Path) -> Result<CheckedProgram, Failure> {
        check_program(&mut self.loader, path)
    }

    /// [`Session::check_file`] for the REPL's `:load`: each module the
    /// file needs runs as soon as it is checked, so a static error later
    /// in the file cannot leave the checker knowing a module the backend
    /// never ran. [`Session::run`] then runs the file itself.
    pub fn check_file_running_imports(&mut self, path: &Path) -> Result<CheckedProgram, Failure> {
        let mut program = CheckedProgram::default();
        let backend = &mut *self.backend;
        let main = self.loader.check_file(path, &mut |dependency| {
            run_now(backend, dependency, &mut program.warnings)
        })?;
        program.add_main(main);
        Ok(program)
    }

    /// Runs a checked program's modules in order.
    pub fn run(&mut self, program: &CheckedProgram) -> Result<(), Diagnostic> {
        for (name, items) in &program.modules {
            self.backend
                .run_module(name.as_deref(), items)
                .map_err(|e| e.to_diagnostic())?;
        }
        Ok(())
    }

    /// Adds a piece of REPL input to the sources diagnostics can show.
    pub fn add_source(&mut self, name: String, text: &str) -> FileId {
        self.loader.add_source(name, text)
    }

    /// Checks items typed at the REPL after loading (and running) what
    /// they need. Warnings go to `warnings` even when a later step fails.
    pub fn check_items(
        &mut self,
        items: Vec<UntypedItem>,
        origin: &SourceOrigin,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<CheckedModule, Failure> {
        let backend = &mut *self.backend;
        self.loader
            .load_dependencies_of_items(&items, origin, &mut |dependency| {
                run_now(backend, dependency, warnings)
            })?;
        self.checker_before_items = Some(self.loader.checker().clone());
        let checked = self.loader.check_items(items)?;
        warnings.extend(checked.warnings.iter().cloned());
        Ok(checked)
    }

    /// Runs checked REPL items at top level.
    pub fn run_items(&mut self, checked: &CheckedModule) -> Result<(), Failure> {
        let before = self.checker_before_items.take();
        let outcome = self.backend.run_module(None, &checked.items);
        outcome.map_err(|e| {
            if let Some(before) = before {
                self.loader.restore_checker(before);
            }
            Failure::Runtime(e.to_diagnostic())
        })
    }

    /// Checks an expression typed at the REPL after loading (and running)
    /// what it needs: the typed expression and its printed type; warnings
    /// go to `warnings`.
    pub fn check_expr(
        &mut self,
        expr: UntypedExpr,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<(Expr<TypeInfo>, String), Failure> {
        let backend = &mut *self.backend;
        self.loader
            .load_dependencies_of_expr(&expr, &mut |dependency| {
                run_now(backend, dependency, warnings)
            })?;
        let (typed, ty, found) = self.loader.check_expr(expr)?;
        warnings.extend(found);
        Ok((typed, ty))
    }

    /// Evaluates a checked REPL expression.
    pub fn eval_expr(&mut self, expr: &Expr<TypeInfo>) -> Result<Value, Failure> {
        self.backend
            .eval_expr(expr)
            .map_err(|e| Failure::Runtime(e.to_diagnostic()))
    }

    /// The printed type of an expression, without evaluating it.
    pub fn type_of(&mut self, expr: UntypedExpr) -> Result<String, Failure> {
        self.check_expr(expr, &mut Vec::new()).map(|(_, ty)| ty)
    }

    /// The value of a top-level binding (the REPL prints it after `val`).
    pub fn top_level_value(&self, name: &str) -> Option<Value> {
        self.backend.top_level_value(name)
    }

    /// The checker with everything checked so far (the REPL completes
    /// names from its scope).
    pub fn checker(&self) -> &Checker {
        self.loader.checker()
    }

    /// Writes out what the program printed so far; call before anything
    /// goes to stderr so the two streams interleave in order.
    pub fn flush_output(&mut self) {
        let _ = self.backend.ctx_mut().out.flush();
    }

    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        self.loader.render(diagnostic)
    }
}

/// Runs a module the input needs as soon as it is checked.
fn run_now(
    backend: &mut dyn Backend,
    dependency: Dependency,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(), Failure> {
    warnings.extend(dependency.warnings);
    backend
        .run_module(Some(&dependency.name), &dependency.items)
        .map_err(|e| Failure::Runtime(e.to_diagnostic()))
}
