//! The JIT's first-order IR: what a lowering from the checked tree targets
//! after closure conversion and monomorphisation, and what
//! [`codegen`](super::codegen) turns into Cranelift IR.
//!
//! It is a tree of typed expressions, not a control-flow graph: a lowering
//! from a typed tree writes it directly, and codegen knows at every point
//! which `val` references are live (so an error path can release them).
//! Types are few ([`Ty`]): unboxed `i64`/`f64`/`bool`, `unit`, and `val`, a
//! reference-counted pointer to a runtime [`Value`](crate::runtime::value::Value)
//! for everything else. Reference counting is not in the IR: codegen
//! retains a `val` at each use that consumes it and releases each binding
//! when its scope ends, on normal and error paths alike.
//!
//! Every call and every operation that can fail carries a [`SpanId`], an
//! index into [`Program::spans`], so a run-time error names its span and
//! the call stack.

#![forbid(unsafe_code)]

use crate::runtime::value::RecordLayout;
use crate::syntax::ast::Span;

/// The type of an IR value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Unit,
    Bool,
    I64,
    F64,
    /// A counted reference to a runtime `Value` (strings, lists, variants,
    /// records, closures, tensors, ...). A binding owns one reference.
    Val,
}

/// A function of a [`Program`]: an index into [`Program::functions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FuncId(pub u32);

/// A join point of one function ([`Expr::Join`]): unique in the function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JoinId(pub u32);

/// A local variable (parameter or `let`) of one function: an index into
/// [`Function::locals`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VarId(pub u32);

/// A source location: an index into [`Program::spans`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpanId(pub u32);

/// A whole program: its functions and the spans its operations name.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub functions: Vec<Function>,
    pub spans: Vec<Span>,
    /// The string literals [`RuntimeFn::StringConst`] makes values of
    /// (and the constructor names and string patterns of [`DataFn`]).
    pub strings: Vec<std::rc::Rc<str>>,
    /// The closure bodies: a `Value::Closure`'s `code` is an index here.
    /// Each takes the closure itself and one argument, both `val`, and
    /// returns a `val` (the uniform convention of unknown calls).
    pub closures: Vec<FuncId>,
    /// The continuation-passing entries of closure bodies, `(code, body)`:
    /// the body takes the closure, one argument and a continuation (all
    /// `val`) and returns the answer of the enclosing `reset` (`val`). A
    /// closure whose code has none is called in that convention by
    /// applying it directly and passing the result to the continuation
    /// (see [`Expr::ApplyCps`]).
    pub cps_closures: Vec<(u32, FuncId)>,
    /// How many top-level values the program keeps in the context's
    /// global table ([`RuntimeFn::GlobalGet`], [`RuntimeFn::GlobalSet`]).
    pub globals: u32,
    /// The records [`DataFn::Record`] and [`DataFn::RecordUpdate`] build.
    pub records: Vec<RecordShape>,
    /// How the `grad` and `value_and_grad` sites were lowered.
    pub grad_sites: GradSites,
    /// The names of the functions compiled reverse mode inlined, by
    /// [`InlinedFrame::name`]: their entries in an error's call stack.
    pub inlined_names: Vec<String>,
    /// The frames pending in continuation closures, which a failure in
    /// continuation-passing code adds to its call trace.
    pub kont_frames: KontFrames,
}

/// The call-stack entries continuation-passing code keeps on the heap: a
/// failing function's pending callers are the chain of continuation
/// closures from its continuation on, each the rest of an activation.
/// Read only on the failure path (`kont_trace`), so nothing is recorded
/// while the code runs.
#[derive(Clone, Debug, Default)]
pub struct KontFrames {
    /// By function: the local holding its continuation, and whether that
    /// continuation is the rest of the function's own activation (a
    /// continuation made for an operand) rather than its caller's.
    /// And the name of its activation's function.
    pub kont_of: std::collections::HashMap<u32, (VarId, bool, String)>,
    /// By closure code: what a continuation closure of that code stands
    /// for in the call stack.
    pub by_code: std::collections::HashMap<u32, KontInfo>,
}

/// A continuation closure's code, as the call stack sees it.
#[derive(Clone, Debug)]
pub struct KontInfo {
    /// Its function, and that function's name (its activation's).
    pub func: FuncId,
    pub name: String,
    pub entry: KontEntry,
    /// The capture holding the continuation it passes its value on to,
    /// and whether that one is the rest of the same activation.
    pub next: Option<(u32, bool)>,
    /// The calls whose value it resumes with: the callee's name (`None`
    /// for a function value) and the call's span, which names the entry
    /// of the activation it is the caller of.
    pub calls: Vec<(Option<String>, SpanId)>,
}

/// The entry a continuation re-instates when the chain reaches it from
/// the activation it called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KontEntry {
    /// None: the rest of a `reset` or `shift` body whose function's frame
    /// is outside it.
    Hidden,
    /// Its function's, as a frame of its own (`Frame::Shown`).
    Named,
    /// Its function's resumed activation (`Frame::Continuation`): named
    /// only by a call that resumes it with work pending.
    Resumed,
}

/// The call-stack entry of a function whose code compiled reverse mode
/// inlined (see [`Expr::Inlined`]): the interpreter ran it as a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InlinedFrame {
    /// An index into [`Program::inlined_names`].
    pub name: u32,
    /// The span of the call that entered it.
    pub call: SpanId,
}

/// How many `grad`/`value_and_grad` sites a program's lowering compiled
/// as reverse mode with unboxed adjoints, and how many in tracked mode
/// (`dlang run --timings` reports them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GradSites {
    pub compiled: u32,
    pub tracked: u32,
}

/// A record built or updated somewhere: the type's field names, and the
/// declared index of each field given, in source order.
#[derive(Clone, Debug)]
pub struct RecordShape {
    pub layout: RecordLayout,
    pub fields: Vec<usize>,
}

#[derive(Clone, Debug)]
pub struct Function {
    /// The dlang name, shown in the call stack of a run-time error.
    pub name: String,
    /// The first `params` locals are the parameters, in order.
    pub params: usize,
    /// The type of every local, parameters first.
    pub locals: Vec<Ty>,
    pub ret: Ty,
    pub body: Expr,
    /// Where the function is defined: a stack overflow is reported here.
    pub span: SpanId,
    /// How the function appears in an error's call stack.
    pub frame: Frame,
}

/// How a function appears in an error's call stack, which must be the
/// interpreter's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame {
    /// Not at all: the wrapper a top-level function used as a value
    /// becomes calls it directly, and the interpreter shows only the
    /// function.
    Hidden,
    /// An entry of its own. Called in tail position (see
    /// [`Expr::SourceTail`]), it `replaces_tail_caller`'s entry unless its
    /// body is *simple* (a variable parameter and no calls), which the
    /// interpreter runs without a frame of its own.
    Shown { replaces_tail_caller: bool },
    /// A continuation closure made under a `reset` of the function it is
    /// named after: part of that function's activation, so it names the
    /// calls it makes. Its own entry (pushed at its fail exit with the
    /// span `context::RESUMED_SPAN`) is named only by an [`Expr::Resume`]:
    /// on the interpreter a continuation called with work pending shows as
    /// the activation it resumes, one called as the last step of a `reset`
    /// or `shift` body not at all.
    Continuation,
    /// The body of a `shift` run as a closure, named after the function
    /// that shifts: it runs under the delimiter the `shift` found (the
    /// frames above it removed), so it names the calls it makes, and its
    /// entry is provisional as a continuation's: a delimiter that is a
    /// continuation resumed with work pending shows as that function, at
    /// the resuming call, on the interpreter; a `reset` does not.
    ShiftBody,
}

/// Checked `i64` arithmetic: overflow is R002, division by zero R001.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntOp {
    Add,
    Sub,
    Mul,
    Div,
    /// OCaml's `mod`: the sign of the dividend; `min_int % -1` is 0.
    Rem,
}

/// IEEE `f64` arithmetic (never fails).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// Comparisons on `i64`, `f64` (IEEE: anything with NaN is false but `Ne`)
/// and `bool`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A runtime entry point that generated code calls (see
/// [`abi`](super::abi) for their symbols and signatures).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuntimeFn {
    /// `f64 -> f64`, the same Rust functions the interpreter calls.
    Sin,
    Cos,
    Exp,
    Log,
    /// `f64 -> f64` leaves of compiled reverse mode (`lower/reverse.rs`):
    /// the functions `runtime::ad` computes these primitives with.
    Tan,
    Sqrt,
    Tanh,
    Sigmoid,
    Relu,
    Abs,
    /// `(f64, f64) -> f64`: `x ** y` (`powf`), as `runtime::ops`.
    Pow,
    /// `i64 -> val`, `f64 -> val`, `bool -> val`: a new `Value`.
    BoxInt,
    BoxFloat,
    BoxBool,
    /// `() -> val`: the unit value boxed (stored in data, passed as a
    /// type variable or to a primitive).
    BoxUnit,
    /// `val -> i64`, `val -> f64`, `val -> bool`: fails (internal error)
    /// on another value.
    UnboxInt,
    UnboxFloat,
    UnboxBool,
    /// `i64 -> val`: the string constant of [`Program::strings`] at that
    /// index, as a new `Value`.
    StringConst,
    /// `i64 which -> val x -> val`: opens a `grad` or `value_and_grad`
    /// ([`diff_code`](super::abi::diff_code)) at `x`; the result is the
    /// tracked input to call the function on.
    GradOpen,
    /// `val x -> val dx -> val`: opens a `jvp` at `x` in direction `dx`;
    /// the result is the input with its tangents.
    JvpOpen,
    /// `val -> val`: closes the innermost open `grad`, `value_and_grad`
    /// or `jvp` with the function's result (the backward pass) and gives
    /// the primitive's result.
    DiffClose,
    /// A primitive of [`PRIMS`](crate::runtime::prims::PRIMS) by index,
    /// applied to all its arguments (`val`s) at once; returns a `val`.
    Prim(u32),
    /// A closure of the body [`Program::closures`]`[code]` capturing its
    /// arguments (`val`s, any number); returns a `val`.
    MakeClosure(u32),
    /// `(closure: val, i64) -> val`: the closure's capture at that index.
    Capture,
    /// `(closure: val, code: i64) -> val`: the closure of another member
    /// of the same local `let rec` group, sharing its capture array.
    Sibling,
    /// A primitive of [`PRIMS`](crate::runtime::prims::PRIMS) by index as
    /// a function value, with the arguments it has so far (`val`s, fewer
    /// than its arity); returns a `val`.
    PartialPrim(u32),
    /// `i64 -> val`: the top-level value in that slot of the global table.
    GlobalGet,
    /// `(i64, val) -> unit`: sets that slot.
    GlobalSet,
    /// `(val, val) -> val`: a strict binary operator on runtime values
    /// (`runtime::ops::binary`): operands of a type variable, strings,
    /// `**`.
    Binary(crate::syntax::ast::BinOp),
    /// `val -> val`: unary `-` on a runtime value.
    Negate,
    /// `(f: val, arg: val) -> val`: applies a function value that is not a
    /// closure of this program (a primitive, partially applied or not);
    /// the slow path of [`Expr::Apply`], which hands both references over.
    ApplyValue,
    /// Building and taking apart tuples, lists, arrays, records,
    /// constructors and refs (see [`DataFn`]).
    Data(DataFn),
    /// The entries of `try` and `assert` (see [`ExnFn`]).
    Exn(ExnFn),
    /// The record buffer of compiled reverse mode's loops (see [`TapeFn`]).
    Tape(TapeFn),
    /// A shim that panics: proves that a panic comes back as a status.
    #[cfg(test)]
    PanicForTest,
}

/// The runtime entries of exceptions
/// ([`exn_entries`](super::exn_entries)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExnFn {
    /// `() -> i64`: what a `try` restores when it catches (the open
    /// `grad`s and caught exceptions at its start; see [`Expr::Try`]).
    TryMark,
    /// `() -> unit`: an arm of a `try` was chosen: the exception it
    /// caught is forgotten.
    Handled,
    /// `(file: i64, line: i64, column: i64) -> val`: raises
    /// `Assert_failure (file, line, column)`, the file a string constant.
    AssertFailure,
}

/// The entries of the buffer the loops of compiled reverse mode keep
/// their per-iteration records in ([`tape_entries`](super::tape_entries)):
/// words pushed by the forward pass, popped in reverse by the backward pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TapeFn {
    /// `() -> unit`: room for one more word (R015 past the memory
    /// limit). An [`Expr::TapePush`] calls it when the buffer is full; the
    /// lowering never writes it.
    Reserve,
}

/// The runtime entries on data values, each a call of `runtime::data` or
/// `runtime::ops` (so every backend builds, prints and compares the same
/// `Value`s). Parts are `val`s: the lowering boxes scalars it stores and
/// unboxes what it reads by their static type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataFn {
    /// `(a, b, …)`, `[a; b; …]`, `[| a; b; … |]`: all the parts, as an
    /// array (as [`RuntimeFn::Prim`] takes its arguments).
    Tuple,
    List,
    Array,
    /// `{ f = a; … }`: the values in source order, as an array; the
    /// [`RecordShape`] of that index in [`Program::records`].
    Record(u32),
    /// `{ r with f = a; … }`: the record then the new values, as an array.
    RecordUpdate(u32),
    /// `(tag: i64, name: i64, arg: val) -> val`: constructor `tag` applied
    /// to `arg`, named by the string constant `name` (for printing).
    Variant,
    /// `(tag: i64, name: i64) -> val`: a constant constructor.
    ConstantVariant,
    /// `Variant` of a `Tuple` without the tuple's own box: the parts as
    /// an array. Made by the translation, never by the lowering.
    VariantOfTuple {
        tag: u32,
        name: u32,
    },
    /// `(v, i: i64) -> val`: item `i` of the tuple constructor `v` holds,
    /// `TupleItem` of `VariantArg` without the argument's box. Made by
    /// the translation, never by the lowering.
    VariantItem,
    /// `(head, tail) -> val`: `::`.
    Cons,
    /// `val -> val`: `ref v`, `!r`.
    MakeRef,
    Deref,
    /// `(r, v) -> unit`: `r := v`.
    Assign,
    /// `(record, index: i64) -> val`: the field of that declared index.
    Field,
    /// `(record, index: i64, v) -> unit`: `r.f <- v` on the `mutable`
    /// field of that declared index.
    FieldSet,
    /// `(array, i: i64) -> val`: `a.(i)` (R003 out of range).
    Index,
    /// `(array, i: i64, v) -> unit`: `a.(i) <- v`.
    IndexSet,
    /// `(val, val) -> bool`, as an array: `= <> < > <= >=` on any
    /// values, the runtime's structural comparison (R008 on functions).
    Structural(Compare),
    /// `val -> i64`: the tag of a constructor.
    Tag,
    /// `val -> bool`: whether a list is a cons cell (else `[]`).
    IsCons,
    /// `val -> val`: a constructor's argument; a cons cell's head, tail.
    VariantArg,
    Head,
    Tail,
    /// `(tuple, i: i64) -> val`: the item at `i`.
    TupleItem,
    /// `(val, index: i64) -> bool`: whether a string is the string
    /// constant `index`.
    StringIs,
    /// `val -> unit`: keeps the value a pattern did not match for the
    /// R004 that follows (`Expr::MatchFailure`), which shows it.
    Unmatched,
}

/// Which pattern failed to match: the message of the R004 it raises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchKind {
    /// No arm of a `match` matches.
    Arms,
    /// The pattern of a local `let`.
    Let,
    /// The pattern of a top-level `let`.
    TopLevelLet,
    /// A function's parameter: reported at the span of the call (the
    /// caller's span in the trace), as the interpreter binds parameters
    /// when it applies the function.
    Parameter,
    /// No arm of a `try` matches the exception: not an R004, the
    /// exception goes on to the next handler out ([`Expr::Try`]).
    Handler,
}

/// One target of an [`Expr::Join`]: its parameters (locals the jump
/// sets) and the code that runs with them.
#[derive(Clone, Debug)]
pub struct JoinTarget {
    pub params: Vec<VarId>,
    pub body: Expr,
}

#[derive(Clone, Debug)]
pub enum Expr {
    Unit,
    Bool(bool),
    Int(i64),
    Float(f64),
    Var(VarId),
    Let {
        var: VarId,
        value: Box<Expr>,
        body: Box<Expr>,
    },
    /// Sets a local (a `ref` the lowering turned into a variable, a loop
    /// counter); `unit`.
    Assign {
        var: VarId,
        value: Box<Expr>,
    },
    /// Each in turn; the value of the last (an empty sequence is `unit`).
    Seq(Vec<Expr>),
    IntBinary {
        op: IntOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        span: SpanId,
    },
    IntNeg {
        arg: Box<Expr>,
        span: SpanId,
    },
    FloatBinary {
        op: FloatOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    FloatNeg(Box<Expr>),
    /// Both operands of one type: `i64`, `f64` or `bool`.
    Compare {
        op: Compare,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Not(Box<Expr>),
    IntToFloat(Box<Expr>),
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    /// Branches on an `i64` tag (a constructor's index).
    Switch {
        tag: Box<Expr>,
        cases: Vec<(i64, Expr)>,
        default: Box<Expr>,
    },
    /// `while cond do body done`; `unit`.
    While {
        cond: Box<Expr>,
        body: Box<Expr>,
    },
    Call {
        func: FuncId,
        args: Vec<Expr>,
        span: SpanId,
    },
    /// A call of the enclosing function in tail position: a jump back to
    /// its start, so it runs in constant stack.
    TailCallSelf {
        args: Vec<Expr>,
    },
    /// A call in tail position of a function with the same result type:
    /// a `return_call`, so mutual tail recursion runs in constant stack
    /// (the caller's frame, and its entry in an error's call stack, are
    /// gone).
    TailCall {
        func: FuncId,
        args: Vec<Expr>,
    },
    /// The code address of a function (an `i64`), for [`Expr::CallIndirect`]:
    /// what a flat closure stores beside its environment.
    FuncAddr(FuncId),
    /// A call through a code address of a function with this signature.
    CallIndirect {
        callee: Box<Expr>,
        params: Vec<Ty>,
        ret: Ty,
        args: Vec<Expr>,
        span: SpanId,
    },
    /// A call of an unknown function value (`val`) with one argument
    /// (`val`); the result is a `val`. A closure of this program is called
    /// through its code address (the uniform convention of
    /// [`Program::closures`]), any other function value through the
    /// runtime.
    Apply {
        func: Box<Expr>,
        arg: Box<Expr>,
        span: SpanId,
    },
    /// An [`Expr::Apply`] of a function value the program calls with work
    /// pending after it: if the value is a continuation that fails, its
    /// entry ([`Frame::Continuation`]) is named with this call's span, as
    /// the interpreter's resumed continuation is.
    Resume {
        func: Box<Expr>,
        arg: Box<Expr>,
        span: SpanId,
    },
    /// `func arg` (both `val`) as the last step of the enclosing function,
    /// which returns `val`: a `return_call` through the closure's code
    /// address (a function value of another kind is applied by the runtime
    /// and its result returned). Continuation-passing code ends so, which
    /// is why it runs in constant native stack.
    TailApply {
        func: Box<Expr>,
        arg: Box<Expr>,
        span: SpanId,
    },
    /// `func arg` of a function value whose arrow may shift, in the
    /// continuation-passing convention: `kont` (a `val`) receives the
    /// result, and the value is the answer of the enclosing `reset`
    /// (`val`). A closure's continuation-passing entry is called (with
    /// `tail`, by a `return_call`); a function value without one is applied
    /// directly and its result passed to `kont`.
    ApplyCps {
        func: Box<Expr>,
        arg: Box<Expr>,
        kont: Box<Expr>,
        span: SpanId,
        tail: bool,
    },
    /// A `Call` or `Apply` in tail position of the dlang function: it
    /// runs as any call, but if it fails in a callee whose frame replaces
    /// a tail caller's, this function leaves the call stack (the
    /// interpreter's tail call dropped its frame).
    SourceTail(Box<Expr>),
    /// Code of functions that compiled reverse mode inlined: `body` runs
    /// as is, and an error leaving it adds `frames` (innermost first, each
    /// with its call's span) to the call stack, as the interpreter's calls
    /// would have. Nothing runs for them on the normal path. An `Inlined`
    /// inside another one names the whole stack of inlined frames at that
    /// point (a tail call may have replaced the outer one's entry).
    Inlined {
        frames: Vec<InlinedFrame>,
        body: Box<Expr>,
    },
    /// `word` (an `i64` or `f64`) pushed on compiled reverse mode's
    /// record buffer ([`tape_entries`](super::tape_entries)): inline code,
    /// with a cold call of [`TapeFn::Reserve`] when the buffer is full
    /// (R015 at `span` past the memory limit). `unit`.
    TapePush {
        word: Box<Expr>,
        span: SpanId,
    },
    /// The last word of the record buffer taken off, as `ty` (`i64` or
    /// `f64`): the lowering pops exactly what it pushed.
    TapePop(Ty),
    /// A call of the runtime; `val` arguments are borrowed.
    Runtime {
        entry: RuntimeFn,
        args: Vec<Expr>,
        span: SpanId,
    },
    /// Local join points (what a compiled `match` shares its arms'
    /// bodies through): `body` runs, and its value is the join's, unless
    /// it ends in a [`Expr::Jump`] to one of `targets`, whose value is
    /// then the join's. Every target's value is of type `ty`.
    Join {
        id: JoinId,
        ty: Ty,
        body: Box<Expr>,
        targets: Vec<JoinTarget>,
    },
    /// Leaves the enclosing `body` of join `join` for its target
    /// `target`, with `args` as the target's parameters. Only in tail
    /// position of that `body` (what is held since the join started is
    /// released).
    Jump {
        join: JoinId,
        target: u32,
        args: Vec<Expr>,
    },
    /// R004: a pattern did not match. Of any type (it does not return).
    /// Of kind [`MatchKind::Handler`], the exception a `try` caught is
    /// raised again, with the place and call stack of its raise.
    MatchFailure {
        kind: MatchKind,
        span: SpanId,
        ty: Ty,
    },
    /// `try body with …`: `body` runs (never in tail position); if it
    /// raises an exception (machine faults and other errors pass by),
    /// what it held is released, the `grad`s and `jvp`s it opened are
    /// abandoned, the exception is bound to `exn` (a `val`) and `handler`
    /// runs: the arms' decision tree, each chosen arm starting with
    /// [`RuntimeFn::Handled`] and each leaf no arm matches a
    /// [`MatchKind::Handler`] failure. Both are of type `ty`.
    Try {
        body: Box<Expr>,
        ty: Ty,
        exn: VarId,
        handler: Box<Expr>,
        span: SpanId,
    },
}

impl Function {
    pub fn param_types(&self) -> &[Ty] {
        &self.locals[..self.params]
    }
}

impl Expr {
    /// The expressions directly inside this one, in evaluation order (a
    /// join's body before its targets).
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Let { value, body, .. } => vec![value, body],
            Expr::Assign { value, .. } => vec![value],
            Expr::Seq(items) => items.iter().collect(),
            Expr::IntBinary { lhs, rhs, .. }
            | Expr::FloatBinary { lhs, rhs, .. }
            | Expr::Compare { lhs, rhs, .. } => vec![lhs, rhs],
            Expr::IntNeg { arg, .. }
            | Expr::FloatNeg(arg)
            | Expr::Not(arg)
            | Expr::IntToFloat(arg)
            | Expr::SourceTail(arg)
            | Expr::Inlined { body: arg, .. }
            | Expr::TapePush { word: arg, .. } => vec![arg],
            Expr::If {
                cond,
                then,
                otherwise,
            } => vec![cond, then, otherwise],
            Expr::Switch {
                tag,
                cases,
                default,
            } => {
                let mut children: Vec<&Expr> = vec![tag];
                children.extend(cases.iter().map(|(_, case)| case));
                children.push(default);
                children
            }
            Expr::While { cond, body } => vec![cond, body],
            Expr::Call { args, .. }
            | Expr::TailCallSelf { args }
            | Expr::TailCall { args, .. }
            | Expr::Runtime { args, .. }
            | Expr::Jump { args, .. } => args.iter().collect(),
            Expr::CallIndirect { callee, args, .. } => {
                let mut children: Vec<&Expr> = vec![callee];
                children.extend(args);
                children
            }
            Expr::Apply { func, arg, .. }
            | Expr::Resume { func, arg, .. }
            | Expr::TailApply { func, arg, .. } => vec![func, arg],
            Expr::ApplyCps {
                func, arg, kont, ..
            } => vec![func, arg, kont],
            Expr::Join { body, targets, .. } => {
                let mut children: Vec<&Expr> = vec![body];
                children.extend(targets.iter().map(|t| &t.body));
                children
            }
            Expr::Try { body, handler, .. } => vec![body, handler],
            Expr::Unit
            | Expr::TapePop(_)
            | Expr::Bool(_)
            | Expr::Int(_)
            | Expr::Float(_)
            | Expr::Var(_)
            | Expr::FuncAddr(_)
            | Expr::MatchFailure { .. } => Vec::new(),
        }
    }
}

/// Shorthands for building IR by hand (tests, and the lowering's simple
/// cases).
pub mod build {
    use super::*;

    pub fn var(v: u32) -> Expr {
        Expr::Var(VarId(v))
    }

    pub fn int(n: i64) -> Expr {
        Expr::Int(n)
    }

    pub fn float(x: f64) -> Expr {
        Expr::Float(x)
    }

    pub fn let_(v: u32, value: Expr, body: Expr) -> Expr {
        Expr::Let {
            var: VarId(v),
            value: Box::new(value),
            body: Box::new(body),
        }
    }

    pub fn assign(v: u32, value: Expr) -> Expr {
        Expr::Assign {
            var: VarId(v),
            value: Box::new(value),
        }
    }

    pub fn int_op(op: IntOp, lhs: Expr, rhs: Expr, span: u32) -> Expr {
        Expr::IntBinary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
            span: SpanId(span),
        }
    }

    pub fn float_op(op: FloatOp, lhs: Expr, rhs: Expr) -> Expr {
        Expr::FloatBinary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        }
    }

    pub fn compare(op: Compare, lhs: Expr, rhs: Expr) -> Expr {
        Expr::Compare {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        }
    }

    pub fn if_(cond: Expr, then: Expr, otherwise: Expr) -> Expr {
        Expr::If {
            cond: Box::new(cond),
            then: Box::new(then),
            otherwise: Box::new(otherwise),
        }
    }

    pub fn while_(cond: Expr, body: Expr) -> Expr {
        Expr::While {
            cond: Box::new(cond),
            body: Box::new(body),
        }
    }

    pub fn call(func: u32, args: Vec<Expr>, span: u32) -> Expr {
        Expr::Call {
            func: FuncId(func),
            args,
            span: SpanId(span),
        }
    }

    pub fn runtime(entry: RuntimeFn, args: Vec<Expr>, span: u32) -> Expr {
        Expr::Runtime {
            entry,
            args,
            span: SpanId(span),
        }
    }
}
