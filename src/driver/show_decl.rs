//! Prints type declarations back as source, for the REPL's answer to a
//! `type` or `exception` item (OCaml's toplevel echoes the declaration the
//! same way).

use crate::syntax::ast::{ConstructorDecl, TypeBody, TypeDecl, TypeExpr, TypeExprKind};

/// `exception Name of t`.
pub fn show_exception(decl: &ConstructorDecl) -> String {
    format!("exception {}", show_constructor(decl))
}

fn show_constructor(c: &ConstructorDecl) -> String {
    match &c.arg {
        Some(arg) => format!("{} of {}", c.name, show_type_expr(arg)),
        None => c.name.clone(),
    }
}

/// One line per declaration of the group: `type 'a tree = Leaf of 'a | …`,
/// then `and …` for the others.
pub fn show_type_group(decls: &[TypeDecl]) -> Vec<String> {
    decls
        .iter()
        .enumerate()
        .map(|(i, decl)| {
            let keyword = if i == 0 { "type" } else { "and" };
            format!("{keyword} {}", show_type_decl(decl))
        })
        .collect()
}

fn show_type_decl(decl: &TypeDecl) -> String {
    let params = match decl.params.as_slice() {
        [] => String::new(),
        [one] => format!("{} ", type_var(one)),
        many => format!(
            "({}) ",
            many.iter()
                .map(|p| type_var(p))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let body = match &decl.body {
        TypeBody::Variant(constructors) => constructors
            .iter()
            .map(show_constructor)
            .collect::<Vec<_>>()
            .join(" | "),
        TypeBody::Record(fields) => format!(
            "{{ {} }}",
            fields
                .iter()
                .map(|f| {
                    let mutable = if f.mutable { "mutable " } else { "" };
                    format!("{mutable}{} : {}", f.name, show_type_expr(&f.ty))
                })
                .collect::<Vec<_>>()
                .join("; ")
        ),
        TypeBody::Alias(ty) => show_type_expr(ty),
    };
    format!("{params}{} = {body}", decl.name)
}

/// The parser may or may not keep the quote of `'a`; print it once.
fn type_var(name: &str) -> String {
    if name.starts_with('\'') {
        name.to_string()
    } else {
        format!("'{name}")
    }
}

pub fn show_type_expr(ty: &TypeExpr) -> String {
    match &ty.kind {
        TypeExprKind::Var(name) => type_var(name),
        TypeExprKind::Con(path, args) => match args.as_slice() {
            [] => path.to_string(),
            [arg] => format!("{} {path}", show_operand(arg)),
            many => format!(
                "({}) {path}",
                many.iter()
                    .map(show_type_expr)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
        TypeExprKind::Tuple(parts) => parts
            .iter()
            .map(show_operand)
            .collect::<Vec<_>>()
            .join(" * "),
        TypeExprKind::Arrow(from, to) => {
            let from = match from.kind {
                TypeExprKind::Arrow(..) => format!("({})", show_type_expr(from)),
                _ => show_type_expr(from),
            };
            format!("{from} -> {}", show_type_expr(to))
        }
    }
}

/// A tuple or arrow inside a tuple or as a type argument needs parentheses.
fn show_operand(ty: &TypeExpr) -> String {
    match ty.kind {
        TypeExprKind::Tuple(_) | TypeExprKind::Arrow(..) => format!("({})", show_type_expr(ty)),
        _ => show_type_expr(ty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::{ConstructorDecl, Path, Span};

    fn ty(kind: TypeExprKind) -> TypeExpr {
        TypeExpr {
            kind,
            span: Span::default(),
        }
    }

    fn con(name: &str, args: Vec<TypeExpr>) -> TypeExpr {
        ty(TypeExprKind::Con(Path::bare(name), args))
    }

    #[test]
    fn prints_a_parametric_recursive_variant() {
        let a = || ty(TypeExprKind::Var("a".into()));
        let tree = || con("tree", vec![a()]);
        let decl = TypeDecl {
            params: vec!["a".into()],
            name: "tree".into(),
            name_span: Span::default(),
            body: TypeBody::Variant(vec![
                ConstructorDecl {
                    name: "Leaf".into(),
                    span: Span::default(),
                    arg: Some(a()),
                },
                ConstructorDecl {
                    name: "Node".into(),
                    span: Span::default(),
                    arg: Some(ty(TypeExprKind::Tuple(vec![tree(), tree()]))),
                },
            ]),
            span: Span::default(),
        };
        assert_eq!(
            show_type_group(&[decl]),
            vec!["type 'a tree = Leaf of 'a | Node of 'a tree * 'a tree"]
        );
    }

    #[test]
    fn parenthesises_nested_arrows_and_tuples() {
        let int = || con("int", vec![]);
        let arrow = ty(TypeExprKind::Arrow(
            Box::new(ty(TypeExprKind::Arrow(Box::new(int()), Box::new(int())))),
            Box::new(con(
                "list",
                vec![ty(TypeExprKind::Tuple(vec![int(), int()]))],
            )),
        ));
        assert_eq!(show_type_expr(&arrow), "(int -> int) -> (int * int) list");
    }
}
