//! The selective CPS transform: code that may shift is lowered in
//! continuation-passing style, everything else in direct style.
//!
//! What may shift is what the checker says: every node's
//! `TypeInfo.effect` and every arrow's effect is `Pure`, `Cps(answer)`, or
//! an effect variable (effect-polymorphic code). A body is lowered with
//! the set of effect variables that are `cps` in it ([`CpsVars`]): a
//! top-level function is compiled once per *variant*, the set of its
//! type's effect variables that are `cps` at a use (matched from its type
//! scheme against the type at the call), so `List.map` with a pure
//! function is the direct-style loop and `List.map` with a shifting one is
//! continuation-passing code. Any other variable is pure. Closures are
//! lowered with their enclosing body's set.
//!
//! Continuation-passing code evaluates to the *answer* of the enclosing
//! `reset` (always a `val`). Where a value is ready it goes to the
//! continuation ([`Kont`]): the code's own value inside a `reset`, or a
//! `TailApply` of a continuation closure. An operand that may shift is
//! evaluated with a continuation closure whose body lowers the rest of its
//! node again, the operands evaluated so far taken from its captures
//! (`FnLower::precomputed`), so the direct lowering of any node kind
//! serves for the part that does not shift. Every call a continuation or a
//! shifting function makes last is a `return_call`: deep recursion in
//! continuation-passing code runs in constant native stack (its pending
//! work is the chain of continuation closures on the heap).

#![forbid(unsafe_code)]

use super::pattern::Clause;
use super::{not_compiled, FnLower, PRIMS};
use crate::jit::ir::{self, Compare, IntOp, SpanId, Ty, VarId};
use crate::runtime::error::RuntimeError;
use crate::syntax::ast::{Arm, BinOp, Binding, Expr, ExprKind};
use crate::types::resolved::{Binder, GlobalId, LocalId, VarTarget};
use crate::types::{EffVar, Effect, Type, TypeInfo};
use std::collections::BTreeMap;

/// The effect variables a body's variant decides: `true` for `cps`,
/// `false` for pure. A variable not in it is pure too, but left open (see
/// `FnLower::closure_entries`).
pub(super) type CpsVars = BTreeMap<EffVar, bool>;

/// A loop that may shift, in the code of one of its iterations: its
/// closure (see `FnLower::loop_closure`) and, for a `for`, the counter of
/// the iteration.
#[derive(Clone, Copy, Debug)]
pub(super) struct LoopState {
    pub closure: VarId,
    pub counter: Option<VarId>,
}

/// Where the value of continuation-passing code goes.
#[derive(Clone, Copy, Debug)]
pub(super) enum Kont {
    /// It is the answer of the enclosing `reset`: the code's own value.
    Answer,
    /// To the continuation closure held in this local.
    Closure(VarId),
}

/// Whether `effect` may shift when the variables `cps` are `cps`.
pub(super) fn effect_shifts(effect: &Effect, cps: &CpsVars) -> bool {
    match effect {
        Effect::Pure => false,
        Effect::Cps(_) => true,
        Effect::Var(v) => cps.get(v) == Some(&true),
    }
}

/// Whether the variant `cps` of a function of type `ty` and `arity`
/// parameters may shift once it has all its arguments (the effect of its
/// innermost arrow, its body's context).
pub(super) fn variant_shifts(ty: &Type, arity: usize, cps: &CpsVars) -> bool {
    let mut ty = ty;
    for k in 1..=arity {
        let Type::Arrow(_, result, effect) = ty else {
            return false;
        };
        if k == arity {
            return effect_shifts(effect, cps);
        }
        ty = result;
    }
    false
}

/// Adds to `out` the effect variables of `scheme` (a binding's type)
/// whose instance in `instance` (its type at a use) shifts under `cps`.
fn instance_vars(scheme: &Type, instance: &Type, cps: &CpsVars, out: &mut CpsVars) {
    match (scheme, instance) {
        (Type::Arrow(p1, r1, e1), Type::Arrow(p2, r2, e2)) => {
            if let Effect::Var(v) = e1 {
                out.insert(*v, effect_shifts(e2, cps));
            }
            if let (Effect::Cps(a1), Effect::Cps(a2)) = (e1, e2) {
                instance_vars(a1, a2, cps, out);
            }
            instance_vars(p1, p2, cps, out);
            instance_vars(r1, r2, cps, out);
        }
        (Type::Con(_, xs), Type::Con(_, ys)) | (Type::Tuple(xs), Type::Tuple(ys)) => {
            for (x, y) in xs.iter().zip(ys) {
                instance_vars(x, y, cps, out);
            }
        }
        _ => {}
    }
}

/// The E401 for a `shift` the effects placed where nothing shifts (the
/// checker and the lowering disagree: a bug, reported rather than run).
pub(super) fn misplaced_shift(span: crate::syntax::ast::Span) -> RuntimeError {
    not_compiled("a `shift` its effects do not account for", span)
}

/// The E401 for a call of a function value whose arrow may shift in the
/// body of a `try` that may shift, or in a function such a body calls
/// (see [`exn`](super::exn)): only top-level functions have a variant
/// that ends the `try`'s region.
fn shifting_value_call_in_try(span: crate::syntax::ast::Span) -> RuntimeError {
    not_compiled(
        "a call of a function value that may shift, reached from the body of a `try`,",
        span,
    )
}

/// The operands of `e` in evaluation order, for the nodes whose operands
/// are all evaluated before the node does its work; `None` for the
/// others (control flow, binders, calls).
fn operands(e: &Expr<TypeInfo>) -> Option<Vec<&Expr<TypeInfo>>> {
    Some(match &e.kind {
        ExprKind::BinOp(BinOp::And | BinOp::Or, ..) => return None,
        ExprKind::BinOp(_, _, a, b)
        | ExprKind::Index(a, b)
        | ExprKind::Assign(a, b)
        | ExprKind::FieldSet(a, _, _, _, b) => {
            vec![a, b]
        }
        ExprKind::UnOp(_, _, a)
        | ExprKind::Field(a, ..)
        | ExprKind::Deref(a)
        | ExprKind::Ref(a) => {
            vec![a]
        }
        // A constructor's tuple argument is its fields: its lowering may
        // read them one by one.
        ExprKind::Constructor(_, _, Some(arg)) => match &arg.kind {
            ExprKind::Tuple(items) => items.iter().collect(),
            _ => vec![arg],
        },
        ExprKind::Tuple(items) | ExprKind::List(items) | ExprKind::Array(items) => {
            items.iter().collect()
        }
        ExprKind::Record(fields) => fields.iter().map(|f| &f.value).collect(),
        ExprKind::RecordUpdate(base, fields) => std::iter::once(&**base)
            .chain(fields.iter().map(|f| &f.value))
            .collect(),
        ExprKind::IndexSet(a, i, v) => vec![a, i, v],
        _ => return None,
    })
}

/// How a call spine `f a1 … an` is made, for the part that decides it.
enum Spine<'e> {
    /// A top-level function given exactly its arity.
    Known(GlobalId, &'e Expr<TypeInfo>, Vec<&'e Expr<TypeInfo>>),
    /// A primitive given at most its arity, or a top-level function
    /// given fewer arguments than it has: the arguments are evaluated,
    /// then the call or closure cannot shift.
    Saturating(Vec<&'e Expr<TypeInfo>>),
    /// One application of a function value (what any other spine is, an
    /// over-application included: its function part is the inner spine).
    Single(&'e Expr<TypeInfo>, &'e Expr<TypeInfo>),
}

impl<'l, 'a> FnLower<'l, 'a> {
    pub(super) fn shifts(&self, effect: &Effect) -> bool {
        effect_shifts(effect, &self.cps_vars)
    }

    /// Whether evaluating `e` here may shift.
    pub(super) fn node_shifts(&self, e: &Expr<TypeInfo>) -> bool {
        !self.precomputed.contains_key(&(e as *const _)) && self.shifts(&e.ann.effect)
    }

    /// The variant of the top-level function `global` that the use `head`
    /// (a variable of its instance type) calls.
    pub(super) fn instance_cps(&self, head: &Expr<TypeInfo>, global: GlobalId) -> CpsVars {
        let mut out = CpsVars::new();
        if let Some(def) = self.lowering.defs.get(&global) {
            instance_vars(def.ty, &head.ann.ty, &self.cps_vars, &mut out);
        }
        out
    }

    /// The signature of a call `e` of a variant that must not shift (direct
    /// style code calls it).
    pub(super) fn direct_signature(
        &self,
        e: &Expr<TypeInfo>,
        global: GlobalId,
        cps: &CpsVars,
    ) -> Result<(Vec<Ty>, Ty), RuntimeError> {
        let def = &self.lowering.defs[&global];
        if variant_shifts(def.ty, def.params.len(), cps) {
            return Err(not_compiled(
                "a call that may shift where its effects say it does not",
                e.span,
            ));
        }
        self.lowering.def_signature(global, self.mode, cps)
    }

    /// The body of a function variant or closure entry that takes the
    /// continuation `kont`: it returns the answer.
    pub(super) fn cps_body(
        &mut self,
        body: &'a Expr<TypeInfo>,
        kont: VarId,
    ) -> Result<ir::Expr, RuntimeError> {
        self.cps(body, Kont::Closure(kont), true)
    }

    /// `value` (of IR type `ty`), ready: given to `kont` (the answer of
    /// the body of a `try` that may shift is its outcome `Done`).
    pub(super) fn deliver(
        &mut self,
        value: ir::Expr,
        ty: Ty,
        kont: Kont,
        tail: bool,
        span: SpanId,
    ) -> ir::Expr {
        let value = self.coerce(value, ty, Ty::Val, span);
        match kont {
            Kont::Answer if self.in_region() => {
                self.outcome(super::exn::Outcome::Done, value, span)
            }
            Kont::Answer => value,
            Kont::Closure(k) if tail => ir::Expr::TailApply {
                func: Box::new(ir::Expr::Var(k)),
                arg: Box::new(value),
                span,
            },
            Kont::Closure(k) => ir::Expr::Apply {
                func: Box::new(ir::Expr::Var(k)),
                arg: Box::new(value),
                span,
            },
        }
    }

    /// `e` in continuation-passing style: its value goes to `kont`, and the
    /// IR's value is the answer. With `tail`, the code is the last thing
    /// its IR function does (so it may end in a `return_call`).
    pub(super) fn cps(
        &mut self,
        e: &'a Expr<TypeInfo>,
        kont: Kont,
        tail: bool,
    ) -> Result<ir::Expr, RuntimeError> {
        if !matches!(kont, Kont::Answer) || self.in_region() {
            return self.cps_node(e, kont, tail);
        }
        // A call whose value is the answer is the last step of its `reset`
        // or `shift` body (see `FnLower::delimited_call`).
        let saved = self.delimited_call.replace(e);
        let lowered = self.cps_node(e, kont, tail);
        self.delimited_call = saved;
        lowered
    }

    fn cps_node(
        &mut self,
        e: &'a Expr<TypeInfo>,
        kont: Kont,
        tail: bool,
    ) -> Result<ir::Expr, RuntimeError> {
        let answer_in_tail = tail && matches!(kont, Kont::Answer) && !self.in_region();
        let unevaluated = !self.precomputed.contains_key(&(e as *const _));
        if answer_in_tail && unevaluated && matches!(e.kind, ExprKind::App(..)) {
            // A call whose value is the answer is a tail call (`shift k ->
            // k x`), so a loop resumed from its `shift` bodies runs in
            // constant native stack.
            return self.cps_call(e, kont, tail);
        }
        if !self.node_shifts(e) {
            let value = self.expr(e, false)?;
            let ty = self.ty(e)?;
            let span = self.span(e.span);
            return Ok(self.deliver(value, ty, kont, tail, span));
        }
        match &e.kind {
            ExprKind::Annot(inner, _) | ExprKind::LocalOpen(_, _, inner) => {
                self.cps(inner, kont, tail)
            }
            ExprKind::Shift(_, _, binder, body) => self.shift(e, *binder, body, kont, tail),
            ExprKind::Seq(first, second) => {
                if self.node_shifts(first) {
                    return self.after(e, first, kont, tail);
                }
                let first = self.expr(first, false)?;
                Ok(ir::Expr::Seq(vec![first, self.cps(second, kont, tail)?]))
            }
            ExprKind::If(cond, then, otherwise) => {
                if self.node_shifts(cond) {
                    return self.after(e, cond, kont, tail);
                }
                let cond = self.expr(cond, false)?;
                let then = self.cps(then, kont, tail)?;
                let otherwise = match otherwise {
                    Some(o) => self.cps(o, kont, tail)?,
                    None => {
                        let span = self.span(e.span);
                        self.deliver(ir::Expr::Unit, Ty::Unit, kont, tail, span)
                    }
                };
                Ok(ir::build::if_(cond, then, otherwise))
            }
            ExprKind::BinOp(op @ (BinOp::And | BinOp::Or), _, lhs, rhs) => {
                if self.node_shifts(lhs) {
                    return self.after(e, lhs, kont, tail);
                }
                let cond = self.expr(lhs, false)?;
                let span = self.span(e.span);
                let rhs = self.cps(rhs, kont, tail)?;
                let constant =
                    self.deliver(ir::Expr::Bool(*op == BinOp::Or), Ty::Bool, kont, tail, span);
                Ok(match op {
                    BinOp::And => ir::build::if_(cond, rhs, constant),
                    _ => ir::build::if_(cond, constant, rhs),
                })
            }
            ExprKind::Let(group, body) if group.recursive => {
                self.let_rec(e, &group.bindings, body, tail, Some(kont))
            }
            ExprKind::Let(group, body) => self.cps_let(e, &group.bindings, body, kont, tail),
            ExprKind::Match(scrutinee, arms) => {
                self.cps_operands_then(e, &[scrutinee], kont, tail, |f, kont, tail| {
                    f.cps_arms(e, scrutinee, arms, kont, tail)
                })
            }
            ExprKind::While(cond, body) => self.cps_while(e, cond, body, kont, tail),
            ExprKind::For {
                binder,
                from,
                to,
                downward,
                body,
                ..
            } => {
                let iterating = self.loops.contains_key(&(e as *const _));
                if !iterating && !self.node_shifts(body) {
                    return self.cps_operands(e, &[from, to], kont, tail);
                }
                let Binder::Local(id) = binder else {
                    return Err(not_compiled("this loop", e.span));
                };
                let step = match downward {
                    true => IntOp::Sub,
                    false => IntOp::Add,
                };
                self.cps_for(e, *id, (from, to, body), step, kont, tail)
            }
            ExprKind::App(..) => self.cps_call(e, kont, tail),
            ExprKind::Try(body, arms) => self.cps_try(e, body, arms, kont, tail),
            _ => match operands(e) {
                Some(operands) => self.cps_operands(e, &operands, kont, tail),
                None => Err(not_compiled(
                    "this construct in code that may shift",
                    e.span,
                )),
            },
        }
    }

    /// A node whose `operands` are evaluated in order before it does its
    /// work (direct style): see [`Self::cps_operands_then`].
    fn cps_operands(
        &mut self,
        e: &'a Expr<TypeInfo>,
        operands: &[&'a Expr<TypeInfo>],
        kont: Kont,
        tail: bool,
    ) -> Result<ir::Expr, RuntimeError> {
        self.cps_operands_then(e, operands, kont, tail, |f, kont, tail| {
            let value = f.expr(e, false)?;
            let ty = f.ty(e)?;
            let span = f.span(e.span);
            Ok(f.deliver(value, ty, kont, tail, span))
        })
    }

    /// A call that may shift (its operands, or the call itself).
    fn cps_call(
        &mut self,
        e: &'a Expr<TypeInfo>,
        kont: Kont,
        tail: bool,
    ) -> Result<ir::Expr, RuntimeError> {
        let ExprKind::App(func, arg) = &e.kind else {
            return Err(not_compiled("this call", e.span));
        };
        match self.spine(e, func, arg) {
            Spine::Saturating(args) => self.cps_operands(e, &args, kont, tail),
            Spine::Known(global, head, args) => {
                let cps = self.instance_cps(head, global);
                let def = &self.lowering.defs[&global];
                if !variant_shifts(def.ty, def.params.len(), &cps) {
                    return self.cps_operands(e, &args, kont, tail);
                }
                let simple = def
                    .params
                    .last()
                    .is_some_and(|param| super::closure::is_simple(param, def.body));
                let runs_shift = self.lowering.may_run_shift(global, &mut Vec::new());
                // In a `try`'s region, a callee that may run a `shift` is
                // its region flavoured variant: its `shift`s end the region
                // (`exn`), its answer the region's outcome.
                let region = self.in_region() && runs_shift;
                // A callee that runs no `shift` returns: in a `try` region,
                // or in code with no frame of its own to replace (under a
                // `reset`, where the interpreter shows every call as a
                // frame of the activation the code belongs to), it is a
                // native call (see below). In a named function's variant a
                // call in tail position replaces its frame, so that stays a
                // tail call (its callee's entry is named by the caller's
                // caller's continuation, `kont_trace`).
                // A callee the interpreter runs without a frame of its own
                // (`closure::is_simple`) does not replace its caller either:
                // called natively, its entry gets this call's span and the
                // caller's stays.
                let native = !region
                    && (self.in_try_body || (!runs_shift && (self.frame.is_none() || simple)));
                let (params, _) = self.lowering.def_signature(global, self.mode, &cps)?;
                let flavour = match region {
                    true => super::Flavour::Region,
                    false => super::Flavour::Plain,
                };
                let func = self.lowering.func_in(global, self.mode, &cps, flavour);
                let callee = self.lowering.defs[&global].name.clone();
                let operands = args.clone();
                self.cps_operands_then(e, &operands, kont, tail, move |f, kont, tail| {
                    let mut lowered = Vec::new();
                    for (arg, param) in args.iter().zip(&params) {
                        let value = f.expr(arg, false)?;
                        let ty = f.ty(arg)?;
                        let span = f.span(arg.span);
                        lowered.push(f.coerce(value, ty, *param, span));
                    }
                    let span = f.span(e.span);
                    if native {
                        // The callee does not run a `shift` (in a `try`
                        // region, one that may is not native), so it is an ordinary native
                        // call to the answer of a `reset` of its own: its
                        // entry gets this call's span, as on the
                        // interpreter, where the pending handler makes no
                        // call in a `try` body a tail call.
                        lowered.push(f.lowering.identity_closure(span));
                        let call = ir::Expr::Call {
                            func,
                            args: lowered,
                            span,
                        };
                        return Ok(f.deliver(call, Ty::Val, kont, tail, span));
                    }
                    lowered.push(f.kont_arg(kont, Some(callee), span));
                    // The body of a `try` has its handler pending: no call
                    // in it is a tail call (as on the interpreter).
                    Ok(if tail && !f.in_try_body {
                        ir::Expr::TailCall {
                            func,
                            args: lowered,
                        }
                    } else {
                        ir::Expr::Call {
                            func,
                            args: lowered,
                            span,
                        }
                    })
                })
            }
            Spine::Single(func, arg) => {
                let shifting = match &func.ann.ty {
                    Type::Arrow(_, _, effect) => self.shifts(effect),
                    _ => false,
                };
                if shifting && self.in_region() {
                    return Err(shifting_value_call_in_try(e.span));
                }
                self.cps_operands_then(e, &[func, arg], kont, tail, move |f, kont, tail| {
                    let span = f.span(e.span);
                    let callee = f.expr(func, false)?;
                    let callee_ty = f.ty(func)?;
                    let callee = f.coerce(callee, callee_ty, Ty::Val, span);
                    let value = f.expr(arg, false)?;
                    let arg_ty = f.ty(arg)?;
                    let arg_span = f.span(arg.span);
                    let value = f.coerce(value, arg_ty, Ty::Val, arg_span);
                    if shifting {
                        let kont = f.kont_arg(kont, None, span);
                        return Ok(ir::Expr::ApplyCps {
                            func: Box::new(callee),
                            arg: Box::new(value),
                            kont: Box::new(kont),
                            span,
                            tail,
                        });
                    }
                    if tail && matches!(kont, Kont::Answer) && !f.in_region() {
                        return Ok(ir::Expr::TailApply {
                            func: Box::new(callee),
                            arg: Box::new(value),
                            span,
                        });
                    }
                    let (func, arg) = (Box::new(callee), Box::new(value));
                    // Work is pending unless the value is the answer.
                    let applied = match matches!(kont, Kont::Answer) && !f.in_region() {
                        true => ir::Expr::Apply { func, arg, span },
                        false => ir::Expr::Resume { func, arg, span },
                    };
                    let ty = f.ty(e)?;
                    let applied = f.coerce(applied, Ty::Val, ty, span);
                    Ok(f.deliver(applied, ty, kont, tail, span))
                })
            }
        }
    }

    /// A node whose `operands` are evaluated in order before it does its
    /// work (`finish`, given the continuation): the operands before the
    /// first that may shift are evaluated here into locals, that one with
    /// a continuation that lowers the node again.
    fn cps_operands_then(
        &mut self,
        e: &'a Expr<TypeInfo>,
        operands: &[&'a Expr<TypeInfo>],
        kont: Kont,
        tail: bool,
        finish: impl FnOnce(&mut Self, Kont, bool) -> Result<ir::Expr, RuntimeError>,
    ) -> Result<ir::Expr, RuntimeError> {
        let mut steps = Vec::new();
        let mut shifting = None;
        for operand in operands {
            let key = *operand as *const _;
            if self.precomputed.contains_key(&key) {
                continue;
            }
            if self.node_shifts(operand) {
                shifting = Some(*operand);
                break;
            }
            let value = self.expr(operand, false)?;
            let var = self.fresh(self.ty(operand)?);
            self.precomputed.insert(key, var);
            steps.push((key, var, value));
        }
        let rest = match shifting {
            Some(operand) => self.after(e, operand, kont, tail),
            None => finish(self, kont, tail),
        };
        // The locals exist only in the code just lowered.
        for (key, _, _) in &steps {
            self.precomputed.remove(key);
        }
        let steps = steps.into_iter().map(|(_, var, value)| (var, value));
        Ok(wrap_lets(steps.collect(), rest?))
    }

    /// How the call `e` (`func arg`) is made.
    fn spine(
        &self,
        e: &'a Expr<TypeInfo>,
        func: &'a Expr<TypeInfo>,
        arg: &'a Expr<TypeInfo>,
    ) -> Spine<'a> {
        let single = || Spine::Single(func, arg);
        let mut args = Vec::new();
        let mut head = e;
        while let ExprKind::App(func, arg) = &head.kind {
            if !std::ptr::eq(head, e) && self.precomputed.contains_key(&(head as *const _)) {
                return single();
            }
            args.push(&**arg);
            head = func;
        }
        args.reverse();
        let ExprKind::Var(_, var) = &head.kind else {
            return single();
        };
        match var.target {
            VarTarget::Global(id) => match self.lowering.arity(id) {
                Some(arity) if args.len() == arity => Spine::Known(id, head, args),
                Some(arity) if args.len() < arity => Spine::Saturating(args),
                _ => single(),
            },
            VarTarget::Prim(id) if args.len() <= PRIMS[id.0 as usize].arity => {
                Spine::Saturating(args)
            }
            _ => single(),
        }
    }
}

/// `let v1 = e1 in … in body` of `steps` in order.
pub(super) fn wrap_lets(steps: Vec<(VarId, ir::Expr)>, body: ir::Expr) -> ir::Expr {
    steps.into_iter().rev().fold(body, |body, (var, value)| {
        ir::build::let_(var.0, value, body)
    })
}

impl<'a> FnLower<'_, 'a> {
    /// `let p1 = e1 and … in body` (the whole `let` is `e`) that may
    /// shift: each value in turn, matched against its pattern before the
    /// next is evaluated (as in direct style). A value that may shift
    /// resumes the `let` with the values so far: they are kept as
    /// evaluated operands and their patterns matched again.
    fn cps_let(
        &mut self,
        e: &'a Expr<TypeInfo>,
        bindings: &'a [Binding<TypeInfo>],
        body: &'a Expr<TypeInfo>,
        kont: Kont,
        tail: bool,
    ) -> Result<ir::Expr, RuntimeError> {
        let Some((first, rest)) = bindings.split_first() else {
            return self.cps(body, kont, tail);
        };
        let key = &first.expr as *const _;
        let (value, evaluated_here) = match self.precomputed.get(&key) {
            Some(var) => (ir::Expr::Var(*var), false),
            None if self.node_shifts(&first.expr) => {
                return self.after(e, &first.expr, kont, tail);
            }
            None => {
                let name = super::closure::binding_name(&first.pattern);
                (self.named(&first.expr, name)?, true)
            }
        };
        let var = self.fresh(self.ty(&first.expr)?);
        if evaluated_here {
            self.precomputed.insert(key, var);
        }
        let failure = (ir::MatchKind::Let, first.span.to(e.span));
        let rest = self.bind_pattern(&first.pattern, var, Ty::Val, failure, |f| {
            f.cps_let(e, rest, body, kont, tail)
        });
        if evaluated_here {
            self.precomputed.remove(&key);
        }
        Ok(ir::build::let_(var.0, value, rest?))
    }

    /// The arms of `match scrutinee with arms` (`e`), the scrutinee's
    /// value evaluated, in continuation-passing style: the decision tree
    /// of direct style with each arm's body lowered to `kont`, so the arms
    /// share the continuation (a body several leaves choose is a join
    /// target, as in direct style). An arm whose guard may shift ends its
    /// leaves: the guard runs with a continuation that lowers the match
    /// again from that arm, with the guard's value given (the arms above
    /// it are out: their patterns failed or their guards were false) and
    /// the arm's pattern matched again to bind its variables.
    fn cps_arms(
        &mut self,
        e: &'a Expr<TypeInfo>,
        scrutinee: &'a Expr<TypeInfo>,
        arms: &'a [Arm<TypeInfo>],
        kont: Kont,
        tail: bool,
    ) -> Result<ir::Expr, RuntimeError> {
        let Some(&value) = self.precomputed.get(&(scrutinee as *const _)) else {
            return Err(RuntimeError::internal("JIT: a `match` without its scrutinee").at(e.span));
        };
        let resumed = |f: &Self, arm: &Arm<TypeInfo>| {
            arm.guard
                .as_ref()
                .is_some_and(|guard| f.precomputed.contains_key(&(guard as *const _)))
        };
        let first = arms.iter().position(|arm| resumed(self, arm)).unwrap_or(0);
        let arms = &arms[first..];
        let clauses: Vec<Clause<'a>> = arms
            .iter()
            .map(|arm| Clause {
                pattern: &arm.pattern,
                guard: arm.guard.as_ref().filter(|guard| !self.node_shifts(guard)),
            })
            .collect();
        let failure = (ir::MatchKind::Arms, e.span);
        let mut bodies = |f: &mut Self, arm: usize| match &arms[arm].guard {
            Some(guard) if f.node_shifts(guard) => f.after(e, guard, kont, tail),
            _ => f.cps(&arms[arm].body, kont, tail),
        };
        self.decide(value, &clauses, Ty::Val, failure, &mut bodies)
    }

    /// `while cond do body done` that may shift: the loop's closure
    /// (`FnLower::loop_closure`) called with `()`; in it, an iteration
    /// tests `cond` (a condition that may shift resumes the iteration with
    /// its value) and runs `body` with the loop's closure as continuation.
    fn cps_while(
        &mut self,
        e: &'a Expr<TypeInfo>,
        cond: &'a Expr<TypeInfo>,
        body: &'a Expr<TypeInfo>,
        kont: Kont,
        tail: bool,
    ) -> Result<ir::Expr, RuntimeError> {
        let span = self.span(e.span);
        let Some(state) = self.loops.get(&(e as *const _)).copied() else {
            let closure = self.loop_closure(e, kont)?;
            let var = self.fresh(Ty::Val);
            let enter = self.deliver(ir::Expr::Unit, Ty::Unit, Kont::Closure(var), tail, span);
            return Ok(ir::build::let_(var.0, closure, enter));
        };
        if self.node_shifts(cond) {
            return self.after(e, cond, kont, tail);
        }
        let test = self.expr(cond, false)?;
        let again = self.cps(body, Kont::Closure(state.closure), tail)?;
        let done = self.deliver(ir::Expr::Unit, Ty::Unit, kont, tail, span);
        Ok(ir::build::if_(test, again, done))
    }

    /// `for i = from to|downto to do body done` whose body may shift:
    /// `from` and `to` (evaluated once, either may shift), then, if the
    /// range is not empty, the loop's closure (`FnLower::loop_closure`)
    /// called with `from`. In it, an iteration runs `body` with `i` bound
    /// to its argument and a continuation that ends the loop at `to` or
    /// calls the closure with the next counter: the counter never steps
    /// past the bound, as in direct style.
    fn cps_for(
        &mut self,
        e: &'a Expr<TypeInfo>,
        binder: LocalId,
        (from, to, body): (&'a Expr<TypeInfo>, &'a Expr<TypeInfo>, &'a Expr<TypeInfo>),
        step: IntOp,
        kont: Kont,
        tail: bool,
    ) -> Result<ir::Expr, RuntimeError> {
        let span = self.span(e.span);
        let Some(state) = self.loops.get(&(e as *const _)).copied() else {
            return self.cps_operands_then(e, &[from, to], kont, tail, |f, kont, tail| {
                let first = f.expr(from, false)?;
                let last = f.expr(to, false)?;
                // The loop's closure needs only the bound.
                f.precomputed.remove(&(from as *const _));
                let closure = f.loop_closure(e, kont)?;
                let var = f.fresh(Ty::Val);
                let within = match step {
                    IntOp::Sub => Compare::Ge,
                    _ => Compare::Le,
                };
                let nonempty = ir::build::compare(within, first.clone(), last);
                let enter = f.deliver(first, Ty::I64, Kont::Closure(var), tail, span);
                let empty = f.deliver(ir::Expr::Unit, Ty::Unit, kont, tail, span);
                let enter = ir::build::let_(var.0, closure, enter);
                Ok(ir::build::if_(nonempty, enter, empty))
            });
        };
        let Some(counter) = state.counter else {
            return Err(RuntimeError::internal("JIT: a `for` without its counter").at(e.span));
        };
        if !self.precomputed.contains_key(&(body as *const _)) {
            self.vars.insert(binder, counter);
            return self.after(e, body, kont, tail);
        }
        let bound = self.expr(to, false)?;
        let last = ir::build::compare(Compare::Eq, ir::Expr::Var(counter), bound);
        let next = ir::build::int_op(step, ir::Expr::Var(counter), ir::build::int(1), span.0);
        let done = self.deliver(ir::Expr::Unit, Ty::Unit, kont, tail, span);
        let again = self.deliver(next, Ty::I64, Kont::Closure(state.closure), tail, span);
        Ok(ir::build::if_(last, done, again))
    }
}
