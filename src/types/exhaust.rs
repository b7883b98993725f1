//! Exhaustiveness and redundancy of patterns (W001, W002), with
//! Maranget's usefulness algorithm ("Warnings for pattern matching",
//! 2007) over constructors, tuples, records, lists, booleans and
//! literals (whose domains are infinite, so never complete).
//!
//! A work budget, counted in pattern cells built or scanned, bounds the
//! search: past it, the checker stays silent rather than spend more than
//! a fraction of a second on contrived input (an exponential blow-up, or
//! the quadratic cost of thousands of arms).

use super::env::TypeDefKind;
use super::infer::Infer;
use super::types::TypeId;
use super::TypeInfo;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{Arm, Literal, Pattern, PatternKind, Span};
use std::collections::HashMap;
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

/// Pattern cells a search may build or scan: one search answers W002 for
/// all arms of a match, another W001. A cell costs tens of nanoseconds,
/// so a spent budget means well under a second of work.
const BUDGET: usize = 2_000_000;

/// The constructor standing for the exceptions not declared (yet), as
/// OCaml names it in its warnings.
const EXN_EXTENSION: &str = "*extension*";

struct Search {
    budget: usize,
}

impl Search {
    fn new() -> Search {
        Search { budget: BUDGET }
    }

    /// Charges `cells` of work; true when the budget is spent (then
    /// answers are "don't know").
    fn spend(&mut self, cells: usize) -> bool {
        match self.budget.checked_sub(cells) {
            Some(left) => {
                self.budget = left;
                false
            }
            None => {
                self.budget = 0;
                true
            }
        }
    }

    /// Charges for looking at every cell of `rows` (each `width` wide).
    fn spend_matrix(&mut self, rows: &[Row], width: usize) -> bool {
        self.spend(1 + rows.len().saturating_mul(width + 1))
    }

    fn useful(&mut self, rows: &[Row], q: &[Pat]) -> bool {
        if self.spend_matrix(rows, q.len()) {
            return true;
        }
        let wild = leading_wild_columns(rows, q);
        if wild > 0 {
            let rows: Vec<Row> = rows.iter().map(|r| r[wild..].to_vec()).collect();
            return self.useful(&rows, &q[wild..]);
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
                Some(sig) => {
                    let Some(buckets) = self.specialize_each(rows, &sig) else {
                        return true;
                    };
                    buckets.iter().enumerate().any(|(index, specialized)| {
                        let mut row = vec![Pat::Wild; sig.arity(index)];
                        row.extend_from_slice(rest);
                        self.useful(specialized, &row)
                    })
                }
                None => self.useful(&default_rows(rows), rest),
            },
        }
    }

    /// A row of `width` patterns that no row matches, if there is one.
    fn witness(&mut self, rows: &[Row], width: usize) -> Option<Row> {
        if self.spend_matrix(rows, width) {
            return None;
        }
        if width == 0 {
            return rows.is_empty().then(Vec::new);
        }
        let wild = leading_wild_columns(rows, &[]).min(width);
        if wild > 0 {
            let rows: Vec<Row> = rows.iter().map(|r| r[wild..].to_vec()).collect();
            let mut w = vec![Pat::Wild; wild];
            w.extend(self.witness(&rows, width - wild)?);
            return Some(w);
        }
        if let Some(sig) = complete_signature(rows) {
            let buckets = self.specialize_each(rows, &sig)?;
            for (index, specialized) in buckets.iter().enumerate() {
                let arity = sig.arity(index);
                if let Some(mut w) = self.witness(specialized, arity + width - 1) {
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
                .find(|i| !present[*i])
                .map(|i| Pat::Ctor(sig.clone(), i, vec![Pat::Wild; sig.arity(i)]))
                .unwrap_or(Pat::Wild),
            None => Pat::Wild,
        };
        w.insert(0, head);
        Some(w)
    }

    /// `specialize(rows, sig, i)` for every constructor `i` of `sig`, in
    /// one pass over the rows (a wide variant would otherwise rescan every
    /// row once per constructor). `None` when the budget is spent.
    fn specialize_each(&mut self, rows: &[Row], sig: &Signature) -> Option<Vec<Vec<Row>>> {
        let mut buckets: Vec<Vec<Row>> = vec![Vec::new(); sig.len()];
        for row in expand_heads(rows) {
            let rest = &row[1.min(row.len())..];
            match row.first() {
                Some(Pat::Ctor(_, i, args)) => {
                    let Some(bucket) = buckets.get_mut(*i) else {
                        continue;
                    };
                    if self.spend(1 + args.len() + rest.len()) {
                        return None;
                    }
                    let mut r = args.clone();
                    r.resize(sig.arity(*i), Pat::Wild);
                    r.extend_from_slice(rest);
                    bucket.push(r);
                }
                Some(Pat::Wild) => {
                    for (index, bucket) in buckets.iter_mut().enumerate() {
                        let arity = sig.arity(index);
                        if self.spend(1 + arity + rest.len()) {
                            return None;
                        }
                        let mut r = vec![Pat::Wild; arity];
                        r.extend_from_slice(rest);
                        bucket.push(r);
                    }
                }
                _ => {}
            }
        }
        Some(buckets)
    }
}

/// How many columns from the left are `_` in `q` and in every row: they
/// constrain nothing, so the search drops them all at once (a wide tuple
/// of variables would otherwise be peeled one column per step, copying
/// the rest of every row each time).
fn leading_wild_columns(rows: &[Row], q: &[Pat]) -> usize {
    let is_wild = |p: &Pat| matches!(p, Pat::Wild);
    let mut count = if q.is_empty() {
        rows.iter().map(|r| r.len()).min().unwrap_or(0)
    } else {
        q.iter().take_while(|p| is_wild(p)).count()
    };
    for row in rows {
        count = count.min(row.iter().take_while(|p| is_wild(p)).count());
        if count == 0 {
            break;
        }
    }
    count
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

/// Calls `f` on each constructor heading `p` (looking inside or-patterns).
fn each_head_ctor<'a>(p: &'a Pat, f: &mut impl FnMut(&'a Signature, usize)) {
    match p {
        Pat::Ctor(sig, index, _) => f(sig, *index),
        Pat::Or(alts) => alts.iter().for_each(|alt| each_head_ctor(alt, f)),
        Pat::Wild | Pat::Lit(_) => {}
    }
}

/// The signature of the constructors heading the rows, and for each of
/// its constructors whether it appears.
fn head_signature(rows: &[Row]) -> Option<(Signature, Vec<bool>)> {
    let mut sig: Option<&Signature> = None;
    let mut present = Vec::new();
    for row in rows {
        if let Some(head) = row.first() {
            each_head_ctor(head, &mut |s, i| {
                let s = *sig.get_or_insert(s);
                present.resize(s.len(), false);
                if let Some(seen) = present.get_mut(i) {
                    *seen = true;
                }
            });
        }
    }
    sig.map(|s| (s.clone(), present))
}

fn complete_signature(rows: &[Row]) -> Option<Signature> {
    let (sig, present) = head_signature(rows)?;
    present.iter().all(|p| *p).then_some(sig)
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

/// The signature of each variant and record type met while converting
/// one match's patterns, built once per type rather than once per
/// pattern (a match over a 5,000-constructor type has 5,000 of them).
#[derive(Default)]
struct Signatures {
    variants: HashMap<TypeId, Rc<[(String, bool)]>>,
    records: HashMap<TypeId, Rc<[String]>>,
}

impl Infer<'_> {
    fn to_pat(&self, p: &Pattern<TypeInfo>, sigs: &mut Signatures) -> Pat {
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
                items.iter().map(|i| self.to_pat(i, sigs)).collect(),
            ),
            PatternKind::Constructor(_, ctor, arg) => {
                let sig = match sigs.variants.get(&ctor.ty) {
                    Some(sig) => sig.clone(),
                    None => {
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
                            // `exn` is open: a constructor no pattern can
                            // name keeps every set of arms incomplete.
                            sig.push((EXN_EXTENSION.to_string(), false));
                        }
                        let sig: Rc<[(String, bool)]> = sig.into();
                        sigs.variants.insert(ctor.ty, sig.clone());
                        sig
                    }
                };
                let args = match arg {
                    Some(a) => vec![self.to_pat(a, sigs)],
                    None => Vec::new(),
                };
                Pat::Ctor(Signature::Variant(sig), ctor.tag as usize, args)
            }
            PatternKind::List(items) => {
                let mut list = Pat::Ctor(Signature::List, 0, Vec::new());
                for item in items.iter().rev() {
                    list = Pat::Ctor(Signature::List, 1, vec![self.to_pat(item, sigs), list]);
                }
                list
            }
            PatternKind::Cons(h, t) => Pat::Ctor(
                Signature::List,
                1,
                vec![self.to_pat(h, sigs), self.to_pat(t, sigs)],
            ),
            PatternKind::Record(fields, _) => {
                let Some(first) = fields.first() else {
                    return Pat::Wild;
                };
                let record = first.field.record;
                let names = match sigs.records.get(&record) {
                    Some(names) => names.clone(),
                    None => {
                        let Some(TypeDefKind::Record(declared)) =
                            self.st.defs.get(record.0 as usize).map(|d| &d.kind)
                        else {
                            return Pat::Wild;
                        };
                        let names: Rc<[String]> = declared.iter().map(|f| f.name.clone()).collect();
                        sigs.records.insert(record, names.clone());
                        names
                    }
                };
                let args = (0..names.len())
                    .map(|i| {
                        fields
                            .iter()
                            .find(|f| f.field.index as usize == i)
                            .map_or(Pat::Wild, |f| self.to_pat(&f.pattern, sigs))
                    })
                    .collect();
                Pat::Ctor(Signature::Record(names), 0, args)
            }
            PatternKind::Or(a, b) => {
                let mut alts = Vec::new();
                for side in [a, b] {
                    match self.to_pat(side, sigs) {
                        Pat::Or(inner) => alts.extend(inner),
                        other => alts.push(other),
                    }
                }
                Pat::Or(alts)
            }
            PatternKind::As(inner, ..) | PatternKind::Annot(inner, _) => self.to_pat(inner, sigs),
        }
    }

    /// W001 when some value escapes every unguarded arm, W002 for each arm
    /// that no value can reach.
    pub fn check_match_exhaustive(&mut self, arms: &[Arm<TypeInfo>], span: Span) {
        let rows = self.check_unused_arms_in(arms);
        // Exhaustiveness has a budget of its own, so that many arms spent
        // on W002 do not silence W001.
        if let Some(w) = Search::new().witness(&rows, 1) {
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
        self.check_unused_arms_in(arms);
    }

    /// W002 for the unreachable arms; returns the rows of the useful
    /// unguarded ones.
    fn check_unused_arms_in(&mut self, arms: &[Arm<TypeInfo>]) -> Vec<Row> {
        let mut sigs = Signatures::default();
        let mut rows: Vec<Row> = Vec::new();
        let mut search = Search::new();
        for arm in arms {
            let row = vec![self.to_pat(&arm.pattern, &mut sigs)];
            let useful = search.useful(&rows, &row);
            if !useful {
                self.warnings.push(
                    Diagnostic::warning("W002", "this match arm is never used").with_label(
                        arm.pattern.span,
                        "earlier arms match every value this arm matches",
                    ),
                );
            }
            // A row no value reaches changes no later answer (Maranget),
            // so only useful rows join the matrix: repeated arms stay cheap.
            if useful && arm.guard.is_none() {
                rows.push(row);
            }
        }
        rows
    }

    /// W001 for a refutable pattern where only one pattern is allowed.
    pub fn warn_refutable(&mut self, pattern: &Pattern<TypeInfo>, what: &str) {
        let rows = vec![vec![self.to_pat(pattern, &mut Signatures::default())]];
        if let Some(w) = Search::new().witness(&rows, 1) {
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
