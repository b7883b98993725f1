//! Forward-mode rules (Jacobian-vector products): each takes an operation's
//! operands with their tangents (`dx`, same shape as `x`) and returns the
//! tangent of the result.
//!
//! Linear operations (`+`, `-`, `reshape`, `transpose`, `sum`, `sum_axis`,
//! `get`, `row`, `slice`, `concat`, `stack`, `neg`) need no rule here: the
//! tangent of the result is the same operation applied to the tangents.

use super::elementwise::{self as ew, zip_with};
use super::error::TensorResult;
use super::grad_rules::row_sums;
use super::matmul::matmul as mm;
use super::reduce::{self, argmax};
use super::tensor::Tensor;

/// `a * b`: `da·b + a·db`.
pub fn mul(a: &Tensor, da: &Tensor, b: &Tensor, db: &Tensor) -> TensorResult<Tensor> {
    ew::add(&ew::mul(da, b)?, &ew::mul(a, db)?)
}

/// `a / b`: `(da - (a/b)·db) / b`.
pub fn div(a: &Tensor, da: &Tensor, b: &Tensor, db: &Tensor) -> TensorResult<Tensor> {
    let q = ew::div(a, b)?;
    ew::div(&ew::sub(da, &ew::mul(&q, db)?)?, b)
}

/// `a @ b`: `da @ b + a @ db`.
pub fn matmul(a: &Tensor, da: &Tensor, b: &Tensor, db: &Tensor) -> TensorResult<Tensor> {
    ew::add(&mm(da, b)?, &mm(a, db)?)
}

/// `exp x`, from its result `y`.
pub fn exp(y: &Tensor, dx: &Tensor) -> TensorResult<Tensor> {
    ew::mul(y, dx)
}

pub fn log(x: &Tensor, dx: &Tensor) -> TensorResult<Tensor> {
    ew::div(dx, x)
}

/// `sqrt x`, from its result `y`.
pub fn sqrt(y: &Tensor, dx: &Tensor) -> TensorResult<Tensor> {
    zip_with("sqrt", dx, y, |d, y| d / (2.0 * y))
}

/// `tanh x`, from its result `y`.
pub fn tanh(y: &Tensor, dx: &Tensor) -> TensorResult<Tensor> {
    zip_with("tanh", dx, y, |d, y| d * (1.0 - y * y))
}

/// `sigmoid x`, from its result `y`.
pub fn sigmoid(y: &Tensor, dx: &Tensor) -> TensorResult<Tensor> {
    zip_with("sigmoid", dx, y, |d, y| d * y * (1.0 - y))
}

pub fn relu(x: &Tensor, dx: &Tensor) -> TensorResult<Tensor> {
    zip_with("relu", dx, x, |d, x| if x > 0.0 { d } else { 0.0 })
}

pub fn clip(lo: f32, hi: f32, x: &Tensor, dx: &Tensor) -> TensorResult<Tensor> {
    zip_with("clip", dx, x, |d, x| if x > lo && x < hi { d } else { 0.0 })
}

/// `mean x`.
pub fn mean(dx: &Tensor) -> f32 {
    reduce::mean(dx)
}

/// `max x`: the tangent of the element `argmax` picks.
pub fn max(x: &Tensor, dx: &Tensor) -> TensorResult<f32> {
    Ok(dx.data()[argmax(x)?])
}

/// `softmax x`, from its result `y`: `y·(dx - Σ y·dx)`.
pub fn softmax(y: &Tensor, dx: &Tensor) -> TensorResult<Tensor> {
    let dot = row_sums(&ew::mul(y, dx)?)?;
    ew::mul(y, &ew::sub(dx, &dot)?)
}

/// `log_softmax x`, from its result `y`: `dx - Σ softmax(x)·dx`.
pub fn log_softmax(y: &Tensor, dx: &Tensor) -> TensorResult<Tensor> {
    let p = ew::map(y, f32::exp);
    ew::sub(dx, &row_sums(&ew::mul(&p, dx)?)?)
}

/// `conv2d x k pad` is bilinear: `conv(dx, k) + conv(x, dk)`.
pub fn conv2d(
    x: &Tensor,
    dx: &Tensor,
    k: &Tensor,
    dk: &Tensor,
    pad: usize,
) -> TensorResult<Tensor> {
    use super::conv::conv2d as conv;
    ew::add(&conv(dx, k, pad)?, &conv(x, dk, pad)?)
}

/// `max_pool2d x k`: each output's tangent is that of the element it took,
/// the same selection the primal makes (reused via the reverse rule's
/// routing: pooling `x + 0·dx` would not say which element won).
pub fn max_pool2d(x: &Tensor, dx: &Tensor, k: usize) -> TensorResult<Tensor> {
    super::conv::max_pool2d_select(x, dx, k)
}
