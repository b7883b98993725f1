//! Replaces every bound variable in a typed tree by its value, so the
//! backends see final types (`int` or `float` for each `+`), and settles
//! what is only known then: the types of each instantiation and the
//! instance of each operator (mixed float/tensor arithmetic is decided at
//! generalisation, after the operator was inferred).

use super::infer::Infer;
use super::resolved::OpInstance;
use super::TypeInfo;
use crate::syntax::ast::{Expr, ExprKind, LetGroup, Pattern, PatternKind};

impl Infer<'_> {
    fn zonk_info(&self, info: &mut TypeInfo) {
        info.ty = self.st.table.zonk(&info.ty);
        info.effect = self.st.table.zonk_effect(&info.effect);
    }

    pub fn zonk_let_group(&self, group: &mut LetGroup<TypeInfo>) {
        for b in &mut group.bindings {
            self.zonk_pattern(&mut b.pattern);
            self.zonk_expr(&mut b.expr);
        }
    }

    pub fn zonk_pattern(&self, p: &mut Pattern<TypeInfo>) {
        if self.st.table.over_budget() {
            return;
        }
        self.zonk_info(&mut p.ann);
        match &mut p.kind {
            PatternKind::Wildcard | PatternKind::Var(..) | PatternKind::Lit(_) => {}
            PatternKind::Tuple(items) | PatternKind::List(items) => {
                for item in items {
                    self.zonk_pattern(item);
                }
            }
            PatternKind::Constructor(_, _, arg) => {
                if let Some(arg) = arg {
                    self.zonk_pattern(arg);
                }
            }
            PatternKind::Cons(a, b) | PatternKind::Or(a, b) => {
                self.zonk_pattern(a);
                self.zonk_pattern(b);
            }
            PatternKind::Record(fields, _) => {
                for f in fields {
                    self.zonk_pattern(&mut f.pattern);
                }
            }
            PatternKind::As(inner, ..) | PatternKind::Annot(inner, _) => self.zonk_pattern(inner),
        }
    }

    pub fn zonk_expr(&self, e: &mut Expr<TypeInfo>) {
        // Past the work budget the item is refused (E223): zonking the
        // rest would only spend time on a tree nobody will see.
        if self.st.table.over_budget() {
            return;
        }
        self.zonk_info(&mut e.ann);
        match &mut e.kind {
            ExprKind::Lit(_) => {}
            ExprKind::Var(_, var) => {
                for ty in &mut var.instance {
                    *ty = self.st.table.zonk(ty);
                }
            }
            ExprKind::BinOp(_, instance, a, b) => {
                self.zonk_expr(a);
                self.zonk_expr(b);
                *instance = OpInstance::of_operands(&a.ann.ty, &b.ann.ty);
            }
            ExprKind::UnOp(_, instance, a) => {
                self.zonk_expr(a);
                *instance = OpInstance::Same(a.ann.ty.clone());
            }
            ExprKind::Constructor(_, _, arg) => {
                if let Some(arg) = arg {
                    self.zonk_expr(arg);
                }
            }
            ExprKind::App(a, b)
            | ExprKind::Index(a, b)
            | ExprKind::Assign(a, b)
            | ExprKind::FieldSet(a, _, _, _, b)
            | ExprKind::Seq(a, b)
            | ExprKind::While(a, b) => {
                self.zonk_expr(a);
                self.zonk_expr(b);
            }
            ExprKind::Fun(p, body) => {
                self.zonk_pattern(p);
                self.zonk_expr(body);
            }
            ExprKind::Let(group, body) => {
                self.zonk_let_group(group);
                self.zonk_expr(body);
            }
            ExprKind::If(c, t, f) => {
                self.zonk_expr(c);
                self.zonk_expr(t);
                if let Some(f) = f {
                    self.zonk_expr(f);
                }
            }
            ExprKind::Match(scrutinee, arms) | ExprKind::Try(scrutinee, arms) => {
                self.zonk_expr(scrutinee);
                for arm in arms {
                    self.zonk_pattern(&mut arm.pattern);
                    if let Some(g) = &mut arm.guard {
                        self.zonk_expr(g);
                    }
                    self.zonk_expr(&mut arm.body);
                }
            }
            ExprKind::Tuple(items) | ExprKind::List(items) | ExprKind::Array(items) => {
                for item in items {
                    self.zonk_expr(item);
                }
            }
            ExprKind::Record(fields) => {
                for f in fields {
                    self.zonk_expr(&mut f.value);
                }
            }
            ExprKind::RecordUpdate(base, fields) => {
                self.zonk_expr(base);
                for f in fields {
                    self.zonk_expr(&mut f.value);
                }
            }
            ExprKind::Field(inner, ..)
            | ExprKind::Deref(inner)
            | ExprKind::Ref(inner)
            | ExprKind::Annot(inner, _)
            | ExprKind::Shift(_, _, _, inner)
            | ExprKind::Reset(inner)
            | ExprKind::Assert(inner, _)
            | ExprKind::LocalOpen(_, _, inner) => self.zonk_expr(inner),
            ExprKind::IndexSet(a, i, v) => {
                self.zonk_expr(a);
                self.zonk_expr(i);
                self.zonk_expr(v);
            }
            ExprKind::For { from, to, body, .. } => {
                self.zonk_expr(from);
                self.zonk_expr(to);
                self.zonk_expr(body);
            }
        }
    }
}
