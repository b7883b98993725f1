//! A generator of well-typed dlang programs, by construction: every
//! expression is generated *at a type*, from the variables in scope of
//! that type and the forms that make it, so the checker accepts every
//! program (a static error is a bug of the generator). The programs cover
//! the whole language — ints that overflow, floats, strings, tuples,
//! records, variants (a recursive one), lists, arrays, refs, closures and
//! partial application, let-polymorphism, `match` with guards and
//! or-patterns, loops, recursion (local and mutual), exceptions,
//! `shift`/`reset`, `grad`/`value_and_grad`/`jvp`, small tensors and
//! printing — and always terminate: loops and recursions count down from
//! small literals, and their counters are out of the generator's reach.
//!
//! A program is [`PRELUDE`] (types and polymorphic helpers) followed by
//! `cases` independent functions `case_N ()`, each run by `run_case`,
//! which prints its value or the exception it raised, so one program
//! exercises many generated expressions for one compilation. A run-time
//! error (overflow, division by zero, …) ends the program there, as it
//! should, on both backends alike.
//!
//! Use with `#[path = "common/fuzz.rs"] mod fuzz;` and
//! `#[path = "common/well_typed.rs"] mod well_typed;`.

#![allow(dead_code)]

use crate::fuzz::Rng;

/// The declarations every generated program starts with.
pub const PRELUDE: &str = "\
exception E of int
type shape = Circle of float | Rect of int * int | Dot
type tree = Leaf | Node of tree * int * tree
type point = { px : int; py : float }
let twice f x = f (f x)
let compose f g x = f (g x)
let add3 a b c = a + b * c
let rec tree_sum t = match t with Leaf -> 0 | Node (l, v, r) -> tree_sum l + v + tree_sum r
let rec tree_insert x t =
  match t with
  | Leaf -> Node (Leaf, x, Leaf)
  | Node (l, v, r) -> if x < v then Node (tree_insert x l, v, r) else Node (l, v, tree_insert x r)
let rec is_even n = if n = 0 then true else is_odd (n - 1)
and is_odd n = if n = 0 then false else is_even (n - 1)
let run_case f = try print (f ()) with E n -> print (\"E\", n) | e -> print e
";

#[derive(Clone, PartialEq, Debug)]
pub enum Ty {
    Int,
    Float,
    Bool,
    Str,
    Unit,
    List(Box<Ty>),
    Opt(Box<Ty>),
    Pair(Box<Ty>, Box<Ty>),
    Array(Box<Ty>),
    Ref(Box<Ty>),
    Fun(Box<Ty>, Box<Ty>),
    Shape,
    Tree,
    Point,
    Tensor,
}

use Ty::*;

fn list(t: Ty) -> Ty {
    List(Box::new(t))
}

fn pair(a: Ty, b: Ty) -> Ty {
    Pair(Box::new(a), Box::new(b))
}

fn fun(a: Ty, b: Ty) -> Ty {
    Fun(Box::new(a), Box::new(b))
}

impl Ty {
    /// The type as written in an annotation, parenthesised when compound.
    pub fn written(&self) -> String {
        match self {
            Int => "int".into(),
            Float => "float".into(),
            Bool => "bool".into(),
            Str => "string".into(),
            Unit => "unit".into(),
            List(t) => format!("({} list)", t.written()),
            Opt(t) => format!("({} option)", t.written()),
            Pair(a, b) => format!("({} * {})", a.written(), b.written()),
            Array(t) => format!("({} array)", t.written()),
            Ref(t) => format!("({} ref)", t.written()),
            Fun(a, b) => format!("({} -> {})", a.written(), b.written()),
            Shape => "shape".into(),
            Tree => "tree".into(),
            Point => "point".into(),
            Tensor => "tensor".into(),
        }
    }

    /// Whether `=` and `compare` accept its values (no functions, no
    /// tensors inside).
    fn comparable(&self) -> bool {
        match self {
            Fun(..) | Tensor => false,
            List(t) | Opt(t) | Array(t) | Ref(t) => t.comparable(),
            Pair(a, b) => a.comparable() && b.comparable(),
            _ => true,
        }
    }
}

/// How much a case may grow: each generated node spends one unit, and
/// an exhausted budget leaves only leaves (literals and variables).
const CASE_BUDGET: usize = 24;
/// How deep a case may nest.
const MAX_DEPTH: usize = 5;

struct Gen<'r> {
    rng: &'r mut Rng,
    /// The variables in scope and their types.
    scope: Vec<(String, Ty)>,
    /// The answer type of the enclosing `reset`, where a `shift` may go
    /// (`None` in a function body, a `try` or outside any `reset`).
    answer: Option<Ty>,
    /// Inside a `reset` (its functions too), where code may run in a
    /// continuation-passing variant: no `try` (see [`Gen::handle`]) and
    /// no run-time error (see [`Gen::int_literal`]) goes there.
    in_reset: bool,
    /// Inside the body of a closure or a local function, whose effect may
    /// be left open: only a first-order `try` goes there (see
    /// [`Gen::handle`]).
    in_closure: bool,
    fresh: usize,
    budget: usize,
}

/// A program of `cases` generated cases, deterministically from `rng`.
pub fn program(rng: &mut Rng, cases: usize) -> String {
    let mut text = PRELUDE.to_string();
    let mut main = String::new();
    for n in 0..cases {
        let mut gen = Gen {
            rng: &mut *rng,
            scope: Vec::new(),
            answer: None,
            in_reset: false,
            in_closure: false,
            fresh: 0,
            budget: CASE_BUDGET,
        };
        let ty = gen.ty(2);
        let body = gen.expr(&ty, MAX_DEPTH);
        text.push_str(&format!("let case_{n} () : {} =\n  {body}\n", ty.written()));
        main.push_str(&format!("let () = run_case case_{n}\n"));
    }
    text.push_str(&main);
    text
}

impl Gen<'_> {
    fn below(&mut self, n: usize) -> usize {
        self.rng.below(n)
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn fresh(&mut self, stem: &str) -> String {
        self.fresh += 1;
        format!("{stem}{}", self.fresh)
    }

    /// A random type, at most `depth` constructors deep.
    fn ty(&mut self, depth: usize) -> Ty {
        let leaves = [
            Int, Int, Float, Float, Bool, Str, Unit, Shape, Tree, Point, Tensor,
        ];
        if depth == 0 || self.chance(2) {
            return self.rng.pick(&leaves).clone();
        }
        match self.below(6) {
            0 => list(self.ty(depth - 1)),
            1 => Opt(Box::new(self.ty(depth - 1))),
            2 => pair(self.ty(depth - 1), self.ty(depth - 1)),
            3 => Array(Box::new(self.ty(depth - 1))),
            4 => Ref(Box::new(self.ty(depth - 1))),
            _ => fun(self.ty(depth - 1), self.ty(depth - 1)),
        }
    }

    /// Runs `f` with `name : ty` in scope.
    fn with_var<T>(&mut self, name: &str, ty: &Ty, f: impl FnOnce(&mut Self) -> T) -> T {
        self.with_vars(&[(name.to_string(), ty.clone())], f)
    }

    fn with_vars<T>(&mut self, vars: &[(String, Ty)], f: impl FnOnce(&mut Self) -> T) -> T {
        let mark = self.scope.len();
        self.scope.extend(vars.iter().cloned());
        let out = f(self);
        self.scope.truncate(mark);
        out
    }

    /// Runs `f` where a `shift` may go to a `reset` of answer `answer`.
    fn with_answer<T>(&mut self, answer: Option<Ty>, f: impl FnOnce(&mut Self) -> T) -> T {
        let outer = std::mem::replace(&mut self.answer, answer);
        let out = f(self);
        self.answer = outer;
        out
    }

    /// Runs `f` for the body of a closure or a local function.
    fn closure_body<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let outer = std::mem::replace(&mut self.in_closure, true);
        let out = f(self);
        self.in_closure = outer;
        out
    }

    /// A function body `fun (v : a) -> …`: no `shift` reaches out of it.
    fn lambda(&mut self, a: &Ty, b: &Ty, depth: usize) -> String {
        let v = self.fresh("v");
        let body = self.with_answer(None, |g| {
            g.closure_body(|g| g.with_var(&v, a, |g| g.expr(b, depth)))
        });
        format!("(fun ({v} : {}) -> {body})", a.written())
    }

    fn vars_of(&self, ty: &Ty) -> Vec<String> {
        self.scope
            .iter()
            .filter(|(_, t)| t == ty)
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// An expression of type `ty`.
    fn expr(&mut self, ty: &Ty, depth: usize) -> String {
        if depth == 0 || self.budget == 0 {
            return self.leaf(ty);
        }
        self.budget -= 1;
        match self.below(24) {
            0..=9 => self.specific(ty, depth - 1),
            10 | 11 => self.leaf(ty),
            12 => self.let_in(ty, depth - 1),
            13 => {
                let c = self.expr(&Bool, depth - 1);
                let a = self.expr(ty, depth - 1);
                let b = self.expr(ty, depth - 1);
                format!("(if {c} then {a} else {b})")
            }
            14 => self.match_on(ty, depth - 1),
            15 => self.apply(ty, depth - 1),
            16 => self.recursion(ty, depth - 1),
            17 => self.loop_into(ty, depth - 1),
            18 => {
                let u = self.expr(&Unit, depth - 1);
                let e = self.expr(ty, depth - 1);
                format!("({u}; {e})")
            }
            19 => self.handle(ty, depth - 1),
            20 => self.polymorphic(ty, depth - 1),
            21 => self.control(ty, depth - 1),
            22 if self.chance(4) => self.failure(ty, depth - 1),
            _ => self.specific(ty, depth - 1),
        }
    }

    /// A literal, a variable or the simplest value of `ty`.
    fn leaf(&mut self, ty: &Ty) -> String {
        let vars = self.vars_of(ty);
        if !vars.is_empty() && self.chance(2) {
            return self.rng.pick(&vars).clone();
        }
        match ty {
            Int => self.int_literal(),
            Float => self.float_literal(),
            Bool => self.rng.pick(&["true", "false"]).to_string(),
            Str => self
                .rng
                .pick(&["\"\"", "\"a\"", "\"bc\"", "\"h\\u{e9}!\"", "\"t\\tq\\\"\""])
                .to_string(),
            Unit => "()".into(),
            List(t) => match self.below(3) {
                0 => "[]".into(),
                _ => format!("[{}]", self.leaf(t)),
            },
            Opt(t) => match self.below(2) {
                0 => "None".into(),
                _ => format!("(Some {})", self.leaf(t)),
            },
            Pair(a, b) => format!("({}, {})", self.leaf(a), self.leaf(b)),
            Array(t) => format!("[| {} |]", self.leaf(t)),
            Ref(t) => format!("(ref {})", self.leaf(t)),
            Fun(a, b) => {
                let v = self.fresh("v");
                let body = self.with_var(&v, a, |g| g.leaf(b));
                format!("(fun ({v} : {}) -> {body})", a.written())
            }
            Shape => match self.below(3) {
                0 => format!("(Circle {})", self.float_literal()),
                1 => format!("(Rect ({}, {}))", self.int_literal(), self.int_literal()),
                _ => "Dot".into(),
            },
            Tree => match self.below(2) {
                0 => "Leaf".into(),
                _ => format!("(Node (Leaf, {}, Leaf))", self.int_literal()),
            },
            Point => format!(
                "{{ px = {}; py = {} }}",
                self.int_literal(),
                self.float_literal()
            ),
            Tensor => {
                let xs: Vec<String> = (0..3).map(|_| self.float_literal()).collect();
                format!("(Tensor.of_list [{}])", xs.join("; "))
            }
        }
    }

    /// A small int or one at the edge of the range.
    fn int_literal(&mut self) -> String {
        match self.below(12) {
            0 => self
                .rng
                .pick(&[
                    "4611686018427387903",
                    "(-4611686018427387904)",
                    "9223372036854775807",
                    "(-9223372036854775807 - 1)",
                ])
                .to_string(),
            1..=3 => format!("({})", -(self.below(6) as i64)),
            _ => self.below(12).to_string(),
        }
    }

    fn float_literal(&mut self) -> String {
        self.rng
            .pick(&[
                "0.0", "1.0", "0.5", "2.0", "(-1.5)", "3.25", "0.1", "1e-3", "(-0.0)", "7.0",
                "1e10",
            ])
            .to_string()
    }

    /// `let x = e in body`, `x` of a random type.
    fn let_in(&mut self, ty: &Ty, depth: usize) -> String {
        let t = self.ty(1);
        let value = match t {
            Fun(..) => self.closure_body(|g| g.expr(&t, depth)),
            _ => self.expr(&t, depth),
        };
        let x = self.fresh("x");
        let body = self.with_var(&x, &t, |g| g.expr(ty, depth));
        format!("(let {x} = {value} in {body})")
    }

    /// A `match` on a value of a random type, with guards, or-patterns,
    /// nested patterns, `as` and a catch-all, each arm of type `ty`.
    fn match_on(&mut self, ty: &Ty, depth: usize) -> String {
        let elem = self.ty(0);
        let scrutinee_ty = match self.below(7) {
            0 => Int,
            1 => list(elem.clone()),
            2 => Opt(Box::new(elem.clone())),
            3 => Shape,
            4 => Tree,
            5 => Point,
            _ => Str,
        };
        let scrutinee = self.expr(&scrutinee_ty, depth);
        let (a, b, c) = (self.fresh("p"), self.fresh("p"), self.fresh("p"));
        let arms: Vec<(String, Vec<(String, Ty)>)> = match &scrutinee_ty {
            Int => vec![
                (format!("0 | {}", 1 + self.below(3)), vec![]),
                (
                    format!("{a} when {a} > {}", self.below(8)),
                    vec![(a.clone(), Int)],
                ),
                ("_".into(), vec![]),
            ],
            List(t) => {
                let t = (**t).clone();
                vec![
                    ("[]".into(), vec![]),
                    (format!("[{a}]"), vec![(a.clone(), t.clone())]),
                    (
                        format!("{a} :: {b} :: _ when {} ", self.below(2) == 0),
                        vec![(a.clone(), t.clone()), (b.clone(), t.clone())],
                    ),
                    (format!("_ :: {c}"), vec![(c.clone(), list(t))]),
                ]
            }
            Opt(t) => vec![
                ("None".into(), vec![]),
                (
                    format!("Some {a} as {b}"),
                    vec![
                        (a.clone(), (**t).clone()),
                        (b.clone(), scrutinee_ty.clone()),
                    ],
                ),
            ],
            Shape => vec![
                (format!("Circle {a}"), vec![(a.clone(), Float)]),
                (
                    format!("Rect ({a}, {b}) when {a} > {b}"),
                    vec![(a.clone(), Int), (b.clone(), Int)],
                ),
                (
                    format!("Rect ({a}, 0) | Rect (0, {a})"),
                    vec![(a.clone(), Int)],
                ),
                ("Rect _ | Dot".into(), vec![]),
            ],
            Tree => vec![
                ("Leaf".into(), vec![]),
                (format!("Node (Leaf, {a}, _)"), vec![(a.clone(), Int)]),
                (
                    format!("Node ({a}, {b}, {c})"),
                    vec![(a.clone(), Tree), (b.clone(), Int), (c.clone(), Tree)],
                ),
            ],
            Point => vec![
                (format!("{{ px = 0; py = {a} }}"), vec![(a.clone(), Float)]),
                (format!("{{ px = {a}; _ }}"), vec![(a.clone(), Int)]),
            ],
            _ => vec![
                ("\"a\" | \"bc\"".into(), vec![]),
                (a.clone(), vec![(a.clone(), Str)]),
            ],
        };
        let mut text = format!("(match {scrutinee} with");
        for (pattern, vars) in arms {
            let body = self.with_vars(&vars, |g| g.expr(ty, depth));
            text.push_str(&format!(" | {pattern} -> {body}"));
        }
        text.push(')');
        text
    }

    /// A function in scope, a closure or a helper applied to arguments.
    fn apply(&mut self, ty: &Ty, depth: usize) -> String {
        let functions: Vec<(String, Ty)> = self
            .scope
            .iter()
            .filter(|(_, t)| matches!(t, Fun(_, b) if **b == *ty))
            .cloned()
            .collect();
        if !functions.is_empty() && self.chance(2) {
            let (f, f_ty) = self.rng.pick(&functions).clone();
            let Fun(a, _) = f_ty else { unreachable!() };
            let arg = self.expr(&a, depth);
            return format!("({f} {arg})");
        }
        match self.below(4) {
            0 => {
                let a = self.ty(1);
                let f = self.expr(&fun(a.clone(), ty.clone()), depth);
                let arg = self.expr(&a, depth);
                format!("({f} {arg})")
            }
            1 => {
                let f = self.lambda(ty, ty, depth);
                let x = self.expr(ty, depth);
                format!("(twice {f} {x})")
            }
            2 => {
                let m = self.ty(0);
                let a = self.ty(0);
                let f = self.lambda(&m, ty, depth);
                let g = self.lambda(&a, &m, depth);
                let x = self.expr(&a, depth);
                format!("(compose {f} {g} {x})")
            }
            _ => {
                let a = self.ty(0);
                let f = self.lambda(&a, ty, depth);
                let x = self.expr(&a, depth);
                format!("({f} {x})")
            }
        }
    }

    /// A local recursive function counting down from a small literal,
    /// tail-recursive with an accumulator or not; the function itself is
    /// out of scope in its body, so only its own countdown calls it.
    fn recursion(&mut self, ty: &Ty, depth: usize) -> String {
        let (go, i, acc) = (self.fresh("go"), self.fresh("i"), self.fresh("acc"));
        let n = self.below(5);
        if self.chance(2) {
            let init = self.expr(ty, depth);
            let step = self.with_answer(None, |g| {
                g.closure_body(|g| {
                    g.with_vars(&[(i.clone(), Int), (acc.clone(), ty.clone())], |g| {
                        g.expr(ty, depth)
                    })
                })
            });
            format!(
                "(let rec {go} ({i} : int) ({acc} : {t}) = if {i} <= 0 then {acc} else {go} ({i} - 1) ({step}) in {go} {n} {init})",
                t = ty.written()
            )
        } else {
            let (base, step) = self.with_answer(None, |g| {
                g.closure_body(|g| {
                    g.with_var(&i, &Int, |g| {
                        let base = g.expr(ty, depth);
                        let step = g.with_var(&acc, ty, |g| g.expr(ty, depth));
                        (base, step)
                    })
                })
            });
            format!(
                "(let rec {go} ({i} : int) : {t} = if {i} <= 0 then {base} else (let {acc} = {go} ({i} - 1) in {step}) in {go} {n})",
                t = ty.written()
            )
        }
    }

    /// A `for` or `while` loop updating a ref of type `ty`, then its
    /// contents; the loop's counter is out of the generator's reach.
    fn loop_into(&mut self, ty: &Ty, depth: usize) -> String {
        let (r, i) = (self.fresh("r"), self.fresh("i"));
        let init = self.expr(ty, depth);
        let ref_ty = Ref(Box::new(ty.clone()));
        let step = self.with_vars(&[(r.clone(), ref_ty), (i.clone(), Int)], |g| {
            g.expr(ty, depth)
        });
        let n = self.below(4);
        let lo = self.below(2);
        match self.below(3) {
            0 => format!(
                "(let {r} = ref {init} in for {i} = {lo} to {n} do {r} := {step} done; !{r})"
            ),
            1 => format!(
                "(let {r} = ref {init} in for {i} = {n} downto {lo} do {r} := {step} done; !{r})"
            ),
            _ => {
                let c = self.fresh("c");
                format!(
                    "(let {r} = ref {init} in let {c} = ref {n} in while !{c} > 0 do (let {i} = !{c} in {c} := {i} - 1; {r} := {step}) done; !{r})"
                )
            }
        }
    }

    /// `try` around an expression of `ty`. Exclusion: the JIT refuses a
    /// `try` in code that may shift (E401 from `lower/cps.rs`; docs/jit.md,
    /// "Exceptions"), and the checker unifies effects, so a `try` whose
    /// body or arms call a function value may shift by its type wherever
    /// the effect is `cps` or left open, even where nothing shifts: in a
    /// `reset`, `reset (try List.length (List.map (fun v -> v) [2]) with
    /// Exit -> 1)`; in a local function, `let go (i : int) = try (fun (v :
    /// int) -> v) i with Exit -> 0 in go 2`; in a closure whose effect
    /// stays open, `let p = fun w -> w in p (fun (v : int) -> try true
    /// with Exit -> List.exists (fun x -> x) [])`. There, and only there,
    /// the `try` is first order: its body raises or is a leaf, its arms
    /// are leaves. (The golden `exceptions/through_reset` is a `try`
    /// whose body does shift.)
    fn handle(&mut self, ty: &Ty, depth: usize) -> String {
        let n = self.fresh("n");
        let guard = self.below(6);
        if self.in_reset || self.in_closure {
            let value = self.leaf(ty);
            let body = match self.below(2) {
                0 => format!(
                    "(if {} then raise (E {}) else {value})",
                    self.leaf(&Bool),
                    self.leaf(&Int)
                ),
                _ => value,
            };
            let caught = self.with_var(&n, &Int, |g| g.leaf(ty));
            let other = self.leaf(ty);
            return format!("(try {body} with E {n} when {n} > {guard} -> {caught} | Failure _ | Not_found -> {other})");
        }
        self.with_answer(None, |g| {
            let body = g.expr(ty, depth);
            let caught = g.with_var(&n, &Int, |g| g.expr(ty, depth));
            let other = g.expr(ty, depth);
            format!("(try {body} with E {n} when {n} > {guard} -> {caught} | Failure _ | Not_found -> {other})")
        })
    }

    /// Let-polymorphism: a local function generalised and used at two
    /// types.
    fn polymorphic(&mut self, ty: &Ty, depth: usize) -> String {
        let f = self.fresh("poly");
        let w = self.fresh("w");
        let other = self.ty(1);
        let a = self.expr(&other, depth);
        let b = self.expr(ty, depth);
        match self.below(2) {
            0 => format!("(let {f} = fun {w} -> ({w}, {w}) in let _ = {f} {a} in fst ({f} {b}))"),
            _ => format!("(let {f} = fun {w} -> {w} in let _ = {f} {a} in {f} {b})"),
        }
    }

    /// A `reset` of answer `ty`, or a `shift` to the enclosing one.
    fn control(&mut self, ty: &Ty, depth: usize) -> String {
        match self.answer.clone() {
            Some(answer) if self.chance(2) => {
                let k = self.fresh("k");
                let body = self.with_var(&k, &fun(ty.clone(), answer.clone()), |g| {
                    g.expr(&answer, depth)
                });
                format!("(shift {k} -> {body})")
            }
            _ => {
                let outer = std::mem::replace(&mut self.in_reset, true);
                let body = self.with_answer(Some(ty.clone()), |g| g.expr(ty, depth));
                self.in_reset = outer;
                format!("(reset {body})")
            }
        }
    }

    /// An exception of any type.
    fn failure(&mut self, _ty: &Ty, depth: usize) -> String {
        match self.below(3) {
            0 => format!("(raise (E {}))", self.expr(&Int, depth)),
            1 => format!("(failwith {})", self.expr(&Str, depth)),
            _ => "(raise Not_found)".into(),
        }
    }

    /// The forms that make a value of `ty` in particular.
    fn specific(&mut self, ty: &Ty, d: usize) -> String {
        match ty {
            Int => self.int_expr(d),
            Float => self.float_expr(d),
            Bool => self.bool_expr(d),
            Str => self.string_expr(d),
            Unit => self.unit_expr(d),
            List(t) => match self.below(7) {
                0 => {
                    let xs: Vec<String> = (0..self.below(4)).map(|_| self.expr(t, d)).collect();
                    format!("[{}]", xs.join("; "))
                }
                1 => format!("({} :: {})", self.expr(t, d), self.expr(ty, d)),
                2 => format!("({} ++ {})", self.expr(ty, d), self.expr(ty, d)),
                3 => {
                    let a = self.ty(0);
                    let f = self.lambda(&a, t, d);
                    format!("(List.map {f} {})", self.expr(&list(a), d))
                }
                4 => {
                    let f = self.lambda(t, &Bool, d);
                    format!("(List.filter {f} {})", self.expr(ty, d))
                }
                5 => format!("(List.rev {})", self.expr(ty, d)),
                _ => {
                    let f = self.lambda(&Int, t, d);
                    format!("(List.init {} {f})", self.below(4))
                }
            },
            Opt(t) => match self.below(3) {
                0 => "None".into(),
                1 => format!("(Some {})", self.expr(t, d)),
                _ => {
                    let f = self.lambda(t, &Bool, d);
                    format!("(List.find_opt {f} {})", self.expr(&list((**t).clone()), d))
                }
            },
            Pair(a, b) => format!("({}, {})", self.expr(a, d), self.expr(b, d)),
            Array(t) => match self.below(3) {
                0 => {
                    let xs: Vec<String> = (0..1 + self.below(3)).map(|_| self.expr(t, d)).collect();
                    format!("[| {} |]", xs.join("; "))
                }
                1 => format!("(Array.make {} {})", 1 + self.below(3), self.expr(t, d)),
                _ => {
                    let f = self.lambda(t, t, d);
                    format!("(Array.map {f} {})", self.expr(ty, d))
                }
            },
            Ref(t) => format!("(ref {})", self.expr(t, d)),
            Fun(a, b) => match self.below(4) {
                0 if **a == Int && **b == Int => {
                    format!("(add3 {} {})", self.expr(&Int, d), self.expr(&Int, d))
                }
                1 => {
                    // A closure over a counter: its calls share the ref.
                    let (r, v) = (self.fresh("r"), self.fresh("v"));
                    let vars = [(r.clone(), Ref(Box::new(Int))), (v.clone(), (**a).clone())];
                    let body = self.with_answer(None, |g| {
                        g.closure_body(|g| g.with_vars(&vars, |g| g.expr(b, d)))
                    });
                    format!(
                        "(let {r} = ref 0 in fun ({v} : {}) -> ({r} := !{r} + 1; {body}))",
                        a.written()
                    )
                }
                2 => {
                    let m = self.ty(0);
                    let f = self.lambda(&m, b, d);
                    let g = self.lambda(a, &m, d);
                    format!("(compose {f} {g})")
                }
                _ => self.lambda(a, b, d),
            },
            Shape => match self.below(3) {
                0 => format!("(Circle {})", self.expr(&Float, d)),
                1 => format!("(Rect ({}, {}))", self.expr(&Int, d), self.expr(&Int, d)),
                _ => "Dot".into(),
            },
            Tree => match self.below(2) {
                0 => format!(
                    "(Node ({}, {}, {}))",
                    self.expr(&Tree, d),
                    self.expr(&Int, d),
                    self.expr(&Tree, d)
                ),
                _ => format!(
                    "(tree_insert {} {})",
                    self.expr(&Int, d),
                    self.expr(&Tree, d)
                ),
            },
            Point => match self.below(2) {
                0 => format!(
                    "{{ px = {}; py = {} }}",
                    self.expr(&Int, d),
                    self.expr(&Float, d)
                ),
                _ => format!(
                    "{{ {} with py = {} }}",
                    self.expr(&Point, d),
                    self.expr(&Float, d)
                ),
            },
            Tensor => self.tensor_expr(d),
        }
    }

    fn int_expr(&mut self, d: usize) -> String {
        match self.below(16) {
            0..=4 => {
                let ops = ["+", "-", "*", "+", "-", "*", "/", "%"];
                let op = self.rng.pick(&ops).to_string();
                format!("({} {op} {})", self.expr(&Int, d), self.expr(&Int, d))
            }
            5 => format!("(- {})", self.expr(&Int, d)),
            6 => format!("(String.length {})", self.expr(&Str, d)),
            7 => {
                let t = self.ty(0);
                format!("(List.length {})", self.expr(&list(t), d))
            }
            8 => {
                let f = "(fun a b -> a + b)";
                format!(
                    "(List.fold_left {f} {} {})",
                    self.expr(&Int, d),
                    self.expr(&list(Int), d)
                )
            }
            9 => format!("(tree_sum {})", self.expr(&Tree, d)),
            10 => format!("(to_int {})", self.expr(&Float, d)),
            11 => {
                let b = self.ty(0);
                format!("(fst {})", self.expr(&pair(Int, b), d))
            }
            12 => format!("!{}", self.expr(&Ref(Box::new(Int)), d)),
            13 => format!("{}.(0)", self.expr(&Array(Box::new(Int)), d)),
            14 => format!("{}.px", self.expr(&Point, d)),
            _ => format!(
                "(add3 {} {} {})",
                self.expr(&Int, d),
                self.expr(&Int, d),
                self.expr(&Int, d)
            ),
        }
    }

    fn float_expr(&mut self, d: usize) -> String {
        match self.below(15) {
            0..=3 => {
                let op = self.rng.pick(&["+", "-", "*", "/"]).to_string();
                format!("({} {op} {})", self.expr(&Float, d), self.expr(&Float, d))
            }
            4 => {
                let f = self
                    .rng
                    .pick(&["sin", "cos", "exp", "tanh", "sqrt", "abs", "sigmoid"])
                    .to_string();
                format!("({f} {})", self.expr(&Float, d))
            }
            5 => format!(
                "({} ** {})",
                self.expr(&Float, d),
                self.rng.pick(&["2.0", "0.5", "3.0"])
            ),
            6 => format!("(to_float {})", self.expr(&Int, d)),
            7 => format!("(Tensor.sum {})", self.expr(&Tensor, d)),
            8 => format!("(Tensor.get {} [{}])", self.expr(&Tensor, d), self.below(3)),
            9 => format!("{}.py", self.expr(&Point, d)),
            10 | 11 => {
                let x = self.fresh("x");
                let body =
                    self.with_answer(None, |g| g.with_var(&x, &Float, |g| g.expr(&Float, d)));
                let at = self.expr(&Float, d);
                let f = format!("(fun ({x} : float) -> {body})");
                // Written out, or first class: bound to a name, partially
                // applied, passed to a higher-order function.
                match self.below(7) {
                    0 => format!("(grad {f} {at})"),
                    1 => format!("(snd (value_and_grad {f} {at}))"),
                    2 => format!("(snd (jvp {f} {at} {}))", self.float_literal()),
                    3 => {
                        let d = self.fresh("d");
                        format!("(let {d} = grad in {d} {f} {at})")
                    }
                    4 => format!("(twice (grad {f}) {at})"),
                    5 => format!("(snd ((let v = value_and_grad in v) {f} {at}))"),
                    _ => format!(
                        "(List.fold_left (fun a p -> a + snd p) 0.0 (List.map (jvp {f} {at}) [{}; {}]))",
                        self.float_literal(),
                        self.float_literal()
                    ),
                }
            }
            12 => {
                let (x, y) = (self.fresh("x"), self.fresh("y"));
                let body = self.with_answer(None, |g| {
                    g.with_vars(&[(x.clone(), Float), (y.clone(), Float)], |g| {
                        g.expr(&Float, d)
                    })
                });
                format!(
                    "(fst (grad (fun (({x} : float), ({y} : float)) -> {body}) ({}, {})))",
                    self.expr(&Float, d),
                    self.expr(&Float, d)
                )
            }
            13 => format!("(stop_gradient {})", self.expr(&Float, d)),
            _ => {
                let f = "(fun a b -> a + b)";
                format!(
                    "(List.fold_left {f} {} {})",
                    self.expr(&Float, d),
                    self.expr(&list(Float), d)
                )
            }
        }
    }

    fn bool_expr(&mut self, d: usize) -> String {
        match self.below(8) {
            0 | 1 => {
                let t = self.rng.pick(&[Int, Float, Str]).clone();
                let op = self
                    .rng
                    .pick(&["<", ">", "<=", ">=", "=", "<>"])
                    .to_string();
                format!("({} {op} {})", self.expr(&t, d), self.expr(&t, d))
            }
            2 => {
                let t = loop {
                    let t = self.ty(1);
                    if t.comparable() {
                        break t;
                    }
                };
                let op = self.rng.pick(&["=", "<>"]).to_string();
                format!("({} {op} {})", self.expr(&t, d), self.expr(&t, d))
            }
            3 => format!("({} && {})", self.expr(&Bool, d), self.expr(&Bool, d)),
            4 => format!("({} || {})", self.expr(&Bool, d), self.expr(&Bool, d)),
            5 => format!("(not {})", self.expr(&Bool, d)),
            6 => {
                let f = self.lambda(&Int, &Bool, d);
                format!("(List.exists {f} {})", self.expr(&list(Int), d))
            }
            _ => format!("(is_even {})", self.below(9)),
        }
    }

    fn string_expr(&mut self, d: usize) -> String {
        match self.below(4) {
            0 => format!("({} ^ {})", self.expr(&Str, d), self.expr(&Str, d)),
            1 => {
                let t = self.ty(1);
                format!("(show {})", self.expr(&t, d))
            }
            2 => format!("(String.concat \",\" {})", self.expr(&list(Str), d)),
            _ => format!("(string_of_int {})", self.expr(&Int, d)),
        }
    }

    fn unit_expr(&mut self, d: usize) -> String {
        let refs: Vec<(String, Ty)> = self
            .scope
            .iter()
            .filter(|(_, t)| matches!(t, Ref(_)))
            .cloned()
            .collect();
        match self.below(7) {
            0 | 1 => {
                let t = self.ty(1);
                format!("(print {})", self.expr(&t, d))
            }
            2 => format!("(eprint {})", self.expr(&Int, d)),
            3 if !refs.is_empty() => {
                let (r, r_ty) = self.rng.pick(&refs).clone();
                let Ref(t) = r_ty else { unreachable!() };
                format!("({r} := {})", self.expr(&t, d))
            }
            4 => {
                let t = self.ty(0);
                let a = self.expr(&Array(Box::new(t.clone())), d);
                format!("({a}.(0) <- {})", self.expr(&t, d))
            }
            5 => {
                let f = self.lambda(&Int, &Unit, d);
                format!("(List.iter {f} {})", self.expr(&list(Int), d))
            }
            _ => {
                let i = self.fresh("i");
                let body = self.with_var(&i, &Int, |g| g.expr(&Unit, d));
                format!("(for {i} = 0 to {} do {body} done)", self.below(3))
            }
        }
    }

    fn tensor_expr(&mut self, d: usize) -> String {
        match self.below(6) {
            0 | 1 => {
                let op = self.rng.pick(&["+", "-", "*"]).to_string();
                format!("({} {op} {})", self.expr(&Tensor, d), self.expr(&Tensor, d))
            }
            2 => format!("({} * {})", self.expr(&Tensor, d), self.expr(&Float, d)),
            3 => {
                let f = self
                    .rng
                    .pick(&["tanh", "exp", "relu", "sigmoid"])
                    .to_string();
                format!("(Tensor.{f} {})", self.expr(&Tensor, d))
            }
            4 => {
                let t = self.fresh("t");
                let body =
                    self.with_answer(None, |g| g.with_var(&t, &Tensor, |g| g.expr(&Float, d)));
                format!(
                    "(grad (fun ({t} : tensor) -> {body}) {})",
                    self.expr(&Tensor, d)
                )
            }
            _ => {
                let xs: Vec<String> = (0..3).map(|_| self.expr(&Float, d)).collect();
                format!("(Tensor.of_list [{}])", xs.join("; "))
            }
        }
    }
}
