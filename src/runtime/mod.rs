//! What every backend shares: values, primitives, run-time errors.

pub mod ad;
pub mod ctx;
pub mod error;
pub mod ops;
pub mod prims;
pub mod print;
pub mod random;
pub mod tensor;
pub mod value;

#[cfg(test)]
mod tests;
