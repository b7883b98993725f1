//! Kernels of the adjoint operations that `runtime::ad::tensor` builds
//! backward passes from (`TensorOp::SumTo`, `PadSlice`, `Scatter`): each
//! is the transpose of a forward linear map (broadcasting, `slice`, `get`).
//!
//! The derivative rules themselves live in `runtime::ad::tensor`, written
//! with differentiable operations so that grad of grad works; these are
//! only the plain computations under three of those operations.
//!
//! The shapes come from the forward operation, so a mismatch here is a bug
//! in a rule, not in the user's program; it still comes back as a
//! [`ShapeError`] rather than a panic.

use super::error::{ShapeError, TensorResult};
use super::layout;
use super::reduce;
use super::shape::checked_numel;
use super::tensor::Tensor;

/// Sums `g` down to `shape`, the adjoint of broadcasting a `shape` tensor
/// to `g`'s shape: over the leading axes `shape` lacks, and over the axes
/// where `shape` has 1 but `g` does not.
pub fn sum_to_shape(g: &Tensor, shape: &[usize]) -> TensorResult<Tensor> {
    let broadcasts_to_g = g.rank().checked_sub(shape.len()).is_some_and(|lead| {
        shape
            .iter()
            .zip(&g.shape()[lead..])
            .all(|(&d, &n)| d == n || d == 1)
    });
    if !broadcasts_to_g {
        return Err(ShapeError::mismatch(
            "sum_to",
            g.shape(),
            shape,
            "the target shape does not broadcast to the adjoint's",
        ));
    }
    let mut acc = g.clone();
    while acc.rank() > shape.len() {
        acc = reduce::sum_axis(0, &acc)?;
    }
    for (axis, &d) in shape.iter().enumerate() {
        if d == 1 && acc.shape()[axis] != 1 {
            let summed = reduce::sum_axis(axis, &acc)?;
            let mut kept = summed.shape().to_vec();
            kept.insert(axis, 1);
            acc = layout::reshape(&summed, &kept)?;
        }
    }
    Ok(acc)
}

/// `g` placed at `start` along `axis` of a zero tensor of `shape`, the
/// adjoint of `layout::slice _ axis start len` on a `shape` tensor.
pub fn pad_into(g: &Tensor, shape: &[usize], axis: usize, start: usize) -> TensorResult<Tensor> {
    let fits = g.rank() == shape.len()
        && axis < shape.len()
        && g.shape()
            .iter()
            .zip(shape)
            .enumerate()
            .all(|(a, (&n, &d))| {
                if a == axis {
                    start.checked_add(n).is_some_and(|end| end <= d)
                } else {
                    n == d
                }
            });
    if !fits {
        return Err(ShapeError::mismatch(
            "slice",
            g.shape(),
            shape,
            format!("the adjoint does not fit at {start} along axis {axis}"),
        ));
    }
    let before = with_dim(shape, axis, start);
    let after = with_dim(shape, axis, shape[axis] - start - g.shape()[axis]);
    let parts = [Tensor::zeros(&before), g.clone(), Tensor::zeros(&after)];
    layout::concat(axis, &parts)
}

/// A zero tensor of `shape` holding `g` at `index`, the adjoint of
/// `layout::get _ index`.
pub fn scatter_one(g: f32, shape: &[usize], index: &[usize]) -> TensorResult<Tensor> {
    let at = layout::flat_index("get", shape, index)?;
    let mut out = vec![0.0; checked_numel("get", shape)?];
    out[at] = g;
    Tensor::build("get", shape.to_vec(), out)
}

fn with_dim(shape: &[usize], axis: usize, d: usize) -> Vec<usize> {
    let mut out = shape.to_vec();
    out[axis] = d;
    out
}
