//! Exceptions (docs/language.md, Exceptions): the extensible type `exn`,
//! `exception` declarations, `try … with` and `assert`.
//!
//! `exn` is one variant type whose constructor list grows with every
//! `exception` item, so a constructor's index is a tag unique to the
//! whole program (and REPL session). `raise` is a primitive
//! (`exn -> 'a`), as in OCaml.

use super::convert::TypeVars;
use super::env::{CtorDef, TypeDefKind};
use super::error::Reason;
use super::infer::{Check, Infer, Typed};
use super::types::{Effect, Type, TypeId};
use crate::syntax::ast::{Arm, AssertSite, ConstructorDecl, ExprKind, Literal, Span, UntypedExpr};
use std::collections::HashMap;

impl Infer<'_> {
    /// `exception Name [of t]`: adds the constructor to `exn` and names
    /// it in the current module. The argument type may not have type
    /// variables (OCaml's rule: an exception's type is not polymorphic).
    pub fn declare_exception(&mut self, decl: &ConstructorDecl) -> Check<()> {
        let arg = match &decl.arg {
            Some(t) => Some(self.convert_type(t, &mut TypeVars::Declaration(HashMap::new()))?),
            None => None,
        };
        let index = self.add_exception_constructor(CtorDef {
            name: decl.name.clone(),
            arg,
        });
        let current = self.current.clone();
        self.st
            .modules
            .env_mut(&current)
            .ctors
            .insert(decl.name.clone(), (TypeId::EXN, index));
        Ok(())
    }

    /// Appends a constructor to `exn`; its index is its tag.
    pub fn add_exception_constructor(&mut self, ctor: CtorDef) -> usize {
        match self
            .st
            .defs
            .get_mut(TypeId::EXN.0 as usize)
            .map(|d| &mut d.kind)
        {
            Some(TypeDefKind::Variant(ctors)) => {
                ctors.push(ctor);
                ctors.len() - 1
            }
            _ => 0,
        }
    }

    /// `try body with arms`: the arms take the exceptions `body` raises
    /// and give a value of `body`'s type. Only unused arms are reported:
    /// an exception no arm matches goes on, so `try` need not be
    /// exhaustive.
    pub fn infer_try(
        &mut self,
        body: UntypedExpr,
        arms: Vec<Arm<()>>,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (body, mut shifts) = self.infer_expr(body, ctx)?;
        let result = body.ann.ty.clone();
        let exn = Type::con0(TypeId::EXN);
        let mut typed_arms = Vec::with_capacity(arms.len());
        for arm in arms {
            let mark = self.locals.mark();
            let raised = Reason {
                span: body.span,
                because: "the exceptions this expression raises".to_string(),
            };
            let handled = Reason {
                span: body.span,
                because: "the expression `try` handles".to_string(),
            };
            let typed = self.infer_arm(arm, (&exn, raised), &result, Some(handled), ctx);
            self.locals.reset_to(mark);
            let (arm, s) = typed?;
            shifts |= s;
            typed_arms.push(arm);
        }
        self.check_unused_arms(&typed_arms);
        let kind = ExprKind::Try(Box::new(body), typed_arms);
        Ok(self.node(kind, span, result, shifts, ctx))
    }

    /// `assert e`: `e` is a `bool` and the result `unit`, except that
    /// `assert false`, which never returns, has any type (as in OCaml).
    pub fn infer_assert(
        &mut self,
        cond: UntypedExpr,
        site: AssertSite,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let never_returns = matches!(cond.kind, ExprKind::Lit(Literal::Bool(false)));
        let (cond, shifts) = self.infer_expr(cond, ctx)?;
        let reason = Reason {
            span,
            because: "`assert`".to_string(),
        };
        self.expect(&cond.ann.ty, &Type::bool(), cond.span, Some(reason))?;
        let ty = if never_returns {
            self.fresh()
        } else {
            Type::unit()
        };
        Ok(self.node(
            ExprKind::Assert(Box::new(cond), site),
            span,
            ty,
            shifts,
            ctx,
        ))
    }
}
