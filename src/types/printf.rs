//! Calls of `Printf.printf`, `sprintf` and `eprintf` (docs/language.md,
//! Printf): the format must be a string literal, read here as OCaml's
//! checker reads it, and each argument gets the type of its conversion.
//!
//! The whole application `Printf.printf "…" a b` is typed at once, so an
//! argument unlike its conversion is reported at both (E225). The
//! primitive's declared type gives what the last argument returns.

use super::error::TypeError;
use super::infer::{Check, Infer, Typed};
use super::resolved::VarTarget;
use super::types::{Effect, Type};
use super::TypeInfo;
use crate::runtime::format::{self, Conversion, Piece};
use crate::runtime::prims::PRIMS;
use crate::syntax::ast::{Expr, ExprKind, Literal, Path, Span, UntypedExpr};

/// The module whose functions take a literal format.
const PRINTF: &str = "Printf";

/// Whether `target` is one of the `Printf` functions.
pub fn is_format_function(target: VarTarget) -> bool {
    matches!(target, VarTarget::Prim(id)
        if PRIMS.get(id.0 as usize).is_some_and(|p| p.module == PRINTF))
}

impl Infer<'_> {
    /// Whether the application `f x` calls a `Printf` function: the head
    /// of its spine is one.
    pub fn is_format_call(&mut self, f: &UntypedExpr) -> bool {
        let mut head = f;
        while let ExprKind::App(g, _) = &head.kind {
            head = g;
        }
        match &head.kind {
            ExprKind::Var(path, ()) => self
                .lookup_value(path, head.span)
                .is_ok_and(|(_, var)| is_format_function(var.target)),
            _ => false,
        }
    }

    /// `f x`, where the head of `f x`'s spine is a `Printf` function.
    pub fn infer_format_call(
        &mut self,
        f: UntypedExpr,
        x: UntypedExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        // The arguments with the spans of their applications, first first.
        let mut args = vec![(x, span)];
        let mut head = f;
        while let ExprKind::App(g, a) = head.kind {
            args.push((*a, head.span));
            head = *g;
        }
        args.reverse();
        let ExprKind::Var(path, ()) = head.kind else {
            return Err(TypeError::NotAFunction {
                ty: "a format".to_string(),
                span: head.span,
            });
        };
        let (declared, var) = self.lookup_value(&path, head.span)?;
        let mut args = args.into_iter();
        let Some((format_arg, first_span)) = args.next() else {
            return Err(not_literal(&path, head.span));
        };
        let ExprKind::Lit(Literal::String(text)) = &format_arg.kind else {
            return Err(not_literal(&path, format_arg.span));
        };
        let conversions = conversions(text, format_arg.span)?;
        let result = match self.resolve(&declared) {
            Type::Arrow(_, result, _) => *result,
            _ => Type::unit(),
        };
        let applied = conversions
            .iter()
            .rev()
            .fold(result, |rest, (conversion, _, _)| {
                Type::Arrow(
                    Box::new(conversion_type(*conversion)),
                    Box::new(rest),
                    Effect::Pure,
                )
            });
        let head_ty = Type::Arrow(
            Box::new(Type::string()),
            Box::new(applied.clone()),
            Effect::Pure,
        );
        let head = typed(ExprKind::Var(path, var), head.span, head_ty);
        let format_arg = typed(
            ExprKind::Lit(Literal::String(text.clone())),
            format_arg.span,
            Type::string(),
        );
        let mut call = typed(
            ExprKind::App(Box::new(head), Box::new(format_arg)),
            first_span,
            applied,
        );
        let mut shifts = false;
        let mut conversions = conversions.into_iter();
        for (arg, app_span) in args {
            let Some((conversion, text, conversion_span)) = conversions.next() else {
                // More arguments than conversions: applying the result.
                let (next, s) = self.apply_to(call, shifts, arg, app_span, ctx)?;
                call = next;
                shifts = s;
                continue;
            };
            let (arg, s) = self.infer_expr(arg, ctx)?;
            shifts |= s;
            let expected = conversion_type(conversion);
            self.expect(&arg.ann.ty, &expected, arg.span, None)
                .map_err(|e| match e {
                    TypeError::Mismatch(m) => TypeError::FormatArgument {
                        conversion: text,
                        expected: m.expected,
                        found: m.found,
                        span: arg.span,
                        conversion_span,
                    },
                    other => other,
                })?;
            let rest = match self.resolve(&call.ann.ty) {
                Type::Arrow(_, rest, _) => *rest,
                other => other,
            };
            let (node, _) = self.node(
                ExprKind::App(Box::new(call), Box::new(arg)),
                app_span,
                rest,
                shifts,
                ctx,
            );
            call = node;
        }
        Ok((call, shifts))
    }
}

fn typed(kind: ExprKind<TypeInfo>, span: Span, ty: Type) -> Expr<TypeInfo> {
    Expr {
        kind,
        span,
        ann: TypeInfo {
            ty,
            effect: Effect::Pure,
        },
    }
}

fn not_literal(path: &Path, span: Span) -> TypeError {
    TypeError::FormatNotLiteral {
        function: path.to_string(),
        span,
    }
}

fn conversion_type(conversion: Conversion) -> Type {
    match conversion {
        Conversion::Int => Type::int(),
        Conversion::Fixed | Conversion::Exponent | Conversion::General => Type::float(),
        Conversion::String => Type::string(),
        Conversion::Bool => Type::bool(),
    }
}

/// The conversions of the format `text` (the string literal at
/// `literal`), each with its text and its span in the source.
fn conversions(text: &str, literal: Span) -> Check<Vec<(Conversion, String, Span)>> {
    let pieces = format::parse(text).map_err(|e| TypeError::BadFormat {
        message: e.message,
        span: source_span(text, literal, e.start, e.end),
    })?;
    Ok(pieces
        .into_iter()
        .filter_map(|p| match p {
            Piece::Conversion { spec, start, end } => Some((
                spec.conversion,
                text[start..end].to_string(),
                source_span(text, literal, start, end),
            )),
            Piece::Text(_) => None,
        })
        .collect())
}

/// The source span of bytes `start..end` of the string `text`, written as
/// the literal at `literal`. The literal's escapes are not kept, so the
/// place is exact when every escape in it is one of the two-character
/// escapes of a character that cannot be written raw (`\n`, `\"`, …),
/// which the lengths tell; otherwise it is the whole literal.
fn source_span(text: &str, literal: Span, start: usize, end: usize) -> Span {
    let escaped = |c: &char| matches!(c, '\n' | '\t' | '\r' | '\u{8}' | '\0' | '"' | '\\');
    let written = (literal.end - literal.start) as usize;
    let escapes = text.chars().filter(escaped).count();
    if written != text.len() + escapes + 2 {
        return literal;
    }
    let at = |i: usize| literal.start as usize + 1 + i + text[..i].chars().filter(escaped).count();
    Span::new(literal.file, at(start), at(end))
}
