//! The first-order `Array.*` primitives; the higher-order ones are dlang
//! code in stdlib/array.dl.

use std::cell::RefCell;
use std::rc::Rc;

use super::args;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::memory;
use crate::runtime::value::Value;

type Outcome = Result<Value, RuntimeError>;

fn new_array(items: Vec<Value>) -> Value {
    Value::Array(Rc::new(RefCell::new(items)))
}

fn out_of_range(what: &str, i: i64, len: usize) -> RuntimeError {
    RuntimeError::out_of_range(format!(
        "{what}: index {i} out of range for an array of length {len}"
    ))
}

/// `Array.make n x`: `n` copies of `x` (the same value, as in OCaml).
pub fn make(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let n = args::int(a, 0)?;
    let x = args::any(a, 1)?;
    let len = usize::try_from(n)
        .map_err(|_| RuntimeError::bad_argument(format!("Array.make: negative length {n}")))?;
    memory::check_room(len, std::mem::size_of::<Value>(), || {
        format!("Array.make: an array of {n} elements")
    })?;
    let mut items = Vec::new();
    items
        .try_reserve_exact(len)
        .map_err(|_| RuntimeError::bad_argument(format!("Array.make: length {n} is too large")))?;
    items.resize(len, x.clone());
    Ok(new_array(items))
}

pub fn length(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Ok(Value::Int(args::array(a, 0)?.borrow().len() as i64))
}

pub fn get(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let items = args::array(a, 0)?;
    let i = args::int(a, 1)?;
    let items = items.borrow();
    usize::try_from(i)
        .ok()
        .and_then(|k| items.get(k).cloned())
        .ok_or_else(|| out_of_range("Array.get", i, items.len()))
}

pub fn set(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let items = args::array(a, 0)?;
    let i = args::int(a, 1)?;
    let x = args::any(a, 2)?.clone();
    let mut items = items.borrow_mut();
    let len = items.len();
    let slot = usize::try_from(i)
        .ok()
        .and_then(|k| items.get_mut(k))
        .ok_or_else(|| out_of_range("Array.set", i, len))?;
    *slot = x;
    Ok(Value::Unit)
}

pub fn of_list(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Ok(new_array(args::list(a, 0)?))
}

pub fn to_list(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let items = args::array(a, 0)?;
    let items = items.borrow().clone();
    Ok(Value::list_from(items))
}

/// A fresh array with the same elements (a shallow copy).
pub fn copy(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let items = args::array(a, 0)?;
    let items = items.borrow().clone();
    Ok(new_array(items))
}

pub fn append(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let (xs, ys) = (args::array(a, 0)?, args::array(a, 1)?);
    let mut items = xs.borrow().clone();
    items.extend(ys.borrow().iter().cloned());
    Ok(new_array(items))
}

/// `Array.sub a start len`: a fresh array of `len` elements.
pub fn sub(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let items = args::array(a, 0)?;
    let (start, len) = (args::int(a, 1)?, args::int(a, 2)?);
    let items = items.borrow();
    let range = usize::try_from(start)
        .ok()
        .zip(usize::try_from(len).ok())
        .and_then(|(s, l)| Some(s..s.checked_add(l)?))
        .filter(|r| r.end <= items.len())
        .ok_or_else(|| {
            RuntimeError::out_of_range(format!(
                "Array.sub: start {start} and length {len} out of range for an array of length {}",
                items.len()
            ))
        })?;
    Ok(new_array(items[range].to_vec()))
}
