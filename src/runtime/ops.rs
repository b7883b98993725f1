//! The operators' run-time semantics: arithmetic, comparison, equality,
//! string concatenation and list append. Both backends call these, so each
//! operator has exactly one definition.
//!
//! Equality and ordering walk structures with an explicit work stack, so a
//! list of a million elements (or a tree that deep) never recurses in Rust.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::rc::Rc;

use super::ctx::RuntimeCtx;
use super::error::RuntimeError;
use super::memory;
use super::value::{ConsCell, Value};
use crate::syntax::ast::BinOp;

/// Applies a strict binary operator. `&&`, `||` (short-circuit), `::`
/// (a constructor) and `@` (tensors) are not handled here.
pub fn binary(ctx: &RuntimeCtx, op: BinOp, a: &Value, b: &Value) -> Result<Value, RuntimeError> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if let Some(v) = int_fast_path(op, *x, *y) {
            return Ok(v);
        }
    }
    match op {
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => arithmetic(ctx, op, a, b),
        BinOp::Pow => power(ctx, a, b),
        BinOp::Eq => Ok(Value::Bool(values_equal(a, b)?)),
        BinOp::Ne => Ok(Value::Bool(!values_equal(a, b)?)),
        BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => Ok(Value::Bool(ordered(op, a, b)?)),
        BinOp::Concat => concat_strings(a, b),
        BinOp::Append => append_lists(a, b),
        BinOp::MatMul => super::ad::tensor_op(
            ctx,
            super::tensor_ops::TensorOp::MatMul,
            &[a.clone(), b.clone()],
        ),
        BinOp::And | BinOp::Or | BinOp::Cons => Err(invalid_operands(op, a, b)),
    }
}

/// `x op y` on ints when it is decided without an error (no overflow, no
/// division), else `None`: the cases every backend should inline, and
/// that [`binary`] gives the same answer to.
#[inline(always)]
pub fn int_fast_path(op: BinOp, x: i64, y: i64) -> Option<Value> {
    match op {
        BinOp::Add => x.checked_add(y).map(Value::Int),
        BinOp::Sub => x.checked_sub(y).map(Value::Int),
        BinOp::Mul => x.checked_mul(y).map(Value::Int),
        _ => compare_numbers(op, x, y),
    }
}

/// `x op y` on floats for the operators that need nothing else (IEEE
/// arithmetic and comparisons, as [`binary`] gives them).
#[inline(always)]
pub fn float_fast_path(op: BinOp, x: f64, y: f64) -> Option<Value> {
    match op {
        BinOp::Add => Some(Value::Float(x + y)),
        BinOp::Sub => Some(Value::Float(x - y)),
        BinOp::Mul => Some(Value::Float(x * y)),
        BinOp::Div => Some(Value::Float(x / y)),
        _ => compare_numbers(op, x, y),
    }
}

/// A comparison operator on two numbers of one type (for floats, IEEE:
/// every comparison with NaN but `<>` is false).
#[inline(always)]
fn compare_numbers<T: PartialOrd>(op: BinOp, x: T, y: T) -> Option<Value> {
    let holds = match op {
        BinOp::Lt => x < y,
        BinOp::Le => x <= y,
        BinOp::Gt => x > y,
        BinOp::Ge => x >= y,
        BinOp::Eq => x == y,
        BinOp::Ne => x != y,
        _ => return None,
    };
    Some(Value::Bool(holds))
}

/// Unary `-`.
pub fn negate(ctx: &RuntimeCtx, v: &Value) -> Result<Value, RuntimeError> {
    match v {
        Value::Int(n) => n
            .checked_neg()
            .map(Value::Int)
            .ok_or_else(|| RuntimeError::integer_overflow("unary `-`")),
        Value::Float(x) => Ok(Value::Float(-x)),
        Value::Tracked(_) | Value::Tensor(_) => super::ad::unary(ctx, super::ad::Unary::Neg, v),
        other => Err(RuntimeError::internal(format!(
            "invalid operand to unary `-`: {}",
            kind_name(other)
        ))),
    }
}

fn arithmetic(ctx: &RuntimeCtx, op: BinOp, a: &Value, b: &Value) -> Result<Value, RuntimeError> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => int_arithmetic(op, *x, *y).map(Value::Int),
        (Value::Float(x), Value::Float(y)) => {
            float_fast_path(op, *x, *y).ok_or_else(|| invalid_operands(op, a, b))
        }
        (Value::Tracked(_), _) | (_, Value::Tracked(_)) => super::ad::binary(ctx, op, a, b),
        (Value::Tensor(_), _) | (_, Value::Tensor(_)) if op != BinOp::Mod => {
            super::tensor_ops::arithmetic(op, a, b)
        }
        _ => Err(invalid_operands(op, a, b)),
    }
}

/// Checked integer arithmetic: dlang ints never wrap silently.
pub fn int_arithmetic(op: BinOp, x: i64, y: i64) -> Result<i64, RuntimeError> {
    let overflow = || RuntimeError::integer_overflow(&format!("`{}`", op.symbol()));
    match op {
        BinOp::Add => x.checked_add(y).ok_or_else(overflow),
        BinOp::Sub => x.checked_sub(y).ok_or_else(overflow),
        BinOp::Mul => x.checked_mul(y).ok_or_else(overflow),
        BinOp::Div => {
            if y == 0 {
                Err(RuntimeError::division_by_zero(op))
            } else {
                x.checked_div(y).ok_or_else(overflow)
            }
        }
        BinOp::Mod => {
            if y == 0 {
                Err(RuntimeError::division_by_zero(op))
            } else {
                // Like OCaml's `mod`: the sign of the dividend, and
                // `min_int % -1` is 0 (the only case `checked_rem` refuses).
                Ok(x.checked_rem(y).unwrap_or(0))
            }
        }
        _ => Err(RuntimeError::internal(format!(
            "`{}` is not an integer operator",
            op.symbol()
        ))),
    }
}

fn power(ctx: &RuntimeCtx, a: &Value, b: &Value) -> Result<Value, RuntimeError> {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => Ok(Value::Float(x.powf(*y))),
        (Value::Tracked(_), _) | (_, Value::Tracked(_)) => super::ad::binary(ctx, BinOp::Pow, a, b),
        (Value::Tensor(_), _) | (_, Value::Tensor(_)) => {
            super::tensor_ops::arithmetic(BinOp::Pow, a, b)
        }
        _ => Err(invalid_operands(BinOp::Pow, a, b)),
    }
}

fn concat_strings(a: &Value, b: &Value) -> Result<Value, RuntimeError> {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => {
            let len = x.len().saturating_add(y.len());
            // Twice: the string is built, then copied into its `Rc`.
            memory::check_room(len, 2, || format!("`^`: a string of {len} bytes"))?;
            let mut s = String::with_capacity(len);
            s.push_str(x);
            s.push_str(y);
            Ok(Value::Str(Rc::from(s)))
        }
        _ => Err(invalid_operands(BinOp::Concat, a, b)),
    }
}

/// `a ++ b` copies the cells of `a` and shares `b`.
fn append_lists(a: &Value, b: &Value) -> Result<Value, RuntimeError> {
    if !matches!(b, Value::Nil | Value::Cons(_)) {
        return Err(invalid_operands(BinOp::Append, a, b));
    }
    let front = a
        .list_to_vec()
        .ok_or_else(|| invalid_operands(BinOp::Append, a, b))?;
    let len = front.len();
    memory::check_room(len, ConsCell::BYTES, || {
        format!("`@`: a copy of a list of {len} elements")
    })?;
    Ok(front
        .into_iter()
        .rev()
        .fold(b.clone(), |tail, head| Value::cons(head, tail)))
}

/// `<`, `>`, `<=`, `>=`. Floats follow IEEE: any comparison with NaN is
/// false (as in OCaml), although `compare` orders NaN below everything.
fn ordered(op: BinOp, a: &Value, b: &Value) -> Result<bool, RuntimeError> {
    let ord = match compare_structure(a, b, FloatOrder::Ieee)? {
        Some(ord) => ord,
        None => return Ok(false),
    };
    Ok(match op {
        BinOp::Lt => ord == Ordering::Less,
        BinOp::Gt => ord == Ordering::Greater,
        BinOp::Le => ord != Ordering::Greater,
        _ => ord != Ordering::Less,
    })
}

/// Structural equality (`=`). Floats compare as IEEE numbers (`nan = nan`
/// is false, `0.0 = -0.0` is true); functions cannot be compared (R008).
pub fn values_equal(a: &Value, b: &Value) -> Result<bool, RuntimeError> {
    Ok(compare_structure(a, b, FloatOrder::Ieee)? == Some(Ordering::Equal))
}

/// The total order of `compare`, as OCaml's: ints and floats numerically
/// (NaN equal to itself and below every other float), strings by bytes,
/// `false < true`, tuples, records, lists and arrays lexicographically
/// (a shorter array first, as OCaml compares sizes first), refs by
/// contents. Constructors: constant ones before those with an argument,
/// then by name (the run-time value does not know declaration order),
/// then by argument.
pub fn compare_values(a: &Value, b: &Value) -> Result<Ordering, RuntimeError> {
    Ok(compare_structure(a, b, FloatOrder::Total)?.unwrap_or(Ordering::Equal))
}

#[derive(Clone, Copy, PartialEq)]
enum FloatOrder {
    /// NaN is unordered with everything (the operators).
    Ieee,
    /// NaN equals NaN and is below every other float (`compare`).
    Total,
}

/// Walks both values in the same left-to-right order; the first difference
/// decides. `None` means unordered (a NaN met under `FloatOrder::Ieee`).
fn compare_structure(
    a: &Value,
    b: &Value,
    floats: FloatOrder,
) -> Result<Option<Ordering>, RuntimeError> {
    // Scalars, the common case, need no work list.
    match (a, b) {
        (Value::Int(p), Value::Int(q)) => return Ok(Some(p.cmp(q))),
        (Value::Float(p), Value::Float(q)) => return Ok(compare_floats(*p, *q, floats)),
        (Value::Bool(p), Value::Bool(q)) => return Ok(Some(p.cmp(q))),
        (Value::Str(p), Value::Str(q)) => return Ok(Some(p.as_bytes().cmp(q.as_bytes()))),
        _ => {}
    }
    let mut work: Vec<(Value, Value)> = vec![(a.clone(), b.clone())];
    // Comparisons see the values under every tag and pass no gradient.
    let untag = |v: Value| match v {
        Value::Tracked(_) => super::ad::primal(&v).clone(),
        other => other,
    };
    // Pairs of mutable cells already scheduled. Only through refs and
    // arrays can a value contain itself; meeting a pair again adds nothing
    // (its contents are compared once), so cyclic values compare in
    // finite time instead of looping as OCaml's `compare` does.
    let mut seen_cells: HashSet<(usize, usize)> = HashSet::new();
    while let Some((x, y)) = work.pop() {
        let (x, y) = (untag(x), untag(y));
        let ord = match (&x, &y) {
            (Value::Unit, Value::Unit) => Ordering::Equal,
            (Value::Bool(p), Value::Bool(q)) => p.cmp(q),
            (Value::Int(p), Value::Int(q)) => p.cmp(q),
            (Value::Float(p), Value::Float(q)) => match compare_floats(*p, *q, floats) {
                Some(ord) => ord,
                None => return Ok(None),
            },
            (Value::Str(p), Value::Str(q)) => p.as_bytes().cmp(q.as_bytes()),
            (Value::Tuple(p), Value::Tuple(q)) => {
                push_pairs(&mut work, p.iter(), q.iter());
                p.len().cmp(&q.len())
            }
            (Value::Nil, Value::Nil) => Ordering::Equal,
            (Value::Nil, Value::Cons(_)) => Ordering::Less,
            (Value::Cons(_), Value::Nil) => Ordering::Greater,
            (Value::Cons(p), Value::Cons(q)) => {
                // Tail pushed first so the head is examined first.
                work.push((p.tail.clone(), q.tail.clone()));
                work.push((p.head.clone(), q.head.clone()));
                Ordering::Equal
            }
            (Value::Array(p), Value::Array(q)) => {
                if !seen_cells.insert((cell_address(p), cell_address(q))) {
                    continue;
                }
                let (p, q) = (p.borrow(), q.borrow());
                let by_len = p.len().cmp(&q.len());
                if by_len == Ordering::Equal {
                    push_pairs(&mut work, p.iter(), q.iter());
                }
                by_len
            }
            (Value::Ref(p), Value::Ref(q)) => {
                if !seen_cells.insert((cell_address(p), cell_address(q))) {
                    continue;
                }
                work.push((p.borrow().clone(), q.borrow().clone()));
                Ordering::Equal
            }
            (Value::Record(p), Value::Record(q)) => {
                push_pairs(&mut work, p.slots().iter(), q.slots().iter());
                p.len().cmp(&q.len())
            }
            (Value::Variant(p), Value::Variant(q)) => {
                let by_shape = p.arg.is_some().cmp(&q.arg.is_some());
                let by_name = p.name.as_bytes().cmp(q.name.as_bytes());
                let ord = by_shape.then(by_name);
                if ord == Ordering::Equal {
                    if let (Some(pa), Some(qa)) = (&p.arg, &q.arg) {
                        work.push((pa.clone(), qa.clone()));
                    }
                }
                ord
            }
            _ => return Err(incomparable(&x, &y)),
        };
        if ord != Ordering::Equal {
            return Ok(Some(ord));
        }
    }
    Ok(Some(Ordering::Equal))
}

/// Why `=` and `compare` refuse a pair of values: functions, tensors, or
/// (an internal error) values of different kinds. `Hashtbl.hash` refuses
/// keys with the same error.
pub fn incomparable(x: &Value, y: &Value) -> RuntimeError {
    let functional = |v: &Value| {
        matches!(
            v,
            Value::Closure(_) | Value::Builtin(_) | Value::Continuation(_)
        )
    };
    if functional(x) || functional(y) {
        RuntimeError::bad_argument("cannot compare functional values")
    } else if matches!(x, Value::Tensor(_)) || matches!(y, Value::Tensor(_)) {
        RuntimeError::bad_argument(
            "cannot compare tensors with `compare` or `=` (use Tensor.equal)",
        )
    } else {
        // The checker gives both operands one type.
        RuntimeError::internal(format!(
            "cannot compare {} with {}",
            kind_name(x),
            kind_name(y)
        ))
    }
}

fn cell_address<T>(cell: &Rc<T>) -> usize {
    Rc::as_ptr(cell) as *const () as usize
}

/// Pushes the element pairs so that the first pair is popped first.
fn push_pairs<'v>(
    work: &mut Vec<(Value, Value)>,
    xs: impl DoubleEndedIterator<Item = &'v Value> + ExactSizeIterator,
    ys: impl DoubleEndedIterator<Item = &'v Value> + ExactSizeIterator,
) {
    for (x, y) in xs.zip(ys).rev() {
        work.push((x.clone(), y.clone()));
    }
}

fn compare_floats(p: f64, q: f64, floats: FloatOrder) -> Option<Ordering> {
    match (p.partial_cmp(&q), floats) {
        (Some(ord), _) => Some(ord),
        (None, FloatOrder::Ieee) => None,
        (None, FloatOrder::Total) => Some(p.is_nan().cmp(&q.is_nan()).reverse()),
    }
}

pub fn invalid_operands(op: BinOp, a: &Value, b: &Value) -> RuntimeError {
    RuntimeError::internal(format!(
        "invalid operands to `{}`: {} and {}",
        op.symbol(),
        kind_name(a),
        kind_name(b)
    ))
}

/// A short name of a value's kind, for error messages.
pub fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Unit => "unit",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float",
        Value::Tracked(_) => kind_name(super::ad::primal(v)),
        Value::Tensor(_) => "tensor",
        Value::Optimizer(_) => "optimizer",
        Value::Str(_) => "string",
        Value::Tuple(_) => "tuple",
        Value::Nil | Value::Cons(_) => "list",
        Value::Array(_) => "array",
        Value::Ref(_) => "ref",
        Value::Record(_) => "record",
        Value::Variant(_) => "constructor",
        Value::Closure(_) | Value::Builtin(_) | Value::Continuation(_) => "function",
    }
}
