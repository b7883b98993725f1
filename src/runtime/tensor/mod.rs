//! The tensor runtime: f32 tensors, row-major, NumPy broadcasting, the
//! kernels of LANGUAGE.md §7, and the kernels the derivative rules of
//! `runtime::ad::tensor` need (`adjoint`, the reverse rules in `conv`).
//!
//! Everything here is plain Rust over [`Tensor`], so both backends can
//! call the same kernels; `runtime::tensor_ops` connects them to values.

pub mod adjoint;
pub mod conv;
pub mod elementwise;
pub mod error;
pub mod layout;
pub mod matmul;
pub mod npy;
pub mod print;
pub mod reduce;
pub mod shape;
mod small_matmul;
#[allow(clippy::module_inception)]
pub mod tensor;

#[cfg(test)]
mod adjoint_tests;
#[cfg(test)]
mod npy_tests;
#[cfg(test)]
mod tests;

pub use error::ShapeError;
pub use tensor::Tensor;
