//! Differentiation in compiled code (docs/jit.md, "Differentiation and
//! tensors: two modes"): the mode a body is lowered in, and `grad`,
//! `value_and_grad` and `jvp`.
//!
//! In *plain* mode a `float` is an unboxed `f64`. Under a `grad` or `jvp`
//! a float may be a `Value::Tracked`, so the code a differentiated
//! function runs is lowered in *tracked* mode, where a `float` is a `val`
//! and float arithmetic and comparisons call the runtime's operators (the
//! math primitives are the runtime's in both modes), the very functions
//! the interpreter applies: tags,
//! nesting, the remainders of the backward pass and their order are the
//! interpreter's, and so are the results, bit for bit. Each function is
//! lowered in every mode it is reached in; a call from tracked code goes
//! to the tracked version. Plain-mode code is only ever called from
//! plain-mode code, which runs while no `grad` is open; a tracked float it
//! reads (one that escaped its `grad` through a ref) is a constant, and
//! unboxing it gives its value, as the interpreter's operators settle it.
//!
//! A closure may be made outside a `grad` and called inside one (or the
//! other way round), so when a program differentiates, every closure body
//! is lowered in tracked mode, which is right wherever it runs: plain
//! values are tracked values no `grad` tracks.
//!
//! A `grad` opens its session (`ad::Session`, kept in the JIT's context),
//! calls the function on the tracked input and closes the session with the
//! result, which runs the backward pass: the interpreter's
//! `Frame::GradDelimiter`, in straight-line code.

use super::{not_compiled, FnLower};
use crate::jit::abi::diff_code;
use crate::jit::ir::{self, RuntimeFn, SpanId, Ty, VarId};
use crate::runtime::error::RuntimeError;
use crate::runtime::prims::{MachinePrim, PRIMS};
use crate::syntax::ast::{Expr, ExprKind, Span};
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

/// The function a differentiation primitive is given.
pub(super) enum Callee<'a> {
    /// A top-level function applied to all its arguments but the last:
    /// called directly.
    Function(GlobalId, &'a Expr<TypeInfo>, Vec<&'a Expr<TypeInfo>>),
    /// A primitive applied to all its arguments but the last (`grad
    /// (grad f)`: the inner one is known too).
    Prim(u32, Vec<&'a Expr<TypeInfo>>),
    /// Any other function value, evaluated.
    Value(&'a Expr<TypeInfo>),
}

impl<'a> Callee<'a> {
    /// What is evaluated before the session opens, in the interpreter's
    /// order: the function value, or the arguments the function is
    /// applied to before the point. A differentiation primitive's own
    /// function is not evaluated: it is known where it stands.
    fn evaluated(&self) -> Vec<&'a Expr<TypeInfo>> {
        match self {
            Callee::Function(_, _, args) => args.clone(),
            Callee::Prim(index, args) if PRIMS[*index as usize].machine.is_some() => {
                args.get(1..).unwrap_or(&[]).to_vec()
            }
            Callee::Prim(_, args) => args.clone(),
            Callee::Value(f) => vec![*f],
        }
    }
}

impl<'a> FnLower<'_, 'a> {
    /// A float literal: a `val` in tracked mode.
    pub(super) fn float_const(&mut self, x: f64, span: Span) -> ir::Expr {
        let span = self.span(span);
        self.coerce(ir::Expr::Float(x), Ty::F64, self.mode.repr(Ty::F64), span)
    }

    /// `grad f x`, `value_and_grad f x` or `jvp f x dx`, all arguments
    /// given (`e` is the whole call): a `val`.
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
        self.lowering.differentiates = true;
        let callee = self.callee(f);
        let mut steps = Vec::new();
        let evaluated = self.evaluate(&callee.evaluated(), &mut steps)?;
        let mut point_vars = Vec::new();
        for (var, _) in self.evaluate(points, &mut steps)? {
            let span = self.span(e.span);
            let point = self.as_val(var, span);
            let boxed = self.fresh(Ty::Val);
            steps.push((boxed, point));
            point_vars.push(boxed);
        }
        let mut out = self.session(which, callee, &evaluated, &point_vars, e.span)?;
        for (var, value) in steps.into_iter().rev() {
            out = ir::build::let_(var.0, value, out);
        }
        Ok(out)
    }

    /// What `f` is: known, or a value to evaluate.
    pub(super) fn callee(&self, f: &'a Expr<TypeInfo>) -> Callee<'a> {
        let mut args = Vec::new();
        let mut head = f;
        while let ExprKind::App(g, arg) = &head.kind {
            args.push(&**arg);
            head = g;
        }
        args.reverse();
        if let ExprKind::Var(_, var) = &head.kind {
            match var.target {
                VarTarget::Global(id)
                    if !self.globals.contains_key(&id)
                        && self.lowering.arity(id) == Some(args.len() + 1) =>
                {
                    return Callee::Function(id, head, args);
                }
                VarTarget::Prim(id) if PRIMS[id.0 as usize].arity == args.len() + 1 => {
                    return Callee::Prim(id.0, args);
                }
                _ => {}
            }
        }
        Callee::Value(f)
    }

    /// Lowers `args` in order into new locals (`steps`, to be bound around
    /// their uses), with their IR types.
    fn evaluate(
        &mut self,
        args: &[&'a Expr<TypeInfo>],
        steps: &mut Vec<(VarId, ir::Expr)>,
    ) -> Result<Vec<(VarId, Ty)>, RuntimeError> {
        let mut vars = Vec::new();
        for arg in args {
            let value = self.expr(arg, false)?;
            let ty = self.ty(arg)?;
            let var = self.fresh(ty);
            steps.push((var, value));
            vars.push((var, ty));
        }
        Ok(vars)
    }

    /// A local as a `val`.
    fn as_val(&mut self, var: VarId, span: SpanId) -> ir::Expr {
        let ty = self.locals[var.0 as usize];
        self.coerce(ir::Expr::Var(var), ty, Ty::Val, span)
    }

    /// Opens the session at `points` (`val` locals), calls the function in
    /// tracked mode on its input and closes the session with the result:
    /// the primitive's result, a `val`. `evaluated` are the locals
    /// [`Callee::evaluated`] was lowered into.
    fn session(
        &mut self,
        which: MachinePrim,
        callee: Callee<'a>,
        evaluated: &[(VarId, Ty)],
        points: &[VarId],
        at: Span,
    ) -> Result<ir::Expr, RuntimeError> {
        let span = self.span(at);
        let open = match (which, points) {
            (MachinePrim::Jvp, [x, dx]) => ir::Expr::Runtime {
                entry: RuntimeFn::JvpOpen,
                args: vec![ir::Expr::Var(*x), ir::Expr::Var(*dx)],
                span,
            },
            (_, [x]) => {
                let code =
                    diff_code(which).ok_or_else(|| not_compiled("this differentiation", at))?;
                ir::Expr::Runtime {
                    entry: RuntimeFn::GradOpen,
                    args: vec![ir::Expr::Int(code), ir::Expr::Var(*x)],
                    span,
                }
            }
            _ => return Err(not_compiled("this differentiation", at)),
        };
        let input = self.fresh(Ty::Val);
        let outer = std::mem::replace(&mut self.mode, super::Mode::Tracked);
        let result = self.apply(callee, evaluated, input, at);
        self.mode = outer;
        let close = ir::Expr::Runtime {
            entry: RuntimeFn::DiffClose,
            args: vec![result?],
            span,
        };
        Ok(ir::build::let_(input.0, open, close))
    }

    /// The function applied to the evaluated locals and last to the `val`
    /// local `input`, in tracked mode: a `val`.
    fn apply(
        &mut self,
        callee: Callee<'a>,
        evaluated: &[(VarId, Ty)],
        input: VarId,
        at: Span,
    ) -> Result<ir::Expr, RuntimeError> {
        let span = self.span(at);
        match callee {
            Callee::Value(_) => {
                let f = self.as_val(evaluated[0].0, span);
                Ok(ir::Expr::Apply {
                    func: Box::new(f),
                    arg: Box::new(ir::Expr::Var(input)),
                    span,
                })
            }
            Callee::Function(id, head, _) => {
                let cps = self.instance_cps(head, id);
                let (params, ret) = self.direct_signature(head, id, &cps)?;
                let mut args = Vec::new();
                for ((var, ty), param) in evaluated.iter().zip(&params) {
                    args.push(self.coerce(ir::Expr::Var(*var), *ty, *param, span));
                }
                args.push(self.coerce(
                    ir::Expr::Var(input),
                    Ty::Val,
                    params[params.len() - 1],
                    span,
                ));
                let func = self.lowering.func(id, self.mode, &cps);
                let call = ir::Expr::Call { func, args, span };
                Ok(self.coerce(call, ret, Ty::Val, span))
            }
            Callee::Prim(index, args) => {
                if let Some(which) = PRIMS[index as usize].machine {
                    // `grad (grad g)`: the inner one runs inside the
                    // outer one's session, on its input.
                    let inner = self.callee(args[0]);
                    let mut steps = Vec::new();
                    let inner_evaluated = self.evaluate(&inner.evaluated(), &mut steps)?;
                    let mut points = Vec::new();
                    for (var, _) in evaluated {
                        let point = self.fresh(Ty::Val);
                        let value = self.as_val(*var, span);
                        steps.push((point, value));
                        points.push(point);
                    }
                    points.push(input);
                    let mut out = self.session(which, inner, &inner_evaluated, &points, at)?;
                    for (var, value) in steps.into_iter().rev() {
                        out = ir::build::let_(var.0, value, out);
                    }
                    return Ok(out);
                }
                let mut boxed: Vec<ir::Expr> = evaluated
                    .iter()
                    .map(|(var, _)| self.as_val(*var, span))
                    .collect();
                boxed.push(ir::Expr::Var(input));
                Ok(ir::Expr::Runtime {
                    entry: RuntimeFn::Prim(index),
                    args: boxed,
                    span,
                })
            }
        }
    }
}
