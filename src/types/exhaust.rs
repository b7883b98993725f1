//! Exhaustiveness and redundancy of patterns (W001, W002), with
//! Maranget's usefulness algorithm ("Warnings for pattern matching",
//! 2007) over constructors, tuples, records, lists, booleans and
//! literals (whose domains are infinite, so never complete).
//!
//! A work budget bounds the search: past it, the checker stays silent
//! rather than risk an exponential blow-up on contrived input.

use super::env::TypeDefKind;
use super::infer::Infer;
use super::types::TypeId;
use super::TypeInfo;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{Arm, Literal, Pattern, PatternKind, Span};
use std::rc::Rc;

/// The full set of constructors a constructor belongs to.
#[derive(Clone, Debug, PartialEq)]
enum Signature {
    Tuple(usize),
    Record(Rc<[String]>),
    Unit,
    Bool,
    /// `[]` (0) and `::` (1).
    List,
    /// Constructor names and whether each takes an argument.
    Variant(Rc<[(String, bool)]>),
}

impl Signature {
    fn len(&self) -> usize {
        match self {
            Signature::Tuple(_) | Signature::Record(_) | Signature::Unit => 1,
            Signature::Bool | Signature::List => 2,
            Signature::Variant(ctors) => ctors.len(),
        }
    }

    fn arity(&self, index: usize) -> usize {
        match self {
            Signature::Tuple(n) => *n,
            Signature::Record(fields) => fields.len(),
            Signature::Unit | Signature::Bool => 0,
            Signature::List => 2 * index,
            Signature::Variant(ctors) => ctors.get(index).map_or(0, |(_, arg)| usize::from(*arg)),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum LitKey {
    Int(i64),
    Float(u64),
    Str(String),
}

#[derive(Clone, Debug)]
enum Pat {
    Wild,
    Ctor(Signature, usize, Vec<Pat>),
    Lit(LitKey),
    Or(Vec<Pat>),
}

type Row = Vec<Pat>;

const BUDGET: usize = 100_000;

/// The constructor standing for the exceptions not declared (yet), as
/// OCaml names it in its warnings.
const EXN_EXTENSION: &str = "*extension*";

struct Search {
    budget: usize,
}

impl Search {
    /// Whether the work budget is spent (then answers are "don't know").
    fn spend(&mut self) -> bool {
        if self.budget == 0 {
            return true;
        }
        self.budget -= 1;
        false
    }

    fn useful(&mut self, rows: &[Row], q: &[Pat]) -> bool {
        if self.spend() {
            return true;
        }
        let Some((head, rest)) = q.split_first() else {
            return rows.is_empty();
        };
        match head {
            Pat::Or(alts) => alts.iter().any(|alt| {
                let mut row = vec![alt.clone()];
                row.extend_from_slice(rest);
                self.useful(rows, &row)
            }),
            Pat::Ctor(sig, index, args) => {
                let rows = specialize(rows, sig, *index);
                let mut row = args.clone();
                row.extend_from_slice(rest);
                self.useful(&rows, &row)
            }
            Pat::Lit(key) => {
                let rows = specialize_lit(rows, key);
                self.useful(&rows, rest)
            }
            Pat::Wild => match complete_signature(rows) {
                Some(sig) => (0..sig.len()).any(|index| {
                    let specialized = specialize(rows, &sig, index);
                    let mut row = vec![Pat::Wild; sig.arity(index)];
                    row.extend_from_slice(rest);
                    self.useful(&specialized, &row)
                }),
                None => self.useful(&default_rows(rows), rest),
            },
        }
    }

    /// A row of `width` patterns that no row matches, if there is one.
    fn witness(&mut self, rows: &[Row], width: usize) -> Option<Row> {
        if self.spend() {
            return None;
        }
        if width == 0 {
            return rows.is_empty().then(Vec::new);
        }
        if let Some(sig) = complete_signature(rows) {
            for index in 0..sig.len() {
                let arity = sig.arity(index);
                let specialized = specialize(rows, &sig, index);
                if let Some(mut w) = self.witness(&specialized, arity + width - 1) {
                    let rest = w.split_off(arity.min(w.len()));
                    let mut row = vec![Pat::Ctor(sig.clone(), index, w)];
                    row.extend(rest);
                    return Some(row);
                }
            }
            return None;
        }
        let mut w = self.witness(&default_rows(rows), width - 1)?;
        let head = match head_signature(rows) {
            Some((sig, present)) => (0..sig.len())
                .find(|i| !present.contains(i))
                .map(|i| Pat::Ctor(sig.clone(), i, vec![Pat::Wild; sig.arity(i)]))
                .unwrap_or(Pat::Wild),
            None => Pat::Wild,
        };
        w.insert(0, head);
        Some(w)
    }
}

/// Rows with their or-patterns at the head expanded.
fn expand_heads(rows: &[Row]) -> Vec<Row> {
    let mut out = Vec::with_capacity(rows.len());
    let mut stack: Vec<Row> = rows.iter().rev().cloned().collect();
    while let Some(row) = stack.pop() {
        match row.first() {
            Some(Pat::Or(alts)) => {
                for alt in alts.iter().rev() {
                    let mut r = vec![alt.clone()];
                    r.extend_from_slice(&row[1..]);
                    stack.push(r);
                }
            }
            _ => out.push(row),
        }
    }
    out
}

fn specialize(rows: &[Row], sig: &Signature, index: usize) -> Vec<Row> {
    let arity = sig.arity(index);
    let mut out = Vec::new();
    for row in expand_heads(rows) {
        match row.first() {
            Some(Pat::Ctor(_, i, args)) if *i == index => {
                let mut r = args.clone();
                r.resize(arity, Pat::Wild);
                r.extend_from_slice(&row[1..]);
                out.push(r);
            }
            Some(Pat::Wild) => {
                let mut r = vec![Pat::Wild; arity];
                r.extend_from_slice(&row[1..]);
                out.push(r);
            }
            _ => {}
        }
    }
    out
}

fn specialize_lit(rows: &[Row], key: &LitKey) -> Vec<Row> {
    expand_heads(rows)
        .into_iter()
        .filter(|row| match row.first() {
            Some(Pat::Lit(k)) => k == key,
            Some(Pat::Wild) => true,
            _ => false,
        })
        .map(|row| row[1..].to_vec())
        .collect()
}

fn default_rows(rows: &[Row]) -> Vec<Row> {
    expand_heads(rows)
        .into_iter()
        .filter(|row| matches!(row.first(), Some(Pat::Wild)))
        .map(|row| row[1..].to_vec())
        .collect()
}

/// The signature of the constructors heading the rows, and which of them
/// appear.
fn head_signature(rows: &[Row]) -> Option<(Signature, Vec<usize>)> {
    let mut sig = None;
    let mut present = Vec::new();
    for row in expand_heads(rows) {
        if let Some(Pat::Ctor(s, i, _)) = row.first() {
            sig.get_or_insert_with(|| s.clone());
            if !present.contains(i) {
                present.push(*i);
            }
        }
    }
    sig.map(|s| (s, present))
}

fn complete_signature(rows: &[Row]) -> Option<Signature> {
    let (sig, present) = head_signature(rows)?;
    (present.len() >= sig.len()).then_some(sig)
}

fn show(p: &Pat) -> String {
    match p {
        Pat::Wild | Pat::Or(_) => "_".to_string(),
        Pat::Lit(LitKey::Int(n)) => n.to_string(),
        Pat::Lit(LitKey::Float(bits)) => format!("{:?}", f64::from_bits(*bits)),
        Pat::Lit(LitKey::Str(s)) => format!("{s:?}"),
        Pat::Ctor(sig, index, args) => match sig {
            Signature::Tuple(_) => {
                format!("({})", args.iter().map(show).collect::<Vec<_>>().join(", "))
            }
            Signature::Record(fields) => {
                let parts: Vec<String> = fields
                    .iter()
                    .zip(args)
                    .map(|(f, a)| format!("{f} = {}", show(a)))
                    .collect();
                format!("{{ {} }}", parts.join("; "))
            }
            Signature::Unit => "()".to_string(),
            Signature::Bool => (if *index == 1 { "true" } else { "false" }).to_string(),
            Signature::List => match args.as_slice() {
                [head, tail] => format!("{} :: {}", show_atomic(head, true), show(tail)),
                _ => "[]".to_string(),
            },
            Signature::Variant(ctors) => {
                let name = ctors.get(*index).map_or("?", |(n, _)| n.as_str());
                match args.first() {
                    Some(arg) => format!("{name} {}", show_atomic(arg, false)),
                    None => name.to_string(),
                }
            }
        },
    }
}

/// Parenthesises constructor applications and `::` where they would be
/// ambiguous as an argument (or as the head of `::`).
fn show_atomic(p: &Pat, cons_head: bool) -> String {
    let text = show(p);
    let needs = match p {
        Pat::Ctor(Signature::List, 1, _) => true,
        Pat::Ctor(Signature::Variant(ctors), i, args) => {
            !args.is_empty() && ctors.get(*i).is_some()
        }
        Pat::Ctor(Signature::Tuple(_), _, _) => cons_head,
        _ => false,
    };
    if needs && !text.starts_with('(') {
        format!("({text})")
    } else {
        text
    }
}

impl Infer<'_> {
    fn to_pat(&self, p: &Pattern<TypeInfo>) -> Pat {
        match &p.kind {
            PatternKind::Wildcard | PatternKind::Var(..) => Pat::Wild,
            PatternKind::Lit(lit) => match lit {
                Literal::Int(n) => Pat::Lit(LitKey::Int(*n)),
                Literal::Float(x) => Pat::Lit(LitKey::Float(x.to_bits())),
                Literal::String(s) => Pat::Lit(LitKey::Str(s.clone())),
                Literal::Bool(b) => Pat::Ctor(Signature::Bool, usize::from(*b), Vec::new()),
                Literal::Unit => Pat::Ctor(Signature::Unit, 0, Vec::new()),
            },
            PatternKind::Tuple(items) => Pat::Ctor(
                Signature::Tuple(items.len()),
                0,
                items.iter().map(|i| self.to_pat(i)).collect(),
            ),
            PatternKind::Constructor(_, ctor, arg) => {
                let Some(TypeDefKind::Variant(ctors)) =
                    self.st.defs.get(ctor.ty.0 as usize).map(|d| &d.kind)
                else {
                    return Pat::Wild;
                };
                let mut sig: Vec<(String, bool)> = ctors
                    .iter()
                    .map(|c| (c.name.clone(), c.arg.is_some()))
                    .collect();
                if ctor.ty == TypeId::EXN {
                    // `exn` is open: a constructor no pattern can name
                    // keeps every set of arms incomplete.
                    sig.push((EXN_EXTENSION.to_string(), false));
                }
                let sig: Rc<[(String, bool)]> = sig.into();
                let args = match arg {
                    Some(a) => vec![self.to_pat(a)],
                    None => Vec::new(),
                };
                Pat::Ctor(Signature::Variant(sig), ctor.tag as usize, args)
            }
            PatternKind::List(items) => {
                let mut list = Pat::Ctor(Signature::List, 0, Vec::new());
                for item in items.iter().rev() {
                    list = Pat::Ctor(Signature::List, 1, vec![self.to_pat(item), list]);
                }
                list
            }
            PatternKind::Cons(h, t) => {
                Pat::Ctor(Signature::List, 1, vec![self.to_pat(h), self.to_pat(t)])
            }
            PatternKind::Record(fields, _) => {
                let Some(first) = fields.first() else {
                    return Pat::Wild;
                };
                let Some(TypeDefKind::Record(declared)) = self
                    .st
                    .defs
                    .get(first.field.record.0 as usize)
                    .map(|d| &d.kind)
                else {
                    return Pat::Wild;
                };
                let names: Rc<[String]> = declared.iter().map(|f| f.name.clone()).collect();
                let args = (0..names.len())
                    .map(|i| {
                        fields
                            .iter()
                            .find(|f| f.field.index as usize == i)
                            .map_or(Pat::Wild, |f| self.to_pat(&f.pattern))
                    })
                    .collect();
                Pat::Ctor(Signature::Record(names), 0, args)
            }
            PatternKind::Or(a, b) => {
                let mut alts = Vec::new();
                for side in [a, b] {
                    match self.to_pat(side) {
                        Pat::Or(inner) => alts.extend(inner),
                        other => alts.push(other),
                    }
                }
                Pat::Or(alts)
            }
            PatternKind::As(inner, ..) | PatternKind::Annot(inner, _) => self.to_pat(inner),
        }
    }

    /// W001 when some value escapes every unguarded arm, W002 for each arm
    /// that no value can reach.
    pub fn check_match_exhaustive(&mut self, arms: &[Arm<TypeInfo>], span: Span) {
        let mut search = Search { budget: BUDGET };
        let rows = self.check_unused_arms_in(&mut search, arms);
        if let Some(w) = search.witness(&rows, 1) {
            let example = w.first().map_or_else(|| "_".to_string(), show);
            self.warnings.push(
                Diagnostic::warning(
                    "W001",
                    format!("this match is not exhaustive: `{example}` is not matched"),
                )
                .with_label(span, "some values are not matched")
                .with_note(format!("add an arm for `{example}`")),
            );
        }
    }

    /// W002 for each arm that no value can reach (a `try`'s arms, which
    /// need not be exhaustive).
    pub fn check_unused_arms(&mut self, arms: &[Arm<TypeInfo>]) {
        let mut search = Search { budget: BUDGET };
        self.check_unused_arms_in(&mut search, arms);
    }

    /// W002 for the unreachable arms; returns the rows of the unguarded
    /// ones.
    fn check_unused_arms_in(&mut self, search: &mut Search, arms: &[Arm<TypeInfo>]) -> Vec<Row> {
        let mut rows: Vec<Row> = Vec::new();
        for arm in arms {
            let row = vec![self.to_pat(&arm.pattern)];
            if !search.useful(&rows, &row) {
                self.warnings.push(
                    Diagnostic::warning("W002", "this match arm is never used").with_label(
                        arm.pattern.span,
                        "earlier arms match every value this arm matches",
                    ),
                );
            }
            if arm.guard.is_none() {
                rows.push(row);
            }
        }
        rows
    }

    /// W001 for a refutable pattern where only one pattern is allowed.
    pub fn warn_refutable(&mut self, pattern: &Pattern<TypeInfo>, what: &str) {
        let mut search = Search { budget: BUDGET };
        let rows = vec![vec![self.to_pat(pattern)]];
        if let Some(w) = search.witness(&rows, 1) {
            let example = w.first().map_or_else(|| "_".to_string(), show);
            self.warnings.push(
                Diagnostic::warning(
                    "W001",
                    format!("this {what} is not exhaustive: `{example}` is not matched"),
                )
                .with_label(pattern.span, "this pattern can fail"),
            );
        }
    }
}
