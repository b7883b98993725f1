//! `Tensor.*` (LANGUAGE.md §7): constructors, shape queries and the
//! operations. The differentiable ones go through `ad::tensor_op`, which
//! computes directly on untracked tensors and records one step under a
//! running `grad` otherwise.

use std::path::Path;

use super::args;
use crate::runtime::ad::{self, primal};
use crate::runtime::atomic_file::write_atomically;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::tensor::error::show_shape;
use crate::runtime::tensor::shape::{beyond_limits_or_memory, MAX_RANK};
use crate::runtime::tensor::{layout, npy, reduce, ShapeError, Tensor};
use crate::runtime::tensor_ops::{as_tensor, shape_error, TensorOp};
use crate::runtime::value::Value;

type Outcome = Result<Value, RuntimeError>;

fn invalid(message: String) -> RuntimeError {
    RuntimeError::bad_argument(message)
}

/// A shape argument: non-negative dimensions, within the limits every
/// tensor keeps (`shape::checked_numel`); checked before anything is
/// allocated. A bad shape given by the program is R008.
fn shape_arg(a: &[Value], i: usize, op: &str) -> Result<Vec<usize>, RuntimeError> {
    let dims = args::list(a, i)?;
    let mut shape = Vec::with_capacity(dims.len());
    for d in &dims {
        let Value::Int(d) = d else {
            return Err(invalid(format!("{op}: a shape is a list of ints")));
        };
        let d = usize::try_from(*d)
            .map_err(|_| invalid(format!("{op}: negative dimension {d} in a shape")))?;
        shape.push(d);
    }
    within_limits(&shape, op)?;
    Ok(shape)
}

/// `shape_arg`'s limit check, also for the sizes `arange` and `one_hot`
/// take as one int.
fn within_limits(shape: &[usize], op: &str) -> Result<(), RuntimeError> {
    match beyond_limits_or_memory(shape) {
        Some(why) if shape.len() > MAX_RANK => Err(invalid(format!("{op}: a tensor {why}"))),
        Some(why) => Err(invalid(format!(
            "{op}: a tensor of shape {} {why}",
            show_shape(shape)
        ))),
        None => Ok(()),
    }
}

/// A non-negative int argument that is a size (padding, a window).
fn count_arg(a: &[Value], i: usize, op: &str, what: &str) -> Result<usize, RuntimeError> {
    let n = args::int(a, i)?;
    usize::try_from(n).map_err(|_| invalid(format!("{op}: {what} {n} is negative")))
}

/// An index into a tensor of `shape` (a row, a slice's start or length,
/// a class): a negative one is out of range (R003), as one past the end.
fn index_arg(
    a: &[Value],
    i: usize,
    op: &'static str,
    what: &str,
    shape: &[usize],
) -> Result<usize, RuntimeError> {
    let n = args::int(a, i)?;
    usize::try_from(n).map_err(|_| shape_error(ShapeError::index_out_of_range(op, shape, what, n)))
}

/// An axis of a tensor of `shape`: a negative one does not exist, as one
/// past the rank (R011).
fn axis_arg(
    a: &[Value],
    i: usize,
    op: &'static str,
    shape: &[usize],
) -> Result<usize, RuntimeError> {
    let n = args::int(a, i)?;
    usize::try_from(n).map_err(|_| shape_error(ShapeError::no_axis(op, shape, n)))
}

/// The tensor under every tag, for the operations that pass no gradient.
fn plain_tensor<'v>(a: &'v [Value], i: usize, op: &str) -> Result<&'v Tensor, RuntimeError> {
    as_tensor(primal(args::any(a, i)?), op).map(|t| &**t)
}

fn op1(ctx: &RuntimeCtx, op: TensorOp, a: &[Value], i: usize) -> Outcome {
    ad::tensor_op(ctx, op, std::slice::from_ref(args::any(a, i)?))
}

/// Floats as a 1-D tensor. When a `grad` tracks one of them, the tensor
/// is built from rank-0 tensors with `stack`, so the gradient flows back
/// into the floats.
fn vector_of(ctx: &RuntimeCtx, items: &[Value], op: &str) -> Outcome {
    if items.iter().any(|v| matches!(v, Value::Tracked(_))) {
        let scalars = items
            .iter()
            .map(|x| {
                ad::tensor_op(
                    ctx,
                    TensorOp::BroadcastTo(Vec::new()),
                    std::slice::from_ref(x),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        return ad::tensor_op(ctx, TensorOp::Stack, &scalars);
    }
    let xs = items
        .iter()
        .map(|v| match v {
            Value::Float(x) => Ok(*x as f32),
            _ => Err(invalid(format!("{op}: expected floats"))),
        })
        .collect::<Result<Vec<f32>, _>>()?;
    Tensor::build("of_list", vec![xs.len()], xs)
        .map(Value::tensor)
        .map_err(shape_error)
}

pub fn of_list(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    vector_of(ctx, &args::list(a, 0)?, "Tensor.of_list")
}

/// Rows of equal length; a ragged list is a shape error.
pub fn of_lists(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let rows = args::list(a, 0)?;
    let rows = rows
        .iter()
        .map(|r| {
            r.list_to_vec()
                .ok_or_else(|| invalid("Tensor.of_lists: expected a list of lists".into()))
                .and_then(|items| vector_of(ctx, &items, "Tensor.of_lists"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if rows.is_empty() {
        return Ok(Value::tensor(Tensor::zeros(&[0, 0])));
    }
    if let Some(bad) = rows.iter().find(|r| shape_of(r) != shape_of(&rows[0])) {
        return Err(shape_error(ShapeError::mismatch(
            "of_lists",
            &shape_of(&rows[0]),
            &shape_of(bad),
            "rows must have equal lengths",
        )));
    }
    ad::tensor_op(ctx, TensorOp::Stack, &rows)
}

fn shape_of(v: &Value) -> Vec<usize> {
    crate::runtime::tensor_ops::shape_of(primal(v))
        .map(<[usize]>::to_vec)
        .unwrap_or_default()
}

pub fn zeros(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Ok(Value::tensor(Tensor::zeros(&shape_arg(
        a,
        0,
        "Tensor.zeros",
    )?)))
}

pub fn ones(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Ok(Value::tensor(Tensor::ones(&shape_arg(
        a,
        0,
        "Tensor.ones",
    )?)))
}

/// Differentiable in the fill value (each element is that float).
pub fn full(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let shape = shape_arg(a, 0, "Tensor.full")?;
    op1(ctx, TensorOp::BroadcastTo(shape), a, 1)
}

/// Standard normal elements, drawn in row-major order from the one
/// generator `Random` uses.
pub fn randn(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let shape = shape_arg(a, 0, "Tensor.randn")?;
    let n = shape.iter().product();
    let data = (0..n).map(|_| ctx.rng.normal() as f32).collect();
    Tensor::new(shape, data)
        .map(Value::tensor)
        .map_err(shape_error)
}

/// Uniform elements in `[0, 1)`, from the same generator.
pub fn rand(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let shape = shape_arg(a, 0, "Tensor.rand")?;
    let n = shape.iter().product();
    let data = (0..n).map(|_| ctx.rng.unit() as f32).collect();
    Tensor::new(shape, data)
        .map(Value::tensor)
        .map_err(shape_error)
}

pub fn arange(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let n = count_arg(a, 0, "Tensor.arange", "length")?;
    within_limits(&[n], "Tensor.arange")?;
    Ok(Value::tensor(Tensor::arange(n)))
}

/// A rank-0 tensor; differentiable in the float.
pub fn scalar(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    op1(ctx, TensorOp::BroadcastTo(Vec::new()), a, 0)
}

pub fn shape(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let t = plain_tensor(a, 0, "Tensor.shape")?;
    Ok(Value::list_from(
        t.shape().iter().map(|&d| Value::Int(d as i64)),
    ))
}

pub fn reshape(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    op1(
        ctx,
        TensorOp::Reshape(shape_arg(a, 1, "Tensor.reshape")?),
        a,
        0,
    )
}

pub fn transpose(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    op1(ctx, TensorOp::Transpose, a, 0)
}

pub fn get(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let ints = args::list(a, 1)?
        .iter()
        .map(|i| match i {
            Value::Int(i) => Ok(*i),
            _ => Err(invalid("Tensor.get: an index is a list of ints".into())),
        })
        .collect::<Result<Vec<i64>, _>>()?;
    let Ok(index) = ints.iter().map(|&i| usize::try_from(i)).collect() else {
        let shape = plain_tensor(a, 0, "Tensor.get")?.shape();
        let error = ShapeError::index_out_of_range("get", shape, "index", show_shape(&ints));
        return Err(shape_error(error));
    };
    op1(ctx, TensorOp::Get(index), a, 0)
}

pub fn row(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let shape = plain_tensor(a, 0, "Tensor.row")?.shape();
    op1(
        ctx,
        TensorOp::Row(index_arg(a, 1, "row", "row", shape)?),
        a,
        0,
    )
}

pub fn slice(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let shape = plain_tensor(a, 0, "Tensor.slice")?.shape();
    let slice = TensorOp::Slice {
        axis: axis_arg(a, 1, "slice", shape)?,
        start: index_arg(a, 2, "slice", "start", shape)?,
        len: index_arg(a, 3, "slice", "length", shape)?,
    };
    op1(ctx, slice, a, 0)
}

/// The tensors to join; a negative axis is refused like one past the
/// rank of the first.
pub fn concat(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let ts = args::list(a, 1)?;
    let first = ts.first().map(shape_of).unwrap_or_default();
    let axis = axis_arg(a, 0, "concat", &first)?;
    ad::tensor_op(ctx, TensorOp::Concat(axis), &ts)
}

pub fn stack(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    ad::tensor_op(ctx, TensorOp::Stack, &args::list(a, 0)?)
}

pub fn sum(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    op1(ctx, TensorOp::Sum, a, 0)
}

pub fn mean(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    op1(ctx, TensorOp::Mean, a, 0)
}

pub fn max(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    op1(ctx, TensorOp::Max, a, 0)
}

pub fn sum_axis(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let shape = plain_tensor(a, 1, "Tensor.sum_axis")?.shape();
    op1(
        ctx,
        TensorOp::SumAxis(axis_arg(a, 0, "sum_axis", shape)?),
        a,
        1,
    )
}

pub fn argmax(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let i = reduce::argmax(plain_tensor(a, 0, "Tensor.argmax")?).map_err(shape_error)?;
    Ok(Value::Int(i as i64))
}

pub fn argmax_axis(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let t = plain_tensor(a, 1, "Tensor.argmax_axis")?;
    let axis = axis_arg(a, 0, "argmax_axis", t.shape())?;
    reduce::argmax_axis(axis, t)
        .map(Value::tensor)
        .map_err(shape_error)
}

pub fn clip(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let (lo, hi) = (args::float(a, 0)? as f32, args::float(a, 1)? as f32);
    op1(ctx, TensorOp::Clip(lo, hi), a, 2)
}

pub fn softmax(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    op1(ctx, TensorOp::Softmax, a, 0)
}

pub fn log_softmax(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    op1(ctx, TensorOp::LogSoftmax, a, 0)
}

pub fn conv2d(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let pad = count_arg(a, 2, "Tensor.conv2d", "padding")?;
    ad::tensor_op(
        ctx,
        TensorOp::Conv2d(pad),
        &[args::any(a, 0)?.clone(), args::any(a, 1)?.clone()],
    )
}

pub fn max_pool2d(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let k = count_arg(a, 1, "Tensor.max_pool2d", "window")?;
    op1(ctx, TensorOp::MaxPool2d(k), a, 0)
}

pub fn matmul(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    ad::tensor_op(
        ctx,
        TensorOp::MatMul,
        &[args::any(a, 0)?.clone(), args::any(a, 1)?.clone()],
    )
}

pub fn one_hot(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let n = count_arg(a, 0, "Tensor.one_hot", "size")?;
    within_limits(&[n], "Tensor.one_hot")?;
    let i = index_arg(a, 1, "one_hot", "class", &[n])?;
    layout::one_hot(n, i)
        .map(Value::tensor)
        .map_err(shape_error)
}

/// Same shape and equal elements (`nan` is not equal to itself).
pub fn equal(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let x = plain_tensor(a, 0, "Tensor.equal")?;
    let y = plain_tensor(a, 1, "Tensor.equal")?;
    Ok(Value::Bool(x == y))
}

/// All elements in row-major order, whatever the rank. Under a `grad`
/// each element is a `get` of the flattened tensor, so its adjoint returns
/// to its place (at a cost quadratic in the length: each `get` has a
/// whole-tensor adjoint).
pub fn to_list(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let v = args::any(a, 0)?;
    if matches!(v, Value::Tracked(_)) {
        let n = plain_tensor(a, 0, "Tensor.to_list")?.len();
        let flat = ad::tensor_op(ctx, TensorOp::Reshape(vec![n]), std::slice::from_ref(v))?;
        let items = (0..n)
            .map(|i| ad::tensor_op(ctx, TensorOp::Get(vec![i]), std::slice::from_ref(&flat)))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Value::list_from(items));
    }
    let t = plain_tensor(a, 0, "Tensor.to_list")?;
    Ok(Value::list_from(
        t.data().iter().map(|&x| Value::Float(x as f64)),
    ))
}

/// A missing or unreadable file is R007; a file that is not an `.npy`
/// array we read (bad header, unsupported dtype) is R012. Both name the
/// path.
pub fn load_npy(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let path = args::string(a, 0)?;
    let bytes = std::fs::read(&*path)
        .map_err(|e| RuntimeError::io(format!("cannot read `{path}`: {e}")))?;
    npy::parse_npy(&bytes)
        .map(Value::tensor)
        .map_err(|why| RuntimeError::bad_npy(format!("`{path}` is not a usable .npy file: {why}")))
}

pub fn save_npy(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let path = args::string(a, 0)?;
    let t = plain_tensor(a, 1, "Tensor.save_npy")?;
    write_atomically(Path::new(&*path), &npy::encode_npy(t))
        .map_err(|e| RuntimeError::io(format!("cannot write `{path}`: {e}")))?;
    Ok(Value::Unit)
}
