//! Runs a generated dlang program through the real binary on the
//! interpreter and gives its stdout lines; shared by the property tests.

use std::path::PathBuf;
use std::process::Command;

/// Writes `text` to `NAME.dl` in the test's temporary folder, runs it, and
/// fails the test (with the program's stderr) unless it exits with 0.
pub fn run_program(text: &str, name: &str) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.dl"));
    std::fs::write(&path, text).expect("write program");
    let out = Command::new(env!("CARGO_BIN_EXE_dlang"))
        .args(["run", "--backend", "interp"])
        .arg(&path)
        .output()
        .expect("run dlang");
    assert!(
        out.status.success(),
        "{name} failed: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}
