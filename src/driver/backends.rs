//! The backends `--backend` can name, and which of them this build has.

use crate::backend::Backend;
use crate::interp::Interpreter;
use crate::jit::backend::{Emit, JitBackend};
use crate::runtime::ctx::RuntimeCtx;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendName {
    Interp,
    Jit,
}

impl BackendName {
    /// The backends the property and robustness tests run on: both. (The
    /// golden programs run on both too, tests/golden.rs, with the JIT's
    /// refusals listed in tests/golden/jit_pending.txt.) The JIT compiles
    /// the main code in parts of a bounded number of top-level values, so
    /// the property tests' long generated programs compile in time
    /// linear in their length (docs/jit.md, "Known limits").
    pub const BUILT: &'static [BackendName] = &[BackendName::Interp, BackendName::Jit];

    /// What `dlang run` uses without `--backend`: the JIT, as the
    /// contract says, now that every golden program gives the same output
    /// on it (docs/jit.md). The REPL always runs on the interpreter.
    pub const DEFAULT: BackendName = BackendName::Jit;

    pub fn parse(name: &str) -> Option<BackendName> {
        match name {
            "interp" => Some(BackendName::Interp),
            "jit" => Some(BackendName::Jit),
            _ => None,
        }
    }

    /// The name as written after `--backend`.
    pub fn as_str(self) -> &'static str {
        match self {
            BackendName::Interp => "interp",
            BackendName::Jit => "jit",
        }
    }
}

/// A fresh backend of that name, running with `ctx`.
pub fn start(name: BackendName, ctx: RuntimeCtx) -> Box<dyn Backend> {
    match name {
        BackendName::Interp => Box::new(Interpreter::new(ctx)),
        BackendName::Jit => Box::new(JitBackend::new(ctx)),
    }
}

/// A fresh backend for `dlang run`: `emit` (the JIT's, see
/// [`Emit`]) compiles the program and prints its code instead of running
/// it; with `timings` the JIT prints the time of its phases (lowering,
/// compiling, running) to stderr. The interpreter's only phase is the run,
/// which `dlang run` times itself.
pub fn start_for_run(
    name: BackendName,
    emit: Option<Emit>,
    timings: bool,
    ctx: RuntimeCtx,
) -> Box<dyn Backend> {
    match (name, emit) {
        (BackendName::Interp, None) => start(name, ctx),
        _ => Box::new(JitBackend::new(ctx).emitting(emit).timed(timings)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_backend_starts() {
        for &name in BackendName::BUILT {
            let (ctx, _) = RuntimeCtx::capturing();
            start(name, ctx);
            assert_eq!(BackendName::parse(name.as_str()), Some(name));
        }
        assert!(BackendName::BUILT.contains(&BackendName::DEFAULT));
    }
}
