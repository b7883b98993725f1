//! What the property tests that generate dlang programs share: a
//! deterministic random source (so a failure reproduces) and a runner that
//! passes a program through the real binary on a given backend (the tests
//! check their property on each of `BackendName::BUILT`).

use dlang::driver::backends::BackendName;
use std::path::PathBuf;
use std::process::Command;

/// xorshift64.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A number in `[-bound, bound]` with three decimals.
    pub fn decimal(&mut self, bound: f64) -> f64 {
        let steps = (bound * 1000.0) as u64;
        (self.below(2 * steps + 1) as f64 - steps as f64) / 1000.0
    }
}

/// Writes `text` to `NAME.dl` in the test's temporary folder, runs it on
/// `backend`, and fails the test (with the program's stderr) unless it
/// exits with 0.
pub fn run_program(backend: BackendName, text: &str, name: &str) -> Vec<String> {
    let backend = backend.as_str();
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}_{backend}.dl"));
    std::fs::write(&path, text).expect("write program");
    let out = Command::new(env!("CARGO_BIN_EXE_dlang"))
        .args(["run", "--backend", backend])
        .arg(&path)
        .output()
        .expect("run dlang");
    assert!(
        out.status.success(),
        "{name} failed on {backend}: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}
