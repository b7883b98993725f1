//! dlang: a small statically typed ML-family language in which every
//! program is differentiable.
//!
//! The pipeline, in the order a program goes through it: the source text is
//! parsed ([`syntax::parse`]) into an untyped AST, its imports are loaded
//! depth-first (each module before its importer), every module is checked
//! ([`types::Checker`]) into a typed AST, and only when the whole program
//! is free of static errors do the modules run on a backend
//! ([`interp::Interpreter`]). [`Session`] holds the state all of that shares:
//! the sources (for diagnostics), the checker's and the interpreter's
//! environments (the REPL keeps one session for its whole life).

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

use diagnostics::Diagnostic;
use driver::loader::{self, SourceOrigin};
use interp::Interpreter;
use runtime::ctx::RuntimeCtx;
use runtime::value::Value;
use source::SourceMap;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use syntax::ast::{Expr, Item, ItemKind, UntypedExpr, UntypedItem};
use types::{CheckedModule, Checker, TypeInfo};

/// Why a program did not run to the end.
pub enum Failure {
    /// Lexing, parsing, type or import errors: nothing ran (exit status 2).
    Static(Vec<Diagnostic>),
    /// A run-time error, with the dlang call stack in a note (exit status 1).
    Runtime(Diagnostic),
}

/// A whole program, checked and ready to run.
pub struct CheckedProgram {
    /// Every module in the order it runs: imports before their importers,
    /// the main file last (`None`: its bindings are top level).
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
}

pub struct Session {
    pub sources: SourceMap,
    checker: Checker,
    interp: Interpreter,
    /// Modules loaded so far: name → canonical path of its file.
    modules: HashMap<String, PathBuf>,
    /// The REPL runs each imported module as soon as it is checked, so a
    /// later static error in the input cannot leave the checker knowing a
    /// module the interpreter never ran; `dlang run` runs nothing until
    /// the whole program has checked.
    eager_imports: bool,
    /// The checker as it was before the last REPL items were checked: if
    /// running them fails, their bindings never existed (as in OCaml), so
    /// the checker goes back to this.
    checker_before_items: Option<Checker>,
}

impl Session {
    /// A session with the standard library checked and loaded. The error
    /// (rendered) means dlang itself is broken: its stdlib did not load.
    pub fn new(ctx: RuntimeCtx) -> Result<Session, String> {
        let mut session = Session {
            sources: SourceMap::new(),
            checker: Checker::new(),
            interp: Interpreter::new(ctx),
            modules: HashMap::new(),
            eager_imports: false,
            checker_before_items: None,
        };
        for module in stdlib::MODULES {
            if let Err(diagnostics) =
                session.load_stdlib_module(module.name, module.file, module.text)
            {
                let mut text =
                    String::from("dlang: internal error: the standard library did not load\n");
                for diagnostic in &diagnostics {
                    text.push_str(&session.render(diagnostic));
                }
                return Err(text);
            }
        }
        Ok(session)
    }

    fn load_stdlib_module(
        &mut self,
        name: &str,
        file_name: &str,
        text: &'static str,
    ) -> Result<(), Vec<Diagnostic>> {
        let file = self
            .sources
            .add(format!("<stdlib>/{file_name}"), None, text);
        let items = syntax::parse::parse_module(file, text)?;
        let checked = self.checker.check_module(Some(name), items)?;
        self.interp
            .run_module(Some(name), &checked.items)
            .map_err(|e| vec![e.to_diagnostic()])
    }

    /// Reads, parses and checks `path` and everything it imports.
    pub fn check_file(&mut self, path: &Path) -> Result<CheckedProgram, Failure> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Static(vec![loader::unreadable_main(path, &e)]))?;
        let origin = SourceOrigin::of_path(path);
        let file = self.sources.add(
            origin.display.clone(),
            Some(path.to_path_buf()),
            text.clone(),
        );
        let items = syntax::parse::parse_module(file, &text).map_err(Failure::Static)?;
        let mut program = CheckedProgram {
            modules: Vec::new(),
            warnings: Vec::new(),
            bindings: Vec::new(),
        };
        let mut chain = vec![(loader::canonical(path), origin.display.clone())];
        self.load_imports(&items, &origin, &mut chain, &mut program)?;
        let checked = self
            .checker
            .check_module(None, items)
            .map_err(Failure::Static)?;
        program.warnings.extend(checked.warnings);
        program.bindings = checked.bindings;
        program.modules.push((None, checked.items));
        Ok(program)
    }

    /// Runs a checked program's modules in order.
    pub fn run(&mut self, program: &CheckedProgram) -> Result<(), Diagnostic> {
        for (name, items) in &program.modules {
            self.interp
                .run_module(name.as_deref(), items)
                .map_err(|e| e.to_diagnostic())?;
        }
        Ok(())
    }

    /// Loads, checks and runs every module `items` import that is not
    /// loaded yet, depth-first, each before its importer. `chain` is the
    /// path of importers from the main file, to detect cycles.
    fn load_imports(
        &mut self,
        items: &[UntypedItem],
        importer: &SourceOrigin,
        chain: &mut Vec<(PathBuf, String)>,
        program: &mut CheckedProgram,
    ) -> Result<(), Failure> {
        for item in items {
            let ItemKind::Import(name) = &item.kind else {
                continue;
            };
            let (path, display) = importer.import_path(name);
            if is_stdlib_module(name) {
                return Err(Failure::Static(vec![loader::module_name_taken(
                    name,
                    "this is a standard library module",
                    item.span,
                )]));
            }
            let canonical = loader::canonical(&path);
            if let Some(start) = chain.iter().position(|(p, _)| *p == canonical) {
                let cycle: Vec<String> = chain[start..].iter().map(|(_, d)| d.clone()).collect();
                return Err(Failure::Static(vec![loader::import_cycle(
                    &cycle, item.span,
                )]));
            }
            if let Some(loaded_from) = self.modules.get(name) {
                if *loaded_from == canonical {
                    continue;
                }
                let why = format!(
                    "a module `{name}` was already loaded from `{}`",
                    loaded_from.display()
                );
                return Err(Failure::Static(vec![loader::module_name_taken(
                    name, &why, item.span,
                )]));
            }
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(Failure::Static(vec![loader::module_not_found(
                        name, &display, item.span,
                    )]))
                }
                Err(e) => {
                    return Err(Failure::Static(vec![loader::module_unreadable(
                        name, &display, &e, item.span,
                    )]))
                }
            };
            let origin = SourceOrigin {
                display: display.clone(),
                dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            };
            let file = self
                .sources
                .add(display.clone(), Some(path.clone()), text.clone());
            let module_items = syntax::parse::parse_module(file, &text).map_err(Failure::Static)?;
            chain.push((canonical.clone(), display));
            self.load_imports(&module_items, &origin, chain, program)?;
            chain.pop();
            let checked = self
                .checker
                .check_module(Some(name), module_items)
                .map_err(Failure::Static)?;
            self.modules.insert(name.clone(), canonical);
            program.warnings.extend(checked.warnings);
            if self.eager_imports {
                self.interp
                    .run_module(Some(name), &checked.items)
                    .map_err(|e| Failure::Runtime(e.to_diagnostic()))?;
            } else {
                program.modules.push((Some(name.clone()), checked.items));
            }
        }
        Ok(())
    }

    /// Makes imports run as soon as they are checked (the REPL's mode).
    pub fn set_eager_imports(&mut self, eager: bool) {
        self.eager_imports = eager;
    }

    /// Adds a piece of REPL input to the sources diagnostics can show.
    pub fn add_source(&mut self, name: String, text: &str) -> syntax::ast::FileId {
        self.sources.add(name, None, text)
    }

    /// Checks items typed at the REPL: their imports are loaded (and run:
    /// the REPL imports eagerly) first. Warnings go to `warnings` even
    /// when a later step fails.
    pub fn check_items(
        &mut self,
        items: Vec<UntypedItem>,
        origin: &SourceOrigin,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<CheckedModule, Failure> {
        let mut imported = CheckedProgram {
            modules: Vec::new(),
            warnings: Vec::new(),
            bindings: Vec::new(),
        };
        let loaded = self.load_imports(&items, origin, &mut Vec::new(), &mut imported);
        warnings.append(&mut imported.warnings);
        loaded?;
        self.checker_before_items = Some(self.checker.clone());
        let checked = self
            .checker
            .check_module(None, items)
            .map_err(Failure::Static)?;
        warnings.extend(checked.warnings.iter().cloned());
        Ok(checked)
    }

    /// Runs checked REPL items at top level.
    pub fn run_items(&mut self, checked: &CheckedModule) -> Result<(), Failure> {
        let before = self.checker_before_items.take();
        let outcome = self.interp.run_module(None, &checked.items);
        outcome.map_err(|e| {
            if let Some(before) = before {
                self.checker = before;
            }
            Failure::Runtime(e.to_diagnostic())
        })
    }

    /// Checks an expression typed at the REPL: the typed expression and
    /// its printed type; warnings go to `warnings`.
    pub fn check_expr(
        &mut self,
        expr: UntypedExpr,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<(Expr<TypeInfo>, String), Failure> {
        let (typed, ty, found) = self
            .checker
            .check_repl_expr(expr)
            .map_err(Failure::Static)?;
        warnings.extend(found);
        Ok((typed, ty))
    }

    /// Evaluates a checked REPL expression.
    pub fn eval_expr(&mut self, expr: &Expr<TypeInfo>) -> Result<Value, Failure> {
        self.interp
            .eval_repl_expr(expr)
            .map_err(|e| Failure::Runtime(e.to_diagnostic()))
    }

    /// The printed type of an expression, without evaluating it.
    pub fn type_of(&mut self, expr: UntypedExpr) -> Result<String, Failure> {
        let (_, ty, _) = self
            .checker
            .check_repl_expr(expr)
            .map_err(Failure::Static)?;
        Ok(ty)
    }

    /// The value of a top-level binding (the REPL prints it after `val`).
    pub fn lookup_global(&self, name: &str) -> Option<Value> {
        self.interp.lookup_global(name)
    }

    /// The flag Ctrl-C sets to stop the running evaluation.
    pub fn interrupt_flag(&mut self) -> Arc<AtomicBool> {
        self.interp.ctx_mut().interrupted.clone()
    }

    /// Writes out what the program printed so far; call before anything
    /// goes to stderr so the two streams interleave in order.
    pub fn flush_output(&mut self) {
        let _ = self.interp.ctx_mut().out.flush();
    }

    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        diagnostic.render(&self.sources)
    }
}

fn is_stdlib_module(name: &str) -> bool {
    stdlib::MODULES.iter().any(|m| m.name == name)
        || runtime::prims::PRIMS.iter().any(|p| p.module == name)
}
