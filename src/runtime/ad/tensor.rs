//! Tensor operations under `grad` and `jvp`.
//!
//! A tensor operation on a tracked operand is one primitive step, exactly
//! like `+` on floats: it computes its result, pushes its remainder under
//! the delimiter of its tag, and when the backward pass reaches that
//! remainder the adjoint (a tensor) flows into the operands. Every rule
//! below is written with the generic operations ([`apply`] and the
//! arithmetic of `arith`), so a backward pass or a tangent that involves
//! values of an outer `grad` is itself differentiated; that is what makes
//! grad-of-grad and Hessian-vector products work through tensors.
//!
//! `conv2d` and `max_pool2d` are the exception: their adjoints call the
//! kernels directly, so differentiating *their backward pass* again is
//! refused with R013 rather than answered wrongly.

use super::arith::{add, div, dual, float, mul, node, settle, sub, tag_of, under};
use super::{primal, Step};
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::tensor::{conv, matmul, reduce, Tensor};
use crate::runtime::tensor_ops::{self, as_tensor, inside_mask, shape_error, TensorOp};
use crate::runtime::value::Value;

type Outcome = Result<Value, RuntimeError>;

/// `op` on `operands`, any of which may be tracked.
pub fn apply(ctx: &RuntimeCtx, op: TensorOp, operands: &[Value]) -> Outcome {
    let operands: Vec<Value> = operands.iter().map(|v| settle(ctx, v)).collect();
    let tag = operands.iter().map(tag_of).max().unwrap_or(0);
    if tag == 0 {
        return tensor_ops::eval(&op, &operands);
    }
    let inner: Vec<Value> = operands.iter().map(|v| under(v, tag)).collect();
    let result = apply(ctx, op.clone(), &inner)?;
    if ctx.ad.is_forward(tag) {
        let tangent = tangent(ctx, &op, &operands, &inner, &result, tag)?;
        return Ok(dual(tag, result, tangent));
    }
    Ok(node(ctx, tag, result, Step::Tensor(op, operands)))
}

fn apply1(ctx: &RuntimeCtx, op: TensorOp, v: &Value) -> Outcome {
    apply(ctx, op, std::slice::from_ref(v))
}

/// The shape of a float (`[]`) or tensor under every tag.
fn shape(v: &Value) -> Vec<usize> {
    tensor_ops::shape_of(primal(v))
        .map(<[usize]>::to_vec)
        .unwrap_or_default()
}

/// `shape` with its last axis kept as 1: what a per-row sum broadcasts from.
fn rows_kept(shape: &[usize]) -> Vec<usize> {
    let mut kept = shape.to_vec();
    if let Some(last) = kept.last_mut() {
        *last = 1;
    }
    kept
}

/// How `Tensor.max`'s adjoint is shared among the elements, as PyTorch
/// shares it: equally among all the elements equal to the maximum (a
/// constant mask with weights `1/count`). A NaN maximum goes to the first
/// NaN, the element `max` returned.
fn max_share(v: &Value) -> Outcome {
    let t = as_tensor(primal(v), "Tensor.max")?;
    let top = reduce::max(t).map_err(shape_error)?;
    let mut share = vec![0.0f32; t.len()];
    if top.is_nan() {
        share[reduce::argmax(t).map_err(shape_error)?] = 1.0;
    } else {
        let count = t.data().iter().filter(|&&x| x == top).count().max(1) as f32;
        for (w, &x) in share.iter_mut().zip(t.data()) {
            if x == top {
                *w = 1.0 / count;
            }
        }
    }
    Tensor::new(t.shape().to_vec(), share)
        .map(Value::tensor)
        .map_err(shape_error)
}

/// Makes `c`, an adjoint contribution computed for a broadcast result,
/// the shape of `operand`: summed over the broadcast axes, or to a float.
pub(super) fn fit_to(ctx: &RuntimeCtx, c: Value, operand: &Value) -> Outcome {
    // Called for every adjoint update, scalar ones included: decide on the
    // kinds first, and look at shapes only when both sides are tensors.
    match (primal(operand), primal(&c)) {
        (Value::Tensor(t), Value::Tensor(ct)) if ct.shape() != t.shape() => {
            apply1(ctx, TensorOp::SumTo(t.shape().to_vec()), &c)
        }
        (Value::Tensor(t), Value::Float(_)) => {
            apply1(ctx, TensorOp::BroadcastTo(t.shape().to_vec()), &c)
        }
        (Value::Float(_), Value::Tensor(_)) => apply1(ctx, TensorOp::Sum, &c),
        _ => Ok(c),
    }
}

/// Makes `t`, the tangent of a broadcast result `r` computed from one
/// operand's tangent, the shape of `r`: a tangent of shape `[3]` (or a
/// float) for a `[2; 3]` result is broadcast to `[2; 3]`.
pub(super) fn fit_tangent(ctx: &RuntimeCtx, t: Value, r: &Value) -> Outcome {
    match primal(r) {
        Value::Tensor(rt) if shape(&t) != rt.shape() || matches!(primal(&t), Value::Float(_)) => {
            apply1(ctx, TensorOp::BroadcastTo(rt.shape().to_vec()), &t)
        }
        _ => Ok(t),
    }
}

/// The adjoint contribution of `g` (the result's adjoint) to operand
/// `i`, given the operands as this tag sees them (`x`) and the result `r`.
pub(super) fn adjoint(
    ctx: &RuntimeCtx,
    op: &TensorOp,
    i: usize,
    x: &[Value],
    g: &Value,
    r: &Value,
) -> Outcome {
    let here = |k: usize| x.get(k).cloned().unwrap_or(Value::Unit);
    match op {
        TensorOp::MatMul => matmul_adjoint(ctx, i, &here(0), &here(1), g),
        TensorOp::MatMulTransposed { left, right } => {
            transposed_matmul_adjoint(ctx, i, (&here(0), *left), (&here(1), *right), g)
        }
        TensorOp::Sum => apply1(ctx, TensorOp::BroadcastTo(shape(&here(0))), g),
        TensorOp::Mean => {
            let s = shape(&here(0));
            let n = s.iter().product::<usize>().max(1) as f64;
            apply1(ctx, TensorOp::BroadcastTo(s), &div(ctx, g, &float(n))?)
        }
        TensorOp::Max => {
            let operand = here(0);
            let s = shape(&operand);
            mul(
                ctx,
                &apply1(ctx, TensorOp::BroadcastTo(s), g)?,
                &max_share(&operand)?,
            )
        }
        TensorOp::SumAxis(axis) => {
            let s = shape(&here(0));
            let mut kept = s.clone();
            if let Some(d) = kept.get_mut(*axis) {
                *d = 1;
            }
            apply1(
                ctx,
                TensorOp::BroadcastTo(s),
                &apply1(ctx, TensorOp::Reshape(kept), g)?,
            )
        }
        TensorOp::Reshape(_) => apply1(ctx, TensorOp::Reshape(shape(&here(0))), g),
        TensorOp::Transpose => apply1(ctx, TensorOp::Transpose, g),
        TensorOp::Get(index) => apply1(
            ctx,
            TensorOp::Scatter {
                shape: shape(&here(0)),
                index: index.clone(),
            },
            g,
        ),
        TensorOp::Row(row) => {
            let s = shape(&here(0));
            let one_row = [&[1], &s[1.min(s.len())..]].concat();
            let g = apply1(ctx, TensorOp::Reshape(one_row), g)?;
            apply1(
                ctx,
                TensorOp::PadSlice {
                    shape: s,
                    axis: 0,
                    start: *row,
                },
                &g,
            )
        }
        TensorOp::Slice { axis, start, .. } => apply1(
            ctx,
            TensorOp::PadSlice {
                shape: shape(&here(0)),
                axis: *axis,
                start: *start,
            },
            g,
        ),
        TensorOp::Concat(axis) => {
            let start: usize = x[..i].iter().map(|v| shape(v)[*axis]).sum();
            let len = shape(&here(i))[*axis];
            apply1(
                ctx,
                TensorOp::Slice {
                    axis: *axis,
                    start,
                    len,
                },
                g,
            )
        }
        TensorOp::Stack => apply1(ctx, TensorOp::Row(i), g),
        TensorOp::Softmax => {
            let dot = apply1(ctx, TensorOp::SumTo(rows_kept(&shape(r))), &mul(ctx, g, r)?)?;
            mul(ctx, r, &sub(ctx, g, &dot)?)
        }
        TensorOp::LogSoftmax => {
            let total = apply1(ctx, TensorOp::SumTo(rows_kept(&shape(r))), g)?;
            let softmax = super::unary(ctx, super::Unary::Exp, r)?;
            sub(ctx, g, &mul(ctx, &softmax, &total)?)
        }
        TensorOp::Clip(lo, hi) => {
            let operand = here(0);
            let t = as_tensor(primal(&operand), op.name())?;
            mul(ctx, g, &inside_mask(*lo, *hi, t))
        }
        TensorOp::Conv2d(pad) => {
            let (image, kernels) = (plain(ctx, &here(0), op)?, plain(ctx, &here(1), op)?);
            let (dx, dk) = conv::conv2d_vjp(&plain(ctx, g, op)?, &image, &kernels, *pad)
                .map_err(shape_error)?;
            Ok(Value::tensor(if i == 0 { dx } else { dk }))
        }
        TensorOp::MaxPool2d(k) => {
            let dx = conv::max_pool2d_vjp(&plain(ctx, g, op)?, &plain(ctx, &here(0), op)?, *k)
                .map_err(shape_error)?;
            Ok(Value::tensor(dx))
        }
        TensorOp::BroadcastTo(_) => fit_to(ctx, g.clone(), &here(0)),
        TensorOp::SumTo(_) => apply1(ctx, TensorOp::BroadcastTo(shape(&here(0))), g),
        TensorOp::PadSlice { axis, start, .. } => apply1(
            ctx,
            TensorOp::Slice {
                axis: *axis,
                start: *start,
                len: shape(&here(0)).get(*axis).copied().unwrap_or(0),
            },
            g,
        ),
        TensorOp::Scatter { index, .. } => apply1(ctx, TensorOp::Get(index.clone()), g),
    }
}

/// A tensor that no running `grad` or `jvp` tracks, for the kernels whose
/// derivative rules are not themselves differentiable.
fn plain(ctx: &RuntimeCtx, v: &Value, op: &TensorOp) -> Result<Tensor, RuntimeError> {
    let v = settle(ctx, v);
    if matches!(v, Value::Tracked(_)) {
        return Err(RuntimeError::higher_order_unsupported(op.name()));
    }
    as_tensor(&v, op.name()).map(|t| Tensor::clone(t))
}

/// Adds the adjoint contribution of `g` to operand `i` of `op` straight
/// into that operand's adjoint, when the contribution is an outer
/// product (`g xᵀ` for `W` in `W @ x`, `x gᵀ` for `W` in `x @ W`) of
/// untracked vectors and the adjoint an untracked `[m; n]` tensor that
/// nothing else holds: the sum [`adjoint`] and `arith::accumulate` would
/// make, bit for bit (`tensor::matmul::add_outer_in_place`), without the
/// product's tensor. `false` (nothing done) otherwise, when the caller
/// takes the general path.
pub(super) fn accumulate_outer(
    ctx: &RuntimeCtx,
    op: &TensorOp,
    i: usize,
    x: &[Value],
    g: &Value,
    operand: &Value,
) -> bool {
    let (TensorOp::MatMul, Value::Tracked(t), [a, b]) = (op, operand, x) else {
        return false;
    };
    let (column, row) = match (shape(a).len(), shape(b).len(), i) {
        (2, 1, 0) => (g, b),
        (1, 2, 1) => (a, g),
        _ => return false,
    };
    let (Value::Tensor(column), Value::Tensor(row)) = (settle(ctx, column), settle(ctx, row))
    else {
        return false;
    };
    let mut adjoint = t.derivative.borrow_mut();
    let Value::Tensor(acc) = &mut *adjoint else {
        return false;
    };
    matmul::add_outer_in_place(acc, &column, &row)
}

/// `op(p) @ op(q)` for 2-D `p` and `q`, each transposed when its flag says.
fn product(ctx: &RuntimeCtx, (p, p_t): (&Value, bool), (q, q_t): (&Value, bool)) -> Outcome {
    let op = TensorOp::MatMulTransposed {
        left: p_t,
        right: q_t,
    };
    apply(ctx, op, &[p.clone(), q.clone()])
}

/// Adjoints of `a @ b` in the four rank combinations: a vector operand is
/// a row (on the left) or a column (on the right). No transpose is
/// copied: `g bᵀ` and `aᵀ g` read the transposed operand through a view,
/// and `aᵀ g` for a vector `g` is the row-vector product `g a`.
fn matmul_adjoint(ctx: &RuntimeCtx, i: usize, a: &Value, b: &Value, g: &Value) -> Outcome {
    let (sa, sb) = (shape(a), shape(b));
    let reshape = |v: &Value, s: Vec<usize>| apply1(ctx, TensorOp::Reshape(s), v);
    let matmul = |p: &Value, q: &Value| apply(ctx, TensorOp::MatMul, &[p.clone(), q.clone()]);
    match (sa.len(), sb.len(), i) {
        (2, 2, 0) => product(ctx, (g, false), (b, true)),
        (2, 2, _) => product(ctx, (a, true), (g, false)),
        (2, 1, 0) => matmul(&reshape(g, vec![sa[0], 1])?, &reshape(b, vec![1, sb[0]])?),
        (2, 1, _) => matmul(g, a),
        (1, 2, 0) => matmul(b, g),
        (1, 2, _) => matmul(&reshape(a, vec![sa[0], 1])?, &reshape(g, vec![1, sb[1]])?),
        (_, _, 0) => mul(ctx, g, b),
        _ => mul(ctx, g, a),
    }
}

/// Adjoints of `c = op(a) @ op(b)`: `op(a)` gets `g op(b)ᵀ` and `op(b)`
/// gets `op(a)ᵀ g`, and a transposed operand takes the transpose of its
/// share, which is again one product of (possibly transposed) operands.
fn transposed_matmul_adjoint(
    ctx: &RuntimeCtx,
    i: usize,
    (a, a_t): (&Value, bool),
    (b, b_t): (&Value, bool),
    g: &Value,
) -> Outcome {
    match (i, a_t, b_t) {
        (0, false, _) => product(ctx, (g, false), (b, !b_t)),
        (0, true, _) => product(ctx, (b, b_t), (g, true)),
        (_, _, false) => product(ctx, (a, !a_t), (g, false)),
        (_, _, true) => product(ctx, (g, true), (a, a_t)),
    }
}

/// The tangent of `v` under `tag`, or zeros shaped like it when `v` is a
/// constant for this tag (or its tangent was left implicit as `0.0`).
fn tangent_like(v: &Value, tag: u32) -> Value {
    if let Value::Tracked(t) = v {
        if t.tag == tag {
            let d = t.derivative.borrow().clone();
            let fits = shape(&d) == shape(&t.primal)
                && matches!(primal(&d), Value::Tensor(_))
                    == matches!(primal(&t.primal), Value::Tensor(_));
            if fits {
                return d;
            }
        }
    }
    match primal(v) {
        Value::Tensor(t) => Value::tensor(Tensor::zeros(t.shape())),
        _ => Value::Float(0.0),
    }
}

/// The tangent of `op`'s result `r`, from the operands' tangents.
fn tangent(
    ctx: &RuntimeCtx,
    op: &TensorOp,
    operands: &[Value],
    x: &[Value],
    r: &Value,
    tag: u32,
) -> Outcome {
    let dx: Vec<Value> = operands.iter().map(|v| tangent_like(v, tag)).collect();
    let d0 = dx.first().cloned().unwrap_or(Value::Unit);
    match op {
        TensorOp::MatMul | TensorOp::MatMulTransposed { .. } => {
            let left = apply(ctx, op.clone(), &[d0, x[1].clone()])?;
            let right = apply(ctx, op.clone(), &[x[0].clone(), dx[1].clone()])?;
            add(ctx, &left, &right)
        }
        TensorOp::Max => apply1(ctx, TensorOp::Sum, &mul(ctx, &d0, &max_share(&x[0])?)?),
        TensorOp::Softmax => {
            let dot = apply1(
                ctx,
                TensorOp::SumTo(rows_kept(&shape(r))),
                &mul(ctx, &d0, r)?,
            )?;
            mul(ctx, r, &sub(ctx, &d0, &dot)?)
        }
        TensorOp::LogSoftmax => {
            let softmax = super::unary(ctx, super::Unary::Exp, r)?;
            let dot = apply1(
                ctx,
                TensorOp::SumTo(rows_kept(&shape(r))),
                &mul(ctx, &d0, &softmax)?,
            )?;
            sub(ctx, &d0, &dot)
        }
        TensorOp::Clip(lo, hi) => {
            let t = as_tensor(primal(&x[0]), op.name())?;
            mul(ctx, &d0, &inside_mask(*lo, *hi, t))
        }
        TensorOp::Conv2d(_) => {
            let left = apply(ctx, op.clone(), &[d0, x[1].clone()])?;
            let right = apply(ctx, op.clone(), &[x[0].clone(), dx[1].clone()])?;
            add(ctx, &left, &right)
        }
        TensorOp::MaxPool2d(k) => {
            let selected =
                conv::max_pool2d_select(&plain(ctx, &x[0], op)?, &plain(ctx, &d0, op)?, *k)
                    .map_err(shape_error)?;
            Ok(Value::tensor(selected))
        }
        // Every other operation is linear in its tensor operands: its
        // tangent is the operation applied to the tangents.
        _ => apply(ctx, op.clone(), &dx),
    }
}
