//! Loading a program's modules: the file asked for, the files it imports
//! (depth-first, each module before its importer), and the standard
//! library modules each of them uses; and the import errors (`E3xx`).
//!
//! `import Util` loads `util.dl` (the module name with its first letter
//! lowercased) from the directory of the importing file; the REPL imports
//! from the working directory. A stdlib module is loaded the first time
//! a module uses it (see [`super::stdlib_use`]), the prelude before
//! anything else.

use super::stdlib_use;
use crate::diagnostics::Diagnostic;
use crate::runtime::prims::PRIMS;
use crate::source::SourceMap;
use crate::stdlib::MODULES;
use crate::syntax::ast::{Expr, FileId, Item, ItemKind, Span, UntypedExpr, UntypedItem};
use crate::syntax::parse::parse_named_module;
use crate::types::{CheckedModule, Checker, TypeInfo};
use crate::Failure;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The main source file cannot be read (exit status 2, like a missing
/// source file for `ocaml`).
pub const E_UNREADABLE_MAIN: &str = "E300";
/// `import Util` but no `util.dl` beside the importing file.
pub const E_MODULE_NOT_FOUND: &str = "E301";
/// A module imports itself, directly or through others.
pub const E_IMPORT_CYCLE: &str = "E302";
/// The module's file exists but cannot be read (permissions, not UTF-8).
pub const E_MODULE_UNREADABLE: &str = "E303";
/// The name is a standard library module, or another file already
/// provides a module of that name.
pub const E_MODULE_NAME_TAKEN: &str = "E304";

/// A module checked on the way to the one asked for. Each is handed over
/// before any module that uses it is checked: the order they must run in.
pub struct Dependency {
    /// `List`, `Util`.
    pub name: String,
    pub items: Vec<Item<TypeInfo>>,
    /// Empty for a stdlib module: its warnings are not the user's.
    pub warnings: Vec<Diagnostic>,
}

/// What the caller does with each [`Dependency`] once it is checked: run
/// it at once, or keep it to run later.
pub type OnChecked<'a> = dyn FnMut(Dependency) -> Result<(), Failure> + 'a;

/// The front half of the pipeline, kept from one input to the next: the
/// sources read, the checker with every module checked so far, and which
/// modules those are.
pub struct Loader {
    pub sources: SourceMap,
    checker: Checker,
    /// Modules loaded from files: name → canonical path of the file.
    files: HashMap<String, PathBuf>,
    /// Which of the stdlib's [`MODULES`] are checked, by index.
    stdlib_checked: Vec<bool>,
}

impl Default for Loader {
    fn default() -> Self {
        Loader::new()
    }
}

impl Loader {
    /// Nothing loaded yet, not even the prelude: that comes with the first
    /// input.
    pub fn new() -> Loader {
        Loader {
            sources: SourceMap::new(),
            checker: Checker::new(),
            files: HashMap::new(),
            stdlib_checked: vec![false; MODULES.len()],
        }
    }

    /// Reads, parses and checks the file at `path` after every module it
    /// needs, which go to `on_checked`; returns the file's checked items.
    pub fn check_file(
        &mut self,
        path: &Path,
        on_checked: &mut OnChecked,
    ) -> Result<CheckedModule, Failure> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Static(vec![unreadable_main(path, &e)]))?;
        let origin = SourceOrigin::of_path(path);
        let file = self.sources.add(origin.display.clone(), text.clone());
        let items = parse_named_module(file, &origin.display, &text).map_err(Failure::Static)?;
        let mut chain = vec![(canonical(path), origin.display.clone())];
        self.load_imports(&items, &origin, &mut chain, on_checked)?;
        self.load_stdlib(&stdlib_use::modules_used_by_items(&items), on_checked)?;
        self.checker
            .check_module(None, items)
            .map_err(Failure::Static)
    }

    /// Loads what REPL items need (their imports and the stdlib modules
    /// they use); checking them is the caller's next step.
    pub fn load_dependencies_of_items(
        &mut self,
        items: &[UntypedItem],
        origin: &SourceOrigin,
        on_checked: &mut OnChecked,
    ) -> Result<(), Failure> {
        self.load_imports(items, origin, &mut Vec::new(), on_checked)?;
        self.load_stdlib(&stdlib_use::modules_used_by_items(items), on_checked)
    }

    /// Loads the stdlib modules a REPL expression uses.
    pub fn load_dependencies_of_expr(
        &mut self,
        expr: &UntypedExpr,
        on_checked: &mut OnChecked,
    ) -> Result<(), Failure> {
        self.load_stdlib(&stdlib_use::modules_used_by_expr(expr), on_checked)
    }

    /// Checks REPL items whose dependencies are loaded.
    pub fn check_items(&mut self, items: Vec<UntypedItem>) -> Result<CheckedModule, Failure> {
        self.checker
            .check_module(None, items)
            .map_err(Failure::Static)
    }

    /// Checks a REPL expression whose dependencies are loaded: the typed
    /// expression, its printed type, its warnings.
    pub fn check_expr(
        &mut self,
        expr: UntypedExpr,
    ) -> Result<(Expr<TypeInfo>, String, Vec<Diagnostic>), Failure> {
        self.checker.check_repl_expr(expr).map_err(Failure::Static)
    }

    pub fn checker(&self) -> &Checker {
        &self.checker
    }

    /// Puts the checker back as it was (the REPL forgets items that
    /// failed to run).
    pub fn restore_checker(&mut self, checker: Checker) {
        self.checker = checker;
    }

    pub fn add_source(&mut self, name: String, text: &str) -> FileId {
        self.sources.add(name, text)
    }

    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        diagnostic.render(&self.sources)
    }

    /// Loads every module `items` import that is not loaded yet,
    /// depth-first, each before its importer. `chain` is the path of
    /// importers from the main file, to detect cycles.
    fn load_imports(
        &mut self,
        items: &[UntypedItem],
        importer: &SourceOrigin,
        chain: &mut Vec<(PathBuf, String)>,
        on_checked: &mut OnChecked,
    ) -> Result<(), Failure> {
        for item in items {
            let ItemKind::Import(name) = &item.kind else {
                continue;
            };
            let (path, display) = importer.import_path(name);
            if is_stdlib_module(name) {
                return Err(Failure::Static(vec![module_name_taken(
                    name,
                    "this is a standard library module",
                    item.span,
                )]));
            }
            let canonical = canonical(&path);
            if let Some(start) = chain.iter().position(|(p, _)| *p == canonical) {
                let cycle: Vec<String> = chain[start..].iter().map(|(_, d)| d.clone()).collect();
                return Err(Failure::Static(vec![import_cycle(&cycle, item.span)]));
            }
            if let Some(loaded_from) = self.files.get(name) {
                if *loaded_from == canonical {
                    continue;
                }
                let why = format!(
                    "a module `{name}` was already loaded from `{}`",
                    loaded_from.display()
                );
                return Err(Failure::Static(vec![module_name_taken(
                    name, &why, item.span,
                )]));
            }
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(Failure::Static(vec![module_not_found(
                        name, &display, item.span,
                    )]))
                }
                Err(e) => {
                    return Err(Failure::Static(vec![module_unreadable(
                        name, &display, &e, item.span,
                    )]))
                }
            };
            let origin = SourceOrigin {
                display: display.clone(),
                dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            };
            let file = self.sources.add(display.clone(), text.clone());
            let module_items =
                parse_named_module(file, &display, &text).map_err(Failure::Static)?;
            chain.push((canonical.clone(), display));
            self.load_imports(&module_items, &origin, chain, on_checked)?;
            chain.pop();
            self.load_stdlib(
                &stdlib_use::modules_used_by_items(&module_items),
                on_checked,
            )?;
            let checked = self
                .checker
                .check_module(Some(name), module_items)
                .map_err(Failure::Static)?;
            self.files.insert(name.clone(), canonical);
            on_checked(Dependency {
                name: name.clone(),
                items: checked.items,
                warnings: checked.warnings,
            })?;
        }
        Ok(())
    }

    /// Loads the prelude, then the stdlib modules `used` (indices in
    /// [`MODULES`]) that are not loaded yet.
    fn load_stdlib(&mut self, used: &[usize], on_checked: &mut OnChecked) -> Result<(), Failure> {
        self.load_stdlib_module(0, on_checked)?;
        for &index in used {
            self.load_stdlib_module(index, on_checked)?;
        }
        Ok(())
    }

    /// Loads one stdlib module after the modules it uses. A stdlib file
    /// sees only the modules before it in [`MODULES`] (and those cannot
    /// use it back, so this terminates).
    fn load_stdlib_module(
        &mut self,
        index: usize,
        on_checked: &mut OnChecked,
    ) -> Result<(), Failure> {
        if self.stdlib_checked[index] {
            return Ok(());
        }
        let module = &MODULES[index];
        let file = self
            .sources
            .add(format!("<stdlib>/{}", module.file), module.text);
        let name = format!("<stdlib>/{}", module.file);
        let items = parse_named_module(file, &name, module.text).map_err(stdlib_broken)?;
        if index > 0 {
            self.load_stdlib_module(0, on_checked)?;
        }
        for used in stdlib_use::modules_used_by_items(&items) {
            if used < index {
                self.load_stdlib_module(used, on_checked)?;
            }
        }
        let checked = self
            .checker
            .check_module(Some(module.name), items)
            .map_err(stdlib_broken)?;
        self.stdlib_checked[index] = true;
        on_checked(Dependency {
            name: module.name.to_string(),
            items: checked.items,
            warnings: Vec::new(),
        })
    }
}

/// A static error in the standard library is a bug in dlang, not in the
/// program that made it load; tests check every stdlib module loads.
fn stdlib_broken(diagnostics: Vec<Diagnostic>) -> Failure {
    Failure::Static(
        diagnostics
            .into_iter()
            .map(|d| d.with_note("dlang: internal error: the standard library did not load"))
            .collect(),
    )
}

fn is_stdlib_module(name: &str) -> bool {
    MODULES.iter().any(|m| m.name == name) || PRIMS.iter().any(|p| p.module == name)
}

/// A source file being loaded: what diagnostics call it and where it is.
#[derive(Clone, Debug)]
pub struct SourceOrigin {
    /// The path as the user gave it (or derived from the importer's).
    pub display: String,
    /// The directory its imports are resolved in.
    pub dir: PathBuf,
}

impl SourceOrigin {
    pub fn of_path(path: &Path) -> SourceOrigin {
        SourceOrigin {
            display: path.display().to_string(),
            dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        }
    }

    /// REPL input: imports come from the working directory.
    pub fn repl() -> SourceOrigin {
        SourceOrigin {
            display: "<repl>".to_string(),
            dir: PathBuf::new(),
        }
    }

    /// Where `import name` looks, and what diagnostics call that file.
    pub fn import_path(&self, module: &str) -> (PathBuf, String) {
        let file = module_file_name(module);
        let path = self.dir.join(&file);
        (path.clone(), path.display().to_string())
    }
}

/// `Util` → `util.dl`, `MyLib` → `myLib.dl`.
pub fn module_file_name(module: &str) -> String {
    let mut chars = module.chars();
    match chars.next() {
        Some(first) => format!("{}{}.dl", first.to_lowercase(), chars.as_str()),
        None => ".dl".to_string(),
    }
}

/// The canonical form of a path, used to recognise the same file reached
/// by two routes (`./a.dl`, `dir/../a.dl`).
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

pub fn unreadable_main(path: &Path, error: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        E_UNREADABLE_MAIN,
        format!(
            "cannot read `{}`: {}",
            path.display(),
            describe_io_error(error)
        ),
    )
}

pub fn module_not_found(module: &str, looked_at: &str, at: Span) -> Diagnostic {
    Diagnostic::error(E_MODULE_NOT_FOUND, format!("cannot find module `{module}`"))
        .with_label(at, format!("no file `{looked_at}`"))
        .with_note(format!(
            "`import {module}` loads `{}` from the directory of the importing file",
            module_file_name(module)
        ))
}

pub fn module_unreadable(module: &str, path: &str, error: &std::io::Error, at: Span) -> Diagnostic {
    Diagnostic::error(
        E_MODULE_UNREADABLE,
        format!(
            "cannot read module `{module}` from `{path}`: {}",
            describe_io_error(error)
        ),
    )
    .with_label(at, "imported here")
}

/// `chain` lists the files from the one first imported in the cycle to
/// the importer that closes it.
pub fn import_cycle(chain: &[String], at: Span) -> Diagnostic {
    let mut cycle = chain.join(" → ");
    if let Some(first) = chain.first() {
        cycle.push_str(" → ");
        cycle.push_str(first);
    }
    Diagnostic::error(E_IMPORT_CYCLE, format!("import cycle: {cycle}"))
        .with_label(at, "this import closes the cycle")
        .with_note("a module cannot import itself, directly or through other modules; move the shared part into a module of its own")
}

pub fn module_name_taken(module: &str, why: &str, at: Span) -> Diagnostic {
    Diagnostic::error(
        E_MODULE_NAME_TAKEN,
        format!("module name `{module}` is already taken"),
    )
    .with_label(at, why.to_string())
}

fn describe_io_error(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::InvalidData => "the file is not valid UTF-8".to_string(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::Interpreter;
    use crate::runtime::ctx::RuntimeCtx;

    /// Loads the stdlib modules `wanted` (by name), checking only; the
    /// names of the modules loaded, in order.
    fn load_order(loader: &mut Loader, wanted: &[&str]) -> Vec<String> {
        let indices: Vec<usize> = wanted
            .iter()
            .map(|w| {
                MODULES
                    .iter()
                    .position(|m| m.name == *w)
                    .expect("a stdlib module")
            })
            .collect();
        let mut loaded = Vec::new();
        let outcome = loader.load_stdlib(&indices, &mut |dependency| {
            loaded.push(dependency.name);
            Ok(())
        });
        assert!(outcome.is_ok(), "the stdlib did not load");
        loaded
    }

    #[test]
    fn every_stdlib_module_checks_and_runs_in_load_order() {
        let mut loader = Loader::new();
        let (ctx, _) = RuntimeCtx::capturing();
        let mut interp = Interpreter::new(ctx);
        let all: Vec<usize> = (0..MODULES.len()).collect();
        let mut loaded = Vec::new();
        let outcome = loader.load_stdlib(&all, &mut |dependency| {
            loaded.push(dependency.name.clone());
            interp
                .run_module(Some(&dependency.name), &dependency.items)
                .map_err(|e| Failure::Runtime(e.to_diagnostic()))
        });
        match outcome {
            Ok(()) => {}
            Err(Failure::Static(diagnostics)) => panic!(
                "{}",
                diagnostics
                    .iter()
                    .map(|d| loader.render(d))
                    .collect::<String>()
            ),
            Err(Failure::Runtime(diagnostic)) => panic!("{}", loader.render(&diagnostic)),
        }
        let names: Vec<&str> = MODULES.iter().map(|m| m.name).collect();
        assert_eq!(loaded, names);
    }

    #[test]
    fn a_stdlib_module_loads_once_after_the_modules_it_uses() {
        let mut loader = Loader::new();
        assert_eq!(
            load_order(&mut loader, &["NN"]),
            ["Prelude", "List", "Tensor", "NN"]
        );
        assert_eq!(load_order(&mut loader, &["List", "Option"]), ["Option"]);
        assert!(load_order(&mut loader, &["NN"]).is_empty());
    }

    #[test]
    fn module_names_map_to_lowercased_files() {
        assert_eq!(module_file_name("Util"), "util.dl");
        assert_eq!(module_file_name("MyLib"), "myLib.dl");
    }

    #[test]
    fn imports_resolve_beside_the_importer() {
        let origin = SourceOrigin::of_path(Path::new("dir/sub/main.dl"));
        assert_eq!(
            origin.import_path("Util").0,
            PathBuf::from("dir/sub/util.dl")
        );
        let top = SourceOrigin::of_path(Path::new("main.dl"));
        assert_eq!(top.import_path("Util").1, "util.dl");
    }
}
