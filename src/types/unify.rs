//! Unification of types and effects over one table of variables.
//!
//! Variables carry a level (Rémy's levels: a variable whose level is
//! deeper than the current `let` may be generalised there) and, for type
//! variables, the classes they must satisfy. Unifying a constrained
//! variable with a concrete type checks class membership; membership of
//! `diff` in records and variants looks through their declarations, which
//! is why unification needs the type definitions.

use super::env::{TypeDef, TypeDefKind};
use super::types::{Class, ClassSet, EffVar, Effect, Narrowed, TyVar, Type, TypeId, GENERIC};
use crate::syntax::ast::Span;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug)]
enum TySlot {
    Bound(Type),
    Unbound {
        level: u32,
        classes: ClassSet,
        /// Where the classes were first required, for error messages.
        origin: Option<Span>,
    },
}

#[derive(Clone, Debug)]
enum EffSlot {
    Bound(Effect),
    Unbound { level: u32 },
}

#[derive(Clone, Debug, Default)]
pub struct Table {
    types: Vec<TySlot>,
    effects: Vec<EffSlot>,
    /// Type nodes visited since [`Table::reset_work`]. Types can grow
    /// exponentially (`let f1 x = f0 (f0 x)` …); past [`WORK_LIMIT`] every
    /// traversal stops early and the checker reports E223.
    work: Cell<u64>,
}

const WORK_LIMIT: u64 = 5_000_000;

/// Why two types could not be made equal; the caller adds the spans.
#[derive(Clone, Debug)]
pub enum UnifyError {
    /// The innermost pair of types that differ.
    Mismatch(Type, Type),
    /// The variable occurs in the type it should equal.
    Occurs(TyVar, Type),
    /// `ty` is not in `class`, which was required at `origin`.
    Class {
        ty: Type,
        class: Class,
        origin: Option<Span>,
    },
    /// A pure function where one that may shift was required, or the
    /// other way round.
    Effect(Effect, Effect),
}

/// Limits the work spent on one unification so that no input, however
/// contrived, makes the checker run for long.
const MAX_DEPTH: u32 = 2_000;

impl Table {
    pub fn reset_work(&self) {
        self.work.set(0);
    }

    /// Whether the work limit has been passed.
    pub fn over_budget(&self) -> bool {
        self.work.get() > WORK_LIMIT
    }

    /// Counts one visited node; true when the traversal must stop.
    fn tick(&self) -> bool {
        let w = self.work.get() + 1;
        self.work.set(w);
        w > WORK_LIMIT
    }

    pub fn fresh(&mut self, level: u32) -> Type {
        self.fresh_constrained(level, ClassSet::EMPTY, None)
    }

    pub fn fresh_var(&mut self, level: u32) -> TyVar {
        self.types.push(TySlot::Unbound {
            level,
            classes: ClassSet::EMPTY,
            origin: None,
        });
        (self.types.len() - 1) as TyVar
    }

    pub fn fresh_constrained(
        &mut self,
        level: u32,
        classes: ClassSet,
        origin: Option<Span>,
    ) -> Type {
        self.types.push(TySlot::Unbound {
            level,
            classes,
            origin,
        });
        Type::Var((self.types.len() - 1) as TyVar)
    }

    /// A new variable already bound to `ty`.
    pub fn bound_var(&mut self, ty: Type) -> Type {
        self.types.push(TySlot::Bound(ty));
        Type::Var((self.types.len() - 1) as TyVar)
    }

    pub fn fresh_effect(&mut self, level: u32) -> Effect {
        self.effects.push(EffSlot::Unbound { level });
        Effect::Var((self.effects.len() - 1) as EffVar)
    }

    /// Level and classes of an unbound variable (after following bindings).
    pub fn var_info(&self, var: TyVar) -> Option<(u32, ClassSet)> {
        match self.types.get(var as usize)? {
            TySlot::Unbound { level, classes, .. } => Some((*level, *classes)),
            TySlot::Bound(_) => None,
        }
    }

    pub fn effect_level(&self, var: EffVar) -> Option<u32> {
        match self.effects.get(var as usize)? {
            EffSlot::Unbound { level } => Some(*level),
            EffSlot::Bound(_) => None,
        }
    }

    /// Follows variable bindings at the top of `ty`.
    pub fn resolve(&self, ty: &Type) -> Type {
        let mut ty = ty.clone();
        while let Type::Var(v) = ty {
            match self.types.get(v as usize) {
                Some(TySlot::Bound(t)) => ty = t.clone(),
                _ => break,
            }
        }
        ty
    }

    /// [`Table::resolve`] without copying.
    pub fn resolve_ref<'a>(&'a self, ty: &'a Type) -> &'a Type {
        let mut ty = ty;
        while let Type::Var(v) = ty {
            match self.types.get(*v as usize) {
                Some(TySlot::Bound(t)) => ty = t,
                _ => break,
            }
        }
        ty
    }

    pub fn resolve_effect(&self, eff: &Effect) -> Effect {
        let mut eff = eff.clone();
        while let Effect::Var(v) = eff {
            match self.effects.get(v as usize) {
                Some(EffSlot::Bound(e)) => eff = e.clone(),
                _ => break,
            }
        }
        eff
    }

    /// Replaces every bound variable by what it is bound to.
    pub fn zonk(&self, ty: &Type) -> Type {
        if self.tick() {
            return ty.clone();
        }
        match self.resolve_ref(ty) {
            Type::Var(v) => Type::Var(*v),
            Type::Con(id, args) => Type::Con(*id, args.iter().map(|a| self.zonk(a)).collect()),
            Type::Tuple(items) => Type::Tuple(items.iter().map(|a| self.zonk(a)).collect()),
            Type::Arrow(a, b, e) => Type::arrow(self.zonk(a), self.zonk(b), self.zonk_effect(e)),
        }
    }

    pub fn zonk_effect(&self, eff: &Effect) -> Effect {
        match self.resolve_effect(eff) {
            Effect::Cps(t) => Effect::Cps(Box::new(self.zonk(&t))),
            other => other,
        }
    }

    /// The unbound type and effect variables of `ty`, each once, found
    /// without copying any part of it.
    fn free_vars(&self, ty: &Type) -> (Vec<TyVar>, Vec<EffVar>) {
        let mut types = Vec::new();
        let mut effects = Vec::new();
        let mut seen_types = HashSet::new();
        let mut seen_effects = HashSet::new();
        let mut stack: Vec<&Type> = vec![ty];
        while let Some(t) = stack.pop() {
            if self.tick() {
                break;
            }
            match self.resolve_ref(t) {
                Type::Var(v) => {
                    if seen_types.insert(*v) {
                        types.push(*v);
                    }
                }
                Type::Con(_, args) | Type::Tuple(args) => stack.extend(args.iter().rev()),
                Type::Arrow(a, b, e) => {
                    let mut eff = e;
                    loop {
                        match eff {
                            Effect::Var(v) => match self.effects.get(*v as usize) {
                                Some(EffSlot::Bound(next)) => eff = next,
                                _ => {
                                    if seen_effects.insert(*v) {
                                        effects.push(*v);
                                    }
                                    break;
                                }
                            },
                            Effect::Cps(t) => {
                                stack.push(t);
                                break;
                            }
                            Effect::Pure => break,
                        }
                    }
                    stack.push(b);
                    stack.push(a);
                }
            }
        }
        (types, effects)
    }

    /// Marks every variable of `ty` deeper than `level` as quantified.
    pub fn generalize(&mut self, ty: &Type, level: u32) {
        let (types, effects) = self.free_vars(ty);
        self.relevel(&types, &effects, level, GENERIC);
    }

    /// Moves every unbound variable among `types`/`effects` that lives
    /// deeper than `level` (and is not already quantified) to `new_level`:
    /// the one step both generalisation and level adjustment need.
    fn relevel(&mut self, types: &[TyVar], effects: &[EffVar], level: u32, new_level: u32) {
        for &v in types {
            if let Some(TySlot::Unbound { level: l, .. }) = self.types.get_mut(v as usize) {
                if *l > level && *l != GENERIC {
                    *l = new_level;
                }
            }
        }
        for &v in effects {
            if let Some(EffSlot::Unbound { level: l }) = self.effects.get_mut(v as usize) {
                if *l > level && *l != GENERIC {
                    *l = new_level;
                }
            }
        }
    }

    /// A copy of a scheme with fresh variables for the quantified ones.
    /// `origin` becomes where the copied classes were required.
    /// Also returns the types the quantified variables are instantiated
    /// at, in the order of their first occurrence in `ty` (left to right).
    pub fn instantiate(&mut self, ty: &Type, level: u32, origin: Span) -> (Type, Vec<Type>) {
        let (vars, effect_vars) = self.free_vars(ty);
        let mut types = HashMap::new();
        let mut instance = Vec::new();
        for v in vars {
            if let Some(TySlot::Unbound {
                level: GENERIC,
                classes,
                ..
            }) = self.types.get(v as usize)
            {
                let classes = *classes;
                let origin = (!classes.is_empty()).then_some(origin);
                let fresh = self.fresh_constrained(level, classes, origin);
                instance.push(fresh.clone());
                types.insert(v, fresh);
            }
        }
        let mut effects = HashMap::new();
        for v in effect_vars {
            if self.effect_level(v) == Some(GENERIC) {
                let fresh = self.fresh_effect(level);
                effects.insert(v, fresh);
            }
        }
        if types.is_empty() && effects.is_empty() {
            return (ty.clone(), instance);
        }
        (self.copy_with(ty, &types, &effects), instance)
    }

    /// `ty` with its variables replaced as the maps say.
    fn copy_with(
        &self,
        ty: &Type,
        types: &HashMap<TyVar, Type>,
        effects: &HashMap<EffVar, Effect>,
    ) -> Type {
        if self.tick() {
            return ty.clone();
        }
        match self.resolve_ref(ty) {
            Type::Var(v) => types.get(v).cloned().unwrap_or(Type::Var(*v)),
            Type::Con(id, args) => Type::Con(
                *id,
                args.iter()
                    .map(|a| self.copy_with(a, types, effects))
                    .collect(),
            ),
            Type::Tuple(items) => Type::Tuple(
                items
                    .iter()
                    .map(|a| self.copy_with(a, types, effects))
                    .collect(),
            ),
            Type::Arrow(a, b, e) => {
                let e = match self.resolve_effect(e) {
                    Effect::Var(v) => effects.get(&v).cloned().unwrap_or(Effect::Var(v)),
                    Effect::Cps(t) => Effect::Cps(Box::new(self.copy_with(&t, types, effects))),
                    Effect::Pure => Effect::Pure,
                };
                Type::arrow(
                    self.copy_with(a, types, effects),
                    self.copy_with(b, types, effects),
                    e,
                )
            }
        }
    }

    pub fn unify(&mut self, defs: &[TypeDef], a: &Type, b: &Type) -> Result<(), UnifyError> {
        self.unify_at(defs, a, b, 0)
    }

    fn unify_at(
        &mut self,
        defs: &[TypeDef],
        a: &Type,
        b: &Type,
        depth: u32,
    ) -> Result<(), UnifyError> {
        if depth > MAX_DEPTH || self.tick() {
            return Err(UnifyError::Mismatch(self.zonk(a), self.zonk(b)));
        }
        let a = self.resolve(a);
        let b = self.resolve(b);
        match (&a, &b) {
            (Type::Var(x), Type::Var(y)) if x == y => Ok(()),
            (Type::Var(x), _) => self.bind_var(defs, *x, &b, depth),
            (_, Type::Var(y)) => self.bind_var(defs, *y, &a, depth),
            (Type::Con(i, xs), Type::Con(j, ys)) if i == j && xs.len() == ys.len() => {
                for (x, y) in xs.iter().zip(ys) {
                    self.unify_at(defs, x, y, depth + 1)?;
                }
                Ok(())
            }
            (Type::Tuple(xs), Type::Tuple(ys)) if xs.len() == ys.len() => {
                for (x, y) in xs.iter().zip(ys) {
                    self.unify_at(defs, x, y, depth + 1)?;
                }
                Ok(())
            }
            (Type::Arrow(a1, r1, e1), Type::Arrow(a2, r2, e2)) => {
                self.unify_at(defs, a1, a2, depth + 1)?;
                self.unify_at(defs, r1, r2, depth + 1)?;
                self.unify_effects_at(defs, e1, e2, depth + 1)
            }
            _ => Err(UnifyError::Mismatch(self.zonk(&a), self.zonk(&b))),
        }
    }

    pub fn unify_effects(
        &mut self,
        defs: &[TypeDef],
        a: &Effect,
        b: &Effect,
    ) -> Result<(), UnifyError> {
        self.unify_effects_at(defs, a, b, 0)
    }

    fn unify_effects_at(
        &mut self,
        defs: &[TypeDef],
        a: &Effect,
        b: &Effect,
        depth: u32,
    ) -> Result<(), UnifyError> {
        let a = self.resolve_effect(a);
        let b = self.resolve_effect(b);
        match (&a, &b) {
            (Effect::Var(x), Effect::Var(y)) if x == y => Ok(()),
            (Effect::Var(x), _) => self.bind_effect(*x, &b),
            (_, Effect::Var(y)) => self.bind_effect(*y, &a),
            (Effect::Pure, Effect::Pure) => Ok(()),
            (Effect::Cps(x), Effect::Cps(y)) => self.unify_at(defs, x, y, depth + 1),
            _ => Err(UnifyError::Effect(
                self.zonk_effect(&a),
                self.zonk_effect(&b),
            )),
        }
    }

    fn bind_effect(&mut self, var: EffVar, eff: &Effect) -> Result<(), UnifyError> {
        let level = self.effect_level(var).unwrap_or(GENERIC);
        if let Effect::Cps(t) = eff {
            if self.adjust_levels(t, level, None, Some(var)) {
                return Err(UnifyError::Effect(Effect::Var(var), self.zonk_effect(eff)));
            }
        }
        if let Some(slot) = self.effects.get_mut(var as usize) {
            *slot = EffSlot::Bound(eff.clone());
        }
        Ok(())
    }

    fn bind_var(
        &mut self,
        defs: &[TypeDef],
        var: TyVar,
        ty: &Type,
        depth: u32,
    ) -> Result<(), UnifyError> {
        let Some(TySlot::Unbound {
            level,
            classes,
            origin,
        }) = self.types.get(var as usize).cloned()
        else {
            return Err(UnifyError::Mismatch(Type::Var(var), ty.clone()));
        };
        if self.adjust_levels(ty, level, Some(var), None) {
            return Err(UnifyError::Occurs(var, self.zonk(ty)));
        }
        if let Type::Var(other) = ty {
            self.types[var as usize] = TySlot::Bound(Type::Var(*other));
            self.add_classes(*other, classes, origin);
            return Ok(());
        }
        self.types[var as usize] = TySlot::Bound(ty.clone());
        for class in classes.classes() {
            let mut visited = HashSet::new();
            self.require_class_at(defs, ty, class, origin, &mut visited, depth + 1)?;
        }
        Ok(())
    }

    /// Requires `classes` of the unbound variable `var`.
    fn add_classes(&mut self, var: TyVar, classes: ClassSet, origin: Option<Span>) {
        let Some(TySlot::Unbound {
            level,
            classes: old,
            origin: old_origin,
        }) = self.types.get(var as usize).cloned()
        else {
            return;
        };
        let origin = old_origin.or(origin);
        match old.union(classes) {
            Narrowed::Classes(set) => {
                self.types[var as usize] = TySlot::Unbound {
                    level,
                    classes: set,
                    origin,
                };
            }
            Narrowed::Only(ty) => self.types[var as usize] = TySlot::Bound(ty),
        }
    }

    /// Requires `ty` to be in `class`; `origin` is where that was required.
    pub fn require_class(
        &mut self,
        defs: &[TypeDef],
        ty: &Type,
        class: Class,
        origin: Option<Span>,
    ) -> Result<(), UnifyError> {
        let mut visited = HashSet::new();
        self.require_class_at(defs, ty, class, origin, &mut visited, 0)
    }

    fn require_class_at(
        &mut self,
        defs: &[TypeDef],
        ty: &Type,
        class: Class,
        origin: Option<Span>,
        visited: &mut HashSet<TypeId>,
        depth: u32,
    ) -> Result<(), UnifyError> {
        let ty = self.resolve(ty);
        let fail = |table: &Table| {
            Err(UnifyError::Class {
                ty: table.zonk(&ty),
                class,
                origin,
            })
        };
        if depth > MAX_DEPTH || self.tick() {
            return fail(self);
        }
        match &ty {
            Type::Var(v) => {
                self.add_classes(*v, ClassSet::of(class), origin);
                Ok(())
            }
            Type::Arrow(..) => fail(self),
            Type::Tuple(items) => {
                if class != Class::Diff {
                    return fail(self);
                }
                for item in items {
                    self.require_class_at(defs, item, class, origin, visited, depth + 1)?;
                }
                Ok(())
            }
            Type::Con(id, args) => {
                let base = match class {
                    Class::Num => [TypeId::INT, TypeId::FLOAT, TypeId::TENSOR].contains(id),
                    Class::Real | Class::Diff => [TypeId::FLOAT, TypeId::TENSOR].contains(id),
                    Class::Ord => [TypeId::INT, TypeId::FLOAT, TypeId::STRING].contains(id),
                };
                if base {
                    return Ok(());
                }
                if class != Class::Diff {
                    return fail(self);
                }
                if [TypeId::LIST, TypeId::ARRAY, TypeId::OPTION].contains(id) {
                    for a in args {
                        self.require_class_at(defs, a, class, origin, visited, depth + 1)?;
                    }
                    return Ok(());
                }
                let Some(def) = defs.get(id.0 as usize) else {
                    return fail(self);
                };
                let components: Vec<Type> = match &def.kind {
                    TypeDefKind::Record(fields) => fields.iter().map(|f| f.ty.clone()).collect(),
                    TypeDefKind::Variant(ctors) => {
                        ctors.iter().filter_map(|c| c.arg.clone()).collect()
                    }
                    _ => return fail(self),
                };
                // A recursive type is diff when its non-recursive parts are.
                if !visited.insert(*id) {
                    return Ok(());
                }
                let subst: HashMap<TyVar, Type> = def
                    .params
                    .iter()
                    .copied()
                    .zip(args.iter().cloned())
                    .collect();
                for component in components {
                    let component = self.substitute(&component, &subst);
                    self.require_class_at(defs, &component, class, origin, visited, depth + 1)?;
                }
                Ok(())
            }
        }
    }

    /// Checks that `var` does not occur in `ty` and lowers the levels of
    /// `ty`'s variables to `level`. Returns true when `var` (or the effect
    /// variable `eff_var`) occurs.
    fn adjust_levels(
        &mut self,
        ty: &Type,
        level: u32,
        var: Option<TyVar>,
        eff_var: Option<EffVar>,
    ) -> bool {
        let (types, effects) = self.free_vars(ty);
        if var.is_some_and(|v| types.contains(&v)) || eff_var.is_some_and(|v| effects.contains(&v))
        {
            return true;
        }
        self.relevel(&types, &effects, level, level);
        false
    }

    /// Lowers the levels of `ty`'s variables to at most `level`.
    pub fn lower_levels(&mut self, ty: &Type, level: u32) {
        self.adjust_levels(ty, level, None, None);
    }

    /// A copy of `ty` whose nodes count against the work budget.
    fn counted_clone(&self, ty: &Type) -> Type {
        self.substitute(ty, &HashMap::new())
    }

    /// Replaces the variables of `subst` in `ty` (used for declarations'
    /// parameters, which are never bound in the table). Counts against the
    /// work budget like every other traversal: expanding an alias such as
    /// `int p p p …` with `type 'a p = 'a * 'a` doubles its size per `p`.
    pub fn substitute(&self, ty: &Type, subst: &HashMap<TyVar, Type>) -> Type {
        if self.tick() {
            return Type::unit();
        }
        match ty {
            Type::Var(v) => match subst.get(v) {
                Some(arg) => self.counted_clone(arg),
                None => Type::Var(*v),
            },
            Type::Con(id, args) => Type::Con(
                *id,
                args.iter().map(|a| self.substitute(a, subst)).collect(),
            ),
            Type::Tuple(items) => {
                Type::Tuple(items.iter().map(|a| self.substitute(a, subst)).collect())
            }
            Type::Arrow(a, b, e) => Type::arrow(
                self.substitute(a, subst),
                self.substitute(b, subst),
                match e {
                    Effect::Cps(t) => Effect::Cps(Box::new(self.substitute(t, subst))),
                    other => other.clone(),
                },
            ),
        }
    }
}
