//! OCaml's conversions by their OCaml names: `int_of_string` and
//! `float_of_string` read OCaml's literal syntax (wider than
//! `String.to_int`/`to_float`), `int_of_float` is `to_int` naming itself.
//!
//! A string that is not a literal raises `Failure`, as in OCaml; the
//! message names the function and the string (OCaml's names only the
//! function).

use super::args;
use super::prelude::truncate_to_int;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::exn;
use crate::runtime::print::show_quoted;
use crate::runtime::value::Value;

type Outcome = Result<Value, RuntimeError>;

fn not_a_literal(name: &str, what: &str, s: &str) -> RuntimeError {
    exn::failure(format!(
        "{name}: {} is not {what}",
        show_quoted(&Value::string(s))
    ))
}

pub fn int_of_string(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let s = args::string(a, 0)?;
    parse_int(&s)
        .map(Value::Int)
        .ok_or_else(|| not_a_literal("int_of_string", "an int", &s))
}

pub fn float_of_string(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let s = args::string(a, 0)?;
    parse_float(&s)
        .map(Value::Float)
        .ok_or_else(|| not_a_literal("float_of_string", "a float", &s))
}

pub fn int_of_float(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    truncate_to_int("int_of_float", args::float(a, 0)?)
}

/// OCaml's integer syntax: an optional `-` or `+`, then decimal digits, or
/// `0x`/`0o`/`0b` and digits of that base; `_` may follow any digit. A
/// decimal must fit in an int; the other bases give the 64-bit pattern
/// (`0xFFFFFFFFFFFFFFFF` is `-1`), as OCaml does for its width.
fn parse_int(s: &str) -> Option<i64> {
    let (negative, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = match rest.get(..2) {
        Some("0x" | "0X") => (16, &rest[2..]),
        Some("0o" | "0O") => (8, &rest[2..]),
        Some("0b" | "0B") => (2, &rest[2..]),
        _ => (10, rest),
    };
    if !digits.chars().next()?.is_digit(radix) {
        return None;
    }
    let mut magnitude: u64 = 0;
    for c in digits.chars().filter(|&c| c != '_') {
        let digit = c.to_digit(radix)?;
        magnitude = magnitude
            .checked_mul(u64::from(radix))?
            .checked_add(u64::from(digit))?;
    }
    if radix != 10 {
        let pattern = magnitude as i64;
        return Some(if negative {
            pattern.wrapping_neg()
        } else {
            pattern
        });
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// OCaml's float syntax, less hexadecimal floats: decimal or exponent
/// notation (`1.`, `.5`, `1e-3`, `12`), `nan`, `inf`, `infinity`, with an
/// optional sign; every `_` is ignored, as OCaml ignores it.
fn parse_float(s: &str) -> Option<f64> {
    let cleaned: String = s.chars().filter(|&c| c != '_').collect();
    cleaned.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::{parse_float, parse_int};

    #[test]
    fn ints_read_as_ocaml_reads_them() {
        assert_eq!(parse_int("42"), Some(42));
        assert_eq!(parse_int("-17"), Some(-17));
        assert_eq!(parse_int("+5"), Some(5));
        assert_eq!(parse_int("1_000_000"), Some(1_000_000));
        assert_eq!(parse_int("0x1F"), Some(31));
        assert_eq!(parse_int("-0o17"), Some(-15));
        assert_eq!(parse_int("0b101"), Some(5));
        assert_eq!(parse_int("0xFFFFFFFFFFFFFFFF"), Some(-1));
        assert_eq!(parse_int("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_int("-9223372036854775808"), Some(i64::MIN));
    }

    #[test]
    fn ints_refuse_what_ocaml_refuses() {
        for bad in [
            "",
            "-",
            "x",
            "_1",
            "0x",
            "0x_1",
            "1.0",
            " 1",
            "1 ",
            "12a",
            "0b102",
            "9223372036854775808",
            "0x1_0000_0000_0000_0000",
        ] {
            assert_eq!(parse_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn floats_read_as_ocaml_reads_them() {
        assert_eq!(parse_float("1."), Some(1.0));
        assert_eq!(parse_float(".5"), Some(0.5));
        assert_eq!(parse_float("12"), Some(12.0));
        assert_eq!(parse_float("-2.5e-3"), Some(-0.0025));
        assert_eq!(parse_float("1_000.5"), Some(1000.5));
        assert_eq!(parse_float("inf"), Some(f64::INFINITY));
        assert_eq!(parse_float("-infinity"), Some(f64::NEG_INFINITY));
        assert!(parse_float("nan").is_some_and(f64::is_nan));
        assert_eq!(parse_float("x"), None);
        assert_eq!(parse_float(""), None);
        assert_eq!(parse_float("1.0 "), None);
    }
}
