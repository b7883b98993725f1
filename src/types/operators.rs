//! Typing of the operators: `num`/`real`/`ord` classes on arithmetic
//! (whose float/tensor mixing is in `mixed.rs`) and comparisons, and the
//! deferred check that `=` does not compare functions, tensors or
//! optimizers.

use super::error::{Incomparable, Reason, TypeError};
use super::infer::{Check, Infer, Typed};
use super::resolved::OpInstance;
use super::types::{Class, ClassSet, Effect, Type, TypeId};
use super::TypeInfo;
use crate::syntax::ast::{BinOp, Expr, ExprKind, Span, UnOp, UntypedExpr};

impl Infer<'_> {
    pub fn require(&mut self, ty: &Type, class: Class, span: Span, origin: Span) -> Check<()> {
        let st = &mut *self.st;
        match st.table.require_class(&st.defs, ty, class, Some(origin)) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.unify_error(e, ty, ty, span, None)),
        }
    }

    pub fn infer_unop(
        &mut self,
        op: UnOp,
        a: UntypedExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (a, shifts) = self.infer_expr(a, ctx)?;
        let ty = match op {
            UnOp::Neg => {
                self.require(&a.ann.ty, Class::Num, a.span, span)?;
                a.ann.ty.clone()
            }
            UnOp::Not => {
                self.expect(&a.ann.ty, &Type::bool(), a.span, None)?;
                Type::bool()
            }
        };
        // Final once the item is zonked (see `zonk.rs`).
        let instance = OpInstance::Same(a.ann.ty.clone());
        Ok(self.node(
            ExprKind::UnOp(op, instance, Box::new(a)),
            span,
            ty,
            shifts,
            ctx,
        ))
    }

    pub fn infer_binop(
        &mut self,
        op: BinOp,
        a: UntypedExpr,
        b: UntypedExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (a, s1) = self.infer_expr(a, ctx)?;
        let (b, s2) = self.infer_expr(b, ctx)?;
        let shifts = s1 || s2;
        let other_operand = |a: &Expr<TypeInfo>| {
            Some(Reason {
                span: a.span,
                because: "the other operand".to_string(),
            })
        };
        let ty = match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow => {
                let class = if op == BinOp::Pow {
                    Class::Real
                } else {
                    Class::Num
                };
                self.infer_arith(
                    class,
                    (a.ann.ty.clone(), a.span),
                    (b.ann.ty.clone(), b.span),
                    span,
                )?
            }
            BinOp::Mod => {
                self.expect(&a.ann.ty, &Type::int(), a.span, None)?;
                self.expect(&b.ann.ty, &Type::int(), b.span, None)?;
                Type::int()
            }
            BinOp::MatMul => {
                let on_lists = [&a, &b].iter().any(|x| {
                    matches!(self.st.table.zonk(&x.ann.ty), Type::Con(id, _) if id == TypeId::LIST)
                });
                let hint = |e: TypeError| match on_lists {
                    true => e.with_hint(
                        "`@` is the matrix product of tensors; lists are appended with `++`",
                    ),
                    false => e,
                };
                self.expect(&a.ann.ty, &Type::tensor(), a.span, None)
                    .map_err(hint)?;
                self.expect(&b.ann.ty, &Type::tensor(), b.span, None)
                    .map_err(hint)?;
                Type::tensor()
            }
            BinOp::Eq | BinOp::Ne => {
                self.expect(&b.ann.ty, &a.ann.ty, b.span, other_operand(&a))?;
                self.equality_checks.push((span, a.ann.ty.clone()));
                Type::bool()
            }
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
                let operand = self.st.table.fresh_constrained(
                    self.level,
                    ClassSet::of(Class::Ord),
                    Some(span),
                );
                self.expect(&a.ann.ty, &operand, a.span, None)?;
                self.expect(&b.ann.ty, &operand, b.span, other_operand(&a))?;
                Type::bool()
            }
            BinOp::And | BinOp::Or => {
                self.expect(&a.ann.ty, &Type::bool(), a.span, None)?;
                self.expect(&b.ann.ty, &Type::bool(), b.span, None)?;
                Type::bool()
            }
            BinOp::Cons => {
                let list = Type::list(a.ann.ty.clone());
                let reason = Reason {
                    span: a.span,
                    because: "the head of `::`".to_string(),
                };
                self.expect(&b.ann.ty, &list, b.span, Some(reason))?;
                list
            }
            BinOp::Append => {
                let list = Type::list(self.fresh());
                self.expect(&a.ann.ty, &list, a.span, None)?;
                self.expect(&b.ann.ty, &list, b.span, other_operand(&a))?;
                list
            }
            BinOp::Concat => {
                self.expect(&a.ann.ty, &Type::string(), a.span, None)?;
                self.expect(&b.ann.ty, &Type::string(), b.span, None)?;
                Type::string()
            }
        };
        // Mixed float/tensor arithmetic may be decided only when the item
        // is generalised: zonking sets the instance from the final types.
        let instance = OpInstance::Same(a.ann.ty.clone());
        Ok(self.node(
            ExprKind::BinOp(op, instance, Box::new(a), Box::new(b)),
            span,
            ty,
            shifts,
            ctx,
        ))
    }

    /// Checks `=`/`<>` operands once their types are known.
    pub fn run_equality_checks(&mut self) -> Check<()> {
        for (span, ty) in std::mem::take(&mut self.equality_checks) {
            let ty = self.st.table.zonk(&ty);
            if let Some(what) = incomparable(&ty) {
                return Err(TypeError::EqualityOnFunctions {
                    ty: self.printer().type_text(&ty),
                    span,
                    what,
                });
            }
        }
        Ok(())
    }
}

/// What comparing values of this type would certainly compare that has
/// no equality: functions, tensors or optimizers (looking through the
/// structures `=` looks through).
fn incomparable(ty: &Type) -> Option<Incomparable> {
    match ty {
        Type::Arrow(..) => Some(Incomparable::FunctionsOrTensors),
        Type::Con(id, _) if *id == TypeId::TENSOR => Some(Incomparable::FunctionsOrTensors),
        // An optimizer's state changes at every step.
        Type::Con(id, _) if *id == TypeId::OPTIMIZER => Some(Incomparable::Optimizers),
        Type::Con(id, args)
            if [TypeId::LIST, TypeId::ARRAY, TypeId::OPTION, TypeId::REF].contains(id) =>
        {
            args.iter().find_map(incomparable)
        }
        Type::Tuple(items) => items.iter().find_map(incomparable),
        Type::Con(..) | Type::Var(_) => None,
    }
}
