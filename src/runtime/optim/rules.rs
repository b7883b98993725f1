//! The update rules, element by element over one leaf's elements: an f64
//! float is a one-element slice, a tensor its f32 data; in a step that a
//! `grad` differentiates, a one-element slice of the whole leaf as a value
//! (`traced::Traced`), each operation the differentiable primitive.
//!
//! Each rule is one pass of zipped slice iterators producing the new
//! parameters (one allocation per leaf, none per element), so the loops
//! vectorize. The state buffers (`velocity`, `sum_sq`, moments) are
//! updated in place.

use std::ops::{Add, Div, Mul, Sub};

/// The element types the rules run on: f32 (tensors), f64 (floats) and
/// whole leaves in a differentiated step.
pub trait Real:
    Clone + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self>
{
    fn of(x: f64) -> Self;
    fn sqrt(self) -> Self;
}

impl Real for f32 {
    fn of(x: f64) -> f32 {
        x as f32
    }
    fn sqrt(self) -> f32 {
        f32::sqrt(self)
    }
}

impl Real for f64 {
    fn of(x: f64) -> f64 {
        x
    }
    fn sqrt(self) -> f64 {
        f64::sqrt(self)
    }
}

/// `p - lr·g`.
pub fn sgd<E: Real>(lr: f64, p: &[E], g: &[E]) -> Vec<E> {
    let lr = E::of(lr);
    p.iter()
        .zip(g)
        .map(|(p, g)| p.clone() - lr.clone() * g.clone())
        .collect()
}

/// torch.optim.SGD with `momentum=beta` (no dampening): the buffer is the
/// gradient on the first step, then `beta·buf + g`; `p - lr·buf`.
pub fn momentum<E: Real>(
    lr: f64,
    beta: f64,
    first_step: bool,
    p: &[E],
    g: &[E],
    velocity: &mut [E],
) -> Vec<E> {
    let (lr, beta) = (E::of(lr), E::of(beta));
    if first_step {
        velocity.clone_from_slice(g);
    } else {
        for (v, g) in velocity.iter_mut().zip(g) {
            *v = beta.clone() * v.clone() + g.clone();
        }
    }
    p.iter()
        .zip(velocity.iter())
        .map(|(p, v)| p.clone() - lr.clone() * v.clone())
        .collect()
}

/// Added under the square root so a zero gradient history divides by
/// something (min-char-rnn's constant).
const ADAGRAD_EPS: f64 = 1e-8;

/// min-char-rnn's Adagrad: `G += g²; p - lr·g/√(G + 1e-8)`.
pub fn adagrad<E: Real>(lr: f64, p: &[E], g: &[E], sum_sq: &mut [E]) -> Vec<E> {
    let (lr, eps) = (E::of(lr), E::of(ADAGRAD_EPS));
    p.iter()
        .zip(g)
        .zip(sum_sq.iter_mut())
        .map(|((p, g), s)| {
            *s = s.clone() + g.clone() * g.clone();
            p.clone() - lr.clone() * g.clone() / (s.clone() + eps.clone()).sqrt()
        })
        .collect()
}

/// torch.optim.RMSprop (no momentum, not centered) with smoothing
/// constant `alpha`: `v = α·v + (1-α)·g²`, `p - lr·(g / (√v + eps))`,
/// in PyTorch's order of operations.
pub fn rmsprop<E: Real>(
    lr: f64,
    alpha: f64,
    eps: f64,
    p: &[E],
    g: &[E],
    square_avg: &mut [E],
) -> Vec<E> {
    let (lr, alpha, one_minus_alpha, eps) =
        (E::of(lr), E::of(alpha), E::of(1.0 - alpha), E::of(eps));
    p.iter()
        .zip(g)
        .zip(square_avg.iter_mut())
        .map(|((p, g), v)| {
            *v = alpha.clone() * v.clone() + one_minus_alpha.clone() * g.clone() * g.clone();
            p.clone() - lr.clone() * (g.clone() / (v.clone().sqrt() + eps.clone()))
        })
        .collect()
}

/// Adam's constants (torch.optim.Adam's and AdamW's defaults apart from
/// `lr` and `weight_decay`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamConfig {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    /// AdamW's decoupled weight decay: each step first scales the
    /// parameters by `1 - lr·weight_decay`. 0 for Adam, where the
    /// scaling by 1 changes nothing.
    pub weight_decay: f64,
}

/// torch.optim.Adam (and AdamW) at step `t` (from 1): `p·(1 - lr·wd)`,
/// then `m = β1·m + (1-β1)·g`, `v = β2·v + (1-β2)·g²`,
/// `p - (lr/(1-β1ᵗ))·m / (√v/√(1-β2ᵗ) + eps)`. The bias corrections are
/// computed in f64, as PyTorch computes them in Python floats.
pub fn adam<E: Real>(
    config: AdamConfig,
    t: u64,
    p: &[E],
    g: &[E],
    m: &mut [E],
    v: &mut [E],
) -> Vec<E> {
    let exponent = i32::try_from(t).unwrap_or(i32::MAX);
    let correction1 = 1.0 - config.beta1.powi(exponent);
    let correction2_sqrt = (1.0 - config.beta2.powi(exponent)).sqrt();
    let step_size = E::of(config.lr / correction1);
    let correction2_sqrt = E::of(correction2_sqrt);
    let (b1, b2) = (E::of(config.beta1), E::of(config.beta2));
    let (one_minus_b1, one_minus_b2) = (E::of(1.0 - config.beta1), E::of(1.0 - config.beta2));
    let eps = E::of(config.eps);
    let decay = E::of(1.0 - config.lr * config.weight_decay);
    p.iter()
        .zip(g)
        .zip(m.iter_mut().zip(v.iter_mut()))
        .map(|((p, g), (m, v))| {
            *m = b1.clone() * m.clone() + one_minus_b1.clone() * g.clone();
            *v = b2.clone() * v.clone() + one_minus_b2.clone() * g.clone() * g.clone();
            p.clone() * decay.clone()
                - step_size.clone() * m.clone()
                    / (v.clone().sqrt() / correction2_sqrt.clone() + eps.clone())
        })
        .collect()
}
