//! The call-stack entries of the functions compiled reverse mode inlines
//! (docs/jit.md, "Compiled reverse mode"): the interpreter runs the
//! function a `grad` differentiates, and every function it calls, as
//! calls, so an error in their forward code (R015 from a loop's records)
//! names them in its call stack. The inlined code keeps those entries as
//! [`ir::Expr::Inlined`], which costs nothing on the normal path: only a
//! failure leaving it writes them into the trace.
//!
//! The entries follow the interpreter's rules, decided here statically: a
//! function entered by the `grad` is called at the `grad`'s span; one
//! called in tail position of an inlined function whose frame replaces a
//! tail caller's (`closure::is_simple` says which do not) takes that
//! caller's entry and call span. The backward code runs after the
//! function returned (in the `grad` primitive, on the interpreter), so it
//! is outside every frame.

#![forbid(unsafe_code)]

use super::closure::{is_simple, tail_positions};
use super::reverse::Reverse;
use crate::jit::ir::{self, InlinedFrame, SpanId};
use crate::syntax::ast::{Expr, ExprKind, Pattern};
use crate::types::TypeInfo;

/// How a function appears in the call stack of its inlined code.
pub(super) struct Entered<'a> {
    pub(super) name: String,
    /// Its last parameter (which, with the body, decides whether its
    /// frame replaces a tail caller's) and its body.
    pub(super) param: Option<&'a Pattern<TypeInfo>>,
    pub(super) body: &'a Expr<TypeInfo>,
    /// The span of the call, and whether it is in tail position of the
    /// inlined function that makes it.
    pub(super) call: SpanId,
    pub(super) tail: bool,
}

impl<'a> Reverse<'_, '_, 'a> {
    /// Whether the application `e` is in tail position of the function
    /// whose code is being inlined (never for the `grad`'s own call).
    pub(super) fn in_tail_position(&self, e: &'a Expr<TypeInfo>) -> bool {
        self.tails
            .last()
            .is_some_and(|tails| tails.contains(&address(e)))
    }

    /// Runs `lower` (the forward code of `entered`'s body) inside its
    /// call-stack entry: the forward statements it adds are wrapped in one
    /// [`ir::Expr::Inlined`] naming every inlined frame open there.
    pub(super) fn framed<T>(
        &mut self,
        entered: Entered<'a>,
        lower: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<T> {
        let replaces = entered
            .param
            .is_some_and(|param| !is_simple(param, entered.body));
        let outer = self.frames.clone();
        let mut call = entered.call;
        if entered.tail && replaces {
            if let Some(caller) = self.frames.pop() {
                call = caller.call;
            }
        }
        let name = self.frame_name(&entered.name);
        self.frames.push(InlinedFrame { name, call });
        let tails = tail_positions(entered.body)
            .filter(|e| matches!(e.kind, ExprKind::App(..)))
            .map(address)
            .collect();
        self.tails.push(tails);
        let start = self.forward.len();
        let lowered = lower(self);
        let code: Vec<ir::Expr> = self
            .forward
            .drain(start.min(self.forward.len())..)
            .collect();
        if !code.is_empty() {
            let frames = self.frames.iter().rev().copied().collect();
            self.forward.push(ir::Expr::Inlined {
                frames,
                body: Box::new(ir::Expr::Seq(code)),
            });
        }
        self.tails.pop();
        self.frames = outer;
        lowered
    }

    /// The index of `name` in `Program::inlined_names`, added once.
    fn frame_name(&mut self, name: &str) -> u32 {
        let names = &mut self.f.lowering.program.inlined_names;
        match names.iter().position(|n| n == name) {
            Some(i) => i as u32,
            None => {
                names.push(name.to_string());
                names.len() as u32 - 1
            }
        }
    }
}

fn address(e: &Expr<TypeInfo>) -> usize {
    e as *const Expr<TypeInfo> as usize
}
