//! The tensor runtime: f32 tensors, row-major, NumPy broadcasting, the
//! kernels of LANGUAGE.md §7 and their derivative rules.
//!
//! Everything here is plain Rust over [`Tensor`], so both backends can
//! call the same kernels; `runtime::tensor_ops` connects them to values.

pub mod conv;
pub mod elementwise;
pub mod error;
pub mod grad_rules;
pub mod layout;
pub mod matmul;
pub mod npy;
pub mod print;
pub mod reduce;
pub mod shape;
pub mod tangent_rules;
#[allow(clippy::module_inception)]
pub mod tensor;

#[cfg(test)]
mod grad_tests;
#[cfg(test)]
mod npy_tests;
#[cfg(test)]
mod tests;

pub use error::ShapeError;
pub use tensor::Tensor;
