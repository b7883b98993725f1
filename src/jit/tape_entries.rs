//! The record buffer of compiled reverse mode's loops (docs/ad.md,
//! "Compiled reverse mode"): each iteration of a loop inside a compiled
//! gradient pushes the words its backward code needs, and the backward
//! pass pops them in reverse order. One buffer serves every loop and every
//! `grad` site of the run: loops nest as their records do, last in, first
//! out.
//!
//! A push is a store at the buffer's top and a pop a load below it, inline
//! in the generated code: the top and end addresses live in the context
//! (`JitCtx::tape_top`, `tape_end`), and only a push that finds the buffer
//! full calls [`reserve`] (a cold path).
//!
//! The buffer's memory is counted like every other allocation of the run:
//! past the memory limit a push fails with the interpreter's R015 (out of
//! memory), at the span of the `grad` that pushes (the entry's span).

#![forbid(unsafe_code)]

use cranelift_jit::JITBuilder;

use super::abi::{guard, EntrySig};
use super::context::JitCtx;
use super::ir::{TapeFn, Ty};
use crate::runtime::error::RuntimeError;
use crate::runtime::memory;

/// The fewest words the buffer grows by (so a short loop allocates once).
const MIN_GROWTH: usize = 1024;

/// The cold entry of a full buffer.
pub const RESERVE_SYMBOL: &str = "dlang_jit_tape_reserve";

/// Push and pop are inline code (`ir::Expr::TapePush`, `TapePop`): a
/// store or load at the buffer's top, which the context holds
/// (`JitCtx::tape_top`). The only call is [`TapeFn::Reserve`], when a push
/// finds the buffer full.
pub fn signature(op: TapeFn) -> EntrySig {
    match op {
        TapeFn::Reserve => EntrySig::fallible(RESERVE_SYMBOL, &[], Ty::Unit),
    }
}

pub fn register(builder: &mut JITBuilder) {
    builder.symbol(RESERVE_SYMBOL, reserve_entry as *const u8);
}

/// Makes room for at least one more word, growing the buffer without
/// aborting: a growth the allocator refuses, or one that takes the run
/// past the memory limit, is R015. The buffer's length is kept at its
/// capacity (every word initialised), so a growth copies all of it; the
/// top and end are addresses in it, moved with it.
fn reserve(ctx: &mut JitCtx<'_>) -> Result<u64, RuntimeError> {
    // Before the first push the top and end are 0, not addresses.
    let used = match ctx.tape.is_empty() {
        true => 0,
        false => ((ctx.tape_top - ctx.tape.as_ptr() as u64) / 8) as usize,
    };
    let tape = &mut ctx.tape;
    if used == tape.len() {
        tape.try_reserve(tape.len().max(MIN_GROWTH))
            .map_err(|_| RuntimeError::out_of_memory())?;
        if memory::over_limit() {
            return Err(RuntimeError::out_of_memory());
        }
        let capacity = tape.capacity();
        tape.resize(capacity, 0);
    }
    let base = tape.as_ptr() as u64;
    ctx.tape_top = base + 8 * used as u64;
    ctx.tape_end = base + 8 * tape.len() as u64;
    Ok(0)
}

extern "C" fn reserve_entry(ctx: &mut JitCtx<'_>, out: &mut u64) -> u32 {
    guard(ctx, out, "tape_reserve", reserve)
}
