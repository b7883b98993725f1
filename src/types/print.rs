//! Types as users read them (§4–5): `'a list -> int`,
//! `'a -> 'a where 'a : num`, `float -> float @cps[unit]`.
//!
//! Variables are named `'a`, `'b`, … in order of appearance; those not
//! quantified (weak, awaiting their type from later code) print as `'_a`.
//! One printer names the variables of several types consistently, so an
//! error message can show two types that share variables.

use super::env::{TypeDef, PRELUDE};
use super::types::{Effect, TyVar, Type, GENERIC};
use super::unify::Table;
use std::collections::HashMap;

/// Longest type text printed in full.
const MAX_TEXT: usize = 2_000;

pub struct Printer<'a> {
    table: &'a Table,
    defs: &'a [TypeDef],
    current: &'a str,
    names: HashMap<TyVar, String>,
    order: Vec<TyVar>,
    /// Whether variables not quantified print as weak (`'_a`): true for
    /// the types of bindings, false in error messages, where no variable
    /// has been generalised yet.
    mark_weak: bool,
}

/// How tightly the surrounding syntax binds.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Context {
    Top,
    ArrowParam,
    TupleItem,
    TypeArg,
}

impl<'a> Printer<'a> {
    pub fn new(table: &'a Table, defs: &'a [TypeDef], current: &'a str) -> Printer<'a> {
        Printer {
            table,
            defs,
            current,
            names: HashMap::new(),
            order: Vec::new(),
            mark_weak: false,
        }
    }

    /// A printer for the types of bindings, marking weak variables.
    pub fn for_bindings(table: &'a Table, defs: &'a [TypeDef], current: &'a str) -> Printer<'a> {
        Printer {
            mark_weak: true,
            ..Printer::new(table, defs, current)
        }
    }

    /// The type followed by the classes of its variables.
    pub fn scheme(&mut self, ty: &Type) -> String {
        let text = self.type_text(ty);
        let constraints = self.where_clause();
        if constraints.is_empty() {
            text
        } else {
            format!("{text} where {constraints}")
        }
    }

    pub fn type_text(&mut self, ty: &Type) -> String {
        let mut out = String::new();
        self.write(ty, Context::Top, &mut out, 0);
        out
    }

    pub fn effect_text(&mut self, eff: &Effect) -> String {
        match self.table.resolve_effect(eff) {
            Effect::Pure => "pure".to_string(),
            Effect::Var(_) => "pure".to_string(),
            Effect::Cps(t) => format!("cps[{}]", self.type_text(&t)),
        }
    }

    /// `'a : num, 'b : diff` for the variables named so far.
    pub fn where_clause(&self) -> String {
        let mut parts = Vec::new();
        for var in &self.order {
            if let Some((_, classes)) = self.table.var_info(*var) {
                for class in classes.classes() {
                    parts.push(format!("{} : {}", self.names[var], class.name()));
                }
            }
        }
        parts.join(", ")
    }

    fn var_name(&mut self, var: TyVar) -> String {
        if let Some(name) = self.names.get(&var) {
            return name.clone();
        }
        let index = self.order.len();
        let letter = (b'a' + (index % 26) as u8) as char;
        let suffix = if index >= 26 {
            (index / 26).to_string()
        } else {
            String::new()
        };
        let weak = self.mark_weak
            && self
                .table
                .var_info(var)
                .is_some_and(|(level, _)| level != GENERIC);
        let name = format!("'{}{letter}{suffix}", if weak { "_" } else { "" });
        self.names.insert(var, name.clone());
        self.order.push(var);
        name
    }

    fn con_name(&self, id: usize) -> String {
        match self.defs.get(id) {
            Some(def) => match &def.module {
                Some(m) if m != self.current && m != PRELUDE => format!("{m}.{}", def.name),
                _ => def.name.clone(),
            },
            None => "?".to_string(),
        }
    }

    fn write(&mut self, ty: &Type, ctx: Context, out: &mut String, depth: u32) {
        // Types can be exponentially large; a message shows the start.
        if depth > 200 || out.len() > MAX_TEXT {
            if !out.ends_with('…') {
                out.push('…');
            }
            return;
        }
        let table = self.table;
        match table.resolve_ref(ty) {
            Type::Var(v) => out.push_str(&self.var_name(*v)),
            Type::Con(id, args) => {
                match args.len() {
                    0 => {}
                    1 => {
                        self.write(&args[0], Context::TypeArg, out, depth + 1);
                        out.push(' ');
                    }
                    _ => {
                        out.push('(');
                        for (i, a) in args.iter().enumerate() {
                            if i > 0 {
                                out.push_str(", ");
                            }
                            self.write(a, Context::Top, out, depth + 1);
                        }
                        out.push_str(") ");
                    }
                }
                out.push_str(&self.con_name(id.0 as usize));
            }
            Type::Tuple(items) => {
                let parens = ctx >= Context::TupleItem;
                if parens {
                    out.push('(');
                }
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" * ");
                    }
                    self.write(item, Context::TupleItem, out, depth + 1);
                }
                if parens {
                    out.push(')');
                }
            }
            Type::Arrow(param, result, effect) => {
                let parens = ctx >= Context::ArrowParam;
                if parens {
                    out.push('(');
                }
                self.write(param, Context::ArrowParam, out, depth + 1);
                out.push_str(" -> ");
                let effect = self.table.resolve_effect(effect);
                let result_is_arrow = matches!(table.resolve_ref(result), Type::Arrow(..));
                match effect {
                    Effect::Cps(answer) => {
                        let inner = if result_is_arrow {
                            Context::ArrowParam
                        } else {
                            Context::Top
                        };
                        self.write(result, inner, out, depth + 1);
                        out.push_str(" @cps[");
                        self.write(&answer, Context::Top, out, depth + 1);
                        out.push(']');
                    }
                    _ => self.write(result, Context::Top, out, depth + 1),
                }
                if parens {
                    out.push(')');
                }
            }
        }
    }
}
