//! Every derivative rule against central finite differences, on random
//! shapes and values.
//!
//! Tolerances (f32): the step is `EPS = 1e-2` on inputs of size ~1, and the
//! difference quotient is formed from f32 results summed in f64. Its
//! truncation error is ~EPS²/6·|f'''| ≈ 2e-5·|f'''|, and its rounding error
//! ~n·ulp(f)/EPS ≈ 30·6e-8·4/1e-2 ≈ 7e-4 for the ≤30-element outputs used
//! here. A rule passes when `|analytic - numeric| ≤ 5e-3·max(1, |analytic|)`;
//! a wrong rule (a dropped factor, a missed un-broadcast) is off by O(1).
//! Kinks (relu at 0, clip at its bounds, ties in max) are kept ≥ 0.1 away
//! from the sampled inputs, where a difference quotient means nothing.

use super::elementwise as ew;
use super::error::TensorResult;
use super::grad_rules as vjp;
use super::layout;
use super::matmul::matmul;
use super::reduce;
use super::tangent_rules as jvp;
use super::Tensor;

const EPS: f32 = 1e-2;
const TOL: f32 = 5e-3;

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
    fn tensor(&mut self, shape: &[usize], lo: f32, hi: f32) -> Tensor {
        let n = shape.iter().product();
        Tensor::new(
            shape.to_vec(),
            (0..n).map(|_| self.uniform(lo, hi)).collect(),
        )
        .unwrap()
    }
    /// Values in [lo, hi] at least 0.1 away from every kink.
    fn away_from(&mut self, shape: &[usize], lo: f32, hi: f32, kinks: &[f32]) -> Tensor {
        let n = shape.iter().product();
        let data = (0..n)
            .map(|_| loop {
                let x = self.uniform(lo, hi);
                if kinks.iter().all(|k| (x - k).abs() > 0.1) {
                    break x;
                }
            })
            .collect();
        Tensor::new(shape.to_vec(), data).unwrap()
    }
}

fn dot(a: &Tensor, b: &Tensor) -> f64 {
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

/// Checks a forward rule: `jvp(x, dx)` against `(f(x + ε·dx) - f(x - ε·dx)) / 2ε`.
fn check_jvp(
    name: &str,
    rng: &mut Rng,
    inputs: &[Tensor],
    f: impl Fn(&[Tensor]) -> TensorResult<Tensor>,
    tangent: impl Fn(&[Tensor], &[Tensor]) -> TensorResult<Tensor>,
) {
    let tangents: Vec<Tensor> = inputs
        .iter()
        .map(|x| rng.tensor(x.shape(), -1.0, 1.0))
        .collect();
    let moved = |sign: f32| -> Tensor {
        let xs: Vec<Tensor> = inputs
            .iter()
            .zip(&tangents)
            .map(|(x, d)| ew::add(x, &ew::mul_scalar(d, sign * EPS)).unwrap())
            .collect();
        f(&xs).unwrap()
    };
    let (hi, lo) = (moved(1.0), moved(-1.0));
    let analytic = tangent(inputs, &tangents).unwrap();
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

/// Random broadcast-compatible pairs: equal, row, column, scalar, missing axes.
fn broadcast_pairs(rng: &mut Rng) -> Vec<(Vec<usize>, Vec<usize>)> {
    let (r, c, d) = (rng.dim(), rng.dim(), rng.dim());
    vec![
        (vec![r, c], vec![r, c]),
        (vec![r, c], vec![c]),
        (vec![r, 1], vec![1, c]),
        (vec![], vec![r, c]),
        (vec![d, r, c], vec![r, 1]),
    ]
}

const SEEDS: [u64; 4] = [0x9e3779b97f4a7c15, 12345, 987654321, 42];

#[test]
fn binary_elementwise_rules() {
    for seed in SEEDS {
        let rng = &mut Rng(seed);
        for (sa, sb) in broadcast_pairs(rng) {
            for (sa, sb) in [(sa.clone(), sb.clone()), (sb, sa)] {
                let a = rng.tensor(&sa, -2.0, 2.0);
                let b = rng.tensor(&sb, -2.0, 2.0);
                let pos = rng.tensor(&sb, 0.5, 2.0);
                let pair = |(x, y): (Tensor, Tensor)| vec![x, y];
                check_vjp(
                    "add",
                    rng,
                    &[a.clone(), b.clone()],
                    |x| ew::add(&x[0], &x[1]),
                    |g, x| vjp::add(g, x[0].shape(), x[1].shape()).map(pair),
                );
                check_vjp(
                    "sub",
                    rng,
                    &[a.clone(), b.clone()],
                    |x| ew::sub(&x[0], &x[1]),
                    |g, x| vjp::sub(g, x[0].shape(), x[1].shape()).map(pair),
                );
                check_vjp(
                    "mul",
                    rng,
                    &[a.clone(), b.clone()],
                    |x| ew::mul(&x[0], &x[1]),
                    |g, x| vjp::mul(g, &x[0], &x[1]).map(pair),
                );
                check_vjp(
                    "div",
                    rng,
                    &[a.clone(), pos.clone()],
                    |x| ew::div(&x[0], &x[1]),
                    |g, x| vjp::div(g, &x[0], &x[1]).map(pair),
                );
                check_jvp(
                    "mul",
                    rng,
                    &[a.clone(), b.clone()],
                    |x| ew::mul(&x[0], &x[1]),
                    |x, d| jvp::mul(&x[0], &d[0], &x[1], &d[1]),
                );
                check_jvp(
                    "div",
                    rng,
                    &[a.clone(), pos.clone()],
                    |x| ew::div(&x[0], &x[1]),
                    |x, d| jvp::div(&x[0], &d[0], &x[1], &d[1]),
                );
            }
        }
    }
}

#[test]
fn scalar_mixed_rules() {
    let rng = &mut Rng(7);
    let t = rng.tensor(&[3, 2], -2.0, 2.0);
    let s = 0.7f32;
    // The float operand's adjoint, checked as a rank-0 tensor.
    check_vjp(
        "mul_scalar",
        rng,
        &[t.clone(), Tensor::scalar(s)],
        |x| Ok(ew::mul_scalar(&x[0], x[1].data()[0])),
        |g, x| {
            let (gt, gs) = vjp::mul_scalar(g, &x[0], x[1].data()[0])?;
            Ok(vec![gt, Tensor::scalar(gs)])
        },
    );
    check_vjp(
        "add_scalar",
        rng,
        &[t.clone(), Tensor::scalar(s)],
        |x| Ok(ew::add_scalar(&x[0], x[1].data()[0])),
        |g, _| {
            let (gt, gs) = vjp::add_scalar(g);
            Ok(vec![gt, Tensor::scalar(gs)])
        },
    );
    let pos = rng.tensor(&[3, 2], 0.5, 2.0);
    let with_float = |x: &[Tensor]| x[1].data()[0];
    check_vjp(
        "scalar_sub",
        rng,
        &[t.clone(), Tensor::scalar(s)],
        |x| Ok(ew::scalar_sub(with_float(x), &x[0])),
        |g, _| {
            let (gt, gs) = vjp::scalar_sub(g);
            Ok(vec![gt, Tensor::scalar(gs)])
        },
    );
    check_vjp(
        "div_scalar",
        rng,
        &[t.clone(), Tensor::scalar(s)],
        |x| Ok(ew::div_scalar(&x[0], with_float(x))),
        |g, x| {
            let (gt, gs) = vjp::div_scalar(g, &x[0], with_float(x))?;
            Ok(vec![gt, Tensor::scalar(gs)])
        },
    );
    check_vjp(
        "scalar_div",
        rng,
        &[pos, Tensor::scalar(s)],
        |x| Ok(ew::scalar_div(with_float(x), &x[0])),
        |g, x| {
            let (gt, gs) = vjp::scalar_div(g, with_float(x), &x[0])?;
            Ok(vec![gt, Tensor::scalar(gs)])
        },
    );
    check_vjp(
        "neg",
        rng,
        &[t],
        |x| Ok(ew::neg(&x[0])),
        |g, _| Ok(vec![vjp::neg(g)]),
    );
}

type Unary = (&'static str, f32, f32, fn(&Tensor) -> Tensor);

#[test]
fn unary_rules() {
    let cases: [Unary; 6] = [
        ("exp", -2.0, 2.0, ew::exp),
        ("log", 0.5, 3.0, ew::log),
        ("sqrt", 0.5, 3.0, ew::sqrt),
        ("tanh", -2.0, 2.0, ew::tanh),
        ("sigmoid", -3.0, 3.0, ew::sigmoid),
        ("relu", -2.0, 2.0, ew::relu),
    ];
    for seed in SEEDS {
        let rng = &mut Rng(seed);
        let shape = [rng.dim(), rng.dim()];
        for (name, lo, hi, f) in cases {
            let x = rng.away_from(&shape, lo, hi, &[0.0]);
            let back = |g: &Tensor, x: &Tensor| -> TensorResult<Tensor> {
                let y = f(x);
                match name {
                    "exp" => vjp::exp(g, &y),
                    "log" => vjp::log(g, x),
                    "sqrt" => vjp::sqrt(g, &y),
                    "tanh" => vjp::tanh(g, &y),
                    "sigmoid" => vjp::sigmoid(g, &y),
                    _ => vjp::relu(g, x),
                }
            };
            let fwd = |x: &Tensor, d: &Tensor| -> TensorResult<Tensor> {
                let y = f(x);
                match name {
                    "exp" => jvp::exp(&y, d),
                    "log" => jvp::log(x, d),
                    "sqrt" => jvp::sqrt(&y, d),
                    "tanh" => jvp::tanh(&y, d),
                    "sigmoid" => jvp::sigmoid(&y, d),
                    _ => jvp::relu(x, d),
                }
            };
            check_vjp(
                name,
                rng,
                std::slice::from_ref(&x),
                |x| Ok(f(&x[0])),
                |g, x| Ok(vec![back(g, &x[0])?]),
            );
            check_jvp(name, rng, &[x], |x| Ok(f(&x[0])), |x, d| fwd(&x[0], &d[0]));
        }
        let x = rng.away_from(&shape, -2.0, 2.0, &[-1.0, 1.0]);
        check_vjp(
            "clip",
            rng,
            std::slice::from_ref(&x),
            |x| Ok(ew::clip(-1.0, 1.0, &x[0])),
            |g, x| Ok(vec![vjp::clip(g, -1.0, 1.0, &x[0])?]),
        );
        check_jvp(
            "clip",
            rng,
            &[x],
            |x| Ok(ew::clip(-1.0, 1.0, &x[0])),
            |x, d| jvp::clip(-1.0, 1.0, &x[0], &d[0]),
        );
    }
}

#[test]
fn matmul_rules() {
    for seed in SEEDS {
        let rng = &mut Rng(seed);
        let (m, k, n) = (rng.dim(), rng.dim(), rng.dim());
        for (sa, sb) in [
            (vec![m, k], vec![k, n]),
            (vec![m, k], vec![k]),
            (vec![k], vec![k, n]),
            (vec![k], vec![k]),
        ] {
            let a = rng.tensor(&sa, -1.0, 1.0);
            let b = rng.tensor(&sb, -1.0, 1.0);
            check_vjp(
                "matmul",
                rng,
                &[a.clone(), b.clone()],
                |x| matmul(&x[0], &x[1]),
                |g, x| vjp::matmul(g, &x[0], &x[1]).map(|(p, q)| vec![p, q]),
            );
            check_jvp(
                "matmul",
                rng,
                &[a, b],
                |x| matmul(&x[0], &x[1]),
                |x, d| jvp::matmul(&x[0], &d[0], &x[1], &d[1]),
            );
        }
    }
}

#[test]
fn reduction_rules() {
    for seed in SEEDS {
        let rng = &mut Rng(seed);
        let shape = [rng.dim(), rng.dim(), rng.dim()];
        let x = rng.tensor(&shape, -2.0, 2.0);
        let one = std::slice::from_ref(&x);
        check_vjp(
            "sum",
            rng,
            one,
            |x| Ok(Tensor::scalar(reduce::sum(&x[0]))),
            |g, x| Ok(vec![vjp::sum(g.data()[0], x[0].shape())]),
        );
        check_vjp(
            "mean",
            rng,
            one,
            |x| Ok(Tensor::scalar(reduce::mean(&x[0]))),
            |g, x| Ok(vec![vjp::mean(g.data()[0], x[0].shape())]),
        );
        check_jvp(
            "mean",
            rng,
            one,
            |x| Ok(Tensor::scalar(reduce::mean(&x[0]))),
            |_, d| Ok(Tensor::scalar(jvp::mean(&d[0]))),
        );
        // Distinct values spaced ≥ 0.1 apart so the maximum is unique.
        let n = x.len();
        let spaced: Vec<f32> = (0..n).map(|i| ((i * 7) % n) as f32 * 0.3).collect();
        let m = Tensor::new(shape.to_vec(), spaced).unwrap();
        check_vjp(
            "max",
            rng,
            std::slice::from_ref(&m),
            |x| Ok(Tensor::scalar(reduce::max(&x[0])?)),
            |g, x| Ok(vec![vjp::max(g.data()[0], &x[0])?]),
        );
        check_jvp(
            "max",
            rng,
            &[m],
            |x| Ok(Tensor::scalar(reduce::max(&x[0])?)),
            |x, d| Ok(Tensor::scalar(jvp::max(&x[0], &d[0])?)),
        );
        for axis in 0..3 {
            check_vjp(
                "sum_axis",
                rng,
                one,
                |x| reduce::sum_axis(axis, &x[0]),
                |g, x| Ok(vec![vjp::sum_axis(g, axis, x[0].shape())?]),
            );
        }
        check_vjp(
            "softmax",
            rng,
            one,
            |x| Ok(reduce::softmax(&x[0])),
            |g, x| Ok(vec![vjp::softmax(g, &reduce::softmax(&x[0]))?]),
        );
        check_vjp(
            "log_softmax",
            rng,
            one,
            |x| Ok(reduce::log_softmax(&x[0])),
            |g, x| Ok(vec![vjp::log_softmax(g, &reduce::log_softmax(&x[0]))?]),
        );
        check_jvp(
            "softmax",
            rng,
            one,
            |x| Ok(reduce::softmax(&x[0])),
            |x, d| jvp::softmax(&reduce::softmax(&x[0]), &d[0]),
        );
        check_jvp(
            "log_softmax",
            rng,
            one,
            |x| Ok(reduce::log_softmax(&x[0])),
            |x, d| jvp::log_softmax(&reduce::log_softmax(&x[0]), &d[0]),
        );
    }
}

#[test]
fn layout_rules() {
    for seed in SEEDS {
        let rng = &mut Rng(seed);
        let (r, c) = (rng.dim() + 1, rng.dim() + 1);
        let x = rng.tensor(&[r, c], -2.0, 2.0);
        let one = std::slice::from_ref(&x);
        check_vjp(
            "reshape",
            rng,
            one,
            |x| layout::reshape(&x[0], &[c, r]),
            |g, x| Ok(vec![vjp::reshape(g, x[0].shape())?]),
        );
        check_vjp(
            "transpose",
            rng,
            one,
            |x| layout::transpose(&x[0]),
            |g, _| Ok(vec![vjp::transpose(g)?]),
        );
        check_vjp(
            "get",
            rng,
            one,
            |x| Ok(Tensor::scalar(layout::get(&x[0], &[r - 1, 1])?)),
            |g, x| Ok(vec![vjp::get(g.data()[0], x[0].shape(), &[r - 1, 1])?]),
        );
        check_vjp(
            "row",
            rng,
            one,
            |x| layout::row(&x[0], 1),
            |g, x| Ok(vec![vjp::row(g, x[0].shape(), 1)?]),
        );
        for axis in 0..2 {
            check_vjp(
                "slice",
                rng,
                one,
                |x| layout::slice(&x[0], axis, 1, 1),
                |g, x| Ok(vec![vjp::slice(g, x[0].shape(), axis, 1)?]),
            );
            let y = rng.tensor(&if axis == 0 { [1, c] } else { [r, 1] }, -2.0, 2.0);
            check_vjp(
                "concat",
                rng,
                &[x.clone(), y],
                |x| layout::concat(axis, x),
                |g, x| {
                    let shapes: Vec<Vec<usize>> = x.iter().map(|t| t.shape().to_vec()).collect();
                    vjp::concat(g, axis, &shapes)
                },
            );
        }
        let y = rng.tensor(&[r, c], -2.0, 2.0);
        check_vjp("stack", rng, &[x.clone(), y], layout::stack, |g, _| {
            vjp::stack(g)
        });
    }
}

#[test]
fn unbroadcast_sums_stretched_axes() {
    let g = Tensor::ones(&[2, 3, 4]);
    assert_eq!(
        vjp::unbroadcast(&g, &[3, 1]).unwrap(),
        Tensor::full(&[3, 1], 8.0)
    );
    assert_eq!(vjp::unbroadcast(&g, &[]).unwrap(), Tensor::scalar(24.0));
    assert_eq!(
        vjp::unbroadcast(&g, &[1, 1, 4]).unwrap(),
        Tensor::full(&[1, 1, 4], 6.0)
    );
}

#[test]
fn conv_and_pool_rules() {
    use super::conv::{conv2d, conv2d_vjp, max_pool2d, max_pool2d_vjp};
    for seed in SEEDS {
        let rng = &mut Rng(seed);
        let (c, o) = (rng.dim().min(2), rng.dim().min(3));
        for pad in 0..2 {
            let x = rng.tensor(&[2, c, 4, 3], -1.0, 1.0);
            let k = rng.tensor(&[o, c, 2, 2], -1.0, 1.0);
            check_vjp(
                "conv2d",
                rng,
                &[x.clone(), k.clone()],
                |x| conv2d(&x[0], &x[1], pad),
                |g, x| conv2d_vjp(g, &x[0], &x[1], pad).map(|(a, b)| vec![a, b]),
            );
            check_jvp(
                "conv2d",
                rng,
                &[x, k],
                |x| conv2d(&x[0], &x[1], pad),
                |x, d| jvp::conv2d(&x[0], &d[0], &x[1], &d[1], pad),
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
            &[x],
            |x| max_pool2d(&x[0], 2),
            |x, d| jvp::max_pool2d(&x[0], &d[0], 2),
        );
    }
}
