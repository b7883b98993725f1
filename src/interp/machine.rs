//! The eval loop: a CEK-style machine whose continuation is the heap
//! `Vec<Frame>`, so it is a loop, never a recursion, over dlang code.
//!
//! Registers: `fp` (start of the running activation's slots in `stack`)
//! and `cur` (the running closure, for captures). The running activation
//! always occupies `stack[fp..]`. A call in tail position (the top frame
//! is already a return point) reuses the activation instead of pushing a
//! frame, so tail-recursive loops run in constant space.
//!
//! Subexpressions without calls or control ("simple" nodes, marked when
//! lowering and bounded in depth) are evaluated directly by
//! [`Exec::eval_simple`], which keeps frames for real work only.

use std::rc::Rc;
use std::sync::atomic::Ordering;

use super::code::{Code, Lambda, LambdaId, Node, NodeId, Pat, VarRef};
use super::frame::Frame;
use super::lower::TOP_LEVEL;
use super::pattern::match_pattern;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::{RuntimeError, Unmatched};
use crate::runtime::function::Apply;
use crate::runtime::function::Closure;
use crate::runtime::memory;
pub use crate::runtime::value::dup;
use crate::runtime::value::Value;
use crate::syntax::ast::Span;

/// Frames beyond this are a dlang stack overflow (R005). Recursion a
/// million calls deep (`runtime::error::GUARANTEED_CALL_DEPTH`) needs a few
/// million; each frame is a few dozen bytes.
pub const MAX_FRAMES: usize = 8_000_000;
/// Value-stack slots beyond this are a stack overflow too.
pub const MAX_STACK: usize = 32_000_000;
/// How many calls and loop iterations between polls of Ctrl-C.
const POLL_INTERVAL: u32 = 1 << 16;
/// The code outside any function, and its one node (a call made from
/// Rust is reported at this node, which has no span).
const TOP_LEVEL_LAMBDA: LambdaId = 0;
const TOP_LEVEL_NODE: NodeId = 0;
/// The code of a partial application of a function of several
/// parameters: its captures are the function, then the arguments so far.
/// It has no body of its own (see `call::enter`).
pub const PARTIAL_LAMBDA: LambdaId = 1;

pub struct Machine {
    pub frames: Vec<Frame>,
    pub stack: Vec<Value>,
    pub fp: usize,
    pub cur: Rc<Closure>,
    /// The value being returned (see [`Next::Return`]).
    pub acc: Value,
    steps: u32,
}

/// What the machine does next. A returned value travels in the `acc`
/// register rather than in here, so every step's result fits in registers.
#[derive(Clone, Copy)]
pub enum Next {
    Eval(NodeId),
    Return,
}

/// Errors travel boxed inside the machine, keeping every `Result` on the
/// hot path as small as the value it carries.
pub type Fail = Box<RuntimeError>;

pub fn internal(message: &str) -> Fail {
    Box::new(RuntimeError::internal(format_args!(
        "interpreter: {message}"
    )))
}

pub fn fail_at(e: RuntimeError, span: Span) -> Fail {
    Box::new(e.at(span))
}

/// `RuntimeError::at` for a boxed error.
pub trait At {
    fn at(self, span: Span) -> Self;
}

impl At for Fail {
    fn at(mut self, span: Span) -> Fail {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }
}

impl Machine {
    /// Registers lambda 0 ([`TOP_LEVEL_LAMBDA`], whose body is node
    /// [`TOP_LEVEL_NODE`]), the code that runs outside any function, and
    /// lambda 1 ([`PARTIAL_LAMBDA`]).
    pub fn new(code: &mut Code) -> Machine {
        if code.lambdas.is_empty() {
            code.nodes.push(Node::Const(Value::Unit));
            code.spans.push(Span::default());
            code.simple_depth.push(1);
            code.calls_prim.push(false);
            for name in [TOP_LEVEL, "<fun>"] {
                let lambda = Lambda::new(
                    code,
                    Rc::from(name),
                    Box::new([Pat::Wildcard]),
                    TOP_LEVEL_NODE,
                    0,
                    Box::new([]),
                );
                code.lambdas.push(lambda);
            }
            super::native::register(code, TOP_LEVEL_NODE);
        }
        Machine::idle()
    }

    /// A machine with nothing to run, over code that has lambda 0.
    fn idle() -> Machine {
        Machine {
            frames: Vec::new(),
            stack: Vec::new(),
            fp: 0,
            cur: Rc::new(Closure {
                code: TOP_LEVEL_LAMBDA,
                captures: Rc::new([]),
            }),
            acc: Value::Unit,
            steps: 0,
        }
    }

    /// Runs a parameterless top-level lambda to its value. On error the
    /// machine is emptied, ready for the next run.
    pub fn run(
        &mut self,
        code: &Code,
        globals: &[Value],
        ctx: &mut RuntimeCtx,
        lambda: LambdaId,
    ) -> Result<Value, RuntimeError> {
        self.frames.clear();
        self.stack.clear();
        let body = match code.lambdas.get(lambda as usize) {
            Some(l) => {
                self.stack.resize(l.frame_size as usize, Value::Unit);
                l.body
            }
            None => return Err(*internal("unknown top-level code")),
        };
        self.fp = 0;
        self.cur = Rc::new(Closure {
            code: lambda,
            captures: Rc::new([]),
        });
        self.drive(code, globals, ctx, |_| Ok(Next::Eval(body)))
    }

    /// Runs `f arg` to its value on this machine, which must be idle.
    pub fn call(
        &mut self,
        code: &Code,
        globals: &[Value],
        ctx: &mut RuntimeCtx,
        f: &Value,
        arg: Value,
    ) -> Result<Value, RuntimeError> {
        self.frames.clear();
        self.stack.clear();
        self.fp = 0;
        self.cur = Rc::new(Closure {
            code: TOP_LEVEL_LAMBDA,
            captures: Rc::new([]),
        });
        let f = f.clone();
        self.drive(code, globals, ctx, |exec| {
            exec.apply(f, arg, TOP_LEVEL_NODE)
        })
    }

    /// Runs the eval loop from the step `start` makes; on error, records
    /// the dlang call stack and empties the machine.
    fn drive(
        &mut self,
        code: &Code,
        globals: &[Value],
        ctx: &mut RuntimeCtx,
        start: impl FnOnce(&mut Exec) -> Result<Next, Fail>,
    ) -> Result<Value, RuntimeError> {
        let mut exec = Exec {
            m: self,
            code,
            globals,
            ctx: &mut *ctx,
        };
        let result = start(&mut exec).and_then(|next| exec.run_loop(next));
        match result {
            Ok(v) => {
                self.stack.clear();
                Ok(v)
            }
            Err(e) => {
                let e = match &e.raised {
                    Some(r) if r.stack_kept => *e,
                    _ => e.with_call_stack(active_calls(self, code).collect()),
                };
                if e.raised.is_some() {
                    // An exception may yet be caught by the machine that
                    // called this one: only the `grad`s it leaves end.
                    for frame in self.frames.drain(..).rev() {
                        if let Frame::GradDelimiter { session, .. } = frame {
                            session.abandon(ctx);
                        }
                    }
                } else {
                    // The error unwound through any `grad` still running.
                    ctx.ad.abandon_all();
                }
                self.frames.clear();
                self.stack.clear();
                self.acc = Value::Unit;
                Err(e)
            }
        }
    }
}

/// The dlang functions active when an error happened, innermost first:
/// each one's name and the span of its call.
pub(super) fn active_calls<'a>(
    m: &'a Machine,
    code: &'a Code,
) -> impl Iterator<Item = (&'a str, Span)> {
    // A return frame holds the caller; the callee is the closure running
    // above it (the innermost one is the running closure).
    let mut callee = m.cur.code;
    m.frames.iter().rev().filter_map(move |frame| match frame {
        // A continuation's call shows as the function it continues.
        Frame::Return { cur, call, .. }
        | Frame::Delimiter {
            cur,
            resumed_by: Some(call),
            ..
        } => {
            let name = code
                .lambdas
                .get(callee as usize)
                .map_or("<fun>", |l| &*l.name);
            callee = cur.code;
            Some((
                name,
                code.spans.get(*call as usize).copied().unwrap_or_default(),
            ))
        }
        // Above a `reset` runs its own function, or a shift body whose
        // function's frame the `shift` removed: below is the `reset`'s.
        Frame::Delimiter { cur, .. } => {
            callee = cur.code;
            None
        }
        _ => None,
    })
}

impl Apply for Exec<'_> {
    /// A call from a primitive: `f` runs on a machine of its own, above
    /// the primitive's Rust frames (see `runtime::function::Apply` for
    /// what that means for `shift`).
    fn apply(&mut self, f: &Value, arg: Value) -> Result<Value, RuntimeError> {
        let mut nested = Machine::idle();
        nested.call(self.code, self.globals, self.ctx, f, arg)
    }
}

/// The machine together with what it runs against, for one run.
pub struct Exec<'a> {
    pub m: &'a mut Machine,
    pub code: &'a Code,
    pub globals: &'a [Value],
    pub ctx: &'a mut RuntimeCtx,
}

impl Exec<'_> {
    pub(super) fn run_loop(&mut self, start: Next) -> Result<Value, Fail> {
        let mut next = start;
        loop {
            next = match next {
                Next::Eval(id) => match self.eval(id) {
                    Ok(next) => next,
                    Err(e) => self.catch(e)?,
                },
                Next::Return => match self.m.frames.pop() {
                    None => return Ok(std::mem::replace(&mut self.m.acc, Value::Unit)),
                    Some(Frame::Return { fp, cur, .. }) => {
                        // The commonest frame, handled without a call.
                        self.m.stack.truncate(self.m.fp);
                        self.m.fp = fp as usize;
                        self.m.cur = cur;
                        Next::Return
                    }
                    Some(frame) => {
                        let v = std::mem::replace(&mut self.m.acc, Value::Unit);
                        match self.resume(frame, v) {
                            Ok(next) => next,
                            Err(e) => self.catch(e)?,
                        }
                    }
                },
            };
        }
    }

    /// Makes `v` the value being returned to the top frame.
    #[inline(always)]
    pub fn ret(&mut self, v: Value) -> Next {
        self.m.acc = v;
        Next::Return
    }

    pub(super) fn span(&self, id: NodeId) -> Span {
        self.code
            .spans
            .get(id as usize)
            .copied()
            .unwrap_or_default()
    }

    #[inline(always)]
    pub fn push_frame(&mut self, frame: Frame) {
        self.m.frames.push(frame);
    }

    /// Counts calls and loop iterations; polls Ctrl-C now and then.
    #[inline(always)]
    pub(super) fn tick(&mut self) -> Result<(), Fail> {
        self.m.steps = self.m.steps.wrapping_add(1);
        if self.m.steps.is_multiple_of(POLL_INTERVAL) {
            return self.poll_interrupt();
        }
        Ok(())
    }

    #[cold]
    pub(super) fn poll_interrupt(&mut self) -> Result<(), Fail> {
        if self.ctx.interrupted.swap(false, Ordering::Relaxed) {
            return Err(Box::new(RuntimeError::interrupted()));
        }
        if memory::over_limit() {
            return Err(Box::new(RuntimeError::out_of_memory()));
        }
        Ok(())
    }

    #[inline]
    pub fn read_var(&self, r: VarRef) -> Result<Value, Fail> {
        match r {
            VarRef::Local(slot) => self
                .m
                .stack
                .get(self.m.fp + slot as usize)
                .map(dup)
                .ok_or_else(|| internal("slot out of range")),
            VarRef::Captured(i) => self
                .m
                .cur
                .captures
                .get(i as usize)
                .map(dup)
                .ok_or_else(|| internal("capture out of range")),
            VarRef::SelfClosure => Ok(Value::Closure(self.m.cur.clone())),
            VarRef::Sibling(lambda) => Ok(Value::Closure(Rc::new(Closure {
                code: lambda,
                captures: self.m.cur.captures.clone(),
            }))),
        }
    }

    pub(super) fn set_slot(&mut self, slot: u32, value: Value) -> Result<(), Fail> {
        match self.m.stack.get_mut(self.m.fp + slot as usize) {
            Some(s) => {
                *s = value;
                Ok(())
            }
            None => Err(internal("slot out of range")),
        }
    }

    pub(super) fn make_closure(&self, lambda: LambdaId) -> Result<Value, Fail> {
        let l = self
            .code
            .lambdas
            .get(lambda as usize)
            .ok_or_else(|| internal("unknown lambda"))?;
        // Checked first so the copy below is one exact-size allocation.
        if let Some(bad) = l.captures.iter().find(|r| !self.readable(**r)) {
            return self.read_var(*bad);
        }
        let captures: Rc<[Value]> = l
            .captures
            .iter()
            .map(|r| self.read_var(*r).unwrap_or(Value::Unit))
            .collect();
        Ok(Value::Closure(Rc::new(Closure {
            code: lambda,
            captures,
        })))
    }

    fn readable(&self, r: VarRef) -> bool {
        match r {
            VarRef::Local(slot) => self.m.fp + (slot as usize) < self.m.stack.len(),
            VarRef::Captured(i) => (i as usize) < self.m.cur.captures.len(),
            VarRef::SelfClosure | VarRef::Sibling(_) => true,
        }
    }

    pub(super) fn bind(&mut self, pat: &Pat, value: Value, span: Span) -> Result<(), Fail> {
        if let Pat::Bind(slot) = pat {
            return self.set_slot(*slot, value);
        }
        let fp = self.m.fp;
        let slots = self.m.stack.get_mut(fp..).unwrap_or_default();
        if match_pattern(pat, &value, slots) {
            Ok(())
        } else {
            Err(fail_at(
                RuntimeError::match_failure(Unmatched::Pattern, &value),
                span,
            ))
        }
    }

    /// One step from evaluating node `id`: descends through tail positions
    /// in a loop, pushing a frame for each pending piece of work.
    pub(super) fn eval(&mut self, mut id: NodeId) -> Result<Next, Fail> {
        let code = self.code;
        loop {
            if code.is_simple(id) {
                let v = self.operand(id)?;
                return Ok(self.ret(v));
            }
            match code.node(id) {
                Node::App { func, arg } => {
                    if code.is_simple(*func) {
                        let f = self.operand(*func)?;
                        if code.is_simple(*arg) {
                            let a = self.operand(*arg)?;
                            return self.apply(f, a, id);
                        }
                        self.push_frame(Frame::AppArgument { func: f, call: id });
                        id = *arg;
                    } else {
                        self.push_frame(Frame::AppFunction { call: id });
                        id = *func;
                    }
                }
                Node::BinOp { op, left, right } => {
                    if code.is_simple(*left) {
                        let l = self.operand(*left)?;
                        if code.is_simple(*right) {
                            let r = self.operand(*right)?;
                            return self
                                .binop(*op, l, r)
                                .map(|v| self.ret(v))
                                .map_err(|e| e.at(self.span(id)));
                        }
                        self.push_frame(Frame::BinOpRight { left: l, node: id });
                        id = *right;
                    } else {
                        self.push_frame(Frame::BinOpLeft { node: id });
                        id = *left;
                    }
                }
                Node::UnOp { operand, .. } => {
                    self.push_frame(Frame::UnOp { node: id });
                    id = *operand;
                }
                Node::ShortCircuit { left, .. } => {
                    self.push_frame(Frame::ShortCircuit { node: id });
                    id = *left;
                }
                Node::If { cond, .. } => {
                    if code.is_simple(*cond) {
                        let Node::If {
                            then, otherwise, ..
                        } = code.node(id)
                        else {
                            return Err(internal("`if` without `if`"));
                        };
                        id = match (self.operand(*cond)?, otherwise) {
                            (Value::Bool(true), _) => *then,
                            (Value::Bool(false), Some(e)) => *e,
                            (Value::Bool(false), None) => return Ok(self.ret(Value::Unit)),
                            _ => return Err(internal("`if` on a non-boolean").at(code.span(id))),
                        };
                    } else {
                        self.push_frame(Frame::IfCondition { node: id });
                        id = *cond;
                    }
                }
                Node::Let { pat, value, body } => {
                    if code.is_simple(*value) {
                        let v = self.eval_simple(*value)?;
                        self.bind(pat, v, code.span(id))?;
                        id = *body;
                    } else {
                        self.push_frame(Frame::LetValue { node: id });
                        id = *value;
                    }
                }
                Node::LetRec {
                    slots,
                    lambdas,
                    captures,
                    body,
                } => {
                    let shared = captures
                        .iter()
                        .map(|r| self.read_var(*r))
                        .collect::<Result<Rc<[Value]>, _>>()?;
                    for (slot, lambda) in slots.iter().zip(lambdas.iter()) {
                        let closure = Value::Closure(Rc::new(Closure {
                            code: *lambda,
                            captures: shared.clone(),
                        }));
                        self.set_slot(*slot, closure)?;
                    }
                    id = *body;
                }
                Node::Call { func, .. } => {
                    if code.is_simple(*func) {
                        let f = self.operand(*func)?;
                        return self.start_call(id, f);
                    }
                    self.push_frame(Frame::CallFunction { node: id });
                    id = *func;
                }
                Node::Match { scrutinee, .. } => {
                    if code.is_simple(*scrutinee) {
                        let v = self.eval_simple(*scrutinee)?;
                        return self.select_arm(id, v, 0);
                    }
                    self.push_frame(Frame::MatchScrutinee { node: id });
                    id = *scrutinee;
                }
                Node::Build { .. } => return self.continue_build(id, 0),
                Node::Seq { first, then } => {
                    if code.is_simple(*first) {
                        self.eval_simple(*first)?;
                    } else {
                        self.push_frame(Frame::SeqFirst { then: *then });
                        id = *first;
                        continue;
                    }
                    id = *then;
                }
                Node::For { from, to, .. } => {
                    if code.is_simple(*from) && code.is_simple(*to) {
                        let from_v = self.eval_simple(*from)?;
                        let to_v = self.eval_simple(*to)?;
                        let from = expect_int(from_v, code.span(id))?;
                        let end = expect_int(to_v, code.span(id))?;
                        return self.for_iteration(id, from, end);
                    }
                    self.push_frame(Frame::ForFrom { node: id });
                    id = *from;
                }
                Node::While { cond, body } => {
                    if code.is_simple(*cond) && code.is_simple(*body) {
                        // The whole loop runs here, without a frame.
                        loop {
                            match self.operand(*cond)? {
                                Value::Bool(true) => {}
                                Value::Bool(false) => return Ok(self.ret(Value::Unit)),
                                _ => {
                                    return Err(
                                        internal("`while` on a non-boolean").at(code.span(id))
                                    )
                                }
                            }
                            self.tick()?;
                            self.eval_simple(*body)?;
                        }
                    }
                    self.push_frame(Frame::WhileCondition { node: id });
                    id = *cond;
                }
                Node::Shift { slot, body } => {
                    // Capturing copies frames: a loop of shifts allocates
                    // on every turn, so each one hears Ctrl-C and the
                    // memory limit (issue 15).
                    self.poll_interrupt()?;
                    self.shift(*slot, id)?;
                    id = *body;
                }
                Node::Reset(body) => {
                    self.push_reset();
                    id = *body;
                }
                Node::Try { body, .. } => {
                    self.push_handler(id);
                    id = *body;
                }
                Node::Raise(exn) => {
                    let e = RuntimeError::raise(exn.clone());
                    return Err(fail_at(e, code.span(id)));
                }
                Node::Const(_) | Node::Var(_) | Node::Global(_) | Node::Lambda(_) => {
                    let v = self.eval_simple(id)?;
                    return Ok(self.ret(v));
                }
            }
        }
    }
}

pub fn stack_overflow() -> Fail {
    Box::new(RuntimeError::stack_overflow())
}

pub fn expect_int(v: Value, span: Span) -> Result<i64, Fail> {
    match v {
        Value::Int(n) => Ok(n),
        _ => Err(internal("`for` bound is not an int").at(span)),
    }
}
