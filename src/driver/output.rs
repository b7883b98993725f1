//! Writing to the terminal without dying on a closed pipe.
//!
//! `println!` panics when stdout is gone (`dlang repl < f | head -1`);
//! dlang's own messages are not worth a crash, so they go through these,
//! which ignore write errors.

use std::io::Write;

pub fn write_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

pub fn write_stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
