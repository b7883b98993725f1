//! Function values as every backend sees them: closures, continuations,
//! and the one way runtime code calls either.
//!
//! The runtime prints a function value as `<fun>` and refuses it in `=`
//! and `compare` without knowing which backend made it. Only that backend
//! can run it: a closure's `code` is an id in the backend's own table of
//! function bodies (the interpreter's lambda arena, the JIT's compiled
//! functions), and a continuation is the backend's own record of the
//! frames a `shift` cut. A program runs on one backend, so every function
//! value it meets was made by the backend running it.

use std::any::Any;
use std::rc::Rc;

use super::error::RuntimeError;
use super::value::{drop_deep, Value};

/// A dlang function value: which code, and the values of its free
/// variables. The members of one local `let rec` group share one capture
/// array.
pub struct Closure {
    /// The function's body, as numbered by the backend that made it.
    pub code: u32,
    pub captures: Rc<[Value]>,
}

impl Drop for Closure {
    /// A chain of a million closures, each capturing the next (as
    /// continuation-passing code builds), is freed with a work list
    /// instead of a million nested drops.
    fn drop(&mut self) {
        let Some(captures) = Rc::get_mut(&mut self.captures) else {
            return;
        };
        let nested: Vec<Value> = captures
            .iter_mut()
            .filter(|v| !v.is_scalar())
            .map(|v| std::mem::replace(v, Value::Unit))
            .collect();
        if !nested.is_empty() {
            drop_deep(nested);
        }
    }
}

/// A continuation captured by `shift`, as the backend that captured it
/// represents it. Calling it (through that backend) runs the captured
/// context and returns what its `reset` would have returned.
pub trait Continuation: Any {
    /// Moves every value the continuation holds into `work`, so that a
    /// chain of continuations and closures is freed without recursion.
    fn release(&mut self, work: &mut Vec<Value>);
}

/// Calling a function value from runtime code (a primitive written in
/// Rust that takes a function, such as a future `List.map`): the backend
/// running the program implements it, and runs `f arg` to its value.
///
/// Such a call is re-entrant: the backend runs `f` on a fresh continuation
/// of its own, above the Rust frames of the primitive that called it. A
/// `shift` inside `f` can therefore capture only up to that boundary, never
/// past it to a `reset` outside the primitive: the primitive's Rust frames
/// are not data that a continuation could copy and resume (twice, even).
/// So a primitive that calls back may only take functions that do not
/// `shift` (a pure arrow in its type); a `shift` that ran anyway would find
/// no `reset` and stop with an internal error. Until primitives can say
/// so, the higher-order library functions (`List.map`, ...) stay dlang code
/// in `stdlib/`, where a `shift` in the callback works.
pub trait Apply {
    fn apply(&mut self, f: &Value, arg: Value) -> Result<Value, RuntimeError>;
}
