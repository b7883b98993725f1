//! The prelude's mathematical functions. The `real` ones take a float or
//! a tensor (element-wise); `abs` also an int.

use super::args;
use crate::runtime::ad::{self, Unary};
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::ops::kind_name;
use crate::runtime::value::Value;

type Outcome = Result<Value, RuntimeError>;

fn real_unary(name: &str, a: &[Value], f: fn(f64) -> f64) -> Outcome {
    match args::any(a, 0)? {
        Value::Float(x) => Ok(Value::Float(f(*x))),
        other => Err(RuntimeError::internal(format!(
            "{name} expects a float or a tensor, got {}",
            kind_name(other)
        ))),
    }
}

/// A differentiable primitive: plain floats take the fast path, tracked
/// ones go through `ad`.
fn differentiable(ctx: &RuntimeCtx, f: Unary, a: &[Value], plain: fn(f64) -> f64) -> Outcome {
    match args::any(a, 0)? {
        v @ (Value::Tracked(_) | Value::Tensor(_)) => ad::unary(ctx, f, v),
        _ => real_unary(f.name(), a, plain),
    }
}

pub fn sigmoid_f64(x: f64) -> f64 {
    // Written so that neither branch overflows `exp`.
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

pub fn relu_f64(x: f64) -> f64 {
    if x > 0.0 || x.is_nan() {
        x
    } else {
        0.0
    }
}

pub fn sin(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(ctx, Unary::Sin, a, f64::sin)
}

pub fn cos(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(ctx, Unary::Cos, a, f64::cos)
}

pub fn tan(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(ctx, Unary::Tan, a, f64::tan)
}

pub fn exp(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(ctx, Unary::Exp, a, f64::exp)
}

pub fn log(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(ctx, Unary::Log, a, f64::ln)
}

pub fn sqrt(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(ctx, Unary::Sqrt, a, f64::sqrt)
}

pub fn tanh(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(ctx, Unary::Tanh, a, f64::tanh)
}

pub fn sigmoid(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(ctx, Unary::Sigmoid, a, sigmoid_f64)
}

pub fn relu(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(ctx, Unary::Relu, a, relu_f64)
}

pub fn floor(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Ok(Value::Float(args::float(a, 0)?.floor()))
}

pub fn ceil(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Ok(Value::Float(args::float(a, 0)?.ceil()))
}

pub fn abs(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    match args::any(a, 0)? {
        Value::Int(n) => n
            .checked_abs()
            .map(Value::Int)
            .ok_or_else(|| RuntimeError::integer_overflow("`abs`")),
        Value::Float(x) => Ok(Value::Float(x.abs())),
        v @ (Value::Tracked(_) | Value::Tensor(_)) => ad::unary(ctx, Unary::Abs, v),
        other => Err(RuntimeError::internal(format!(
            "abs expects a number, got {}",
            kind_name(other)
        ))),
    }
}
