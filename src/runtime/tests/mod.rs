//! Unit tests of the runtime: operators, printing, primitives.

mod ops;
mod prims;
mod print;
mod random;
