//! The rules of docs/architecture.md that the compiler does not enforce
//! by itself, checked on the source tree:
//!
//! - `unsafe` is confined: the crate denies it (Cargo.toml), and every
//!   top-level module but the JIT's forbids it, so no module can allow it
//!   back for itself.
//! - The runtime depends on no backend: the crate-root modules that code
//!   under `src/runtime` names are only those the runtime may use.

use std::fs;
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// The only top-level module that may allow `unsafe` (to call the code it
/// generates; it states its safety contract).
const UNSAFE_ALLOWED: &str = "jit";

/// What `src/runtime` may name at the crate root besides itself: the
/// syntax (spans in errors) and the diagnostics.
const RUNTIME_MAY_USE: &[&str] = &["runtime", "syntax", "diagnostics", "source"];

#[test]
fn every_top_level_module_but_the_jit_forbids_unsafe_code() {
    let lib = read(&Path::new(SRC).join("lib.rs"));
    let modules = declared_modules(&lib);
    for expected in ["backend", "driver", "interp", "runtime", "syntax", "types"] {
        assert!(
            modules.iter().any(|m| m == expected),
            "lib.rs does not declare `{expected}`; found {modules:?}"
        );
    }
    let mut roots: Vec<PathBuf> = modules
        .iter()
        .filter(|m| *m != UNSAFE_ALLOWED)
        .map(|m| module_file(m))
        .collect();
    roots.push(Path::new(SRC).join("main.rs"));
    for file in roots {
        assert!(
            leading_attributes(&read(&file)).contains("#![forbid(unsafe_code)]"),
            "{} does not begin with #![forbid(unsafe_code)]",
            file.display()
        );
    }
    // The crate root cannot forbid `unsafe` (that would bind the JIT too),
    // so its own items must simply have none.
    assert!(
        !words(&strip_comments_and_strings(&lib)).any(|w| w == "unsafe"),
        "src/lib.rs uses `unsafe`"
    );
}

#[test]
fn the_runtime_uses_no_backend() {
    let mut files = Vec::new();
    rust_files(&Path::new(SRC).join("runtime"), &mut files);
    rust_files_in(&Path::new(SRC).join("runtime.rs"), &mut files);
    assert!(files.len() > 10, "found only {files:?}");
    let mut problems = Vec::new();
    for file in &files {
        let code = strip_comments_and_strings(&read(file));
        for used in crate_root_modules_named(&code, module_depth(file)) {
            if !RUNTIME_MAY_USE.contains(&used.as_str()) {
                problems.push(format!("{} uses crate::{used}", file.display()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the runtime may use only {RUNTIME_MAY_USE:?}:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_scanners_see_what_they_look_for() {
    let code = strip_comments_and_strings(
        "use crate::{interp::X, runtime::Y};\n// crate::jit\nlet s = \"crate::driver\";\n\
         let c = '\"'; fn f<'a>() { super::super::repl::go(); crate :: types::T }",
    );
    assert_eq!(
        crate_root_modules_named(&code, 2),
        ["interp", "runtime", "repl", "types"]
    );
    assert_eq!(
        declared_modules("pub mod a;\n#[cfg(test)]\nmod b;\n// mod c;\n"),
        ["a", "b"]
    );
    assert!(
        leading_attributes("//! doc\n\n#![forbid(unsafe_code)]\nuse x;\n")
            .contains("#![forbid(unsafe_code)]")
    );
    assert!(
        !leading_attributes("//! doc\nuse x;\n#![forbid(unsafe_code)]\n")
            .contains("#![forbid(unsafe_code)]")
    );
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `mod x;` declarations of a file (out-of-line modules only).
fn declared_modules(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter_map(|line| line.strip_prefix("pub ").or(Some(line)))
        .filter_map(|line| line.strip_prefix("mod "))
        .filter_map(|rest| rest.strip_suffix(';'))
        .map(|name| name.trim().to_string())
        .collect()
}

fn module_file(module: &str) -> PathBuf {
    let flat = Path::new(SRC).join(format!("{module}.rs"));
    if flat.exists() {
        flat
    } else {
        Path::new(SRC).join(module).join("mod.rs")
    }
}

/// The lines before the first item: comments, blank lines and inner
/// attributes, where a module-wide `#![…]` must stand.
fn leading_attributes(text: &str) -> String {
    text.lines()
        .take_while(|line| {
            let line = line.trim();
            line.is_empty() || line.starts_with("//") || line.starts_with("#!")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            rust_files(&path, out);
        } else {
            rust_files_in(&path, out);
        }
    }
}

fn rust_files_in(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() && path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_path_buf());
    }
}

/// How many modules deep a file's module is: `src/runtime/mod.rs` is 1,
/// `src/runtime/ad.rs` 2, `src/runtime/ad/arith.rs` 3. (Inline `mod`
/// blocks are not counted, which can only make `super` paths look as if
/// they climbed further than they do: a false alarm, never a miss.)
fn module_depth(file: &Path) -> usize {
    let relative = file.strip_prefix(SRC).unwrap_or(file);
    let parts = relative.components().count();
    if file.file_name().is_some_and(|n| n == "mod.rs") {
        parts - 1
    } else {
        parts
    }
}

/// The crate-root modules that `code` (comments and strings removed)
/// names: `crate::m…`, `crate::{m…, n…}`, and `super::…` paths that climb
/// `depth` levels or more to the crate root.
fn crate_root_modules_named(code: &str, depth: usize) -> Vec<String> {
    let tokens = path_tokens(code);
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let at_root = if tokens[i] == "crate" {
            Some(i + 1)
        } else if tokens[i] == "super" && (i == 0 || tokens[i - 1] != "::") {
            let mut j = i;
            let mut climbed = 0;
            while tokens.get(j).is_some_and(|t| t == "super")
                && tokens.get(j + 1).is_some_and(|t| t == "::")
            {
                climbed += 1;
                j += 2;
            }
            (climbed >= depth).then_some(j - 1)
        } else {
            None
        };
        if let Some(sep) = at_root {
            if tokens.get(sep).is_some_and(|t| t == "::") {
                match tokens.get(sep + 1).map(String::as_str) {
                    Some("{") => {
                        // The first segment of each path in the group.
                        let mut k = sep + 2;
                        let mut nesting = 0;
                        let mut segment_start = true;
                        while let Some(t) = tokens.get(k) {
                            match t.as_str() {
                                "{" => nesting += 1,
                                "}" if nesting == 0 => break,
                                "}" => nesting -= 1,
                                "," if nesting == 0 => segment_start = true,
                                word if segment_start && nesting == 0 && is_ident(word) => {
                                    found.push(word.to_string());
                                    segment_start = false;
                                }
                                _ => {}
                            }
                            k += 1;
                        }
                    }
                    Some(word) if is_ident(word) => found.push(word.to_string()),
                    _ => {}
                }
            }
        }
        i += 1;
    }
    found
}

/// Identifiers, `::`, braces and commas; other punctuation is an empty
/// token.
fn path_tokens(code: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
            continue;
        }
        if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push("::".to_string());
            i += 2;
            continue;
        }
        if matches!(c, '{' | '}' | ',') {
            tokens.push(c.to_string());
        } else if !c.is_whitespace() {
            // Other punctuation ends a path: `x.crate` is no path.
            tokens.push(String::new());
        }
        i += 1;
    }
    tokens
}

fn is_ident(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
}

/// The code with comments, string and character literals blanked out, so
/// that only real paths are seen.
fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut nesting = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    nesting += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    nesting -= 1;
                    i += 2;
                    if nesting == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !prev_is_ident(&chars, i)
        {
            // Raw string: r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            while j < chars.len() {
                if chars[j] == '"' && (1..=hashes).all(|h| chars.get(j + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            i = j;
            out.push(' ');
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push(' ');
        } else if c == '\'' && is_char_literal(&chars, i) {
            i += 1;
            if chars.get(i) == Some(&'\\') {
                i += 1;
            }
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push(' ');
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// `'x'` or `'\n'`, as opposed to a lifetime `'a`.
fn is_char_literal(chars: &[char], i: usize) -> bool {
    match chars.get(i + 1) {
        Some('\\') => true,
        Some(_) => chars.get(i + 2) == Some(&'\''),
        None => false,
    }
}
