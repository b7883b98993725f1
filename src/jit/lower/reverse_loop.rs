//! Loops in compiled reverse mode (issue 11; docs/ad.md, "Compiled
//! reverse mode"): `for` and `while` over the `ref`s of the compiled code,
//! and self-tail-recursive functions, whose trip counts the data decide.
//!
//! An iteration is one stretch: its forward code runs in a native loop
//! and ends by pushing one *record*, the words its backward code reads
//! (the primals and decisions of that iteration), to the run's record
//! buffer (`tape_entries.rs`). The backward pass is a second native loop
//! that pops the records in reverse order and runs the stretch's
//! backward code on each: no closure, no frame and no `Value` per
//! iteration or per primitive.
//!
//! What crosses iterations is the loop's *state*, the refs its body
//! assigns (a tail-recursive function's changing parameters, its result
//! and whether it is done are refs of its loop). Each float of the state
//! has a *slot*: an adjoint local standing for the cell the state holds
//! where the backward pass is. The interpreter's sums stay its sums,
//! operation for operation, because
//!
//! - each iteration's nodes start at zero, and at the start of its
//!   backward code each cell the state holds at the iteration's end (a
//!   node of the iteration, or a slot when the value came from the head of
//!   the iteration) takes its slot's sum, which is exactly what the
//!   interpreter's cell had received from later code; the slots then start
//!   again from zero for the cells held at the iteration's head;
//! - the cells the state holds when the loop starts get their slot's sum
//!   when the loop's backward pass ends; until then nothing else may add
//!   to them (they are *retired*: a contribution from elsewhere, which the
//!   interpreter would interleave, refuses the path), so that sum is the
//!   interpreter's;
//! - a cell held by two refs of the state at once would take two sums
//!   the interpreter adds into one: that refuses the path too.

use std::collections::HashSet;

use super::closure::locals_except;
use super::reverse::{float, untracked, var, zero, Cell, Reverse, Value};
use crate::jit::ir::{self, Compare, IntOp, Ty, VarId};
use crate::syntax::ast::{Expr, ExprKind, Pattern, PatternKind};
use crate::types::resolved::{Binder, GlobalId, LocalId, VarTarget};
use crate::types::TypeInfo;

/// A ref of a loop's state.
struct Carried {
    /// Its index in [`Reverse::refs`].
    id: usize,
    /// What it holds when the loop starts.
    entry: Value,
    ty: Ty,
    /// Its primal between iterations and after the loop.
    primal: VarId,
    /// A float's slot.
    slot: Option<VarId>,
}

/// What a self-tail-recursive function's loop keeps in refs.
struct Exit {
    /// The ref each parameter changes in (`None`: every self call passes
    /// it on unchanged).
    params: Vec<Option<usize>>,
    done: usize,
    result: usize,
}

impl<'a> Reverse<'_, '_, 'a> {
    /// `for i = from to|downto to do body done`.
    pub(super) fn for_loop(
        &mut self,
        binder: Binder,
        from: &'a Expr<TypeInfo>,
        to: &'a Expr<TypeInfo>,
        downward: bool,
        body: &'a Expr<TypeInfo>,
    ) -> Option<Value> {
        use ir::build;
        let Binder::Local(index) = binder else {
            return None;
        };
        let (Value::Scalar(from, Ty::I64), Value::Scalar(to, Ty::I64)) =
            (self.expr(from)?, self.expr(to)?)
        else {
            return None;
        };
        let carried = self.assigned_refs(body)?;
        let counter = self.zeroed(Ty::I64);
        let going = self.zeroed(Ty::Bool);
        let (within, step) = match downward {
            true => (Compare::Ge, IntOp::Sub),
            false => (Compare::Le, IntOp::Add),
        };
        self.forward.push(build::assign(counter.0, var(from)));
        self.forward.push(build::assign(
            going.0,
            build::compare(within, var(counter), var(to)),
        ));
        // As the plain lowering: the counter never steps past the bound.
        let advance = build::if_(
            build::compare(Compare::Eq, var(counter), var(to)),
            build::assign(going.0, ir::Expr::Bool(false)),
            build::assign(
                counter.0,
                build::int_op(step, var(counter), build::int(1), self.span.0),
            ),
        );
        self.repeat(
            carried,
            |_| Some(var(going)),
            |r| {
                let i = r.local(var(counter), Ty::I64);
                r.env.insert(index, Value::Scalar(i, Ty::I64));
                r.expr(body).map(drop)
            },
            vec![advance],
        )?;
        Some(self.unit())
    }

    /// `while cond do body done`. The condition's own nodes cannot reach
    /// the result (it assigns no ref), so its backward code is dropped.
    pub(super) fn while_loop(
        &mut self,
        cond: &'a Expr<TypeInfo>,
        body: &'a Expr<TypeInfo>,
    ) -> Option<Value> {
        let mut in_cond = Vec::new();
        assigned_locals(cond, &mut in_cond)?;
        if !in_cond.is_empty() {
            return None;
        }
        let carried = self.assigned_refs(body)?;
        self.repeat(
            carried,
            |r| match r.expr(cond)? {
                Value::Scalar(decision, Ty::Bool) => Some(var(decision)),
                _ => None,
            },
            |r| r.expr(body).map(drop),
            Vec::new(),
        )?;
        Some(self.unit())
    }

    /// A call of `id`, a top-level function that calls itself, on `args`:
    /// a loop, when every call of itself is in tail position.
    pub(super) fn tail_loop(
        &mut self,
        id: GlobalId,
        params: Vec<&'a Pattern<TypeInfo>>,
        body: &'a Expr<TypeInfo>,
        args: Vec<Value>,
        result_ty: Ty,
    ) -> Option<Value> {
        let locals: Vec<LocalId> = params
            .iter()
            .map(|p| param_local(p))
            .collect::<Option<_>>()?;
        if locals.len() != args.len() || result_ty == Ty::Val {
            return None;
        }
        let kept = passed_on(body, id, &locals);
        let outer = std::mem::take(&mut self.env);
        let base = self.refs.len();
        let mut exit = Exit {
            params: Vec::new(),
            done: 0,
            result: 0,
        };
        let mut carried = Vec::new();
        for ((local, arg), kept) in locals.into_iter().zip(args).zip(kept) {
            if kept {
                // The interpreter passes the same value on: its cell is
                // not state.
                self.env.insert(local, arg);
                exit.params.push(None);
            } else {
                self.refs.push(arg);
                let slot = self.refs.len() - 1;
                self.env.insert(local, Value::Param(slot));
                exit.params.push(Some(slot));
                carried.push(slot);
            }
        }
        let not_done = self.hoisted(ir::Expr::Bool(false), Ty::Bool);
        let no_result = self.hoisted(zero(result_ty), result_ty);
        self.refs.extend([not_done, no_result]);
        (exit.done, exit.result) = (self.refs.len() - 2, self.refs.len() - 1);
        carried.extend([exit.done, exit.result]);
        self.inlining.push(id);
        let looped = self.repeat(
            carried,
            |r| match r.refs[exit.done] {
                Value::Scalar(done, Ty::Bool) => Some(ir::Expr::Not(Box::new(var(done)))),
                _ => None,
            },
            |r| r.tail(body, id, &exit),
            Vec::new(),
        );
        self.inlining.pop();
        self.env = outer;
        let result = self.refs[exit.result].clone();
        self.refs.truncate(base);
        looped.map(|()| result)
    }

    /// One iteration of a tail-recursive function's loop: `e` in tail
    /// position either calls the function again (the parameters change)
    /// or is the result (the loop is done).
    fn tail(&mut self, e: &'a Expr<TypeInfo>, id: GlobalId, exit: &Exit) -> Option<()> {
        match &e.kind {
            ExprKind::If(cond, then, Some(otherwise)) => {
                let Value::Scalar(decision, Ty::Bool) = self.expr(cond)? else {
                    return None;
                };
                let arm = |e: &'a Expr<TypeInfo>| {
                    move |r: &mut Self| r.tail(e, id, exit).map(|()| r.unit())
                };
                self.branch(decision, arm(then), arm(otherwise))?;
                Some(())
            }
            ExprKind::Let(group, body) if !group.recursive => {
                for binding in &group.bindings {
                    let value = self.expr(&binding.expr)?;
                    self.bind(&binding.pattern, value)?;
                }
                self.tail(body, id, exit)
            }
            ExprKind::Seq(first, second) => {
                self.expr(first)?;
                self.tail(second, id, exit)
            }
            ExprKind::Annot(inner, _) | ExprKind::LocalOpen(_, _, inner) => {
                self.tail(inner, id, exit)
            }
            _ => match self_call(e, id).filter(|args| args.len() == exit.params.len()) {
                Some(args) => {
                    // Every argument first, as the call evaluates them.
                    let mut values = Vec::new();
                    for arg in args {
                        values.push(state_value(self.expr(arg)?)?);
                    }
                    for (value, slot) in values.into_iter().zip(&exit.params) {
                        if let Some(slot) = slot {
                            self.refs[*slot] = value;
                        }
                    }
                    Some(())
                }
                None => {
                    let value = state_value(self.expr(e)?)?;
                    self.refs[exit.result] = value;
                    self.refs[exit.done] = self.hoisted(ir::Expr::Bool(true), Ty::Bool);
                    // The parameters are dead once the loop is done: they
                    // hold no cell, so the result may hold theirs.
                    for slot in exit.params.iter().flatten() {
                        let ty = match &self.refs[*slot] {
                            Value::Float { .. } => Ty::F64,
                            Value::Scalar(_, ty) => *ty,
                            _ => return None,
                        };
                        self.refs[*slot] = self.hoisted(zero(ty), ty);
                    }
                    Some(())
                }
            },
        }
    }

    /// The refs of the compiled code that `body` assigns (those it makes
    /// itself are not state), if every assignment names a ref directly.
    fn assigned_refs(&self, body: &Expr<TypeInfo>) -> Option<Vec<usize>> {
        let mut locals = Vec::new();
        assigned_locals(body, &mut locals)?;
        let mut ids = Vec::new();
        for local in locals {
            if let Some(Value::Ref(id)) = self.env.get(&local) {
                if !ids.contains(id) {
                    ids.push(*id);
                }
            }
        }
        Some(ids)
    }

    /// A loop over the state `carried`: `head` gives the test run before
    /// each iteration, `body` lowers an iteration, and `step` ends it.
    fn repeat(
        &mut self,
        carried: Vec<usize>,
        head: impl FnOnce(&mut Self) -> Option<ir::Expr>,
        body: impl FnOnce(&mut Self) -> Option<()>,
        step: Vec<ir::Expr>,
    ) -> Option<()> {
        use ir::build;
        let mut state = Vec::new();
        let mut entry_cells = HashSet::new();
        for id in carried {
            let entry = self.refs[id].clone();
            let (primal, ty) = match &entry {
                Value::Float { primal, cells } => {
                    for cell in cells {
                        if self.retired.contains(&cell.adjoint) || !entry_cells.insert(cell.adjoint)
                        {
                            return None;
                        }
                    }
                    (*primal, Ty::F64)
                }
                Value::Scalar(v, ty) => (*v, *ty),
                _ => return None,
            };
            let looped = self.local(var(primal), ty);
            let slot = (ty == Ty::F64).then(|| self.adjoint());
            state.push(Carried {
                id,
                entry,
                ty,
                primal: looped,
                slot,
            });
        }
        self.retired.extend(entry_cells);
        let count = self.local(ir::Expr::Int(0), Ty::I64);
        let outer_forward = std::mem::take(&mut self.forward);
        let outer_backward = std::mem::take(&mut self.backward);
        let start = self.made.len();
        for carried in &state {
            let head = self.local(var(carried.primal), carried.ty);
            self.refs[carried.id] = match carried.slot {
                Some(slot) => Value::Float {
                    primal: head,
                    cells: vec![Cell {
                        adjoint: slot,
                        when: Vec::new(),
                    }],
                },
                None => Value::Scalar(head, carried.ty),
            };
        }
        let records = self.restored.len();
        let test = head(self)?;
        // A loop inside the test would push records no backward code
        // takes back.
        if self.restored.len() != records {
            return None;
        }
        let mut test_code = std::mem::take(&mut self.forward);
        test_code.push(test);
        self.backward.clear();
        body(self)?;
        let ends: Vec<Value> = state.iter().map(|c| self.refs[c.id].clone()).collect();
        let mut iteration = std::mem::replace(&mut self.forward, outer_forward);
        let backward = std::mem::replace(&mut self.backward, outer_backward);
        let in_iteration: Vec<(VarId, Ty)> = self.made[start..].to_vec();
        let fresh: Vec<VarId> = in_iteration
            .iter()
            .map(|(v, _)| *v)
            .filter(|v| self.adjoints.contains(v))
            .collect();
        // The cells the state holds at an iteration's end: the
        // iteration's nodes, or slots, each held by one ref.
        let slots: HashSet<VarId> = state.iter().filter_map(|c| c.slot).collect();
        let mut held = HashSet::new();
        for end in &ends {
            let mut mine = HashSet::new();
            if let Value::Float { cells, .. } = end {
                for cell in cells {
                    let a = cell.adjoint;
                    if !(fresh.contains(&a) || slots.contains(&a)) || self.retired.contains(&a) {
                        return None;
                    }
                    mine.insert(a);
                }
            }
            if !mine.is_disjoint(&held) {
                return None;
            }
            held.extend(mine);
        }
        // Each end cell takes its slot's sum; the slots start again.
        let mut transfer = Vec::new();
        let mut sums = Vec::new();
        for carried in &state {
            if let Some(slot) = carried.slot {
                let sum = self.f.fresh(Ty::F64);
                transfer.push(build::assign(sum.0, var(slot)));
                sums.push(Some(sum));
            } else {
                sums.push(None);
            }
        }
        for slot in state.iter().filter_map(|c| c.slot) {
            transfer.push(build::assign(slot.0, float(0.0)));
        }
        for (end, sum) in ends.iter().zip(&sums) {
            if let (Value::Float { cells, .. }, Some(sum)) = (end, sum) {
                for cell in cells {
                    transfer.push(self.guarded(cell, build::assign(cell.adjoint.0, var(*sum))));
                }
            }
        }
        let mut read = HashSet::new();
        for e in backward.iter().chain(&transfer) {
            reads(e, &mut read);
        }
        let record: Vec<(VarId, Ty)> = in_iteration
            .into_iter()
            .filter(|(v, ty)| {
                read.contains(v)
                    && !self.adjoints.contains(v)
                    && !self.restored.contains(v)
                    && *ty != Ty::Unit
            })
            .collect();
        for (v, ty) in &record {
            iteration.push(self.push_word(*v, *ty));
        }
        for (carried, end) in state.iter().zip(&ends) {
            let primal = match end {
                Value::Float { primal, .. } | Value::Scalar(primal, _) => *primal,
                _ => return None,
            };
            iteration.push(build::assign(carried.primal.0, var(primal)));
        }
        let one = build::int(1);
        iteration.push(build::assign(
            count.0,
            build::int_op(IntOp::Add, var(count), one.clone(), self.span.0),
        ));
        iteration.extend(step);
        self.forward.push(build::while_(
            ir::Expr::Seq(test_code),
            ir::Expr::Seq(iteration),
        ));
        // The backward loop: the records last first.
        let left = self.f.fresh(Ty::I64);
        let mut each: Vec<ir::Expr> = record
            .iter()
            .rev()
            .map(|(v, ty)| self.pop_word(*v, *ty))
            .collect();
        each.extend(fresh.iter().map(|v| build::assign(v.0, float(0.0))));
        each.extend(transfer);
        each.extend(backward.into_iter().rev());
        each.push(build::assign(
            left.0,
            build::int_op(IntOp::Sub, var(left), one, self.span.0),
        ));
        let mut unwind = vec![
            build::assign(left.0, var(count)),
            build::while_(
                build::compare(Compare::Gt, var(left), build::int(0)),
                ir::Expr::Seq(each),
            ),
        ];
        for carried in &state {
            if let (Value::Float { cells, .. }, Some(slot)) = (&carried.entry, carried.slot) {
                unwind.push(self.add_to(cells, var(slot)));
            }
        }
        self.backward.push(ir::Expr::Seq(unwind));
        self.restored.extend(record.iter().map(|(v, _)| *v));
        for carried in &state {
            // From here on a slot stands for the cell the loop leaves, which
            // nothing has retired (an inner loop retired the cell of an
            // iteration's head).
            if let Some(slot) = carried.slot {
                self.retired.remove(&slot);
            }
            self.refs[carried.id] = match carried.slot {
                Some(slot) => Value::Float {
                    primal: carried.primal,
                    cells: vec![Cell {
                        adjoint: slot,
                        when: Vec::new(),
                    }],
                },
                None => untracked(carried.primal, carried.ty),
            };
        }
        Some(())
    }

    /// Local `v` pushed to the record buffer (a `bool` as 0 or 1).
    fn push_word(&self, v: VarId, ty: Ty) -> ir::Expr {
        let word = match ty {
            Ty::Bool => ir::build::if_(var(v), ir::build::int(1), ir::build::int(0)),
            _ => var(v),
        };
        ir::Expr::TapePush {
            word: Box::new(word),
            span: self.span,
        }
    }

    /// Local `v` taken back from the record buffer.
    fn pop_word(&self, v: VarId, ty: Ty) -> ir::Expr {
        let word = match ty {
            Ty::F64 => ir::Expr::TapePop(Ty::F64),
            Ty::Bool => {
                ir::build::compare(Compare::Ne, ir::Expr::TapePop(Ty::I64), ir::build::int(0))
            }
            _ => ir::Expr::TapePop(Ty::I64),
        };
        ir::build::assign(v.0, word)
    }
}

/// A value a ref of the compiled code may hold.
fn state_value(value: Value) -> Option<Value> {
    matches!(value, Value::Float { .. } | Value::Scalar(..)).then_some(value)
}

/// Whether `body` names the top-level function `id`.
pub(super) fn calls_itself(body: &Expr<TypeInfo>, id: GlobalId) -> bool {
    let mut found = false;
    let mut look = |e: &Expr<TypeInfo>| {
        if let ExprKind::Var(_, v) = &e.kind {
            found |= matches!(v.target, VarTarget::Global(g) if g == id);
        }
        false
    };
    locals_except(body, &mut look, &mut Vec::new(), &mut Vec::new());
    found
}

/// The arguments of `e` if it is a call of `id`.
fn self_call(e: &Expr<TypeInfo>, id: GlobalId) -> Option<Vec<&Expr<TypeInfo>>> {
    let mut args = Vec::new();
    let mut head = e;
    while let ExprKind::App(f, arg) = &head.kind {
        args.push(&**arg);
        head = f;
    }
    args.reverse();
    match &head.kind {
        ExprKind::Var(_, v) if matches!(v.target, VarTarget::Global(g) if g == id) => Some(args),
        _ => None,
    }
}

/// For each parameter of `id` (`params`, its body `body`), whether every
/// call of `id` in `body` passes that parameter itself in its place.
fn passed_on(body: &Expr<TypeInfo>, id: GlobalId, params: &[LocalId]) -> Vec<bool> {
    let mut kept = vec![true; params.len()];
    let mut look = |e: &Expr<TypeInfo>| {
        if let Some(args) = self_call(e, id) {
            for ((kept, param), arg) in kept.iter_mut().zip(params).zip(args) {
                *kept &= assigned_local(arg) == Some(*param);
            }
        }
        false
    };
    locals_except(body, &mut look, &mut Vec::new(), &mut Vec::new());
    kept
}

/// The local a parameter pattern binds, if it is a variable.
fn param_local(pattern: &Pattern<TypeInfo>) -> Option<LocalId> {
    match &pattern.kind {
        PatternKind::Var(_, Binder::Local(id)) => Some(*id),
        PatternKind::Annot(inner, _) => param_local(inner),
        _ => None,
    }
}

/// The local `e` names, if it is a variable.
fn assigned_local(e: &Expr<TypeInfo>) -> Option<LocalId> {
    match &e.kind {
        ExprKind::Var(_, v) => match v.target {
            VarTarget::Local(id) => Some(id),
            _ => None,
        },
        ExprKind::Annot(inner, _) => assigned_local(inner),
        _ => None,
    }
}

/// Adds the locals `e` assigns with `:=` to `out`; `None` if one
/// assignment's target is not a variable.
fn assigned_locals(e: &Expr<TypeInfo>, out: &mut Vec<LocalId>) -> Option<()> {
    let mut named = true;
    let mut look = |e: &Expr<TypeInfo>| {
        if let ExprKind::Assign(target, _) = &e.kind {
            match assigned_local(target) {
                Some(id) => out.push(id),
                None => named = false,
            }
        }
        false
    };
    locals_except(e, &mut look, &mut Vec::new(), &mut Vec::new());
    named.then_some(())
}

/// Adds every local `e` reads to `out`.
fn reads(e: &ir::Expr, out: &mut HashSet<VarId>) {
    if let ir::Expr::Var(v) = e {
        out.insert(*v);
    }
    for child in e.children() {
        reads(child, out);
    }
}
