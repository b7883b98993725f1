//! Element-wise kernels: broadcasting binary operations and unary maps.
//!
//! Each loop is a plain `iter().zip().map()` over contiguous slices, which
//! the compiler auto-vectorizes; the broadcast case first computes where
//! each operand element comes from, then runs the same kind of loop. The
//! element function is a type parameter, so callers pass a closure or a
//! function item (`f32::exp`), never a `fn` pointer: that is what lets each
//! operation's loop be compiled, and vectorized, for that operation.

use std::rc::Rc;

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
    Tensor::build(op, shape, data)
}

pub fn add(a: &Tensor, b: &Tensor) -> TensorResult<Tensor> {
    zip_with("add", a, b, |x, y| x + y)
}

/// `acc + x` written over `acc`'s elements, when `acc` is the only
/// holder of them and `x` has its shape: the sum [`add`] computes, element
/// for element the same `f32` additions, without a new tensor. `false`
/// (and `acc` untouched) otherwise.
pub fn add_in_place(acc: &mut Rc<Tensor>, x: &Tensor) -> bool {
    if acc.shape() != x.shape() {
        return false;
    }
    let Some(data) = Rc::get_mut(acc).and_then(Tensor::data_mut) else {
        return false;
    };
    for (a, &y) in data.iter_mut().zip(x.data()) {
        *a += y;
    }
    true
}

/// `f` on every element, same shape.
pub fn map(t: &Tensor, f: impl Fn(f32) -> f32) -> Tensor {
    Tensor::from_parts(t.shape().to_vec(), t.data().iter().map(|&x| f(x)).collect())
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

/// `max(x, 0)`, keeping NaN as the float `relu` does (`f32::max` would
/// turn it into 0).
pub fn relu_f32(x: f32) -> f32 {
    if x > 0.0 || x.is_nan() {
        x
    } else {
        0.0
    }
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
