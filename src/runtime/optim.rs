//! Optimizers (LANGUAGE.md §8, module `Optim`): an `optimizer` value is
//! an update rule and the state it keeps between steps.
//!
//! `Optim.step opt params grads` returns the new parameters; `params` and
//! `grads` are any `diff` structure of the same shape. The state (momentum
//! buffers, squared-gradient sums, Adam's moments) is made on the first
//! step, one slot per leaf (float or tensor), and lives in the optimizer,
//! so a later step must pass parameters laid out the same way. A step is
//! all or nothing: every check runs before any state changes.

mod rules;
pub(crate) mod walk;

use std::cell::RefCell;
use std::rc::Rc;

use super::error::RuntimeError;
use super::print::format_float;
use super::tensor::tensor::Tensor;
use super::tensor::{elementwise, error::show_shape};
use super::value::Value;

pub use rules::AdamConfig;
use walk::WalkError;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    Sgd {
        lr: f64,
    },
    /// torch.optim.SGD with `momentum=beta`.
    Momentum {
        lr: f64,
        beta: f64,
    },
    /// min-char-rnn's Adagrad.
    Adagrad {
        lr: f64,
    },
    Adam(AdamConfig),
}

impl Rule {
    /// torch.optim.Adam's defaults with the given learning rate.
    pub fn adam(lr: f64) -> Rule {
        Rule::Adam(AdamConfig {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        })
    }

    /// How many state buffers of a leaf's size the rule keeps.
    fn buffers(self) -> usize {
        match self {
            Rule::Sgd { .. } => 0,
            Rule::Momentum { .. } | Rule::Adagrad { .. } => 1,
            Rule::Adam(_) => 2,
        }
    }
}

pub struct Optimizer {
    rule: Rule,
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    /// Steps taken so far (Adam's `t` is this plus one).
    steps: u64,
    /// One per leaf of the parameters, left to right; `None` before the
    /// first step.
    slots: Option<Vec<Slot>>,
}

/// The state of one leaf; its buffers have the leaf's element count.
enum Slot {
    Float(Vec<Vec<f64>>),
    Tensor {
        shape: Vec<usize>,
        buffers: Vec<Vec<f32>>,
    },
}

impl Slot {
    fn for_leaf(leaf: &Value, rule: Rule) -> Slot {
        match leaf {
            Value::Tensor(t) => Slot::Tensor {
                shape: t.shape().to_vec(),
                buffers: vec![vec![0.0; t.len()]; rule.buffers()],
            },
            _ => Slot::Float(vec![vec![0.0]; rule.buffers()]),
        }
    }

    /// Whether `leaf` is the kind and shape this slot was made for.
    fn fits(&self, leaf: &Value) -> bool {
        match (self, leaf) {
            (Slot::Float(_), Value::Float(_)) => true,
            (Slot::Tensor { shape, .. }, Value::Tensor(t)) => shape == t.shape(),
            _ => false,
        }
    }

    fn describe(&self) -> String {
        match self {
            Slot::Float(_) => "a float".to_string(),
            Slot::Tensor { shape, .. } => format!("a tensor of shape {}", show_shape(shape)),
        }
    }
}

fn describe_leaf(leaf: &Value) -> String {
    match leaf {
        Value::Tensor(t) => format!("a tensor of shape {}", show_shape(t.shape())),
        _ => "a float".to_string(),
    }
}

impl Optimizer {
    pub fn new(rule: Rule) -> Optimizer {
        Optimizer {
            rule,
            state: RefCell::new(State::default()),
        }
    }

    pub fn rule(&self) -> Rule {
        self.rule
    }

    /// One step: the parameters moved against the gradients.
    pub fn step(&self, params: &Value, grads: &Value) -> Result<Value, RuntimeError> {
        let mut leaves: Vec<(Value, Value)> = Vec::new();
        walk::zip_leaves(&[params.clone(), grads.clone()], &mut |pair| {
            let (p, g) = (&pair[0], &pair[1]);
            if let (Value::Tensor(pt), Value::Tensor(gt)) = (p, g) {
                if pt.shape() != gt.shape() {
                    return Err(RuntimeError::shape(format!(
                        "Optim.step: a parameter of shape {} has a gradient of shape {}",
                        show_shape(pt.shape()),
                        show_shape(gt.shape())
                    )));
                }
            }
            leaves.push((p.clone(), g.clone()));
            Ok(())
        })
        .map_err(|e| {
            walk_error(
                e,
                "Optim.step: the gradients are not shaped like the parameters",
            )
        })?;

        let mut state = self.state.borrow_mut();
        let state = &mut *state;
        match &state.slots {
            Some(slots) => check_layout(slots, &leaves)?,
            None => {
                state.slots = Some(
                    leaves
                        .iter()
                        .map(|(p, _)| Slot::for_leaf(p, self.rule))
                        .collect(),
                )
            }
        }
        let t = state.steps + 1;
        let slots = state.slots.get_or_insert_with(Vec::new);
        let mut updated: Vec<Value> = Vec::with_capacity(leaves.len());
        for ((p, g), slot) in leaves.iter().zip(slots.iter_mut()) {
            updated.push(update(self.rule, t, p, g, slot));
        }
        state.steps = t;

        let mut updated = updated.into_iter();
        walk::zip_map(std::slice::from_ref(params), &mut |_| {
            updated.next().ok_or_else(|| {
                RuntimeError::internal("Optim.step: the parameters changed during the step")
            })
        })
        .map_err(|e| walk_error(e, "Optim.step"))
    }
}

/// The parameters of a later step must have the leaves the state was
/// made for.
fn check_layout(slots: &[Slot], leaves: &[(Value, Value)]) -> Result<(), RuntimeError> {
    if slots.len() != leaves.len() {
        return Err(RuntimeError::bad_argument(format!(
                "Optim.step: this optimizer was first used on parameters with {} floats and tensors; these have {}",
                slots.len(),
                leaves.len()
            ),
        ));
    }
    match slots
        .iter()
        .zip(leaves)
        .enumerate()
        .find(|(_, (slot, (p, _)))| !slot.fits(p))
    {
        Some((i, (slot, (p, _)))) => Err(RuntimeError::bad_argument(format!(
                "Optim.step: parameter {} (counting floats and tensors from 1) is {}, but this optimizer was first used with {} there",
                i + 1,
                describe_leaf(p),
                slot.describe()
            ),
        )),
        None => Ok(()),
    }
}

/// The new value of one leaf; the slot was checked to fit it.
fn update(rule: Rule, t: u64, p: &Value, g: &Value, slot: &mut Slot) -> Value {
    match (p, g, slot) {
        (Value::Tensor(p), Value::Tensor(g), Slot::Tensor { buffers, .. }) => {
            let data = apply(rule, t, p.data(), g.data(), buffers);
            Value::tensor(Tensor::from_parts(p.shape().to_vec(), data))
        }
        (Value::Float(p), Value::Float(g), Slot::Float(buffers)) => {
            let data = apply(rule, t, &[*p], &[*g], buffers);
            Value::Float(data.first().copied().unwrap_or(*p))
        }
        // Unreachable after `check_layout` and the walk's kind check;
        // the parameter is left as it is rather than panicking.
        (p, _, _) => p.clone(),
    }
}

fn apply<E: rules::Real>(rule: Rule, t: u64, p: &[E], g: &[E], buffers: &mut [Vec<E>]) -> Vec<E> {
    match (rule, buffers) {
        (Rule::Sgd { lr }, _) => rules::sgd(lr, p, g),
        (Rule::Momentum { lr, beta }, [velocity]) => {
            rules::momentum(lr, beta, t == 1, p, g, velocity)
        }
        (Rule::Adagrad { lr }, [sum_sq]) => rules::adagrad(lr, p, g, sum_sq),
        (Rule::Adam(config), [m, v]) => rules::adam(config, t, p, g, m, v),
        // The slot was made by `Slot::for_leaf` for this rule, so the
        // buffer count matches; keep the parameters otherwise.
        _ => p.to_vec(),
    }
}

/// `Optim.clip c g`: every element of `g` into `[-c, c]`.
pub fn clip(c: f64, g: &Value) -> Result<Value, RuntimeError> {
    if c.is_nan() || c < 0.0 {
        return Err(RuntimeError::bad_argument(format!(
            "Optim.clip: the bound must be a non-negative float, got {}",
            format_float(c)
        )));
    }
    walk::zip_map(std::slice::from_ref(g), &mut |leaf| {
        Ok(match &leaf[0] {
            Value::Tensor(t) => Value::tensor(elementwise::clip(-c as f32, c as f32, t)),
            Value::Float(x) if *x > c => Value::Float(c),
            Value::Float(x) if *x < -c => Value::Float(-c),
            other => other.clone(),
        })
    })
    .map_err(|e| walk_error(e, "Optim.clip"))
}

fn walk_error(e: WalkError, context: &str) -> RuntimeError {
    match e {
        WalkError::Shape(how) => RuntimeError::bad_argument(format!("{context}: {how}")),
        WalkError::Leaf(e) => e,
    }
}

/// An optimizer value, for the primitives that make one.
pub fn value(rule: Rule) -> Value {
    Value::Optimizer(Rc::new(Optimizer::new(rule)))
}

#[cfg(test)]
mod tests;
