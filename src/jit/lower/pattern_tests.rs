//! The decision-tree compiler on checked programs: the shape of the IR
//! it makes (one test per value on a path, arm bodies compiled once) and
//! what the compiled code does, against the interpreter's output.

#![forbid(unsafe_code)]

use super::{lower_program, Module};
use crate::backend::Backend;
use crate::interp::Interpreter;
use crate::jit::backend::JitBackend;
use crate::jit::ir::{self, DataFn, Expr, RuntimeFn};
use crate::runtime::ctx::RuntimeCtx;
use crate::syntax::ast::{FileId, Item, Span};
use crate::syntax::parse::parse_module;
use crate::types::{Checker, TypeInfo};

pub(super) fn checked(src: &str) -> Vec<Item<TypeInfo>> {
    let items = parse_module(FileId(0), src).expect("a test program parses");
    match Checker::new().check_module(None, items) {
        Ok(checked) => checked.items,
        Err(diagnostics) => panic!("a test program is well typed: {diagnostics:?}"),
    }
}

pub(super) fn lowered(src: &str) -> ir::Program {
    let items = checked(src);
    let module = Module {
        name: None,
        items: &items,
        stdlib: false,
    };
    lower_program(&[module]).unwrap_or_else(|e| panic!("{}: {}", e.code, e.message))
}

/// The code, message and span of the error a backend stops `src` with.
fn failure(src: &str, mut backend: impl Backend) -> Option<(&'static str, String, Option<Span>)> {
    let items = checked(src);
    let result = backend.run_module(None, &items);
    result.err().map(|e| (e.code, e.message, e.span))
}

/// Runs `src` on the JIT and on the interpreter; both must print the same
/// and fail the same way. Returns what the JIT printed.
pub(super) fn same_on_both(src: &str) -> String {
    let (jit_ctx, jit_out) = RuntimeCtx::capturing();
    let jit_failure = failure(src, JitBackend::new(jit_ctx));
    let (interp_ctx, interp_out) = RuntimeCtx::capturing();
    let interp_failure = failure(src, Interpreter::new(interp_ctx));
    assert_eq!(jit_out.contents(), interp_out.contents());
    assert_eq!(jit_failure, interp_failure);
    jit_out.contents()
}

/// Every expression of a function body, outermost first.
pub(super) fn walk<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    out.push(e);
    for child in e.children() {
        walk(child, out);
    }
}

/// The expressions of the function named `name`.
fn nodes<'p>(program: &'p ir::Program, name: &str) -> Vec<&'p Expr> {
    let function = program
        .functions
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function `{name}`"));
    let mut out = Vec::new();
    walk(&function.body, &mut out);
    out
}

fn count(nodes: &[&Expr], what: impl Fn(&Expr) -> bool) -> usize {
    nodes.iter().filter(|e| what(e)).count()
}

fn is_data(e: &Expr, op: DataFn) -> bool {
    matches!(e, Expr::Runtime { entry: RuntimeFn::Data(d), .. } if *d == op)
}

/// The prim call printing a string constant: how an arm's body shows.
fn prints(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Runtime {
            entry: RuntimeFn::Prim(_),
            ..
        }
    )
}

#[test]
fn a_constructor_is_tested_once_with_a_switch_on_its_tag() {
    let src = "type t = A | B of int | C of int * int
let f x = match x with
  | A -> 0
  | B n -> n
  | C (a, b) -> a + b
let () = print (f A + f (B 5) + f (C (2, 3)))";
    let program = lowered(src);
    let f = nodes(&program, "f");
    assert_eq!(count(&f, |e| is_data(e, DataFn::Tag)), 1);
    // Three constructors, all covered: two cases and the last as default.
    assert_eq!(
        count(
            &f,
            |e| matches!(e, Expr::Switch { cases, .. } if cases.len() == 2)
        ),
        1
    );
    assert_eq!(count(&f, |e| matches!(e, Expr::MatchFailure { .. })), 0);
    assert_eq!(same_on_both(src), "10\n");
}

#[test]
fn no_value_is_tested_twice_on_a_path() {
    // A sequence of trial matches tests `a` three times and `b` twice.
    let src = "let f a b = match (a, b) with
  | (true, true) -> 1
  | (true, false) -> 2
  | (false, _) -> 3
let () = print (f true true, f true false, f false true)";
    let program = lowered(src);
    let f = nodes(&program, "f");
    assert_eq!(count(&f, |e| matches!(e, Expr::If { .. })), 2);
    // The tuple is taken apart once, into both of its items.
    assert_eq!(count(&f, |e| is_data(e, DataFn::TupleItem)), 2);
    assert_eq!(same_on_both(src), "(1, 2, 3)\n");
}

#[test]
fn an_arm_several_leaves_choose_is_compiled_once() {
    // `_` follows both cases of the switch on the first component, and
    // the or-pattern makes two leaves of one arm.
    let src = "let f (p : int option * int) = match p with
  | (Some 1, _) -> print \"one\"
  | (_, 2) | (None, 3) -> print \"two or three\"
  | _ -> print \"other\"
let () = f (Some 1, 9); f (Some 5, 2); f (None, 3); f (Some 4, 3); f (None, 8)";
    let program = lowered(src);
    let f = nodes(&program, "f");
    assert_eq!(count(&f, prints), 3, "each arm's body once");
    assert_eq!(count(&f, |e| matches!(e, Expr::Join { .. })), 1);
    assert_eq!(
        same_on_both(src),
        "one\ntwo or three\ntwo or three\nother\nother\n"
    );
}

#[test]
fn a_failed_guard_goes_on_with_the_next_arms() {
    let src = "let f (o : int option) = match o with
  | Some x when x > 10 -> \"big\"
  | Some 0 -> \"zero\"
  | Some x when x < 0 -> \"negative\"
  | Some _ -> \"small\"
  | None -> \"none\"
let () = print (f (Some 11), f (Some 0), f (Some (-1)), f (Some 3), f None)";
    assert_eq!(
        same_on_both(src),
        "(\"big\", \"zero\", \"negative\", \"small\", \"none\")\n"
    );
}

#[test]
fn a_failed_guard_skips_the_other_alternatives_of_its_or_pattern() {
    // As on the interpreter: `(0, 5)` matches the left alternative with
    // `x = 0`, the guard fails, and the next arm is tried (not `x = 5`).
    let src = "let f (p : int * int) = match p with
  | (x, _) | (_, x) when x > 0 -> x
  | _ -> -1
let () = print (f (0, 5), f (3, 0))";
    assert_eq!(same_on_both(src), "(-1, 3)\n");
}

#[test]
fn nested_patterns_lists_records_literals_and_as() {
    let src = "type point = { x : int; y : int }
let f (l : point list) = match l with
  | [] -> \"empty\"
  | [{ x = 0; y }] -> \"one on the axis at \" ^ show y
  | ({ x; _ } as p) :: _ :: [] when x = p.y -> \"two, diagonal first\"
  | _ :: rest -> \"more: \" ^ show (match rest with [] -> 0 | _ :: _ -> 1)
let g s = match s with \"a\" -> 1 | \"b\" -> 2 | _ -> 3
let h x = match x with 1.5 -> true | _ -> false
let () = print (f [])
let () = print (f [{ x = 0; y = 4 }])
let () = print (f [{ x = 2; y = 2 }; { x = 0; y = 0 }])
let () = print (f [{ x = 2; y = 3 }; { x = 0; y = 0 }])
let () = print (f [{ x = 1; y = 3 }])
let () = print (g \"a\", g \"b\", g \"c\", h 1.5, h 2.0)";
    assert_eq!(
        same_on_both(src),
        "empty\none on the axis at 4\ntwo, diagonal first\nmore: 1\nmore: 0\n(1, 2, 3, true, false)\n"
    );
}

#[test]
fn no_matching_arm_is_the_interpreters_match_failure() {
    let src = "let f x = match x with 1 -> \"one\" | 2 -> \"two\"
let () = print (f 1)
let () = print (f 3)";
    assert_eq!(same_on_both(src), "one\n");
    let (jit_ctx, _) = RuntimeCtx::capturing();
    let (code, message, _) = failure(src, JitBackend::new(jit_ctx)).expect("a failure");
    assert_eq!(
        (code, message.as_str()),
        ("R004", "match failure: no pattern matches the value `3`")
    );
    let src = "let f (l : int list) = let [a; b] = l in a + b
let () = print (f [1; 2])
let () = print (f [1])";
    assert_eq!(same_on_both(src), "3\n");
    let src = "let (Some x, y) = ((None : int option), 2)";
    assert_eq!(same_on_both(src), "");
}

#[test]
fn rows_grouped_by_head_keep_their_order_with_wildcards_between() {
    // Each literal or constructor sees the rows of its own head and every
    // wildcard row, in source order: a guarded wildcard between two rows
    // of the same head, a repeated head (the second unreachable), a float
    // column (grouped by equality: `-0.0` is `0.0`) and strings.
    let src = "type t = A | B of int | C
let f x g = match x with
  | 1 -> \"one\"
  | _ when g -> \"guard\"
  | 1 -> \"never\"
  | 2 -> \"two\"
  | _ -> \"other\"
let h v = match v with
  | B 1 -> 1 | A -> 2 | B n when n > 5 -> 3 | C -> 4 | B _ -> 5
let z x = match x with 0.0 -> \"zero\" | -0.0 -> \"never\" | _ -> \"other\"
let s x = match x with \"a\" -> 1 | \"b\" -> 2 | \"a\" -> 3 | _ -> 4
let () = print (f 1 true, f 2 true, f 2 false, f 3 false)
let () = print (h (B 1), h A, h (B 7), h C, h (B 2))
let () = print (z (-0.0), z 1.0, s \"a\", s \"b\", s \"c\")";
    assert_eq!(
        same_on_both(src),
        "(\"one\", \"guard\", \"two\", \"other\")\n(1, 2, 3, 4, 5)\n(\"zero\", \"other\", 1, 2, 4)\n"
    );
}
