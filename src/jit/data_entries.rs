//! The runtime entries on data values ([`DataFn`]): their symbols,
//! signatures and shims. Building, reading and writing call
//! `runtime::data` and `runtime::ops`, the functions the interpreter
//! calls, so the values, their errors (an index out of range, comparing
//! functions) and how they print are the interpreter's. Taking a value
//! apart for a pattern reads the `Value` the checker guarantees is there;
//! anything else is an internal error.
//!
//! Conventions are [`abi`](super::abi)'s: every entry here is fallible,
//! `val` arguments are borrowed and a `val` result is a new reference.
//! The builders of a variable number of parts take them as an array, with
//! an immediate word (a [`RecordShape`](super::ir::RecordShape) index).

#![forbid(unsafe_code)]

use std::rc::Rc;

use cranelift_jit::JITBuilder;

use super::abi::{boxed, guard, internal, Convention, EntrySig};
use super::context::JitCtx;
use super::ir::{Compare, DataFn, Ty};
use super::native::{ValArray, ValPtr};
use crate::runtime::data;
use crate::runtime::error::RuntimeError;
use crate::runtime::ops;
use crate::runtime::value::{dup, Value};
use crate::syntax::ast::BinOp;

/// The `(ctx, immediate, args, len, out) -> status` entries: their
/// immediate word, `None` for the others.
pub fn array_immediate(op: DataFn) -> Option<u64> {
    match op {
        DataFn::Tuple | DataFn::List | DataFn::Array => Some(0),
        DataFn::Record(shape) | DataFn::RecordUpdate(shape) => Some(shape as u64),
        _ => None,
    }
}

pub fn signature(op: DataFn) -> EntrySig {
    use Ty::{Bool, Unit, Val, I64};
    let sig = |symbol, params, ret| EntrySig {
        symbol,
        convention: Convention::Fallible,
        params,
        ret,
    };
    match op {
        DataFn::Tuple => sig("dlang_jit_tuple", &[], Val),
        DataFn::List => sig("dlang_jit_list", &[], Val),
        DataFn::Array => sig("dlang_jit_array", &[], Val),
        DataFn::Record(_) => sig("dlang_jit_record", &[], Val),
        DataFn::RecordUpdate(_) => sig("dlang_jit_record_update", &[], Val),
        DataFn::Variant => sig("dlang_jit_variant", &[I64, I64, Val], Val),
        DataFn::ConstantVariant => sig("dlang_jit_constant_variant", &[I64, I64], Val),
        DataFn::Cons => sig("dlang_jit_cons", &[Val, Val], Val),
        DataFn::MakeRef => sig("dlang_jit_make_ref", &[Val], Val),
        DataFn::Deref => sig("dlang_jit_deref", &[Val], Val),
        DataFn::Assign => sig("dlang_jit_assign", &[Val, Val], Unit),
        DataFn::Field => sig("dlang_jit_field", &[Val, I64], Val),
        DataFn::Index => sig("dlang_jit_index", &[Val, I64], Val),
        DataFn::IndexSet => sig("dlang_jit_index_set", &[Val, I64, Val], Unit),
        DataFn::Concat => sig("dlang_jit_concat", &[Val, Val], Val),
        DataFn::Append => sig("dlang_jit_append", &[Val, Val], Val),
        DataFn::Structural(compare) => sig(structural_symbol(compare), &[Val, Val], Bool),
        DataFn::Tag => sig("dlang_jit_tag", &[Val], I64),
        DataFn::IsCons => sig("dlang_jit_is_cons", &[Val], Bool),
        DataFn::VariantArg => sig("dlang_jit_variant_arg", &[Val], Val),
        DataFn::Head => sig("dlang_jit_head", &[Val], Val),
        DataFn::Tail => sig("dlang_jit_tail", &[Val], Val),
        DataFn::TupleItem => sig("dlang_jit_tuple_item", &[Val, I64], Val),
        DataFn::StringIs => sig("dlang_jit_string_is", &[Val, I64], Bool),
    }
}

const COMPARES: [Compare; 6] = [
    Compare::Eq,
    Compare::Ne,
    Compare::Lt,
    Compare::Le,
    Compare::Gt,
    Compare::Ge,
];

fn structural_symbol(compare: Compare) -> &'static str {
    match compare {
        Compare::Eq => "dlang_jit_structural_eq",
        Compare::Ne => "dlang_jit_structural_ne",
        Compare::Lt => "dlang_jit_structural_lt",
        Compare::Le => "dlang_jit_structural_le",
        Compare::Gt => "dlang_jit_structural_gt",
        Compare::Ge => "dlang_jit_structural_ge",
    }
}

type ArrayShim = extern "C" fn(&mut JitCtx<'_>, u64, ValArray, u64, &mut u64) -> u32;
type Shim1 = extern "C" fn(&mut JitCtx<'_>, ValPtr, &mut u64) -> u32;
type Shim2 = extern "C" fn(&mut JitCtx<'_>, ValPtr, ValPtr, &mut u64) -> u32;
type ShimIndexed = extern "C" fn(&mut JitCtx<'_>, ValPtr, i64, &mut u64) -> u32;

/// Makes every entry's symbol known to the module being built.
pub fn register(builder: &mut JITBuilder) {
    let arrays: [(&str, ArrayShim); 5] = [
        ("dlang_jit_tuple", tuple),
        ("dlang_jit_list", list),
        ("dlang_jit_array", array),
        ("dlang_jit_record", record),
        ("dlang_jit_record_update", record_update),
    ];
    for (symbol, f) in arrays {
        builder.symbol(symbol, f as *const u8);
    }
    let unary: [(&str, Shim1); 7] = [
        ("dlang_jit_make_ref", make_ref),
        ("dlang_jit_deref", deref),
        ("dlang_jit_tag", tag),
        ("dlang_jit_is_cons", is_cons),
        ("dlang_jit_variant_arg", variant_arg),
        ("dlang_jit_head", head),
        ("dlang_jit_tail", tail),
    ];
    for (symbol, f) in unary {
        builder.symbol(symbol, f as *const u8);
    }
    let binary: [(&str, Shim2); 4] = [
        ("dlang_jit_cons", cons),
        ("dlang_jit_assign", assign),
        ("dlang_jit_concat", concat),
        ("dlang_jit_append", append),
    ];
    for (symbol, f) in binary {
        builder.symbol(symbol, f as *const u8);
    }
    let structural: [Shim2; 6] = [
        structural_eq,
        structural_ne,
        structural_lt,
        structural_le,
        structural_gt,
        structural_ge,
    ];
    for (compare, f) in COMPARES.into_iter().zip(structural) {
        builder.symbol(structural_symbol(compare), f as *const u8);
    }
    let indexed: [(&str, ShimIndexed); 4] = [
        ("dlang_jit_field", field),
        ("dlang_jit_index", index),
        ("dlang_jit_tuple_item", tuple_item),
        ("dlang_jit_string_is", string_is),
    ];
    for (symbol, f) in indexed {
        builder.symbol(symbol, f as *const u8);
    }
    builder.symbol("dlang_jit_variant", variant as *const u8);
    builder.symbol("dlang_jit_constant_variant", constant_variant as *const u8);
    builder.symbol("dlang_jit_index_set", index_set as *const u8);
}

fn values(args: &[ValPtr]) -> Vec<Value> {
    args.iter().map(|v| dup(v.value())).collect()
}

extern "C" fn tuple(ctx: &mut JitCtx<'_>, _: u64, args: ValArray, len: u64, out: &mut u64) -> u32 {
    let args = args.slice(len);
    guard(ctx, out, "tuple", |_| boxed(data::tuple(values(args))))
}

extern "C" fn list(ctx: &mut JitCtx<'_>, _: u64, args: ValArray, len: u64, out: &mut u64) -> u32 {
    let args = args.slice(len);
    guard(ctx, out, "list", |_| boxed(data::list(values(args))))
}

extern "C" fn array(ctx: &mut JitCtx<'_>, _: u64, args: ValArray, len: u64, out: &mut u64) -> u32 {
    let args = args.slice(len);
    guard(ctx, out, "array", |_| boxed(data::array(values(args))))
}

extern "C" fn record(
    ctx: &mut JitCtx<'_>,
    shape: u64,
    args: ValArray,
    len: u64,
    out: &mut u64,
) -> u32 {
    let args = args.slice(len);
    guard(ctx, out, "record", |ctx| {
        let shape = record_shape(ctx, shape)?;
        boxed(data::record(&shape.layout, &shape.fields, values(args)))
    })
}

extern "C" fn record_update(
    ctx: &mut JitCtx<'_>,
    shape: u64,
    args: ValArray,
    len: u64,
    out: &mut u64,
) -> u32 {
    let args = args.slice(len);
    guard(ctx, out, "record_update", |ctx| {
        let shape = record_shape(ctx, shape)?;
        let Some((base, new)) = args.split_first() else {
            return Err(internal("`with` without its record".into()));
        };
        boxed(data::record_update(
            dup(base.value()),
            &shape.fields,
            values(new),
        )?)
    })
}

fn record_shape<'c>(
    ctx: &'c JitCtx<'_>,
    index: u64,
) -> Result<&'c super::ir::RecordShape, RuntimeError> {
    ctx.records
        .get(index as usize)
        .ok_or_else(|| internal(format!("no record shape {index}")))
}

fn string_constant(ctx: &JitCtx<'_>, name: i64) -> Result<Rc<str>, RuntimeError> {
    usize::try_from(name)
        .ok()
        .and_then(|i| ctx.strings.get(i))
        .cloned()
        .ok_or_else(|| internal(format!("no string constant {name}")))
}

extern "C" fn variant(
    ctx: &mut JitCtx<'_>,
    tag: i64,
    name: i64,
    arg: ValPtr,
    out: &mut u64,
) -> u32 {
    guard(ctx, out, "variant", |ctx| {
        let name = string_constant(ctx, name)?;
        boxed(data::variant(tag as u32, &name, dup(arg.value())))
    })
}

extern "C" fn constant_variant(ctx: &mut JitCtx<'_>, tag: i64, name: i64, out: &mut u64) -> u32 {
    guard(ctx, out, "constant_variant", |ctx| {
        let name = string_constant(ctx, name)?;
        boxed(Value::variant(tag as u32, name, None))
    })
}

extern "C" fn cons(ctx: &mut JitCtx<'_>, head: ValPtr, tail: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "cons", |_| {
        boxed(Value::cons(dup(head.value()), dup(tail.value())))
    })
}

extern "C" fn make_ref(ctx: &mut JitCtx<'_>, v: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "make_ref", |_| {
        boxed(data::make_ref(dup(v.value())))
    })
}

extern "C" fn deref(ctx: &mut JitCtx<'_>, cell: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "deref", |_| {
        boxed(data::deref(dup(cell.value()))?)
    })
}

extern "C" fn assign(ctx: &mut JitCtx<'_>, cell: ValPtr, v: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "assign", |_| {
        data::assign(dup(cell.value()), dup(v.value()))?;
        Ok(0)
    })
}

extern "C" fn field(ctx: &mut JitCtx<'_>, record: ValPtr, index: i64, out: &mut u64) -> u32 {
    guard(ctx, out, "field", |_| {
        boxed(data::field(dup(record.value()), index as usize)?)
    })
}

extern "C" fn index(ctx: &mut JitCtx<'_>, array: ValPtr, i: i64, out: &mut u64) -> u32 {
    guard(ctx, out, "index", |_| {
        boxed(data::index(dup(array.value()), Value::Int(i))?)
    })
}

extern "C" fn index_set(
    ctx: &mut JitCtx<'_>,
    array: ValPtr,
    i: i64,
    v: ValPtr,
    out: &mut u64,
) -> u32 {
    guard(ctx, out, "index_set", |_| {
        data::index_set(dup(array.value()), Value::Int(i), dup(v.value()))?;
        Ok(0)
    })
}

fn operator(ctx: &JitCtx<'_>, op: BinOp, a: ValPtr, b: ValPtr) -> Result<Value, RuntimeError> {
    ops::binary(ctx.runtime, op, a.value(), b.value())
}

extern "C" fn concat(ctx: &mut JitCtx<'_>, a: ValPtr, b: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "concat", |ctx| {
        boxed(operator(ctx, BinOp::Concat, a, b)?)
    })
}

extern "C" fn append(ctx: &mut JitCtx<'_>, a: ValPtr, b: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "append", |ctx| {
        boxed(operator(ctx, BinOp::Append, a, b)?)
    })
}

/// `a op b` by the runtime's structural comparison, as a `bool` word.
fn structural(ctx: &mut JitCtx<'_>, op: BinOp, a: ValPtr, b: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "structural", |ctx| {
        match operator(ctx, op, a, b)? {
            Value::Bool(result) => Ok(result as u64),
            _ => Err(internal(format!("`{}` gave a non-boolean", op.symbol()))),
        }
    })
}

extern "C" fn structural_eq(ctx: &mut JitCtx<'_>, a: ValPtr, b: ValPtr, out: &mut u64) -> u32 {
    structural(ctx, BinOp::Eq, a, b, out)
}

extern "C" fn structural_ne(ctx: &mut JitCtx<'_>, a: ValPtr, b: ValPtr, out: &mut u64) -> u32 {
    structural(ctx, BinOp::Ne, a, b, out)
}

extern "C" fn structural_lt(ctx: &mut JitCtx<'_>, a: ValPtr, b: ValPtr, out: &mut u64) -> u32 {
    structural(ctx, BinOp::Lt, a, b, out)
}

extern "C" fn structural_le(ctx: &mut JitCtx<'_>, a: ValPtr, b: ValPtr, out: &mut u64) -> u32 {
    structural(ctx, BinOp::Le, a, b, out)
}

extern "C" fn structural_gt(ctx: &mut JitCtx<'_>, a: ValPtr, b: ValPtr, out: &mut u64) -> u32 {
    structural(ctx, BinOp::Gt, a, b, out)
}

extern "C" fn structural_ge(ctx: &mut JitCtx<'_>, a: ValPtr, b: ValPtr, out: &mut u64) -> u32 {
    structural(ctx, BinOp::Ge, a, b, out)
}

/// A pattern met a value of another kind than its type promises.
fn not_a(what: &str) -> RuntimeError {
    internal(format!("a pattern expected {what}"))
}

extern "C" fn tag(ctx: &mut JitCtx<'_>, v: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "tag", |_| match v.value() {
        Value::Variant(variant) => Ok(u64::from(variant.tag)),
        _ => Err(not_a("a constructor")),
    })
}

extern "C" fn is_cons(ctx: &mut JitCtx<'_>, v: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "is_cons", |_| match v.value() {
        Value::Cons(_) => Ok(1),
        Value::Nil => Ok(0),
        _ => Err(not_a("a list")),
    })
}

extern "C" fn variant_arg(ctx: &mut JitCtx<'_>, v: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "variant_arg", |_| match v.value() {
        Value::Variant(variant) => match &variant.arg {
            Some(arg) => boxed(dup(arg)),
            None => Err(not_a("a constructor with an argument")),
        },
        _ => Err(not_a("a constructor")),
    })
}

extern "C" fn head(ctx: &mut JitCtx<'_>, v: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "head", |_| match v.value() {
        Value::Cons(cell) => boxed(dup(&cell.head)),
        _ => Err(not_a("a cons cell")),
    })
}

extern "C" fn tail(ctx: &mut JitCtx<'_>, v: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "tail", |_| match v.value() {
        Value::Cons(cell) => boxed(dup(&cell.tail)),
        _ => Err(not_a("a cons cell")),
    })
}

extern "C" fn tuple_item(ctx: &mut JitCtx<'_>, v: ValPtr, i: i64, out: &mut u64) -> u32 {
    guard(ctx, out, "tuple_item", |_| match v.value() {
        Value::Tuple(items) => match usize::try_from(i).ok().and_then(|i| items.get(i)) {
            Some(item) => boxed(dup(item)),
            None => Err(not_a("a longer tuple")),
        },
        _ => Err(not_a("a tuple")),
    })
}

extern "C" fn string_is(ctx: &mut JitCtx<'_>, v: ValPtr, constant: i64, out: &mut u64) -> u32 {
    guard(ctx, out, "string_is", |ctx| {
        let constant = string_constant(ctx, constant)?;
        match v.value() {
            Value::Str(s) => Ok(u64::from(**s == *constant)),
            _ => Err(not_a("a string")),
        }
    })
}
