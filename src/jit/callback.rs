//! Calling function values from Rust: the JIT's
//! [`Apply`](crate::runtime::function::Apply), for runtime code that takes
//! a function (a primitive that calls back, `grad`'s machinery), and the
//! application of primitive values that generated code hands the runtime.
//!
//! A closure of the program runs through the closure trampoline, on the
//! stack generated code is already using (the limit stays the one the
//! runner set). When it fails, its status and what it left in the context
//! (fault site, call trace, raised error) are kept for the shim that is
//! running: [`guard`](super::abi) then leaves with that same status
//! instead of a new error, so the error that reaches the user is the one
//! the closure raised, with its span and call stack.

#![forbid(unsafe_code)]

use std::rc::Rc;

use super::abi::internal;
use super::context::{JitCtx, Status};
use super::native::{call_closure, ValPtr};
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::function::Apply;
use crate::runtime::value::{BuiltinApp, Value};

/// A primitive value applied to one more argument, as the interpreter
/// does it: it runs once it has its arity, else it waits for more.
pub fn apply_builtin(
    runtime: &mut RuntimeCtx,
    app: &BuiltinApp,
    arg: Value,
) -> Result<Value, RuntimeError> {
    let mut args = Vec::with_capacity(app.args.len() + 1);
    args.extend(app.args.iter().cloned());
    args.push(arg);
    if args.len() < app.prim.arity {
        return Ok(Value::Builtin(Rc::new(BuiltinApp {
            prim: app.prim,
            args,
        })));
    }
    if app.prim.machine.is_some() {
        return Err(internal(format!(
            "primitive `{}` applied in compiled code",
            app.prim.name
        )));
    }
    (app.prim.run)(runtime, &args)
}

impl Apply for JitCtx<'_> {
    fn apply(&mut self, f: &Value, arg: Value) -> Result<Value, RuntimeError> {
        match f {
            Value::Closure(closure) => {
                let code = self.closure_code.get(closure.code as usize).copied();
                let (Some(code), Some(entry)) = (code, self.closure_entry) else {
                    return Err(internal(format!("no closure body {}", closure.code)));
                };
                let (status, word) =
                    call_closure(entry, self, code, ValPtr::new(f.clone()), ValPtr::new(arg));
                if status == Status::Ok as u32 {
                    let result = ValPtr::from_bits(word).take();
                    return Ok(Rc::try_unwrap(result).unwrap_or_else(|rc| (*rc).clone()));
                }
                self.callback_status = Some(status);
                Err(internal("a closure called from the runtime failed".into()))
            }
            Value::Builtin(app) => apply_builtin(self.runtime, app, arg),
            _ => Err(internal("application of a non-function".into())),
        }
    }
}
