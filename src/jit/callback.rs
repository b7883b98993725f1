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
//! instead of a new error and marks the site as kept (`site_kept`), so the
//! error that reaches the user is the one the closure raised, with its
//! span and call stack; the generated code the shim returns to names the
//! closure's call with the span of the application that called the shim,
//! as the interpreter names it with the application that ran the
//! primitive.
//!
//! `grad`, `value_and_grad` and `jvp` used as values are primitive values
//! like the others; given all their arguments they run their session here
//! and call the function back ([`differentiate`]).

#![forbid(unsafe_code)]

use std::rc::Rc;

use super::abi::internal;
use super::context::{JitCtx, Status};
use super::native::{call_closure, ValPtr};
use crate::runtime::ad::Session;
use crate::runtime::error::RuntimeError;
use crate::runtime::function::Apply;
use crate::runtime::prims::MachinePrim;
use crate::runtime::value::{BuiltinApp, Value};

/// A primitive value applied to one more argument, as the interpreter
/// does it: it runs once it has its arity, else it waits for more. A
/// differentiation primitive (`grad`, `value_and_grad`, `jvp`) given all
/// its arguments runs its session here ([`differentiate`]).
pub fn apply_builtin(
    ctx: &mut JitCtx<'_>,
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
    if let Some(which) = app.prim.machine {
        return differentiate(ctx, which, &args);
    }
    (app.prim.run)(ctx.runtime, &args)
}

/// `grad f x`, `value_and_grad f x` or `jvp f x dx` of a differentiation
/// primitive used as a value (`args` are `f` and the point): what the
/// compiled `GradOpen`/`DiffClose` pair does around a call of `f`, with
/// `f` called back through [`Apply`]. The session goes on the context's
/// stack while `f` runs, as a compiled one does: if `f` fails, it stays
/// there for the `try` that catches the exception to abandon (innermost
/// first, with the sessions `f` opened) or for the end of the run.
fn differentiate(
    ctx: &mut JitCtx<'_>,
    which: MachinePrim,
    args: &[Value],
) -> Result<Value, RuntimeError> {
    let Some((f, point)) = args.split_first() else {
        return Err(internal("differentiation without its function".into()));
    };
    let session = Session::open(ctx.runtime, which, point)?;
    let input = session.argument().clone();
    ctx.sessions.push(session);
    let result = ctx.apply(f, input)?;
    // `f` returned, so every session it opened is closed or abandoned:
    // the innermost is this one.
    let session = ctx
        .sessions
        .pop()
        .ok_or_else(|| internal("a differentiation closed twice".into()))?;
    session.close(ctx.runtime, result)
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
            Value::Builtin(app) => apply_builtin(self, app, arg),
            _ => Err(internal("application of a non-function".into())),
        }
    }
}
