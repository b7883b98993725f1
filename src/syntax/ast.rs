//! The abstract syntax tree, shared by every phase.
//!
//! One tree type serves both the parsed and the checked program: every
//! expression and pattern carries an annotation `A`. The parser produces
//! `A = ()` ([`UntypedExpr`]); the type checker produces the same tree with
//! `A = TypeInfo` (type, effect), which is what the backends consume.
//! Every node carries the byte [`Span`] of the source it came from.
//!
//! Besides the annotation, a phase chooses what the tree records where
//! names are used or bound, fields named and operators applied
//! ([`Phase`]): nothing (`()`) after parsing, the checker's resolution
//! after checking (`crate::types::resolved`), so a backend reads every
//! meaning off the node and never looks a name up.
//!
//! Sugar is removed by the parser so later phases see few forms:
//! `let f x y = e` becomes `let f = fun x -> fun y -> e`;
//! `fun p1 p2 -> e` becomes nested single-parameter `Fun`s;
//! `function | arms` becomes `fun $arg -> match $arg with arms`;
//! `C e` (constructor applied) becomes `Constructor(C, _, Some e)`;
//! `if c then e` becomes `If(c, e, None)`.

use std::fmt;

/// Identifies one source file (the main file, an imported module or a
/// stdlib module). Index into [`crate::source::SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both (they must be in the same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A possibly qualified name: `x`, `List.map`, `Tensor.zeros`, `Some`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Path {
    /// Module qualifiers, outermost first (empty for a bare name).
    pub modules: Vec<String>,
    pub name: String,
}

impl Path {
    pub fn bare(name: impl Into<String>) -> Path {
        Path {
            modules: Vec::new(),
            name: name.into(),
        }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for m in &self.modules {
            write!(f, "{m}.")?;
        }
        write!(f, "{}", self.name)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Int(i64),
    Float(f64),
    String(String),
    Bool(bool),
    Unit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    /// `%`, integers only.
    Mod,
    /// `**`
    Pow,
    /// `@`, matrix product.
    MatMul,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    /// `&&`, short-circuit.
    And,
    /// `||`, short-circuit.
    Or,
    /// `::`
    Cons,
    /// `++`, list append.
    Append,
    /// `^`, string concatenation.
    Concat,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::MatMul => "@",
            BinOp::Eq => "=",
            BinOp::Ne => "<>",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
            BinOp::Cons => "::",
            BinOp::Append => "++",
            BinOp::Concat => "^",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// Unary `-` (int, float or tensor).
    Neg,
    /// `not`
    Not,
}

/// What a phase records on the tree. The parser's phase is `()`,
/// recording nothing; the checker's is `TypeInfo`.
pub trait Phase: Clone + fmt::Debug {
    /// At a variable use: what the name denotes.
    type Var: Clone + fmt::Debug;
    /// At a variable binding (pattern variable, `for` index, `shift`'s
    /// continuation): which binding it is.
    type Binder: Clone + fmt::Debug;
    /// At a constructor (expression or pattern).
    type Ctor: Clone + fmt::Debug;
    /// At a field name (access, record literal, update, pattern).
    type Field: Clone + fmt::Debug;
    /// At a unary or binary operator.
    type Op: Clone + fmt::Debug;
    /// At a `type … and …` group.
    type TypeGroup: Clone + fmt::Debug;
}

impl Phase for () {
    type Var = ();
    type Binder = ();
    type Ctor = ();
    type Field = ();
    type Op = ();
    type TypeGroup = ();
}

#[derive(Clone, Debug)]
pub struct Expr<A: Phase> {
    pub kind: ExprKind<A>,
    pub span: Span,
    pub ann: A,
}

pub type UntypedExpr = Expr<()>;

#[derive(Clone, Debug)]
pub enum ExprKind<A: Phase> {
    Lit(Literal),
    /// A value name, possibly qualified (`x`, `List.map`, `print`).
    Var(Path, A::Var),
    /// A constructor, with its argument if applied (`None`, `Some x`,
    /// `Node (l, r)`, `List.Nil` is not a thing: `[]` is `List(vec![])`).
    Constructor(Path, A::Ctor, Option<Box<Expr<A>>>),
    /// Application of a function to one argument (curried).
    App(Box<Expr<A>>, Box<Expr<A>>),
    /// `fun p -> e` with exactly one parameter.
    Fun(Box<Pattern<A>>, Box<Expr<A>>),
    /// `let [rec] p1 = e1 and p2 = e2 in body`
    Let(LetGroup<A>, Box<Expr<A>>),
    /// `if c then t else e`; the else branch is absent for `if c then t`.
    If(Box<Expr<A>>, Box<Expr<A>>, Option<Box<Expr<A>>>),
    Match(Box<Expr<A>>, Vec<Arm<A>>),
    Tuple(Vec<Expr<A>>),
    /// `[a; b; c]`
    List(Vec<Expr<A>>),
    /// `[| a; b |]`
    Array(Vec<Expr<A>>),
    /// `{ x = 1.0; y = 2.0 }`
    Record(Vec<FieldExpr<A>>),
    /// `{ e with x = 3.0 }`
    RecordUpdate(Box<Expr<A>>, Vec<FieldExpr<A>>),
    /// `e.field`
    Field(Box<Expr<A>>, String, Span, A::Field),
    /// `e.field <- v`, on a field declared `mutable`.
    FieldSet(Box<Expr<A>>, String, Span, A::Field, Box<Expr<A>>),
    /// `a.(i)`
    Index(Box<Expr<A>>, Box<Expr<A>>),
    /// `a.(i) <- v`
    IndexSet(Box<Expr<A>>, Box<Expr<A>>, Box<Expr<A>>),
    /// `r := v`
    Assign(Box<Expr<A>>, Box<Expr<A>>),
    /// `!r`
    Deref(Box<Expr<A>>),
    /// `ref e`
    Ref(Box<Expr<A>>),
    /// `e1; e2`
    Seq(Box<Expr<A>>, Box<Expr<A>>),
    BinOp(BinOp, A::Op, Box<Expr<A>>, Box<Expr<A>>),
    UnOp(UnOp, A::Op, Box<Expr<A>>),
    /// `for var = from to|downto to do body done`
    For {
        var: String,
        var_span: Span,
        binder: A::Binder,
        from: Box<Expr<A>>,
        to: Box<Expr<A>>,
        downward: bool,
        body: Box<Expr<A>>,
    },
    While(Box<Expr<A>>, Box<Expr<A>>),
    /// `(e : t)`
    Annot(Box<Expr<A>>, TypeExpr),
    /// `shift k -> e`
    Shift(String, Span, A::Binder, Box<Expr<A>>),
    /// `reset e`
    Reset(Box<Expr<A>>),
    /// `let open M in e` and `M.(e)`: the names of `M` are visible
    /// unqualified in `e`. The span is the module name's. The checker
    /// resolves the names, so a backend evaluates `e` and nothing else.
    LocalOpen(Path, Span, Box<Expr<A>>),
    /// `try e with arms`: the arms' patterns are of type `exn`; an
    /// exception no arm matches goes on to the enclosing `try`.
    Try(Box<Expr<A>>, Vec<Arm<A>>),
    /// `assert e`: raises `Assert_failure` with the site when `e` is false.
    Assert(Box<Expr<A>>, AssertSite),
}

/// Where an `assert` is, as `Assert_failure (file, line, column)` reports
/// it: OCaml's numbering, lines from 1 and columns (bytes) from 0.
#[derive(Clone, Debug, PartialEq)]
pub struct AssertSite {
    pub file: String,
    pub line: i64,
    pub column: i64,
}

#[derive(Clone, Debug)]
pub struct FieldExpr<A: Phase> {
    pub name: String,
    pub name_span: Span,
    pub field: A::Field,
    pub value: Expr<A>,
}

/// `let [rec] b1 and b2 ...`, local or top level.
#[derive(Clone, Debug)]
pub struct LetGroup<A: Phase> {
    pub recursive: bool,
    pub bindings: Vec<Binding<A>>,
}

/// `p = e`. For `let f x = e` the pattern is `f` and `expr` is the lambda.
#[derive(Clone, Debug)]
pub struct Binding<A: Phase> {
    pub pattern: Pattern<A>,
    pub expr: Expr<A>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Arm<A: Phase> {
    pub pattern: Pattern<A>,
    pub guard: Option<Expr<A>>,
    pub body: Expr<A>,
}

#[derive(Clone, Debug)]
pub struct Pattern<A: Phase> {
    pub kind: PatternKind<A>,
    pub span: Span,
    pub ann: A,
}

pub type UntypedPattern = Pattern<()>;

#[derive(Clone, Debug)]
pub enum PatternKind<A: Phase> {
    Wildcard,
    Var(String, A::Binder),
    /// Literals, including negative numbers (`-1`).
    Lit(Literal),
    Tuple(Vec<Pattern<A>>),
    /// `None`, `Some p`, `Node (l, r)`.
    Constructor(Path, A::Ctor, Option<Box<Pattern<A>>>),
    /// `[p1; p2]` (and `[]`).
    List(Vec<Pattern<A>>),
    /// `p :: ps`
    Cons(Box<Pattern<A>>, Box<Pattern<A>>),
    /// `{ x; y = p }`; `x` alone is `x = x`. The flag is true when the
    /// pattern ends with `; _` (other fields ignored).
    Record(Vec<FieldPattern<A>>, bool),
    /// `p1 | p2`
    Or(Box<Pattern<A>>, Box<Pattern<A>>),
    /// `p as x`
    As(Box<Pattern<A>>, String, A::Binder),
    /// `(p : t)`
    Annot(Box<Pattern<A>>, TypeExpr),
}

#[derive(Clone, Debug)]
pub struct FieldPattern<A: Phase> {
    pub name: String,
    pub name_span: Span,
    pub field: A::Field,
    pub pattern: Pattern<A>,
}

/// A type as written in source.
#[derive(Clone, Debug)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum TypeExprKind {
    /// `'a`
    Var(String),
    /// `int`, `float list`, `(int, string) result`, `M.t`.
    Con(Path, Vec<TypeExpr>),
    /// `a * b`
    Tuple(Vec<TypeExpr>),
    /// `a -> b`
    Arrow(Box<TypeExpr>, Box<TypeExpr>),
}

/// `type 'a t = ...` (several joined by `and` are one group).
#[derive(Clone, Debug)]
pub struct TypeDecl {
    pub params: Vec<String>,
    pub name: String,
    pub name_span: Span,
    pub body: TypeBody,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum TypeBody {
    /// `A | B of t | ...`
    Variant(Vec<ConstructorDecl>),
    /// `{ x : float; y : float }`
    Record(Vec<FieldDecl>),
    /// `type t = int * int`
    Alias(TypeExpr),
}

#[derive(Clone, Debug)]
pub struct ConstructorDecl {
    pub name: String,
    pub span: Span,
    /// `of t` (a tuple type `of a * b` is one tuple argument).
    pub arg: Option<TypeExpr>,
}

#[derive(Clone, Debug)]
pub struct FieldDecl {
    pub name: String,
    pub span: Span,
    pub ty: TypeExpr,
    /// Declared `mutable`: `r.name <- v` may assign it.
    pub mutable: bool,
}

#[derive(Clone, Debug)]
pub struct Item<A: Phase> {
    pub kind: ItemKind<A>,
    pub span: Span,
}

pub type UntypedItem = Item<()>;

#[derive(Clone, Debug)]
pub enum ItemKind<A: Phase> {
    /// `let [rec] ... and ...` at top level.
    Let(LetGroup<A>),
    /// `type ... and ...`
    Type(Vec<TypeDecl>, A::TypeGroup),
    /// `open M`
    Open(Path),
    /// `import Name`: loads `name.dl` beside the importing file.
    Import(String),
    /// `exception Name [of t]`: a new constructor of the type `exn`.
    Exception(ConstructorDecl),
}

/// What the REPL reads: a bare expression or items.
#[derive(Clone, Debug)]
pub enum ReplInput<A: Phase> {
    Expr(Expr<A>),
    Items(Vec<Item<A>>),
}
