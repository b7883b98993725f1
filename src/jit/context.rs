//! The context every generated function receives as its first argument,
//! and the status it returns beside its value.
//!
//! Generated code reads and writes the first fields at fixed offsets
//! ([`Layout`]): the stack limit at every entry, the Ctrl-C flag at every
//! entry and loop header, the fault site and the call trace on error
//! paths. The rest is only for the runtime shims.

#![forbid(unsafe_code)]

use super::native::ClosureEntry;
use crate::runtime::ad::Session;
use crate::runtime::call_stack::{CallStack, CALL_STACK_SHOWN};
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::value::Value;
use crate::syntax::ast::Span;
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Entries (runs of one call, see [`CallStack`]) of the call trace kept
/// with an error, innermost first: as many as an error shows.
pub const TRACE_CAP: usize = CALL_STACK_SHOWN;

/// The trace's slots: the entries kept, and one more for the innermost
/// entry once they are full, so its flags are always there. The entry in
/// it goes to the one before (same call) or to the count of calls past
/// the kept entries when the next entry comes ([`JitCtx::push_trace`]).
pub const TRACE_SLOTS: usize = TRACE_CAP + 1;

/// `(ctx, function: i32, replaces_tail_caller: i32)`: a function's fail
/// exit adds its entry to the trace ([`JitCtx::push_trace`]). A leaf.
pub const TRACE_PUSH_SYMBOL: &str = "dlang_jit_trace_push";

/// Set in a trace entry's `func`, the rest is an index into
/// `Program::inlined_names`: a function compiled reverse mode inlined
/// (`ir::Expr::Inlined`), which has no generated function of its own.
pub const INLINED_FRAME: u32 = 1 << 31;

/// A trace entry whose call span is not known yet: the failing function
/// wrote its id, its caller writes the span of the call.
pub const PENDING_SPAN: u32 = u32::MAX;

/// `(ctx, function: i32)`: a continuation's fail exit adds its entry, with
/// [`RESUMED_SPAN`] ([`JitCtx::push_resumed`]). A leaf.
pub const TRACE_RESUMED_SYMBOL: &str = "dlang_jit_trace_resumed";

/// The pending span of a continuation's entry (`ir::Frame::Continuation`):
/// only a call that resumes it with work pending (`ir::Expr::Resume`)
/// names it; one a tail call left unnamed goes, as on the interpreter.
pub const RESUMED_SPAN: u32 = u32::MAX - 1;

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
    /// How many calls in a row of this function from this span the entry
    /// stands for.
    pub times: u32,
}

/// The trace as a `try` keeps it while its handler decides about an
/// exception (see [`exn_entries`](super::exn_entries)).
#[derive(Clone, Copy)]
pub struct SavedTrace {
    len: u32,
    entries: [TraceEntry; TRACE_SLOTS],
    omitted: usize,
}

#[repr(C)]
pub struct JitCtx<'rt> {
    /// The lowest stack address a function may start at: below it, the
    /// function returns a stack-overflow fault instead of running.
    pub stack_limit: u64,
    /// The runtime's Ctrl-C flag (`RuntimeCtx::interrupted`), which
    /// generated code reads with an atomic load at every function entry
    /// and loop header: set, the function faults with R006 (see
    /// `site::SiteKind::Interrupt`). It points into `interrupt`, which
    /// keeps the flag alive as long as the context.
    pub interrupt_flag: *const AtomicBool,
    /// The fault site (an index into the compiled program's site table)
    /// of the last error.
    pub fault_site: u32,
    /// Set (non-zero) by a shim that leaves with the failure of a closure
    /// it called back (see [`callback`](super::callback)): the fault site
    /// is the closure's, so the generated code the shim returns to keeps
    /// it instead of writing the shim's own site, and clears the flag.
    pub site_kept: u32,
    /// The slots of `trace` in use.
    pub trace_len: u32,
    pub trace: [TraceEntry; TRACE_SLOTS],
    /// Calls counted past the kept entries.
    pub trace_omitted: usize,
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
    /// The frames continuation closures stand for (`Program::kont_frames`),
    /// read by a failure's walk ([`kont_trace`](super::kont_trace)).
    pub kont_frames: Rc<super::ir::KontFrames>,
    /// How Rust calls a closure body (see [`callback`](super::callback)).
    pub closure_entry: Option<ClosureEntry>,
    /// The status of a closure that failed under a shim: the shim leaves
    /// with it (its error is already in the context).
    pub callback_status: Option<u32>,
    /// The `grad`, `value_and_grad` and `jvp` invocations open, innermost
    /// last: they nest as the calls do (a continuation cannot leave one,
    /// the checker sees to it), so a stack is enough.
    pub sessions: Vec<Session>,
    /// The value of the last pattern that failed to match, for its R004.
    pub unmatched: Option<Value>,
    /// The exceptions `try` handlers are deciding about, innermost last
    /// (see [`exn_entries`](super::exn_entries)).
    pub caught: Vec<super::exn_entries::Caught>,
    /// The records compiled reverse mode's loops keep for their backward
    /// pass (see [`tape_entries`](super::tape_entries)): its length is its
    /// capacity, the words in use are those below `tape_top`.
    pub tape: Vec<u64>,
    /// The address of the buffer's next free word, and of its end: the
    /// generated code pushes and pops there (a push finding them equal
    /// calls the reserve entry).
    pub tape_top: u64,
    pub tape_end: u64,
    /// The constructors without an argument made so far, by the string
    /// constant of their name, with their tag: one value each, shared by
    /// every use (see `data_entries::constant_variant`).
    pub constant_variants: Vec<Option<(i64, Rc<Value>)>>,
    /// `()`, `false` and `true`, boxed once: boxing one of them is a count
    /// (a closure returning a `bool` or `unit` does it at every call).
    pub unit: Rc<Value>,
    pub bools: [Rc<Value>; 2],
    /// Owns the flag `interrupt_flag` points to.
    pub interrupt: Arc<AtomicBool>,
}

/// Byte offsets of the fields generated code touches.
pub struct Layout;

impl Layout {
    pub const STACK_LIMIT: i32 = std::mem::offset_of!(JitCtx<'static>, stack_limit) as i32;
    pub const INTERRUPT_FLAG: i32 = std::mem::offset_of!(JitCtx<'static>, interrupt_flag) as i32;
    pub const FAULT_SITE: i32 = std::mem::offset_of!(JitCtx<'static>, fault_site) as i32;
    pub const SITE_KEPT: i32 = std::mem::offset_of!(JitCtx<'static>, site_kept) as i32;
    pub const TRACE_LEN: i32 = std::mem::offset_of!(JitCtx<'static>, trace_len) as i32;
    pub const TRACE: i32 = std::mem::offset_of!(JitCtx<'static>, trace) as i32;
    pub const TAPE_TOP: i32 = std::mem::offset_of!(JitCtx<'static>, tape_top) as i32;
    pub const TAPE_END: i32 = std::mem::offset_of!(JitCtx<'static>, tape_end) as i32;
    pub const TRACE_ENTRY_SIZE: i64 = std::mem::size_of::<TraceEntry>() as i64;
    pub const TRACE_ENTRY_SPAN: i32 = std::mem::offset_of!(TraceEntry, span) as i32;
    pub const TRACE_ENTRY_REPLACES: i32 =
        std::mem::offset_of!(TraceEntry, replaces_tail_caller) as i32;
}

impl<'rt> JitCtx<'rt> {
    pub fn new(runtime: &'rt mut RuntimeCtx) -> JitCtx<'rt> {
        let interrupt = runtime.interrupted.clone();
        JitCtx {
            stack_limit: 0,
            interrupt_flag: Arc::as_ptr(&interrupt),
            fault_site: 0,
            site_kept: 0,
            trace_len: 0,
            trace: [TraceEntry::default(); TRACE_SLOTS],
            trace_omitted: 0,
            runtime,
            raised: None,
            strings: Vec::new(),
            globals: Vec::new(),
            closure_code: Vec::new(),
            records: Vec::new(),
            closure_cps_code: Vec::new(),
            kont_frames: Rc::default(),
            closure_entry: None,
            callback_status: None,
            sessions: Vec::new(),
            caught: Vec::new(),
            unmatched: None,
            tape: Vec::new(),
            tape_top: 0,
            tape_end: 0,
            constant_variants: Vec::new(),
            unit: Rc::new(Value::Unit),
            bools: [Rc::new(Value::Bool(false)), Rc::new(Value::Bool(true))],
            interrupt,
        }
    }

    /// Adds the entry of a function leaving with an error, its call span
    /// pending, after settling the last one (its call named by now).
    pub fn push_trace(&mut self, func: u32, replaces_tail_caller: bool) {
        self.settle_trace();
        let slot = self.trace_len as usize;
        self.trace[slot] = TraceEntry {
            func,
            span: PENDING_SPAN,
            replaces_tail_caller: u32::from(replaces_tail_caller),
            times: 1,
        };
        self.trace_len += 1;
    }

    /// Adds the entry of a continuation leaving with an error: named only
    /// if the call that resumed it had work pending.
    pub fn push_resumed(&mut self, func: u32) {
        self.push_trace(func, false);
        let last = self.trace_len as usize - 1;
        self.trace[last].span = RESUMED_SPAN;
    }

    /// Names the innermost entry's call `span` if it is still pending.
    pub fn name_pending(&mut self, span: u32) {
        let Some(last) = (self.trace_len as usize).checked_sub(1) else {
            return;
        };
        let entry = &mut self.trace[last.min(TRACE_CAP)];
        if entry.span == PENDING_SPAN {
            entry.span = span;
        }
    }

    /// Settles the last (outermost) entry: one whose call nobody named is
    /// not a call (the outermost function, or one a frame out of the call
    /// stack passed on) and goes; one of the same call as the entry before
    /// joins it; one past the kept entries is counted. Leaves a slot free.
    fn settle_trace(&mut self) {
        let Some(last) = (self.trace_len as usize).checked_sub(1) else {
            return;
        };
        let newest = self.trace[last];
        self.trace_len -= 1;
        if newest.span == PENDING_SPAN || newest.span == RESUMED_SPAN {
            return;
        }
        if let Some(before) = last.checked_sub(1).map(|i| &mut self.trace[i]) {
            let same = (before.func, before.span) == (newest.func, newest.span);
            if same && self.trace_omitted == 0 {
                before.times += newest.times;
                return;
            }
        }
        if last < TRACE_CAP {
            self.trace_len += 1;
        } else {
            self.trace_omitted += newest.times as usize;
        }
    }

    /// The call stack of the error the trace was written for: `frame`
    /// gives an entry's function name and call span.
    pub fn call_stack<'n>(
        &mut self,
        frame: impl Fn(&TraceEntry) -> Option<(&'n str, Span)>,
    ) -> CallStack {
        self.settle_trace();
        let mut stack = CallStack::default();
        for entry in &self.trace[..self.trace_len as usize] {
            if let Some((name, call)) = frame(entry) {
                stack.push(name, call, entry.times as usize);
            }
        }
        stack.omitted += self.trace_omitted;
        stack
    }

    /// The innermost entry's call span, once its caller named it.
    pub fn innermost_call(&self) -> Option<u32> {
        let first = self.trace[..(self.trace_len as usize).min(1)].first()?;
        (first.span != PENDING_SPAN && first.span != RESUMED_SPAN).then_some(first.span)
    }

    /// Takes the trace out of the context (an empty one left), for a `try`
    /// deciding about an exception.
    pub fn take_trace(&mut self) -> SavedTrace {
        let saved = SavedTrace {
            len: self.trace_len,
            entries: self.trace,
            omitted: self.trace_omitted,
        };
        self.trace_len = 0;
        self.trace_omitted = 0;
        saved
    }

    pub fn restore_trace(&mut self, saved: SavedTrace) {
        self.trace_len = saved.len;
        self.trace = saved.entries;
        self.trace_omitted = saved.omitted;
    }

    /// Clears what the last error left, before a new run.
    pub fn reset_error(&mut self) {
        self.fault_site = 0;
        self.site_kept = 0;
        self.trace_len = 0;
        self.trace_omitted = 0;
        self.raised = None;
        self.callback_status = None;
        self.unmatched = None;
    }
}

/// The fail exit's entry ([`TRACE_PUSH_SYMBOL`]).
pub extern "C" fn trace_push(ctx: &mut JitCtx<'_>, func: u32, replaces_tail_caller: u32) {
    ctx.push_trace(func, replaces_tail_caller != 0);
}

/// A continuation's fail exit's entry ([`TRACE_RESUMED_SYMBOL`]).
pub extern "C" fn trace_resumed(ctx: &mut JitCtx<'_>, func: u32) {
    ctx.push_resumed(func);
}
