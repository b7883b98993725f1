//! Checker tests over parsed programs: printed schemes, every error
//! code, effects, classes and exhaustiveness.

use super::{CheckedModule, Checker};
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::FileId;
use crate::syntax::parse::parse_module;

fn check_with(checker: &mut Checker, src: &str) -> Result<CheckedModule, Vec<Diagnostic>> {
    let items = match parse_module(FileId(0), src) {
        Ok(items) => items,
        Err(d) => panic!("parse error in test program {src:?}: {d:?}"),
    };
    checker.check_module(None, items)
}

fn check(src: &str) -> Result<CheckedModule, Vec<Diagnostic>> {
    check_with(&mut Checker::new(), src)
}

/// The printed type of the last binding named `name`.
fn type_of(src: &str, name: &str) -> String {
    match check(src) {
        Ok(m) => m
            .bindings
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| panic!("no binding {name}")),
        Err(d) => panic!("unexpected error in {src:?}: {d:?}"),
    }
}

fn error_of(src: &str) -> Diagnostic {
    match check(src) {
        Ok(_) => panic!("expected an error in {src:?}"),
        Err(mut d) => d.remove(0),
    }
}

fn error_code(src: &str) -> &'static str {
    error_of(src).code
}

fn warnings_of(src: &str) -> Vec<(String, String)> {
    match check(src) {
        Ok(m) => m
            .warnings
            .iter()
            .map(|w| (w.code.to_string(), w.message.clone()))
            .collect(),
        Err(d) => panic!("unexpected error in {src:?}: {d:?}"),
    }
}

#[test]
fn prints_simple_schemes() {
    assert_eq!(type_of("let f x = x + 1", "f"), "int -> int");
    assert_eq!(type_of("let id x = x", "id"), "'a -> 'a");
    assert_eq!(type_of("let k x y = x", "k"), "'a -> 'b -> 'a");
    assert_eq!(
        type_of("let square x = x * x", "square"),
        "'a -> 'a where 'a : num"
    );
    assert_eq!(
        type_of("let p = (1, \"a\", true)", "p"),
        "int * string * bool"
    );
    assert_eq!(type_of("let l = [[1]]", "l"), "int list list");
    assert_eq!(type_of("let l = [(1, 2)]", "l"), "(int * int) list");
    assert_eq!(
        type_of("let l = [fun x -> x + 1]", "l"),
        "(int -> int) list"
    );
    assert_eq!(type_of("let t = ((1, 2), 3)", "t"), "(int * int) * int");
    assert_eq!(
        type_of("let apply f x = f x", "apply"),
        "('a -> 'b) -> 'a -> 'b"
    );
    assert_eq!(type_of("let a = [| 1.0 |]", "a"), "float array");
    assert_eq!(type_of("let r = ref 1", "r"), "int ref");
    assert_eq!(type_of("let o = Some 1", "o"), "int option");
}

#[test]
fn prints_user_types() {
    let src = "type ('a, 'b) pair = P of 'a * 'b\nlet p = P (1, \"x\")";
    assert_eq!(type_of(src, "p"), "(int, string) pair");
    let src = "type 'a tree = Leaf of 'a | Node of 'a tree * 'a tree\n\
               let rec size t = match t with Leaf _ -> 1 | Node (l, r) -> size l + size r";
    assert_eq!(type_of(src, "size"), "'a tree -> int");
    let src = "type point = { x : float; y : float }\nlet sum p = p.x + p.y";
    assert_eq!(type_of(src, "sum"), "point -> float");
    let src = "type t = int * int\nlet f (x : t) = x";
    assert_eq!(type_of(src, "f"), "int * int -> int * int");
}

#[test]
fn length_is_polymorphic() {
    let src = "let rec length l = match l with [] -> 0 | _ :: t -> 1 + length t";
    assert_eq!(type_of(src, "length"), "'a list -> int");
}

#[test]
fn let_polymorphism_and_value_restriction() {
    let src = "let id x = x\nlet a = (id 1, id true)";
    assert_eq!(type_of(src, "a"), "int * bool");
    assert_eq!(type_of("let r = ref []", "r"), "'_a list ref");
    assert_eq!(
        type_of("let r = ref []\nlet () = r := [1]", "r"),
        "'_a list ref"
    );
    let mut c = Checker::new();
    check_with(&mut c, "let r = ref []").unwrap();
    check_with(&mut c, "let () = r := [1]").unwrap();
    let m = check_with(&mut c, "let s = r").unwrap();
    assert_eq!(m.bindings[0].1, "int list ref");
    // A local non-value stays monomorphic even under an outer `fun`.
    assert_eq!(
        type_of("let f () = let r = ref [] in fun x -> (r := [x]; x)", "f"),
        "unit -> 'a -> 'a"
    );
    assert_eq!(
        error_code("let f = let r = ref [] in (r := [1]; r := [true])"),
        "E206"
    );
}

#[test]
fn classes() {
    assert_eq!(
        type_of("let p x y = x ** y", "p"),
        "'a -> 'a -> 'a where 'a : real"
    );
    assert_eq!(
        type_of("let lt x y = x < y", "lt"),
        "'a -> 'a -> bool where 'a : ord"
    );
    assert_eq!(
        type_of("let f x = (x + x) ** x", "f"),
        "'a -> 'a where 'a : real"
    );
    assert_eq!(type_of("let f x = (x ** x) < x", "f"), "float -> bool");
    assert_eq!(type_of("let f x = 1.0 + x", "f"), "float -> float");
    assert_eq!(type_of("let f x = -x", "f"), "'a -> 'a where 'a : num");
    let e = error_of("let f = \"a\" + \"b\"");
    assert_eq!(e.code, "E211");
    assert!(
        e.message.contains("`string`") && e.message.contains("`num`"),
        "{}",
        e.message
    );
    assert_eq!(error_code("let f x = x + 1\nlet g = f 1.5"), "E206");
    assert_eq!(error_code("let f = 1 ** 2"), "E211");
    assert_eq!(error_code("let f = 1.5 % 2.0"), "E206");
    assert_eq!(error_code("let f = (1, 2) < (3, 4)"), "E211");
    assert_eq!(error_code("let f x = x + 1 ** 2.0"), "E211");
}

#[test]
fn operators() {
    assert_eq!(
        type_of("let f a b = a ^ b", "f"),
        "string -> string -> string"
    );
    assert_eq!(
        type_of("let f a b = a ++ b", "f"),
        "'a list -> 'a list -> 'a list"
    );
    assert_eq!(
        type_of("let f a b = a :: b", "f"),
        "'a -> 'a list -> 'a list"
    );
    assert_eq!(
        type_of("let f a b = a && not b", "f"),
        "bool -> bool -> bool"
    );
    assert_eq!(
        type_of("let f a b = a @ b", "f"),
        "tensor -> tensor -> tensor"
    );
    assert_eq!(type_of("let f a b = a = b", "f"), "'a -> 'a -> bool");
    assert_eq!(type_of("let f a = a.(0)", "f"), "'a array -> 'a");
    assert_eq!(type_of("let f r = !r", "f"), "'a ref -> 'a");
    assert_eq!(type_of("let f r = r := 1", "f"), "int ref -> unit");
    assert_eq!(type_of("let f a = a.(0) <- 1", "f"), "int array -> unit");
    assert_eq!(
        type_of("let f n = for i = 1 to n do () done", "f"),
        "int -> unit"
    );
    assert_eq!(
        type_of("let f c = while !c do c := false done", "f"),
        "bool ref -> unit"
    );
}

#[test]
fn equality_rejects_functions_and_tensors() {
    assert_eq!(error_code("let f = (fun x -> x) = (fun x -> x)"), "E217");
    assert_eq!(error_code("let f (g : int -> int) = [g] = [g]"), "E217");
    assert_eq!(error_code("let f (a : tensor) b = a = b"), "E217");
    assert!(check("let f a b = a = b\nlet g = f 1 2").is_ok());
}

#[test]
fn mismatch_names_both_types_and_reason() {
    let e = error_of("let f = (1 : string)");
    assert_eq!(e.code, "E206");
    assert_eq!(e.message, "type mismatch: expected `string`, found `int`");
    assert_eq!(e.labels.len(), 2);
    assert_eq!(e.labels[0].message, "this is `int`");
    assert!(e.labels[1].message.contains("annotation"), "{:?}", e.labels);
    let e = error_of("let f x = x + 1\nlet g = f \"a\"");
    assert_eq!(e.message, "type mismatch: expected `int`, found `string`");
    assert!(e.labels[1].message.contains("parameter"), "{:?}", e.labels);
    let e = error_of("let l = [1] :: [[true]]");
    assert!(
        e.notes.iter().any(|n| n.contains("`bool`")) || e.message.contains("bool"),
        "{e:?}"
    );
    assert_eq!(error_code("let f = if true then 1 else \"a\""), "E206");
    assert_eq!(error_code("let f = if 1 then 1 else 2"), "E206");
    assert_eq!(error_code("let f = if true then 1"), "E206");
    assert_eq!(error_code("let f = 1 2"), "E222");
}

#[test]
fn name_errors() {
    let e = error_of("let foo = 1\nlet bar = fooo + 1");
    assert_eq!(e.code, "E201");
    assert!(e.notes.iter().any(|n| n.contains("`foo`")), "{e:?}");
    assert_eq!(error_code("let x = Foo 1"), "E202");
    assert_eq!(error_code("let f (x : foo) = x"), "E203");
    assert_eq!(error_code("let x = Nope.f 1"), "E204");
    assert_eq!(error_code("open Nope"), "E204");
    assert_eq!(error_code("let f r = r.nope"), "E205");
    assert_eq!(
        error_code("type p = { x : int }\ntype q = { y : int }\nlet v = { x = 1; y = 2 }"),
        "E205"
    );
}

#[test]
fn type_declaration_errors() {
    assert_eq!(
        error_code("let f (x : int list list list) (y : (int, int) list) = x"),
        "E207"
    );
    assert_eq!(error_code("type t = Leaf of 'a"), "E219");
    assert_eq!(error_code("type t = t list"), "E218");
    assert_eq!(error_code("type t = u and u = t"), "E218");
    assert_eq!(error_code("type t = A | A"), "E220");
    assert!(check("type t = u list and u = A of t | B").is_ok());
    assert!(check("type a = B of b | N and b = A of a | M\nlet x = B (A N)").is_ok());
}

#[test]
fn records() {
    let src = "type p = { x : int; y : string }";
    assert!(check(&format!("{src}\nlet v = {{ x = 1; y = \"a\" }}")).is_ok());
    assert_eq!(error_code(&format!("{src}\nlet v = {{ x = 1 }}")), "E209");
    assert_eq!(
        error_code(&format!("{src}\nlet v = {{ x = 1; x = 2; y = \"\" }}")),
        "E210"
    );
    assert_eq!(
        type_of(&format!("{src}\nlet f v = {{ v with x = 2 }}"), "f"),
        "p -> p"
    );
    assert_eq!(
        type_of(&format!("{src}\nlet f {{ x; y }} = x"), "f"),
        "p -> int"
    );
    assert_eq!(
        type_of("type 'a box = { v : 'a }\nlet b = { v = 1 }", "b"),
        "int box"
    );
    // The last declaration of a field wins.
    assert_eq!(
        type_of(
            "type a = { n : int }\ntype b = { n : string }\nlet f r = r.n",
            "f"
        ),
        "b -> string"
    );
}

#[test]
fn infinite_type() {
    assert_eq!(error_code("let f x = x x"), "E208");
    assert_eq!(error_code("let rec f x = f"), "E208");
}

#[test]
fn pattern_errors() {
    assert_eq!(error_code("let f (x, x) = x"), "E213");
    assert_eq!(
        error_code("let f x = match x with (a, 1) | (1, b) -> 0 | _ -> 1"),
        "E214"
    );
    assert_eq!(error_code("let rec x = 1"), "E215");
    assert_eq!(error_code("let rec (a, b) = (fun x -> x, 1)"), "E215");
    assert_eq!(
        error_code("let f x = match x with Some -> 1 | None -> 0"),
        "E216"
    );
    assert_eq!(error_code("let f = None 1"), "E216");
    assert_eq!(
        type_of("let f x = match x with (a, 1) | (1, a) -> a | _ -> 0", "f"),
        "int * int -> int"
    );
    assert_eq!(
        type_of(
            "let f x = match x with Some y as z -> (y, z) | None -> (0, None)",
            "f"
        ),
        "int option -> int * int option"
    );
}

#[test]
fn mutual_recursion() {
    let src = "let rec even n = n = 0 || odd (n - 1)\nand odd n = n <> 0 && even (n - 1)";
    assert_eq!(type_of(src, "even"), "int -> bool");
    assert_eq!(type_of(src, "odd"), "int -> bool");
    let src = "let f x = let rec g y = if y then h 1 else 0 and h z = g false in g x";
    assert_eq!(type_of(src, "f"), "bool -> int");
}

#[test]
fn annotations_with_named_variables() {
    assert_eq!(
        type_of("let f (x : 'a) (y : 'a) = x", "f"),
        "'a -> 'a -> 'a"
    );
    assert_eq!(
        type_of("let f (x : 'a) (y : 'b) = (x : 'a)", "f"),
        "'a -> 'b -> 'a"
    );
    assert_eq!(error_code("let f (x : 'a) = (x : int) ^ \"\""), "E206");
}

#[test]
fn shift_reset_effects() {
    assert_eq!(
        type_of("let a = reset (1 + shift k -> k (k 10))", "a"),
        "int"
    );
    assert_eq!(type_of("let a = reset (shift k -> 5) + 1", "a"), "int");
    assert_eq!(
        type_of(
            "let a = reset (let x = shift k -> k 1 ++ k 2 in [x * 10])",
            "a"
        ),
        "int list"
    );
    assert_eq!(
        type_of("let f x = shift k -> k x", "f"),
        "'a -> 'a @cps['b]"
    );
    assert_eq!(
        type_of("let yield x = shift k -> x :: k ()", "yield"),
        "'a -> unit @cps['a list]"
    );
}

#[test]
fn shift_without_reset_is_rejected() {
    let e = error_of("let a = shift k -> 1");
    assert_eq!(e.code, "E212");
    assert_eq!(e.message, "`shift` without an enclosing `reset`");
    assert_eq!(error_code("let f x = shift k -> k x\nlet a = f 1"), "E212");
    assert_eq!(error_code("let a = 1 + (shift k -> 1)"), "E212");
    assert!(check("let f x = shift k -> k x\nlet a = reset (f 1)").is_ok());
}

#[test]
fn effect_polymorphic_map_accepts_shifting_functions() {
    let src = "let rec map f l = match l with [] -> [] | x :: xs -> let y = f x in y :: map f xs\n\
               let pure = map (fun x -> x + 1) [1; 2]\n\
               let shifting = reset (map (fun x -> shift k -> k x ++ k (x * 10)) [1; 2])";
    assert_eq!(type_of(src, "map"), "('a -> 'b) -> 'a list -> 'b list");
    assert_eq!(type_of(src, "pure"), "int list");
    assert_eq!(type_of(src, "shifting"), "int list");
    let src = "let rec iter f l = match l with [] -> () | x :: xs -> f x; iter f xs\n\
               let yield x = shift k -> x :: k ()\n\
               let collect l = reset (iter yield l; [])";
    assert_eq!(type_of(src, "collect"), "'a list -> 'a list");
    let src = "let rec iter f l = match l with [] -> () | x :: xs -> f x; iter f xs\n\
               let yield x = shift k -> x :: k ()\n\
               let bad = iter yield [1]";
    assert_eq!(error_code(src), "E212");
}

#[test]
fn expression_effects_are_recorded() {
    use super::{Effect, Type};
    use crate::syntax::ast::{ExprKind, ItemKind};
    let m = check("let a = reset (1 + shift k -> k 2)").unwrap();
    let ItemKind::Let(group) = &m.items[0].kind else {
        panic!()
    };
    let reset = &group.bindings[0].expr;
    assert!(matches!(reset.ann.effect, Effect::Pure));
    let ExprKind::Reset(body) = &reset.kind else {
        panic!()
    };
    assert_eq!(body.ann.effect, Effect::Cps(Box::new(Type::int())));
    let ExprKind::BinOp(_, _, one, shift) = &body.kind else {
        panic!()
    };
    assert_eq!(one.ann.effect, Effect::Pure);
    assert_eq!(shift.ann.effect, Effect::Cps(Box::new(Type::int())));
    assert_eq!(body.ann.ty, Type::int());
}

#[test]
fn operator_types_are_resolved() {
    use super::Type;
    use crate::syntax::ast::{ExprKind, ItemKind};
    let m = check("let a = 1.5 + 2.0").unwrap();
    let ItemKind::Let(group) = &m.items[0].kind else {
        panic!()
    };
    let e = &group.bindings[0].expr;
    assert!(matches!(e.kind, ExprKind::BinOp(..)));
    assert_eq!(e.ann.ty, Type::float());
}

#[test]
fn exhaustiveness_warnings() {
    let tree = "type 'a tree = Leaf of 'a | Node of 'a tree * 'a tree\n";
    let w = warnings_of(&format!("{tree}let f t = match t with Node (l, r) -> 1"));
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].0, "W001");
    assert!(w[0].1.contains("`Leaf _`"), "{w:?}");
    let w = warnings_of("let f l = match l with [] -> 0");
    assert!(w[0].1.contains("`_ :: _`"), "{w:?}");
    let w = warnings_of("let f l = match l with x :: _ -> x");
    assert!(w[0].1.contains("`[]`"), "{w:?}");
    let w = warnings_of("let f l = match l with [] -> 0 | [x] -> 1");
    assert!(w[0].1.contains("`_ :: _ :: _`"), "{w:?}");
    assert!(warnings_of("let f l = match l with [] -> 0 | [x] -> 1 | _ :: _ :: _ -> 2").is_empty());
    let w = warnings_of("let f b = match b with (true, false) -> 0 | (false, _) -> 1");
    assert!(w[0].1.contains("`(true, true)`"), "{w:?}");
    let w = warnings_of("let f n = match n with 0 -> 1 | 1 -> 2");
    assert!(w[0].1.contains("`_`"), "{w:?}");
    let w = warnings_of("let f s = match s with \"a\" -> 1");
    assert_eq!(w[0].0, "W001");
    assert!(warnings_of(&format!(
        "{tree}let rec f t = match t with Leaf x -> x | Node (l, r) -> f l + f r"
    ))
    .is_empty());
    assert!(
        warnings_of("let f x = match x with Some (Some _) -> 1 | Some None | None -> 0").is_empty()
    );
    let w = warnings_of("let f x = match x with Some (Some _) -> 1 | None -> 0");
    assert!(w[0].1.contains("`Some None`"), "{w:?}");
    let w = warnings_of("let f x = match x with Some y when y > 0 -> 1 | None -> 0");
    assert!(w[0].1.contains("`Some _`"), "{w:?}");
    let w =
        warnings_of("type p = { a : bool; b : int }\nlet f r = match r with { a = true; b } -> b");
    assert!(w[0].1.contains("a = false"), "{w:?}");
    assert!(warnings_of("let f () = match () with () -> 1").is_empty());
}

#[test]
fn unused_arm_warnings() {
    let w = warnings_of("let f x = match x with _ -> 0 | 1 -> 1");
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].0, "W002");
    let w = warnings_of("let f x = match x with Some _ -> 0 | None -> 1 | Some 3 -> 2");
    assert_eq!(w[0].0, "W002");
    let w = warnings_of("let f x = match x with (true | false) -> 0 | true -> 1");
    assert_eq!(w[0].0, "W002");
    assert!(warnings_of("let f x = match x with 1 -> 0 | 2 -> 1 | _ -> 2").is_empty());
    assert!(warnings_of("let f x = match x with y when y > 0 -> 0 | _ -> 1").is_empty());
}

#[test]
fn refutable_let_and_fun_patterns_warn() {
    let w = warnings_of("let f x = let Some y = x in y");
    assert_eq!(w[0].0, "W001");
    assert!(w[0].1.contains("`None`"), "{w:?}");
    let w = warnings_of("let f = fun (x :: _) -> x");
    assert_eq!(w[0].0, "W001");
    assert!(warnings_of("let f (a, b) = a + b").is_empty());
}

#[test]
fn failed_check_leaves_checker_usable() {
    let mut c = Checker::new();
    check_with(&mut c, "let x = 1").unwrap();
    assert!(check_with(&mut c, "let y = 2\nlet z = y + \"a\"").is_err());
    // Nothing of the failed input was committed.
    assert_eq!(check_with(&mut c, "let w = y").unwrap_err()[0].code, "E201");
    let m = check_with(&mut c, "let w = x + 1").unwrap();
    assert_eq!(m.bindings, vec![("w".to_string(), "int".to_string())]);
}

#[test]
fn modules_and_open() {
    let mut c = Checker::new();
    let items = parse_module(FileId(0), "type t = A | B of int\nlet f x = B x\nlet g = 1").unwrap();
    c.check_module(Some("Util"), items).unwrap();
    let m = check_with(&mut c, "let a = Util.f 1\nlet b = Util.g + 1").unwrap();
    assert_eq!(m.bindings[0].1, "Util.t");
    assert_eq!(
        check_with(&mut c, "let a = f 1").unwrap_err()[0].code,
        "E201"
    );
    let m = check_with(
        &mut c,
        "open Util\nlet a = match f 1 with A -> 0 | B n -> n",
    )
    .unwrap();
    assert_eq!(m.bindings[0].1, "int");
    let m = check_with(&mut c, "let c = Util.A").unwrap();
    assert_eq!(m.bindings[0].1, "Util.t");
}

#[test]
fn repl_expressions() {
    use crate::syntax::ast::ReplInput;
    use crate::syntax::parse::parse_repl_input;
    let mut c = Checker::new();
    check_with(&mut c, "let x = 1").unwrap();
    let Ok(ReplInput::Expr(e)) = parse_repl_input(FileId(0), "fun y -> y") else {
        panic!()
    };
    let (_, ty, _) = c.check_repl_expr(e).unwrap();
    assert_eq!(ty, "'a -> 'a");
    let Ok(ReplInput::Expr(e)) = parse_repl_input(FileId(0), "x + 1") else {
        panic!()
    };
    let (_, ty, _) = c.check_repl_expr(e).unwrap();
    assert_eq!(ty, "int");
    let Ok(ReplInput::Expr(e)) = parse_repl_input(FileId(0), "x + true") else {
        panic!()
    };
    assert!(c.check_repl_expr(e).is_err());
}

#[test]
fn deep_nesting_does_not_crash() {
    let deep = format!("let x = {}1{}", "(".repeat(5000), ")".repeat(5000));
    if let Ok(items) = parse_module(FileId(0), &deep) {
        assert!(Checker::new().check_module(None, items).is_ok());
    }
    let n: usize = std::env::var("DEPTH")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20000);
    let long = format!("let l = {}[]", "1 :: ".repeat(n));
    if let Ok(items) = parse_module(FileId(0), &long) {
        let _ = Checker::new().check_module(None, items);
    }
}

#[test]
fn every_primitive_type_is_readable() {
    let c = Checker::new();
    assert!(
        c.startup_problems().is_empty(),
        "{:?}",
        c.startup_problems()
    );
}

#[test]
fn primitives_are_typed() {
    assert_eq!(type_of("let f x = sin x", "f"), "'a -> 'a where 'a : real");
    assert_eq!(type_of("let f x = sin x + 1.0", "f"), "float -> float");
    assert!(check("let () = print 1").is_ok());
    assert_eq!(error_code("let f = sin 1"), "E211");
}

#[test]
fn exponential_types_are_refused_quickly() {
    let doubling = |d: usize| {
        let defs: Vec<String> = (1..=d)
            .map(|i| format!("let f{i} x = f{} (f{} x)", i - 1, i - 1))
            .collect();
        format!("let f0 x = (x, x)\n{}", defs.join("\n"))
    };
    assert!(check(&doubling(2)).is_ok());
    let started = std::time::Instant::now();
    assert_eq!(error_code(&doubling(7)), "E223");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn alias_expansion_counts_against_the_budget() {
    let pairs = format!("type 'a p = 'a * 'a\ntype big = int{}", " p".repeat(26));
    assert_eq!(error_code(&pairs), "E223");
    let chain: String = (1..40)
        .map(|i| format!("type t{i} = t{} * t{}\n", i - 1, i - 1))
        .collect();
    assert_eq!(error_code(&format!("type t0 = int\n{chain}")), "E223");
    // Small expansions are unaffected.
    let small = format!(
        "type 'a p = 'a * 'a\ntype q = int{}\nlet x : q = {}",
        " p".repeat(2),
        "((1, 1), (1, 1))"
    );
    assert!(check(&small).is_ok());
}

#[test]
fn nested_functions_share_their_types() {
    // Each `fun` contains its body's type: copying it would be quadratic.
    let nested = |n: usize| {
        let params: String = (0..n).map(|i| format!("fun x{i} -> ")).collect();
        format!("let f = {params}x0")
    };
    assert!(check(&nested(300)).is_ok());
    assert_eq!(error_code(&nested(4900)), "E223");
}

#[test]
fn wide_patterns_and_variants_are_checked() {
    let vars: Vec<String> = (0..8000).map(|i| format!("x{i}")).collect();
    assert!(warnings_of(&format!("let f ({}) = x0", vars.join(", "))).is_empty());
    let mut refutable = vars.clone();
    refutable[4000] = "[]".to_string();
    let w = warnings_of(&format!("let f ({}) = x0", refutable.join(", ")));
    assert_eq!(w.len(), 1);
    assert!(w[0].1.contains(":: _"), "{w:?}");
    let ctors: Vec<String> = (0..5000).map(|i| format!("C{i}")).collect();
    let arms: String = ctors[..4999]
        .iter()
        .map(|c| format!("| {c} -> 1 "))
        .collect();
    let src = format!(
        "type t = {}\nlet f x = match x with {arms}",
        ctors.join(" | ")
    );
    let w = warnings_of(&src);
    assert_eq!(w.len(), 1);
    assert!(w[0].1.contains("`C4999`"), "{w:?}");
}

#[test]
fn many_arms_are_checked_quickly() {
    let src = format!(
        "let f x = match x with {} | _ -> 0",
        "| 1 -> 1 ".repeat(2000)
    );
    let started = std::time::Instant::now();
    let w = warnings_of(&src);
    assert_eq!(w.len(), 1999);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn prints_effects_and_several_classes() {
    // An arrow whose result is an arrow keeps its effect visible.
    assert_eq!(
        type_of("let f x = shift k -> k (fun y -> y + x)", "f"),
        "'a -> ('a -> 'a) @cps['b] where 'a : num"
    );
    assert_eq!(
        type_of("let g f = reset (f 1)", "g"),
        "(int -> 'a @cps['a]) -> 'a"
    );
    assert_eq!(
        type_of("let h x y = (x + x, y < y, y - y)", "h"),
        "'a -> 'b -> 'a * bool * 'b where 'a : num, 'b : num, 'b : ord"
    );
}

#[test]
fn diff_class_looks_through_structures() {
    use super::types::{Class, ClassSet, Effect, Type, TypeId};
    let mut c = Checker::new();
    let decls = "type r = { w : float; b : float list }\n\
                 type 'a t = L of 'a | N of 'a t * 'a t\n\
                 type bad = { s : string }";
    check_with(&mut c, decls).unwrap();
    let id = |c: &Checker, name: &str| -> TypeId { c.state.modules.env("").unwrap().types[name] };
    let (r, t, bad) = (id(&c, "r"), id(&c, "t"), id(&c, "bad"));
    let st = &mut c.state;
    let mut diff = |ty: Type| {
        st.table
            .require_class(&st.defs, &ty, Class::Diff, None)
            .is_ok()
    };
    assert!(diff(Type::Tuple(vec![Type::float(), Type::tensor()])));
    assert!(diff(Type::list(Type::float())));
    assert!(diff(Type::Con(
        TypeId::OPTION,
        vec![Type::array(Type::float())]
    )));
    assert!(diff(Type::con0(r)));
    assert!(diff(Type::Con(t, vec![Type::float()])));
    assert!(!diff(Type::Con(t, vec![Type::int()])));
    assert!(!diff(Type::con0(bad)));
    assert!(!diff(Type::int()));
    assert!(!diff(Type::arrow(
        Type::float(),
        Type::float(),
        Effect::Pure
    )));
    // A variable takes the class; `num` and `diff` together are `real`.
    let v = st
        .table
        .fresh_constrained(0, ClassSet::of(Class::Num), None);
    st.table
        .require_class(&st.defs, &v, Class::Diff, None)
        .unwrap();
    let printed = super::print::Printer::for_bindings(&st.table, &st.defs, "").scheme(&v);
    assert_eq!(printed, "'_a where '_a : real");
    assert!(st.table.unify(&st.defs, &v, &Type::int()).is_err());
}

#[test]
fn mixed_float_tensor_arithmetic_gives_tensors() {
    let ones = "let a = Tensor.ones [3]\n";
    let typed = |src: &str, name: &str| type_of(&format!("{ones}{src}"), name);
    assert_eq!(
        typed("let g = grad (fun s -> Tensor.sum (a * s)) 2.0", "g"),
        "float"
    );
    assert_eq!(typed("let f s = a * s", "f"), "tensor -> tensor");
    assert_eq!(typed("let f (s : float) = a * s", "f"), "float -> tensor");
    assert_eq!(typed("let f (s : float) = s - a", "f"), "float -> tensor");
    assert_eq!(typed("let f (s : float) = a / s", "f"), "float -> tensor");
    assert_eq!(typed("let t = a + 1.0", "t"), "tensor");
    assert_eq!(typed("let t = 2.0 ** a", "t"), "tensor");
    assert_eq!(
        type_of("let scale (lr : float) (g : tensor) = lr * g", "scale"),
        "float -> tensor -> tensor"
    );
    assert_eq!(
        type_of("let p = fun (t : tensor) -> t ** 2.0", "p"),
        "tensor -> tensor"
    );
    assert_eq!(
        type_of("let n (t : tensor) = - t + abs t", "n"),
        "tensor -> tensor"
    );
}

#[test]
fn mixed_arithmetic_defaults_to_the_other_operand() {
    assert_eq!(type_of("let h x = x * 2.0", "h"), "float -> float");
    assert_eq!(
        type_of("let k t = Tensor.sum t + 1.0", "k"),
        "tensor -> float"
    );
    assert_eq!(
        type_of("let square x = x * x", "square"),
        "'a -> 'a where 'a : num"
    );
    assert_eq!(
        type_of("let add x y = x + y", "add"),
        "'a -> 'a -> 'a where 'a : num"
    );
    assert_eq!(
        type_of("let pw x y = x ** y", "pw"),
        "'a -> 'a -> 'a where 'a : real"
    );
    // A float operand beside a result known to be a tensor: the other
    // operand is the tensor.
    assert_eq!(
        type_of("let q s = Tensor.sum (2.0 * s)", "q"),
        "tensor -> float"
    );
    // Waiting for the enclosing `let`: `s` is only known after the body.
    assert_eq!(
        type_of(
            "let f (z : tensor -> float) s = let y = 2.0 * s in z y",
            "f"
        ),
        "(tensor -> float) -> tensor -> float"
    );
    assert_eq!(
        type_of(
            "let o (t : tensor) = (fun s -> let y = t * s in y) 2.0",
            "o"
        ),
        "tensor -> tensor"
    );
    // An inner function whose operands are all the enclosing code's
    // stays monomorphic in its result until that code decides.
    assert_eq!(
        type_of("let f s = let g () = 2.0 * s in Tensor.sum (g ())", "f"),
        "tensor -> float"
    );
    // An inner `let` decides what it generalises: `d` is float -> float.
    assert_eq!(type_of("let u = let d x = x * 2.0 in d 1.0", "u"), "float");
    assert_eq!(
        error_code("let u (t : tensor) = let d x = x * 2.0 in d t"),
        "E206"
    );
    // Decided before generalisation, so each use is independent; a
    // generalised `'a -> 'a -> 'a` does not mix float with tensor.
    assert_eq!(
        type_of("let p = let add x y = x + y in (add 1 2, add 1.0 2.0)", "p"),
        "int * float"
    );
    assert_eq!(
        error_code("let p (t : tensor) = let add x y = x + y in add t 1.0"),
        "E206"
    );
}

#[test]
fn mixed_arithmetic_keeps_int_apart() {
    assert_eq!(type_of("let f x = x + 1", "f"), "int -> int");
    assert_eq!(error_code("let x = 1 + 2.0"), "E206");
    assert_eq!(error_code("let f (t : tensor) = 1 + t"), "E206");
    assert_eq!(error_code("let f (t : tensor) = t * 2"), "E206");
    assert_eq!(error_code("let s = \"a\" + 1"), "E211");
    assert_eq!(error_code("let f x = (x + 1.0, x + 1)"), "E211");
    assert_eq!(error_code("let f (t : tensor) = t % 2"), "E206");
    // The error points at the offending operand.
    let e = error_of("let f (t : tensor) = 1 + t");
    let src = "let f (t : tensor) = 1 + t";
    let span = e.labels[0].span;
    assert_eq!(&src[span.start as usize..span.end as usize], "t");
}

#[test]
fn mixed_arithmetic_in_the_repl_and_let_rec() {
    let mut c = Checker::new();
    check_with(&mut c, "let a = Tensor.ones [2]").unwrap();
    let input = crate::syntax::parse::parse_repl_input(FileId(0), "fun s -> a * s");
    let Ok(crate::syntax::ast::ReplInput::Expr(expr)) = input else {
        panic!("not an expression: {input:?}")
    };
    let (_, printed, _) = c.check_repl_expr(expr).unwrap();
    assert_eq!(printed, "tensor -> tensor");
    assert_eq!(
        type_of(
            "let rec pw x n = if n = 0 then 1.0 else x * pw x (n - 1)",
            "pw"
        ),
        "float -> int -> float"
    );
}

#[test]
fn optimizer_is_a_builtin_type_without_equality() {
    use super::types::Type;
    assert_eq!(
        type_of("let keep (o : optimizer) = o", "keep"),
        "optimizer -> optimizer"
    );
    let e = error_of("let same (o : optimizer) = [o] = [o]");
    assert_eq!(e.code, "E217");
    assert!(e.labels[0].message.contains("optimizers"));
    let c = Checker::new();
    assert_eq!(c.print_type(&Type::optimizer()), "optimizer");
    // Primitive type strings name it too (the `Optim` module's).
    let mut c = Checker::new();
    let mut infer = super::infer::Infer::new(&mut c.state, super::env::PRELUDE.to_string());
    for text in [
        "float -> optimizer",
        "optimizer -> 'a -> 'a -> 'a where 'a : diff",
    ] {
        let ty = infer.primitive_type(text).unwrap();
        let printed =
            super::print::Printer::for_bindings(&infer.st.table, &infer.st.defs, "").scheme(&ty);
        assert_eq!(printed, text);
    }
}
