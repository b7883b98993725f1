//! The opening and closing of one `grad`, `value_and_grad` or `jvp`
//! invocation, which every backend runs around its call of the
//! differentiated function: [`Session::open`] allocates the tag and tracks
//! the input, the backend calls `f` on [`Session::argument`], and
//! [`Session::close`] runs the backward pass and reads the result. A run
//! that stops with an error forgets every session with
//! `ctx.ad.abandon_all()`. The sessions' state is the context's
//! ([`super::Delimiters`]), so every call takes the run's [`RuntimeCtx`].

use super::{
    close, gradient_of, primal_of, strip_tag, tangent_of, track_input, with_new_cells,
    with_tangents,
};
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::prims::MachinePrim;
use crate::runtime::value::Value;

/// A differentiation in progress: its tag, its tracked input and what
/// the function is called on.
#[derive(Clone)]
pub struct Session {
    which: MachinePrim,
    tag: u32,
    input: Value,
    /// For `grad`, the input with new cells (arrays, mutable fields)
    /// around the same tracked leaves: the function's writes to its
    /// argument leave `input`, which the gradient is read from, whole.
    argument: Value,
}

impl Session {
    /// Starts `which` at the point `x`; `args` are the primitive's
    /// arguments after the function (`x`, and for `jvp` the direction).
    pub fn open(
        ctx: &RuntimeCtx,
        which: MachinePrim,
        args: &[Value],
    ) -> Result<Session, RuntimeError> {
        match (which, args) {
            (MachinePrim::Jvp, [x, dx]) => {
                let tag = ctx.ad.open(true);
                match with_tangents(tag, x, dx) {
                    Ok(input) => Ok(Session {
                        which,
                        tag,
                        argument: input.clone(),
                        input,
                    }),
                    Err(e) => {
                        ctx.ad.abandon_all();
                        Err(e)
                    }
                }
            }
            (MachinePrim::Grad | MachinePrim::ValueAndGrad, [x]) => {
                let tag = ctx.ad.open(false);
                let input = track_input(tag, x);
                let argument = with_new_cells(&input);
                Ok(Session {
                    which,
                    tag,
                    input,
                    argument,
                })
            }
            _ => Err(RuntimeError::internal(
                "differentiation without its arguments",
            )),
        }
    }

    /// What the differentiated function is called on.
    pub fn argument(&self) -> &Value {
        &self.argument
    }

    /// The tracked input and the argument, for freeing a session's values
    /// with a work list.
    pub fn into_input(self) -> Value {
        Value::Tuple([self.input, self.argument].into())
    }

    /// The function did not return (an exception left it): the
    /// invocation ends without a result and leaves nothing behind.
    pub fn abandon(self, ctx: &RuntimeCtx) {
        ctx.ad.abandon(self.tag);
    }

    /// The function returned `result`: ends the invocation (the backward
    /// pass of `grad`) and gives the primitive's result.
    pub fn close(self, ctx: &RuntimeCtx, result: Value) -> Result<Value, RuntimeError> {
        let Session {
            which, tag, input, ..
        } = self;
        close(ctx, tag, &result)?;
        Ok(match which {
            MachinePrim::Grad => gradient_of(tag, &input),
            MachinePrim::ValueAndGrad => {
                let value = strip_tag(tag, &result);
                Value::Tuple(vec![value, gradient_of(tag, &input)].into())
            }
            MachinePrim::Jvp => {
                let value = primal_of(tag, &result);
                Value::Tuple(vec![value, tangent_of(tag, &result)].into())
            }
        })
    }
}
