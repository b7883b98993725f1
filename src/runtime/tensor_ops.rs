//! Tensor operations on run-time values: the bridge between dlang's
//! `Value`s (floats are f64, tensors f32) and the kernels of
//! `runtime::tensor`.
//!
//! Every differentiable tensor operation is a [`TensorOp`], so that
//! `runtime::ad` can treat it as one primitive step (one `shift`) with a
//! reverse rule and a tangent rule, exactly as it treats `+` on floats.
//! The functions here compute on values no `grad` tracks; `ad::tensor`
//! strips the tags and calls them.

use std::rc::Rc;

use super::ad::Unary;
use super::error::RuntimeError;
use super::ops::kind_name;
use super::tensor::{self, adjoint, conv, elementwise as ew, layout, reduce, Tensor};
use super::value::Value;
use crate::syntax::ast::BinOp;

type Outcome = Result<Value, RuntimeError>;

/// A differentiable tensor operation with its non-tensor arguments.
///
/// `MatMulTransposed` and the last four exist for the derivative rules:
/// the former spares `@`'s adjoint a copied transpose, and each of the
/// latter is the adjoint of another (`BroadcastTo` of `SumTo`, `PadSlice`
/// of `Slice`, `Scatter` of `Get`), so a backward pass built from them can
/// itself be differentiated (grad of grad).
#[derive(Clone, Debug, PartialEq)]
pub enum TensorOp {
    MatMul,
    /// `op(a) @ op(b)` on 2-D operands, each read transposed (without a
    /// copy) when its flag is set: the products of `@`'s adjoint.
    MatMulTransposed {
        left: bool,
        right: bool,
    },
    Sum,
    Mean,
    Max,
    SumAxis(usize),
    Reshape(Vec<usize>),
    Transpose,
    Get(Vec<usize>),
    Row(usize),
    Slice {
        axis: usize,
        start: usize,
        len: usize,
    },
    /// Operands: the tensors to join.
    Concat(usize),
    /// Operands: the tensors to stack.
    Stack,
    Softmax,
    LogSoftmax,
    Clip(f32, f32),
    /// Operands: image and kernels.
    Conv2d(usize),
    MaxPool2d(usize),
    /// A float or tensor broadcast to this shape.
    BroadcastTo(Vec<usize>),
    /// A tensor summed down to this shape (the adjoint of broadcasting).
    SumTo(Vec<usize>),
    /// A tensor placed at `start` along `axis` in zeros of `shape`.
    PadSlice {
        shape: Vec<usize>,
        axis: usize,
        start: usize,
    },
    /// A float placed at `index` in zeros of `shape`.
    Scatter {
        shape: Vec<usize>,
        index: Vec<usize>,
    },
}

impl TensorOp {
    /// The name a user knows the operation by, for error messages.
    pub fn name(&self) -> &'static str {
        match self {
            TensorOp::MatMul | TensorOp::MatMulTransposed { .. } => "@",
            TensorOp::Sum => "Tensor.sum",
            TensorOp::Mean => "Tensor.mean",
            TensorOp::Max => "Tensor.max",
            TensorOp::SumAxis(_) => "Tensor.sum_axis",
            TensorOp::Reshape(_) => "Tensor.reshape",
            TensorOp::Transpose => "Tensor.transpose",
            TensorOp::Get(_) => "Tensor.get",
            TensorOp::Row(_) => "Tensor.row",
            TensorOp::Slice { .. } => "Tensor.slice",
            TensorOp::Concat(_) => "Tensor.concat",
            TensorOp::Stack => "Tensor.stack",
            TensorOp::Softmax => "Tensor.softmax",
            TensorOp::LogSoftmax => "Tensor.log_softmax",
            TensorOp::Clip(..) => "Tensor.clip",
            TensorOp::Conv2d(_) => "Tensor.conv2d",
            TensorOp::MaxPool2d(_) => "Tensor.max_pool2d",
            TensorOp::BroadcastTo(_) => "broadcast",
            TensorOp::SumTo(_) => "sum_to",
            TensorOp::PadSlice { .. } => "Tensor.slice (adjoint)",
            TensorOp::Scatter { .. } => "Tensor.get (adjoint)",
        }
    }
}

/// A shape error as the run-time error the user sees: R011, or R003
/// for an index beyond the tensor's extent (as for arrays).
pub fn shape_error(e: tensor::ShapeError) -> RuntimeError {
    match e.problem {
        tensor::error::Problem::OutOfRange(_) => RuntimeError::out_of_range(e.to_string()),
        _ => RuntimeError::shape(e.to_string()),
    }
}

/// The tensor inside a value no tag tracks.
pub fn as_tensor<'v>(v: &'v Value, op: &str) -> Result<&'v Rc<Tensor>, RuntimeError> {
    match v {
        Value::Tensor(t) => Ok(t),
        other => Err(RuntimeError::internal(format!(
            "{op} expects a tensor, got {}",
            kind_name(other)
        ))),
    }
}

fn as_float(v: &Value, op: &str) -> Result<f64, RuntimeError> {
    match v {
        Value::Float(x) => Ok(*x),
        other => Err(RuntimeError::internal(format!(
            "{op} expects a float, got {}",
            kind_name(other)
        ))),
    }
}

fn tensor_value(t: tensor::error::TensorResult<Tensor>) -> Outcome {
    t.map(Value::tensor).map_err(shape_error)
}

/// The shape of a float (`[]`) or tensor value.
pub fn shape_of(v: &Value) -> Option<&[usize]> {
    match v {
        Value::Float(_) => Some(&[]),
        Value::Tensor(t) => Some(t.shape()),
        _ => None,
    }
}

/// `a op b` for `+ - * / **` where at least one side is a tensor and the
/// other a tensor or a float (broadcast). The result is a tensor.
pub fn arithmetic(op: BinOp, a: &Value, b: &Value) -> Outcome {
    let result = match op {
        BinOp::Add => elementwise("add", a, b, |x, y| x + y),
        BinOp::Sub => elementwise("sub", a, b, |x, y| x - y),
        BinOp::Mul => elementwise("mul", a, b, |x, y| x * y),
        BinOp::Div => elementwise("div", a, b, |x, y| x / y),
        BinOp::Pow => elementwise("pow", a, b, f32::powf),
        _ => None,
    };
    match result {
        Some(t) => tensor_value(t),
        None => Err(super::ops::invalid_operands(op, a, b)),
    }
}

/// `f` on a tensor and a tensor or float, in either order; `None` when
/// neither side is a tensor. Generic in `f`, so each operator gets its own
/// vectorized loop.
fn elementwise(
    name: &'static str,
    a: &Value,
    b: &Value,
    f: impl Fn(f32, f32) -> f32 + Copy,
) -> Option<tensor::error::TensorResult<Tensor>> {
    match (a, b) {
        (Value::Tensor(x), Value::Tensor(y)) => Some(ew::zip_with(name, x, y, f)),
        (Value::Tensor(x), Value::Float(s)) => {
            let s = *s as f32;
            Some(Ok(ew::map(x, move |v| f(v, s))))
        }
        (Value::Float(s), Value::Tensor(y)) => {
            let s = *s as f32;
            Some(Ok(ew::map(y, move |v| f(s, v))))
        }
        _ => None,
    }
}

/// A differentiable one-argument primitive applied to every element.
pub fn unary(f: Unary, t: &Tensor) -> Value {
    Value::tensor(match f {
        Unary::Neg => ew::map(t, |x| -x),
        Unary::Sin => ew::map(t, f32::sin),
        Unary::Cos => ew::map(t, f32::cos),
        Unary::Tan => ew::map(t, f32::tan),
        Unary::Exp => ew::map(t, f32::exp),
        Unary::Log => ew::map(t, f32::ln),
        Unary::Sqrt => ew::map(t, f32::sqrt),
        Unary::Tanh => ew::map(t, f32::tanh),
        Unary::Sigmoid => ew::map(t, ew::sigmoid_f32),
        Unary::Relu => ew::map(t, ew::relu_f32),
        Unary::Abs => ew::map(t, f32::abs),
    })
}

/// Where `x > 0` (1.0) or not (0.0): the slope of `relu`, shaped like `x`
/// (a float or a tensor). PyTorch's convention: relu'(0) = 0.
pub fn positive_mask(x: &Value) -> Value {
    sign_like(x, |v| if v > 0.0 { 1.0 } else { 0.0 })
}

/// The sign of `x` (0 at 0): the slope of `abs`, PyTorch's convention.
pub fn sign_mask(x: &Value) -> Value {
    sign_like(x, |v| {
        if v > 0.0 {
            1.0
        } else if v < 0.0 {
            -1.0
        } else {
            0.0
        }
    })
}

/// `f` of every element of `x` (a float or a tensor, untracked), shaped
/// like `x`: the constant masks of the derivative rules.
pub fn sign_like(x: &Value, f: fn(f64) -> f64) -> Value {
    match x {
        Value::Tensor(t) => Value::tensor(ew::map(t, |v| f(v as f64) as f32)),
        Value::Float(v) => Value::Float(f(*v)),
        _ => Value::Float(0.0),
    }
}

/// Where `lo < x < hi` (1.0), as a tensor shaped like `x`: the slope of
/// `clip`.
pub fn inside_mask(lo: f32, hi: f32, x: &Tensor) -> Value {
    Value::tensor(ew::map(x, |v| if v > lo && v < hi { 1.0 } else { 0.0 }))
}

/// `op` on operands no tag tracks.
pub fn eval(op: &TensorOp, operands: &[Value]) -> Outcome {
    let name = op.name();
    let t = |i: usize| -> Result<&Rc<Tensor>, RuntimeError> {
        as_tensor(operands.get(i).unwrap_or(&Value::Unit), name)
    };
    match op {
        TensorOp::MatMul => tensor_value(tensor::matmul::matmul(t(0)?, t(1)?)),
        TensorOp::MatMulTransposed { left, right } => {
            tensor_value(tensor::matmul::matmul_2d(t(0)?, *left, t(1)?, *right))
        }
        TensorOp::Sum => Ok(Value::Float(reduce::sum(t(0)?) as f64)),
        TensorOp::Mean => Ok(Value::Float(reduce::mean(t(0)?) as f64)),
        TensorOp::Max => reduce::max(t(0)?)
            .map(|x| Value::Float(x as f64))
            .map_err(shape_error),
        TensorOp::SumAxis(axis) => tensor_value(reduce::sum_axis(*axis, t(0)?)),
        TensorOp::Reshape(shape) => tensor_value(layout::reshape(t(0)?, shape)),
        TensorOp::Transpose => tensor_value(layout::transpose(t(0)?)),
        TensorOp::Get(index) => layout::get(t(0)?, index)
            .map(|x| Value::Float(x as f64))
            .map_err(shape_error),
        TensorOp::Row(i) => tensor_value(layout::row(t(0)?, *i)),
        TensorOp::Slice { axis, start, len } => {
            tensor_value(layout::slice(t(0)?, *axis, *start, *len))
        }
        TensorOp::Concat(axis) => tensor_value(layout::concat(*axis, &tensors(operands, name)?)),
        TensorOp::Stack => tensor_value(layout::stack(&tensors(operands, name)?)),
        TensorOp::Softmax => Ok(Value::tensor(reduce::softmax(t(0)?))),
        TensorOp::LogSoftmax => Ok(Value::tensor(reduce::log_softmax(t(0)?))),
        TensorOp::Clip(lo, hi) => Ok(Value::tensor(ew::clip(*lo, *hi, t(0)?))),
        TensorOp::Conv2d(pad) => tensor_value(conv::conv2d(t(0)?, t(1)?, *pad)),
        TensorOp::MaxPool2d(k) => tensor_value(conv::max_pool2d(t(0)?, *k)),
        TensorOp::BroadcastTo(shape) => match operands.first() {
            Some(Value::Float(x)) => Ok(Value::tensor(Tensor::full(shape, *x as f32))),
            _ => tensor_value(ew::add(t(0)?, &Tensor::zeros(shape))),
        },
        TensorOp::SumTo(shape) => tensor_value(adjoint::sum_to_shape(t(0)?, shape)),
        TensorOp::PadSlice { shape, axis, start } => {
            tensor_value(adjoint::pad_into(t(0)?, shape, *axis, *start))
        }
        TensorOp::Scatter { shape, index } => {
            let g = as_float(operands.first().unwrap_or(&Value::Unit), name)?;
            tensor_value(adjoint::scatter_one(g as f32, shape, index))
        }
    }
}

fn tensors(operands: &[Value], op: &str) -> Result<Vec<Tensor>, RuntimeError> {
    operands
        .iter()
        .map(|v| as_tensor(v, op).map(|t| Tensor::clone(t)))
        .collect()
}
