//! Notes that say how to fix a static error, where the error alone names
//! only the symptom: an OCaml name dlang spells differently, a named pure
//! function passed where a function that may shift is expected, and an
//! argument checked against the wrong parameter because one before it is
//! missing.

use super::error::TypeError;
use super::infer::Infer;
use super::types::{Effect, Type};
use super::TypeInfo;
use crate::syntax::ast::{Expr, ExprKind};

/// What to write instead of an OCaml Stdlib name that dlang does not
/// have (the OCaml names it has are aliases, docs/language.md §8).
pub fn ocaml_replacement(name: &str) -> Option<&'static str> {
    Some(match name {
        "float" => "`float_of_int` (or `to_float`)",
        "truncate" => "`int_of_float` (or `to_int`; both truncate)",
        "abs_float" | "Float.abs" => "`abs` (on ints, floats and tensors)",
        "succ" => "`x + 1`",
        "pred" => "`x - 1`",
        "infinity" => "`1.0 / 0.0`",
        "neg_infinity" => "`-1.0 / 0.0`",
        "nan" => "`0.0 / 0.0`",
        "log10" => "`log x / log 10.0`",
        "print_char" => "`print_string` on a one-character string",
        "char_of_int" => "`String.of_code`",
        "int_of_char" | "Char.code" => "`String.code` (the code of a string's first character)",
        "Float.of_int" => "`float_of_int`",
        "Float.to_string" => "`string_of_float`",
        "Int.to_string" => "`string_of_int`",
        "Float.sqrt" => "`sqrt`",
        "Format.printf" => "`Printf.printf`",
        "List.rev_map" => "`List.rev (List.map f l)`",
        "List.rev_append" => "`List.rev l1 ++ l2`",
        "String.split_on_char" => "`String.split \",\" s` (a string separator)",
        _ => return None,
    })
}

/// `error` with a note saying what to write for `name`, if it is an
/// OCaml name with another spelling here (the note replaces a "did you
/// mean", which would name an unrelated function).
pub fn with_ocaml_replacement(error: TypeError, name: &str) -> TypeError {
    let Some(replacement) = ocaml_replacement(name) else {
        return error;
    };
    let error = match error {
        TypeError::UnboundVariable { name, span, .. } => TypeError::UnboundVariable {
            name,
            span,
            suggestion: None,
        },
        other => other,
    };
    error.with_hint(format!("dlang has no `{name}`: use {replacement} instead"))
}

impl Infer<'_> {
    /// `error`, raised checking the argument `arg` of the call `f arg`
    /// against the parameter type `param`, with a note on how to fix it
    /// when the call says more than the types do.
    pub fn explain_argument(
        &mut self,
        error: TypeError,
        f: &Expr<TypeInfo>,
        arg: &Expr<TypeInfo>,
        param: &Type,
        result: &Type,
    ) -> TypeError {
        if let Some(hint) = self.eta_expansion_hint(arg, param) {
            return error.with_hint(hint);
        }
        if let Some(hint) = self.missing_argument_hint(f, result) {
            return error.with_hint(hint);
        }
        error
    }

    /// A named function whose arrow is pure, passed where the arrow may
    /// shift: a name's type is fixed (a primitive's is pure), while a
    /// `fun` written in place takes the effect it is used at.
    fn eta_expansion_hint(&self, arg: &Expr<TypeInfo>, param: &Type) -> Option<String> {
        let ExprKind::Var(path, _) = &arg.kind else {
            return None;
        };
        let found = self.st.table.zonk(&arg.ann.ty);
        let expected = self.st.table.zonk(param);
        let arity = pure_where_cps(&found, &expected)?;
        let params = parameter_names(arity);
        Some(format!(
            "`{path}` is a pure function, and a function that may shift is expected here: \
             write `(fun {params} -> {path} {params})`, which takes the effect it is used at"
        ))
    }

    /// The call `f arg` still returns a function and `arg` is not its
    /// first argument: if an argument before `arg` is missing, `arg` met
    /// the parameter meant for it.
    fn missing_argument_hint(&self, f: &Expr<TypeInfo>, result: &Type) -> Option<String> {
        if !matches!(self.st.table.zonk(result), Type::Arrow(..)) {
            return None;
        }
        let mut head = f;
        let mut position = 1;
        while let ExprKind::App(inner, _) = &head.kind {
            head = inner;
            position += 1;
        }
        let ExprKind::Var(path, _) = &head.kind else {
            return None;
        };
        // Before a first argument there is none to miss.
        if position < 2 {
            return None;
        }
        let arity = arrow_count(&self.st.table.zonk(&head.ann.ty));
        Some(format!(
            "`{path}` takes {arity} arguments and this is its {}, so the call needs another \
             argument: if one is missing before this one, this argument was checked against \
             the wrong parameter",
            ordinal(position)
        ))
    }
}

/// The depth (1 for the outermost) of the first arrow that is pure in
/// `found` where `expected` says it may shift.
fn pure_where_cps(found: &Type, expected: &Type) -> Option<usize> {
    let (mut found, mut expected, mut depth) = (found, expected, 1);
    while let (Type::Arrow(_, found_result, found_effect), Type::Arrow(_, result, effect)) =
        (found, expected)
    {
        if *found_effect == Effect::Pure && matches!(effect, Effect::Cps(_)) {
            return Some(depth);
        }
        (found, expected, depth) = (found_result, result, depth + 1);
    }
    None
}

fn arrow_count(ty: &Type) -> usize {
    match ty {
        Type::Arrow(_, result, _) => 1 + arrow_count(result),
        _ => 0,
    }
}

/// `x`, `x y`, `x y z`, then `x1 x2 …`.
fn parameter_names(n: usize) -> String {
    match n {
        1 => "x".to_string(),
        2 => "x y".to_string(),
        3 => "x y z".to_string(),
        _ => (1..=n)
            .map(|i| format!("x{i}"))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}
