//! The Cranelift JIT: the lowering of a first subset of the checked tree
//! ([`lower`]) into a first-order IR ([`ir`]), its translation to machine
//! code ([`codegen`], [`translate`]), the runtime entry points generated
//! code calls ([`abi`], [`data_entries`] for data values), running the result ([`run`]) and the backend
//! `dlang run --backend jit` drives ([`backend`]): see docs/jit.md.

pub mod abi;
pub mod backend;
pub mod callback;
pub mod codegen;
pub mod context;
mod data_entries;
pub mod exn_entries;
mod fuse;
mod held;
pub mod ir;
mod kont_trace;
pub mod lower;
pub mod native;
pub mod print;
pub mod run;
pub mod site;
mod tape_entries;
mod translate;

#[cfg(test)]
mod tests;
