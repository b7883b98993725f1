//! The sugar of operators (§11): user-defined infix operators, which are
//! ordinary names applied to their operands; the float-only forms `+. -.
//! *. /.`; and operators in parentheses, which are function values.
//!
//! The lexer has already given each user operator its level from its
//! first character (`token.rs`); here an operator becomes what later
//! phases know: `a |> f` is `(|>) a f`, a `Var` named `|>`, resolved by the
//! checker like any name.
//!
//! Codes: E107 a built-in operator (or a float form) used as the name of a
//! definition; E108 an operator that is not a prefix operator used as one.

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::sugar::Builder;

/// What `( op )` names: a built-in operator of §3 or a user operator.
#[derive(Clone, Debug)]
pub enum OperatorName {
    Builtin(BinOp),
    User(String),
}

/// Parameter names of the function a built-in operator in parentheses
/// becomes; `$` cannot start a user identifier, so they capture nothing.
const LEFT: &str = "$left";
const RIGHT: &str = "$right";

/// `+. -. *. /.`: the float instances of `+ - * /`. They are the same
/// operators with operands required to be floats, so they differentiate
/// and run exactly as `+ - * /` on floats do.
fn float_form(op: &str) -> Option<BinOp> {
    match op {
        "+." => Some(BinOp::Add),
        "-." => Some(BinOp::Sub),
        "*." => Some(BinOp::Mul),
        "/." => Some(BinOp::Div),
        _ => None,
    }
}

impl Builder {
    /// `x op y` for an operator lexed as a user operator at `l..r`.
    pub fn infix(
        &self,
        op: String,
        l: usize,
        r: usize,
        x: UntypedExpr,
        y: UntypedExpr,
    ) -> UntypedExpr {
        let op_span = self.span(l, r);
        if let Some(builtin) = float_form(&op) {
            let x = self.as_float(x, op_span);
            let y = self.as_float(y, op_span);
            return self.binop(builtin, x, y);
        }
        let f = self.expr_at(ExprKind::Var(Path::bare(op), ()), op_span);
        let span = x.span.to(y.span);
        let partial_span = x.span.to(op_span);
        let partial = self.expr_at(ExprKind::App(Box::new(f), Box::new(x)), partial_span);
        self.expr_at(ExprKind::App(Box::new(partial), Box::new(y)), span)
    }

    /// `-. e`, the one user-spelled prefix operator (float negation).
    pub fn prefix(
        &self,
        op: String,
        op_at: (usize, usize),
        e: UntypedExpr,
        l: usize,
        r: usize,
    ) -> UntypedExpr {
        let op_span = self.span(op_at.0, op_at.1);
        if op == "-." {
            let e = self.as_float(e, op_span);
            return self.negate(e, l, r);
        }
        self.report(
            Diagnostic::error("E108", format!("`{op}` is not a prefix operator"))
                .with_label(op_span, "an infix operator needs a left operand")
                .with_note("the prefix operators are `-`, `-.`, `not` and `!`"),
        );
        e
    }

    /// `( op )`: the operator as a function value. A user operator is its
    /// name; a built-in one (or a float form) is `fun $left $right -> $left
    /// op $right`, so it keeps the operator's typing (`(+)` is as
    /// polymorphic over `num` as `+` is).
    pub fn section(&self, op: OperatorName, l: usize, r: usize) -> UntypedExpr {
        let span = self.span(l, r);
        let operand = |name: &str| self.expr_at(ExprKind::Var(Path::bare(name), ()), span);
        let body = match op {
            OperatorName::User(name) => match float_form(&name) {
                Some(builtin) => {
                    let x = self.as_float(operand(LEFT), span);
                    let y = self.as_float(operand(RIGHT), span);
                    self.binop(builtin, x, y)
                }
                None => return self.expr_at(ExprKind::Var(Path::bare(name), ()), span),
            },
            OperatorName::Builtin(builtin) => self.binop(builtin, operand(LEFT), operand(RIGHT)),
        };
        let body = Expr { span, ..body };
        let param = |name: &str| self.pat_at(PatternKind::Var(name.to_string(), ()), span);
        let inner = self.expr_at(ExprKind::Fun(Box::new(param(RIGHT)), Box::new(body)), span);
        self.expr_at(ExprKind::Fun(Box::new(param(LEFT)), Box::new(inner)), span)
    }

    /// `M.( op )`: a user operator defined in `M`. A built-in operator
    /// belongs to no module, so `M.(+)` is `(+)`.
    pub fn qualified_section(
        &self,
        modules: Vec<String>,
        op: OperatorName,
        l: usize,
        r: usize,
    ) -> UntypedExpr {
        match op {
            OperatorName::User(name) if float_form(&name).is_none() => {
                let path = Path { modules, name };
                self.expr(ExprKind::Var(path, ()), l, r)
            }
            op => self.section(op, l, r),
        }
    }

    /// The name `let ( op ) … =` binds. Only user operators can be
    /// defined: `a + b` is syntax, not a use of a name `+`, so a binding
    /// of `+` (or of a float form) would never be used.
    pub fn operator_binder(&self, op: OperatorName, l: usize, r: usize) -> String {
        let name = match op {
            OperatorName::User(name) if float_form(&name).is_none() => return name,
            OperatorName::User(name) => name,
            OperatorName::Builtin(builtin) => builtin.symbol().to_string(),
        };
        self.report(
            Diagnostic::error("E107", format!("the built-in operator `{name}` cannot be redefined"))
                .with_label(self.span(l, r), "a built-in operator")
                .with_note("define an operator of your own, such as `( +! )`: it takes the level of its first character"),
        );
        name
    }

    /// `(e : float)`, the annotation standing at the operator that asks
    /// for it, and the node spanning both (the checker's messages tell an
    /// operator from a written annotation so).
    fn as_float(&self, e: UntypedExpr, op_span: Span) -> UntypedExpr {
        let float = TypeExpr {
            kind: TypeExprKind::Con(Path::bare("float"), Vec::new()),
            span: op_span,
        };
        let span = e.span.to(op_span);
        self.expr_at(ExprKind::Annot(Box::new(e), float), span)
    }
}

/// A bound name as a declaration shows it: an operator in parentheses,
/// `val ( +! ) : …`, as OCaml prints it.
pub fn declared_name(name: &str) -> std::borrow::Cow<'_, str> {
    let is_operator = name
        .chars()
        .next()
        .is_some_and(|c| "!$%&*+-./:<=>?@^|~".contains(c));
    match is_operator {
        true => format!("( {name} )").into(),
        false => name.into(),
    }
}

/// `A.B.` (a module prefix as the grammar collects it) as the path `A.B`.
pub fn module_path(mut modules: Vec<String>) -> Path {
    let name = modules.pop().unwrap_or_default();
    Path { modules, name }
}
