//! Run-time values, shared by the interpreter and (later) the JIT's
//! boundary with the runtime.
//!
//! Values are reference counted and immutable except through `Ref` and
//! `Array` cells. Lists are cons cells whose `Drop` unlinks the tail in a
//! loop, so dropping a list of a million elements does not recurse.

use std::cell::RefCell;
use std::rc::Rc;

#[derive(Clone)]
pub enum Value {
    Unit,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Tuple(Rc<[Value]>),
    Nil,
    Cons(Rc<ConsCell>),
    Array(Rc<RefCell<Vec<Value>>>),
    Ref(Rc<RefCell<Value>>),
    Record(Rc<Record>),
    /// A constructor of a variant type, including `None`/`Some`.
    Variant(Rc<Variant>),
    /// A dlang function value; defined by the interpreter.
    Closure(Rc<crate::interp::Closure>),
    /// A primitive, possibly partially applied.
    Builtin(Rc<BuiltinApp>),
    /// A continuation captured by `shift`; calling it runs the captured
    /// context and returns what the `reset` would have returned.
    Continuation(Rc<crate::interp::Continuation>),
}

pub struct ConsCell {
    pub head: Value,
    pub tail: Value,
}

impl Drop for ConsCell {
    fn drop(&mut self) {
        let mut tail = std::mem::replace(&mut self.tail, Value::Nil);
        while let Value::Cons(cell) = tail {
            match Rc::try_unwrap(cell) {
                Ok(mut owned) => tail = std::mem::replace(&mut owned.tail, Value::Nil),
                Err(_) => break,
            }
        }
    }
}

pub struct Record {
    /// Field names in declaration order (the order they print in).
    pub fields: Vec<(Rc<str>, Value)>,
}

pub struct Variant {
    pub name: Rc<str>,
    pub arg: Option<Value>,
}

/// A primitive together with the arguments it has received so far; it
/// runs when `args.len() == prim.arity`.
pub struct BuiltinApp {
    pub prim: &'static super::prims::Prim,
    pub args: Vec<Value>,
}

impl Value {
    pub fn string(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    pub fn cons(head: Value, tail: Value) -> Value {
        Value::Cons(Rc::new(ConsCell { head, tail }))
    }

    /// Builds a dlang list from a Rust sequence.
    pub fn list_from(items: impl IntoIterator<Item = Value, IntoIter: DoubleEndedIterator>) -> Value {
        items
            .into_iter()
            .rev()
            .fold(Value::Nil, |tail, head| Value::cons(head, tail))
    }

    /// The elements of a dlang list, or `None` if `self` is not a list.
    pub fn list_to_vec(&self) -> Option<Vec<Value>> {
        let mut out = Vec::new();
        let mut cur = self;
        loop {
            match cur {
                Value::Nil => return Some(out),
                Value::Cons(cell) => {
                    out.push(cell.head.clone());
                    cur = &cell.tail;
                }
                _ => return None,
            }
        }
    }

    pub fn variant(name: &str, arg: Option<Value>) -> Value {
        Value::Variant(Rc::new(Variant {
            name: Rc::from(name),
            arg,
        }))
    }

    pub fn some(v: Value) -> Value {
        Value::variant("Some", Some(v))
    }

    pub fn none() -> Value {
        Value::variant("None", None)
    }
}
