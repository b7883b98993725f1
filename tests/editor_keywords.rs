//! The editor grammars under `editor/` must highlight exactly the lexer's
//! keywords (`dlang::syntax::token::KEYWORDS`): every one of them, and no
//! word the lexer does not treat as a keyword; and the editor tests must
//! show every operator of the lexer. The grammars' behaviour on real code
//! is tested by `editor/check.sh` (Node and Vim); this test needs
//! neither, so it runs with a plain `cargo test`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dlang::syntax::lexer::Lexer;
use dlang::syntax::token::{Token, KEYWORDS};

mod editor_support;

use editor_support::{json, textmate, tree_sitter, vim};

fn editor_file(relative: &str) -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("editor")
        .join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    (path, text)
}

fn lexer_keywords() -> BTreeSet<String> {
    KEYWORDS.iter().map(|k| k.to_string()).collect()
}

/// Fails with the words missing from, and the words extra in, `found`.
fn assert_same_keywords(grammar: &str, found: &BTreeSet<String>) {
    let expected = lexer_keywords();
    let missing: Vec<_> = expected.difference(found).collect();
    let extra: Vec<_> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{grammar} is out of step with KEYWORDS in src/syntax/token.rs:\n  \
         keywords it does not highlight: {missing:?}\n  \
         words it highlights as keywords that the lexer lacks: {extra:?}"
    );
}

#[test]
fn textmate_grammar_highlights_exactly_the_lexer_keywords() {
    let (path, text) = editor_file("vscode/syntaxes/dlang.tmLanguage.json");
    let grammar = json::parse(&text)
        .unwrap_or_else(|err| panic!("{} is not valid JSON: {err}", path.display()));
    let mut found = BTreeSet::new();
    textmate::collect_keyword_words(&grammar, &mut found);
    assert_same_keywords("editor/vscode/syntaxes/dlang.tmLanguage.json", &found);
}

#[test]
fn vim_syntax_highlights_exactly_the_lexer_keywords() {
    let (_, text) = editor_file("vim/syntax/dlang.vim");
    let items = vim::syntax_items(&text);

    let misplaced: Vec<_> = items
        .iter()
        .filter(|item| item.kind != "keyword" && vim::is_keyword_group(&item.group))
        .map(|item| &item.group)
        .collect();
    assert!(
        misplaced.is_empty(),
        "keyword groups must be filled with `syn keyword` only, so this test sees them: {misplaced:?}"
    );

    let found: BTreeSet<String> = items
        .iter()
        .filter(|item| item.kind == "keyword" && vim::is_keyword_group(&item.group))
        .flat_map(|item| item.words.iter().cloned())
        .collect();
    assert_same_keywords("editor/vim/syntax/dlang.vim", &found);

    // A top-level group holding a keyword would shadow its highlighting.
    let lexer = lexer_keywords();
    for item in &items {
        if item.kind == "keyword" && !vim::is_keyword_group(&item.group) && !item.contained {
            let clashes: Vec<_> = item.words.iter().filter(|w| lexer.contains(*w)).collect();
            assert!(
                clashes.is_empty(),
                "{} highlights lexer keywords as something else: {clashes:?}",
                item.group
            );
        }
    }
}

#[test]
fn tree_sitter_grammar_and_queries_have_exactly_the_lexer_keywords() {
    let (_, grammar) = editor_file("tree-sitter-dlang/grammar.js");
    assert_same_keywords(
        "editor/tree-sitter-dlang/grammar.js",
        &tree_sitter::grammar_keywords(&grammar),
    );
    let (_, highlights) = editor_file("tree-sitter-dlang/queries/highlights.scm");
    assert_same_keywords(
        "editor/tree-sitter-dlang/queries/highlights.scm",
        &tree_sitter::highlighted_keywords(&highlights),
    );
}

#[test]
fn vscode_manifest_points_at_the_grammar() {
    let (_, manifest) = editor_file("vscode/package.json");
    let manifest = json::parse(&manifest).expect("editor/vscode/package.json is valid JSON");
    let grammars = manifest
        .get("contributes")
        .and_then(|c| c.get("grammars"))
        .and_then(json::Value::as_array)
        .expect("package.json contributes grammars");
    let grammar = &grammars[0];
    assert_eq!(
        grammar.get("scopeName").and_then(json::Value::as_str),
        Some("source.dlang")
    );
    let path = grammar
        .get("path")
        .and_then(json::Value::as_str)
        .expect("grammar path");
    let (_, text) = editor_file(&format!("vscode/{path}"));
    let grammar = json::parse(&text).expect("grammar is valid JSON");
    assert_eq!(
        grammar.get("scopeName").and_then(json::Value::as_str),
        Some("source.dlang")
    );

    let (_, config) = editor_file("vscode/language-configuration.json");
    let config = json::parse(&config).expect("language-configuration.json is valid JSON");
    let comments = config.get("comments").expect("comments");
    assert_eq!(
        comments.get("lineComment").and_then(json::Value::as_str),
        Some("#")
    );
}

/// Tokens of src/syntax/token.rs that separate or group rather than
/// operate; the editors give them scopes of their own (or none).
const PUNCTUATION: &[&str] = &[
    "(", ")", "[", "]", "[|", "|]", "{", "}", ",", ";", ";;", ":", ".", "_", "|", "(*", "*)",
];

/// The lexer's operators: the symbols it has a token of its own for
/// (`#[token("…")]` in token.rs, not words nor [`PUNCTUATION`]), and the
/// kinds of user-defined operator (`Infix…` tokens, one per level).
fn lexer_operators() -> (BTreeSet<String>, BTreeSet<String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/syntax/token.rs");
    let source = std::fs::read_to_string(&path).expect("read src/syntax/token.rs");
    let fixed = source
        .split("#[token(\"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(token, _)| token))
        .filter(|token| !token.starts_with(|c: char| c.is_alphabetic()))
        .filter(|token| !PUNCTUATION.contains(token))
        .map(str::to_string)
        .collect();
    let user = source
        .lines()
        .filter_map(|line| line.trim().strip_suffix("(String),"))
        .filter(|variant| variant.starts_with("Infix"))
        .map(str::to_string)
        .collect();
    (fixed, user)
}

/// The operators in `code` as the lexer reads it: the text of each
/// fixed-operator token and the kind of each user-defined one.
fn operators_in(code: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut fixed = BTreeSet::new();
    let mut user = BTreeSet::new();
    for token in Lexer::new(code) {
        let (start, token, end) = token.unwrap_or_else(|e| panic!("{code:?} does not lex: {e:?}"));
        let kind = format!("{token:?}");
        match token {
            Token::InfixPow(_)
            | Token::InfixMul(_)
            | Token::InfixAdd(_)
            | Token::InfixConcat(_)
            | Token::InfixCmp(_) => {
                user.insert(kind.split('(').next().unwrap_or_default().to_string());
            }
            _ => {
                fixed.insert(code[start..end].to_string());
            }
        }
    }
    (fixed, user)
}

fn assert_shows_every_operator(test_file: &str, code: &str) {
    let (fixed, user) = lexer_operators();
    assert!(
        fixed.len() > 20 && user.len() == 5,
        "token.rs no longer reads as this test expects: {fixed:?} {user:?}"
    );
    let (shown_fixed, shown_user) = operators_in(code);
    let missing: Vec<_> = fixed.difference(&shown_fixed).collect();
    let missing_user: Vec<_> = user.difference(&shown_user).collect();
    assert!(
        missing.is_empty() && missing_user.is_empty(),
        "{test_file} does not show every operator of src/syntax/token.rs:\n  \
         operators missing: {missing:?}\n  kinds of user-defined operator missing: {missing_user:?}"
    );
}

#[test]
fn the_textmate_operator_test_shows_every_lexer_operator() {
    let (_, text) = editor_file("vscode/test/operators.test.dl");
    // The assertion lines are comments to the lexer.
    assert_shows_every_operator("editor/vscode/test/operators.test.dl", &text);
}

#[test]
fn the_vim_operator_lines_show_every_lexer_operator() {
    let (_, text) = editor_file("vim/test/sample.dl");
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("let ops ")).collect();
    assert_shows_every_operator(
        "the `let ops` lines of editor/vim/test/sample.dl",
        &lines.join("\n"),
    );
}

#[test]
fn the_tree_sitter_grammar_has_every_fixed_lexer_operator() {
    let (_, grammar) = editor_file("tree-sitter-dlang/grammar.js");
    let tokens = tree_sitter::grammar_tokens(&grammar);
    let (fixed, _) = lexer_operators();
    let missing: Vec<_> = fixed.difference(&tokens).collect();
    assert!(
        missing.is_empty(),
        "editor/tree-sitter-dlang/grammar.js lacks operators of src/syntax/token.rs: {missing:?}"
    );
}
