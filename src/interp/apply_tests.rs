//! Calling dlang function values from Rust through `runtime::function::Apply`.

use super::tests::Program;
use super::Interpreter;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::function::Apply;
use crate::runtime::value::Value;

/// An interpreter that has run the stdlib and then `src`, and the value of
/// its global `name`.
fn global(src: &str, name: &str) -> (Interpreter, Value) {
    let (ctx, _out) = RuntimeCtx::capturing();
    let mut program = Program::with_stdlib(ctx);
    program
        .run(None, src)
        .unwrap_or_else(|e| panic!("run-time error {e:?}"));
    let interp = program.interp;
    let value = interp.lookup_global(name).expect("the global");
    (interp, value)
}

fn int(v: Result<Value, RuntimeError>) -> i64 {
    match v {
        Ok(Value::Int(n)) => n,
        Ok(_) => panic!("not an int"),
        Err(e) => panic!("run-time error {e:?}"),
    }
}

#[test]
fn closures_primitives_and_partial_applications_are_called() {
    let src = "let k = 10\nlet add x y = x + y + k\nlet add1 = add 1\nlet len = List.length";
    let (mut interp, add1) = global(src, "add1");
    assert_eq!(int(interp.apply(&add1, Value::Int(2))), 13);
    let len = interp.lookup_global("len").expect("len");
    let list = Value::list_from([Value::Int(1), Value::Int(2)]);
    assert_eq!(int(interp.apply(&len, list)), 2);
}

#[test]
fn a_called_function_may_run_continuations_inside_it() {
    let src = "let twice x = reset (shift k -> k (k x)) * 2";
    let (mut interp, twice) = global(src, "twice");
    assert_eq!(int(interp.apply(&twice, Value::Int(3))), 6);
}

#[test]
fn an_error_in_a_called_function_carries_its_call_stack() {
    let src = "let g x = x / 0\nlet f x = 1 + g x\nlet id x = x";
    let (mut interp, f) = global(src, "f");
    let e = interp
        .apply(&f, Value::Int(1))
        .err()
        .expect("division by zero");
    assert_eq!(e.code, "R001");
    let names = e.stack.names();
    assert_eq!(names, ["g", "f"]);
    // The interpreter is usable afterwards.
    let id = interp.lookup_global("id").expect("id");
    assert_eq!(int(interp.apply(&id, Value::Int(7))), 7);
}

#[test]
fn applying_a_non_function_is_an_internal_error() {
    let (mut interp, one) = global("let one = 1", "one");
    let e = interp
        .apply(&one, Value::Unit)
        .err()
        .expect("not a function");
    assert_eq!(e.code, "R099");
}
