//! `Random.*`: thin wrappers over the run's generator
//! ([`crate::runtime::random::Rng`], where the exact stream is documented).

use super::args;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::random::Rng;
use crate::runtime::value::Value;

type Outcome = Result<Value, RuntimeError>;

pub fn seed(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    ctx.rng = Rng::seeded(args::int(a, 0)? as u64);
    Ok(Value::Unit)
}

/// `Random.int n`: uniform in `[0, n)`.
pub fn int(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let n = args::int(a, 0)?;
    if n <= 0 {
        return Err(RuntimeError::bad_argument(format!(
            "Random.int: bound {n} is not positive"
        )));
    }
    Ok(Value::Int(ctx.rng.below(n as u64) as i64))
}

/// `Random.float x`: uniform in `[0, x)` (in `(x, 0]` for a negative `x`).
pub fn float(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let x = args::float(a, 0)?;
    Ok(Value::Float(x * ctx.rng.unit()))
}

pub fn normal(ctx: &mut RuntimeCtx, _: &[Value]) -> Outcome {
    Ok(Value::Float(ctx.rng.normal()))
}

pub fn bool(ctx: &mut RuntimeCtx, _: &[Value]) -> Outcome {
    Ok(Value::Bool(ctx.rng.bool()))
}
