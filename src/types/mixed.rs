//! Mixed `float`/`tensor` arithmetic (docs/language.md §4).
//!
//! `+ - * / **` take two operands of one type, except that a float and a
//! tensor mix and give a tensor (the float is broadcast). Which case an
//! operator is in is only known once its operands' types are; until
//! then it is a pending [`MixedArith`] constraint. Constraints are
//! narrowed whenever a `let` is generalised; one whose unknown operand is
//! about to be generalised is then decided by the default rule (an
//! operand still unknown takes the other operand's type). One whose
//! operands belong to enclosing code waits, and its result is kept
//! monomorphic meanwhile, so no scheme ever quantifies a variable whose
//! meaning is undecided.

use super::error::Reason;
use super::infer::{Check, Infer};
use super::types::{Class, ClassSet, TyVar, Type, TypeId};
use crate::syntax::ast::Span;

/// One arithmetic operator whose case (same types, or float with
/// tensor) is not decided yet.
#[derive(Clone, Debug)]
pub struct MixedArith {
    pub left: Type,
    pub right: Type,
    pub result: Type,
    /// `num`, or `real` for `**`.
    pub class: Class,
    pub left_span: Span,
    pub right_span: Span,
    /// The whole operator expression.
    pub span: Span,
}

/// What is known of one of a constraint's types.
#[derive(Clone, Copy, PartialEq)]
enum Head {
    Unknown(TyVar),
    Float,
    Tensor,
    /// Anything else (`int`, `string`, a list…): no mixing is possible.
    Other,
}

enum Progress {
    Settled,
    Pending,
}

impl Infer<'_> {
    /// The type of `left op right` for the arithmetic operators, whose
    /// operands have the given types and spans.
    pub fn infer_arith(
        &mut self,
        class: Class,
        (left, left_span): (Type, Span),
        (right, right_span): (Type, Span),
        span: Span,
    ) -> Check<Type> {
        let l = self.head(&left);
        let r = self.head(&right);
        let mixable = |h: Head| matches!(h, Head::Float | Head::Tensor);
        // Opposite a float or a tensor only a float or a tensor may stand.
        let operand_class = if mixable(l) || mixable(r) {
            Class::Real
        } else {
            class
        };
        for (ty, h, at) in [(&left, l, left_span), (&right, r, right_span)] {
            if let Head::Unknown(_) = h {
                self.require(ty, operand_class, at, span)?;
            }
        }
        let result =
            self.st
                .table
                .fresh_constrained(self.level, ClassSet::of(operand_class), Some(span));
        let constraint = MixedArith {
            left,
            right,
            result: result.clone(),
            class,
            left_span,
            right_span,
            span,
        };
        if let Progress::Pending = self.narrow(&constraint, false)? {
            self.mixed.push(constraint);
        }
        Ok(result)
    }

    /// Where the pending constraints of a `let` group begin.
    pub fn mixed_mark(&self) -> usize {
        self.mixed.len()
    }

    /// Before generalising at `level` the bindings of a `let` group whose
    /// constraints begin at `mark`: narrows those constraints and decides
    /// by default each whose unknown operand would be generalised. One
    /// whose operands belong to enclosing code waits for an enclosing
    /// `let`; its result is then kept from being generalised.
    pub fn settle_mixed(&mut self, mark: usize, level: u32) -> Check<()> {
        self.settle_mixed_from(mark, Some(level))
    }

    /// At the end of a top-level item or REPL input: decides everything.
    pub fn settle_all_mixed(&mut self) -> Check<()> {
        self.settle_mixed_from(0, None)
    }

    /// `level`: `None` decides every constraint.
    fn settle_mixed_from(&mut self, mark: usize, level: Option<u32>) -> Check<()> {
        let mark = mark.min(self.mixed.len());
        let mut pending = self.mixed.split_off(mark);
        loop {
            pending = self.narrow_all(pending)?;
            // One sweep in source order: each constraint is narrowed with
            // what the defaults before it decided, then defaulted if it
            // must be. A sweep (not one default per pass) keeps settling
            // linear in the number of constraints.
            let mut still = Vec::with_capacity(pending.len());
            let mut defaulted = false;
            for c in pending {
                if let Progress::Pending = self.narrow(&c, false)? {
                    let must_decide = match level {
                        None => true,
                        Some(level) => self.operand_deeper(&c, level),
                    };
                    if must_decide {
                        self.narrow(&c, true)?;
                        defaulted = true;
                    } else {
                        if let Some(level) = level {
                            self.st.table.lower_levels(&c.result, level);
                        }
                        still.push(c);
                    }
                }
            }
            pending = still;
            if !defaulted || self.st.table.over_budget() {
                break;
            }
        }
        self.mixed.extend(pending);
        Ok(())
    }

    /// Narrows every constraint until none makes progress; returns those
    /// still pending, in order.
    fn narrow_all(&mut self, mut pending: Vec<MixedArith>) -> Check<Vec<MixedArith>> {
        loop {
            let before = pending.len();
            let mut still = Vec::with_capacity(before);
            for c in pending {
                if let Progress::Pending = self.narrow(&c, false)? {
                    still.push(c);
                }
            }
            if still.len() == before || still.is_empty() || self.st.table.over_budget() {
                return Ok(still);
            }
            pending = still;
        }
    }

    /// Decides what can be decided of `c`; with `default`, decides it
    /// whatever is still unknown.
    fn narrow(&mut self, c: &MixedArith, default: bool) -> Check<Progress> {
        let l = self.head(&c.left);
        let r = self.head(&c.right);
        let res = self.head(&c.result);
        match (l, r) {
            (Head::Other, _) | (_, Head::Other) => self.same_types(c),
            (Head::Unknown(x), Head::Unknown(y)) if x == y => self.same_types(c),
            (Head::Tensor, other) | (other, Head::Tensor) => {
                // The operator's type is found; its use expected `result`.
                self.expect(&Type::tensor(), &c.result, c.span, None)?;
                match other {
                    Head::Unknown(_) if default => self.same_types(c),
                    Head::Unknown(_) => Ok(Progress::Pending),
                    _ => Ok(Progress::Settled),
                }
            }
            (Head::Float, Head::Float) => self.same_types(c),
            (Head::Float, Head::Unknown(_)) | (Head::Unknown(_), Head::Float) => match res {
                // float op x = tensor only when x is a tensor.
                Head::Tensor => {
                    let (unknown, at) = if l == Head::Float {
                        (&c.right, c.right_span)
                    } else {
                        (&c.left, c.left_span)
                    };
                    self.expect(unknown, &Type::tensor(), at, None)?;
                    Ok(Progress::Settled)
                }
                Head::Unknown(_) if !default => Ok(Progress::Pending),
                _ => self.same_types(c),
            },
            (Head::Unknown(_), Head::Unknown(_)) => match res {
                // Both operands may still differ (a float and a tensor).
                Head::Tensor | Head::Unknown(_) if !default => Ok(Progress::Pending),
                _ => self.same_types(c),
            },
        }
    }

    /// The ordinary case: both operands and the result have one type in
    /// the operator's class.
    fn same_types(&mut self, c: &MixedArith) -> Check<Progress> {
        self.require(&c.left, c.class, c.left_span, c.span)?;
        let reason = Reason {
            span: c.left_span,
            because: "the other operand".to_string(),
        };
        self.expect(&c.right, &c.left, c.right_span, Some(reason))?;
        self.expect(&c.left, &c.result, c.span, None)?;
        Ok(Progress::Settled)
    }

    fn head(&self, ty: &Type) -> Head {
        match self.st.table.resolve_ref(ty) {
            Type::Var(v) => Head::Unknown(*v),
            Type::Con(id, args) if args.is_empty() && *id == TypeId::FLOAT => Head::Float,
            Type::Con(id, args) if args.is_empty() && *id == TypeId::TENSOR => Head::Tensor,
            _ => Head::Other,
        }
    }

    /// Whether an unknown operand of `c` lives deeper than `level`, that
    /// is, would be generalised there.
    fn operand_deeper(&self, c: &MixedArith, level: u32) -> bool {
        [&c.left, &c.right]
            .into_iter()
            .any(|ty| match self.head(ty) {
                Head::Unknown(v) => self.st.table.var_info(v).is_some_and(|(l, _)| l > level),
                _ => false,
            })
    }
}
