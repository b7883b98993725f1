//! What the checker records on the typed tree (`resolved.rs`): which
//! binding each name is, constructor tags, field indices, operator
//! instances and instantiation types.

use super::resolved::{Binder, CtorRef, FieldRef, OpInstance, VarTarget, VarUse};
use super::{Checker, Type, TypeInfo};
use crate::syntax::ast::{Expr, ExprKind, FileId, ItemKind, Pattern, PatternKind};
use crate::syntax::parse::parse_module;

/// Everything resolved in one program, in tree order.
#[derive(Default)]
struct Found {
    uses: Vec<(String, VarUse)>,
    binders: Vec<(String, Binder)>,
    ctors: Vec<(String, CtorRef)>,
    fields: Vec<(String, FieldRef)>,
    ops: Vec<(&'static str, OpInstance)>,
}

impl Found {
    fn expr(&mut self, e: &Expr<TypeInfo>) {
        match &e.kind {
            ExprKind::Var(path, var) => self.uses.push((path.to_string(), var.clone())),
            ExprKind::Constructor(path, ctor, arg) => {
                self.ctors.push((path.name.clone(), *ctor));
                arg.iter().for_each(|a| self.expr(a));
            }
            ExprKind::Fun(p, body) => {
                self.pattern(p);
                self.expr(body);
            }
            ExprKind::Let(group, body) => {
                for b in &group.bindings {
                    self.pattern(&b.pattern);
                    self.expr(&b.expr);
                }
                self.expr(body);
            }
            ExprKind::Match(scrutinee, arms) => {
                self.expr(scrutinee);
                for arm in arms {
                    self.pattern(&arm.pattern);
                    self.expr(&arm.body);
                }
            }
            ExprKind::App(a, b) | ExprKind::Seq(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                items.iter().for_each(|i| self.expr(i))
            }
            ExprKind::If(c, t, f) => {
                self.expr(c);
                self.expr(t);
                f.iter().for_each(|f| self.expr(f));
            }
            ExprKind::Record(fields) => {
                for f in fields {
                    self.fields.push((f.name.clone(), f.field));
                    self.expr(&f.value);
                }
            }
            ExprKind::RecordUpdate(base, fields) => {
                self.expr(base);
                for f in fields {
                    self.fields.push((f.name.clone(), f.field));
                    self.expr(&f.value);
                }
            }
            ExprKind::Field(record, name, _, field) => {
                self.expr(record);
                self.fields.push((name.clone(), *field));
            }
            ExprKind::BinOp(op, instance, a, b) => {
                self.ops.push((op.symbol(), instance.clone()));
                self.expr(a);
                self.expr(b);
            }
            ExprKind::UnOp(_, instance, a) => {
                self.ops.push(("neg", instance.clone()));
                self.expr(a);
            }
            ExprKind::For {
                var, binder, body, ..
            } => {
                self.binders.push((var.clone(), *binder));
                self.expr(body);
            }
            ExprKind::Annot(inner, _) | ExprKind::LocalOpen(_, _, inner) => self.expr(inner),
            ExprKind::Lit(_) => {}
            other => panic!("not walked by these tests: {other:?}"),
        }
    }

    fn pattern(&mut self, p: &Pattern<TypeInfo>) {
        match &p.kind {
            PatternKind::Var(name, binder) => self.binders.push((name.clone(), *binder)),
            PatternKind::As(inner, name, binder) => {
                self.pattern(inner);
                self.binders.push((name.clone(), *binder));
            }
            PatternKind::Constructor(path, ctor, arg) => {
                self.ctors.push((path.name.clone(), *ctor));
                arg.iter().for_each(|a| self.pattern(a));
            }
            PatternKind::Tuple(items) => items.iter().for_each(|i| self.pattern(i)),
            PatternKind::Or(a, b) => {
                self.pattern(a);
                self.pattern(b);
            }
            PatternKind::Record(fields, _) => {
                for f in fields {
                    self.fields.push((f.name.clone(), f.field));
                    self.pattern(&f.pattern);
                }
            }
            PatternKind::Annot(inner, _) => self.pattern(inner),
            PatternKind::Wildcard | PatternKind::Lit(_) => {}
            other => panic!("not walked by these tests: {other:?}"),
        }
    }
}

fn resolve_with(checker: &mut Checker, src: &str) -> Found {
    let items = parse_module(FileId(0), src).expect("parses");
    let checked = checker.check_module(None, items).expect("checks");
    let mut found = Found::default();
    for item in &checked.items {
        if let ItemKind::Let(group) = &item.kind {
            for b in &group.bindings {
                found.pattern(&b.pattern);
                found.expr(&b.expr);
            }
        }
    }
    found
}

fn resolve(src: &str) -> Found {
    resolve_with(&mut Checker::new(), src)
}

fn binders_named(found: &Found, name: &str) -> Vec<Binder> {
    found
        .binders
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, b)| *b)
        .collect()
}

fn binder(found: &Found, name: &str) -> Binder {
    match binders_named(found, name).first() {
        Some(b) => *b,
        None => panic!("no binder {name}"),
    }
}

/// What every use of `name` resolved to, in tree order.
fn targets(found: &Found, name: &str) -> Vec<VarTarget> {
    found
        .uses
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.target)
        .collect()
}

fn target(found: &Found, name: &str) -> VarTarget {
    found
        .uses
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.target)
        .unwrap_or_else(|| panic!("no use of {name}"))
}

#[test]
fn uses_name_their_binder() {
    let found = resolve("let top = 1\nlet f x = let y = x in (fun x -> x) y + top");
    assert!(matches!(binder(&found, "top"), Binder::Global(_)));
    assert!(matches!(binder(&found, "f"), Binder::Global(_)));
    assert_eq!(target(&found, "top"), binder(&found, "top").target());
    assert_eq!(target(&found, "y"), binder(&found, "y").target());
    // The inner `x` is the inner binder's, not the parameter's.
    let xs = binders_named(&found, "x");
    let x_uses = targets(&found, "x");
    assert_eq!(xs.len(), 2);
    assert_ne!(xs[0], xs[1]);
    assert_eq!(x_uses, [xs[0].target(), xs[1].target()]);
}

#[test]
fn primitives_are_their_table_entry() {
    let found = resolve("let () = print (String.length \"ab\")");
    for name in ["print", "String.length"] {
        let VarTarget::Prim(id) = target(&found, name) else {
            panic!("{name} is not a primitive");
        };
        let prim = &crate::runtime::prims::PRIMS[id.0 as usize];
        assert_eq!(
            name.rsplit('.').next(),
            Some(prim.name),
            "{name} resolved to {}",
            prim.name
        );
    }
}

#[test]
fn globals_are_named_and_redefinitions_are_new() {
    let mut checker = Checker::new();
    let first = resolve_with(&mut checker, "let x = 1");
    let second = resolve_with(&mut checker, "let x = 2\nlet y = x");
    let (Binder::Global(old), Binder::Global(new)) = (binder(&first, "x"), binder(&second, "x"))
    else {
        panic!("top-level binders are globals");
    };
    assert_ne!(old, new);
    assert_eq!(target(&second, "x"), VarTarget::Global(new));
    assert_eq!(
        checker.global_name(new),
        Some((String::new(), "x".to_string()))
    );
}

#[test]
fn rec_functions_and_or_patterns_share_binders() {
    let found = resolve(
        "type t = L of int | R of int\nlet rec f v = match v with L n | R n -> if n = 0 then 0 else f (L (n - 1))",
    );
    assert_eq!(target(&found, "f"), binder(&found, "f").target());
    let ns = binders_named(&found, "n");
    assert_eq!(ns.len(), 2);
    assert_eq!(ns[0], ns[1]);
    assert!(matches!(ns[0], Binder::Local(_)));
}

#[test]
fn constructors_and_fields_are_positions() {
    let found = resolve(
        "type p = { a : int; b : int }\ntype t = X | Y of p\nlet v = Y { b = 1; a = 2 }\nlet w = match v with Y { b; _ } -> b | X -> 0\nlet z = (match v with Y r -> { r with a = 3 } | X -> { a = 0; b = 0 }).b\nlet o = Some 1",
    );
    let tags: Vec<(&str, u32)> = found
        .ctors
        .iter()
        .map(|(n, c)| (n.as_str(), c.tag))
        .collect();
    assert_eq!(
        tags,
        [
            ("Y", 1),
            ("Y", 1),
            ("X", 0),
            ("Y", 1),
            ("X", 0),
            ("Some", 1)
        ]
    );
    let indices: Vec<(&str, u32)> = found
        .fields
        .iter()
        .map(|(n, f)| (n.as_str(), f.index))
        .collect();
    assert_eq!(
        indices,
        [
            ("b", 1),
            ("a", 0),
            ("b", 1),
            ("a", 0),
            ("a", 0),
            ("b", 1),
            ("b", 1)
        ]
    );
    let records: Vec<_> = found.fields.iter().map(|(_, f)| f.record).collect();
    assert!(records.iter().all(|r| *r == records[0]));
}

#[test]
fn operators_record_their_instance() {
    let found = resolve(
        "let a = 1 + 2\nlet b = 1.0 * 2.0\nlet t = Tensor.zeros [2]\nlet c = 2.0 * t\nlet d = t - 1.0\nlet e = \"a\" < \"b\"\nlet n = -t",
    );
    let ops: Vec<(&str, OpInstance)> = found.ops.clone();
    assert_eq!(
        ops,
        [
            ("+", OpInstance::Same(Type::int())),
            ("*", OpInstance::Same(Type::float())),
            ("*", OpInstance::FloatTensor),
            ("-", OpInstance::TensorFloat),
            ("<", OpInstance::Same(Type::string())),
            ("neg", OpInstance::Same(Type::tensor())),
        ]
    );
}

#[test]
fn deferred_mixed_arithmetic_is_recorded_once_decided() {
    // When `2.0 * t` is inferred, `t` is unknown; `Tensor.sum t` decides.
    let found = resolve("let c = fun t -> (2.0 * t, Tensor.sum t)");
    assert_eq!(found.ops, [("*", OpInstance::FloatTensor)]);
}

#[test]
fn polymorphic_uses_list_their_instantiation() {
    let found = resolve("let pair x y = (x, y)\nlet p = pair 1 \"s\"\nlet q = pair true");
    let instances: Vec<&Vec<Type>> = found
        .uses
        .iter()
        .filter(|(n, _)| n == "pair")
        .map(|(_, v)| &v.instance)
        .collect();
    assert_eq!(instances.len(), 2);
    assert_eq!(*instances[0], [Type::int(), Type::string()]);
    assert_eq!(instances[1][0], Type::bool());
    let local = found.uses.iter().find(|(n, _)| n == "x").expect("x used");
    assert!(local.1.instance.is_empty());
}

#[test]
fn user_operators_are_variables() {
    let found = resolve("let ( +! ) a b = a * b\nlet x = 2 +! 3\nlet f = ( +! )");
    let defined = binder(&found, "+!");
    assert!(matches!(defined, Binder::Global(_)));
    assert_eq!(targets(&found, "+!"), [defined.target(), defined.target()]);
}

#[test]
fn float_forms_are_the_float_instance_of_the_operators() {
    let found = resolve("let a = 1.0 +. 2.0\nlet b = 1.0 + 2.0\nlet c = ( *. ) 2.0\nlet n = -. a");
    let float = OpInstance::Same(Type::float());
    assert_eq!(
        found.ops,
        [
            ("+", float.clone()),
            ("+", float.clone()),
            ("*", float.clone()),
            ("neg", float),
        ]
    );
}

#[test]
fn a_local_open_resolves_to_the_module_member() {
    let found = resolve("let a = Tensor.(zeros [2])\nlet b = let open Tensor in sum a");
    let VarTarget::Prim(zeros) = target(&found, "zeros") else {
        panic!("`zeros` is not Tensor's primitive");
    };
    assert_eq!(crate::runtime::prims::PRIMS[zeros.0 as usize].name, "zeros");
    assert!(matches!(target(&found, "sum"), VarTarget::Prim(_)));
}
