//! Reading a primitive's arguments. The checker guarantees their types, so
//! a mismatch here is an internal error, reported as R099 rather than a
//! panic.

use std::cell::RefCell;
use std::rc::Rc;

use crate::runtime::error::RuntimeError;
use crate::runtime::ops::kind_name;
use crate::runtime::value::Value;

fn expect(args: &[Value], i: usize) -> Result<&Value, RuntimeError> {
    args.get(i).ok_or_else(|| {
        RuntimeError::internal(format!("primitive called without argument {}", i + 1))
    })
}

fn mismatch(wanted: &str, got: &Value) -> RuntimeError {
    RuntimeError::internal(format!(
        "primitive expected {wanted}, got {}",
        kind_name(got)
    ))
}

pub fn int(args: &[Value], i: usize) -> Result<i64, RuntimeError> {
    match expect(args, i)? {
        Value::Int(n) => Ok(*n),
        other => Err(mismatch("an int", other)),
    }
}

/// A float argument; a tracked one is read as its value, since the
/// primitives reading floats this way pass no gradient.
pub fn float(args: &[Value], i: usize) -> Result<f64, RuntimeError> {
    match crate::runtime::ad::primal(expect(args, i)?) {
        Value::Float(x) => Ok(*x),
        other => Err(mismatch("a float", other)),
    }
}

pub fn string(args: &[Value], i: usize) -> Result<Rc<str>, RuntimeError> {
    match expect(args, i)? {
        Value::Str(s) => Ok(s.clone()),
        other => Err(mismatch("a string", other)),
    }
}

pub fn list(args: &[Value], i: usize) -> Result<Vec<Value>, RuntimeError> {
    let v = expect(args, i)?;
    v.list_to_vec().ok_or_else(|| mismatch("a list", v))
}

pub fn array(args: &[Value], i: usize) -> Result<Rc<RefCell<Vec<Value>>>, RuntimeError> {
    match expect(args, i)? {
        Value::Array(a) => Ok(a.clone()),
        other => Err(mismatch("an array", other)),
    }
}

pub fn any(args: &[Value], i: usize) -> Result<&Value, RuntimeError> {
    expect(args, i)
}

pub fn string_list(
    items: impl IntoIterator<Item = String, IntoIter: DoubleEndedIterator>,
) -> Value {
    Value::list_from(items.into_iter().map(|s| Value::Str(Rc::from(s))))
}
