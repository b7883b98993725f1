//! Reverse-mode differentiation of the primitives (docs/language.md §6,
//! docs/ad.md).
//!
//! A `grad` invocation owns a tag and a delimiter ([`GradDelimiter`]).
//! Inside it, every float the function can differentiate is a
//! [`Tracked`] value: its primal, the tag, and an adjoint cell. Each
//! arithmetic primitive on a tracked value is, in the paper's terms, a
//! `shift` to the delimiter of its tag: `shift k -> let y = op x in k y;
//! x.derivative += op'(x) * y.derivative`. Calling `k` at once and only once is
//! the identity on the machine's frames, so the only thing the shift
//! changes is to put its remainder (the adjoint update) under the current
//! segment of the delimiter: the delimiter's `pending` list, pushed in
//! O(1). When the forward pass returns to the delimiter, the remainders
//! run innermost-first, exactly as the nested `k y; update` calls would
//! have unwound.
//!
//! Nesting: the remainders' arithmetic goes through the same tracked
//! operations, so when an outer `grad` tracks the adjoints of an inner
//! one, the inner backward pass is itself differentiated (grad of grad).
//! An operation acts on the innermost (highest) active tag among its
//! operands; the other operands are constants for that tag, which is what
//! keeps nested invocations from confusing their perturbations.

mod arith;
mod forward;
mod session;
mod structure;
mod tensor;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::ctx::RuntimeCtx;
use super::error::RuntimeError;
use super::value::Value;

pub use arith::{binary, unary, Unary};
pub use session::Session;
pub use structure::{
    gradient_of, primal_of, strip_all, strip_tag, tangent_of, track_input, with_new_cells,
    with_tangents,
};
pub use tensor::apply as tensor_op;

/// A differentiated value of one `grad` or `jvp` invocation.
pub struct Tracked {
    pub tag: u32,
    /// The value itself: a float, or a value tracked by an outer `grad`.
    pub primal: Value,
    /// Under a `grad` tag: the adjoint, the sensitivity of the result to
    /// this value, accumulated by the backward pass from `0.0`. Under a
    /// `jvp` tag: the tangent, set once when the value is made.
    pub derivative: RefCell<Value>,
}

impl Tracked {
    pub fn value(tag: u32, primal: Value) -> Value {
        Value::Tracked(Rc::new(Tracked {
            tag,
            primal,
            derivative: RefCell::new(Value::Float(0.0)),
        }))
    }
}

/// One pending adjoint update: the rest of a primitive's `shift` body.
pub struct Pending {
    pub op: Step,
    pub result: Rc<Tracked>,
}

/// Which primitive produced a result, with the operands its derivative
/// needs. Operands not tracked by this tag are kept as plain values.
pub enum Step {
    Binary(crate::syntax::ast::BinOp, Value, Value),
    Unary(Unary, Value),
    /// A tensor operation and all its operands.
    Tensor(crate::runtime::tensor_ops::TensorOp, Vec<Value>),
}

/// The delimiter of one active `grad`: its tag and the segment of
/// remainders beneath the running forward pass.
pub struct GradDelimiter {
    pub tag: u32,
    /// A `jvp` (forward mode): values carry tangents and leave no
    /// remainders.
    pub forward: bool,
    pub pending: Vec<Pending>,
}

/// The AD state of one run: the delimiters of the running `grad` and
/// `jvp` invocations, innermost last, and the next tag to give out. It is
/// part of the [`RuntimeCtx`] every backend passes to the runtime
/// (`ctx.ad`), so compiled code reaches it through the context pointer.
///
/// The cells let the differentiable operations take the context by shared
/// reference: their derivative rules nest calls (`mul(ctx, g,
/// &unary(ctx, Unary::Cos, x)?)`), and every call only appends a
/// remainder or reads the stack, never holding a borrow across another.
pub struct Delimiters {
    active: RefCell<Vec<GradDelimiter>>,
    next_tag: Cell<u32>,
}

impl Default for Delimiters {
    fn default() -> Delimiters {
        Delimiters {
            active: RefCell::new(Vec::new()),
            // Tag 0 means "tracked by nothing".
            next_tag: Cell::new(1),
        }
    }
}

impl Delimiters {
    /// Pushes the delimiter of a new `grad` and returns its tag. Tags only
    /// grow, so an inner invocation always has the higher tag.
    pub fn open(&self, forward: bool) -> u32 {
        let tag = self.next_tag.get();
        self.next_tag.set(tag.wrapping_add(1).max(1));
        self.active.borrow_mut().push(GradDelimiter {
            tag,
            forward,
            pending: Vec::new(),
        });
        tag
    }

    /// Whether `tag` belongs to a `grad` still running. A tracked value
    /// that escaped its `grad` (through a ref, say) is a constant
    /// afterwards.
    pub fn is_active(&self, tag: u32) -> bool {
        self.active.borrow().iter().any(|d| d.tag == tag)
    }

    /// Whether `tag` belongs to a running `jvp`.
    pub fn is_forward(&self, tag: u32) -> bool {
        self.active
            .borrow()
            .iter()
            .any(|d| d.tag == tag && d.forward)
    }

    fn push_pending(&self, tag: u32, pending: Pending) {
        let mut active = self.active.borrow_mut();
        if let Some(d) = active.iter_mut().rev().find(|d| d.tag == tag) {
            d.pending.push(pending);
        }
    }

    /// The innermost delimiter, removed, if its tag is `tag`.
    fn pop_innermost(&self, tag: u32) -> Option<GradDelimiter> {
        let mut active = self.active.borrow_mut();
        match active.last() {
            Some(d) if d.tag == tag => active.pop(),
            _ => None,
        }
    }

    /// Forgets the active `grad` or `jvp` of `tag` (an exception unwound
    /// through it); its pending remainders never run.
    pub fn abandon(&self, tag: u32) {
        let abandoned = {
            let mut active = self.active.borrow_mut();
            active
                .iter()
                .rposition(|d| d.tag == tag)
                .map(|i| active.remove(i))
        };
        // Freed here, with no borrow held.
        drop(abandoned);
    }

    /// Forgets every active `grad` (a run-time error unwound through them).
    pub fn abandon_all(&self) {
        // Taken out first, so the remainders are freed with no borrow held.
        drop(self.active.take());
    }
}

/// Ends the innermost `grad`, whose tag must be `tag`: seeds the result's
/// adjoint with 1 and runs the pending remainders, last first.
pub fn close(ctx: &RuntimeCtx, tag: u32, result: &Value) -> Result<(), RuntimeError> {
    let Some(mut delimiter) = ctx.ad.pop_innermost(tag) else {
        ctx.ad.abandon_all();
        return Err(RuntimeError::grad_escaped());
    };
    if let Value::Tracked(t) = result {
        if t.tag == tag && !delimiter.forward {
            *t.derivative.borrow_mut() = Value::Float(1.0);
        }
    }
    // The remainders may push remainders of outer tags (grad of grad), but
    // never of this one: it is no longer active.
    while let Some(p) = delimiter.pending.pop() {
        arith::backpropagate(ctx, &p)?;
    }
    Ok(())
}

/// The value under every tag: what comparisons, printing and conversions
/// see.
pub fn primal(v: &Value) -> &Value {
    let mut v = v;
    while let Value::Tracked(t) = v {
        v = &t.primal;
    }
    v
}

/// The float under every tag, if `v` is a (tracked) float.
pub fn float_of(v: &Value) -> Option<f64> {
    match primal(v) {
        Value::Float(x) => Some(*x),
        _ => None,
    }
}

/// Whether a running `grad` or `jvp` differentiates `v` (a value tracked
/// only by invocations that have ended is a constant).
pub fn is_differentiated(ctx: &RuntimeCtx, v: &Value) -> bool {
    matches!(arith::settle(ctx, v), Value::Tracked(_))
}
