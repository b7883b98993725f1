//! Direct evaluation of "simple" nodes: expressions with no calls and no
//! control (`n - 1`, `x < 2`, `!r`, `a.(i)`, `(x, y)`), which the machine
//! computes without pushing frames. The lowering marks a node simple only
//! up to a small depth, so this recursion stays shallow.

use super::build::finish_build;
use super::code::{Build, Node, NodeId, VarRef};
use super::machine::{dup, fail_at, internal, At, Exec, Fail};
use crate::runtime::data::{assign, deref, field, index};
use crate::runtime::ops::int_fast_path;
use crate::runtime::value::Value;

impl Exec<'_> {
    /// The value of a variable or constant, without a call.
    #[inline(always)]
    pub(super) fn leaf(&self, node: &Node) -> Option<Value> {
        match node {
            Node::Const(v) => Some(dup(v)),
            Node::Var(VarRef::Local(slot)) => self.m.stack.get(self.m.fp + *slot as usize).map(dup),
            Node::Global(i) => self.globals.get(*i as usize).map(dup),
            _ => None,
        }
    }

    /// The value of a local or global variable, in place (the cell of
    /// `!r`, read without copying `r`).
    #[inline(always)]
    fn cell(&self, id: NodeId) -> Option<&Value> {
        match self.code.node(id) {
            Node::Var(VarRef::Local(slot)) => self.m.stack.get(self.m.fp + *slot as usize),
            Node::Var(VarRef::Captured(i)) => self.m.cur.captures.get(*i as usize),
            Node::Global(i) => self.globals.get(*i as usize),
            _ => None,
        }
    }

    /// An int variable or constant, or the contents of an int ref held in
    /// a variable (`!n`, the loop counter), read without building a `Value`.
    #[inline(always)]
    pub(super) fn leaf_int(&self, id: NodeId) -> Option<i64> {
        match self.code.node(id) {
            Node::Const(Value::Int(n)) => Some(*n),
            Node::Var(VarRef::Local(slot)) => match self.m.stack.get(self.m.fp + *slot as usize) {
                Some(Value::Int(n)) => Some(*n),
                _ => None,
            },
            Node::Build {
                build: Build::Deref,
                parts,
            } => match self.cell(*parts.first()?)? {
                Value::Ref(cell) => match &*cell.try_borrow().ok()? {
                    Value::Int(n) => Some(*n),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    }

    /// `x op y` on int leaves when it cannot fail (no overflow), else None.
    #[inline(always)]
    pub(super) fn int_operation(&self, node: &Node) -> Option<Value> {
        let Node::BinOp { op, left, right } = node else {
            return None;
        };
        let x = self.leaf_int(*left)?;
        let y = self.leaf_int(*right)?;
        int_fast_path(*op, x, y)
    }

    /// `eval_simple` with the commonest operands (leaves, and operators on
    /// leaves such as `n - 1`) done inline.
    #[inline(always)]
    pub(super) fn operand(&mut self, id: NodeId) -> Result<Value, Fail> {
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
                return self.binop(*op, l, r).map_err(|e| e.at(code.span(id)));
            }
        }
        self.eval_simple(id)
    }

    /// Evaluates a node with no calls or control directly.
    pub(super) fn eval_simple(&mut self, id: NodeId) -> Result<Value, Fail> {
        match self.code.node(id) {
            Node::Const(v) => Ok(dup(v)),
            Node::Var(r) => self.read_var(*r),
            Node::Global(i) => self
                .globals
                .get(*i as usize)
                .map(dup)
                .ok_or_else(|| internal("global out of range")),
            Node::Lambda(l) => self.make_closure(*l),
            Node::BinOp { op, left, right } => {
                let (op, right) = (*op, *right);
                let l = self.operand(*left)?;
                let r = self.operand(right)?;
                self.binop(op, l, r).map_err(|e| e.at(self.span(id)))
            }
            Node::UnOp { op, operand } => {
                let op = *op;
                let v = self.eval_simple(*operand)?;
                self.unop(op, v).map_err(|e| e.at(self.span(id)))
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
            Node::Build {
                build: Build::Deref,
                parts,
            } => {
                // `!r` of a variable: the cell is read in place.
                if let Some(Value::Ref(cell)) = parts.first().and_then(|p| self.cell(*p)) {
                    if let Ok(v) = cell.try_borrow() {
                        return Ok(dup(&v));
                    }
                }
                self.eval_build(id, &Build::Deref, parts)
            }
            Node::Build { build, parts } => self.eval_build(id, build, parts),
            Node::App { func, arg } => {
                let arg = self.operand(*arg)?;
                self.call_prim(*func, &[arg], id)
            }
            Node::Call { func, args, apps } => {
                let call = apps.last().copied().unwrap_or(id);
                match **args {
                    [a, b] => {
                        let a = self.operand(a)?;
                        let b = self.operand(b)?;
                        self.call_prim(*func, &[a, b], call)
                    }
                    _ => {
                        let mut values = Vec::with_capacity(args.len());
                        for arg in args.iter() {
                            values.push(self.operand(*arg)?);
                        }
                        self.call_prim(*func, &values, call)
                    }
                }
            }
            _ => Err(internal("direct evaluation of a control node")),
        }
    }

    /// A call that completes a primitive (the lowering makes only those
    /// simple), on its evaluated arguments.
    #[inline(never)]
    fn call_prim(&mut self, func: NodeId, args: &[Value], call: NodeId) -> Result<Value, Fail> {
        let Node::Const(Value::Builtin(app)) = self.code.node(func) else {
            return Err(internal("direct call of a non-primitive"));
        };
        (app.prim.run)(self.ctx, args).map_err(|e| fail_at(e, self.span(call)))
    }

    /// A simple `Build`; kept out of `eval_simple` so that the recursion
    /// through operators stays cheap.
    #[inline(never)]
    pub(super) fn eval_build(
        &mut self,
        id: NodeId,
        build: &Build,
        parts: &[NodeId],
    ) -> Result<Value, Fail> {
        // Reads and writes of cells need no vector of parts.
        let small = match (build, parts) {
            (Build::Deref, [cell]) => {
                let cell = self.operand(*cell)?;
                Some(deref(cell))
            }
            (Build::Assign, [cell, value]) => {
                let value_first = self.code.is_simple(*cell) && self.cell(*cell).is_some();
                if value_first {
                    // Reading a variable has no effect: the value may be
                    // computed first and stored through the cell in place.
                    let value = self.operand(*value)?;
                    if let Some(Value::Ref(r)) = self.cell(*cell) {
                        if let Ok(mut slot) = r.try_borrow_mut() {
                            *slot = value;
                            return Ok(Value::Unit);
                        }
                    }
                    let cell = self.operand(*cell)?;
                    Some(assign(cell, value))
                } else {
                    let cell = self.operand(*cell)?;
                    let value = self.operand(*value)?;
                    Some(assign(cell, value))
                }
            }
            (Build::Field(index), [record]) => {
                let record = self.operand(*record)?;
                Some(field(record, *index))
            }
            (Build::Index, [array, i]) => {
                let array = self.operand(*array)?;
                let i = self.operand(*i)?;
                Some(index(array, i))
            }
            _ => None,
        };
        if let Some(result) = small {
            return result.map_err(|e| fail_at(e, self.span(id)));
        }
        let mut values = Vec::with_capacity(parts.len());
        for part in parts.iter() {
            values.push(self.eval_simple(*part)?);
        }
        finish_build(build, values).map_err(|e| fail_at(e, self.span(id)))
    }
}
