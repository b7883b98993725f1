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

use super::build::{binop, finish_build, unop};
use super::code::{Code, Lambda, LambdaId, Node, NodeId, Pat, VarRef};
use super::frame::Frame;
use super::lower::TOP_LEVEL;
use super::pattern::match_pattern;
use super::Closure;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::value::{BuiltinApp, Value};
use crate::syntax::ast::{BinOp, Span};

/// Frames beyond this are a dlang stack overflow (R005). Recursion a
/// million calls deep needs a few million; each frame is a few dozen bytes.
pub const MAX_FRAMES: usize = 16_000_000;
/// Value-stack slots beyond this are a stack overflow too.
pub const MAX_STACK: usize = 64_000_000;
/// How many calls and loop iterations between polls of Ctrl-C.
const POLL_INTERVAL: u32 = 1 << 16;
/// Entries of the dlang call stack shown with a run-time error.
const TRACE_ENTRIES: usize = 10;

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
    Box::new(RuntimeError::new(
        "R008",
        format!("internal interpreter error: {message}"),
    ))
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
    /// Registers lambda 0, the code that runs outside any function.
    pub fn new(code: &mut Code) -> Machine {
        if code.lambdas.is_empty() {
            code.nodes.push(Node::Const(Value::Unit));
            code.spans.push(Span::default());
            code.simple_depth.push(1);
            code.lambdas.push(Lambda {
                name: Rc::from(TOP_LEVEL),
                param: Pat::Wildcard,
                body: 0,
                frame_size: 0,
                captures: Box::new([]),
            });
        }
        Machine {
            frames: Vec::new(),
            stack: Vec::new(),
            fp: 0,
            cur: Rc::new(Closure {
                lambda: 0,
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
            lambda,
            captures: Rc::new([]),
        });
        let mut exec = Exec {
            m: self,
            code,
            globals,
            ctx,
        };
        let result = exec.run_loop(body);
        match result {
            Ok(v) => {
                self.stack.clear();
                Ok(v)
            }
            Err(e) => {
                let mut e = *e;
                e.stack = call_stack(self, code);
                self.frames.clear();
                self.stack.clear();
                self.acc = Value::Unit;
                Err(e)
            }
        }
    }
}

/// The dlang functions active when an error happened, innermost first.
fn call_stack(m: &Machine, code: &Code) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let mut total = 0usize;
    let mut callee = m.cur.lambda;
    for frame in m.frames.iter().rev() {
        if let Frame::Return { cur, call, .. } = frame {
            total += 1;
            if out.len() < TRACE_ENTRIES {
                let name = code
                    .lambdas
                    .get(callee as usize)
                    .map_or_else(|| "<fun>".to_string(), |l| l.name.to_string());
                let span = code.spans.get(*call as usize).copied().unwrap_or_default();
                out.push((name, span));
            }
            callee = cur.lambda;
        }
    }
    if total > TRACE_ENTRIES {
        out.push((format!("… {} more", total - TRACE_ENTRIES), Span::default()));
    }
    out
}

/// `Value::clone` with the scalar cases inline: most values the machine
/// copies (variables, constants) are ints, floats and booleans.
#[inline(always)]
fn dup(v: &Value) -> Value {
    match v {
        Value::Int(n) => Value::Int(*n),
        Value::Float(x) => Value::Float(*x),
        Value::Bool(b) => Value::Bool(*b),
        Value::Unit => Value::Unit,
        other => other.clone(),
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
    fn run_loop(&mut self, start: NodeId) -> Result<Value, Fail> {
        let mut next = Next::Eval(start);
        loop {
            next = match next {
                Next::Eval(id) => self.eval(id)?,
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
                        self.resume(frame, v)?
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

    fn span(&self, id: NodeId) -> Span {
        self.code
            .spans
            .get(id as usize)
            .copied()
            .unwrap_or_default()
    }

    pub fn push_frame(&mut self, frame: Frame) {
        self.m.frames.push(frame);
    }

    /// Counts calls and loop iterations; polls Ctrl-C now and then.
    #[inline(always)]
    fn tick(&mut self) -> Result<(), Fail> {
        self.m.steps = self.m.steps.wrapping_add(1);
        if self.m.steps.is_multiple_of(POLL_INTERVAL) {
            return self.poll_interrupt();
        }
        Ok(())
    }

    #[cold]
    fn poll_interrupt(&mut self) -> Result<(), Fail> {
        if self.ctx.interrupted.swap(false, Ordering::Relaxed) {
            return Err(Box::new(RuntimeError::new("R006", "interrupted")));
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
                .cloned()
                .ok_or_else(|| internal("capture out of range")),
            VarRef::SelfClosure => Ok(Value::Closure(self.m.cur.clone())),
            VarRef::Sibling(lambda) => Ok(Value::Closure(Rc::new(Closure {
                lambda,
                captures: self.m.cur.captures.clone(),
            }))),
        }
    }

    fn set_slot(&mut self, slot: u32, value: Value) -> Result<(), Fail> {
        match self.m.stack.get_mut(self.m.fp + slot as usize) {
            Some(s) => {
                *s = value;
                Ok(())
            }
            None => Err(internal("slot out of range")),
        }
    }

    fn make_closure(&self, lambda: LambdaId) -> Result<Value, Fail> {
        let l = self
            .code
            .lambdas
            .get(lambda as usize)
            .ok_or_else(|| internal("unknown lambda"))?;
        let captures = l
            .captures
            .iter()
            .map(|r| self.read_var(*r))
            .collect::<Result<Rc<[Value]>, _>>()?;
        Ok(Value::Closure(Rc::new(Closure { lambda, captures })))
    }

    fn bind(&mut self, pat: &Pat, value: Value, span: Span) -> Result<(), Fail> {
        if let Pat::Bind(slot) = pat {
            return self.set_slot(*slot, value);
        }
        let fp = self.m.fp;
        let slots = self.m.stack.get_mut(fp..).unwrap_or_default();
        if match_pattern(pat, &value, slots) {
            Ok(())
        } else {
            Err(fail_at(
                RuntimeError::new(
                    "R004",
                    "match failure: the value does not match this pattern",
                ),
                span,
            ))
        }
    }

    /// The value of a variable or constant, without a call.
    #[inline(always)]
    fn leaf(&self, node: &Node) -> Option<Value> {
        match node {
            Node::Const(v) => Some(dup(v)),
            Node::Var(VarRef::Local(slot)) => self.m.stack.get(self.m.fp + *slot as usize).map(dup),
            Node::Global(i) => self.globals.get(*i as usize).cloned(),
            _ => None,
        }
    }

    /// An int variable or constant, read without building a `Value`.
    #[inline(always)]
    fn leaf_int(&self, id: NodeId) -> Option<i64> {
        match self.code.node(id) {
            Node::Const(Value::Int(n)) => Some(*n),
            Node::Var(VarRef::Local(slot)) => match self.m.stack.get(self.m.fp + *slot as usize) {
                Some(Value::Int(n)) => Some(*n),
                _ => None,
            },
            _ => None,
        }
    }

    /// `x op y` on int leaves when it cannot fail (no overflow), else None.
    #[inline(always)]
    fn int_operation(&self, node: &Node) -> Option<Value> {
        let Node::BinOp { op, left, right } = node else {
            return None;
        };
        let x = self.leaf_int(*left)?;
        let y = self.leaf_int(*right)?;
        match op {
            BinOp::Add => x.checked_add(y).map(Value::Int),
            BinOp::Sub => x.checked_sub(y).map(Value::Int),
            BinOp::Mul => x.checked_mul(y).map(Value::Int),
            BinOp::Lt => Some(Value::Bool(x < y)),
            BinOp::Le => Some(Value::Bool(x <= y)),
            BinOp::Gt => Some(Value::Bool(x > y)),
            BinOp::Ge => Some(Value::Bool(x >= y)),
            BinOp::Eq => Some(Value::Bool(x == y)),
            BinOp::Ne => Some(Value::Bool(x != y)),
            _ => None,
        }
    }

    /// `eval_simple` with the commonest operands (leaves, and operators on
    /// leaves such as `n - 1`) done inline.
    #[inline(always)]
    fn operand(&mut self, id: NodeId) -> Result<Value, Fail> {
        let code = self.code;
        let node = code.node(id);
        if let Some(v) = self.leaf(node) {
            return Ok(v);
        }
        if let Some(v) = self.int_operation(node) {
            return Ok(v);
        }
        if let Node::BinOp { op, left, right } = node {
            if let (Some(l), Some(r)) = (self.leaf(code.node(*left)), self.leaf(code.node(*right)))
            {
                return binop(*op, l, r).map_err(|e| e.at(code.span(id)));
            }
        }
        self.eval_simple(id)
    }

    /// Evaluates a node with no calls or control directly.
    fn eval_simple(&mut self, id: NodeId) -> Result<Value, Fail> {
        match self.code.node(id) {
            Node::Const(v) => Ok(dup(v)),
            Node::Var(r) => self.read_var(*r),
            Node::Global(i) => self
                .globals
                .get(*i as usize)
                .cloned()
                .ok_or_else(|| internal("global out of range")),
            Node::Lambda(l) => self.make_closure(*l),
            Node::BinOp { op, left, right } => {
                let (op, right) = (*op, *right);
                let l = self.operand(*left)?;
                let r = self.operand(right)?;
                binop(op, l, r).map_err(|e| e.at(self.span(id)))
            }
            Node::UnOp { op, operand } => {
                let op = *op;
                let v = self.eval_simple(*operand)?;
                unop(op, v).map_err(|e| e.at(self.span(id)))
            }
            Node::ShortCircuit {
                is_and,
                left,
                right,
            } => {
                let (is_and, right) = (*is_and, *right);
                let l = self.eval_simple(*left)?;
                match (is_and, l) {
                    (true, Value::Bool(false)) => Ok(Value::Bool(false)),
                    (false, Value::Bool(true)) => Ok(Value::Bool(true)),
                    (_, Value::Bool(_)) => self.eval_simple(right),
                    _ => Err(internal("`&&`/`||` on a non-boolean").at(self.span(id))),
                }
            }
            Node::If {
                cond,
                then,
                otherwise,
            } => {
                let (then, otherwise) = (*then, *otherwise);
                match self.eval_simple(*cond)? {
                    Value::Bool(true) => self.eval_simple(then),
                    Value::Bool(false) => match otherwise {
                        Some(e) => self.eval_simple(e),
                        None => Ok(Value::Unit),
                    },
                    _ => Err(internal("`if` on a non-boolean").at(self.span(id))),
                }
            }
            Node::Seq { first, then } => {
                let then = *then;
                self.eval_simple(*first)?;
                self.eval_simple(then)
            }
            Node::Build { build, parts } => {
                let mut values = Vec::with_capacity(parts.len());
                for part in parts.iter() {
                    values.push(self.eval_simple(*part)?);
                }
                finish_build(build, values).map_err(|e| fail_at(e, self.span(id)))
            }
            _ => Err(internal("direct evaluation of a control node")),
        }
    }

    /// One step from evaluating node `id`: descends through tail positions
    /// in a loop, pushing a frame for each pending piece of work.
    fn eval(&mut self, mut id: NodeId) -> Result<Next, Fail> {
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
                            return binop(*op, l, r)
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
                            lambda: *lambda,
                            captures: shared.clone(),
                        }));
                        self.set_slot(*slot, closure)?;
                    }
                    id = *body;
                }
                Node::Match { scrutinee, .. } => {
                    if code.is_simple(*scrutinee) {
                        let v = self.eval_simple(*scrutinee)?;
                        return self.select_arm(id, v, 0);
                    }
                    self.push_frame(Frame::MatchScrutinee { node: id });
                    id = *scrutinee;
                }
                Node::Build { .. } => return self.continue_build(id, Vec::new()),
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
                Node::While { cond, .. } => {
                    self.push_frame(Frame::WhileCondition { node: id });
                    id = *cond;
                }
                Node::Shift { slot, body } => {
                    self.shift(*slot, id)?;
                    id = *body;
                }
                Node::Reset(body) => {
                    self.push_reset();
                    id = *body;
                }
                Node::Const(_) | Node::Var(_) | Node::Global(_) | Node::Lambda(_) => {
                    let v = self.eval_simple(id)?;
                    return Ok(self.ret(v));
                }
            }
        }
    }

    /// Continues after a frame's pending value `v` arrived.
    fn resume(&mut self, frame: Frame, v: Value) -> Result<Next, Fail> {
        let code = self.code;
        match frame {
            Frame::Return { fp, cur, .. } => {
                self.m.stack.truncate(self.m.fp);
                self.m.fp = fp as usize;
                self.m.cur = cur;
                Ok(self.ret(v))
            }
            Frame::Delimiter {
                fp,
                cur,
                truncate_to,
                ..
            } => {
                self.m.stack.truncate(truncate_to as usize);
                self.m.fp = fp as usize;
                self.m.cur = cur;
                Ok(self.ret(v))
            }
            Frame::AppFunction { call } => {
                let Node::App { arg, .. } = code.node(call) else {
                    return Err(internal("call frame without a call"));
                };
                if code.is_simple(*arg) {
                    let a = self.operand(*arg)?;
                    return self.apply(v, a, call);
                }
                self.push_frame(Frame::AppArgument { func: v, call });
                Ok(Next::Eval(*arg))
            }
            Frame::AppArgument { func, call } => self.apply(func, v, call),
            Frame::BinOpLeft { node } => {
                let Node::BinOp { op, right, .. } = code.node(node) else {
                    return Err(internal("operator frame without an operator"));
                };
                if code.is_simple(*right) {
                    let r = self.eval_simple(*right)?;
                    return binop(*op, v, r)
                        .map(|v| self.ret(v))
                        .map_err(|e| e.at(code.span(node)));
                }
                self.push_frame(Frame::BinOpRight { left: v, node });
                Ok(Next::Eval(*right))
            }
            Frame::BinOpRight { left, node } => {
                let Node::BinOp { op, .. } = code.node(node) else {
                    return Err(internal("operator frame without an operator"));
                };
                binop(*op, left, v)
                    .map(|v| self.ret(v))
                    .map_err(|e| e.at(code.span(node)))
            }
            Frame::UnOp { node } => {
                let Node::UnOp { op, .. } = code.node(node) else {
                    return Err(internal("operator frame without an operator"));
                };
                unop(*op, v)
                    .map(|v| self.ret(v))
                    .map_err(|e| e.at(code.span(node)))
            }
            Frame::ShortCircuit { node } => {
                let Node::ShortCircuit { is_and, right, .. } = code.node(node) else {
                    return Err(internal("`&&` frame without `&&`"));
                };
                match (*is_and, v) {
                    (true, Value::Bool(false)) => Ok(self.ret(Value::Bool(false))),
                    (false, Value::Bool(true)) => Ok(self.ret(Value::Bool(true))),
                    (_, Value::Bool(_)) => Ok(Next::Eval(*right)),
                    _ => Err(internal("`&&`/`||` on a non-boolean").at(code.span(node))),
                }
            }
            Frame::IfCondition { node } => self.choose_branch(node, v),
            Frame::LetValue { node } => {
                let Node::Let { pat, body, .. } = code.node(node) else {
                    return Err(internal("`let` frame without `let`"));
                };
                self.bind(pat, v, code.span(node))?;
                Ok(Next::Eval(*body))
            }
            Frame::MatchScrutinee { node } => self.select_arm(node, v, 0),
            Frame::MatchGuard {
                node,
                arm,
                scrutinee,
            } => {
                let Node::Match { arms, .. } = code.node(node) else {
                    return Err(internal("`match` frame without `match`"));
                };
                match v {
                    Value::Bool(true) => match arms.get(arm as usize) {
                        Some(a) => Ok(Next::Eval(a.body)),
                        None => Err(internal("match arm out of range")),
                    },
                    _ => self.select_arm(node, scrutinee, arm as usize + 1),
                }
            }
            Frame::BuildPart { node, mut done } => {
                done.push(v);
                self.continue_build(node, done)
            }
            Frame::SeqFirst { then } => Ok(Next::Eval(then)),
            Frame::ForFrom { node } => {
                let from = expect_int(v, code.span(node))?;
                let Node::For { to, .. } = code.node(node) else {
                    return Err(internal("`for` frame without `for`"));
                };
                if code.is_simple(*to) {
                    let end = self.eval_simple(*to)?;
                    let end = expect_int(end, code.span(node))?;
                    return self.for_iteration(node, from, end);
                }
                self.push_frame(Frame::ForTo { node, from });
                Ok(Next::Eval(*to))
            }
            Frame::ForTo { node, from } => {
                let end = expect_int(v, code.span(node))?;
                self.for_iteration(node, from, end)
            }
            Frame::ForBody { node, index, end } => {
                let Node::For { downward, .. } = code.node(node) else {
                    return Err(internal("`for` frame without `for`"));
                };
                if index == end {
                    return Ok(self.ret(Value::Unit));
                }
                let next = if *downward { index - 1 } else { index + 1 };
                self.for_iteration(node, next, end)
            }
            Frame::WhileCondition { node } => {
                let Node::While { body, .. } = code.node(node) else {
                    return Err(internal("`while` frame without `while`"));
                };
                match v {
                    Value::Bool(true) => {
                        self.tick()?;
                        self.push_frame(Frame::WhileBody { node });
                        Ok(Next::Eval(*body))
                    }
                    Value::Bool(false) => Ok(self.ret(Value::Unit)),
                    _ => Err(internal("`while` on a non-boolean").at(code.span(node))),
                }
            }
            Frame::WhileBody { node } => {
                let Node::While { cond, .. } = code.node(node) else {
                    return Err(internal("`while` frame without `while`"));
                };
                self.push_frame(Frame::WhileCondition { node });
                Ok(Next::Eval(*cond))
            }
        }
    }

    #[inline]
    fn choose_branch(&mut self, node: NodeId, cond: Value) -> Result<Next, Fail> {
        let Node::If {
            then, otherwise, ..
        } = self.code.node(node)
        else {
            return Err(internal("`if` frame without `if`"));
        };
        match (cond, otherwise) {
            (Value::Bool(true), _) => Ok(Next::Eval(*then)),
            (Value::Bool(false), Some(e)) => Ok(Next::Eval(*e)),
            (Value::Bool(false), None) => Ok(self.ret(Value::Unit)),
            _ => Err(internal("`if` on a non-boolean").at(self.span(node))),
        }
    }

    /// Tries the arms of `match` node `node` from `first` on.
    fn select_arm(&mut self, node: NodeId, v: Value, first: usize) -> Result<Next, Fail> {
        let code = self.code;
        let Node::Match { arms, .. } = code.node(node) else {
            return Err(internal("`match` frame without `match`"));
        };
        for (i, arm) in arms.iter().enumerate().skip(first) {
            let fp = self.m.fp;
            let slots = self.m.stack.get_mut(fp..).unwrap_or_default();
            if !match_pattern(&arm.pat, &v, slots) {
                continue;
            }
            let Some(guard) = arm.guard else {
                return Ok(Next::Eval(arm.body));
            };
            if !code.is_simple(guard) {
                self.push_frame(Frame::MatchGuard {
                    node,
                    arm: i as u32,
                    scrutinee: v,
                });
                return Ok(Next::Eval(guard));
            }
            if let Value::Bool(true) = self.eval_simple(guard)? {
                return Ok(Next::Eval(arm.body));
            }
        }
        Err(fail_at(
            RuntimeError::new("R004", "match failure: no pattern matches this value"),
            code.span(node),
        ))
    }

    /// Evaluates the remaining parts of `Build` node `node` left to right.
    fn continue_build(&mut self, node: NodeId, mut done: Vec<Value>) -> Result<Next, Fail> {
        let code = self.code;
        let Node::Build { build, parts } = code.node(node) else {
            return Err(internal("build frame without a build"));
        };
        if done.capacity() == 0 {
            done.reserve_exact(parts.len());
        }
        while let Some(&part) = parts.get(done.len()) {
            if !code.is_simple(part) {
                self.push_frame(Frame::BuildPart { node, done });
                return Ok(Next::Eval(part));
            }
            let v = self.eval_simple(part)?;
            done.push(v);
        }
        finish_build(build, done)
            .map(|v| self.ret(v))
            .map_err(|e| fail_at(e, code.span(node)))
    }

    /// Starts iteration `index` of a `for` loop ending (inclusively) at `end`.
    fn for_iteration(&mut self, node: NodeId, index: i64, end: i64) -> Result<Next, Fail> {
        let Node::For {
            slot,
            downward,
            body,
            ..
        } = self.code.node(node)
        else {
            return Err(internal("`for` frame without `for`"));
        };
        let finished = if *downward { index < end } else { index > end };
        if finished {
            return Ok(self.ret(Value::Unit));
        }
        self.tick()?;
        self.set_slot(*slot, Value::Int(index))?;
        self.push_frame(Frame::ForBody { node, index, end });
        Ok(Next::Eval(*body))
    }

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
            Value::Continuation(k) => self.resume_continuation(&k, arg),
            _ => Err(internal("application of a non-function").at(self.span(call))),
        }
    }

    #[inline]
    fn call_closure(
        &mut self,
        closure: Rc<Closure>,
        arg: Value,
        call: NodeId,
    ) -> Result<Next, Fail> {
        self.tick()?;
        let lambda = self
            .code
            .lambdas
            .get(closure.lambda as usize)
            .ok_or_else(|| internal("unknown lambda"))?;
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
}

pub fn stack_overflow() -> Fail {
    Box::new(RuntimeError::new(
        "R005",
        "stack overflow: recursion too deep (the limit is about ten million pending calls)",
    ))
}

fn expect_int(v: Value, span: Span) -> Result<i64, Fail> {
    match v {
        Value::Int(n) => Ok(n),
        _ => Err(internal("`for` bound is not an int").at(span)),
    }
}
