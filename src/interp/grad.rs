//! `grad` and `value_and_grad` on the machine (docs/ad.md).
//!
//! `grad f x` opens a delimiter with a fresh tag ([`ad::open`]), tracks
//! the floats of `x`, and calls `f` above a [`Frame::GradDelimiter`].
//! When `f` returns to that frame, the forward pass is over: the
//! remainders the primitives left under the delimiter run (the backward
//! pass), and the adjoints of the tracked input are the gradient.

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
        let (Some(x), Some(f)) = (args.pop(), args.pop()) else {
            return Err(super::machine::internal(
                "differentiation without its arguments",
            ));
        };
        let tag = ad::open();
        let input = ad::track_input(tag, &x);
        self.push_frame(Frame::GradDelimiter {
            tag,
            input: input.clone(),
            with_value: which == MachinePrim::ValueAndGrad,
        });
        self.apply(f, input, call)
    }

    /// The differentiated function returned `result` to its delimiter.
    pub(super) fn finish_grad(
        &mut self,
        tag: u32,
        input: Value,
        with_value: bool,
        result: Value,
    ) -> Result<Next, Fail> {
        ad::close(tag, &result).map_err(|e| fail_at(e, Default::default()))?;
        let gradient = ad::gradient_of(tag, &input);
        let out = if with_value {
            let value = ad::strip_tag(tag, &result);
            Value::Tuple(vec![value, gradient].into())
        } else {
            gradient
        };
        Ok(self.ret(out))
    }
}
