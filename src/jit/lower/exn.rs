//! Lowering exceptions: `try … with` and `assert` (docs/jit.md,
//! Exceptions). `raise`, `failwith` and `invalid_arg` are primitives and
//! exception constructors are constructors: both are lowered as such.
//!
//! A `try`'s arms are a decision tree on the exception, as a `match`'s
//! are ([`pattern`](super::pattern)), with two differences: the arm chosen
//! first tells the runtime the exception is handled, and a leaf no arm
//! matches raises the exception again ([`ir::MatchKind::Handler`]) instead
//! of an R004. The body is never in tail position (its handler is still
//! pending, as on the interpreter); the arms are in the `try`'s.
//!
//! A `try` whose body may shift is continuation-passing code, and
//! continuation-passing code returns only when its whole `reset` is done,
//! so the native handler cannot simply stay around the body: it would see
//! what runs after the `try`, and what the body of a `shift` inside it
//! runs (which the `shift` took out of the `try`). Instead the body is
//! run as a *region* that ends where the body would go on: its answer is
//! an [`Outcome`], not the `reset`'s. The value of the body is `Done`; a
//! `shift` in it does not run its body but ends the region with `Shifted`
//! (its body as a closure, and the continuation up to the `try`); an
//! exception the handler catches is `Caught`. After the region, with the
//! handler gone: `Done` goes to the `try`'s continuation, `Caught` to the
//! arms (whose values go there too), and `Shifted` makes the *try frame*,
//! a continuation that runs the region again around the inner
//! continuation and then does the same; that, with the body of the
//! `shift`, is passed out to the enclosing region, or, outside every
//! region, the body of the `shift` runs with it in place. So a captured
//! continuation has the handler again each time it is called, and the
//! body of a `shift` runs without it, as on the interpreter, where the
//! `try`'s frame is among those the `shift` moves into the continuation.
//!
//! The `shift`s this sees are those written in the body and those its
//! calls reach: a top-level function that may run a `shift`
//! ([`Lowering::may_run_shift`]) called in a region is its region
//! flavoured variant ([`super::Flavour::Region`], `FnLower::ends_region`),
//! whose `shift`s end the region in the same way and whose own calls of
//! such functions are region flavoured too; its answer is the region's
//! outcome. One that only passes its value on to the continuation it is
//! given (an effect-polymorphic function instantiated at the body's
//! effect) is called as anywhere else. A function value whose arrow may
//! shift has no such variant: a call of one in a region is E401.

#![forbid(unsafe_code)]

use super::closure::locals_except;
use super::control::Resumed;
use super::cps::Kont;
use super::pattern::Clause;
use super::{not_compiled, FnLower, Lowering};
use crate::jit::ir::{self, DataFn, ExnFn, MatchKind, RuntimeFn, SpanId, Ty, VarId};
use crate::runtime::error::RuntimeError;
use crate::syntax::ast::{Arm, AssertSite, Expr, ExprKind};
use crate::types::resolved::{GlobalId, VarTarget};
use crate::types::{Effect, Type, TypeInfo};

/// How the region of a `try` whose body may shift ended: a constructor
/// (of this tag) of a value only the lowering's code sees.
#[derive(Clone, Copy)]
pub(super) enum Outcome {
    /// The body's value (the argument).
    Done = 0,
    /// A `shift` in the body: `(shift body, continuation up to the try)`.
    Shifted = 1,
    /// The handler caught the argument.
    Caught = 2,
}

impl Outcome {
    fn name(self) -> &'static str {
        match self {
            Outcome::Done => "Done",
            Outcome::Shifted => "Shifted",
            Outcome::Caught => "Caught",
        }
    }
}

/// The continuation a try frame was made with (see the module
/// documentation), in the code of that frame.
#[derive(Clone, Copy)]
pub(super) struct TryFrame {
    /// The `try`.
    pub node: *const Expr<TypeInfo>,
    /// The continuation up to the `try` (a local of `val`).
    pub inner: VarId,
    /// What the frame is called with, for `inner`.
    pub value: VarId,
}

/// The outcome `outcome` of `arg` (a `val`).
fn outcome(outcome: Outcome, name: i64, arg: ir::Expr, span: SpanId) -> ir::Expr {
    ir::Expr::Runtime {
        entry: RuntimeFn::Data(DataFn::Variant),
        args: vec![ir::Expr::Int(outcome as i64), ir::Expr::Int(name), arg],
        span,
    }
}

impl Lowering<'_> {
    /// The code of the continuation a region's body ends with: its
    /// argument is the body's value, `Done`.
    pub(super) fn try_exit_code(&mut self, span: SpanId) -> u32 {
        if let Some(code) = self.try_exit {
            return code;
        }
        let (_, code) = self.try_exit_function(span);
        self.try_exit = Some(code);
        code
    }

    /// The continuation a call at `span` of `callee` (a region flavoured
    /// variant) whose value ends the region is given: [`Self::try_exit_code`]
    /// as a code of its own, so that a failure's walk reaching it names
    /// the callee's entry with the call (the try frame that resumes the
    /// region would name it with the `try`'s span) and adds none.
    pub(super) fn try_exit_call_code(&mut self, callee: Option<String>, span: SpanId) -> u32 {
        let (func, code) = self.try_exit_function(span);
        let info = ir::KontInfo {
            func,
            name: "try".into(),
            entry: ir::KontEntry::Hidden,
            next: None,
            calls: vec![(callee, span)],
        };
        self.program.kont_frames.by_code.insert(code, info);
        code
    }

    /// A new closure body `(self, arg) -> Done arg`.
    fn try_exit_function(&mut self, span: SpanId) -> (ir::FuncId, u32) {
        let (func, code) = self.reserve_closure();
        let strings = &mut self.program.strings;
        strings.push(Outcome::Done.name().into());
        let name = strings.len() as i64 - 1;
        self.program.functions[func.0 as usize] = ir::Function {
            name: "try".into(),
            params: 2,
            locals: vec![Ty::Val; 2],
            ret: Ty::Val,
            body: outcome(Outcome::Done, name, ir::Expr::Var(VarId(1)), span),
            span,
            frame: ir::Frame::Hidden,
        };
        (func, code)
    }

    /// Whether the top-level function `global`, called with all its
    /// arguments, may run the body of a `shift`: its body has a `shift`
    /// (outside the `fun`s and `reset`s in it), calls a function value
    /// whose arrow is not pure, or calls a top-level function that may.
    /// `seen` holds the functions being looked at: a recursive call adds
    /// nothing.
    pub(super) fn may_run_shift(&self, global: GlobalId, seen: &mut Vec<GlobalId>) -> bool {
        if seen.contains(&global) {
            return false;
        }
        seen.push(global);
        let Some(def) = self.defs.get(&global) else {
            return true;
        };
        let mut found = false;
        let mut look = |e: &Expr<TypeInfo>| {
            if found {
                return true;
            }
            match &e.kind {
                ExprKind::Fun(..) | ExprKind::Reset(..) => return true,
                ExprKind::Shift(..) => found = true,
                ExprKind::App(func, _) => found = self.call_may_run_shift(e, func, seen),
                _ => {}
            }
            found
        };
        locals_except(def.body, &mut look, &mut Vec::new(), &mut Vec::new());
        found
    }

    /// Whether the application `e` (of `func`) may run the body of a
    /// `shift` (see [`Self::may_run_shift`]).
    fn call_may_run_shift(
        &self,
        e: &Expr<TypeInfo>,
        func: &Expr<TypeInfo>,
        seen: &mut Vec<GlobalId>,
    ) -> bool {
        let mut head = e;
        let mut given = 0;
        while let ExprKind::App(inner, _) = &head.kind {
            given += 1;
            head = inner;
        }
        if let ExprKind::Var(_, var) = &head.kind {
            match var.target {
                // A primitive calls back in direct style.
                VarTarget::Prim(_) => return false,
                VarTarget::Global(id) => match self.arity(id) {
                    Some(arity) if given < arity => return false,
                    Some(arity) if given == arity => return self.may_run_shift(id, seen),
                    _ => {}
                },
                _ => {}
            }
        }
        !matches!(&func.ann.ty, Type::Arrow(_, _, Effect::Pure))
    }
}

impl<'a> FnLower<'_, 'a> {
    /// `try body with arms` (the whole `try` is `e`).
    pub(super) fn try_expr(
        &mut self,
        e: &'a Expr<TypeInfo>,
        body: &'a Expr<TypeInfo>,
        arms: &'a [Arm<TypeInfo>],
        tail: bool,
    ) -> Result<ir::Expr, RuntimeError> {
        let ty = self.ty(e)?;
        let body = self.expr(body, false)?;
        let exn = self.fresh(Ty::Val);
        let handler = self.handler(e, exn, arms, ty, |f, body| f.expr(body, tail))?;
        Ok(ir::Expr::Try {
            body: Box::new(body),
            ty,
            exn,
            handler: Box::new(handler),
            span: self.span(e.span),
        })
    }

    /// The arms of the `try` `e` on the exception `exn`, as a decision
    /// tree of type `ty` whose arm bodies `lower` gives.
    fn handler<Lower>(
        &mut self,
        e: &'a Expr<TypeInfo>,
        exn: VarId,
        arms: &'a [Arm<TypeInfo>],
        ty: Ty,
        mut lower: Lower,
    ) -> Result<ir::Expr, RuntimeError>
    where
        Lower: FnMut(&mut Self, &'a Expr<TypeInfo>) -> Result<ir::Expr, RuntimeError>,
    {
        let clauses = Clause::of_arms(arms);
        let span = self.span(e.span);
        let mut bodies = |f: &mut Self, arm: usize| {
            let handled = ir::Expr::Runtime {
                entry: RuntimeFn::Exn(ExnFn::Handled),
                args: Vec::new(),
                span,
            };
            Ok(ir::Expr::Seq(vec![handled, lower(f, &arms[arm].body)?]))
        };
        self.decide(exn, &clauses, ty, (MatchKind::Handler, e.span), &mut bodies)
    }

    /// `try body with arms` (`e`) that may shift, in continuation-passing
    /// style: the region, then what its outcome says (see the module
    /// documentation). In the code of a try frame of `e`, the region calls
    /// the frame's inner continuation instead of running `body`.
    pub(super) fn cps_try(
        &mut self,
        e: &'a Expr<TypeInfo>,
        body: &'a Expr<TypeInfo>,
        arms: &'a [Arm<TypeInfo>],
        kont: Kont,
        tail: bool,
    ) -> Result<ir::Expr, RuntimeError> {
        let mut guards = arms.iter().filter_map(|arm| arm.guard.as_ref());
        if let Some(guard) = guards.find(|g| self.node_shifts(g)) {
            return Err(not_compiled(
                "a guard that may shift in a `try`",
                guard.span,
            ));
        }
        let span = self.span(e.span);
        let region = match self.try_frame.filter(|frame| std::ptr::eq(frame.node, e)) {
            Some(frame) => ir::Expr::Apply {
                func: Box::new(ir::Expr::Var(frame.inner)),
                arg: Box::new(ir::Expr::Var(frame.value)),
                span,
            },
            None => {
                let outer = std::mem::replace(&mut self.in_try_body, true);
                let region = self.cps(body, Kont::Answer, false);
                self.in_try_body = outer;
                region?
            }
        };
        let exn = self.fresh(Ty::Val);
        let caught = self.outcome(Outcome::Caught, ir::Expr::Var(exn), span);
        let ended = self.fresh(Ty::Val);
        let argument = ir::Expr::Runtime {
            entry: RuntimeFn::Data(DataFn::VariantArg),
            args: vec![ir::Expr::Var(ended)],
            span,
        };

        let done = self.deliver(argument.clone(), Ty::Val, kont, tail, span);

        let (parts, inner, shift_body) = (
            self.fresh(Ty::Val),
            self.fresh(Ty::Val),
            self.fresh(Ty::Val),
        );
        let frame = self.kont_frame();
        let try_frame = self.resume_closure(e, Resumed::TryFrame(inner), Some(kont), frame)?;
        let k = self.fresh(Ty::Val);
        let go_on = self.run_shift_body(ir::Expr::Var(shift_body), ir::Expr::Var(k), tail, span);
        let part = |i| ir::Expr::Runtime {
            entry: RuntimeFn::Data(DataFn::TupleItem),
            args: vec![ir::Expr::Var(parts), ir::Expr::Int(i)],
            span,
        };
        let shifted = super::cps::wrap_lets(
            vec![
                (parts, argument.clone()),
                (shift_body, part(0)),
                (inner, part(1)),
                (k, try_frame),
            ],
            go_on,
        );

        let exception = self.fresh(Ty::Val);
        let handler = self.handler(e, exception, arms, Ty::Val, |f, body| {
            f.cps(body, kont, tail)
        })?;
        let handled = ir::build::let_(exception.0, argument, handler);

        let tried = ir::Expr::Try {
            body: Box::new(region),
            ty: Ty::Val,
            exn,
            handler: Box::new(caught),
            span,
        };
        let tag = ir::Expr::Runtime {
            entry: RuntimeFn::Data(DataFn::Tag),
            args: vec![ir::Expr::Var(ended)],
            span,
        };
        let dispatch = ir::Expr::Switch {
            tag: Box::new(tag),
            cases: vec![
                (Outcome::Done as i64, done),
                (Outcome::Shifted as i64, shifted),
            ],
            default: Box::new(handled),
        };
        Ok(ir::build::let_(ended.0, tried, dispatch))
    }

    /// Whether this code's answer is the outcome of a `try`'s region: the
    /// body of a `try` that may shift, or a region flavoured variant
    /// called from one (and their continuations).
    pub(super) fn in_region(&self) -> bool {
        self.in_try_body || self.ends_region
    }

    /// The outcome `outcome` of `arg`, a `val`.
    pub(super) fn outcome(&mut self, outcome: Outcome, arg: ir::Expr, span: SpanId) -> ir::Expr {
        let name = self.string(outcome.name());
        self::outcome(outcome, name, arg, span)
    }

    /// A `shift` whose body (a closure taking the continuation) is
    /// `shift_body` and whose continuation is `k`: inside the body of a
    /// `try` that may shift, the end of its region; elsewhere the body
    /// runs with `k`, its value the answer.
    pub(super) fn run_shift_body(
        &mut self,
        shift_body: ir::Expr,
        k: ir::Expr,
        tail: bool,
        span: SpanId,
    ) -> ir::Expr {
        if self.in_region() {
            let pair = ir::Expr::Runtime {
                entry: RuntimeFn::Data(DataFn::Tuple),
                args: vec![shift_body, k],
                span,
            };
            return self.outcome(Outcome::Shifted, pair, span);
        }
        let (func, arg) = (Box::new(shift_body), Box::new(k));
        match tail {
            true => ir::Expr::TailApply { func, arg, span },
            false => ir::Expr::Apply { func, arg, span },
        }
    }

    /// `assert cond` (`e`): `Assert_failure (file, line, column)` raised at
    /// `e` when `cond` is false. `assert false` has any type.
    pub(super) fn assert(
        &mut self,
        e: &'a Expr<TypeInfo>,
        cond: &'a Expr<TypeInfo>,
        site: &AssertSite,
    ) -> Result<ir::Expr, RuntimeError> {
        let file = self.string(&site.file);
        let span = self.span(e.span);
        let raise = ir::Expr::Runtime {
            entry: RuntimeFn::Exn(ExnFn::AssertFailure),
            args: vec![
                ir::Expr::Int(file),
                ir::Expr::Int(site.line),
                ir::Expr::Int(site.column),
            ],
            span,
        };
        let ty = self.ty(e)?;
        let raise = self.coerce(raise, Ty::Val, ty, span);
        let cond = self.expr(cond, false)?;
        Ok(match ty {
            Ty::Unit => ir::build::if_(cond, ir::Expr::Unit, raise),
            // Only `assert false` is of another type: it always raises.
            _ => ir::Expr::Seq(vec![cond, raise]),
        })
    }
}
