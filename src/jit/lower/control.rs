//! `reset` and `shift` on top of the CPS transform ([`super::cps`]), and
//! the closures it makes: continuations, and the entries of function
//! values that may shift.
//!
//! A continuation is an ordinary closure of the uniform convention
//! `(self, arg) -> val` that returns the answer of its `reset`: so `k` is
//! a function value like any other (`<fun>` when printed, refused by `=`,
//! callable from anywhere, a primitive included), and calling it many
//! times runs the rest of the computation each time from the same
//! captured values (multi-shot). A function value whose arrow may shift
//! has a second entry, `(self, arg, kont) -> answer`, which is what
//! continuation-passing code calls (`Expr::ApplyCps`).

#![forbid(unsafe_code)]

use super::closure::locals_except;
use super::cps::{effect_shifts, CpsVars, Kont, LoopState};
use super::{not_compiled, FnLower, Lowering};
use crate::jit::ir::{self, FuncId, RuntimeFn, SpanId, Ty, VarId};
use crate::runtime::error::RuntimeError;
use crate::syntax::ast::{Expr, ExprKind};
use crate::types::resolved::{Binder, GlobalId, LocalId};
use crate::types::{Effect, Type, TypeInfo};
use std::rc::Rc;

/// The name the interpreter gives the main code's activation.
const TOP_LEVEL: &str = "<top level>";

/// What the argument of a continuation closure is.
#[derive(Clone, Copy)]
pub(super) enum Resumed<'a> {
    /// The value of an operand of the node it continues.
    Operand(&'a Expr<TypeInfo>),
    /// A local (the `k` of a `shift` body).
    Local(LocalId),
    /// The next iteration of the loop it runs (a `while` or `for` node),
    /// whose closure it is: the argument is the counter of a `for`, and
    /// nothing for a `while`.
    Loop,
    /// The value the body of a `try` node goes on with, in the frame of
    /// that `try` (see [`exn`](super::exn)) around the inner continuation
    /// in this local.
    TryFrame(VarId),
}

/// What a continuation closure captures, slot by slot.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Captured {
    /// A local variable its code reads.
    Local(LocalId),
    /// An operand of its node evaluated before the one it resumes with.
    Operand(*const Expr<TypeInfo>),
    /// The continuation it passes its result on to.
    Kont,
    /// The closure of an enclosing loop whose step its node contains.
    LoopClosure(*const Expr<TypeInfo>),
    /// The counter of that loop's iteration (a `for`).
    LoopCounter(*const Expr<TypeInfo>),
    /// The continuation up to the `try` a try frame runs again.
    TryInner,
}

/// How a continuation closure shows in the call stack.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) enum KontFrame {
    /// Not at all (the main code's).
    Hidden,
    /// A continuation of a function's continuation-passing variant:
    /// as that function (`ir::Frame::Shown`).
    Named(Rc<str>),
    /// A continuation made under a `reset` of the function: as that
    /// function when resumed with work pending (`ir::Frame::Continuation`).
    Resumed(Rc<str>),
    /// A `shift` body under a `reset` of the function: in its activation
    /// (`ir::Frame::ShiftBody`).
    ShiftBody(Rc<str>),
}

/// What decides the code of a continuation closure: the node it lowers
/// again, what it resumes with (as the slot that names it), what its
/// captures are, the frame it shows as and the effect variant.
#[derive(PartialEq, Eq, Hash)]
pub(super) struct ContinuationKey {
    node: *const Expr<TypeInfo>,
    resumed: Captured,
    slots: Vec<(Captured, Ty)>,
    frame: KontFrame,
    cps: Rc<CpsVars>,
    in_try_body: bool,
    ends_region: bool,
    /// The continuation it passes its value on to, as the call stack
    /// sees it ([`KontLink`]).
    next: Option<KontLink>,
}

/// A continuation captured by a continuation closure: its code if made in
/// the same lowering, and whether it is the rest of the same activation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct KontLink {
    code: Option<u32>,
    same: bool,
}

impl Lowering<'_> {
    /// A fresh identity continuation closure (see [`Self::identity_code`]).
    pub(super) fn identity_closure(&mut self, span: SpanId) -> ir::Expr {
        ir::Expr::Runtime {
            entry: RuntimeFn::MakeClosure(self.identity_code(span)),
            args: Vec::new(),
            span,
        }
    }

    /// The code of the identity continuation (the one a `reset` gives its
    /// body): it returns its argument, the answer.
    fn identity_code(&mut self, span: SpanId) -> u32 {
        if let Some(code) = self.identity {
            return code;
        }
        let (_, code) = self.identity_function("reset", span);
        self.identity = Some(code);
        code
    }

    /// A new closure body `(self, arg) -> arg` named `name`, with no
    /// entry in a call stack of its own.
    fn identity_function(&mut self, name: &str, span: SpanId) -> (FuncId, u32) {
        let (func, code) = self.reserve_closure();
        self.program.functions[func.0 as usize] = ir::Function {
            name: name.to_string(),
            params: 2,
            locals: vec![Ty::Val; 2],
            ret: Ty::Val,
            body: ir::Expr::Var(VarId(1)),
            span,
            frame: ir::Frame::Hidden,
        };
        (func, code)
    }

    /// The identity continuation passed by the call at `span` that runs
    /// the rest of a `reset` or `shift` body of `region`'s activation: a
    /// code of its own, so that a failure's walk reaching it names the
    /// callee's entry with the call and adds the activation's provisional
    /// entry, as the interpreter shows a resumed `reset` body's
    /// (`ir::KontEntry::Resumed`).
    fn reset_identity_code(&mut self, region: &str, span: SpanId) -> u32 {
        let (func, code) = self.identity_function(region, span);
        let info = ir::KontInfo {
            func,
            name: region.to_string(),
            entry: ir::KontEntry::Resumed,
            next: None,
            calls: vec![(None, span)],
        };
        self.program.kont_frames.by_code.insert(code, info);
        code
    }

    /// A continuation that passes its value on to its one capture, the
    /// rest of the same activation, standing in the call stack for the
    /// call at `span`, as that activation (`entry`, `name`): see
    /// `FnLower::kont_arg`.
    fn forwarding_code(&mut self, name: String, entry: ir::KontEntry, span: SpanId) -> u32 {
        let (func, code) = self.reserve_closure();
        let next = ir::Expr::Runtime {
            entry: RuntimeFn::Capture,
            args: vec![ir::Expr::Var(VarId(0)), ir::build::int(0)],
            span,
        };
        self.program.functions[func.0 as usize] = ir::Function {
            name: name.clone(),
            params: 2,
            locals: vec![Ty::Val; 2],
            ret: Ty::Val,
            body: ir::Expr::TailApply {
                func: Box::new(next),
                arg: Box::new(ir::Expr::Var(VarId(1))),
                span,
            },
            span,
            frame: ir::Frame::Hidden,
        };
        let info = ir::KontInfo {
            func,
            name,
            entry,
            next: Some((0, true)),
            calls: vec![(None, span)],
        };
        self.program.kont_frames.by_code.insert(code, info);
        code
    }

    /// The direct entry `(self, arg) -> val` of a function value whose
    /// arrow shifts: its continuation-passing entry run to the answer with
    /// the identity continuation, as if under a `reset` of its own. Code
    /// the effects allow to call it so does not exist (a pure arrow never
    /// takes it); the entry is there because every closure code has one.
    fn direct_adapter(&mut self, name: String, span: SpanId) -> ir::Function {
        let identity = self.identity_closure(span);
        ir::Function {
            name,
            params: 2,
            locals: vec![Ty::Val; 2],
            ret: Ty::Val,
            body: ir::Expr::ApplyCps {
                func: Box::new(ir::Expr::Var(VarId(0))),
                arg: Box::new(ir::Expr::Var(VarId(1))),
                kont: Box::new(identity),
                span,
                tail: true,
            },
            span,
            frame: ir::Frame::Hidden,
        }
    }

    /// Adds `function` as the continuation-passing entry of closure `code`.
    fn add_cps_entry(&mut self, code: u32, function: ir::Function) -> FuncId {
        let func = FuncId(self.program.functions.len() as u32);
        self.program.functions.push(function);
        self.program.cps_closures.push((code, func));
        func
    }

    /// [`Self::add_cps_entry`] of a closure body `(self, arg, kont)`:
    /// its continuation is its caller's.
    fn add_closure_cps_entry(&mut self, code: u32, function: ir::Function) {
        let entry = (VarId(2), false, function.name.clone());
        let func = self.add_cps_entry(code, function);
        self.program.kont_frames.kont_of.insert(func.0, entry);
    }

    /// The last wrapper (closure `code`, function `func`) of a top-level
    /// function's variant that shifts: its continuation-passing entry
    /// calls the variant with the captured arguments, the argument and
    /// the continuation.
    pub(super) fn shifting_wrapper(
        &mut self,
        global: GlobalId,
        cps: &CpsVars,
        (func, code): (FuncId, u32),
        name: String,
        span: SpanId,
    ) -> Result<(), RuntimeError> {
        let (params, _) = self.def_signature(global, self.closure_mode, cps)?;
        let target = self.func(global, self.closure_mode, cps);
        // Locals: the closure, the argument, the continuation, a scratch.
        let (me, arg, kont, scratch) = (VarId(0), VarId(1), VarId(2), VarId(3));
        let user_params = &params[..params.len() - 1];
        let mut args: Vec<ir::Expr> = (0..user_params.len() as i64 - 1)
            .map(|i| ir::Expr::Runtime {
                entry: RuntimeFn::Capture,
                args: vec![ir::Expr::Var(me), ir::build::int(i)],
                span,
            })
            .collect();
        args.push(ir::Expr::Var(arg));
        let mut args: Vec<ir::Expr> = args
            .into_iter()
            .zip(user_params)
            .map(|(a, ty)| super::closure::coerce(a, Ty::Val, *ty, span, scratch))
            .collect();
        args.push(ir::Expr::Var(kont));
        let entry = ir::Function {
            name: name.clone(),
            params: 3,
            locals: vec![Ty::Val; 4],
            ret: Ty::Val,
            body: ir::Expr::TailCall { func: target, args },
            span,
            frame: ir::Frame::Hidden,
        };
        self.add_cps_entry(code, entry);
        self.program.functions[func.0 as usize] = self.direct_adapter(name, span);
        Ok(())
    }
}

impl<'l, 'a> FnLower<'l, 'a> {
    /// `reset body` in direct-style code: a body that may shift is
    /// continuation-passing code whose continuation is the answer. Its
    /// continuations are not in the call stack: the function's frame is
    /// outside the `reset`, so on the interpreter a continuation does not
    /// capture it (the frame is there while the `reset` runs, once).
    pub(super) fn reset(
        &mut self,
        e: &'a Expr<TypeInfo>,
        body: &'a Expr<TypeInfo>,
    ) -> Result<ir::Expr, RuntimeError> {
        if !self.shifts(&body.ann.effect) {
            // Its value is the answer: a continuation it calls last is a
            // tail call (see `FnLower::delimited_call`).
            let saved = self.delimited_call.replace(body);
            let lowered = self.expr(body, false);
            self.delimited_call = saved;
            return lowered;
        }
        // Its continuations resume this function's activation.
        let inner = Some(self.region());
        let frame = self.frame.take();
        let resumes = std::mem::replace(&mut self.resumes, inner);
        let in_try_body = std::mem::replace(&mut self.in_try_body, false);
        let ends_region = std::mem::replace(&mut self.ends_region, false);
        let answer = self.cps(body, Kont::Answer, false);
        self.frame = frame;
        self.resumes = resumes;
        self.in_try_body = in_try_body;
        self.ends_region = ends_region;
        let answer = answer?;
        let ty = self.ty(e)?;
        let span = self.span(e.span);
        Ok(self.coerce(answer, Ty::Val, ty, span))
    }

    /// `shift k -> body`: `k` is the continuation (a closure), and `body`
    /// runs in its place under the same `reset`, its value the answer. In
    /// a function that may shift, `body` is a closure of its own the
    /// function's frame leaves to by a tail call: the `shift` removed the
    /// frames up to the `reset`, so an error in `body` shows the call stack
    /// of the `reset`, as on the interpreter. In the body of a `try` that
    /// may shift, that closure ends the `try`'s region (see
    /// [`exn`](super::exn)): it runs outside every `try` up to the `reset`.
    pub(super) fn shift(
        &mut self,
        e: &'a Expr<TypeInfo>,
        binder: Binder,
        body: &'a Expr<TypeInfo>,
        kont: Kont,
        tail: bool,
    ) -> Result<ir::Expr, RuntimeError> {
        let Binder::Local(id) = binder else {
            return Err(not_compiled("this `shift`", e.span));
        };
        let span = self.span(e.span);
        let k = self.reify(kont, span);
        if tail || self.in_region() {
            let in_try_body = std::mem::replace(&mut self.in_try_body, false);
            let ends_region = std::mem::replace(&mut self.ends_region, false);
            // It runs in the activation of the `reset`'s function, whose
            // frame is outside the `reset`: it names its calls, with no
            // entry of its own.
            let frame = KontFrame::ShiftBody(self.region());
            let shift_body = self.resume_closure(body, Resumed::Local(id), None, frame);
            self.in_try_body = in_try_body;
            self.ends_region = ends_region;
            return Ok(self.run_shift_body(shift_body?, k, tail, span));
        }
        let var = self.fresh(Ty::Val);
        self.vars.insert(id, var);
        let body = self.cps(body, Kont::Answer, tail)?;
        Ok(ir::build::let_(var.0, k, body))
    }

    /// The continuation `kont` as a closure value (the answer of the body
    /// of a `try` that may shift is its outcome `Done`).
    pub(super) fn reify(&mut self, kont: Kont, span: SpanId) -> ir::Expr {
        let code = match kont {
            Kont::Closure(k) => return ir::Expr::Var(k),
            Kont::Answer if self.in_region() => self.lowering.try_exit_code(span),
            Kont::Answer => {
                let region = self.region();
                self.lowering.reset_identity_code(&region, span)
            }
        };
        ir::Expr::Runtime {
            entry: RuntimeFn::MakeClosure(code),
            args: Vec::new(),
            span,
        }
    }

    /// Evaluates `operand` of `node` (which may shift) with, as its
    /// continuation, a closure that lowers `node` again: with `operand`
    /// given by its argument and the operands evaluated before it (locals
    /// here, `FnLower::precomputed`) captured, so only what is left of
    /// `node` runs. It shows in
    /// the call stack as the function it continues.
    pub(super) fn after(
        &mut self,
        node: &'a Expr<TypeInfo>,
        operand: &'a Expr<TypeInfo>,
        kont: Kont,
        tail: bool,
    ) -> Result<ir::Expr, RuntimeError> {
        let frame = self.kont_frame();
        let resume = self.resume_closure(node, Resumed::Operand(operand), Some(kont), frame)?;
        let closure = self.fresh(Ty::Val);
        if let ir::Expr::Runtime {
            entry: RuntimeFn::MakeClosure(code),
            ..
        } = resume
        {
            self.kont_codes.insert(closure, code);
        }
        let evaluated = self.cps(operand, Kont::Closure(closure), tail)?;
        Ok(ir::build::let_(closure.0, resume, evaluated))
    }

    /// The closure of the loop `node` (a `while` or `for` that may shift):
    /// called with the counter of a `for` or `()`, it runs an iteration,
    /// whose continuation calls it again; what follows the loop is `kont`.
    /// So the loop is a chain of tail calls, and a continuation captured
    /// in an iteration runs the rest of the loop from that iteration each
    /// time it is called.
    pub(super) fn loop_closure(
        &mut self,
        node: &'a Expr<TypeInfo>,
        kont: Kont,
    ) -> Result<ir::Expr, RuntimeError> {
        let frame = self.kont_frame();
        self.resume_closure(node, Resumed::Loop, Some(kont), frame)
    }

    /// The function whose activation a `reset` or `shift` body lowered
    /// here runs in, as the interpreter names it: the main code's is
    /// `<top level>`.
    pub(super) fn region(&self) -> Rc<str> {
        self.frame
            .clone()
            .or_else(|| self.resumes.clone())
            .unwrap_or_else(|| Rc::from(TOP_LEVEL))
    }

    /// The continuation `kont` as the argument of the call at `span` of
    /// `callee` (`None`: a function value), the call registered with the
    /// continuation it resumes, which names the callee's entry when a
    /// failure's walk reaches it (`ir::KontInfo::calls`). A second call of
    /// the same callee resuming the same continuation would be ambiguous:
    /// it passes a forwarding continuation of its own instead (a closure
    /// made only at such calls).
    pub(super) fn kont_arg(
        &mut self,
        kont: Kont,
        callee: Option<String>,
        span: SpanId,
    ) -> ir::Expr {
        let Kont::Closure(var) = kont else {
            if self.in_region() {
                // The call's value ends the region (`exn`).
                let code = self.lowering.try_exit_call_code(callee, span);
                return ir::Expr::Runtime {
                    entry: RuntimeFn::MakeClosure(code),
                    args: Vec::new(),
                    span,
                };
            }
            return self.reify(kont, span);
        };
        let Some(&code) = self.kont_codes.get(&var) else {
            return self.reify(kont, span);
        };
        let Some(info) = self.lowering.program.kont_frames.by_code.get_mut(&code) else {
            return self.reify(kont, span);
        };
        let call = (callee, span);
        if !info.calls.iter().any(|(name, _)| *name == call.0) {
            info.calls.push(call);
            return self.reify(kont, span);
        }
        if info.calls.contains(&call) {
            return self.reify(kont, span);
        }
        let (name, entry) = (info.name.clone(), info.entry);
        let forward = self.lowering.forwarding_code(name, entry, span);
        ir::Expr::Runtime {
            entry: RuntimeFn::MakeClosure(forward),
            args: vec![ir::Expr::Var(var)],
            span,
        }
    }

    /// How a continuation of the code lowered here shows.
    pub(super) fn kont_frame(&self) -> KontFrame {
        match (&self.frame, &self.resumes) {
            (Some(name), _) => KontFrame::Named(Rc::clone(name)),
            (None, Some(name)) => KontFrame::Resumed(Rc::clone(name)),
            (None, None) => KontFrame::Hidden,
        }
    }

    /// A closure `(self, arg) -> answer` that runs `node` in
    /// continuation-passing style (to `kont`, captured, or to the answer)
    /// with `arg` as `resumed`, and the operands already evaluated and the
    /// locals `node` reads captured; `frame` names it in the call stack.
    pub(super) fn resume_closure(
        &mut self,
        node: &'a Expr<TypeInfo>,
        resumed: Resumed<'a>,
        kont: Option<Kont>,
        frame: KontFrame,
    ) -> Result<ir::Expr, RuntimeError> {
        let span = self.span(node.span);
        // What `node` reads outside its operands already evaluated (their
        // values are captured) and the one it resumes with (evaluated
        // before it runs). The locals bound inside `node` are bound again
        // when it is lowered again: left out, since where this closure is
        // made some of them may belong to code on another path (the arms
        // of a `match` lowered so far).
        let skipped = match (resumed, &node.kind) {
            (Resumed::Operand(operand), _) => operand as *const _,
            // A try frame runs the inner continuation, not the body.
            (Resumed::TryFrame(_), ExprKind::Try(body, _)) => &**body as *const _,
            _ => std::ptr::null(),
        };
        let mut used = Vec::new();
        let mut bound = Vec::new();
        let mut done = Vec::new();
        let mut loops = Vec::new();
        let (precomputed, active) = (&self.precomputed, &self.loops);
        locals_except(
            node,
            &mut |e| {
                let key = e as *const Expr<TypeInfo>;
                if let Some(state) = active.get(&key) {
                    loops.push((key, *state));
                }
                if let Some(var) = precomputed.get(&key) {
                    done.push((key, *var));
                    return true;
                }
                key == skipped
            },
            &mut used,
            &mut bound,
        );
        let mut captures: Vec<(Captured, ir::Expr, Ty)> = Vec::new();
        for id in used {
            if bound.contains(&id) {
                continue;
            }
            if let Some((value, ty)) = self.local(id, span) {
                captures.push((Captured::Local(id), value, ty));
            }
        }
        for (expr, var) in done {
            let ty = self.locals[var.0 as usize];
            captures.push((Captured::Operand(expr), ir::Expr::Var(var), ty));
        }
        for (key, state) in loops {
            let closure = ir::Expr::Var(state.closure);
            captures.push((Captured::LoopClosure(key), closure, Ty::Val));
            if let Some(counter) = state.counter {
                let counter = ir::Expr::Var(counter);
                captures.push((Captured::LoopCounter(key), counter, Ty::I64));
            }
        }
        if let Some(Kont::Closure(k)) = kont {
            captures.push((Captured::Kont, ir::Expr::Var(k), Ty::Val));
        }
        if let Resumed::TryFrame(inner) = resumed {
            captures.push((Captured::TryInner, ir::Expr::Var(inner), Ty::Val));
        }
        let slots: Vec<(Captured, Ty)> =
            captures.iter().map(|(slot, _, ty)| (*slot, *ty)).collect();
        let next = match kont {
            Some(Kont::Closure(k)) => Some(KontLink {
                code: self.kont_codes.get(&k).copied(),
                same: Some(k) != self.outer_kont,
            }),
            _ => None,
        };
        let code = self.continuation_code(node, resumed, &slots, (frame, next), span)?;
        let values = captures
            .into_iter()
            .map(|(_, value, ty)| self.coerce(value, ty, Ty::Val, span))
            .collect();
        Ok(ir::Expr::Runtime {
            entry: RuntimeFn::MakeClosure(code),
            args: values,
            span,
        })
    }

    /// The closure code of a continuation of `node` resumed with
    /// `resumed` and capturing `slots` (see [`Self::resume_closure`]): one
    /// code for all the continuations alike in these, so that the arms
    /// below a `match`'s shifting guards are compiled once per guard,
    /// not once per path through the guards above.
    fn continuation_code(
        &mut self,
        node: &'a Expr<TypeInfo>,
        resumed: Resumed<'a>,
        slots: &[(Captured, Ty)],
        (frame, next): (KontFrame, Option<KontLink>),
        span: SpanId,
    ) -> Result<u32, RuntimeError> {
        // A continuation is a closure: it may be resumed under a `grad`
        // wherever it was captured, so it takes the closures' mode.
        let mode = self.lowering.closure_mode;
        let key = ContinuationKey {
            node,
            resumed: match resumed {
                Resumed::Operand(operand) => Captured::Operand(operand),
                Resumed::Local(id) => Captured::Local(id),
                Resumed::Loop => Captured::LoopClosure(node),
                Resumed::TryFrame(_) => Captured::TryInner,
            },
            slots: slots
                .iter()
                .map(|(slot, ty)| (*slot, mode.repr(*ty)))
                .collect(),
            frame: frame.clone(),
            cps: Rc::clone(&self.cps_vars),
            in_try_body: self.in_try_body,
            ends_region: self.ends_region,
            next,
        };
        if let Some(code) = self.lowering.continuations.get(&key) {
            return Ok(*code);
        }
        let (func, code) = self.lowering.reserve_closure();
        self.lowering.continuations.insert(key, code);
        let kont_slot = slots.iter().position(|(slot, _)| *slot == Captured::Kont);
        let info = ir::KontInfo {
            func,
            name: match &frame {
                KontFrame::Hidden => TOP_LEVEL.to_string(),
                KontFrame::Named(name) | KontFrame::Resumed(name) | KontFrame::ShiftBody(name) => {
                    name.to_string()
                }
            },
            entry: match &frame {
                KontFrame::Named(_) => ir::KontEntry::Named,
                KontFrame::Resumed(_) => ir::KontEntry::Resumed,
                KontFrame::Hidden | KontFrame::ShiftBody(_) => ir::KontEntry::Hidden,
            },
            next: kont_slot
                .zip(next)
                .map(|(slot, link)| (slot as u32, link.same)),
            calls: Vec::new(),
        };
        self.lowering.program.kont_frames.by_code.insert(code, info);
        let resumed_ty = match resumed {
            Resumed::Operand(operand) => mode.repr(self.ty(operand)?),
            Resumed::Local(_) => Ty::Val,
            Resumed::Loop if is_for(node) => Ty::I64,
            Resumed::Loop => Ty::Unit,
            Resumed::TryFrame(_) => Ty::Val,
        };
        let mut f = FnLower::new(self.lowering, None, mode);
        f.cps_vars = Rc::clone(&self.cps_vars);
        (f.frame, f.resumes) = match &frame {
            KontFrame::Hidden => (None, None),
            KontFrame::Named(name) => (Some(Rc::clone(name)), None),
            KontFrame::Resumed(name) | KontFrame::ShiftBody(name) => (None, Some(Rc::clone(name))),
        };
        f.in_try_body = self.in_try_body;
        f.ends_region = self.ends_region;
        let me = f.fresh(Ty::Val);
        let arg = f.fresh(Ty::Val);
        let mut prologue = Vec::new();
        let mut inner_kont = Kont::Answer;
        let mut try_inner = None;
        // The local the continuation capture is read into (not `2 +
        // slot`: unboxing a scalar capture before it takes a local too).
        let mut kont_var = None;
        for (i, (slot, ty)) in slots.iter().enumerate() {
            let ty = &mode.repr(*ty);
            let var = f.fresh(*ty);
            match slot {
                Captured::Local(id) => {
                    f.vars.insert(*id, var);
                }
                Captured::Operand(expr) => {
                    f.precomputed.insert(*expr, var);
                }
                Captured::Kont => {
                    inner_kont = Kont::Closure(var);
                    kont_var = Some(var);
                    if let Some(link) = next {
                        if let Some(code) = link.code {
                            f.kont_codes.insert(var, code);
                        }
                        if !link.same {
                            f.outer_kont = Some(var);
                        }
                    }
                }
                Captured::LoopClosure(node) => {
                    f.loops.insert(
                        *node,
                        LoopState {
                            closure: var,
                            counter: None,
                        },
                    );
                }
                Captured::LoopCounter(node) => {
                    if let Some(state) = f.loops.get_mut(node) {
                        state.counter = Some(var);
                    }
                }
                Captured::TryInner => try_inner = Some(var),
            }
            let read = ir::Expr::Runtime {
                entry: RuntimeFn::Capture,
                args: vec![ir::Expr::Var(me), ir::build::int(i as i64)],
                span,
            };
            prologue.push((var, f.coerce(read, Ty::Val, *ty, span)));
        }
        let value = f.fresh(resumed_ty);
        match resumed {
            Resumed::Operand(operand) => {
                f.precomputed.insert(operand as *const _, value);
            }
            Resumed::Local(id) => {
                f.vars.insert(id, value);
            }
            Resumed::Loop => {
                let counter = is_for(node).then_some(value);
                f.loops.insert(
                    node as *const _,
                    LoopState {
                        closure: me,
                        counter,
                    },
                );
            }
            Resumed::TryFrame(_) => {
                let inner = try_inner.ok_or_else(|| {
                    RuntimeError::internal("JIT: a try frame without its continuation")
                        .at(node.span)
                })?;
                f.try_frame = Some(super::exn::TryFrame { node, inner, value });
            }
        }
        prologue.push((
            value,
            f.coerce(ir::Expr::Var(arg), Ty::Val, resumed_ty, span),
        ));
        let rest = f.cps(node, inner_kont, true)?;
        let body = super::cps::wrap_lets(prologue, rest);
        // A continuation of a named function's variant shows as that
        // function, a frame whose body is not simple; one under a `reset`
        // of the function as the activation it resumes.
        let (frame, name) = match &frame {
            KontFrame::Named(name) => (
                ir::Frame::Shown {
                    replaces_tail_caller: true,
                },
                name.to_string(),
            ),
            KontFrame::Resumed(name) => (ir::Frame::Continuation, name.to_string()),
            KontFrame::ShiftBody(name) => (ir::Frame::ShiftBody, name.to_string()),
            KontFrame::Hidden => (ir::Frame::Hidden, "<continuation>".to_string()),
        };
        let walked = kont_var
            .zip(next)
            .map(|(var, link)| (var, link.same, name.clone()));
        self.lowering.program.functions[func.0 as usize] = ir::Function {
            name,
            params: 2,
            locals: f.locals,
            ret: Ty::Val,
            body,
            span,
            frame,
        };
        if let Some(entry) = walked {
            // Its failures add the callers its continuation stands for.
            self.lowering
                .program
                .kont_frames
                .kont_of
                .insert(func.0, entry);
        }
        Ok(code)
    }

    /// The entries of the closure `code` (function `func`) of `fun p ->
    /// body`: the direct one, and a continuation-passing one if its arrow
    /// may shift. An arrow whose effect variable this body leaves open (a
    /// local function generalised over its effect) gets both, each
    /// lowered with that variable pure and `cps` in turn.
    pub(super) fn closure_entries(
        &mut self,
        e: &'a Expr<TypeInfo>,
        name: &str,
        captures: &[(LocalId, ir::Expr, Ty)],
        rec: Option<(Vec<(LocalId, u32)>, u32)>,
        (func, code): (FuncId, u32),
    ) -> Result<(), RuntimeError> {
        let cps = Rc::clone(&self.cps_vars);
        let effect = match &e.ann.ty {
            Type::Arrow(_, _, effect) => effect.clone(),
            _ => Effect::Pure,
        };
        let span = self.span(e.span);
        let direct = if effect_shifts(&effect, &cps) {
            let entry = self.closure_body(e, name, captures, rec, (Rc::clone(&cps), true))?;
            self.lowering.add_closure_cps_entry(code, entry);
            self.lowering.direct_adapter(name.to_string(), span)
        } else {
            match &effect {
                Effect::Var(v) if !cps.contains_key(v) => {
                    let mut shifting = (*cps).clone();
                    shifting.insert(*v, true);
                    let shifting = (Rc::new(shifting), true);
                    let entry = self.closure_body(e, name, captures, rec.clone(), shifting)?;
                    self.lowering.add_closure_cps_entry(code, entry);
                }
                _ => {}
            }
            self.closure_body(e, name, captures, rec, (cps, false))?
        };
        self.lowering.program.functions[func.0 as usize] = direct;
        Ok(())
    }
}

fn is_for(node: &Expr<TypeInfo>) -> bool {
    matches!(node.kind, ExprKind::For { .. })
}
