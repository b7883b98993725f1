//! The data operations of the language on evaluated operands: building
//! tuples, lists, arrays, constructors, records and refs, and reading and
//! writing their parts, with the errors a user can meet (an index out of
//! range). Every backend calls these, once it has evaluated the operands.
//!
//! The checker guarantees each operand's kind (an index is an int, `!`
//! meets a ref), so a wrong kind is an internal error.

use std::cell::RefCell;
use std::rc::Rc;

use super::error::RuntimeError;
use super::value::{dup, Layout, Record, RecordLayout, Value};
use crate::syntax::ast::FieldDecl;

/// `(a, b, …)`
pub fn tuple(parts: Vec<Value>) -> Value {
    Value::Tuple(parts.into())
}

/// `[a; b; …]`
pub fn list(parts: Vec<Value>) -> Value {
    Value::list_from(parts)
}

/// `[| a; b; … |]`
pub fn array(parts: Vec<Value>) -> Value {
    Value::Array(Rc::new(RefCell::new(parts)))
}

/// `C arg`: the constructor with tag `tag` (named `name` for printing).
pub fn variant(tag: u32, name: &Rc<str>, arg: Value) -> Value {
    Value::variant(tag, name.clone(), Some(arg))
}

/// The layout of the records of a type declared with `fields`.
pub fn record_layout(fields: &[FieldDecl]) -> RecordLayout {
    Layout::new(fields.iter().map(|f| (f.name.as_str(), f.mutable)))
}

/// `{ f = a; … }`: `values` in source order, `order[i]` the declared
/// index of value `i` in `layout`.
pub fn record(layout: &RecordLayout, order: &[usize], values: Vec<Value>) -> Value {
    let mut fields = vec![Value::Unit; layout.names().len()];
    for (value, index) in values.into_iter().zip(order) {
        if let Some(field) = fields.get_mut(*index) {
            *field = value;
        }
    }
    Value::Record(Rc::new(Record::new(layout.clone(), fields)))
}

/// `{ base with f = a; … }`: the fields at declared `indices` take
/// `values`. The result is a new record: its mutable fields are new cells
/// (holding what `base`'s hold now), as in OCaml.
pub fn record_update(
    base: Value,
    indices: &[usize],
    values: impl IntoIterator<Item = Value>,
) -> Result<Value, RuntimeError> {
    let Value::Record(base) = base else {
        return Err(RuntimeError::internal("`with` on a non-record"));
    };
    let mut fields = base.values();
    for (index, value) in indices.iter().zip(values) {
        match fields.get_mut(*index) {
            Some(field) => *field = value,
            None => return Err(RuntimeError::internal("`with` names an unknown field")),
        }
    }
    Ok(base.with_values(fields))
}

/// `r.f`, `f` at declared index `index`.
pub fn field(record: Value, index: usize) -> Result<Value, RuntimeError> {
    let Value::Record(record) = record else {
        return Err(RuntimeError::internal("field access on a non-record"));
    };
    record
        .get(index)
        .ok_or_else(|| RuntimeError::internal("unknown record field"))
}

/// `r.f <- v`, `f` the mutable field at declared index `index`.
pub fn field_set(record: Value, index: usize, value: Value) -> Result<Value, RuntimeError> {
    let Value::Record(record) = record else {
        return Err(RuntimeError::internal("field assignment on a non-record"));
    };
    if !record.set(index, value) {
        return Err(RuntimeError::internal(
            "assigning a field that is not mutable",
        ));
    }
    Ok(Value::Unit)
}

/// `ref v`
pub fn make_ref(value: Value) -> Value {
    Value::Ref(Rc::new(RefCell::new(value)))
}

/// `a.(i)`
pub fn index(array: Value, i: Value) -> Result<Value, RuntimeError> {
    let Value::Array(cells) = array else {
        return Err(RuntimeError::internal("indexing a non-array"));
    };
    let cells = cells.borrow();
    let i = position(cells.len(), &i)?;
    cells
        .get(i)
        .map(dup)
        .ok_or_else(|| RuntimeError::internal("index check"))
}

/// `a.(i) <- v`
pub fn index_set(array: Value, i: Value, value: Value) -> Result<Value, RuntimeError> {
    let Value::Array(cells) = array else {
        return Err(RuntimeError::internal("indexing a non-array"));
    };
    let mut cells = cells.borrow_mut();
    let i = position(cells.len(), &i)?;
    if let Some(cell) = cells.get_mut(i) {
        *cell = value;
    }
    Ok(Value::Unit)
}

/// `r := v`
pub fn assign(cell: Value, value: Value) -> Result<Value, RuntimeError> {
    let Value::Ref(cell) = cell else {
        return Err(RuntimeError::internal("`:=` on a non-ref"));
    };
    *cell.borrow_mut() = value;
    Ok(Value::Unit)
}

/// `!r`
pub fn deref(cell: Value) -> Result<Value, RuntimeError> {
    let Value::Ref(cell) = cell else {
        return Err(RuntimeError::internal("`!` on a non-ref"));
    };
    let v = dup(&cell.borrow());
    Ok(v)
}

/// The position `index` names in an array of `len` cells.
fn position(len: usize, index: &Value) -> Result<usize, RuntimeError> {
    let Value::Int(i) = index else {
        return Err(RuntimeError::internal("array index is not an int"));
    };
    usize::try_from(*i)
        .ok()
        .filter(|i| *i < len)
        .ok_or_else(|| RuntimeError::index_out_of_range(*i, len))
}
