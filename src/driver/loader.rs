//! Where `import Name` finds its file, and the import errors (`E3xx`).
//!
//! `import Util` loads `util.dl` (the module name with its first letter
//! lowercased) from the directory of the importing file; the REPL imports
//! from the working directory.

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::Span;
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
