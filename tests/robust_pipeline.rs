//! The whole pipeline — parse, check, run — on mutated inputs, the way the
//! REPL meets them: one session for hundreds of inputs, each of which may
//! fail anywhere. Nothing may panic, every diagnostic must render, and the
//! session must stay usable (a known binding still evaluates afterwards).
//! A watchdog interrupts inputs that loop, exercising R006 as Ctrl-C does.
//! The session runs on each backend of `BackendName::BUILT` in turn, the
//! JIT on every input that is an item (see the test), loops included:
//! compiled code hears the watchdog's Ctrl-C too.

#[path = "common/fuzz.rs"]
mod fuzz;

#[path = "common/watchdog.rs"]
mod watchdog;

use dlang::driver::backends::{self, BackendName};
use dlang::driver::loader::SourceOrigin;
use dlang::runtime::ctx::{RuntimeCtx, SharedBuffer};
use dlang::syntax::ast::{FileId, ReplInput};
use dlang::syntax::parse::parse_repl_input;
use dlang::{Failure, Session};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;
use watchdog::Watchdog;

/// How long one input may run before the watchdog "presses Ctrl-C".
const TIME_LIMIT: Duration = Duration::from_millis(300);

/// How far one input went.
#[derive(Clone, Copy, PartialEq)]
enum Fed {
    /// Refused by the parser or the checker.
    Refused,
    /// Ran (to its end or to a run-time error other than R006).
    Ran,
    /// Ran until the watchdog's Ctrl-C stopped it (R006).
    Interrupted,
}

/// Parses, checks and runs one input as the REPL does, rendering every
/// diagnostic it produces.
fn feed(session: &mut Session, name: String, text: &str) -> Fed {
    let file = session.add_source(name, text);
    let parsed = match parse_repl_input(file, text) {
        Ok(parsed) => parsed,
        Err(diagnostics) => {
            for d in &diagnostics {
                assert!(!session.render(d).is_empty());
            }
            return Fed::Refused;
        }
    };
    let mut warnings = Vec::new();
    let outcome = match parsed {
        ReplInput::Expr(expr) => session
            .check_expr(expr, &mut warnings)
            .and_then(|(typed, _)| session.eval_expr(&typed).map(|_| ())),
        ReplInput::Items(items) => session
            .check_items(items, &SourceOrigin::repl(), &mut warnings)
            .and_then(|checked| session.run_items(&checked)),
    };
    let mut diagnostics = warnings;
    let ran = match outcome {
        Ok(()) => Fed::Ran,
        Err(Failure::Static(found)) => {
            diagnostics.extend(found);
            Fed::Refused
        }
        Err(Failure::Runtime(found)) => {
            let interrupted = found.code == "R006";
            diagnostics.push(found);
            if interrupted {
                Fed::Interrupted
            } else {
                Fed::Ran
            }
        }
    };
    for d in &diagnostics {
        assert!(!session.render(d).is_empty());
    }
    ran
}

#[test]
fn one_session_survives_hundreds_of_mutated_inputs() {
    // Seeded from every dlang source of the repository: the stdlib, the
    // examples and each golden test (issue 15's classes among them), so a
    // new golden file is a new seed.
    let inputs = fuzz::inputs(0xD21_7E5, 1500, &fuzz::repository_sources());
    for &backend in BackendName::BUILT {
        survives_mutated_inputs(backend, &inputs);
    }
}

/// Feeds `inputs` to one session on `backend`. Off the interpreter only
/// items are fed: the REPL evaluates expressions on the interpreter alone.
fn survives_mutated_inputs(backend: BackendName, inputs: &[String]) {
    let watchdog = Watchdog::new(TIME_LIMIT);
    let output = SharedBuffer::default();
    let ctx = RuntimeCtx::new(
        Box::new(output.clone()),
        Vec::new(),
        watchdog.interrupted.clone(),
    );
    let mut session = Session::new(backends::start(backend, ctx));
    feed(&mut session, "<setup>".into(), "let known = 41");
    let mut ran = 0;
    let mut interrupted = 0;
    for (number, input) in inputs.iter().enumerate() {
        if backend != BackendName::Interp && is_expression(input) {
            continue;
        }
        watchdog.start_input(number as u64);
        let fed = catch_unwind(AssertUnwindSafe(|| {
            feed(&mut session, format!("<input {number}>"), input)
        }));
        watchdog.finish_input();
        match fed {
            Ok(Fed::Ran) => ran += 1,
            Ok(Fed::Interrupted) => {
                ran += 1;
                interrupted += 1;
            }
            Ok(Fed::Refused) => {}
            Err(_) => panic!("the pipeline panicked on {backend:?}, input {number}:\n{input}"),
        }
    }
    eprintln!("{backend:?}: {ran} inputs ran, {interrupted} of them stopped by the watchdog");
    // The mutations must not all stop at the parser or the checker.
    assert!(
        ran >= 100,
        "only {ran} inputs got as far as running on {backend:?}"
    );
    // Mutations may rebind `known`; a fresh name checks the session works.
    feed(
        &mut session,
        "<check>".into(),
        "let fresh_name_after_fuzz = 1 + 1\nlet () = print_string \"still usable\"",
    );
    assert!(
        output.contents().ends_with("still usable"),
        "the session on {backend:?} no longer runs programs"
    );
    // Only the interpreter keeps top-level values for the REPL to show.
    if backend == BackendName::Interp {
        let value = session.top_level_value("fresh_name_after_fuzz");
        assert!(
            matches!(value, Some(dlang::runtime::value::Value::Int(2))),
            "the session on {backend:?} is no longer usable"
        );
    }
}

fn is_expression(input: &str) -> bool {
    matches!(parse_repl_input(FileId(0), input), Ok(ReplInput::Expr(_)))
}
