//! What the checker records on the typed tree: the checked phase of
//! [`crate::syntax::ast::Phase`], so a backend reads off every node what
//! it means and never resolves a name itself.
//!
//! - A variable use ([`VarUse`]) is a local binding (the [`LocalId`] its
//!   binder carries), a global binding (a [`GlobalId`]; the checker's
//!   table gives its module and name), or a primitive (its index in
//!   `runtime::prims::PRIMS`). Where the binding is polymorphic, the use
//!   also lists the types its quantified variables are instantiated at.
//! - A binder ([`Binder`]) is a local (pattern variables in functions,
//!   local `let`s and `match` arms, `for` indices, `shift`'s
//!   continuation) or, for the patterns of top-level `let`s, a global.
//!   The two sides of an or-pattern bind the same ids.
//! - A constructor ([`CtorRef`]) is its type and its tag: the index of
//!   the constructor in its type's declaration (`None` 0, `Some` 1).
//! - A field ([`FieldRef`]) is its record type, its index in that
//!   type's declaration and whether it is `mutable`; the record's `type`
//!   item lists the layout.
//! - An operator ([`OpInstance`]) is the instance it means, decided when
//!   the item is finished (mixed float/tensor arithmetic is only decided
//!   after generalisation).
//! - A `type … and …` group lists the [`TypeId`] of each declaration.

use super::types::{Type, TypeId};
use super::TypeInfo;
use crate::syntax::ast::Phase;
use std::sync::{Arc, Mutex, PoisonError};

/// One local binding. Unique among all bindings the checker has seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(pub u32);

/// One top-level binding: dense, in the order the checker met them. A
/// REPL redefinition is a new global; code checked against the old one
/// keeps using it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GlobalId(pub u32);

/// The module (`""` for the main file and the REPL) and name of every
/// global by id. Every copy of a checker shares one table, so an id is
/// never handed out twice, not even after a failed input is undone: a
/// closure that input made may live on in a reference cell.
#[derive(Clone, Debug, Default)]
pub struct GlobalTable(Arc<Mutex<Vec<(String, String)>>>);

impl GlobalTable {
    pub fn add(&self, module: &str, name: &str) -> GlobalId {
        let mut table = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        table.push((module.to_string(), name.to_string()));
        GlobalId(table.len() as u32 - 1)
    }

    pub fn get(&self, id: GlobalId) -> Option<(String, String)> {
        let table = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        table.get(id.0 as usize).cloned()
    }
}

/// A primitive: its index in `runtime::prims::PRIMS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PrimId(pub u32);

/// What a variable name denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarTarget {
    Local(LocalId),
    Global(GlobalId),
    Prim(PrimId),
}

/// A resolved variable use.
#[derive(Clone, Debug)]
pub struct VarUse {
    pub target: VarTarget,
    /// The types the binding's quantified type variables are instantiated
    /// at here, in the order of their first occurrence (left to right:
    /// parameter, result, then an arrow's answer type) in the binding's
    /// type. Empty for a monomorphic binding.
    pub instance: Vec<Type>,
}

/// Which binding a binder introduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binder {
    Local(LocalId),
    Global(GlobalId),
}

impl Binder {
    pub fn target(self) -> VarTarget {
        match self {
            Binder::Local(id) => VarTarget::Local(id),
            Binder::Global(id) => VarTarget::Global(id),
        }
    }
}

/// A constructor: the variant type declaring it and its tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CtorRef {
    pub ty: TypeId,
    pub tag: u32,
}

/// A field: the record type declaring it, its declared position and
/// whether it is declared `mutable`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldRef {
    pub record: TypeId,
    pub index: u32,
    pub mutable: bool,
}

/// The instance an operator means.
#[derive(Clone, Debug, PartialEq)]
pub enum OpInstance {
    /// Every operand has this type: `int`, `float`, `tensor` for
    /// arithmetic; what is compared for `= <> < > <= >=`; a quantified
    /// variable in polymorphic code (decided by instantiation).
    Same(Type),
    /// `float op tensor`: the float (left) is broadcast.
    FloatTensor,
    /// `tensor op float`: the float (right) is broadcast.
    TensorFloat,
}

impl OpInstance {
    /// The instance of an operator whose operands have these final types.
    pub fn of_operands(left: &Type, right: &Type) -> OpInstance {
        let float = Type::float();
        let tensor = Type::tensor();
        if *left == float && *right == tensor {
            OpInstance::FloatTensor
        } else if *left == tensor && *right == float {
            OpInstance::TensorFloat
        } else {
            OpInstance::Same(left.clone())
        }
    }
}

impl Phase for TypeInfo {
    type Var = VarUse;
    type Binder = Binder;
    type Ctor = CtorRef;
    type Field = FieldRef;
    type Op = OpInstance;
    type TypeGroup = Vec<TypeId>;
}
