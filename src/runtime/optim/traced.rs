//! The arithmetic of a differentiated optimizer step (LANGUAGE.md §11:
//! `grad` through `Optim.step` is exact).
//!
//! When a running `grad` or `jvp` tracks a parameter, a gradient or the
//! optimizer's state, the update rules of `rules` run on whole leaves
//! instead of their elements: each `+ - * /` and `sqrt` is the
//! differentiable primitive of `runtime::ad`, so the step's result
//! carries its derivative with respect to everything it was computed
//! from (MAML's inner step, a hyper-gradient through the state). A
//! tensor's operations are element-wise with f32 constants, in the order
//! the element rules use, so the values are the ones an untracked step
//! gives, bit for bit.

use std::ops::{Add, Div, Mul, Sub};

use super::rules::Real;
use crate::runtime::ad::{self, Unary};
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::value::Value;
use crate::syntax::ast::BinOp;

/// A leaf of a differentiated step, a hyper-parameter, or the error an
/// operation met (carried to the end of the rule, where it is returned).
#[derive(Clone)]
pub enum Traced<'c> {
    Constant(f64),
    Leaf(&'c RuntimeCtx, Value),
    Failed(RuntimeError),
}

impl<'c> Traced<'c> {
    /// The value the rule computed.
    pub fn into_value(self) -> Result<Value, RuntimeError> {
        match self {
            Traced::Leaf(_, v) => Ok(v),
            // Every rule combines each constant with a leaf, so a result
            // is never a bare constant.
            Traced::Constant(_) => Err(RuntimeError::internal(
                "Optim.step: an update rule gave a constant",
            )),
            Traced::Failed(e) => Err(e),
        }
    }

    fn binary(self, op: BinOp, other: Traced<'c>) -> Traced<'c> {
        let constant = |x: f64| Value::Float(x);
        let outcome = match (self, other) {
            (Traced::Failed(e), _) | (_, Traced::Failed(e)) => return Traced::Failed(e),
            (Traced::Constant(a), Traced::Constant(b)) => {
                return Traced::Constant(match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    _ => a / b,
                })
            }
            (Traced::Leaf(ctx, a), Traced::Constant(b)) => {
                (ctx, ad::binary(ctx, op, &a, &constant(b)))
            }
            (Traced::Constant(a), Traced::Leaf(ctx, b)) => {
                (ctx, ad::binary(ctx, op, &constant(a), &b))
            }
            (Traced::Leaf(ctx, a), Traced::Leaf(_, b)) => (ctx, ad::binary(ctx, op, &a, &b)),
        };
        match outcome {
            (ctx, Ok(v)) => Traced::Leaf(ctx, v),
            (_, Err(e)) => Traced::Failed(e),
        }
    }
}

impl<'c> Real for Traced<'c> {
    fn of(x: f64) -> Traced<'c> {
        Traced::Constant(x)
    }

    fn sqrt(self) -> Traced<'c> {
        match self {
            Traced::Leaf(ctx, v) => match ad::unary(ctx, Unary::Sqrt, &v) {
                Ok(v) => Traced::Leaf(ctx, v),
                Err(e) => Traced::Failed(e),
            },
            Traced::Constant(x) => Traced::Constant(x.sqrt()),
            failed => failed,
        }
    }
}

macro_rules! operator {
    ($trait:ident, $method:ident, $op:expr) => {
        impl<'c> $trait for Traced<'c> {
            type Output = Traced<'c>;
            fn $method(self, other: Traced<'c>) -> Traced<'c> {
                self.binary($op, other)
            }
        }
    };
}

operator!(Add, add, BinOp::Add);
operator!(Sub, sub, BinOp::Sub);
operator!(Mul, mul, BinOp::Mul);
operator!(Div, div, BinOp::Div);
