//! `grad`, `value_and_grad` and `jvp` on the machine (docs/ad.md).
//!
//! The runtime opens and closes the invocation ([`ad::Session`]); the
//! machine calls `f` on the session's tracked input above a
//! [`Frame::GradDelimiter`]. When `f` returns to that frame, the forward
//! pass is over, and closing the session runs the backward pass and gives
//! the gradient (or the tangents, for `jvp`).

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
        args: Vec<Value>,
        call: NodeId,
    ) -> Result<Next, Fail> {
        let Some((f, point)) = args.split_first() else {
            return Err(super::machine::internal(
                "differentiation without its function",
            ));
        };
        let session =
            ad::Session::open(self.ctx, which, point).map_err(|e| fail_at(e, self.span(call)))?;
        let (f, input) = (f.clone(), session.argument().clone());
        self.push_frame(Frame::GradDelimiter { session, call });
        self.apply(f, input, call)
    }

    /// The differentiated function returned `result` to its delimiter.
    pub(super) fn finish_grad(
        &mut self,
        session: ad::Session,
        call: NodeId,
        result: Value,
    ) -> Result<Next, Fail> {
        let out = session
            .close(self.ctx, result)
            .map_err(|e| fail_at(e, self.span(call)))?;
        Ok(self.ret(out))
    }
}
