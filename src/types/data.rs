//! Typing of constructed data: variant constructors, records (creation,
//! update, field access) and the lookups they share with patterns.

use super::error::{Reason, TypeError};
use super::infer::{Check, Infer, Typed};
use super::resolved::{CtorRef, FieldRef};
use super::types::{Effect, Type, TypeId};
use super::TypeInfo;
use crate::syntax::ast::{Expr, ExprKind, FieldExpr, Path, Span, UntypedExpr};
use std::collections::HashMap;

/// A record type with fresh parameters: the type, its id and its fields
/// with their types in declaration order.
pub type RecordInstance = (Type, TypeId, Vec<(String, Type)>);

impl Infer<'_> {
    pub fn infer_field(
        &mut self,
        record: UntypedExpr,
        name: String,
        name_span: Span,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (record, shifts, _, field, ty) =
            self.infer_record_with_field(record, &name, name_span, ctx)?;
        Ok(self.node(
            ExprKind::Field(Box::new(record), name, name_span, field),
            span,
            ty,
            shifts,
            ctx,
        ))
    }

    /// `record.name <- value`, of type `unit`: the field must be declared
    /// `mutable`, which is checked before the value is.
    pub fn infer_field_set(
        &mut self,
        record: UntypedExpr,
        (name, name_span): (String, Span),
        value: UntypedExpr,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (record, s1, record_ty, field, ty) =
            self.infer_record_with_field(record, &name, name_span, ctx)?;
        if !field.mutable {
            let mut p = self.printer();
            return Err(TypeError::ImmutableField {
                record: p.type_text(&record_ty),
                field_type: p.type_text(&ty),
                name,
                span: name_span,
            });
        }
        let (value, s2) = self.infer_expr(value, ctx)?;
        let reason = Reason {
            span: name_span,
            because: format!("the field `{name}`"),
        };
        self.expect(&value.ann.ty, &ty, value.span, Some(reason))?;
        Ok(self.node(
            ExprKind::FieldSet(Box::new(record), name, name_span, field, Box::new(value)),
            span,
            Type::unit(),
            s1 || s2,
            ctx,
        ))
    }

    /// `record`, checked to be of the record type with the field `name`:
    /// the typed record, whether it shifts, its type, the field and the
    /// field's type.
    fn infer_record_with_field(
        &mut self,
        record: UntypedExpr,
        name: &str,
        name_span: Span,
        ctx: &Effect,
    ) -> Check<(Expr<TypeInfo>, bool, Type, FieldRef, Type)> {
        let (record, shifts) = self.infer_expr(record, ctx)?;
        let (record_ty, record_id, fields) = self.instantiate_record_of_field(name, name_span)?;
        self.expect(&record.ann.ty, &record_ty, record.span, None)?;
        let (index, ty) = field_type(&fields, name, name_span)?;
        let field = self.field_ref(record_id, index);
        Ok((record, shifts, record_ty, field, ty))
    }

    /// The field at declared `index` of the record type `record`.
    pub fn field_ref(&self, record: TypeId, index: u32) -> FieldRef {
        let mutable = match self.st.defs.get(record.0 as usize).map(|d| &d.kind) {
            Some(super::env::TypeDefKind::Record(fields)) => {
                fields.get(index as usize).is_some_and(|f| f.mutable)
            }
            _ => false,
        };
        FieldRef {
            record,
            index,
            mutable,
        }
    }

    pub fn infer_constructor(
        &mut self,
        path: Path,
        arg: Option<Box<UntypedExpr>>,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (result, ctor_arg, ctor) = self.instantiate_constructor(&path, span)?;
        match (arg, ctor_arg) {
            (None, None) => Ok(self.node(
                ExprKind::Constructor(path, ctor, None),
                span,
                result,
                false,
                ctx,
            )),
            (Some(arg), Some(expected)) => {
                let (arg, shifts) = self.infer_expr(*arg, ctx)?;
                let reason = Reason {
                    span,
                    because: format!("the constructor `{path}`"),
                };
                self.expect(&arg.ann.ty, &expected, arg.span, Some(reason))?;
                Ok(self.node(
                    ExprKind::Constructor(path, ctor, Some(Box::new(arg))),
                    span,
                    result,
                    shifts,
                    ctx,
                ))
            }
            (given, _) => Err(TypeError::ConstructorArity {
                name: path.to_string(),
                takes_argument: given.is_none(),
                span,
            }),
        }
    }

    /// A constructor's result type and argument type, with fresh
    /// variables for the type's parameters, and which constructor it is.
    pub fn instantiate_constructor(
        &mut self,
        path: &Path,
        span: Span,
    ) -> Check<(Type, Option<Type>, CtorRef)> {
        let found = self
            .st
            .modules
            .lookup_in(&self.current, &path.modules, |env| {
                env.ctors.get(&path.name).copied()
            })
            .map_err(|m| TypeError::UnboundModule { name: m, span })?;
        let Some((id, index)) = found else {
            return Err(TypeError::UnboundConstructor {
                name: path.to_string(),
                span,
            });
        };
        let (args, subst) = self.instantiate_params(id);
        let arg = match self.st.defs.get(id.0 as usize).map(|d| &d.kind) {
            Some(super::env::TypeDefKind::Variant(ctors)) => {
                ctors.get(index).and_then(|c| c.arg.clone())
            }
            _ => None,
        };
        let ctor = CtorRef {
            ty: id,
            tag: index as u32,
        };
        Ok((
            Type::Con(id, args),
            arg.map(|a| self.st.table.substitute(&a, &subst)),
            ctor,
        ))
    }

    pub fn instantiate_params(&mut self, id: TypeId) -> (Vec<Type>, HashMap<u32, Type>) {
        let params = self
            .st
            .defs
            .get(id.0 as usize)
            .map(|d| d.params.clone())
            .unwrap_or_default();
        let args: Vec<Type> = params.iter().map(|_| self.fresh()).collect();
        let subst = params.iter().copied().zip(args.iter().cloned()).collect();
        (args, subst)
    }

    /// The record type a record expression or pattern names through its
    /// first field; `{}` (no field at all) names none.
    pub fn instantiate_record_of_first_field(
        &mut self,
        first: Option<(&str, Span)>,
        span: Span,
    ) -> Check<RecordInstance> {
        let Some((name, name_span)) = first else {
            return Err(TypeError::UnboundField {
                name: "{}".to_string(),
                span,
                record: None,
            });
        };
        self.instantiate_record_of_field(name, name_span)
    }

    /// The record type declaring `field` (fresh parameters), its id and
    /// its fields in declaration order.
    pub fn instantiate_record_of_field(
        &mut self,
        field: &str,
        span: Span,
    ) -> Check<RecordInstance> {
        let Some(id) = self.record_of_field(field) else {
            return Err(TypeError::UnboundField {
                name: field.to_string(),
                span,
                record: None,
            });
        };
        let (args, subst) = self.instantiate_params(id);
        let fields = match self.st.defs.get(id.0 as usize).map(|d| &d.kind) {
            Some(super::env::TypeDefKind::Record(fields)) => fields
                .iter()
                .map(|f| (f.name.clone(), self.st.table.substitute(&f.ty, &subst)))
                .collect(),
            _ => Vec::new(),
        };
        Ok((Type::Con(id, args), id, fields))
    }

    /// Fields are found in scope first, then in any module (so `p.x`
    /// works on a record of an imported module without opening it).
    pub fn record_of_field(&self, field: &str) -> Option<TypeId> {
        if let Ok(Some(id)) = self
            .st
            .modules
            .lookup_in(&self.current, &[], |env| env.fields.get(field).copied())
        {
            return Some(id);
        }
        let mut modules: Vec<&String> = self.st.modules.envs.keys().collect();
        modules.sort();
        modules.into_iter().find_map(|m| {
            self.st
                .modules
                .envs
                .get(m)
                .and_then(|env| env.fields.get(field).copied())
        })
    }

    pub fn infer_record(
        &mut self,
        fields: Vec<FieldExpr<()>>,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let first = fields.first().map(|f| (f.name.as_str(), f.name_span));
        let (record_ty, record, declared) = self.instantiate_record_of_first_field(first, span)?;
        let (typed, shifts) =
            self.infer_field_values(fields, (&record_ty, record), &declared, ctx)?;
        let missing: Vec<String> = declared
            .iter()
            .filter(|(name, _)| !typed.iter().any(|f| &f.name == name))
            .map(|(name, _)| name.clone())
            .collect();
        if !missing.is_empty() {
            return Err(TypeError::MissingFields {
                record: self.printer().type_text(&record_ty),
                fields: missing,
                span,
            });
        }
        Ok(self.node(ExprKind::Record(typed), span, record_ty, shifts, ctx))
    }

    pub fn infer_record_update(
        &mut self,
        base: UntypedExpr,
        fields: Vec<FieldExpr<()>>,
        span: Span,
        ctx: &Effect,
    ) -> Check<Typed> {
        let (base, s1) = self.infer_expr(base, ctx)?;
        let Some(first) = fields.first() else {
            let ty = base.ann.ty.clone();
            return Ok(self.node(
                ExprKind::RecordUpdate(Box::new(base), Vec::new()),
                span,
                ty,
                s1,
                ctx,
            ));
        };
        let (record_ty, record, declared) =
            self.instantiate_record_of_field(&first.name, first.name_span)?;
        self.expect(&base.ann.ty, &record_ty, base.span, None)?;
        let (typed, s2) = self.infer_field_values(fields, (&record_ty, record), &declared, ctx)?;
        Ok(self.node(
            ExprKind::RecordUpdate(Box::new(base), typed),
            span,
            record_ty,
            s1 || s2,
            ctx,
        ))
    }

    pub fn infer_field_values(
        &mut self,
        fields: Vec<FieldExpr<()>>,
        (record_ty, record): (&Type, TypeId),
        declared: &[(String, Type)],
        ctx: &Effect,
    ) -> Check<(Vec<FieldExpr<TypeInfo>>, bool)> {
        let mut typed: Vec<FieldExpr<TypeInfo>> = Vec::with_capacity(fields.len());
        let mut shifts = false;
        for field in fields {
            let Some((index, (_, expected))) = declared
                .iter()
                .enumerate()
                .find(|(_, (n, _))| *n == field.name)
            else {
                return Err(TypeError::UnboundField {
                    name: field.name,
                    span: field.name_span,
                    record: Some(self.printer().type_text(record_ty)),
                });
            };
            if typed.iter().any(|f| f.name == field.name) {
                return Err(TypeError::DuplicateField {
                    name: field.name,
                    span: field.name_span,
                });
            }
            let (value, s) = self.infer_expr(field.value, ctx)?;
            shifts |= s;
            let reason = Reason {
                span: field.name_span,
                because: format!("the field `{}`", field.name),
            };
            self.expect(&value.ann.ty, expected, value.span, Some(reason))?;
            typed.push(FieldExpr {
                name: field.name,
                name_span: field.name_span,
                field: self.field_ref(record, index as u32),
                value,
            });
        }
        Ok((typed, shifts))
    }
}

/// The declared position and type of the field `name`.
fn field_type(fields: &[(String, Type)], name: &str, span: Span) -> Check<(u32, Type)> {
    fields
        .iter()
        .enumerate()
        .find(|(_, (n, _))| n == name)
        .map(|(i, (_, t))| (i as u32, t.clone()))
        .ok_or_else(|| TypeError::UnboundField {
            name: name.to_string(),
            span,
            record: None,
        })
}
