//! No program, however wrong, makes the type checker panic, crash or
//! hang, and every diagnostic it produces points inside its source and
//! renders. Inputs are the syntax fuzzer's mutations (those that still
//! parse) plus mutations that keep programs parseable but break their
//! types: identifiers, literals and constructors swapped for others.

#[path = "common/fuzz.rs"]
mod fuzz;

#[path = "common/adversarial.rs"]
mod adversarial;

use dlang::diagnostics::Diagnostic;
use dlang::source::SourceMap;
use dlang::syntax::ast::FileId;
use dlang::syntax::ast::ReplInput;
use dlang::syntax::parse::{parse_module, parse_repl_input};
use dlang::types::Checker;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// The stdlib's sources, so that diagnostics pointing into them render.
fn stdlib_sources() -> SourceMap {
    let mut sources = SourceMap::new();
    for module in dlang::stdlib::MODULES {
        sources.add(format!("<stdlib>/{}", module.file), module.text);
    }
    sources
}

/// A checker that has checked the whole standard library.
fn checker_with_stdlib() -> Checker {
    let mut checker = Checker::new();
    for (i, module) in dlang::stdlib::MODULES.iter().enumerate() {
        let file = FileId(i as u32);
        let items = parse_module(file, module.text).expect("the stdlib parses");
        if let Err(d) = checker.check_module(Some(module.name), items) {
            panic!("the stdlib module {} does not check: {d:?}", module.name);
        }
    }
    checker
}

/// Words of `text` that are identifiers, constructors or literals.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let word_char = c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '\'';
        match (word_char, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// Replaces one word of `text` by another word of `text` or of a few
/// type-breaking literals.
fn swap_word(rng: &mut fuzz::Rng, text: &str) -> String {
    let ws = words(text);
    if ws.is_empty() {
        return text.to_string();
    }
    let (s, e) = *rng.pick(&ws);
    let replacement = match rng.below(3) {
        0 => rng
            .pick(&[
                "1",
                "1.0",
                "\"s\"",
                "true",
                "()",
                "[]",
                "None",
                "Some",
                "x",
                "f",
                "(fun x -> x)",
                "(shift k -> k 1)",
                "(reset 1)",
                "ref",
                "[||]",
                "print",
                "List.map",
                "(1, 2)",
            ])
            .to_string(),
        _ => {
            let (s2, e2) = *rng.pick(&ws);
            text[s2..e2].to_string()
        }
    };
    format!("{}{}{}", &text[..s], replacement, &text[e..])
}

fn assert_diagnostics_sane(diagnostics: &[Diagnostic], sources: &SourceMap) {
    // Rendering is the renderer's business; a few per input show that
    // the checker's labels are usable.
    for d in diagnostics.iter().take(3) {
        for label in &d.labels {
            let file = sources.get(label.span.file);
            let range = label.span.range();
            assert!(
                range.start <= range.end && range.end <= file.text.len(),
                "label out of range: {d:?}"
            );
        }
        let rendered = d.render(sources);
        assert!(rendered.contains(d.code));
    }
}

fn exercise(base: &Checker, text: &str) {
    let mut sources = stdlib_sources();
    let sources = &mut sources;
    let file = sources.add("<fuzz>", text.to_string());
    let mut checker = base.clone();
    if let Ok(items) = parse_module(file, text) {
        let started = Instant::now();
        match checker.check_module(None, items) {
            Ok(m) => assert_diagnostics_sane(&m.warnings, sources),
            Err(ds) => {
                assert!(!ds.is_empty());
                assert_diagnostics_sane(&ds, sources);
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "checking took {:?} on {text:?}",
            started.elapsed()
        );
    }
    if let Ok(ReplInput::Expr(e)) = parse_repl_input(file, text) {
        match checker.check_repl_expr(e) {
            Ok((_, _, ws)) => assert_diagnostics_sane(&ws, sources),
            Err(ds) => assert_diagnostics_sane(&ds, sources),
        }
    }
}

fn run_all(inputs: &[String]) -> usize {
    let base = checker_with_stdlib();
    let mut parsed = 0;
    for input in inputs {
        if parse_module(FileId(0), input).is_ok() {
            parsed += 1;
        }
        if catch_unwind(AssertUnwindSafe(|| exercise(&base, input))).is_err() {
            panic!("the checker panicked on input {input:?}");
        }
    }
    parsed
}

#[test]
fn mutated_programs_never_panic() {
    let extra = fuzz::repository_sources();
    let inputs = fuzz::inputs(0xC4EC_4E55, 4000, &extra);
    run_all(&inputs);
}

#[test]
fn type_breaking_mutations_never_panic() {
    let mut corpus: Vec<String> = fuzz::CORPUS.iter().map(|s| s.to_string()).collect();
    corpus.extend(fuzz::repository_sources());
    let mut rng = fuzz::Rng::new(0x7E_57ED);
    let inputs: Vec<String> = (0..6000)
        .map(|_| {
            let mut text = rng.pick(&corpus).clone();
            for _ in 0..1 + rng.below(3) {
                text = swap_word(&mut rng, &text);
            }
            text
        })
        .collect();
    let parsed = run_all(&inputs);
    assert!(
        parsed > inputs.len() / 3,
        "only {parsed} inputs parsed: the test checks too little"
    );
}

#[test]
fn pathological_programs() {
    let doubling = (1..9)
        .map(|i| format!("let f{i} x = f{} (f{} x)", i - 1, i - 1))
        .collect::<Vec<_>>()
        .join("\n");
    let programs = [
        format!("let f0 x = (x, x)\n{doubling}"),
        format!("let x = {}1{}", "(".repeat(3000), ")".repeat(3000)),
        format!("let x = {}1", "1 + ".repeat(3000)),
        format!("let l = [{}]", "1; ".repeat(20000)),
        format!("let f x = match x with {} _ -> 0", "| 1 -> 1 ".repeat(2000)),
        format!(
            "let f x = match x with {} -> 0",
            (0..12)
                .map(|_| "(true | false)")
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "let rec f x = f".to_string(),
        "let x = reset (shift k -> shift j -> 1)".to_string(),
        "type t = t".to_string(),
        "type 'a t = 'a t list".to_string(),
    ];
    let inputs: Vec<String> = programs.to_vec();
    run_all(&inputs);
}

/// Issue 15's shapes (deep aliases, wide tuples and matches, deep
/// functions) at sizes up to and past the listed ones: each checks, or is
/// refused with E223, within a generous bound (the cost is linear in the
/// input, or capped by the work budget).
#[test]
fn adversarial_shapes_check_quickly_or_are_refused() {
    let base = checker_with_stdlib();
    let mut rng = fuzz::Rng::new(0x15_C4EC);
    let generators: [fn(&mut fuzz::Rng) -> String; 4] = [
        adversarial::deep_alias,
        adversarial::wide_tuple,
        adversarial::wide_match,
        adversarial::deep_functions,
    ];
    for round in 0..10 {
        for generate in generators {
            let text = generate(&mut rng);
            let Ok(items) = parse_module(FileId(0), &text) else {
                continue;
            };
            let mut checker = base.clone();
            let started = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| checker.check_module(None, items)));
            let elapsed = started.elapsed();
            let head: String = text.chars().take(120).collect();
            match outcome {
                Ok(Ok(_)) => {}
                Ok(Err(ds)) => assert!(
                    ds.iter().all(|d| d.code == "E223"),
                    "round {round}: unexpected {:?} on {head}…",
                    ds.iter().map(|d| d.code).collect::<Vec<_>>()
                ),
                Err(_) => panic!("round {round}: the checker panicked on {head}…"),
            }
            assert!(
                elapsed < Duration::from_secs(10),
                "round {round}: checking took {elapsed:?} on {head}…"
            );
        }
    }
}
