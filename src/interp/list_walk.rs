//! `List.map`, `List.filter` and `List.fold_left` run by the machine (see
//! `native`): a walk down the list held in one [`Frame::Walk`], instead
//! of one dlang activation (match, let, cons, call) per element.
//!
//! The callback runs on the machine above the walk's frame, so a `shift`
//! inside it captures the walk as data (each resumption goes on with its
//! own copy: multi-shot), Ctrl-C and the memory limit are polled per
//! element, and a 10^6-element list costs a vector, never Rust stack.
//!
//! The calls are those of the dlang definition in stdlib/list.dl, in its
//! order and at its call sites: the walk is built from the definition's
//! lowered body ([`sites`]), which gives the `NodeId`s of the callback's
//! call and of the non-tail recursive call. So an error inside the
//! callback reports the same dlang call stack as the definition did: the
//! callback `called at` the definition's `f x`, then one `in List.map`
//! per element whose recursive call was still pending (see
//! [`WalkState::pending_calls`]), then the program's call.

use super::code::{Code, LambdaId, Node, NodeId, Pat, VarRef};
use super::frame::Frame;
use super::machine::{internal, At, Exec, Fail, Next};
use super::native::Native;
use crate::runtime::value::{dup, Value};
use crate::syntax::ast::BinOp;

/// Which function a walk runs, with the definition's call sites.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Walk {
    /// `let y = f x in y :: map f rest`
    Map { apply: NodeId, recurse: NodeId },
    /// `if p x then x :: filter p rest else filter p rest`
    Filter { apply: NodeId, recurse: NodeId },
    /// `fold_left f (f acc x) rest`: `first` applies `f` to `acc` alone
    /// (a callback of one parameter), `both` to `acc` and `x`.
    FoldLeft { first: NodeId, both: NodeId },
}

/// Where a walk is.
#[derive(Clone)]
pub struct WalkState {
    walk: Walk,
    f: Value,
    /// The elements not yet given to the callback.
    rest: Value,
    /// `map`: the results so far; `filter`: the elements kept so far.
    done: Vec<Value>,
    /// `fold_left`: the accumulator; `filter`: the element being tested;
    /// `fold_left` with a one-parameter callback: the element waiting for
    /// the function `f acc` returns.
    held: Value,
    /// `fold_left`: `f acc` is running, its result is to get `held`.
    curried: bool,
}

impl WalkState {
    /// Moves every value the walk holds into `work` (a continuation that
    /// captured it is being freed, see `control`).
    pub fn release(self, work: &mut Vec<Value>) {
        work.push(self.f);
        work.push(self.rest);
        work.extend(self.done);
        work.push(self.held);
    }

    /// The recursive calls of the dlang definition still pending at this
    /// point, and their call site: `map` has one per element mapped so
    /// far, `filter` one per element kept (dropping one is a tail call),
    /// `fold_left` none (tail calls).
    pub fn pending_calls(&self) -> (usize, NodeId) {
        match self.walk {
            Walk::Map { recurse, .. } | Walk::Filter { recurse, .. } => (self.done.len(), recurse),
            Walk::FoldLeft { both, .. } => (0, both),
        }
    }
}

impl Exec<'_> {
    /// `List.map f l`, `List.filter f l`, `List.fold_left f acc l`, in the
    /// activation `native` made for it.
    pub(super) fn start_walk(&mut self, walk: Walk, args: Vec<Value>) -> Result<Next, Fail> {
        let (f, held, rest) = match (walk, <[Value; 2]>::try_from(args)) {
            (Walk::FoldLeft { .. }, Err(args)) => match <[Value; 3]>::try_from(args) {
                Ok([f, acc, l]) => (f, acc, l),
                Err(_) => return Err(internal("List.fold_left without its arguments")),
            },
            (Walk::FoldLeft { .. }, Ok(_)) | (_, Err(_)) => {
                return Err(internal("a list walk without its arguments"))
            }
            (_, Ok([f, l])) => (f, Value::Unit, l),
        };
        let state = WalkState {
            walk,
            f,
            rest,
            done: Vec::new(),
            held,
            curried: false,
        };
        self.walk_step(Box::new(state))
    }

    /// The callback returned `v` to the walk's frame.
    pub(super) fn resume_walk(
        &mut self,
        mut state: Box<WalkState>,
        v: Value,
    ) -> Result<Next, Fail> {
        match state.walk {
            Walk::Map { .. } => state.done.push(v),
            Walk::Filter { apply, .. } => match v {
                Value::Bool(true) => {
                    let x = std::mem::replace(&mut state.held, Value::Unit);
                    state.done.push(x);
                }
                Value::Bool(false) => state.held = Value::Unit,
                _ => {
                    return Err(
                        internal("a filter predicate returned a non-bool").at(self.span(apply))
                    )
                }
            },
            Walk::FoldLeft { both, .. } => {
                if state.curried {
                    // `f acc` returned the function that takes `x`.
                    state.curried = false;
                    let x = std::mem::replace(&mut state.held, Value::Unit);
                    self.push_frame(Frame::Walk(state));
                    return self.apply(v, x, both);
                }
                state.held = v;
            }
        }
        self.walk_step(state)
    }

    /// Gives the callback the next element, or returns the result at the
    /// end of the list.
    fn walk_step(&mut self, mut state: Box<WalkState>) -> Result<Next, Fail> {
        let (x, rest) = match &state.rest {
            Value::Cons(cell) => (dup(&cell.head), dup(&cell.tail)),
            Value::Nil => {
                let result = match state.walk {
                    Walk::FoldLeft { .. } => std::mem::replace(&mut state.held, Value::Unit),
                    _ => Value::list_from(std::mem::take(&mut state.done)),
                };
                return Ok(self.ret(result));
            }
            _ => return Err(internal("a list walk over a non-list")),
        };
        state.rest = rest;
        self.tick()?;
        let f = state.f.clone();
        match state.walk {
            Walk::Map { apply, .. } => {
                self.push_frame(Frame::Walk(state));
                self.apply(f, x, apply)
            }
            Walk::Filter { apply, .. } => {
                state.held = dup(&x);
                self.push_frame(Frame::Walk(state));
                self.apply(f, x, apply)
            }
            Walk::FoldLeft { first, both } => {
                let acc = std::mem::replace(&mut state.held, Value::Unit);
                if self.takes(&f) >= 2 {
                    self.push_frame(Frame::Walk(state));
                    return self.apply_pair(f, acc, x, both);
                }
                state.held = x;
                state.curried = true;
                self.push_frame(Frame::Walk(state));
                self.apply(f, acc, first)
            }
        }
    }
}

/// A call in a definition's body, found by [`sites`].
struct Site {
    /// The application nodes: one for `f x`, one per argument of a call
    /// of several (`apps[i]` is the application to the first `i + 1`).
    apps: Vec<NodeId>,
    /// Whether it calls the function's first parameter (the callback).
    calls_callback: bool,
    /// Whether it calls the function itself (or another global).
    calls_global: bool,
    /// Whether its result is the tail of a cons (`y :: map f rest`).
    in_build: bool,
}

/// The native walk `native` for the library function whose definition is
/// lambda `lambda`, if that definition has the shape the walk follows
/// (else the interpreter runs the definition as it is).
pub fn sites(code: &Code, lambda: LambdaId, native: Native) -> Option<Native> {
    let def = code.lambdas.get(lambda as usize)?;
    let Some(Pat::Bind(callback)) = def.params.first() else {
        return None;
    };
    let mut found = Vec::new();
    collect(code, def.body, *callback, false, &mut found);
    let callback_calls: Vec<&Site> = found.iter().filter(|s| s.calls_callback).collect();
    let [apply] = callback_calls.as_slice() else {
        return None;
    };
    let recursions: Vec<&Site> = found
        .iter()
        .filter(|s| s.calls_global && s.in_build)
        .collect();
    let walk = match native {
        Native::Walk(Walk::Map { .. }) | Native::Walk(Walk::Filter { .. }) => {
            let ([apply], [recurse]) = (apply.apps.as_slice(), recursions.as_slice()) else {
                return None;
            };
            let recurse = *recurse.apps.last()?;
            match native {
                Native::Walk(Walk::Map { .. }) => Walk::Map {
                    apply: *apply,
                    recurse,
                },
                _ => Walk::Filter {
                    apply: *apply,
                    recurse,
                },
            }
        }
        Native::Walk(Walk::FoldLeft { .. }) => {
            let ([first, both], []) = (apply.apps.as_slice(), recursions.as_slice()) else {
                return None;
            };
            Walk::FoldLeft {
                first: *first,
                both: *both,
            }
        }
        Native::Sort => return None,
    };
    Some(Native::Walk(walk))
}

/// Collects the calls under `id` (not inside nested lambdas).
fn collect(code: &Code, id: NodeId, callback: u32, in_build: bool, out: &mut Vec<Site>) {
    let callee = |func: NodeId| match code.node(func) {
        Node::Var(VarRef::Local(slot)) => (*slot == callback, false),
        Node::Var(VarRef::SelfClosure) | Node::Global(_) => (false, true),
        _ => (false, false),
    };
    match code.node(id) {
        Node::App { func, arg } => {
            let (calls_callback, calls_global) = callee(*func);
            out.push(Site {
                apps: vec![id],
                calls_callback,
                calls_global,
                in_build,
            });
            collect(code, *func, callback, false, out);
            collect(code, *arg, callback, false, out);
        }
        Node::Call { func, args, apps } => {
            let (calls_callback, calls_global) = callee(*func);
            out.push(Site {
                apps: apps.to_vec(),
                calls_callback,
                calls_global,
                in_build,
            });
            collect(code, *func, callback, false, out);
            for &arg in args.iter() {
                collect(code, arg, callback, false, out);
            }
        }
        Node::Let { value, body, .. } => {
            collect(code, *value, callback, false, out);
            collect(code, *body, callback, false, out);
        }
        Node::If {
            cond,
            then,
            otherwise,
        } => {
            collect(code, *cond, callback, false, out);
            collect(code, *then, callback, false, out);
            if let Some(otherwise) = otherwise {
                collect(code, *otherwise, callback, false, out);
            }
        }
        Node::Match { scrutinee, arms } => {
            collect(code, *scrutinee, callback, false, out);
            for arm in arms.iter() {
                if let Some(guard) = arm.guard {
                    collect(code, guard, callback, false, out);
                }
                collect(code, arm.body, callback, false, out);
            }
        }
        Node::BinOp {
            op: BinOp::Cons,
            left,
            right,
        } => {
            collect(code, *left, callback, false, out);
            collect(code, *right, callback, true, out);
        }
        Node::Seq { first, then } => {
            collect(code, *first, callback, false, out);
            collect(code, *then, callback, false, out);
        }
        _ => {}
    }
}
