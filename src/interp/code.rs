//! The interpreter's internal code: the AST lowered to a flat arena of
//! nodes in which every variable is already resolved to where its value
//! lives (a slot of the current activation, a closure capture, a global),
//! every constructor to its tag and every field to its declared index.
//!
//! Nodes refer to each other by [`NodeId`], so continuation frames can name
//! "the code still to run" with a `u32` instead of a borrowed pointer.

use std::rc::Rc;

use crate::runtime::value::{RecordLayout, Value};
use crate::syntax::ast::{BinOp, Span, UnOp};

pub type NodeId = u32;
pub type LambdaId = u32;

/// Where a variable's value lives, as seen from one function body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarRef {
    /// `stack[fp + slot]` in the current activation.
    Local(u32),
    /// `captures[i]` of the running closure.
    Captured(u32),
    /// The running closure itself (a `let rec` function naming itself).
    SelfClosure,
    /// Another function of the running closure's `let rec` group: a new
    /// closure over the same shared captures.
    Sibling(LambdaId),
}

pub enum Node {
    Const(Value),
    Var(VarRef),
    /// The global of this checker id.
    Global(u32),
    /// `fun p -> e`: allocates a closure copying the listed variables.
    Lambda(LambdaId),
    App {
        func: NodeId,
        arg: NodeId,
    },
    /// `f a1 … an` (n ≥ 2), the applications `apps[i]` (`f a1 … ai+1`)
    /// run as one call of a function that takes the arguments at once, so
    /// no closure is built in between (see `interp::call`). An
    /// application is still made on its own where one would run code.
    Call {
        func: NodeId,
        args: Box<[NodeId]>,
        apps: Box<[NodeId]>,
    },
    /// `let p = value in body` (one binding; `and` groups are nested).
    Let {
        pat: Pat,
        value: NodeId,
        body: NodeId,
    },
    /// A local `let rec` group of functions sharing one capture array.
    LetRec {
        slots: Box<[u32]>,
        lambdas: Box<[LambdaId]>,
        captures: Box<[VarRef]>,
        body: NodeId,
    },
    If {
        cond: NodeId,
        then: NodeId,
        otherwise: Option<NodeId>,
    },
    Match {
        scrutinee: NodeId,
        arms: Box<[MatchArm]>,
    },
    /// Evaluates `parts` left to right, then combines them by `build`.
    Build {
        build: Build,
        parts: Box<[NodeId]>,
    },
    /// `a && b`, `a || b`
    ShortCircuit {
        is_and: bool,
        left: NodeId,
        right: NodeId,
    },
    BinOp {
        op: BinOp,
        left: NodeId,
        right: NodeId,
    },
    UnOp {
        op: UnOp,
        operand: NodeId,
    },
    Seq {
        first: NodeId,
        then: NodeId,
    },
    For {
        slot: u32,
        from: NodeId,
        to: NodeId,
        downward: bool,
        body: NodeId,
    },
    While {
        cond: NodeId,
        body: NodeId,
    },
    Shift {
        slot: u32,
        body: NodeId,
    },
    Reset(NodeId),
    /// `try body with arms`: the arms match the exception `body` raises.
    Try {
        body: NodeId,
        arms: Box<[MatchArm]>,
    },
    /// Raises this exception (a false `assert`).
    Raise(Value),
}

/// How a [`Node::Build`] combines its evaluated parts.
pub enum Build {
    Tuple,
    List,
    Array,
    /// Constructor (tag, and name for printing) applied to its one part.
    Variant {
        tag: u32,
        name: Rc<str>,
    },
    /// Constructor applied to the tuple of its parts (`Node (l, r)`, as
    /// `Variant` of a `Tuple` build, without the tuple's own step).
    VariantTuple {
        tag: u32,
        name: Rc<str>,
    },
    /// Parts are in source order; `order[i]` is the declared index of
    /// part `i`.
    Record {
        layout: RecordLayout,
        order: Box<[usize]>,
    },
    /// Parts: the record, then the new values of the fields at these
    /// declared indices.
    RecordUpdate(Box<[usize]>),
    /// The field at this declared index.
    Field(usize),
    /// Parts: the record, then the value for its mutable field at this
    /// declared index (`r.f <- v`).
    FieldSet(usize),
    /// `a.(i)`
    Index,
    /// `a.(i) <- v`
    IndexSet,
    /// `r := v`
    Assign,
    /// `!r`
    Deref,
    /// `ref e`
    MakeRef,
}

pub struct MatchArm {
    pub pat: Pat,
    pub guard: Option<NodeId>,
    pub body: NodeId,
}

/// A pattern whose variables are resolved to activation slots.
pub enum Pat {
    Wildcard,
    Bind(u32),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Bool(bool),
    Unit,
    Tuple(Box<[Pat]>),
    /// A constructor by tag.
    Variant(u32, Option<Box<Pat>>),
    Nil,
    Cons(Box<Pat>, Box<Pat>),
    /// Fields by declared index.
    Record(Box<[(usize, Pat)]>),
    Or(Box<Pat>, Box<Pat>),
    As(Box<Pat>, u32),
}

/// One function body, of one or more parameters: `fun p1 p2 -> e` is
/// one lambda of two, which runs when it has both arguments (the first
/// alone only makes a partial application, as `fun p1 -> fun p2 -> e`
/// would, without running any code).
pub struct Lambda {
    /// The name of the binding it came from, for the dlang call stack.
    pub name: Rc<str>,
    /// Argument `i` arrives in slot `i`; `params[i]` is matched against
    /// it there (a plain `Pat::Bind(i)` needs no match).
    pub params: Box<[Pat]>,
    pub body: NodeId,
    /// Slots its activation needs (parameter, lets, match variables).
    pub frame_size: u32,
    /// What a closure of this lambda copies from the creating activation.
    pub captures: Box<[VarRef]>,
    /// Whether the arguments need no matching: each parameter is a
    /// variable in its argument's slot, or `_`.
    pub in_place: bool,
    /// Whether a call runs the body at once, without a return frame
    /// (see [`Code::is_direct_body`]).
    pub direct: bool,
    /// Set for a library function the machine runs in Rust (its body is
    /// then never run, see `native`).
    pub native: Option<super::native::Native>,
}

/// All code lowered so far; grows as modules and REPL inputs arrive.
#[derive(Default)]
pub struct Code {
    pub nodes: Vec<Node>,
    pub spans: Vec<Span>,
    /// 0 for a node that needs the machine (calls, control, binding);
    /// otherwise the depth of a node that can be evaluated directly by a
    /// bounded recursion (see `machine::eval_simple`).
    pub simple_depth: Vec<u8>,
    /// Whether a simple node calls a primitive (see [`Code::is_direct_body`]).
    pub calls_prim: Vec<bool>,
    pub lambdas: Vec<Lambda>,
}

impl Code {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    pub fn span(&self, id: NodeId) -> Span {
        self.spans[id as usize]
    }

    pub fn is_simple(&self, id: NodeId) -> bool {
        self.simple_depth[id as usize] != 0
    }

    pub fn lambda(&self, id: LambdaId) -> &Lambda {
        &self.lambdas[id as usize]
    }

    /// Whether a function body of simple node `id` may run without a
    /// return frame (it calls no primitive, whose error would then show
    /// a different dlang call stack than the machine's call does).
    pub fn is_direct_body(&self, id: NodeId) -> bool {
        self.is_simple(id) && !self.calls_prim[id as usize]
    }
}

impl Lambda {
    /// A lambda of `code` (which holds its body already).
    pub fn new(
        code: &Code,
        name: Rc<str>,
        params: Box<[Pat]>,
        body: NodeId,
        frame_size: u32,
        captures: Box<[VarRef]>,
    ) -> Lambda {
        let in_place = params.iter().enumerate().all(|(i, p)| match p {
            Pat::Wildcard => true,
            Pat::Bind(slot) => *slot as usize == i,
            _ => false,
        });
        Lambda {
            name,
            params,
            body,
            frame_size,
            captures,
            in_place,
            direct: in_place && code.is_direct_body(body),
            native: None,
        }
    }

    pub fn arity(&self) -> usize {
        self.params.len()
    }
}
