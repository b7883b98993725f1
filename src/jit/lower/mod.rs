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

mod grad;
mod tensor;

pub use grad::Mode;

use super::ir::{self, Compare, FloatOp, FuncId, IntOp, RuntimeFn, SpanId, Ty, VarId};
use crate::runtime::error::RuntimeError;
use crate::runtime::prims::PRIMS;
use crate::syntax::ast::{
    BinOp, Binding, Expr, ExprKind, Item, ItemKind, Literal, Pattern, PatternKind, Span, UnOp,
};
use crate::types::resolved::{Binder, GlobalId, LocalId, OpInstance, VarTarget};
use crate::types::TypeInfo;
use crate::types::{Type, TypeId};
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
        stack: Vec::new(),
    }
}

/// One module's checked items, `None` for the main file.
pub struct Module<'a> {
    pub name: Option<&'a str>,
    pub items: &'a [Item<TypeInfo>],
    /// A stdlib module: its top-level values are only refused when read.
    pub stdlib: bool,
}

/// A top-level function of some module: `let f x y = body`.
struct FunctionDef<'a> {
    name: String,
    params: Vec<&'a Pattern<TypeInfo>>,
    body: &'a Expr<TypeInfo>,
    ty: &'a Type,
    span: Span,
}

/// The program: the main module's top-level code as function 0, and every
/// function it reaches.
pub fn lower_program(modules: &[Module<'_>]) -> Result<ir::Program, RuntimeError> {
    let mut defs = HashMap::new();
    let mut main = None;
    for module in modules {
        for item in module.items {
            let ItemKind::Let(group) = &item.kind else {
                continue;
            };
            for binding in &group.bindings {
                if let Some((id, def)) = function_def(module.name, binding) {
                    defs.insert(id, def);
                } else if module.name.is_none() {
                    continue;
                } else if !module.stdlib {
                    return Err(not_compiled("a top-level value of a module", binding.span));
                }
            }
        }
        if module.name.is_none() {
            main = Some(module.items);
        }
    }
    let mut lowering = Lowering {
        defs,
        program: ir::Program::default(),
        funcs: HashMap::new(),
        queue: Vec::new(),
    };
    let main_items = main.unwrap_or(&[]);
    let span = main_items.first().map(|i| i.span).unwrap_or_default();
    lowering.program.functions.push(placeholder());
    let mut body = FnLower::new(&mut lowering, None, Mode::Plain);
    let expr = body.top_level(main_items)?;
    let locals = body.locals;
    let span = lowering.span(span);
    lowering.program.functions[0] = ir::Function {
        name: "main".into(),
        params: 0,
        locals,
        ret: Ty::Unit,
        body: expr,
        span,
    };
    while let Some((global, mode, func)) = lowering.queue.pop() {
        let function = lowering.function(global, mode)?;
        lowering.program.functions[func.0 as usize] = function;
    }
    Ok(lowering.program)
}

fn placeholder() -> ir::Function {
    ir::Function {
        name: String::new(),
        params: 0,
        locals: Vec::new(),
        ret: Ty::Unit,
        body: ir::Expr::Unit,
        span: SpanId(0),
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
    /// Each function is lowered once per mode it is reached in.
    funcs: HashMap<(GlobalId, Mode), FuncId>,
    /// Functions given an id whose body is not lowered yet.
    queue: Vec<(GlobalId, Mode, FuncId)>,
}

impl<'a> Lowering<'a> {
    fn span(&mut self, span: Span) -> SpanId {
        self.program.spans.push(span);
        SpanId(self.program.spans.len() as u32 - 1)
    }

    /// The id of a top-level function in `mode`, queued for lowering on
    /// first use.
    fn func(&mut self, global: GlobalId, mode: Mode) -> FuncId {
        if let Some(id) = self.funcs.get(&(global, mode)) {
            return *id;
        }
        let id = FuncId(self.program.functions.len() as u32);
        self.program.functions.push(placeholder());
        self.funcs.insert((global, mode), id);
        self.queue.push((global, mode, id));
        id
    }

    fn function(&mut self, global: GlobalId, mode: Mode) -> Result<ir::Function, RuntimeError> {
        let def = &self.defs[&global];
        let (name, body, span) = (def.name.clone(), def.body, def.span);
        let params = def.params.clone();
        let (param_types, ret) = signature(def.ty, params.len(), mode, span)?;
        let mut f = FnLower::new(self, Some(global), mode);
        let mut bound = Vec::new();
        for (pattern, ty) in params.iter().zip(&param_types) {
            let var = f.fresh(*ty);
            bound.push((*pattern, var));
        }
        for (pattern, var) in bound {
            f.bind_param(pattern, var)?;
        }
        let expr = f.expr(body, true)?;
        let locals = f.locals;
        let span = self.span(span);
        Ok(ir::Function {
            name,
            params: param_types.len(),
            locals,
            ret,
            body: expr,
            span,
        })
    }

    fn arity(&self, global: GlobalId) -> Option<usize> {
        self.defs.get(&global).map(|d| d.params.len())
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

/// The IR type of values of a dlang type, for the types the subset has.
fn ir_type(ty: &Type, span: Span) -> Result<Ty, RuntimeError> {
    match ty {
        Type::Con(id, args) if args.is_empty() => match *id {
            TypeId::INT => Ok(Ty::I64),
            TypeId::FLOAT => Ok(Ty::F64),
            TypeId::BOOL => Ok(Ty::Bool),
            TypeId::UNIT => Ok(Ty::Unit),
            TypeId::STRING | TypeId::TENSOR | TypeId::OPTIMIZER => Ok(Ty::Val),
            _ => Err(not_compiled("values of this type", span)),
        },
        // A runtime tuple (what `value_and_grad` and `jvp` return).
        Type::Tuple(_) => Ok(Ty::Val),
        Type::Var(_) => Err(not_compiled("polymorphic code", span)),
        Type::Arrow(..) => Err(not_compiled("functions as values", span)),
        _ => Err(not_compiled("values of this type", span)),
    }
}

/// Lowering one function's body.
struct FnLower<'l, 'a> {
    lowering: &'l mut Lowering<'a>,
    /// The global this function is (`None` for the main code).
    this: Option<GlobalId>,
    /// How the code being lowered represents floats: the function's
    /// mode, or `Tracked` inside a function a `grad` here differentiates.
    mode: Mode,
    locals: Vec<Ty>,
    vars: HashMap<LocalId, VarId>,
    /// The main code's top-level values, by global.
    globals: HashMap<GlobalId, VarId>,
}

impl<'l, 'a> FnLower<'l, 'a> {
    fn new(lowering: &'l mut Lowering<'a>, this: Option<GlobalId>, mode: Mode) -> Self {
        FnLower {
            lowering,
            this,
            mode,
            locals: Vec::new(),
            vars: HashMap::new(),
            globals: HashMap::new(),
        }
    }

    fn fresh(&mut self, ty: Ty) -> VarId {
        self.locals.push(ty);
        VarId(self.locals.len() as u32 - 1)
    }

    fn span(&mut self, span: Span) -> SpanId {
        self.lowering.span(span)
    }

    fn bind_param(&mut self, pattern: &Pattern<TypeInfo>, var: VarId) -> Result<(), RuntimeError> {
        match &pattern.kind {
            PatternKind::Var(_, Binder::Local(id)) => {
                self.vars.insert(*id, var);
                Ok(())
            }
            PatternKind::Wildcard | PatternKind::Lit(Literal::Unit) => Ok(()),
            PatternKind::Annot(inner, _) => self.bind_param(inner, var),
            _ => Err(not_compiled("this pattern", pattern.span)),
        }
    }

    /// The main module's items in order: top-level values become locals
    /// of the main code.
    fn top_level(&mut self, items: &'a [Item<TypeInfo>]) -> Result<ir::Expr, RuntimeError> {
        let mut steps = Vec::new();
        for item in items {
            let ItemKind::Let(group) = &item.kind else {
                continue;
            };
            for binding in &group.bindings {
                if function_def(None, binding).is_some() {
                    continue;
                }
                if group.recursive {
                    return Err(not_compiled("a recursive value", binding.span));
                }
                let value = self.expr(&binding.expr, false)?;
                let ty = self.ty(&binding.expr)?;
                let var = self.fresh(ty);
                match &binding.pattern.kind {
                    PatternKind::Var(_, Binder::Global(id)) => {
                        self.globals.insert(*id, var);
                    }
                    PatternKind::Wildcard | PatternKind::Lit(Literal::Unit) => {}
                    _ => return Err(not_compiled("this pattern", binding.pattern.span)),
                }
                steps.push((var, value));
            }
        }
        let mut body = ir::Expr::Unit;
        for (var, value) in steps.into_iter().rev() {
            body = ir::Expr::Let {
                var,
                value: Box::new(value),
                body: Box::new(body),
            };
        }
        Ok(body)
    }

    /// The IR type of an expression's values in the current mode.
    fn ty(&self, expr: &Expr<TypeInfo>) -> Result<Ty, RuntimeError> {
        Ok(self.mode.repr(ir_type(&expr.ann.ty, expr.span)?))
    }

    fn expr(&mut self, e: &'a Expr<TypeInfo>, tail: bool) -> Result<ir::Expr, RuntimeError> {
        use ir::build;
        let boxed = |x: ir::Expr| Box::new(x);
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
            ExprKind::Var(_, var) => match var.target {
                VarTarget::Local(id) => match self.vars.get(&id) {
                    Some(v) => self.read_local(*v, e.span),
                    None => return Err(not_compiled("a captured variable (closures)", e.span)),
                },
                VarTarget::Global(id) => match self.globals.get(&id) {
                    Some(v) => self.read_local(*v, e.span),
                    None if self.lowering.arity(id).is_some() => {
                        return Err(not_compiled("a function used as a value", e.span))
                    }
                    None if self.this.is_some() => {
                        return Err(not_compiled("a top-level value read in a function", e.span))
                    }
                    None => return Err(not_compiled("a module's top-level value", e.span)),
                },
                VarTarget::Prim(_) => {
                    return Err(not_compiled("a primitive used as a value", e.span))
                }
            },
            ExprKind::App(..) => self.call(e, tail)?,
            ExprKind::Let(group, body) => {
                if group.recursive {
                    return Err(not_compiled("a local `let rec`", e.span));
                }
                let mut steps = Vec::new();
                for binding in &group.bindings {
                    if matches!(binding.expr.kind, ExprKind::Fun(..)) {
                        return Err(not_compiled("a local function", binding.span));
                    }
                    let value = self.expr(&binding.expr, false)?;
                    let ty = self.ty(&binding.expr)?;
                    let var = self.fresh(ty);
                    self.bind_param(&binding.pattern, var)?;
                    steps.push((var, value));
                }
                let mut out = self.expr(body, tail)?;
                for (var, value) in steps.into_iter().rev() {
                    out = ir::Expr::Let {
                        var,
                        value: boxed(value),
                        body: boxed(out),
                    };
                }
                out
            }
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
                    (UnOp::Neg, Ty::Val) => self.negate(x, e.span),
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
            ExprKind::Constructor(..) => return Err(not_compiled("a constructor", e.span)),
            ExprKind::Fun(..) => return Err(not_compiled("an anonymous function", e.span)),
            ExprKind::Match(..) => return Err(not_compiled("`match`", e.span)),
            ExprKind::Tuple(..) => return Err(not_compiled("a tuple", e.span)),
            ExprKind::List(..) => return Err(not_compiled("a list", e.span)),
            ExprKind::Array(..) => return Err(not_compiled("an array", e.span)),
            ExprKind::Record(..) | ExprKind::RecordUpdate(..) | ExprKind::Field(..) => {
                return Err(not_compiled("a record", e.span))
            }
            ExprKind::Index(..) | ExprKind::IndexSet(..) => {
                return Err(not_compiled("array indexing", e.span))
            }
            ExprKind::Assign(..) | ExprKind::Deref(..) | ExprKind::Ref(..) => {
                return Err(not_compiled("a reference", e.span))
            }
            ExprKind::Shift(..) => return Err(not_compiled("`shift`", e.span)),
            ExprKind::Reset(..) => return Err(not_compiled("`reset`", e.span)),
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
        if let BinOp::And | BinOp::Or = op {
            let x = self.expr(lhs, false)?;
            let y = self.expr(rhs, false)?;
            return Ok(match op {
                BinOp::And => build::if_(x, y, ir::Expr::Bool(false)),
                _ => build::if_(x, ir::Expr::Bool(true), y),
            });
        }
        if let Some(lowered) = self.value_operator(e, op, instance, lhs, rhs)? {
            return Ok(lowered);
        }
        let OpInstance::Same(ty) = instance else {
            return Err(not_compiled("this operator", e.span));
        };
        let ty = ir_type(ty, e.span)?;
        let compare = match op {
            BinOp::Eq => Some(Compare::Eq),
            BinOp::Ne => Some(Compare::Ne),
            BinOp::Lt => Some(Compare::Lt),
            BinOp::Le => Some(Compare::Le),
            BinOp::Gt => Some(Compare::Gt),
            BinOp::Ge => Some(Compare::Ge),
            _ => None,
        };
        if let Some(compare) = compare {
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
                let op = match op {
                    BinOp::Add => IntOp::Add,
                    BinOp::Sub => IntOp::Sub,
                    BinOp::Mul => IntOp::Mul,
                    BinOp::Div => IntOp::Div,
                    BinOp::Mod => IntOp::Rem,
                    _ => return Err(not_compiled(&format!("`{}`", op.symbol()), e.span)),
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
                let op = match op {
                    BinOp::Add => FloatOp::Add,
                    BinOp::Sub => FloatOp::Sub,
                    BinOp::Mul => FloatOp::Mul,
                    BinOp::Div => FloatOp::Div,
                    BinOp::Pow => {
                        let span = self.span(e.span);
                        return Ok(build::runtime(RuntimeFn::Pow, vec![x, y], span.0));
                    }
                    _ => return Err(not_compiled(&format!("float `{}`", op.symbol()), e.span)),
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

    /// A call with all its arguments of a top-level function or a
    /// primitive.
    fn call(&mut self, e: &'a Expr<TypeInfo>, tail: bool) -> Result<ir::Expr, RuntimeError> {
        let mut args = Vec::new();
        let mut head = e;
        while let ExprKind::App(f, arg) = &head.kind {
            args.push(&**arg);
            head = f;
        }
        args.reverse();
        let ExprKind::Var(_, var) = &head.kind else {
            return Err(not_compiled("a call of a function value", e.span));
        };
        match var.target {
            VarTarget::Global(id) if self.lowering.arity(id) == Some(args.len()) => {
                let mut lowered = Vec::new();
                for arg in &args {
                    lowered.push(self.expr(arg, false)?);
                }
                if tail && self.this == Some(id) {
                    return Ok(ir::Expr::TailCallSelf { args: lowered });
                }
                let func = self.lowering.func(id, self.mode);
                let span = self.span(e.span);
                Ok(ir::Expr::Call {
                    func,
                    args: lowered,
                    span,
                })
            }
            VarTarget::Prim(id) => self.prim_call(e, id.0, &args),
            _ => Err(not_compiled("a partial or over-application", e.span)),
        }
    }

    fn prim_call(
        &mut self,
        e: &'a Expr<TypeInfo>,
        index: u32,
        args: &[&'a Expr<TypeInfo>],
    ) -> Result<ir::Expr, RuntimeError> {
        let prim = &PRIMS[index as usize];
        if prim.arity != args.len() {
            return Err(not_compiled("a partial or over-application", e.span));
        }
        if let Some(which) = prim.machine {
            return self.differentiate(e, which, args);
        }
        let mut boxed = Vec::new();
        for arg in args {
            let value = self.expr(arg, false)?;
            let ty = self.ty(arg)?;
            boxed.push(self.boxed(value, ty, arg.span)?);
        }
        let span = self.span(e.span);
        let call = ir::Expr::Runtime {
            entry: RuntimeFn::Prim(index),
            args: boxed,
            span,
        };
        let ty = self.ty(e)?;
        self.unboxed(call, ty, e.span)
    }

    /// A lowered value of IR type `ty` as a `val` (a new `Value` for a
    /// scalar).
    fn boxed(&mut self, value: ir::Expr, ty: Ty, span: Span) -> Result<ir::Expr, RuntimeError> {
        let entry = match ty {
            Ty::Val => return Ok(value),
            Ty::I64 => RuntimeFn::BoxInt,
            Ty::F64 => RuntimeFn::BoxFloat,
            Ty::Bool => RuntimeFn::BoxBool,
            Ty::Unit => return Err(not_compiled("a primitive applied to `()`", span)),
        };
        let span = self.span(span);
        Ok(ir::Expr::Runtime {
            entry,
            args: vec![value],
            span,
        })
    }

    /// A lowered `val` as a value of IR type `ty` (`()` releases it).
    fn unboxed(&mut self, value: ir::Expr, ty: Ty, span: Span) -> Result<ir::Expr, RuntimeError> {
        let entry = match ty {
            Ty::Val => return Ok(value),
            Ty::I64 => RuntimeFn::UnboxInt,
            Ty::F64 => RuntimeFn::UnboxFloat,
            Ty::Bool => RuntimeFn::UnboxBool,
            Ty::Unit => {
                let var = self.fresh(Ty::Val);
                return Ok(ir::build::let_(var.0, value, ir::Expr::Unit));
            }
        };
        let span = self.span(span);
        Ok(ir::Expr::Runtime {
            entry,
            args: vec![value],
            span,
        })
    }
}
