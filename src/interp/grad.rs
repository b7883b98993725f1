//! `grad`, `value_and_grad` and `jvp` on the machine (docs/ad.md).
//!
//! `grad f x` opens a delimiter with a fresh tag ([`ad::open`]), tracks
//! the floats of `x`, and calls `f` above a [`Frame::GradDelimiter`].
//! When `f` returns to that frame, the forward pass is over: the
//! remainders the primitives left under the delimiter run (the backward
//! pass), and the adjoints of the tracked input are the gradient.
//! `jvp f x dx` is the same with a forward tag: the input carries the
//! tangents `dx`, and the tangents of the result are read at the end.

use super::code::NodeId;
use super::frame::Frame;
use super::machine::{fail_at, Exec, Fail, Next};
use crate::runtime::ad;
use crate::runtime::prims::MachinePrim;
use crate::runtime::value::Value;

impl Exec<'_> {
    /// Starts a primitive the machine runs itself, with all its arguments.
    pub(super) fn run_machine_prim(
        &mut self,
        which: MachinePrim,
        mut args: Vec<Value>,
        call: NodeId,
    ) -> Result<Next, Fail> {
        let tangent = match which {
            MachinePrim::Jvp => args.pop(),
            _ => None,
        };
        let (Some(x), Some(f)) = (args.pop(), args.pop()) else {
            return Err(super::machine::internal(
                "differentiation without its arguments",
            ));
        };
        let input = match &tangent {
            Some(dx) => {
                let tag = ad::open(true);
                match ad::with_tangents(tag, &x, dx) {
                    Ok(input) => (tag, input),
                    Err(e) => {
                        ad::abandon_all();
                        return Err(fail_at(e, self.span(call)));
                    }
                }
            }
            None => {
                let tag = ad::open(false);
                (tag, ad::track_input(tag, &x))
            }
        };
        let (tag, input) = input;
        self.push_frame(Frame::GradDelimiter {
            tag,
            input: input.clone(),
            which,
            call,
        });
        self.apply(f, input, call)
    }

    /// The differentiated function returned `result` to its delimiter.
    pub(super) fn finish_grad(
        &mut self,
        tag: u32,
        input: Value,
        which: MachinePrim,
        call: NodeId,
        result: Value,
    ) -> Result<Next, Fail> {
        ad::close(tag, &result).map_err(|e| fail_at(e, self.span(call)))?;
        let out = match which {
            MachinePrim::Grad => ad::gradient_of(tag, &input),
            MachinePrim::ValueAndGrad => {
                let value = ad::strip_tag(tag, &result);
                Value::Tuple(vec![value, ad::gradient_of(tag, &input)].into())
            }
            MachinePrim::Jvp => {
                let value = ad::primal_of(tag, &result);
                Value::Tuple(vec![value, ad::tangent_of(tag, &result)].into())
            }
        };
        Ok(self.ret(out))
    }
}
