//! The differentiable primitives: forward (the primal result, and the
//! remainder pushed under the delimiter) and backward (the remainder run:
//! adjoint contributions into the operands).
//!
//! Every derivative is written with the generic operations, so an operand
//! tracked by an outer `grad` makes the backward pass differentiable too.

use std::rc::Rc;

use super::{Pending, Step, Tracked};
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::ops;
use crate::runtime::prims::math::{relu_f64, sigmoid_f64};
use crate::runtime::tensor::elementwise;
use crate::runtime::tensor_ops;
use crate::runtime::value::Value;
use crate::syntax::ast::BinOp;

type Outcome = Result<Value, RuntimeError>;

/// The differentiable one-argument primitives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unary {
    Neg,
    Sin,
    Cos,
    Tan,
    Exp,
    Log,
    Sqrt,
    Tanh,
    Sigmoid,
    Relu,
    Abs,
}

impl Unary {
    pub fn name(self) -> &'static str {
        match self {
            Unary::Neg => "-",
            Unary::Sin => "sin",
            Unary::Cos => "cos",
            Unary::Tan => "tan",
            Unary::Exp => "exp",
            Unary::Log => "log",
            Unary::Sqrt => "sqrt",
            Unary::Tanh => "tanh",
            Unary::Sigmoid => "sigmoid",
            Unary::Relu => "relu",
            Unary::Abs => "abs",
        }
    }

    fn on_f64(self, x: f64) -> f64 {
        match self {
            Unary::Neg => -x,
            Unary::Sin => x.sin(),
            Unary::Cos => x.cos(),
            Unary::Tan => x.tan(),
            Unary::Exp => x.exp(),
            Unary::Log => x.ln(),
            Unary::Sqrt => x.sqrt(),
            Unary::Tanh => x.tanh(),
            Unary::Sigmoid => sigmoid_f64(x),
            Unary::Relu => relu_f64(x),
            Unary::Abs => x.abs(),
        }
    }
}

/// A tracked value whose `grad` has ended is the constant under it.
pub(super) fn settle(ctx: &RuntimeCtx, v: &Value) -> Value {
    let mut v = v;
    while let Value::Tracked(t) = v {
        if ctx.ad.is_active(t.tag) {
            break;
        }
        v = &t.primal;
    }
    v.clone()
}

pub(super) fn tag_of(v: &Value) -> u32 {
    match v {
        Value::Tracked(t) => t.tag,
        _ => 0,
    }
}

/// `v` as seen by tag `tag`: its primal if `tag` tracks it, else itself.
pub(super) fn under(v: &Value, tag: u32) -> Value {
    match v {
        Value::Tracked(t) if t.tag == tag => t.primal.clone(),
        other => other.clone(),
    }
}

/// `a op b` where at least one operand may be tracked.
pub fn binary(ctx: &RuntimeCtx, op: BinOp, a: &Value, b: &Value) -> Outcome {
    let (a, b) = (settle(ctx, a), settle(ctx, b));
    let tag = tag_of(&a).max(tag_of(&b));
    if tag == 0 {
        return ops::binary(ctx, op, &a, &b);
    }
    let primal = ops::binary(ctx, op, &under(&a, tag), &under(&b, tag))?;
    if !matches!(
        op,
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow
    ) {
        // Comparisons and the like pass no gradient.
        return Ok(primal);
    }
    if ctx.ad.is_forward(tag) {
        let tangent = super::forward::binary_tangent(ctx, op, &a, &b, &primal, tag)?;
        return Ok(dual(tag, primal, tangent));
    }
    Ok(node(ctx, tag, primal, Step::Binary(op, a, b)))
}

/// `f v` for a differentiable primitive `f`.
pub fn unary(ctx: &RuntimeCtx, f: Unary, v: &Value) -> Outcome {
    let v = settle(ctx, v);
    match &v {
        Value::Float(x) => Ok(Value::Float(f.on_f64(*x))),
        Value::Tensor(t) => Ok(tensor_ops::unary(f, t)),
        Value::Tracked(t) => {
            let primal = unary(ctx, f, &t.primal)?;
            if ctx.ad.is_forward(t.tag) {
                let dx = t.derivative.borrow().clone();
                let tangent = derivative(ctx, f, &dx, &t.primal, &primal)?;
                return Ok(dual(t.tag, primal, tangent));
            }
            Ok(node(ctx, t.tag, primal, Step::Unary(f, v.clone())))
        }
        Value::Int(_) if matches!(f, Unary::Neg) => ops::negate(ctx, &v),
        other => Err(RuntimeError::internal(format!(
            "{} expects a float or a tensor, got {}",
            f.name(),
            ops::kind_name(other)
        ))),
    }
}

/// The result of a primitive under a `jvp`: its value and its tangent.
pub(super) fn dual(tag: u32, primal: Value, tangent: Value) -> Value {
    Value::Tracked(Rc::new(Tracked {
        tag,
        primal,
        derivative: std::cell::RefCell::new(tangent),
    }))
}

/// The result of a primitive: a new tracked value, with the remainder of
/// the primitive's `shift` put under the delimiter of `tag`.
pub(super) fn node(ctx: &RuntimeCtx, tag: u32, primal: Value, op: Step) -> Value {
    let result = Rc::new(Tracked {
        tag,
        primal,
        derivative: std::cell::RefCell::new(Value::Float(0.0)),
    });
    ctx.ad.push_pending(
        tag,
        Pending {
            op,
            result: result.clone(),
        },
    );
    Value::Tracked(result)
}

pub(super) fn add(ctx: &RuntimeCtx, a: &Value, b: &Value) -> Outcome {
    binary(ctx, BinOp::Add, a, b)
}

pub(super) fn mul(ctx: &RuntimeCtx, a: &Value, b: &Value) -> Outcome {
    binary(ctx, BinOp::Mul, a, b)
}

pub(super) fn div(ctx: &RuntimeCtx, a: &Value, b: &Value) -> Outcome {
    binary(ctx, BinOp::Div, a, b)
}

pub(super) fn sub(ctx: &RuntimeCtx, a: &Value, b: &Value) -> Outcome {
    binary(ctx, BinOp::Sub, a, b)
}

pub(super) fn neg(ctx: &RuntimeCtx, a: &Value) -> Outcome {
    unary(ctx, Unary::Neg, a)
}

pub(super) fn float(x: f64) -> Value {
    Value::Float(x)
}

/// Adds `contribution` into the adjoint of `operand`, if this tag tracks
/// it (a constant operand has no adjoint).
fn accumulate(
    ctx: &RuntimeCtx,
    operand: &Value,
    tag: u32,
    contribution: impl FnOnce() -> Outcome,
) -> Result<(), RuntimeError> {
    if let Value::Tracked(t) = operand {
        if t.tag == tag {
            // A broadcast operand gets the contribution summed back to
            // its own shape.
            let c = super::tensor::fit_to(ctx, contribution()?, &t.primal)?;
            let old = t.derivative.replace(Value::Float(0.0));
            // A first tensor contribution is the adjoint as it is: adding
            // it to the initial `0.0` would copy it for nothing. (A float
            // is added, so that `0.0 + -0.0` stays `0.0`.)
            let new = if matches!(old, Value::Float(z) if z == 0.0)
                && matches!(super::primal(&c), Value::Tensor(_))
            {
                c
            } else {
                sum_into(ctx, old, &c)?
            };
            *t.derivative.borrow_mut() = new;
        }
    }
    Ok(())
}

/// `old + c`, the adjoint with one more contribution. An untracked
/// tensor adjoint that nothing else holds takes `c` in place: the same
/// `f32` additions as `add`, without a new tensor per contribution.
fn sum_into(ctx: &RuntimeCtx, old: Value, c: &Value) -> Outcome {
    match (old, c) {
        (Value::Tensor(mut acc), Value::Tensor(x)) => {
            if elementwise::add_in_place(&mut acc, x) {
                Ok(Value::Tensor(acc))
            } else {
                add(ctx, &Value::Tensor(acc), c)
            }
        }
        (old, _) => add(ctx, &old, c),
    }
}

/// Runs one remainder: the adjoint of the result flows into the operands.
pub fn backpropagate(ctx: &RuntimeCtx, p: &Pending) -> Result<(), RuntimeError> {
    let g = p.result.derivative.borrow().clone();
    if matches!(g, Value::Float(x) if x == 0.0) {
        // Nothing flows; skipping keeps unused branches free.
        return Ok(());
    }
    let tag = p.result.tag;
    let r = &p.result.primal;
    match &p.op {
        Step::Binary(op, a, b) => {
            let (x, y) = (under(a, tag), under(b, tag));
            match op {
                BinOp::Add => {
                    accumulate(ctx, a, tag, || Ok(g.clone()))?;
                    accumulate(ctx, b, tag, || Ok(g.clone()))
                }
                BinOp::Sub => {
                    accumulate(ctx, a, tag, || Ok(g.clone()))?;
                    accumulate(ctx, b, tag, || neg(ctx, &g))
                }
                BinOp::Mul => {
                    accumulate(ctx, a, tag, || mul(ctx, &g, &y))?;
                    accumulate(ctx, b, tag, || mul(ctx, &g, &x))
                }
                BinOp::Div => {
                    accumulate(ctx, a, tag, || div(ctx, &g, &y))?;
                    accumulate(ctx, b, tag, || neg(ctx, &div(ctx, &mul(ctx, &g, r)?, &y)?))
                }
                BinOp::Pow => {
                    accumulate(ctx, a, tag, || mul(ctx, &g, &pow_base_slope(ctx, &x, &y)?))?;
                    accumulate(ctx, b, tag, || {
                        mul(ctx, &g, &pow_exponent_slope(ctx, &x, &y, r)?)
                    })
                }
                _ => Ok(()),
            }
        }
        Step::Unary(f, a) => {
            let x = under(a, tag);
            accumulate(ctx, a, tag, || derivative(ctx, *f, &g, &x, r))
        }
        Step::Tensor(op, operands) => {
            let x: Vec<Value> = operands.iter().map(|v| under(v, tag)).collect();
            for (i, operand) in operands.iter().enumerate() {
                if tag_of(operand) == tag
                    && super::tensor::accumulate_outer(ctx, op, i, &x, &g, operand)
                {
                    continue;
                }
                accumulate(ctx, operand, tag, || {
                    super::tensor::adjoint(ctx, op, i, &x, &g, r)
                })?;
            }
            Ok(())
        }
    }
}

/// `∂(x ** y)/∂x = y·x^(y-1)`, except 0 wherever `y = 0`, as PyTorch's
/// `pow_backward_self` (the formula gives `0·x^-1`, nan at `x = 0`).
/// The case split is arithmetic, so the rule stays differentiable: where
/// `y = 0` the power is taken to `y` instead of `y - 1` (`0·x^0 = 0`),
/// by a constant mask.
pub(super) fn pow_base_slope(ctx: &RuntimeCtx, x: &Value, y: &Value) -> Outcome {
    let mut e = sub(ctx, y, &float(1.0))?;
    if let Some(zero_exponent) = edge_mask(y, |v| if v == 0.0 { 1.0 } else { 0.0 }) {
        e = add(ctx, &e, &zero_exponent)?;
    }
    mul(ctx, y, &binary(ctx, BinOp::Pow, x, &e)?)
}

/// `∂(x ** y)/∂y = x^y·ln x` (`r` is `x ** y`), except 0 where `x = 0`
/// and `y ≥ 0`, as PyTorch's `pow_backward_exponent` (the formula gives
/// `0·-inf` = nan, or `1·-inf` at `y = 0`); where `y < 0` it stays the
/// limit, -inf. There `x` is moved to 1 by a constant mask (`ln 1 = 0`).
pub(super) fn pow_exponent_slope(ctx: &RuntimeCtx, x: &Value, y: &Value, r: &Value) -> Outcome {
    let mut base = x.clone();
    if let Some(zero_base) = edge_mask(x, |v| if v == 0.0 { 1.0 } else { 0.0 }) {
        let exponent_from_zero =
            tensor_ops::sign_like(super::primal(y), |v| if v >= 0.0 { 1.0 } else { 0.0 });
        base = add(
            ctx,
            x,
            &ops::binary(ctx, BinOp::Mul, &zero_base, &exponent_from_zero)?,
        )?;
    }
    mul(ctx, r, &unary(ctx, Unary::Log, &base)?)
}

/// The constant mask `at_edge` makes of `v`'s elements (1.0 at an edge
/// point, 0.0 elsewhere), or `None` when no element is at the edge: the
/// usual case, which then costs no extra arithmetic.
fn edge_mask(v: &Value, at_edge: fn(f64) -> f64) -> Option<Value> {
    let mask = tensor_ops::sign_like(super::primal(v), at_edge);
    let anywhere = match &mask {
        Value::Float(m) => *m != 0.0,
        Value::Tensor(t) => t.data().iter().any(|&m| m != 0.0),
        _ => false,
    };
    anywhere.then_some(mask)
}

/// `g * f'(x)`, given `r = f x`: an adjoint contribution in reverse
/// mode, the tangent of `r` (with `g` the tangent of `x`) in forward mode.
fn derivative(ctx: &RuntimeCtx, f: Unary, g: &Value, x: &Value, r: &Value) -> Outcome {
    let one = float(1.0);
    match f {
        Unary::Neg => neg(ctx, g),
        Unary::Sin => mul(ctx, g, &unary(ctx, Unary::Cos, x)?),
        Unary::Cos => neg(ctx, &mul(ctx, g, &unary(ctx, Unary::Sin, x)?)?),
        Unary::Tan => mul(ctx, g, &add(ctx, &one, &mul(ctx, r, r)?)?),
        Unary::Exp => mul(ctx, g, r),
        Unary::Log => div(ctx, g, x),
        Unary::Sqrt => div(ctx, g, &add(ctx, r, r)?),
        Unary::Tanh => mul(ctx, g, &sub(ctx, &one, &mul(ctx, r, r)?)?),
        Unary::Sigmoid => mul(ctx, g, &mul(ctx, r, &sub(ctx, &one, r)?)?),
        // PyTorch's conventions at the kinks: relu'(0) = 0, abs'(0) = 0.
        Unary::Relu => mul(ctx, g, &tensor_ops::positive_mask(super::primal(x))),
        Unary::Abs => mul(ctx, g, &tensor_ops::sign_mask(super::primal(x))),
    }
}
