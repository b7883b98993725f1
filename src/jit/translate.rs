//! The translation of one IR function body to Cranelift IR.
//!
//! Layout of a function: the entry block checks the stack limit and falls
//! into the *loop header* (where a self tail call jumps back to), which
//! polls Ctrl-C, as does every `while` header (so no endless loop or
//! recursion runs deaf to it); every
//! failure point branches to its own cold block, which records the fault
//! site, releases the `val`s held at that point and jumps to the shared
//! *fail exit*, which appends the function to the call trace and returns
//! the status.
//!
//! `val` ownership: [`Translator`] keeps the stack of references held at
//! the current point (`let` bindings and parameters as variables, pending
//! call arguments as temporaries), so each failure path releases exactly
//! those.

#![forbid(unsafe_code)]

use std::collections::HashMap;

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    types, AbiParam, Block, FuncRef, InstBuilder, MemFlagsData, StackSlot, StackSlotData,
    StackSlotKind, Value,
};
use cranelift_frontend::{FunctionBuilder, Switch, Variable};
use cranelift_jit::JITModule;
use cranelift_module::{FuncId as ClFuncId, Module};

use super::abi::{self, Convention, RELEASE_SYMBOL};
use super::codegen::{cl_type, err, internal_signature, CompileError, Imports};
use super::context::{
    Layout, Status, INLINED_FRAME, PENDING_SPAN, RESUMED_SPAN, TRACE_CAP, TRACE_PUSH_SYMBOL,
    TRACE_RESUMED_SYMBOL,
};
use super::exn_entries;
use super::fuse;
use super::held::{Held, HeldStack, NewRung, IN_REGISTERS};
use super::ir::{
    Compare, DataFn, ExnFn, Expr, FloatOp, Frame, FuncId, InlinedFrame, IntOp, JoinId, JoinTarget,
    MatchKind, Program, RuntimeFn, SpanId, TapeFn, Ty, VarId,
};
use super::kont_trace::TRACE_KONTS_SYMBOL;
use super::native::RC_STRONG_OFFSET;
use super::site::{Site, SiteKind};

/// What a function's translation shares with the whole program's.
pub struct Translator<'a> {
    pub module: &'a mut JITModule,
    pub program: &'a Program,
    pub functions: &'a [ClFuncId],
    pub imports: &'a mut Imports,
    pub sites: &'a mut Vec<Site>,
    pub me: FuncId,
}

/// The result of translating an expression: its type, and its value unless
/// control left the function (a tail call in tail position).
struct Out {
    value: Option<Value>,
    ty: Ty,
}

/// An [`Expr::Join`] being translated: where its targets start, and what
/// a jump releases (everything held above `depth`).
struct JoinPoint {
    depth: usize,
    ty: Ty,
    blocks: Vec<Block>,
    params: Vec<Vec<VarId>>,
    /// Whether some jump reaches each target (the others are not
    /// translated).
    reached: Vec<bool>,
}

struct FunctionTranslator<'a, 'b> {
    t: Translator<'a>,
    b: FunctionBuilder<'b>,
    ctx: Value,
    vars: Vec<Variable>,
    /// Where each local lives, decided at its first definition (see
    /// [`Self::home`]).
    homes: Vec<Home>,
    held: HeldStack,
    fail_exit: Block,
    loop_header: Block,
    out_slot: cranelift_codegen::ir::StackSlot,
    refs: HashMap<ClFuncId, FuncRef>,
    joins: HashMap<JoinId, JoinPoint>,
    /// Set while translating an `Expr::SourceTail`: the next call made is
    /// in the dlang function's tail position.
    source_tail: bool,
    /// The `try`s whose body is being translated, innermost last: where a
    /// failure goes instead of the fail exit, and the depth of `held` at
    /// their start (see [`Self::leave`]).
    handlers: Vec<(Block, usize)>,
    /// The frames of the [`Expr::Inlined`] code being translated,
    /// innermost first: a failure leaving it adds them to the trace.
    inlined: Vec<InlinedFrame>,
    /// The `let`s of a constructor's argument left out because their body
    /// reads only its items (see [`fuse::variant_items`]): the variable,
    /// and the constructor to read them from.
    item_sources: HashMap<VarId, VarId>,
}

/// Where a local's value lives.
#[derive(Clone, Copy, PartialEq)]
enum Home {
    /// Not defined yet.
    Undecided,
    /// A Cranelift variable (an SSA value).
    Register,
    /// A stack slot of its own, written at each definition and read at
    /// each use: a local defined while [`IN_REGISTERS`] references or more
    /// are held, so that no more than that many are SSA values live across
    /// the rest of a wide scope (a tuple pattern of hundreds of
    /// components, a function of hundreds of parameters), which cost
    /// Cranelift's SSA construction and register allocator more than
    /// linear time.
    Slot(StackSlot),
}

const TRUSTED: MemFlagsData = MemFlagsData::trusted();

pub fn function(t: Translator<'_>, mut b: FunctionBuilder<'_>) -> Result<(), CompileError> {
    let function = &t.program.functions[t.me.0 as usize];
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    let loop_header = b.create_block();
    let fail_exit = b.create_block();
    b.append_block_param(fail_exit, types::I32);
    b.set_cold_block(fail_exit);
    let out_slot = b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8, 3));
    b.switch_to_block(entry);
    let params = b.block_params(entry).to_vec();
    let vars: Vec<Variable> = function
        .locals
        .iter()
        .map(|ty| b.declare_var(cl_type(*ty)))
        .collect();
    let mut f = FunctionTranslator {
        ctx: params[0],
        t,
        b,
        homes: vec![Home::Undecided; vars.len()],
        vars,
        held: HeldStack::default(),
        fail_exit,
        loop_header,
        out_slot,
        refs: HashMap::new(),
        joins: HashMap::new(),
        source_tail: false,
        handlers: Vec::new(),
        inlined: Vec::new(),
        item_sources: HashMap::new(),
    };
    for (i, ty) in function.param_types().iter().enumerate() {
        let var = VarId(i as u32);
        f.write_var(var, params[i + 1])?;
        if *ty == Ty::Val {
            f.hold_var(var);
        }
    }
    f.stack_check(function.span)?;
    f.b.ins().jump(loop_header, &[]);
    f.b.switch_to_block(loop_header);
    f.poll_interrupt(function.span)?;
    let body = f.expr(&function.body, true)?;
    if body.ty != function.ret {
        return err(format!(
            "`{}` returns {:?} but its body is {:?}",
            function.name, function.ret, body.ty
        ));
    }
    if let Some(value) = body.value {
        f.release_held(0)?;
        let ok = f.b.ins().iconst(types::I32, Status::Ok as i64);
        f.b.ins().return_(&[ok, value]);
    }
    f.fail_exit_block(function.ret)?;
    f.b.seal_all_blocks();
    let config = f.t.module.target_config();
    f.b.finalize(config);
    Ok(())
}

impl FunctionTranslator<'_, '_> {
    fn name(&self) -> &str {
        &self.t.program.functions[self.t.me.0 as usize].name
    }

    fn frame(&self) -> Frame {
        self.t.program.functions[self.t.me.0 as usize].frame
    }

    /// Whether a call made here that fails gets this call's span.
    fn names_calls(&self) -> bool {
        self.frame() != Frame::Hidden
    }

    /// Whether this function's own entry is in the call stack (a
    /// continuation's is provisional, see [`Frame::Continuation`]).
    fn has_entry(&self) -> bool {
        matches!(self.frame(), Frame::Shown { .. })
    }

    fn local_type(&self, var: VarId) -> Result<Ty, CompileError> {
        let function = &self.t.program.functions[self.t.me.0 as usize];
        match function.locals.get(var.0 as usize) {
            Some(ty) => Ok(*ty),
            None => err(format!("`{}` has no local {}", function.name, var.0)),
        }
    }

    fn site(&mut self, span: SpanId, kind: SiteKind) -> i64 {
        self.t.sites.push(Site { span, kind });
        (self.t.sites.len() - 1) as i64
    }

    /// Branches to a new cold block when `failed` is set: it stores the
    /// site (if any), releases everything held and leaves with `status`.
    fn fail_if(
        &mut self,
        failed: Value,
        site: Option<i64>,
        status: Value,
    ) -> Result<(), CompileError> {
        let cold = self.b.create_block();
        let next = self.b.create_block();
        self.b.set_cold_block(cold);
        self.b.ins().brif(failed, cold, &[], next, &[]);
        self.b.switch_to_block(cold);
        if let Some(site) = site {
            let site = self.b.ins().iconst(types::I32, site);
            self.b
                .ins()
                .store(TRUSTED, site, self.ctx, Layout::FAULT_SITE);
        }
        self.leave(status)?;
        self.b.switch_to_block(next);
        Ok(())
    }

    /// Leaves with a failure `status`: to the innermost `try` whose body
    /// this is, releasing what its body holds, else to the fail exit,
    /// releasing everything: through the release ladder the failure
    /// points holding the same references share ([`HeldStack::ladder`];
    /// releasing inline at each point instead made code, and Cranelift's
    /// time and memory, grow with the product of failure points and held
    /// references).
    fn leave(&mut self, status: Value) -> Result<(), CompileError> {
        self.push_inlined_frames()?;
        if self.handlers.is_empty() && self.kont().is_some() {
            // The continuation's pending callers are entries outside this
            // function's: added here, while it is still held.
            self.push_own_entry()?;
            self.trace_konts()?;
        }
        let (target, depth) = self.handlers.last().copied().unwrap_or((self.fail_exit, 0));
        let mut rungs = Vec::new();
        let b = &mut self.b;
        let top = self.held.ladder(
            target,
            depth,
            || {
                let block = b.create_block();
                b.append_block_param(block, types::I32);
                b.set_cold_block(block);
                block
            },
            &mut rungs,
        );
        self.b.ins().jump(top, &[status.into()]);
        for NewRung { block, held, below } in rungs {
            self.b.switch_to_block(block);
            let status = self.b.block_params(block)[0];
            let value = self.held_value(held);
            self.release(value)?;
            self.b.ins().jump(below, &[status.into()]);
        }
        Ok(())
    }

    /// Where `var` lives: decided at its first definition (or use), by
    /// how many references are held then (see [`Home::Slot`]).
    fn home(&mut self, var: VarId) -> Result<Home, CompileError> {
        self.local_type(var)?;
        let home = &mut self.homes[var.0 as usize];
        if *home == Home::Undecided {
            *home = if self.held.len() < IN_REGISTERS {
                Home::Register
            } else {
                Home::Slot(self.b.create_sized_stack_slot(StackSlotData::new(
                    StackSlotKind::ExplicitSlot,
                    8,
                    3,
                )))
            };
        }
        Ok(*home)
    }

    fn read_var(&mut self, var: VarId) -> Result<Value, CompileError> {
        let ty = self.local_type(var)?;
        Ok(match self.home(var)? {
            Home::Slot(slot) => self.b.ins().stack_load(types::I64, cl_type(ty), slot, 0),
            _ => self.b.use_var(self.vars[var.0 as usize]),
        })
    }

    fn write_var(&mut self, var: VarId, value: Value) -> Result<(), CompileError> {
        match self.home(var)? {
            Home::Slot(slot) => {
                self.b.ins().stack_store(types::I64, value, slot, 0);
            }
            _ => self.b.def_var(self.vars[var.0 as usize], value),
        }
        Ok(())
    }

    /// Holds the reference in `var` (of type `val`, defined).
    fn hold_var(&mut self, var: VarId) {
        let held = match self.homes[var.0 as usize] {
            Home::Slot(slot) => Held::Slot(slot, 0),
            _ => Held::Var(self.vars[var.0 as usize]),
        };
        self.held.push(held);
    }

    /// The value of a held reference, read at the current point.
    fn held_value(&mut self, held: Held) -> Value {
        match held {
            Held::Var(var) => self.b.use_var(var),
            Held::Temp(value) => value,
            Held::Slot(slot, offset) => {
                self.b
                    .ins()
                    .stack_load(types::I64, types::I64, slot, offset as i32)
            }
        }
    }

    /// After a fallible shim: on failure, the site is stored unless the
    /// status is a fault of a closure the shim called back (whose site is
    /// in the context already), and that closure's trace entry gets this
    /// call's span.
    fn shim_failed_if(
        &mut self,
        status: Value,
        site: i64,
        span: SpanId,
    ) -> Result<(), CompileError> {
        let cold = self.b.create_block();
        let next = self.b.create_block();
        self.b.set_cold_block(cold);
        self.b.ins().brif(status, cold, &[], next, &[]);
        self.b.switch_to_block(cold);
        // A fault of generated code, and the failure of a closure the shim
        // called back (`site_kept`), already have their site.
        let fault = self
            .b
            .ins()
            .icmp_imm_u(IntCC::Equal, status, Status::Fault as i64);
        let kept = self
            .b
            .ins()
            .load(types::I32, TRUSTED, self.ctx, Layout::SITE_KEPT);
        let kept = self.b.ins().icmp_imm_u(IntCC::NotEqual, kept, 0);
        let keep = self.b.ins().bor(fault, kept);
        let cleared = self.b.ins().iconst(types::I32, 0);
        self.b
            .ins()
            .store(TRUSTED, cleared, self.ctx, Layout::SITE_KEPT);
        let old = self
            .b
            .ins()
            .load(types::I32, TRUSTED, self.ctx, Layout::FAULT_SITE);
        let here = self.b.ins().iconst(types::I32, site);
        let site = self.b.ins().select(keep, old, here);
        self.b
            .ins()
            .store(TRUSTED, site, self.ctx, Layout::FAULT_SITE);
        if self.names_calls() {
            self.name_pending_call(span, false);
        }
        self.leave(status)?;
        self.b.switch_to_block(next);
        Ok(())
    }

    fn fault_if(
        &mut self,
        failed: Value,
        span: SpanId,
        kind: SiteKind,
    ) -> Result<(), CompileError> {
        let site = self.site(span, kind);
        let status = self.b.ins().iconst(types::I32, Status::Fault as i64);
        self.fail_if(failed, Some(site), status)
    }

    fn stack_check(&mut self, span: SpanId) -> Result<(), CompileError> {
        let sp = self.b.ins().get_stack_pointer(types::I64);
        let limit = self
            .b
            .ins()
            .load(types::I64, TRUSTED, self.ctx, Layout::STACK_LIMIT);
        let exhausted = self.b.ins().icmp(IntCC::UnsignedLessThan, sp, limit);
        self.fault_if(exhausted, span, SiteKind::StackOverflow)
    }

    /// Faults with R006 if Ctrl-C was pressed: the flag's address from the
    /// context, then the flag itself with an atomic load (a plain `mov` on
    /// x86-64), which Cranelift neither hoists out of a loop nor merges
    /// with the previous poll, as it may a plain load no store separates.
    fn poll_interrupt(&mut self, span: SpanId) -> Result<(), CompileError> {
        let flag = self
            .b
            .ins()
            .load(types::I64, TRUSTED, self.ctx, Layout::INTERRUPT_FLAG);
        let set = self.b.ins().atomic_load(types::I8, TRUSTED, flag);
        self.fault_if(set, span, SiteKind::Interrupt)
    }

    /// On a failure inside [`Expr::Inlined`] code: the entries the
    /// inlined functions' calls would have added on the interpreter, each
    /// with its call's span, innermost first (a cold path only).
    fn push_inlined_frames(&mut self) -> Result<(), CompileError> {
        for frame in self.inlined.clone() {
            let func = INLINED_FRAME | frame.name;
            self.push_trace_entry(func, false)?;
            self.name_pending_call(frame.call, false);
        }
        Ok(())
    }

    /// Adds `(func, pending span)` to the trace ([`TRACE_PUSH_SYMBOL`]).
    fn push_trace_entry(&mut self, func: u32, replaces: bool) -> Result<(), CompileError> {
        let mut sig = self.t.module.make_signature();
        sig.params.push(AbiParam::new(types::I64));
        sig.params.push(AbiParam::new(types::I32));
        sig.params.push(AbiParam::new(types::I32));
        let push = self.import(TRACE_PUSH_SYMBOL, &sig)?;
        let func = self.b.ins().iconst(types::I32, i64::from(func));
        let replaces = self.b.ins().iconst(types::I32, replaces as i64);
        self.b.ins().call(push, &[self.ctx, func, replaces]);
        Ok(())
    }

    /// Adds `(this function, resumed span)` to the trace
    /// ([`TRACE_RESUMED_SYMBOL`]).
    fn push_resumed_entry(&mut self) -> Result<(), CompileError> {
        let mut sig = self.t.module.make_signature();
        sig.params.push(AbiParam::new(types::I64));
        sig.params.push(AbiParam::new(types::I32));
        let push = self.import(TRACE_RESUMED_SYMBOL, &sig)?;
        let me = self.b.ins().iconst(types::I32, self.t.me.0 as i64);
        self.b.ins().call(push, &[self.ctx, me]);
        Ok(())
    }

    /// The local holding this function's continuation if its failures add
    /// the callers that continuation stands for (`ir::KontFrames`).
    fn kont(&self) -> Option<VarId> {
        let me = self.t.me.0;
        self.t.program.kont_frames.kont_of.get(&me).map(|k| k.0)
    }

    /// Adds the entries of the callers this function's continuation stands
    /// for ([`TRACE_KONTS_SYMBOL`]), the continuation lent.
    fn trace_konts(&mut self) -> Result<(), CompileError> {
        let Some(kont) = self.kont() else {
            return Ok(());
        };
        let mut sig = self.t.module.make_signature();
        sig.params.push(AbiParam::new(types::I64));
        sig.params.push(AbiParam::new(types::I32));
        sig.params.push(AbiParam::new(types::I64));
        let walk = self.import(TRACE_KONTS_SYMBOL, &sig)?;
        let me = self.b.ins().iconst(types::I32, self.t.me.0 as i64);
        let kont = self.b.use_var(self.vars[kont.0 as usize]);
        self.b.ins().call(walk, &[self.ctx, me, kont]);
        Ok(())
    }

    /// The fail exit: adds this function's entry to the trace (unless
    /// [`Self::leave`] did, with its continuation's) and returns the
    /// status.
    fn fail_exit_block(&mut self, ret: Ty) -> Result<(), CompileError> {
        self.b.switch_to_block(self.fail_exit);
        let status = self.b.block_params(self.fail_exit)[0];
        if self.kont().is_none() {
            self.push_own_entry()?;
        }
        let zero = self.zero(ret);
        self.b.ins().return_(&[status, zero]);
        Ok(())
    }

    /// This function's entry: a shown function's is `(this function,
    /// pending span)` (`JitCtx::push_trace`, which folds and counts); a
    /// continuation's or a `shift` body's is provisional
    /// (`JitCtx::push_resumed`: only a call resuming it with work pending
    /// names it); a hidden function adds none.
    fn push_own_entry(&mut self) -> Result<(), CompileError> {
        if matches!(self.frame(), Frame::Continuation | Frame::ShiftBody) {
            self.push_resumed_entry()?;
        }
        if self.has_entry() {
            let replaces = matches!(
                self.frame(),
                Frame::Shown {
                    replaces_tail_caller: true
                }
            );
            self.push_trace_entry(self.t.me.0, replaces)?;
        }
        Ok(())
    }

    /// The slot of trace entry `index` (an `i32`): the last slot for every
    /// entry past the kept ones.
    fn trace_slot(&mut self, index: Value) -> Value {
        let last = self.b.ins().iconst(types::I32, TRACE_CAP as i64);
        self.b.ins().umin(index, last)
    }

    /// `ctx + index * entry size`: add `Layout::TRACE` (+ a field) to it.
    fn trace_entry(&mut self, index: Value) -> Value {
        let index = self.b.ins().uextend(types::I64, index);
        let offset = self.b.ins().imul_imm_s(index, Layout::TRACE_ENTRY_SIZE);
        self.b.ins().iadd(self.ctx, offset)
    }

    fn zero(&mut self, ty: Ty) -> Value {
        match ty {
            Ty::F64 => self.b.ins().f64const(0.0),
            _ => self.b.ins().iconst(cl_type(ty), 0),
        }
    }

    fn import(
        &mut self,
        symbol: &'static str,
        sig: &cranelift_codegen::ir::Signature,
    ) -> Result<FuncRef, CompileError> {
        let id = self.t.imports.declare(self.t.module, symbol, sig)?;
        Ok(self.func_ref(id))
    }

    fn func_ref(&mut self, id: ClFuncId) -> FuncRef {
        if let Some(r) = self.refs.get(&id) {
            return *r;
        }
        let r = self.t.module.declare_func_in_func(id, self.b.func);
        self.refs.insert(id, r);
        r
    }

    /// One more reference to `value`, counted inline: the `Rc`'s strong
    /// count is at [`RC_STRONG_OFFSET`] from the pointer (a call per
    /// variable read was a large share of data-heavy code's time). Null,
    /// which well-formed IR never holds, is left alone, as
    /// [`ValPtr::release`](super::native::ValPtr::release) leaves it.
    fn retain(&mut self, value: Value) -> Result<(), CompileError> {
        let count = self.b.create_block();
        let done = self.b.create_block();
        self.b.ins().brif(value, count, &[], done, &[]);
        self.b.switch_to_block(count);
        let n = self
            .b
            .ins()
            .load(types::I64, TRUSTED, value, RC_STRONG_OFFSET);
        let more = self.b.ins().iadd_imm_s(n, 1);
        self.b.ins().store(TRUSTED, more, value, RC_STRONG_OFFSET);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
        Ok(())
    }

    /// One reference fewer, counted inline; the last one is given to the
    /// runtime, which frees the value (and what it holds).
    fn release(&mut self, value: Value) -> Result<(), CompileError> {
        let count = self.b.create_block();
        let keep = self.b.create_block();
        let last = self.b.create_block();
        let done = self.b.create_block();
        self.b.set_cold_block(last);
        self.b.ins().brif(value, count, &[], done, &[]);
        self.b.switch_to_block(count);
        let n = self
            .b
            .ins()
            .load(types::I64, TRUSTED, value, RC_STRONG_OFFSET);
        let is_last = self.b.ins().icmp_imm_u(IntCC::Equal, n, 1);
        self.b.ins().brif(is_last, last, &[], keep, &[]);
        self.b.switch_to_block(keep);
        let fewer = self.b.ins().iadd_imm_s(n, -1);
        self.b.ins().store(TRUSTED, fewer, value, RC_STRONG_OFFSET);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(last);
        let mut sig = self.t.module.make_signature();
        sig.params.push(AbiParam::new(types::I64));
        let free = self.import(RELEASE_SYMBOL, &sig)?;
        self.b.ins().call(free, &[value]);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
        Ok(())
    }

    /// Releases every held reference above `depth` (without forgetting
    /// them: the code after a branch still holds them).
    fn release_held(&mut self, depth: usize) -> Result<(), CompileError> {
        for held in self.held.above(depth).to_vec().into_iter().rev() {
            let value = self.held_value(held);
            self.release(value)?;
        }
        Ok(())
    }

    fn expect(&self, out: &Out, ty: Ty, what: &str) -> Result<Value, CompileError> {
        if out.ty != ty {
            return err(format!(
                "in `{}`: {what} is {:?}, expected {:?}",
                self.name(),
                out.ty,
                ty
            ));
        }
        out.value.ok_or_else(|| {
            CompileError(format!("in `{}`: {what} leaves the function", self.name()))
        })
    }

    fn value(&mut self, expr: &Expr, ty: Ty, what: &str) -> Result<Value, CompileError> {
        let out = self.expr(expr, false)?;
        self.expect(&out, ty, what)
    }

    fn expr(&mut self, expr: &Expr, tail: bool) -> Result<Out, CompileError> {
        let done = |value, ty| {
            Ok(Out {
                value: Some(value),
                ty,
            })
        };
        match expr {
            Expr::Unit => done(self.b.ins().iconst(types::I8, 0), Ty::Unit),
            Expr::Bool(x) => done(self.b.ins().iconst(types::I8, *x as i64), Ty::Bool),
            Expr::Int(n) => done(self.b.ins().iconst(types::I64, *n), Ty::I64),
            Expr::Float(x) => done(self.b.ins().f64const(*x), Ty::F64),
            Expr::Var(var) => {
                let ty = self.local_type(*var)?;
                let value = self.read_var(*var)?;
                if ty == Ty::Val {
                    self.retain(value)?;
                }
                done(value, ty)
            }
            Expr::Let { var, value, body } => {
                if let Some(source) = fuse::variant_items(*var, value, body) {
                    self.item_sources.insert(*var, source);
                    let out = self.expr(body, tail);
                    self.item_sources.remove(var);
                    return out;
                }
                let ty = self.local_type(*var)?;
                let value = self.value(value, ty, "a `let` value")?;
                self.write_var(*var, value)?;
                let depth = self.held.len();
                if ty == Ty::Val {
                    self.hold_var(*var);
                }
                let out = self.expr(body, tail)?;
                if out.value.is_some() {
                    self.release_held(depth)?;
                }
                self.held.truncate(depth);
                Ok(out)
            }
            Expr::Assign { var, value } => {
                let ty = self.local_type(*var)?;
                let value = self.value(value, ty, "an assigned value")?;
                if ty == Ty::Val {
                    let old = self.read_var(*var)?;
                    self.release(old)?;
                }
                self.write_var(*var, value)?;
                done(self.b.ins().iconst(types::I8, 0), Ty::Unit)
            }
            Expr::Seq(items) => {
                let Some((last, first)) = items.split_last() else {
                    return done(self.b.ins().iconst(types::I8, 0), Ty::Unit);
                };
                for item in first {
                    self.discard(item)?;
                }
                self.expr(last, tail)
            }
            Expr::IntBinary { op, lhs, rhs, span } => {
                let x = self.value(lhs, Ty::I64, "an int operand")?;
                let y = self.value(rhs, Ty::I64, "an int operand")?;
                done(self.int_binary(*op, x, y, *span)?, Ty::I64)
            }
            Expr::IntNeg { arg, span } => {
                let x = self.value(arg, Ty::I64, "an int operand")?;
                let overflows = self.b.ins().icmp_imm_s(IntCC::Equal, x, i64::MIN);
                self.fault_if(overflows, *span, SiteKind::Negation)?;
                done(self.b.ins().ineg(x), Ty::I64)
            }
            Expr::FloatBinary { op, lhs, rhs } => {
                let x = self.value(lhs, Ty::F64, "a float operand")?;
                let y = self.value(rhs, Ty::F64, "a float operand")?;
                let r = match op {
                    FloatOp::Add => self.b.ins().fadd(x, y),
                    FloatOp::Sub => self.b.ins().fsub(x, y),
                    FloatOp::Mul => self.b.ins().fmul(x, y),
                    FloatOp::Div => self.b.ins().fdiv(x, y),
                };
                done(r, Ty::F64)
            }
            Expr::FloatNeg(arg) => {
                let x = self.value(arg, Ty::F64, "a float operand")?;
                done(self.b.ins().fneg(x), Ty::F64)
            }
            Expr::Compare { op, lhs, rhs } => {
                let l = self.expr(lhs, false)?;
                let x = self.expect(&l, l.ty, "a compared value")?;
                let y = self.value(rhs, l.ty, "a compared value")?;
                done(self.compare(*op, l.ty, x, y)?, Ty::Bool)
            }
            Expr::Not(arg) => {
                let x = self.value(arg, Ty::Bool, "the operand of `not`")?;
                done(self.b.ins().bxor_imm_u(x, 1), Ty::Bool)
            }
            Expr::IntToFloat(arg) => {
                let x = self.value(arg, Ty::I64, "an int to convert")?;
                done(self.b.ins().fcvt_from_sint(types::F64, x), Ty::F64)
            }
            Expr::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.value(cond, Ty::Bool, "a condition")?;
                let then_block = self.b.create_block();
                let else_block = self.b.create_block();
                self.b.ins().brif(c, then_block, &[], else_block, &[]);
                self.join(
                    tail,
                    &[
                        (then_block, then.as_ref()),
                        (else_block, otherwise.as_ref()),
                    ],
                )
            }
            Expr::Switch {
                tag,
                cases,
                default,
            } => {
                let tag = self.value(tag, Ty::I64, "a switch tag")?;
                let mut switch = Switch::new();
                let mut arms = Vec::with_capacity(cases.len() + 1);
                for (case, body) in cases {
                    let block = self.b.create_block();
                    switch.set_entry(*case as u64 as u128, block);
                    arms.push((block, body));
                }
                let default_block = self.b.create_block();
                arms.push((default_block, default.as_ref()));
                switch.emit(&mut self.b, tag, default_block);
                self.join(tail, &arms)
            }
            Expr::While { cond, body } => {
                let header = self.b.create_block();
                let body_block = self.b.create_block();
                let exit = self.b.create_block();
                self.b.ins().jump(header, &[]);
                self.b.switch_to_block(header);
                // R006 has no place: the function's span only names the site.
                self.poll_interrupt(self.t.program.functions[self.t.me.0 as usize].span)?;
                let c = self.value(cond, Ty::Bool, "a `while` condition")?;
                self.b.ins().brif(c, body_block, &[], exit, &[]);
                self.b.switch_to_block(body_block);
                self.discard(body)?;
                self.b.ins().jump(header, &[]);
                self.b.switch_to_block(exit);
                done(self.b.ins().iconst(types::I8, 0), Ty::Unit)
            }
            Expr::Call { func, args, span } => {
                let source_tail = std::mem::take(&mut self.source_tail);
                let callee = self.callee(*func)?;
                let args = self.args(args, &callee.0, "an argument")?;
                let f = self.func_ref(self.t.functions[func.0 as usize]);
                let mut call_args = vec![self.ctx];
                call_args.extend(args);
                let call = self.b.ins().call(f, &call_args);
                done(self.after_call(call, *span, source_tail, false)?, callee.1)
            }
            Expr::TailCallSelf { args } => {
                if !tail {
                    return err(format!(
                        "in `{}`: a self tail call not in tail position",
                        self.name()
                    ));
                }
                let (params, ret) = self.callee(self.t.me)?;
                let args = self.args(args, &params, "a tail-call argument")?;
                self.release_held(0)?;
                for (i, value) in args.into_iter().enumerate() {
                    self.write_var(VarId(i as u32), value)?;
                }
                self.b.ins().jump(self.loop_header, &[]);
                Ok(Out {
                    value: None,
                    ty: ret,
                })
            }
            Expr::TailCall { func, args } => {
                let (params, ret) = self.callee(*func)?;
                let (_, my_ret) = self.callee(self.t.me)?;
                if !tail || ret != my_ret {
                    return err(format!(
                        "in `{}`: a tail call not in tail position or of another result type",
                        self.name()
                    ));
                }
                let args = self.args(args, &params, "a tail-call argument")?;
                self.release_held(0)?;
                let f = self.func_ref(self.t.functions[func.0 as usize]);
                let mut call_args = vec![self.ctx];
                call_args.extend(args);
                self.b.ins().return_call(f, &call_args);
                Ok(Out {
                    value: None,
                    ty: ret,
                })
            }
            Expr::FuncAddr(func) => {
                let id = match self.t.functions.get(func.0 as usize) {
                    Some(id) => *id,
                    None => return err(format!("no function {}", func.0)),
                };
                let f = self.func_ref(id);
                done(self.b.ins().func_addr(types::I64, f), Ty::I64)
            }
            Expr::CallIndirect {
                callee,
                params,
                ret,
                args,
                span,
            } => {
                let source_tail = std::mem::take(&mut self.source_tail);
                let code = self.value(callee, Ty::I64, "a code address")?;
                let args = self.args(args, params, "an argument")?;
                let sig = self.b.import_signature(internal_signature(params, *ret));
                let mut call_args = vec![self.ctx];
                call_args.extend(args);
                let call = self.b.ins().call_indirect(sig, code, &call_args);
                done(self.after_call(call, *span, source_tail, false)?, *ret)
            }
            Expr::Apply { func, arg, span } => self.apply(func, arg, *span, false),
            Expr::Resume { func, arg, span } => self.apply(func, arg, *span, true),
            Expr::TailApply { func, arg, span } => {
                if !tail {
                    return err(format!(
                        "in `{}`: a tail application not in tail position",
                        self.name()
                    ));
                }
                self.tail_apply(func, arg, *span)
            }
            Expr::ApplyCps {
                func,
                arg,
                kont,
                span,
                tail: is_tail,
            } => {
                if *is_tail && !tail {
                    return err(format!(
                        "in `{}`: a continuation-passing tail call not in tail position",
                        self.name()
                    ));
                }
                self.apply_cps([func, arg, kont], *span, *is_tail)
            }
            Expr::SourceTail(call) => {
                self.source_tail = true;
                let out = self.expr(call, tail);
                self.source_tail = false;
                out
            }
            Expr::Inlined { frames, body } => {
                let outer = std::mem::replace(&mut self.inlined, frames.clone());
                // Never a native tail call: the frames must stay to fail.
                let out = self.expr(body, false);
                self.inlined = outer;
                out
            }
            Expr::TapePush { word, span } => self.tape_push(word, *span),
            Expr::TapePop(ty) => self.tape_pop(*ty),
            Expr::Runtime { entry, args, span } => self.runtime(*entry, args, *span),
            Expr::Join {
                id,
                ty,
                body,
                targets,
            } => self.join_point(*id, *ty, body, targets, tail),
            Expr::Jump { join, target, args } => self.jump(*join, *target, args),
            Expr::MatchFailure { kind, span, ty } => self.match_failure(*kind, *span, *ty),
            Expr::Try {
                body,
                ty,
                exn,
                handler,
                span,
            } => self.try_(body, *ty, *exn, handler, *span, tail),
        }
    }

    /// `func arg` of unknown function values: a closure of this program is
    /// called through its code address, anything else through the
    /// runtime. Both references go to the callee.
    /// `resumes`: an [`Expr::Resume`], which names a failing
    /// continuation's entry too.
    fn apply(
        &mut self,
        func: &Expr,
        arg: &Expr,
        span: SpanId,
        resumes: bool,
    ) -> Result<Out, CompileError> {
        let source_tail = std::mem::take(&mut self.source_tail);
        let depth = self.held.len();
        let f = self.value(func, Ty::Val, "a function value")?;
        self.held.push(Held::Temp(f));
        let a = self.value(arg, Ty::Val, "an argument")?;
        self.held.truncate(depth);
        let value = self.apply_values(f, a, span, source_tail, resumes)?;
        Ok(Out {
            value: Some(value),
            ty: Ty::Val,
        })
    }

    /// The code address `symbol` (a closure-code table lookup) gives for
    /// the function value `f`: 0 when it has none.
    fn code_address(&mut self, symbol: &'static str, f: Value) -> Result<Value, CompileError> {
        let mut code_sig = self.t.module.make_signature();
        code_sig.params.push(AbiParam::new(types::I64));
        code_sig.params.push(AbiParam::new(types::I64));
        code_sig.returns.push(AbiParam::new(types::I64));
        let lookup = self.import(symbol, &code_sig)?;
        let call = self.b.ins().call(lookup, &[self.ctx, f]);
        Ok(self.b.inst_results(call)[0])
    }

    /// [`Self::apply`] of evaluated operands (handed over); `source_tail`
    /// and `resumes` as [`Self::after_call`] takes them.
    fn apply_values(
        &mut self,
        f: Value,
        a: Value,
        span: SpanId,
        source_tail: bool,
        resumes: bool,
    ) -> Result<Value, CompileError> {
        let code = self.code_address(abi::CLOSURE_CODE_SYMBOL, f)?;
        let compiled = self.b.create_block();
        let other = self.b.create_block();
        let join = self.b.create_block();
        self.b.append_block_param(join, types::I64);
        self.b.ins().brif(code, compiled, &[], other, &[]);

        self.b.switch_to_block(compiled);
        let sig = self
            .b
            .import_signature(internal_signature(&[Ty::Val, Ty::Val], Ty::Val));
        let call = self.b.ins().call_indirect(sig, code, &[self.ctx, f, a]);
        let value = self.after_call(call, span, source_tail, resumes)?;
        self.b.ins().jump(join, &[value.into()]);

        self.b.switch_to_block(other);
        let value = self.fallible_call(RuntimeFn::ApplyValue, &[f, a], span)?;
        self.b.ins().jump(join, &[value.into()]);

        self.b.switch_to_block(join);
        Ok(self.b.block_params(join)[0])
    }

    fn expect_val_result(&self, what: &str) -> Result<(), CompileError> {
        let (_, ret) = self.callee(self.t.me)?;
        if ret != Ty::Val {
            return err(format!(
                "in `{}`: {what} in a function returning {ret:?}",
                self.name()
            ));
        }
        Ok(())
    }

    /// `f a` (handed over) as the function's last step: a closure of this
    /// program by `return_call_indirect`; any other value is applied by
    /// the runtime and its result returned.
    fn tail_apply_values(&mut self, f: Value, a: Value, span: SpanId) -> Result<(), CompileError> {
        self.expect_val_result("a tail application")?;
        let code = self.code_address(abi::CLOSURE_CODE_SYMBOL, f)?;
        let compiled = self.b.create_block();
        let other = self.b.create_block();
        self.b.ins().brif(code, compiled, &[], other, &[]);

        self.b.switch_to_block(compiled);
        self.release_held(0)?;
        let sig = self
            .b
            .import_signature(internal_signature(&[Ty::Val, Ty::Val], Ty::Val));
        self.b
            .ins()
            .return_call_indirect(sig, code, &[self.ctx, f, a]);

        self.b.switch_to_block(other);
        let value = self.fallible_call(RuntimeFn::ApplyValue, &[f, a], span)?;
        self.release_held(0)?;
        let ok = self.b.ins().iconst(types::I32, Status::Ok as i64);
        self.b.ins().return_(&[ok, value]);
        Ok(())
    }

    fn tail_apply(&mut self, func: &Expr, arg: &Expr, span: SpanId) -> Result<Out, CompileError> {
        let depth = self.held.len();
        let f = self.value(func, Ty::Val, "a function value")?;
        self.held.push(Held::Temp(f));
        let a = self.value(arg, Ty::Val, "an argument")?;
        self.held.truncate(depth);
        self.tail_apply_values(f, a, span)?;
        Ok(Out {
            value: None,
            ty: Ty::Val,
        })
    }

    /// `func arg` in the continuation-passing convention, `kont` receiving
    /// the result (see [`Expr::ApplyCps`]); all three are handed over.
    fn apply_cps(
        &mut self,
        [func, arg, kont]: [&Expr; 3],
        span: SpanId,
        tail: bool,
    ) -> Result<Out, CompileError> {
        if tail {
            self.expect_val_result("a continuation-passing tail call")?;
        }
        let depth = self.held.len();
        let f = self.value(func, Ty::Val, "a function value")?;
        self.held.push(Held::Temp(f));
        let a = self.value(arg, Ty::Val, "an argument")?;
        self.held.push(Held::Temp(a));
        let k = self.value(kont, Ty::Val, "a continuation")?;
        self.held.truncate(depth);
        let code = self.code_address(abi::CLOSURE_CPS_CODE_SYMBOL, f)?;
        let cps = self.b.create_block();
        let direct = self.b.create_block();
        let join = (!tail).then(|| {
            let join = self.b.create_block();
            self.b.append_block_param(join, types::I64);
            join
        });
        self.b.ins().brif(code, cps, &[], direct, &[]);

        self.b.switch_to_block(cps);
        let sig = self
            .b
            .import_signature(internal_signature(&[Ty::Val; 3], Ty::Val));
        let args = [self.ctx, f, a, k];
        if let Some(join) = join {
            let call = self.b.ins().call_indirect(sig, code, &args);
            let value = self.after_call(call, span, false, false)?;
            self.b.ins().jump(join, &[value.into()]);
        } else {
            self.release_held(0)?;
            self.b.ins().return_call_indirect(sig, code, &args);
        }

        // No continuation-passing entry: the function cannot shift.
        self.b.switch_to_block(direct);
        self.held.push(Held::Temp(k));
        let value = self.apply_values(f, a, span, false, false)?;
        self.held.truncate(depth);
        let Some(join) = join else {
            self.tail_apply_values(k, value, span)?;
            return Ok(Out {
                value: None,
                ty: Ty::Val,
            });
        };
        let answer = self.apply_values(k, value, span, false, false)?;
        self.b.ins().jump(join, &[answer.into()]);
        self.b.switch_to_block(join);
        Ok(Out {
            value: Some(self.b.block_params(join)[0]),
            ty: Ty::Val,
        })
    }

    /// Translates a join's body, then each target some jump reached, and
    /// joins their values.
    fn join_point(
        &mut self,
        id: JoinId,
        ty: Ty,
        body: &Expr,
        targets: &[JoinTarget],
        tail: bool,
    ) -> Result<Out, CompileError> {
        let depth = self.held.len();
        let point = JoinPoint {
            depth,
            ty,
            blocks: targets.iter().map(|_| self.b.create_block()).collect(),
            params: targets.iter().map(|t| t.params.clone()).collect(),
            reached: vec![false; targets.len()],
        };
        if self.joins.insert(id, point).is_some() {
            return err(format!("in `{}`: join {} twice", self.name(), id.0));
        }
        let mut merge = None;
        let out = self.expr(body, tail)?;
        self.merge_into(&mut merge, out, ty)?;
        for (i, target) in targets.iter().enumerate() {
            let Some(point) = self.joins.get(&id) else {
                return err(format!("in `{}`: join {} lost", self.name(), id.0));
            };
            if !point.reached[i] {
                continue;
            }
            self.b.switch_to_block(point.blocks[i]);
            for param in &target.params {
                if self.local_type(*param)? == Ty::Val {
                    self.hold_var(*param);
                }
            }
            let out = self.expr(&target.body, tail)?;
            if out.value.is_some() {
                self.release_held(depth)?;
            }
            self.held.truncate(depth);
            self.merge_into(&mut merge, out, ty)?;
        }
        self.joins.remove(&id);
        let Some(merge) = merge else {
            return Ok(Out { value: None, ty });
        };
        self.b.switch_to_block(merge);
        Ok(Out {
            value: Some(self.b.block_params(merge)[0]),
            ty,
        })
    }

    /// Jumps with `out`'s value (if control is still here) to the merge
    /// block, made on first use.
    fn merge_into(
        &mut self,
        merge: &mut Option<Block>,
        out: Out,
        ty: Ty,
    ) -> Result<(), CompileError> {
        if out.ty != ty {
            return err(format!(
                "in `{}`: a join of type {ty:?} given {:?}",
                self.name(),
                out.ty
            ));
        }
        if let Some(value) = out.value {
            let block = *merge.get_or_insert_with(|| {
                let block = self.b.create_block();
                self.b.append_block_param(block, cl_type(ty));
                block
            });
            self.b.ins().jump(block, &[value.into()]);
        }
        Ok(())
    }

    fn jump(&mut self, join: JoinId, target: u32, args: &[Expr]) -> Result<Out, CompileError> {
        let target = target as usize;
        let Some(point) = self.joins.get(&join) else {
            return err(format!(
                "in `{}`: a jump out of join {}",
                self.name(),
                join.0
            ));
        };
        let (depth, ty) = (point.depth, point.ty);
        let Some(params) = point.params.get(target).cloned() else {
            return err(format!(
                "in `{}`: join {} has no target {target}",
                self.name(),
                join.0
            ));
        };
        let block = point.blocks[target];
        let types = params
            .iter()
            .map(|p| self.local_type(*p))
            .collect::<Result<Vec<_>, _>>()?;
        let values = self.args(args, &types, "a jump argument")?;
        self.release_held(depth)?;
        for (param, value) in params.iter().zip(values) {
            self.write_var(*param, value)?;
        }
        self.b.ins().jump(block, &[]);
        if let Some(point) = self.joins.get_mut(&join) {
            point.reached[target] = true;
        }
        Ok(Out { value: None, ty })
    }

    /// R004: stores the site, releases what is held and leaves. Code after
    /// it (in the branch's merge) is in a block no jump reaches, which
    /// gives the value of type `ty` a caller may expect here.
    fn match_failure(
        &mut self,
        kind: MatchKind,
        span: SpanId,
        ty: Ty,
    ) -> Result<Out, CompileError> {
        if kind == MatchKind::Handler {
            // The exception goes on as it was raised: its site and trace
            // come back with it.
            let mut sig = self.t.module.make_signature();
            sig.params.push(AbiParam::new(types::I64));
            sig.returns.push(AbiParam::new(types::I32));
            let reraise = self.import(exn_entries::RERAISE_SYMBOL, &sig)?;
            let call = self.b.ins().call(reraise, &[self.ctx]);
            let status = self.b.inst_results(call)[0];
            self.leave(status)?;
        } else {
            let site = self.site(span, SiteKind::MatchFailure(kind));
            let site = self.b.ins().iconst(types::I32, site);
            self.b
                .ins()
                .store(TRUSTED, site, self.ctx, Layout::FAULT_SITE);
            let status = self.b.ins().iconst(types::I32, Status::Fault as i64);
            self.leave(status)?;
        }
        let unreached = self.b.create_block();
        self.b.switch_to_block(unreached);
        Ok(Out {
            value: Some(self.zero(ty)),
            ty,
        })
    }

    /// `try body with handler` (see [`Expr::Try`]): a failure of the body
    /// comes to the handler block, which keeps an exception and passes
    /// anything else on.
    fn try_(
        &mut self,
        body: &Expr,
        ty: Ty,
        exn: VarId,
        handler: &Expr,
        span: SpanId,
        tail: bool,
    ) -> Result<Out, CompileError> {
        let mark = self.fallible_call(RuntimeFn::Exn(ExnFn::TryMark), &[], span)?;
        let mark_var = self.b.declare_var(types::I64);
        self.b.def_var(mark_var, mark);
        let catching = self.b.create_block();
        self.b.append_block_param(catching, types::I32);
        let depth = self.held.len();
        self.handlers.push((catching, depth));
        let out = self.expr(body, false);
        self.handlers.pop();
        let mut merge = None;
        self.merge_into(&mut merge, out?, ty)?;

        self.b.switch_to_block(catching);
        let status = self.b.block_params(catching)[0];
        let mark = self.b.use_var(mark_var);
        let mut sig = self.t.module.make_signature();
        sig.params
            .extend([types::I64, types::I32, types::I64, types::I64].map(AbiParam::new));
        sig.returns.push(AbiParam::new(types::I32));
        let catch = self.import(exn_entries::CATCH_SYMBOL, &sig)?;
        let out_addr = self.b.ins().stack_addr(types::I64, self.out_slot, 0);
        let call = self
            .b
            .ins()
            .call(catch, &[self.ctx, status, mark, out_addr]);
        let uncaught = self.b.inst_results(call)[0];
        let passed_on = self.b.create_block();
        let caught = self.b.create_block();
        self.b.set_cold_block(passed_on);
        self.b.ins().brif(uncaught, passed_on, &[], caught, &[]);
        self.b.switch_to_block(passed_on);
        self.leave(uncaught)?;

        self.b.switch_to_block(caught);
        let exception = self
            .b
            .ins()
            .stack_load(types::I64, types::I64, self.out_slot, 0);
        self.write_var(exn, exception)?;
        self.hold_var(exn);
        let out = self.expr(handler, tail)?;
        if out.value.is_some() {
            self.release_held(depth)?;
        }
        self.held.truncate(depth);
        self.merge_into(&mut merge, out, ty)?;
        let Some(merge) = merge else {
            return Ok(Out { value: None, ty });
        };
        self.b.switch_to_block(merge);
        Ok(Out {
            value: Some(self.b.block_params(merge)[0]),
            ty,
        })
    }

    /// Evaluates an expression for its effect; a `val` result is released.
    fn discard(&mut self, expr: &Expr) -> Result<(), CompileError> {
        let out = self.expr(expr, false)?;
        let value = self.expect(&out, out.ty, "a discarded value")?;
        if out.ty == Ty::Val {
            self.release(value)?;
        }
        Ok(())
    }

    /// Translates each arm in its block and joins them; an arm that leaves
    /// the function (tail call) does not jump to the join.
    fn join(&mut self, tail: bool, arms: &[(Block, &Expr)]) -> Result<Out, CompileError> {
        let mut merge = None;
        let mut ty = None;
        for (block, body) in arms {
            self.b.switch_to_block(*block);
            let out = self.expr(body, tail)?;
            match ty {
                Some(expected) if out.ty != expected => {
                    return err(format!(
                        "in `{}`: branches of types {expected:?} and {:?}",
                        self.name(),
                        out.ty
                    ));
                }
                _ => ty = Some(out.ty),
            }
            if let Some(value) = out.value {
                let target = *merge.get_or_insert_with(|| {
                    let block = self.b.create_block();
                    self.b.append_block_param(block, cl_type(out.ty));
                    block
                });
                self.b.ins().jump(target, &[value.into()]);
            }
        }
        let ty = ty.unwrap_or(Ty::Unit);
        // No merge block: every arm left the function.
        let Some(merge) = merge else {
            return Ok(Out { value: None, ty });
        };
        self.b.switch_to_block(merge);
        let value = self.b.block_params(merge)[0];
        Ok(Out {
            value: Some(value),
            ty,
        })
    }

    fn callee(&self, func: FuncId) -> Result<(Vec<Ty>, Ty), CompileError> {
        match self.t.program.functions.get(func.0 as usize) {
            Some(f) => Ok((f.param_types().to_vec(), f.ret)),
            None => err(format!("no function {}", func.0)),
        }
    }

    /// Evaluates call arguments left to right; `val`s are held while the
    /// later ones run, and handed to the callee (no longer held) after.
    fn args(
        &mut self,
        args: &[Expr],
        params: &[Ty],
        what: &str,
    ) -> Result<Vec<Value>, CompileError> {
        if args.len() != params.len() {
            return err(format!(
                "in `{}`: {} arguments for {} parameters",
                self.name(),
                args.len(),
                params.len()
            ));
        }
        let depth = self.held.len();
        let mut values = Vec::with_capacity(args.len());
        if args.len() <= IN_REGISTERS {
            for (arg, ty) in args.iter().zip(params) {
                let value = self.value(arg, *ty, what)?;
                if *ty == Ty::Val {
                    self.held.push(Held::Temp(value));
                }
                values.push(value);
            }
        } else {
            // A wide list is built in memory, each value stored as it is
            // produced and loaded back only for the call, so that no more
            // than a few are SSA values live across the others' work.
            let slot = self.array_slot(args.len());
            for (i, (arg, ty)) in args.iter().zip(params).enumerate() {
                let value = self.value(arg, *ty, what)?;
                self.store_word(slot, i, value, *ty == Ty::Val);
            }
            for (i, ty) in params.iter().enumerate() {
                let offset = (8 * i) as i32;
                let value = self
                    .b
                    .ins()
                    .stack_load(types::I64, cl_type(*ty), slot, offset);
                values.push(value);
            }
        }
        self.held.truncate(depth);
        Ok(values)
    }

    /// Stores `value` as word `i` of `slot`, held there until the call it
    /// is an argument of if `held` (a reference not lent).
    fn store_word(&mut self, slot: StackSlot, i: usize, value: Value, held: bool) {
        let offset = 8 * i as u32;
        self.b
            .ins()
            .stack_store(types::I64, value, slot, offset as i32);
        if held {
            self.held.push(Held::Slot(slot, offset));
        }
    }

    /// A stack slot of `len` words.
    fn array_slot(&mut self, len: usize) -> StackSlot {
        self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            (8 * len.max(1)) as u32,
            3,
        ))
    }

    /// After a call of a generated function: on failure, names the call's
    /// span in the callee's trace entry and leaves with its status.
    ///
    /// A call in the dlang function's tail position (`source_tail`) whose
    /// callee's frame replaces a tail caller's leaves this function out of
    /// the call stack: it returns the status at once, the callee's entry
    /// still pending for our caller. With `resumes` (an [`Expr::Resume`])
    /// a continuation's entry is named too.
    fn after_call(
        &mut self,
        call: cranelift_codegen::ir::Inst,
        span: SpanId,
        source_tail: bool,
        resumes: bool,
    ) -> Result<Value, CompileError> {
        let (status, value) = (self.b.inst_results(call)[0], self.b.inst_results(call)[1]);
        let cold = self.b.create_block();
        let next = self.b.create_block();
        self.b.set_cold_block(cold);
        self.b.ins().brif(status, cold, &[], next, &[]);
        self.b.switch_to_block(cold);
        if source_tail && self.has_entry() && self.handlers.is_empty() {
            let entry = self.innermost_entry();
            let offset = Layout::TRACE + Layout::TRACE_ENTRY_SPAN;
            let old = self.b.ins().load(types::I32, TRUSTED, entry, offset);
            let pending = self
                .b
                .ins()
                .icmp_imm_u(IntCC::Equal, old, PENDING_SPAN as i64);
            let offset = Layout::TRACE + Layout::TRACE_ENTRY_REPLACES;
            let replaces = self.b.ins().load(types::I32, TRUSTED, entry, offset);
            let replaces = self.b.ins().icmp_imm_u(IntCC::NotEqual, replaces, 0);
            let replaced = self.b.ins().band(pending, replaces);
            let leave = self.b.create_block();
            let stay = self.b.create_block();
            self.b.set_cold_block(leave);
            self.b.set_cold_block(stay);
            self.b.ins().brif(replaced, leave, &[], stay, &[]);
            self.b.switch_to_block(leave);
            // The callee's entry replaces ours: the callers pending in our
            // continuation are still to come.
            self.trace_konts()?;
            self.release_held(0)?;
            let ret = self.t.program.functions[self.t.me.0 as usize].ret;
            let zero = self.zero(ret);
            self.b.ins().return_(&[status, zero]);
            self.b.switch_to_block(stay);
        }
        // Out of the call stack, the callee's entry keeps its pending span
        // for our caller.
        if self.names_calls() {
            self.name_pending_call(span, resumes);
        }
        self.leave(status)?;
        self.b.switch_to_block(next);
        Ok(value)
    }

    /// The address (less `Layout::TRACE`) of the innermost trace entry. An
    /// empty trace (the callee is not in the call stack and failed before
    /// any entry) gives entry 0, which is not counted.
    fn innermost_entry(&mut self) -> Value {
        let len = self
            .b
            .ins()
            .load(types::I32, TRUSTED, self.ctx, Layout::TRACE_LEN);
        let empty = self.b.ins().icmp_imm_u(IntCC::Equal, len, 0);
        let before = self.b.ins().iadd_imm_s(len, -1);
        let zero = self.b.ins().iconst(types::I32, 0);
        let last = self.b.ins().select(empty, zero, before);
        let slot = self.trace_slot(last);
        self.trace_entry(slot)
    }

    /// Writes `span` as the call span of the innermost trace entry if it
    /// is still pending (its function failed in a call made here); with
    /// `resumes`, a continuation's entry too (`RESUMED_SPAN`).
    fn name_pending_call(&mut self, span: SpanId, resumes: bool) {
        let entry = self.innermost_entry();
        let offset = Layout::TRACE + Layout::TRACE_ENTRY_SPAN;
        let old = self.b.ins().load(types::I32, TRUSTED, entry, offset);
        let mut pending = self
            .b
            .ins()
            .icmp_imm_u(IntCC::Equal, old, PENDING_SPAN as i64);
        if resumes {
            let resumed = self
                .b
                .ins()
                .icmp_imm_u(IntCC::Equal, old, RESUMED_SPAN as i64);
            pending = self.b.ins().bor(pending, resumed);
        }
        let here = self.b.ins().iconst(types::I32, span.0 as i64);
        let new = self.b.ins().select(pending, here, old);
        self.b.ins().store(TRUSTED, new, entry, offset);
    }

    fn int_binary(
        &mut self,
        op: IntOp,
        x: Value,
        y: Value,
        span: SpanId,
    ) -> Result<Value, CompileError> {
        let (result, overflow) = match op {
            IntOp::Add => self.b.ins().sadd_overflow(x, y),
            IntOp::Sub => self.b.ins().ssub_overflow(x, y),
            IntOp::Mul => self.b.ins().smul_overflow(x, y),
            IntOp::Div | IntOp::Rem => {
                let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
                self.fault_if(zero, span, SiteKind::DivisionByZero(op))?;
                let minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, y, -1);
                if op == IntOp::Div {
                    let min = self.b.ins().icmp_imm_s(IntCC::Equal, x, i64::MIN);
                    let overflows = self.b.ins().band(min, minus_one);
                    self.fault_if(overflows, span, SiteKind::Overflow(op))?;
                    return Ok(self.b.ins().sdiv(x, y));
                }
                // `x % -1` is 0; `srem` would trap on `min_int % -1`.
                let one = self.b.ins().iconst(types::I64, 1);
                let divisor = self.b.ins().select(minus_one, one, y);
                return Ok(self.b.ins().srem(x, divisor));
            }
        };
        self.fault_if(overflow, span, SiteKind::Overflow(op))?;
        Ok(result)
    }

    fn compare(&mut self, op: Compare, ty: Ty, x: Value, y: Value) -> Result<Value, CompileError> {
        let unsigned = ty == Ty::Bool;
        let r = match ty {
            Ty::F64 => {
                let cc = match op {
                    Compare::Eq => FloatCC::Equal,
                    Compare::Ne => FloatCC::NotEqual,
                    Compare::Lt => FloatCC::LessThan,
                    Compare::Le => FloatCC::LessThanOrEqual,
                    Compare::Gt => FloatCC::GreaterThan,
                    Compare::Ge => FloatCC::GreaterThanOrEqual,
                };
                self.b.ins().fcmp(cc, x, y)
            }
            Ty::I64 | Ty::Bool => {
                let cc = match (op, unsigned) {
                    (Compare::Eq, _) => IntCC::Equal,
                    (Compare::Ne, _) => IntCC::NotEqual,
                    (Compare::Lt, false) => IntCC::SignedLessThan,
                    (Compare::Le, false) => IntCC::SignedLessThanOrEqual,
                    (Compare::Gt, false) => IntCC::SignedGreaterThan,
                    (Compare::Ge, false) => IntCC::SignedGreaterThanOrEqual,
                    (Compare::Lt, true) => IntCC::UnsignedLessThan,
                    (Compare::Le, true) => IntCC::UnsignedLessThanOrEqual,
                    (Compare::Gt, true) => IntCC::UnsignedGreaterThan,
                    (Compare::Ge, true) => IntCC::UnsignedGreaterThanOrEqual,
                };
                self.b.ins().icmp(cc, x, y)
            }
            Ty::Unit | Ty::Val => {
                return err(format!("in `{}`: comparison of {ty:?} values", self.name()))
            }
        };
        Ok(r)
    }

    fn runtime(
        &mut self,
        entry: RuntimeFn,
        args: &[Expr],
        span: SpanId,
    ) -> Result<Out, CompileError> {
        if let Some((fused, items)) = fuse::variant_of_tuple(entry, args) {
            return self.runtime(fused, items, span);
        }
        if let (RuntimeFn::Data(DataFn::TupleItem), [Expr::Var(var), index]) = (entry, args) {
            if let Some(source) = self.item_sources.get(var) {
                let args = [Expr::Var(*source), index.clone()];
                return self.runtime(RuntimeFn::Data(DataFn::VariantItem), &args, span);
            }
        }
        let sig = abi::signature(entry);
        let params: Vec<Ty> = match abi::array_immediate(entry) {
            Some(_) => vec![Ty::Val; args.len()],
            None => sig.params.to_vec(),
        };
        if args.len() != params.len() {
            return err(format!(
                "in `{}`: {} arguments for `{}`",
                self.name(),
                args.len(),
                sig.symbol
            ));
        }
        // `val` arguments are lent: a variable is passed as it is, anything
        // else is a temporary released after the call. An entry taking an
        // array gets its arguments in a stack slot, each stored as it is
        // produced (held there until the call, not as an SSA value: a
        // tuple of hundreds of components must not keep hundreds live).
        let depth = self.held.len();
        let array = abi::array_immediate(entry).map(|_| self.array_slot(args.len()));
        let mut values = Vec::with_capacity(args.len());
        for (i, (arg, ty)) in args.iter().zip(&params).enumerate() {
            let lent = match (arg, ty) {
                (Expr::Var(var), Ty::Val) if self.local_type(*var)? == Ty::Val => {
                    Some(self.read_var(*var)?)
                }
                _ => None,
            };
            let value = match lent {
                Some(value) => value,
                None => self.value(arg, *ty, "a runtime argument")?,
            };
            match array {
                Some(slot) => self.store_word(slot, i, value, lent.is_none() && *ty == Ty::Val),
                None => {
                    if lent.is_none() && *ty == Ty::Val {
                        self.held.push(Held::Temp(value));
                    }
                    values.push(value);
                }
            }
        }
        let result = match (sig.convention, array) {
            (Convention::Fallible, Some(slot)) => {
                self.fallible_array_call(entry, slot, args.len(), span)?
            }
            (Convention::Leaf, None) => {
                let param = AbiParam::new;
                let mut cl_sig = self.t.module.make_signature();
                cl_sig
                    .params
                    .extend(params.iter().map(|ty| param(cl_type(*ty))));
                cl_sig.returns.push(param(cl_type(sig.ret)));
                let f = self.import(sig.symbol, &cl_sig)?;
                let call = self.b.ins().call(f, &values);
                self.b.inst_results(call)[0]
            }
            (Convention::Fallible, None) => self.fallible_call(entry, &values, span)?,
            (Convention::Leaf, Some(_)) => {
                return err(format!("`{}` takes an array but cannot fail", sig.symbol))
            }
        };
        // Only the temporaries were held.
        self.release_held(depth)?;
        self.held.truncate(depth);
        Ok(Out {
            value: Some(result),
            ty: sig.ret,
        })
    }

    /// [`Expr::TapePush`]: a store at the record buffer's top, after a
    /// cold call of the reserve entry when the top is the end, and the top
    /// moved up.
    fn tape_push(&mut self, word: &Expr, span: SpanId) -> Result<Out, CompileError> {
        let word = self.expr(word, false)?;
        let (Some(value), Ty::I64 | Ty::F64) = (word.value, word.ty) else {
            return err(format!(
                "in `{}`: a tape word is an `i64` or `f64`, not {:?}",
                self.name(),
                word.ty
            ));
        };
        let top = self.tape_top();
        let end = self
            .b
            .ins()
            .load(types::I64, TRUSTED, self.ctx, Layout::TAPE_END);
        let full = self.b.ins().icmp(IntCC::Equal, top, end);
        let cold = self.b.create_block();
        let ready = self.b.create_block();
        self.b.append_block_param(ready, types::I64);
        self.b.set_cold_block(cold);
        self.b.ins().brif(full, cold, &[], ready, &[top.into()]);
        self.b.switch_to_block(cold);
        self.fallible_call(RuntimeFn::Tape(TapeFn::Reserve), &[], span)?;
        let moved = self.tape_top();
        self.b.ins().jump(ready, &[moved.into()]);
        self.b.switch_to_block(ready);
        let top = self.b.block_params(ready)[0];
        self.b.ins().store(TRUSTED, value, top, 0);
        let next = self.b.ins().iadd_imm_s(top, 8);
        self.b
            .ins()
            .store(TRUSTED, next, self.ctx, Layout::TAPE_TOP);
        Ok(Out {
            value: Some(self.b.ins().iconst(types::I8, 0)),
            ty: Ty::Unit,
        })
    }

    /// [`Expr::TapePop`]: a load below the record buffer's top, and the
    /// top moved down.
    fn tape_pop(&mut self, ty: Ty) -> Result<Out, CompileError> {
        if !matches!(ty, Ty::I64 | Ty::F64) {
            return err(format!(
                "in `{}`: a tape word is an `i64` or `f64`, not {ty:?}",
                self.name()
            ));
        }
        let top = self.tape_top();
        let below = self.b.ins().iadd_imm_s(top, -8);
        let word = self.b.ins().load(cl_type(ty), TRUSTED, below, 0);
        self.b
            .ins()
            .store(TRUSTED, below, self.ctx, Layout::TAPE_TOP);
        Ok(Out {
            value: Some(word),
            ty,
        })
    }

    fn tape_top(&mut self) -> Value {
        self.b
            .ins()
            .load(types::I64, TRUSTED, self.ctx, Layout::TAPE_TOP)
    }

    /// Calls a fallible runtime entry with its arguments evaluated; on
    /// failure leaves through a cold block naming the site.
    fn fallible_call(
        &mut self,
        entry: RuntimeFn,
        values: &[Value],
        span: SpanId,
    ) -> Result<Value, CompileError> {
        let sig = abi::signature(entry);
        if abi::array_immediate(entry).is_some() {
            // Its arguments are built in a slot as they are produced
            // (`Self::runtime`, `Self::fallible_array_call`).
            return err(format!("`{}` takes an array", sig.symbol));
        }
        let mut call_args = vec![self.ctx];
        call_args.extend(values);
        let params = sig.params.iter().map(|ty| cl_type(*ty));
        self.fallible_entry_call(entry, call_args, params.collect(), span)
    }

    /// [`Self::fallible_call`] of an entry taking an array (its immediate,
    /// then the address and length of the `len` words in `slot`).
    fn fallible_array_call(
        &mut self,
        entry: RuntimeFn,
        slot: StackSlot,
        len: usize,
        span: SpanId,
    ) -> Result<Value, CompileError> {
        let Some(immediate) = abi::array_immediate(entry) else {
            return err(format!("`{}` takes no array", abi::signature(entry).symbol));
        };
        let call_args = vec![
            self.ctx,
            self.b.ins().iconst(types::I64, immediate as i64),
            self.b.ins().stack_addr(types::I64, slot, 0),
            self.b.ins().iconst(types::I64, len as i64),
        ];
        self.fallible_entry_call(entry, call_args, vec![types::I64; 3], span)
    }

    /// Calls `entry` with `call_args` (the context, then `params`) and the
    /// result slot; on failure leaves through a cold block naming the
    /// site.
    fn fallible_entry_call(
        &mut self,
        entry: RuntimeFn,
        mut call_args: Vec<Value>,
        params: Vec<types::Type>,
        span: SpanId,
    ) -> Result<Value, CompileError> {
        let sig = abi::signature(entry);
        let param = AbiParam::new;
        let mut cl_sig = self.t.module.make_signature();
        cl_sig.params.push(param(types::I64));
        cl_sig.params.extend(params.into_iter().map(param));
        call_args.push(self.b.ins().stack_addr(types::I64, self.out_slot, 0));
        cl_sig.params.push(param(types::I64));
        cl_sig.returns.push(param(types::I32));
        let f = self.import(sig.symbol, &cl_sig)?;
        let call = self.b.ins().call(f, &call_args);
        let status = self.b.inst_results(call)[0];
        let site = self.site(span, SiteKind::Runtime(entry));
        self.shim_failed_if(status, site, span)?;
        let word = self
            .b
            .ins()
            .stack_load(types::I64, types::I64, self.out_slot, 0);
        Ok(super::codegen::from_word(&mut self.b, word, sig.ret))
    }
}
