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
fn differentiable(f: Unary, a: &[Value], plain: fn(f64) -> f64) -> Outcome {
    match args::any(a, 0)? {
        v @ (Value::Tracked(_) | Value::Tensor(_)) => ad::unary(f, v),
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

pub fn sin(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(Unary::Sin, a, f64::sin)
}

pub fn cos(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(Unary::Cos, a, f64::cos)
}

pub fn tan(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(Unary::Tan, a, f64::tan)
}

pub fn exp(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(Unary::Exp, a, f64::exp)
}

pub fn log(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(Unary::Log, a, f64::ln)
}

pub fn sqrt(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(Unary::Sqrt, a, f64::sqrt)
}

pub fn tanh(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(Unary::Tanh, a, f64::tanh)
}

pub fn sigmoid(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(Unary::Sigmoid, a, sigmoid_f64)
}

pub fn relu(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    differentiable(Unary::Relu, a, relu_f64)
}

pub fn floor(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Ok(Value::Float(args::float(a, 0)?.floor()))
}

pub fn ceil(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Ok(Value::Float(args::float(a, 0)?.ceil()))
}

pub fn abs(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    match args::any(a, 0)? {
        Value::Int(n) => n
            .checked_abs()
            .map(Value::Int)
            .ok_or_else(|| RuntimeError::integer_overflow("`abs`")),
        Value::Float(x) => Ok(Value::Float(x.abs())),
        v @ (Value::Tracked(_) | Value::Tensor(_)) => ad::unary(Unary::Abs, v),
        other => Err(RuntimeError::internal(format!(
            "abs expects a number, got {}",
            kind_name(other)
        ))),
    }
}
