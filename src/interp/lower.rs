//! Lowering: the checked tree to [`Code`]. The checker has resolved every
//! name (see `types::resolved`); lowering only decides where each value
//! lives, so neither it nor the machine looks a name up.
//!
//! Each function body gets a flat activation of slots. A slot is reused by
//! scopes that are never live together (two match arms), which keeps deep
//! recursions small. Free variables of a lambda become captures copied into
//! the closure when it is created (flat closures); names of the same local
//! `let rec` group refer to each other through the running closure instead,
//! so a recursive closure never points at itself (no `Rc` cycle).

use std::collections::HashMap;
use std::rc::Rc;

use super::code::{Build, Code, Lambda, LambdaId, MatchArm, Node, NodeId, Pat, VarRef};
use crate::runtime::error::RuntimeError;
use crate::runtime::exn;
use crate::runtime::prims::PRIMS;
use crate::runtime::value::{BuiltinApp, RecordLayout, Value};
use crate::syntax::ast::{BinOp, Literal, PatternKind, Span};
use crate::types::resolved::{Binder, GlobalId, LocalId, VarTarget, VarUse};
use crate::types::{TypeId, TypeInfo};

type Expr = crate::syntax::ast::Expr<TypeInfo>;
type Pattern = crate::syntax::ast::Pattern<TypeInfo>;
type Binding = crate::syntax::ast::Binding<TypeInfo>;
type LetGroup = crate::syntax::ast::LetGroup<TypeInfo>;
type Arm = crate::syntax::ast::Arm<TypeInfo>;
type ExprKind = crate::syntax::ast::ExprKind<TypeInfo>;

/// The module whose bindings are named without a qualifier in traces.
const PRELUDE: &str = "Prelude";

/// Nodes nested deeper than this are run by the machine even when simple,
/// so direct evaluation never recurses far on the Rust stack.
const MAX_SIMPLE_DEPTH: u8 = 24;

/// The name the call stack shows for top-level code.
pub const TOP_LEVEL: &str = "<top level>";

/// One function body being lowered.
struct FnScope {
    name: Rc<str>,
    /// Locals in scope and their slots, innermost last.
    locals: Vec<(LocalId, u32)>,
    next_slot: u32,
    frame_size: u32,
    /// The functions of the enclosing `let rec` group, if this body is
    /// one of it.
    rec_members: Vec<(LocalId, VarRef)>,
    /// What closures copy, expressed in the enclosing scope's terms.
    captures: Vec<VarRef>,
    captured_locals: Vec<(LocalId, u32)>,
}

impl FnScope {
    fn new(name: Rc<str>) -> FnScope {
        FnScope {
            name,
            locals: Vec::new(),
            next_slot: 0,
            frame_size: 0,
            rec_members: Vec::new(),
            captures: Vec::new(),
            captured_locals: Vec::new(),
        }
    }
}

/// A value binding lowered as a top-level thunk: run `lambda`, then match
/// its result against `pat`, whose slots hold the globals it defines.
pub struct TopBinding {
    pub lambda: LambdaId,
    pub pat: Pat,
    pub globals: Vec<(GlobalId, u32)>,
    pub span: Span,
}

/// The variables a pattern binds and their slots.
type PatternSlots = Vec<(Binder, u32)>;

pub struct Lowerer<'a> {
    code: &'a mut Code,
    /// The layout of every record type declared so far.
    layouts: &'a HashMap<TypeId, RecordLayout>,
    /// The module being lowered, to name its functions in traces.
    module: Option<&'a str>,
    scopes: Vec<FnScope>,
}

fn internal(span: Span, message: String) -> RuntimeError {
    RuntimeError::internal(message).at(span)
}

fn strip_annot(mut e: &Expr) -> &Expr {
    while let ExprKind::Annot(inner, _) = &e.kind {
        e = inner;
    }
    e
}

/// The name and binder of a pattern that is one (annotated) variable.
pub fn binding_name(p: &Pattern) -> Option<(&str, Binder)> {
    match &p.kind {
        PatternKind::Var(name, binder) => Some((name, *binder)),
        PatternKind::Annot(inner, _) => binding_name(inner),
        _ => None,
    }
}

/// The name `binder` has in `p`.
pub fn bound_name(p: &Pattern, binder: Binder) -> Option<&str> {
    match &p.kind {
        PatternKind::Var(name, b) if *b == binder => Some(name),
        PatternKind::As(_, name, b) if *b == binder => Some(name),
        PatternKind::Wildcard | PatternKind::Var(..) | PatternKind::Lit(_) => None,
        PatternKind::Tuple(items) | PatternKind::List(items) => {
            items.iter().find_map(|q| bound_name(q, binder))
        }
        PatternKind::Constructor(_, _, arg) => arg.as_ref().and_then(|q| bound_name(q, binder)),
        PatternKind::Cons(a, b) | PatternKind::Or(a, b) => {
            bound_name(a, binder).or_else(|| bound_name(b, binder))
        }
        PatternKind::Record(fields, _) => {
            fields.iter().find_map(|f| bound_name(&f.pattern, binder))
        }
        PatternKind::As(inner, ..) | PatternKind::Annot(inner, _) => bound_name(inner, binder),
    }
}

impl<'a> Lowerer<'a> {
    pub fn new(
        code: &'a mut Code,
        layouts: &'a HashMap<TypeId, RecordLayout>,
        module: Option<&'a str>,
    ) -> Lowerer<'a> {
        Lowerer {
            code,
            layouts,
            module,
            scopes: Vec::new(),
        }
    }

    fn qualified(&self, name: &str) -> Rc<str> {
        match self.module {
            Some(m) if m != PRELUDE => Rc::from(format!("{m}.{name}")),
            _ => Rc::from(name),
        }
    }

    /// Lowers `expr` as the body of a parameterless thunk run at top level.
    /// `name` names the function `expr` may be (`let rec f = fun …`).
    pub fn lower_thunk(
        &mut self,
        expr: &Expr,
        name: Option<&str>,
    ) -> Result<LambdaId, RuntimeError> {
        self.scopes.push(FnScope::new(Rc::from(TOP_LEVEL)));
        let name = name.map(|n| self.qualified(n));
        let body = self.lower_expr(expr, name);
        let scope = self.pop_scope();
        let body = body?;
        Ok(self.add_lambda(scope, Box::new([Pat::Wildcard]), body))
    }

    /// Lowers a top-level value binding (not `rec`): the thunk computing the
    /// value and the pattern that destructures it.
    pub fn lower_top_binding(&mut self, b: &Binding) -> Result<TopBinding, RuntimeError> {
        let name = binding_name(&b.pattern).map(|(n, _)| self.qualified(n));
        self.scopes.push(FnScope::new(Rc::from(TOP_LEVEL)));
        let result = (|| {
            let body = self.lower_expr(&b.expr, name.clone())?;
            let mut slots = Vec::new();
            let pat = self.lower_pattern(&b.pattern, &mut slots)?;
            Ok((body, pat, slots))
        })();
        let scope = self.pop_scope();
        let (body, pat, slots) = result?;
        let lambda = self.add_lambda(scope, Box::new([Pat::Wildcard]), body);
        let globals = slots
            .into_iter()
            .filter_map(|(binder, slot)| match binder {
                Binder::Global(id) => Some((id, slot)),
                Binder::Local(_) => None,
            })
            .collect();
        Ok(TopBinding {
            lambda,
            pat,
            globals,
            span: b.span,
        })
    }

    fn pop_scope(&mut self) -> FnScope {
        // Every push is paired with a pop in the same function.
        self.scopes
            .pop()
            .unwrap_or_else(|| FnScope::new(Rc::from(TOP_LEVEL)))
    }

    fn add_lambda(&mut self, scope: FnScope, params: Box<[Pat]>, body: NodeId) -> LambdaId {
        let id = self.code.lambdas.len() as LambdaId;
        let lambda = Lambda::new(
            self.code,
            scope.name,
            params,
            body,
            scope.frame_size,
            scope.captures.into_boxed_slice(),
        );
        self.code.lambdas.push(lambda);
        id
    }

    fn scope(&mut self) -> &mut FnScope {
        if self.scopes.is_empty() {
            self.scopes.push(FnScope::new(Rc::from(TOP_LEVEL)));
        }
        let last = self.scopes.len() - 1;
        &mut self.scopes[last]
    }

    fn alloc_slot(&mut self) -> u32 {
        let scope = self.scope();
        let slot = scope.next_slot;
        scope.next_slot += 1;
        scope.frame_size = scope.frame_size.max(scope.next_slot);
        slot
    }

    /// Current (locals length, next slot), to restore when a scope ends.
    fn mark(&mut self) -> (usize, u32) {
        let scope = self.scope();
        (scope.locals.len(), scope.next_slot)
    }

    fn release(&mut self, mark: (usize, u32)) {
        let scope = self.scope();
        scope.locals.truncate(mark.0);
        scope.next_slot = mark.1;
    }

    /// Makes the local variables of patterns visible (a global is
    /// reached through its id instead).
    fn bring_into_scope(&mut self, slots: PatternSlots) {
        let locals = slots.into_iter().filter_map(|(binder, slot)| match binder {
            Binder::Local(id) => Some((id, slot)),
            Binder::Global(_) => None,
        });
        self.scope().locals.extend(locals);
    }

    fn push(&mut self, node: Node, span: Span) -> NodeId {
        let (depth, calls_prim) = match self.simple_parts(&node) {
            Some(parts) => (self.simple_depth(&parts), self.calls_prim(&node, &parts)),
            None => (0, false),
        };
        let id = self.code.nodes.len() as NodeId;
        self.code.nodes.push(node);
        self.code.spans.push(span);
        self.code.simple_depth.push(depth);
        self.code.calls_prim.push(calls_prim);
        id
    }

    /// Whether `func` is a primitive that `args` arguments complete and
    /// that runs without the machine: such a call is a simple node.
    fn is_prim_call(&self, func: NodeId, args: usize) -> bool {
        match self.code.node(func) {
            Node::Const(Value::Builtin(app)) => {
                app.prim.machine.is_none() && app.prim.arity == app.args.len() + args
            }
            _ => false,
        }
    }

    /// The subexpressions of a node of a kind that is simple when they
    /// all are (none for a leaf), or `None` for a kind that never is.
    fn simple_parts(&self, node: &Node) -> Option<Vec<NodeId>> {
        Some(match node {
            Node::Const(_) | Node::Var(_) | Node::Global(_) | Node::Lambda(_) => Vec::new(),
            Node::App { func, arg } if self.is_prim_call(*func, 1) => vec![*arg],
            Node::Call { func, args, .. } if self.is_prim_call(*func, args.len()) => args.to_vec(),
            Node::BinOp { left, right, .. } | Node::ShortCircuit { left, right, .. } => {
                vec![*left, *right]
            }
            Node::UnOp { operand, .. } => vec![*operand],
            Node::Seq { first, then } => vec![*first, *then],
            Node::If {
                cond,
                then,
                otherwise,
            } => [*cond, *then].into_iter().chain(*otherwise).collect(),
            Node::Build { parts, .. } => parts.to_vec(),
            _ => return None,
        })
    }

    /// Whether a node with these simple parts calls a primitive, itself
    /// or below.
    fn calls_prim(&self, node: &Node, parts: &[NodeId]) -> bool {
        matches!(node, Node::App { .. } | Node::Call { .. })
            || parts.iter().any(|&id| self.code.calls_prim[id as usize])
    }

    /// 1 for a leaf; one more than its deepest part for a node whose
    /// parts are all simple; 0 (not simple) otherwise or when too deep.
    fn simple_depth(&self, parts: &[NodeId]) -> u8 {
        let mut max = 0;
        for &id in parts {
            let d = self.code.simple_depth[id as usize];
            if d == 0 {
                return 0;
            }
            max = max.max(d);
        }
        if max >= MAX_SIMPLE_DEPTH {
            0
        } else {
            max + 1
        }
    }

    /// Where local `id` lives as seen from the function at `depth`; a
    /// local of an enclosing function becomes a capture.
    fn resolve_local(&mut self, depth: usize, id: LocalId) -> Option<VarRef> {
        let scope = &self.scopes[depth];
        if let Some((_, slot)) = scope.locals.iter().rev().find(|(l, _)| *l == id) {
            return Some(VarRef::Local(*slot));
        }
        if let Some((_, r)) = scope.rec_members.iter().find(|(l, _)| *l == id) {
            return Some(*r);
        }
        if let Some((_, i)) = scope.captured_locals.iter().find(|(l, _)| *l == id) {
            return Some(VarRef::Captured(*i));
        }
        if depth == 0 {
            return None;
        }
        let outer = self.resolve_local(depth - 1, id)?;
        let scope = &mut self.scopes[depth];
        let index = scope.captures.len() as u32;
        scope.captures.push(outer);
        scope.captured_locals.push((id, index));
        Some(VarRef::Captured(index))
    }

    fn lower_var(&mut self, var: &VarUse, span: Span) -> Result<Node, RuntimeError> {
        match var.target {
            VarTarget::Local(id) => {
                let found = match self.scopes.len() {
                    0 => None,
                    n => self.resolve_local(n - 1, id),
                };
                found
                    .map(Node::Var)
                    .ok_or_else(|| internal(span, "a local used outside its scope".to_string()))
            }
            VarTarget::Global(id) => Ok(Node::Global(id.0)),
            VarTarget::Prim(id) => match PRIMS.get(id.0 as usize) {
                Some(prim) => Ok(Node::Const(Value::Builtin(Rc::new(BuiltinApp {
                    prim,
                    args: Vec::new(),
                })))),
                None => Err(internal(span, "an unknown primitive".to_string())),
            },
        }
    }

    /// `name` is the binding this expression is the value of, so the
    /// function (and its curried inner functions) can be named in traces.
    fn lower_expr(&mut self, e: &Expr, name: Option<Rc<str>>) -> Result<NodeId, RuntimeError> {
        let node = match &e.kind {
            ExprKind::Lit(lit) => Node::Const(literal_value(lit)),
            ExprKind::Var(_, var) => self.lower_var(var, e.span)?,
            ExprKind::Constructor(path, ctor, None) => {
                Node::Const(Value::variant(ctor.tag, Rc::from(path.name.as_str()), None))
            }
            ExprKind::Constructor(path, ctor, Some(arg)) => {
                let arg = self.lower_expr(arg, None)?;
                let name: Rc<str> = Rc::from(path.name.as_str());
                match self.code.node(arg) {
                    // Building a tuple cannot fail: the constructor takes
                    // its parts directly.
                    Node::Build {
                        build: Build::Tuple,
                        parts,
                    } => Node::Build {
                        build: Build::VariantTuple {
                            tag: ctor.tag,
                            name,
                        },
                        parts: parts.clone(),
                    },
                    _ => Node::Build {
                        build: Build::Variant {
                            tag: ctor.tag,
                            name,
                        },
                        parts: Box::new([arg]),
                    },
                }
            }
            ExprKind::App(..) => return self.lower_app(e),
            ExprKind::Fun(param, body) => {
                let name = name.unwrap_or_else(|| Rc::from("<fun>"));
                let lambda = self.lower_lambda(name, param, body, Vec::new())?;
                Node::Lambda(lambda)
            }
            ExprKind::Let(group, body) => return self.lower_let(group, body, e.span),
            ExprKind::If(cond, then, otherwise) => {
                let cond = self.lower_expr(cond, None)?;
                let then = self.lower_expr(then, None)?;
                let otherwise = match otherwise {
                    Some(o) => Some(self.lower_expr(o, None)?),
                    None => None,
                };
                Node::If {
                    cond,
                    then,
                    otherwise,
                }
            }
            ExprKind::Match(scrutinee, arms) => Node::Match {
                scrutinee: self.lower_expr(scrutinee, None)?,
                arms: self.lower_arms(arms)?,
            },
            ExprKind::Tuple(items) => self.lower_build(Build::Tuple, items)?,
            ExprKind::List(items) => self.lower_build(Build::List, items)?,
            ExprKind::Array(items) => self.lower_build(Build::Array, items)?,
            ExprKind::Record(fields) => {
                let values = fields.iter().map(|f| &f.value).collect::<Vec<_>>();
                let parts = self.lower_all(&values)?;
                let layout = fields
                    .first()
                    .and_then(|f| self.layouts.get(&f.field.record))
                    .ok_or_else(|| internal(e.span, "a record of no known type".to_string()))?
                    .clone();
                let order = fields.iter().map(|f| f.field.index as usize).collect();
                Node::Build {
                    build: Build::Record { layout, order },
                    parts,
                }
            }
            ExprKind::RecordUpdate(base, fields) => {
                let mut exprs = vec![&**base];
                exprs.extend(fields.iter().map(|f| &f.value));
                let parts = self.lower_all(&exprs)?;
                let indices = fields.iter().map(|f| f.field.index as usize).collect();
                Node::Build {
                    build: Build::RecordUpdate(indices),
                    parts,
                }
            }
            ExprKind::Field(record, _, _, field) => Node::Build {
                build: Build::Field(field.index as usize),
                parts: self.lower_all(&[&**record])?,
            },
            ExprKind::FieldSet(record, _, _, field, value) => Node::Build {
                build: Build::FieldSet(field.index as usize),
                parts: self.lower_all(&[&**record, &**value])?,
            },
            ExprKind::Index(array, index) => Node::Build {
                build: Build::Index,
                parts: self.lower_all(&[&**array, &**index])?,
            },
            ExprKind::IndexSet(array, index, value) => Node::Build {
                build: Build::IndexSet,
                parts: self.lower_all(&[&**array, &**index, &**value])?,
            },
            ExprKind::Assign(cell, value) => Node::Build {
                build: Build::Assign,
                parts: self.lower_all(&[&**cell, &**value])?,
            },
            ExprKind::Deref(cell) => Node::Build {
                build: Build::Deref,
                parts: self.lower_all(&[&**cell])?,
            },
            ExprKind::Ref(value) => Node::Build {
                build: Build::MakeRef,
                parts: self.lower_all(&[&**value])?,
            },
            ExprKind::Seq(first, then) => {
                let first = self.lower_expr(first, None)?;
                let then = self.lower_expr(then, None)?;
                Node::Seq { first, then }
            }
            ExprKind::BinOp(op @ (BinOp::And | BinOp::Or), _, left, right) => {
                let left = self.lower_expr(left, None)?;
                let right = self.lower_expr(right, None)?;
                Node::ShortCircuit {
                    is_and: *op == BinOp::And,
                    left,
                    right,
                }
            }
            // The machine dispatches on the operands' run-time values (a
            // float may be tracked by `grad`), so it needs no instance.
            ExprKind::BinOp(op, _, left, right) => {
                let left = self.lower_expr(left, None)?;
                let right = self.lower_expr(right, None)?;
                Node::BinOp {
                    op: *op,
                    left,
                    right,
                }
            }
            ExprKind::UnOp(op, _, operand) => {
                let operand = self.lower_expr(operand, None)?;
                Node::UnOp { op: *op, operand }
            }
            ExprKind::For {
                binder,
                from,
                to,
                downward,
                body,
                ..
            } => {
                let from = self.lower_expr(from, None)?;
                let to = self.lower_expr(to, None)?;
                let mark = self.mark();
                let slot = self.alloc_slot();
                self.bring_into_scope(vec![(*binder, slot)]);
                let body = self.lower_expr(body, None);
                self.release(mark);
                Node::For {
                    slot,
                    from,
                    to,
                    downward: *downward,
                    body: body?,
                }
            }
            ExprKind::While(cond, body) => {
                let cond = self.lower_expr(cond, None)?;
                let body = self.lower_expr(body, None)?;
                Node::While { cond, body }
            }
            ExprKind::Annot(inner, _) | ExprKind::LocalOpen(_, _, inner) => {
                return self.lower_expr(inner, name)
            }
            ExprKind::Shift(_, _, binder, body) => {
                let mark = self.mark();
                let slot = self.alloc_slot();
                self.bring_into_scope(vec![(*binder, slot)]);
                let body = self.lower_expr(body, None);
                self.release(mark);
                Node::Shift { slot, body: body? }
            }
            ExprKind::Reset(body) => Node::Reset(self.lower_expr(body, None)?),
            ExprKind::Try(body, arms) => Node::Try {
                body: self.lower_expr(body, None)?,
                arms: self.lower_arms(arms)?,
            },
            // `if cond then () else raise (Assert_failure site)`.
            ExprKind::Assert(cond, site) => {
                let cond = self.lower_expr(cond, None)?;
                let then = self.push(Node::Const(Value::Unit), e.span);
                let failure = exn::assert_failure(&site.file, site.line, site.column);
                let otherwise = Some(self.push(Node::Raise(failure), e.span));
                Node::If {
                    cond,
                    then,
                    otherwise,
                }
            }
        };
        Ok(self.push(node, e.span))
    }

    /// `f a1 … an`: an `App` node per application, and for n ≥ 2 the
    /// `Call` node that runs them together.
    fn lower_app(&mut self, e: &Expr) -> Result<NodeId, RuntimeError> {
        let mut spine = Vec::new();
        let mut head = e;
        while let ExprKind::App(func, arg) = &head.kind {
            spine.push((&**arg, head.span));
            head = func;
        }
        let func = self.lower_expr(head, None)?;
        let mut applied = func;
        let mut args = Vec::with_capacity(spine.len());
        let mut apps = Vec::with_capacity(spine.len());
        for (arg, span) in spine.into_iter().rev() {
            let arg = self.lower_expr(arg, None)?;
            applied = self.push(Node::App { func: applied, arg }, span);
            args.push(arg);
            apps.push(applied);
        }
        if args.len() < 2 {
            return Ok(applied);
        }
        Ok(self.push(
            Node::Call {
                func,
                args: args.into_boxed_slice(),
                apps: apps.into_boxed_slice(),
            },
            e.span,
        ))
    }

    fn lower_all(&mut self, exprs: &[&Expr]) -> Result<Box<[NodeId]>, RuntimeError> {
        exprs.iter().map(|e| self.lower_expr(e, None)).collect()
    }

    fn lower_build(&mut self, build: Build, items: &[Expr]) -> Result<Node, RuntimeError> {
        let parts = items
            .iter()
            .map(|e| self.lower_expr(e, None))
            .collect::<Result<Box<[NodeId]>, _>>()?;
        Ok(Node::Build { build, parts })
    }

    fn lower_arms(&mut self, arms: &[Arm]) -> Result<Box<[MatchArm]>, RuntimeError> {
        arms.iter().map(|arm| self.lower_arm(arm)).collect()
    }

    fn lower_arm(&mut self, arm: &Arm) -> Result<MatchArm, RuntimeError> {
        let mark = self.mark();
        let result = (|| {
            let mut names = Vec::new();
            let pat = self.lower_pattern(&arm.pattern, &mut names)?;
            self.bring_into_scope(names);
            let guard = match &arm.guard {
                Some(g) => Some(self.lower_expr(g, None)?),
                None => None,
            };
            let body = self.lower_expr(&arm.body, None)?;
            Ok(MatchArm { pat, guard, body })
        })();
        self.release(mark);
        result
    }

    fn lower_lambda(
        &mut self,
        name: Rc<str>,
        param: &Pattern,
        body: &Expr,
        rec_members: Vec<(LocalId, VarRef)>,
    ) -> Result<LambdaId, RuntimeError> {
        let mut scope = FnScope::new(name.clone());
        scope.rec_members = rec_members;
        self.scopes.push(scope);
        let result = self.lower_lambda_body(name, param, body);
        let scope = self.pop_scope();
        let (params, body) = result?;
        Ok(self.add_lambda(scope, params, body))
    }

    /// The parameters and body of `fun p1 -> fun p2 -> … -> e`, as one
    /// lambda of as many parameters as can wait for the last argument:
    /// each before the last must match whatever it gets, since applying
    /// the curried function to it alone would have matched it at once.
    fn lower_lambda_body(
        &mut self,
        name: Rc<str>,
        param: &Pattern,
        body: &Expr,
    ) -> Result<(Box<[Pat]>, NodeId), RuntimeError> {
        let mut params = vec![param];
        let mut body = body;
        while let (ExprKind::Fun(next, inner), true) = (
            &strip_annot(body).kind,
            params.last().is_some_and(|p| irrefutable(p)),
        ) {
            params.push(next);
            body = inner;
        }
        // Argument `i` arrives in slot `i`.
        let arg_slots: Vec<u32> = params.iter().map(|_| self.alloc_slot()).collect();
        let mut pats = Vec::with_capacity(params.len());
        for (param, slot) in params.into_iter().zip(arg_slots) {
            let mut names = Vec::new();
            let pat = match binding_name(param) {
                Some((_, binder)) => {
                    names.push((binder, slot));
                    Pat::Bind(slot)
                }
                None => self.lower_pattern(param, &mut names)?,
            };
            self.bring_into_scope(names);
            pats.push(pat);
        }
        // Curried functions keep the binding's name: `let f x y = …`.
        let inner_name = matches!(strip_annot(body).kind, ExprKind::Fun(..)).then_some(name);
        let body = self.lower_expr(body, inner_name)?;
        Ok((pats.into_boxed_slice(), body))
    }

    fn lower_let(
        &mut self,
        group: &LetGroup,
        body: &Expr,
        span: Span,
    ) -> Result<NodeId, RuntimeError> {
        let mark = self.mark();
        let result = if group.recursive {
            self.lower_let_rec(group, body, span)
        } else {
            self.lower_let_seq(&group.bindings, body, span)
        };
        self.release(mark);
        result
    }

    /// `let p1 = e1 and p2 = e2 in body`: each `ei` sees none of the new
    /// names, so all patterns enter scope only before the body.
    fn lower_let_seq(
        &mut self,
        bindings: &[Binding],
        body: &Expr,
        span: Span,
    ) -> Result<NodeId, RuntimeError> {
        let mut lowered = Vec::new();
        let mut all_names = Vec::new();
        for b in bindings {
            let name = binding_name(&b.pattern).map(|(n, _)| Rc::from(n));
            let value = self.lower_expr(&b.expr, name)?;
            let pat = self.lower_pattern(&b.pattern, &mut all_names)?;
            lowered.push((pat, value, b.span));
        }
        self.bring_into_scope(all_names);
        let mut node = self.lower_expr(body, None)?;
        for (pat, value, b_span) in lowered.into_iter().rev() {
            node = self.push(
                Node::Let {
                    pat,
                    value,
                    body: node,
                },
                b_span.to(span),
            );
        }
        Ok(node)
    }

    fn lower_let_rec(
        &mut self,
        group: &LetGroup,
        body: &Expr,
        span: Span,
    ) -> Result<NodeId, RuntimeError> {
        let mut funs = Vec::new();
        for b in &group.bindings {
            let (name, binder) = binding_name(&b.pattern)
                .ok_or_else(|| internal(b.span, "`let rec` must bind a name".to_string()))?;
            match &strip_annot(&b.expr).kind {
                ExprKind::Fun(param, fun_body) => funs.push((name, binder, &**param, &**fun_body)),
                _ => {
                    return Err(internal(
                        b.span,
                        "`let rec` can only define functions".to_string(),
                    ))
                }
            }
        }
        // Reserve the lambdas so members can name each other.
        let first = self.code.lambdas.len() as LambdaId;
        let ids: Vec<LambdaId> = (0..funs.len() as LambdaId).map(|i| first + i).collect();
        for _ in &funs {
            let placeholder = Lambda::new(
                self.code,
                Rc::from(""),
                Box::new([Pat::Wildcard]),
                0,
                0,
                Box::new([]),
            );
            self.code.lambdas.push(placeholder);
        }
        let mut captures: Vec<VarRef> = Vec::new();
        let mut captured_locals: Vec<(LocalId, u32)> = Vec::new();
        let mut lowered = Vec::new();
        for (i, (name, _, param, fun_body)) in funs.iter().enumerate() {
            let rec_members = funs
                .iter()
                .enumerate()
                .filter_map(|(j, (_, binder, _, _))| {
                    let Binder::Local(id) = binder else {
                        return None;
                    };
                    let r = if i == j {
                        VarRef::SelfClosure
                    } else {
                        VarRef::Sibling(ids[j])
                    };
                    Some((*id, r))
                })
                .collect();
            let mut scope = FnScope::new(Rc::from(*name));
            scope.rec_members = rec_members;
            // Members share one capture array: each continues the list.
            scope.captures = std::mem::take(&mut captures);
            scope.captured_locals = std::mem::take(&mut captured_locals);
            self.scopes.push(scope);
            let result = self.lower_lambda_body(Rc::from(*name), param, fun_body);
            let scope = self.pop_scope();
            let (params, body) = result?;
            captures = scope.captures;
            captured_locals = scope.captured_locals;
            lowered.push((scope.name, params, body, scope.frame_size));
        }
        for (id, (name, params, body, frame_size)) in ids.iter().zip(lowered) {
            self.code.lambdas[*id as usize] = Lambda::new(
                self.code,
                name,
                params,
                body,
                frame_size,
                captures.clone().into_boxed_slice(),
            );
        }
        let mut names = Vec::new();
        let mut slots = Vec::new();
        for (_, binder, _, _) in &funs {
            let slot = self.alloc_slot();
            slots.push(slot);
            names.push((*binder, slot));
        }
        self.bring_into_scope(names);
        let body = self.lower_expr(body, None)?;
        Ok(self.push(
            Node::LetRec {
                slots: slots.into_boxed_slice(),
                lambdas: ids.into_boxed_slice(),
                captures: captures.into_boxed_slice(),
                body,
            },
            span,
        ))
    }

    /// Lowers a pattern, allocating a slot per new variable; `names`
    /// collects them (an or-pattern's second branch binds the first's).
    fn lower_pattern(
        &mut self,
        p: &Pattern,
        names: &mut PatternSlots,
    ) -> Result<Pat, RuntimeError> {
        Ok(match &p.kind {
            PatternKind::Wildcard => Pat::Wildcard,
            PatternKind::Var(_, binder) => Pat::Bind(self.pattern_slot(*binder, names)),
            PatternKind::Lit(lit) => match lit {
                Literal::Int(n) => Pat::Int(*n),
                Literal::Float(x) => Pat::Float(*x),
                Literal::String(s) => Pat::Str(Rc::from(s.as_str())),
                Literal::Bool(b) => Pat::Bool(*b),
                Literal::Unit => Pat::Unit,
            },
            PatternKind::Tuple(items) => Pat::Tuple(
                items
                    .iter()
                    .map(|q| self.lower_pattern(q, names))
                    .collect::<Result<_, _>>()?,
            ),
            PatternKind::Constructor(_, ctor, arg) => {
                let arg = match arg {
                    Some(a) => Some(Box::new(self.lower_pattern(a, names)?)),
                    None => None,
                };
                Pat::Variant(ctor.tag, arg)
            }
            PatternKind::List(items) => {
                let mut pat = Pat::Nil;
                let lowered = items
                    .iter()
                    .map(|q| self.lower_pattern(q, names))
                    .collect::<Result<Vec<_>, _>>()?;
                for item in lowered.into_iter().rev() {
                    pat = Pat::Cons(Box::new(item), Box::new(pat));
                }
                pat
            }
            PatternKind::Cons(head, tail) => {
                let head = self.lower_pattern(head, names)?;
                let tail = self.lower_pattern(tail, names)?;
                Pat::Cons(Box::new(head), Box::new(tail))
            }
            PatternKind::Record(fields, _) => Pat::Record(
                fields
                    .iter()
                    .map(|f| {
                        let pat = self.lower_pattern(&f.pattern, names)?;
                        Ok((f.field.index as usize, pat))
                    })
                    .collect::<Result<_, RuntimeError>>()?,
            ),
            PatternKind::Or(left, right) => {
                let left = self.lower_pattern(left, names)?;
                let right = self.lower_pattern(right, names)?;
                Pat::Or(Box::new(left), Box::new(right))
            }
            PatternKind::As(inner, _, binder) => {
                let inner = self.lower_pattern(inner, names)?;
                Pat::As(Box::new(inner), self.pattern_slot(*binder, names))
            }
            PatternKind::Annot(inner, _) => self.lower_pattern(inner, names)?,
        })
    }

    fn pattern_slot(&mut self, binder: Binder, names: &mut PatternSlots) -> u32 {
        if let Some((_, slot)) = names.iter().find(|(b, _)| *b == binder) {
            return *slot;
        }
        let slot = self.alloc_slot();
        names.push((binder, slot));
        slot
    }
}

/// Whether a pattern matches every value of its type.
fn irrefutable(p: &Pattern) -> bool {
    match &p.kind {
        PatternKind::Wildcard | PatternKind::Var(..) | PatternKind::Lit(Literal::Unit) => true,
        PatternKind::Tuple(items) => items.iter().all(irrefutable),
        PatternKind::Record(fields, _) => fields.iter().all(|f| irrefutable(&f.pattern)),
        PatternKind::As(inner, ..) | PatternKind::Annot(inner, _) => irrefutable(inner),
        PatternKind::Lit(_)
        | PatternKind::Constructor(..)
        | PatternKind::List(_)
        | PatternKind::Cons(..)
        | PatternKind::Or(..) => false,
    }
}

pub fn literal_value(lit: &Literal) -> Value {
    match lit {
        Literal::Int(n) => Value::Int(*n),
        Literal::Float(x) => Value::Float(*x),
        Literal::String(s) => Value::string(s),
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Unit => Value::Unit,
    }
}
