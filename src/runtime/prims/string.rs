//! `String.*` primitives. dlang strings are UTF-8 and have no separate
//! character type: positions and lengths count characters (Unicode scalar
//! values), and a "character" is a one-character string.

use std::rc::Rc;

use super::args;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::memory;
use crate::runtime::value::Value;

type Outcome = Result<Value, RuntimeError>;

fn char_count(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// The byte offset of character `i` (`i` may equal the length).
fn byte_offset(s: &str, i: usize) -> Option<usize> {
    if s.is_ascii() {
        return (i <= s.len()).then_some(i);
    }
    s.char_indices()
        .map(|(at, _)| at)
        .chain(std::iter::once(s.len()))
        .nth(i)
}

pub fn length(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Ok(Value::Int(char_count(&args::string(a, 0)?) as i64))
}

/// `String.sub s start len`.
pub fn sub(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let s = args::string(a, 0)?;
    let (start, len) = (args::int(a, 1)?, args::int(a, 2)?);
    let out_of_range = || {
        RuntimeError::out_of_range(format!(
            "String.sub: start {start} and length {len} out of range for a string of length {}",
            char_count(&s)
        ))
    };
    let first = usize::try_from(start).map_err(|_| out_of_range())?;
    let count = usize::try_from(len).map_err(|_| out_of_range())?;
    let from = byte_offset(&s, first).ok_or_else(out_of_range)?;
    let to = byte_offset(&s[from..], count).ok_or_else(out_of_range)?;
    Ok(Value::string(&s[from..from + to]))
}

/// `String.get s i`: the `i`-th character, as a string.
pub fn get(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let s = args::string(a, 0)?;
    let i = args::int(a, 1)?;
    usize::try_from(i)
        .ok()
        .and_then(|i| s.chars().nth(i))
        .map(|c| Value::string(c.encode_utf8(&mut [0; 4])))
        .ok_or_else(|| {
            RuntimeError::out_of_range(format!(
                "String.get: index {i} out of range for a string of length {}",
                char_count(&s)
            ))
        })
}

/// `String.split sep s`: every piece, empty ones included, like OCaml's
/// `String.split_on_char`.
pub fn split(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let sep = args::string(a, 0)?;
    let s = args::string(a, 1)?;
    if sep.is_empty() {
        return Err(RuntimeError::bad_argument("String.split: empty separator"));
    }
    let pieces: Vec<String> = s.split(&*sep).map(str::to_string).collect();
    Ok(args::string_list(pieces))
}

/// `String.concat sep l`.
pub fn concat(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let sep = args::string(a, 0)?;
    let items = args::list(a, 1)?;
    let len = items
        .iter()
        .map(|item| match item {
            Value::Str(s) => s.len(),
            _ => 0,
        })
        .fold(sep.len().saturating_mul(items.len()), usize::saturating_add);
    // Twice: the string is built, then copied into its `Rc`.
    memory::check_room(len, 2, || format!("String.concat: a string of {len} bytes"))?;
    let mut out = String::with_capacity(len);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        match item {
            Value::Str(s) => out.push_str(s),
            _ => {
                return Err(RuntimeError::internal(
                    "String.concat expects a string list",
                ))
            }
        }
    }
    Ok(Value::Str(Rc::from(out)))
}

/// The characters of a string, each a one-character string.
pub fn to_list(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let s = args::string(a, 0)?;
    let chars: Vec<String> = s.chars().map(String::from).collect();
    Ok(args::string_list(chars))
}

/// The code point of the first character.
pub fn code(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let s = args::string(a, 0)?;
    s.chars()
        .next()
        .map(|c| Value::Int(i64::from(u32::from(c))))
        .ok_or_else(|| RuntimeError::bad_argument("String.code: empty string"))
}

/// The one-character string of a code point.
pub fn of_code(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let n = args::int(a, 0)?;
    u32::try_from(n)
        .ok()
        .and_then(char::from_u32)
        .map(|c| Value::string(c.encode_utf8(&mut [0; 4])))
        .ok_or_else(|| {
            RuntimeError::bad_argument(format!("String.of_code: {n} is not a Unicode code point"))
        })
}

/// Decimal, with an optional sign; anything else (spaces included) is
/// refused.
pub fn to_int(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let s = args::string(a, 0)?;
    s.parse::<i64>().map(Value::Int).map_err(|_| {
        RuntimeError::bad_argument(format!(
            "String.to_int: {} is not an int",
            crate::runtime::print::show_quoted(&Value::Str(s.clone()))
        ))
    })
}

/// Decimal or exponent notation, `nan`, `inf`, `infinity`, with an
/// optional sign.
pub fn to_float(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let s = args::string(a, 0)?;
    s.parse::<f64>().map(Value::Float).map_err(|_| {
        RuntimeError::bad_argument(format!(
            "String.to_float: {} is not a float",
            crate::runtime::print::show_quoted(&Value::Str(s.clone()))
        ))
    })
}

pub fn trim(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Ok(Value::string(args::string(a, 0)?.trim()))
}

pub fn uppercase(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Ok(Value::string(&args::string(a, 0)?.to_uppercase()))
}

pub fn lowercase(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    Ok(Value::string(&args::string(a, 0)?.to_lowercase()))
}
