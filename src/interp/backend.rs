//! The interpreter as a [`Backend`]: each method is one of its own.

use super::Interpreter;
use crate::backend::Backend;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::value::Value;
use crate::syntax::ast::{Expr, Item};
use crate::types::TypeInfo;

impl Backend for Interpreter {
    fn run_module(
        &mut self,
        module: Option<&str>,
        items: &[Item<TypeInfo>],
    ) -> Result<(), RuntimeError> {
        Interpreter::run_module(self, module, items)
    }

    fn eval_expr(&mut self, expr: &Expr<TypeInfo>) -> Result<Value, RuntimeError> {
        self.eval_repl_expr(expr)
    }

    fn top_level_value(&self, name: &str) -> Option<Value> {
        self.lookup_global(name)
    }

    fn ctx_mut(&mut self) -> &mut RuntimeCtx {
        Interpreter::ctx_mut(self)
    }
}
