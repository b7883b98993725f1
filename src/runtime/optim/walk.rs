//! Walking several `diff` structures of the same shape in lock step
//! (parameters and their gradients), leaf by leaf, left to right.
//!
//! A leaf is a float or a tensor, tracked or not; the callback sees the
//! leaves with their AD tags (a step inside a `grad` is differentiated),
//! the containers are matched by their values. The walk keeps its own work stack (arrays included),
//! so a list of a million floats, or a constructor chain that deep, does
//! not exhaust the Rust stack.

use std::rc::Rc;

use crate::runtime::ad::primal;
use crate::runtime::error::RuntimeError;
use crate::runtime::value::{Record, Value, Variant};

/// Why a walk stopped.
pub enum WalkError {
    /// The structures differ at some node; the text says how
    /// (`a list of 2 elements and a list of 3 elements`).
    Shape(String),
    /// The leaf callback refused its leaves.
    Leaf(RuntimeError),
}

/// How to put a node back together once its children are rebuilt.
enum Build {
    Tuple(usize),
    List(usize),
    Array(usize),
    Record(Rc<Record>),
    Variant(Rc<Variant>),
}

enum Task {
    /// The nodes at the same place in each input.
    Visit(Vec<Value>),
    Build(Build),
}

/// Rebuilds the first input with each leaf replaced by `leaf` of the
/// leaves at that place in every input.
pub fn zip_map(
    inputs: &[Value],
    leaf: &mut dyn FnMut(&[Value]) -> Result<Value, RuntimeError>,
) -> Result<Value, WalkError> {
    walk(inputs, leaf, true)
}

/// Calls `visit` on the leaves at each place in every input, building
/// nothing: the cheap way to check that structures agree.
pub fn zip_leaves(
    inputs: &[Value],
    visit: &mut dyn FnMut(&[Value]) -> Result<(), RuntimeError>,
) -> Result<(), WalkError> {
    walk(
        inputs,
        &mut |leaves| visit(leaves).map(|()| Value::Unit),
        false,
    )
    .map(drop)
}

fn walk(
    inputs: &[Value],
    leaf: &mut dyn FnMut(&[Value]) -> Result<Value, RuntimeError>,
    build: bool,
) -> Result<Value, WalkError> {
    let mut tasks = vec![Task::Visit(inputs.to_vec())];
    let mut done: Vec<Value> = Vec::new();
    while let Some(task) = tasks.pop() {
        match task {
            Task::Visit(nodes) => {
                if let Some(finished) = visit(nodes, leaf, &mut tasks, build)? {
                    if build {
                        done.push(finished);
                    }
                }
            }
            Task::Build(how) => {
                if build {
                    let node = rebuild(how, &mut done);
                    done.push(node);
                }
            }
        }
    }
    Ok(done.pop().unwrap_or(Value::Unit))
}

/// Handles one place: a leaf or an atom is finished at once (`Some`); a
/// container schedules its children and its rebuild (`None`).
fn visit(
    tagged: Vec<Value>,
    leaf: &mut dyn FnMut(&[Value]) -> Result<Value, RuntimeError>,
    tasks: &mut Vec<Task>,
    build: bool,
) -> Result<Option<Value>, WalkError> {
    let nodes: Vec<Value> = tagged.iter().map(|n| primal(n).clone()).collect();
    let Some(first) = nodes.first().cloned() else {
        return Ok(Some(Value::Unit));
    };
    let same_kind = |describe: &dyn Fn(&Value) -> Option<String>| -> Result<(), WalkError> {
        let want = describe(&first);
        match nodes.iter().find(|n| describe(n) != want) {
            Some(other) => Err(WalkError::Shape(format!(
                "{} and {}",
                describe(&first).unwrap_or_default(),
                describe(other).unwrap_or_else(|| describe_any(other))
            ))),
            None => Ok(()),
        }
    };
    match &first {
        Value::Float(_) | Value::Tensor(_) => {
            same_kind(&|v| match v {
                Value::Float(_) => Some("a float".to_string()),
                Value::Tensor(_) => Some("a tensor".to_string()),
                _ => None,
            })?;
            leaf(&tagged).map(Some).map_err(WalkError::Leaf)
        }
        Value::Tuple(items) => {
            let n = items.len();
            same_kind(&|v| match v {
                Value::Tuple(items) => Some(format!("a tuple of {} components", items.len())),
                _ => None,
            })?;
            let children = nodes.iter().map(|v| match v {
                Value::Tuple(items) => items.to_vec(),
                _ => Vec::new(),
            });
            schedule(tasks, Build::Tuple(n), children.collect(), build);
            Ok(None)
        }
        Value::Nil | Value::Cons(_) => {
            same_kind(&|v| matches!(v, Value::Nil | Value::Cons(_)).then(|| "a list".into()))?;
            let spines: Vec<Vec<Value>> = nodes
                .iter()
                .map(|v| v.list_to_vec().unwrap_or_default())
                .collect();
            let n = spines[0].len();
            if let Some(other) = spines.iter().find(|s| s.len() != n) {
                return Err(WalkError::Shape(format!(
                    "a list of {n} elements and a list of {} elements",
                    other.len()
                )));
            }
            schedule(tasks, Build::List(n), spines, build);
            Ok(None)
        }
        Value::Array(_) => {
            let contents: Vec<Vec<Value>> = nodes
                .iter()
                .map(|v| match v {
                    Value::Array(items) => items.borrow().clone(),
                    _ => Vec::new(),
                })
                .collect();
            let n = contents[0].len();
            same_kind(&|v| match v {
                Value::Array(items) => {
                    Some(format!("an array of {} elements", items.borrow().len()))
                }
                _ => None,
            })?;
            schedule(tasks, Build::Array(n), contents, build);
            Ok(None)
        }
        Value::Record(r) => {
            same_kind(&|v| match v {
                Value::Record(r) => {
                    let names: Vec<&str> = r.layout.names().iter().map(|name| &**name).collect();
                    Some(format!("a record {{ {} }}", names.join("; ")))
                }
                _ => None,
            })?;
            let fields = nodes.iter().map(|v| match v {
                Value::Record(r) => r.values(),
                _ => Vec::new(),
            });
            schedule(tasks, Build::Record(r.clone()), fields.collect(), build);
            Ok(None)
        }
        Value::Variant(c) => {
            same_kind(&|v| match v {
                Value::Variant(c) => Some(format!("constructor {}", c.name)),
                _ => None,
            })?;
            if c.arg.is_none() {
                return Ok(Some(first.clone()));
            }
            let args = nodes.iter().map(|v| match v {
                Value::Variant(c) => c.arg.iter().cloned().collect(),
                _ => Vec::new(),
            });
            schedule(tasks, Build::Variant(c.clone()), args.collect(), build);
            Ok(None)
        }
        // Not differentiable (the checker keeps them out of `diff`
        // types): kept as they are in the first input.
        _ => Ok(Some(first.clone())),
    }
}

/// Pushes the rebuild of a container, then its children so that the
/// first child is visited first. `children[i]` are input `i`'s children,
/// all of the same length (checked by the caller).
fn schedule(tasks: &mut Vec<Task>, how: Build, children: Vec<Vec<Value>>, build: bool) {
    if build {
        tasks.push(Task::Build(how));
    }
    let width = children.first().map_or(0, Vec::len);
    let mut columns: Vec<std::vec::IntoIter<Value>> =
        children.into_iter().map(Vec::into_iter).collect();
    let mut places: Vec<Vec<Value>> = Vec::with_capacity(width);
    for _ in 0..width {
        places.push(columns.iter_mut().filter_map(Iterator::next).collect());
    }
    tasks.extend(places.into_iter().rev().map(Task::Visit));
}

fn rebuild(how: Build, done: &mut Vec<Value>) -> Value {
    let take = |done: &mut Vec<Value>, n: usize| done.split_off(done.len().saturating_sub(n));
    match how {
        Build::Tuple(n) => Value::Tuple(take(done, n).into()),
        Build::List(n) => Value::list_from(take(done, n)),
        Build::Array(n) => Value::Array(Rc::new(std::cell::RefCell::new(take(done, n)))),
        Build::Record(r) => r.with_values(take(done, r.len())),
        Build::Variant(c) => c.with_arg(done.pop()),
    }
}

fn describe_any(v: &Value) -> String {
    format!("a {}", crate::runtime::ops::kind_name(v))
}
