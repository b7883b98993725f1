//! Reductions: whole-tensor (`sum`, `mean`, `max`, `argmax`), along one
//! axis (`sum_axis`, `argmax_axis`, which remove that axis as NumPy does),
//! and `softmax`/`log_softmax` over the last axis.

use super::error::{ShapeError, TensorResult};
use super::shape::check_axis;
use super::tensor::Tensor;

/// Sum of all elements, accumulated in f64 so long sums stay accurate.
pub fn sum(t: &Tensor) -> f32 {
    // From +0.0: `Iterator::sum` starts at -0.0, so an empty sum would
    // print as `-0.0` where NumPy gives `0.0`.
    t.data().iter().fold(0.0f64, |acc, &x| acc + x as f64) as f32
}

/// Mean of all elements; NaN for an empty tensor, as NumPy.
pub fn mean(t: &Tensor) -> f32 {
    (t.data().iter().fold(0.0f64, |acc, &x| acc + x as f64) / t.len() as f64) as f32
}

/// Largest element; NaN if any element is NaN (as NumPy's `max`).
pub fn max(t: &Tensor) -> TensorResult<f32> {
    argmax_slice(t.data())
        .map(|i| t.data()[i])
        .ok_or_else(|| ShapeError::invalid("max", t.shape(), "the tensor is empty"))
}

/// Flat index of the first largest element (the first NaN if any).
pub fn argmax(t: &Tensor) -> TensorResult<usize> {
    argmax_slice(t.data())
        .ok_or_else(|| ShapeError::invalid("argmax", t.shape(), "the tensor is empty"))
}

fn argmax_slice(xs: &[f32]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, &x) in xs.iter().enumerate() {
        if x.is_nan() {
            return Some(i);
        }
        if best.is_none_or(|b| x > xs[b]) {
            best = Some(i);
        }
    }
    best
}

/// Splits a shape around `axis`: (product before, the axis, product after),
/// so an axis reduction is a loop over `outer × inner` lanes of stride `inner`.
fn around_axis(shape: &[usize], axis: usize) -> (usize, usize, usize) {
    let outer = shape[..axis].iter().product();
    let inner = shape[axis + 1..].iter().product();
    (outer, shape[axis], inner)
}

fn without_axis(shape: &[usize], axis: usize) -> Vec<usize> {
    let mut out = shape.to_vec();
    out.remove(axis);
    out
}

/// Sum along `axis`, which disappears from the shape.
pub fn sum_axis(axis: usize, t: &Tensor) -> TensorResult<Tensor> {
    check_axis("sum_axis", t.shape(), axis)?;
    let (outer, len, inner) = around_axis(t.shape(), axis);
    let mut out = vec![0.0f32; outer * inner];
    let data = t.data();
    for o in 0..outer {
        let acc = &mut out[o * inner..(o + 1) * inner];
        for k in 0..len {
            let src = &data[(o * len + k) * inner..(o * len + k + 1) * inner];
            acc.iter_mut().zip(src).for_each(|(a, &x)| *a += x);
        }
    }
    Tensor::build("sum_axis", without_axis(t.shape(), axis), out)
}

/// Index of the largest element along `axis`, as floats (tensor elements
/// are f32), the axis removed.
pub fn argmax_axis(axis: usize, t: &Tensor) -> TensorResult<Tensor> {
    check_axis("argmax_axis", t.shape(), axis)?;
    let (outer, len, inner) = around_axis(t.shape(), axis);
    if len == 0 {
        return Err(ShapeError::invalid(
            "argmax_axis",
            t.shape(),
            format!("axis {axis} is empty"),
        ));
    }
    let data = t.data();
    let mut out = Vec::with_capacity(outer * inner);
    let mut lane = vec![0.0f32; len];
    for o in 0..outer {
        for i in 0..inner {
            for (k, slot) in lane.iter_mut().enumerate() {
                *slot = data[(o * len + k) * inner + i];
            }
            out.push(argmax_slice(&lane).unwrap_or(0) as f32);
        }
    }
    Tensor::build("argmax_axis", without_axis(t.shape(), axis), out)
}

/// The last axis's length (1 for a scalar), the unit softmax works on.
fn last_axis_len(t: &Tensor) -> usize {
    t.shape().last().copied().unwrap_or(1)
}

/// `exp(x - max) / Σ exp(x - max)` per row of the last axis: subtracting the
/// row maximum keeps `exp` from overflowing.
pub fn softmax(t: &Tensor) -> Tensor {
    let n = last_axis_len(t);
    let mut out = t.to_vec();
    if n > 0 {
        for row in out.chunks_mut(n) {
            let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            row.iter_mut().for_each(|x| *x = (*x - m).exp());
            let s: f32 = row.iter().sum();
            row.iter_mut().for_each(|x| *x /= s);
        }
    }
    Tensor::from_parts(t.shape().to_vec(), out)
}

/// `x - max - log Σ exp(x - max)` per row of the last axis: stable where
/// `log(softmax x)` would give `-inf`.
pub fn log_softmax(t: &Tensor) -> Tensor {
    let n = last_axis_len(t);
    let mut out = t.to_vec();
    if n > 0 {
        for row in out.chunks_mut(n) {
            let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            // `(x - m) - log Σ` rather than `x - (m + log Σ)`: for large
            // logits `m + log Σ` would round to the spacing of `m`.
            let log_sum = row.iter().map(|&x| (x - m).exp()).sum::<f32>().ln();
            row.iter_mut().for_each(|x| *x = (*x - m) - log_sum);
        }
    }
    Tensor::from_parts(t.shape().to_vec(), out)
}
