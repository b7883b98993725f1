//! State the primitives share while a program runs: the one context a
//! backend passes to the runtime (to every primitive, operator and
//! `grad`), so that everything the run has in common lives here.

use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::ad;
use super::prims::progress::ProgressBars;
use super::random::Rng;

pub struct RuntimeCtx {
    /// Where `print` writes (stdout, or a buffer in tests).
    pub out: Box<dyn Write>,
    /// Where `eprint` and `Progress` write (stderr, or the same buffer as
    /// `out` in tests, so that a test sees the two in order).
    pub err: Box<dyn Write>,
    /// Whether `err` is a terminal: `Progress` draws a bar there.
    pub err_is_terminal: bool,
    /// The bars of `Progress` not finished yet.
    pub progress: ProgressBars,
    /// The arguments after `--` on the command line (`Sys.args ()`).
    pub args: Vec<String>,
    /// Set by Ctrl-C; the interpreter polls it and stops with an error.
    pub interrupted: Arc<AtomicBool>,
    /// The generator behind `Random.*`, seeded with 0 until `Random.seed`.
    pub rng: Rng,
    /// The running `grad` and `jvp` invocations (docs/ad.md).
    pub ad: ad::Delimiters,
}

impl RuntimeCtx {
    pub fn new(out: Box<dyn Write>, args: Vec<String>, interrupted: Arc<AtomicBool>) -> RuntimeCtx {
        RuntimeCtx {
            out,
            err: Box::new(std::io::stderr()),
            err_is_terminal: std::io::stderr().is_terminal(),
            progress: ProgressBars::default(),
            args,
            interrupted,
            rng: Rng::default(),
            ad: ad::Delimiters::default(),
        }
    }

    /// A context whose output is collected in the returned buffer (tests,
    /// embedding).
    pub fn capturing() -> (RuntimeCtx, SharedBuffer) {
        let buffer = SharedBuffer::default();
        let mut ctx = RuntimeCtx::new(
            Box::new(buffer.clone()),
            Vec::new(),
            Arc::new(AtomicBool::new(false)),
        );
        ctx.err = Box::new(buffer.clone());
        ctx.err_is_terminal = false;
        (ctx, buffer)
    }
}

/// An output sink that can still be read after it was handed to a
/// [`RuntimeCtx`].
#[derive(Clone, Default)]
pub struct SharedBuffer(Rc<RefCell<Vec<u8>>>);

impl SharedBuffer {
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
