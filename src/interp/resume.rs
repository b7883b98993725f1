//! What the machine does when a value reaches the top frame: each
//! frame kind continues the form that pushed it.

use super::build::finish_build_from_stack;
use super::code::{MatchArm, Node, NodeId};
use super::frame::Frame;
use super::machine::{expect_int, fail_at, internal, At, Exec, Fail, Next};
use super::pattern::match_pattern;
use crate::runtime::error::{RuntimeError, Unmatched};
use crate::runtime::value::Value;

/// Which arm a value selects.
pub(super) enum ArmChoice {
    /// This arm's body runs.
    Body(NodeId),
    /// This arm's pattern matched; its guard must run on the machine.
    Guard(u32, NodeId),
    NoMatch,
}

impl Exec<'_> {
    /// Continues after a frame's pending value `v` arrived.
    pub(super) fn resume(&mut self, frame: Frame, v: Value) -> Result<Next, Fail> {
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
            Frame::GradDelimiter { session, call } => self.finish_grad(session, call, v),
            Frame::Sort(state) => self.resume_sort(state, v),
            // The `try` body returned normally.
            Frame::Handler { .. } => Ok(self.ret(v)),
            Frame::HandlerGuard { node, arm, raised } => match v {
                Value::Bool(true) => self.handler_arm_body(node, arm),
                _ => self.select_handler_arm(node, raised, arm as usize + 1),
            },
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
            Frame::CallFunction { node } => self.start_call(node, v),
            Frame::CallArgument {
                node,
                index,
                collected,
            } => {
                self.m.stack.push(v);
                self.call_arguments(node, index as usize + 1, collected as usize + 1)
            }
            Frame::CallApplied { node, index } => {
                self.m.stack.push(v);
                self.call_arguments(node, index as usize, 0)
            }
            Frame::BinOpLeft { node } => {
                let Node::BinOp { op, right, .. } = code.node(node) else {
                    return Err(internal("operator frame without an operator"));
                };
                if code.is_simple(*right) {
                    let r = self.eval_simple(*right)?;
                    return self
                        .binop(*op, v, r)
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
                self.binop(*op, left, v)
                    .map(|v| self.ret(v))
                    .map_err(|e| e.at(code.span(node)))
            }
            Frame::UnOp { node } => {
                let Node::UnOp { op, .. } = code.node(node) else {
                    return Err(internal("operator frame without an operator"));
                };
                self.unop(*op, v)
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
            Frame::BuildPart { node, done } => {
                self.m.stack.push(v);
                self.continue_build(node, done as usize + 1)
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
    pub(super) fn choose_branch(&mut self, node: NodeId, cond: Value) -> Result<Next, Fail> {
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
    pub(super) fn select_arm(
        &mut self,
        node: NodeId,
        v: Value,
        first: usize,
    ) -> Result<Next, Fail> {
        let code = self.code;
        let Node::Match { arms, .. } = code.node(node) else {
            return Err(internal("`match` frame without `match`"));
        };
        match self.choose_arm(arms, &v, first)? {
            ArmChoice::Body(body) => Ok(Next::Eval(body)),
            ArmChoice::Guard(arm, guard) => {
                self.push_frame(Frame::MatchGuard {
                    node,
                    arm,
                    scrutinee: v,
                });
                Ok(Next::Eval(guard))
            }
            ArmChoice::NoMatch => Err(fail_at(
                RuntimeError::match_failure(Unmatched::Arms, &v),
                code.span(node),
            )),
        }
    }

    /// The first of `arms` from `first` on whose pattern matches `v`
    /// (binding its variables) and whose guard, if it can be evaluated
    /// directly, holds.
    pub(super) fn choose_arm(
        &mut self,
        arms: &[MatchArm],
        v: &Value,
        first: usize,
    ) -> Result<ArmChoice, Fail> {
        for (i, arm) in arms.iter().enumerate().skip(first) {
            let fp = self.m.fp;
            let slots = self.m.stack.get_mut(fp..).unwrap_or_default();
            if !match_pattern(&arm.pat, v, slots) {
                continue;
            }
            let Some(guard) = arm.guard else {
                return Ok(ArmChoice::Body(arm.body));
            };
            if !self.code.is_simple(guard) {
                return Ok(ArmChoice::Guard(i as u32, guard));
            }
            if let Value::Bool(true) = self.eval_simple(guard)? {
                return Ok(ArmChoice::Body(arm.body));
            }
        }
        Ok(ArmChoice::NoMatch)
    }

    /// Evaluates the remaining parts of `Build` node `node` left to right;
    /// the `done` parts before are on top of the value stack.
    pub(super) fn continue_build(&mut self, node: NodeId, mut done: usize) -> Result<Next, Fail> {
        let code = self.code;
        let Node::Build { build, parts } = code.node(node) else {
            return Err(internal("build frame without a build"));
        };
        while let Some(&part) = parts.get(done) {
            if !code.is_simple(part) {
                self.push_frame(Frame::BuildPart {
                    node,
                    done: done as u32,
                });
                return Ok(Next::Eval(part));
            }
            let v = self.operand(part)?;
            self.m.stack.push(v);
            done += 1;
        }
        finish_build_from_stack(build, &mut self.m.stack, done)
            .map(|v| self.ret(v))
            .map_err(|e| fail_at(e, code.span(node)))
    }

    /// `for` from `index` to `end` when the body needs no frame: the
    /// whole loop runs here.
    fn for_directly(
        &mut self,
        slot: u32,
        body: NodeId,
        downward: bool,
        mut index: i64,
        end: i64,
    ) -> Result<Next, Fail> {
        loop {
            self.tick()?;
            self.set_slot(slot, Value::Int(index))?;
            self.eval_simple(body)?;
            if index == end {
                return Ok(self.ret(Value::Unit));
            }
            index = if downward { index - 1 } else { index + 1 };
        }
    }

    /// Starts iteration `index` of a `for` loop ending (inclusively) at `end`.
    pub(super) fn for_iteration(
        &mut self,
        node: NodeId,
        index: i64,
        end: i64,
    ) -> Result<Next, Fail> {
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
        if self.code.is_simple(*body) {
            return self.for_directly(*slot, *body, *downward, index, end);
        }
        self.tick()?;
        self.set_slot(*slot, Value::Int(index))?;
        self.push_frame(Frame::ForBody { node, index, end });
        Ok(Next::Eval(*body))
    }
}
