//! Tab completion at the terminal: names in scope, module members after
//! `M.` (`List.ma` + Tab), file names after `:load` and `#use "`, and
//! indentation at the start of a continuation line.
//!
//! The line editor asks while a line is typed, when the session cannot be
//! reached, so the REPL hands over a copy of its scope after each input
//! ([`Completion::refresh`]). A stdlib module is checked only when a
//! program first uses it, so the members of those not used yet come from
//! checking the whole stdlib once on its own, at the first Tab.

use crate::stdlib::MODULES;
use crate::syntax::ast::FileId;
use crate::syntax::parse::parse_module;
use crate::syntax::token::KEYWORDS;
use crate::types::Checker;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};
use std::cell::OnceCell;
use std::collections::{BTreeSet, HashMap};

/// What Tab at the start of a line inserts (the indentation of `| …`
/// lines and of a `let` body in the examples).
const INDENT: &str = "  ";

/// The stdlib module open in every file (`MODULES[0]`).
const PRELUDE: &str = "Prelude";

#[derive(Default)]
pub(super) struct Completion {
    /// Names visible unqualified, module names and keywords.
    names: BTreeSet<String>,
    /// Each module's members, as checked in the session so far.
    members: HashMap<String, BTreeSet<String>>,
    /// Each stdlib module's members, checked apart at the first Tab.
    stdlib_members: OnceCell<HashMap<String, BTreeSet<String>>>,
    files: FilenameCompleter,
}

impl Completion {
    /// Takes the scope of the session's checker (after each input).
    pub(super) fn refresh(&mut self, checker: &Checker) {
        let (visible, members) = checker.names_in_scope();
        self.members = members
            .into_iter()
            .filter(|(module, _)| is_module_name(module))
            .map(|(module, names)| (module, names.into_iter().filter(|n| is_name(n)).collect()))
            .collect();
        self.names = visible
            .into_iter()
            .filter(|name| is_name(name))
            .chain(self.members.keys().cloned())
            .chain(MODULES.iter().map(|m| m.name.to_string()))
            // Open everywhere; its names are completed unqualified.
            .filter(|name| name != PRELUDE)
            .chain(KEYWORDS.iter().map(|k| k.to_string()))
            .collect();
    }

    /// The candidates for the word ending at `pos`, and where it starts.
    fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let before = &line[..pos];
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '\'' || c == '.'))
            .map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            });
        let word = &before[start..];
        if word.is_empty() {
            let at_line_start = before.trim().is_empty();
            let indent = if at_line_start {
                vec![INDENT.to_string()]
            } else {
                Vec::new()
            };
            return (pos, indent);
        }
        let (start, prefix, pool) = match word.rsplit_once('.') {
            Some((module, prefix)) => {
                let stdlib = self.stdlib_members().get(module);
                let session = self.members.get(module);
                let pool: BTreeSet<&String> = session.into_iter().chain(stdlib).flatten().collect();
                (pos - prefix.len(), prefix, pool)
            }
            // The prelude is open everywhere, also before the session
            // has loaded it.
            None => {
                let prelude = self.stdlib_members().get(PRELUDE).into_iter().flatten();
                (start, word, self.names.iter().chain(prelude).collect())
            }
        };
        let found = pool
            .into_iter()
            .filter(|name| name.starts_with(prefix))
            .cloned()
            .collect();
        (start, found)
    }

    fn stdlib_members(&self) -> &HashMap<String, BTreeSet<String>> {
        self.stdlib_members.get_or_init(check_stdlib_apart)
    }
}

/// Every stdlib module's members, from a checker of its own (in the
/// modules' load order, each after those it uses).
fn check_stdlib_apart() -> HashMap<String, BTreeSet<String>> {
    let mut checker = Checker::new();
    for (i, module) in MODULES.iter().enumerate() {
        // A module that does not parse or check would be a bug the
        // stdlib tests catch; completion then just lacks its names.
        if let Ok(items) = parse_module(FileId(i as u32), module.text) {
            let _ = checker.check_module(Some(module.name), items);
        }
    }
    checker
        .names_in_scope()
        .1
        .into_iter()
        .map(|(module, names)| (module, names.into_iter().filter(|n| is_name(n)).collect()))
        .collect()
}

/// A name that can be typed as a word (not an operator such as `|>`).
fn is_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '\'')
}

fn is_module_name(name: &str) -> bool {
    name.starts_with(char::is_uppercase) && is_name(name)
}

impl Completer for Completion {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let typed = line[..pos].trim_start();
        if [":load ", ":l ", "#use "]
            .iter()
            .any(|command| typed.starts_with(command))
        {
            return self.files.complete(line, pos, ctx);
        }
        let (start, names) = self.candidates(line, pos);
        let pairs = names
            .into_iter()
            .map(|name| Pair {
                display: name.clone(),
                replacement: name,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for Completion {
    type Hint = String;
}

impl Highlighter for Completion {}

impl Validator for Completion {}

impl Helper for Completion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn completion() -> Completion {
        let mut completion = Completion::default();
        completion.refresh(&Checker::new());
        completion
    }

    #[test]
    fn module_members_complete_after_the_dot() {
        let completion = completion();
        let (start, found) = completion.candidates("List.fold_l", 11);
        assert_eq!(start, 5);
        assert_eq!(found, ["fold_left", "fold_left2"]);
        let (_, found) = completion.candidates("1 + String.starts_w", 19);
        assert_eq!(found, ["starts_with"]);
    }

    #[test]
    fn names_modules_and_keywords_complete_alone() {
        let completion = completion();
        let (start, found) = completion.candidates("let x = Lis", 11);
        assert_eq!((start, found), (8, vec!["List".to_string()]));
        let (_, found) = completion.candidates("matc", 4);
        assert_eq!(found, ["match"]);
        let (_, found) = completion.candidates("print_endl", 10);
        assert_eq!(found, ["print_endline"], "the prelude before it is loaded");
        let (_, found) = completion.candidates("Pre", 3);
        assert!(
            found.is_empty(),
            "the prelude is no module to name: {found:?}"
        );
    }

    #[test]
    fn tab_at_the_start_of_a_line_indents() {
        assert_eq!(
            completion().candidates("  ", 2),
            (2, vec![INDENT.to_string()])
        );
        assert_eq!(completion().candidates("f x ", 4), (4, vec![]));
    }
}
