//! `Optim.*`: making optimizers, stepping them, clipping gradients
//! (the rules are in [`crate::runtime::optim`]).
//!
//! The constructors refuse the hyper-parameters torch.optim refuses
//! (a negative or NaN learning rate, a negative momentum), as R008.

use std::rc::Rc;

use super::args;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::optim::{self, Optimizer, Rule};
use crate::runtime::print::format_float;
use crate::runtime::value::Value;

type Outcome = Result<Value, RuntimeError>;

/// A non-negative hyper-parameter (`name` as the user sees it).
fn non_negative(a: &[Value], i: usize, name: &str) -> Result<f64, RuntimeError> {
    let x = args::float(a, i)?;
    if x.is_nan() || x < 0.0 {
        return Err(RuntimeError::bad_argument(format!(
            "{name} must be a non-negative float, got {}",
            format_float(x)
        )));
    }
    Ok(x)
}

pub fn sgd(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let lr = non_negative(a, 0, "Optim.sgd: the learning rate")?;
    Ok(optim::value(Rule::Sgd { lr }))
}

pub fn momentum(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let lr = non_negative(a, 0, "Optim.momentum: the learning rate")?;
    let beta = non_negative(a, 1, "Optim.momentum: the momentum")?;
    Ok(optim::value(Rule::Momentum { lr, beta }))
}

pub fn adagrad(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let lr = non_negative(a, 0, "Optim.adagrad: the learning rate")?;
    Ok(optim::value(Rule::Adagrad { lr }))
}

pub fn adam(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let lr = non_negative(a, 0, "Optim.adam: the learning rate")?;
    Ok(optim::value(Rule::adam(lr)))
}

pub fn rmsprop(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let lr = non_negative(a, 0, "Optim.rmsprop: the learning rate")?;
    Ok(optim::value(Rule::Rmsprop { lr }))
}

pub fn adamw(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let lr = non_negative(a, 0, "Optim.adamw: the learning rate")?;
    let weight_decay = non_negative(a, 1, "Optim.adamw: the weight decay")?;
    Ok(optim::value(Rule::adamw(lr, weight_decay)))
}

fn optimizer(a: &[Value], i: usize) -> Result<Rc<Optimizer>, RuntimeError> {
    match args::any(a, i)? {
        Value::Optimizer(opt) => Ok(opt.clone()),
        other => Err(RuntimeError::internal(format!(
            "primitive expected an optimizer, got {}",
            crate::runtime::ops::kind_name(other)
        ))),
    }
}

/// `Optim.step opt params grads`: the new parameters.
pub fn step(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    optimizer(a, 0)?.step(ctx, args::any(a, 1)?, args::any(a, 2)?)
}

/// `Optim.lr opt`: the learning rate later steps use.
pub fn lr(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Ok(Value::Float(optimizer(a, 0)?.rule().lr()))
}

/// `Optim.set_lr opt lr`: what a schedule does each epoch (PyTorch's
/// `param_group["lr"] = lr`); the optimizer's state stays.
pub fn set_lr(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let lr = non_negative(a, 1, "Optim.set_lr: the learning rate")?;
    optimizer(a, 0)?.set_lr(lr);
    Ok(Value::Unit)
}

/// `Optim.clip c g`: every element of `g` into `[-c, c]`.
pub fn clip(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    optim::clip(ctx, args::float(a, 0)?, args::any(a, 1)?)
}
