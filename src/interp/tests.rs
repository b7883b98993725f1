//! Interpreter tests over checked programs (parsed, checked, then run).
//! Output is captured through a `RuntimeCtx` writing to a shared buffer.

use super::Interpreter;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::syntax::ast::FileId;
use crate::syntax::parse::parse_module;
use crate::types::Checker;

/// A checker and an interpreter fed the same inputs, as a session does.
pub(super) struct Program {
    checker: Checker,
    pub(super) interp: Interpreter,
    next_file: u32,
}

impl Program {
    fn new(ctx: RuntimeCtx) -> Program {
        Program {
            checker: Checker::new(),
            interp: Interpreter::new(ctx),
            next_file: 0,
        }
    }

    pub(super) fn with_stdlib(ctx: RuntimeCtx) -> Program {
        let mut program = Program::new(ctx);
        for module in crate::stdlib::MODULES {
            program
                .run(Some(module.name), module.text)
                .unwrap_or_else(|e| panic!("stdlib {} failed: {e:?}", module.name));
        }
        program
    }

    /// Parses and checks `src` (a test program must be well typed), then
    /// runs it. A run that fails leaves the checker as it was, as in a
    /// session.
    pub(super) fn run(&mut self, module: Option<&str>, src: &str) -> Result<(), RuntimeError> {
        let file = FileId(self.next_file);
        self.next_file += 1;
        let messages = |diags: Vec<crate::diagnostics::Diagnostic>| -> Vec<String> {
            diags.into_iter().map(|d| d.message).collect()
        };
        let items = parse_module(file, src)
            .unwrap_or_else(|d| panic!("parse error in test program: {:?}", messages(d)));
        let before = self.checker.clone();
        let checked = self
            .checker
            .check_module(module, items)
            .unwrap_or_else(|d| panic!("type error in test program: {:?}", messages(d)));
        let result = self.interp.run_module(module, &checked.items);
        if result.is_err() {
            self.checker = before;
        }
        result
    }
}

/// Runs `src` as the main module (after the stdlib when `stdlib`);
/// returns what it printed, or the error.
fn run_program(src: &str, stdlib: bool) -> Result<String, (RuntimeError, String)> {
    let (ctx, out) = RuntimeCtx::capturing();
    let mut program = match stdlib {
        true => Program::with_stdlib(ctx),
        false => Program::new(ctx),
    };
    match program.run(None, src) {
        Ok(()) => Ok(out.contents()),
        Err(e) => Err((e, out.contents())),
    }
}

fn output(src: &str) -> String {
    match run_program(src, false) {
        Ok(out) => out,
        Err((e, out)) => panic!("run-time error {e:?}; output so far:\n{out}"),
    }
}

fn output_std(src: &str) -> String {
    match run_program(src, true) {
        Ok(out) => out,
        Err((e, out)) => panic!("run-time error {e:?}; output so far:\n{out}"),
    }
}

fn error(src: &str) -> RuntimeError {
    match run_program(src, false) {
        Ok(out) => panic!("expected a run-time error, got output:\n{out}"),
        Err((e, _)) => e,
    }
}

#[test]
fn arithmetic_and_printing() {
    assert_eq!(output("let () = print (1 + 2 * 3)"), "7\n");
    assert_eq!(output("let x = 10\nlet y = x - 3\nlet () = print y"), "7\n");
    assert_eq!(
        output("let () = print (7 / 2, -7 % 3, 1.5 * 2.0)"),
        "(3, -1, 3.0)\n"
    );
}

#[test]
fn functions_and_closures() {
    let src = "
let add x y = x + y
let inc = add 1
let compose f g x = f (g x)
let () = print (inc 41)
let () = print (compose inc inc 0)
let make_counter () = let r = ref 0 in fun () -> r := !r + 1; !r
let c = make_counter ()
let () = ignore (c ()); print (c ())
";
    assert_eq!(output(src), "42\n2\n2\n");
}

#[test]
fn fib() {
    let src =
        "let rec fib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\nlet () = print (fib 20)";
    assert_eq!(output(src), "6765\n");
}

#[test]
fn local_mutual_recursion() {
    let src = "
let () =
  let rec even n = n = 0 || odd (n - 1)
  and odd n = n <> 0 && even (n - 1) in
  print (even 10, odd 7, even 3)
let rec even n = n = 0 || odd (n - 1)
and odd n = n <> 0 && even (n - 1)
let () = print (odd 1001)
";
    assert_eq!(output(src), "(true, true, false)\ntrue\n");
}

#[test]
fn local_recursive_closure_captures() {
    let src = "
let f k =
  let rec go n acc = if n = 0 then acc else go (n - 1) (acc + k) in
  go 10 0
let () = print (f 3)
";
    assert_eq!(output(src), "30\n");
}

#[test]
fn patterns() {
    let src = "
type 'a tree = Leaf of 'a | Node of 'a tree * 'a tree
let rec sum t = match t with Leaf x -> x | Node (l, r) -> sum l + sum r
let () = print (sum (Node (Leaf 1, Node (Leaf 2, Leaf 3))))
let describe l = match l with
  | [] -> \"empty\"
  | [x] when x > 0 -> \"one positive\"
  | [_] -> \"one\"
  | x :: (y :: _ as rest) -> show (x + y) ^ \" \" ^ show rest
let () = print (describe []); print (describe [5]); print (describe [-5]); print (describe [1; 2; 3])
let f x = match x with 1 | 2 -> \"small\" | n when n < 0 -> \"neg\" | _ -> \"big\"
let () = print (f 2); print (f (-4)); print (f 10)
let (a, (b, c)) = (1, (2, 3))
let () = print (a + b + c)
let g = function Some x -> x | None -> 0
let () = print (g (Some 4) + g None)
let h s = match s with \"hi\" -> 1 | _ -> 2
let () = print (h \"hi\", h \"ho\")
";
    assert_eq!(
        output(src),
        "6\nempty\none positive\none\n3 [2; 3]\nsmall\nneg\nbig\n6\n4\n(1, 2)\n"
    );
}

#[test]
fn records() {
    let src = "
type point = { x : float; y : float }
let p = { y = 2.0; x = 1.0 }
let () = print p
let q = { p with y = 5.0 }
let () = print (q.x, q.y)
let { x; y = yy } = q
let () = print (x + yy)
let norm1 { x; y } = x + y
let () = print (norm1 p)
";
    assert_eq!(output(src), "{ x = 1.0; y = 2.0 }\n(1.0, 5.0)\n6.0\n3.0\n");
}

#[test]
fn arrays_refs_loops() {
    let src = "
let a = [| 1; 2; 3 |]
let () = a.(1) <- 20; print a; print a.(1)
let r = ref 0
let () = for i = 1 to 10 do r := !r + i done; print !r
let () = for i = 3 downto 1 do print i done
let () = for i = 1 to 0 do print i done
let n = ref 0
let () = while !n < 5 do n := !n + 1 done; print !n
let () = if !n = 5 then print \"five\"
";
    assert_eq!(output(src), "[|1; 20; 3|]\n20\n55\n3\n2\n1\n5\nfive\n");
}

#[test]
fn evaluation_order_is_left_to_right() {
    let src = "
let t x = print x; x
let () = ignore (t 1 + t 2)
let () = ignore (t 3, t 4, t 5)
let () = ignore [t 6; t 7]
let f = (print \"f\"; fun x -> x)
let () = ignore ((print \"fun\"; f) (t 8))
";
    assert_eq!(output(src), "1\n2\n3\n4\n5\n6\n7\nf\nfun\n8\n");
}

#[test]
fn short_circuit() {
    let src =
        "let () = print (false && (print \"no\"; true)); print (true || (print \"no\"; true))";
    assert_eq!(output(src), "false\ntrue\n");
}

#[test]
fn shift_reset_examples() {
    assert_eq!(
        output("let () = print (reset (1 + shift k -> k (k 10)))"),
        "12\n"
    );
    assert_eq!(output("let () = print (reset (shift k -> 5) + 1)"), "6\n");
    assert_eq!(
        output("let () = print (reset (let x = shift k -> k 1 ++ k 2 in [x * 10]))"),
        "[10; 20]\n"
    );
}

#[test]
fn shift_zero_and_many_times() {
    let src = "
let () = print (reset (1 + shift k -> 100))
let () = print (reset (10 * shift k -> k 1 + k 2 + k 3))
";
    assert_eq!(output(src), "100\n60\n");
}

#[test]
fn continuation_called_outside_reset() {
    let src = "
let saved = ref (fun x -> x)
let () = print (reset (2 * shift k -> (saved := k; 0)))
let () = print (!saved 21)
let () = print (!saved 50)
";
    // `k` returns the closure built by the rest of the reset.
    assert_eq!(output(src), "0\n42\n100\n");
}

#[test]
fn shift_inside_function_calls() {
    // The continuation includes frames of functions called inside reset.
    let src = "
let ask () = shift k -> k 1 + k 2
let f x = x * 10 + ask ()
let () = print (reset (f 4 + 1000))
";
    assert_eq!(output(src), "2083\n");
}

#[test]
fn multi_shot_keeps_locals_apart() {
    let src = "
let both () = shift k -> k 1 ++ k 2
let () = print (reset (let a = both () in let b = both () in [(a, b)]))
";
    assert_eq!(output(src), "[(1, 1); (1, 2); (2, 1); (2, 2)]\n");
}

#[test]
fn continuations_captured_in_shift_bodies_keep_their_activations() {
    // Each `shift` runs in a shift body's call: the activations it leaves
    // behind are only `k`'s, and each `k` is called twice.
    let src = "
let rec walk n = if n = 0 then 0 else (shift k -> k 1 + k 10 + walk (n - 1)) + n
let () = print (reset (walk 3))
let rec l n acc = if n = 0 then acc else shift k -> (k 0; l (n - 1) (acc + n))
let () = print (reset (l 100000 0))
";
    assert_eq!(output(src), "111\n5000050000\n");
}

#[test]
fn continuation_calls_and_shift_bodies_in_the_call_stack() {
    let names = |src: &str| -> Vec<String> {
        let e = error(src);
        assert_eq!(e.code, "R001");
        e.stack.names().into_iter().map(String::from).collect()
    };
    let g = "let g x = if x > 2 then 1 / (x - x) else x\n";
    // A continuation's call shows as the function it continues.
    let through_k =
        format!("{g}let h k = k 3 + 1\nlet () = print (reset (let y = shift k -> h k in g y))");
    assert_eq!(names(&through_k), ["g", "<top level>", "h"]);
    // The `shift` removed `l`'s frame: below its body is the `reset`'s.
    let in_body = format!("{g}let l n = shift k -> g n\nlet m () = reset (l 5)\nlet main () = m () + 1\nlet () = print (main ())");
    assert_eq!(names(&in_body), ["g", "m", "main"]);
}

#[test]
fn nested_resets() {
    let src = "
let () = print (reset (1 + reset (10 + shift k -> k (k 100))))
let () = print (reset (1 + (reset (shift k -> 5)) + shift k -> k 100))
";
    assert_eq!(output(src), "121\n106\n");
}

#[test]
fn generators_via_shift() {
    let src = "
type gen = Done | Yield of int * (unit -> gen)
let yield_ x = shift k -> Yield (x, fun () -> k ())
let rec walk l = match l with [] -> () | x :: r -> yield_ x; walk r
let start l = reset (walk l; Done)
let rec sum g = match g with Done -> 0 | Yield (x, next) -> x + sum (next ())
let () = print (sum (start [1; 2; 3; 4]))
";
    assert_eq!(output(src), "10\n");
}

#[test]
fn deep_non_tail_recursion() {
    let src = "
let rec count n = if n = 0 then 0 else 1 + count (n - 1)
let () = print (count 1000000)
let rec build n = if n = 0 then [] else n :: build (n - 1)
let l = build 1000000
let rec len l = match l with [] -> 0 | _ :: r -> 1 + len r
let () = print (len l)
";
    assert_eq!(output(src), "1000000\n1000000\n");
}

#[test]
fn tail_loop_runs_in_constant_space() {
    let src = "
let rec loop i acc = if i = 0 then acc else loop (i - 1) (acc + 1)
let () = print (loop 10000000 0)
let n = ref 0
let () = while !n < 1000000 do n := !n + 1 done; print !n
";
    assert_eq!(output(src), "10000000\n1000000\n");
}

#[test]
fn deep_closure_chain_is_dropped() {
    let src = "
let rec chain n k = if n = 0 then k else chain (n - 1) (fun x -> k (x + 1))
let f = chain 1000000 (fun x -> x)
let () = print 1
";
    assert_eq!(output(src), "1\n");
}

#[test]
fn stack_overflow_is_an_error() {
    let e = error("let rec f n = 1 + f (n + 1)\nlet () = print (f 0)");
    assert_eq!(e.code, "R005");
    // The recursive calls are one entry, the call from the top level
    // another.
    assert_eq!(e.stack.frames.len(), 2);
    assert!(e.stack.frames[0].times > 1_000_000);
    assert_eq!((e.stack.frames[1].times, e.stack.omitted), (1, 0));
}

#[test]
fn runtime_errors() {
    assert_eq!(error("let () = print (1 / 0)").code, "R001");
    assert_eq!(error("let () = print (1 % 0)").code, "R001");
    assert_eq!(
        error("let () = print (4611686018427387904 * 4)").code,
        "R002"
    );
    assert_eq!(error("let a = [| 1 |]\nlet () = print a.(1)").code, "R003");
    assert_eq!(error("let a = [| 1 |]\nlet () = a.(-1) <- 3").code, "R003");
    assert_eq!(
        error("let f x = match x with 1 -> 0\nlet () = print (f 2)").code,
        "R004"
    );
    assert_eq!(error("let [x] = [1; 2]").code, "R004");
    assert_eq!(error("let () = let Some x = None in print x").code, "R004");
}

#[test]
fn error_carries_span_and_call_stack() {
    let src = "let g x = x / 0\nlet f x = 1 + g x\nlet () = print (f 1)";
    let e = error(src);
    assert_eq!(e.code, "R001");
    let span = e.span.expect("a span");
    assert_eq!(&src[span.range()], "x / 0");
    let names = e.stack.names();
    assert_eq!(names, ["g", "f"]);
}

#[test]
fn interrupt_stops_a_loop() {
    use std::sync::atomic::Ordering;
    let (ctx, _out) = RuntimeCtx::capturing();
    ctx.interrupted.store(true, Ordering::Relaxed);
    let mut program = Program::new(ctx);
    let e = program
        .run(None, "let rec loop () = loop ()\nlet () = loop ()")
        .expect_err("interrupted");
    assert_eq!(e.code, "R006");
}

#[test]
fn interrupt_stops_an_endless_loop_of_shifts() {
    use std::sync::atomic::Ordering;
    for body in ["l (n + 1)", "(k (); l (n + 1))"] {
        let (ctx, _out) = RuntimeCtx::capturing();
        ctx.interrupted.store(true, Ordering::Relaxed);
        let mut program = Program::new(ctx);
        let src = format!("let rec l n = shift k -> {body}\nlet () = reset (l 0)");
        let e = program.run(None, &src).expect_err("interrupted");
        assert_eq!(e.code, "R006", "{body}");
    }
}

#[test]
fn failed_evaluation_leaves_interpreter_usable() {
    let (ctx, out) = RuntimeCtx::capturing();
    let mut program = Program::new(ctx);
    program
        .run(
            None,
            "let x = 5\nlet rec f n = if n = 0 then 1 / 0 else 1 + f (n - 1)",
        )
        .expect("defines");
    assert!(program.run(None, "let y = f 100").is_err());
    program
        .run(None, "let () = print (x + 1)")
        .expect("still works");
    assert_eq!(out.contents(), "6\n");
    assert!(matches!(
        program.interp.lookup_global("x"),
        Some(crate::runtime::value::Value::Int(5))
    ));
}

#[test]
fn modules_and_open() {
    let (ctx, out) = RuntimeCtx::capturing();
    let mut program = Program::new(ctx);
    program
        .run(Some("Util"), "let double x = 2 * x\nlet base = 10")
        .expect("module");
    program
        .run(
            None,
            "let () = print (Util.double Util.base)\nopen Util\nlet () = print (double 4)",
        )
        .expect("main");
    assert_eq!(out.contents(), "20\n8\n");
}

#[test]
fn stdlib_functions() {
    let out = output_std("let () = print (List.map (fun x -> x * x) [1; 2; 3])");
    assert_eq!(out, "[1; 4; 9]\n");
}

/// `cargo test --release --lib interp::tests::fib_30_speed -- --ignored --nocapture`
#[test]
#[ignore]
fn fib_30_speed() {
    let start = std::time::Instant::now();
    let out = output(
        "let rec fib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\nlet () = print (fib 30)",
    );
    eprintln!("fib 30 = {} in {:?}", out.trim(), start.elapsed());
}

#[test]
fn failed_input_defines_nothing() {
    let (ctx, _out) = RuntimeCtx::capturing();
    let mut program = Program::new(ctx);
    program.run(None, "let x = 1").expect("defines");
    assert!(program.run(None, "let x = 2\nlet y = 1 / 0").is_err());
    assert!(matches!(
        program.interp.lookup_global("x"),
        Some(crate::runtime::value::Value::Int(1))
    ));
    assert!(program.interp.lookup_global("y").is_none());
    // The next input reuses the failed input's global ids.
    program
        .run(None, "let z = 3\nlet () = print (x + z)")
        .expect("runs");
}

#[test]
fn globals_of_a_failed_input_are_not_reused() {
    let (ctx, out) = RuntimeCtx::capturing();
    let mut program = Program::new(ctx);
    program
        .run(None, "let r = ref (fun () -> 0)")
        .expect("defines");
    let failing = "let g () = 5\nlet () = r := g\nlet z = 1 / 0";
    assert!(program.run(None, failing).is_err());
    // `r` holds a closure of the failed input that names `g`'s global.
    program
        .run(None, "let h = 7\nlet () = print (!r () + h)")
        .expect("runs");
    assert_eq!(out.contents(), "12\n");
}

#[test]
fn closures_keep_the_binding_they_were_checked_against() {
    let (ctx, out) = RuntimeCtx::capturing();
    let mut program = Program::new(ctx);
    program
        .run(None, "let x = 1\nlet f () = x")
        .expect("defines");
    program.run(None, "let x = \"two\"").expect("redefines");
    program.run(None, "let () = print (f (), x)").expect("runs");
    assert_eq!(out.contents(), "(1, \"two\")\n");
}

#[test]
fn records_and_constructors_use_declared_positions() {
    let src = "
type p = { x : int; y : string; z : bool }
type t = A | B of int | C of p
let r = { z = true; x = 1; y = \"s\" }
let s = { r with z = false }
let () = print (r, s.y, s.z)
let f v = match v with A -> 0 | B n -> n | C { y; x; _ } -> x + String.length y
let () = print (f A, f (B 4), f (C r))
";
    assert_eq!(
        output_std(src),
        "({ x = 1; y = \"s\"; z = true }, \"s\", false)\n(0, 4, 2)\n"
    );
}

#[test]
fn or_patterns_bind_one_variable() {
    let src = "
type t = L of int | R of int
let get v = match v with L n | R n -> n
let () = print (get (L 1) + get (R 2))
";
    assert_eq!(output(src), "3\n");
}

#[test]
fn an_exception_leaving_a_derivative_closes_its_session() {
    let (ctx, out) = RuntimeCtx::capturing();
    let mut program = Program::new(ctx);
    let src = "
let leaked = ref 0.0
let inner x = grad (fun y -> leaked := y; if y > 0.0 then raise Exit else y * x) x
let outer x = (try inner x with Exit -> 0.0) + x * x
let () = print (grad outer 3.0)
let () = print (try jvp (fun x -> if x > 0.0 then raise Exit else x) 1.0 1.0 with Exit -> (0.0, 0.0))
let () = print (try value_and_grad (fun x -> x * raise Exit) 2.0 with Exit -> (0.0, 0.0))
let () = print (grad (fun y -> y * !leaked) 2.0)
";
    program.run(None, src).expect("the program runs");
    assert_eq!(out.contents(), "6.0\n(0.0, 0.0)\n(0.0, 0.0)\n3.0\n");
    // Every invocation opened a tag; none of them is still running.
    let ad = &program.interp.ctx_mut().ad;
    assert!((1..=16).all(|tag| !ad.is_active(tag)));
}

#[test]
fn an_unmatched_handler_keeps_the_raise_site() {
    let e = error(
        "
exception E of int
let f x = raise (E x)
let g x = try f x with Exit -> 0
let () = print (1 + g 7)
",
    );
    assert_eq!(e.code, "R014");
    assert_eq!(e.message, "uncaught exception E(7)");
    let names = e.stack.names();
    assert_eq!(names, ["f", "g"]);
}

#[test]
fn interrupt_stops_a_native_sort_of_a_primitive_comparison() {
    use std::sync::atomic::Ordering;
    let (ctx, _out) = RuntimeCtx::capturing();
    let interrupted = ctx.interrupted.clone();
    let mut program = Program::with_stdlib(ctx);
    interrupted.store(true, Ordering::Relaxed);
    let e = program
        .run(
            None,
            "let _ = List.sort compare (List.rev (List.range 0 200000))",
        )
        .expect_err("interrupted");
    assert_eq!(e.code, "R006");
}
