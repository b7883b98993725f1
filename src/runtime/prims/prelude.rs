//! The prelude's primitives that are not mathematics: printing,
//! comparison, pairs, errors and int/float conversion.

use super::{args, io};
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::exn;
use crate::runtime::ops::compare_values;
use crate::runtime::print::show;
use crate::runtime::value::Value;
use crate::syntax::ast::BinOp;
use std::cmp::Ordering;

type Outcome = Result<Value, RuntimeError>;

fn shown_line(a: &[Value]) -> Result<String, RuntimeError> {
    let mut text = show(args::any(a, 0)?);
    text.push('\n');
    Ok(text)
}

pub fn print(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    io::write_stdout(ctx, &shown_line(a)?)?;
    Ok(Value::Unit)
}

pub fn print_string(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let text = args::string(a, 0)?;
    io::write_stdout(ctx, &text)?;
    Ok(Value::Unit)
}

/// `eprint v`: as `print`, on stderr.
pub fn eprint(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    io::write_stderr(ctx, &shown_line(a)?)?;
    Ok(Value::Unit)
}

pub fn show_value(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Ok(Value::string(&show(args::any(a, 0)?)))
}

pub fn compare(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let ord = compare_values(args::any(a, 0)?, args::any(a, 1)?)?;
    Ok(Value::Int(match ord {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }))
}

/// `min`/`max` follow `compare`, except that a NaN operand wins, as in
/// OCaml.
fn pick(ctx: &RuntimeCtx, a: &[Value], keep: Ordering) -> Outcome {
    let (x, y) = (args::any(a, 0)?, args::any(a, 1)?);
    for v in [x, y] {
        if matches!(v, Value::Float(f) if f.is_nan()) {
            return Ok(v.clone());
        }
    }
    let ord = compare_values(x, y)?;
    if ord == Ordering::Equal && is_tracked_float_pair(x, y) {
        // PyTorch's `maximum`/`minimum`: at a tie the gradient is shared
        // evenly. `(x + y) * 0.5` has the tie's value and that derivative.
        let sum = crate::runtime::ad::binary(ctx, BinOp::Add, x, y)?;
        return crate::runtime::ad::binary(ctx, BinOp::Mul, &sum, &Value::Float(0.5));
    }
    Ok(if ord == keep || ord == Ordering::Equal {
        x
    } else {
        y
    }
    .clone())
}

pub fn min(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    pick(ctx, a, Ordering::Less)
}

pub fn max(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    pick(ctx, a, Ordering::Greater)
}

fn pair_component(a: &[Value], i: usize) -> Outcome {
    match args::any(a, 0)? {
        Value::Tuple(items) if items.len() == 2 => Ok(items[i].clone()),
        _ => Err(RuntimeError::internal("expected a pair")),
    }
}

pub fn fst(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    pair_component(a, 0)
}

pub fn snd(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    pair_component(a, 1)
}

pub fn ignore(_: &mut RuntimeCtx, _: &[Value]) -> Outcome {
    Ok(Value::Unit)
}

pub fn failwith(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Err(exn::failure(&*args::string(a, 0)?))
}

pub fn invalid_arg(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Err(exn::invalid_argument(&*args::string(a, 0)?))
}

pub fn raise(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    match a.first() {
        Some(exn) => Err(RuntimeError::raise(exn.clone())),
        None => Err(RuntimeError::internal("`raise` without its exception")),
    }
}

pub fn to_float(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Ok(Value::Float(args::int(a, 0)? as f64))
}

/// Truncates toward zero; NaN and values outside the int range are
/// refused rather than saturated.
pub fn to_int(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    truncate_to_int("to_int", args::float(a, 0)?)
}

/// `to_int`'s conversion; `name` is the primitive the error names.
pub(super) fn truncate_to_int(name: &str, x: f64) -> Outcome {
    // 2^63 is exact as f64; every float in (-2^63 - 1, 2^63) truncates
    // into range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if !(-LIMIT..LIMIT).contains(&x) {
        return Err(RuntimeError::bad_argument(format!(
            "{name}: {} is not representable as an int",
            crate::runtime::print::format_float(x)
        )));
    }
    Ok(Value::Int(x as i64))
}

/// `grad` and friends are run by the interpreter, which can call the
/// function they receive; reaching this is an interpreter bug.
pub fn needs_machine(_: &mut RuntimeCtx, _: &[Value]) -> Outcome {
    Err(RuntimeError::internal(
        "a differentiation primitive ran without its backend",
    ))
}

/// `stop_gradient x`: `x` with every tag removed, a constant to every
/// enclosing derivative.
pub fn stop_gradient(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Ok(crate::runtime::ad::strip_all(args::any(a, 0)?))
}

fn is_tracked_float_pair(x: &Value, y: &Value) -> bool {
    let float = |v: &Value| crate::runtime::ad::float_of(v).is_some();
    (matches!(x, Value::Tracked(_)) || matches!(y, Value::Tracked(_))) && float(x) && float(y)
}
