//! The first-order `List.*` primitives; the higher-order ones are dlang
//! code in stdlib/list.dl. Each walks its list in a loop, so a list of a
//! million elements is no problem.

use std::sync::atomic::Ordering;

use super::args;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::memory;
use crate::runtime::value::{ConsCell, Value};

type Outcome = Result<Value, RuntimeError>;

fn not_a_list() -> RuntimeError {
    RuntimeError::internal("primitive expected a list")
}

pub fn length(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let mut cur = args::any(a, 0)?;
    let mut n: i64 = 0;
    loop {
        match cur {
            Value::Nil => return Ok(Value::Int(n)),
            Value::Cons(cell) => {
                n += 1;
                cur = &cell.tail;
            }
            _ => return Err(not_a_list()),
        }
    }
}

pub fn rev(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let mut cur = args::any(a, 0)?;
    let mut out = Value::Nil;
    loop {
        match cur {
            Value::Nil => return Ok(out),
            Value::Cons(cell) => {
                out = Value::cons(cell.head.clone(), out);
                cur = &cell.tail;
            }
            _ => return Err(not_a_list()),
        }
    }
}

/// `List.nth l i`, counting from 0.
pub fn nth(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let i = args::int(a, 1)?;
    let out_of_range = || RuntimeError::out_of_range(format!("List.nth: index {i} out of range"));
    let mut left = usize::try_from(i).map_err(|_| out_of_range())?;
    let mut cur = args::any(a, 0)?;
    loop {
        match cur {
            Value::Cons(cell) if left == 0 => return Ok(cell.head.clone()),
            Value::Cons(cell) => {
                left -= 1;
                cur = &cell.tail;
            }
            _ => return Err(out_of_range()),
        }
    }
}

pub fn hd(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    match args::any(a, 0)? {
        Value::Cons(cell) => Ok(cell.head.clone()),
        _ => Err(RuntimeError::bad_argument("List.hd: empty list")),
    }
}

pub fn tl(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    match args::any(a, 0)? {
        Value::Cons(cell) => Ok(cell.tail.clone()),
        _ => Err(RuntimeError::bad_argument("List.tl: empty list")),
    }
}

/// `List.range a b` is `[a; …; b - 1]`, empty when `b <= a`.
pub fn range(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let (from, to) = (args::int(a, 0)?, args::int(a, 1)?);
    let len = usize::try_from(i128::from(to) - i128::from(from)).unwrap_or(0);
    memory::check_room(len, ConsCell::BYTES, || {
        format!("List.range {from} {to}: a list of {len} elements")
    })?;
    let mut out = Value::Nil;
    let mut n = to;
    while n > from {
        n -= 1;
        out = Value::cons(Value::Int(n), out);
        // A huge range takes a while: let Ctrl-C stop it.
        if n % (1 << 20) == 0 && ctx.interrupted.load(Ordering::Relaxed) {
            return Err(RuntimeError::interrupted());
        }
    }
    Ok(out)
}

/// `List.concat` flattens a list of lists.
pub fn concat(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let lists = args::list(a, 0)?;
    let mut items = Vec::new();
    for list in &lists {
        let list = list.list_to_vec().ok_or_else(not_a_list)?;
        let len = items.len() + list.len();
        memory::check_room(len, ConsCell::BYTES, || {
            format!("List.concat: a list of {len} elements")
        })?;
        items.extend(list);
    }
    Ok(Value::list_from(items))
}

pub fn append(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    crate::runtime::ops::binary(
        ctx,
        crate::syntax::ast::BinOp::Append,
        args::any(a, 0)?,
        args::any(a, 1)?,
    )
}

/// Pairs up two lists of the same length (OCaml's `List.combine`).
pub fn zip(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let (xs, ys) = (args::list(a, 0)?, args::list(a, 1)?);
    if xs.len() != ys.len() {
        return Err(RuntimeError::bad_argument(format!(
            "List.zip: lists of different lengths ({} and {})",
            xs.len(),
            ys.len()
        )));
    }
    Ok(Value::list_from(
        xs.into_iter()
            .zip(ys)
            .map(|(x, y)| Value::Tuple(vec![x, y].into()))
            .collect::<Vec<_>>(),
    ))
}

/// The inverse of `zip` (OCaml's `List.split`).
pub fn unzip(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let pairs = args::list(a, 0)?;
    let mut firsts = Vec::with_capacity(pairs.len());
    let mut seconds = Vec::with_capacity(pairs.len());
    for pair in pairs {
        match pair {
            Value::Tuple(items) if items.len() == 2 => {
                firsts.push(items[0].clone());
                seconds.push(items[1].clone());
            }
            _ => return Err(RuntimeError::internal("List.unzip expects a list of pairs")),
        }
    }
    Ok(Value::Tuple(
        vec![Value::list_from(firsts), Value::list_from(seconds)].into(),
    ))
}

/// Membership by `compare x y = 0`, as OCaml's (so `nan` is a member of
/// `[nan]`).
pub fn mem(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let x = args::any(a, 0)?;
    let mut cur = args::any(a, 1)?;
    loop {
        match cur {
            Value::Nil => return Ok(Value::Bool(false)),
            Value::Cons(cell) => {
                if crate::runtime::ops::compare_values(x, &cell.head)?.is_eq() {
                    return Ok(Value::Bool(true));
                }
                cur = &cell.tail;
            }
            _ => return Err(not_a_list()),
        }
    }
}
