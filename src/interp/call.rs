//! Function application: closures (a new activation, or the reused one
//! for a tail call), primitives (collecting arguments up to their arity)
//! and continuations (see `control`).

use std::rc::Rc;

use super::code::{NodeId, Pat};
use super::frame::Frame;
use super::machine::{
    fail_at, internal, stack_overflow, At, Exec, Fail, Next, MAX_FRAMES, MAX_STACK,
};
use crate::runtime::function::Closure;
use crate::runtime::value::{BuiltinApp, Value};

impl Exec<'_> {
    /// Applies a function value to one argument.
    #[inline]
    pub fn apply(&mut self, f: Value, arg: Value, call: NodeId) -> Result<Next, Fail> {
        match f {
            Value::Closure(closure) => self.call_closure(closure, arg, call),
            Value::Builtin(app) => {
                let arity = app.prim.arity;
                if app.args.is_empty() && arity == 1 {
                    return (app.prim.run)(self.ctx, std::slice::from_ref(&arg))
                        .map(|v| self.ret(v))
                        .map_err(|e| fail_at(e, self.span(call)));
                }
                let mut args = Vec::with_capacity(arity.max(app.args.len() + 1));
                args.extend(app.args.iter().cloned());
                args.push(arg);
                if args.len() >= arity {
                    if let Some(which) = app.prim.machine {
                        return self.run_machine_prim(which, args, call);
                    }
                    (app.prim.run)(self.ctx, &args)
                        .map(|v| self.ret(v))
                        .map_err(|e| fail_at(e, self.span(call)))
                } else {
                    Ok(self.ret(Value::Builtin(Rc::new(BuiltinApp {
                        prim: app.prim,
                        args,
                    }))))
                }
            }
            Value::Continuation(k) => self.resume_continuation(&*k, arg),
            _ => Err(internal("application of a non-function").at(self.span(call))),
        }
    }

    #[inline]
    pub(super) fn call_closure(
        &mut self,
        closure: Rc<Closure>,
        arg: Value,
        call: NodeId,
    ) -> Result<Next, Fail> {
        self.tick()?;
        let lambda = self
            .code
            .lambdas
            .get(closure.code as usize)
            .ok_or_else(|| internal("unknown lambda"))?;
        if self.code.is_simple(lambda.body) && matches!(lambda.param, Pat::Bind(0)) {
            return self.call_simple(closure, arg, call);
        }
        let m = &mut *self.m;
        if let Some(Frame::Return { .. }) = m.frames.last() {
            // Tail call: the caller's activation has nothing left to do.
            m.stack.truncate(m.fp);
            m.cur = closure;
        } else {
            if m.frames.len() >= MAX_FRAMES || m.stack.len() >= MAX_STACK {
                return Err(stack_overflow().at(self.span(call)));
            }
            let caller = std::mem::replace(&mut m.cur, closure);
            m.frames.push(Frame::Return {
                fp: m.fp as u32,
                cur: caller,
                call,
            });
        }
        m.fp = m.stack.len();
        if let Pat::Bind(0) = lambda.param {
            // The common `fun x -> …`: the argument is slot 0.
            m.stack.push(arg);
            for _ in 1..lambda.frame_size {
                m.stack.push(Value::Unit);
            }
            return Ok(Next::Eval(lambda.body));
        }
        m.stack
            .resize(m.fp + lambda.frame_size as usize, Value::Unit);
        self.bind(&lambda.param, arg, self.code.span(call))?;
        Ok(Next::Eval(lambda.body))
    }

    /// A function whose body needs no frames (`fun x -> x + 1`, and the
    /// outer function of a curried one, whose body is a `fun`): its body
    /// is evaluated at once in a temporary activation, without a return
    /// frame or a trip through the eval loop.
    fn call_simple(
        &mut self,
        closure: Rc<Closure>,
        arg: Value,
        call: NodeId,
    ) -> Result<Next, Fail> {
        let lambda = self
            .code
            .lambdas
            .get(closure.code as usize)
            .ok_or_else(|| internal("unknown lambda"))?;
        let m = &mut *self.m;
        let caller_fp = m.fp;
        m.fp = m.stack.len();
        m.stack.push(arg);
        for _ in 1..lambda.frame_size {
            m.stack.push(Value::Unit);
        }
        let caller = std::mem::replace(&mut m.cur, closure);
        let result = self.operand(lambda.body);
        let m = &mut *self.m;
        m.stack.truncate(m.fp);
        m.fp = caller_fp;
        let callee = std::mem::replace(&mut m.cur, caller);
        match result {
            Ok(v) => Ok(self.ret(v)),
            Err(e) => {
                // Make the call visible to the error's dlang call stack.
                let caller = std::mem::replace(&mut m.cur, callee);
                m.frames.push(Frame::Return {
                    fp: caller_fp as u32,
                    cur: caller,
                    call,
                });
                Err(e)
            }
        }
    }
}
