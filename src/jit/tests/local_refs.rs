//! Refs that do not escape as machine locals (`lower/local_refs.rs`):
//! which refs lose their cell, which keep it, and that both backends
//! print the same either way.

use super::{count_entries, lowered, same_on_both};
use crate::jit::ir::{DataFn, Expr, Program, RuntimeFn};

/// The first part of the main code (`f0` only calls the parts).
fn main_part(ir: &Program) -> &Expr {
    &ir.functions[1].body
}

fn is_cell_entry(entry: RuntimeFn) -> bool {
    matches!(
        entry,
        RuntimeFn::Data(DataFn::MakeRef | DataFn::Deref | DataFn::Assign)
    )
}

fn is_boxing(entry: RuntimeFn) -> bool {
    matches!(
        entry,
        RuntimeFn::BoxInt
            | RuntimeFn::BoxFloat
            | RuntimeFn::BoxBool
            | RuntimeFn::UnboxInt
            | RuntimeFn::UnboxFloat
            | RuntimeFn::UnboxBool
    )
}

fn has_int_to_float(e: &Expr) -> bool {
    matches!(e, Expr::IntToFloat(_)) || e.children().into_iter().any(has_int_to_float)
}

const FLOAT_LOOP: &str = "let () =\n  let x = ref 0.0 in\n  let i = ref 0 in\n  \
    while !i < 100 do\n    x := !x + sin (to_float !i) * 0.5;\n    i := !i + 1\n  done;\n  \
    print !x\n";

#[test]
fn a_float_loop_on_local_refs_has_no_runtime_call_for_them() {
    let ir = lowered("local_float_loop", FLOAT_LOOP);
    let body = main_part(&ir);
    assert_eq!(count_entries(body, &is_cell_entry), 0, "{body:#?}");
    // Only `print`'s argument is boxed: the loop itself moves no box.
    assert_eq!(count_entries(body, &is_boxing), 1, "{body:#?}");
    // `to_float` is the IR's conversion, not the primitive.
    assert!(has_int_to_float(body), "{body:#?}");
    let mut expected = 0.0f64;
    for i in 0..100 {
        expected += (i as f64).sin() * 0.5;
    }
    let printed = format!("{}\n", crate::runtime::print::format_float(expected));
    same_on_both("local_float_loop", FLOAT_LOOP, &printed);
}

#[test]
fn a_ref_a_closure_captures_keeps_its_cell() {
    let source = "let () =\n  let r = ref 0 in\n  r := !r + 1;\n  \
        let f = fun () -> r := !r + 10 in\n  f (); f ();\n  r := !r + 100;\n  print !r\n";
    let ir = lowered("captured_ref", source);
    let body = main_part(&ir);
    let made = count_entries(body, &|e| e == RuntimeFn::Data(DataFn::MakeRef));
    assert_eq!(made, 1, "{body:#?}");
    same_on_both("captured_ref", source, "121\n");
}

#[test]
fn a_ref_under_a_shift_keeps_its_cell() {
    // Both resumptions of `k` write the one cell: 1 + (1 + 2).
    let source = "let () =\n  let r = ref 0 in\n  \
        print (reset (let x = shift k -> k 1 + k 2 in r := !r + x; !r));\n  print !r\n";
    let ir = lowered("shifted_ref", source);
    let body = main_part(&ir);
    let made = count_entries(body, &|e| e == RuntimeFn::Data(DataFn::MakeRef));
    assert_eq!(made, 1, "{body:#?}");
    same_on_both("shifted_ref", source, "4\n3\n");
}

#[test]
fn a_ref_passed_or_compared_keeps_its_cell() {
    let source = "let bump r = r := !r + 1\n\
        let () =\n  let a = ref 1 in\n  bump a;\n  let b = ref 2 in\n  \
        print (a = b);\n  let c = ref 5 in\n  c := !c * 2;\n  print !c\n";
    let ir = lowered("escaping_refs", source);
    let body = main_part(&ir);
    // `a` and `b` escape (an argument, an operand of `=`); `c` does not.
    let made = count_entries(body, &|e| e == RuntimeFn::Data(DataFn::MakeRef));
    assert_eq!(made, 2, "{body:#?}");
    same_on_both("escaping_refs", source, "true\n10\n");
}
