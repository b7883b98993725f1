//! Fault sites: every place in generated code where an error starts, and
//! how a failed run's status and context become a [`RuntimeError`] with
//! its span and call stack.

#![forbid(unsafe_code)]

use super::abi::internal;
use super::context::{JitCtx, Status, INLINED_FRAME};
use super::ir::{IntOp, MatchKind, Program, RuntimeFn, SpanId};
use crate::runtime::error::{ErrorKind, RuntimeError, Unmatched};
use crate::syntax::ast::BinOp;
use std::sync::atomic::Ordering;

/// What can go wrong at a site. A site's index is what a cold block
/// stores in `JitCtx::fault_site`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteKind {
    Overflow(IntOp),
    Negation,
    DivisionByZero(IntOp),
    /// The stack limit, checked on entry of a function.
    StackOverflow,
    /// Ctrl-C, polled at the entry (and self tail call) of a function and
    /// at every loop header: R006 without a place, like the interpreter's
    /// poll, with the call stack where it was heard.
    Interrupt,
    /// A runtime entry that failed or panicked.
    Runtime(RuntimeFn),
    /// A pattern that did not match (R004).
    MatchFailure(MatchKind),
}

#[derive(Clone, Copy, Debug)]
pub struct Site {
    pub span: SpanId,
    pub kind: SiteKind,
}

fn symbol(op: IntOp) -> &'static str {
    match op {
        IntOp::Add => "+",
        IntOp::Sub => "-",
        IntOp::Mul => "*",
        IntOp::Div => "/",
        IntOp::Rem => "%",
    }
}

/// The error a run that returned `raw_status` stopped with.
pub fn runtime_error(
    raw_status: u32,
    ctx: &mut JitCtx<'_>,
    program: &Program,
    sites: &[Site],
) -> RuntimeError {
    let site = sites.get(ctx.fault_site as usize).copied();
    let mut error = match Status::from_raw(raw_status) {
        Some(Status::Fault) => match site.map(|s| s.kind) {
            Some(SiteKind::Overflow(op)) => {
                RuntimeError::integer_overflow(&format!("`{}`", symbol(op)))
            }
            Some(SiteKind::Negation) => RuntimeError::integer_overflow("unary `-`"),
            Some(SiteKind::DivisionByZero(IntOp::Rem)) => {
                RuntimeError::division_by_zero(BinOp::Mod)
            }
            Some(SiteKind::DivisionByZero(_)) => RuntimeError::division_by_zero(BinOp::Div),
            Some(SiteKind::StackOverflow) => RuntimeError::stack_overflow(),
            Some(SiteKind::Interrupt) => {
                // Heard: cleared, as the interpreter's poll does, so a
                // second Ctrl-C is a new request (the driver ends the
                // process only on one that went unheard).
                ctx.interrupt.store(false, Ordering::SeqCst);
                RuntimeError::interrupted()
            }
            Some(SiteKind::MatchFailure(kind)) => match ctx.unmatched.take() {
                Some(value) => RuntimeError::match_failure(
                    match kind {
                        // A handler matching nothing raises again (no site is made).
                        MatchKind::Arms | MatchKind::Handler => Unmatched::Arms,
                        MatchKind::Let | MatchKind::Parameter => Unmatched::Pattern,
                        MatchKind::TopLevelLet => Unmatched::TopLevelLet,
                    },
                    &value,
                ),
                None => internal("a match failure without its value".into()),
            },
            Some(SiteKind::Runtime(_)) | None => internal("a fault without its site".into()),
        },
        Some(Status::Raised | Status::Panicked) => ctx
            .raised
            .take()
            .unwrap_or_else(|| internal("a shim failed without an error".into())),
        Some(Status::Ok) | None => internal(format!("unknown status {raw_status}")),
    };
    // The memory limit and Ctrl-C are polled, as on the interpreter: they
    // have no place.
    let polled =
        error.code == ErrorKind::OutOfMemory.code() || error.code == ErrorKind::Interrupted.code();
    if let Some(site) = site.filter(|_| !polled) {
        let span = match site.kind {
            // The failing function's own trace entry holds its call's span
            // (the interpreter fails at the call: binding the parameter,
            // pushing the frame).
            SiteKind::MatchFailure(MatchKind::Parameter) | SiteKind::StackOverflow => {
                ctx.innermost_call().map_or(site.span, SpanId)
            }
            _ => site.span,
        };
        if let Some(span) = program.spans.get(span.0 as usize) {
            error = error.at(*span);
        }
    }
    let stack = ctx.call_stack(|entry| {
        let name = match entry.func & INLINED_FRAME {
            0 => program.functions.get(entry.func as usize)?.name.as_str(),
            _ => program
                .inlined_names
                .get((entry.func & !INLINED_FRAME) as usize)?
                .as_str(),
        };
        Some((name, *program.spans.get(entry.span as usize)?))
    });
    error.with_call_stack(stack)
}
