//! The only place the JIT uses `unsafe`: calling finished machine code, and
//! the raw `Value` pointers that generated code passes around.
//!
//! # Safety contract
//!
//! What makes these operations sound is guaranteed by the code generator
//! ([`codegen`](super::codegen)) and by this module, not by the callers:
//!
//! - A code pointer given to [`call_entry`] is the finished address of an
//!   *entry trampoline* of a live `JITModule` (the module outlives the
//!   call: [`Compiled`](super::codegen::Compiled) owns both), and every
//!   trampoline has exactly the signature `extern "C" fn(*mut JitCtx,
//!   *const u64, *mut u64) -> u32`: codegen builds it with the host's
//!   default (C) calling convention and these parameter types. It reads
//!   as many argument words as the function it wraps has parameters, and
//!   [`call_entry`]'s callers pass exactly that many (checked against the
//!   IR before the call).
//! - A [`ValPtr`] is only ever made by [`ValPtr::new`] or
//!   [`ValPtr::from_rc`] (from `Rc::into_raw`) or read back from a word generated code wrote, which
//!   holds a pointer that came from `ValPtr::new` or a shim's result.
//!   Generated code keeps the count right: every `val` it holds is one
//!   strong reference (counted inline at [`RC_STRONG_OFFSET`], a layout
//!   the tests check), it retains before it passes a reference on (an
//!   argument of a call, a result) and releases each one exactly once
//!   (when its binding's scope ends, on normal and on error paths), and it
//!   lends a `val` to a shim only while holding it. So a `ValPtr` a shim
//!   sees points to a live `Value`, and [`ValPtr::take`] and
//!   [`ValPtr::release`] give up a reference that was really held.
//! - The closure trampoline given to [`call_closure`] is the one codegen
//!   built for the live module (C convention, five words in, a status
//!   out), and the `code` it calls is the address of one of that
//!   module's closure bodies, each of which codegen checked to have the
//!   signature `(ctx, val, val) -> (status, val)`; the JIT's context keeps
//!   only those addresses.
//! - The argument array of a [`ValArray`] is a stack slot of the calling
//!   generated function holding `len` `ValPtr`s that it holds for the call.
//! - Generated code runs on the current thread only (`Rc` values never
//!   cross threads), and Rust panics never unwind through it: every shim
//!   that can panic catches it (see [`abi`](super::abi)).

#![allow(unsafe_code)]

use std::rc::Rc;

use super::context::JitCtx;
use crate::runtime::value::Value;

/// A counted reference to a runtime `Value`, as generated code holds it:
/// the pointer `Rc::into_raw` gives, passed as a machine word.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValPtr(*const Value);

impl ValPtr {
    /// A new reference owning `value`.
    pub fn new(value: Value) -> ValPtr {
        ValPtr::from_rc(Rc::new(value))
    }

    /// A new reference to a value already counted.
    pub fn from_rc(value: Rc<Value>) -> ValPtr {
        ValPtr(Rc::into_raw(value))
    }

    /// The reference generated code wrote as a word.
    pub fn from_bits(bits: u64) -> ValPtr {
        ValPtr(bits as usize as *const Value)
    }

    pub fn bits(self) -> u64 {
        self.0 as usize as u64
    }

    /// The value, borrowed for as long as its holder keeps it.
    pub fn value(&self) -> &Value {
        // SAFETY: the pointer came from `Rc::into_raw` and its holder keeps
        // the reference alive during the borrow (module contract).
        unsafe { &*self.0 }
    }

    /// Takes over the reference.
    pub fn take(self) -> Rc<Value> {
        // SAFETY: the pointer came from `Rc::into_raw` and the reference it
        // stands for is given up by the caller (module contract).
        unsafe { Rc::from_raw(self.0) }
    }

    /// Gives up one reference (frees the value with its last). A null
    /// pointer (a `val` variable read before any assignment, which
    /// well-formed IR never does) is left alone rather than dereferenced.
    pub fn release(self) {
        if !self.0.is_null() {
            drop(self.take());
        }
    }
}

/// Where the strong count of a `val`'s `Rc` is, in bytes from the pointer
/// `Rc::into_raw` gives: std's `RcInner` is `#[repr(C)] { strong: usize,
/// weak: usize, value }`, and `Value`'s alignment puts `value` right after
/// the two counts. Generated code retains and releases by adding to it
/// (`translate.rs`), except the last release, which it leaves to
/// [`ValPtr::release`]; the test below checks the offset against `Rc`.
pub const RC_STRONG_OFFSET: i32 = -2 * std::mem::size_of::<usize>() as i32;

const _: () = assert!(std::mem::align_of::<Value>() <= 2 * std::mem::size_of::<usize>());

/// The address of an array of `ValPtr`s that generated code lends a shim.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct ValArray(*const ValPtr);

impl ValArray {
    /// Its first `len` references.
    pub fn slice<'a>(self, len: u64) -> &'a [ValPtr] {
        if len == 0 {
            return &[];
        }
        // SAFETY: a stack slot of the caller holding `len` live `ValPtr`s
        // for the duration of the call (module contract).
        unsafe { std::slice::from_raw_parts(self.0, len as usize) }
    }
}

/// The finished address of an entry trampoline.
#[derive(Clone, Copy, Debug)]
pub struct EntryCode(*const u8);

impl EntryCode {
    /// `code` must be what `JITModule::get_finalized_function` returned for
    /// an entry trampoline (module contract); nothing is read here.
    pub fn new(code: *const u8) -> EntryCode {
        EntryCode(code)
    }
}

/// The finished address of the closure trampoline: `extern "C"
/// fn(*mut JitCtx, code, closure, arg, *mut u64) -> u32`, which calls the
/// closure body at `code` in the `tail` convention.
#[derive(Clone, Copy, Debug)]
pub struct ClosureEntry(*const u8);

impl ClosureEntry {
    /// `code` must be what `JITModule::get_finalized_function` returned
    /// for the closure trampoline (module contract).
    pub fn new(code: *const u8) -> ClosureEntry {
        ClosureEntry(code)
    }
}

type ClosureTrampoline = extern "C" fn(*mut JitCtx<'_>, u64, ValPtr, ValPtr, *mut u64) -> u32;

/// Runs the closure body at `code` (an address of `Compiled::closure_code`,
/// so a body `(val, val) -> val`), handing it both references; returns the
/// raw status and the result word.
pub fn call_closure(
    entry: ClosureEntry,
    ctx: &mut JitCtx<'_>,
    code: u64,
    closure: ValPtr,
    arg: ValPtr,
) -> (u32, u64) {
    // SAFETY: `entry` is the finished closure trampoline of a live module
    // with the `ClosureTrampoline` signature, and `code` the address of a
    // closure body of the same module, whose signature codegen checked
    // (module contract).
    let trampoline: ClosureTrampoline =
        unsafe { std::mem::transmute::<*const u8, ClosureTrampoline>(entry.0) };
    let mut result = 0u64;
    let status = trampoline(ctx, code, closure, arg, &mut result);
    (status, result)
}

/// The signature of every entry trampoline codegen builds.
type Entry = extern "C" fn(*mut JitCtx<'_>, *const u64, *mut u64) -> u32;

/// Runs the function behind an entry trampoline with its arguments as
/// words; returns the raw status and the result word.
pub fn call_entry(code: EntryCode, ctx: &mut JitCtx<'_>, args: &[u64]) -> (u32, u64) {
    // SAFETY: `code` is a finished entry trampoline of a live module with
    // the `Entry` signature, and `args` holds one word per parameter
    // (module contract).
    let entry: Entry = unsafe { std::mem::transmute::<*const u8, Entry>(code.0) };
    let mut result = 0u64;
    let status = entry(ctx, args.as_ptr(), &mut result);
    (status, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What generated code reads at `RC_STRONG_OFFSET` is `Rc`'s strong
    /// count, and writing it is what `Rc` counts.
    #[test]
    fn the_strong_count_is_where_generated_code_counts() {
        let value = Rc::new(Value::Int(7));
        let raw = Rc::into_raw(Rc::clone(&value));
        // SAFETY: `raw` is live (two references) and its `RcInner` starts
        // `-RC_STRONG_OFFSET` bytes before it, with the count first.
        let count = unsafe {
            &mut *raw
                .cast::<u8>()
                .offset(RC_STRONG_OFFSET as isize)
                .cast::<usize>()
                .cast_mut()
        };
        assert_eq!(*count, 2);
        *count += 1;
        assert_eq!(Rc::strong_count(&value), 3);
        *count -= 1;
        // SAFETY: the reference `into_raw` gave up.
        drop(unsafe { Rc::from_raw(raw) });
        assert_eq!(Rc::strong_count(&value), 1);
    }
}
