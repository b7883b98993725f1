//! Lowering data values: tuples, lists, arrays, records, constructors and
//! refs, their operators (`::`, `++`, `^`, structural comparison) and
//! boxing at the boundary between unboxed scalars and `val`s.
//!
//! Data are the runtime's own `Value`s, built and read through the
//! entries of [`DataFn`], so printing, `=`, `compare` and every primitive
//! see what the interpreter's values are. A scalar stored into data is
//! boxed, and a part read back is unboxed by its static type: in a
//! function, `int`, `float`, `bool` and `unit` stay machine values.

#![forbid(unsafe_code)]

use super::{not_compiled, FnLower};
use crate::jit::ir::{self, Compare, DataFn, RecordShape, RuntimeFn, Ty};
use crate::runtime::error::RuntimeError;
use crate::syntax::ast::{BinOp, Expr, ExprKind, FieldExpr, Span};
use crate::types::TypeInfo;
use std::rc::Rc;

impl<'a> FnLower<'_, 'a> {
    /// A data construct of `ExprKind` (the callers route only those here).
    pub(super) fn data(&mut self, e: &'a Expr<TypeInfo>) -> Result<ir::Expr, RuntimeError> {
        Ok(match &e.kind {
            ExprKind::Tuple(items) => self.build(DataFn::Tuple, items, e.span)?,
            ExprKind::List(items) => self.build(DataFn::List, items, e.span)?,
            ExprKind::Array(items) => self.build(DataFn::Array, items, e.span)?,
            ExprKind::Constructor(path, ctor, arg) => {
                let tag = ir::Expr::Int(i64::from(ctor.tag));
                let name = ir::Expr::Int(self.string(&path.name));
                match arg {
                    None => self.entry(DataFn::ConstantVariant, vec![tag, name], e.span),
                    Some(arg) => {
                        let arg = self.boxed(arg)?;
                        self.entry(DataFn::Variant, vec![tag, name, arg], e.span)
                    }
                }
            }
            ExprKind::Record(fields) => {
                let layout = fields
                    .first()
                    .and_then(|f| self.lowering.layouts.get(&f.field.record))
                    .cloned()
                    .ok_or_else(|| not_compiled("a record of no known type", e.span))?;
                let shape = self.record_shape(layout, fields);
                let values = self.boxed_fields(fields)?;
                self.entry(DataFn::Record(shape), values, e.span)
            }
            ExprKind::RecordUpdate(base, fields) => {
                let shape = self.record_shape(Default::default(), fields);
                let mut parts = vec![self.expr(base, false)?];
                parts.extend(self.boxed_fields(fields)?);
                self.entry(DataFn::RecordUpdate(shape), parts, e.span)
            }
            ExprKind::Field(record, _, _, field) => {
                let record = self.expr(record, false)?;
                let index = ir::Expr::Int(i64::from(field.index));
                let value = self.entry(DataFn::Field, vec![record, index], e.span);
                self.unboxed(value, self.ty(e)?, e.span)
            }
            ExprKind::FieldSet(record, _, _, field, value) => {
                let parts = vec![
                    self.expr(record, false)?,
                    ir::Expr::Int(i64::from(field.index)),
                    self.boxed(value)?,
                ];
                self.entry(DataFn::FieldSet, parts, e.span)
            }
            ExprKind::Index(array, index) => {
                let parts = vec![self.expr(array, false)?, self.expr(index, false)?];
                let value = self.entry(DataFn::Index, parts, e.span);
                self.unboxed(value, self.ty(e)?, e.span)
            }
            ExprKind::IndexSet(array, index, value) => {
                let parts = vec![
                    self.expr(array, false)?,
                    self.expr(index, false)?,
                    self.boxed(value)?,
                ];
                self.entry(DataFn::IndexSet, parts, e.span)
            }
            ExprKind::Ref(value) => {
                let value = self.boxed(value)?;
                self.entry(DataFn::MakeRef, vec![value], e.span)
            }
            ExprKind::Deref(cell) => {
                if let Some(read) = self.local_ref_read(e, cell)? {
                    return Ok(read);
                }
                let cell = self.expr(cell, false)?;
                let value = self.entry(DataFn::Deref, vec![cell], e.span);
                self.unboxed(value, self.ty(e)?, e.span)
            }
            ExprKind::Assign(cell, value) => {
                if let Some(write) = self.local_ref_write(cell, value)? {
                    return Ok(write);
                }
                let parts = vec![self.expr(cell, false)?, self.boxed(value)?];
                self.entry(DataFn::Assign, parts, e.span)
            }
            _ => return Err(not_compiled("this expression", e.span)),
        })
    }

    /// `::`, `++`, and `= <> < > <= >=` on operands that are not
    /// machine scalars (`None` for another operator): the runtime's own
    /// operators on boxed operands, evaluated left to right.
    pub(super) fn data_operator(
        &mut self,
        e: &'a Expr<TypeInfo>,
        op: BinOp,
        lhs: &'a Expr<TypeInfo>,
        rhs: &'a Expr<TypeInfo>,
    ) -> Result<Option<ir::Expr>, RuntimeError> {
        let entry = match op {
            BinOp::Cons => DataFn::Cons,
            BinOp::Eq => DataFn::Structural(Compare::Eq),
            BinOp::Ne => DataFn::Structural(Compare::Ne),
            BinOp::Lt => DataFn::Structural(Compare::Lt),
            BinOp::Le => DataFn::Structural(Compare::Le),
            BinOp::Gt => DataFn::Structural(Compare::Gt),
            BinOp::Ge => DataFn::Structural(Compare::Ge),
            _ => return Ok(None),
        };
        let parts = vec![self.boxed(lhs)?, self.boxed(rhs)?];
        Ok(Some(self.entry(entry, parts, e.span)))
    }

    /// An expression's value as a `val`: scalars are boxed.
    pub(super) fn boxed(&mut self, e: &'a Expr<TypeInfo>) -> Result<ir::Expr, RuntimeError> {
        let value = self.expr(e, false)?;
        let ty = self.ty(e)?;
        Ok(self.boxed_value(value, ty, e.span))
    }

    /// `value` (of IR type `ty`) as a `val`.
    pub(super) fn boxed_value(&mut self, value: ir::Expr, ty: Ty, span: Span) -> ir::Expr {
        let span = self.span(span);
        self.coerce(value, ty, Ty::Val, span)
    }

    /// A `val` as a value of IR type `ty`: scalars are unboxed (a `unit`
    /// is evaluated and dropped).
    pub(super) fn unboxed(&mut self, value: ir::Expr, ty: Ty, span: Span) -> ir::Expr {
        let span = self.span(span);
        self.coerce(value, Ty::Val, ty, span)
    }

    /// A call of a data entry at `span`.
    pub(super) fn entry(&mut self, op: DataFn, args: Vec<ir::Expr>, span: Span) -> ir::Expr {
        self.runtime(RuntimeFn::Data(op), args, span)
    }

    fn runtime(&mut self, entry: RuntimeFn, args: Vec<ir::Expr>, span: Span) -> ir::Expr {
        let span = self.span(span);
        ir::Expr::Runtime { entry, args, span }
    }

    /// The index of a string constant (a literal, a constructor's name).
    pub(super) fn string(&mut self, text: &str) -> i64 {
        let strings = &mut self.lowering.program.strings;
        strings.push(Rc::from(text));
        strings.len() as i64 - 1
    }

    fn build(
        &mut self,
        op: DataFn,
        items: &'a [Expr<TypeInfo>],
        span: Span,
    ) -> Result<ir::Expr, RuntimeError> {
        let mut parts = Vec::with_capacity(items.len());
        for item in items {
            parts.push(self.boxed(item)?);
        }
        Ok(self.entry(op, parts, span))
    }

    fn boxed_fields(
        &mut self,
        fields: &'a [FieldExpr<TypeInfo>],
    ) -> Result<Vec<ir::Expr>, RuntimeError> {
        fields.iter().map(|f| self.boxed(&f.value)).collect()
    }

    /// A new entry of [`ir::Program::records`]: `layout` (empty for an
    /// update, which keeps its base's) and the fields given, in order.
    fn record_shape(
        &mut self,
        layout: crate::runtime::value::RecordLayout,
        fields: &[FieldExpr<TypeInfo>],
    ) -> u32 {
        let records = &mut self.lowering.program.records;
        records.push(RecordShape {
            layout,
            fields: fields.iter().map(|f| f.field.index as usize).collect(),
        });
        records.len() as u32 - 1
    }
}
