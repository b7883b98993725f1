//! How deeply the tree under construction nests.
//!
//! The parser itself never recurses, but every later phase walks the tree
//! recursively, and so does dropping it. The builder therefore refuses to
//! build a node more than [`MAX_DEPTH`] levels deep (error E106), so
//! `!!!!…x` or `[[[[…]]]]` a million levels deep is an error, never a stack
//! overflow anywhere downstream.
//!
//! Nodes are built bottom-up, and a node cannot point back to its depth,
//! so depths are remembered by span. Two nodes with the same span share an
//! entry holding the larger depth, which can only overestimate.

use crate::syntax::ast::*;
use std::cell::RefCell;
use std::collections::HashMap;

/// Far beyond hand-written code; shallow enough that dropping or walking
/// such a tree fits a 2 MiB thread stack.
pub const MAX_DEPTH: u32 = 5_000;

#[derive(Default)]
pub struct Depths {
    by_span: RefCell<HashMap<(u32, u32), u32>>,
}

impl Depths {
    fn of(&self, span: Span) -> u32 {
        self.by_span
            .borrow()
            .get(&(span.start, span.end))
            .copied()
            .unwrap_or(1)
    }

    pub fn record(&self, span: Span, depth: u32) {
        let mut map = self.by_span.borrow_mut();
        let entry = map.entry((span.start, span.end)).or_insert(depth);
        *entry = (*entry).max(depth);
    }

    /// A node keeps its depth when only its span changes (parentheses).
    pub fn moved(&self, from: Span, to: Span) {
        self.record(to, self.of(from));
    }

    pub fn expr(&self, kind: &ExprKind<()>) -> u32 {
        let e = |x: &UntypedExpr| self.of(x.span);
        let group = |g: &LetGroup<()>| {
            g.bindings
                .iter()
                .map(|b| self.of(b.pattern.span).max(self.of(b.expr.span)))
                .max()
                .unwrap_or(0)
        };
        let children = match kind {
            ExprKind::Lit(_) | ExprKind::Var(..) | ExprKind::Constructor(_, _, None) => 0,
            ExprKind::Constructor(_, _, Some(a))
            | ExprKind::Field(a, ..)
            | ExprKind::Deref(a)
            | ExprKind::Ref(a)
            | ExprKind::UnOp(_, _, a)
            | ExprKind::Shift(_, _, _, a)
            | ExprKind::Reset(a)
            | ExprKind::Assert(a, _)
            | ExprKind::LocalOpen(_, _, a) => e(a),
            ExprKind::App(a, b)
            | ExprKind::Index(a, b)
            | ExprKind::Assign(a, b)
            | ExprKind::FieldSet(a, _, _, _, b)
            | ExprKind::Seq(a, b)
            | ExprKind::BinOp(_, _, a, b)
            | ExprKind::While(a, b) => e(a).max(e(b)),
            ExprKind::IndexSet(a, b, c) => e(a).max(e(b)).max(e(c)),
            ExprKind::If(c, t, f) => e(c).max(e(t)).max(f.as_deref().map_or(0, e)),
            ExprKind::For { from, to, body, .. } => e(from).max(e(to)).max(e(body)),
            ExprKind::Tuple(xs) | ExprKind::List(xs) | ExprKind::Array(xs) => {
                xs.iter().map(e).max().unwrap_or(0)
            }
            ExprKind::Record(fs) => fs.iter().map(|f| e(&f.value)).max().unwrap_or(0),
            ExprKind::RecordUpdate(base, fs) => {
                fs.iter().map(|f| e(&f.value)).fold(e(base), u32::max)
            }
            ExprKind::Fun(p, body) => self.of(p.span).max(e(body)),
            ExprKind::Let(g, body) => group(g).max(e(body)),
            ExprKind::Match(scrutinee, arms) | ExprKind::Try(scrutinee, arms) => arms
                .iter()
                .map(|a| {
                    let guard = a.guard.as_ref().map_or(0, e);
                    self.of(a.pattern.span).max(guard).max(e(&a.body))
                })
                .fold(e(scrutinee), u32::max),
            ExprKind::Annot(a, t) => e(a).max(self.of(t.span)),
        };
        children + 1
    }

    pub fn pattern(&self, kind: &PatternKind<()>) -> u32 {
        let p = |x: &UntypedPattern| self.of(x.span);
        let children = match kind {
            PatternKind::Wildcard
            | PatternKind::Var(..)
            | PatternKind::Lit(_)
            | PatternKind::Constructor(_, _, None) => 0,
            PatternKind::Constructor(_, _, Some(a)) | PatternKind::As(a, ..) => p(a),
            PatternKind::Tuple(ps) | PatternKind::List(ps) => ps.iter().map(p).max().unwrap_or(0),
            PatternKind::Cons(a, b) | PatternKind::Or(a, b) => p(a).max(p(b)),
            PatternKind::Record(fs, _) => fs.iter().map(|f| p(&f.pattern)).max().unwrap_or(0),
            PatternKind::Annot(a, t) => p(a).max(self.of(t.span)),
        };
        children + 1
    }

    pub fn ty(&self, kind: &TypeExprKind) -> u32 {
        let t = |x: &TypeExpr| self.of(x.span);
        let children = match kind {
            TypeExprKind::Var(_) => 0,
            TypeExprKind::Con(_, args) | TypeExprKind::Tuple(args) => {
                args.iter().map(t).max().unwrap_or(0)
            }
            TypeExprKind::Arrow(a, b) => t(a).max(t(b)),
        };
        children + 1
    }
}
