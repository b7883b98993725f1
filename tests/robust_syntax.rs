//! No input, however malformed, makes the lexer or parser panic or hang,
//! and every diagnostic they produce renders.

#[path = "common/fuzz.rs"]
mod fuzz;

use dlang::source::SourceMap;
use dlang::syntax::lexer::Lexer;
use dlang::syntax::parse::{is_incomplete, parse_module, parse_repl_input, parse_type_scheme};
use std::panic::{catch_unwind, AssertUnwindSafe};

fn exercise(text: &str) {
    let mut sources = SourceMap::new();
    let file = sources.add("<fuzz>", text);
    for (l, _, r) in Lexer::new(text).flatten() {
        assert!(l <= r && r <= text.len(), "token span out of range");
    }
    let mut diagnostics = Vec::new();
    if let Err(ds) = parse_module(file, text) {
        diagnostics.extend(ds);
    }
    if let Err(ds) = parse_repl_input(file, text) {
        diagnostics.extend(ds);
    }
    for d in &diagnostics {
        for label in &d.labels {
            let range = label.span.range();
            assert!(
                range.start <= range.end && range.end <= text.len(),
                "label out of range: {d:?}"
            );
            assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
        }
        let rendered = d.render(&sources);
        assert!(rendered.contains(d.code));
    }
    is_incomplete(text);
    let _ = parse_type_scheme(text);
}

#[test]
fn mutated_inputs_never_panic() {
    let extra = fuzz::repository_sources();
    // DLANG_FUZZ_COUNT and DLANG_FUZZ_SEED allow longer runs by hand.
    let count = std::env::var("DLANG_FUZZ_COUNT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4000);
    let seed = std::env::var("DLANG_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_D1A6);
    let inputs = fuzz::inputs(seed, count, &extra);
    for input in &inputs {
        if catch_unwind(AssertUnwindSafe(|| exercise(input))).is_err() {
            panic!("the parser panicked on input {input:?}");
        }
    }
}

#[test]
fn corpus_is_valid() {
    for text in fuzz::CORPUS {
        let ok = match parse_repl_input(dlang::syntax::ast::FileId(0), text) {
            Ok(_) => true,
            Err(d) => panic!("corpus entry {text:?} does not parse: {d:?}"),
        };
        assert!(ok);
    }
}

#[test]
fn pathological_inputs() {
    let deep_parens = format!("let x = {}1{}", "(".repeat(500), ")".repeat(500));
    let unclosed = "(".repeat(2000);
    let long_chain = format!("let x = {}1", "1 + ".repeat(2000));
    let long_list = format!("let l = [{}]", "1; ".repeat(20000));
    let comments = "(*".repeat(1000);
    for text in [
        deep_parens.as_str(),
        &unclosed,
        &long_chain,
        &long_list,
        &comments,
        "",
        "\u{0}",
        "\"",
        "'",
    ] {
        exercise(text);
    }
}

/// Nesting far past the limit is error E106, built and dropped without
/// deep recursion; nesting up to the limit parses.
#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let n = 2 * dlang::syntax::depth::MAX_DEPTH as usize;
    let cases = [
        format!("let x = {}1{}", "[".repeat(n), "]".repeat(n)),
        format!("let x = {}x", "!".repeat(n)),
        format!("let x = {}[]", "1 :: ".repeat(n)),
        format!("let x = {}1", "1 + ".repeat(n)),
        format!("let x = {}0", "let a = 1 in ".repeat(n)),
        format!("let x = {}1{}", "(1 + ".repeat(n), ")".repeat(n)),
        format!("let f {}x{} = 1", "(Some ".repeat(n), ")".repeat(n)),
        format!("type t = int{}", " list".repeat(n)),
        format!("let x = {}1{} )", "[".repeat(n), "]".repeat(n)),
    ];
    for text in &cases {
        match parse_module(dlang::syntax::ast::FileId(0), text) {
            Ok(_) => panic!("{}… parsed", &text[..40]),
            Err(ds) => assert!(ds.iter().any(|d| d.code == "E106"), "{:?}", ds),
        }
    }
    let limit = dlang::syntax::depth::MAX_DEPTH as usize;
    let at_limit = format!("let x = {}[]", "1 :: ".repeat(limit - 2));
    assert!(parse_module(dlang::syntax::ast::FileId(0), &at_limit).is_ok());
}
