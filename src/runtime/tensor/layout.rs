//! Operations that move elements without arithmetic: reshape, transpose,
//! indexing (`get`, `row`, `slice`), joining (`concat`, `stack`) and
//! `one_hot`.

use super::error::{show_shape, ShapeError, TensorResult};
use super::shape::{check_axis, checked_numel, numel, strides};
use super::tensor::Tensor;

/// Same elements in another shape of the same size; shares storage.
pub fn reshape(t: &Tensor, shape: &[usize]) -> TensorResult<Tensor> {
    // `[0]` has as many elements as `[0; 2^32; 2^32]`: the limits decide.
    let count = checked_numel("reshape", shape)?;
    if count != t.len() {
        return Err(ShapeError::mismatch(
            "reshape",
            t.shape(),
            shape,
            format!("{} elements cannot fill {count}", t.len()),
        ));
    }
    Ok(t.with_shape(shape.to_vec()))
}

/// Matrix transpose; 2-D only (§7).
pub fn transpose(t: &Tensor) -> TensorResult<Tensor> {
    let [rows, cols] = t.shape() else {
        return Err(ShapeError::invalid(
            "transpose",
            t.shape(),
            "expected a 2-D tensor",
        ));
    };
    let (rows, cols) = (*rows, *cols);
    let data = t.data();
    let mut out = vec![0.0f32; rows * cols];
    for (i, row) in data.chunks(cols.max(1)).enumerate().take(rows) {
        for (j, &x) in row.iter().enumerate() {
            out[j * rows + i] = x;
        }
    }
    Tensor::build("transpose", vec![cols, rows], out)
}

/// Flat row-major position of `index`, if it is in range.
pub fn flat_index(op: &'static str, shape: &[usize], index: &[usize]) -> TensorResult<usize> {
    if index.len() != shape.len() {
        return Err(ShapeError::mismatch(
            op,
            shape,
            index,
            format!(
                "an index of {} entries for a tensor of rank {}",
                index.len(),
                shape.len()
            ),
        ));
    }
    if index.iter().zip(shape).any(|(i, d)| i >= d) {
        return Err(ShapeError::index_out_of_range(
            op,
            shape,
            "index",
            show_shape(index),
        ));
    }
    Ok(index.iter().zip(strides(shape)).map(|(i, s)| i * s).sum())
}

/// One element (`Tensor.get t [i; j]`).
pub fn get(t: &Tensor, index: &[usize]) -> TensorResult<f32> {
    Ok(t.data()[flat_index("get", t.shape(), index)?])
}

/// `len` entries of `axis` starting at `start`.
pub fn slice(t: &Tensor, axis: usize, start: usize, len: usize) -> TensorResult<Tensor> {
    check_axis("slice", t.shape(), axis)?;
    let dim = t.shape()[axis];
    if start.checked_add(len).is_none_or(|end| end > dim) {
        return Err(ShapeError::out_of_range(
            "slice",
            t.shape(),
            format!(
                "entries {start}..{} of axis {axis} (length {dim}) are out of range",
                start.saturating_add(len)
            ),
        ));
    }
    let outer: usize = t.shape()[..axis].iter().product();
    let inner: usize = t.shape()[axis + 1..].iter().product();
    let mut out = Vec::with_capacity(outer * len * inner);
    for o in 0..outer {
        let from = (o * dim + start) * inner;
        out.extend_from_slice(&t.data()[from..from + len * inner]);
    }
    let mut shape = t.shape().to_vec();
    shape[axis] = len;
    Tensor::build("slice", shape, out)
}

/// Sub-tensor `i` along axis 0, that axis removed.
pub fn row(t: &Tensor, i: usize) -> TensorResult<Tensor> {
    let Some(&rows) = t.shape().first() else {
        return Err(ShapeError::invalid(
            "row",
            t.shape(),
            "a rank-0 tensor has no rows",
        ));
    };
    if i >= rows {
        return Err(ShapeError::index_out_of_range("row", t.shape(), "row", i));
    }
    let shape = t.shape()[1..].to_vec();
    let n = numel(&shape);
    Tensor::build("row", shape, t.data()[i * n..(i + 1) * n].to_vec())
}

/// Joins tensors along an existing axis; all other dimensions must agree.
pub fn concat(axis: usize, ts: &[Tensor]) -> TensorResult<Tensor> {
    let Some(first) = ts.first() else {
        return Err(ShapeError::invalid("concat", &[], "no tensors to join"));
    };
    check_axis("concat", first.shape(), axis)?;
    for t in ts {
        let fits = t.rank() == first.rank()
            && t.shape()
                .iter()
                .zip(first.shape())
                .enumerate()
                .all(|(a, (x, y))| a == axis || x == y);
        if !fits {
            return Err(ShapeError::mismatch(
                "concat",
                first.shape(),
                t.shape(),
                format!("all dimensions but axis {axis} must agree"),
            ));
        }
    }
    let outer: usize = first.shape()[..axis].iter().product();
    let inner: usize = first.shape()[axis + 1..].iter().product();
    let mut shape = first.shape().to_vec();
    // Many tensors can add up to a dimension past any limit (or past
    // `usize`): the sum is checked, then the shape.
    let joined = ts
        .iter()
        .try_fold(0usize, |acc, t| acc.checked_add(t.shape()[axis]));
    shape[axis] = joined.unwrap_or(usize::MAX);
    let mut out = Vec::with_capacity(checked_numel("concat", &shape)?);
    for o in 0..outer {
        for t in ts {
            let run = t.shape()[axis] * inner;
            out.extend_from_slice(&t.data()[o * run..(o + 1) * run]);
        }
    }
    Tensor::build("concat", shape, out)
}

/// Joins equal-shaped tensors along a new axis 0.
pub fn stack(ts: &[Tensor]) -> TensorResult<Tensor> {
    let Some(first) = ts.first() else {
        return Err(ShapeError::invalid("stack", &[], "no tensors to stack"));
    };
    if let Some(bad) = ts.iter().find(|t| t.shape() != first.shape()) {
        return Err(ShapeError::mismatch(
            "stack",
            first.shape(),
            bad.shape(),
            "all shapes must be equal",
        ));
    }
    let mut shape = vec![ts.len()];
    shape.extend_from_slice(first.shape());
    let mut data = Vec::with_capacity(checked_numel("stack", &shape)?);
    ts.iter().for_each(|t| data.extend_from_slice(t.data()));
    Tensor::build("stack", shape, data)
}

/// `[n]` with 1.0 at `i` (`Tensor.one_hot n i`).
pub fn one_hot(n: usize, i: usize) -> TensorResult<Tensor> {
    if i >= n {
        return Err(ShapeError::index_out_of_range("one_hot", &[n], "class", i));
    }
    let mut data = vec![0.0; checked_numel("one_hot", &[n])?];
    data[i] = 1.0;
    Tensor::build("one_hot", vec![n], data)
}
