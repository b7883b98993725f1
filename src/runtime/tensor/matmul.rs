//! `a @ b`: 2-D @ 2-D, 2-D @ 1-D (matrix-vector), 1-D @ 2-D and 1-D @ 1-D
//! (dot product, a rank-0 tensor), as NumPy's `matmul`.
//!
//! Products with a vector operand, and small ones, go through the direct
//! loops of `small_matmul`; the others through `matrixmultiply`'s sgemm,
//! called through `ndarray`'s safe `general_mat_mul` (this crate forbids
//! `unsafe`); docs/tensor-kernels.md has the measurements behind both. Operands may be read transposed
//! through strided views, so the backward pass never copies a transpose.

use std::rc::Rc;

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2, ShapeBuilder};

use super::error::{ShapeError, TensorResult};
use super::small_matmul::{self, Operand};
use super::tensor::Tensor;

/// A row-major `rows × cols` matrix as a view, or its transpose.
/// `None` only if `data` is shorter than the shape, which a `Tensor` rules out.
fn view(data: &[f32], rows: usize, cols: usize, transposed: bool) -> Option<ArrayView2<'_, f32>> {
    let v = ArrayView2::from_shape((rows, cols).strides((cols, 1)), data).ok()?;
    Some(if transposed { v.reversed_axes() } else { v })
}

/// A row-major matrix of `cols` columns, or its transpose, as the direct
/// kernel reads it.
fn operand(data: &[f32], cols: usize, transposed: bool) -> Operand<'_> {
    let (row_step, col_step) = if transposed { (1, cols) } else { (cols, 1) };
    Operand {
        data,
        row_step,
        col_step,
    }
}

/// `op(a) @ op(b)` for row-major matrices, where `op` transposes when asked:
/// `a` is `[ra, ca]`, `b` is `[rb, cb]` as stored.
pub fn matmul_2d(a: &Tensor, a_t: bool, b: &Tensor, b_t: bool) -> TensorResult<Tensor> {
    let (&[ra, ca], &[rb, cb]) = (a.shape(), b.shape()) else {
        return Err(ShapeError::mismatch(
            "matmul",
            a.shape(),
            b.shape(),
            "expected 2-D operands",
        ));
    };
    let (m, k) = if a_t { (ca, ra) } else { (ra, ca) };
    let (k2, n) = if b_t { (cb, rb) } else { (rb, cb) };
    if k != k2 {
        return Err(ShapeError::mismatch(
            "matmul",
            a.shape(),
            b.shape(),
            format!("inner dimensions {k} and {k2} differ"),
        ));
    }
    super::shape::check_size("matmul", a.shape(), b.shape(), &[m, n])?;
    let mut out = vec![0.0f32; m * n];
    let direct = k > 0
        && small_matmul::is_small(m, n, k)
        && small_matmul::product(
            operand(a.data(), ca, a_t),
            operand(b.data(), cb, b_t),
            m,
            n,
            k,
            &mut out,
        );
    if k > 0 && !direct {
        blocked_product((a, a_t), (b, b_t), m, n, &mut out);
    }
    Tensor::build("matmul", vec![m, n], out)
}

/// `out = op(a) @ op(b)` by `matrixmultiply`, for operands whose shapes
/// [`matmul_2d`] checked; `out` is `m × n`.
pub(super) fn blocked_product(
    (a, a_t): (&Tensor, bool),
    (b, b_t): (&Tensor, bool),
    m: usize,
    n: usize,
    out: &mut [f32],
) {
    let (&[ra, ca], &[rb, cb]) = (a.shape(), b.shape()) else {
        return;
    };
    let av = view(a.data(), ra, ca, a_t);
    let bv = view(b.data(), rb, cb, b_t);
    let cv = ArrayViewMut2::from_shape((m, n), out).ok();
    if let (Some(av), Some(bv), Some(mut cv)) = (av, bv, cv) {
        general_mat_mul(1.0, &av, &bv, 0.0, &mut cv);
    }
}

/// `acc + g xᵀ` written over `acc`'s elements, for vectors `g` and `x`
/// and an `acc` of shape `[len g; len x]` that is the only holder of its
/// elements: the sum that `matmul` of `g` as a column by `x` as a row,
/// then [`super::elementwise::add_in_place`], compute, element for
/// element the same `f32` operations, without the product's tensor (the
/// backward pass's weight adjoints of `W @ x` and `x @ W`). `false` (and
/// `acc` untouched) otherwise.
pub fn add_outer_in_place(acc: &mut Rc<Tensor>, g: &Tensor, x: &Tensor) -> bool {
    if g.rank() != 1 || x.rank() != 1 || acc.shape() != [g.len(), x.len()] {
        return false;
    }
    let Some(data) = Rc::get_mut(acc).and_then(Tensor::data_mut) else {
        return false;
    };
    small_matmul::add_outer(g.data(), x.data(), data)
}

/// `a @ b` with NumPy's treatment of 1-D operands: a vector on the left is
/// a row, on the right a column, and that axis is dropped from the result.
pub fn matmul(a: &Tensor, b: &Tensor) -> TensorResult<Tensor> {
    let bad = || {
        ShapeError::mismatch(
            "matmul",
            a.shape(),
            b.shape(),
            "operands must be 1-D or 2-D",
        )
    };
    let a2 = match a.rank() {
        1 => a.with_shape(vec![1, a.len()]),
        2 => a.clone(),
        _ => return Err(bad()),
    };
    let b2 = match b.rank() {
        1 => b.with_shape(vec![b.len(), 1]),
        2 => b.clone(),
        _ => return Err(bad()),
    };
    let product = matmul_2d(&a2, false, &b2, false).map_err(|e| ShapeError {
        left: a.shape().to_vec(),
        right: b.shape().to_vec(),
        ..e
    })?;
    let mut shape = Vec::new();
    if a.rank() == 2 {
        shape.push(a.shape()[0]);
    }
    if b.rank() == 2 {
        shape.push(b.shape()[1]);
    }
    Ok(product.with_shape(shape))
}
