//! The backends `--backend` can name, and which of them this build has.

use crate::backend::Backend;
use crate::diagnostics::Diagnostic;
use crate::interp::Interpreter;
use crate::runtime::ctx::RuntimeCtx;

/// `--backend NAME` names a backend this build does not have (exit
/// status 64, like any other command line this build cannot follow).
pub const E_BACKEND_NOT_BUILT: &str = "E400";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendName {
    Interp,
    Jit,
}

impl BackendName {
    /// Every backend this build can run programs on; tests run every
    /// program on each. The JIT joins when it is built (issue 10).
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
pub fn start(name: BackendName, ctx: RuntimeCtx) -> Result<Box<dyn Backend>, Diagnostic> {
    match name {
        BackendName::Interp => Ok(Box::new(Interpreter::new(ctx))),
        BackendName::Jit => Err(Diagnostic::error(
            E_BACKEND_NOT_BUILT,
            "the JIT backend is not built yet",
        )
        .with_note("leave out `--backend` (or pass `--backend interp`) to run on the interpreter")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_backend_starts() {
        for &name in BackendName::BUILT {
            let (ctx, _) = RuntimeCtx::capturing();
            assert!(start(name, ctx).is_ok(), "{name:?} is listed as built");
            assert_eq!(BackendName::parse(name.as_str()), Some(name));
        }
        assert!(BackendName::BUILT.contains(&BackendName::DEFAULT));
    }
}
