//! Unit tests of the runtime: operators, printing, primitives.

mod ad;
mod ops;
mod prims;
mod print;
mod random;
