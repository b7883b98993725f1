use std::cmp::Ordering;

use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::ops::{self, compare_values, values_equal};
use crate::runtime::value::Value;
use crate::syntax::ast::BinOp;

/// `ops::binary` in a run with no `grad` open.
fn binary(op: BinOp, a: &Value, b: &Value) -> Result<Value, RuntimeError> {
    ops::binary(&RuntimeCtx::capturing().0, op, a, b)
}

fn negate(v: &Value) -> Result<Value, RuntimeError> {
    ops::negate(&RuntimeCtx::capturing().0, v)
}

fn int(n: i64) -> Value {
    Value::Int(n)
}

fn code_of(r: Result<Value, RuntimeError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code,
    }
}

fn as_int(v: Value) -> i64 {
    match v {
        Value::Int(n) => n,
        _ => panic!("not an int"),
    }
}

fn as_bool(v: Value) -> bool {
    match v {
        Value::Bool(b) => b,
        _ => panic!("not a bool"),
    }
}

#[test]
fn int_arithmetic_is_checked() {
    assert_eq!(as_int(binary(BinOp::Add, &int(2), &int(3)).unwrap()), 5);
    assert_eq!(code_of(binary(BinOp::Add, &int(i64::MAX), &int(1))), "R002");
    assert_eq!(code_of(binary(BinOp::Sub, &int(i64::MIN), &int(1))), "R002");
    assert_eq!(code_of(binary(BinOp::Mul, &int(i64::MAX), &int(2))), "R002");
    assert_eq!(
        code_of(binary(BinOp::Div, &int(i64::MIN), &int(-1))),
        "R002"
    );
    assert_eq!(code_of(negate(&int(i64::MIN))), "R002");
    let err = binary(BinOp::Add, &int(i64::MAX), &int(1)).err().unwrap();
    assert_eq!(err.message, "integer overflow in `+`");
}

#[test]
fn division_by_zero() {
    assert_eq!(code_of(binary(BinOp::Div, &int(1), &int(0))), "R001");
    assert_eq!(code_of(binary(BinOp::Mod, &int(1), &int(0))), "R001");
    let x = binary(BinOp::Div, &Value::Float(1.0), &Value::Float(0.0)).unwrap();
    assert!(matches!(x, Value::Float(f) if f == f64::INFINITY));
}

#[test]
fn modulo_has_the_sign_of_the_dividend() {
    assert_eq!(as_int(binary(BinOp::Mod, &int(-7), &int(2)).unwrap()), -1);
    assert_eq!(as_int(binary(BinOp::Mod, &int(7), &int(-2)).unwrap()), 1);
    assert_eq!(
        as_int(binary(BinOp::Mod, &int(i64::MIN), &int(-1)).unwrap()),
        0
    );
    assert_eq!(as_int(binary(BinOp::Div, &int(-7), &int(2)).unwrap()), -3);
}

#[test]
fn power_and_concat_and_append() {
    let p = binary(BinOp::Pow, &Value::Float(2.0), &Value::Float(10.0)).unwrap();
    assert!(matches!(p, Value::Float(f) if f == 1024.0));
    let s = binary(BinOp::Concat, &Value::string("ab"), &Value::string("cd")).unwrap();
    assert!(matches!(s, Value::Str(ref t) if &**t == "abcd"));
    let l = binary(
        BinOp::Append,
        &Value::list_from(vec![int(1), int(2)]),
        &Value::list_from(vec![int(3)]),
    )
    .unwrap();
    assert_eq!(crate::runtime::print::show(&l), "[1; 2; 3]");
}

#[test]
fn structural_equality() {
    let a = Value::list_from(vec![Value::some(int(1)), Value::none()]);
    let b = Value::list_from(vec![Value::some(int(1)), Value::none()]);
    assert!(values_equal(&a, &b).unwrap());
    let c = Value::list_from(vec![Value::some(int(2)), Value::none()]);
    assert!(!values_equal(&a, &c).unwrap());
    let nan = Value::Float(f64::NAN);
    assert!(!values_equal(&nan, &nan).unwrap());
    assert!(values_equal(&Value::Float(0.0), &Value::Float(-0.0)).unwrap());
    assert!(as_bool(binary(BinOp::Ne, &int(1), &int(2)).unwrap()));
}

#[test]
fn comparing_functions_is_an_error() {
    let prim = crate::runtime::prims::PRIMS.first().expect("a primitive");
    let f = Value::Builtin(std::rc::Rc::new(crate::runtime::value::BuiltinApp {
        prim,
        args: Vec::new(),
    }));
    assert_eq!(values_equal(&f, &f).err().unwrap().code, "R008");
    assert_eq!(compare_values(&int(1), &f).err().unwrap().code, "R008");
    let t = Value::Tuple(vec![int(1), f].into());
    assert_eq!(code_of(binary(BinOp::Eq, &t, &t)), "R008");
}

#[test]
fn ordering_like_ocaml() {
    let nan = Value::Float(f64::NAN);
    let one = Value::Float(1.0);
    assert!(!as_bool(binary(BinOp::Lt, &nan, &one).unwrap()));
    assert!(!as_bool(binary(BinOp::Ge, &nan, &one).unwrap()));
    assert_eq!(compare_values(&nan, &one).unwrap(), Ordering::Less);
    assert_eq!(compare_values(&nan, &nan).unwrap(), Ordering::Equal);
    assert!(as_bool(
        binary(BinOp::Lt, &Value::string("abc"), &Value::string("abd")).unwrap()
    ));
    let short = Value::list_from(vec![int(1)]);
    let long = Value::list_from(vec![int(1), int(0)]);
    assert_eq!(compare_values(&short, &long).unwrap(), Ordering::Less);
    assert_eq!(
        compare_values(&Value::none(), &Value::some(int(0))).unwrap(),
        Ordering::Less
    );
    let t1 = Value::Tuple(vec![int(1), Value::string("b")].into());
    let t2 = Value::Tuple(vec![int(1), Value::string("a")].into());
    assert_eq!(compare_values(&t1, &t2).unwrap(), Ordering::Greater);
}

#[test]
fn long_lists_compare_without_recursion() {
    let a = Value::list_from((0..1_000_000).map(int).collect::<Vec<_>>());
    let b = Value::list_from((0..1_000_000).map(int).collect::<Vec<_>>());
    assert!(values_equal(&a, &b).unwrap());
    let text = crate::runtime::print::show(&a);
    assert!(text.ends_with("999999]"));
}

#[test]
fn cyclic_values_compare_in_finite_time() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let make_cycle = |n: i64| {
        let cell = Rc::new(RefCell::new(Value::none()));
        let r = Value::Ref(cell.clone());
        *cell.borrow_mut() = Value::some(Value::Tuple(vec![int(n), r.clone()].into()));
        (r, cell)
    };
    let (a, cell_a) = make_cycle(1);
    let (b, cell_b) = make_cycle(1);
    let (c, cell_c) = make_cycle(2);
    assert!(values_equal(&a, &b).unwrap());
    assert!(values_equal(&a, &a).unwrap());
    assert!(!values_equal(&a, &c).unwrap());
    assert_eq!(compare_values(&a, &c).unwrap(), Ordering::Less);
    for cell in [cell_a, cell_b, cell_c] {
        *cell.borrow_mut() = Value::Unit;
    }
}
