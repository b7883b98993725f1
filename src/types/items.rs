//! Top-level items, `let` groups (top level and local), type
//! declarations, and the built-in types and primitives.

use super::convert::{PendingAlias, TypeVars};
use super::env::{module_name, CtorDef, FieldDef, TypeDef, TypeDefKind, ValueEntry, PRELUDE};
use super::error::TypeError;
use super::infer::{Check, Infer};
use super::pattern::Bind;
use super::resolved::{PrimId, VarTarget};
use super::types::{Class, Effect, Type, TypeId, GENERIC};
use super::{CheckedModule, State, TypeInfo};
use crate::syntax::ast::{
    Binding, Expr, ExprKind, Item, ItemKind, LetGroup, PatternKind, TypeBody, TypeDecl,
    UntypedExpr, UntypedItem, UntypedPattern,
};
use std::collections::HashMap;

/// Registers the built-in types, `option`'s constructors and every
/// primitive. Returns the primitives whose type could not be read.
pub fn load_builtins(state: &mut State) -> Vec<String> {
    let builtins: [(TypeId, &str, usize); 12] = [
        (TypeId::INT, "int", 0),
        (TypeId::FLOAT, "float", 0),
        (TypeId::BOOL, "bool", 0),
        (TypeId::STRING, "string", 0),
        (TypeId::UNIT, "unit", 0),
        (TypeId::TENSOR, "tensor", 0),
        (TypeId::LIST, "list", 1),
        (TypeId::ARRAY, "array", 1),
        (TypeId::REF, "ref", 1),
        (TypeId::OPTION, "option", 1),
        (TypeId::OPTIMIZER, "optimizer", 0),
        (TypeId::EXN, "exn", 0),
    ];
    for (id, name, arity) in builtins {
        debug_assert_eq!(id.0 as usize, state.defs.len());
        let params: Vec<u32> = (0..arity).map(|_| state.table.fresh_var(GENERIC)).collect();
        let kind = if id == TypeId::EXN {
            // Its constructors are added below, once types can be read.
            TypeDefKind::Variant(Vec::new())
        } else if id == TypeId::OPTION {
            TypeDefKind::Variant(vec![
                CtorDef {
                    name: "None".to_string(),
                    arg: None,
                },
                CtorDef {
                    name: "Some".to_string(),
                    arg: Some(Type::Var(params[0])),
                },
            ])
        } else {
            TypeDefKind::Builtin
        };
        state.defs.push(TypeDef {
            name: name.to_string(),
            module: None,
            params,
            kind,
        });
        state
            .modules
            .env_mut(PRELUDE)
            .types
            .insert(name.to_string(), id);
    }
    let prelude = state.modules.env_mut(PRELUDE);
    prelude
        .ctors
        .insert("None".to_string(), (TypeId::OPTION, 0));
    prelude
        .ctors
        .insert("Some".to_string(), (TypeId::OPTION, 1));
    state.modules.env_mut(super::env::MAIN);

    let mut problems = Vec::new();
    let mut infer = Infer::new(state, PRELUDE.to_string());
    for (name, arg) in crate::runtime::exn::BUILTIN_EXCEPTIONS {
        let arg = if arg.is_empty() {
            None
        } else {
            match infer.primitive_type(arg) {
                Ok(ty) => Some(ty),
                Err(e) => {
                    problems.push(format!("exception {name}: `{arg}`: {e}"));
                    None
                }
            }
        };
        let index = infer.add_exception_constructor(CtorDef {
            name: name.to_string(),
            arg,
        });
        infer
            .st
            .modules
            .env_mut(PRELUDE)
            .ctors
            .insert(name.to_string(), (TypeId::EXN, index));
    }
    for (index, prim) in crate::runtime::prims::PRIMS.iter().enumerate() {
        let module = if prim.module.is_empty() {
            PRELUDE
        } else {
            prim.module
        };
        match infer.primitive_type(prim.ty) {
            Ok(ty) => {
                let entry = ValueEntry {
                    ty,
                    target: VarTarget::Prim(PrimId(index as u32)),
                };
                infer
                    .st
                    .modules
                    .env_mut(module)
                    .values
                    .insert(prim.name.to_string(), entry);
            }
            Err(e) => problems.push(format!("{module}.{}: `{}`: {e}", prim.name, prim.ty)),
        }
    }
    problems
}

impl Infer<'_> {
    pub(super) fn primitive_type(&mut self, text: &str) -> Result<Type, String> {
        let (texpr, constraints) = crate::syntax::parse::parse_type_scheme(text)?;
        let mut vars = TypeVars::Primitive(HashMap::new());
        let ty = self
            .convert_type(&texpr, &mut vars)
            .map_err(|e| e.to_diagnostic().message)?;
        let TypeVars::Primitive(vars) = vars else {
            return Err("internal: variables lost".to_string());
        };
        for (var, class) in constraints {
            let class =
                Class::from_name(&class).ok_or_else(|| format!("unknown class `{class}`"))?;
            let var_ty = vars
                .get(&var)
                .ok_or_else(|| format!("`'{var}` is not in the type"))?;
            let st = &mut *self.st;
            st.table
                .require_class(&st.defs, var_ty, class, None)
                .map_err(|_| format!("`'{var}` cannot be in class `{}`", class.name()))?;
        }
        Ok(ty)
    }

    pub fn check_items(&mut self, items: Vec<UntypedItem>) -> Check<CheckedModule> {
        let mut typed = Vec::with_capacity(items.len());
        let mut bindings = Vec::new();
        self.st.modules.env_mut(&self.current.clone());
        for item in items {
            self.annotation_vars.clear();
            let span = item.span;
            let kind = match item.kind {
                ItemKind::Let(group) => {
                    let (group, binds) = self.infer_let_group(group, &Effect::Pure, true)?;
                    self.settle_all_mixed()?;
                    if self.st.table.over_budget() {
                        return Err(TypeError::TooComplex { span });
                    }
                    self.run_equality_checks()?;
                    let current = self.current.clone();
                    for (name, _, ty, binder) in binds {
                        let printed = self.bindings_printer().scheme(&self.st.table.zonk(&ty));
                        bindings.push((name.clone(), printed));
                        let entry = ValueEntry {
                            ty,
                            target: binder.target(),
                        };
                        self.st.modules.env_mut(&current).values.insert(name, entry);
                    }
                    let mut group = group;
                    self.zonk_let_group(&mut group);
                    if self.st.table.over_budget() {
                        return Err(TypeError::TooComplex { span });
                    }
                    ItemKind::Let(group)
                }
                ItemKind::Type(decls, ()) => {
                    let ids = self.declare_types(&decls)?;
                    if self.st.table.over_budget() {
                        return Err(TypeError::TooComplex { span });
                    }
                    ItemKind::Type(decls, ids)
                }
                ItemKind::Open(path) => {
                    let name = module_name(&path);
                    if self.st.modules.env(&name).is_none() {
                        return Err(TypeError::UnboundModule { name, span });
                    }
                    let current = self.current.clone();
                    self.st.modules.env_mut(&current).opens.push(name);
                    ItemKind::Open(path)
                }
                ItemKind::Import(name) => ItemKind::Import(name),
                ItemKind::Exception(decl) => {
                    self.declare_exception(&decl)?;
                    ItemKind::Exception(decl)
                }
            };
            typed.push(Item { kind, span });
        }
        Ok(CheckedModule {
            items: typed,
            warnings: std::mem::take(&mut self.warnings),
            bindings,
        })
    }

    /// A REPL expression, checked like the right side of a top-level
    /// `let`: its type is generalised when it is a value.
    pub fn check_toplevel_expr(
        &mut self,
        expr: UntypedExpr,
    ) -> Check<(Expr<TypeInfo>, String, Vec<crate::diagnostics::Diagnostic>)> {
        self.level += 1;
        let result = self.infer_expr(expr, &Effect::Pure);
        self.level -= 1;
        let (mut expr, _) = result?;
        self.settle_all_mixed()?;
        if is_value(&expr) {
            self.st.table.generalize(&expr.ann.ty, self.level);
        } else {
            self.lower_levels(&expr.ann.ty);
        }
        self.run_equality_checks()?;
        let printed = self
            .bindings_printer()
            .scheme(&self.st.table.zonk(&expr.ann.ty));
        self.zonk_expr(&mut expr);
        if self.st.table.over_budget() {
            return Err(TypeError::TooComplex { span: expr.span });
        }
        Ok((expr, printed, std::mem::take(&mut self.warnings)))
    }

    /// Keeps a binding the value restriction does not generalise from
    /// being generalised by an enclosing `let` either.
    fn lower_levels(&mut self, ty: &Type) {
        self.st.table.lower_levels(ty, self.level);
    }

    /// `let … in body`: binds the group's variables for `body`. The caller
    /// restores the local scope.
    pub fn infer_let_in(
        &mut self,
        group: LetGroup<()>,
        body: UntypedExpr,
        ctx: &Effect,
    ) -> Check<(LetGroup<TypeInfo>, Expr<TypeInfo>, bool)> {
        let (group, binds) = self.infer_let_group(group, ctx, false)?;
        let shifts = group
            .bindings
            .iter()
            .any(|b| b.expr.ann.effect != Effect::Pure);
        self.bind_locals(binds);
        let (body, body_shifts) = self.infer_expr(body, ctx)?;
        Ok((group, body, shifts || body_shifts))
    }

    /// Infers a `let` group and generalises what the value restriction
    /// allows. Returns the typed group and the variables it binds, which
    /// are globals when `top` (a top-level `let`).
    pub fn infer_let_group(
        &mut self,
        group: LetGroup<()>,
        ctx: &Effect,
        top: bool,
    ) -> Check<(LetGroup<TypeInfo>, Vec<Bind>)> {
        if group.recursive {
            return self.infer_let_rec(group, ctx, top);
        }
        let mixed_mark = self.mixed_mark();
        self.level += 1;
        let mut typed = Vec::with_capacity(group.bindings.len());
        let mut all_binds: Vec<Bind> = Vec::new();
        let result = (|| {
            for binding in group.bindings {
                // The pattern first, so that a mismatch blames the
                // expression against the pattern's (annotated) type.
                let bound = self.fresh();
                let (pattern, binds) = self.check_binding_pattern(binding.pattern, &bound, top)?;
                let (expr, _) = self.infer_expr(binding.expr, ctx)?;
                let reason = match &pattern.kind {
                    PatternKind::Annot(_, t) => super::error::Reason {
                        span: t.span,
                        because: "this annotation".to_string(),
                    },
                    _ => super::error::Reason {
                        span: pattern.span,
                        because: "this pattern".to_string(),
                    },
                };
                self.expect(&expr.ann.ty, &bound, expr.span, Some(reason))?;
                for bind in binds {
                    if all_binds.iter().any(|(n, _, _, _)| *n == bind.0) {
                        return Err(TypeError::PatternVarTwice {
                            name: bind.0,
                            span: bind.1,
                        });
                    }
                    all_binds.push(bind);
                }
                typed.push(Binding {
                    pattern,
                    expr,
                    span: binding.span,
                });
            }
            Ok(())
        })();
        self.level -= 1;
        result?;
        let values = typed.iter().all(|b| is_value(&b.expr));
        // What is not generalised stays monomorphic, so its undecided
        // operators may wait for an enclosing `let`.
        if values {
            self.settle_mixed(mixed_mark, self.level)?;
        }
        for b in &typed {
            self.warn_refutable(&b.pattern, "`let` pattern");
        }
        for (_, _, ty, _) in &all_binds {
            if values {
                self.st.table.generalize(ty, self.level);
            } else {
                self.lower_levels(ty);
            }
        }
        Ok((
            LetGroup {
                recursive: false,
                bindings: typed,
            },
            all_binds,
        ))
    }

    fn infer_let_rec(
        &mut self,
        group: LetGroup<()>,
        ctx: &Effect,
        top: bool,
    ) -> Check<(LetGroup<TypeInfo>, Vec<Bind>)> {
        for binding in &group.bindings {
            if !is_rec_binding(&binding.pattern.kind, &binding.expr) {
                return Err(TypeError::LetRecNotFunction {
                    span: binding.expr.span,
                });
            }
        }
        let mixed_mark = self.mixed_mark();
        self.level += 1;
        let mark = self.locals.mark();
        let result = self.infer_let_rec_bindings(group, ctx, top);
        self.locals.reset_to(mark);
        self.level -= 1;
        let (typed, all_binds) = result?;
        self.settle_mixed(mixed_mark, self.level)?;
        for (_, _, ty, _) in &all_binds {
            self.st.table.generalize(ty, self.level);
        }
        Ok((
            LetGroup {
                recursive: true,
                bindings: typed,
            },
            all_binds,
        ))
    }

    fn infer_let_rec_bindings(
        &mut self,
        group: LetGroup<()>,
        ctx: &Effect,
        top: bool,
    ) -> Check<(Vec<Binding<TypeInfo>>, Vec<Bind>)> {
        let mut patterns = Vec::with_capacity(group.bindings.len());
        let mut all_binds: Vec<Bind> = Vec::new();
        let mut exprs = Vec::with_capacity(group.bindings.len());
        for binding in group.bindings {
            let ty = self.fresh();
            let (pattern, binds) = self.check_binding_pattern(binding.pattern, &ty, top)?;
            for bind in binds {
                if all_binds.iter().any(|(n, _, _, _)| *n == bind.0) {
                    return Err(TypeError::PatternVarTwice {
                        name: bind.0,
                        span: bind.1,
                    });
                }
                self.locals
                    .push(bind.0.clone(), bind.2.clone(), bind.3.target());
                all_binds.push(bind);
            }
            patterns.push((pattern, ty, binding.span));
            exprs.push(binding.expr);
        }
        let mut typed = Vec::with_capacity(exprs.len());
        for ((pattern, ty, span), expr) in patterns.into_iter().zip(exprs) {
            let (expr, _) = self.infer_expr(expr, ctx)?;
            let reason = super::error::Reason {
                span: pattern.span,
                because: "the use of this name in its own definition".to_string(),
            };
            self.expect(&expr.ann.ty, &ty, expr.span, Some(reason))?;
            typed.push(Binding {
                pattern,
                expr,
                span,
            });
        }
        Ok((typed, all_binds))
    }

    /// The pattern of a `let` binding: its variables are globals when
    /// `top`.
    fn check_binding_pattern(
        &mut self,
        pattern: UntypedPattern,
        ty: &Type,
        top: bool,
    ) -> Check<(crate::syntax::ast::Pattern<TypeInfo>, Vec<Bind>)> {
        self.binding_globals = top;
        let result = self.check_pattern(pattern, ty, None);
        self.binding_globals = false;
        result
    }

    /// `type … and …`: every name of the group is visible in every body.
    /// Returns the id each declaration gets.
    fn declare_types(&mut self, decls: &[TypeDecl]) -> Check<Vec<TypeId>> {
        let module = (!self.is_main()).then(|| self.current.clone());
        let current = self.current.clone();
        let mut ids = Vec::with_capacity(decls.len());
        for (i, decl) in decls.iter().enumerate() {
            if decls[..i].iter().any(|d| d.name == decl.name) {
                return Err(TypeError::DuplicateDefinition {
                    what: "type",
                    name: decl.name.clone(),
                    span: decl.name_span,
                });
            }
            let mut params = Vec::with_capacity(decl.params.len());
            for (j, p) in decl.params.iter().enumerate() {
                if decl.params[..j].contains(p) {
                    return Err(TypeError::DuplicateDefinition {
                        what: "type parameter",
                        name: format!("'{p}"),
                        span: decl.span,
                    });
                }
                params.push(self.st.table.fresh_var(GENERIC));
            }
            let id = TypeId(self.st.defs.len() as u32);
            self.st.defs.push(TypeDef {
                name: decl.name.clone(),
                module: module.clone(),
                params,
                kind: TypeDefKind::Builtin,
            });
            self.st
                .modules
                .env_mut(&current)
                .types
                .insert(decl.name.clone(), id);
            ids.push(id);
        }
        for (decl, id) in decls.iter().zip(&ids) {
            if let TypeBody::Alias(body) = &decl.body {
                let params = self.param_types(decl, *id);
                self.pending_aliases.insert(
                    *id,
                    PendingAlias {
                        name: decl.name.clone(),
                        span: decl.name_span,
                        params,
                        body: body.clone(),
                    },
                );
            }
        }
        let result = self.declare_type_bodies(decls, &ids);
        self.pending_aliases.clear();
        self.aliases_in_progress.clear();
        result.map(|()| ids)
    }

    fn param_types(&self, decl: &TypeDecl, id: TypeId) -> Vec<(String, Type)> {
        let vars = self
            .st
            .defs
            .get(id.0 as usize)
            .map(|d| d.params.clone())
            .unwrap_or_default();
        decl.params
            .iter()
            .cloned()
            .zip(vars.into_iter().map(Type::Var))
            .collect()
    }

    fn declare_type_bodies(&mut self, decls: &[TypeDecl], ids: &[TypeId]) -> Check<()> {
        let current = self.current.clone();
        let mut ctor_names: Vec<String> = Vec::new();
        for (decl, id) in decls.iter().zip(ids) {
            let mut vars = TypeVars::Declaration(self.param_types(decl, *id).into_iter().collect());
            let kind = match &decl.body {
                TypeBody::Alias(_) => {
                    self.resolve_pending_alias(*id)?;
                    continue;
                }
                TypeBody::Variant(ctors) => {
                    let mut defs = Vec::with_capacity(ctors.len());
                    for ctor in ctors {
                        if ctor_names.contains(&ctor.name) {
                            return Err(TypeError::DuplicateDefinition {
                                what: "constructor",
                                name: ctor.name.clone(),
                                span: ctor.span,
                            });
                        }
                        ctor_names.push(ctor.name.clone());
                        let arg = match &ctor.arg {
                            Some(t) => Some(self.convert_type(t, &mut vars)?),
                            None => None,
                        };
                        defs.push(CtorDef {
                            name: ctor.name.clone(),
                            arg,
                        });
                    }
                    TypeDefKind::Variant(defs)
                }
                TypeBody::Record(fields) => {
                    let mut defs: Vec<FieldDef> = Vec::with_capacity(fields.len());
                    for field in fields {
                        if defs.iter().any(|f| f.name == field.name) {
                            return Err(TypeError::DuplicateField {
                                name: field.name.clone(),
                                span: field.span,
                            });
                        }
                        let ty = self.convert_type(&field.ty, &mut vars)?;
                        defs.push(FieldDef {
                            name: field.name.clone(),
                            ty,
                            mutable: field.mutable,
                        });
                    }
                    TypeDefKind::Record(defs)
                }
            };
            if let Some(def) = self.st.defs.get_mut(id.0 as usize) {
                def.kind = kind.clone();
            }
            let env = self.st.modules.env_mut(&current);
            match &kind {
                TypeDefKind::Variant(ctors) => {
                    for (i, c) in ctors.iter().enumerate() {
                        env.ctors.insert(c.name.clone(), (*id, i));
                    }
                }
                TypeDefKind::Record(fields) => {
                    for f in fields {
                        env.fields.insert(f.name.clone(), *id);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// `let rec` binds names (possibly annotated) to functions.
fn is_rec_binding(pattern: &PatternKind<()>, expr: &UntypedExpr) -> bool {
    let name_ok = match pattern {
        PatternKind::Var(..) => true,
        PatternKind::Annot(inner, _) => matches!(inner.kind, PatternKind::Var(..)),
        _ => false,
    };
    let mut e = expr;
    while let ExprKind::Annot(inner, _) = &e.kind {
        e = inner;
    }
    name_ok && matches!(e.kind, ExprKind::Fun(..))
}

/// OCaml's syntactic values, whose types may be generalised. A record
/// with a `mutable` field is not one: it is a new cell, as `ref e` is.
pub fn is_value(e: &Expr<TypeInfo>) -> bool {
    match &e.kind {
        ExprKind::Lit(_) | ExprKind::Var(..) | ExprKind::Fun(..) => true,
        ExprKind::Constructor(_, _, arg) => arg.as_ref().is_none_or(|a| is_value(a)),
        ExprKind::Tuple(items) | ExprKind::List(items) => items.iter().all(is_value),
        ExprKind::Record(fields) => fields
            .iter()
            .all(|f| !f.field.mutable && is_value(&f.value)),
        ExprKind::Annot(inner, _) => is_value(inner),
        _ => false,
    }
}
