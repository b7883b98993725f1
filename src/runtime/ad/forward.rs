//! Forward mode (`jvp`): the tangent of a binary primitive's result, from
//! its operands' tangents. A value under a `jvp` tag carries its tangent
//! in its `derivative` cell; an operand not under this tag is a constant
//! (tangent zero). The rules use the generic operations, so tangents may
//! themselves be tracked by other tags (nesting).

use super::arith::{
    add, div, float, mul, pow_base_slope, pow_exponent_slope, tag_of, unary, under, Unary,
};
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::value::Value;
use crate::syntax::ast::BinOp;

/// The tangent of `v` under `tag`, or `None` for a constant.
fn tangent(v: &Value, tag: u32) -> Option<Value> {
    match v {
        Value::Tracked(t) if tag_of(v) == tag => Some(t.derivative.borrow().clone()),
        _ => None,
    }
}

/// The sum of the present terms (`0.0` when none is).
fn sum(ctx: &RuntimeCtx, terms: [Option<Value>; 2]) -> Result<Value, RuntimeError> {
    let mut total: Option<Value> = None;
    for term in terms.into_iter().flatten() {
        total = Some(match total {
            None => term,
            Some(t) => add(ctx, &t, &term)?,
        });
    }
    Ok(total.unwrap_or(float(0.0)))
}

pub fn binary_tangent(
    ctx: &RuntimeCtx,
    op: BinOp,
    a: &Value,
    b: &Value,
    r: &Value,
    tag: u32,
) -> Result<Value, RuntimeError> {
    let (x, y) = (under(a, tag), under(b, tag));
    let (da, db) = (tangent(a, tag), tangent(b, tag));
    let from_a = |f: &dyn Fn(&Value) -> Result<Value, RuntimeError>| da.as_ref().map(f).transpose();
    let from_b = |f: &dyn Fn(&Value) -> Result<Value, RuntimeError>| db.as_ref().map(f).transpose();
    let terms = match op {
        BinOp::Add => [da.clone(), db.clone()],
        BinOp::Sub => [da.clone(), from_b(&|d| unary(ctx, Unary::Neg, d))?],
        BinOp::Mul => [from_a(&|d| mul(ctx, d, &y))?, from_b(&|d| mul(ctx, &x, d))?],
        BinOp::Div => [
            from_a(&|d| div(ctx, d, &y))?,
            from_b(&|d| unary(ctx, Unary::Neg, &div(ctx, &mul(ctx, r, d)?, &y)?))?,
        ],
        BinOp::Pow => [
            from_a(&|d| mul(ctx, d, &pow_base_slope(ctx, &x, &y)?))?,
            from_b(&|d| mul(ctx, d, &pow_exponent_slope(ctx, &x, &y, r)?))?,
        ],
        _ => [None, None],
    };
    super::tensor::fit_tangent(ctx, sum(ctx, terms)?, r)
}
