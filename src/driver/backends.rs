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
    /// The backends the property and robustness tests run on. The JIT
    /// runs the golden programs (tests/golden.rs, its refusals listed in
    /// tests/golden/jit_pending.txt) but not these yet: their programs
    /// are thousands of top-level items, all in one main function, which
    /// Cranelift's register allocator takes minutes over (docs/jit.md,
    /// "Known limits").
    pub const BUILT: &'static [BackendName] = &[BackendName::Interp];

    /// What `dlang run` uses without `--backend`.
    pub const DEFAULT: BackendName = BackendName::Interp;

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

/// The JIT, compiling the program and printing what `emit` names instead
/// of running it (`dlang run --emit`).
pub fn start_emitting(emit: Emit, ctx: RuntimeCtx) -> Box<dyn Backend> {
    Box::new(JitBackend::emitting(ctx, Some(emit)))
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
