//! The kernels behind the derivative rules of `runtime::ad::tensor`: the
//! three adjoint kernels (`adjoint`) checked as transposes of their
//! forward maps, and the reverse rules of `conv` against central finite
//! differences, on random shapes and values.
//!
//! Transposes: for a linear map `A` and its claimed adjoint `Aᵀ`,
//! `⟨A x, g⟩ = ⟨x, Aᵀ g⟩` for every `x`, `g`. Both sides are exact sums of
//! the same f32 products, formed in f64, except that `sum_to_shape` adds in
//! f32 (≤ 64 terms of size ≤ 1: error ~64·6e-8); `1e-4·max(1, |lhs|)`
//! covers that, while a misplaced or dropped entry is off by O(0.1).
//!
//! Finite differences (f32): the step is `EPS = 1e-2` on inputs of size ~1,
//! and the difference quotient is formed from f32 results summed in f64.
//! Its truncation error is ~EPS²/6·|f'''| ≈ 2e-5·|f'''|, and its rounding
//! error ~n·ulp(f)/EPS ≈ 30·6e-8·4/1e-2 ≈ 7e-4 for the ≤30-element outputs
//! used here. A rule passes when `|analytic - numeric| ≤ 5e-3·max(1,
//! |analytic|)`; a wrong rule is off by O(1). Ties in max pooling are kept
//! ≥ 0.1 apart, where a difference quotient means nothing.

use super::adjoint::{pad_into, scatter_one, sum_to_shape};
use super::conv::{conv2d, conv2d_vjp, max_pool2d, max_pool2d_select, max_pool2d_vjp};
use super::elementwise as ew;
use super::error::TensorResult;
use super::layout;
use super::Tensor;

const EPS: f32 = 1e-2;
const TOL: f32 = 5e-3;
const TRANSPOSE_TOL: f64 = 1e-4;

/// Small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
    fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.next()
    }
    fn dim(&mut self) -> usize {
        1 + (self.next() * 4.0) as usize
    }
    fn below(&mut self, n: usize) -> usize {
        ((self.next() * n as f32) as usize).min(n - 1)
    }
    fn tensor(&mut self, shape: &[usize], lo: f32, hi: f32) -> Tensor {
        let n = shape.iter().product();
        Tensor::new(
            shape.to_vec(),
            (0..n).map(|_| self.uniform(lo, hi)).collect(),
        )
        .unwrap()
    }
}

fn dot(a: &Tensor, b: &Tensor) -> f64 {
    assert_eq!(a.shape(), b.shape());
    a.data()
        .iter()
        .zip(b.data())
        .map(|(&x, &y)| x as f64 * y as f64)
        .sum()
}

fn nudged(t: &Tensor, i: usize, by: f32) -> Tensor {
    let mut d = t.to_vec();
    d[i] += by;
    Tensor::new(t.shape().to_vec(), d).unwrap()
}

fn close(analytic: f32, numeric: f32, what: &str) {
    let bound = TOL * analytic.abs().max(1.0);
    assert!(
        (analytic - numeric).abs() <= bound,
        "{what}: analytic {analytic} vs numeric {numeric}"
    );
}

fn transposes(forward: f64, backward: f64, what: &str) {
    let bound = TRANSPOSE_TOL * forward.abs().max(1.0);
    assert!(
        (forward - backward).abs() <= bound,
        "{what}: ⟨A x, g⟩ = {forward} but ⟨x, Aᵀ g⟩ = {backward}"
    );
}

/// Checks the reverse rule `grads` of `f` at `inputs`: for a random
/// upstream adjoint `u`, the gradient of `⟨u, f(x)⟩` by central differences
/// must match the rule's adjoints, entry by entry.
fn check_vjp(
    name: &str,
    rng: &mut Rng,
    inputs: &[Tensor],
    f: impl Fn(&[Tensor]) -> TensorResult<Tensor>,
    grads: impl Fn(&Tensor, &[Tensor]) -> TensorResult<Vec<Tensor>>,
) {
    let out = f(inputs).unwrap();
    let u = rng.tensor(out.shape(), -1.0, 1.0);
    let adjoints = grads(&u, inputs).unwrap();
    assert_eq!(adjoints.len(), inputs.len(), "{name}");
    for (k, (x, adj)) in inputs.iter().zip(&adjoints).enumerate() {
        assert_eq!(adj.shape(), x.shape(), "{name}: adjoint {k} shape");
        for i in 0..x.len() {
            let with = |by: f32| {
                let mut xs = inputs.to_vec();
                xs[k] = nudged(x, i, by);
                dot(&u, &f(&xs).unwrap())
            };
            let numeric = ((with(EPS) - with(-EPS)) / (2.0 * EPS as f64)) as f32;
            close(
                adj.data()[i],
                numeric,
                &format!("{name} operand {k} element {i}"),
            );
        }
    }
}

/// Checks a forward rule: `tangent(x, dx)` against
/// `(f(x + ε·dx) - f(x - ε·dx)) / 2ε`.
fn check_jvp(
    name: &str,
    rng: &mut Rng,
    x: &Tensor,
    f: impl Fn(&Tensor) -> TensorResult<Tensor>,
    tangent: impl Fn(&Tensor, &Tensor) -> TensorResult<Tensor>,
) {
    let dx = rng.tensor(x.shape(), -1.0, 1.0);
    let moved = |sign: f32| f(&ew::add(x, &ew::map(&dx, |v| v * sign * EPS)).unwrap()).unwrap();
    let (hi, lo) = (moved(1.0), moved(-1.0));
    let analytic = tangent(x, &dx).unwrap();
    assert_eq!(analytic.shape(), hi.shape(), "{name}");
    for i in 0..analytic.len() {
        let numeric = ((hi.data()[i] as f64 - lo.data()[i] as f64) / (2.0 * EPS as f64)) as f32;
        close(
            analytic.data()[i],
            numeric,
            &format!("{name} tangent element {i}"),
        );
    }
}

const SEEDS: [u64; 4] = [0x9e3779b97f4a7c15, 12345, 987654321, 42];

/// Random (target, broadcast) shape pairs, the target broadcasting to the
/// other: equal, missing leading axes, stretched 1s, rank 0.
fn broadcast_pairs(rng: &mut Rng) -> Vec<(Vec<usize>, Vec<usize>)> {
    let (r, c, d) = (rng.dim() + 1, rng.dim() + 1, rng.dim() + 1);
    vec![
        (vec![r, c], vec![r, c]),
        (vec![c], vec![r, c]),
        (vec![r, 1], vec![r, c]),
        (vec![1, c], vec![r, c]),
        (vec![], vec![r, c]),
        (vec![r, 1], vec![d, r, c]),
        (vec![1, 1, c], vec![d, r, c]),
    ]
}

#[test]
fn sum_to_shape_is_the_adjoint_of_broadcasting() {
    for seed in SEEDS {
        let rng = &mut Rng(seed);
        for (small, big) in broadcast_pairs(rng) {
            let x = rng.tensor(&small, -1.0, 1.0);
            let g = rng.tensor(&big, -1.0, 1.0);
            let stretched = ew::add(&x, &Tensor::zeros(&big)).unwrap();
            let summed = sum_to_shape(&g, &small).unwrap();
            assert_eq!(summed.shape(), &small[..], "{small:?} from {big:?}");
            transposes(
                dot(&stretched, &g),
                dot(&x, &summed),
                &format!("sum_to_shape {small:?} from {big:?}"),
            );
        }
    }
}

#[test]
fn sum_to_shape_sums_stretched_axes() {
    let g = Tensor::ones(&[2, 3, 4]);
    assert_eq!(
        sum_to_shape(&g, &[3, 1]).unwrap(),
        Tensor::full(&[3, 1], 8.0)
    );
    assert_eq!(sum_to_shape(&g, &[]).unwrap(), Tensor::scalar(24.0));
    assert_eq!(
        sum_to_shape(&g, &[1, 1, 4]).unwrap(),
        Tensor::full(&[1, 1, 4], 6.0)
    );
}

#[test]
fn sum_to_shape_refuses_shapes_that_do_not_broadcast() {
    let g = Tensor::ones(&[2, 3]);
    assert!(sum_to_shape(&g, &[4]).is_err());
    assert!(sum_to_shape(&g, &[2, 1, 3]).is_err());
    assert!(sum_to_shape(&g, &[2, 2]).is_err());
}

#[test]
fn pad_into_is_the_adjoint_of_slice() {
    for seed in SEEDS {
        let rng = &mut Rng(seed);
        let shape = [rng.dim() + 1, rng.dim() + 1, rng.dim()];
        let x = rng.tensor(&shape, -1.0, 1.0);
        for axis in 0..shape.len() {
            let start = rng.below(shape[axis]);
            let len = 1 + rng.below(shape[axis] - start);
            let part = layout::slice(&x, axis, start, len).unwrap();
            let g = rng.tensor(part.shape(), -1.0, 1.0);
            let padded = pad_into(&g, &shape, axis, start).unwrap();
            assert_eq!(padded.shape(), &shape[..]);
            transposes(
                dot(&part, &g),
                dot(&x, &padded),
                &format!("pad_into {shape:?} axis {axis} at {start} len {len}"),
            );
        }
    }
}

#[test]
fn pad_into_refuses_what_does_not_fit() {
    let g = Tensor::ones(&[2, 3]);
    assert!(pad_into(&g, &[4, 3], 0, 3).is_err(), "past the end");
    assert!(pad_into(&g, &[4, 4], 0, 0).is_err(), "other axis differs");
    assert!(pad_into(&g, &[4, 3], 2, 0).is_err(), "no such axis");
    assert!(pad_into(&g, &[2, 3, 1], 0, 0).is_err(), "rank differs");
}

#[test]
fn scatter_one_is_the_adjoint_of_get() {
    for seed in SEEDS {
        let rng = &mut Rng(seed);
        let shape = [rng.dim(), rng.dim(), rng.dim()];
        let x = rng.tensor(&shape, -1.0, 1.0);
        for _ in 0..5 {
            let index: Vec<usize> = shape.iter().map(|&d| rng.below(d)).collect();
            let g = rng.uniform(-1.0, 1.0);
            let scattered = scatter_one(g, &shape, &index).unwrap();
            assert_eq!(scattered.shape(), &shape[..]);
            transposes(
                layout::get(&x, &index).unwrap() as f64 * g as f64,
                dot(&x, &scattered),
                &format!("scatter_one {shape:?} at {index:?}"),
            );
        }
    }
    assert!(scatter_one(1.0, &[2, 3], &[2, 0]).is_err());
}

#[test]
fn conv_and_pool_rules() {
    for seed in SEEDS {
        let rng = &mut Rng(seed);
        let (c, o) = (rng.dim().min(2), rng.dim().min(3));
        for pad in 0..2 {
            let x = rng.tensor(&[2, c, 4, 3], -1.0, 1.0);
            let k = rng.tensor(&[o, c, 2, 2], -1.0, 1.0);
            check_vjp(
                "conv2d",
                rng,
                &[x, k],
                |x| conv2d(&x[0], &x[1], pad),
                |g, x| conv2d_vjp(g, &x[0], &x[1], pad).map(|(a, b)| vec![a, b]),
            );
        }
        // Distinct values ≥ 0.1 apart, shuffled, so each window's maximum is unique.
        let n = 2 * c * 5 * 4;
        let x = Tensor::new(
            vec![2, c, 5, 4],
            (0..n).map(|i| ((i * 37) % n) as f32 * 0.2).collect(),
        )
        .unwrap();
        check_vjp(
            "max_pool2d",
            rng,
            std::slice::from_ref(&x),
            |x| max_pool2d(&x[0], 2),
            |g, x| Ok(vec![max_pool2d_vjp(g, &x[0], 2)?]),
        );
        check_jvp(
            "max_pool2d",
            rng,
            &x,
            |x| max_pool2d(x, 2),
            |x, dx| max_pool2d_select(x, dx, 2),
        );
    }
}
