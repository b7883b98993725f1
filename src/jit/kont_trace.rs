//! The call-stack entries a failure in continuation-passing code adds for
//! the callers its continuation stands for.
//!
//! Continuation-passing code makes its calls as tail calls: the native
//! stack holds none of the activations waiting for a value, which live on
//! the heap as the chain of continuation closures from the failing
//! function's continuation on (`ir::KontFrames`). On the failure path the
//! generated code hands that continuation to [`trace_konts`], which walks
//! the chain and adds, for every activation it reaches, the entry the
//! interpreter shows for the same pending frame: the activation's function
//! (or, for a resumed `reset` body, its provisional entry, named by a
//! resuming call) with the span of the call it is waiting on named in the
//! entry before. Nothing is recorded while the code runs.

#![forbid(unsafe_code)]

use super::context::JitCtx;
use super::ir::{KontEntry, KontInfo};
use super::native::ValPtr;
use crate::runtime::value::Value;

/// `(ctx, function: i32, kont: val)`: the function failing, its
/// continuation lent (possibly null, before it is read). A leaf.
pub const TRACE_KONTS_SYMBOL: &str = "dlang_jit_trace_konts";

/// The failure path's walk of the continuation chain (see the module).
pub extern "C" fn trace_konts(ctx: &mut JitCtx<'_>, func: u32, kont: ValPtr) {
    if kont.bits() == 0 {
        return;
    }
    let frames = std::rc::Rc::clone(&ctx.kont_frames);
    let Some((_, same, name)) = frames.kont_of.get(&func) else {
        return;
    };
    let (mut same, mut name) = (*same, name.as_str());
    let mut k = kont.value();
    // A chain ends: each continuation's is made before it.
    loop {
        let Value::Closure(closure) = k else {
            return;
        };
        let Some(info) = frames.by_code.get(&closure.code) else {
            return;
        };
        if !same {
            // The activation `name` returns its value to `k`: the call
            // that made it is `k`'s, and `k`'s activation is its caller.
            if let Some(span) = call_of(info, name) {
                ctx.name_pending(span);
            }
            match info.entry {
                KontEntry::Hidden => {}
                KontEntry::Named => ctx.push_trace(info.func.0, false),
                KontEntry::Resumed => ctx.push_resumed(info.func.0),
            }
            name = &info.name;
        }
        let Some((index, next_same)) = info.next else {
            return;
        };
        let Some(next) = closure.captures.get(index as usize) else {
            return;
        };
        (k, same) = (next, next_same);
    }
}

/// The span of the call of `callee` whose value `info`'s continuation
/// resumes with: the one call of that name, else the one call of a
/// function value, else the one call there is (the activation was
/// entered by tail calls from it: its entry replaced the caller's, as on
/// the interpreter); none if that is not one call.
fn call_of(info: &KontInfo, callee: &str) -> Option<u32> {
    let one = |named: Option<&str>| {
        let mut calls = info
            .calls
            .iter()
            .filter(|(n, _)| n.as_deref() == named)
            .map(|(_, span)| span.0);
        let first = calls.next()?;
        calls.all(|s| s == first).then_some(first)
    };
    let only = || {
        let mut spans = info.calls.iter().map(|(_, span)| span.0);
        let first = spans.next()?;
        spans.all(|s| s == first).then_some(first)
    };
    one(Some(callee)).or_else(|| one(None)).or_else(only)
}
