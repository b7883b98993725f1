//! The record buffer of compiled reverse mode's loops (docs/ad.md,
//! "Compiled reverse mode"): each iteration of a loop inside a compiled
//! gradient pushes the words its backward code needs, and the backward
//! pass pops them in reverse order. One buffer serves every loop and every
//! `grad` site of the run: loops nest as their records do, last in, first
//! out.
//!
//! The buffer's memory is counted like every other allocation of the run:
//! past the memory limit a push fails with the interpreter's R015 (out of
//! memory), at the span of the `grad` that pushes (the entry's span).

#![forbid(unsafe_code)]

use cranelift_jit::JITBuilder;

use super::abi::{guard, internal, EntrySig};
use super::context::JitCtx;
use super::ir::{TapeFn, Ty};
use crate::runtime::error::RuntimeError;
use crate::runtime::memory;

/// The fewest words the buffer grows by (so a short loop allocates once).
const MIN_GROWTH: usize = 1024;

pub fn signature(op: TapeFn) -> EntrySig {
    let sig = EntrySig::fallible;
    match op {
        TapeFn::PushFloat => sig("dlang_jit_tape_push_float", &[Ty::F64], Ty::Unit),
        TapeFn::PushInt => sig("dlang_jit_tape_push_int", &[Ty::I64], Ty::Unit),
        TapeFn::PopFloat => sig("dlang_jit_tape_pop_float", &[], Ty::F64),
        TapeFn::PopInt => sig("dlang_jit_tape_pop_int", &[], Ty::I64),
    }
}

pub fn register(builder: &mut JITBuilder) {
    let symbol = |op| signature(op).symbol;
    builder.symbol(symbol(TapeFn::PushFloat), push_float as *const u8);
    builder.symbol(symbol(TapeFn::PushInt), push_int as *const u8);
    builder.symbol(symbol(TapeFn::PopFloat), pop_float as *const u8);
    builder.symbol(symbol(TapeFn::PopInt), pop_int as *const u8);
}

/// Appends `word`, growing the buffer without aborting: a growth the
/// allocator refuses, or one that takes the run past the memory limit, is
/// R015.
fn push(ctx: &mut JitCtx<'_>, word: u64) -> Result<u64, RuntimeError> {
    let tape = &mut ctx.tape;
    if tape.len() == tape.capacity() {
        tape.try_reserve(tape.len().max(MIN_GROWTH))
            .map_err(|_| RuntimeError::out_of_memory())?;
        if memory::over_limit() {
            return Err(RuntimeError::out_of_memory());
        }
    }
    tape.push(word);
    Ok(0)
}

/// Takes the last word off. The lowering pops exactly what it pushed, so
/// an empty buffer is a broken invariant.
fn pop(ctx: &mut JitCtx<'_>) -> Result<u64, RuntimeError> {
    ctx.tape
        .pop()
        .ok_or_else(|| internal("the record buffer of a compiled gradient is empty".into()))
}

extern "C" fn push_float(ctx: &mut JitCtx<'_>, x: f64, out: &mut u64) -> u32 {
    guard(ctx, out, "tape_push_float", |ctx| push(ctx, x.to_bits()))
}

extern "C" fn push_int(ctx: &mut JitCtx<'_>, n: i64, out: &mut u64) -> u32 {
    guard(ctx, out, "tape_push_int", |ctx| push(ctx, n as u64))
}

extern "C" fn pop_float(ctx: &mut JitCtx<'_>, out: &mut u64) -> u32 {
    guard(ctx, out, "tape_pop_float", pop)
}

extern "C" fn pop_int(ctx: &mut JitCtx<'_>, out: &mut u64) -> u32 {
    guard(ctx, out, "tape_pop_int", pop)
}
