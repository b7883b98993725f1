//! Shapes, row-major strides and NumPy broadcasting.

use super::error::{show_shape, ShapeError, TensorResult};
use crate::runtime::memory;

/// The most elements one tensor may have (2^28, 1 GiB of f32). Every
/// tensor's shape is checked against it ([`checked_numel`]) before its
/// elements are allocated.
pub const MAX_ELEMENTS: usize = 1 << 28;

/// The most axes one tensor may have: NumPy's limit (`NPY_MAXDIMS`).
pub const MAX_RANK: usize = 64;

/// Number of elements of a shape (1 for the scalar shape `[]`). Exact for
/// every shape a tensor has (those pass [`checked_numel`]); saturates at
/// `usize::MAX` for any other instead of overflowing.
pub fn numel(shape: &[usize]) -> usize {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .unwrap_or(usize::MAX)
}

/// Why no tensor may have `shape`, if none may: more than [`MAX_RANK`]
/// axes, or more than [`MAX_ELEMENTS`] in the product of its non-zero
/// dimensions. Zero dimensions are left out of that product, as NumPy's
/// size check does: `[0; 2^32; 2^32]` holds no element, but an operation
/// that drops its zero axis (`sum_axis 0`) would make a tensor of 2^64.
/// With every tensor within both limits, all shape arithmetic on tensors
/// (element counts, strides, `concat`'s sums) stays far from overflow.
pub fn beyond_limits(shape: &[usize]) -> Option<String> {
    if shape.len() > MAX_RANK {
        return Some(format!(
            "would have {} axes, more than the {MAX_RANK} a tensor may have",
            shape.len()
        ));
    }
    let nonzero = shape
        .iter()
        .filter(|&&d| d != 0)
        .try_fold(1usize, |acc, &d| acc.checked_mul(d));
    if nonzero.is_none_or(|n| n > MAX_ELEMENTS) {
        let counted = if shape.contains(&0) {
            " (counting its non-zero dimensions)"
        } else {
            ""
        };
        return Some(format!(
            "would have more than {MAX_ELEMENTS} elements{counted}"
        ));
    }
    None
}

/// The element count of `shape`, after checking that a tensor may have
/// it (see [`beyond_limits`]); the one check every tensor's shape passes,
/// before anything is allocated for it.
pub fn checked_numel(op: &'static str, shape: &[usize]) -> TensorResult<usize> {
    match beyond_limits(shape) {
        Some(why) => Err(ShapeError::limit(op, shape, why)),
        None => Ok(numel(shape)),
    }
}

/// [`beyond_limits`] for a tensor about to be allocated from little (a
/// shape the program gives, a broadcast's result): also why its elements
/// would not fit under the memory limit, if they would not.
pub fn beyond_limits_or_memory(shape: &[usize]) -> Option<String> {
    beyond_limits(shape)
        .or_else(|| memory::no_room_for(numel(shape).saturating_mul(std::mem::size_of::<f32>())))
}

/// Row-major (C order) strides, in elements.
pub fn strides(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![1; shape.len()];
    for axis in (0..shape.len().saturating_sub(1)).rev() {
        strides[axis] = strides[axis + 1] * shape[axis + 1];
    }
    strides
}

/// NumPy's rule: align shapes at the right; each pair of dimensions must be
/// equal or one of them 1; missing leading dimensions count as 1.
pub fn broadcast_shapes(
    op: &'static str,
    left: &[usize],
    right: &[usize],
) -> TensorResult<Vec<usize>> {
    let rank = left.len().max(right.len());
    let mut out = vec![0; rank];
    for (i, slot) in out.iter_mut().enumerate() {
        let l = dim_from_right(left, rank - 1 - i);
        let r = dim_from_right(right, rank - 1 - i);
        *slot = match (l, r) {
            (a, b) if a == b => a,
            (1, b) => b,
            (a, 1) => a,
            _ => return Err(ShapeError::broadcast(op, left, right)),
        };
    }
    check_size(op, left, right, &out)?;
    Ok(out)
}

/// [`checked_numel`] for the result of a two-operand operation, the error
/// naming both operands: a broadcast (`[n; 1] + [1; n]`) or a product
/// (`[n; 1] @ [1; n]`) can ask for far more than its operands hold.
pub fn check_size(
    op: &'static str,
    left: &[usize],
    right: &[usize],
    result: &[usize],
) -> TensorResult<()> {
    match beyond_limits_or_memory(result) {
        Some(why) => Err(ShapeError::mismatch(
            op,
            left,
            right,
            format!("the result {} {why}", show_shape(result)),
        )),
        None => Ok(()),
    }
}

/// The dimension `from_right` places from the last one, 1 if absent.
fn dim_from_right(shape: &[usize], from_right: usize) -> usize {
    if from_right < shape.len() {
        shape[shape.len() - 1 - from_right]
    } else {
        1
    }
}

/// Strides for reading an operand of `shape` as if it had the broadcast
/// shape `out`: stride 0 along every broadcast (size-1 or missing) axis.
pub fn broadcast_strides(shape: &[usize], out: &[usize]) -> Vec<usize> {
    let own = strides(shape);
    let offset = out.len() - shape.len();
    (0..out.len())
        .map(|axis| {
            if axis < offset || shape[axis - offset] == 1 {
                0
            } else {
                own[axis - offset]
            }
        })
        .collect()
}

/// For every element of `out` in row-major order, the flat index it reads
/// from an operand with the given broadcast strides. Walks an odometer over
/// all axes but the last, and the last axis as a strided run, so the inner
/// loop is simple enough to stay fast.
pub fn broadcast_indices(out: &[usize], strides: &[usize]) -> Vec<usize> {
    let total = numel(out);
    let mut indices = Vec::with_capacity(total);
    if total == 0 {
        return indices;
    }
    let rank = out.len();
    if rank == 0 {
        indices.push(0);
        return indices;
    }
    let inner = out[rank - 1];
    let inner_stride = strides[rank - 1];
    let mut counter = vec![0usize; rank - 1];
    let mut base = 0usize;
    loop {
        indices.extend((0..inner).map(|j| base + j * inner_stride));
        // Advance the odometer over the outer axes.
        let mut axis = rank - 1;
        loop {
            if axis == 0 {
                return indices;
            }
            axis -= 1;
            counter[axis] += 1;
            base += strides[axis];
            if counter[axis] < out[axis] {
                break;
            }
            base -= strides[axis] * counter[axis];
            counter[axis] = 0;
        }
    }
}

/// Checks an axis against a rank, for operations that take one.
pub fn check_axis(op: &'static str, shape: &[usize], axis: usize) -> TensorResult<()> {
    if axis < shape.len() {
        Ok(())
    } else {
        Err(ShapeError::no_axis(op, shape, axis))
    }
}
