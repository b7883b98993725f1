//! The definitional CPS interpreter.

/// A function value: parameter pattern, body and captured environment.
pub struct Closure {}

/// A continuation captured by `shift`.
pub struct Continuation {}
