//! `conv2d x k pad` (x `[N; C; H; W]`, k `[O; C; KH; KW]`, stride 1, zero
//! padding `pad`) and `max_pool2d x k` (window and stride `k`, trailing
//! rows/columns that do not fill a window dropped, as PyTorch), with their
//! reverse rules.
//!
//! Convolution goes through the matmul kernel: each image is unfolded
//! (im2col) into a `[C·KH·KW, OH·OW]` matrix, so the product with the
//! kernels seen as `[O, C·KH·KW]` is one sgemm, and so are both adjoints.

use super::error::{ShapeError, TensorResult};
use super::matmul::matmul_2d;
use super::shape::MAX_ELEMENTS;
use super::tensor::Tensor;

/// Sizes of one convolution, checked once.
struct Geometry {
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    o: usize,
    kh: usize,
    kw: usize,
    pad: usize,
    oh: usize,
    ow: usize,
}

fn geometry(x: &Tensor, k: &Tensor, pad: usize) -> TensorResult<Geometry> {
    let (&[n, c, h, w], &[o, kc, kh, kw]) = (x.shape(), k.shape()) else {
        return Err(ShapeError::mismatch(
            "conv2d",
            x.shape(),
            k.shape(),
            "expected x [N; C; H; W] and k [O; C; KH; KW]",
        ));
    };
    if kc != c {
        return Err(ShapeError::mismatch(
            "conv2d",
            x.shape(),
            k.shape(),
            format!("channels {c} and {kc} differ"),
        ));
    }
    let padded = |d: usize| pad.checked_mul(2).and_then(|p| p.checked_add(d));
    let (Some(ph), Some(pw)) = (padded(h), padded(w)) else {
        return Err(ShapeError::invalid(
            "conv2d",
            x.shape(),
            format!("padding {pad} is too large"),
        ));
    };
    if kh == 0 || kw == 0 || kh > ph || kw > pw {
        return Err(ShapeError::mismatch(
            "conv2d",
            x.shape(),
            k.shape(),
            format!("a {kh}×{kw} kernel does not fit a padded {ph}×{pw} image"),
        ));
    }
    let (oh, ow) = (ph - kh + 1, pw - kw + 1);
    // The output and one image's patch matrix are allocated whole: refuse
    // a padding that would make either absurdly large instead of aborting.
    let output = [n, o, oh, ow]
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d));
    let patches = [c, kh, kw, oh, ow]
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d));
    let fits = matches!((output, patches), (Some(a), Some(b)) if a.max(b) <= MAX_ELEMENTS);
    if !fits {
        return Err(ShapeError::invalid(
            "conv2d",
            x.shape(),
            format!("padding {pad} makes the result larger than {MAX_ELEMENTS} elements"),
        ));
    }
    Ok(Geometry {
        n,
        c,
        h,
        w,
        o,
        kh,
        kw,
        pad,
        oh,
        ow,
    })
}

impl Geometry {
    fn patch(&self) -> usize {
        self.c * self.kh * self.kw
    }

    /// Calls `visit(column_row, column, image_index)` for every unfolded
    /// entry that lands inside the (unpadded) image; padding entries are 0.
    fn for_each_tap(&self, mut visit: impl FnMut(usize, usize, usize)) {
        let (oh, ow) = (self.oh, self.ow);
        for ci in 0..self.c {
            for i in 0..self.kh {
                for j in 0..self.kw {
                    let r = (ci * self.kh + i) * self.kw + j;
                    for y in 0..oh {
                        let Some(iy) = (y + i).checked_sub(self.pad).filter(|&v| v < self.h) else {
                            continue;
                        };
                        for x in 0..ow {
                            if let Some(ix) = (x + j).checked_sub(self.pad).filter(|&v| v < self.w)
                            {
                                visit(r, y * ow + x, (ci * self.h + iy) * self.w + ix);
                            }
                        }
                    }
                }
            }
        }
    }

    fn im2col(&self, image: &[f32]) -> Tensor {
        let cols = self.oh * self.ow;
        let mut out = vec![0.0; self.patch() * cols];
        self.for_each_tap(|r, col, src| out[r * cols + col] = image[src]);
        Tensor::from_parts(vec![self.patch(), cols], out)
    }

    fn col2im_add(&self, columns: &Tensor, image: &mut [f32]) {
        let cols = self.oh * self.ow;
        let data = columns.data();
        self.for_each_tap(|r, col, dst| image[dst] += data[r * cols + col]);
    }
}

pub fn conv2d(x: &Tensor, k: &Tensor, pad: usize) -> TensorResult<Tensor> {
    let g = geometry(x, k, pad)?;
    let kernels = k.with_shape(vec![g.o, g.patch()]);
    let image_len = g.c * g.h * g.w;
    let mut out = Vec::with_capacity(g.n * g.o * g.oh * g.ow);
    for b in 0..g.n {
        let columns = g.im2col(&x.data()[b * image_len..(b + 1) * image_len]);
        out.extend_from_slice(matmul_2d(&kernels, false, &columns, false)?.data());
    }
    Tensor::build("conv2d", vec![g.n, g.o, g.oh, g.ow], out)
}

/// Adjoints of `x` and `k` for `conv2d x k pad`, given the result's adjoint.
pub fn conv2d_vjp(
    grad: &Tensor,
    x: &Tensor,
    k: &Tensor,
    pad: usize,
) -> TensorResult<(Tensor, Tensor)> {
    let g = geometry(x, k, pad)?;
    if grad.shape() != [g.n, g.o, g.oh, g.ow] {
        return Err(ShapeError::mismatch(
            "conv2d",
            grad.shape(),
            &[g.n, g.o, g.oh, g.ow],
            "adjoint shape",
        ));
    }
    let kernels = k.with_shape(vec![g.o, g.patch()]);
    let image_len = g.c * g.h * g.w;
    let out_len = g.o * g.oh * g.ow;
    let mut dx = vec![0.0; x.len()];
    let mut dk = vec![0.0; k.len()];
    for b in 0..g.n {
        let columns = g.im2col(&x.data()[b * image_len..(b + 1) * image_len]);
        let gb = Tensor::from_parts(
            vec![g.o, g.oh * g.ow],
            grad.data()[b * out_len..(b + 1) * out_len].to_vec(),
        );
        let dk_b = matmul_2d(&gb, false, &columns, true)?;
        dk.iter_mut().zip(dk_b.data()).for_each(|(a, &d)| *a += d);
        let dcolumns = matmul_2d(&kernels, true, &gb, false)?;
        g.col2im_add(&dcolumns, &mut dx[b * image_len..(b + 1) * image_len]);
    }
    Ok((
        Tensor::from_parts(x.shape().to_vec(), dx),
        Tensor::from_parts(k.shape().to_vec(), dk),
    ))
}

/// For each output of `max_pool2d x k`, the flat index in `x` of the
/// element it takes (the first maximum of its window).
fn pool_sources(x: &Tensor, k: usize) -> TensorResult<(Vec<usize>, Vec<usize>)> {
    let &[n, c, h, w] = x.shape() else {
        return Err(ShapeError::invalid(
            "max_pool2d",
            x.shape(),
            "expected x [N; C; H; W]",
        ));
    };
    if k == 0 || k > h || k > w {
        return Err(ShapeError::invalid(
            "max_pool2d",
            x.shape(),
            format!("a {k}×{k} window does not fit"),
        ));
    }
    let (oh, ow) = (h / k, w / k);
    let data = x.data();
    let mut sources = Vec::with_capacity(n * c * oh * ow);
    for plane in 0..n * c {
        for y in 0..oh {
            for xo in 0..ow {
                let mut best = plane * h * w + (y * k) * w + xo * k;
                for i in 0..k {
                    for j in 0..k {
                        let at = plane * h * w + (y * k + i) * w + xo * k + j;
                        if data[at] > data[best] || (data[at].is_nan() && !data[best].is_nan()) {
                            best = at;
                        }
                    }
                }
                sources.push(best);
            }
        }
    }
    Ok((vec![n, c, oh, ow], sources))
}

pub fn max_pool2d(x: &Tensor, k: usize) -> TensorResult<Tensor> {
    let (shape, sources) = pool_sources(x, k)?;
    Tensor::build(
        "max_pool2d",
        shape,
        sources.iter().map(|&i| x.data()[i]).collect(),
    )
}

/// The elements of `values` (shaped as `x`) at the positions
/// `max_pool2d x k` takes from `x`: the forward (tangent) rule.
pub fn max_pool2d_select(x: &Tensor, values: &Tensor, k: usize) -> TensorResult<Tensor> {
    if values.shape() != x.shape() {
        return Err(ShapeError::mismatch(
            "max_pool2d",
            x.shape(),
            values.shape(),
            "tangent shape",
        ));
    }
    let (shape, sources) = pool_sources(x, k)?;
    Tensor::build(
        "max_pool2d",
        shape,
        sources.iter().map(|&i| values.data()[i]).collect(),
    )
}

/// Adjoint of `x` for `max_pool2d x k`: each output's adjoint goes to the
/// element it took.
pub fn max_pool2d_vjp(grad: &Tensor, x: &Tensor, k: usize) -> TensorResult<Tensor> {
    let (shape, sources) = pool_sources(x, k)?;
    if grad.shape() != shape.as_slice() {
        return Err(ShapeError::mismatch(
            "max_pool2d",
            grad.shape(),
            &shape,
            "adjoint shape",
        ));
    }
    let mut dx = vec![0.0; x.len()];
    for (&src, &g) in sources.iter().zip(grad.data()) {
        dx[src] += g;
    }
    Ok(Tensor::from_parts(x.shape().to_vec(), dx))
}
