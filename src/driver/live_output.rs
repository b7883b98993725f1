//! Standard output for `dlang run`: fast for a program that prints
//! millions of lines, and yet live for one that prints a line an epoch.
//!
//! At a terminal the output is line-buffered, as C's stdio and Python
//! do it: a person is reading, and a terminal is slower than a flush per
//! line anyway. To a pipe or a file it is block-buffered (64 KiB: one
//! write call per block), as there, but unlike there (Python and OCaml
//! hold a pipe's output until the buffer fills or the program exits, so
//! `train.dl | tee log` shows nothing for minutes) a background thread
//! flushes whatever waits in the buffer every [`FLUSH_INTERVAL`]. A line
//! printed just before a long computation therefore reaches the pipe
//! within that interval, without any check on the printing path: the
//! thread only takes the buffer's lock when it wakes.

use std::io::{BufWriter, IsTerminal, Stdout, Write};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

/// How long a printed line may wait in the buffer: well under what a
/// person notices, and so long that a flood of lines is still written in
/// whole blocks.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(100);

const BUFFER_BYTES: usize = 1 << 16;

pub struct LiveOutput {
    shared: Arc<Mutex<Buffered>>,
    line_buffered: bool,
    /// The flusher starts at the first write, so a program that prints
    /// nothing starts no thread.
    flusher_started: bool,
}

struct Buffered {
    out: BufWriter<Stdout>,
    /// A failure of a background flush, reported by the next write.
    failed: Option<std::io::Error>,
}

impl LiveOutput {
    pub fn stdout() -> LiveOutput {
        let stdout = std::io::stdout();
        LiveOutput {
            line_buffered: stdout.is_terminal(),
            shared: Arc::new(Mutex::new(Buffered {
                out: BufWriter::with_capacity(BUFFER_BYTES, stdout),
                failed: None,
            })),
            flusher_started: false,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Buffered> {
        // A panic cannot happen while the lock is held (only writes are
        // done under it), so a poisoned lock still guards a sound buffer.
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn start_flusher(&mut self) {
        self.flusher_started = true;
        let weak = Arc::downgrade(&self.shared);
        // Without the thread the output is merely late, so a failure to
        // start one is not worth an error.
        let _ = std::thread::Builder::new()
            .name("stdout-flusher".to_string())
            .spawn(move || flush_periodically(weak));
    }
}

/// Ends when the output is dropped.
fn flush_periodically(shared: Weak<Mutex<Buffered>>) {
    loop {
        std::thread::sleep(FLUSH_INTERVAL);
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let mut buffered = shared.lock().unwrap_or_else(|e| e.into_inner());
        if !buffered.out.buffer().is_empty() && buffered.failed.is_none() {
            if let Err(e) = buffered.out.flush() {
                buffered.failed = Some(e);
            }
        }
    }
}

impl Buffered {
    fn take_failure(&mut self) -> std::io::Result<()> {
        self.failed.take().map_or(Ok(()), Err)
    }
}

impl Write for LiveOutput {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if !self.line_buffered && !self.flusher_started {
            self.start_flusher();
        }
        let line_buffered = self.line_buffered;
        let mut buffered = self.lock();
        buffered.take_failure()?;
        let written = buffered.out.write(bytes)?;
        if line_buffered && bytes[..written].contains(&b'\n') {
            buffered.out.flush()?;
        }
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let mut buffered = self.lock();
        buffered.take_failure()?;
        buffered.out.flush()
    }
}
