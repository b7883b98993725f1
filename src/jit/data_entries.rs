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

use super::abi::{boxed, guard, internal, EntrySig};
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
        DataFn::Record(shape) | DataFn::RecordUpdate(shape) => Some(u64::from(shape)),
        DataFn::VariantOfTuple { tag, name } => Some(u64::from(name) << 32 | u64::from(tag)),
        DataFn::Structural(compare) => COMPARES
            .iter()
            .position(|c| *c == compare)
            .map(|i| i as u64),
        _ => None,
    }
}

pub fn signature(op: DataFn) -> EntrySig {
    use Ty::{Bool, Unit, Val, I64};
    let sig = EntrySig::fallible;
    match op {
        DataFn::Tuple => sig("dlang_jit_tuple", &[], Val),
        DataFn::List => sig("dlang_jit_list", &[], Val),
        DataFn::Array => sig("dlang_jit_array", &[], Val),
        DataFn::Record(_) => sig("dlang_jit_record", &[], Val),
        DataFn::RecordUpdate(_) => sig("dlang_jit_record_update", &[], Val),
        DataFn::Variant => sig("dlang_jit_variant", &[I64, I64, Val], Val),
        DataFn::ConstantVariant => sig("dlang_jit_constant_variant", &[I64, I64], Val),
        DataFn::VariantOfTuple { .. } => sig("dlang_jit_variant_of_tuple", &[], Val),
        DataFn::VariantItem => sig("dlang_jit_variant_item", &[Val, I64], Val),
        DataFn::Cons => sig("dlang_jit_cons", &[Val, Val], Val),
        DataFn::MakeRef => sig("dlang_jit_make_ref", &[Val], Val),
        DataFn::Deref => sig("dlang_jit_deref", &[Val], Val),
        DataFn::Assign => sig("dlang_jit_assign", &[Val, Val], Unit),
        DataFn::Field => sig("dlang_jit_field", &[Val, I64], Val),
        DataFn::FieldSet => sig("dlang_jit_field_set", &[Val, I64, Val], Unit),
        DataFn::Index => sig("dlang_jit_index", &[Val, I64], Val),
        DataFn::IndexSet => sig("dlang_jit_index_set", &[Val, I64, Val], Unit),
        DataFn::Structural(_) => sig("dlang_jit_structural", &[], Bool),
        DataFn::Tag => sig("dlang_jit_tag", &[Val], I64),
        DataFn::IsCons => sig("dlang_jit_is_cons", &[Val], Bool),
        DataFn::VariantArg => sig("dlang_jit_variant_arg", &[Val], Val),
        DataFn::Head => sig("dlang_jit_head", &[Val], Val),
        DataFn::Tail => sig("dlang_jit_tail", &[Val], Val),
        DataFn::TupleItem => sig("dlang_jit_tuple_item", &[Val, I64], Val),
        DataFn::StringIs => sig("dlang_jit_string_is", &[Val, I64], Bool),
        DataFn::Unmatched => sig("dlang_jit_unmatched", &[Val], Unit),
    }
}

/// The comparisons of [`DataFn::Structural`], by their immediate word.
const COMPARES: [Compare; 6] = [
    Compare::Eq,
    Compare::Ne,
    Compare::Lt,
    Compare::Le,
    Compare::Gt,
    Compare::Ge,
];

/// One of each entry (a record shape or a comparison does not change
/// the symbol).
const ENTRIES: [DataFn; 26] = [
    DataFn::Tuple,
    DataFn::List,
    DataFn::Array,
    DataFn::Record(0),
    DataFn::RecordUpdate(0),
    DataFn::Variant,
    DataFn::ConstantVariant,
    DataFn::VariantOfTuple { tag: 0, name: 0 },
    DataFn::VariantItem,
    DataFn::Cons,
    DataFn::MakeRef,
    DataFn::Deref,
    DataFn::Assign,
    DataFn::Field,
    DataFn::FieldSet,
    DataFn::Index,
    DataFn::IndexSet,
    DataFn::Structural(Compare::Eq),
    DataFn::Tag,
    DataFn::IsCons,
    DataFn::VariantArg,
    DataFn::Head,
    DataFn::Tail,
    DataFn::TupleItem,
    DataFn::StringIs,
    DataFn::Unmatched,
];

/// Makes every entry's symbol known to the module being built.
pub fn register(builder: &mut JITBuilder) {
    for op in ENTRIES {
        builder.symbol(signature(op).symbol, shim(op));
    }
}

/// The address of an entry's shim.
fn shim(op: DataFn) -> *const u8 {
    match op {
        DataFn::Tuple => tuple as *const u8,
        DataFn::List => list as *const u8,
        DataFn::Array => array as *const u8,
        DataFn::Record(_) => record as *const u8,
        DataFn::RecordUpdate(_) => record_update as *const u8,
        DataFn::Variant => variant as *const u8,
        DataFn::ConstantVariant => constant_variant as *const u8,
        DataFn::VariantOfTuple { .. } => variant_of_tuple as *const u8,
        DataFn::VariantItem => variant_item as *const u8,
        DataFn::Cons => cons as *const u8,
        DataFn::MakeRef => make_ref as *const u8,
        DataFn::Deref => deref as *const u8,
        DataFn::Assign => assign as *const u8,
        DataFn::Field => field as *const u8,
        DataFn::FieldSet => field_set as *const u8,
        DataFn::Index => index as *const u8,
        DataFn::IndexSet => index_set as *const u8,
        DataFn::Structural(_) => structural as *const u8,
        DataFn::Tag => tag as *const u8,
        DataFn::IsCons => is_cons as *const u8,
        DataFn::VariantArg => variant_arg as *const u8,
        DataFn::Head => head as *const u8,
        DataFn::Tail => tail as *const u8,
        DataFn::TupleItem => tuple_item as *const u8,
        DataFn::StringIs => string_is as *const u8,
        DataFn::Unmatched => unmatched as *const u8,
    }
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

/// `immediate` is `name << 32 | tag`.
extern "C" fn variant_of_tuple(
    ctx: &mut JitCtx<'_>,
    immediate: u64,
    args: ValArray,
    len: u64,
    out: &mut u64,
) -> u32 {
    let args = args.slice(len);
    guard(ctx, out, "variant_of_tuple", |ctx| {
        let name = string_constant(ctx, (immediate >> 32) as i64)?;
        let tuple = data::tuple(values(args));
        boxed(data::variant(immediate as u32, &name, tuple))
    })
}

/// A constructor without an argument is made once per program run and
/// shared (nothing can tell two `Leaf`s apart), so that building a tree
/// does not allocate a value per leaf.
extern "C" fn constant_variant(ctx: &mut JitCtx<'_>, tag: i64, name: i64, out: &mut u64) -> u32 {
    guard(ctx, out, "constant_variant", |ctx| {
        let slot =
            usize::try_from(name).map_err(|_| internal(format!("no string constant {name}")))?;
        if let Some(Some((made_tag, value))) = ctx.constant_variants.get(slot) {
            if *made_tag == tag {
                return Ok(ValPtr::from_rc(Rc::clone(value)).bits());
            }
        }
        let value = Rc::new(Value::variant(
            tag as u32,
            string_constant(ctx, name)?,
            None,
        ));
        if ctx.constant_variants.len() <= slot {
            ctx.constant_variants.resize(slot + 1, None);
        }
        ctx.constant_variants[slot] = Some((tag, Rc::clone(&value)));
        Ok(ValPtr::from_rc(value).bits())
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

extern "C" fn unmatched(ctx: &mut JitCtx<'_>, v: ValPtr, out: &mut u64) -> u32 {
    guard(ctx, out, "unmatched", |ctx| {
        ctx.unmatched = Some(dup(v.value()));
        Ok(0)
    })
}

extern "C" fn field(ctx: &mut JitCtx<'_>, record: ValPtr, index: i64, out: &mut u64) -> u32 {
    guard(ctx, out, "field", |_| {
        boxed(data::field(dup(record.value()), index as usize)?)
    })
}

extern "C" fn field_set(
    ctx: &mut JitCtx<'_>,
    record: ValPtr,
    index: i64,
    v: ValPtr,
    out: &mut u64,
) -> u32 {
    guard(ctx, out, "field_set", |_| {
        data::field_set(dup(record.value()), index as usize, dup(v.value()))?;
        Ok(0)
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

/// `a op b` by the runtime's structural comparison, as a `bool` word;
/// `compare` indexes [`COMPARES`].
extern "C" fn structural(
    ctx: &mut JitCtx<'_>,
    compare: u64,
    args: ValArray,
    len: u64,
    out: &mut u64,
) -> u32 {
    let args = args.slice(len);
    guard(ctx, out, "structural", |ctx| {
        let op = match COMPARES.get(compare as usize) {
            Some(Compare::Eq) => BinOp::Eq,
            Some(Compare::Ne) => BinOp::Ne,
            Some(Compare::Lt) => BinOp::Lt,
            Some(Compare::Le) => BinOp::Le,
            Some(Compare::Gt) => BinOp::Gt,
            Some(Compare::Ge) => BinOp::Ge,
            None => return Err(internal(format!("no comparison {compare}"))),
        };
        let [a, b] = args else {
            return Err(internal("a comparison of other than two values".into()));
        };
        match ops::binary(ctx.runtime, op, a.value(), b.value())? {
            Value::Bool(result) => Ok(u64::from(result)),
            _ => Err(internal(format!("`{}` gave a non-boolean", op.symbol()))),
        }
    })
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

extern "C" fn variant_item(ctx: &mut JitCtx<'_>, v: ValPtr, i: i64, out: &mut u64) -> u32 {
    guard(ctx, out, "variant_item", |_| match v.value() {
        Value::Variant(variant) => match &variant.arg {
            Some(Value::Tuple(items)) => match usize::try_from(i).ok().and_then(|i| items.get(i)) {
                Some(item) => boxed(dup(item)),
                None => Err(not_a("a longer tuple")),
            },
            _ => Err(not_a("a constructor of a tuple")),
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
