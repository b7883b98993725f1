//! Operators and data construction on evaluated operands: the strict part
//! of each form, once the machine has evaluated its subexpressions.
//!
//! Arithmetic semantics live in `runtime::ops`; the int fast path here
//! only short-cuts the cases it can decide exactly the same way (an
//! overflowing operation falls through to `ops`, which reports R002).

use std::cell::RefCell;
use std::rc::Rc;

use super::code::Build;
use super::machine::Fail;
use crate::runtime::error::RuntimeError;
use crate::runtime::ops;
use crate::runtime::value::{Record, Value};
use crate::syntax::ast::{BinOp, UnOp};

fn internal(message: &str) -> RuntimeError {
    RuntimeError::new("R008", format!("internal interpreter error: {message}"))
}

#[inline(always)]
pub fn binop(op: BinOp, a: Value, b: Value) -> Result<Value, Fail> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => match op {
            BinOp::Add => checked(op, x, y, x.checked_add(y)),
            BinOp::Sub => checked(op, x, y, x.checked_sub(y)),
            BinOp::Mul => checked(op, x, y, x.checked_mul(y)),
            BinOp::Lt => Ok(Value::Bool(x < y)),
            BinOp::Le => Ok(Value::Bool(x <= y)),
            BinOp::Gt => Ok(Value::Bool(x > y)),
            BinOp::Ge => Ok(Value::Bool(x >= y)),
            BinOp::Eq => Ok(Value::Bool(x == y)),
            BinOp::Ne => Ok(Value::Bool(x != y)),
            _ => general_binop(op, Value::Int(x), Value::Int(y)),
        },
        (a, b) => general_binop(op, a, b),
    }
}

/// An int result, or the general path when it overflowed (which reports
/// the error the one definition in `runtime::ops` gives).
#[inline(always)]
fn checked(op: BinOp, x: i64, y: i64, result: Option<i64>) -> Result<Value, Fail> {
    match result {
        Some(n) => Ok(Value::Int(n)),
        None => general_binop(op, Value::Int(x), Value::Int(y)),
    }
}

#[inline(never)]
fn general_binop(op: BinOp, a: Value, b: Value) -> Result<Value, Fail> {
    if op == BinOp::Cons {
        return Ok(Value::cons(a, b));
    }
    Ok(ops::binary(op, &a, &b)?)
}

pub fn unop(op: UnOp, v: Value) -> Result<Value, Fail> {
    match op {
        UnOp::Neg => Ok(ops::negate(&v)?),
        UnOp::Not => match v {
            Value::Bool(b) => Ok(Value::Bool(!b)),
            _ => Err(Box::new(internal("`not` on a non-boolean"))),
        },
    }
}

fn index_of(array_len: usize, index: &Value) -> Result<usize, RuntimeError> {
    let Value::Int(i) = index else {
        return Err(internal("array index is not an int"));
    };
    usize::try_from(*i)
        .ok()
        .filter(|i| *i < array_len)
        .ok_or_else(|| {
            RuntimeError::new(
                "R003",
                format!("index out of range: index {i} in an array of length {array_len}"),
            )
        })
}

fn next(parts: &mut impl Iterator<Item = Value>) -> Result<Value, RuntimeError> {
    parts.next().ok_or_else(|| internal("missing operand"))
}

/// Combines the evaluated parts of a `Build` node.
pub fn finish_build(build: &Build, parts: Vec<Value>) -> Result<Value, RuntimeError> {
    let mut parts = parts.into_iter();
    Ok(match build {
        Build::Tuple => Value::Tuple(parts.collect()),
        Build::List => Value::list_from(parts.collect::<Vec<_>>()),
        Build::Array => Value::Array(Rc::new(RefCell::new(parts.collect()))),
        Build::Variant { tag, name } => Value::variant(*tag, name.clone(), Some(next(&mut parts)?)),
        Build::Record { layout, order } => {
            let mut values = vec![Value::Unit; layout.len()];
            for (value, index) in parts.zip(order.iter()) {
                if let Some(slot) = values.get_mut(*index) {
                    *slot = value;
                }
            }
            Value::Record(Rc::new(Record {
                layout: layout.clone(),
                values,
            }))
        }
        Build::RecordUpdate(indices) => {
            let Value::Record(base) = next(&mut parts)? else {
                return Err(internal("`with` on a non-record"));
            };
            let mut values = base.values.clone();
            for (index, value) in indices.iter().zip(parts) {
                match values.get_mut(*index) {
                    Some(slot) => *slot = value,
                    None => return Err(internal("`with` names an unknown field")),
                }
            }
            base.with_values(values)
        }
        Build::Field(index) => field(next(&mut parts)?, *index)?,
        Build::Index => {
            let array = next(&mut parts)?;
            index(array, next(&mut parts)?)?
        }
        Build::IndexSet => {
            let array = next(&mut parts)?;
            let i = next(&mut parts)?;
            index_set(array, i, next(&mut parts)?)?
        }
        Build::Assign => {
            let cell = next(&mut parts)?;
            assign(cell, next(&mut parts)?)?
        }
        Build::Deref => deref(next(&mut parts)?)?,
        Build::MakeRef => Value::Ref(Rc::new(RefCell::new(next(&mut parts)?))),
    })
}

/// The field at declared index `index`.
pub fn field(record: Value, index: usize) -> Result<Value, RuntimeError> {
    let Value::Record(record) = record else {
        return Err(internal("field access on a non-record"));
    };
    match record.values.get(index) {
        Some(v) => Ok(v.clone()),
        None => Err(internal("unknown record field")),
    }
}

/// `a.(i)`
pub fn index(array: Value, i: Value) -> Result<Value, RuntimeError> {
    let Value::Array(cells) = array else {
        return Err(internal("indexing a non-array"));
    };
    let cells = cells.borrow();
    let i = index_of(cells.len(), &i)?;
    cells.get(i).cloned().ok_or_else(|| internal("index check"))
}

/// `a.(i) <- v`
pub fn index_set(array: Value, i: Value, value: Value) -> Result<Value, RuntimeError> {
    let Value::Array(cells) = array else {
        return Err(internal("indexing a non-array"));
    };
    let mut cells = cells.borrow_mut();
    let i = index_of(cells.len(), &i)?;
    if let Some(cell) = cells.get_mut(i) {
        *cell = value;
    }
    Ok(Value::Unit)
}

/// `r := v`
pub fn assign(cell: Value, value: Value) -> Result<Value, RuntimeError> {
    let Value::Ref(cell) = cell else {
        return Err(internal("`:=` on a non-ref"));
    };
    *cell.borrow_mut() = value;
    Ok(Value::Unit)
}

/// `!r`
pub fn deref(cell: Value) -> Result<Value, RuntimeError> {
    let Value::Ref(cell) = cell else {
        return Err(internal("`!` on a non-ref"));
    };
    let v = super::machine::dup(&cell.borrow());
    Ok(v)
}
