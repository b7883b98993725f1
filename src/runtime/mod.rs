//! What every backend shares: values, primitives, run-time errors.

#![forbid(unsafe_code)]

pub mod ad;
pub mod atomic_file;
pub mod call_stack;
pub mod checkpoint;
pub mod ctx;
pub mod data;
pub mod error;
pub mod exn;
pub mod format;
pub mod function;
pub mod memory;
pub mod npz;
pub mod ops;
pub mod optim;
pub mod plot;
pub mod prims;
pub mod print;
pub mod random;
pub mod tensor;
pub mod tensor_ops;
pub mod value;

#[cfg(test)]
mod tests;
