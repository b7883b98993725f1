//! The runtime entry points generated code calls: their symbols, their
//! signatures, and the `extern "C"` shims behind them (registered with
//! [`JITBuilder::symbol`]).
//!
//! Two conventions:
//! - *leaf* entries (`sin`, release, ...) take and return plain
//!   machine values and cannot fail or panic (float math, reference
//!   counts);
//! - every other entry is *fallible*: `(ctx, args..., out) -> status`,
//!   with its result written to `*out` as a word. Its body runs under
//!   [`guard`], which turns an error into [`Status::Raised`] and a panic
//!   into [`Status::Panicked`], so a Rust panic never unwinds through
//!   generated frames.
//!
//! `val` arguments are borrowed; a `val` result is a new reference.

#![forbid(unsafe_code)]

use std::panic::{catch_unwind, AssertUnwindSafe};

use cranelift_jit::JITBuilder;

use super::context::{JitCtx, Status};
use super::data_entries;
use super::exn_entries;
use super::ir::{RuntimeFn, Ty};
use super::native::{ValArray, ValPtr};
use super::tape_entries;
use crate::runtime::ad::{self, Session};
use crate::runtime::error::RuntimeError;
use crate::runtime::function::{Apply, Closure};
use crate::runtime::memory;
use crate::runtime::ops;
use crate::runtime::prims::{MachinePrim, PRIMS};
use crate::runtime::value::{BuiltinApp, Value};
use crate::syntax::ast::BinOp;
use std::rc::Rc;

/// How generated code calls an entry.
pub enum Convention {
    /// `fn(params...) -> ret`.
    Leaf,
    /// `fn(ctx, params..., out) -> status`; `*out` holds the result.
    Fallible,
}

/// What codegen needs to know to call an entry.
pub struct EntrySig {
    pub symbol: &'static str,
    pub convention: Convention,
    /// Parameter types as the IR sees them (an entry with an
    /// [`array_immediate`] takes its `val` arguments as an array instead;
    /// see [`PRIM_SYMBOL`]).
    pub params: &'static [Ty],
    pub ret: Ty,
}

impl EntrySig {
    /// An entry that may fail (the data, exception and tape entries).
    pub fn fallible(symbol: &'static str, params: &'static [Ty], ret: Ty) -> EntrySig {
        EntrySig {
            symbol,
            convention: Convention::Fallible,
            params,
            ret,
        }
    }
}

/// Calls a primitive: `(ctx, index, args: *const val, len, out) -> status`.
pub const PRIM_SYMBOL: &str = "dlang_jit_prim";
/// `val -> ()`: the last reference, which frees the value (generated
/// code counts the others inline, see `native::RC_STRONG_OFFSET`).
pub const RELEASE_SYMBOL: &str = "dlang_jit_release";

/// The entries that take their `val` arguments as an array, `(ctx,
/// immediate, args, len, out) -> status`, as [`PRIM_SYMBOL`] does: their
/// immediate word (the primitive's or closure body's index, a binary
/// operator, a record shape).
pub fn array_immediate(entry: RuntimeFn) -> Option<u64> {
    match entry {
        RuntimeFn::Prim(index) | RuntimeFn::MakeClosure(index) | RuntimeFn::PartialPrim(index) => {
            Some(u64::from(index))
        }
        RuntimeFn::Binary(op) => binary_op(op).map(u64::from),
        RuntimeFn::Data(op) => data_entries::array_immediate(op),
        _ => None,
    }
}

pub fn signature(entry: RuntimeFn) -> EntrySig {
    use Convention::{Fallible, Leaf};
    let sig = |symbol, convention, params, ret| EntrySig {
        symbol,
        convention,
        params,
        ret,
    };
    match entry {
        RuntimeFn::Sin => sig("dlang_jit_sin", Leaf, &[Ty::F64], Ty::F64),
        RuntimeFn::Cos => sig("dlang_jit_cos", Leaf, &[Ty::F64], Ty::F64),
        RuntimeFn::Exp => sig("dlang_jit_exp", Leaf, &[Ty::F64], Ty::F64),
        RuntimeFn::Log => sig("dlang_jit_log", Leaf, &[Ty::F64], Ty::F64),
        RuntimeFn::Tan => sig("dlang_jit_tan", Leaf, &[Ty::F64], Ty::F64),
        RuntimeFn::Sqrt => sig("dlang_jit_sqrt", Leaf, &[Ty::F64], Ty::F64),
        RuntimeFn::Tanh => sig("dlang_jit_tanh", Leaf, &[Ty::F64], Ty::F64),
        RuntimeFn::Sigmoid => sig("dlang_jit_sigmoid", Leaf, &[Ty::F64], Ty::F64),
        RuntimeFn::Relu => sig("dlang_jit_relu", Leaf, &[Ty::F64], Ty::F64),
        RuntimeFn::Abs => sig("dlang_jit_abs", Leaf, &[Ty::F64], Ty::F64),
        RuntimeFn::Pow => sig("dlang_jit_pow", Leaf, &[Ty::F64, Ty::F64], Ty::F64),
        RuntimeFn::BoxInt => sig("dlang_jit_box_int", Fallible, &[Ty::I64], Ty::Val),
        RuntimeFn::BoxFloat => sig("dlang_jit_box_float", Fallible, &[Ty::F64], Ty::Val),
        RuntimeFn::BoxBool => sig("dlang_jit_box_bool", Fallible, &[Ty::Bool], Ty::Val),
        RuntimeFn::BoxUnit => sig("dlang_jit_box_unit", Fallible, &[], Ty::Val),
        RuntimeFn::UnboxInt => sig("dlang_jit_unbox_int", Fallible, &[Ty::Val], Ty::I64),
        RuntimeFn::UnboxFloat => sig("dlang_jit_unbox_float", Fallible, &[Ty::Val], Ty::F64),
        RuntimeFn::UnboxBool => sig("dlang_jit_unbox_bool", Fallible, &[Ty::Val], Ty::Bool),
        RuntimeFn::StringConst => sig("dlang_jit_string_const", Fallible, &[Ty::I64], Ty::Val),
        RuntimeFn::GradOpen => sig(
            "dlang_jit_grad_open",
            Fallible,
            &[Ty::I64, Ty::Val],
            Ty::Val,
        ),
        RuntimeFn::JvpOpen => sig("dlang_jit_jvp_open", Fallible, &[Ty::Val, Ty::Val], Ty::Val),
        RuntimeFn::DiffClose => sig("dlang_jit_diff_close", Fallible, &[Ty::Val], Ty::Val),
        RuntimeFn::Prim(_) => sig(PRIM_SYMBOL, Fallible, &[], Ty::Val),
        RuntimeFn::MakeClosure(_) => sig("dlang_jit_make_closure", Fallible, &[], Ty::Val),
        RuntimeFn::Capture => sig("dlang_jit_capture", Fallible, &[Ty::Val, Ty::I64], Ty::Val),
        RuntimeFn::Sibling => sig("dlang_jit_sibling", Fallible, &[Ty::Val, Ty::I64], Ty::Val),
        RuntimeFn::PartialPrim(_) => sig("dlang_jit_partial_prim", Fallible, &[], Ty::Val),
        RuntimeFn::GlobalGet => sig("dlang_jit_global_get", Fallible, &[Ty::I64], Ty::Val),
        RuntimeFn::GlobalSet => sig(
            "dlang_jit_global_set",
            Fallible,
            &[Ty::I64, Ty::Val],
            Ty::Unit,
        ),
        RuntimeFn::Binary(_) => sig("dlang_jit_binary", Fallible, &[], Ty::Val),
        RuntimeFn::Negate => sig("dlang_jit_negate", Fallible, &[Ty::Val], Ty::Val),
        RuntimeFn::ApplyValue => sig(
            "dlang_jit_apply_value",
            Fallible,
            &[Ty::Val, Ty::Val],
            Ty::Val,
        ),
        RuntimeFn::Data(op) => data_entries::signature(op),
        RuntimeFn::Exn(op) => exn_entries::signature(op),
        RuntimeFn::Tape(op) => tape_entries::signature(op),
        #[cfg(test)]
        RuntimeFn::PanicForTest => sig("dlang_jit_panic_for_test", Fallible, &[], Ty::Unit),
    }
}

/// `(ctx, f: val) -> code address`: the address of the body of a closure
/// of this program, 0 for any other value. A leaf: it reads, never fails.
pub const CLOSURE_CODE_SYMBOL: &str = "dlang_jit_closure_code";

/// `(ctx, f: val) -> code address`: the address of the continuation-passing
/// entry of a closure of this program, 0 for a closure without one and for
/// any other value. A leaf.
pub const CLOSURE_CPS_CODE_SYMBOL: &str = "dlang_jit_closure_cps_code";

/// Makes every entry's symbol known to the module being built.
pub fn register(builder: &mut JITBuilder) {
    let leaf_f64: [(&str, extern "C" fn(f64) -> f64); 10] = [
        ("dlang_jit_sin", sin),
        ("dlang_jit_cos", cos),
        ("dlang_jit_exp", exp),
        ("dlang_jit_log", log),
        ("dlang_jit_tan", tan),
        ("dlang_jit_sqrt", sqrt),
        ("dlang_jit_tanh", tanh),
        ("dlang_jit_sigmoid", sigmoid),
        ("dlang_jit_relu", relu),
        ("dlang_jit_abs", abs),
    ];
    for (symbol, f) in leaf_f64 {
        builder.symbol(symbol, f as *const u8);
    }
    builder.symbol("dlang_jit_pow", pow as *const u8);
    builder.symbol(RELEASE_SYMBOL, release as *const u8);
    builder.symbol("dlang_jit_box_int", box_int as *const u8);
    builder.symbol("dlang_jit_box_float", box_float as *const u8);
    builder.symbol("dlang_jit_box_bool", box_bool as *const u8);
    builder.symbol("dlang_jit_unbox_int", unbox_int as *const u8);
    builder.symbol("dlang_jit_unbox_float", unbox_float as *const u8);
    builder.symbol("dlang_jit_box_unit", box_unit as *const u8);
    builder.symbol("dlang_jit_unbox_bool", unbox_bool as *const u8);
    builder.symbol("dlang_jit_string_const", string_const as *const u8);
    builder.symbol("dlang_jit_grad_open", grad_open as *const u8);
    builder.symbol("dlang_jit_jvp_open", jvp_open as *const u8);
    builder.symbol("dlang_jit_diff_close", diff_close as *const u8);
    builder.symbol(PRIM_SYMBOL, prim as *const u8);
    builder.symbol(CLOSURE_CODE_SYMBOL, closure_code as *const u8);
    builder.symbol(CLOSURE_CPS_CODE_SYMBOL, closure_cps_code as *const u8);
    builder.symbol("dlang_jit_make_closure", make_closure as *const u8);
    builder.symbol("dlang_jit_capture", capture as *const u8);
    builder.symbol("dlang_jit_sibling", sibling as *const u8);
    builder.symbol("dlang_jit_partial_prim", partial_prim as *const u8);
    builder.symbol("dlang_jit_global_get", global_get as *const u8);
    builder.symbol("dlang_jit_global_set", global_set as *const u8);
    builder.symbol("dlang_jit_apply_value", apply_value as *const u8);
    builder.symbol("dlang_jit_binary", binary as *const u8);
    builder.symbol("dlang_jit_negate", negate as *const u8);
    builder.symbol(
        super::context::TRACE_PUSH_SYMBOL,
        super::context::trace_push as *const u8,
    );
    builder.symbol(
        super::context::TRACE_RESUMED_SYMBOL,
        super::context::trace_resumed as *const u8,
    );
    builder.symbol(
        super::kont_trace::TRACE_KONTS_SYMBOL,
        super::kont_trace::trace_konts as *const u8,
    );
    data_entries::register(builder);
    exn_entries::register(builder);
    tape_entries::register(builder);
    #[cfg(test)]
    builder.symbol("dlang_jit_panic_for_test", panic_for_test as *const u8);
}

/// Runs a fallible shim's body: its result goes to `out`; an error or a
/// panic becomes a status with the error kept in the context.
pub(super) fn guard(
    ctx: &mut JitCtx<'_>,
    out: &mut u64,
    shim: &str,
    body: impl FnOnce(&mut JitCtx<'_>) -> Result<u64, RuntimeError>,
) -> u32 {
    // Every value compiled code makes is made by a shim: polling the
    // memory limit here is what the interpreter's poll is (R015).
    if memory::over_limit() {
        ctx.raised = Some(RuntimeError::out_of_memory());
        return Status::Raised as u32;
    }
    match catch_unwind(AssertUnwindSafe(|| body(ctx))) {
        Ok(Ok(word)) => {
            *out = word;
            Status::Ok as u32
        }
        // A closure called back from the body failed: its error, fault
        // site and trace are in the context already.
        Ok(Err(_)) if ctx.callback_status.is_some() => {
            ctx.site_kept = 1;
            ctx.callback_status.take().unwrap_or(Status::Raised as u32)
        }
        Ok(Err(error)) => {
            ctx.raised = Some(error);
            Status::Raised as u32
        }
        Err(payload) => {
            let what = panic_message(payload.as_ref());
            ctx.raised = Some(internal(format!("panic in runtime shim `{shim}`: {what}")));
            Status::Panicked as u32
        }
    }
}

/// What a caught panic said (`panic!`'s message), for the internal error
/// that reports it.
pub(super) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string())
}

pub fn internal(message: String) -> RuntimeError {
    RuntimeError::internal(format!("JIT: {message}"))
}

extern "C" fn sin(x: f64) -> f64 {
    x.sin()
}

extern "C" fn cos(x: f64) -> f64 {
    x.cos()
}

extern "C" fn exp(x: f64) -> f64 {
    x.exp()
}

extern "C" fn log(x: f64) -> f64 {
    x.ln()
}

extern "C" fn tan(x: f64) -> f64 {
    x.tan()
}

extern "C" fn sqrt(x: f64) -> f64 {
    x.sqrt()
}

extern "C" fn tanh(x: f64) -> f64 {
    x.tanh()
}

extern "C" fn sigmoid(x: f64) -> f64 {
    crate::runtime::prims::math::sigmoid_f64(x)
}

extern "C" fn relu(x: f64) -> f64 {
    crate::runtime::prims::math::relu_f64(x)
}

extern "C" fn abs(x: f64) -> f64 {
    x.abs()
}

extern "C" fn pow(x: f64, y: f64) -> f64 {
    x.powf(y)
}

// Dropping a `Value` frees with a work list (no deep recursion) and runs
// no user code, so it cannot panic.
extern "C" fn release(v: ValPtr) {
    v.release();
}

pub(super) fn boxed(value: Value) -> Result<u64, RuntimeError> {
    Ok(ValPtr::new(value).bits())
}

extern "C" fn box_int(ctx: &mut JitCtx<'_>, n: i64, out: &mut u64) -> u32 {
    guard(ctx, out, "box_int", |_| boxed(Value::Int(n)))
}

extern "C" fn string_const(ctx: &mut JitCtx<'_>, index: i64, out: &mut u64) -> u32 {
    guard(ctx, out, "string_const", |ctx| {
        let text = usize::try_from(index)
            .ok()
            .and_then(|i| ctx.strings.get(i))
            .ok_or_else(|| internal(format!("no string constant {index}")))?;
        boxed(Value::Str(std::rc::Rc::clone(text)))
    })
}

extern "C" fn box_float(ctx: &mut JitCtx<'_>, x: f64, out: &mut u64) -> u32 {
    guard(ctx, out, "box_float", |_| boxed(Value::Float(x)))
}

extern "C" fn box_bool(ctx: &mut JitCtx<'_>, b: u8, out: &mut u64) -> u32 {
    guard(ctx, out, "box_bool", |ctx| {
        let value = &ctx.bools[usize::from(b != 0)];
        Ok(ValPtr::from_rc(Rc::clone(value)).bits())
    })
}

extern "C" fn unbox_int(ctx: &mut JitCtx<'_>, v: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "unbox_int", |_| match v.value() {
        Value::Int(n) => Ok(*n as u64),
        _ => Err(internal("unbox_int of a value that is not an int".into())),
    })
}

/// A float of code compiled in plain mode, which runs only while no
/// `grad` or `jvp` is open: a tracked float that escaped its `grad` (kept
/// in a ref, say) is the constant under its tags, as the interpreter's
/// operators settle it.
extern "C" fn unbox_float(ctx: &mut JitCtx<'_>, v: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "unbox_float", |_| match ad::float_of(v.value()) {
        Some(x) => Ok(x.to_bits()),
        None => Err(internal(
            "unbox_float of a value that is not a float".into(),
        )),
    })
}

extern "C" fn box_unit(ctx: &mut JitCtx<'_>, out: &mut u64) -> u32 {
    guard(ctx, out, "box_unit", |ctx| {
        Ok(ValPtr::from_rc(Rc::clone(&ctx.unit)).bits())
    })
}

extern "C" fn unbox_bool(ctx: &mut JitCtx<'_>, v: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "unbox_bool", |_| match v.value() {
        Value::Bool(b) => Ok(u64::from(*b)),
        _ => Err(internal("unbox_bool of a value that is not a bool".into())),
    })
}

/// The differentiation primitives [`RuntimeFn::GradOpen`] opens, by their
/// code.
const DIFFS: [MachinePrim; 2] = [MachinePrim::Grad, MachinePrim::ValueAndGrad];

/// The code generated code passes to open `which`, if `GradOpen` does.
pub fn diff_code(which: MachinePrim) -> Option<i64> {
    DIFFS.iter().position(|d| *d == which).map(|i| i as i64)
}

extern "C" fn grad_open(ctx: &mut JitCtx<'_>, which: i64, x: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "grad_open", |ctx| {
        let which = usize::try_from(which)
            .ok()
            .and_then(|i| DIFFS.get(i).copied())
            .ok_or_else(|| internal(format!("no differentiation number {which}")))?;
        let args = std::slice::from_ref(x.value());
        open(ctx, Session::open(ctx.runtime, which, args)?)
    })
}

extern "C" fn jvp_open(ctx: &mut JitCtx<'_>, x: ValPtr, dx: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "jvp_open", |ctx| {
        let args = [x.value().clone(), dx.value().clone()];
        open(ctx, Session::open(ctx.runtime, MachinePrim::Jvp, &args)?)
    })
}

/// Keeps an opened session until its function returns; gives its input.
fn open(ctx: &mut JitCtx<'_>, session: Session) -> Result<u64, RuntimeError> {
    let input = session.argument().clone();
    ctx.sessions.push(session);
    boxed(input)
}

extern "C" fn diff_close(ctx: &mut JitCtx<'_>, result: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "diff_close", |ctx| {
        let session = ctx
            .sessions
            .pop()
            .ok_or_else(|| internal("a differentiation closed twice".into()))?;
        boxed(session.close(ctx.runtime, result.value().clone())?)
    })
}

extern "C" fn prim(
    ctx: &mut JitCtx<'_>,
    index: u64,
    args: ValArray,
    len: u64,
    out: &mut u64,
) -> u32 {
    let args = args.slice(len);
    guard(ctx, out, "prim", |ctx| {
        let prim = PRIMS
            .get(index as usize)
            .ok_or_else(|| internal(format!("no primitive number {index}")))?;
        if prim.machine.is_some() || prim.arity != args.len() {
            return Err(internal(format!(
                "primitive `{}` called with {} arguments in compiled code",
                prim.name,
                args.len()
            )));
        }
        let values: Vec<Value> = args.iter().map(|v| v.value().clone()).collect();
        boxed((prim.run)(ctx.runtime, &values)?)
    })
}

/// The address `table` holds for `f`'s code if `f` is a closure, else 0.
fn code_address(table: &[u64], f: ValPtr) -> u64 {
    match f.value() {
        Value::Closure(closure) => table.get(closure.code as usize).copied().unwrap_or(0),
        _ => 0,
    }
}

extern "C" fn closure_code(ctx: &JitCtx<'_>, f: ValPtr) -> u64 {
    code_address(&ctx.closure_code, f)
}

extern "C" fn closure_cps_code(ctx: &JitCtx<'_>, f: ValPtr) -> u64 {
    code_address(&ctx.closure_cps_code, f)
}

extern "C" fn make_closure(
    ctx: &mut JitCtx<'_>,
    code: u64,
    captures: ValArray,
    len: u64,
    out: &mut u64,
) -> u32 {
    let captures = captures.slice(len);
    guard(ctx, out, "make_closure", |_| {
        let captures: Rc<[Value]> = captures.iter().map(|v| v.value().clone()).collect();
        boxed(Value::Closure(Rc::new(Closure {
            code: code as u32,
            captures,
        })))
    })
}

fn closure_of(f: &ValPtr) -> Result<&Closure, RuntimeError> {
    match f.value() {
        Value::Closure(closure) => Ok(closure),
        _ => Err(internal(
            "a capture read from a value that is not a closure".into(),
        )),
    }
}

extern "C" fn capture(ctx: &mut JitCtx<'_>, f: ValPtr, index: i64, out: &mut u64) -> u32 {
    guard(ctx, out, "capture", |_| {
        let closure = closure_of(&f)?;
        let value = usize::try_from(index)
            .ok()
            .and_then(|i| closure.captures.get(i))
            .ok_or_else(|| internal(format!("no capture {index}")))?;
        boxed(value.clone())
    })
}

extern "C" fn sibling(ctx: &mut JitCtx<'_>, f: ValPtr, code: i64, out: &mut u64) -> u32 {
    guard(ctx, out, "sibling", |_| {
        let closure = closure_of(&f)?;
        boxed(Value::Closure(Rc::new(Closure {
            code: code as u32,
            captures: Rc::clone(&closure.captures),
        })))
    })
}

extern "C" fn partial_prim(
    ctx: &mut JitCtx<'_>,
    index: u64,
    args: ValArray,
    len: u64,
    out: &mut u64,
) -> u32 {
    let args = args.slice(len);
    guard(ctx, out, "partial_prim", |_| {
        let prim = PRIMS
            .get(index as usize)
            .ok_or_else(|| internal(format!("no primitive number {index}")))?;
        // A differentiation primitive is a value like any other: it runs
        // once applied to all its arguments (`callback::apply_builtin`).
        if args.len() >= prim.arity {
            return Err(internal(format!(
                "primitive `{}` as a value with {} arguments in compiled code",
                prim.name,
                args.len()
            )));
        }
        boxed(Value::Builtin(Rc::new(BuiltinApp {
            prim,
            args: args.iter().map(|v| v.value().clone()).collect(),
        })))
    })
}

extern "C" fn global_get(ctx: &mut JitCtx<'_>, slot: i64, out: &mut u64) -> u32 {
    guard(ctx, out, "global_get", |ctx| {
        let value = usize::try_from(slot)
            .ok()
            .and_then(|i| ctx.globals.get(i))
            .ok_or_else(|| internal(format!("no global {slot}")))?;
        boxed(value.clone())
    })
}

extern "C" fn global_set(ctx: &mut JitCtx<'_>, slot: i64, v: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "global_set", |ctx| {
        let cell = usize::try_from(slot)
            .ok()
            .and_then(|i| ctx.globals.get_mut(i))
            .ok_or_else(|| internal(format!("no global {slot}")))?;
        *cell = v.value().clone();
        Ok(0)
    })
}

/// The operators in the order [`binary_op`] numbers them.
pub const BINARY_OPS: [BinOp; 15] = [
    BinOp::Add,
    BinOp::Sub,
    BinOp::Mul,
    BinOp::Div,
    BinOp::Mod,
    BinOp::Pow,
    BinOp::Eq,
    BinOp::Ne,
    BinOp::Lt,
    BinOp::Gt,
    BinOp::Le,
    BinOp::Ge,
    BinOp::Concat,
    BinOp::Append,
    BinOp::MatMul,
];

/// The number [`binary`] takes for `op`, if the runtime applies it.
pub fn binary_op(op: BinOp) -> Option<u32> {
    BINARY_OPS.iter().position(|o| *o == op).map(|i| i as u32)
}

extern "C" fn binary(
    ctx: &mut JitCtx<'_>,
    op: u64,
    args: ValArray,
    len: u64,
    out: &mut u64,
) -> u32 {
    let args = args.slice(len);
    guard(ctx, out, "binary", |ctx| {
        let (Some(op), [a, b]) = (BINARY_OPS.get(op as usize), args) else {
            return Err(internal(format!("operator {op} with {len} operands")));
        };
        boxed(ops::binary(ctx.runtime, *op, a.value(), b.value())?)
    })
}

extern "C" fn negate(ctx: &mut JitCtx<'_>, v: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "negate", |ctx| {
        boxed(ops::negate(ctx.runtime, v.value())?)
    })
}

/// Applies a function value that is not a closure of the program (the
/// slow path of `Expr::Apply`). Takes over both references.
extern "C" fn apply_value(ctx: &mut JitCtx<'_>, f: ValPtr, arg: ValPtr, out: &mut u64) -> u32 {
    let (f, arg) = (f.take(), arg.take());
    guard(ctx, out, "apply_value", |ctx| {
        boxed(ctx.apply(&f, Rc::unwrap_or_clone(arg))?)
    })
}

#[cfg(test)]
extern "C" fn panic_for_test(ctx: &mut JitCtx<'_>, out: &mut u64) -> u32 {
    guard(ctx, out, "panic_for_test", |_| panic!("a shim went wrong"))
}
