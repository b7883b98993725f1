//! Direct loops for the products of vectors and small matrices, which the
//! recurrent and tree models compute at every step (`x @ W` with a row
//! `x`, `W @ x` with a column, the outer products of their adjoints).
//!
//! `matrixmultiply` packs both operands into 8 × 8 panels before it
//! multiplies: for a vector operand that is a copy of the whole matrix and
//! eight times the arithmetic, and it dominated the profiles of those
//! models. Here nothing is copied, and a transposed operand is read in
//! place.
//!
//! The arithmetic is `matrixmultiply`'s, so results are bit for bit what
//! it computes: each element is `Σ_k a_ik b_kj` as a chain of fused
//! multiply-adds in increasing `k` starting from 0.0, restarted every
//! [`BLOCK`] terms with the partial sums added in order. That needs the
//! CPU's FMA (a software `fmaf` per term is slower than packing), which
//! plain Rust gets only inside a function compiled for it: `pulp` checks
//! the CPU once and runs the loops in such a function. Without FMA (or off
//! x86-64) [`product`] declines, and `matrixmultiply` computes as before.

#[cfg(target_arch = "x86_64")]
use pulp::{bytemuck::cast, x86::V3};
#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::__m256;

/// Terms per partial sum: `matrixmultiply`'s `kc` for f32, the depth of
/// one packed panel, after which it adds the panel's product to the result.
const BLOCK: usize = 256;

/// A logical `rows × cols` matrix in `data`: element `(r, c)` is at
/// `r * row_step + c * col_step` (a row-major matrix or its transpose).
#[derive(Clone, Copy)]
pub(super) struct Operand<'a> {
    pub data: &'a [f32],
    pub row_step: usize,
    pub col_step: usize,
}

impl<'a> Operand<'a> {
    /// The columns from `c` on (`self` read as `rows × (cols - c)`).
    fn columns_from(self, c: usize) -> Operand<'a> {
        Operand {
            data: &self.data[c * self.col_step..],
            ..self
        }
    }

    /// The rows from `r` on.
    fn rows_from(self, r: usize) -> Operand<'a> {
        Operand {
            data: &self.data[r * self.row_step..],
            ..self
        }
    }

    #[inline(always)]
    fn at(&self, r: usize, c: usize) -> f32 {
        self.data[r * self.row_step + c * self.col_step]
    }

    /// Row `r` of `len` elements as a slice, if it is contiguous.
    #[inline(always)]
    fn row(&self, r: usize, len: usize) -> Option<&[f32]> {
        (self.col_step == 1 || len == 1).then(|| &self.data[r * self.row_step..][..len])
    }

    /// Column `c` of `len` elements as a slice, if it is contiguous.
    #[inline(always)]
    fn column(&self, c: usize, len: usize) -> Option<&[f32]> {
        (self.row_step == 1 || len == 1).then(|| &self.data[c * self.col_step..][..len])
    }
}

/// Whether [`product`] is the faster kernel for an `m × k` by `k × n`
/// product: when an operand is a vector (or the product an outer one),
/// where packing is a copy of the whole matrix for one pass over it.
/// Matrix-matrix products, however small, keep the blocked kernel: the
/// convolution's (16 × 9 by 9 × 64) measured no faster here.
pub(super) fn is_small(m: usize, n: usize, k: usize) -> bool {
    m == 1 || n == 1 || k == 1
}

/// Outputs computed together by the dot-product loop: independent sums
/// that keep the FMA units busy while each one waits for its previous add.
const LANES: usize = 8;

/// `out = a @ b` for the logical `m × k` operand `a` and `k × n` operand
/// `b`, if this CPU has what the kernel needs; `out` is `m × n`,
/// row-major, and all zeros on entry. `false`: nothing was computed.
pub(super) fn product(
    a: Operand,
    b: Operand,
    m: usize,
    n: usize,
    k: usize,
    out: &mut [f32],
) -> bool {
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = pulp::x86::V3::try_new() {
        pulp::Simd::vectorize(
            simd,
            FusedProduct {
                simd,
                a,
                b,
                m,
                n,
                k,
                out,
            },
        );
        return true;
    }
    false
}

/// [`fused_product`] as pulp runs it: inside a function compiled for the
/// CPU's AVX2 and FMA, into which this (unlike a closure, which the
/// compiler may leave out of line and so without those features) is
/// always inlined, and with it every kernel below.
#[cfg(target_arch = "x86_64")]
struct FusedProduct<'a> {
    simd: V3,
    a: Operand<'a>,
    b: Operand<'a>,
    m: usize,
    n: usize,
    k: usize,
    out: &'a mut [f32],
}

#[cfg(target_arch = "x86_64")]
impl pulp::WithSimd for FusedProduct<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let FusedProduct {
            simd,
            a,
            b,
            m,
            n,
            k,
            out,
        } = self;
        fused_product(simd, a, b, m, n, k, out);
    }
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn fused_product(simd: V3, a: Operand, b: Operand, m: usize, n: usize, k: usize, out: &mut [f32]) {
    if out.is_empty() {
        return;
    }
    for (block, k0) in (0..k).step_by(BLOCK).enumerate() {
        let depth = BLOCK.min(k - k0);
        let (a, b) = (a.columns_from(k0), b.rows_from(k0));
        if block == 0 {
            block_product(simd, a, b, m, n, depth, out);
        } else {
            let mut partial = vec![0.0f32; out.len()];
            block_product(simd, a, b, m, n, depth, &mut partial);
            for (o, p) in out.iter_mut().zip(&partial) {
                *o += p;
            }
        }
    }
}

/// `out = a @ b` for a depth `k` of at most [`BLOCK`], `out` all zeros.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn block_product(simd: V3, a: Operand, b: Operand, m: usize, n: usize, k: usize, out: &mut [f32]) {
    if b.col_step == 1 && n > 1 {
        rows_of_b(a, b, m, n, k, out);
    } else if a.row(0, k).is_some() && b.column(0, k).is_some() {
        dot_products(simd, a, b, m, n, k, out);
    } else {
        for (i, row) in out.chunks_exact_mut(n).enumerate() {
            for (j, o) in row.iter_mut().enumerate() {
                *o = (0..k).fold(0.0, |acc, kk| a.at(i, kk).mul_add(b.at(kk, j), acc));
            }
        }
    }
}

/// When `b`'s rows are contiguous: row `i` of the result is the sum over
/// `k` of `a_ik` times row `k` of `b`, an inner loop over contiguous rows
/// that the compiler vectorizes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn rows_of_b(a: Operand, b: Operand, m: usize, n: usize, k: usize, out: &mut [f32]) {
    for (i, row) in out.chunks_exact_mut(n).enumerate().take(m) {
        for kk in 0..k {
            let s = a.at(i, kk);
            let b_row = &b.data[kk * b.row_step..][..n];
            for (o, &y) in row.iter_mut().zip(b_row) {
                *o = s.mul_add(y, *o);
            }
        }
    }
}

/// When `a`'s rows and `b`'s columns are contiguous (`W @ x`, `g @ Wᵀ`):
/// each result element is a dot product of two slices, computed
/// [`LANES`] at a time along the longer side of the result.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn dot_products(simd: V3, a: Operand, b: Operand, m: usize, n: usize, k: usize, out: &mut [f32]) {
    let a_row = |i: usize| a.row(i, k).unwrap_or(&[]);
    let b_column = |j: usize| b.column(j, k).unwrap_or(&[]);
    if n >= m {
        for i in 0..m {
            dots_against(simd, a_row(i), &mut out[i * n..][..n], b_column);
        }
    } else {
        // Column `j` of the result is `a` times column `j` of `b`, with
        // stride `n` in `out`: computed into a buffer, then placed.
        let mut column = vec![0.0f32; m];
        for j in 0..n {
            dots_against(simd, b_column(j), &mut column, a_row);
            for (i, &c) in column.iter().enumerate() {
                out[i * n + j] = c;
            }
        }
    }
}

/// `out[t] = x · other(t)` for every `t`, the sums [`LANES`] at a time.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn dots_against<'a>(simd: V3, x: &[f32], out: &mut [f32], other: impl Fn(usize) -> &'a [f32]) {
    let k = x.len();
    let (x_tiles, _) = x.as_chunks::<LANES>();
    let whole = x_tiles.len() * LANES;
    let mut start = 0;
    for block in out.chunks_mut(LANES) {
        if block.len() == LANES {
            let ys: [&[f32]; LANES] = std::array::from_fn(|l| &other(start + l)[..k]);
            let y_tiles: [&[[f32; LANES]]; LANES] = std::array::from_fn(|l| ys[l].as_chunks().0);
            // A LANES × LANES tile of the other operand at a time,
            // transposed in registers: column `j` of the tile holds term
            // `j` of the LANES sums, which one vector FMA advances.
            let mut sums = simd.avx._mm256_setzero_ps();
            for (t, xs) in x_tiles.iter().enumerate() {
                let columns = transposed(simd, std::array::from_fn(|l| cast(y_tiles[l][t])));
                for (column, xv) in columns.into_iter().zip(xs) {
                    sums = simd
                        .fma
                        ._mm256_fmadd_ps(column, simd.avx._mm256_set1_ps(*xv), sums);
                }
            }
            let mut acc: [f32; LANES] = cast(sums);
            for (c, &xv) in x.iter().enumerate().skip(whole) {
                for (s, y) in acc.iter_mut().zip(&ys) {
                    *s = y[c].mul_add(xv, *s);
                }
            }
            block.copy_from_slice(&acc);
        } else {
            for (l, o) in block.iter_mut().enumerate() {
                let y = &other(start + l)[..k];
                *o = x.iter().zip(y).fold(0.0, |acc, (&p, &q)| p.mul_add(q, acc));
            }
        }
        start += block.len();
    }
}

/// The 8 × 8 tile whose rows are `rows`, transposed: lane `l` of column
/// `j` is element `j` of row `l`. Three rounds of shuffles, as usual: pairs
/// of rows interleaved, then pairs of pairs, then the 128-bit halves.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn transposed(simd: V3, rows: [__m256; LANES]) -> [__m256; LANES] {
    let avx = simd.avx;
    let [r0, r1, r2, r3, r4, r5, r6, r7] = rows;
    let (t0, t1) = (
        avx._mm256_unpacklo_ps(r0, r1),
        avx._mm256_unpackhi_ps(r0, r1),
    );
    let (t2, t3) = (
        avx._mm256_unpacklo_ps(r2, r3),
        avx._mm256_unpackhi_ps(r2, r3),
    );
    let (t4, t5) = (
        avx._mm256_unpacklo_ps(r4, r5),
        avx._mm256_unpackhi_ps(r4, r5),
    );
    let (t6, t7) = (
        avx._mm256_unpacklo_ps(r6, r7),
        avx._mm256_unpackhi_ps(r6, r7),
    );
    // 0x44 takes elements 0, 1 of each 128-bit half of both, 0xEE 2, 3.
    let s0 = avx._mm256_shuffle_ps::<0x44>(t0, t2);
    let s1 = avx._mm256_shuffle_ps::<0xEE>(t0, t2);
    let s2 = avx._mm256_shuffle_ps::<0x44>(t1, t3);
    let s3 = avx._mm256_shuffle_ps::<0xEE>(t1, t3);
    let s4 = avx._mm256_shuffle_ps::<0x44>(t4, t6);
    let s5 = avx._mm256_shuffle_ps::<0xEE>(t4, t6);
    let s6 = avx._mm256_shuffle_ps::<0x44>(t5, t7);
    let s7 = avx._mm256_shuffle_ps::<0xEE>(t5, t7);
    // 0x20 joins the low halves, 0x31 the high ones.
    [
        avx._mm256_permute2f128_ps::<0x20>(s0, s4),
        avx._mm256_permute2f128_ps::<0x20>(s1, s5),
        avx._mm256_permute2f128_ps::<0x20>(s2, s6),
        avx._mm256_permute2f128_ps::<0x20>(s3, s7),
        avx._mm256_permute2f128_ps::<0x31>(s0, s4),
        avx._mm256_permute2f128_ps::<0x31>(s1, s5),
        avx._mm256_permute2f128_ps::<0x31>(s2, s6),
        avx._mm256_permute2f128_ps::<0x31>(s3, s7),
    ]
}

/// `acc += g xᵀ` for the `m × n` row-major `acc` (`m = g.len()`,
/// `n = x.len()`), each element `acc + fma(g_i, x_j, 0.0)`: the outer
/// product [`product`] computes (one term, from 0.0) and the addition
/// `elementwise::add_in_place` then makes, bit for bit, without the
/// product's buffer. `false` (and `acc` untouched) where [`product`]
/// would decline, or if the lengths do not fit.
pub(super) fn add_outer(g: &[f32], x: &[f32], acc: &mut [f32]) -> bool {
    if g.len().checked_mul(x.len()) != Some(acc.len()) || acc.is_empty() {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = pulp::x86::V3::try_new() {
        pulp::Simd::vectorize(simd, OuterSum { g, x, acc });
        return true;
    }
    false
}

/// [`add_outer`] as pulp runs it, compiled for AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
struct OuterSum<'a> {
    g: &'a [f32],
    x: &'a [f32],
    acc: &'a mut [f32],
}

#[cfg(target_arch = "x86_64")]
impl pulp::WithSimd for OuterSum<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let OuterSum { g, x, acc } = self;
        for (row, &s) in acc.chunks_exact_mut(x.len()).zip(g) {
            for (a, &y) in row.iter_mut().zip(x) {
                *a += s.mul_add(y, 0.0);
            }
        }
    }
}
