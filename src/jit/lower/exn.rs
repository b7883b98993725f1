//! Lowering exceptions: `try … with` and `assert` (docs/jit.md,
//! Exceptions). `raise`, `failwith` and `invalid_arg` are primitives and
//! exception constructors are constructors: both are lowered as such.
//!
//! A `try`'s arms are a decision tree on the exception, as a `match`'s
//! are ([`pattern`](super::pattern)), with two differences: the arm chosen
//! first tells the runtime the exception is handled, and a leaf no arm
//! matches raises the exception again ([`ir::MatchKind::Handler`]) instead
//! of an R004. The body is never in tail position (its handler is still
//! pending, as on the interpreter); the arms are in the `try`'s.

#![forbid(unsafe_code)]

use super::pattern::Clause;
use super::FnLower;
use crate::jit::ir::{self, ExnFn, MatchKind, RuntimeFn, Ty};
use crate::runtime::error::RuntimeError;
use crate::syntax::ast::{Arm, AssertSite, Expr};
use crate::types::TypeInfo;

impl<'a> FnLower<'_, 'a> {
    /// `try body with arms` (the whole `try` is `e`).
    pub(super) fn try_expr(
        &mut self,
        e: &'a Expr<TypeInfo>,
        body: &'a Expr<TypeInfo>,
        arms: &'a [Arm<TypeInfo>],
        tail: bool,
    ) -> Result<ir::Expr, RuntimeError> {
        let ty = self.ty(e)?;
        let body = self.expr(body, false)?;
        let exn = self.fresh(Ty::Val);
        let clauses = Clause::of_arms(arms);
        let span = self.span(e.span);
        let mut bodies = |f: &mut Self, arm: usize| {
            let handled = ir::Expr::Runtime {
                entry: RuntimeFn::Exn(ExnFn::Handled),
                args: Vec::new(),
                span,
            };
            Ok(ir::Expr::Seq(vec![handled, f.expr(&arms[arm].body, tail)?]))
        };
        let handler = self.decide(exn, &clauses, ty, (MatchKind::Handler, e.span), &mut bodies)?;
        Ok(ir::Expr::Try {
            body: Box::new(body),
            ty,
            exn,
            handler: Box::new(handler),
            span,
        })
    }

    /// `assert cond` (`e`): `Assert_failure (file, line, column)` raised at
    /// `e` when `cond` is false. `assert false` has any type.
    pub(super) fn assert(
        &mut self,
        e: &'a Expr<TypeInfo>,
        cond: &'a Expr<TypeInfo>,
        site: &AssertSite,
    ) -> Result<ir::Expr, RuntimeError> {
        let file = self.string(&site.file);
        let span = self.span(e.span);
        let raise = ir::Expr::Runtime {
            entry: RuntimeFn::Exn(ExnFn::AssertFailure),
            args: vec![
                ir::Expr::Int(file),
                ir::Expr::Int(site.line),
                ir::Expr::Int(site.column),
            ],
            span,
        };
        let ty = self.ty(e)?;
        let raise = self.coerce(raise, Ty::Val, ty, span);
        let cond = self.expr(cond, false)?;
        Ok(match ty {
            Ty::Unit => ir::build::if_(cond, ir::Expr::Unit, raise),
            // Only `assert false` is of another type: it always raises.
            _ => ir::Expr::Seq(vec![cond, raise]),
        })
    }
}
