//! Element-wise kernels: broadcasting binary operations and unary maps.
//!
//! Each loop is a plain `iter().zip().map()` over contiguous slices, which
//! the compiler auto-vectorizes; the broadcast case first computes where
//! each operand element comes from, then runs the same kind of loop.

use super::error::TensorResult;
use super::shape::{broadcast_indices, broadcast_shapes, broadcast_strides};
use super::tensor::Tensor;

/// `f` applied pairwise after NumPy broadcasting; `op` names the operation
/// in a shape error.
pub fn zip_with(
    op: &'static str,
    a: &Tensor,
    b: &Tensor,
    f: impl Fn(f32, f32) -> f32,
) -> TensorResult<Tensor> {
    // Fast paths: equal shapes, or one side a single element whose shape
    // does not add axes to the other's.
    if a.shape() == b.shape() {
        let data = a
            .data()
            .iter()
            .zip(b.data())
            .map(|(&x, &y)| f(x, y))
            .collect();
        return Ok(Tensor::from_parts(a.shape().to_vec(), data));
    }
    let shape = broadcast_shapes(op, a.shape(), b.shape())?;
    if b.len() == 1 && shape == a.shape() {
        let y = b.data()[0];
        return Ok(Tensor::from_parts(
            shape,
            a.data().iter().map(|&x| f(x, y)).collect(),
        ));
    }
    if a.len() == 1 && shape == b.shape() {
        let x = a.data()[0];
        return Ok(Tensor::from_parts(
            shape,
            b.data().iter().map(|&y| f(x, y)).collect(),
        ));
    }
    let ia = broadcast_indices(&shape, &broadcast_strides(a.shape(), &shape));
    let ib = broadcast_indices(&shape, &broadcast_strides(b.shape(), &shape));
    let (da, db) = (a.data(), b.data());
    let data = ia.iter().zip(&ib).map(|(&i, &j)| f(da[i], db[j])).collect();
    Ok(Tensor::from_parts(shape, data))
}

pub fn add(a: &Tensor, b: &Tensor) -> TensorResult<Tensor> {
    zip_with("add", a, b, |x, y| x + y)
}

pub fn sub(a: &Tensor, b: &Tensor) -> TensorResult<Tensor> {
    zip_with("sub", a, b, |x, y| x - y)
}

pub fn mul(a: &Tensor, b: &Tensor) -> TensorResult<Tensor> {
    zip_with("mul", a, b, |x, y| x * y)
}

pub fn div(a: &Tensor, b: &Tensor) -> TensorResult<Tensor> {
    zip_with("div", a, b, |x, y| x / y)
}

/// `f` on every element, same shape.
pub fn map(t: &Tensor, f: impl Fn(f32) -> f32) -> Tensor {
    Tensor::from_parts(t.shape().to_vec(), t.data().iter().map(|&x| f(x)).collect())
}

pub fn neg(t: &Tensor) -> Tensor {
    map(t, |x| -x)
}

/// Mixed float/tensor arithmetic (`t + 1.0`): the float as a broadcast scalar.
pub fn add_scalar(t: &Tensor, s: f32) -> Tensor {
    map(t, |x| x + s)
}

pub fn mul_scalar(t: &Tensor, s: f32) -> Tensor {
    map(t, |x| x * s)
}

/// `s - t`; `t - s` is `add_scalar(t, -s)`.
pub fn scalar_sub(s: f32, t: &Tensor) -> Tensor {
    map(t, |x| s - x)
}

/// `s / t`; `t / s` is `map(t, |x| x / s)` (not `* (1/s)`, to stay exact).
pub fn scalar_div(s: f32, t: &Tensor) -> Tensor {
    map(t, |x| s / x)
}

pub fn div_scalar(t: &Tensor, s: f32) -> Tensor {
    map(t, |x| x / s)
}

pub fn exp(t: &Tensor) -> Tensor {
    map(t, f32::exp)
}

pub fn log(t: &Tensor) -> Tensor {
    map(t, f32::ln)
}

pub fn sqrt(t: &Tensor) -> Tensor {
    map(t, f32::sqrt)
}

pub fn tanh(t: &Tensor) -> Tensor {
    map(t, f32::tanh)
}

/// Logistic function, written to not overflow `exp` for large |x|.
pub fn sigmoid_f32(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

pub fn sigmoid(t: &Tensor) -> Tensor {
    map(t, sigmoid_f32)
}

pub fn relu(t: &Tensor) -> Tensor {
    map(t, |x| x.max(0.0))
}

/// Every element into `[lo, hi]`; written with comparisons rather than
/// `f32::clamp`, which panics when `lo > hi` (user input). NaN stays NaN.
pub fn clip(lo: f32, hi: f32, t: &Tensor) -> Tensor {
    map(t, |x| {
        if x < lo {
            lo
        } else if x > hi {
            hi
        } else {
            x
        }
    })
}

/// 1.0 where equal, 0.0 elsewhere, with broadcasting (`Tensor.equal`).
pub fn equal(a: &Tensor, b: &Tensor) -> TensorResult<Tensor> {
    zip_with("equal", a, b, |x, y| if x == y { 1.0 } else { 0.0 })
}
