//! The primitive table: every built-in function with its dlang type, its
//! arity and its implementation. The checker reads the types, the
//! interpreter calls `run` once a primitive has all its arguments.

use super::ctx::RuntimeCtx;
use super::error::RuntimeError;
use super::value::Value;

pub struct Prim {
    /// Module the primitive belongs to (`"String"`, `"List"`), or `""` for
    /// the prelude, which every program has open.
    pub module: &'static str,
    pub name: &'static str,
    /// The type in dlang syntax, with class constraints after `where`:
    /// `"'a -> 'a where 'a : num"`.
    pub ty: &'static str,
    pub arity: usize,
    pub run: fn(&mut RuntimeCtx, &[Value]) -> Result<Value, RuntimeError>,
}

pub static PRIMS: &[Prim] = &[];

pub fn lookup(module: &str, name: &str) -> Option<&'static Prim> {
    PRIMS.iter().find(|p| p.module == module && p.name == name)
}
