//! Differentiation in compiled code (docs/jit.md, "Two modes"): the mode a
//! body is lowered in, and `grad`, `value_and_grad` and `jvp`.
//!
//! In *plain* mode a `float` is an unboxed `f64`. Under a `grad` or `jvp`
//! a float may be a `Value::Tracked`, so the code a differentiated
//! function runs is lowered in *tracked* mode, where a `float` is a `val`
//! and float arithmetic, comparisons and the math primitives call the
//! runtime's operators, the very functions the interpreter applies: tags,
//! nesting, the remainders of the backward pass and their order are the
//! interpreter's, and so are the results, bit for bit. Each function is
//! lowered in every mode it is reached in; a call from tracked code goes
//! to the tracked version. Plain-mode code is only ever called from
//! plain-mode code, which runs while no `grad` is open; a tracked float it
//! reads (one that escaped its `grad` through a ref) is a constant, and
//! unboxing it gives its value, as the interpreter's operators settle it.
//!
//! A `grad` opens its session (`ad::Session`, kept in the JIT's context),
//! calls the function on the tracked input and closes the session with the
//! result, which runs the backward pass: the interpreter's
//! `Frame::GradDelimiter`, in straight-line code.

use super::{not_compiled, FnLower};
use crate::jit::abi::diff_code;
use crate::jit::ir::{self, RuntimeFn, Ty, VarId};
use crate::runtime::error::RuntimeError;
use crate::runtime::prims::{MachinePrim, PRIMS};
use crate::syntax::ast::{Expr, ExprKind, Pattern, Span};
use crate::types::resolved::{GlobalId, VarTarget};
use crate::types::TypeInfo;

/// How a body represents `float`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// An unboxed `f64`: no `grad` is open while the code runs.
    Plain,
    /// A `val` that may be tracked by an open `grad` or `jvp`.
    Tracked,
}

impl Mode {
    /// The IR type values of plain IR type `ty` have in this mode.
    pub fn repr(self, ty: Ty) -> Ty {
        match (self, ty) {
            (Mode::Tracked, Ty::F64) => Ty::Val,
            _ => ty,
        }
    }
}

/// The function a differentiation primitive is given, when it is known
/// where it stands and so can be called directly, with no function value.
enum Callee<'a> {
    /// `fun p -> body`: the body is lowered in place, in tracked mode.
    Lambda(&'a Pattern<TypeInfo>, &'a Expr<TypeInfo>),
    /// A top-level function applied to all its arguments but the last.
    Function(GlobalId, Vec<&'a Expr<TypeInfo>>),
    /// A primitive applied to all its arguments but the last.
    Prim(u32, Vec<&'a Expr<TypeInfo>>),
}

impl<'a> FnLower<'_, 'a> {
    /// A float literal: a `val` in tracked mode.
    pub(super) fn float_const(&mut self, x: f64, span: Span) -> ir::Expr {
        let value = ir::Expr::Float(x);
        match self.mode {
            Mode::Plain => value,
            Mode::Tracked => self.box_float(value, span),
        }
    }

    fn box_float(&mut self, value: ir::Expr, span: Span) -> ir::Expr {
        let span = self.span(span);
        ir::Expr::Runtime {
            entry: RuntimeFn::BoxFloat,
            args: vec![value],
            span,
        }
    }

    /// A variable read in the current mode: a float bound by plain code
    /// around a differentiated `fun` is boxed when the `fun`'s body,
    /// lowered in place in tracked mode, reads it.
    pub(super) fn read_local(&mut self, var: VarId, span: Span) -> ir::Expr {
        let value = ir::Expr::Var(var);
        if self.mode.repr(self.locals[var.0 as usize]) == self.locals[var.0 as usize] {
            return value;
        }
        self.box_float(value, span)
    }

    /// `grad f x`, `value_and_grad f x` or `jvp f x dx`, all arguments
    /// given (`e` is the whole call).
    pub(super) fn differentiate(
        &mut self,
        e: &'a Expr<TypeInfo>,
        which: MachinePrim,
        args: &[&'a Expr<TypeInfo>],
    ) -> Result<ir::Expr, RuntimeError> {
        let [f, points @ ..] = args else {
            return Err(not_compiled(
                "a differentiation without its function",
                e.span,
            ));
        };
        let callee = self.callee(which, f)?;
        // The interpreter's order: the function (its arguments), then the
        // point.
        let mut steps = Vec::new();
        let prefix = self.evaluate(callee_args(&callee), &mut steps)?;
        let mut point_vars = Vec::new();
        for point in points {
            let value = self.expr(point, false)?;
            let ty = self.ty(point)?;
            let value = self.boxed(value, ty, point.span)?;
            let var = self.fresh(Ty::Val);
            steps.push((var, value));
            point_vars.push(var);
        }
        let mut out = self.session(which, callee, prefix, &point_vars, e.span)?;
        for (var, value) in steps.into_iter().rev() {
            out = ir::build::let_(var.0, value, out);
        }
        let ty = self.ty(e)?;
        self.unboxed(out, ty, e.span)
    }

    /// What `f` is, if the lowering can call it directly.
    fn callee(
        &self,
        which: MachinePrim,
        f: &'a Expr<TypeInfo>,
    ) -> Result<Callee<'a>, RuntimeError> {
        let mut args = Vec::new();
        let mut head = f;
        loop {
            match &head.kind {
                ExprKind::App(g, arg) => {
                    args.push(&**arg);
                    head = g;
                }
                ExprKind::Annot(inner, _) if args.is_empty() => head = inner,
                _ => break,
            }
        }
        args.reverse();
        let known = match &head.kind {
            ExprKind::Fun(param, body) if args.is_empty() => Some(Callee::Lambda(param, body)),
            ExprKind::Var(_, var) => match var.target {
                VarTarget::Global(id)
                    if !self.globals.contains_key(&id)
                        && self.lowering.arity(id) == Some(args.len() + 1) =>
                {
                    Some(Callee::Function(id, args))
                }
                VarTarget::Prim(id) if PRIMS[id.0 as usize].arity == args.len() + 1 => {
                    Some(Callee::Prim(id.0, args))
                }
                _ => None,
            },
            _ => None,
        };
        let name = match which {
            MachinePrim::Grad => "grad",
            MachinePrim::ValueAndGrad => "value_and_grad",
            MachinePrim::Jvp => "jvp",
        };
        known.ok_or_else(|| not_compiled(&format!("a function value given to `{name}`"), f.span))
    }

    /// Lowers `args` in order into new locals (`steps`, to be bound around
    /// their uses).
    fn evaluate(
        &mut self,
        args: &[&'a Expr<TypeInfo>],
        steps: &mut Vec<(VarId, ir::Expr)>,
    ) -> Result<Vec<VarId>, RuntimeError> {
        let mut vars = Vec::new();
        for arg in args {
            let value = self.expr(arg, false)?;
            let ty = self.ty(arg)?;
            let var = self.fresh(ty);
            steps.push((var, value));
            vars.push(var);
        }
        Ok(vars)
    }

    /// Opens the session at `points` (`val` locals), calls the function in
    /// tracked mode on its input and closes the session with the result:
    /// the primitive's result, a `val`.
    fn session(
        &mut self,
        which: MachinePrim,
        callee: Callee<'a>,
        prefix: Vec<VarId>,
        points: &[VarId],
        span: Span,
    ) -> Result<ir::Expr, RuntimeError> {
        let call_span = self.span(span);
        let open = match (which, points) {
            (MachinePrim::Jvp, [x, dx]) => ir::Expr::Runtime {
                entry: RuntimeFn::JvpOpen,
                args: vec![ir::Expr::Var(*x), ir::Expr::Var(*dx)],
                span: call_span,
            },
            (_, [x]) => {
                let code =
                    diff_code(which).ok_or_else(|| not_compiled("this differentiation", span))?;
                ir::Expr::Runtime {
                    entry: RuntimeFn::GradOpen,
                    args: vec![ir::Expr::Int(code), ir::Expr::Var(*x)],
                    span: call_span,
                }
            }
            _ => return Err(not_compiled("this differentiation", span)),
        };
        let input = self.fresh(Ty::Val);
        let outer = std::mem::replace(&mut self.mode, Mode::Tracked);
        let result = self.apply(callee, prefix, input, span);
        self.mode = outer;
        let close = ir::Expr::Runtime {
            entry: RuntimeFn::DiffClose,
            args: vec![result?],
            span: call_span,
        };
        Ok(ir::build::let_(input.0, open, close))
    }

    /// The function applied to its arguments, the last being the `val`
    /// local `input`, in tracked mode: a `val`.
    fn apply(
        &mut self,
        callee: Callee<'a>,
        prefix: Vec<VarId>,
        input: VarId,
        span: Span,
    ) -> Result<ir::Expr, RuntimeError> {
        match callee {
            Callee::Lambda(param, body) => {
                self.bind_param(param, input)?;
                let out = self.expr(body, false)?;
                let ty = self.ty(body)?;
                self.boxed(out, ty, body.span)
            }
            Callee::Function(id, _) => {
                let mut args: Vec<ir::Expr> =
                    prefix.iter().map(|v| self.read_local(*v, span)).collect();
                args.push(ir::Expr::Var(input));
                let func = self.lowering.func(id, Mode::Tracked);
                let span = self.span(span);
                Ok(ir::Expr::Call { func, args, span })
            }
            Callee::Prim(index, args) => {
                if let Some(which) = PRIMS[index as usize].machine {
                    // `grad (grad g)`: the inner one is differentiated
                    // inside the outer one's session.
                    let [f, more @ ..] = &args[..] else {
                        return Err(not_compiled("this differentiation", span));
                    };
                    let inner = self.callee(which, f)?;
                    let mut steps = Vec::new();
                    let inner_prefix = self.evaluate(callee_args(&inner), &mut steps)?;
                    let mut points = Vec::new();
                    for (var, arg) in prefix.iter().zip(more) {
                        let value = self.read_local(*var, span);
                        let ty = self.mode.repr(self.locals[var.0 as usize]);
                        let value = self.boxed(value, ty, arg.span)?;
                        let point = self.fresh(Ty::Val);
                        steps.push((point, value));
                        points.push(point);
                    }
                    points.push(input);
                    let mut out = self.session(which, inner, inner_prefix, &points, span)?;
                    for (var, value) in steps.into_iter().rev() {
                        out = ir::build::let_(var.0, value, out);
                    }
                    return Ok(out);
                }
                let mut boxed = Vec::new();
                for (var, arg) in prefix.iter().zip(&args) {
                    let value = self.read_local(*var, span);
                    let ty = self.mode.repr(self.locals[var.0 as usize]);
                    boxed.push(self.boxed(value, ty, arg.span)?);
                }
                boxed.push(ir::Expr::Var(input));
                let span = self.span(span);
                Ok(ir::Expr::Runtime {
                    entry: RuntimeFn::Prim(index),
                    args: boxed,
                    span,
                })
            }
        }
    }
}

/// The arguments the function is applied to before the point: evaluated
/// before the session opens. A differentiation primitive's function is
/// not one of them: it is known where it stands, like the outer one.
fn callee_args<'c, 'a>(callee: &'c Callee<'a>) -> &'c [&'a Expr<TypeInfo>] {
    match callee {
        Callee::Lambda(..) => &[],
        Callee::Function(_, args) => args,
        Callee::Prim(index, args) if PRIMS[*index as usize].machine.is_some() => {
            args.get(1..).unwrap_or(&[])
        }
        Callee::Prim(_, args) => args,
    }
}
