//! The representation of types, effects and classes.
//!
//! Type variables and effect variables are indices into the checker's
//! [`super::unify::Table`]; a variable whose level is [`GENERIC`] is
//! quantified (part of a type scheme) and is copied afresh on every use.

/// A type variable: index into the unification table.
pub type TyVar = u32;
/// An effect variable: index into the unification table.
pub type EffVar = u32;

/// The level of quantified variables.
pub const GENERIC: u32 = u32::MAX;

/// A type constructor: index into the checker's table of type
/// definitions. The built-in ones have fixed ids so backends can match on
/// them without asking the checker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub u32);

impl TypeId {
    pub const INT: TypeId = TypeId(0);
    pub const FLOAT: TypeId = TypeId(1);
    pub const BOOL: TypeId = TypeId(2);
    pub const STRING: TypeId = TypeId(3);
    pub const UNIT: TypeId = TypeId(4);
    pub const TENSOR: TypeId = TypeId(5);
    pub const LIST: TypeId = TypeId(6);
    pub const ARRAY: TypeId = TypeId(7);
    pub const REF: TypeId = TypeId(8);
    pub const OPTION: TypeId = TypeId(9);
    /// An optimizer's mutable state (`Optim.sgd 0.1 : optimizer`).
    pub const OPTIMIZER: TypeId = TypeId(10);
    /// Exceptions: an extensible variant, whose constructor list grows
    /// with each `exception` item (see `types::exceptions`).
    pub const EXN: TypeId = TypeId(11);
}

#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Var(TyVar),
    /// `int`, `'a list`, `(int, string) pair`, user records and variants.
    Con(TypeId, Vec<Type>),
    Tuple(Vec<Type>),
    /// `a -> b` with the effect of calling it.
    Arrow(Box<Type>, Box<Type>, Effect),
}

/// What calling a function may do: nothing special, or shift to a
/// `reset` whose answer type is given.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Pure,
    Cps(Box<Type>),
    Var(EffVar),
}

impl Type {
    pub fn con0(id: TypeId) -> Type {
        Type::Con(id, Vec::new())
    }
    pub fn int() -> Type {
        Type::con0(TypeId::INT)
    }
    pub fn float() -> Type {
        Type::con0(TypeId::FLOAT)
    }
    pub fn bool() -> Type {
        Type::con0(TypeId::BOOL)
    }
    pub fn string() -> Type {
        Type::con0(TypeId::STRING)
    }
    pub fn unit() -> Type {
        Type::con0(TypeId::UNIT)
    }
    pub fn tensor() -> Type {
        Type::con0(TypeId::TENSOR)
    }
    pub fn optimizer() -> Type {
        Type::con0(TypeId::OPTIMIZER)
    }
    pub fn list(elem: Type) -> Type {
        Type::Con(TypeId::LIST, vec![elem])
    }
    pub fn array(elem: Type) -> Type {
        Type::Con(TypeId::ARRAY, vec![elem])
    }
    pub fn reference(elem: Type) -> Type {
        Type::Con(TypeId::REF, vec![elem])
    }
    pub fn arrow(param: Type, result: Type, effect: Effect) -> Type {
        Type::Arrow(Box::new(param), Box::new(result), effect)
    }
}

/// A set of classes constraining one type variable (a conjunction).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ClassSet(u8);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// `int | float | tensor`
    Num,
    /// `float | tensor`
    Real,
    /// `float | tensor` and structures of them.
    Diff,
    /// `int | float | string`: what `< > <= >=` compare.
    Ord,
}

impl Class {
    pub const ALL: [Class; 4] = [Class::Num, Class::Real, Class::Diff, Class::Ord];

    fn bit(self) -> u8 {
        match self {
            Class::Num => 1,
            Class::Real => 2,
            Class::Diff => 4,
            Class::Ord => 8,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Class::Num => "num",
            Class::Real => "real",
            Class::Diff => "diff",
            Class::Ord => "ord",
        }
    }

    pub fn from_name(name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// What a class set leaves possible after normalisation.
pub enum Narrowed {
    /// Still a set of several types: keep the variable.
    Classes(ClassSet),
    /// Exactly one type is in every class: the variable is that type.
    Only(Type),
}

impl ClassSet {
    pub const EMPTY: ClassSet = ClassSet(0);

    pub fn of(class: Class) -> ClassSet {
        ClassSet(class.bit())
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, class: Class) -> bool {
        self.0 & class.bit() != 0
    }

    pub fn classes(self) -> impl Iterator<Item = Class> {
        Class::ALL.into_iter().filter(move |c| self.contains(*c))
    }

    /// The conjunction of two sets, simplified to what can be printed:
    /// `num` and `diff` together are `real`; `ord` with `real` or `diff`
    /// leaves only `float`.
    pub fn union(self, other: ClassSet) -> Narrowed {
        let mut bits = self.0 | other.0;
        let num = Class::Num.bit();
        let real = Class::Real.bit();
        let diff = Class::Diff.bit();
        let ord = Class::Ord.bit();
        if bits & num != 0 && bits & diff != 0 {
            bits |= real;
        }
        if bits & real != 0 {
            bits &= !(num | diff);
        }
        if bits & ord != 0 && bits & (real | diff) != 0 {
            return Narrowed::Only(Type::float());
        }
        Narrowed::Classes(ClassSet(bits))
    }
}
