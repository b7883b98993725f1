//! Types as written (`TypeExpr`) to types.
//!
//! Three kinds of places write types, differing in what a type variable
//! and an arrow mean: annotations (`'a` is any type, shared within the
//! top-level item; arrows may have any effect), declarations (`'a` must
//! be a parameter; stored arrows are pure) and primitives (every `'a` is
//! quantified; primitives cannot shift).

use super::env::TypeDefKind;
use super::error::TypeError;
use super::infer::{Check, Infer};
use super::types::{Effect, Type, TypeId, GENERIC};
use crate::syntax::ast::{Span, TypeExpr, TypeExprKind};
use std::collections::HashMap;

pub enum TypeVars {
    Annotation,
    Declaration(HashMap<String, Type>),
    Primitive(HashMap<String, Type>),
}

/// An alias of the type group being declared, converted on first use so
/// aliases may refer to each other in any order.
#[derive(Clone)]
pub struct PendingAlias {
    pub name: String,
    pub span: Span,
    pub params: Vec<(String, Type)>,
    pub body: TypeExpr,
}

impl Infer<'_> {
    pub fn convert_annotation(&mut self, t: &TypeExpr) -> Check<Type> {
        self.convert_type(t, &mut TypeVars::Annotation)
    }

    pub fn convert_type(&mut self, t: &TypeExpr, vars: &mut TypeVars) -> Check<Type> {
        match &t.kind {
            TypeExprKind::Var(name) => match vars {
                TypeVars::Annotation => {
                    if let Some(ty) = self.annotation_vars.get(name) {
                        return Ok(ty.clone());
                    }
                    let ty = self.fresh();
                    self.annotation_vars.insert(name.clone(), ty.clone());
                    Ok(ty)
                }
                TypeVars::Declaration(params) => {
                    params
                        .get(name)
                        .cloned()
                        .ok_or_else(|| TypeError::UnboundTypeVariable {
                            name: name.clone(),
                            span: t.span,
                        })
                }
                TypeVars::Primitive(seen) => {
                    if let Some(ty) = seen.get(name) {
                        return Ok(ty.clone());
                    }
                    let ty = self.st.table.fresh(GENERIC);
                    seen.insert(name.clone(), ty.clone());
                    Ok(ty)
                }
            },
            TypeExprKind::Tuple(items) => {
                let mut converted = Vec::with_capacity(items.len());
                for item in items {
                    converted.push(self.convert_type(item, vars)?);
                }
                Ok(Type::Tuple(converted))
            }
            TypeExprKind::Arrow(a, b) => {
                let a = self.convert_type(a, vars)?;
                let b = self.convert_type(b, vars)?;
                let effect = match vars {
                    TypeVars::Annotation => self.st.table.fresh_effect(self.level),
                    _ => Effect::Pure,
                };
                Ok(Type::arrow(a, b, effect))
            }
            TypeExprKind::Con(path, args) => {
                let found = self
                    .st
                    .modules
                    .lookup_in(&self.current, &path.modules, |env| {
                        env.types.get(&path.name).copied()
                    })
                    .map_err(|m| TypeError::UnboundModule {
                        name: m,
                        span: t.span,
                    })?;
                let Some(id) = found else {
                    return Err(TypeError::UnboundType {
                        name: path.to_string(),
                        span: t.span,
                    });
                };
                let mut converted = Vec::with_capacity(args.len());
                for arg in args {
                    converted.push(self.convert_type(arg, vars)?);
                }
                self.apply_type_constructor(id, converted, t.span, &path.to_string())
            }
        }
    }

    fn apply_type_constructor(
        &mut self,
        id: TypeId,
        args: Vec<Type>,
        span: Span,
        name: &str,
    ) -> Check<Type> {
        if self.pending_aliases.contains_key(&id) {
            self.resolve_pending_alias(id)?;
        }
        let Some(def) = self.st.defs.get(id.0 as usize) else {
            return Err(TypeError::UnboundType {
                name: name.to_string(),
                span,
            });
        };
        if def.params.len() != args.len() {
            return Err(TypeError::TypeArity {
                name: name.to_string(),
                expected: def.params.len(),
                found: args.len(),
                span,
            });
        }
        if let TypeDefKind::Alias(body) = &def.kind {
            let subst: HashMap<u32, Type> = def.params.iter().copied().zip(args).collect();
            let expanded = self.st.table.substitute(body, &subst);
            if self.st.table.over_budget() {
                return Err(TypeError::TooComplex { span });
            }
            return Ok(expanded);
        }
        Ok(Type::Con(id, args))
    }

    /// Converts the body of an alias of the group being declared.
    pub fn resolve_pending_alias(&mut self, id: TypeId) -> Check<()> {
        let Some(alias) = self.pending_aliases.get(&id).cloned() else {
            return Ok(());
        };
        if !self.aliases_in_progress.insert(id) {
            return Err(TypeError::RecursiveAlias {
                name: alias.name,
                span: alias.span,
            });
        }
        let mut vars = TypeVars::Declaration(alias.params.iter().cloned().collect());
        let body = self.convert_type(&alias.body, &mut vars);
        self.aliases_in_progress.remove(&id);
        let body = body?;
        if let Some(def) = self.st.defs.get_mut(id.0 as usize) {
            def.kind = TypeDefKind::Alias(body);
        }
        self.pending_aliases.remove(&id);
        Ok(())
    }
}
