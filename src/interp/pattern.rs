//! Pattern matching against run-time values. Variables are written straight
//! into the activation's slots; a failed match may leave some written,
//! which is harmless because the next arm rebinds what it uses.
//!
//! Recursion here follows the pattern's syntax, not the value, so its depth
//! is bounded by the source text.

use super::code::Pat;
use crate::runtime::value::{dup, Value};

pub fn match_pattern(pat: &Pat, value: &Value, slots: &mut [Value]) -> bool {
    match pat {
        Pat::Wildcard => true,
        Pat::Bind(slot) => bind(*slot, value, slots),
        Pat::Int(n) => matches!(value, Value::Int(m) if m == n),
        Pat::Float(x) => matches!(value, Value::Float(y) if y == x),
        Pat::Str(s) => matches!(value, Value::Str(t) if t == s),
        Pat::Bool(b) => matches!(value, Value::Bool(c) if c == b),
        Pat::Unit => matches!(value, Value::Unit),
        Pat::Tuple(items) => match value {
            Value::Tuple(values) if values.len() == items.len() => items
                .iter()
                .zip(values.iter())
                .all(|(p, v)| match_pattern(p, v, slots)),
            _ => false,
        },
        Pat::Variant(tag, arg) => match value {
            Value::Variant(v) if v.tag == *tag => match (arg, &v.arg) {
                (None, None) => true,
                (Some(p), Some(a)) => match_pattern(p, a, slots),
                _ => false,
            },
            _ => false,
        },
        Pat::Nil => matches!(value, Value::Nil),
        Pat::Cons(head, tail) => match value {
            Value::Cons(cell) => {
                match_pattern(head, &cell.head, slots) && match_pattern(tail, &cell.tail, slots)
            }
            _ => false,
        },
        Pat::Record(fields) => match value {
            Value::Record(record) => fields.iter().all(|(index, p)| {
                record
                    .read_field(*index, |v| match_pattern(p, v, slots))
                    .unwrap_or(false)
            }),
            _ => false,
        },
        Pat::Or(left, right) => {
            match_pattern(left, value, slots) || match_pattern(right, value, slots)
        }
        Pat::As(inner, slot) => match_pattern(inner, value, slots) && bind(*slot, value, slots),
    }
}

#[inline(always)]
fn bind(slot: u32, value: &Value, slots: &mut [Value]) -> bool {
    match slots.get_mut(slot as usize) {
        Some(s) => {
            *s = dup(value);
            true
        }
        None => false,
    }
}
