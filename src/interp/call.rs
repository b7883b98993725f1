//! Function application: closures (a new activation, or the reused one
//! for a tail call), primitives (collecting arguments up to their arity)
//! and continuations (see `control`).
//!
//! A `Call` node `f a1 … an` keeps `f` and the arguments evaluated so far
//! on top of the value stack, where they become the callee's activation:
//! a function of several parameters (`code::Lambda`) runs once on all of
//! them, and a primitive reads them in place. An application that would
//! run code (a function of fewer parameters) is made as soon as its
//! arguments are there, before the next argument is evaluated, so the
//! order of effects is that of the curried applications.

use std::rc::Rc;

use super::code::{Node, NodeId};
use super::frame::Frame;
use super::machine::{
    dup, fail_at, internal, stack_overflow, At, Exec, Fail, Next, MAX_FRAMES, MAX_STACK,
    PARTIAL_LAMBDA,
};
use crate::runtime::function::Closure;
use crate::runtime::value::{BuiltinApp, Value};

impl Exec<'_> {
    /// Applies a function value to one argument.
    #[inline]
    pub fn apply(&mut self, f: Value, arg: Value, call: NodeId) -> Result<Next, Fail> {
        match f {
            Value::Closure(closure) => {
                self.m.stack.push(arg);
                self.enter(closure, 1, call)
            }
            Value::Builtin(app) => {
                if app.args.is_empty() && app.prim.arity == 1 {
                    return (app.prim.run)(self.ctx, std::slice::from_ref(&arg))
                        .map(|v| self.ret(v))
                        .map_err(|e| fail_at(e, self.span(call)));
                }
                self.apply_builtin(&app, vec![arg], call)
            }
            Value::Continuation(k) => self.resume_continuation(&*k, arg, call),
            _ => Err(internal("application of a non-function").at(self.span(call))),
        }
    }

    /// A primitive given `new` arguments after those it already has: it
    /// runs once it has all of them.
    fn apply_builtin(
        &mut self,
        app: &BuiltinApp,
        new: Vec<Value>,
        call: NodeId,
    ) -> Result<Next, Fail> {
        let arity = app.prim.arity;
        let mut args = Vec::with_capacity(arity.max(app.args.len() + new.len()));
        args.extend(app.args.iter().cloned());
        args.extend(new);
        if args.len() < arity {
            return Ok(self.ret(Value::Builtin(Rc::new(BuiltinApp {
                prim: app.prim,
                args,
            }))));
        }
        if let Some(which) = app.prim.machine {
            return self.run_machine_prim(which, args, call);
        }
        (app.prim.run)(self.ctx, &args)
            .map(|v| self.ret(v))
            .map_err(|e| fail_at(e, self.span(call)))
    }

    /// How many arguments `f` takes before it runs any code.
    pub(super) fn takes(&self, f: &Value) -> usize {
        match f {
            Value::Closure(c) if c.code == PARTIAL_LAMBDA => match c.captures.first() {
                Some(Value::Closure(g)) => self
                    .arity(g.code)
                    .saturating_sub(c.captures.len() - 1)
                    .max(1),
                _ => 1,
            },
            Value::Closure(c) => self.arity(c.code),
            Value::Builtin(app) => app.prim.arity.saturating_sub(app.args.len()).max(1),
            _ => 1,
        }
    }

    fn arity(&self, lambda: u32) -> usize {
        self.code
            .lambdas
            .get(lambda as usize)
            .map_or(1, |l| l.arity())
    }

    /// Starts the arguments of `Call` node `node`, whose function is `f`.
    pub(super) fn start_call(&mut self, node: NodeId, f: Value) -> Result<Next, Fail> {
        self.m.stack.push(f);
        self.call_arguments(node, 0, 0)
    }

    /// Goes on with `Call` node `node` at argument `index`; the function
    /// and the `collected` arguments since its last application are on
    /// top of the stack.
    pub(super) fn call_arguments(
        &mut self,
        node: NodeId,
        mut index: usize,
        mut collected: usize,
    ) -> Result<Next, Fail> {
        let code = self.code;
        let Node::Call { args, apps, .. } = code.node(node) else {
            return Err(internal("call frame without a call"));
        };
        while let Some(&arg) = args.get(index) {
            if collected > 0 {
                let f = &self.m.stack[self.m.stack.len() - collected - 1];
                if collected >= self.takes(f) {
                    // `f` runs now, as the curried application would.
                    self.push_frame(Frame::CallApplied {
                        node,
                        index: index as u32,
                    });
                    return self.apply_collected(collected, apps[index - 1]);
                }
            }
            if !code.is_simple(arg) {
                self.push_frame(Frame::CallArgument {
                    node,
                    index: index as u32,
                    collected: collected as u32,
                });
                return Ok(Next::Eval(arg));
            }
            let v = self.operand(arg)?;
            self.m.stack.push(v);
            index += 1;
            collected += 1;
        }
        match apps.get(index.wrapping_sub(1)) {
            Some(&app) => self.apply_collected(collected, app),
            None => Err(internal("a call without arguments")),
        }
    }

    /// Applies `f` to `a` and `b` at once (it takes at least two
    /// arguments, see [`Exec::takes`]).
    pub(super) fn apply_pair(
        &mut self,
        f: Value,
        a: Value,
        b: Value,
        call: NodeId,
    ) -> Result<Next, Fail> {
        self.m.stack.extend([f, a, b]);
        self.apply_collected(2, call)
    }

    /// Applies the function below the `k` values on top of the stack to
    /// them (`k` is at most what it takes, see [`Exec::takes`]).
    fn apply_collected(&mut self, k: usize, call: NodeId) -> Result<Next, Fail> {
        let at = self.m.stack.len() - k;
        let f = std::mem::replace(&mut self.m.stack[at - 1], Value::Unit);
        match f {
            Value::Closure(closure) => {
                self.m.stack.remove(at - 1);
                self.enter(closure, k, call)
            }
            Value::Builtin(app)
                if app.args.is_empty() && app.prim.arity == k && app.prim.machine.is_none() =>
            {
                let result = (app.prim.run)(self.ctx, &self.m.stack[at..]);
                self.m.stack.truncate(at - 1);
                result
                    .map(|v| self.ret(v))
                    .map_err(|e| fail_at(e, self.span(call)))
            }
            Value::Builtin(app) => {
                let args = self.m.stack.drain(at..).collect();
                self.m.stack.pop();
                self.apply_builtin(&app, args, call)
            }
            other => {
                let arg = self.m.stack.pop().unwrap_or(Value::Unit);
                self.m.stack.pop();
                self.apply(other, arg, call)
            }
        }
    }

    /// Calls `closure` on the `k` values on top of the stack: runs its
    /// body if they complete its arguments, else returns the partial
    /// application.
    pub(super) fn enter(
        &mut self,
        mut closure: Rc<Closure>,
        mut k: usize,
        call: NodeId,
    ) -> Result<Next, Fail> {
        self.tick()?;
        if closure.code == PARTIAL_LAMBDA {
            let Some((Value::Closure(f), earlier)) = closure.captures.split_first() else {
                return Err(internal("a partial application without its function"));
            };
            let at = self.m.stack.len() - k;
            self.m.stack.splice(at..at, earlier.iter().map(dup));
            k += earlier.len();
            closure = f.clone();
        }
        let lambda = self
            .code
            .lambdas
            .get(closure.code as usize)
            .ok_or_else(|| internal("unknown lambda"))?;
        if k < lambda.arity() {
            let at = self.m.stack.len() - k;
            let captures: Rc<[Value]> = std::iter::once(Value::Closure(closure))
                .chain(self.m.stack.drain(at..))
                .collect();
            return Ok(self.ret(Value::Closure(Rc::new(Closure {
                code: PARTIAL_LAMBDA,
                captures,
            }))));
        }
        if k > lambda.arity() {
            return Err(internal("more arguments than the function takes"));
        }
        if let Some(native) = lambda.native {
            return self.call_native(native, closure, k, call);
        }
        if lambda.direct {
            return self.call_direct(closure, k, call);
        }
        let m = &mut *self.m;
        let args_at = m.stack.len() - k;
        if let Some(Frame::Return { .. }) = m.frames.last() {
            // Tail call: the caller's activation has nothing left to do.
            m.stack.drain(m.fp..args_at);
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
        m.fp = m.stack.len() - k;
        push_locals(&mut m.stack, (lambda.frame_size as usize).saturating_sub(k));
        if !lambda.in_place {
            for (i, param) in lambda.params.iter().enumerate() {
                let arg = dup(&self.m.stack[self.m.fp + i]);
                self.bind(param, arg, self.code.span(call))?;
            }
        }
        Ok(Next::Eval(lambda.body))
    }

    /// A function whose body needs no frames (`fun x -> x + 1`): its body
    /// is evaluated at once in an activation of the `k` arguments on top
    /// of the stack, without a return frame or a trip through the eval
    /// loop.
    fn call_direct(&mut self, closure: Rc<Closure>, k: usize, call: NodeId) -> Result<Next, Fail> {
        let lambda = self
            .code
            .lambdas
            .get(closure.code as usize)
            .ok_or_else(|| internal("unknown lambda"))?;
        let m = &mut *self.m;
        let caller_fp = m.fp;
        m.fp = m.stack.len() - k;
        push_locals(&mut m.stack, (lambda.frame_size as usize).saturating_sub(k));
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

/// The slots of an activation after its arguments, not yet bound.
#[inline(always)]
fn push_locals(stack: &mut Vec<Value>, n: usize) {
    // A loop of pushes: `resize` clones the value out of line.
    for _ in 0..n {
        stack.push(Value::Unit);
    }
}
