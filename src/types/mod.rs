//! Type inference: Hindley–Milner with classes and effects.
//!
//! [`Checker`] keeps every module checked so far (the REPL and the
//! driver's module loading call it repeatedly). A call that fails leaves
//! the checker exactly as it was before the call: nothing of a failed
//! input is committed, so the REPL can go on.

#![forbid(unsafe_code)]

mod convert;
mod data;
mod env;
mod error;
mod exceptions;
mod exhaust;
mod hints;
mod infer;
mod items;
mod mixed;
mod operators;
mod pattern;
mod print;
mod printf;
pub mod resolved;
#[allow(clippy::module_inception)]
mod types;
mod unify;
mod zonk;

#[cfg(test)]
mod resolution_tests;
#[cfg(test)]
mod tests;

pub use error::TypeError;
pub use types::{Class, ClassSet, EffVar, Effect, TyVar, Type, TypeId};

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{Expr, Item, UntypedExpr, UntypedItem};
use env::{Modules, TypeDef};
use infer::Infer;
use unify::Table;

/// What every checked expression and pattern carries. As the checked
/// [`crate::syntax::ast::Phase`] it also selects the resolutions of
/// [`resolved`] for the tree's names, fields and operators.
#[derive(Clone, Debug)]
pub struct TypeInfo {
    /// Fully resolved: no variable in it is bound. Variables left are
    /// quantified (polymorphic code) or still unknown.
    pub ty: Type,
    /// What evaluating the expression may do: `Pure`, or `Cps(answer)`
    /// when it may shift (or an effect variable in effect-polymorphic
    /// code, where it shifts exactly when the function's caller may).
    pub effect: Effect,
}

#[derive(Debug)]
pub struct CheckedModule {
    pub items: Vec<Item<TypeInfo>>,
    pub warnings: Vec<Diagnostic>,
    /// Each top-level value binding in order with its printed type
    /// (`"'a -> 'a where 'a : num"`), for `dlang check --types` and the REPL.
    pub bindings: Vec<(String, String)>,
}

/// Everything the checker knows; cloned before each call so that a failed
/// call can be undone.
#[derive(Clone, Default)]
pub(crate) struct State {
    pub table: Table,
    pub defs: Vec<TypeDef>,
    pub modules: Modules,
    pub globals: resolved::GlobalTable,
    /// The next [`resolved::LocalId`] to hand out.
    pub next_local: u32,
}

#[derive(Clone)]
pub struct Checker {
    state: State,
    startup_problems: Vec<String>,
}

impl Default for Checker {
    fn default() -> Self {
        Checker::new()
    }
}

/// Checking recurses over the program; a generous stack of its own means
/// deeply nested (or adversarial) input is an error, never a crash.
const CHECKER_STACK: usize = 256 * 1024 * 1024;

fn with_big_stack<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    let work = std::sync::Mutex::new(Some(work));
    let take = || work.lock().ok().and_then(|mut w| w.take());
    let on_thread = std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("dlang-checker".to_string())
            .stack_size(CHECKER_STACK)
            .spawn_scoped(scope, || take().map(|w| w()));
        match spawned.map(|h| h.join()) {
            Ok(Ok(result)) => result,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            // No thread (out of resources): check on this one instead.
            Err(_) => None,
        }
    });
    match on_thread {
        Some(result) => result,
        None => match take() {
            Some(w) => w(),
            None => unreachable_work_lost(),
        },
    }
}

/// The work is taken exactly once, by the thread or by the fallback.
fn unreachable_work_lost<T>() -> T {
    eprintln!("dlang: internal error: the type checker's work was lost");
    std::process::exit(70)
}

impl Checker {
    /// A checker that knows the built-in types and every primitive of
    /// `runtime::prims::PRIMS`.
    pub fn new() -> Checker {
        let mut state = State::default();
        let problems = items::load_builtins(&mut state);
        Checker {
            state,
            startup_problems: problems,
        }
    }

    /// Primitives whose declared type could not be read (a bug in the
    /// primitive table; tests assert there are none).
    pub fn startup_problems(&self) -> &[String] {
        &self.startup_problems
    }

    /// Checks a module's items. `module`: `None` for the main file or the
    /// REPL, `Some("List")` for a module whose bindings become `List.x`;
    /// the prelude is `Some("Prelude")` and is open everywhere.
    pub fn check_module(
        &mut self,
        module: Option<&str>,
        items: Vec<UntypedItem>,
    ) -> Result<CheckedModule, Vec<Diagnostic>> {
        let backup = self.state.clone();
        self.state.table.reset_work();
        let current = module.unwrap_or(env::MAIN).to_string();
        let state = &mut self.state;
        let result = with_big_stack(move || {
            let mut infer = Infer::new(state, current);
            infer.check_items(items)
        });
        match result {
            Ok(checked) => Ok(checked),
            Err(e) => {
                self.state = backup;
                Err(vec![e.to_diagnostic()])
            }
        }
    }

    /// REPL expression: returns the typed expression, its printed type and
    /// warnings.
    pub fn check_repl_expr(
        &mut self,
        expr: UntypedExpr,
    ) -> Result<(Expr<TypeInfo>, String, Vec<Diagnostic>), Vec<Diagnostic>> {
        let backup = self.state.clone();
        self.state.table.reset_work();
        let state = &mut self.state;
        let result = with_big_stack(move || {
            let mut infer = Infer::new(state, env::MAIN.to_string());
            infer.check_toplevel_expr(expr)
        });
        match result {
            Ok(checked) => Ok(checked),
            Err(e) => {
                self.state = backup;
                Err(vec![e.to_diagnostic()])
            }
        }
    }

    /// Prints a type from a [`TypeInfo`] as the user would read it.
    pub fn print_type(&self, ty: &Type) -> String {
        print::Printer::for_bindings(&self.state.table, &self.state.defs, env::MAIN).scheme(ty)
    }

    /// The values and constructors visible unqualified at top level in
    /// the main module (the REPL's scope), and each module checked so far
    /// (a stdlib module's primitives count from the start) with its own:
    /// what the REPL completes on Tab.
    pub fn names_in_scope(&self) -> (Vec<String>, Vec<(String, Vec<String>)>) {
        let modules = &self.state.modules;
        let names_of = |env: &env::ModuleEnv| -> Vec<String> {
            env.values.keys().chain(env.ctors.keys()).cloned().collect()
        };
        let visible = modules
            .search_order(env::MAIN)
            .iter()
            .filter_map(|module| modules.env(module))
            .flat_map(names_of)
            .collect();
        let members = modules
            .envs
            .iter()
            .filter(|(module, _)| !module.is_empty())
            .map(|(module, env)| (module.clone(), names_of(env)))
            .collect();
        (visible, members)
    }

    /// The module (`""` for the main file and the REPL) and name of a
    /// global binding.
    pub fn global_name(&self, id: resolved::GlobalId) -> Option<(String, String)> {
        self.state.globals.get(id)
    }
}
