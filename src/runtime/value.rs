//! Run-time values, shared by the interpreter and (later) the JIT's
//! boundary with the runtime.
//!
//! Values are reference counted and immutable except through `Ref` and
//! `Array` cells (and a record's `mutable` fields, which are `Ref` cells
//! inside it). Containers that can nest deeply (cons cells, records,
//! constructors) free their contents with a work list, so dropping a list
//! of a million elements, or a tree that deep, does not recurse.

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
    /// A dlang function value (see `runtime::function`).
    Closure(Rc<super::function::Closure>),
    /// A primitive, possibly partially applied.
    Builtin(Rc<BuiltinApp>),
    /// A continuation captured by `shift`; calling it runs the captured
    /// context and returns what the `reset` would have returned.
    /// Opaque to the runtime: the backend that captured it runs it.
    Continuation(Rc<dyn super::function::Continuation>),
    /// A float or tensor differentiated by an active `grad` (see
    /// `runtime::ad`).
    Tracked(Rc<super::ad::Tracked>),
    /// An f32 tensor (docs/language.md §7). The `Rc` keeps `Value` small; the
    /// elements inside are shared as well.
    Tensor(Rc<super::tensor::Tensor>),
    /// An optimizer of `Optim` with its state (momentum buffers, moments).
    Optimizer(Rc<crate::runtime::optim::Optimizer>),
}

/// `Value::clone`, inline: the out-of-line derived clone writes its
/// result in pieces that the caller then reads back whole, which stalls
/// the processor on every variable read.
#[inline(always)]
pub fn dup(v: &Value) -> Value {
    match v {
        Value::Int(n) => Value::Int(*n),
        Value::Float(x) => Value::Float(*x),
        Value::Bool(b) => Value::Bool(*b),
        Value::Unit => Value::Unit,
        Value::Nil => Value::Nil,
        Value::Ref(r) => Value::Ref(Rc::clone(r)),
        Value::Closure(c) => Value::Closure(Rc::clone(c)),
        Value::Cons(c) => Value::Cons(Rc::clone(c)),
        Value::Array(a) => Value::Array(Rc::clone(a)),
        Value::Tuple(t) => Value::Tuple(Rc::clone(t)),
        Value::Record(r) => Value::Record(Rc::clone(r)),
        Value::Variant(c) => Value::Variant(Rc::clone(c)),
        Value::Str(s) => Value::Str(Rc::clone(s)),
        Value::Builtin(b) => Value::Builtin(Rc::clone(b)),
        Value::Continuation(k) => Value::Continuation(Rc::clone(k)),
        Value::Tracked(t) => Value::Tracked(Rc::clone(t)),
        Value::Tensor(t) => Value::Tensor(Rc::clone(t)),
        Value::Optimizer(o) => Value::Optimizer(Rc::clone(o)),
    }
}

pub struct ConsCell {
    pub head: Value,
    pub tail: Value,
}

impl ConsCell {
    /// What one cell costs on the heap, with its reference counts: what
    /// a primitive checks against the memory limit per list element.
    pub const BYTES: usize = std::mem::size_of::<ConsCell>() + 2 * std::mem::size_of::<usize>();
}

impl Drop for ConsCell {
    /// Frees the uniquely owned cells of the tail in a loop; only what
    /// they hold besides scalars goes to a work list, so a list of
    /// scalars is freed without allocating one.
    fn drop(&mut self) {
        let mut deep = Vec::new();
        let mut head = std::mem::replace(&mut self.head, Value::Unit);
        let mut rest = std::mem::replace(&mut self.tail, Value::Nil);
        loop {
            if !head.is_scalar() {
                deep.push(head);
            }
            match rest {
                Value::Cons(cell) => match Rc::try_unwrap(cell) {
                    Ok(mut cell) => {
                        head = std::mem::replace(&mut cell.head, Value::Unit);
                        rest = std::mem::replace(&mut cell.tail, Value::Nil);
                    }
                    Err(_shared) => break,
                },
                end => {
                    if !end.is_scalar() {
                        deep.push(end);
                    }
                    break;
                }
            }
        }
        if !deep.is_empty() {
            drop_deep(deep);
        }
    }
}

impl Drop for Record {
    fn drop(&mut self) {
        drop_deep(std::mem::take(&mut self.slots));
    }
}

impl Drop for Variant {
    fn drop(&mut self) {
        if let Some(arg) = self.arg.take() {
            drop_deep(vec![arg]);
        }
    }
}

/// Drops values with a work list instead of recursion: each uniquely owned
/// container is emptied before it is dropped, so its own `Drop` finds
/// nothing to recurse into. A user-defined list or tree a million levels
/// deep, or a chain of closures that long, is freed without overflowing
/// the Rust stack.
pub fn drop_deep(mut work: Vec<Value>) {
    while let Some(value) = work.pop() {
        match value {
            Value::Cons(cell) => {
                if let Ok(mut cell) = Rc::try_unwrap(cell) {
                    work.push(std::mem::replace(&mut cell.head, Value::Unit));
                    work.push(std::mem::replace(&mut cell.tail, Value::Nil));
                }
            }
            Value::Variant(variant) => {
                if let Ok(mut variant) = Rc::try_unwrap(variant) {
                    work.extend(variant.arg.take());
                }
            }
            Value::Record(record) => {
                if let Ok(mut record) = Rc::try_unwrap(record) {
                    work.append(&mut record.slots);
                }
            }
            Value::Tuple(mut items) => {
                if let Some(items) = Rc::get_mut(&mut items) {
                    work.extend(items.iter_mut().map(|v| std::mem::replace(v, Value::Unit)));
                }
            }
            Value::Ref(cell) => {
                if let Ok(cell) = Rc::try_unwrap(cell) {
                    work.push(cell.into_inner());
                }
            }
            Value::Array(items) => {
                if let Ok(items) = Rc::try_unwrap(items) {
                    work.extend(items.into_inner());
                }
            }
            Value::Closure(mut closure) => {
                if let Some(closure) = Rc::get_mut(&mut closure) {
                    if let Some(captures) = Rc::get_mut(&mut closure.captures) {
                        work.extend(
                            captures
                                .iter_mut()
                                .map(|v| std::mem::replace(v, Value::Unit)),
                        );
                    }
                }
            }
            Value::Continuation(mut k) => {
                if let Some(k) = Rc::get_mut(&mut k) {
                    k.release(&mut work);
                }
            }
            _ => {}
        }
    }
}

/// What every record of one type shares: its fields' names in
/// declaration order (the order they print in) and which are `mutable`.
pub type RecordLayout = Rc<Layout>;

#[derive(Debug, Default)]
pub struct Layout {
    names: Box<[Rc<str>]>,
    /// By declared index; empty when no field is mutable, the common case.
    mutable: Box<[bool]>,
}

impl Layout {
    /// The layout of fields `(name, mutable)` in declaration order.
    pub fn new<'n>(fields: impl IntoIterator<Item = (&'n str, bool)>) -> RecordLayout {
        let (names, mutable): (Vec<Rc<str>>, Vec<bool>) =
            fields.into_iter().map(|(n, m)| (Rc::from(n), m)).unzip();
        let any_mutable = mutable.contains(&true);
        Rc::new(Layout {
            names: names.into(),
            mutable: if any_mutable {
                mutable.into()
            } else {
                Box::new([])
            },
        })
    }

    pub fn names(&self) -> &[Rc<str>] {
        &self.names
    }

    pub fn is_mutable(&self, index: usize) -> bool {
        self.mutable.get(index).copied().unwrap_or(false)
    }

    pub fn has_mutable_fields(&self) -> bool {
        !self.mutable.is_empty()
    }
}

/// A record value. A `mutable` field's slot is a `Value::Ref` cell that
/// holds its value, created with the record: so a record without mutable
/// fields is its values and nothing more, assignment writes the cell
/// every alias of the record sees, and equality, hashing and printing
/// meet a cycle through a mutable field as one through a `ref`.
pub struct Record {
    pub layout: RecordLayout,
    /// By declared field index.
    slots: Vec<Value>,
}

pub struct Variant {
    /// The constructor's index in its type's declaration: what matching
    /// compares.
    pub tag: u32,
    /// The constructor's name, for printing.
    pub name: Rc<str>,
    pub arg: Option<Value>,
}

/// The tags of `option`'s constructors, in the checker's declaration of
/// the built-in type.
pub const NONE_TAG: u32 = 0;
pub const SOME_TAG: u32 = 1;

impl Record {
    /// The record of `layout` whose fields have `values` (by declared
    /// index); each mutable field gets a new cell.
    pub fn new(layout: RecordLayout, mut values: Vec<Value>) -> Record {
        if layout.has_mutable_fields() {
            for (index, value) in values.iter_mut().enumerate() {
                if layout.is_mutable(index) {
                    let contents = std::mem::replace(value, Value::Unit);
                    *value = Value::Ref(Rc::new(RefCell::new(contents)));
                }
            }
        }
        Record {
            layout,
            slots: values,
        }
    }

    /// How many fields the record has.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The value of the field at declared `index` (for a mutable field,
    /// what its cell holds now).
    pub fn get(&self, index: usize) -> Option<Value> {
        self.read_field(index, dup)
    }

    /// `read` applied to the value of the field at declared `index` where
    /// it is, without a copy (inside its cell, for a mutable field).
    pub fn read_field<R>(&self, index: usize, read: impl FnOnce(&Value) -> R) -> Option<R> {
        let slot = self.slots.get(index)?;
        Some(match slot {
            Value::Ref(cell) if self.layout.is_mutable(index) => read(&cell.borrow()),
            other => read(other),
        })
    }

    /// `r.f <- value` for the mutable field at declared `index`; false if
    /// there is none.
    pub fn set(&self, index: usize, value: Value) -> bool {
        match self.slots.get(index) {
            Some(Value::Ref(cell)) if self.layout.is_mutable(index) => {
                *cell.borrow_mut() = value;
                true
            }
            _ => false,
        }
    }

    /// The fields' values in declaration order (a mutable field's as its
    /// cell holds it now).
    pub fn values(&self) -> Vec<Value> {
        (0..self.len()).filter_map(|i| self.get(i)).collect()
    }

    /// The fields' names with their values, in declaration order.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = (&Rc<str>, Value)> + '_ {
        self.layout.names().iter().zip(self.values())
    }

    /// The slots by declared index, a mutable field's being its cell:
    /// what equality and hashing walk, so that they see through cycles.
    pub fn slots(&self) -> &[Value] {
        &self.slots
    }

    /// A record with `self`'s layout and `values` in its order, with new
    /// cells for its mutable fields: how `{ r with … }` and the structure
    /// walks (AD, optimizers) rebuild a record.
    pub fn with_values(&self, values: Vec<Value>) -> Value {
        Value::Record(Rc::new(Record::new(self.layout.clone(), values)))
    }
}

impl Variant {
    /// The same constructor applied to `arg` instead.
    pub fn with_arg(&self, arg: Option<Value>) -> Value {
        Value::variant(self.tag, self.name.clone(), arg)
    }
}

/// A primitive together with the arguments it has received so far; it
/// runs when `args.len() == prim.arity`.
pub struct BuiltinApp {
    pub prim: &'static super::prims::Prim,
    pub args: Vec<Value>,
}

impl Value {
    /// Whether the value owns no other values (nothing to free with care).
    #[inline]
    pub fn is_scalar(&self) -> bool {
        matches!(
            self,
            Value::Unit | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Nil
        )
    }

    pub fn string(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    pub fn cons(head: Value, tail: Value) -> Value {
        Value::Cons(Rc::new(ConsCell { head, tail }))
    }

    /// Builds a dlang list from a Rust sequence.
    pub fn list_from(
        items: impl IntoIterator<Item = Value, IntoIter: DoubleEndedIterator>,
    ) -> Value {
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

    pub fn variant(tag: u32, name: Rc<str>, arg: Option<Value>) -> Value {
        Value::Variant(Rc::new(Variant { tag, name, arg }))
    }

    pub fn some(v: Value) -> Value {
        Value::variant(SOME_TAG, Rc::from("Some"), Some(v))
    }

    pub fn tensor(t: super::tensor::Tensor) -> Value {
        Value::Tensor(Rc::new(t))
    }

    pub fn none() -> Value {
        Value::variant(NONE_TAG, Rc::from("None"), None)
    }
}
