//! Refs that do not escape, as IR locals: `let r = ref init in body`
//! where `body` uses `r` only as `!r` and `r := v`, directly, is an IR
//! local holding the ref's contents (`Expr::Let`, `Expr::Var`,
//! `Expr::Assign`): an unboxed `i64` or `f64` for an `int` or `float`
//! ref in plain code, no cell, no box and no runtime call per read or
//! write.
//!
//! Why it is the same program: a cell nobody else can reach behaves as a
//! variable. The cell is reachable only through `r`, so it stays private
//! when every use of `r` is a read or a write of its contents: `r` is
//! never passed, returned, stored, compared or matched (any such use is
//! a bare `r`, which keeps the cell), and never captured. Capture is the
//! subtle part, and the rule is conservative about it:
//!
//! - a closure (`fun`, a local function, the function `grad` is given)
//!   copies the values of its free variables when it is made, so a
//!   closure that mentions `r` must share the cell, not copy the
//!   contents: `r` inside a `fun` keeps the cell;
//! - a `shift` copies the activation up to its `reset` into a
//!   continuation closure, which may run twice (both runs see one cell on
//!   the interpreter): `r` inside a `reset` or a `shift` keeps the cell.
//!   A `let` whose own code may shift is lowered by [`cps`](super::cps)
//!   (`cps_let`), never here, so its refs keep their cells as well; this
//!   lowering is only reached from direct-style code, where nothing
//!   between the `let` and its uses can capture the activation.
//!
//! Exceptions need nothing: a `try` in direct style is a handler block of
//! the same IR function, so a handler reads the last value assigned, as
//! the interpreter's cell holds it.

#![forbid(unsafe_code)]

use super::closure::{children, free_locals};
use super::FnLower;
use crate::jit::ir::{self, VarId};
use crate::runtime::error::RuntimeError;
use crate::syntax::ast::{Binding, Expr, ExprKind, PatternKind};
use crate::types::resolved::{Binder, LocalId, VarTarget};
use crate::types::TypeInfo;

/// `e` without type annotations and local `open`s, which change nothing
/// at run time.
fn strip(mut e: &Expr<TypeInfo>) -> &Expr<TypeInfo> {
    while let ExprKind::Annot(inner, _) | ExprKind::LocalOpen(_, _, inner) = &e.kind {
        e = inner;
    }
    e
}

/// The local and the initial value of `binding` (of a non-recursive
/// `let` whose body is `body`) when it is `r = ref init` and `r` does not
/// escape `body` (see the module's comment).
pub(super) fn local_ref<'e>(
    binding: &'e Binding<TypeInfo>,
    body: &Expr<TypeInfo>,
) -> Option<(LocalId, &'e Expr<TypeInfo>)> {
    let mut pattern = &binding.pattern;
    while let PatternKind::Annot(inner, _) = &pattern.kind {
        pattern = inner;
    }
    let PatternKind::Var(_, Binder::Local(id)) = pattern.kind else {
        return None;
    };
    let ExprKind::Ref(init) = &strip(&binding.expr).kind else {
        return None;
    };
    contents_only(body, id).then_some((id, &**init))
}

/// Whether `e` is the variable `id`.
fn is_local(e: &Expr<TypeInfo>, id: LocalId) -> bool {
    matches!(&strip(e).kind, ExprKind::Var(_, var) if var.target == VarTarget::Local(id))
}

/// Whether `e` reads `id` anywhere, closures and continuations included.
fn mentions(e: &Expr<TypeInfo>, id: LocalId) -> bool {
    let mut read = Vec::new();
    free_locals(e, &mut read);
    read.contains(&id)
}

/// Whether every use of the ref `id` in `e` is `!id` or `id := v`, outside
/// closures, `shift`s and `reset`s.
fn contents_only(e: &Expr<TypeInfo>, id: LocalId) -> bool {
    match &e.kind {
        ExprKind::Var(_, var) => var.target != VarTarget::Local(id),
        ExprKind::Deref(cell) if is_local(cell, id) => true,
        ExprKind::Assign(cell, value) if is_local(cell, id) => contents_only(value, id),
        ExprKind::Fun(..) | ExprKind::Shift(..) | ExprKind::Reset(..) => !mentions(e, id),
        _ => children(e).into_iter().all(|c| contents_only(c, id)),
    }
}

impl<'a> FnLower<'_, 'a> {
    /// `let r = ref init in rest` with `r` a local ref ([`local_ref`]):
    /// `init` in a new local that `rest` (what `rest` lowers) reads and
    /// sets through [`Self::local_ref_read`] and
    /// [`Self::local_ref_write`].
    pub(super) fn local_ref_let(
        &mut self,
        id: LocalId,
        init: &'a Expr<TypeInfo>,
        rest: impl FnOnce(&mut Self) -> Result<ir::Expr, RuntimeError>,
    ) -> Result<ir::Expr, RuntimeError> {
        let value = self.expr(init, false)?;
        let var = self.fresh(self.ty(init)?);
        self.local_refs.insert(id, var);
        let body = rest(self)?;
        Ok(ir::build::let_(var.0, value, body))
    }

    /// The local holding the contents of `cell` when it is a local ref.
    fn local_ref_of(&self, cell: &Expr<TypeInfo>) -> Option<VarId> {
        match &strip(cell).kind {
            ExprKind::Var(_, var) => match var.target {
                VarTarget::Local(id) => self.local_refs.get(&id).copied(),
                _ => None,
            },
            _ => None,
        }
    }

    /// `!cell` (the node `e`) when `cell` is a local ref: its local, at
    /// the type of `e`.
    pub(super) fn local_ref_read(
        &mut self,
        e: &'a Expr<TypeInfo>,
        cell: &'a Expr<TypeInfo>,
    ) -> Result<Option<ir::Expr>, RuntimeError> {
        let Some(var) = self.local_ref_of(cell) else {
            return Ok(None);
        };
        let held = self.locals[var.0 as usize];
        let span = self.span(e.span);
        Ok(Some(self.coerce(
            ir::Expr::Var(var),
            held,
            self.ty(e)?,
            span,
        )))
    }

    /// `cell := value` when `cell` is a local ref: an assignment of its
    /// local.
    pub(super) fn local_ref_write(
        &mut self,
        cell: &'a Expr<TypeInfo>,
        value: &'a Expr<TypeInfo>,
    ) -> Result<Option<ir::Expr>, RuntimeError> {
        let Some(var) = self.local_ref_of(cell) else {
            return Ok(None);
        };
        let held = self.locals[var.0 as usize];
        let lowered = self.expr(value, false)?;
        let span = self.span(value.span);
        let lowered = self.coerce(lowered, self.ty(value)?, held, span);
        Ok(Some(ir::build::assign(var.0, lowered)))
    }
}
