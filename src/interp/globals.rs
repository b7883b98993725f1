//! Top-level bindings of every module, `open`, and record declarations.
//!
//! Every top-level binding gets a fresh index into one `Vec<Value>`; a
//! module's table maps names to the newest index, so a REPL redefinition
//! shadows without disturbing closures compiled against the old binding.

use std::collections::HashMap;
use std::rc::Rc;

use crate::runtime::prims::{self, Prim};
use crate::runtime::value::Value;
use crate::syntax::ast::Path;

pub const PRELUDE: &str = "Prelude";

/// What a global name resolves to.
pub enum GlobalRef {
    Binding(u32),
    Prim(&'static Prim),
}

#[derive(Clone, Default)]
struct ModuleTable {
    values: HashMap<String, u32>,
    /// Modules opened in this module, latest last.
    opens: Vec<String>,
}

#[derive(Default)]
pub struct Globals {
    pub values: Vec<Value>,
    /// Keyed by module name; the main file / REPL scope is `""`.
    modules: HashMap<String, ModuleTable>,
    /// Field name → all field names of the newest record type declaring
    /// it, in declaration order (the order records print in).
    records: HashMap<String, Rc<[Rc<str>]>>,
}

fn key(module: Option<&str>) -> &str {
    module.unwrap_or("")
}

fn prim_in(module: &str, name: &str) -> Option<&'static Prim> {
    if module == PRELUDE {
        prims::lookup(PRELUDE, name).or_else(|| prims::lookup("", name))
    } else {
        prims::lookup(module, name)
    }
}

/// The name tables at one moment (see [`Globals::snapshot`]).
pub struct Snapshot {
    modules: HashMap<String, ModuleTable>,
    records: HashMap<String, Rc<[Rc<str>]>>,
}

impl Globals {
    /// The names visible now, to go back to when a module or REPL input
    /// fails half-way: as in OCaml, its bindings then never existed.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            modules: self.modules.clone(),
            records: self.records.clone(),
        }
    }

    pub fn restore(&mut self, snapshot: Snapshot) {
        self.modules = snapshot.modules;
        self.records = snapshot.records;
    }

    /// Allocates a global for `name` in `module`, visible from now on.
    pub fn define(&mut self, module: Option<&str>, name: &str) -> u32 {
        let index = self.values.len() as u32;
        self.values.push(Value::Unit);
        self.modules
            .entry(key(module).to_string())
            .or_default()
            .values
            .insert(name.to_string(), index);
        index
    }

    pub fn open(&mut self, module: Option<&str>, opened: &str) {
        self.modules
            .entry(key(module).to_string())
            .or_default()
            .opens
            .push(opened.to_string());
    }

    pub fn declare_record(&mut self, fields: &[String]) {
        let names: Rc<[Rc<str>]> = fields.iter().map(|f| Rc::from(f.as_str())).collect();
        for field in fields {
            self.records.insert(field.clone(), names.clone());
        }
    }

    pub fn record_fields(&self, field: &str) -> Option<Rc<[Rc<str>]>> {
        self.records.get(field).cloned()
    }

    pub fn lookup_binding(&self, module: Option<&str>, name: &str) -> Option<u32> {
        self.modules.get(key(module))?.values.get(name).copied()
    }

    /// A module's member: its dlang binding, else its primitive.
    fn member(&self, module: &str, name: &str) -> Option<GlobalRef> {
        if let Some(index) = self.lookup_binding(Some(module), name) {
            return Some(GlobalRef::Binding(index));
        }
        prim_in(module, name).map(GlobalRef::Prim)
    }

    /// Resolves a non-local name as seen from code of module `current`:
    /// qualified names in their module; bare names in the current module,
    /// then its opened modules (latest first), then the prelude.
    pub fn resolve(&self, current: Option<&str>, path: &Path) -> Option<GlobalRef> {
        if !path.modules.is_empty() {
            return self.member(&path.modules.join("."), &path.name);
        }
        if let Some(index) = self.lookup_binding(current, &path.name) {
            return Some(GlobalRef::Binding(index));
        }
        if let Some(table) = self.modules.get(key(current)) {
            for opened in table.opens.iter().rev() {
                if let Some(found) = self.member(opened, &path.name) {
                    return Some(found);
                }
            }
        }
        self.member(PRELUDE, &path.name)
    }
}
