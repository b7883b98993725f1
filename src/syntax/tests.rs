//! Parser tests: precedence (compared as s-expressions), every form,
//! error messages, REPL input and incompleteness, type schemes.

use crate::syntax::ast::*;
use crate::syntax::parse::*;
use crate::syntax::sexp;

fn expr(text: &str) -> String {
    match parse_repl_input(FileId(0), text) {
        Ok(ReplInput::Expr(e)) => sexp::expr(&e),
        Ok(ReplInput::Items(items)) => panic!("`{text}` parsed as items: {items:?}"),
        Err(d) => panic!("`{text}` failed: {d:?}"),
    }
}

fn items(text: &str) -> String {
    match parse_module(FileId(0), text) {
        Ok(items) => items.iter().map(sexp::item).collect::<Vec<_>>().join(" "),
        Err(d) => panic!("`{text}` failed: {d:#?}"),
    }
}

fn error(text: &str) -> (String, String) {
    match parse_module(FileId(0), text) {
        Ok(items) => panic!("`{text}` parsed: {items:?}"),
        Err(d) => (d[0].code.to_string(), d[0].message.clone()),
    }
}

fn error_span(text: &str) -> (String, String, Vec<(u32, u32)>) {
    match parse_module(FileId(0), text) {
        Ok(items) => panic!("`{text}` parsed: {items:?}"),
        Err(d) => (
            d[0].code.to_string(),
            d[0].message.clone(),
            d[0].labels
                .iter()
                .map(|l| (l.span.start, l.span.end))
                .collect(),
        ),
    }
}

#[test]
fn arithmetic_precedence() {
    assert_eq!(expr("1 + 2 * 3"), "(+ 1 (* 2 3))");
    assert_eq!(expr("1 - 2 - 3"), "(- (- 1 2) 3)");
    assert_eq!(expr("2 ** 3 ** 2"), "(** 2 (** 3 2))");
    assert_eq!(expr("-2 ** 2"), "(** -2 2)");
    assert_eq!(expr("- x ** 2"), "(** (neg x) 2)");
    assert_eq!(expr("a * b @ c / d % e"), "(% (/ (@ (* a b) c) d) e)");
    assert_eq!(expr("- f x"), "(neg (app f x))");
    assert_eq!(expr("f -1"), "(- f 1)");
    assert_eq!(expr("f (-1)"), "(app f -1)");
    assert_eq!(expr("-1.5"), "-1.5");
    assert_eq!(expr("-9223372036854775808"), "-9223372036854775808");
    assert_eq!(expr("not a && b"), "(&& (not a) b)");
    assert_eq!(expr("not f x"), "(not (app f x))");
}

#[test]
fn logical_and_comparison_precedence() {
    assert_eq!(expr("a || b || c"), "(|| a (|| b c))");
    assert_eq!(expr("a && b || c && d"), "(|| (&& a b) (&& c d))");
    assert_eq!(expr("a = b && c < d"), "(&& (= a b) (< c d))");
    assert_eq!(expr("a < b = c"), "(= (< a b) c)");
    assert_eq!(expr("x :: y :: l = m"), "(= (:: x (:: y l)) m)");
    assert_eq!(expr("a ++ b ^ c"), "(++ a (^ b c))");
    assert_eq!(expr("1 + 2 :: l"), "(:: (+ 1 2) l)");
    assert_eq!(expr("a <> b"), "(<> a b)");
    assert_eq!(expr("a >= b"), "(>= a b)");
}

#[test]
fn tuples_assignment_and_sequence() {
    assert_eq!(expr("1, 2, 3"), "(tuple 1 2 3)");
    assert_eq!(expr("a || b, c"), "(tuple (|| a b) c)");
    assert_eq!(expr("x := 1, 2"), "(:= x (tuple 1 2))");
    assert_eq!(expr("x := y := 3"), "(:= x (:= y 3))");
    assert_eq!(expr("a; b; c"), "(; a (; b c))");
    assert_eq!(expr("x := 1; y"), "(; (:= x 1) y)");
    assert_eq!(expr("a.(i) <- v; w"), "(; (<- a i v) w)");
    assert_eq!(
        expr("a.(i).(j) <- a.(j).(i) + 1"),
        "(<- (.() a i) j (+ (.() (.() a j) i) 1))"
    );
    assert_eq!(expr("(1, 2)"), "(tuple 1 2)");
    assert_eq!(expr("()"), "()");
}

#[test]
fn if_precedence() {
    assert_eq!(
        expr("if a then x := 1 else x := 2; y"),
        "(; (if a (:= x 1) (:= x 2)) y)"
    );
    assert_eq!(expr("if a then b"), "(if a b)");
    assert_eq!(expr("if a then b; c"), "(; (if a b) c)");
    assert_eq!(expr("if a then if b then c else d"), "(if a (if b c d))");
    assert_eq!(expr("if a then (if b then c) else d"), "(if a (if b c) d)");
    assert_eq!(
        expr("if a then b else if c then d else e"),
        "(if a b (if c d e))"
    );
    assert_eq!(expr("1 + if a then 2 else 3 + 4"), "(+ 1 (if a 2 (+ 3 4)))");
    assert_eq!(
        expr("if a then let x = 1 in x; y else z"),
        "(if a (let (x 1) (; x y)) z)"
    );
    assert_eq!(expr("if a then b, c else d"), "(if a (tuple b c) d)");
    assert_eq!(expr("if a then fun x -> x else g"), "(if a (fun x x) g)");
}

#[test]
fn open_forms_extend_right() {
    assert_eq!(expr("let x = 1 in x; y"), "(let (x 1) (; x y))");
    assert_eq!(expr("a; let x = 1 in x; y"), "(; a (let (x 1) (; x y)))");
    assert_eq!(expr("fun x -> x; y"), "(fun x (; x y))");
    assert_eq!(expr("1 + let x = 2 in x + 3"), "(+ 1 (let (x 2) (+ x 3)))");
    assert_eq!(expr("x := fun y -> y; z"), "(:= x (fun y (; y z)))");
    assert_eq!(
        expr("reset (1 + shift k -> k (k 10))"),
        "(reset (+ 1 (shift k (app k (app k 10)))))"
    );
    assert_eq!(
        expr("reset (shift k -> 5) + 1"),
        "(+ (reset (shift k 5)) 1)"
    );
    assert_eq!(
        expr("reset (let x = shift k -> k 1 ++ k 2 in [x * 10])"),
        "(reset (let (x (shift k (++ (app k 1) (app k 2)))) [(* x 10)]))"
    );
    assert_eq!(expr("[fun x -> x; 2]"), "[(fun x (; x 2))]");
}

#[test]
fn match_arms() {
    assert_eq!(
        expr("match x with A -> 1 | B -> 2"),
        "(match x (A -> 1) (B -> 2))"
    );
    assert_eq!(
        expr("match x with | A -> 1 | B y when y > 0 -> y"),
        "(match x (A -> 1) ((B y) when (> y 0) -> y))"
    );
    assert_eq!(
        expr("match x with A -> match y with C -> 1 | D -> 2"),
        "(match x (A -> (match y (C -> 1) (D -> 2))))"
    );
    assert_eq!(
        expr("match x with A -> (match y with C -> 1) | B -> 2"),
        "(match x (A -> (match y (C -> 1))) (B -> 2))"
    );
    assert_eq!(
        expr("match l with [] -> 0 | x :: _ as l -> x"),
        "(match l ([] -> 0) ((as (:: x _) l) -> x))"
    );
    assert_eq!(expr("match x with A | B -> 1"), "(match x ((| A B) -> 1))");
    assert_eq!(
        expr("match x with A -> a; b | B -> c"),
        "(match x (A -> (; a b)) (B -> c))"
    );
    assert_eq!(
        expr("match x with A -> if c then 1 | B -> 2"),
        "(match x (A -> (if c 1)) (B -> 2))"
    );
    assert_eq!(
        expr("function A -> 1 | B -> 2"),
        "(fun $arg (match $arg (A -> 1) (B -> 2)))"
    );
    assert_eq!(
        expr("match p with (x, y) -> x | _ -> 0"),
        "(match p ((tuple x y) -> x) (_ -> 0))"
    );
}

#[test]
fn application_and_postfix() {
    assert_eq!(expr("f x y"), "(app (app f x) y)");
    assert_eq!(expr("Some x"), "(Some x)");
    assert_eq!(expr("Node (l, r)"), "(Node (tuple l r))");
    assert_eq!(expr("f None x"), "(app (app f None) x)");
    assert_eq!(expr("List.map f l"), "(app (app List.map f) l)");
    assert_eq!(expr("M.N.x"), "M.N.x");
    assert_eq!(expr("M.C 1"), "(M.C 1)");
    assert_eq!(expr("!r.x"), "(. (! r) x)");
    assert_eq!(expr("f !r"), "(app f (! r))");
    assert_eq!(expr("p.x.y"), "(. (. p x) y)");
    assert_eq!(expr("a.(i + 1)"), "(.() a (+ i 1))");
    assert_eq!(expr("ref 0"), "(ref 0)");
    assert_eq!(expr("reset f x"), "(app (reset f) x)");
    assert_eq!(expr("f x.y"), "(app f (. x y))");
}

#[test]
fn other_forms() {
    assert_eq!(expr("begin a; b end"), "(; a b)");
    assert_eq!(expr("begin end"), "()");
    assert_eq!(expr("(x : int)"), "(: x int)");
    assert_eq!(expr("[1; 2; 3;]"), "[1 2 3]");
    assert_eq!(expr("[]"), "[]");
    assert_eq!(expr("[| 1; 2 |]"), "[|1 2|]");
    assert_eq!(expr("[||]"), "[||]");
    assert_eq!(expr("{ x = 1.0; y = 2.0 }"), "{x=1.0 y=2.0}");
    assert_eq!(expr("{ x; y; }"), "{x=x y=y}");
    assert_eq!(expr("{ p with x = 3.0 }"), "{p with x=3.0}");
    assert_eq!(
        expr("for i = 1 to n do f i done"),
        "(for i 1 to n (app f i))"
    );
    assert_eq!(
        expr("for i = n downto 1 do a; b done"),
        "(for i n downto 1 (; a b))"
    );
    assert_eq!(
        expr("while !x > 0 do x := !x - 1 done"),
        "(while (> (! x) 0) (:= x (- (! x) 1)))"
    );
    assert_eq!(expr("fun (x, y) z -> x"), "(fun (tuple x y) (fun z x))");
    assert_eq!(expr("let (x, y) = p in x"), "(let ((tuple x y) p) x)");
    assert_eq!(
        expr("let rec f x = g x and g y = f y in f"),
        "(let rec (f (fun x (app g x))) (g (fun y (app f y))) f)"
    );
    assert_eq!(expr("\"a\\tb\""), "\"a\\tb\"");
    assert_eq!(
        expr("1_000 + 2.5e-3 + 1e6"),
        "(+ (+ 1000 0.0025) 1000000.0)"
    );
    assert_eq!(expr("true && false"), "(&& true false)");
}

#[test]
fn patterns() {
    let p = |text: &str| expr(&format!("match v with {text} -> 0"));
    assert_eq!(p("-1"), "(match v (-1 -> 0))");
    assert_eq!(p("-2.5"), "(match v (-2.5 -> 0))");
    assert_eq!(p("\"s\""), "(match v (\"s\" -> 0))");
    assert_eq!(p("()"), "(match v (() -> 0))");
    assert_eq!(p("true"), "(match v (true -> 0))");
    assert_eq!(p("[a; b]"), "(match v ([a b] -> 0))");
    assert_eq!(p("{ x; y = Some p }"), "(match v ({x=x y=(Some p)} -> 0))");
    assert_eq!(p("{ x; _ }"), "(match v ({x=x _} -> 0))");
    assert_eq!(p("(x : int)"), "(match v ((: x int) -> 0))");
    assert_eq!(p("M.C (a, b)"), "(match v ((M.C (tuple a b)) -> 0))");
    assert_eq!(p("Some x :: rest"), "(match v ((:: (Some x) rest) -> 0))");
    assert_eq!(
        p("a, b | c, d"),
        "(match v ((| (tuple a b) (tuple c d)) -> 0))"
    );
    assert_eq!(p("Some (Some _)"), "(match v ((Some (Some _)) -> 0))");
}

#[test]
fn items_and_sugar() {
    assert_eq!(items("let x = 1"), "(let (x 1))");
    assert_eq!(
        items("let f x (y, z) = x"),
        "(let (f (fun x (fun (tuple y z) x))))"
    );
    assert_eq!(
        items("let f (x : int) : int = x"),
        "(let (f (fun (: x int) (: x int))))"
    );
    assert_eq!(items("let x : float = 1.0"), "(let ((: x float) 1.0))");
    assert_eq!(
        items("let rec even n = n = 0 || odd (n - 1)\nand odd n = n <> 0 && even (n - 1)"),
        "(let rec (even (fun n (|| (= n 0) (app odd (- n 1))))) (odd (fun n (&& (<> n 0) (app even (- n 1))))))"
    );
    assert_eq!(
        items("type 'a tree = Leaf of 'a | Node of 'a tree * 'a tree"),
        "(type ('a tree (| (Leaf 'a) (Node (* (tree 'a) (tree 'a))))))"
    );
    assert_eq!(
        items("type ('a, 'b) pair = | P of 'a * 'b"),
        "(type ('a 'b pair (| (P (* 'a 'b)))))"
    );
    assert_eq!(
        items("type point = { x : float; y : float; }"),
        "(type (point {x:float y:float}))"
    );
    assert_eq!(
        items("type t = int * int and u = M.t list"),
        "(type (t (* int int)) (u (list M.t)))"
    );
    assert_eq!(
        items("type f = int -> int -> int"),
        "(type (f (-> int (-> int int))))"
    );
    assert_eq!(items("type t = A | B"), "(type (t (| A B)))");
    assert_eq!(
        items("type m = (int, string) map"),
        "(type (m (map int string)))"
    );
    assert_eq!(
        items("open List\nimport Util;;\nlet () = print 1;;"),
        "(open List) (import Util) (let (() (app print 1)))"
    );
    assert_eq!(items("let x = 1 let y = 2"), "(let (x 1)) (let (y 2))");
    assert_eq!(
        items("let _ = f x\nlet () = g y"),
        "(let (_ (app f x))) (let (() (app g y)))"
    );
    assert_eq!(
        items("#!/usr/bin/env dlang\n(* a (* nested *) comment *)\nlet x = 1 # done"),
        "(let (x 1))"
    );
    assert_eq!(items(""), "");
    assert_eq!(items(";;"), "");
}

#[test]
fn repl_input() {
    assert!(
        matches!(parse_repl_input(FileId(0), "let x = 1"), Ok(ReplInput::Items(i)) if i.len() == 1)
    );
    assert!(matches!(
        parse_repl_input(FileId(0), "let x = 1 in x"),
        Ok(ReplInput::Expr(_))
    ));
    assert!(matches!(
        parse_repl_input(FileId(0), "1 + 2;;"),
        Ok(ReplInput::Expr(_))
    ));
    assert!(matches!(
        parse_repl_input(FileId(0), "type t = A"),
        Ok(ReplInput::Items(_))
    ));
    assert!(matches!(
        parse_repl_input(FileId(0), "open List"),
        Ok(ReplInput::Items(_))
    ));
    assert!(parse_repl_input(FileId(0), "1;; let x = 2").is_err());
}

#[test]
fn incomplete_input() {
    for text in [
        "(1 +",
        "let x = 1 in",
        "let x =",
        "match x with",
        "begin 1",
        "\"abc",
        "(* comment",
        "1 +",
        "if a then",
        "[1; 2",
        "fun x ->",
        "let f x = match x with A ->",
        "for i = 1 to 3 do",
    ] {
        assert!(is_incomplete(text), "`{text}` should be incomplete");
    }
    for text in [
        "1 + 2",
        "let x = 1",
        "1 )",
        "let x = 1 in x",
        "let = 3",
        "if then",
        "\"a\\q\"",
        "*)",
    ] {
        assert!(!is_incomplete(text), "`{text}` should not be incomplete");
    }
}

#[test]
fn type_schemes() {
    let show = |text: &str| {
        let (t, cs) = parse_type_scheme(text).expect(text);
        let cs: Vec<String> = cs.iter().map(|(v, c)| format!("{v}:{c}")).collect();
        format!("{} {}", sexp::ty(&t), cs.join(","))
    };
    assert_eq!(show("'a -> 'a where 'a : num"), "(-> 'a 'a) a:num");
    assert_eq!(
        show("('a -> 'b) -> 'a list -> 'b list"),
        "(-> (-> 'a 'b) (-> (list 'a) (list 'b))) "
    );
    assert_eq!(
        show("'a * 'b -> 'a where 'a : diff, 'b : num"),
        "(-> (* 'a 'b) 'a) a:diff,b:num"
    );
    assert_eq!(
        show("('a -> 'b) -> 'a -> 'b * 'b where 'a, 'b : diff"),
        "(-> (-> 'a 'b) (-> 'a (* 'b 'b))) a:diff,b:diff"
    );
    assert_eq!(show("unit -> float"), "(-> unit float) ");
    assert_eq!(show("tensor -> int list"), "(-> tensor (list int)) ");
    assert!(parse_type_scheme("'a ->").is_err());
    assert!(parse_type_scheme("'a where a : num").is_err());
    assert!(parse_type_scheme("'a where 'a").is_err());
}

#[test]
fn spans_cover_the_source() {
    let Ok(ReplInput::Expr(e)) = parse_repl_input(FileId(3), "  f (x + 1)  ") else {
        panic!("no expression")
    };
    assert_eq!((e.span.file, e.span.start, e.span.end), (FileId(3), 2, 11));
    let ExprKind::App(_, arg) = &e.kind else {
        panic!("not an application")
    };
    assert_eq!((arg.span.start, arg.span.end), (4, 11));
}

#[test]
fn bare_top_level_expressions() {
    assert_eq!(error("print 1").0, "E103");
    assert_eq!(error("let x = 1;; print x").0, "E103");
    let (code, message, spans) = error_span("let x = 1\nprint x");
    assert_eq!(code, "E103");
    assert!(message.contains("let () ="), "{message}");
    assert_eq!(spans[0], (10, 17));
    assert_eq!(
        items("let l = List.map f (\n[1; 2]\n)"),
        "(let (l (app (app List.map f) [1 2])))"
    );
    assert_eq!(error("let x = 1\n(print x)").0, "E103");
    assert_eq!(error("let x = 1\nfor i = 1 to 2 do () done").0, "E103");
    assert_eq!(error("let x = 1\nif x then ()").0, "E103");
    assert_eq!(error("let y = 2\nlet x = 1 in x").0, "E103");
}

#[test]
fn error_messages() {
    let (code, message, spans) = error_span("let x = if y else 2");
    assert_eq!(code, "E101");
    assert_eq!(
        message,
        "expected `then` after the condition of `if`, found `else`"
    );
    assert_eq!(spans, vec![(13, 17), (8, 10)]);

    let (code, message, spans) = error_span("let x = (1 + 2\nlet y = 3");
    assert_eq!(code, "E104");
    assert_eq!(message, "unclosed `(` — expected `)`");
    assert_eq!(spans, vec![(15, 18), (8, 9)]);

    let (code, message) = error("let x = 1 +");
    assert_eq!(code, "E102");
    assert_eq!(
        message,
        "unexpected end of input: expected an expression after `+`"
    );

    let (code, message) = error("let x = )");
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("E101", "expected an expression after `=`, found `)`")
    );

    let (_, message) = error("let () = let x = 1 )");
    assert_eq!(
        message,
        "expected `in` after the binding of `let … =`, found `)`"
    );
    let (code, message) = error("let () = let x = 1");
    assert_eq!(code, "E102");
    assert_eq!(
        message,
        "unexpected end of input: expected `in` after the binding of `let … =`"
    );

    let (_, message) = error("let () = match x A -> 1");
    assert_eq!(
        message,
        "expected `with` after the expression being matched, found `->`"
    );

    let (_, message) = error("let () = match x with A = 1");
    assert_eq!(
        message,
        "expected `->` after the pattern of this arm, found `=`"
    );

    let (_, message) = error("let f = fun x = x");
    assert_eq!(
        message,
        "expected `->` after the parameters of `fun`, found `=`"
    );

    let (_, message) = error("let () = while x done");
    assert_eq!(
        message,
        "expected `do` after the condition of `while`, found `done`"
    );

    let (_, message) = error("let () = for i = 1 do () done");
    assert_eq!(
        message,
        "expected `to` or `downto` after the start value of `for`, found `do`"
    );

    let (code, message) = error("let () = for i = 1 to 2 do ()");
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("E104", "unclosed `do` — expected `done`")
    );

    let (code, message) = error("let x = 1)");
    assert_eq!((code.as_str(), message.as_str()), ("E105", "unmatched `)`"));

    let (code, message) = error("let x = [1; 2)");
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("E104", "unclosed `[` — expected `]`")
    );

    let (_, message) = error("let f (x : ) = x");
    assert_eq!(message, "expected a type after `:`, found `)`");

    let (_, message) = error("let f = fun -> 1");
    assert_eq!(message, "expected a pattern after `fun`, found `->`");

    let (_, message) = error("let x = if a then b; c else d");
    assert_eq!(message, "unexpected `else`");
    let (_, message) = error("type t = A | b");
    assert_eq!(message, "expected a constructor name after `|`, found `b`");
    let (_, message) = error("import util");
    assert_eq!(
        message,
        "expected a module name after `import`, found `util`"
    );
    let (_, message) = error("type = int");
    assert_eq!(
        message,
        "expected the name of the type after `type`, found `=`"
    );
    let (_, message) = error("let x = a.");
    assert_eq!(
        message,
        "unexpected end of input: expected a name or `(` after `.`"
    );

    let (code, _) = error("let s = \"abc");
    assert_eq!(code, "E002");

    let (code, message, spans) = error_span("let x = 99999999999999999999");
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("E005", "integer literal too large")
    );
    assert_eq!(spans, vec![(8, 28)]);
    assert_eq!(error("let x = 9223372036854775808").0, "E005");
}

#[test]
fn user_operators_take_their_first_characters_level() {
    // `|>` (level 7) is looser than `+` and `::`; left associative.
    assert_eq!(
        expr("x + 1 |> f |> g"),
        "(app (app |> (app (app |> (+ x 1)) f)) g)"
    );
    // `@@` (level 8) is right associative and looser than `+`.
    assert_eq!(
        expr("f @@ g @@ x + 1"),
        "(app (app @@ f) (app (app @@ g) (+ x 1)))"
    );
    // `@` itself stays the matrix product at level 10.
    assert_eq!(expr("a @ b + c"), "(+ (@ a b) c)");
    assert_eq!(expr("a +! b * c"), "(app (app +! a) (* b c))");
    assert_eq!(expr("a *! b + c"), "(+ (app (app *! a) b) c)");
    assert_eq!(
        expr("a **! b **! c"),
        "(app (app **! a) (app (app **! b) c))"
    );
    assert_eq!(expr("a <> b $ c"), "(app (app $ (<> a b)) c)");
    assert_eq!(expr("a && b |> c"), "(&& a (app (app |> b) c))");
    assert_eq!(expr("7 mod 2 * 3"), "(* (% 7 2) 3)");
}

#[test]
fn float_forms_are_the_operators_on_floats() {
    assert_eq!(
        expr("a +. b *. c"),
        "(+ (: a float) (: (* (: b float) (: c float)) float))"
    );
    assert_eq!(expr("-. x"), "(neg (: x float))");
    assert_eq!(
        expr("a -. b -. c"),
        "(- (: (- (: a float) (: b float)) float) (: c float))"
    );
}

#[test]
fn operators_in_parentheses_are_functions() {
    assert_eq!(expr("(|>)"), "|>");
    assert_eq!(expr("( +! )"), "+!");
    assert_eq!(expr("(+)"), "(fun $left (fun $right (+ $left $right)))");
    assert_eq!(expr("( * )"), "(fun $left (fun $right (* $left $right)))");
    assert_eq!(expr("(mod)"), "(fun $left (fun $right (% $left $right)))");
    assert_eq!(
        expr("(-) 1"),
        "(app (fun $left (fun $right (- $left $right))) 1)"
    );
    assert_eq!(expr("(- 1)"), "-1");
    assert_eq!(
        items("let ( +! ) a b = a"),
        items("let plus a b = a").replace("plus", "+!")
    );
    assert_eq!(
        items("let (|>) = fun x f -> f x"),
        "(let (|> (fun x (fun f (app f x)))))"
    );
}

#[test]
fn operator_errors() {
    assert_eq!(error("let (+) a b = a").0, "E107");
    assert_eq!(error("let f (+.) = 1").0, "E107");
    assert_eq!(error("let x = +! 1").0, "E108");
}

#[test]
fn small_syntax() {
    assert_eq!(
        expr("for _ = 1 to 2 do f () done"),
        "(for _ 1 to 2 (app f ()))"
    );
    assert_eq!(
        expr("let open List in map f l"),
        "(open List (app (app map f) l))"
    );
    assert_eq!(expr("List.(map f l)"), "(open List (app (app map f) l))");
    assert_eq!(expr("A.B.(x).y"), "(. (open A.B x) y)");
    assert_eq!(expr("M.(+!) a"), "(app M.+! a)");
    assert_eq!(
        items("type t = { mutable x : int; y : int }"),
        "(type (t {mutable x:int y:int}))"
    );
    assert_eq!(expr("r.x <- 1"), "(.<- r x 1)");
    // Level 3½, right associative, as `a.(i) <- v`.
    assert_eq!(expr("r.x <- s.y <- 1"), "(.<- r x (.<- s y 1))");
    assert_eq!(expr("r.x <- 1; r.x"), "(; (.<- r x 1) (. r x))");
    assert_eq!(expr("p.q.x <- a, b"), "(.<- (. p q) x (tuple a b))");
    assert_eq!(error("let f r = r.x <- ").0, "E102");
}
