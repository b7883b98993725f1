//! dlang: a small statically typed ML-family language in which every
//! program is differentiable.

pub mod diagnostics;
pub mod driver;
pub mod interp;
pub mod runtime;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod types;
