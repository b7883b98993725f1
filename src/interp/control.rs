//! `reset`/`shift` and calling captured continuations (§5).
//!
//! `reset` pushes a delimiter remembering the running activation. `shift`
//! moves the frames above the nearest delimiter into a [`CapturedContinuation`],
//! together with a copy of the stack segment those frames' activations use
//! (the `reset`'s own activation and everything above it), then runs its
//! body under the same delimiter. Calling the continuation pushes a new
//! delimiter and copies frames and segment back on top, so every call gets
//! fresh activations: continuations are multi-shot.

use std::rc::Rc;

use super::code::NodeId;
use super::frame::Frame;
use super::machine::{internal, stack_overflow, At, Exec, Fail, Next, MAX_FRAMES, MAX_STACK};
use crate::runtime::function::{Closure, Continuation};
use crate::runtime::value::{drop_deep, Value};

/// The interpreter's continuation: the frames between the `shift` and its
/// `reset`, and a copy of the stack segment their activations use.
/// Positions in `frames` and `fp` are relative to the segment's start, so
/// each call copies them to wherever the stack then ends (multi-shot).
pub struct CapturedContinuation {
    frames: Vec<Frame>,
    stack: Vec<Value>,
    fp: u32,
    cur: Rc<Closure>,
}

impl Exec<'_> {
    pub fn push_reset(&mut self) {
        let m = &mut *self.m;
        let frame = Frame::Delimiter {
            fp: m.fp as u32,
            cur: m.cur.clone(),
            truncate_to: m.stack.len() as u32,
            seg_base: m.fp as u32,
            resumed_by: None,
        };
        m.frames.push(frame);
    }

    /// Captures the continuation up to the nearest delimiter and binds it
    /// to `slot`; the caller then evaluates the `shift` body.
    pub fn shift(&mut self, slot: u32, node: NodeId) -> Result<(), Fail> {
        let m = &mut *self.m;
        let Some(d) = m
            .frames
            .iter()
            .rposition(|f| matches!(f, Frame::Delimiter { .. }))
        else {
            return Err(internal("`shift` outside any `reset`").at(self.code.span(node)));
        };
        let Frame::Delimiter {
            seg_base,
            truncate_to,
            ..
        } = m.frames[d]
        else {
            return Err(internal("delimiter lost"));
        };
        let base = seg_base as usize;
        let mut frames: Vec<Frame> = m.frames.drain(d + 1..).collect();
        for frame in &mut frames {
            frame.relocate(seg_base, false);
        }
        let stack = m.stack.get(base..).unwrap_or_default().to_vec();
        let k = CapturedContinuation {
            frames,
            stack,
            fp: (m.fp - base.min(m.fp)) as u32,
            cur: m.cur.clone(),
        };
        match m.stack.get_mut(m.fp + slot as usize) {
            Some(s) => *s = Value::Continuation(Rc::new(k)),
            None => return Err(internal("slot out of range")),
        }
        // The activations between the `reset`'s and the shifting one
        // belonged to the frames just captured: only `k` can reach them
        // now, through its copy. Left on the stack, each `shift` of a
        // shift body's call would copy all its predecessors' (quadratic
        // time and memory, issue 15); the body runs in the shifting
        // activation alone, moved down onto the `reset`'s.
        let live_end = truncate_to as usize;
        if m.fp > live_end {
            m.stack.drain(live_end..m.fp);
            m.fp = live_end;
        }
        Ok(())
    }

    /// `k v`: runs the captured frames on a copy of their stack segment,
    /// under a new delimiter that returns to the caller of `k`.
    pub fn resume_continuation(
        &mut self,
        k: &dyn Continuation,
        arg: Value,
        call: NodeId,
    ) -> Result<Next, Fail> {
        let any: &dyn std::any::Any = k;
        let Some(k) = any.downcast_ref::<CapturedContinuation>() else {
            return Err(internal("a continuation another backend captured"));
        };
        // Each call copies the captured frames and stack: a loop of calls
        // allocates on every turn, so each one hears Ctrl-C and the
        // memory limit (issue 15).
        self.poll_interrupt()?;
        let m = &mut *self.m;
        if m.frames.len() + k.frames.len() >= MAX_FRAMES
            || m.stack.len() + k.stack.len() >= MAX_STACK
        {
            return Err(stack_overflow().at(self.span(call)));
        }
        let base = m.stack.len() as u32;
        // Called as the last thing a `reset` or `shift` body does (`shift
        // k -> k v`), the call is a tail call: nothing of the caller is
        // pending but handing the value on, so, as a tail call of a
        // function, it leaves no frame in the call stack (the JIT runs it
        // as one).
        let tail = matches!(m.frames.last(), Some(Frame::Delimiter { .. }));
        m.frames.push(Frame::Delimiter {
            fp: m.fp as u32,
            cur: m.cur.clone(),
            truncate_to: base,
            seg_base: base,
            resumed_by: (!tail).then_some(call),
        });
        m.stack.extend_from_slice(&k.stack);
        m.frames.extend(k.frames.iter().map(|f| {
            let mut f = f.clone();
            f.relocate(base, true);
            f
        }));
        m.fp = base as usize + k.fp as usize;
        m.cur = k.cur.clone();
        Ok(self.ret(arg))
    }
}

impl Continuation for CapturedContinuation {
    fn release(&mut self, work: &mut Vec<Value>) {
        work.append(&mut self.stack);
        for frame in std::mem::take(&mut self.frames) {
            match frame {
                Frame::Return { cur, .. }
                | Frame::Delimiter { cur, .. }
                | Frame::Handler { cur, .. } => work.push(Value::Closure(cur)),
                Frame::AppArgument { func, .. } => work.push(func),
                Frame::BinOpRight { left, .. } => work.push(left),
                Frame::MatchGuard { scrutinee, .. } => work.push(scrutinee),
                Frame::HandlerGuard { raised, .. } => {
                    work.extend(raised.raised.map(|r| r.value));
                }
                Frame::Sort(state) => state.release(work),
                Frame::GradDelimiter { session, .. } => work.push(session.into_input()),
                _ => {}
            }
        }
    }
}

impl Drop for CapturedContinuation {
    fn drop(&mut self) {
        let mut work = Vec::new();
        self.release(&mut work);
        work.retain(|v| !v.is_scalar());
        if !work.is_empty() {
            drop_deep(work);
        }
    }
}
