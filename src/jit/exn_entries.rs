//! The runtime entries of exceptions in compiled code (`try`, `assert`):
//! docs/jit.md, Exceptions.
//!
//! An exception travels as any error does: a status word out of every
//! call, with the [`RuntimeError`] (carrying the exception) in the
//! context and the call trace growing as it leaves each function. A
//! `try` tests the status where its body comes back: [`catch`] takes an
//! exception (and only an exception) out of the context onto
//! [`JitCtx::caught`], with the fault site and trace of its raise, and
//! abandons the `grad`s and `jvp`s opened inside the body, innermost
//! first, as the interpreter's unwinding does. The handler's arms then
//! run; the arm chosen forgets the exception ([`handled`]), and when none
//! matches, [`reraise`] puts it back as it was, so it goes on with the
//! place and call stack of its raise.
//!
//! The caught exceptions are a stack because a guard may run a `try` of
//! its own. A guard that fails leaves its `try`'s entry behind; the next
//! `try` that catches drops every entry above its own mark.

#![forbid(unsafe_code)]

use std::panic::{catch_unwind, AssertUnwindSafe};

use cranelift_jit::JITBuilder;

use super::abi::{guard, internal, EntrySig};
use super::context::{JitCtx, SavedTrace, Status};
use super::ir::{ExnFn, Ty};
use super::native::ValPtr;
use crate::runtime::error::RuntimeError;
use crate::runtime::exn;
use crate::runtime::value::Value;

/// `(ctx, status: i32, mark: i64, out) -> status`: what a `try` calls
/// when its body failed with `status`. An exception is caught: it is
/// written to `*out` and the result is 0. Anything else is given back.
pub const CATCH_SYMBOL: &str = "dlang_jit_catch";

/// `(ctx) -> status`: raises again the exception the innermost running
/// handler caught; the result is the status to leave with.
pub const RERAISE_SYMBOL: &str = "dlang_jit_reraise";

/// An exception a handler is deciding about: the error and what the
/// context said about its raise.
pub struct Caught {
    error: RuntimeError,
    fault_site: u32,
    trace: SavedTrace,
}

pub fn signature(op: ExnFn) -> EntrySig {
    let sig = EntrySig::fallible;
    match op {
        ExnFn::TryMark => sig("dlang_jit_try_mark", &[], Ty::I64),
        ExnFn::Handled => sig("dlang_jit_handled", &[], Ty::Unit),
        ExnFn::AssertFailure => sig(
            "dlang_jit_assert_failure",
            &[Ty::I64, Ty::I64, Ty::I64],
            Ty::Val,
        ),
    }
}

pub fn register(builder: &mut JITBuilder) {
    let symbol = |op| signature(op).symbol;
    builder.symbol(symbol(ExnFn::TryMark), try_mark as *const u8);
    builder.symbol(symbol(ExnFn::Handled), handled as *const u8);
    builder.symbol(symbol(ExnFn::AssertFailure), assert_failure as *const u8);
    builder.symbol(CATCH_SYMBOL, catch as *const u8);
    builder.symbol(RERAISE_SYMBOL, reraise as *const u8);
}

/// The open sessions (low half) and caught exceptions (high half).
fn mark(ctx: &JitCtx<'_>) -> u64 {
    (ctx.caught.len() as u64) << 32 | ctx.sessions.len() as u64
}

extern "C" fn try_mark(ctx: &mut JitCtx<'_>, out: &mut u64) -> u32 {
    guard(ctx, out, "try_mark", |ctx| Ok(mark(ctx)))
}

extern "C" fn catch(ctx: &mut JitCtx<'_>, status: u32, mark: u64, out: &mut u64) -> u32 {
    match catch_unwind(AssertUnwindSafe(|| take_exception(ctx, status, mark))) {
        Ok(Some(exception)) => {
            *out = ValPtr::new(exception).bits();
            Status::Ok as u32
        }
        Ok(None) => status,
        Err(_) => {
            ctx.raised = Some(internal("panic in runtime shim `catch`".into()));
            Status::Panicked as u32
        }
    }
}

/// The exception of a body that failed with `status`, now caught; `None`
/// (the context untouched) for any other failure.
fn take_exception(ctx: &mut JitCtx<'_>, status: u32, mark: u64) -> Option<Value> {
    let is_exception = ctx.raised.as_ref().is_some_and(|e| e.raised.is_some());
    if status != Status::Raised as u32 || !is_exception {
        return None;
    }
    let error = ctx.raised.take()?;
    let exception = error.raised.as_ref()?.value.clone();
    ctx.caught.truncate((mark >> 32) as usize);
    let sessions = (mark & u64::from(u32::MAX)) as usize;
    while ctx.sessions.len() > sessions {
        if let Some(session) = ctx.sessions.pop() {
            session.abandon(ctx.runtime);
        }
    }
    // Outside error paths the trace is empty.
    let trace = ctx.take_trace();
    ctx.caught.push(Caught {
        error,
        fault_site: ctx.fault_site,
        trace,
    });
    Some(exception)
}

extern "C" fn handled(ctx: &mut JitCtx<'_>, out: &mut u64) -> u32 {
    guard(ctx, out, "handled", |ctx| match ctx.caught.pop() {
        Some(_) => Ok(0),
        None => Err(internal("a handler without its exception".into())),
    })
}

extern "C" fn reraise(ctx: &mut JitCtx<'_>) -> u32 {
    let Some(caught) = ctx.caught.pop() else {
        ctx.raised = Some(internal("a handler without its exception".into()));
        return Status::Raised as u32;
    };
    ctx.raised = Some(caught.error);
    ctx.fault_site = caught.fault_site;
    ctx.restore_trace(caught.trace);
    Status::Raised as u32
}

extern "C" fn assert_failure(
    ctx: &mut JitCtx<'_>,
    file: i64,
    line: i64,
    column: i64,
    out: &mut u64,
) -> u32 {
    guard(ctx, out, "assert_failure", |ctx| {
        let file = usize::try_from(file)
            .ok()
            .and_then(|i| ctx.strings.get(i))
            .ok_or_else(|| internal(format!("no string constant {file}")))?;
        Err(RuntimeError::raise(exn::assert_failure(file, line, column)))
    })
}
