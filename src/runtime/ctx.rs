//! State the primitives share while a program runs.

use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

pub struct RuntimeCtx {
    /// Where `print` writes (stdout, or a buffer in tests).
    pub out: Box<dyn Write>,
    /// The arguments after `--` on the command line (`Sys.args ()`).
    pub args: Vec<String>,
    /// Set by Ctrl-C; the interpreter polls it and stops with an error.
    pub interrupted: Arc<AtomicBool>,
}
