//! Running a compiled function: its arguments and result as `Value`s, on a
//! stack of its own with the limit every function entry checks.

#![forbid(unsafe_code)]

use super::abi::internal;
use super::codegen::Compiled;
use super::context::{JitCtx, Status};
use super::ir::{FuncId, Ty};
use super::native::{call_entry, ValPtr};
use super::site::runtime_error;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::value::Value;

/// The stack generated code runs on. Only the pages it touches are
/// committed, so a million-deep recursion costs what it uses.
pub const STACK_SIZE: usize = 1 << 30;
/// Kept free below the limit for the runtime shims called by the deepest
/// function (printing, allocation) and for the fail path.
const STACK_MARGIN: usize = 256 << 10;

/// Calls `func` with `args` (one per parameter: `Int`/`Float`/`Bool`/`Unit`
/// for unboxed parameters, any value for `val`).
pub fn run(
    compiled: &Compiled,
    func: FuncId,
    args: &[Value],
    runtime: &mut RuntimeCtx,
) -> Result<Value, RuntimeError> {
    let function = compiled
        .program
        .functions
        .get(func.0 as usize)
        .ok_or_else(|| internal(format!("no function {}", func.0)))?;
    let entry = compiled
        .entry(func)
        .ok_or_else(|| internal(format!("no entry for function {}", func.0)))?;
    let params = function.param_types();
    if params.len() != args.len() {
        return Err(internal(format!(
            "`{}` takes {} arguments, given {}",
            function.name,
            params.len(),
            args.len()
        )));
    }
    let mut words = Vec::with_capacity(args.len());
    for (ty, arg) in params.iter().zip(args) {
        match to_word(*ty, arg) {
            Some(word) => words.push(word),
            None => {
                release_words(params, &words);
                return Err(internal(format!(
                    "an argument of `{}` of the wrong kind",
                    function.name
                )));
            }
        }
    }
    let mut ctx = JitCtx::new(runtime);
    ctx.strings = compiled.program.strings.clone();
    ctx.globals = vec![Value::Unit; compiled.program.globals as usize];
    ctx.closure_code = compiled.closure_code.clone();
    ctx.records = compiled.program.records.clone();
    ctx.kont_frames = std::rc::Rc::new(compiled.program.kont_frames.clone());
    ctx.closure_cps_code = compiled.closure_cps_code.clone();
    ctx.closure_entry = Some(compiled.closure_entry);
    let (status, word) = stacker::grow(STACK_SIZE, || {
        ctx.stack_limit = stack_limit();
        call_entry(entry, &mut ctx, &words)
    });
    if status != Status::Ok as u32 {
        // The error unwound through any `grad` still open.
        ctx.sessions.clear();
        ctx.runtime.ad.abandon_all();
        return Err(runtime_error(
            status,
            &mut ctx,
            &compiled.program,
            &compiled.sites,
        ));
    }
    Ok(from_word(function.ret, word))
}

/// The lowest address a function may be entered at on the current stack.
fn stack_limit() -> u64 {
    let marker = 0u8;
    let here = std::ptr::addr_of!(marker) as usize;
    let remaining = stacker::remaining_stack().unwrap_or(0);
    (here.saturating_sub(remaining) + STACK_MARGIN) as u64
}

fn to_word(ty: Ty, arg: &Value) -> Option<u64> {
    match (ty, arg) {
        (Ty::Unit, Value::Unit) => Some(0),
        (Ty::Bool, Value::Bool(b)) => Some(*b as u64),
        (Ty::I64, Value::Int(n)) => Some(*n as u64),
        (Ty::F64, Value::Float(x)) => Some(x.to_bits()),
        (Ty::Val, v) => Some(ValPtr::new(v.clone()).bits()),
        _ => None,
    }
}

/// Gives back the references of arguments converted before one failed.
fn release_words(params: &[Ty], words: &[u64]) {
    for (ty, word) in params.iter().zip(words) {
        if *ty == Ty::Val {
            ValPtr::from_bits(*word).release();
        }
    }
}

fn from_word(ty: Ty, word: u64) -> Value {
    match ty {
        Ty::Unit => Value::Unit,
        Ty::Bool => Value::Bool(word & 1 != 0),
        Ty::I64 => Value::Int(word as i64),
        Ty::F64 => Value::Float(f64::from_bits(word)),
        Ty::Val => {
            let rc = ValPtr::from_bits(word).take();
            std::rc::Rc::try_unwrap(rc).unwrap_or_else(|rc| (*rc).clone())
        }
    }
}
