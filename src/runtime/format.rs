//! `Printf` formats (docs/language.md, Printf): reading a format, which
//! the checker does to type the arguments and the runtime to print them,
//! and printing one conversion as OCaml does. OCaml prints numbers with
//! C's `printf`, so `%d %i %f %e %g` follow C (flags `-`, `0`, `+`,
//! space, a width, a precision), except where OCaml's own code differs
//! (`%.0d` of 0, zero-padded `nan`); `%s` and `%b` are only padded, as
//! OCaml pads them. tests/printf_reference.rs compares with OCaml.

/// What a conversion takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversion {
    /// `%d`, `%i`
    Int,
    /// `%f`
    Fixed,
    /// `%e`
    Exponent,
    /// `%g`
    General,
    /// `%s`
    String,
    /// `%b`
    Bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// `-`: pad on the right.
    pub left: bool,
    /// `0`: pad numbers with zeros after the sign.
    pub zero: bool,
    /// `+`: a `+` before non-negative numbers.
    pub plus: bool,
    /// ` `: a space before non-negative numbers (unless `+`).
    pub space: bool,
    pub width: usize,
    pub precision: Option<usize>,
    pub conversion: Conversion,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// A conversion, at bytes `start..end` of the format.
    Conversion {
        spec: Spec,
        start: usize,
        end: usize,
    },
}

/// A format that cannot be read, at bytes `start..end` of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    pub message: String,
    pub start: usize,
    pub end: usize,
}

/// The conversions there are, for messages.
pub const CONVERSIONS: &str = "%d %i %f %e %g %s %b %%";

/// Widths and precisions beyond this are refused: no format needs them,
/// and a typo such as `%99999999d` should not allocate gigabytes.
pub const MAX_WIDTH: usize = 1000;

/// The pieces of `format`, in order.
pub fn parse(format: &str) -> Result<Vec<Piece>, FormatError> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = format.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c != '%' {
            text.push(c);
            continue;
        }
        let mut spec = Spec {
            left: false,
            zero: false,
            plus: false,
            space: false,
            width: 0,
            precision: None,
            conversion: Conversion::Int,
        };
        while let Some(&(_, flag)) = chars.peek() {
            match flag {
                '-' => spec.left = true,
                '0' => spec.zero = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                _ => break,
            }
            chars.next();
        }
        let too_wide = |end: usize| FormatError {
            message: format!("a width or precision above {MAX_WIDTH}"),
            start,
            end,
        };
        spec.width = number(&mut chars).ok_or_else(|| too_wide(format.len()))?;
        if chars.next_if(|&(_, c)| c == '.').is_some() {
            spec.precision = Some(number(&mut chars).ok_or_else(|| too_wide(format.len()))?);
        }
        let Some((at, letter)) = chars.next() else {
            return Err(FormatError {
                message: "the format ends inside a conversion".to_string(),
                start,
                end: format.len(),
            });
        };
        let end = at + letter.len_utf8();
        spec.conversion = match letter {
            'd' | 'i' => Conversion::Int,
            'f' => Conversion::Fixed,
            'e' => Conversion::Exponent,
            'g' => Conversion::General,
            's' => Conversion::String,
            'b' => Conversion::Bool,
            // OCaml takes flags and a width here too, and ignores them.
            '%' => {
                text.push('%');
                continue;
            }
            _ => {
                return Err(FormatError {
                    message: format!("`%{letter}` is not a conversion of dlang's Printf"),
                    start,
                    end,
                })
            }
        };
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut text)));
        }
        pieces.push(Piece::Conversion { spec, start, end });
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// The decimal number at the front of `chars` (0 if none), or `None`
/// past [`MAX_WIDTH`].
fn number(chars: &mut std::iter::Peekable<std::str::CharIndices>) -> Option<usize> {
    let mut n = 0usize;
    while let Some((_, d)) = chars.next_if(|(_, c)| c.is_ascii_digit()) {
        n = n * 10 + (d as usize - '0' as usize);
        if n > MAX_WIDTH {
            return None;
        }
    }
    Some(n)
}

/// `%d`/`%i` of `n`, as C prints it.
pub fn int(spec: &Spec, n: i64) -> String {
    let mut digits = n.unsigned_abs().to_string();
    if let Some(p) = spec.precision {
        // The least number of digits (and `%.0d` of 0 is `0`, not C's
        // nothing).
        while digits.len() < p {
            digits.insert(0, '0');
        }
    }
    // With a precision, C pads integers with spaces even under `0`.
    let zero = spec.zero && spec.precision.is_none();
    number_field(spec, sign(spec, n < 0), &digits, zero)
}

/// `%f`, `%e` or `%g` of `x`, as C prints it.
pub fn float(spec: &Spec, x: f64) -> String {
    let sign = sign(spec, x.is_sign_negative());
    if !x.is_finite() {
        // OCaml pads `nan` and `inf` with zeros under `0`, as numbers.
        let body = if x.is_nan() { "nan" } else { "inf" };
        return number_field(spec, sign, body, spec.zero);
    }
    let x = x.abs();
    let precision = spec.precision.unwrap_or(6);
    let body = match spec.conversion {
        Conversion::Exponent => exponent(x, precision),
        Conversion::General => general(x, precision),
        _ => format!("{x:.precision$}"),
    };
    number_field(spec, sign, &body, spec.zero)
}

/// `%s` of `s` (or `%b`'s `true`/`false`): padded to the width, counted
/// in characters. Without a width OCaml pads to the precision instead
/// (`%.5s` of `"ab"` is `"   ab"`); it never cuts the string.
pub fn text(spec: &Spec, s: &str) -> String {
    let width = if spec.width > 0 {
        spec.width
    } else {
        spec.precision.unwrap_or(0)
    };
    let pad = width.saturating_sub(s.chars().count());
    let spaces = " ".repeat(pad);
    if spec.left {
        format!("{s}{spaces}")
    } else {
        format!("{spaces}{s}")
    }
}

fn sign(spec: &Spec, negative: bool) -> &'static str {
    if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    }
}

/// `sign` and `body` padded to the width: on the right under `-`, with
/// zeros between them under `zero`, else with spaces in front.
fn number_field(spec: &Spec, sign: &str, body: &str, zero: bool) -> String {
    let len = sign.len() + body.len();
    let pad = spec.width.saturating_sub(len);
    if spec.left {
        format!("{sign}{body}{}", " ".repeat(pad))
    } else if zero {
        format!("{sign}{}{body}", "0".repeat(pad))
    } else {
        format!("{}{sign}{body}", " ".repeat(pad))
    }
}

/// C's `%.<precision>e` of a non-negative finite `x`: `d.ddde±XX`, the
/// exponent with at least two digits.
fn exponent(x: f64, precision: usize) -> String {
    let (mantissa, exp) = split_exponent(x, precision);
    c_exponent(&mantissa, exp)
}

/// Rust's `{:.p$e}` of `x` as mantissa and exponent.
fn split_exponent(x: f64, precision: usize) -> (String, i32) {
    let text = format!("{x:.precision$e}");
    match text.split_once('e') {
        Some((mantissa, exp)) => (mantissa.to_string(), exp.parse().unwrap_or(0)),
        None => (text, 0),
    }
}

fn c_exponent(mantissa: &str, exp: i32) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
}

/// C's `%.<precision>g` of a non-negative finite `x`: the shorter of
/// `%f` and `%e` at `precision` significant digits, by C's rule, without
/// trailing zeros.
fn general(x: f64, precision: usize) -> String {
    let p = precision.max(1);
    // The exponent `x` has once rounded to `p` significant digits.
    let (_, exp) = split_exponent(x, p - 1);
    if exp < -4 || exp >= p as i32 {
        let (mantissa, exp) = split_exponent(x, p - 1);
        c_exponent(strip_zeros(&mantissa), exp)
    } else {
        let decimals = (p as i32 - 1 - exp) as usize;
        strip_zeros(&format!("{x:.decimals$}")).to_string()
    }
}

/// `1.500` → `1.5`, `2.000` → `2`; a number without `.` is left alone.
fn strip_zeros(s: &str) -> &str {
    if !s.contains('.') {
        return s;
    }
    s.trim_end_matches('0').trim_end_matches('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Spec {
        match parse(text).expect("parses").into_iter().next() {
            Some(Piece::Conversion { spec, .. }) => spec,
            other => panic!("no conversion in {text}: {other:?}"),
        }
    }

    #[test]
    fn pieces_and_positions() {
        let pieces = parse("a %5.2f b %% %-3d").expect("parses");
        assert_eq!(pieces.len(), 4);
        assert!(matches!(&pieces[0], Piece::Text(t) if t == "a "));
        assert!(matches!(
            &pieces[1],
            Piece::Conversion {
                start: 2,
                end: 7,
                ..
            }
        ));
        assert!(matches!(&pieces[2], Piece::Text(t) if t == " b % "));
        assert!(matches!(
            &pieces[3],
            Piece::Conversion {
                start: 13,
                end: 17,
                ..
            }
        ));
    }

    #[test]
    fn errors_name_the_conversion() {
        let e = parse("x %c").unwrap_err();
        assert_eq!((e.start, e.end), (2, 4));
        assert!(e.message.contains("`%c`"));
        assert_eq!(parse("50%").unwrap_err().start, 2);
        assert!(parse("%1001d").is_err());
    }

    #[test]
    fn c_rules_for_numbers() {
        assert_eq!(int(&spec("%.0d"), 0), "0");
        assert_eq!(int(&spec("%08.3d"), 42), "     042");
        assert_eq!(int(&spec("%d"), i64::MIN), "-9223372036854775808");
        assert_eq!(float(&spec("%05f"), f64::NAN), "00nan");
        assert_eq!(float(&spec("%g"), 0.0), "0");
        assert_eq!(float(&spec("%g"), 1e-5), "1e-05");
        assert_eq!(float(&spec("%g"), 123456789.0), "1.23457e+08");
        assert_eq!(float(&spec("%.3e"), 0.0), "0.000e+00");
    }
}
