//! The defunctionalized continuation: one frame per pending piece of work.
//!
//! The machine's continuation is a `Vec<Frame>` on the heap, so dlang
//! recursion depth costs heap memory, never Rust stack. A frame names the
//! code still to run by [`NodeId`] and holds the values already computed;
//! the environment lives in the value stack at the activation's `fp`.

use std::rc::Rc;

use super::code::NodeId;
use crate::runtime::function::Closure;
use crate::runtime::value::Value;

#[derive(Clone)]
pub enum Frame {
    /// A function call's return point: the caller's activation.
    Return {
        fp: u32,
        cur: Rc<Closure>,
        /// The `App` node of the call, for the dlang call stack.
        call: NodeId,
    },
    /// `reset`, or the base of a resumed continuation. Returning through it
    /// restores the activation that was running when it was pushed.
    Delimiter {
        fp: u32,
        cur: Rc<Closure>,
        /// Stack height to restore (drops activations cut off by `shift`).
        truncate_to: u32,
        /// Start of the stack segment a `shift` under it captures: the
        /// locals of the activation that ran `reset`, and everything above.
        seg_base: u32,
        /// The `k v` call that pushed it as the base of a resumed
        /// continuation: an entry of the dlang call stack (None for a
        /// `reset`, and for a continuation called in tail position of a
        /// `reset` or `shift` body, which leaves no frame).
        resumed_by: Option<NodeId>,
    },
    /// `App` node: the function is being evaluated.
    AppFunction {
        call: NodeId,
    },
    /// `App` node: the argument is being evaluated.
    AppArgument {
        func: Value,
        call: NodeId,
    },
    /// `Call` node: the function is being evaluated.
    CallFunction {
        node: NodeId,
    },
    /// `Call` node: argument `index` is being evaluated; the function and
    /// the `collected` arguments since its last application are on top
    /// of the value stack.
    CallArgument {
        node: NodeId,
        index: u32,
        collected: u32,
    },
    /// `Call` node: the function is running on the arguments before
    /// `index`; what it returns is the function for the rest.
    CallApplied {
        node: NodeId,
        index: u32,
    },
    /// `BinOp` node: the left operand is being evaluated.
    BinOpLeft {
        node: NodeId,
    },
    /// `BinOp` node: the right operand is being evaluated.
    BinOpRight {
        left: Value,
        node: NodeId,
    },
    UnOp {
        node: NodeId,
    },
    ShortCircuit {
        node: NodeId,
    },
    IfCondition {
        node: NodeId,
    },
    LetValue {
        node: NodeId,
    },
    MatchScrutinee {
        node: NodeId,
    },
    /// A guard of arm `arm` is being evaluated.
    MatchGuard {
        node: NodeId,
        arm: u32,
        scrutinee: Value,
    },
    /// `Build` node: the `done` parts evaluated so far are on top of the
    /// value stack.
    BuildPart {
        node: NodeId,
        done: u32,
    },
    SeqFirst {
        then: NodeId,
    },
    /// The delimiter of a `grad`: the differentiated function is running
    /// above it, on the session's tracked input (see `interp::grad`).
    GradDelimiter {
        session: crate::runtime::ad::Session,
        /// The `grad` call, where an error of the backward pass is reported.
        call: NodeId,
    },
    /// A native `List.sort` waits for a comparison (see `interp::sort`).
    Sort(Box<super::sort::SortState>),
    ForFrom {
        node: NodeId,
    },
    ForTo {
        node: NodeId,
        from: i64,
    },
    /// The body of iteration `index` is running.
    ForBody {
        node: NodeId,
        index: i64,
        end: i64,
    },
    WhileCondition {
        node: NodeId,
    },
    WhileBody {
        node: NodeId,
    },
    /// `try` node `node`: its body is running. An exception raised above
    /// comes back to the activation and stack height it had then.
    Handler {
        node: NodeId,
        fp: u32,
        cur: Rc<Closure>,
        stack_len: u32,
    },
    /// A guard of arm `arm` of `try` node `node` is being evaluated for
    /// the exception `raised`, which goes on if the guard is false.
    HandlerGuard {
        node: NodeId,
        arm: u32,
        raised: super::machine::Fail,
    },
}

impl Frame {
    /// Moves the frame's stack positions by `delta` (wrapping), used when
    /// a captured stack segment is copied to another height.
    pub fn relocate(&mut self, delta: u32, add: bool) {
        let shift = |x: &mut u32| {
            *x = if add {
                x.wrapping_add(delta)
            } else {
                x.wrapping_sub(delta)
            }
        };
        match self {
            Frame::Return { fp, .. } => shift(fp),
            Frame::Delimiter {
                fp,
                truncate_to,
                seg_base,
                ..
            } => {
                shift(fp);
                shift(truncate_to);
                shift(seg_base);
            }
            Frame::Handler { fp, stack_len, .. } => {
                shift(fp);
                shift(stack_len);
            }
            _ => {}
        }
    }
}
