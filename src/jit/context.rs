//! The context every generated function receives as its first argument,
//! and the status it returns beside its value.
//!
//! Generated code reads and writes the first fields at fixed offsets
//! ([`Layout`]): the stack limit at every entry, the fault site and the
//! call trace on error paths. The rest is only for the runtime shims.

#![forbid(unsafe_code)]

use super::native::ClosureEntry;
use crate::runtime::ad::Session;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::value::Value;
use std::rc::Rc;

/// Entries of the call trace kept with an error, innermost first (the
/// interpreter shows as many).
pub const TRACE_CAP: usize = 10;

/// The trace's slots: the entries kept, and one more where each entry past
/// them is written over the last, so the innermost entry's flags are
/// always there (`trace_len` counts every entry).
pub const TRACE_SLOTS: usize = TRACE_CAP + 1;

/// A trace entry whose call span is not known yet: the failing function
/// wrote its id, its caller writes the span of the call.
pub const PENDING_SPAN: u32 = u32::MAX;

/// What a generated function (and a fallible shim) returns beside its
/// value. Anything but `Ok` means the value is meaningless and the caller
/// returns the same status at once, after releasing what it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Status {
    Ok = 0,
    /// Generated code found the error itself (overflow, division by zero,
    /// stack limit): `JitCtx::fault_site` says which and where.
    Fault = 1,
    /// A runtime shim failed: the error is in `JitCtx::raised`.
    Raised = 2,
    /// A runtime shim panicked; the panic was caught at the shim's
    /// boundary and its message is in `JitCtx::raised`.
    Panicked = 3,
}

impl Status {
    pub fn from_raw(raw: u32) -> Option<Status> {
        [Status::Ok, Status::Fault, Status::Raised, Status::Panicked]
            .into_iter()
            .find(|s| *s as u32 == raw)
    }
}

/// One frame of the call trace: the failing function and the span of the
/// call that entered it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct TraceEntry {
    pub func: u32,
    pub span: u32,
    /// 1 if the function's frame replaces a caller that called it in
    /// tail position (`ir::Frame::Shown`).
    pub replaces_tail_caller: u32,
}

#[repr(C)]
pub struct JitCtx<'rt> {
    /// The lowest stack address a function may start at: below it, the
    /// function returns a stack-overflow fault instead of running.
    pub stack_limit: u64,
    /// The fault site (an index into the compiled program's site table)
    /// of the last error.
    pub fault_site: u32,
    pub trace_len: u32,
    pub trace: [TraceEntry; TRACE_SLOTS],
    pub runtime: &'rt mut RuntimeCtx,
    /// The error of a failed or panicking shim.
    pub raised: Option<RuntimeError>,
    /// The program's string constants (`Program::strings`).
    pub strings: Vec<std::rc::Rc<str>>,
    /// The top-level values read through the global table, by slot.
    pub globals: Vec<Value>,
    /// The finished address of each closure body (`Program::closures`),
    /// by a closure's `code`.
    pub closure_code: Vec<u64>,
    /// The program's record shapes (`Program::records`).
    pub records: Vec<super::ir::RecordShape>,
    /// The finished address of each closure body's continuation-passing
    /// entry (`Program::cps_closures`) by a closure's `code`, 0 for none.
    pub closure_cps_code: Vec<u64>,
    /// How Rust calls a closure body (see [`callback`](super::callback)).
    pub closure_entry: Option<ClosureEntry>,
    /// The status of a closure that failed under a shim: the shim leaves
    /// with it (its error is already in the context).
    pub callback_status: Option<u32>,
    /// The `grad`, `value_and_grad` and `jvp` invocations open, innermost
    /// last: they nest as the calls do (a continuation cannot leave one,
    /// the checker sees to it), so a stack is enough.
    pub sessions: Vec<Session>,
    /// The exceptions `try` handlers are deciding about, innermost last
    /// (see [`exn_entries`](super::exn_entries)).
    pub caught: Vec<super::exn_entries::Caught>,
    /// The constructors without an argument made so far, by the string
    /// constant of their name, with their tag: one value each, shared by
    /// every use (see `data_entries::constant_variant`).
    pub constant_variants: Vec<Option<(i64, Rc<Value>)>>,
    /// `()`, `false` and `true`, boxed once: boxing one of them is a count
    /// (a closure returning a `bool` or `unit` does it at every call).
    pub unit: Rc<Value>,
    pub bools: [Rc<Value>; 2],
}

/// Byte offsets of the fields generated code touches.
pub struct Layout;

impl Layout {
    pub const STACK_LIMIT: i32 = std::mem::offset_of!(JitCtx<'static>, stack_limit) as i32;
    pub const FAULT_SITE: i32 = std::mem::offset_of!(JitCtx<'static>, fault_site) as i32;
    pub const TRACE_LEN: i32 = std::mem::offset_of!(JitCtx<'static>, trace_len) as i32;
    pub const TRACE: i32 = std::mem::offset_of!(JitCtx<'static>, trace) as i32;
    pub const TRACE_ENTRY_SIZE: i64 = std::mem::size_of::<TraceEntry>() as i64;
    pub const TRACE_ENTRY_SPAN: i32 = std::mem::offset_of!(TraceEntry, span) as i32;
    pub const TRACE_ENTRY_REPLACES: i32 =
        std::mem::offset_of!(TraceEntry, replaces_tail_caller) as i32;
}

impl<'rt> JitCtx<'rt> {
    pub fn new(runtime: &'rt mut RuntimeCtx) -> JitCtx<'rt> {
        JitCtx {
            stack_limit: 0,
            fault_site: 0,
            trace_len: 0,
            trace: [TraceEntry::default(); TRACE_SLOTS],
            runtime,
            raised: None,
            strings: Vec::new(),
            globals: Vec::new(),
            closure_code: Vec::new(),
            records: Vec::new(),
            closure_cps_code: Vec::new(),
            closure_entry: None,
            callback_status: None,
            sessions: Vec::new(),
            caught: Vec::new(),
            constant_variants: Vec::new(),
            unit: Rc::new(Value::Unit),
            bools: [Rc::new(Value::Bool(false)), Rc::new(Value::Bool(true))],
        }
    }

    /// The entries generated code wrote, innermost first.
    pub fn trace(&self) -> &[TraceEntry] {
        &self.trace[..(self.trace_len as usize).min(TRACE_CAP)]
    }

    /// How many calls the trace counted past the entries it kept (the
    /// outermost entry, whose call nobody named, is not a call).
    pub fn omitted_calls(&self) -> usize {
        let len = self.trace_len as usize;
        if len <= TRACE_CAP {
            return 0;
        }
        let outermost_named = self.trace[TRACE_CAP].span != PENDING_SPAN;
        len - TRACE_CAP - usize::from(!outermost_named)
    }

    /// Clears what the last error left, before a new run.
    pub fn reset_error(&mut self) {
        self.fault_site = 0;
        self.trace_len = 0;
        self.raised = None;
        self.callback_status = None;
    }
}
