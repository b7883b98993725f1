//! `IO.*` and `Sys.*`: the standard streams, files, the clock and the
//! command line. Paths are relative to the working directory; every
//! failure is R007 naming the path or the stream.

use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use super::args;
use crate::runtime::atomic_file::write_atomically;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::value::Value;

type Outcome = Result<Value, RuntimeError>;

fn io_error(action: &str, path: &str, e: std::io::Error) -> RuntimeError {
    RuntimeError::io(format!("cannot {action} `{path}`: {e}"))
}

fn stream_error(stream: &str, e: std::io::Error) -> RuntimeError {
    RuntimeError::io(format!("cannot write to standard {stream}: {e}"))
}

/// What `print` and its kin write. While a progress bar is drawn at the
/// terminal, the bar is taken down for the write and drawn again below
/// the text, so that the two do not overwrite each other.
pub(super) fn write_stdout(ctx: &mut RuntimeCtx, text: &str) -> Result<(), RuntimeError> {
    let out = &mut ctx.out;
    ctx.progress
        .suspend(|| out.write_all(text.as_bytes()))
        .map_err(|e| stream_error("output", e))
}

/// What `eprint` and `Progress` write, after everything printed before it
/// (so that a pipe joining the two streams keeps their order).
pub(super) fn write_stderr(ctx: &mut RuntimeCtx, text: &str) -> Result<(), RuntimeError> {
    ctx.out.flush().map_err(|e| stream_error("output", e))?;
    let err = &mut ctx.err;
    ctx.progress
        .suspend(|| err.write_all(text.as_bytes()).and_then(|()| err.flush()))
        .map_err(|e| stream_error("error", e))
}

/// `IO.flush ()`: what was printed reaches stdout now (it would anyway
/// within a tenth of a second; see src/driver/live_output.rs).
pub fn flush(ctx: &mut RuntimeCtx, _: &[Value]) -> Outcome {
    ctx.out.flush().map_err(|e| stream_error("output", e))?;
    Ok(Value::Unit)
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
    write_atomically(Path::new(&*path), text.as_bytes())
        .map_err(|e| io_error("write", &path, e))?;
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
