//! `IO.*` and `Sys.*`: files, the clock and the command line. Paths are
//! relative to the working directory; every failure is R007 naming the
//! path.

use std::time::{SystemTime, UNIX_EPOCH};

use super::args;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::value::Value;

type Outcome = Result<Value, RuntimeError>;

fn io_error(action: &str, path: &str, e: std::io::Error) -> RuntimeError {
    RuntimeError::io(format!("cannot {action} `{path}`: {e}"))
}

fn read_text(path: &str) -> Result<String, RuntimeError> {
    std::fs::read_to_string(path).map_err(|e| io_error("read", path, e))
}

pub fn read_file(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let path = args::string(a, 0)?;
    Ok(Value::string(&read_text(&path)?))
}

/// The lines without their `\n` (or `\r\n`); a final newline does not
/// start an empty last line.
pub fn read_lines(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let path = args::string(a, 0)?;
    let text = read_text(&path)?;
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    Ok(args::string_list(lines))
}

/// `IO.write_file path text` creates or truncates the file.
pub fn write_file(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let path = args::string(a, 0)?;
    let text = args::string(a, 1)?;
    std::fs::write(&*path, text.as_bytes()).map_err(|e| io_error("write", &path, e))?;
    Ok(Value::Unit)
}

/// Wall-clock seconds since the Unix epoch.
pub fn time(_: &mut RuntimeCtx, _: &[Value]) -> Outcome {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    Ok(Value::Float(now))
}

pub fn args(ctx: &mut RuntimeCtx, _: &[Value]) -> Outcome {
    Ok(args::string_list(ctx.args.clone()))
}
