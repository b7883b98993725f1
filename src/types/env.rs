//! What names mean: type definitions, modules and their scopes.
//!
//! Unqualified names are looked up in the local scopes, then the modules
//! opened locally around the expression, then the current module's own
//! top-level bindings, then opened modules (latest first), then the
//! prelude. `M.x` looks in module `M` only.

use super::resolved::VarTarget;
use super::types::{TyVar, Type, TypeId};
use crate::syntax::ast::Path;
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct CtorDef {
    pub name: String,
    pub arg: Option<Type>,
}

#[derive(Clone, Debug)]
pub struct FieldDef {
    pub name: String,
    pub ty: Type,
    /// Declared `mutable`.
    pub mutable: bool,
}

#[derive(Clone, Debug)]
pub enum TypeDefKind {
    /// `int`, `list`, … (and `option`, whose constructors are listed as a
    /// variant so matches on it are checked for exhaustiveness).
    Builtin,
    Alias(Type),
    Variant(Vec<CtorDef>),
    Record(Vec<FieldDef>),
}

/// A type constructor. `params` are variables that occur in the body and
/// are never bound in the table: instantiating substitutes them.
#[derive(Clone, Debug)]
pub struct TypeDef {
    pub name: String,
    /// The module that declared it, `None` for the main file and builtins.
    pub module: Option<String>,
    pub params: Vec<TyVar>,
    pub kind: TypeDefKind,
}

/// A value in scope: its type, whose generic variables are quantified,
/// and what it is (a global binding or a primitive).
#[derive(Clone, Debug)]
pub struct ValueEntry {
    pub ty: Type,
    pub target: VarTarget,
}

impl ValueEntry {
    /// Primitives of a module are visible only qualified, even inside the
    /// module's own dlang source.
    fn is_prim(&self) -> bool {
        matches!(self.target, VarTarget::Prim(_))
    }
}

#[derive(Clone, Debug, Default)]
pub struct ModuleEnv {
    pub values: HashMap<String, ValueEntry>,
    pub types: HashMap<String, TypeId>,
    /// Constructor name → (its type, index among the type's constructors).
    pub ctors: HashMap<String, (TypeId, usize)>,
    /// Field name → the record type that declares it (last declared wins).
    pub fields: HashMap<String, TypeId>,
    /// Modules opened in this module, in order.
    pub opens: Vec<String>,
}

/// The persistent state of every module checked so far.
#[derive(Clone, Debug, Default)]
pub struct Modules {
    /// By module name; the main file and REPL are `""`.
    pub envs: HashMap<String, ModuleEnv>,
    /// The modules of the local opens (`let open M in e`, `M.(e)`) around
    /// the expression being checked, innermost last; empty between items.
    pub local_opens: Vec<String>,
}

pub const PRELUDE: &str = "Prelude";
pub const MAIN: &str = "";

/// Local bindings, innermost last.
#[derive(Clone, Debug, Default)]
pub struct Locals {
    entries: Vec<(String, Type, VarTarget)>,
}

impl Locals {
    /// `target`: a local, or the global a top-level `let rec` binds (seen
    /// as a local name in its own definition).
    pub fn push(&mut self, name: String, ty: Type, target: VarTarget) {
        self.entries.push((name, ty, target));
    }

    pub fn mark(&self) -> usize {
        self.entries.len()
    }

    pub fn reset_to(&mut self, mark: usize) {
        self.entries.truncate(mark);
    }

    pub fn lookup(&self, name: &str) -> Option<(&Type, VarTarget)> {
        self.entries
            .iter()
            .rev()
            .find(|(n, _, _)| n == name)
            .map(|(_, t, target)| (t, *target))
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _, _)| n.as_str())
    }
}

impl Modules {
    pub fn env(&self, module: &str) -> Option<&ModuleEnv> {
        self.envs.get(module)
    }

    pub fn env_mut(&mut self, module: &str) -> &mut ModuleEnv {
        self.envs.entry(module.to_string()).or_default()
    }

    /// The modules searched for an unqualified name from `current`, in
    /// order: the local opens around it (innermost first, so they shadow
    /// top-level names as in OCaml), itself, its opens (latest first), the
    /// prelude.
    pub fn search_order(&self, current: &str) -> Vec<String> {
        let mut order: Vec<String> = self.local_opens.iter().rev().cloned().collect();
        order.push(current.to_string());
        if let Some(env) = self.envs.get(current) {
            order.extend(env.opens.iter().rev().cloned());
        }
        order.push(PRELUDE.to_string());
        order
    }

    pub fn lookup_value(&self, current: &str, name: &str) -> Option<&ValueEntry> {
        for module in self.search_order(current) {
            let Some(env) = self.envs.get(&module) else {
                continue;
            };
            if let Some(entry) = env.values.get(name) {
                // A module's own primitives are reached only qualified.
                if module == current && entry.is_prim() && current != PRELUDE {
                    continue;
                }
                return Some(entry);
            }
        }
        None
    }

    pub fn lookup_in<T>(
        &self,
        current: &str,
        qualifier: &[String],
        pick: impl Fn(&ModuleEnv) -> Option<T>,
    ) -> Result<Option<T>, String> {
        if let Some(module) = qualifier.first() {
            let Some(env) = self
                .envs
                .get(module.as_str())
                .filter(|_| qualifier.len() == 1)
            else {
                return Err(qualifier.join("."));
            };
            return Ok(pick(env));
        }
        for module in self.search_order(current) {
            if let Some(found) = self.envs.get(&module).and_then(&pick) {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// Every value name visible unqualified, for "did you mean".
    pub fn visible_values(&self, current: &str) -> Vec<String> {
        let mut names = Vec::new();
        for module in self.search_order(current) {
            if let Some(env) = self.envs.get(&module) {
                names.extend(env.values.keys().cloned());
            }
        }
        names
    }
}

/// The module an `open` names: `M` or `A.B`.
pub fn module_name(path: &Path) -> String {
    let mut parts = path.modules.clone();
    parts.push(path.name.clone());
    parts.join(".")
}

/// The closest of `candidates` to `name`, if close enough to be a typo.
pub fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    // Suggestions for very short names are mostly noise.
    let limit = match name.chars().count() {
        0..=2 => 0,
        3..=4 => 1,
        5..=7 => 2,
        _ => 3,
    };
    if limit == 0 {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == name || candidate.starts_with('$') {
            continue;
        }
        let d = edit_distance(name, candidate);
        if d <= limit && best.is_none_or(|(bd, bc)| d < bd || (d == bd && candidate < bc)) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c.to_string())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 3 {
        return usize::MAX;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut row = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            row.push(sub.min(prev[j + 1] + 1).min(row[j] + 1));
        }
        prev = row;
    }
    prev[b.len()]
}
