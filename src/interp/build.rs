//! Operators and data construction on evaluated operands: the strict part
//! of each form, once the machine has evaluated its subexpressions. The
//! semantics and errors are the runtime's (`runtime::ops`,
//! `runtime::data`); this only dispatches on the node and keeps errors
//! boxed.

use super::code::Build;
use super::machine::{Exec, Fail};
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::data;
use crate::runtime::error::RuntimeError;
use crate::runtime::ops;
use crate::runtime::value::Value;
use crate::syntax::ast::{BinOp, UnOp};

impl Exec<'_> {
    /// `a op b`; the context is read only off the int and float fast
    /// paths (a float outside any `grad` is never tracked).
    #[inline(always)]
    pub fn binop(&self, op: BinOp, a: Value, b: Value) -> Result<Value, Fail> {
        match (&a, &b) {
            (Value::Int(x), Value::Int(y)) => {
                if let Some(v) = ops::int_fast_path(op, *x, *y) {
                    return Ok(v);
                }
            }
            (Value::Float(x), Value::Float(y)) => {
                if let Some(v) = ops::float_fast_path(op, *x, *y) {
                    return Ok(v);
                }
            }
            _ => {}
        }
        general_binop(self.ctx, op, a, b)
    }

    pub fn unop(&self, op: UnOp, v: Value) -> Result<Value, Fail> {
        match op {
            UnOp::Neg => Ok(ops::negate(self.ctx, &v)?),
            UnOp::Not => match v {
                Value::Bool(b) => Ok(Value::Bool(!b)),
                _ => Err(Box::new(RuntimeError::internal("`not` on a non-boolean"))),
            },
        }
    }
}

#[inline(never)]
fn general_binop(ctx: &RuntimeCtx, op: BinOp, a: Value, b: Value) -> Result<Value, Fail> {
    if op == BinOp::Cons {
        return Ok(Value::cons(a, b));
    }
    Ok(ops::binary(ctx, op, &a, &b)?)
}

fn next(parts: &mut impl Iterator<Item = Value>) -> Result<Value, RuntimeError> {
    parts
        .next()
        .ok_or_else(|| RuntimeError::internal("missing operand"))
}

/// Combines the `n` evaluated parts of a `Build` node on top of `stack`,
/// taking them off it.
pub fn finish_build_from_stack(
    build: &Build,
    stack: &mut Vec<Value>,
    n: usize,
) -> Result<Value, RuntimeError> {
    let at = stack
        .len()
        .checked_sub(n)
        .ok_or_else(|| RuntimeError::internal("missing operand"))?;
    match build {
        Build::Tuple => Ok(Value::Tuple(stack.drain(at..).collect())),
        Build::VariantTuple { tag, name } => {
            let arg = Value::Tuple(stack.drain(at..).collect());
            Ok(data::variant(*tag, name, arg))
        }
        Build::Variant { tag, name } if n == 1 => {
            let arg = stack.pop().unwrap_or(Value::Unit);
            Ok(data::variant(*tag, name, arg))
        }
        _ => {
            let parts: Vec<Value> = stack.drain(at..).collect();
            finish_build(build, parts)
        }
    }
}

/// Combines the evaluated parts of a `Build` node.
pub fn finish_build(build: &Build, parts: Vec<Value>) -> Result<Value, RuntimeError> {
    let mut parts = parts.into_iter();
    Ok(match build {
        Build::Tuple => data::tuple(parts.collect()),
        Build::List => data::list(parts.collect()),
        Build::Array => data::array(parts.collect()),
        Build::Record { layout, order } => data::record(layout, order, parts.collect()),
        Build::Variant { tag, name } => data::variant(*tag, name, next(&mut parts)?),
        Build::VariantTuple { tag, name } => {
            data::variant(*tag, name, data::tuple(parts.collect()))
        }
        Build::RecordUpdate(indices) => {
            let base = next(&mut parts)?;
            data::record_update(base, indices, parts)?
        }
        Build::Field(index) => data::field(next(&mut parts)?, *index)?,
        Build::FieldSet(index) => {
            let record = next(&mut parts)?;
            data::field_set(record, *index, next(&mut parts)?)?
        }
        Build::Index => {
            let array = next(&mut parts)?;
            data::index(array, next(&mut parts)?)?
        }
        Build::IndexSet => {
            let array = next(&mut parts)?;
            let i = next(&mut parts)?;
            data::index_set(array, i, next(&mut parts)?)?
        }
        Build::Assign => {
            let cell = next(&mut parts)?;
            data::assign(cell, next(&mut parts)?)?
        }
        Build::Deref => data::deref(next(&mut parts)?)?,
        Build::MakeRef => data::make_ref(next(&mut parts)?),
    })
}
