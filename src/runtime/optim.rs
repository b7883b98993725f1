//! Optimizers (LANGUAGE.md §8, module `Optim`): an `optimizer` value is
//! an update rule and the state it keeps between steps.
//!
//! `Optim.step opt params grads` returns the new parameters; `params` and
//! `grads` are any `diff` structure of the same shape. The state (momentum
//! buffers, squared-gradient sums, Adam's moments) is made on the first
//! step, one slot per leaf (float or tensor), and lives in the optimizer,
//! so a later step must pass parameters laid out the same way. A step is
//! all or nothing: every check runs before any state changes.
//!
//! A step is differentiable (LANGUAGE.md §11): inside a `grad` that
//! tracks the parameters, gradients or state, it is computed with the
//! differentiable primitives (`traced`), so `grad` through a training
//! step (MAML, hyper-gradients) is exact.

mod rules;
mod traced;
pub(crate) mod walk;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::ad::{self, primal};
use super::ctx::RuntimeCtx;
use super::error::RuntimeError;
use super::print::format_float;
use super::tensor::error::show_shape;
use super::tensor::tensor::Tensor;
use super::tensor_ops::TensorOp;
use super::value::Value;

pub use rules::AdamConfig;
use traced::Traced;
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
    /// torch.optim.RMSprop's defaults (alpha 0.99, eps 1e-8) with the
    /// given learning rate.
    Rmsprop {
        lr: f64,
    },
    /// Adam, and AdamW when the weight decay is not 0.
    Adam(AdamConfig),
}

/// torch.optim.RMSprop's smoothing constant and epsilon.
const RMSPROP_ALPHA: f64 = 0.99;
const RMSPROP_EPS: f64 = 1e-8;

impl Rule {
    /// torch.optim.Adam's defaults with the given learning rate.
    pub fn adam(lr: f64) -> Rule {
        Rule::adamw(lr, 0.0)
    }

    /// torch.optim.AdamW's defaults with the given learning rate and
    /// decoupled weight decay.
    pub fn adamw(lr: f64, weight_decay: f64) -> Rule {
        Rule::Adam(AdamConfig {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay,
        })
    }

    /// The learning rate.
    pub fn lr(self) -> f64 {
        match self {
            Rule::Sgd { lr }
            | Rule::Momentum { lr, .. }
            | Rule::Adagrad { lr }
            | Rule::Rmsprop { lr } => lr,
            Rule::Adam(config) => config.lr,
        }
    }

    /// The same rule with another learning rate.
    fn with_lr(mut self, new: f64) -> Rule {
        match &mut self {
            Rule::Sgd { lr }
            | Rule::Momentum { lr, .. }
            | Rule::Adagrad { lr }
            | Rule::Rmsprop { lr } => *lr = new,
            Rule::Adam(config) => config.lr = new,
        }
        self
    }

    /// How many state buffers of a leaf's size the rule keeps.
    fn buffers(self) -> usize {
        match self {
            Rule::Sgd { .. } => 0,
            Rule::Momentum { .. } | Rule::Adagrad { .. } | Rule::Rmsprop { .. } => 1,
            Rule::Adam(_) => 2,
        }
    }
}

pub struct Optimizer {
    /// A cell because `Optim.set_lr` changes the learning rate of an
    /// optimizer in use (a schedule), keeping its state.
    rule: Cell<Rule>,
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
    /// The buffers as values (floats, or tensors of `shape`), as a
    /// differentiated step leaves them: a running `grad` may track them.
    Values {
        shape: Option<Vec<usize>>,
        buffers: Vec<Value>,
    },
}

impl Slot {
    fn for_leaf(leaf: &Value, rule: Rule) -> Slot {
        match primal(leaf) {
            Value::Tensor(t) => Slot::Tensor {
                shape: t.shape().to_vec(),
                buffers: vec![vec![0.0; t.len()]; rule.buffers()],
            },
            _ => Slot::Float(vec![vec![0.0]; rule.buffers()]),
        }
    }

    /// The leaf's shape; `None` for a float.
    fn shape(&self) -> Option<&[usize]> {
        match self {
            Slot::Float(_) => None,
            Slot::Tensor { shape, .. } => Some(shape),
            Slot::Values { shape, .. } => shape.as_deref(),
        }
    }

    /// Whether `leaf` is the kind and shape this slot was made for.
    fn fits(&self, leaf: &Value) -> bool {
        match (self.shape(), primal(leaf)) {
            (None, Value::Float(_)) => true,
            (Some(shape), Value::Tensor(t)) => shape == t.shape(),
            _ => false,
        }
    }

    fn describe(&self) -> String {
        match self.shape() {
            None => "a float".to_string(),
            Some(shape) => format!("a tensor of shape {}", show_shape(shape)),
        }
    }

    /// Whether a running `grad` or `jvp` tracks a buffer.
    fn is_differentiated(&self, ctx: &RuntimeCtx) -> bool {
        match self {
            Slot::Values { buffers, .. } => buffers.iter().any(|b| ad::is_differentiated(ctx, b)),
            _ => false,
        }
    }

    /// The buffers as values, for a differentiated step.
    fn values(&self) -> Vec<Value> {
        match self {
            Slot::Float(buffers) => buffers.iter().map(|b| Value::Float(b[0])).collect(),
            Slot::Tensor { shape, buffers } => buffers
                .iter()
                .map(|b| Value::tensor(Tensor::from_parts(shape.clone(), b.clone())))
                .collect(),
            Slot::Values { buffers, .. } => buffers.clone(),
        }
    }

    /// Back to plain buffers, once no `grad` tracks them: what a step
    /// that is not differentiated updates in place.
    fn settle(&mut self) {
        let Slot::Values { shape, buffers } = self else {
            return;
        };
        *self = match shape.take() {
            None => Slot::Float(
                buffers
                    .iter()
                    .map(|b| vec![ad::float_of(b).unwrap_or(0.0)])
                    .collect(),
            ),
            Some(shape) => {
                let len = shape.iter().product();
                let buffers = buffers
                    .iter()
                    .map(|b| match primal(b) {
                        Value::Tensor(t) => t.to_vec(),
                        _ => vec![0.0; len],
                    })
                    .collect();
                Slot::Tensor { shape, buffers }
            }
        };
    }
}

fn describe_leaf(leaf: &Value) -> String {
    match primal(leaf) {
        Value::Tensor(t) => format!("a tensor of shape {}", show_shape(t.shape())),
        _ => "a float".to_string(),
    }
}

impl Optimizer {
    pub fn new(rule: Rule) -> Optimizer {
        Optimizer {
            rule: Cell::new(rule),
            state: RefCell::new(State::default()),
        }
    }

    pub fn rule(&self) -> Rule {
        self.rule.get()
    }

    /// `Optim.set_lr`: later steps use `lr`; the state stays.
    pub fn set_lr(&self, lr: f64) {
        self.rule.set(self.rule.get().with_lr(lr));
    }

    /// One step: the parameters moved against the gradients. When a
    /// running `grad` (or `jvp`) tracks a parameter, a gradient or the
    /// state, the step is differentiated: its result carries the
    /// derivative, and so does the state it leaves for the next step.
    pub fn step(
        &self,
        ctx: &RuntimeCtx,
        params: &Value,
        grads: &Value,
    ) -> Result<Value, RuntimeError> {
        let mut leaves: Vec<(Value, Value)> = Vec::new();
        walk::zip_leaves(&[params.clone(), grads.clone()], &mut |pair| {
            let (p, g) = (&pair[0], &pair[1]);
            if let (Value::Tensor(pt), Value::Tensor(gt)) = (primal(p), primal(g)) {
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
                        .map(|(p, _)| Slot::for_leaf(p, self.rule()))
                        .collect(),
                )
            }
        }
        let t = state.steps + 1;
        let slots = state.slots.get_or_insert_with(Vec::new);
        let differentiated = leaves
            .iter()
            .any(|(p, g)| ad::is_differentiated(ctx, p) || ad::is_differentiated(ctx, g))
            || slots.iter().any(|s| s.is_differentiated(ctx));
        let updated = if differentiated {
            let (updated, new_slots) = differentiated_step(ctx, self.rule(), t, &leaves, slots)?;
            *slots = new_slots;
            updated
        } else {
            let mut updated: Vec<Value> = Vec::with_capacity(leaves.len());
            for ((p, g), slot) in leaves.iter().zip(slots.iter_mut()) {
                slot.settle();
                updated.push(update(self.rule(), t, primal(p), primal(g), slot));
            }
            updated
        };
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

/// The new leaves and state of a differentiated step, each leaf updated
/// as a whole by the differentiable primitives. Nothing is changed
/// unless every leaf succeeds.
fn differentiated_step(
    ctx: &RuntimeCtx,
    rule: Rule,
    t: u64,
    leaves: &[(Value, Value)],
    slots: &[Slot],
) -> Result<(Vec<Value>, Vec<Slot>), RuntimeError> {
    let one = |values: Vec<Traced<'_>>| {
        values.into_iter().next().map_or_else(
            || {
                Err(RuntimeError::internal(
                    "Optim.step: an update rule gave no value",
                ))
            },
            Traced::into_value,
        )
    };
    let mut updated = Vec::with_capacity(leaves.len());
    let mut new_slots = Vec::with_capacity(slots.len());
    for ((p, g), slot) in leaves.iter().zip(slots) {
        let mut buffers: Vec<Vec<Traced<'_>>> = slot
            .values()
            .into_iter()
            .map(|b| vec![Traced::Leaf(ctx, b)])
            .collect();
        let p = [Traced::Leaf(ctx, p.clone())];
        let g = [Traced::Leaf(ctx, g.clone())];
        updated.push(one(apply(rule, t, &p, &g, &mut buffers))?);
        new_slots.push(Slot::Values {
            shape: slot.shape().map(<[usize]>::to_vec),
            buffers: buffers.into_iter().map(one).collect::<Result<_, _>>()?,
        });
    }
    Ok((updated, new_slots))
}

fn apply<E: rules::Real>(rule: Rule, t: u64, p: &[E], g: &[E], buffers: &mut [Vec<E>]) -> Vec<E> {
    match (rule, buffers) {
        (Rule::Sgd { lr }, _) => rules::sgd(lr, p, g),
        (Rule::Momentum { lr, beta }, [velocity]) => {
            rules::momentum(lr, beta, t == 1, p, g, velocity)
        }
        (Rule::Adagrad { lr }, [sum_sq]) => rules::adagrad(lr, p, g, sum_sq),
        (Rule::Rmsprop { lr }, [square_avg]) => {
            rules::rmsprop(lr, RMSPROP_ALPHA, RMSPROP_EPS, p, g, square_avg)
        }
        (Rule::Adam(config), [m, v]) => rules::adam(config, t, p, g, m, v),
        // The slot was made by `Slot::for_leaf` for this rule, so the
        // buffer count matches; keep the parameters otherwise.
        _ => p.to_vec(),
    }
}

/// `Optim.clip c g`: every element of `g` into `[-c, c]`. Differentiable,
/// as `Tensor.clip` is: an element inside the bounds passes its
/// derivative, a clipped one is the constant bound.
pub fn clip(ctx: &RuntimeCtx, c: f64, g: &Value) -> Result<Value, RuntimeError> {
    if c.is_nan() || c < 0.0 {
        return Err(RuntimeError::bad_argument(format!(
            "Optim.clip: the bound must be a non-negative float, got {}",
            format_float(c)
        )));
    }
    walk::zip_map(std::slice::from_ref(g), &mut |leaf| {
        let leaf = &leaf[0];
        match primal(leaf) {
            Value::Tensor(_) => ad::tensor_op(
                ctx,
                TensorOp::Clip(-c as f32, c as f32),
                std::slice::from_ref(leaf),
            ),
            Value::Float(x) if *x > c => Ok(Value::Float(c)),
            Value::Float(x) if *x < -c => Ok(Value::Float(-c)),
            _ => Ok(leaf.clone()),
        }
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
