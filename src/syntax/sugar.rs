//! AST construction for the grammar's actions, and the sugar they remove.
//!
//! The grammar (`grammar/dlang.lalrpop`) stays declarative: every action is
//! one call into [`Builder`], which knows the file being parsed, builds
//! spanned nodes, desugars (`let f x = e`, `fun p1 p2 -> e`, `function`) and
//! collects the diagnostics that do not stop parsing (such as an integer
//! literal out of range).

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::depth::{Depths, MAX_DEPTH};
use crate::syntax::lexer::Lexer;
use crate::syntax::token::Token;
use std::cell::{Cell, RefCell};

/// The name `function | arms` binds its argument to. `$` cannot start a
/// user identifier, so it never captures one.
pub const FUNCTION_ARG: &str = "$arg";

/// The file an `assert` outside any named file reports: OCaml's name
/// for toplevel input.
pub const TOPLEVEL_FILE: &str = "//toplevel//";

/// 2^63: the one integer literal that is in range only when negated.
const I64_MIN_MAGNITUDE: u128 = 1 << 63;

/// One top-level piece of a file: an item, or a bare expression (only
/// legal in the REPL; a file reports E103 for it).
#[derive(Clone, Debug)]
pub enum Top {
    Item(UntypedItem),
    Expr(UntypedExpr),
}

pub struct Builder {
    pub file: FileId,
    /// The file's name as `assert` reports it.
    file_name: String,
    /// Offsets of the line starts after the first, for `assert`'s line
    /// and column.
    line_starts: Vec<usize>,
    /// Tokens at the very start of a line and outside every bracket, in
    /// order: where an application argument most likely begins a new
    /// top-level expression instead.
    line_openers: Vec<usize>,
    /// Offsets of the line breaks, to extend a label to the end of a line.
    line_breaks: Vec<usize>,
    text_len: usize,
    /// Non-fatal diagnostics found while parsing.
    pending: RefCell<Vec<Diagnostic>>,
    depths: Depths,
    /// E106 is reported once, at the first node too deep.
    too_deep: Cell<bool>,
}

impl Builder {
    /// A builder for input that is not a named file (the REPL): an
    /// `assert` reports [`TOPLEVEL_FILE`].
    pub fn new(file: FileId, text: &str) -> Builder {
        Builder::named(file, TOPLEVEL_FILE, text)
    }

    pub fn named(file: FileId, name: &str, text: &str) -> Builder {
        Builder {
            file,
            file_name: name.to_string(),
            line_starts: text.match_indices('\n').map(|(i, _)| i + 1).collect(),
            line_openers: line_openers(text),
            line_breaks: text
                .match_indices('\n')
                .map(|(i, _)| if text[..i].ends_with('\r') { i - 1 } else { i })
                .collect(),
            text_len: text.len(),
            pending: RefCell::new(Vec::new()),
            depths: Depths::default(),
            too_deep: Cell::new(false),
        }
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.pending.into_inner()
    }

    /// Where the line holding `offset` ends (before its line break).
    fn line_end(&self, offset: usize) -> usize {
        let i = self.line_breaks.partition_point(|&b| b < offset);
        self.line_breaks.get(i).copied().unwrap_or(self.text_len)
    }

    pub fn span(&self, l: usize, r: usize) -> Span {
        Span::new(self.file, l, r)
    }

    pub fn expr(&self, kind: ExprKind<()>, l: usize, r: usize) -> UntypedExpr {
        self.expr_at(kind, self.span(l, r))
    }

    pub fn pat(&self, kind: PatternKind<()>, l: usize, r: usize) -> UntypedPattern {
        self.pat_at(kind, self.span(l, r))
    }

    pub fn ty(&self, kind: TypeExprKind, l: usize, r: usize) -> TypeExpr {
        self.ty_at(kind, self.span(l, r))
    }

    /// Every expression node is built here, so none nests too deeply: a
    /// node past [`MAX_DEPTH`] is replaced by `()` (its children, being
    /// shallow enough, are dropped safely) and E106 is reported.
    pub fn expr_at(&self, kind: ExprKind<()>, span: Span) -> UntypedExpr {
        let depth = self.depths.expr(&kind);
        let kind = if self.within_limit(depth, span) {
            kind
        } else {
            ExprKind::Lit(Literal::Unit)
        };
        Expr {
            kind,
            span,
            ann: (),
        }
    }

    pub fn pat_at(&self, kind: PatternKind<()>, span: Span) -> UntypedPattern {
        let depth = self.depths.pattern(&kind);
        let kind = if self.within_limit(depth, span) {
            kind
        } else {
            PatternKind::Wildcard
        };
        Pattern {
            kind,
            span,
            ann: (),
        }
    }

    pub fn ty_at(&self, kind: TypeExprKind, span: Span) -> TypeExpr {
        let depth = self.depths.ty(&kind);
        let kind = if self.within_limit(depth, span) {
            kind
        } else {
            TypeExprKind::Tuple(Vec::new())
        };
        TypeExpr { kind, span }
    }

    fn within_limit(&self, depth: u32, span: Span) -> bool {
        if depth <= MAX_DEPTH {
            self.depths.record(span, depth);
            return true;
        }
        if !self.too_deep.replace(true) {
            self.report(
                Diagnostic::error("E106", format!("nested more than {MAX_DEPTH} levels deep"))
                    .with_label(span, "the nesting passes the limit here")
                    .with_note("split the expression with `let` bindings or helper functions"),
            );
        }
        false
    }

    /// A parenthesised pattern or type keeps its node, with a span that
    /// covers the parentheses.
    pub fn reparen_pat(&self, mut p: UntypedPattern, l: usize, r: usize) -> UntypedPattern {
        let span = self.span(l, r);
        self.depths.moved(p.span, span);
        p.span = span;
        p
    }

    pub fn reparen_ty(&self, mut t: TypeExpr, l: usize, r: usize) -> TypeExpr {
        let span = self.span(l, r);
        self.depths.moved(t.span, span);
        t.span = span;
        t
    }

    /// `assert e`, with the place OCaml's `Assert_failure` reports: the
    /// file, the line (from 1) and the column (from 0) where `assert`
    /// starts.
    pub fn assertion(&self, e: UntypedExpr, l: usize, r: usize) -> UntypedExpr {
        let line = self.line_starts.partition_point(|&start| start <= l);
        let line_start = line.checked_sub(1).map_or(0, |i| self.line_starts[i]);
        let site = AssertSite {
            file: self.file_name.clone(),
            line: line as i64 + 1,
            column: (l - line_start) as i64,
        };
        self.expr(ExprKind::Assert(Box::new(e), site), l, r)
    }

    pub fn item(&self, kind: ItemKind<()>, l: usize, r: usize) -> Top {
        Top::Item(Item {
            kind,
            span: self.span(l, r),
        })
    }

    /// A parenthesised expression keeps its node but its span grows to
    /// cover the parentheses, so labels point at what the user wrote.
    pub fn parens(&self, mut e: UntypedExpr, l: usize, r: usize) -> UntypedExpr {
        let span = self.span(l, r);
        self.depths.moved(e.span, span);
        e.span = span;
        e
    }

    pub fn binop(&self, op: BinOp, a: UntypedExpr, b: UntypedExpr) -> UntypedExpr {
        let span = a.span.to(b.span);
        self.expr_at(ExprKind::BinOp(op, (), Box::new(a), Box::new(b)), span)
    }

    /// Application. An argument at the very start of a line, after a
    /// function on an earlier line, is almost surely a new top-level
    /// expression the user forgot to bind (OCaml would silently glue the
    /// two lines into one call), so that is reported as E103.
    pub fn app(&self, f: UntypedExpr, a: UntypedExpr) -> UntypedExpr {
        let start = a.span.start as usize;
        if f.span.start < a.span.start && self.line_openers.binary_search(&start).is_ok() {
            let line = Span::new(self.file, start, self.line_end(start));
            self.report(crate::syntax::parse_error::glued_line(line));
        }
        let span = f.span.to(a.span);
        self.expr_at(ExprKind::App(Box::new(f), Box::new(a)), span)
    }

    /// Integer literal text (digits and `_`) to its value. 2^63 is accepted
    /// provisionally because `-9223372036854775808` is valid: [`Self::negate`]
    /// withdraws the error when the literal turns out to be negated.
    pub fn int_literal(&self, text: &str, l: usize, r: usize) -> Literal {
        match parse_magnitude(text) {
            Some(n) if n < I64_MIN_MAGNITUDE => Literal::Int(n as i64),
            Some(I64_MIN_MAGNITUDE) => {
                self.report(int_too_large(self.span(l, r)));
                Literal::Int(i64::MIN)
            }
            _ => {
                self.report(int_too_large(self.span(l, r)));
                Literal::Int(0)
            }
        }
    }

    pub fn float_literal(&self, text: &str) -> Literal {
        let digits: String = text.chars().filter(|c| *c != '_').collect();
        // The lexer's regular expression only admits valid float syntax.
        Literal::Float(digits.parse().unwrap_or(f64::NAN))
    }

    /// Unary minus. `-1` and `-1.5` are literals, as in OCaml.
    pub fn negate(&self, e: UntypedExpr, l: usize, r: usize) -> UntypedExpr {
        match e.kind {
            // `- -9223372036854775808` overflows: leave it to run time.
            ExprKind::Lit(Literal::Int(i64::MIN)) if !self.is_pending_at(e.span) => {
                self.expr(ExprKind::UnOp(UnOp::Neg, (), Box::new(e)), l, r)
            }
            ExprKind::Lit(lit @ (Literal::Int(_) | Literal::Float(_))) => {
                let lit = self.negate_literal(lit, e.span);
                self.expr(ExprKind::Lit(lit), l, r)
            }
            kind => {
                let inner = Expr { kind, ..e };
                self.expr(ExprKind::UnOp(UnOp::Neg, (), Box::new(inner)), l, r)
            }
        }
    }

    /// `-n` in a pattern.
    pub fn negate_literal(&self, lit: Literal, lit_span: Span) -> Literal {
        match lit {
            Literal::Int(i64::MIN) => {
                self.withdraw(lit_span);
                Literal::Int(i64::MIN)
            }
            Literal::Int(n) => Literal::Int(-n),
            Literal::Float(x) => Literal::Float(-x),
            other => other,
        }
    }

    fn is_pending_at(&self, span: Span) -> bool {
        self.pending
            .borrow()
            .iter()
            .any(|d| d.labels.first().map(|l| l.span) == Some(span))
    }

    pub(super) fn report(&self, d: Diagnostic) {
        self.pending.borrow_mut().push(d);
    }

    /// Drops the pending diagnostic whose primary label is at `span`.
    fn withdraw(&self, span: Span) {
        self.pending
            .borrow_mut()
            .retain(|d| d.labels.first().map(|l| l.span) != Some(span));
    }

    /// `fun p1 p2 ... -> body` as nested one-parameter functions.
    pub fn lambda(&self, params: Vec<UntypedPattern>, body: UntypedExpr, l: usize) -> UntypedExpr {
        let end = body.span.end as usize;
        let mut result = body;
        let mut starts: Vec<usize> = params.iter().map(|p| p.span.start as usize).collect();
        if let Some(first) = starts.first_mut() {
            *first = l;
        }
        for (p, start) in params.into_iter().zip(starts).rev() {
            result = self.expr(ExprKind::Fun(Box::new(p), Box::new(result)), start, end);
        }
        result
    }

    /// `function | arms` is `fun $arg -> match $arg with arms`.
    pub fn function(&self, arms: Vec<Arm<()>>, l: usize, r: usize) -> UntypedExpr {
        let arg_pat = self.pat(PatternKind::Var(FUNCTION_ARG.into(), ()), l, l);
        let arg = self.expr(ExprKind::Var(Path::bare(FUNCTION_ARG), ()), l, l);
        let body = self.expr(ExprKind::Match(Box::new(arg), arms), l, r);
        self.expr(ExprKind::Fun(Box::new(arg_pat), Box::new(body)), l, r)
    }

    /// `p [: t] = e`.
    pub fn value_binding(
        &self,
        pattern: UntypedPattern,
        annotation: Option<TypeExpr>,
        expr: UntypedExpr,
        l: usize,
        r: usize,
    ) -> Binding<()> {
        let pattern = match annotation {
            Some(t) => {
                let span = pattern.span.to(t.span);
                self.pat_at(PatternKind::Annot(Box::new(pattern), t), span)
            }
            None => pattern,
        };
        Binding {
            pattern,
            expr,
            span: self.span(l, r),
        }
    }

    /// `f p1 p2 [: t] = e` is `f = fun p1 -> fun p2 -> (e : t)`.
    #[allow(clippy::too_many_arguments)]
    pub fn function_binding(
        &self,
        name: String,
        name_span: (usize, usize),
        params: Vec<UntypedPattern>,
        result_type: Option<TypeExpr>,
        body: UntypedExpr,
        l: usize,
        r: usize,
    ) -> Binding<()> {
        let body = match result_type {
            Some(t) => {
                let span = body.span;
                self.expr_at(ExprKind::Annot(Box::new(body), t), span)
            }
            None => body,
        };
        let params_start = params
            .first()
            .map(|p| p.span.start as usize)
            .unwrap_or(name_span.1);
        let expr = self.lambda(params, body, params_start);
        Binding {
            pattern: self.pat(PatternKind::Var(name, ()), name_span.0, name_span.1),
            expr,
            span: self.span(l, r),
        }
    }

    pub fn let_group(&self, recursive: bool, bindings: Vec<Binding<()>>) -> LetGroup<()> {
        LetGroup {
            recursive,
            bindings,
        }
    }

    /// `{ x }` in an expression is `{ x = x }`.
    pub fn field_pun(&self, name: String, l: usize, r: usize) -> FieldExpr<()> {
        let value = self.expr(ExprKind::Var(Path::bare(name.clone()), ()), l, r);
        FieldExpr {
            name,
            name_span: self.span(l, r),
            field: (),
            value,
        }
    }

    /// `{ x }` in a pattern is `{ x = x }`.
    pub fn field_pattern_pun(&self, name: String, l: usize, r: usize) -> FieldPattern<()> {
        let pattern = self.pat(PatternKind::Var(name.clone(), ()), l, r);
        FieldPattern {
            name,
            name_span: self.span(l, r),
            field: (),
            pattern,
        }
    }
}

/// Offsets of the tokens that start a line at column 0 outside brackets.
fn line_openers(text: &str) -> Vec<usize> {
    let mut depth = 0usize;
    let mut openers = Vec::new();
    for (start, token, _) in Lexer::new(text).map_while(Result::ok) {
        let at_line_start = start == 0 || text.as_bytes()[start - 1] == b'\n';
        if depth == 0 && at_line_start {
            openers.push(start);
        }
        match token {
            Token::LParen | Token::LBracket | Token::LArray | Token::LBrace | Token::Begin => {
                depth += 1
            }
            Token::RParen | Token::RBracket | Token::RArray | Token::RBrace | Token::End => {
                depth = depth.saturating_sub(1)
            }
            _ => {}
        }
    }
    openers
}

/// The value of a literal's digits, `None` past u128 (certainly too large).
fn parse_magnitude(text: &str) -> Option<u128> {
    text.chars()
        .filter(|c| *c != '_')
        .try_fold(0u128, |acc, c| {
            let digit = c.to_digit(10)?;
            acc.checked_mul(10)?.checked_add(u128::from(digit))
        })
}

fn int_too_large(span: Span) -> Diagnostic {
    Diagnostic::error("E005", "integer literal too large")
        .with_label(span, "does not fit in a 64-bit integer")
        .with_note("integers range from -9223372036854775808 to 9223372036854775807; write a float (`1e19`) for larger magnitudes")
}

/// Puts `x` at the end of `v` (for left-recursive list rules).
pub fn push<T>(mut v: Vec<T>, x: T) -> Vec<T> {
    v.push(x);
    v
}
