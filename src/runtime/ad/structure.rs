//! Walking a `diff` structure (floats inside tuples, records, lists,
//! arrays, constructors): tracking a `grad`'s input, reading its gradient
//! back, and removing tags.
//!
//! The walk keeps its own work stack, so neither a list of a million
//! floats nor a chain of a million constructors exhausts the Rust stack.

use std::cell::RefCell;
use std::rc::Rc;

use super::{primal, Tracked};
use crate::runtime::error::RuntimeError;
use crate::runtime::tensor::Tensor;
use crate::runtime::value::{Record, Value, Variant};

/// How to put a node back together once its children are rebuilt.
enum Rebuild<'v> {
    Tuple(usize),
    /// `n` heads, then the value that ends the spine.
    List(usize),
    Record(&'v Record),
    Variant(&'v Variant),
}

enum Task<'v> {
    Visit(&'v Value),
    Rebuild(Rebuild<'v>),
}

/// Rebuilds `v` with every float and tensor (tracked or not) replaced by
/// `leaf`, visiting them left to right. The walk keeps its own work stack, so
/// a structure nested a million levels deep (a long user-defined chain)
/// does not exhaust the Rust stack.
fn map_floats(v: &Value, leaf: &mut dyn FnMut(&Value) -> Value) -> Value {
    let mut tasks = vec![Task::Visit(v)];
    let mut done: Vec<Value> = Vec::new();
    while let Some(task) = tasks.pop() {
        match task {
            Task::Visit(v) => match v {
                Value::Float(_) | Value::Tensor(_) | Value::Tracked(_) => done.push(leaf(v)),
                Value::Tuple(items) => {
                    tasks.push(Task::Rebuild(Rebuild::Tuple(items.len())));
                    tasks.extend(items.iter().rev().map(Task::Visit));
                }
                Value::Cons(_) => {
                    let mut heads = Vec::new();
                    let mut cur = v;
                    while let Value::Cons(cell) = cur {
                        heads.push(&cell.head);
                        cur = &cell.tail;
                    }
                    tasks.push(Task::Rebuild(Rebuild::List(heads.len())));
                    tasks.push(Task::Visit(cur));
                    tasks.extend(heads.into_iter().rev().map(Task::Visit));
                }
                Value::Array(items) => {
                    // An array is a mutable cell that cannot stay borrowed
                    // across the walk, so its elements are walked by a
                    // nested call: only arrays nested in arrays recurse.
                    let items: Vec<Value> = items.borrow().clone();
                    let rebuilt = items.iter().map(|x| map_floats(x, leaf)).collect();
                    done.push(Value::Array(Rc::new(RefCell::new(rebuilt))));
                }
                Value::Record(r) if r.layout.has_mutable_fields() => {
                    // Mutable fields are cells, walked as an array's
                    // elements are; the rebuilt record has new cells.
                    let values = r.values();
                    let rebuilt = values.iter().map(|x| map_floats(x, leaf)).collect();
                    done.push(r.with_values(rebuilt));
                }
                Value::Record(r) => {
                    tasks.push(Task::Rebuild(Rebuild::Record(r)));
                    tasks.extend(r.slots().iter().rev().map(Task::Visit));
                }
                Value::Variant(c) => match &c.arg {
                    None => done.push(v.clone()),
                    Some(arg) => {
                        tasks.push(Task::Rebuild(Rebuild::Variant(c)));
                        tasks.push(Task::Visit(arg));
                    }
                },
                other => done.push(other.clone()),
            },
            Task::Rebuild(how) => {
                let value = match how {
                    Rebuild::Tuple(n) => Value::Tuple(take_last(&mut done, n).into()),
                    Rebuild::List(n) => {
                        let mut parts = take_last(&mut done, n + 1);
                        let tail = parts.pop().unwrap_or(Value::Nil);
                        parts
                            .into_iter()
                            .rev()
                            .fold(tail, |tail, head| Value::cons(head, tail))
                    }
                    Rebuild::Record(r) => r.with_values(take_last(&mut done, r.len())),
                    Rebuild::Variant(c) => c.with_arg(done.pop()),
                };
                done.push(value);
            }
        }
    }
    done.pop().unwrap_or(Value::Unit)
}

/// The last `n` finished values, in the order they were finished.
fn take_last(done: &mut Vec<Value>, n: usize) -> Vec<Value> {
    let at = done.len().saturating_sub(n);
    done.split_off(at)
}

/// `x` with every float tracked by `tag`, each with its own adjoint cell.
pub fn track_input(tag: u32, x: &Value) -> Value {
    map_floats(x, &mut |leaf| Tracked::value(tag, leaf.clone()))
}

/// `v` with new arrays and records around the same leaves, so writes to
/// its cells (array elements, mutable fields) do not reach `v`'s.
pub fn with_new_cells(v: &Value) -> Value {
    map_floats(v, &mut |leaf| leaf.clone())
}

/// The adjoints of the tracked input: the gradient, shaped like the input.
/// A float the function did not use kept its adjoint `0.0`; a tensor it
/// did not use gets zeros of its shape.
pub fn gradient_of(tag: u32, tracked_input: &Value) -> Value {
    map_floats(tracked_input, &mut |leaf| {
        let derivative = match leaf {
            Value::Tracked(t) if t.tag == tag => t.derivative.borrow().clone(),
            _ => Value::Float(0.0),
        };
        match (primal(leaf), primal(&derivative)) {
            (Value::Tensor(t), Value::Float(_)) => Value::tensor(Tensor::zeros(t.shape())),
            _ => derivative,
        }
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

/// `x` with every float and tensor made a value of the `jvp` tagged
/// `tag`, whose tangent is the leaf at the same place in `dx`. Both have
/// the type `'a`, but lists and arrays may differ in length and tensors in
/// shape: that is an error (R011), as in `torch.func.jvp`.
pub fn with_tangents(tag: u32, x: &Value, dx: &Value) -> Result<Value, RuntimeError> {
    let mut tangents = Vec::new();
    map_floats(dx, &mut |leaf| {
        tangents.push(primal(leaf).clone());
        leaf.clone()
    });
    let mut tangents = tangents.into_iter();
    let mut mismatch: Option<String> = None;
    let tracked = map_floats(x, &mut |leaf| {
        let tangent = tangents.next();
        let (want, got) = (leaf_shape(primal(leaf)), tangent.as_ref().map(leaf_shape));
        if mismatch.is_none() && got.as_ref() != Some(&want) {
            mismatch = Some(match got {
                Some(got) => format!("a tangent of shape {got} for an input of shape {want}"),
                None => "fewer tangents than inputs (a shorter list or array)".to_string(),
            });
        }
        Value::Tracked(Rc::new(Tracked {
            tag,
            primal: leaf.clone(),
            derivative: RefCell::new(tangent.unwrap_or(Value::Float(0.0))),
        }))
    });
    if mismatch.is_none() && tangents.next().is_some() {
        mismatch = Some("more tangents than inputs (a longer list or array)".to_string());
    }
    match mismatch {
        Some(why) => Err(RuntimeError::shape(format!(
            "`jvp`: the direction does not have the shape of the point: {why}"
        ))),
        None => Ok(tracked),
    }
}

/// `float`, or a tensor's shape as dlang writes it.
fn leaf_shape(v: &Value) -> String {
    match v {
        Value::Tensor(t) => crate::runtime::tensor::error::show_shape(t.shape()),
        _ => "float".to_string(),
    }
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
