//! Compiled reverse mode (issue 11; docs/jit.md, "Compiled reverse
//! mode"): `grad f x` and `value_and_grad f x` on a float, when all the
//! code `f` reaches is float code, become the forward computation with
//! unboxed `f64` primals followed by its backward computation in reverse,
//! with every adjoint an unboxed local. No session, no `Value`, no heap
//! and no indirect call.
//!
//! The result must be the tracked mode's (the interpreter's), bit for
//! bit, so the code is the paper's staged backpropagator specialised to
//! what `runtime::ad` does:
//!
//! - a primitive with a tracked operand makes a node, whose *remainder*
//!   (the adjoint update) runs in the reverse order of the primitives, is
//!   skipped when the node's adjoint is `0.0`, and adds each operand's
//!   contribution (left operand first) to that operand's adjoint, which
//!   starts at `0.0` — each rule is `ad::arith`'s, operation for operation;
//! - an operation on constants only makes a constant: no adjoint, no
//!   remainder (which is what keeps `grad (fun x -> 3.0)` at `0.0`);
//! - a `let` or a branch that passes a value on passes *the same* adjoint
//!   cell (the interpreter shares the `Tracked` value), so a float that
//!   comes out of an `if` carries the cells of both branches, each under
//!   the decision that chose it, and a contribution to it is added to the
//!   cell its branch chose: the sums are the interpreter's sums, in its
//!   order.
//!
//! An `if` is one control-flow point: its decision is kept in a local, each
//! branch is its own stretch of forward code, and the backward pass
//! branches on the same decision. Loops and recursion are not on this path
//! (see docs/jit.md); neither are data, closures, nested differentiation or
//! `shift`/`reset`. The choice is made per `grad` site while lowering:
//! anything outside the path lowers the site in tracked mode instead.

use std::collections::{HashMap, HashSet};

use super::grad::{Callee, Mode};
use super::reverse_frames::Entered;
use super::reverse_loop::calls_itself;
use super::{comparison, float_op, int_op, ir_type, FnLower};
use crate::jit::ir::{self, Compare, DataFn, FloatOp, RuntimeFn, SpanId, Ty, VarId};
use crate::runtime::ad::Unary;
use crate::runtime::prims::{MachinePrim, PRIMS};
use crate::syntax::ast::{BinOp, Expr, ExprKind, Literal, Pattern, PatternKind, UnOp};
use crate::types::resolved::{Binder, GlobalId, LocalId, OpInstance, VarTarget};
use crate::types::TypeInfo;

/// Set, every `grad` site takes the tracked mode (to measure the two
/// against each other on the same program).
pub const TRACKED_ONLY_VAR: &str = "DLANG_JIT_TRACKED_GRAD";

/// The most subexpressions (after inlining) one compiled gradient may
/// have: inlining is exponential in the worst case.
const MAX_NODES: usize = 20_000;

/// The most adjoint cells one float may stand for (each branch it may come
/// from adds its own).
const MAX_CELLS: usize = 16;

/// An adjoint local that contributions to a float go to, when every
/// decision in `when` had its polarity.
#[derive(Clone, PartialEq)]
pub(super) struct Cell {
    pub(super) adjoint: VarId,
    pub(super) when: Vec<(VarId, bool)>,
}

/// A value of the forward pass, in a local assigned once per path.
#[derive(Clone, PartialEq)]
pub(super) enum Value {
    /// A float and the cells its adjoint flows to: none for a constant.
    Float { primal: VarId, cells: Vec<Cell> },
    /// An `int`, `bool` or `unit`: no derivative.
    Scalar(VarId, Ty),
    /// A `ref` made inside the compiled code: an index into
    /// [`Reverse::refs`]. It never leaves that code (it cannot be passed
    /// to an inlined function, returned from an `if` or read from
    /// outside), so every assignment to it is visible where it is made.
    Ref(usize),
    /// A parameter of a self-tail-recursive function lowered as a loop
    /// (`reverse_loop.rs`): reading it reads that [`Reverse::refs`] entry.
    Param(usize),
}

/// What a `grad` site's function is, when the path can take it.
enum Function<'a> {
    /// A top-level function: its parameters bound to the arguments given
    /// before the point, then to the point.
    Global(GlobalId, Vec<&'a Expr<TypeInfo>>),
    /// `fun p -> body`, written at the site.
    Lambda(&'a Pattern<TypeInfo>, &'a Expr<TypeInfo>),
    /// A differentiable primitive of one float.
    Prim(Unary),
}

/// Lowering of one compiled gradient.
pub(super) struct Reverse<'r, 'l, 'a> {
    pub(super) f: &'r mut FnLower<'l, 'a>,
    /// The binders of the inlined code.
    pub(super) env: HashMap<LocalId, Value>,
    /// What each `ref` of the compiled code holds at this point of the
    /// forward pass (by [`Value::Ref`] index).
    pub(super) refs: Vec<Value>,
    /// The top-level functions being inlined: a call of one of them is
    /// recursion, which this path takes only as a loop (a call in tail
    /// position, `reverse_loop.rs`).
    pub(super) inlining: Vec<GlobalId>,
    /// The forward statements of the current stretch.
    pub(super) forward: Vec<ir::Expr>,
    /// The remainders of the current stretch, in forward order.
    pub(super) backward: Vec<ir::Expr>,
    /// Every local this lowering made: set to zero first, so each is
    /// defined on every path (a branch's primals are read by its backward
    /// code only, but the IR does not know it).
    pub(super) made: Vec<(VarId, Ty)>,
    /// The locals of `made` that are adjoints (nodes, loop slots): a
    /// loop's backward pass starts each iteration with its own at zero,
    /// and never records them.
    pub(super) adjoints: HashSet<VarId>,
    /// The constants of the site (literals, values of the code around
    /// it), computed once before the forward pass, so a loop neither
    /// recomputes nor records them.
    prelude: Vec<ir::Expr>,
    /// The constants read from the code around the site, by local.
    outside: HashMap<LocalId, Value>,
    /// Adjoint cells that a loop's backward pass fills last (the cells of
    /// a loop's state at its entry): a contribution to one from elsewhere
    /// would be added in another order than the interpreter's, so it
    /// refuses the path.
    pub(super) retired: HashSet<VarId>,
    /// The locals some loop's backward pass takes from its records: an
    /// enclosing loop does not record them again.
    pub(super) restored: HashSet<VarId>,
    /// The span of the `grad` call: the record buffer's R015 names it.
    pub(super) span: SpanId,
    /// The call-stack entries of the functions being inlined, outermost
    /// first (`reverse_frames.rs`).
    pub(super) frames: Vec<ir::InlinedFrame>,
    /// The applications in tail position of each function being inlined,
    /// by address, innermost last.
    pub(super) tails: Vec<HashSet<usize>>,
    unit: Option<Value>,
    nodes: usize,
}

impl<'a> FnLower<'_, 'a> {
    /// `grad f x` or `value_and_grad f x` (`e` the call) as compiled
    /// reverse mode, with the IR type of its value, or `None` when the
    /// site takes the tracked mode. What was lowered for a refused attempt
    /// is forgotten (`Lowering::rollback`).
    pub(super) fn compiled_reverse(
        &mut self,
        e: &'a Expr<TypeInfo>,
        which: MachinePrim,
        args: &[&'a Expr<TypeInfo>],
    ) -> Option<(ir::Expr, Ty)> {
        if !matches!(which, MachinePrim::Grad | MachinePrim::ValueAndGrad) {
            return None;
        }
        // A refused attempt may have counted sites in the point, which the
        // tracked mode lowers (and counts) again.
        let counted = self.lowering.program.grad_sites;
        let lowered = self.try_compiled_reverse(e, which, args);
        let sites = &mut self.lowering.program.grad_sites;
        match lowered {
            Some(_) => sites.compiled += 1,
            None => {
                *sites = counted;
                sites.tracked += 1;
            }
        }
        lowered
    }

    fn try_compiled_reverse(
        &mut self,
        e: &'a Expr<TypeInfo>,
        which: MachinePrim,
        args: &[&'a Expr<TypeInfo>],
    ) -> Option<(ir::Expr, Ty)> {
        let on_path = self.mode == Mode::Plain && std::env::var_os(TRACKED_ONLY_VAR).is_none();
        let [f, x] = args else { return None };
        if !on_path || ir_type(&x.ann.ty, x.span).ok()? != Ty::F64 {
            return None;
        }
        let function = self.reverse_function(f)?;
        let checkpoint = self.lowering.checkpoint();
        // The tracked mode lowers the point again if this path refuses
        // the site: binders the attempt met must not look visible then
        // (a local `let rec` in the point would capture itself as an
        // unset local).
        let vars = self.vars.clone();
        let span = self.span(e.span);
        let mut reverse = Reverse {
            f: self,
            env: HashMap::new(),
            refs: Vec::new(),
            inlining: Vec::new(),
            forward: Vec::new(),
            backward: Vec::new(),
            made: Vec::new(),
            adjoints: HashSet::new(),
            prelude: Vec::new(),
            outside: HashMap::new(),
            retired: HashSet::new(),
            restored: HashSet::new(),
            span,
            frames: Vec::new(),
            tails: Vec::new(),
            unit: None,
            nodes: 0,
        };
        let lowered = reverse.gradient(e, which, function, x);
        if lowered.is_none() {
            self.lowering.rollback(checkpoint);
            self.vars = vars;
        }
        lowered
    }

    /// The function of a `grad` site, if it is one this path can take.
    fn reverse_function(&self, f: &'a Expr<TypeInfo>) -> Option<Function<'a>> {
        match self.callee(f) {
            Callee::Function(id, _, before) => Some(Function::Global(id, before)),
            Callee::Prim(index, before) if before.is_empty() => {
                differentiable(index).map(Function::Prim)
            }
            Callee::Value(f) => match &f.kind {
                ExprKind::Fun(param, body) => Some(Function::Lambda(param, body)),
                _ => None,
            },
            Callee::Prim(..) => None,
        }
    }
}

/// The differentiable primitive of one float that `PRIMS[index]` is.
fn differentiable(index: u32) -> Option<Unary> {
    let prim = &PRIMS[index as usize];
    if prim.module != "Prelude" {
        return None;
    }
    Some(match prim.name {
        "sin" => Unary::Sin,
        "cos" => Unary::Cos,
        "tan" => Unary::Tan,
        "exp" => Unary::Exp,
        "log" => Unary::Log,
        "sqrt" => Unary::Sqrt,
        "tanh" => Unary::Tanh,
        "sigmoid" => Unary::Sigmoid,
        "relu" => Unary::Relu,
        "abs" => Unary::Abs,
        _ => return None,
    })
}

pub(super) fn var(v: VarId) -> ir::Expr {
    ir::Expr::Var(v)
}

pub(super) fn float(x: f64) -> ir::Expr {
    ir::Expr::Float(x)
}

pub(super) fn arith(op: FloatOp, a: ir::Expr, b: ir::Expr) -> ir::Expr {
    ir::build::float_op(op, a, b)
}

fn neg(a: ir::Expr) -> ir::Expr {
    ir::Expr::FloatNeg(Box::new(a))
}

fn leaf(entry: RuntimeFn, args: Vec<ir::Expr>, span: SpanId) -> ir::Expr {
    ir::build::runtime(entry, args, span.0)
}

/// `if a <op> b then yes else no` on floats.
fn choose(op: Compare, a: ir::Expr, b: ir::Expr, yes: ir::Expr, no: ir::Expr) -> ir::Expr {
    ir::build::if_(ir::build::compare(op, a, b), yes, no)
}

impl<'a> Reverse<'_, '_, 'a> {
    /// The whole site: the point, the forward pass, the seed, the
    /// backward pass, and the primitive's result.
    fn gradient(
        &mut self,
        e: &'a Expr<TypeInfo>,
        which: MachinePrim,
        function: Function<'a>,
        x: &'a Expr<TypeInfo>,
    ) -> Option<(ir::Expr, Ty)> {
        let span = self.f.span(e.span);
        // The interpreter's order: the arguments before the point, then
        // the point.
        let mut before = Vec::new();
        if let Function::Global(_, args) = &function {
            for arg in args {
                let ty = ir_type(&arg.ann.ty, arg.span).ok()?;
                if !matches!(ty, Ty::F64 | Ty::I64 | Ty::Bool | Ty::Unit) {
                    return None;
                }
                let value = self.f.expr(arg, false).ok()?;
                before.push(self.constant(value, ty));
            }
        }
        let point = self.f.expr(x, false).ok()?;
        let primal = self.local(point, Ty::F64);
        let input = self.adjoint();
        let tracked = Value::Float {
            primal,
            cells: vec![Cell {
                adjoint: input,
                when: Vec::new(),
            }],
        };
        let result = match function {
            Function::Global(id, _) => {
                before.push(tracked);
                self.inline(id, before, span, false, Ty::F64)?
            }
            Function::Lambda(param, body) => {
                let entered = Entered {
                    name: "<fun>".into(),
                    param: Some(param),
                    body,
                    call: span,
                    tail: false,
                };
                self.framed(entered, |r| {
                    r.bind(param, tracked)?;
                    r.expr(body)
                })?
            }
            Function::Prim(f) => {
                let Value::Float { primal, cells } = tracked else {
                    return None;
                };
                self.unary(f, primal, &cells, span)?
            }
        };
        let Value::Float { primal, cells } = result else {
            return None;
        };
        if cells
            .iter()
            .any(|cell| self.retired.contains(&cell.adjoint))
        {
            return None;
        }
        let seeds: Vec<ir::Expr> = cells
            .iter()
            .map(|cell| self.guarded(cell, ir::build::assign(cell.adjoint.0, float(1.0))))
            .collect();
        let mut code: Vec<ir::Expr> = self
            .made
            .iter()
            .map(|(v, ty)| ir::build::assign(v.0, zero(*ty)))
            .collect();
        code.append(&mut self.prelude);
        code.append(&mut self.forward);
        code.extend(seeds);
        code.extend(self.backward.drain(..).rev());
        let (value, ty) = match which {
            MachinePrim::ValueAndGrad => {
                let value = self.f.boxed_value(var(primal), Ty::F64, e.span);
                let gradient = self.f.boxed_value(var(input), Ty::F64, e.span);
                let pair = self.f.entry(DataFn::Tuple, vec![value, gradient], e.span);
                (pair, Ty::Val)
            }
            _ => (var(input), Ty::F64),
        };
        code.push(value);
        Some((ir::Expr::Seq(code), ty))
    }

    /// A new local of this gradient, zero until assigned.
    pub(super) fn zeroed(&mut self, ty: Ty) -> VarId {
        let v = self.f.fresh(ty);
        self.made.push((v, ty));
        v
    }

    /// A new adjoint local, zero until something flows to it.
    pub(super) fn adjoint(&mut self) -> VarId {
        let v = self.zeroed(Ty::F64);
        self.adjoints.insert(v);
        v
    }

    /// `value` computed by the forward pass into a new local.
    pub(super) fn local(&mut self, value: ir::Expr, ty: Ty) -> VarId {
        let v = self.zeroed(ty);
        self.forward.push(ir::build::assign(v.0, value));
        v
    }

    /// A value that carries no derivative.
    pub(super) fn constant(&mut self, value: ir::Expr, ty: Ty) -> Value {
        let v = self.local(value, ty);
        untracked(v, ty)
    }

    /// A constant of the whole site (a literal, a value of the code
    /// around it), computed before the forward pass.
    pub(super) fn hoisted(&mut self, value: ir::Expr, ty: Ty) -> Value {
        let v = self.f.fresh(ty);
        self.prelude.push(ir::build::assign(v.0, value));
        untracked(v, ty)
    }

    /// The forward code of `e`. What a value is comes from the values
    /// (an inlined polymorphic function's body is typed with type
    /// variables): only a value read from outside needs its static type.
    pub(super) fn expr(&mut self, e: &'a Expr<TypeInfo>) -> Option<Value> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return None;
        }
        match &e.kind {
            ExprKind::Lit(lit) => Some(match lit {
                Literal::Float(x) => self.hoisted(float(*x), Ty::F64),
                Literal::Int(n) => self.hoisted(ir::Expr::Int(*n), Ty::I64),
                Literal::Bool(b) => self.hoisted(ir::Expr::Bool(*b), Ty::Bool),
                Literal::Unit => self.unit(),
                Literal::String(_) => return None,
            }),
            ExprKind::Var(_, v) => self.variable(e, v.target),
            ExprKind::Annot(inner, _) | ExprKind::LocalOpen(_, _, inner) => self.expr(inner),
            ExprKind::Let(group, body) if !group.recursive => {
                for binding in &group.bindings {
                    let value = self.expr(&binding.expr)?;
                    self.bind(&binding.pattern, value)?;
                }
                self.expr(body)
            }
            ExprKind::Seq(first, second) => {
                self.expr(first)?;
                self.expr(second)
            }
            ExprKind::If(cond, then, otherwise) => {
                let Value::Scalar(decision, Ty::Bool) = self.expr(cond)? else {
                    return None;
                };
                match otherwise {
                    Some(otherwise) => {
                        self.branch(decision, |r| r.expr(then), |r| r.expr(otherwise))
                    }
                    None => self.branch(decision, |r| r.expr(then), |r| Some(r.unit())),
                }
            }
            ExprKind::Ref(init) => {
                let value = self.expr(init)?;
                if !matches!(value, Value::Float { .. } | Value::Scalar(..)) {
                    return None;
                }
                self.refs.push(value);
                Some(Value::Ref(self.refs.len() - 1))
            }
            ExprKind::Deref(r) => match self.expr(r)? {
                Value::Ref(id) => Some(self.refs[id].clone()),
                _ => None,
            },
            ExprKind::Assign(r, value) => {
                let Value::Ref(id) = self.expr(r)? else {
                    return None;
                };
                let value = self.expr(value)?;
                if !matches!(value, Value::Float { .. } | Value::Scalar(..)) {
                    return None;
                }
                self.refs[id] = value;
                Some(self.unit())
            }
            ExprKind::For {
                binder,
                from,
                to,
                downward,
                body,
                ..
            } => self.for_loop(*binder, from, to, *downward, body),
            ExprKind::While(cond, body) => self.while_loop(cond, body),
            ExprKind::BinOp(op @ (BinOp::And | BinOp::Or), _, lhs, rhs) => {
                let Value::Scalar(decision, Ty::Bool) = self.expr(lhs)? else {
                    return None;
                };
                let known =
                    |r: &mut Self| Some(r.constant(ir::Expr::Bool(*op == BinOp::Or), Ty::Bool));
                match op {
                    BinOp::And => self.branch(decision, |r| r.expr(rhs), known),
                    _ => self.branch(decision, known, |r| r.expr(rhs)),
                }
            }
            ExprKind::BinOp(op, OpInstance::Same(_), lhs, rhs) => {
                let (a, b) = (self.expr(lhs)?, self.expr(rhs)?);
                let span = self.f.span(e.span);
                self.binary(*op, a, b, span)
            }
            ExprKind::UnOp(UnOp::Neg, _, arg) => match self.expr(arg)? {
                Value::Float { primal, cells } => {
                    let span = self.f.span(e.span);
                    self.unary(Unary::Neg, primal, &cells, span)
                }
                Value::Scalar(n, Ty::I64) => {
                    let span = self.f.span(e.span);
                    let negated = ir::Expr::IntNeg {
                        arg: Box::new(var(n)),
                        span,
                    };
                    Some(self.constant(negated, Ty::I64))
                }
                _ => None,
            },
            ExprKind::UnOp(UnOp::Not, _, arg) => match self.expr(arg)? {
                Value::Scalar(b, Ty::Bool) => {
                    Some(self.constant(ir::Expr::Not(Box::new(var(b))), Ty::Bool))
                }
                _ => None,
            },
            ExprKind::App(..) => self.call(e),
            _ => None,
        }
    }

    /// A variable: a binder of the inlined code, or a scalar of the
    /// code around the site (a constant here).
    fn variable(&mut self, e: &'a Expr<TypeInfo>, target: VarTarget) -> Option<Value> {
        let ty = ir_type(&e.ann.ty, e.span).ok()?;
        if !matches!(target, VarTarget::Local(id) if self.env.contains_key(&id))
            && !matches!(ty, Ty::F64 | Ty::I64 | Ty::Bool | Ty::Unit)
        {
            return None;
        }
        match target {
            VarTarget::Local(id) => {
                match self.env.get(&id) {
                    Some(Value::Param(slot)) => return Some(self.refs[*slot].clone()),
                    Some(value) => return Some(value.clone()),
                    None => {}
                }
                if !self.inlining.is_empty() {
                    // An inlined body reads only its own binders.
                    return None;
                }
                if let Some(value) = self.outside.get(&id) {
                    return Some(value.clone());
                }
                let span = self.f.span(e.span);
                let (value, from) = self.f.local(id, span)?;
                let value = self.f.coerce(value, from, ty, span);
                let value = self.hoisted(value, ty);
                self.outside.insert(id, value.clone());
                Some(value)
            }
            VarTarget::Global(id) if self.f.lowering.arity(id).is_none() => {
                let value = self.f.variable(e, target).ok()?;
                Some(self.hoisted(value, ty))
            }
            _ => None,
        }
    }

    /// Binds a `let` or parameter pattern that names or ignores a value.
    pub(super) fn bind(&mut self, pattern: &'a Pattern<TypeInfo>, value: Value) -> Option<()> {
        match &pattern.kind {
            PatternKind::Var(_, Binder::Local(id)) => {
                self.env.insert(*id, value);
                Some(())
            }
            PatternKind::Wildcard | PatternKind::Lit(Literal::Unit) => Some(()),
            PatternKind::Annot(inner, _) => self.bind(inner, value),
            _ => None,
        }
    }

    /// An application: a differentiable primitive, `stop_gradient`,
    /// `to_float`, or a known call of a top-level function (inlined).
    fn call(&mut self, e: &'a Expr<TypeInfo>) -> Option<Value> {
        let mut args = Vec::new();
        let mut head = e;
        while let ExprKind::App(f, arg) = &head.kind {
            args.push(&**arg);
            head = f;
        }
        args.reverse();
        let ExprKind::Var(_, v) = &head.kind else {
            return None;
        };
        match v.target {
            VarTarget::Prim(id) => {
                let prim = &PRIMS[id.0 as usize];
                let [arg] = args[..] else { return None };
                if prim.arity != 1 || prim.module != "Prelude" {
                    return None;
                }
                let value = self.expr(arg)?;
                match (prim.name, value) {
                    ("stop_gradient", Value::Float { primal, .. }) => Some(Value::Float {
                        primal,
                        cells: Vec::new(),
                    }),
                    ("to_float", Value::Scalar(n, Ty::I64)) => {
                        let x = ir::Expr::IntToFloat(Box::new(var(n)));
                        Some(self.constant(x, Ty::F64))
                    }
                    (_, Value::Float { primal, cells }) => {
                        let f = differentiable(id.0)?;
                        let span = self.f.span(e.span);
                        self.unary(f, primal, &cells, span)
                    }
                    _ => None,
                }
            }
            VarTarget::Global(id) if self.f.lowering.arity(id) == Some(args.len()) => {
                let mut values = Vec::new();
                for arg in args {
                    values.push(self.expr(arg)?);
                }
                let call = self.f.span(e.span);
                let tail = self.in_tail_position(e);
                let result = ir_type(&e.ann.ty, e.span).ok()?;
                self.inline(id, values, call, tail, result)
            }
            _ => None,
        }
    }

    /// The body of top-level function `id` on `args` (all its arguments,
    /// evaluated), unless it is already being inlined (recursion); a
    /// function that calls itself is a loop (`reverse_loop.rs`).
    ///
    /// `call` is the span of the call (the `grad`'s for the function it
    /// differentiates) and `tail` whether it is in tail position of the
    /// inlined function making it: the inlined code keeps the call-stack
    /// entry the interpreter's call makes (`reverse_frames.rs`). `result`
    /// is the type of the call's value, at the instance the call site
    /// uses: the body's own types are those of its definition, where a
    /// polymorphic function's result is a type variable.
    pub(super) fn inline(
        &mut self,
        id: GlobalId,
        args: Vec<Value>,
        call: SpanId,
        tail: bool,
        result: Ty,
    ) -> Option<Value> {
        // A ref passed in could be assigned out of sight of a loop's
        // search for the refs it assigns.
        if self.inlining.contains(&id) || args.iter().any(|a| matches!(a, Value::Ref(_))) {
            return None;
        }
        let def = self.f.lowering.defs.get(&id)?;
        let (params, body) = (def.params.clone(), def.body);
        let entered = Entered {
            name: def.name.clone(),
            param: params.last().copied(),
            body,
            call,
            tail,
        };
        self.framed(entered, |r| {
            if calls_itself(body, id) {
                return r.tail_loop(id, params, body, args, result);
            }
            // The body's binders are its own (a local's id is only unique
            // in its function).
            let outer = std::mem::take(&mut r.env);
            let mut bound = Some(());
            for (param, arg) in params.into_iter().zip(args) {
                bound = bound.and_then(|()| r.bind(param, arg));
            }
            r.inlining.push(id);
            let result = bound.and_then(|()| r.expr(body));
            r.inlining.pop();
            r.env = outer;
            result
        })
    }

    /// `if decision then … else …`: each branch its own stretch, forward
    /// and backward, and the value passed on with its branches' cells, as
    /// is what each `ref` holds after it.
    pub(super) fn branch(
        &mut self,
        decision: VarId,
        then: impl FnOnce(&mut Self) -> Option<Value>,
        otherwise: impl FnOnce(&mut Self) -> Option<Value>,
    ) -> Option<Value> {
        let (forward, backward) = (
            std::mem::take(&mut self.forward),
            std::mem::take(&mut self.backward),
        );
        let refs = self.refs.clone();
        let before = refs.len();
        let yes = then(self)?;
        let yes_refs = std::mem::replace(&mut self.refs, refs);
        let yes_code = (
            std::mem::take(&mut self.forward),
            std::mem::take(&mut self.backward),
        );
        let no = otherwise(self)?;
        self.refs.truncate(before);
        let no_code = (
            std::mem::replace(&mut self.forward, forward),
            std::mem::replace(&mut self.backward, backward),
        );
        let (mut yes_forward, yes_backward) = yes_code;
        let (mut no_forward, no_backward) = no_code;
        let mut arms = [&mut yes_forward, &mut no_forward];
        let joined = self.join(decision, [yes, no], &mut arms)?;
        // The refs made before the `if` (those made in a branch are gone
        // after it).
        for (id, yes) in yes_refs.into_iter().take(before).enumerate() {
            let both = [yes, self.refs[id].clone()];
            self.refs[id] = self.join(decision, both, &mut arms)?;
        }
        let backward = |code: Vec<ir::Expr>| ir::Expr::Seq(code.into_iter().rev().collect());
        self.forward.push(ir::build::if_(
            var(decision),
            ir::Expr::Seq(yes_forward),
            ir::Expr::Seq(no_forward),
        ));
        self.backward.push(ir::build::if_(
            var(decision),
            backward(yes_backward),
            backward(no_backward),
        ));
        Some(joined)
    }

    /// The value of an `if` whose branches (deciding on `decision`) end
    /// with `values`, each branch's forward code in `arms`.
    fn join(
        &mut self,
        decision: VarId,
        values: [Value; 2],
        arms: &mut [&mut Vec<ir::Expr>; 2],
    ) -> Option<Value> {
        if values[0] == values[1] {
            let [value, _] = values;
            return Some(value);
        }
        let ty = match &values[0] {
            Value::Float { .. } => Ty::F64,
            Value::Scalar(_, ty) => *ty,
            _ => return None,
        };
        let joined = self.zeroed(ty);
        let mut cells = Vec::new();
        for ((value, arm), taken) in values.into_iter().zip(arms.iter_mut()).zip([true, false]) {
            let (v, from) = match value {
                Value::Float { primal, cells: c } => {
                    cells.extend(c.into_iter().map(|mut cell| {
                        cell.when.push((decision, taken));
                        cell
                    }));
                    (primal, Ty::F64)
                }
                Value::Scalar(v, t) => (v, t),
                _ => return None,
            };
            if from != ty {
                return None;
            }
            arm.push(ir::build::assign(joined.0, var(v)));
        }
        if cells.len() > MAX_CELLS {
            return None;
        }
        Some(match ty {
            Ty::F64 => Value::Float {
                primal: joined,
                cells,
            },
            _ => Value::Scalar(joined, ty),
        })
    }

    /// A primitive's result: a constant when no operand is tracked, else a
    /// node with its remainder, which gives operand `i` (with cells
    /// `operands[i]`) the contribution `rule(g, i)` of the node's
    /// adjoint `g`.
    fn node(
        &mut self,
        primal: VarId,
        operands: [&[Cell]; 2],
        rule: impl Fn(ir::Expr, usize) -> ir::Expr,
    ) -> Option<Value> {
        if operands.iter().all(|cells| cells.is_empty()) {
            return Some(untracked(primal, Ty::F64));
        }
        let g = self.adjoint();
        let mut updates = Vec::new();
        for (i, cells) in operands.iter().enumerate() {
            if !cells.is_empty() {
                updates.push(self.accumulate(cells, rule(var(g), i))?);
            }
        }
        // Nothing flows from a zero adjoint (`ad::arith::backpropagate`).
        let remainder = choose(
            Compare::Eq,
            var(g),
            float(0.0),
            ir::Expr::Unit,
            ir::Expr::Seq(updates),
        );
        self.backward.push(remainder);
        Some(Value::Float {
            primal,
            cells: vec![Cell {
                adjoint: g,
                when: Vec::new(),
            }],
        })
    }

    /// Adds `contribution` to the cell its float's branches chose, unless
    /// a loop fills one of the cells last.
    fn accumulate(&mut self, cells: &[Cell], contribution: ir::Expr) -> Option<ir::Expr> {
        if cells
            .iter()
            .any(|cell| self.retired.contains(&cell.adjoint))
        {
            return None;
        }
        Some(self.add_to(cells, contribution))
    }

    /// Adds `contribution` to the cell its float's branches chose.
    pub(super) fn add_to(&mut self, cells: &[Cell], contribution: ir::Expr) -> ir::Expr {
        let add = |cell: &Cell, c: ir::Expr| {
            let sum = arith(FloatOp::Add, var(cell.adjoint), c);
            ir::build::assign(cell.adjoint.0, sum)
        };
        if let [cell] = cells {
            if cell.when.is_empty() {
                return add(cell, contribution);
            }
        }
        let c = self.f.fresh(Ty::F64);
        let updates = cells
            .iter()
            .map(|cell| self.guarded(cell, add(cell, var(c))))
            .collect();
        ir::build::let_(c.0, contribution, ir::Expr::Seq(updates))
    }

    /// `update`, run only where the decisions of `cell` hold.
    pub(super) fn guarded(&self, cell: &Cell, update: ir::Expr) -> ir::Expr {
        let holds = cell.when.iter().rev().fold(None, |inner, (d, taken)| {
            let test = match taken {
                true => var(*d),
                false => ir::Expr::Not(Box::new(var(*d))),
            };
            Some(match inner {
                None => test,
                Some(rest) => ir::build::if_(test, rest, ir::Expr::Bool(false)),
            })
        });
        match holds {
            None => update,
            Some(holds) => ir::build::if_(holds, update, ir::Expr::Unit),
        }
    }

    /// `f x` for a differentiable primitive of one float; the derivative
    /// rules are `ad::arith::derivative`'s.
    fn unary(&mut self, f: Unary, a: VarId, cells: &[Cell], span: SpanId) -> Option<Value> {
        let entry = match f {
            Unary::Neg => None,
            Unary::Sin => Some(RuntimeFn::Sin),
            Unary::Cos => Some(RuntimeFn::Cos),
            Unary::Tan => Some(RuntimeFn::Tan),
            Unary::Exp => Some(RuntimeFn::Exp),
            Unary::Log => Some(RuntimeFn::Log),
            Unary::Sqrt => Some(RuntimeFn::Sqrt),
            Unary::Tanh => Some(RuntimeFn::Tanh),
            Unary::Sigmoid => Some(RuntimeFn::Sigmoid),
            Unary::Relu => Some(RuntimeFn::Relu),
            Unary::Abs => Some(RuntimeFn::Abs),
        };
        let value = match entry {
            Some(entry) => leaf(entry, vec![var(a)], span),
            None => neg(var(a)),
        };
        let r = self.local(value, Ty::F64);
        let (x, r_) = (|| var(a), || var(r));
        let mul = |p, q| arith(FloatOp::Mul, p, q);
        let one = || float(1.0);
        self.node(r, [cells, &[]], move |g, _| match f {
            Unary::Neg => neg(g),
            Unary::Sin => mul(g, leaf(RuntimeFn::Cos, vec![x()], span)),
            Unary::Cos => neg(mul(g, leaf(RuntimeFn::Sin, vec![x()], span))),
            Unary::Tan => mul(g, arith(FloatOp::Add, one(), mul(r_(), r_()))),
            Unary::Exp => mul(g, r_()),
            Unary::Log => arith(FloatOp::Div, g, x()),
            Unary::Sqrt => arith(FloatOp::Div, g, arith(FloatOp::Add, r_(), r_())),
            Unary::Tanh => mul(g, arith(FloatOp::Sub, one(), mul(r_(), r_()))),
            Unary::Sigmoid => mul(g, mul(r_(), arith(FloatOp::Sub, one(), r_()))),
            // PyTorch's conventions at the kinks, as `tensor_ops`'s masks.
            Unary::Relu => mul(g, choose(Compare::Gt, x(), float(0.0), one(), float(0.0))),
            Unary::Abs => {
                let negative = choose(Compare::Lt, x(), float(0.0), float(-1.0), float(0.0));
                mul(g, choose(Compare::Gt, x(), float(0.0), one(), negative))
            }
        })
    }

    /// A binary operator on the forward values `a` and `b`. The values
    /// say what the operands are: the runtime's operators act on the
    /// values whatever the static type (an inlined polymorphic function
    /// compares type variables).
    fn binary(&mut self, op: BinOp, a: Value, b: Value, span: SpanId) -> Option<Value> {
        if let Some(compare) = comparison(op) {
            // On the primals: comparisons pass no gradient.
            let (x, y) = match (a, b) {
                (Value::Float { primal: x, .. }, Value::Float { primal: y, .. }) => (x, y),
                (Value::Scalar(x, t), Value::Scalar(y, u))
                    if t == u && matches!(t, Ty::I64 | Ty::Bool) =>
                {
                    (x, y)
                }
                _ => return None,
            };
            let test = ir::build::compare(compare, var(x), var(y));
            return Some(self.constant(test, Ty::Bool));
        }
        if let (Value::Scalar(x, Ty::I64), Value::Scalar(y, Ty::I64)) = (&a, &b) {
            // Integer arithmetic carries no derivative: forward code only,
            // checked as everywhere (R002, R001 at `span`), such as the
            // counter of a tail-recursive loop (`n - 1`).
            let value = ir::build::int_op(int_op(op)?, var(*x), var(*y), span.0);
            return Some(self.constant(value, Ty::I64));
        }
        let (
            Value::Float {
                primal: x,
                cells: ca,
            },
            Value::Float {
                primal: y,
                cells: cb,
            },
        ) = (a, b)
        else {
            return None;
        };
        let value = match (op, float_op(op)) {
            (_, Some(float)) => arith(float, var(x), var(y)),
            (BinOp::Pow, None) => leaf(RuntimeFn::Pow, vec![var(x), var(y)], span),
            _ => return None,
        };
        let r = self.local(value, Ty::F64);
        let mul = |p, q| arith(FloatOp::Mul, p, q);
        let div = |p, q| arith(FloatOp::Div, p, q);
        self.node(r, [&ca, &cb], move |g, i| match (op, i) {
            (BinOp::Add, _) | (BinOp::Sub, 0) => g,
            (BinOp::Sub, _) => neg(g),
            (BinOp::Mul, 0) => mul(g, var(y)),
            (BinOp::Mul, _) => mul(g, var(x)),
            (BinOp::Div, 0) => div(g, var(y)),
            (BinOp::Div, _) => neg(div(mul(g, var(r)), var(y))),
            // `ad::arith::pow_base_slope`: `y·x^(y-1)`, but `x^0` where
            // `y = 0`.
            (_, 0) => {
                let minus_one = arith(FloatOp::Sub, var(y), float(1.0));
                let exponent = choose(
                    Compare::Eq,
                    var(y),
                    float(0.0),
                    arith(FloatOp::Add, minus_one.clone(), float(1.0)),
                    minus_one,
                );
                let power = leaf(RuntimeFn::Pow, vec![var(x), exponent], span);
                mul(g, mul(var(y), power))
            }
            // `ad::arith::pow_exponent_slope`: `x^y·ln x`, with `x` moved
            // to 1 where `x = 0` and `y ≥ 0`.
            (_, _) => {
                let shift = choose(Compare::Ge, var(y), float(0.0), float(1.0), float(0.0));
                let base = choose(
                    Compare::Eq,
                    var(x),
                    float(0.0),
                    arith(FloatOp::Add, var(x), shift),
                    var(x),
                );
                mul(g, mul(var(r), leaf(RuntimeFn::Log, vec![base], span)))
            }
        })
    }

    /// The value of `()` (one local for the site, so that branches that
    /// both end in `()` need no join).
    pub(super) fn unit(&mut self) -> Value {
        if let Some(unit) = &self.unit {
            return unit.clone();
        }
        let unit = self.hoisted(ir::Expr::Unit, Ty::Unit);
        self.unit = Some(unit.clone());
        unit
    }
}

/// A value of local `v` that carries no derivative.
pub(super) fn untracked(v: VarId, ty: Ty) -> Value {
    match ty {
        Ty::F64 => Value::Float {
            primal: v,
            cells: Vec::new(),
        },
        _ => Value::Scalar(v, ty),
    }
}

/// The zero of an IR scalar type.
pub(super) fn zero(ty: Ty) -> ir::Expr {
    match ty {
        Ty::F64 => float(0.0),
        Ty::I64 => ir::Expr::Int(0),
        Ty::Bool => ir::Expr::Bool(false),
        _ => ir::Expr::Unit,
    }
}
