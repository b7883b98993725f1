//! The differentiation runtime without the interpreter: tags, delimiters,
//! remainders, forward tangents, and their failure modes.

use crate::runtime::ad::{self, Tracked, Unary};
use crate::runtime::ctx::RuntimeCtx;
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
    let (ctx, _) = RuntimeCtx::capturing();
    let tag = ctx.ad.open(false);
    let x = Tracked::value(tag, Value::Float(3.0));
    let xx = ad::binary(&ctx, BinOp::Mul, &x, &x).unwrap();
    let r = ad::binary(&ctx, BinOp::Add, &xx, &x).unwrap();
    assert_eq!(float(&r), 12.0);
    ad::close(&ctx, tag, &r).unwrap();
    assert_eq!(derivative(&x), 7.0);
}

#[test]
fn forward_mode_carries_tangents() {
    let (ctx, _) = RuntimeCtx::capturing();
    let tag = ctx.ad.open(true);
    let x = ad::with_tangents(tag, &Value::Float(0.0), &Value::Float(2.0)).unwrap();
    let s = ad::unary(&ctx, Unary::Sin, &x).unwrap();
    assert_eq!(derivative(&s), 2.0);
    ad::close(&ctx, tag, &s).unwrap();
}

#[test]
fn closing_the_wrong_delimiter_is_an_error_not_a_panic() {
    let (ctx, _) = RuntimeCtx::capturing();
    let outer = ctx.ad.open(false);
    let inner = ctx.ad.open(false);
    let e = ad::close(&ctx, outer, &Value::Float(1.0)).unwrap_err();
    assert_eq!(e.code, "R010");
    // The error forgot every delimiter: a new grad starts clean.
    assert!(!ctx.ad.is_active(outer) && !ctx.ad.is_active(inner));
    let tag = ctx.ad.open(false);
    assert!(tag > inner, "tags are never reused");
    assert!(ad::close(&ctx, tag, &Value::Float(1.0)).is_ok());
}

#[test]
fn a_value_of_an_ended_grad_is_a_constant() {
    let (ctx, _) = RuntimeCtx::capturing();
    let tag = ctx.ad.open(false);
    let x = Tracked::value(tag, Value::Float(2.0));
    ad::close(&ctx, tag, &x).unwrap();
    let y = ad::binary(&ctx, BinOp::Mul, &x, &Value::Float(5.0)).unwrap();
    assert!(matches!(y, Value::Float(v) if v == 10.0));
    // Also under a later grad, whose tag is another.
    let later = ctx.ad.open(false);
    let z = ad::binary(
        &ctx,
        BinOp::Mul,
        &x,
        &Tracked::value(later, Value::Float(3.0)),
    )
    .unwrap();
    ad::close(&ctx, later, &z).unwrap();
    assert!(matches!(&z, Value::Tracked(t) if t.tag == later));
}

#[test]
fn comparisons_and_printing_see_the_value() {
    let (ctx, _) = RuntimeCtx::capturing();
    let tag = ctx.ad.open(false);
    let x = Tracked::value(tag, Value::Float(2.0));
    let lt = crate::runtime::ops::binary(&ctx, BinOp::Lt, &x, &Value::Float(3.0)).unwrap();
    assert!(matches!(lt, Value::Bool(true)));
    assert_eq!(crate::runtime::print::show(&x), "2.0");
    ad::close(&ctx, tag, &x).unwrap();
}

#[test]
fn each_context_has_its_own_delimiters() {
    let (a, _) = RuntimeCtx::capturing();
    let (b, _) = RuntimeCtx::capturing();
    let tag = a.ad.open(false);
    assert!(a.ad.is_active(tag));
    assert!(!b.ad.is_active(tag));
    // No remainder goes to `b`: there the value is a constant.
    let x = Tracked::value(tag, Value::Float(2.0));
    let y = ad::binary(&b, BinOp::Mul, &x, &x).unwrap();
    assert!(matches!(y, Value::Float(v) if v == 4.0));
    ad::close(&a, tag, &x).unwrap();
}
