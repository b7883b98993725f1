//! `List.sort` run by the machine (see `native`): the merge sort of
//! stdlib/list.dl with its list surgery done in Rust.
//!
//! The comparisons are those of the dlang definition, in its order: the
//! first `n / 2` elements are sorted, then the rest, then the two runs are
//! merged by `cmp y x`, `y` the head of the second run and `x` of the
//! first, `y` going first only when the result is negative (so the sort
//! is stable). A program whose comparison prints, counts or shifts sees
//! the same calls as with the JIT, which compiles the dlang definition.
//!
//! A comparison that is a closure runs on the machine, above a
//! [`Frame::Sort`] that holds the whole sort state, so a `shift` inside it
//! captures the state as data and every resumption of the continuation
//! goes on with its own copy (multi-shot). A primitive comparison
//! (`compare`) cannot shift: it is called here, in a Rust loop.

use super::code::NodeId;
use super::frame::Frame;
use super::machine::{fail_at, internal, At, Exec, Fail, Next};
use crate::runtime::value::{dup, Value};

/// Where a sort is: the elements, the runs still to sort and merge, and
/// the merge under way.
#[derive(Clone)]
pub struct SortState {
    cmp: Value,
    /// The `List.sort` call, where the comparisons are reported.
    call: NodeId,
    items: Vec<Value>,
    /// Pending work, the next on top.
    todo: Vec<Task>,
    merging: Option<Merge>,
    /// What the merge under way has taken so far.
    merged: Vec<Value>,
    /// A comparison of fewer than two parameters has been given `y`; its
    /// result is the function to give this `x`.
    pending_x: Option<Value>,
}

#[derive(Clone, Copy)]
enum Task {
    /// Sort `items[lo..hi]` as `sort_prefix (hi - lo)` does.
    Sort { lo: u32, hi: u32 },
    /// Merge the sorted runs `items[lo..mid]` and `items[mid..hi]`.
    Merge { lo: u32, mid: u32, hi: u32 },
}

/// A merge of `items[lo..mid]` and `items[mid..hi]`: `front` and `back`
/// are the heads of the two runs.
#[derive(Clone, Copy)]
struct Merge {
    lo: u32,
    mid: u32,
    hi: u32,
    front: u32,
    back: u32,
}

impl SortState {
    /// Moves every value the sort holds into `work` (a continuation that
    /// captured the sort is being freed, see `control`).
    pub fn release(self, work: &mut Vec<Value>) {
        work.push(self.cmp);
        work.extend(self.items);
        work.extend(self.merged);
        work.extend(self.pending_x);
    }

    /// The next comparison to make, `(y, x)`, or `None` once sorted.
    fn next_pair(&mut self) -> Option<(Value, Value)> {
        loop {
            if let Some(m) = self.merging {
                if m.front < m.mid && m.back < m.hi {
                    return Some((
                        dup(&self.items[m.back as usize]),
                        dup(&self.items[m.front as usize]),
                    ));
                }
                self.finish_merge(m);
            }
            match self.todo.pop()? {
                Task::Sort { lo, hi } if hi - lo <= 1 => {}
                Task::Sort { lo, hi } => {
                    let mid = lo + (hi - lo) / 2;
                    self.todo.push(Task::Merge { lo, mid, hi });
                    self.todo.push(Task::Sort { lo: mid, hi });
                    self.todo.push(Task::Sort { lo, hi: mid });
                }
                Task::Merge { lo, mid, hi } => {
                    self.merging = Some(Merge {
                        lo,
                        mid,
                        hi,
                        front: lo,
                        back: mid,
                    });
                }
            }
        }
    }

    /// Takes the head of the second run if `cmp y x` was negative, else
    /// the head of the first.
    fn take(&mut self, back_first: bool) {
        let Some(m) = self.merging.as_mut() else {
            return;
        };
        let from = if back_first {
            m.back += 1;
            m.back - 1
        } else {
            m.front += 1;
            m.front - 1
        };
        let v = std::mem::replace(&mut self.items[from as usize], Value::Unit);
        self.merged.push(v);
    }

    /// One run is empty: the rest of the other follows what was taken.
    fn finish_merge(&mut self, m: Merge) {
        let rest = (m.front..m.mid).chain(m.back..m.hi);
        for i in rest {
            let v = std::mem::replace(&mut self.items[i as usize], Value::Unit);
            self.merged.push(v);
        }
        let lo = m.lo as usize;
        for (slot, v) in self.items[lo..].iter_mut().zip(self.merged.drain(..)) {
            *slot = v;
        }
        self.merging = None;
    }
}

impl Exec<'_> {
    /// `List.sort cmp l`, in the activation `native` made for it.
    pub(super) fn start_sort(
        &mut self,
        cmp: Value,
        list: Value,
        call: NodeId,
    ) -> Result<Next, Fail> {
        let items = list
            .list_to_vec()
            .ok_or_else(|| internal("List.sort of a non-list").at(self.span(call)))?;
        if items.len() <= 1 {
            return Ok(self.ret(list));
        }
        let n = u32::try_from(items.len())
            .map_err(|_| internal("List.sort of more than 2^32 elements").at(self.span(call)))?;
        let state = SortState {
            cmp,
            call,
            items,
            todo: vec![Task::Sort { lo: 0, hi: n }],
            merging: None,
            merged: Vec::new(),
            pending_x: None,
        };
        self.sort_steps(Box::new(state))
    }

    /// The comparison returned `v` to the sort's frame.
    pub(super) fn resume_sort(
        &mut self,
        mut state: Box<SortState>,
        v: Value,
    ) -> Result<Next, Fail> {
        if let Some(x) = state.pending_x.take() {
            let call = state.call;
            self.push_frame(Frame::Sort(state));
            return self.apply(v, x, call);
        }
        match v {
            Value::Int(c) => state.take(c < 0),
            _ => return Err(non_int_comparison().at(self.span(state.call))),
        }
        self.sort_steps(state)
    }

    /// Sorts on until a comparison must run on the machine, or to the end.
    fn sort_steps(&mut self, mut state: Box<SortState>) -> Result<Next, Fail> {
        let call = state.call;
        // A primitive comparison given all but its last two arguments runs
        // here; `compare` on two ints is the commonest, and needs no call.
        let primitive = match &state.cmp {
            Value::Builtin(app)
                if app.prim.machine.is_none() && app.args.len() + 2 == app.prim.arity =>
            {
                Some(app.clone())
            }
            _ => None,
        };
        let is_compare = primitive
            .as_ref()
            .is_some_and(|app| app.prim.module == "Prelude" && app.prim.name == "compare");
        if is_compare && state.merging.is_none() && state.merged.is_empty() {
            if let Some(sorted) = sort_ints(&state) {
                self.poll_interrupt()?;
                return Ok(self.ret(sorted));
            }
        }
        while let Some((y, x)) = state.next_pair() {
            if let Some(app) = &primitive {
                let back_first = match (&y, &x) {
                    (Value::Int(a), Value::Int(b)) if is_compare => a < b,
                    _ => {
                        let c = if app.args.is_empty() {
                            (app.prim.run)(self.ctx, &[y, x])
                        } else {
                            let mut args = app.args.clone();
                            args.extend([y, x]);
                            (app.prim.run)(self.ctx, &args)
                        };
                        match c.map_err(|e| fail_at(e, self.span(call)))? {
                            Value::Int(c) => c < 0,
                            _ => return Err(non_int_comparison().at(self.span(call))),
                        }
                    }
                };
                state.take(back_first);
                self.tick()?;
                continue;
            }
            let cmp = state.cmp.clone();
            if self.takes(&cmp) >= 2 {
                self.push_frame(Frame::Sort(state));
                return self.apply_pair(cmp, y, x, call);
            }
            state.pending_x = Some(x);
            self.push_frame(Frame::Sort(state));
            return self.apply(cmp, y, call);
        }
        Ok(self.ret(Value::list_from(std::mem::take(&mut state.items))))
    }
}

/// A fresh sort of ints by `compare`: no comparison can be seen (the
/// primitive has no effect and an int's order is `<`), and equal ints are
/// the same value, so the merge sort's result is that of any sort.
fn sort_ints(state: &SortState) -> Option<Value> {
    if !matches!(*state.todo, [Task::Sort { lo: 0, hi }] if hi as usize == state.items.len()) {
        return None;
    }
    let mut ints = Vec::with_capacity(state.items.len());
    for v in &state.items {
        match v {
            Value::Int(n) => ints.push(*n),
            _ => return None,
        }
    }
    ints.sort_unstable();
    Some(Value::list_from(ints.into_iter().map(Value::Int)))
}

fn non_int_comparison() -> Fail {
    internal("a comparison returned a non-int")
}
