//! Closure conversion: anonymous and local functions, local `let rec`
//! groups, top-level functions and primitives used as values, and calls
//! of function values with partial and over-application.
//!
//! A closure is the runtime's `Value::Closure { code, captures }`: `code`
//! indexes [`ir::Program::closures`], `captures` holds the values of the
//! function's free variables (flat: copied when the closure is made).
//! Every closure body is an IR function `(self: val, arg: val) -> val`,
//! one parameter as in the interpreter, so `f a b` of an unknown `f` is
//! two applications with the interpreter's order of effects (the function,
//! then each argument, then the call). A body loads its captures into
//! locals first (unboxing scalars), then binds its parameter.
//!
//! The members of a local `let rec` share one capture array (the union of
//! their free variables), as `runtime::function::Closure` says: a member
//! names itself as its `self` parameter and a sibling as a closure made
//! from its own captures.
//!
//! A top-level function used as a value, or applied to fewer arguments
//! than it has parameters, becomes a chain of *wrapper* bodies: the one
//! for parameter `k` captures the `k - 1` arguments so far and the last
//! calls the function directly. The last is left out of the call stack,
//! so an error shows the function once, as on the interpreter.

#![forbid(unsafe_code)]

use super::cps::{CpsVars, Kont};
use super::pattern::binders_of;
use super::{not_compiled, placeholder, FnLower, Lowering};
use crate::jit::ir::{self, Frame, FuncId, MatchKind, RuntimeFn, SpanId, Ty, VarId};
use crate::runtime::error::RuntimeError;
use crate::syntax::ast::{BinOp, Binding, Expr, ExprKind, Pattern, PatternKind};
use crate::types::resolved::{Binder, GlobalId, LocalId, VarTarget};
use crate::types::TypeInfo;
use std::rc::Rc;

/// The `let rec` group a closure body belongs to.
#[derive(Clone)]
pub(super) struct RecGroup {
    /// Every member's local and closure code.
    members: Vec<(LocalId, u32)>,
    /// This body's own code.
    me: u32,
    /// The local holding this body's own closure (its `self` parameter).
    self_var: VarId,
}

/// An expression without its type annotations and local `open`s, which
/// change nothing at run time.
fn strip(mut e: &Expr<TypeInfo>) -> &Expr<TypeInfo> {
    while let ExprKind::Annot(inner, _) | ExprKind::LocalOpen(_, _, inner) = &e.kind {
        e = inner;
    }
    e
}

/// The name and local of a pattern that is one (annotated) variable.
fn binding_local(pattern: &Pattern<TypeInfo>) -> Option<(&str, LocalId)> {
    match &pattern.kind {
        PatternKind::Var(name, Binder::Local(id)) => Some((name, *id)),
        PatternKind::Annot(inner, _) => binding_local(inner),
        _ => None,
    }
}

/// The name the call stack shows for the value of `binding`.
pub(super) fn binding_name(pattern: &Pattern<TypeInfo>) -> Option<&str> {
    match &pattern.kind {
        PatternKind::Var(name, _) => Some(name),
        PatternKind::Annot(inner, _) => binding_name(inner),
        _ => None,
    }
}

/// How deep the interpreter's code for `e` nests without a call: 0 if it
/// has a call (or a `let`, a `match`, a loop…), the interpreter's
/// `simple_depth` on the tree it builds from `e`.
fn simple_depth(e: &Expr<TypeInfo>) -> u8 {
    /// The interpreter's limit: deeper code is not simple.
    const MAX_SIMPLE_DEPTH: u8 = 24;
    let all = |parts: &mut dyn Iterator<Item = &Expr<TypeInfo>>| -> u8 {
        let mut max = 0;
        for part in parts {
            match simple_depth(part) {
                0 => return 0,
                d => max = max.max(d),
            }
        }
        if max >= MAX_SIMPLE_DEPTH {
            0
        } else {
            max + 1
        }
    };
    match &e.kind {
        ExprKind::Lit(_)
        | ExprKind::Var(..)
        | ExprKind::Fun(..)
        | ExprKind::Constructor(_, _, None) => 1,
        ExprKind::Annot(inner, _) | ExprKind::LocalOpen(_, _, inner) => simple_depth(inner),
        ExprKind::Constructor(_, _, Some(x))
        | ExprKind::Field(x, ..)
        | ExprKind::Deref(x)
        | ExprKind::Ref(x)
        | ExprKind::UnOp(_, _, x) => all(&mut std::iter::once(&**x)),
        ExprKind::Seq(a, b)
        | ExprKind::BinOp(_, _, a, b)
        | ExprKind::Index(a, b)
        | ExprKind::Assign(a, b)
        | ExprKind::FieldSet(a, _, _, _, b) => all(&mut [&**a, &**b].into_iter()),
        ExprKind::IndexSet(a, b, c) => all(&mut [&**a, &**b, &**c].into_iter()),
        ExprKind::If(c, t, Some(o)) => all(&mut [&**c, &**t, &**o].into_iter()),
        ExprKind::If(c, t, None) => all(&mut [&**c, &**t].into_iter()),
        ExprKind::Tuple(items) | ExprKind::List(items) | ExprKind::Array(items) => {
            all(&mut items.iter())
        }
        ExprKind::Record(fields) => all(&mut fields.iter().map(|f| &f.value)),
        ExprKind::RecordUpdate(base, fields) => {
            all(&mut std::iter::once(&**base).chain(fields.iter().map(|f| &f.value)))
        }
        _ => 0,
    }
}

/// Whether the interpreter runs `fun param -> body` without a frame of
/// its own (a variable parameter, a body without calls): called in tail
/// position, it does not replace its caller in the call stack.
pub(super) fn is_simple(param: &Pattern<TypeInfo>, body: &Expr<TypeInfo>) -> bool {
    binding_local(param).is_some() && simple_depth(body) != 0
}

/// Every local variable `e` reads, in order of first use (locals bound
/// inside `e` included: each binder is unique, so the caller keeps those
/// visible where `e` is).
pub(super) fn free_locals(e: &Expr<TypeInfo>, out: &mut Vec<LocalId>) {
    locals_except(e, &mut |_| false, out, &mut Vec::new());
}

/// Adds the locals `pattern` binds to `out`.
fn locals_of(pattern: &Pattern<TypeInfo>, out: &mut Vec<LocalId>) {
    out.extend(binders_of(pattern).into_iter().filter_map(|b| match b {
        Binder::Local(id) => Some(id),
        Binder::Global(_) => None,
    }));
}

/// The locals `e` reads (`read`, as [`free_locals`]) and those it binds
/// (`bound`), outside the sub-expressions `skip` is true of.
pub(super) fn locals_except(
    e: &Expr<TypeInfo>,
    skip: &mut dyn FnMut(&Expr<TypeInfo>) -> bool,
    read: &mut Vec<LocalId>,
    bound: &mut Vec<LocalId>,
) {
    if skip(e) {
        return;
    }
    match &e.kind {
        ExprKind::Fun(param, _) => locals_of(param, bound),
        ExprKind::Let(group, _) => {
            for binding in &group.bindings {
                locals_of(&binding.pattern, bound);
            }
        }
        ExprKind::Match(_, arms) | ExprKind::Try(_, arms) => {
            for arm in arms {
                locals_of(&arm.pattern, bound);
            }
        }
        ExprKind::For {
            binder: Binder::Local(id),
            ..
        }
        | ExprKind::Shift(_, _, Binder::Local(id), _) => bound.push(*id),
        _ => {}
    }
    if let ExprKind::Var(_, var) = &e.kind {
        if let VarTarget::Local(id) = var.target {
            if !read.contains(&id) {
                read.push(id);
            }
        }
    }
    for child in children(e) {
        locals_except(child, skip, read, bound);
    }
}

/// `expr`, a value of IR type `from`, as a value of type `to`: scalars
/// are boxed into and unboxed from `val` (a type variable, a closure's
/// argument or capture, a primitive's argument).
pub(super) fn coerce(expr: ir::Expr, from: Ty, to: Ty, span: SpanId, scratch: VarId) -> ir::Expr {
    let runtime = |entry, args| ir::Expr::Runtime { entry, args, span };
    match (from, to) {
        _ if from == to => expr,
        (Ty::I64, Ty::Val) => runtime(RuntimeFn::BoxInt, vec![expr]),
        (Ty::F64, Ty::Val) => runtime(RuntimeFn::BoxFloat, vec![expr]),
        (Ty::Bool, Ty::Val) => runtime(RuntimeFn::BoxBool, vec![expr]),
        (Ty::Unit, Ty::Val) => ir::Expr::Seq(vec![expr, runtime(RuntimeFn::BoxUnit, vec![])]),
        (Ty::Val, Ty::I64) => runtime(RuntimeFn::UnboxInt, vec![expr]),
        (Ty::Val, Ty::F64) => runtime(RuntimeFn::UnboxFloat, vec![expr]),
        (Ty::Val, Ty::Bool) => runtime(RuntimeFn::UnboxBool, vec![expr]),
        // The unit value carries nothing: keep the effects, drop the box.
        (Ty::Val, Ty::Unit) => ir::build::let_(scratch.0, expr, ir::Expr::Unit),
        // Two scalar types never meet: the checker unified them.
        _ => expr,
    }
}

impl<'a> Lowering<'a> {
    /// A new closure body's function id and code, to be filled in.
    pub(super) fn reserve_closure(&mut self) -> (FuncId, u32) {
        let func = FuncId(self.program.functions.len() as u32);
        self.program.functions.push(placeholder());
        self.program.closures.push(func);
        (func, self.program.closures.len() as u32 - 1)
    }

    /// The code of wrapper `k` (1-based) of a top-level function's
    /// variant: it takes parameter `k` with the `k - 1` before it captured.
    fn wrapper(&mut self, global: GlobalId, k: usize, cps: &CpsVars) -> Result<u32, RuntimeError> {
        if let Some(code) = self.wrappers.get(&(global, k, cps.clone())) {
            return Ok(*code);
        }
        let def = &self.defs[&global];
        let (name, span, arity) = (def.name.clone(), def.span, def.params.len());
        let (params, ret) = self.def_signature(global, self.closure_mode, cps)?;
        let (func, code) = self.reserve_closure();
        self.wrappers.insert((global, k, cps.clone()), code);
        let span = self.span(span);
        if k == arity && params.len() > arity {
            self.shifting_wrapper(global, cps, (func, code), name, span)?;
            return Ok(code);
        }
        // Locals: the closure, the argument, one scratch `val`.
        let (me, arg, scratch) = (VarId(0), VarId(1), VarId(2));
        let captured = (0..k as i64 - 1).map(|i| ir::Expr::Runtime {
            entry: RuntimeFn::Capture,
            args: vec![ir::Expr::Var(me), ir::build::int(i)],
            span,
        });
        let body = if k < arity {
            let next = self.wrapper(global, k + 1, cps)?;
            let mut captures: Vec<ir::Expr> = captured.collect();
            captures.push(ir::Expr::Var(arg));
            ir::Expr::Runtime {
                entry: RuntimeFn::MakeClosure(next),
                args: captures,
                span,
            }
        } else {
            let target = self.func(global, self.closure_mode, cps);
            let mut args: Vec<ir::Expr> = captured.collect();
            args.push(ir::Expr::Var(arg));
            let args = args
                .into_iter()
                .zip(&params)
                .map(|(a, ty)| coerce(a, Ty::Val, *ty, span, scratch))
                .collect();
            let call = ir::Expr::Call {
                func: target,
                args,
                span,
            };
            coerce(call, ret, Ty::Val, span, scratch)
        };
        self.program.functions[func.0 as usize] = ir::Function {
            name,
            params: 2,
            locals: vec![Ty::Val; 3],
            ret: Ty::Val,
            body,
            span,
            frame: if k < arity {
                Frame::Shown {
                    replaces_tail_caller: false,
                }
            } else {
                Frame::Hidden
            },
        };
        Ok(code)
    }
}

impl<'l, 'a> FnLower<'l, 'a> {
    /// A `val` local for [`coerce`] to drop a boxed unit into.
    pub(super) fn scratch(&mut self) -> VarId {
        self.fresh(Ty::Val)
    }

    pub(super) fn coerce(&mut self, expr: ir::Expr, from: Ty, to: Ty, span: SpanId) -> ir::Expr {
        if from == to {
            return expr;
        }
        let scratch = self.scratch();
        coerce(expr, from, to, span, scratch)
    }

    /// A local variable read: a local of this function, or a member of
    /// the `let rec` group this body belongs to.
    pub(super) fn local(&mut self, id: LocalId, span: SpanId) -> Option<(ir::Expr, Ty)> {
        if let Some(var) = self.vars.get(&id) {
            return Some((ir::Expr::Var(*var), self.locals[var.0 as usize]));
        }
        let group = self.rec.as_ref()?;
        let (_, code) = group.members.iter().find(|(local, _)| *local == id)?;
        let me = ir::Expr::Var(group.self_var);
        if *code == group.me {
            return Some((me, Ty::Val));
        }
        let sibling = ir::Expr::Runtime {
            entry: RuntimeFn::Sibling,
            args: vec![me, ir::build::int(*code as i64)],
            span,
        };
        Some((sibling, Ty::Val))
    }

    /// The value of `e` bound to `name` (a `let`): a function is named so
    /// in the call stack, as its curried inner functions are.
    pub(super) fn named(
        &mut self,
        e: &'a Expr<TypeInfo>,
        name: Option<&str>,
    ) -> Result<ir::Expr, RuntimeError> {
        match (&strip(e).kind, name) {
            (ExprKind::Fun(..), Some(name)) => self.lambda(strip(e), name),
            _ => self.expr(e, false),
        }
    }

    /// The locals of `functions`' bodies visible here, with their values
    /// and types: what a closure of them captures.
    pub(super) fn captures(
        &mut self,
        functions: &[&'a Expr<TypeInfo>],
        span: SpanId,
    ) -> Vec<(LocalId, ir::Expr, Ty)> {
        let mut used = Vec::new();
        for f in functions {
            free_locals(f, &mut used);
        }
        used.into_iter()
            .filter_map(|id| self.local(id, span).map(|(value, ty)| (id, value, ty)))
            .collect()
    }

    /// `fun p -> body` as a closure named `name`.
    pub(super) fn lambda(
        &mut self,
        e: &'a Expr<TypeInfo>,
        name: &str,
    ) -> Result<ir::Expr, RuntimeError> {
        let span = self.span(e.span);
        let captures = self.captures(&[e], span);
        let (func, code) = self.lowering.reserve_closure();
        self.closure_entries(e, name, &captures, None, (func, code))?;
        Ok(self.make_closure(code, captures, span))
    }

    pub(super) fn make_closure(
        &mut self,
        code: u32,
        captures: Vec<(LocalId, ir::Expr, Ty)>,
        span: SpanId,
    ) -> ir::Expr {
        let args = captures
            .into_iter()
            .map(|(_, value, ty)| self.coerce(value, ty, Ty::Val, span))
            .collect();
        ir::Expr::Runtime {
            entry: RuntimeFn::MakeClosure(code),
            args,
            span,
        }
    }

    /// The body `(self, arg) -> val` of the closure of `fun p -> body`
    /// capturing `captures` (in that order), lowered with the effect
    /// variables `cps` shifting; with `kont`, its continuation-passing
    /// entry `(self, arg, kont) -> answer`.
    pub(super) fn closure_body(
        &mut self,
        e: &'a Expr<TypeInfo>,
        name: &str,
        captures: &[(LocalId, ir::Expr, Ty)],
        rec: Option<(Vec<(LocalId, u32)>, u32)>,
        (cps, kont): (Rc<CpsVars>, bool),
    ) -> Result<ir::Function, RuntimeError> {
        let ExprKind::Fun(param, body) = &e.kind else {
            return Err(not_compiled("this function", e.span));
        };
        let span = self.span(e.span);
        let mut f = FnLower::new(self.lowering, None, self.lowering.closure_mode);
        f.cps_vars = cps;
        f.frame = Some(Rc::from(name));
        let me = f.fresh(Ty::Val);
        let arg = f.fresh(Ty::Val);
        let kont = kont.then(|| f.fresh(Ty::Val));
        f.outer_kont = kont;
        f.rec = rec.map(|(members, code)| RecGroup {
            members,
            me: code,
            self_var: me,
        });
        let mut prologue = Vec::new();
        for (i, (id, _, ty)) in captures.iter().enumerate() {
            let var = f.fresh(*ty);
            f.vars.insert(*id, var);
            let read = ir::Expr::Runtime {
                entry: RuntimeFn::Capture,
                args: vec![ir::Expr::Var(me), ir::build::int(i as i64)],
                span,
            };
            prologue.push((var, f.coerce(read, Ty::Val, *ty, span)));
        }
        let param_ty = f.repr(&param.ann.ty, param.span)?;
        let param_var = f.fresh(param_ty);
        prologue.push((
            param_var,
            f.coerce(ir::Expr::Var(arg), Ty::Val, param_ty, span),
        ));
        let failure = (MatchKind::Parameter, param.span);
        let mut out = f.bind_pattern(param, param_var, Ty::Val, failure, |f| {
            // Curried functions keep the binding's name: `let f x y = …`.
            Ok(match (&strip(body).kind, kont) {
                (ExprKind::Fun(..), kont) => {
                    let value = f.lambda(strip(body), name)?;
                    match kont {
                        Some(kont) => f.deliver(value, Ty::Val, Kont::Closure(kont), true, span),
                        None => value,
                    }
                }
                (_, Some(kont)) => f.cps_body(body, kont)?,
                (_, None) => {
                    let value = f.expr(body, true)?;
                    let body_ty = f.ty(body)?;
                    f.coerce(value, body_ty, Ty::Val, span)
                }
            })
        })?;
        for (var, value) in prologue.into_iter().rev() {
            out = ir::build::let_(var.0, value, out);
        }
        Ok(ir::Function {
            name: name.to_string(),
            params: 2 + kont.is_some() as usize,
            locals: f.locals,
            ret: Ty::Val,
            body: out,
            span,
            frame: Frame::Shown {
                replaces_tail_caller: !is_simple(param, body),
            },
        })
    }

    /// `let rec f x = … and g y = … in body`: the members share one capture
    /// array; the first is made from the captures, the others from it.
    /// With `kont`, the body is continuation-passing code (see [`super::cps`]).
    pub(super) fn let_rec(
        &mut self,
        e: &'a Expr<TypeInfo>,
        bindings: &'a [Binding<TypeInfo>],
        body: &'a Expr<TypeInfo>,
        tail: bool,
        kont: Option<Kont>,
    ) -> Result<ir::Expr, RuntimeError> {
        let span = self.span(e.span);
        let mut members = Vec::new();
        for binding in bindings {
            let fun = strip(&binding.expr);
            let (Some((name, id)), ExprKind::Fun(..)) =
                (binding_local(&binding.pattern), &fun.kind)
            else {
                return Err(not_compiled("this `let rec`", binding.span));
            };
            members.push((name, id, fun));
        }
        let funs: Vec<&Expr<TypeInfo>> = members.iter().map(|(_, _, f)| *f).collect();
        let captures = self.captures(&funs, span);
        let reserved: Vec<(FuncId, u32)> = members
            .iter()
            .map(|_| self.lowering.reserve_closure())
            .collect();
        let codes: Vec<(LocalId, u32)> = members
            .iter()
            .zip(&reserved)
            .map(|((_, id, _), (_, code))| (*id, *code))
            .collect();
        for ((name, _, fun), (func, code)) in members.iter().zip(&reserved) {
            let rec = Some((codes.clone(), *code));
            self.closure_entries(fun, name, &captures, rec, (*func, *code))?;
        }
        let mut values = vec![self.make_closure(reserved[0].1, captures, span)];
        let vars: Vec<VarId> = members.iter().map(|_| self.fresh(Ty::Val)).collect();
        for (_, code) in &reserved[1..] {
            values.push(ir::Expr::Runtime {
                entry: RuntimeFn::Sibling,
                args: vec![ir::Expr::Var(vars[0]), ir::build::int(*code as i64)],
                span,
            });
        }
        for ((_, id, _), var) in members.iter().zip(&vars) {
            self.vars.insert(*id, *var);
        }
        let mut out = match kont {
            Some(kont) => self.cps(body, kont, tail)?,
            None => self.expr(body, tail)?,
        };
        for (var, value) in vars.iter().zip(values).rev() {
            out = ir::build::let_(var.0, value, out);
        }
        Ok(out)
    }

    /// A top-level function used as a value: its first wrapper, with
    /// nothing captured.
    pub(super) fn function_value(
        &mut self,
        global: GlobalId,
        cps: &CpsVars,
        args: Vec<ir::Expr>,
        span: SpanId,
    ) -> Result<ir::Expr, RuntimeError> {
        let code = self.lowering.wrapper(global, args.len() + 1, cps)?;
        Ok(ir::Expr::Runtime {
            entry: RuntimeFn::MakeClosure(code),
            args,
            span,
        })
    }

    /// A primitive used as a value, with the arguments it has so far
    /// (fewer than its arity).
    pub(super) fn prim_value(
        &mut self,
        e: &'a Expr<TypeInfo>,
        index: u32,
        args: &[&'a Expr<TypeInfo>],
    ) -> Result<ir::Expr, RuntimeError> {
        self.prim_entry(e, index, args, RuntimeFn::PartialPrim(index))
    }

    /// Arguments evaluated in order, each as a `val`.
    pub(super) fn boxed_args(
        &mut self,
        args: &[&'a Expr<TypeInfo>],
    ) -> Result<Vec<ir::Expr>, RuntimeError> {
        args.iter().map(|arg| self.boxed(arg)).collect()
    }

    /// `f` (a `val`) applied to `args` one at a time, each application at
    /// the span of its own application node.
    pub(super) fn apply_all(
        &mut self,
        mut f: ir::Expr,
        args: &[(&'a Expr<TypeInfo>, &'a Expr<TypeInfo>)],
    ) -> Result<ir::Expr, RuntimeError> {
        for (arg, app) in args {
            let value = self.expr(arg, false)?;
            let ty = self.ty(arg)?;
            let arg_span = self.span(arg.span);
            let arg = self.coerce(value, ty, Ty::Val, arg_span);
            let span = self.span(app.span);
            let (func, arg) = (Box::new(f), Box::new(arg));
            // Work is pending after every application but the last step of
            // a `reset` or `shift` body: a continuation called there shows
            // in the call stack.
            f = match in_tail_of(app, self.delimited_call) {
                true => ir::Expr::Apply { func, arg, span },
                false => ir::Expr::Resume { func, arg, span },
            };
        }
        Ok(f)
    }
}

/// Whether `app` is `body` or in its tail position ([`tail_positions`]):
/// a `reset` or `shift` body ends with it.
fn in_tail_of(app: &Expr<TypeInfo>, body: Option<&Expr<TypeInfo>>) -> bool {
    body.is_some_and(|body| tail_positions(body).any(|e| std::ptr::eq(app, e)))
}

/// `body` and the expressions in its tail position, as the interpreter's
/// lowering passes its `tail` flag: the body of a `let`, the second of a
/// `;`, both branches of an `if`, the right operand of `&&` and `||`, the
/// arms of a `match` (not of a `try`, whose handler stays pending).
pub(super) fn tail_positions(body: &Expr<TypeInfo>) -> impl Iterator<Item = &Expr<TypeInfo>> {
    let mut pending = vec![body];
    std::iter::from_fn(move || {
        let e = pending.pop()?;
        match &e.kind {
            ExprKind::Annot(inner, _) | ExprKind::LocalOpen(_, _, inner) => pending.push(inner),
            ExprKind::If(_, then, otherwise) => {
                pending.push(then);
                pending.extend(otherwise.as_deref());
            }
            ExprKind::Match(_, arms) => pending.extend(arms.iter().map(|a| &a.body)),
            ExprKind::Let(_, rest)
            | ExprKind::Seq(_, rest)
            | ExprKind::BinOp(BinOp::And | BinOp::Or, _, _, rest) => pending.push(rest),
            _ => {}
        }
        Some(e)
    })
}

/// The sub-expressions of `e` (patterns hold none).
pub(super) fn children(e: &Expr<TypeInfo>) -> Vec<&Expr<TypeInfo>> {
    match &e.kind {
        ExprKind::Lit(_) | ExprKind::Var(..) | ExprKind::Constructor(_, _, None) => Vec::new(),
        ExprKind::Constructor(_, _, Some(x))
        | ExprKind::Fun(_, x)
        | ExprKind::Field(x, ..)
        | ExprKind::Deref(x)
        | ExprKind::Ref(x)
        | ExprKind::UnOp(_, _, x)
        | ExprKind::Annot(x, _)
        | ExprKind::Shift(_, _, _, x)
        | ExprKind::Reset(x)
        | ExprKind::LocalOpen(_, _, x)
        | ExprKind::Assert(x, _) => vec![x],
        ExprKind::App(a, b)
        | ExprKind::Seq(a, b)
        | ExprKind::BinOp(_, _, a, b)
        | ExprKind::Index(a, b)
        | ExprKind::Assign(a, b)
        | ExprKind::FieldSet(a, _, _, _, b)
        | ExprKind::While(a, b) => vec![a, b],
        ExprKind::IndexSet(a, b, c) => vec![a, b, c],
        ExprKind::For { from, to, body, .. } => vec![from, to, body],
        ExprKind::If(c, t, o) => {
            let mut all = vec![&**c, &**t];
            all.extend(o.as_deref());
            all
        }
        ExprKind::Let(group, body) => {
            let mut all: Vec<_> = group.bindings.iter().map(|b| &b.expr).collect();
            all.push(body);
            all
        }
        ExprKind::Match(scrutinee, arms) | ExprKind::Try(scrutinee, arms) => {
            let mut all = vec![&**scrutinee];
            for arm in arms {
                all.extend(arm.guard.as_ref());
                all.push(&arm.body);
            }
            all
        }
        ExprKind::Tuple(items) | ExprKind::List(items) | ExprKind::Array(items) => {
            items.iter().collect()
        }
        ExprKind::Record(fields) => fields.iter().map(|f| &f.value).collect(),
        ExprKind::RecordUpdate(base, fields) => {
            let mut all = vec![&**base];
            all.extend(fields.iter().map(|f| &f.value));
            all
        }
    }
}
