//! `Printf.printf`, `Printf.sprintf` and `Printf.eprintf` (docs/language.md,
//! Printf). The checker has read the literal format and typed the
//! arguments; here the format is read again and applied to them.
//!
//! A format with `n` conversions makes a function of `n` curried
//! arguments: the primitive takes the format and, until every argument
//! has come, returns [`FORMAT_REST`] partially applied to what it has so
//! far; the last argument prints (or builds the string).

use std::rc::Rc;

use super::{args, io, prim, Prim};
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::format::{self, Conversion, Piece};
use crate::runtime::value::{BuiltinApp, Value};

type Outcome = Result<Value, RuntimeError>;

/// Where a format's text goes, as the int kept with the arguments.
const STDOUT: i64 = 0;
const STDERR: i64 = 1;
const STRING: i64 = 2;

/// A format waiting for more arguments: its state (where the text goes,
/// the format, the arguments so far) and the next argument.
pub static FORMAT_REST: Prim = prim("Printf", "<format>", "", 2, format_rest);

pub fn printf(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    collect(ctx, STDOUT, args::string(a, 0)?, Vec::new())
}

pub fn eprintf(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    collect(ctx, STDERR, args::string(a, 0)?, Vec::new())
}

pub fn sprintf(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    collect(ctx, STRING, args::string(a, 0)?, Vec::new())
}

fn format_rest(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let (Some(Value::Tuple(state)), Some(next)) = (a.first(), a.get(1)) else {
        return Err(RuntimeError::internal("a format without its state"));
    };
    let [Value::Int(target), Value::Str(format), Value::Tuple(got)] = &state[..] else {
        return Err(RuntimeError::internal("a format with a broken state"));
    };
    let mut got = got.to_vec();
    got.push(next.clone());
    collect(ctx, *target, format.clone(), got)
}

/// Prints `format` once `got` holds an argument for each conversion, or
/// waits for the next one.
fn collect(ctx: &mut RuntimeCtx, target: i64, format: Rc<str>, got: Vec<Value>) -> Outcome {
    let pieces = format::parse(&format).map_err(|e| {
        RuntimeError::internal(format!("a format the checker refuses: {}", e.message))
    })?;
    let needed = pieces
        .iter()
        .filter(|p| matches!(p, Piece::Conversion { .. }))
        .count();
    if got.len() < needed {
        let state = Value::Tuple(Rc::from(vec![
            Value::Int(target),
            Value::Str(format),
            Value::Tuple(Rc::from(got)),
        ]));
        return Ok(Value::Builtin(Rc::new(BuiltinApp {
            prim: &FORMAT_REST,
            args: vec![state],
        })));
    }
    let text = render(&pieces, &got)?;
    match target {
        STDOUT => io::write_stdout(ctx, &text).map(|()| Value::Unit),
        STDERR => io::write_stderr(ctx, &text).map(|()| Value::Unit),
        _ => Ok(Value::string(&text)),
    }
}

fn render(pieces: &[Piece], got: &[Value]) -> Result<String, RuntimeError> {
    let mut out = String::new();
    let mut next = 0;
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Conversion { spec, .. } => {
                let text = match spec.conversion {
                    Conversion::Int => format::int(spec, args::int(got, next)?),
                    Conversion::Fixed | Conversion::Exponent | Conversion::General => {
                        format::float(spec, args::float(got, next)?)
                    }
                    Conversion::String => format::text(spec, &args::string(got, next)?),
                    Conversion::Bool => match got.get(next) {
                        Some(Value::Bool(b)) => {
                            format::text(spec, if *b { "true" } else { "false" })
                        }
                        _ => {
                            return Err(RuntimeError::internal(
                                "`%b` of a value that is not a bool",
                            ))
                        }
                    },
                };
                out.push_str(&text);
                next += 1;
            }
        }
    }
    Ok(out)
}
