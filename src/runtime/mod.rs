//! What every backend shares: values, primitives, run-time errors.

pub mod ctx;
pub mod error;
pub mod prims;
pub mod value;
