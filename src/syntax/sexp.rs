//! A compact s-expression rendering of the AST, for tests and debugging:
//! `(+ 1 (* 2 3))`, `(let (x 1) x)`, `(fun x (app f x))`.

use crate::syntax::ast::*;

pub fn item<A: Phase>(item: &Item<A>) -> String {
    match &item.kind {
        ItemKind::Let(group) => format!("(let{} {})", rec(group), bindings(group)),
        ItemKind::Type(decls, _) => {
            let decls: Vec<String> = decls.iter().map(type_decl).collect();
            format!("(type {})", decls.join(" "))
        }
        ItemKind::Open(path) => format!("(open {path})"),
        ItemKind::Import(name) => format!("(import {name})"),
        ItemKind::Exception(c) => format!("(exception {})", constructor_decl(c)),
    }
}

pub fn expr<A: Phase>(e: &Expr<A>) -> String {
    match &e.kind {
        ExprKind::Lit(lit) => literal(lit),
        ExprKind::Var(path, _) => path.to_string(),
        ExprKind::Constructor(path, _, None) => path.to_string(),
        ExprKind::Constructor(path, _, Some(arg)) => format!("({path} {})", expr(arg)),
        ExprKind::App(f, a) => format!("(app {} {})", expr(f), expr(a)),
        ExprKind::Fun(p, body) => format!("(fun {} {})", pattern(p), expr(body)),
        ExprKind::Let(group, body) => {
            format!("(let{} {} {})", rec(group), bindings(group), expr(body))
        }
        ExprKind::If(c, t, None) => format!("(if {} {})", expr(c), expr(t)),
        ExprKind::If(c, t, Some(e)) => format!("(if {} {} {})", expr(c), expr(t), expr(e)),
        ExprKind::Match(scrutinee, arms) => {
            let arms: Vec<String> = arms.iter().map(arm).collect();
            format!("(match {} {})", expr(scrutinee), arms.join(" "))
        }
        ExprKind::Try(body, arms) => {
            let arms: Vec<String> = arms.iter().map(arm).collect();
            format!("(try {} {})", expr(body), arms.join(" "))
        }
        ExprKind::Assert(cond, site) => format!(
            "(assert {} {:?} {} {})",
            expr(cond),
            site.file,
            site.line,
            site.column
        ),
        ExprKind::Tuple(items) => format!("(tuple {})", list(items, expr)),
        ExprKind::List(items) => format!("[{}]", list(items, expr)),
        ExprKind::Array(items) => format!("[|{}|]", list(items, expr)),
        ExprKind::Record(fields) => format!("{{{}}}", field_exprs(fields)),
        ExprKind::RecordUpdate(base, fields) => {
            format!("{{{} with {}}}", expr(base), field_exprs(fields))
        }
        ExprKind::Field(e, name, ..) => format!("(. {} {name})", expr(e)),
        ExprKind::FieldSet(r, name, _, _, v) => format!("(.<- {} {name} {})", expr(r), expr(v)),
        ExprKind::Index(a, i) => format!("(.() {} {})", expr(a), expr(i)),
        ExprKind::IndexSet(a, i, v) => format!("(<- {} {} {})", expr(a), expr(i), expr(v)),
        ExprKind::Assign(r, v) => format!("(:= {} {})", expr(r), expr(v)),
        ExprKind::Deref(r) => format!("(! {})", expr(r)),
        ExprKind::Ref(e) => format!("(ref {})", expr(e)),
        ExprKind::Seq(a, b) => format!("(; {} {})", expr(a), expr(b)),
        ExprKind::BinOp(op, _, a, b) => format!("({} {} {})", op.symbol(), expr(a), expr(b)),
        ExprKind::UnOp(UnOp::Neg, _, a) => format!("(neg {})", expr(a)),
        ExprKind::UnOp(UnOp::Not, _, a) => format!("(not {})", expr(a)),
        ExprKind::For {
            var,
            from,
            to,
            downward,
            body,
            ..
        } => {
            let dir = if *downward { "downto" } else { "to" };
            format!(
                "(for {var} {} {dir} {} {})",
                expr(from),
                expr(to),
                expr(body)
            )
        }
        ExprKind::While(c, body) => format!("(while {} {})", expr(c), expr(body)),
        ExprKind::Annot(e, t) => format!("(: {} {})", expr(e), ty(t)),
        ExprKind::Shift(k, _, _, body) => format!("(shift {k} {})", expr(body)),
        ExprKind::Reset(e) => format!("(reset {})", expr(e)),
        ExprKind::LocalOpen(m, _, e) => format!("(open {m} {})", expr(e)),
    }
}

pub fn pattern<A: Phase>(p: &Pattern<A>) -> String {
    match &p.kind {
        PatternKind::Wildcard => "_".into(),
        PatternKind::Var(x, _) => x.clone(),
        PatternKind::Lit(lit) => literal(lit),
        PatternKind::Tuple(items) => format!("(tuple {})", list(items, pattern)),
        PatternKind::Constructor(path, _, None) => path.to_string(),
        PatternKind::Constructor(path, _, Some(arg)) => format!("({path} {})", pattern(arg)),
        PatternKind::List(items) => format!("[{}]", list(items, pattern)),
        PatternKind::Cons(a, b) => format!("(:: {} {})", pattern(a), pattern(b)),
        PatternKind::Record(fields, open) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|f| format!("{}={}", f.name, pattern(&f.pattern)))
                .collect();
            format!("{{{}{}}}", fields.join(" "), if *open { " _" } else { "" })
        }
        PatternKind::Or(a, b) => format!("(| {} {})", pattern(a), pattern(b)),
        PatternKind::As(p, x, _) => format!("(as {} {x})", pattern(p)),
        PatternKind::Annot(p, t) => format!("(: {} {})", pattern(p), ty(t)),
    }
}

pub fn ty(t: &TypeExpr) -> String {
    match &t.kind {
        TypeExprKind::Var(v) => format!("'{v}"),
        TypeExprKind::Con(path, args) if args.is_empty() => path.to_string(),
        TypeExprKind::Con(path, args) => format!("({path} {})", list(args, ty)),
        TypeExprKind::Tuple(items) => format!("(* {})", list(items, ty)),
        TypeExprKind::Arrow(a, b) => format!("(-> {} {})", ty(a), ty(b)),
    }
}

fn constructor_decl(c: &ConstructorDecl) -> String {
    match &c.arg {
        Some(t) => format!("({} {})", c.name, ty(t)),
        None => c.name.clone(),
    }
}

fn type_decl(d: &TypeDecl) -> String {
    let params: String = d.params.iter().map(|p| format!("'{p} ")).collect();
    let body = match &d.body {
        TypeBody::Alias(t) => ty(t),
        TypeBody::Variant(ctors) => {
            let ctors: Vec<String> = ctors.iter().map(constructor_decl).collect();
            format!("(| {})", ctors.join(" "))
        }
        TypeBody::Record(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|f| {
                    let mutable = if f.mutable { "mutable " } else { "" };
                    format!("{mutable}{}:{}", f.name, ty(&f.ty))
                })
                .collect();
            format!("{{{}}}", fields.join(" "))
        }
    };
    format!("({params}{} {body})", d.name)
}

fn rec<A: Phase>(group: &LetGroup<A>) -> &'static str {
    if group.recursive {
        " rec"
    } else {
        ""
    }
}

fn bindings<A: Phase>(group: &LetGroup<A>) -> String {
    let bs: Vec<String> = group
        .bindings
        .iter()
        .map(|b| format!("({} {})", pattern(&b.pattern), expr(&b.expr)))
        .collect();
    bs.join(" ")
}

fn arm<A: Phase>(a: &Arm<A>) -> String {
    match &a.guard {
        Some(g) => format!(
            "({} when {} -> {})",
            pattern(&a.pattern),
            expr(g),
            expr(&a.body)
        ),
        None => format!("({} -> {})", pattern(&a.pattern), expr(&a.body)),
    }
}

fn field_exprs<A: Phase>(fields: &[FieldExpr<A>]) -> String {
    let fs: Vec<String> = fields
        .iter()
        .map(|f| format!("{}={}", f.name, expr(&f.value)))
        .collect();
    fs.join(" ")
}

fn list<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
    let shown: Vec<String> = items.iter().map(show).collect();
    shown.join(" ")
}

fn literal(lit: &Literal) -> String {
    match lit {
        Literal::Int(n) => n.to_string(),
        Literal::Float(x) => format!("{x:?}"),
        Literal::String(s) => format!("{s:?}"),
        Literal::Bool(b) => b.to_string(),
        Literal::Unit => "()".into(),
    }
}
