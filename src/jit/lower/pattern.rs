//! Pattern matching compiled to decision trees: `match`, and the
//! patterns of `let`s and of function parameters.
//!
//! The clauses become a matrix (a row per clause, a column per value
//! being looked at), compiled as in Maranget's "Compiling pattern
//! matching to good decision trees" (2008): test the first column the
//! first row needs — a switch on a constructor's tag, nil against cons,
//! a literal — and go on with the rows that agree, so no value is tested
//! twice on a path. Or-patterns are expanded into rows of the same arm;
//! a tuple or record is taken apart without a test. Parts are read only
//! when some row looks at them, unboxed by their static type.
//!
//! An arm chosen at one leaf is inlined there; an arm several leaves
//! choose (the catch-all after a switch, an or-pattern) becomes a target
//! of an [`ir::Expr::Join`], so its body is compiled once and the leaves
//! jump to it with its variables. A guard is tested at each leaf of its
//! arm; when it fails, the leaf goes on with the rows below — without
//! the arm's other alternatives, as the interpreter tries an arm's
//! or-pattern once and then the next arm. A path that no row matches is
//! the interpreter's R004, at the same span and with the same message.

#![forbid(unsafe_code)]

use super::FnLower;
use crate::jit::ir::{self, Compare, DataFn, JoinId, JoinTarget, MatchKind, Ty, VarId};
use crate::runtime::error::RuntimeError;
use crate::syntax::ast::{Arm, Binding, Expr, Literal, Pattern, PatternKind, Span};
use crate::types::resolved::{Binder, GlobalId};
use crate::types::{TypeId, TypeInfo};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// One clause of a match: its pattern and its guard.
pub(super) struct Clause<'a> {
    pub pattern: &'a Pattern<TypeInfo>,
    pub guard: Option<&'a Expr<TypeInfo>>,
}

impl<'a> Clause<'a> {
    /// The clauses of `match` or `try` arms, guards included.
    pub(super) fn of_arms(arms: &'a [Arm<TypeInfo>]) -> Vec<Clause<'a>> {
        arms.iter()
            .map(|arm| Clause {
                pattern: &arm.pattern,
                guard: arm.guard.as_ref(),
            })
            .collect()
    }
}

/// Lowers the body of the clause of that index, with its variables bound:
/// called once for each clause the match can choose.
pub(super) type Bodies<'b, 'l, 'a> =
    dyn FnMut(&mut FnLower<'l, 'a>, usize) -> Result<ir::Expr, RuntimeError> + 'b;

/// A pattern as the compiler sees it: the variables bound to the value
/// at its position and the value's IR type.
#[derive(Clone, Debug)]
struct Pat {
    kind: PatKind,
    binders: Vec<Binder>,
    ty: Ty,
}

#[derive(Clone, Debug)]
enum PatKind {
    Any,
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Bool(bool),
    Tuple(Vec<Pat>),
    /// The fields named, by declared index.
    Record(Vec<(u32, Pat)>),
    Variant {
        ty: TypeId,
        tag: u32,
        arg: Option<Box<Pat>>,
    },
    Nil,
    Cons(Box<Pat>, Box<Pat>),
    Or(Box<Pat>, Box<Pat>),
}

impl Pat {
    fn any() -> Pat {
        Pat {
            kind: PatKind::Any,
            binders: Vec::new(),
            ty: Ty::Val,
        }
    }

    /// Matches anything and binds nothing: its value is never read.
    fn is_trivial(&self) -> bool {
        matches!(self.kind, PatKind::Any) && self.binders.is_empty()
    }
}

/// A row of the matrix: a pattern per column, the variables bound so far
/// (to the locals holding their values) and the clause it stands for.
#[derive(Clone)]
struct Row {
    pats: Vec<Pat>,
    bound: Vec<(Binder, VarId)>,
    arm: usize,
}

/// What a test on a column distinguishes, with the parts of the value it
/// makes new columns of.
#[derive(Clone, Debug, PartialEq)]
enum Head {
    Tuple(usize),
    /// The fields some row names, by declared index.
    Record(Vec<u32>),
    /// A tag, and whether some row looks at the constructor's argument.
    Variant(u32, bool),
    Nil,
    Cons,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
}

impl Head {
    fn arity(&self) -> usize {
        match self {
            Head::Tuple(n) => *n,
            Head::Record(fields) => fields.len(),
            Head::Variant(_, arg) => usize::from(*arg),
            Head::Cons => 2,
            Head::Nil | Head::Bool(_) | Head::Int(_) | Head::Float(_) | Head::Str(_) => 0,
        }
    }
}

/// A decision tree, before it becomes IR.
enum Tree {
    /// No row matches.
    Fail,
    /// Clause `arm` matches with these variables; if it has a guard,
    /// `otherwise` is what follows when the guard is false.
    Leaf {
        arm: usize,
        bound: Vec<(Binder, VarId)>,
        otherwise: Option<Box<Tree>>,
    },
    /// Reads a part of a value into `var`, then goes on.
    Load {
        var: VarId,
        value: ir::Expr,
        then: Box<Tree>,
    },
    Switch {
        tag: ir::Expr,
        cases: Vec<(i64, Tree)>,
        default: Box<Tree>,
    },
    If {
        cond: ir::Expr,
        then: Box<Tree>,
        otherwise: Box<Tree>,
    },
}

impl Tree {
    /// Adds to `leaves[arm]` the number of leaves choosing each arm.
    fn count_leaves(&self, leaves: &mut [usize]) {
        match self {
            Tree::Fail => {}
            Tree::Leaf { arm, otherwise, .. } => {
                if let Some(count) = leaves.get_mut(*arm) {
                    *count += 1;
                }
                if let Some(otherwise) = otherwise {
                    otherwise.count_leaves(leaves);
                }
            }
            Tree::Load { then, .. } => then.count_leaves(leaves),
            Tree::Switch { cases, default, .. } => {
                for (_, case) in cases {
                    case.count_leaves(leaves);
                }
                default.count_leaves(leaves);
            }
            Tree::If {
                then, otherwise, ..
            } => {
                then.count_leaves(leaves);
                otherwise.count_leaves(leaves);
            }
        }
    }
}

/// What emitting a tree's leaves shares: the join of the arms that
/// several leaves choose, and their parameters.
struct Emit {
    join: JoinId,
    leaves: Vec<usize>,
    /// The join's targets so far: the arm and its variables' parameters.
    targets: Vec<(usize, Vec<(Binder, VarId)>)>,
    target_of: Vec<Option<u32>>,
    ty: Ty,
    failure: (MatchKind, ir::SpanId),
    /// The value matched, which an R004 shows.
    scrutinee: VarId,
    /// The match's span, for internal errors.
    span: Span,
}

fn internal(span: Span, what: &str) -> RuntimeError {
    RuntimeError::internal(format!("JIT: pattern compiler: {what}")).at(span)
}

/// The rows of `rows` with the or-patterns at the top of their columns
/// expanded (left alternative first) and their variables bound to the
/// columns.
fn expand(columns: &[VarId], rows: Vec<Row>) -> Vec<Row> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        expand_row(columns, row, &mut out);
    }
    out
}

fn expand_row(columns: &[VarId], mut row: Row, out: &mut Vec<Row>) {
    for (j, column) in columns.iter().enumerate() {
        let Some(pat) = row.pats.get_mut(j) else {
            break;
        };
        row.bound
            .extend(pat.binders.drain(..).map(|binder| (binder, *column)));
        match std::mem::replace(&mut pat.kind, PatKind::Any) {
            PatKind::Or(left, right) => {
                let mut first = row.clone();
                first.pats[j] = *left;
                row.pats[j] = *right;
                expand_row(columns, first, out);
                expand_row(columns, row, out);
                return;
            }
            kind => pat.kind = kind,
        }
    }
    out.push(row);
}

/// The patterns of the parts of a value `pat` meets, if `pat` agrees with
/// `head` (a wildcard agrees with every head).
fn sub_patterns(pat: &Pat, head: &Head) -> Option<Vec<Pat>> {
    match (&pat.kind, head) {
        (PatKind::Any, _) => Some(vec![Pat::any(); head.arity()]),
        (PatKind::Tuple(items), Head::Tuple(_)) => Some(items.clone()),
        (PatKind::Record(given), Head::Record(fields)) => Some(
            fields
                .iter()
                .map(|field| {
                    given
                        .iter()
                        .find(|(index, _)| index == field)
                        .map_or_else(Pat::any, |(_, p)| p.clone())
                })
                .collect(),
        ),
        (PatKind::Variant { tag, arg, .. }, Head::Variant(expected, looked_at)) => {
            (tag == expected).then(|| match (arg, looked_at) {
                (Some(arg), true) => vec![(**arg).clone()],
                (None, true) => vec![Pat::any()],
                (_, false) => Vec::new(),
            })
        }
        (PatKind::Nil, Head::Nil) => Some(Vec::new()),
        (PatKind::Cons(head, tail), Head::Cons) => Some(vec![(**head).clone(), (**tail).clone()]),
        (PatKind::Bool(b), Head::Bool(c)) => (b == c).then(Vec::new),
        (PatKind::Int(n), Head::Int(m)) => (n == m).then(Vec::new),
        (PatKind::Float(x), Head::Float(y)) => (x == y).then(Vec::new),
        (PatKind::Str(s), Head::Str(t)) => (s == t).then(Vec::new),
        _ => None,
    }
}

/// The rows a wildcard in column `j` lets through, without that column.
fn default_rows(rows: &[Row], j: usize) -> Vec<Row> {
    rows.iter()
        .filter(|row| matches!(row.pats[j].kind, PatKind::Any))
        .map(|row| {
            let mut row = row.clone();
            row.pats.remove(j);
            row
        })
        .collect()
}

fn without(columns: &[VarId], j: usize) -> Vec<VarId> {
    let mut rest = columns.to_vec();
    rest.remove(j);
    rest
}

/// The distinct heads of column `j` in the order the rows first use them.
fn literal_heads(rows: &[Row], j: usize) -> Vec<Head> {
    let mut heads: Vec<Head> = Vec::new();
    let mut seen = HashSet::new();
    for row in rows {
        let head = match &row.pats[j].kind {
            PatKind::Int(n) => Head::Int(*n),
            PatKind::Float(x) => Head::Float(*x),
            PatKind::Str(s) => Head::Str(s.clone()),
            _ => continue,
        };
        let new = match head_key(&head) {
            Some(key) => seen.insert(key),
            None => !heads.contains(&head),
        };
        if new {
            heads.push(head);
        }
    }
    heads
}

/// A head by which rows can be grouped in one pass: an `int` or string
/// literal, a constructor's tag. (Not a `float`: its equality is not its
/// bits', `0.0 = -0.0`.)
#[derive(Clone, PartialEq, Eq, Hash)]
enum HeadKey {
    Int(i64),
    Str(Rc<str>),
    Tag(u32),
}

fn head_key(head: &Head) -> Option<HeadKey> {
    match head {
        Head::Int(n) => Some(HeadKey::Int(*n)),
        Head::Str(s) => Some(HeadKey::Str(s.clone())),
        Head::Variant(tag, _) => Some(HeadKey::Tag(*tag)),
        _ => None,
    }
}

fn pat_key(pat: &Pat) -> Option<HeadKey> {
    match &pat.kind {
        PatKind::Int(n) => Some(HeadKey::Int(*n)),
        PatKind::Str(s) => Some(HeadKey::Str(s.clone())),
        PatKind::Variant { tag, .. } => Some(HeadKey::Tag(*tag)),
        _ => None,
    }
}

/// For each of `heads`, the rows that may agree with it in column `j`, in
/// their order: a row with a [`HeadKey`] only in its head's group, any
/// other (a wildcard, a `float`) in every group, for
/// [`FnLower::branch`] to sort out. Asking each head of a match of `k`
/// literals or constructors about every row instead cost `k` times the
/// rows: seconds at 10,000 arms.
fn rows_by_head<'r>(rows: &'r [Row], j: usize, heads: &[Head]) -> Vec<Vec<&'r Row>> {
    let index: HashMap<HeadKey, usize> = heads
        .iter()
        .enumerate()
        .filter_map(|(i, head)| Some((head_key(head)?, i)))
        .collect();
    let mut groups = vec![Vec::new(); heads.len()];
    for row in rows {
        match pat_key(&row.pats[j]) {
            // Keyed: agrees with its own head only (none, if not a head).
            Some(key) if !index.is_empty() => {
                if let Some(&i) = index.get(&key) {
                    groups[i].push(row);
                }
            }
            _ => {
                for group in &mut groups {
                    group.push(row);
                }
            }
        }
    }
    groups
}

fn strip_annot(mut pattern: &Pattern<TypeInfo>) -> &Pattern<TypeInfo> {
    while let PatternKind::Annot(inner, _) = &pattern.kind {
        pattern = inner;
    }
    pattern
}

impl<'l, 'a> FnLower<'l, 'a> {
    /// `match scrutinee with arms` (of type `e`'s).
    pub(super) fn match_expr(
        &mut self,
        e: &'a Expr<TypeInfo>,
        scrutinee: &'a Expr<TypeInfo>,
        arms: &'a [Arm<TypeInfo>],
        tail: bool,
    ) -> Result<ir::Expr, RuntimeError> {
        let value = self.expr(scrutinee, false)?;
        let ty = self.ty(e)?;
        let clauses = Clause::of_arms(arms);
        let failure = (MatchKind::Arms, e.span);
        let mut bodies = |f: &mut Self, arm: usize| f.expr(&arms[arm].body, tail);
        if let ir::Expr::Var(var) = value {
            return self.decide(var, &clauses, ty, failure, &mut bodies);
        }
        let var = self.fresh(self.ty(scrutinee)?);
        let tree = self.decide(var, &clauses, ty, failure, &mut bodies)?;
        Ok(ir::build::let_(var.0, value, tree))
    }

    /// `let p1 = e1 and … in body` (the whole `let` is `e`): each value in
    /// turn, matched against its pattern before the next is evaluated.
    pub(super) fn let_in(
        &mut self,
        bindings: &'a [Binding<TypeInfo>],
        body: &'a Expr<TypeInfo>,
        e: &'a Expr<TypeInfo>,
        tail: bool,
    ) -> Result<ir::Expr, RuntimeError> {
        let Some((first, rest)) = bindings.split_first() else {
            return self.expr(body, tail);
        };
        if let Some((id, init)) = super::local_refs::local_ref(first, body) {
            return self.local_ref_let(id, init, |f| f.let_in(rest, body, e, tail));
        }
        let value = self.named(&first.expr, super::closure::binding_name(&first.pattern))?;
        let var = self.fresh(self.ty(&first.expr)?);
        let ty = self.ty(e)?;
        let failure = (MatchKind::Let, first.span.to(e.span));
        let rest = self.bind_pattern(&first.pattern, var, ty, failure, |f| {
            f.let_in(rest, body, e, tail)
        })?;
        Ok(ir::build::let_(var.0, value, rest))
    }

    /// A function's parameters, each in a local, matched against their
    /// patterns in order before `body` (what lowers the function's body,
    /// of IR type `ret`) runs.
    pub(super) fn bind_params(
        &mut self,
        params: &[(&'a Pattern<TypeInfo>, VarId)],
        ret: Ty,
        body: impl FnOnce(&mut Self) -> Result<ir::Expr, RuntimeError>,
    ) -> Result<ir::Expr, RuntimeError> {
        let Some(((pattern, var), rest)) = params.split_first() else {
            return body(self);
        };
        let failure = (MatchKind::Parameter, pattern.span);
        self.bind_pattern(pattern, *var, ret, failure, |f| {
            f.bind_params(rest, ret, body)
        })
    }

    /// Matches the value in `value` against `pattern`, then runs what
    /// `body` lowers (of IR type `ty`) with the pattern's variables bound;
    /// a value that does not match is `failure`'s R004.
    pub(super) fn bind_pattern(
        &mut self,
        pattern: &'a Pattern<TypeInfo>,
        value: VarId,
        ty: Ty,
        failure: (MatchKind, Span),
        body: impl FnOnce(&mut Self) -> Result<ir::Expr, RuntimeError>,
    ) -> Result<ir::Expr, RuntimeError> {
        match &strip_annot(pattern).kind {
            PatternKind::Var(_, binder) => {
                self.bind(*binder, value);
                return body(self);
            }
            PatternKind::Wildcard | PatternKind::Lit(Literal::Unit) => return body(self),
            _ => {}
        }
        let clause = Clause {
            pattern,
            guard: None,
        };
        let mut body = Some(body);
        let span = pattern.span;
        self.decide(
            value,
            &[clause],
            ty,
            failure,
            &mut |f, _| match body.take() {
                Some(body) => body(f),
                None => Err(internal(span, "a `let` body chosen twice")),
            },
        )
    }

    fn bind(&mut self, binder: Binder, var: VarId) {
        match binder {
            Binder::Local(id) => {
                self.vars.insert(id, var);
            }
            Binder::Global(id) => {
                self.globals.insert(id, var);
            }
        }
    }

    /// The decision tree of `clauses` on the value in `scrutinee`, with
    /// each chosen clause's body from `bodies` (all of IR type `ty`).
    pub(super) fn decide(
        &mut self,
        scrutinee: VarId,
        clauses: &[Clause<'a>],
        ty: Ty,
        failure: (MatchKind, Span),
        bodies: &mut Bodies<'_, 'l, 'a>,
    ) -> Result<ir::Expr, RuntimeError> {
        let mut rows = Vec::with_capacity(clauses.len());
        for (arm, clause) in clauses.iter().enumerate() {
            rows.push(Row {
                pats: vec![self.pat(clause.pattern)?],
                bound: Vec::new(),
                arm,
            });
        }
        let guarded: Vec<bool> = clauses.iter().map(|c| c.guard.is_some()).collect();
        let span = failure.1;
        let tree = self.tree(&[scrutinee], rows, &guarded, span)?;
        let mut leaves = vec![0; clauses.len()];
        tree.count_leaves(&mut leaves);
        let join = JoinId(self.joins);
        self.joins += 1;
        let mut emit = Emit {
            join,
            leaves,
            targets: Vec::new(),
            target_of: vec![None; clauses.len()],
            ty,
            failure: (failure.0, self.span(span)),
            scrutinee,
            span,
        };
        let body = self.emit(tree, clauses, &mut emit, bodies)?;
        if emit.targets.is_empty() {
            return Ok(body);
        }
        let mut targets = Vec::with_capacity(emit.targets.len());
        for (arm, params) in emit.targets {
            for (binder, var) in &params {
                self.bind(*binder, *var);
            }
            targets.push(JoinTarget {
                params: params.iter().map(|(_, var)| *var).collect(),
                body: bodies(self, arm)?,
            });
        }
        Ok(ir::Expr::Join {
            id: join,
            ty,
            body: Box::new(body),
            targets,
        })
    }

    fn pat(&self, pattern: &Pattern<TypeInfo>) -> Result<Pat, RuntimeError> {
        let mut binders = Vec::new();
        let kind = match &pattern.kind {
            PatternKind::Wildcard | PatternKind::Lit(Literal::Unit) => return Ok(Pat::any()),
            PatternKind::Var(_, binder) => {
                binders.push(*binder);
                PatKind::Any
            }
            PatternKind::Lit(Literal::Int(n)) => PatKind::Int(*n),
            PatternKind::Lit(Literal::Float(x)) => PatKind::Float(*x),
            PatternKind::Lit(Literal::String(s)) => PatKind::Str(Rc::from(s.as_str())),
            PatternKind::Lit(Literal::Bool(b)) => PatKind::Bool(*b),
            PatternKind::Tuple(items) => PatKind::Tuple(
                items
                    .iter()
                    .map(|p| self.pat(p))
                    .collect::<Result<_, _>>()?,
            ),
            PatternKind::Constructor(_, ctor, arg) => PatKind::Variant {
                ty: ctor.ty,
                tag: ctor.tag,
                arg: match arg {
                    Some(arg) => Some(Box::new(self.pat(arg)?)),
                    None => None,
                },
            },
            PatternKind::List(items) => {
                let mut list = Pat {
                    kind: PatKind::Nil,
                    binders: Vec::new(),
                    ty: Ty::Val,
                };
                for item in items.iter().rev() {
                    list = Pat {
                        kind: PatKind::Cons(Box::new(self.pat(item)?), Box::new(list)),
                        binders: Vec::new(),
                        ty: Ty::Val,
                    };
                }
                return Ok(list);
            }
            PatternKind::Cons(head, tail) => {
                PatKind::Cons(Box::new(self.pat(head)?), Box::new(self.pat(tail)?))
            }
            PatternKind::Record(fields, _) => PatKind::Record(
                fields
                    .iter()
                    .map(|f| Ok((f.field.index, self.pat(&f.pattern)?)))
                    .collect::<Result<_, RuntimeError>>()?,
            ),
            PatternKind::Or(left, right) => {
                PatKind::Or(Box::new(self.pat(left)?), Box::new(self.pat(right)?))
            }
            PatternKind::As(inner, _, binder) => {
                let mut inner = self.pat(inner)?;
                inner.binders.push(*binder);
                inner.ty = self.repr(&pattern.ann.ty, pattern.span)?;
                return Ok(inner);
            }
            PatternKind::Annot(inner, _) => return self.pat(inner),
        };
        Ok(Pat {
            kind,
            binders,
            ty: self.repr(&pattern.ann.ty, pattern.span)?,
        })
    }

    /// The decision tree of `rows` on the values in `columns`.
    fn tree(
        &mut self,
        columns: &[VarId],
        rows: Vec<Row>,
        guarded: &[bool],
        span: Span,
    ) -> Result<Tree, RuntimeError> {
        let rows = expand(columns, rows);
        let Some(first) = rows.first() else {
            return Ok(Tree::Fail);
        };
        let Some(j) = first
            .pats
            .iter()
            .position(|p| !matches!(p.kind, PatKind::Any))
        else {
            let arm = first.arm;
            let bound = first.bound.clone();
            let otherwise = match guarded.get(arm) {
                Some(true) => {
                    let rest = rows.into_iter().skip(1).filter(|r| r.arm != arm).collect();
                    Some(Box::new(self.tree(columns, rest, guarded, span)?))
                }
                _ => None,
            };
            return Ok(Tree::Leaf {
                arm,
                bound,
                otherwise,
            });
        };
        let column = columns[j];
        let scrutinee = ir::Expr::Var(column);
        Ok(match &first.pats[j].kind {
            PatKind::Tuple(items) => {
                let head = Head::Tuple(items.len());
                self.branch(columns, &rows, j, &head, guarded, span)?
            }
            PatKind::Record(_) => {
                let mut fields = Vec::new();
                for row in &rows {
                    if let PatKind::Record(given) = &row.pats[j].kind {
                        for (index, _) in given {
                            if !fields.contains(index) {
                                fields.push(*index);
                            }
                        }
                    }
                }
                self.branch(columns, &rows, j, &Head::Record(fields), guarded, span)?
            }
            PatKind::Variant { ty, .. } => {
                let mut heads: Vec<(u32, bool)> = Vec::new();
                let mut index: HashMap<u32, usize> = HashMap::new();
                for row in &rows {
                    if let PatKind::Variant { tag, arg, .. } = &row.pats[j].kind {
                        match index.get(tag) {
                            Some(&i) => heads[i].1 |= arg.is_some(),
                            None => {
                                index.insert(*tag, heads.len());
                                heads.push((*tag, arg.is_some()));
                            }
                        }
                    }
                }
                let complete = self.lowering.constructors.get(ty) == Some(&heads.len());
                let heads: Vec<Head> = heads
                    .into_iter()
                    .map(|(tag, looked_at)| Head::Variant(tag, looked_at))
                    .collect();
                let groups = rows_by_head(&rows, j, &heads);
                let mut cases = Vec::with_capacity(heads.len());
                for (head, group) in heads.iter().zip(groups) {
                    let Head::Variant(tag, _) = head else {
                        return Err(internal(span, "a constructor head that is not one"));
                    };
                    let case = self.branch(columns, group, j, head, guarded, span)?;
                    cases.push((i64::from(*tag), case));
                }
                // Every constructor has a case: the last needs no test.
                let default = match cases.pop() {
                    Some((_, last)) if complete => last,
                    last => {
                        cases.extend(last);
                        let rest = without(columns, j);
                        self.tree(&rest, default_rows(&rows, j), guarded, span)?
                    }
                };
                if cases.is_empty() {
                    return Ok(default);
                }
                Tree::Switch {
                    tag: self.entry(DataFn::Tag, vec![scrutinee], span),
                    cases,
                    default: Box::new(default),
                }
            }
            PatKind::Nil | PatKind::Cons(..) => Tree::If {
                cond: self.entry(DataFn::IsCons, vec![scrutinee], span),
                then: Box::new(self.branch(columns, &rows, j, &Head::Cons, guarded, span)?),
                otherwise: Box::new(self.branch(columns, &rows, j, &Head::Nil, guarded, span)?),
            },
            PatKind::Bool(_) => Tree::If {
                cond: scrutinee,
                then: Box::new(self.branch(columns, &rows, j, &Head::Bool(true), guarded, span)?),
                otherwise: Box::new(self.branch(
                    columns,
                    &rows,
                    j,
                    &Head::Bool(false),
                    guarded,
                    span,
                )?),
            },
            PatKind::Int(_) | PatKind::Float(_) | PatKind::Str(_) => {
                let heads = literal_heads(&rows, j);
                let rest = without(columns, j);
                let default = self.tree(&rest, default_rows(&rows, j), guarded, span)?;
                let groups = rows_by_head(&rows, j, &heads);
                let mut cases = Vec::with_capacity(heads.len());
                for (head, group) in heads.iter().zip(groups) {
                    cases.push(self.branch(columns, group, j, head, guarded, span)?);
                }
                if let PatKind::Int(_) = first.pats[j].kind {
                    let cases = heads
                        .iter()
                        .zip(cases)
                        .filter_map(|(head, case)| match head {
                            Head::Int(n) => Some((*n, case)),
                            _ => None,
                        })
                        .collect();
                    return Ok(Tree::Switch {
                        tag: scrutinee,
                        cases,
                        default: Box::new(default),
                    });
                }
                let mut tree = default;
                for (head, case) in heads.iter().zip(cases).rev() {
                    let cond = match head {
                        Head::Float(x) => ir::build::compare(
                            Compare::Eq,
                            ir::Expr::Var(column),
                            ir::Expr::Float(*x),
                        ),
                        Head::Str(s) => {
                            let constant = ir::Expr::Int(self.string(s));
                            self.entry(
                                DataFn::StringIs,
                                vec![ir::Expr::Var(column), constant],
                                span,
                            )
                        }
                        _ => return Err(internal(span, "a literal of two types")),
                    };
                    tree = Tree::If {
                        cond,
                        then: Box::new(case),
                        otherwise: Box::new(tree),
                    };
                }
                tree
            }
            PatKind::Any | PatKind::Or(..) => return Err(internal(span, "an untestable column")),
        })
    }

    /// The tree for the rows that agree with `head` in column `j`, the
    /// column replaced by the parts of its value that some row looks at.
    fn branch<'r>(
        &mut self,
        columns: &[VarId],
        rows: impl IntoIterator<Item = &'r Row>,
        j: usize,
        head: &Head,
        guarded: &[bool],
        span: Span,
    ) -> Result<Tree, RuntimeError> {
        let mut specialized: Vec<(Vec<Pat>, &Row)> = Vec::new();
        for row in rows {
            if let Some(parts) = sub_patterns(&row.pats[j], head) {
                specialized.push((parts, row));
            }
        }
        let mut loads = Vec::new();
        let mut used = Vec::new();
        for part in 0..head.arity() {
            let looked_at = specialized
                .iter()
                .map(|(parts, _)| &parts[part])
                .find(|p| !p.is_trivial());
            if let Some(pat) = looked_at {
                let var = self.fresh(pat.ty);
                let value = self.load(columns[j], head, part, pat.ty, span)?;
                loads.push((var, value));
                used.push(part);
            }
        }
        let mut new_columns: Vec<VarId> = loads.iter().map(|(var, _)| *var).collect();
        new_columns.extend(without(columns, j));
        let new_rows = specialized
            .into_iter()
            .map(|(parts, row)| {
                let mut pats: Vec<Pat> = used.iter().map(|part| parts[*part].clone()).collect();
                pats.extend(
                    row.pats
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| *k != j)
                        .map(|(_, p)| p.clone()),
                );
                Row {
                    pats,
                    bound: row.bound.clone(),
                    arm: row.arm,
                }
            })
            .collect();
        let tree = self.tree(&new_columns, new_rows, guarded, span)?;
        Ok(loads
            .into_iter()
            .rev()
            .fold(tree, |then, (var, value)| Tree::Load {
                var,
                value,
                then: Box::new(then),
            }))
    }

    /// Reads part `part` of the value in `column` that `head` takes apart,
    /// as a value of IR type `ty`.
    fn load(
        &mut self,
        column: VarId,
        head: &Head,
        part: usize,
        ty: Ty,
        span: Span,
    ) -> Result<ir::Expr, RuntimeError> {
        let value = ir::Expr::Var(column);
        let read = match head {
            Head::Tuple(_) => self.entry(
                DataFn::TupleItem,
                vec![value, ir::Expr::Int(part as i64)],
                span,
            ),
            Head::Record(fields) => {
                let index = fields
                    .get(part)
                    .ok_or_else(|| internal(span, "a record part out of range"))?;
                self.entry(
                    DataFn::Field,
                    vec![value, ir::Expr::Int(i64::from(*index))],
                    span,
                )
            }
            Head::Variant(..) => self.entry(DataFn::VariantArg, vec![value], span),
            Head::Cons if part == 0 => self.entry(DataFn::Head, vec![value], span),
            Head::Cons => self.entry(DataFn::Tail, vec![value], span),
            _ => return Err(internal(span, "a part of a value without parts")),
        };
        Ok(self.unboxed(read, ty, span))
    }

    fn emit(
        &mut self,
        tree: Tree,
        clauses: &[Clause<'a>],
        emit: &mut Emit,
        bodies: &mut Bodies<'_, 'l, 'a>,
    ) -> Result<ir::Expr, RuntimeError> {
        Ok(match tree {
            Tree::Fail => {
                let failure = ir::Expr::MatchFailure {
                    kind: emit.failure.0,
                    span: emit.failure.1,
                    ty: emit.ty,
                };
                if emit.failure.0 == MatchKind::Handler {
                    return Ok(failure);
                }
                // The R004 shows the value (kept in the context for it).
                let ty = self.locals[emit.scrutinee.0 as usize];
                let value = self.boxed_value(ir::Expr::Var(emit.scrutinee), ty, emit.span);
                let keep = self.entry(DataFn::Unmatched, vec![value], emit.span);
                ir::Expr::Seq(vec![keep, failure])
            }
            Tree::Load { var, value, then } => {
                let then = self.emit(*then, clauses, emit, bodies)?;
                ir::build::let_(var.0, value, then)
            }
            Tree::Switch {
                tag,
                cases,
                default,
            } => {
                let mut arms = Vec::with_capacity(cases.len());
                for (case, tree) in cases {
                    arms.push((case, self.emit(tree, clauses, emit, bodies)?));
                }
                ir::Expr::Switch {
                    tag: Box::new(tag),
                    cases: arms,
                    default: Box::new(self.emit(*default, clauses, emit, bodies)?),
                }
            }
            Tree::If {
                cond,
                then,
                otherwise,
            } => {
                let then = self.emit(*then, clauses, emit, bodies)?;
                let otherwise = self.emit(*otherwise, clauses, emit, bodies)?;
                ir::build::if_(cond, then, otherwise)
            }
            Tree::Leaf {
                arm,
                bound,
                otherwise,
            } => {
                for (binder, var) in &bound {
                    self.bind(*binder, *var);
                }
                let guard = match clauses.get(arm).and_then(|c| c.guard) {
                    Some(guard) => Some(self.expr(guard, false)?),
                    None => None,
                };
                let chosen = if emit.leaves.get(arm) == Some(&1) {
                    bodies(self, arm)?
                } else {
                    self.jump_to(arm, &bound, emit)?
                };
                match (guard, otherwise) {
                    (Some(guard), Some(otherwise)) => {
                        let otherwise = self.emit(*otherwise, clauses, emit, bodies)?;
                        ir::build::if_(guard, chosen, otherwise)
                    }
                    (None, None) => chosen,
                    _ => return Err(internal(emit.span, "a guard without its leaf")),
                }
            }
        })
    }

    /// A jump to the join target of `arm` (made at its first leaf) with
    /// the values `bound` gives its variables.
    fn jump_to(
        &mut self,
        arm: usize,
        bound: &[(Binder, VarId)],
        emit: &mut Emit,
    ) -> Result<ir::Expr, RuntimeError> {
        let target = match emit.target_of[arm] {
            Some(target) => target,
            None => {
                let mut params: Vec<(Binder, VarId)> = Vec::with_capacity(bound.len());
                for (binder, var) in bound {
                    if params.iter().all(|(b, _)| b != binder) {
                        let ty = self.locals[var.0 as usize];
                        params.push((*binder, self.fresh(ty)));
                    }
                }
                emit.targets.push((arm, params));
                let target = emit.targets.len() as u32 - 1;
                emit.target_of[arm] = Some(target);
                target
            }
        };
        let params = &emit.targets[target as usize].1;
        let mut args = Vec::with_capacity(params.len());
        for (binder, _) in params {
            match bound.iter().find(|(b, _)| b == binder) {
                Some((_, var)) => args.push(ir::Expr::Var(*var)),
                None => {
                    return Err(internal(
                        emit.span,
                        "an or-pattern binding different variables",
                    ))
                }
            }
        }
        Ok(ir::Expr::Jump {
            join: emit.join,
            target,
            args,
        })
    }
}

/// The globals a top-level pattern binds, in source order.
pub(super) fn globals_of(pattern: &Pattern<TypeInfo>) -> Vec<GlobalId> {
    binders_of(pattern)
        .into_iter()
        .filter_map(|binder| match binder {
            Binder::Global(id) => Some(id),
            Binder::Local(_) => None,
        })
        .collect()
}

/// The variables a pattern binds, in source order.
pub(super) fn binders_of(pattern: &Pattern<TypeInfo>) -> Vec<Binder> {
    let mut found = Vec::new();
    let mut work = vec![pattern];
    while let Some(p) = work.pop() {
        match &p.kind {
            PatternKind::Var(_, binder) => found.push(*binder),
            PatternKind::As(inner, _, binder) => {
                found.push(*binder);
                work.push(inner);
            }
            PatternKind::Tuple(items) | PatternKind::List(items) => work.extend(items.iter().rev()),
            PatternKind::Constructor(_, _, Some(inner)) | PatternKind::Annot(inner, _) => {
                work.push(inner)
            }
            PatternKind::Cons(head, tail) => work.extend([&**tail, &**head]),
            PatternKind::Record(fields, _) => work.extend(fields.iter().rev().map(|f| &f.pattern)),
            // Both sides bind the same names: one side says which.
            PatternKind::Or(left, _) => work.push(left),
            PatternKind::Wildcard | PatternKind::Lit(_) | PatternKind::Constructor(_, _, None) => {}
        }
    }
    found
}
