//! Library functions the interpreter runs in Rust instead of their dlang
//! definition, because their bookkeeping dominates everyday programs
//! (issue 16). The dlang definition stays the reference: the checker types
//! it (effect-polymorphic, so a callback may shift) and the JIT compiles
//! it; the native version makes the same callback calls in the same
//! order, on the machine, so `shift` and multi-shot continuations inside
//! a callback behave as in dlang code.
//!
//! Each one is a lambda without a body, registered with the machine's own
//! lambdas: the global gets a closure of it in place of the closure its
//! definition made, so it is a function value like any other (partial
//! application, `<fun>`, an entry `in List.sort` of the dlang call stack).
//! What differs from the dlang definition is only what no program
//! computes with: the call stack of an error inside the callback lists
//! the native function once, not the definition's helpers, and an error
//! of a primitive callback (`compare` on functions) is reported at the
//! call of the library function.

use std::rc::Rc;

use super::code::{Code, Lambda, LambdaId, NodeId, Pat, VarRef};
use super::frame::Frame;
use super::machine::{internal, stack_overflow, At, Exec, Fail, Next, MAX_FRAMES};
use crate::runtime::function::Closure;
use crate::runtime::value::Value;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Native {
    Sort,
}

/// Module, name and parameter count of each native function, in the
/// order of their lambda ids (from [`FIRST_NATIVE_LAMBDA`]).
const NATIVES: [(Native, &str, &str, usize); 1] = [(Native::Sort, "List", "sort", 2)];

/// The lambda id of the first native function; the machine's own lambdas
/// come before.
const FIRST_NATIVE_LAMBDA: LambdaId = 2;

/// Registers the native functions' lambdas (called once, right after the
/// machine's own).
pub fn register(code: &mut Code, body: NodeId) {
    for (i, (native, module, name, arity)) in NATIVES.iter().enumerate() {
        debug_assert_eq!(code.lambdas.len(), FIRST_NATIVE_LAMBDA as usize + i);
        let params: Box<[Pat]> = (0..*arity as u32).map(Pat::Bind).collect();
        let mut lambda = Lambda::new(
            code,
            Rc::from(format!("{module}.{name}")),
            params,
            body,
            0,
            Box::<[VarRef]>::default(),
        );
        lambda.direct = false;
        lambda.native = Some(*native);
        code.lambdas.push(lambda);
    }
}

/// The value the interpreter gives the library global `module.name`
/// instead of its definition's, if it runs that one natively.
pub fn replacement(module: Option<&str>, name: &str) -> Option<Value> {
    let position = NATIVES
        .iter()
        .position(|(_, m, n, _)| Some(*m) == module && *n == name)?;
    Some(Value::Closure(Rc::new(Closure {
        code: FIRST_NATIVE_LAMBDA + position as LambdaId,
        captures: Rc::new([]),
    })))
}

impl Exec<'_> {
    /// Calls native function `native` (its closure `closure`) on the
    /// arguments on top of the stack: they are moved into the function's
    /// own state, and its activation is empty.
    pub(super) fn call_native(
        &mut self,
        native: Native,
        closure: Rc<Closure>,
        arity: usize,
        call: NodeId,
    ) -> Result<Next, Fail> {
        let m = &mut *self.m;
        if m.frames.len() >= MAX_FRAMES {
            return Err(stack_overflow().at(self.span(call)));
        }
        let at = m.stack.len() - arity;
        let args: Vec<Value> = m.stack.drain(at..).collect();
        let caller = std::mem::replace(&mut m.cur, closure);
        m.frames.push(Frame::Return {
            fp: m.fp as u32,
            cur: caller,
            call,
        });
        m.fp = m.stack.len();
        match native {
            Native::Sort => {
                let Ok([cmp, list]) = <[Value; 2]>::try_from(args) else {
                    return Err(internal("List.sort without its arguments"));
                };
                self.start_sort(cmp, list, call)
            }
        }
    }
}
