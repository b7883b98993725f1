//! Lowering the checked tree to the JIT's IR, for a first subset of the
//! language (docs/jit.md lists it). Anything outside the subset is an
//! `E401` naming the construct and its span, found before anything runs:
//! the JIT never hands part of a program to the interpreter.
//!
//! Only what the main module's top-level code reaches is lowered: the
//! top-level functions of every module (the stdlib's included) are
//! lowered when a call to them is met, so an unsupported function nobody
//! calls costs nothing.

#![forbid(unsafe_code)]

mod closure;
mod control;
mod cps;
mod data;
mod exn;
mod grad;
mod local_refs;
mod pattern;
#[cfg(test)]
mod pattern_tests;
mod reverse;
mod reverse_frames;
mod reverse_loop;
#[cfg(test)]
mod reverse_tests;

pub use grad::Mode;

use super::ir::{self, Compare, FloatOp, FuncId, IntOp, RuntimeFn, SpanId, Ty, VarId};
use crate::runtime::error::RuntimeError;
use crate::runtime::prims::PRIMS;
use crate::runtime::value::RecordLayout;
use crate::syntax::ast::{
    BinOp, Binding, Expr, ExprKind, Item, ItemKind, Literal, Pattern, PatternKind, Span, TypeBody,
    UnOp,
};
use crate::types::resolved::{Binder, GlobalId, LocalId, OpInstance, VarTarget};
use crate::types::TypeInfo;
use crate::types::{Type, TypeId};
use cps::CpsVars;
use std::collections::HashMap;
use std::rc::Rc;

/// A construct the JIT does not compile yet.
pub const E_NOT_COMPILED: &str = "E401";

/// `E401`: `construct` (at `span`) is outside what the JIT compiles.
pub fn not_compiled(construct: &str, span: Span) -> RuntimeError {
    RuntimeError {
        code: E_NOT_COMPILED,
        message: format!("the JIT cannot compile {construct} yet"),
        span: Some(span),
        stack: Default::default(),
        raised: None,
    }
}

/// One module's checked items, `None` for the main file.
pub struct Module<'a> {
    pub name: Option<&'a str>,
    pub items: &'a [Item<TypeInfo>],
    /// A stdlib module: its top-level values are only refused when read.
    pub stdlib: bool,
}

/// A top-level binding that is not a function, with what its module and
/// group say about it.
struct TopValue<'a> {
    stdlib: bool,
    recursive: bool,
    binding: &'a Binding<TypeInfo>,
}

/// A top-level function of some module: `let f x y = body`.
struct FunctionDef<'a> {
    name: String,
    params: Vec<&'a Pattern<TypeInfo>>,
    body: &'a Expr<TypeInfo>,
    ty: &'a Type,
    span: Span,
}

/// The program: the main module's top-level code as function 0 (which
/// calls its parts in turn: see [`MAIN_PART_VALUES`]), and every function
/// it reaches.
///
/// Closure bodies are lowered in one mode for the whole program: plain,
/// unless the program differentiates, when a closure may be called on
/// tracked floats wherever it was made (see [`grad`]); then the program
/// is lowered again with tracked closure bodies.
pub fn lower_program(modules: &[Module<'_>]) -> Result<ir::Program, RuntimeError> {
    let lowering = lower_in(modules, Mode::Plain)?;
    if lowering.differentiates && !lowering.program.closures.is_empty() {
        return Ok(lower_in(modules, Mode::Tracked)?.program);
    }
    Ok(lowering.program)
}

fn lower_in<'a>(modules: &[Module<'a>], closure_mode: Mode) -> Result<Lowering<'a>, RuntimeError> {
    let mut defs = HashMap::new();
    let mut layouts = HashMap::new();
    let mut constructors = HashMap::from([(TypeId::OPTION, 2)]);
    for module in modules {
        for item in module.items {
            if let ItemKind::Type(decls, ids) = &item.kind {
                for (decl, id) in decls.iter().zip(ids) {
                    match &decl.body {
                        TypeBody::Record(fields) => {
                            let layout = crate::runtime::data::record_layout(fields);
                            layouts.insert(*id, layout);
                        }
                        TypeBody::Variant(ctors) => {
                            constructors.insert(*id, ctors.len());
                        }
                        TypeBody::Alias(_) => {}
                    }
                }
            }
            let ItemKind::Let(group) = &item.kind else {
                continue;
            };
            for binding in &group.bindings {
                if let Some((id, def)) = function_def(module.name, binding) {
                    defs.insert(id, def);
                }
            }
        }
    }
    let mut lowering = Lowering {
        defs,
        program: ir::Program::default(),
        funcs: HashMap::new(),
        queue: Vec::new(),
        wrappers: HashMap::new(),
        identity: None,
        try_exit: None,
        continuations: HashMap::new(),
        slots: HashMap::new(),
        refused: HashMap::new(),
        layouts,
        constructors,
        closure_mode,
        differentiates: false,
    };
    let main_items = modules
        .iter()
        .find(|m| m.name.is_none())
        .map_or(&[][..], |m| m.items);
    let span = main_items.first().map(|i| i.span).unwrap_or_default();
    let span = lowering.span(span);
    lowering.program.functions.push(placeholder());
    let values = top_values(modules);
    let mut parts = Vec::new();
    for part in values.chunks(MAIN_PART_VALUES) {
        let func = lowering.main_part(part, span)?;
        parts.push(ir::Expr::Call {
            func,
            args: Vec::new(),
            span,
        });
    }
    // Hidden: each part is the main code's entry in the call stack.
    lowering.program.functions[0] = ir::Function {
        name: "main".into(),
        params: 0,
        locals: Vec::new(),
        ret: Ty::Unit,
        body: ir::Expr::Seq(parts),
        span,
        frame: ir::Frame::Hidden,
    };
    while let Some((global, mode, cps, flavour, func)) = lowering.queue.pop() {
        let function = lowering.function(global, mode, cps, flavour)?;
        if function.params > lowering.defs[&global].params.len() {
            // A variant that may shift: its continuation, the last
            // parameter, is its caller's.
            let kont = ir::VarId(function.params as u32 - 1);
            let entry = (kont, false, function.name.clone());
            lowering.program.kont_frames.kont_of.insert(func.0, entry);
        }
        lowering.program.functions[func.0 as usize] = function;
    }
    lowering.program.globals = lowering.slots.len() as u32;
    Ok(lowering)
}

/// The most top-level values one function of the main code computes.
/// The values of one part nest (each is a local in the scope of the
/// rest), which Cranelift's register allocator pays for more than
/// linearly; parts after the first read earlier values from the global
/// table, so compile time grows linearly with the number of values.
const MAIN_PART_VALUES: usize = 32;

/// Every module's top-level values in module order, the main file's
/// last.
fn top_values<'a>(modules: &[Module<'a>]) -> Vec<TopValue<'a>> {
    let mut values = Vec::new();
    for module in modules {
        for item in module.items {
            let ItemKind::Let(group) = &item.kind else {
                continue;
            };
            for binding in &group.bindings {
                if function_def(None, binding).is_none() {
                    values.push(TopValue {
                        stdlib: module.stdlib,
                        recursive: group.recursive,
                        binding,
                    });
                }
            }
        }
    }
    values
}

fn placeholder() -> ir::Function {
    ir::Function {
        name: String::new(),
        params: 0,
        locals: Vec::new(),
        ret: Ty::Unit,
        body: ir::Expr::Unit,
        span: SpanId(0),
        frame: ir::Frame::Shown {
            replaces_tail_caller: false,
        },
    }
}

/// `let f x … = body` at top level, with `f` a global.
fn function_def<'a>(
    module: Option<&str>,
    binding: &'a Binding<TypeInfo>,
) -> Option<(GlobalId, FunctionDef<'a>)> {
    let PatternKind::Var(name, Binder::Global(id)) = &binding.pattern.kind else {
        return None;
    };
    let mut params = Vec::new();
    let mut body = &binding.expr;
    while let ExprKind::Fun(param, inner) = &body.kind {
        params.push(&**param);
        body = inner;
    }
    if params.is_empty() {
        return None;
    }
    let name = match module {
        Some(m) if m != "Prelude" => format!("{m}.{name}"),
        _ => name.clone(),
    };
    Some((
        *id,
        FunctionDef {
            name,
            params,
            body,
            ty: &binding.expr.ann.ty,
            span: binding.span,
        },
    ))
}

struct Lowering<'a> {
    defs: HashMap<GlobalId, FunctionDef<'a>>,
    program: ir::Program,
    /// Each top-level function by the mode it is reached in and the
    /// effect variables that are `cps` in its variant (see [`grad`] and
    /// [`cps`]: one IR function per mode and effect instance).
    /// A variant that may shift is compiled a second time, in the
    /// [`Flavour::Region`] flavour, when the body of a `try` calls it.
    funcs: HashMap<(GlobalId, Mode, CpsVars, Flavour), FuncId>,
    /// Functions given an id whose body is not lowered yet.
    queue: Vec<(GlobalId, Mode, CpsVars, Flavour, FuncId)>,
    /// The closure code of each wrapper of a top-level function used as a
    /// value, by function, parameter and variant (see [`closure`]).
    wrappers: HashMap<(GlobalId, usize, CpsVars), u32>,
    /// The closure code of the identity continuation, once made.
    identity: Option<u32>,
    /// The closure code of the continuation that ends the body of a `try`
    /// that may shift, once made (see [`exn`]).
    try_exit: Option<u32>,
    /// The closure code of every continuation made, by what decides it.
    continuations: HashMap<control::ContinuationKey, u32>,
    /// The global table's slot of each top-level value.
    slots: HashMap<GlobalId, u32>,
    /// Top-level values of the stdlib the JIT cannot compile: refused
    /// where read.
    refused: HashMap<GlobalId, RuntimeError>,
    /// The field names of every record type, in declaration order.
    layouts: HashMap<TypeId, RecordLayout>,
    /// How many constructors every variant type has.
    constructors: HashMap<TypeId, usize>,
    /// The mode of every closure body, wrapper and continuation.
    closure_mode: Mode,
    /// Whether a `grad`, `value_and_grad` or `jvp` was lowered.
    differentiates: bool,
}

/// How a top-level function's variant that may shift treats its
/// `shift`s (see [`exn`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Flavour {
    /// A `shift` runs its body in place, up to the `reset`.
    Plain,
    /// Called (directly or through such calls) from the body of a `try`
    /// that may shift: a `shift` ends the `try`'s region with `Shifted
    /// (body, k)`, and so does every call of a function that may run one.
    Region,
}

/// What [`Lowering::rollback`] goes back to.
struct Checkpoint {
    functions: usize,
    closures: usize,
}

impl<'a> Lowering<'a> {
    fn span(&mut self, span: Span) -> SpanId {
        self.program.spans.push(span);
        SpanId(self.program.spans.len() as u32 - 1)
    }

    /// The id of a top-level function's variant in `mode`, queued for
    /// lowering on first use.
    fn func(&mut self, global: GlobalId, mode: Mode, cps: &CpsVars) -> FuncId {
        self.func_in(global, mode, cps, Flavour::Plain)
    }

    /// [`Self::func`] in `flavour`.
    fn func_in(&mut self, global: GlobalId, mode: Mode, cps: &CpsVars, flavour: Flavour) -> FuncId {
        let key = (global, mode, cps.clone(), flavour);
        if let Some(id) = self.funcs.get(&key) {
            return *id;
        }
        let id = FuncId(self.program.functions.len() as u32);
        self.program.functions.push(placeholder());
        self.funcs.insert(key, id);
        self.queue.push((global, mode, cps.clone(), flavour, id));
        id
    }

    fn function(
        &mut self,
        global: GlobalId,
        mode: Mode,
        cps: CpsVars,
        flavour: Flavour,
    ) -> Result<ir::Function, RuntimeError> {
        let def = &self.defs[&global];
        let (name, body, span) = (def.name.clone(), def.body, def.span);
        let params = def.params.clone();
        let (param_types, ret) = self.def_signature(global, mode, &cps)?;
        let mut f = FnLower::new(self, Some(global), mode);
        f.cps_vars = Rc::new(cps);
        f.frame = Some(Rc::from(name.as_str()));
        f.ends_region = flavour == Flavour::Region;
        let mut bound = Vec::new();
        for (pattern, ty) in params.iter().zip(&param_types) {
            let var = f.fresh(*ty);
            bound.push((*pattern, var));
        }
        // A variant that may shift takes its continuation last.
        let kont = (param_types.len() > params.len()).then(|| f.fresh(Ty::Val));
        f.outer_kont = kont;
        let expr = f.bind_params(&bound, ret, |f| match kont {
            Some(kont) => f.cps_body(body, kont),
            None => {
                let expr = f.expr(body, true)?;
                let body_ty = f.ty(body)?;
                let body_span = f.span(body.span);
                Ok(f.coerce(expr, body_ty, ret, body_span))
            }
        })?;
        let locals = f.locals;
        let span = self.span(span);
        Ok(ir::Function {
            name,
            params: param_types.len(),
            locals,
            ret,
            body: expr,
            span,
            frame: ir::Frame::Shown {
                replaces_tail_caller: match params.last() {
                    Some(param) => !closure::is_simple(param, body),
                    None => false,
                },
            },
        })
    }

    fn arity(&self, global: GlobalId) -> Option<usize> {
        self.defs.get(&global).map(|d| d.params.len())
    }

    /// The IR parameter and result types of a top-level function's
    /// variant in `mode`: one that may shift takes a continuation and
    /// returns the answer.
    fn def_signature(
        &self,
        global: GlobalId,
        mode: Mode,
        cps: &CpsVars,
    ) -> Result<(Vec<Ty>, Ty), RuntimeError> {
        let def = &self.defs[&global];
        let (mut params, ret) = signature(def.ty, def.params.len(), mode, def.span)?;
        if cps::variant_shifts(def.ty, def.params.len(), cps) {
            params.push(Ty::Val);
            return Ok((params, Ty::Val));
        }
        Ok((params, ret))
    }

    /// A function of the main code computing `values` in turn (see
    /// [`MAIN_PART_VALUES`]): it stands for the main code in the call
    /// stack, as the interpreter's top level.
    fn main_part(&mut self, values: &[TopValue<'a>], span: SpanId) -> Result<FuncId, RuntimeError> {
        let func = FuncId(self.program.functions.len() as u32);
        self.program.functions.push(placeholder());
        let mut part = FnLower::new(self, None, Mode::Plain);
        let body = part.top_values(values)?;
        let locals = part.locals;
        self.program.functions[func.0 as usize] = ir::Function {
            name: "main".into(),
            params: 0,
            locals,
            ret: Ty::Unit,
            body,
            span,
            frame: ir::Frame::Shown {
                replaces_tail_caller: false,
            },
        };
        Ok(func)
    }

    /// The slot of a top-level value in the global table.
    fn slot(&mut self, global: GlobalId) -> u32 {
        let next = self.slots.len() as u32;
        *self.slots.entry(global).or_insert(next)
    }

    fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            functions: self.program.functions.len(),
            closures: self.program.closures.len(),
        }
    }

    /// Forgets the functions and closure bodies made since `checkpoint`
    /// (a stdlib value the JIT refused), so none of them is compiled.
    fn rollback(&mut self, checkpoint: Checkpoint) {
        let kept = |func: &FuncId| (func.0 as usize) < checkpoint.functions;
        self.program.functions.truncate(checkpoint.functions);
        self.program.closures.truncate(checkpoint.closures);
        self.funcs.retain(|_, func| kept(func));
        self.queue.retain(|(_, _, _, _, func)| kept(func));
        self.wrappers
            .retain(|_, code| (*code as usize) < checkpoint.closures);
        self.continuations
            .retain(|_, code| (*code as usize) < checkpoint.closures);
        self.program
            .cps_closures
            .retain(|(code, _)| (*code as usize) < checkpoint.closures);
        if self
            .identity
            .is_some_and(|code| code as usize >= checkpoint.closures)
        {
            self.identity = None;
        }
        if self
            .try_exit
            .is_some_and(|code| code as usize >= checkpoint.closures)
        {
            self.try_exit = None;
        }
    }
}

/// The parameter and result types of a curried function of `arity`
/// parameters, compiled in `mode`.
fn signature(
    ty: &Type,
    arity: usize,
    mode: Mode,
    span: Span,
) -> Result<(Vec<Ty>, Ty), RuntimeError> {
    let mut params = Vec::new();
    let mut ty = ty;
    for _ in 0..arity {
        let Type::Arrow(param, result, _) = ty else {
            return Err(not_compiled("this function's type", span));
        };
        params.push(mode.repr(ir_type(param, span)?));
        ty = result;
    }
    Ok((params, mode.repr(ir_type(ty, span)?)))
}

/// The IR type of values of a dlang type: scalars unboxed, everything
/// else (data, functions, type variables: the uniform representation) a
/// `val`.
fn ir_type(ty: &Type, _span: Span) -> Result<Ty, RuntimeError> {
    Ok(match ty {
        Type::Con(id, _) => match *id {
            TypeId::INT => Ty::I64,
            TypeId::FLOAT => Ty::F64,
            TypeId::BOOL => Ty::Bool,
            TypeId::UNIT => Ty::Unit,
            _ => Ty::Val,
        },
        Type::Tuple(_) | Type::Var(_) | Type::Arrow(..) => Ty::Val,
    })
}

/// Lowering one function's body.
struct FnLower<'l, 'a> {
    lowering: &'l mut Lowering<'a>,
    /// The global this function is (`None` for the main code).
    this: Option<GlobalId>,
    /// The name the call stack shows for this body (`None` for the main
    /// code): continuations of its code show it too.
    frame: Option<Rc<str>>,
    /// In code under a `reset` of a named function (`frame` taken, in its
    /// body or in the continuations made there): that function, whose
    /// activation the continuations resume.
    resumes: Option<Rc<str>>,
    /// The application whose value is the answer of a `reset` or `shift`
    /// body (outside a `try`): a continuation it calls is a tail call on
    /// the interpreter, with no entry in the call stack, as is one in its
    /// tail position (`closure::in_tail_of`).
    delimited_call: Option<&'a Expr<TypeInfo>>,
    /// How this body represents floats (see [`grad`]).
    mode: Mode,
    locals: Vec<Ty>,
    vars: HashMap<LocalId, VarId>,
    /// The refs that do not escape, by local: the IR local holding each
    /// one's contents (see [`local_refs`]).
    local_refs: HashMap<LocalId, VarId>,
    /// The top-level values of this part of the main code, by global:
    /// its locals (functions and later parts read them from the global
    /// table).
    globals: HashMap<GlobalId, VarId>,
    /// The local `let rec` group this closure body is a member of.
    rec: Option<closure::RecGroup>,
    /// The join points made so far ([`ir::JoinId`]s are per function).
    joins: u32,
    /// The effect variables that are `cps` in this body (its function's
    /// variant, see [`cps`]); any other is pure.
    cps_vars: Rc<CpsVars>,
    /// Sub-expressions already evaluated into locals (continuation-passing
    /// code evaluates a node's operands before the node; see [`cps`]).
    precomputed: HashMap<*const Expr<TypeInfo>, VarId>,
    /// The loops whose iteration this body runs (a loop's closure or a
    /// continuation inside it), by node: see [`cps`].
    loops: HashMap<*const Expr<TypeInfo>, cps::LoopState>,
    /// Whether this code is the body of a `try` that may shift, whose
    /// answer is an [`exn::Outcome`] (see [`exn`]).
    in_try_body: bool,
    /// Whether this code is a [`Flavour::Region`] variant (or a
    /// continuation made in one): called from the region of a `try` that
    /// may shift, its answer is that region's [`exn::Outcome`], and its
    /// `shift`s end the region instead of running their bodies.
    ends_region: bool,
    /// The `try` this continuation resumes the body of (see [`exn`]).
    try_frame: Option<exn::TryFrame>,
    /// The continuation closures made here, by the local holding each:
    /// the code of each (see `ir::KontFrames`).
    kont_codes: HashMap<VarId, u32>,
    /// The local holding the continuation of this body's caller (the
    /// activation's own continuations are the others).
    outer_kont: Option<VarId>,
}

impl<'l, 'a> FnLower<'l, 'a> {
    fn new(lowering: &'l mut Lowering<'a>, this: Option<GlobalId>, mode: Mode) -> Self {
        FnLower {
            lowering,
            this,
            mode,
            locals: Vec::new(),
            vars: HashMap::new(),
            local_refs: HashMap::new(),
            globals: HashMap::new(),
            rec: None,
            joins: 0,
            frame: None,
            resumes: None,
            delimited_call: None,
            cps_vars: Rc::default(),
            precomputed: HashMap::new(),
            loops: HashMap::new(),
            in_try_body: false,
            ends_region: false,
            try_frame: None,
            kont_codes: HashMap::new(),
            outer_kont: None,
        }
    }

    fn fresh(&mut self, ty: Ty) -> VarId {
        self.locals.push(ty);
        VarId(self.locals.len() as u32 - 1)
    }

    fn span(&mut self, span: Span) -> SpanId {
        self.lowering.span(span)
    }

    /// Each top-level value in turn, matched against its pattern: the
    /// globals it binds are locals of this part of the main code and are
    /// stored in the global table (what functions and later parts read). A stdlib value the JIT cannot
    /// compile is refused only where it is read.
    fn top_values(&mut self, values: &[TopValue<'a>]) -> Result<ir::Expr, RuntimeError> {
        let Some((top, rest)) = values.split_first() else {
            return Ok(ir::Expr::Unit);
        };
        let binding = top.binding;
        let checkpoint = self.lowering.checkpoint();
        let value = if top.recursive {
            Err(not_compiled("a recursive value", binding.span))
        } else {
            let name = closure::binding_name(&binding.pattern);
            self.named(&binding.expr, name)
        };
        let value = match value {
            Ok(value) => value,
            Err(error) if top.stdlib => {
                self.lowering.rollback(checkpoint);
                for id in pattern::globals_of(&binding.pattern) {
                    self.lowering.refused.insert(id, error.clone());
                }
                return self.top_values(rest);
            }
            Err(error) => return Err(error),
        };
        let var = self.fresh(self.ty(&binding.expr)?);
        let failure = (ir::MatchKind::TopLevelLet, binding.span);
        let body = self.bind_pattern(&binding.pattern, var, Ty::Unit, failure, |f| {
            let mut steps = f.store_globals(&binding.pattern);
            steps.push(f.top_values(rest)?);
            Ok(ir::Expr::Seq(steps))
        })?;
        Ok(ir::build::let_(var.0, value, body))
    }

    /// Stores each global `pattern` has just bound in its slot of the
    /// global table.
    fn store_globals(&mut self, pattern: &Pattern<TypeInfo>) -> Vec<ir::Expr> {
        let mut sets = Vec::new();
        for id in pattern::globals_of(pattern) {
            let Some(var) = self.globals.get(&id).copied() else {
                continue;
            };
            let slot = self.lowering.slot(id);
            let ty = self.locals[var.0 as usize];
            let span = self.span(Span::default());
            let stored = self.coerce(ir::Expr::Var(var), ty, Ty::Val, span);
            sets.push(ir::Expr::Runtime {
                entry: RuntimeFn::GlobalSet,
                args: vec![ir::build::int(slot as i64), stored],
                span,
            });
        }
        sets
    }

    /// The IR type of an expression's values in this body's mode.
    fn ty(&self, expr: &Expr<TypeInfo>) -> Result<Ty, RuntimeError> {
        self.repr(&expr.ann.ty, expr.span)
    }

    /// The IR type of values of dlang type `ty` in this body's mode.
    fn repr(&self, ty: &Type, span: Span) -> Result<Ty, RuntimeError> {
        Ok(self.mode.repr(ir_type(ty, span)?))
    }

    fn expr(&mut self, e: &'a Expr<TypeInfo>, tail: bool) -> Result<ir::Expr, RuntimeError> {
        use ir::build;
        let boxed = |x: ir::Expr| Box::new(x);
        if let Some(var) = self.precomputed.get(&(e as *const _)) {
            return Ok(ir::Expr::Var(*var));
        }
        Ok(match &e.kind {
            ExprKind::Lit(lit) => match lit {
                Literal::Int(n) => build::int(*n),
                Literal::Float(x) => self.float_const(*x, e.span),
                Literal::Bool(b) => ir::Expr::Bool(*b),
                Literal::Unit => ir::Expr::Unit,
                Literal::String(s) => {
                    let strings = &mut self.lowering.program.strings;
                    strings.push(Rc::from(s.as_str()));
                    let index = strings.len() as i64 - 1;
                    let span = self.span(e.span);
                    ir::Expr::Runtime {
                        entry: RuntimeFn::StringConst,
                        args: vec![build::int(index)],
                        span,
                    }
                }
            },
            ExprKind::Var(_, var) => self.variable(e, var.target)?,
            ExprKind::App(..) => self.call(e, tail)?,
            ExprKind::Let(group, body) if group.recursive => {
                self.let_rec(e, &group.bindings, body, tail, None)?
            }
            ExprKind::Let(group, body) => self.let_in(&group.bindings, body, e, tail)?,
            ExprKind::If(cond, then, otherwise) => build::if_(
                self.expr(cond, false)?,
                self.expr(then, tail)?,
                match otherwise {
                    Some(o) => self.expr(o, tail)?,
                    None => ir::Expr::Unit,
                },
            ),
            ExprKind::Seq(first, second) => {
                ir::Expr::Seq(vec![self.expr(first, false)?, self.expr(second, tail)?])
            }
            ExprKind::BinOp(op @ (BinOp::And | BinOp::Or), _, lhs, rhs) => {
                // The right operand is in tail position, as on the
                // interpreter.
                let x = self.expr(lhs, false)?;
                let y = self.expr(rhs, tail)?;
                match op {
                    BinOp::And => build::if_(x, y, ir::Expr::Bool(false)),
                    _ => build::if_(x, ir::Expr::Bool(true), y),
                }
            }
            ExprKind::BinOp(op, instance, lhs, rhs) => self.binary(e, *op, instance, lhs, rhs)?,
            ExprKind::UnOp(op, _, arg) => {
                let ty = self.ty(arg)?;
                let x = self.expr(arg, false)?;
                match (op, ty) {
                    (UnOp::Not, _) => ir::Expr::Not(boxed(x)),
                    (UnOp::Neg, Ty::I64) => ir::Expr::IntNeg {
                        arg: boxed(x),
                        span: self.span(e.span),
                    },
                    (UnOp::Neg, Ty::F64) => ir::Expr::FloatNeg(boxed(x)),
                    (UnOp::Neg, Ty::Val) => ir::Expr::Runtime {
                        entry: RuntimeFn::Negate,
                        args: vec![x],
                        span: self.span(e.span),
                    },
                    _ => return Err(not_compiled("this negation", e.span)),
                }
            }
            ExprKind::While(cond, body) => {
                build::while_(self.expr(cond, false)?, self.expr(body, false)?)
            }
            ExprKind::For {
                binder,
                from,
                to,
                downward,
                body,
                ..
            } => self.for_loop(e, *binder, from, to, *downward, body)?,
            ExprKind::Annot(inner, _) | ExprKind::LocalOpen(_, _, inner) => {
                self.expr(inner, tail)?
            }
            ExprKind::Fun(..) => self.lambda(e, "<fun>")?,
            ExprKind::Match(scrutinee, arms) => self.match_expr(e, scrutinee, arms, tail)?,
            ExprKind::Constructor(..)
            | ExprKind::Tuple(..)
            | ExprKind::List(..)
            | ExprKind::Array(..)
            | ExprKind::Record(..)
            | ExprKind::RecordUpdate(..)
            | ExprKind::Field(..)
            | ExprKind::FieldSet(..)
            | ExprKind::Index(..)
            | ExprKind::IndexSet(..)
            | ExprKind::Assign(..)
            | ExprKind::Deref(..)
            | ExprKind::Ref(..) => self.data(e)?,
            // Reached only where the effects say nothing shifts: a `shift`
            // is lowered by `cps`, from its `reset`.
            ExprKind::Shift(..) => return Err(cps::misplaced_shift(e.span)),
            ExprKind::Reset(body) => self.reset(e, body)?,
            ExprKind::Try(body, arms) => self.try_expr(e, body, arms, tail)?,
            ExprKind::Assert(cond, site) => self.assert(e, cond, site)?,
        })
    }

    fn binary(
        &mut self,
        e: &'a Expr<TypeInfo>,
        op: BinOp,
        instance: &OpInstance,
        lhs: &'a Expr<TypeInfo>,
        rhs: &'a Expr<TypeInfo>,
    ) -> Result<ir::Expr, RuntimeError> {
        use ir::build;
        let ty = match instance {
            OpInstance::Same(ty) => self.repr(ty, e.span)?,
            // A float broadcast over a tensor.
            OpInstance::FloatTensor | OpInstance::TensorFloat => Ty::Val,
        };
        // Floats (tracked or not) and tensors take the runtime's
        // arithmetic below; other boxed operands are data.
        let numeric = match instance {
            OpInstance::Same(t) => *t == Type::float() || *t == Type::tensor(),
            _ => true,
        };
        if op == BinOp::Cons || (!numeric && matches!(ty, Ty::Val | Ty::Unit)) {
            if let Some(data) = self.data_operator(e, op, lhs, rhs)? {
                return Ok(data);
            }
        }
        // Operands of a type variable, strings, tensors, tracked floats,
        // `()` and `**`: the runtime's operators, as on the interpreter.
        let in_runtime =
            matches!(ty, Ty::Val | Ty::Unit) || matches!(op, BinOp::Pow | BinOp::Concat);
        if in_runtime && super::abi::binary_op(op).is_some() {
            let operands = self.boxed_args(&[lhs, rhs])?;
            let span = self.span(e.span);
            let result = ir::Expr::Runtime {
                entry: RuntimeFn::Binary(op),
                args: operands,
                span,
            };
            let result_ty = self.ty(e)?;
            return Ok(self.coerce(result, Ty::Val, result_ty, span));
        }
        if let Some(compare) = comparison(op) {
            if !matches!(ty, Ty::I64 | Ty::F64 | Ty::Bool) {
                return Err(not_compiled("this comparison", e.span));
            }
            return Ok(build::compare(
                compare,
                self.expr(lhs, false)?,
                self.expr(rhs, false)?,
            ));
        }
        let x = self.expr(lhs, false)?;
        let y = self.expr(rhs, false)?;
        match ty {
            Ty::I64 => {
                let Some(op) = int_op(op) else {
                    return Err(not_compiled(&format!("`{}`", op.symbol()), e.span));
                };
                let span = self.span(e.span);
                Ok(ir::Expr::IntBinary {
                    op,
                    lhs: Box::new(x),
                    rhs: Box::new(y),
                    span,
                })
            }
            Ty::F64 => {
                let Some(op) = float_op(op) else {
                    return Err(not_compiled(&format!("float `{}`", op.symbol()), e.span));
                };
                Ok(build::float_op(op, x, y))
            }
            _ => Err(not_compiled(&format!("`{}` here", op.symbol()), e.span)),
        }
    }

    /// `for i = a to b do body done`: the bound is evaluated once, and the
    /// counter is never stepped past it (so `to max_int` cannot overflow).
    fn for_loop(
        &mut self,
        e: &'a Expr<TypeInfo>,
        binder: Binder,
        from: &'a Expr<TypeInfo>,
        to: &'a Expr<TypeInfo>,
        downward: bool,
        body: &'a Expr<TypeInfo>,
    ) -> Result<ir::Expr, RuntimeError> {
        use ir::build;
        let Binder::Local(id) = binder else {
            return Err(not_compiled("this loop", e.span));
        };
        let from = self.expr(from, false)?;
        let to = self.expr(to, false)?;
        let counter = self.fresh(Ty::I64);
        let bound = self.fresh(Ty::I64);
        let going = self.fresh(Ty::Bool);
        self.vars.insert(id, counter);
        let body = self.expr(body, false)?;
        let (within, step) = if downward {
            (Compare::Ge, IntOp::Sub)
        } else {
            (Compare::Le, IntOp::Add)
        };
        let span = self.span(e.span);
        let advance = build::if_(
            build::compare(Compare::Eq, ir::Expr::Var(counter), ir::Expr::Var(bound)),
            build::assign(going.0, ir::Expr::Bool(false)),
            build::assign(
                counter.0,
                build::int_op(step, ir::Expr::Var(counter), build::int(1), span.0),
            ),
        );
        Ok(build::let_(
            counter.0,
            from,
            build::let_(
                bound.0,
                to,
                build::let_(
                    going.0,
                    build::compare(within, ir::Expr::Var(counter), ir::Expr::Var(bound)),
                    build::while_(ir::Expr::Var(going), ir::Expr::Seq(vec![body, advance])),
                ),
            ),
        ))
    }

    /// A variable read at its use's type.
    fn variable(
        &mut self,
        e: &'a Expr<TypeInfo>,
        target: VarTarget,
    ) -> Result<ir::Expr, RuntimeError> {
        let use_ty = self.ty(e)?;
        let span = self.span(e.span);
        let (value, ty) = match target {
            VarTarget::Local(id) => match self.local(id, span) {
                Some(found) => found,
                None => return Err(not_compiled("this variable", e.span)),
            },
            VarTarget::Global(id) => {
                if let Some(var) = self.globals.get(&id) {
                    (ir::Expr::Var(*var), self.locals[var.0 as usize])
                } else if self.lowering.arity(id).is_some() {
                    let cps = self.instance_cps(e, id);
                    (self.function_value(id, &cps, Vec::new(), span)?, Ty::Val)
                } else if let Some(slot) = self.lowering.slots.get(&id) {
                    let read = ir::Expr::Runtime {
                        entry: RuntimeFn::GlobalGet,
                        args: vec![ir::build::int(*slot as i64)],
                        span,
                    };
                    (read, Ty::Val)
                } else if let Some(error) = self.lowering.refused.get(&id) {
                    return Err(error.clone());
                } else {
                    return Err(not_compiled("a module's top-level value", e.span));
                }
            }
            VarTarget::Prim(id) => (self.prim_value(e, id.0, &[])?, Ty::Val),
        };
        Ok(self.coerce(value, ty, use_ty, span))
    }

    /// An application `f a1 … an`: a direct call of a top-level function
    /// or a primitive given at least its arity (further arguments applied
    /// to its result), a partial application of one (a closure), or one
    /// application at a time of a function value.
    fn call(&mut self, e: &'a Expr<TypeInfo>, tail: bool) -> Result<ir::Expr, RuntimeError> {
        let mut args = Vec::new();
        let mut head = e;
        while let ExprKind::App(f, arg) = &head.kind {
            args.push((&**arg, head));
            head = f;
        }
        args.reverse();
        let result_ty = self.ty(e)?;
        let span = self.span(e.span);
        let target = match &head.kind {
            ExprKind::Var(_, var) => Some(var.target),
            _ => None,
        };
        let (value, value_ty, rest) = match target {
            Some(VarTarget::Global(id)) if self.lowering.arity(id).is_some() => {
                let arity = self.lowering.arity(id).unwrap_or(0);
                let cps = self.instance_cps(head, id);
                if args.len() < arity {
                    let values: Vec<_> = args.iter().map(|(arg, _)| *arg).collect();
                    let boxed = self.boxed_args(&values)?;
                    let closure = self.function_value(id, &cps, boxed, span)?;
                    return Ok(self.coerce(closure, Ty::Val, result_ty, span));
                }
                let (known, rest) = args.split_at(arity);
                let (params, ret) = self.direct_signature(e, id, &cps)?;
                let mut lowered = Vec::new();
                for ((arg, _), param) in known.iter().zip(params) {
                    let value = self.expr(arg, false)?;
                    let ty = self.ty(arg)?;
                    let arg_span = self.span(arg.span);
                    lowered.push(self.coerce(value, ty, param, arg_span));
                }
                let same_variant = *self.cps_vars == cps;
                if rest.is_empty()
                    && tail
                    && self.this == Some(id)
                    && same_variant
                    && ret == result_ty
                {
                    return Ok(ir::Expr::TailCallSelf { args: lowered });
                }
                let call_span = match known.last() {
                    Some((_, app)) => self.span(app.span),
                    None => span,
                };
                let func = self.lowering.func(id, self.mode, &cps);
                let call = ir::Expr::Call {
                    func,
                    args: lowered,
                    span: call_span,
                };
                let call = match tail && rest.is_empty() {
                    true => ir::Expr::SourceTail(Box::new(call)),
                    false => call,
                };
                (call, ret, rest)
            }
            Some(VarTarget::Prim(id)) => {
                let arity = PRIMS[id.0 as usize].arity;
                if args.len() < arity {
                    let values: Vec<_> = args.iter().map(|(arg, _)| *arg).collect();
                    let closure = self.prim_value(e, id.0, &values)?;
                    return Ok(self.coerce(closure, Ty::Val, result_ty, span));
                }
                let (known, rest) = args.split_at(arity);
                let values: Vec<_> = known.iter().map(|(arg, _)| *arg).collect();
                let app = known.last().map_or(e, |(_, app)| *app);
                let (value, ty) = self.prim_call(app, id.0, &values)?;
                (value, ty, rest)
            }
            _ => (self.expr(head, false)?, self.ty(head)?, &args[..]),
        };
        if rest.is_empty() {
            return Ok(self.coerce(value, value_ty, result_ty, span));
        }
        let f = self.coerce(value, value_ty, Ty::Val, span);
        let applied = self.apply_all(f, rest)?;
        let applied = match tail {
            true => ir::Expr::SourceTail(Box::new(applied)),
            false => applied,
        };
        Ok(self.coerce(applied, Ty::Val, result_ty, span))
    }

    /// A primitive applied to all its arguments (the application node
    /// `e` names the call), and the IR type of its value: a `val`, or an
    /// `f64` from a math function on an unboxed float.
    fn prim_call(
        &mut self,
        e: &'a Expr<TypeInfo>,
        index: u32,
        args: &[&'a Expr<TypeInfo>],
    ) -> Result<(ir::Expr, Ty), RuntimeError> {
        if let Some(which) = PRIMS[index as usize].machine {
            if let Some(compiled) = self.compiled_reverse(e, which, args) {
                return Ok(compiled);
            }
            return Ok((self.differentiate(e, which, args)?, Ty::Val));
        }
        if let (Some(leaf), [arg]) = (math_leaf(index), args) {
            if self.ty(arg)? == Ty::F64 {
                let x = self.expr(arg, false)?;
                let span = self.span(e.span);
                return Ok((ir::build::runtime(leaf, vec![x], span.0), Ty::F64));
            }
        }
        if let (true, [arg]) = (is_to_float(index), args) {
            // One instruction, the primitive's own `as f64` conversion.
            let x = self.expr(arg, false)?;
            return Ok((ir::Expr::IntToFloat(Box::new(x)), Ty::F64));
        }
        let call = self.prim_entry(e, index, args, RuntimeFn::Prim(index))?;
        Ok((call, Ty::Val))
    }

    /// `entry` (a call of the primitive `index` or its value) of `args`
    /// boxed. A differentiation primitive is only ever a value here (all
    /// its arguments given, it is [`Self::differentiate`]d): the runtime
    /// runs its session once the value has them all
    /// (`callback::apply_builtin`), calling the function back, so every
    /// closure body must be tracked, as for a `grad` written out.
    fn prim_entry(
        &mut self,
        e: &'a Expr<TypeInfo>,
        index: u32,
        args: &[&'a Expr<TypeInfo>],
        entry: RuntimeFn,
    ) -> Result<ir::Expr, RuntimeError> {
        let prim = &PRIMS[index as usize];
        if prim.machine.is_some() {
            if !matches!(entry, RuntimeFn::PartialPrim(_)) {
                return Err(not_compiled(&format!("`{}`", prim.name), e.span));
            }
            self.lowering.differentiates = true;
        }
        let boxed = self.boxed_args(args)?;
        let span = self.span(e.span);
        Ok(ir::Expr::Runtime {
            entry,
            args: boxed,
            span,
        })
    }
}

/// The IR comparison a comparison operator is.
fn comparison(op: BinOp) -> Option<Compare> {
    match op {
        BinOp::Eq => Some(Compare::Eq),
        BinOp::Ne => Some(Compare::Ne),
        BinOp::Lt => Some(Compare::Lt),
        BinOp::Le => Some(Compare::Le),
        BinOp::Gt => Some(Compare::Gt),
        BinOp::Ge => Some(Compare::Ge),
        _ => None,
    }
}

/// The checked `int` operation an arithmetic operator is.
fn int_op(op: BinOp) -> Option<IntOp> {
    match op {
        BinOp::Add => Some(IntOp::Add),
        BinOp::Sub => Some(IntOp::Sub),
        BinOp::Mul => Some(IntOp::Mul),
        BinOp::Div => Some(IntOp::Div),
        BinOp::Mod => Some(IntOp::Rem),
        _ => None,
    }
}

/// The `float` operation an arithmetic operator is (`**` is a runtime
/// call, not one of them).
fn float_op(op: BinOp) -> Option<FloatOp> {
    match op {
        BinOp::Add => Some(FloatOp::Add),
        BinOp::Sub => Some(FloatOp::Sub),
        BinOp::Mul => Some(FloatOp::Mul),
        BinOp::Div => Some(FloatOp::Div),
        _ => None,
    }
}

/// The leaf entry computing primitive `index` on an unboxed float, for
/// the math functions that have one: the same `f64` functions the
/// primitive applies to a plain float.
fn math_leaf(index: u32) -> Option<RuntimeFn> {
    let prim = &PRIMS[index as usize];
    if prim.module != "Prelude" {
        return None;
    }
    match prim.name {
        "sin" => Some(RuntimeFn::Sin),
        "cos" => Some(RuntimeFn::Cos),
        "exp" => Some(RuntimeFn::Exp),
        "log" => Some(RuntimeFn::Log),
        _ => None,
    }
}

/// Whether primitive `index` is the prelude's `to_float : int -> float`.
fn is_to_float(index: u32) -> bool {
    let prim = &PRIMS[index as usize];
    prim.module == "Prelude" && prim.name == "to_float"
}
