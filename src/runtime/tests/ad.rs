//! The differentiation runtime without the interpreter: tags, delimiters,
//! remainders, forward tangents, and their failure modes.

use crate::runtime::ad::{self, Tracked, Unary};
use crate::runtime::value::Value;
use crate::syntax::ast::BinOp;

fn float(v: &Value) -> f64 {
    ad::float_of(v).expect("a float")
}

fn derivative(v: &Value) -> f64 {
    match v {
        Value::Tracked(t) => float(&t.derivative.borrow()),
        _ => panic!("not tracked"),
    }
}

#[test]
fn reverse_mode_runs_remainders_last_first() {
    let tag = ad::open(false);
    let x = Tracked::value(tag, Value::Float(3.0));
    let xx = ad::binary(BinOp::Mul, &x, &x).unwrap();
    let r = ad::binary(BinOp::Add, &xx, &x).unwrap();
    assert_eq!(float(&r), 12.0);
    ad::close(tag, &r).unwrap();
    assert_eq!(derivative(&x), 7.0);
}

#[test]
fn forward_mode_carries_tangents() {
    let tag = ad::open(true);
    let x = ad::with_tangents(tag, &Value::Float(0.0), &Value::Float(2.0)).unwrap();
    let s = ad::unary(Unary::Sin, &x).unwrap();
    assert_eq!(derivative(&s), 2.0);
    ad::close(tag, &s).unwrap();
}

#[test]
fn closing_the_wrong_delimiter_is_an_error_not_a_panic() {
    let outer = ad::open(false);
    let _inner = ad::open(false);
    let e = ad::close(outer, &Value::Float(1.0)).unwrap_err();
    assert_eq!(e.code, "R010");
    // The error forgot every delimiter: a new grad starts clean.
    let tag = ad::open(false);
    assert!(ad::close(tag, &Value::Float(1.0)).is_ok());
}

#[test]
fn a_value_of_an_ended_grad_is_a_constant() {
    let tag = ad::open(false);
    let x = Tracked::value(tag, Value::Float(2.0));
    ad::close(tag, &x).unwrap();
    let y = ad::binary(BinOp::Mul, &x, &Value::Float(5.0)).unwrap();
    assert!(matches!(y, Value::Float(v) if v == 10.0));
}

#[test]
fn comparisons_and_printing_see_the_value() {
    let tag = ad::open(false);
    let x = Tracked::value(tag, Value::Float(2.0));
    let lt = crate::runtime::ops::binary(BinOp::Lt, &x, &Value::Float(3.0)).unwrap();
    assert!(matches!(lt, Value::Bool(true)));
    assert_eq!(crate::runtime::print::show(&x), "2.0");
    ad::close(tag, &x).unwrap();
}
