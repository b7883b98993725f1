//! Walking a `diff` structure (floats inside tuples, records, lists,
//! arrays, constructors): tracking a `grad`'s input, reading its gradient
//! back, and removing tags.
//!
//! Lists are walked along their spine in a loop, so a list of a million
//! floats is fine; other nesting recurses once per level of the value.

use std::cell::RefCell;
use std::rc::Rc;

use super::{primal, Tracked};
use crate::runtime::value::{Record, Value, Variant};

/// Rebuilds `v` with every float (tracked or not) replaced by `leaf`.
fn map_floats(v: &Value, leaf: &mut dyn FnMut(&Value) -> Value) -> Value {
    match v {
        Value::Float(_) | Value::Tracked(_) => leaf(v),
        Value::Tuple(items) => Value::Tuple(items.iter().map(|x| map_floats(x, leaf)).collect()),
        Value::Cons(_) => {
            let mut heads = Vec::new();
            let mut cur = v;
            while let Value::Cons(cell) = cur {
                heads.push(map_floats(&cell.head, leaf));
                cur = &cell.tail;
            }
            let tail = map_floats(cur, leaf);
            heads
                .into_iter()
                .rev()
                .fold(tail, |tail, head| Value::cons(head, tail))
        }
        Value::Array(items) => {
            let items: Vec<Value> = items.borrow().iter().map(|x| map_floats(x, leaf)).collect();
            Value::Array(Rc::new(RefCell::new(items)))
        }
        Value::Record(r) => Value::Record(Rc::new(Record {
            fields: r
                .fields
                .iter()
                .map(|(name, x)| (name.clone(), map_floats(x, leaf)))
                .collect(),
        })),
        Value::Variant(c) => match &c.arg {
            None => v.clone(),
            Some(arg) => Value::Variant(Rc::new(Variant {
                name: c.name.clone(),
                arg: Some(map_floats(arg, leaf)),
            })),
        },
        other => other.clone(),
    }
}

/// `x` with every float tracked by `tag`, each with its own adjoint cell.
pub fn track_input(tag: u32, x: &Value) -> Value {
    map_floats(x, &mut |leaf| Tracked::value(tag, leaf.clone()))
}

/// The adjoints of the tracked input: the gradient, shaped like the input.
/// A float the function did not use kept its adjoint `0.0`.
pub fn gradient_of(tag: u32, tracked_input: &Value) -> Value {
    map_floats(tracked_input, &mut |leaf| match leaf {
        Value::Tracked(t) if t.tag == tag => t.derivative.borrow().clone(),
        _ => Value::Float(0.0),
    })
}

/// `v` with the tracking of `tag` removed at the top (a `grad`'s value).
pub fn strip_tag(tag: u32, v: &Value) -> Value {
    match v {
        Value::Tracked(t) if t.tag == tag => t.primal.clone(),
        other => other.clone(),
    }
}

/// `v` with every tag removed everywhere: `stop_gradient`.
pub fn strip_all(v: &Value) -> Value {
    map_floats(v, &mut |leaf| primal(leaf).clone())
}

/// `x` with every float made a value of the `jvp` tagged `tag`, whose
/// tangent is the float at the same place in `dx` (same shape: both have
/// the type `'a`; a missing counterpart, as in lists of different
/// lengths, is a zero tangent).
pub fn with_tangents(tag: u32, x: &Value, dx: &Value) -> Value {
    let mut tangents = Vec::new();
    map_floats(dx, &mut |leaf| {
        tangents.push(leaf.clone());
        leaf.clone()
    });
    let mut tangents = tangents.into_iter();
    map_floats(x, &mut |leaf| {
        let tangent = tangents.next().unwrap_or(Value::Float(0.0));
        Value::Tracked(Rc::new(Tracked {
            tag,
            primal: leaf.clone(),
            derivative: RefCell::new(tangent),
        }))
    })
}

/// The tangents of a `jvp`'s result, shaped like it; 0.0 where the result
/// does not depend on the input.
pub fn tangent_of(tag: u32, result: &Value) -> Value {
    gradient_of(tag, result)
}

/// The values of a `jvp`'s result without its tag.
pub fn primal_of(tag: u32, result: &Value) -> Value {
    map_floats(result, &mut |leaf| strip_tag(tag, leaf))
}
