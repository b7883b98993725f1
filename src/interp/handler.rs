//! `try … with` on the machine (docs/language.md, Exceptions).
//!
//! `try` pushes a [`Frame::Handler`] remembering the running activation
//! and stack height. An exception travels as the error of the step that
//! raised it; the eval loop hands every error to [`Exec::catch`], which
//! passes machine faults on and unwinds an exception to the nearest
//! handler: the frames above it are dropped (a `reset` among them does
//! not catch; a `grad` or `jvp` among them is abandoned, so nothing of it
//! reaches a later derivative), the activation is restored and the
//! handler's arms are tried. An exception no arm matches goes on to the
//! next handler, keeping the place and call stack where it was raised.

use super::code::{Node, NodeId};
use super::frame::Frame;
use super::machine::{active_calls, internal, Exec, Fail, Next};
use super::resume::ArmChoice;

impl Exec<'_> {
    /// `try body with …`: runs `body` above a handler.
    pub(super) fn push_handler(&mut self, node: NodeId) {
        let m = &mut *self.m;
        let frame = Frame::Handler {
            node,
            fp: m.fp as u32,
            cur: m.cur.clone(),
            stack_len: m.stack.len() as u32,
        };
        m.frames.push(frame);
    }

    /// Where every error of a step goes: an exception with a handler
    /// below it continues at that handler; anything else stops the run.
    #[cold]
    pub(super) fn catch(&mut self, mut e: Fail) -> Result<Next, Fail> {
        let Some(raised) = e.raised.as_ref() else {
            return Err(e);
        };
        let Some(at) = self
            .m
            .frames
            .iter()
            .rposition(|f| matches!(f, Frame::Handler { .. }))
        else {
            return Err(e);
        };
        if !raised.stack_kept {
            // Recorded now, while the frames of the raise are still here,
            // in case no handler matches it in the end.
            e = Box::new(e.with_call_stack(active_calls(self.m, self.code).collect()));
            if let Some(r) = e.raised.as_mut() {
                r.stack_kept = true;
            }
        }
        let unwound: Vec<Frame> = self.m.frames.drain(at + 1..).collect();
        for frame in unwound.into_iter().rev() {
            if let Frame::GradDelimiter { session, .. } = frame {
                session.abandon(self.ctx);
            }
        }
        let Some(Frame::Handler {
            node,
            fp,
            cur,
            stack_len,
        }) = self.m.frames.pop()
        else {
            return Err(internal("handler frame lost"));
        };
        self.m.stack.truncate(stack_len as usize);
        self.m.fp = fp as usize;
        self.m.cur = cur;
        self.select_handler_arm(node, e, 0)
    }

    /// Tries the arms of `try` node `node` from `first` on against the
    /// exception of `raised`; none matching, it goes on.
    pub(super) fn select_handler_arm(
        &mut self,
        node: NodeId,
        raised: Fail,
        first: usize,
    ) -> Result<Next, Fail> {
        let Node::Try { arms, .. } = self.code.node(node) else {
            return Err(internal("handler frame without `try`"));
        };
        let Some(exn) = raised.raised.as_ref().map(|r| r.value.clone()) else {
            return Err(internal(
                "a handler given an error that is not an exception",
            ));
        };
        match self.choose_arm(arms, &exn, first)? {
            ArmChoice::Body(body) => Ok(Next::Eval(body)),
            ArmChoice::Guard(arm, guard) => {
                self.push_frame(Frame::HandlerGuard { node, arm, raised });
                Ok(Next::Eval(guard))
            }
            ArmChoice::NoMatch => self.catch(raised),
        }
    }

    /// The body of arm `arm` of `try` node `node`, whose guard held.
    pub(super) fn handler_arm_body(&mut self, node: NodeId, arm: u32) -> Result<Next, Fail> {
        match self.code.node(node) {
            Node::Try { arms, .. } => match arms.get(arm as usize) {
                Some(a) => Ok(Next::Eval(a.body)),
                None => Err(internal("handler arm out of range")),
            },
            _ => Err(internal("handler frame without `try`")),
        }
    }
}
