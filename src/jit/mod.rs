//! The Cranelift JIT's back half: a first-order IR ([`ir`]), its
//! translation to machine code ([`codegen`], [`translate`]), the runtime
//! entry points generated code calls ([`abi`]) and running the result
//! ([`run`]). Nothing lowers the checked tree into the IR yet and no
//! command runs it: see docs/jit.md.

pub mod abi;
pub mod codegen;
pub mod context;
pub mod ir;
pub mod native;
pub mod run;
pub mod site;
mod translate;

#[cfg(test)]
mod tests;
