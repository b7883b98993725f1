//! Reverse-mode rules (vector-Jacobian products): each takes the upstream
//! adjoint `g` of an operation's result, plus what the operation saw or
//! produced, and returns the adjoints of its tensor operands.
//!
//! Broadcasting operations return adjoints already *un-broadcast*: summed
//! over the axes the operand was stretched along, so each adjoint has its
//! operand's shape. The rules never fail on shapes that the forward
//! operation accepted; a `Result` comes back only where a forward kernel
//! they reuse returns one.

use super::elementwise::{self as ew, map, zip_with};
use super::error::TensorResult;
use super::layout;
use super::matmul::matmul_2d;
use super::reduce::{self, argmax};
use super::shape::numel;
use super::tensor::Tensor;

/// Sums `g` down to `shape`: over leading axes `shape` lacks, and over the
/// axes where `shape` has 1 but `g` does not.
pub fn unbroadcast(g: &Tensor, shape: &[usize]) -> TensorResult<Tensor> {
    if g.shape() == shape {
        return Ok(g.clone());
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

/// `a + b`.
pub fn add(g: &Tensor, a_shape: &[usize], b_shape: &[usize]) -> TensorResult<(Tensor, Tensor)> {
    Ok((unbroadcast(g, a_shape)?, unbroadcast(g, b_shape)?))
}

/// `a - b`.
pub fn sub(g: &Tensor, a_shape: &[usize], b_shape: &[usize]) -> TensorResult<(Tensor, Tensor)> {
    Ok((unbroadcast(g, a_shape)?, unbroadcast(&ew::neg(g), b_shape)?))
}

/// `a * b`.
pub fn mul(g: &Tensor, a: &Tensor, b: &Tensor) -> TensorResult<(Tensor, Tensor)> {
    let ga = ew::mul(g, b)?;
    let gb = ew::mul(g, a)?;
    Ok((unbroadcast(&ga, a.shape())?, unbroadcast(&gb, b.shape())?))
}

/// `a / b`: `g / b` and `-g·a / b²`.
pub fn div(g: &Tensor, a: &Tensor, b: &Tensor) -> TensorResult<(Tensor, Tensor)> {
    let ga = ew::div(g, b)?;
    let quotient = ew::div(a, b)?;
    let gb = ew::neg(&ew::div(&ew::mul(g, &quotient)?, b)?);
    Ok((unbroadcast(&ga, a.shape())?, unbroadcast(&gb, b.shape())?))
}

/// `-a`.
pub fn neg(g: &Tensor) -> Tensor {
    ew::neg(g)
}

/// `t * s` with a float `s` (mixed arithmetic): adjoints of `t` and of `s`.
pub fn mul_scalar(g: &Tensor, t: &Tensor, s: f32) -> TensorResult<(Tensor, f32)> {
    Ok((ew::mul_scalar(g, s), reduce::sum(&ew::mul(g, t)?)))
}

/// `t + s` with a float `s`.
pub fn add_scalar(g: &Tensor) -> (Tensor, f32) {
    (g.clone(), reduce::sum(g))
}

/// `s - t` with a float `s`: adjoints of `t` and of `s`.
pub fn scalar_sub(g: &Tensor) -> (Tensor, f32) {
    (ew::neg(g), reduce::sum(g))
}

/// `t / s` with a float `s`: `g / s` and `-Σ g·t / s²`.
pub fn div_scalar(g: &Tensor, t: &Tensor, s: f32) -> TensorResult<(Tensor, f32)> {
    Ok((
        ew::div_scalar(g, s),
        -reduce::sum(&ew::mul(g, t)?) / (s * s),
    ))
}

/// `s / t` with a float `s`: `-g·s / t²` and `Σ g / t`.
pub fn scalar_div(g: &Tensor, s: f32, t: &Tensor) -> TensorResult<(Tensor, f32)> {
    let gt = zip_with("div", g, t, |g, t| -g * s / (t * t))?;
    Ok((gt, reduce::sum(&ew::div(g, t)?)))
}

/// `exp x`, from its result `y`: `g·y`.
pub fn exp(g: &Tensor, y: &Tensor) -> TensorResult<Tensor> {
    ew::mul(g, y)
}

/// `log x`: `g / x`.
pub fn log(g: &Tensor, x: &Tensor) -> TensorResult<Tensor> {
    ew::div(g, x)
}

/// `sqrt x`, from its result `y`: `g / 2y`.
pub fn sqrt(g: &Tensor, y: &Tensor) -> TensorResult<Tensor> {
    zip_with("sqrt", g, y, |g, y| g / (2.0 * y))
}

/// `tanh x`, from its result `y`: `g·(1 - y²)`.
pub fn tanh(g: &Tensor, y: &Tensor) -> TensorResult<Tensor> {
    zip_with("tanh", g, y, |g, y| g * (1.0 - y * y))
}

/// `sigmoid x`, from its result `y`: `g·y·(1 - y)`.
pub fn sigmoid(g: &Tensor, y: &Tensor) -> TensorResult<Tensor> {
    zip_with("sigmoid", g, y, |g, y| g * y * (1.0 - y))
}

/// `relu x`: `g` where `x > 0`, else 0 (the subgradient 0 at the kink, as
/// PyTorch).
pub fn relu(g: &Tensor, x: &Tensor) -> TensorResult<Tensor> {
    zip_with("relu", g, x, |g, x| if x > 0.0 { g } else { 0.0 })
}

/// `clip lo hi x`: `g` strictly inside `(lo, hi)`, else 0.
pub fn clip(g: &Tensor, lo: f32, hi: f32, x: &Tensor) -> TensorResult<Tensor> {
    zip_with("clip", g, x, |g, x| if x > lo && x < hi { g } else { 0.0 })
}

/// `a @ b` for every rank combination `matmul` accepts: a 1-D operand is
/// treated as the row or column it stood for, then its adjoint flattened
/// back. `ga = g @ bᵀ`, `gb = aᵀ @ g`, transposes read through views.
pub fn matmul(g: &Tensor, a: &Tensor, b: &Tensor) -> TensorResult<(Tensor, Tensor)> {
    let a2 = if a.rank() == 1 {
        layout::reshape(a, &[1, a.len()])?
    } else {
        a.clone()
    };
    let b2 = if b.rank() == 1 {
        layout::reshape(b, &[b.len(), 1])?
    } else {
        b.clone()
    };
    let g2 = layout::reshape(g, &[a2.shape()[0], b2.shape()[1]])?;
    let ga = matmul_2d(&g2, false, &b2, true)?;
    let gb = matmul_2d(&a2, true, &g2, false)?;
    Ok((
        layout::reshape(&ga, a.shape())?,
        layout::reshape(&gb, b.shape())?,
    ))
}

/// `sum t` (a float): every element gets `g`.
pub fn sum(g: f32, shape: &[usize]) -> Tensor {
    Tensor::full(shape, g)
}

/// `mean t`: every element gets `g / n`.
pub fn mean(g: f32, shape: &[usize]) -> Tensor {
    Tensor::full(shape, g / numel(shape) as f32)
}

/// `max t`: all of `g` to the element `argmax` picked (ties: the first).
pub fn max(g: f32, t: &Tensor) -> TensorResult<Tensor> {
    let mut out = vec![0.0; t.len()];
    out[argmax(t)?] = g;
    Tensor::new(t.shape().to_vec(), out)
}

/// `sum_axis axis t`: `g` copied back along the removed axis.
pub fn sum_axis(g: &Tensor, axis: usize, shape: &[usize]) -> TensorResult<Tensor> {
    let mut kept = shape.to_vec();
    kept[axis] = 1;
    ew::add(&layout::reshape(g, &kept)?, &Tensor::zeros(shape))
}

/// Row-wise (last axis) sums of `t`, kept as a size-1 last axis for
/// broadcasting back.
pub(crate) fn row_sums(t: &Tensor) -> TensorResult<Tensor> {
    if t.rank() == 0 {
        return Ok(t.clone());
    }
    let last = t.rank() - 1;
    let summed = reduce::sum_axis(last, t)?;
    let mut kept = t.shape().to_vec();
    kept[last] = 1;
    layout::reshape(&summed, &kept)
}

/// `softmax x`, from its result `y`: `y·(g - Σ g·y)` per row.
pub fn softmax(g: &Tensor, y: &Tensor) -> TensorResult<Tensor> {
    let dot = row_sums(&ew::mul(g, y)?)?;
    ew::mul(y, &ew::sub(g, &dot)?)
}

/// `log_softmax x`, from its result `y`: `g - softmax(x)·Σ g` per row.
pub fn log_softmax(g: &Tensor, y: &Tensor) -> TensorResult<Tensor> {
    let total = row_sums(g)?;
    ew::sub(g, &ew::mul(&map(y, f32::exp), &total)?)
}

/// `reshape t shape`: `g` back in `t`'s shape.
pub fn reshape(g: &Tensor, shape: &[usize]) -> TensorResult<Tensor> {
    layout::reshape(g, shape)
}

/// `transpose t`.
pub fn transpose(g: &Tensor) -> TensorResult<Tensor> {
    layout::transpose(g)
}

/// `get t index` (a float): `g` at `index`, zeros elsewhere.
pub fn get(g: f32, shape: &[usize], index: &[usize]) -> TensorResult<Tensor> {
    let mut out = vec![0.0; numel(shape)];
    out[layout::flat_index("get", shape, index)?] = g;
    Tensor::new(shape.to_vec(), out)
}

/// `row t i`: `g` placed in row `i`, zeros elsewhere.
pub fn row(g: &Tensor, shape: &[usize], i: usize) -> TensorResult<Tensor> {
    slice(
        &layout::reshape(g, &[&[1], g.shape()].concat())?,
        shape,
        0,
        i,
    )
}

/// `slice t axis start len`: `g` placed at `start` along `axis`, zeros
/// around it.
pub fn slice(g: &Tensor, shape: &[usize], axis: usize, start: usize) -> TensorResult<Tensor> {
    let mut before = shape.to_vec();
    before[axis] = start;
    let mut after = shape.to_vec();
    after[axis] = shape[axis] - start - g.shape()[axis];
    let parts = [Tensor::zeros(&before), g.clone(), Tensor::zeros(&after)];
    layout::concat(axis, &parts)
}

/// `concat axis ts`: `g` cut back into the operands' extents along `axis`.
pub fn concat(g: &Tensor, axis: usize, shapes: &[Vec<usize>]) -> TensorResult<Vec<Tensor>> {
    let mut start = 0;
    let mut out = Vec::with_capacity(shapes.len());
    for shape in shapes {
        out.push(layout::slice(g, axis, start, shape[axis])?);
        start += shape[axis];
    }
    Ok(out)
}

/// `stack ts`: the rows of `g`.
pub fn stack(g: &Tensor) -> TensorResult<Vec<Tensor>> {
    let n = g.shape().first().copied().unwrap_or(0);
    (0..n).map(|i| layout::row(g, i)).collect()
}
