//! Which standard library modules a piece of source uses, so that a run
//! loads those and no others (the prelude is always loaded).
//!
//! Source reaches a module's bindings, constructors and types only through
//! the module's name: a qualified path (`List.map`, `M.C`, `M.t`) or
//! `open M`. Record fields are the exception: the checker finds a field
//! in any loaded module (`r.wx` works on an `NN.cell` without naming
//! `NN`), so a field name that a stdlib record declares uses that module
//! too. Erring on the side of loading is harmless (a module loaded
//! needlessly costs only time); missing one would change what a program
//! means.

use crate::stdlib::MODULES;
use crate::syntax::ast::{
    Expr, ExprKind, FieldExpr, Item, ItemKind, LetGroup, Path, Pattern, PatternKind, Phase,
    TypeBody, TypeExpr, TypeExprKind,
};
use std::collections::BTreeSet;

/// Indices in [`MODULES`] of the modules `items` use, in load order.
pub fn modules_used_by_items<A: Phase>(items: &[Item<A>]) -> Vec<usize> {
    let mut names = Names::default();
    for item in items {
        names.item(item);
    }
    names.stdlib_modules()
}

/// Indices in [`MODULES`] of the modules `expr` uses, in load order.
pub fn modules_used_by_expr<A: Phase>(expr: &Expr<A>) -> Vec<usize> {
    let mut names = Names::default();
    names.expr(expr);
    names.stdlib_modules()
}

/// The module qualifiers and field names some source mentions. The walk
/// recurses: the parser keeps trees shallow enough for that (E106).
#[derive(Default)]
struct Names {
    modules: BTreeSet<String>,
    fields: BTreeSet<String>,
}

impl Names {
    fn stdlib_modules(&self) -> Vec<usize> {
        MODULES
            .iter()
            .enumerate()
            .filter(|(_, module)| {
                self.modules.contains(module.name)
                    || module
                        .record_fields
                        .iter()
                        .any(|f| self.fields.contains(*f))
            })
            .map(|(index, _)| index)
            .collect()
    }

    fn qualifier(&mut self, path: &Path) {
        if let Some(module) = path.modules.first() {
            self.modules.insert(module.clone());
        }
    }

    /// `open M` or a local open: `M` is used.
    fn opened(&mut self, path: &Path) {
        let module = path.modules.first().unwrap_or(&path.name);
        self.modules.insert(module.clone());
    }

    fn item<A: Phase>(&mut self, item: &Item<A>) {
        match &item.kind {
            ItemKind::Let(group) => self.let_group(group),
            ItemKind::Type(decls, _) => {
                for decl in decls {
                    match &decl.body {
                        TypeBody::Variant(ctors) => ctors
                            .iter()
                            .filter_map(|c| c.arg.as_ref())
                            .for_each(|t| self.ty(t)),
                        TypeBody::Record(fields) => fields.iter().for_each(|f| self.ty(&f.ty)),
                        TypeBody::Alias(ty) => self.ty(ty),
                    }
                }
            }
            ItemKind::Open(path) => self.opened(path),
            ItemKind::Import(_) => {}
            ItemKind::Exception(decl) => decl.arg.iter().for_each(|t| self.ty(t)),
        }
    }

    fn let_group<A: Phase>(&mut self, group: &LetGroup<A>) {
        for binding in &group.bindings {
            self.pattern(&binding.pattern);
            self.expr(&binding.expr);
        }
    }

    fn expr<A: Phase>(&mut self, expr: &Expr<A>) {
        match &expr.kind {
            ExprKind::Lit(_) => {}
            ExprKind::Var(path, _) => self.qualifier(path),
            ExprKind::Constructor(path, _, arg) => {
                self.qualifier(path);
                arg.iter().for_each(|a| self.expr(a));
            }
            ExprKind::App(a, b)
            | ExprKind::Index(a, b)
            | ExprKind::Assign(a, b)
            | ExprKind::Seq(a, b)
            | ExprKind::BinOp(_, _, a, b)
            | ExprKind::While(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::IndexSet(a, b, c) => {
                self.expr(a);
                self.expr(b);
                self.expr(c);
            }
            ExprKind::Deref(e)
            | ExprKind::Ref(e)
            | ExprKind::UnOp(_, _, e)
            | ExprKind::Shift(_, _, _, e)
            | ExprKind::Assert(e, _)
            | ExprKind::Reset(e) => self.expr(e),
            ExprKind::If(cond, then, otherwise) => {
                self.expr(cond);
                self.expr(then);
                otherwise.iter().for_each(|e| self.expr(e));
            }
            ExprKind::Tuple(parts) | ExprKind::List(parts) | ExprKind::Array(parts) => {
                parts.iter().for_each(|e| self.expr(e))
            }
            ExprKind::For { from, to, body, .. } => {
                self.expr(from);
                self.expr(to);
                self.expr(body);
            }
            ExprKind::Fun(param, body) => {
                self.pattern(param);
                self.expr(body);
            }
            ExprKind::Let(group, body) => {
                self.let_group(group);
                self.expr(body);
            }
            ExprKind::Match(scrutinee, arms) | ExprKind::Try(scrutinee, arms) => {
                self.expr(scrutinee);
                for arm in arms {
                    self.pattern(&arm.pattern);
                    arm.guard.iter().for_each(|g| self.expr(g));
                    self.expr(&arm.body);
                }
            }
            ExprKind::Record(fields) => self.field_exprs(fields),
            ExprKind::RecordUpdate(base, fields) => {
                self.expr(base);
                self.field_exprs(fields);
            }
            ExprKind::Field(record, name, _, _) => {
                self.expr(record);
                self.fields.insert(name.clone());
            }
            ExprKind::FieldSet(record, name, _, _, value) => {
                self.expr(record);
                self.fields.insert(name.clone());
                self.expr(value);
            }
            ExprKind::LocalOpen(module, _, body) => {
                self.opened(module);
                self.expr(body);
            }
            ExprKind::Annot(e, ty) => {
                self.expr(e);
                self.ty(ty);
            }
        }
    }

    fn field_exprs<A: Phase>(&mut self, fields: &[FieldExpr<A>]) {
        for field in fields {
            self.fields.insert(field.name.clone());
            self.expr(&field.value);
        }
    }

    fn pattern<A: Phase>(&mut self, pattern: &Pattern<A>) {
        match &pattern.kind {
            PatternKind::Wildcard | PatternKind::Var(..) | PatternKind::Lit(_) => {}
            PatternKind::Tuple(parts) | PatternKind::List(parts) => {
                parts.iter().for_each(|p| self.pattern(p))
            }
            PatternKind::Constructor(path, _, arg) => {
                self.qualifier(path);
                arg.iter().for_each(|p| self.pattern(p));
            }
            PatternKind::Cons(a, b) | PatternKind::Or(a, b) => {
                self.pattern(a);
                self.pattern(b);
            }
            PatternKind::Record(fields, _) => {
                for field in fields {
                    self.fields.insert(field.name.clone());
                    self.pattern(&field.pattern);
                }
            }
            PatternKind::As(inner, ..) => self.pattern(inner),
            PatternKind::Annot(inner, ty) => {
                self.pattern(inner);
                self.ty(ty);
            }
        }
    }

    fn ty(&mut self, ty: &TypeExpr) {
        match &ty.kind {
            TypeExprKind::Var(_) => {}
            TypeExprKind::Con(path, args) => {
                self.qualifier(path);
                args.iter().for_each(|t| self.ty(t));
            }
            TypeExprKind::Tuple(parts) => parts.iter().for_each(|t| self.ty(t)),
            TypeExprKind::Arrow(from, to) => {
                self.ty(from);
                self.ty(to);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::FileId;
    use crate::syntax::parse::parse_module;

    fn used_by(text: &str) -> Vec<&'static str> {
        let items = parse_module(FileId(0), text).expect("test source parses");
        modules_used_by_items(&items)
            .into_iter()
            .map(|i| MODULES[i].name)
            .collect()
    }

    #[test]
    fn qualified_names_and_opens_use_their_module() {
        assert_eq!(used_by("let () = print 1"), Vec::<&str>::new());
        assert_eq!(used_by("let n = List.length [1]"), ["List"]);
        assert_eq!(used_by("open Option\nlet x = 1"), ["Option"]);
        assert_eq!(
            used_by("let f (t : Tensor.t) = match t with Array.X -> String.concat"),
            ["Array", "String", "Tensor"]
        );
        assert_eq!(used_by("let f = fun (Random.Seed x) -> x"), ["Random"]);
    }

    #[test]
    fn a_stdlib_record_field_uses_its_module() {
        assert_eq!(used_by("let f c = c.wx"), ["NN"]);
        assert_eq!(used_by("let f { wh; _ } = wh"), ["NN"]);
        assert_eq!(used_by("let f c = { c with x = 1 }"), Vec::<&str>::new());
    }
}
