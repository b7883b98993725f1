//! Inference for expressions.
//!
//! Every expression is checked in a context effect: `Pure` at top level,
//! `Cps(α)` inside `reset` (α its answer type), and the arrow's effect
//! variable inside a `fun`. A node may shift when it is a `shift`, a call
//! whose arrow effect is not pure, or contains one outside any `fun` or
//! `reset`; its `TypeInfo.effect` is then the context, else `Pure`.

use super::convert::PendingAlias;
use super::env::{did_you_mean, module_name, Locals, MAIN};
use super::error::{MismatchError, Reason, TypeError};
use super::hints::with_ocaml_replacement;
use super::mixed::MixedArith;
use super::print::Printer;
use super::resolved::{Binder, LocalId, VarTarget, VarUse};
use super::types::{Effect, Type, TypeId};
use super::unify::UnifyError;
use super::{State, TypeInfo};
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{
    Arm, Expr, ExprKind, LetGroup, Literal, Path, Span, TypeExpr, UntypedExpr, UntypedPattern,
};
use std::collections::{HashMap, HashSet};

pub type Check<T> = Result<T, TypeError>;

/// Deeper nesting than this is refused (E221) rather than risked.
const MAX_NESTING: u32 = 8_000;

pub struct Infer<'s> {
    pub st: &'s mut State,
    /// The module being checked (`""` for the main file and REPL).
    pub current: String,
    pub level: u32,
    pub locals: Locals,
    /// Named type variables of annotations in the current top-level item.
    pub annotation_vars: HashMap<String, Type>,
    pub warnings: Vec<Diagnostic>,
    /// Operands of `=`/`<>`, checked once the item's types are known.
    pub equality_checks: Vec<(Span, Type)>,
    /// Arithmetic operators whose float/tensor case is not decided yet,
    /// innermost `let` last.
    pub mixed: Vec<MixedArith>,
    /// Aliases of the type group being declared, not yet converted.
    pub pending_aliases: HashMap<TypeId, PendingAlias>,
    pub aliases_in_progress: HashSet<TypeId>,
    /// True while the patterns of a top-level `let` are checked: their
    /// variables are globals.
    pub binding_globals: bool,
    /// The binders of the left sides of the or-patterns being checked,
    /// which their right sides bind again.
    pub or_binders: Vec<(String, Binder)>,
    depth: u32,
}

pub type Typed = (Expr<TypeInfo>, bool);

impl<'s> Infer<'s> {
    pub fn new(st: &'s mut State, current: String) -> Infer<'s> {
        Infer {
            st,
            current,
            level: 0,
            locals: Locals::default(),
            annotation_vars: HashMap::new(),
            warnings: Vec::new(),
            equality_checks: Vec::new(),
            mixed: Vec::new(),
            pending_aliases: HashMap::new(),
            aliases_in_progress: HashSet::new(),
            binding_globals: false,
            or_binders: Vec::new(),
            depth: 0,
        }
    }

    /// A new local binding.
    pub fn fresh_local(&mut self) -> LocalId {
        let id = LocalId(self.st.next_local);
        self.st.next_local += 1;
        id
    }

    /// Binds a local name that no pattern binds (`for`, `shift`).
    pub fn push_local(&mut self, name: String, ty: Type) -> Binder {
        let binder = Binder::Local(self.fresh_local());
        self.locals.push(name, ty, binder.target());
        binder
    }

    pub fn fresh(&mut self) -> Type {
        self.st.table.fresh(self.level)
    }

    pub fn resolve(&self, ty: &Type) -> Type {
        self.st.table.resolve(ty)
    }

    pub fn printer(&self) -> Printer<'_> {
        Printer::new(&self.st.table, &self.st.defs, &self.current)
    }

    pub fn bindings_printer(&self) -> Printer<'_> {
        Printer::for_bindings(&self.st.table, &self.st.defs, &self.current)
    }

    /// Makes `found` (the type of the thing at `span`) equal `expected`.
    pub fn expect(
        &mut self,
        found: &Type,
        expected: &Type,
        span: Span,
        reason: Option<Reason>,
    ) -> Check<()> {
        let st = &mut *self.st;
        match st.table.unify(&st.defs, found, expected) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.unify_error(e, found, expected, span, reason)),
        }
    }

    pub fn unify_error(
        &self,
        error: UnifyError,
        found: &Type,
        expected: &Type,
        span: Span,
        reason: Option<Reason>,
    ) -> TypeError {
        let mut p = self.printer();
        match error {
            UnifyError::Mismatch(a, b) => {
                let found_text = p.type_text(found);
                let expected_text = p.type_text(expected);
                let a_text = p.type_text(&a);
                let b_text = p.type_text(&b);
                let whole = (a_text == found_text && b_text == expected_text)
                    || (a_text == expected_text && b_text == found_text);
                TypeError::mismatch(MismatchError {
                    found: found_text,
                    expected: expected_text,
                    span,
                    reason,
                    detail: (!whole).then_some((a_text, b_text)),
                })
            }
            UnifyError::Effect(a, b) => {
                let found_text = p.type_text(found);
                let expected_text = p.type_text(expected);
                let detail = Some((p.effect_text(&a), p.effect_text(&b)));
                TypeError::mismatch(MismatchError {
                    found: found_text,
                    expected: expected_text,
                    span,
                    reason,
                    detail,
                })
            }
            UnifyError::Occurs(var, ty) => TypeError::InfiniteType {
                var: p.type_text(&Type::Var(var)),
                ty: p.type_text(&ty),
                span,
            },
            UnifyError::Class { ty, class, origin } => TypeError::ClassViolation {
                ty: p.type_text(&ty),
                class: class.name(),
                span,
                origin,
            },
        }
    }

    /// Calling a function with arrow effect `effect` in context `ctx`.
    /// Returns whether the call may shift.
    fn apply_effect(&mut self, effect: &Effect, ctx: &Effect, span: Span) -> Check<bool> {
        if self.st.table.resolve_effect(effect) == Effect::Pure {
            return Ok(false);
        }
        let st = &mut *self.st;
        if st.table.unify_effects(&st.defs, effect, ctx).is_err() {
            return Err(TypeError::ShiftWithoutReset { span, call: true });
        }
        Ok(self.st.table.resolve_effect(effect) != Effect::Pure)
    }

    pub fn node(
        &self,
        kind: ExprKind<TypeInfo>,
        span: Span,
        ty: Type,
        shifts: bool,
        ctx: &Effect,
    ) -> Typed {
        let effect = if shifts { ctx.clone() } else { Effect::Pure };
        (
            Expr {
                kind,
                span,
                ann: TypeInfo { ty, effect },
            },
            shifts,
        )
    }

    /// The type of a sub-expression, for its parent's type to contain
    /// without copying it: the sub-expression's type moves into a bound
    /// variable that both then name. Copying instead would make the
    /// checker quadratic in the nesting (`fun x1 -> … fun xn -> x1` has
    /// types of sizes n, n - 1, …); zonking expands the variables once
    /// inference is done, within the work budget.
    pub fn share(&mut self, ty: &mut Type) -> Type {
        if let Type::Var(_) = ty {
            return ty.clone();
        }
        let moved = std::mem::replace(ty, Type::unit());
        *ty = self.st.table.bound_var(moved);
        ty.clone()
    }

    pub fn infer_expr(&mut self, e: UntypedExpr, ctx: &Effect) -> Check<Typed> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(TypeError::TooDeep { span: e.span });
        }
        if self.st.table.over_budget() {
            return Err(TypeError::TooComplex { span: e.span });
        }
        let span = e.span;
        let result = self.infer_expr_inner(e, ctx);
        self.depth -= 1;
        // Past the budget, traversals stop early, so any other error
        // found then may be an artefact of a truncated type.
        if self.st.table.over_budget() {
            return Err(TypeError::TooComplex { span });
        }
        result
    }

    fn infer_expr_inner(&mut self, e: UntypedExpr, ctx: &Effect) -> Check<Typed> {
        let span = e.span;
        match e.kind {
            ExprKind::Lit(lit) => {
                let ty = literal_type(&lit);
                Ok(self.node(ExprKind::Lit(lit), span, ty, false, ctx))
            }
            ExprKind::Var(path, ()) => {
                let (ty, var) = self.lookup_value(&path, span)?;
                if super::printf::is_format_function(var.target) {
                    return Err(TypeError::FormatNotLiteral {
                        function: path.to_string(),
                        span,
                    });
                }
                Ok(self.node(ExprKind::Var(path, var), span, ty, false, ctx))
            }
            ExprKind::Constructor(path, (), arg) => self.infer_constructor(path, arg, span, ctx),
            ExprKind::App(f, x) => self.infer_app(*f, *x, span, ctx),
            ExprKind::Fun(p, body) => self.infer_fun(*p, *body, span, ctx),
            ExprKind::Let(group, body) => self.infer_let(group, *body, span, ctx),
            ExprKind::If(c, t, f) => self.infer_if(*c, *t, f, span, ctx),
            ExprKind::Match(scrutinee, arms) => self.infer_match(*scrutinee, arms, span, ctx),
            ExprKind::Tuple(items) => self.infer_tuple(items, span, ctx),
            ExprKind::List(items) => {
                let (typed, elem, shifts) = self.infer_elements(items, ctx)?;
                Ok(self.node(ExprKind::List(typed), span, Type::list(elem), shifts, ctx))
            }
            ExprKind::Array(items) => {
                let (typed, elem, shifts) = self.infer_elements(items, ctx)?;
                Ok(self.node(ExprKind::Array(typed), span, Type::array(elem), shifts, ctx))
            }
            ExprKind::Record(fields) => self.infer_record(fields, span, ctx),
            ExprKind::RecordUpdate(base, fields) => {
                self.infer_record_update(*base, fields, span, ctx)
            }
            ExprKind::Field(record, name, name_span, ()) => {
                self.infer_field(*record, name, name_span, span, ctx)
            }
            ExprKind::LocalOpen(module, module_span, body) => {
                self.infer_local_open(module, module_span, *body, span, ctx)
            }
            ExprKind::Index(a, i) => self.infer_index(*a, *i, span, ctx),
            ExprKind::IndexSet(a, i, v) => self.infer_index_set(*a, *i, *v, span, ctx),
            ExprKind::FieldSet(r, name, name_span, (), v) => {
                self.infer_field_set(*r, (name, name_span), *v, span, ctx)
            }
            ExprKind::Assign(r, v) => self.infer_assign(*r, *v, span, ctx),
            ExprKind::Deref(r) => self.infer_deref(*r, span, ctx),
            ExprKind::Ref(v) => self.infer_ref(*v, span, ctx),
            ExprKind::Seq(a, b) => self.infer_seq(*a, *b, span, ctx),
            ExprKind::BinOp(op, (), a, b) => self.infer_binop(op, *a, *b, span, ctx),
            ExprKind::UnOp(op, (), a) => self.infer_unop(op, *a, span, ctx),
            ExprKind::For {
                var,
                var_span,
                binder: (),
                from,
                to,
                downward,
                body,
            } => self.infer_for((var, var_span), *from, *to, downward, *body, span, ctx),
            ExprKind::While(c, body) => self.infer_while(*c, *body, span, ctx),
            ExprKind::Annot(inner, texpr) => self.infer_annot(*inner, texpr, span, ctx),
            ExprKind::Shift(k, k_span, (), body) => self.infer_shift(k, k_span, *body, span, ctx),
            ExprKind::Reset(body) => self.infer_reset(*body, span, ctx),
            ExprKind::Try(body, arms) => self.infer_try(*body, arms, span, ctx),
            ExprKind::Assert(cond, site) => self.infer_assert(*cond, site, span, ctx),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn infer_for(
        &mut self,
        (var, var_span): (String, Span),
        from: UntypedExpr,
        to: UntypedExpr,
        downward: bool,
        body: UntypedExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (from, s1) = self.infer_expr(from, ctx)?;
        self.expect(&from.ann.ty, &Type::int(), from.span, None)?;
        let (to, s2) = self.infer_expr(to, ctx)?;
        self.expect(&to.ann.ty, &Type::int(), to.span, None)?;
        let mark = self.locals.mark();
        let binder = self.push_local(var.clone(), Type::int());
        let body = self.infer_expr(body, ctx);
        self.locals.reset_to(mark);
        let (body, s3) = body?;
        let kind = ExprKind::For {
            var,
            var_span,
            binder,
            from: Box::new(from),
            to: Box::new(to),
            downward,
            body: Box::new(body),
        };
        Ok(self.node(kind, span, Type::unit(), s1 || s2 || s3, ctx))
    }

    fn infer_app(
        &mut self,
        f: UntypedExpr,
        x: UntypedExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        if self.is_format_call(&f) {
            return self.infer_format_call(f, x, span, ctx);
        }
        let (f, s1) = self.infer_expr(f, ctx)?;
        self.apply_to(f, s1, x, span, ctx)
    }

    /// The call of the checked function `f` (which shifts if `s1`) on `x`.
    pub fn apply_to(
        &mut self,
        f: Expr<TypeInfo>,
        s1: bool,
        x: UntypedExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (x, s2) = self.infer_expr(x, ctx)?;
        let (param, result, effect) = self.expect_function(&f.ann.ty, f.span)?;
        let reason = Reason {
            span: f.span,
            because: "this function's parameter".to_string(),
        };
        if let Err(error) = self.expect(&x.ann.ty, &param, x.span, Some(reason)) {
            return Err(self.explain_argument(error, &f, &x, &param, &result));
        }
        let s3 = self.apply_effect(&effect, ctx, span)?;
        Ok(self.node(
            ExprKind::App(Box::new(f), Box::new(x)),
            span,
            result,
            s1 || s2 || s3,
            ctx,
        ))
    }

    fn infer_fun(
        &mut self,
        p: UntypedPattern,
        body: UntypedExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let effect = self.st.table.fresh_effect(self.level);
        let param = self.fresh();
        let mark = self.locals.mark();
        let (p, binds) = self.check_pattern(p, &param, None)?;
        self.bind_locals(binds);
        let body = self.infer_expr(body, &effect);
        self.locals.reset_to(mark);
        let (mut body, _) = body?;
        self.warn_refutable(&p, "function parameter");
        let ty = Type::arrow(param, self.share(&mut body.ann.ty), effect);
        Ok(self.node(
            ExprKind::Fun(Box::new(p), Box::new(body)),
            span,
            ty,
            false,
            ctx,
        ))
    }

    fn infer_let(
        &mut self,
        group: LetGroup<()>,
        body: UntypedExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let mark = self.locals.mark();
        let result = self.infer_let_in(group, body, ctx);
        self.locals.reset_to(mark);
        let (group, mut body, shifts) = result?;
        let ty = self.share(&mut body.ann.ty);
        Ok(self.node(ExprKind::Let(group, Box::new(body)), span, ty, shifts, ctx))
    }

    fn infer_if(
        &mut self,
        c: UntypedExpr,
        t: UntypedExpr,
        f: Option<Box<UntypedExpr>>,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (c, s1) = self.infer_expr(c, ctx)?;
        self.expect(&c.ann.ty, &Type::bool(), c.span, None)?;
        let (mut t, s2) = self.infer_expr(t, ctx)?;
        match f {
            Some(f) => {
                let (f, s3) = self.infer_expr(*f, ctx)?;
                let reason = Reason {
                    span: t.span,
                    because: "the `then` branch".to_string(),
                };
                self.expect(&f.ann.ty, &t.ann.ty, f.span, Some(reason))?;
                let ty = self.share(&mut t.ann.ty);
                let kind = ExprKind::If(Box::new(c), Box::new(t), Some(Box::new(f)));
                Ok(self.node(kind, span, ty, s1 || s2 || s3, ctx))
            }
            None => {
                let reason = Reason {
                    span,
                    because: "this `if` without `else`".to_string(),
                };
                self.expect(&t.ann.ty, &Type::unit(), t.span, Some(reason))?;
                let kind = ExprKind::If(Box::new(c), Box::new(t), None);
                Ok(self.node(kind, span, Type::unit(), s1 || s2, ctx))
            }
        }
    }

    fn infer_tuple(&mut self, items: Vec<UntypedExpr>, span: Span, ctx: &Effect) -> Check<Typed> {
        let mut typed = Vec::with_capacity(items.len());
        let mut shifts = false;
        for item in items {
            let (t, s) = self.infer_expr(item, ctx)?;
            shifts |= s;
            typed.push(t);
        }
        let ty = Type::Tuple(
            typed
                .iter_mut()
                .map(|t| self.share(&mut t.ann.ty))
                .collect(),
        );
        Ok(self.node(ExprKind::Tuple(typed), span, ty, shifts, ctx))
    }

    fn infer_index(
        &mut self,
        a: UntypedExpr,
        i: UntypedExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (a, s1) = self.infer_expr(a, ctx)?;
        let (i, s2) = self.infer_expr(i, ctx)?;
        let elem = self.fresh();
        self.expect(&a.ann.ty, &Type::array(elem.clone()), a.span, None)?;
        self.expect(&i.ann.ty, &Type::int(), i.span, None)?;
        Ok(self.node(
            ExprKind::Index(Box::new(a), Box::new(i)),
            span,
            elem,
            s1 || s2,
            ctx,
        ))
    }

    fn infer_index_set(
        &mut self,
        a: UntypedExpr,
        i: UntypedExpr,
        v: UntypedExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (a, s1) = self.infer_expr(a, ctx)?;
        let (i, s2) = self.infer_expr(i, ctx)?;
        let (v, s3) = self.infer_expr(v, ctx)?;
        let elem = self.fresh();
        self.expect(&a.ann.ty, &Type::array(elem.clone()), a.span, None)?;
        self.expect(&i.ann.ty, &Type::int(), i.span, None)?;
        let reason = Reason {
            span: a.span,
            because: "the array's elements".to_string(),
        };
        self.expect(&v.ann.ty, &elem, v.span, Some(reason))?;
        let kind = ExprKind::IndexSet(Box::new(a), Box::new(i), Box::new(v));
        Ok(self.node(kind, span, Type::unit(), s1 || s2 || s3, ctx))
    }

    fn infer_assign(
        &mut self,
        r: UntypedExpr,
        v: UntypedExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (r, s1) = self.infer_expr(r, ctx)?;
        let (v, s2) = self.infer_expr(v, ctx)?;
        let elem = self.fresh();
        self.expect(&r.ann.ty, &Type::reference(elem.clone()), r.span, None)?;
        let reason = Reason {
            span: r.span,
            because: "the reference's contents".to_string(),
        };
        self.expect(&v.ann.ty, &elem, v.span, Some(reason))?;
        Ok(self.node(
            ExprKind::Assign(Box::new(r), Box::new(v)),
            span,
            Type::unit(),
            s1 || s2,
            ctx,
        ))
    }

    /// `let open M in e`, `M.(e)`: while `e` is checked, `M` is searched
    /// for its unqualified names that are not local variables before the
    /// current module's own (see `env.rs`).
    fn infer_local_open(
        &mut self,
        module: Path,
        module_span: Span,
        body: UntypedExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let name = module_name(&module);
        if self.st.modules.env(&name).is_none() {
            return Err(TypeError::UnboundModule {
                name,
                span: module_span,
            });
        }
        self.st.modules.local_opens.push(name);
        let body = self.infer_expr(body, ctx);
        self.st.modules.local_opens.pop();
        let (mut body, shifts) = body?;
        let ty = self.share(&mut body.ann.ty);
        Ok(self.node(
            ExprKind::LocalOpen(module, module_span, Box::new(body)),
            span,
            ty,
            shifts,
            ctx,
        ))
    }

    fn infer_deref(&mut self, r: UntypedExpr, span: Span, ctx: &Effect) -> Check<Typed> {
        let (r, shifts) = self.infer_expr(r, ctx)?;
        let elem = self.fresh();
        self.expect(&r.ann.ty, &Type::reference(elem.clone()), r.span, None)?;
        Ok(self.node(ExprKind::Deref(Box::new(r)), span, elem, shifts, ctx))
    }

    fn infer_ref(&mut self, v: UntypedExpr, span: Span, ctx: &Effect) -> Check<Typed> {
        let (mut v, shifts) = self.infer_expr(v, ctx)?;
        let ty = Type::reference(self.share(&mut v.ann.ty));
        Ok(self.node(ExprKind::Ref(Box::new(v)), span, ty, shifts, ctx))
    }

    fn infer_seq(
        &mut self,
        a: UntypedExpr,
        b: UntypedExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (a, s1) = self.infer_expr(a, ctx)?;
        let (mut b, s2) = self.infer_expr(b, ctx)?;
        let ty = self.share(&mut b.ann.ty);
        Ok(self.node(
            ExprKind::Seq(Box::new(a), Box::new(b)),
            span,
            ty,
            s1 || s2,
            ctx,
        ))
    }

    fn infer_while(
        &mut self,
        c: UntypedExpr,
        body: UntypedExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (c, s1) = self.infer_expr(c, ctx)?;
        self.expect(&c.ann.ty, &Type::bool(), c.span, None)?;
        let (body, s2) = self.infer_expr(body, ctx)?;
        Ok(self.node(
            ExprKind::While(Box::new(c), Box::new(body)),
            span,
            Type::unit(),
            s1 || s2,
            ctx,
        ))
    }

    fn infer_annot(
        &mut self,
        inner: UntypedExpr,
        texpr: TypeExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (inner, shifts) = self.infer_expr(inner, ctx)?;
        let ty = self.convert_annotation(&texpr)?;
        // The float forms `+. -. *. /.` annotate an operand with the
        // operator beside it (`syntax/operators.rs`): the annotation ends
        // or starts the node, where `(e : t)` has its parentheses.
        let because = if texpr.span.end == span.end || texpr.span.start == span.start {
            "this float operator"
        } else {
            "this annotation"
        };
        let reason = Reason {
            span: texpr.span,
            because: because.to_string(),
        };
        self.expect(&inner.ann.ty, &ty, inner.span, Some(reason))?;
        Ok(self.node(
            ExprKind::Annot(Box::new(inner), texpr),
            span,
            ty,
            shifts,
            ctx,
        ))
    }

    fn infer_shift(
        &mut self,
        k: String,
        k_span: Span,
        body: UntypedExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let answer = self.fresh();
        let st = &mut *self.st;
        let wanted = Effect::Cps(Box::new(answer.clone()));
        if st.table.unify_effects(&st.defs, ctx, &wanted).is_err() {
            return Err(TypeError::ShiftWithoutReset { span, call: false });
        }
        let hole = self.fresh();
        let k_ty = Type::arrow(hole.clone(), answer.clone(), Effect::Pure);
        let mark = self.locals.mark();
        let binder = self.push_local(k.clone(), k_ty);
        let body = self.infer_expr(body, ctx);
        self.locals.reset_to(mark);
        let (body, _) = body?;
        let reason = Reason {
            span,
            because: "the answer type of the enclosing `reset`".to_string(),
        };
        self.expect(&body.ann.ty, &answer, body.span, Some(reason))?;
        Ok(self.node(
            ExprKind::Shift(k, k_span, binder, Box::new(body)),
            span,
            hole,
            true,
            ctx,
        ))
    }

    fn infer_reset(&mut self, body: UntypedExpr, span: Span, ctx: &Effect) -> Check<Typed> {
        let answer = self.fresh();
        let inner_ctx = Effect::Cps(Box::new(answer.clone()));
        let (body, _) = self.infer_expr(body, &inner_ctx)?;
        self.expect(&body.ann.ty, &answer, body.span, None)?;
        Ok(self.node(ExprKind::Reset(Box::new(body)), span, answer, false, ctx))
    }

    /// `f`'s type as an arrow, or an error saying it is not a function.
    fn expect_function(&mut self, ty: &Type, span: Span) -> Check<(Type, Type, Effect)> {
        match self.resolve(ty) {
            Type::Arrow(p, r, e) => Ok((*p, *r, e)),
            Type::Var(_) => {
                let p = self.fresh();
                let r = self.fresh();
                let e = self.st.table.fresh_effect(self.level);
                let arrow = Type::arrow(p.clone(), r.clone(), e.clone());
                self.expect(ty, &arrow, span, None)?;
                Ok((p, r, e))
            }
            other => {
                let text = self.printer().type_text(&other);
                Err(TypeError::NotAFunction { ty: text, span })
            }
        }
    }

    fn infer_elements(
        &mut self,
        items: Vec<UntypedExpr>,
        ctx: &Effect,
    ) -> Check<(Vec<Expr<TypeInfo>>, Type, bool)> {
        let elem = self.fresh();
        let mut typed: Vec<Expr<TypeInfo>> = Vec::with_capacity(items.len());
        let mut shifts = false;
        let mut first: Option<Span> = None;
        for item in items {
            let (t, s) = self.infer_expr(item, ctx)?;
            shifts |= s;
            let reason = first.map(|span| Reason {
                span,
                because: "the first element".to_string(),
            });
            self.expect(&t.ann.ty, &elem, t.span, reason)?;
            first.get_or_insert(t.span);
            typed.push(t);
        }
        Ok((typed, elem, shifts))
    }

    fn infer_match(
        &mut self,
        scrutinee: UntypedExpr,
        arms: Vec<Arm<()>>,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (scrutinee, mut shifts) = self.infer_expr(scrutinee, ctx)?;
        let result = self.fresh();
        let mut first_body: Option<Span> = None;
        let mut typed_arms = Vec::with_capacity(arms.len());
        for arm in arms {
            let mark = self.locals.mark();
            let matched = Reason {
                span: scrutinee.span,
                because: "the matched value".to_string(),
            };
            let first_arm = first_body.map(|span| Reason {
                span,
                because: "the first arm".to_string(),
            });
            let typed = self.infer_arm(arm, (&scrutinee.ann.ty, matched), &result, first_arm, ctx);
            self.locals.reset_to(mark);
            let (arm, s) = typed?;
            shifts |= s;
            first_body.get_or_insert(arm.body.span);
            typed_arms.push(arm);
        }
        self.check_match_exhaustive(&typed_arms, span);
        let kind = ExprKind::Match(Box::new(scrutinee), typed_arms);
        Ok(self.node(kind, span, result, shifts, ctx))
    }

    /// One arm of a `match` or `try`, whose patterns have the type
    /// `matched` (for the reason given).
    pub fn infer_arm(
        &mut self,
        arm: Arm<()>,
        (matched, reason): (&Type, Reason),
        result: &Type,
        result_reason: Option<Reason>,
        ctx: &Effect,
    ) -> Check<(Arm<TypeInfo>, bool)> {
        let (pattern, binds) = self.check_pattern(arm.pattern, matched, Some(reason))?;
        self.bind_locals(binds);
        let mut shifts = false;
        let guard = match arm.guard {
            Some(g) => {
                let (g, s) = self.infer_expr(g, ctx)?;
                self.expect(&g.ann.ty, &Type::bool(), g.span, None)?;
                shifts |= s;
                Some(g)
            }
            None => None,
        };
        let (body, s) = self.infer_expr(arm.body, ctx)?;
        self.expect(&body.ann.ty, result, body.span, result_reason)?;
        Ok((
            Arm {
                pattern,
                guard,
                body,
            },
            shifts || s,
        ))
    }

    /// A use of `ty` (a scheme) as the variable `target`.
    fn instantiate_use(&mut self, ty: &Type, target: VarTarget, span: Span) -> (Type, VarUse) {
        let (ty, instance) = self.st.table.instantiate(ty, self.level, span);
        (ty, VarUse { target, instance })
    }

    pub fn lookup_value(&mut self, path: &Path, span: Span) -> Check<(Type, VarUse)> {
        if path.modules.is_empty() {
            if let Some((ty, target)) = self.locals.lookup(&path.name) {
                let ty = ty.clone();
                return Ok(self.instantiate_use(&ty, target, span));
            }
            if let Some(entry) = self.st.modules.lookup_value(&self.current, &path.name) {
                let (ty, target) = (entry.ty.clone(), entry.target);
                return Ok(self.instantiate_use(&ty, target, span));
            }
            let mut candidates: Vec<String> = self.locals.names().map(str::to_string).collect();
            candidates.extend(self.st.modules.visible_values(&self.current));
            let error = TypeError::UnboundVariable {
                name: path.name.clone(),
                span,
                suggestion: did_you_mean(&path.name, candidates.iter().map(String::as_str)),
            };
            return Err(with_ocaml_replacement(error, &path.name));
        }
        let found = self
            .st
            .modules
            .lookup_in(&self.current, &path.modules, |env| {
                env.values.get(&path.name).map(|v| (v.ty.clone(), v.target))
            })
            .map_err(|m| {
                let error = TypeError::UnboundModule { name: m, span };
                with_ocaml_replacement(error, &path.to_string())
            })?;
        match found {
            Some((ty, target)) => Ok(self.instantiate_use(&ty, target, span)),
            None => {
                let module = path.modules.join(".");
                let suggestion = self.st.modules.env(&module).and_then(|env| {
                    did_you_mean(&path.name, env.values.keys().map(String::as_str))
                        .map(|s| format!("{module}.{s}"))
                });
                let error = TypeError::UnboundVariable {
                    name: path.to_string(),
                    span,
                    suggestion,
                };
                Err(with_ocaml_replacement(error, &path.to_string()))
            }
        }
    }

    pub fn is_main(&self) -> bool {
        self.current == MAIN
    }
}

pub fn literal_type(lit: &Literal) -> Type {
    match lit {
        Literal::Int(_) => Type::int(),
        Literal::Float(_) => Type::float(),
        Literal::String(_) => Type::string(),
        Literal::Bool(_) => Type::bool(),
        Literal::Unit => Type::unit(),
    }
}
