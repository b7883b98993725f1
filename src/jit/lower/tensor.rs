//! Operators on values only the runtime computes with: tensors, a float
//! broadcast over a tensor, and tracked floats (tracked mode). They call
//! the runtime's operators, as the interpreter does, so the kernels, the
//! broadcasting, the errors and the derivatives are the same.

use super::{ir_type, not_compiled, FnLower};
use crate::jit::abi::operator_code;
use crate::jit::ir::{self, RuntimeFn, Ty};
use crate::runtime::error::RuntimeError;
use crate::syntax::ast::{BinOp, Expr, Span};
use crate::types::resolved::OpInstance;
use crate::types::{Type, TypeInfo};

impl<'a> FnLower<'_, 'a> {
    /// `lhs op rhs` on tensors or tracked floats; `None` for the operators
    /// generated code computes itself.
    pub(super) fn value_operator(
        &mut self,
        e: &'a Expr<TypeInfo>,
        op: BinOp,
        instance: &OpInstance,
        lhs: &'a Expr<TypeInfo>,
        rhs: &'a Expr<TypeInfo>,
    ) -> Result<Option<ir::Expr>, RuntimeError> {
        let on_values = match instance {
            OpInstance::FloatTensor | OpInstance::TensorFloat => true,
            OpInstance::Same(ty) => {
                *ty == Type::tensor()
                    || (*ty == Type::float() && self.mode.repr(ir_type(ty, e.span)?) == Ty::Val)
            }
        };
        if !on_values {
            return Ok(None);
        }
        let code = operator_code(op)
            .ok_or_else(|| not_compiled(&format!("`{}` here", op.symbol()), e.span))?;
        let x = self.operand(lhs)?;
        let y = self.operand(rhs)?;
        let comparison = matches!(
            op,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge
        );
        let entry = if comparison {
            RuntimeFn::Test
        } else {
            RuntimeFn::Operator
        };
        let span = self.span(e.span);
        Ok(Some(ir::Expr::Runtime {
            entry,
            args: vec![ir::Expr::Int(code), x, y],
            span,
        }))
    }

    /// An operand as a `val` (a plain float is boxed).
    fn operand(&mut self, operand: &'a Expr<TypeInfo>) -> Result<ir::Expr, RuntimeError> {
        let value = self.expr(operand, false)?;
        let ty = self.ty(operand)?;
        self.boxed(value, ty, operand.span)
    }

    /// Unary `-` of a tensor or a tracked float.
    pub(super) fn negate(&mut self, x: ir::Expr, span: Span) -> ir::Expr {
        let span = self.span(span);
        ir::Expr::Runtime {
            entry: RuntimeFn::Negate,
            args: vec![x],
            span,
        }
    }
}
