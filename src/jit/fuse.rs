//! Where the lowering reads or builds a part of a part, the translation
//! calls one data entry instead of two, so the part in the middle is
//! never boxed: `Node (l, r)` is one constructor of a tuple (not a tuple,
//! then a constructor holding a copy of it), and a `match` on it reads
//! `l` and `r` straight from the constructor (not from a boxed copy of
//! its argument). Values, errors and printing are those of the two
//! entries: the fused ones call the same `runtime::data` functions.

#![forbid(unsafe_code)]

use super::ir::{DataFn, Expr, RuntimeFn, VarId};

/// `Variant(tag, name, Tuple(items))` as [`DataFn::VariantOfTuple`] of
/// `items`.
pub fn variant_of_tuple(entry: RuntimeFn, args: &[Expr]) -> Option<(RuntimeFn, &[Expr])> {
    let (RuntimeFn::Data(DataFn::Variant), [Expr::Int(tag), Expr::Int(name), tuple]) =
        (entry, args)
    else {
        return None;
    };
    let Expr::Runtime {
        entry: RuntimeFn::Data(DataFn::Tuple),
        args: items,
        ..
    } = tuple
    else {
        return None;
    };
    let tag = u32::try_from(*tag).ok()?;
    let name = u32::try_from(*name).ok()?;
    Some((RuntimeFn::Data(DataFn::VariantOfTuple { tag, name }), items))
}

/// For `let var = VariantArg(source) in body` where `body` reads `var`
/// only as `TupleItem(var, i)` (what a pattern `C (p, q)` compiles to) and
/// never assigns `source`: `source`, whose items `body` can read with
/// [`DataFn::VariantItem`] instead.
pub fn variant_items(var: VarId, value: &Expr, body: &Expr) -> Option<VarId> {
    let Expr::Runtime {
        entry: RuntimeFn::Data(DataFn::VariantArg),
        args,
        ..
    } = value
    else {
        return None;
    };
    let [Expr::Var(source)] = args.as_slice() else {
        return None;
    };
    (reads_only_items(body, var) && !assigns(body, *source)).then_some(*source)
}

/// Whether every read of `var` in `expr` is `TupleItem(var, i)`.
fn reads_only_items(expr: &Expr, var: VarId) -> bool {
    match expr {
        Expr::Runtime {
            entry: RuntimeFn::Data(DataFn::TupleItem),
            args,
            ..
        } if matches!(args.as_slice(), [Expr::Var(v), Expr::Int(_)] if *v == var) => true,
        Expr::Var(v) => *v != var,
        Expr::Assign { var: v, .. } if *v == var => false,
        _ => expr
            .children()
            .into_iter()
            .all(|e| reads_only_items(e, var)),
    }
}

fn assigns(expr: &Expr, var: VarId) -> bool {
    match expr {
        Expr::Assign { var: v, .. } if *v == var => true,
        _ => expr.children().into_iter().any(|e| assigns(e, var)),
    }
}
