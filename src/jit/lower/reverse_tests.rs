//! Compiled reverse mode (`reverse.rs`): which `grad` sites take it, the
//! shape of the IR it makes (no session, no boxed value, no runtime AD),
//! and its results against the interpreter's, bit for bit — on edge cases
//! and on random float programs.

#![forbid(unsafe_code)]

use super::pattern_tests::{lowered, same_on_both, walk};
use crate::jit::ir::{Expr, GradSites, Program, RuntimeFn, Ty};
use crate::runtime::random::Rng;

fn sites(src: &str) -> GradSites {
    lowered(src).grad_sites
}

/// Every expression of the function named `name`.
fn body_of<'p>(program: &'p Program, name: &str) -> Vec<&'p Expr> {
    let function = program
        .functions
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function {name}"));
    let mut all = Vec::new();
    walk(&function.body, &mut all);
    all
}

#[test]
fn float_code_takes_the_compiled_path() {
    let src = "let f x = sin x * x + x ** 2.0\n\
               let g y = if y > 0.0 && y < 10.0 then f y else stop_gradient y * y\n\
               let () = print (grad g 1.5)\n\
               let () = print (value_and_grad (fun x -> let v = x * x in v / (1.0 + v)) 0.5)\n\
               let () = print (grad (f) 2.0)\n\
               let () = print (grad sqrt 2.0)";
    assert_eq!(
        sites(src),
        GradSites {
            compiled: 4,
            tracked: 0
        }
    );
}

#[test]
fn everything_else_stays_tracked() {
    let src = "let rec pw n x = if n = 0 then 1.0 else x * pw (n - 1) x\n\
               let gradient f x = grad f x\n\
               let () = print (grad (pw 3) 2.0)\n\
               let () = print (gradient sin 2.0)\n\
               let () = print (grad (fun x -> let r = ref x in r := !r * x; !r) 2.0)\n\
               let () = print (grad (fun (a, b) -> a * b) (1.0, 2.0))\n\
               let () = print (grad (grad sin) 1.0)\n\
               let () = print (grad (fun x -> grad (fun y -> x * y) 1.0) 1.0)\n\
               let () = print (grad (fun x -> let r = ref x in for i = 1 to 3 do r := !r + x * !r done; !r) 1.0)\n\
               let () = print (grad (fun x -> let a = ref x in let b = ref x in for i = 1 to 3 do a := !a * !b done; !a) 1.0)\n\
               let () = print (grad (fun x -> let a = ref 0.0 in let b = ref 0.0 in for i = 1 to 3 do a := x * !a; b := !a done; !a + !b) 1.0)\n\
               let () = print (grad (fun x -> let a = ref x in while (a := !a * 0.5; !a > 1.0) do () done; !a) 9.0)";
    // A ref outside loops is a local (the one compiled site). Nested
    // `grad` (the outer one is tracked, an inner one inside tracked code
    // is tracked too), and four loops whose interpreter sums
    // a loop's own slots could not keep apart: a state that starts as a
    // value the body also reads, two refs starting with one cell, two refs
    // ending with one cell, an assignment in a `while` condition.
    assert_eq!(
        sites(src),
        GradSites {
            compiled: 1,
            tracked: 10
        }
    );
}

#[test]
fn loops_take_the_compiled_path() {
    let src = "let rec go y = if y > 10.0 then y else go (y * 1.5 + 1.0)\n\
               let rec keep k y = if y > 10.0 then y * k else keep k (y * k + 1.0)\n\
               let () = print (grad go 1.0)\n\
               let () = print (grad (fun x -> keep x 1.0) 2.0)\n\
               let () = print (grad (fun x -> let s = ref 0.0 in for i = 1 to 3 do s := !s + x done; !s) 1.0)\n\
               let () = print (grad (fun x -> let y = ref x in while !y < 5.0 do y := !y * 2.0 done; !y) 1.0)";
    assert_eq!(
        sites(src),
        GradSites {
            compiled: 4,
            tracked: 0
        }
    );
}

/// Integer arithmetic is forward code only: a tail-recursive loop with
/// an `int` counter (the golden `ad/million_loop`) is a compiled loop,
/// and its results are the interpreter's, overflow and division by zero
/// included.
#[test]
fn int_counters_take_the_compiled_path() {
    let src = "let rec run x acc n = if n = 0 then acc else run x (acc * 0.5 + x) (n - 1)\n\
               let rec skip x acc n = if n <= 0 then acc else skip x (acc + x * to_float (n mod 3)) (n / 2 - -1 * 0 - 1)\n\
               let () = print (grad (fun x -> run x 0.0 10) 1.5)\n\
               let () = print (grad (fun x -> skip x 1.0 40) 0.5)\n\
               let () = print (value_and_grad (fun x -> run x 1.0 (3 * 4)) 2.0)";
    assert_eq!(
        sites(src),
        GradSites {
            compiled: 3,
            tracked: 0
        }
    );
    same_on_both(src);
    for failing in ["n / (n - 2)", "n * 4611686018427387903"] {
        let src = format!(
            "let rec run x acc n = if n = 0 then acc else run x (acc * 0.5 + x) ({failing})\n\
             let () = print (grad (fun x -> run x 0.0 4) 1.0)"
        );
        assert_eq!(sites(&src).compiled, 1, "{src}");
        // Nothing printed: the error (R001, R002) stops it on both.
        assert_eq!(same_on_both(&src), "", "{src}");
    }
}

/// A polymorphic tail-recursive function (`+` on a type variable) is a
/// loop at the float instance the `grad` uses: the result's type comes
/// from the call site, not from the definition's type variable.
#[test]
fn polymorphic_loops_take_the_compiled_path() {
    let src = "let rec run x acc n = if n = 0 then acc else run x (acc + x) (n - 1)\n\
               let rec twice f acc n = if n = 0 then acc else twice f (f acc) (n - 1)\n\
               let () = print (grad (fun x -> run x 0.0 10) 2.0)\n\
               let () = print (run 1 0 5)\n\
               let () = print (value_and_grad (fun x -> run (x * 2.0) x 3) 0.5)";
    assert_eq!(
        sites(src),
        GradSites {
            compiled: 2,
            tracked: 0
        }
    );
    same_on_both(src);
}

/// The recurrence: its record is one word an iteration (`y` at
/// the iteration's head, read by `sin`'s rule), pushed and popped inline
/// (`TapePush`, `TapePop`), with no other runtime call but the math leaves.
#[test]
fn a_loop_keeps_one_record_an_iteration() {
    let src = "let f x = let y = ref x in for i = 1 to 1000 do y := sin !y * 0.9 + !y * 0.1 + 0.05 done; !y\n\
               let d x = grad f x\n\
               let () = print (d 0.5)";
    let program = lowered(src);
    assert_eq!(program.grad_sites.compiled, 1);
    let body = body_of(&program, "d");
    let count = |wanted: &dyn Fn(&Expr) -> bool| body.iter().filter(|e| wanted(e)).count();
    // A push's word is a local of either type; the pops, which match the
    // pushes one for one, say which.
    assert_eq!(
        [
            count(&|e| matches!(e, Expr::TapePush { .. })),
            count(&|e| matches!(e, Expr::TapePop(Ty::F64))),
            count(&|e| matches!(e, Expr::TapePop(Ty::I64))),
        ],
        [1, 1, 0],
        "{body:?}"
    );
    for e in &body {
        if let Expr::Runtime { entry, .. } = e {
            assert!(
                matches!(entry, RuntimeFn::Sin | RuntimeFn::Cos),
                "runtime call {entry:?}"
            );
        }
    }
    same_on_both(src);
}

/// Loops of 0, 1 and many iterations, trip counts the data decide,
/// nested loops, state that swaps, changes in one branch or passes
/// through, tail recursion with parameters passed on, `value_and_grad`.
#[test]
fn loops_match_the_interpreter() {
    let src = "let rep n x = let y = ref x in for i = 1 to n do y := sin !y * 0.9 + !y * 0.1 + 0.05 done; !y\n\
               let () = print (grad (rep 0) 0.3)\n\
               let () = print (grad (rep 1) 0.3)\n\
               let () = print (value_and_grad (rep 1000) 0.3)\n\
               let down x = let s = ref 0.0 in for i = 3 downto 1 do s := !s * x + to_float i done; !s\n\
               let () = print (grad down 1.5)\n\
               let halve x = let y = ref x in while !y > 1.0 do y := !y * 0.5 + 0.1 * sin !y done; !y\n\
               let () = print (grad halve 0.5)\n\
               let () = print (grad halve 37.0)\n\
               let nest x = let s = ref x in for i = 1 to 4 do for j = 1 to i do s := !s * 1.1 + sin !s done; if !s > 2.0 then s := !s * 0.5 done; !s\n\
               let () = print (grad nest 0.7)\n\
               let () = print (grad nest (-0.7))\n\
               let swap x = let a = ref x in let b = ref (2.0 * x) in for i = 1 to 5 do let t = !a in a := !b; b := t * !b done; !a + !b\n\
               let () = print (grad swap 0.7)\n\
               let maybe x = let a = ref x in let b = ref 1.0 in for i = 1 to 6 do if !a > 1.0 then b := !b * !a else a := !a * 1.7 done; !a * !b\n\
               let () = print (grad maybe 0.3)\n\
               let () = print (grad maybe 3.0)\n\
               let rec go y = if y > 10.0 then y * y else go (y * 1.5 + sin y)\n\
               let () = print (grad go 0.5)\n\
               let () = print (grad go 11.0)\n\
               let rec two k y z = if y > 10.0 then y * z else two k (y * k + 1.0) (z + y)\n\
               let () = print (grad (fun x -> two x 1.0 (2.0 * x)) 1.5)\n\
               let () = print (value_and_grad (fun x -> two 1.5 (x * 1.0) 1.0 + x) 0.5)\n\
               let rec steps n y = if n > 0.5 then steps (n - 1.0) (y * y * 0.5) else y\n\
               let () = print (grad (fun x -> steps 4.0 x) 1.3)\n\
               let zero x = let s = ref x in for i = 1 to 3 do s := 0.0 * !s done; !s\n\
               let () = print (grad zero 2.0)\n\
               let inf x = let s = ref x in for i = 1 to 3 do s := !s * (1.0 / 0.0) done; 0.0 * !s\n\
               let () = print (grad inf 2.0)";
    assert_eq!(sites(src).tracked, 0);
    same_on_both(src);
}

/// Random programs with loops over refs and tail-recursive functions,
/// compiled and interpreted, must print the same digits.
#[test]
fn random_loop_programs_match_the_interpreter_bit_for_bit() {
    let mut compiled = 0;
    for seed in 0..16 {
        let src = Generator::new(1000 + seed).loop_program();
        // A program whose two refs may end an iteration with one cell
        // (`a := …; b := !a`) takes the tracked path; most do not.
        compiled += sites(&src).compiled;
        let printed = same_on_both(&src);
        assert!(printed.lines().count() > 20, "{src}");
    }
    assert!(compiled >= 16 * 30 * 3 / 4, "{compiled} sites compiled");
}

#[test]
fn the_compiled_path_calls_no_runtime_ad_and_boxes_nothing() {
    let src = "let f x = let y = sin x * x in if y > 0.5 then y * exp x else x ** 3.0 / y\n\
               let d x = grad f x\n\
               let () = print (d 1.0)";
    let program = lowered(src);
    assert_eq!(program.grad_sites.compiled, 1);
    let body = body_of(&program, "d");
    let leaves = [
        RuntimeFn::Sin,
        RuntimeFn::Cos,
        RuntimeFn::Exp,
        RuntimeFn::Log,
        RuntimeFn::Pow,
    ];
    for e in &body {
        match e {
            Expr::Runtime { entry, .. } => {
                assert!(leaves.contains(entry), "runtime call {entry:?} in {e:?}")
            }
            Expr::Call { .. }
            | Expr::TailCall { .. }
            | Expr::CallIndirect { .. }
            | Expr::Apply { .. }
            | Expr::Resume { .. }
            | Expr::TailApply { .. }
            | Expr::ApplyCps { .. }
            | Expr::While { .. } => panic!("a call or loop on the compiled path: {e:?}"),
            _ => {}
        }
    }
    // Forward, then backward: the first `cos` (the adjoint of `sin`)
    // comes after the last `exp` of the forward pass (`exp x` is also the
    // rule of `exp`, which reads its result, not a call).
    let position = |entry: RuntimeFn| {
        body.iter()
            .position(|e| matches!(e, Expr::Runtime { entry: found, .. } if *found == entry))
    };
    let (sin, cos) = (position(RuntimeFn::Sin), position(RuntimeFn::Cos));
    assert!(sin.is_some() && cos.is_some() && sin < cos);
    // A site the path does not take calls the runtime's AD.
    let src = "let d f x = grad f x\nlet () = print (d sin 1.0)";
    let program = lowered(src);
    let body = body_of(&program, "d");
    let calls = |entry: RuntimeFn| {
        body.iter()
            .any(|e| matches!(e, Expr::Runtime { entry: found, .. } if *found == entry))
    };
    assert!(calls(RuntimeFn::GradOpen) && calls(RuntimeFn::DiffClose));
}

/// The conventions and the sharing of adjoints: aliases through `let`
/// and `if`, unused inputs, `**` at zero, the kinks.
#[test]
fn edge_cases_match_the_interpreter() {
    let src = "let f x = sin x * x + x ** 2.0\n\
               let g y = if y > 0.0 then f y else y\n\
               let () = print (grad g 1.5)\n\
               let () = print (grad g (-1.5))\n\
               let () = print (value_and_grad (fun x -> let v = x * x in v / (1.0 + v)) 0.5)\n\
               let () = print (grad (fun x -> 3.0) 2.0)\n\
               let () = print (value_and_grad (fun x -> 3.0) 2.0)\n\
               let () = print (grad (fun x -> x) 2.0)\n\
               let () = print (grad (fun x -> x ** 0.0) 0.0)\n\
               let () = print (grad (fun x -> 0.0 ** x) 0.0)\n\
               let () = print (grad (fun x -> 0.0 ** x) (-1.0))\n\
               let () = print (grad (fun x -> x ** (-1.0)) 0.0)\n\
               let () = print (grad (fun x -> x ** x) 0.0)\n\
               let () = print (grad (fun x -> let y = if x > 1.0 then x else 2.0 * x in x * y + y * y * x) 1.5)\n\
               let () = print (grad (fun x -> let y = if x > 1.0 then x else 2.0 * x in x * y + y * y * x) 0.5)\n\
               let () = print (grad (fun x -> abs x + relu x) 0.0)\n\
               let () = print (grad (fun x -> abs x - relu x) (-2.0))\n\
               let () = print (grad sqrt 0.0)\n\
               let () = print (grad (fun x -> x * (1.0 / 0.0)) 1.0)\n\
               let () = print (grad (fun x -> 0.0 * (x * (1.0 / 0.0))) 1.0)\n\
               let () = print (grad (fun x -> stop_gradient x * x) 3.0)\n\
               let () = print (grad (fun x -> if x > 0.0 || x < -1.0 then x else 0.5) (-3.0))\n\
               let () = print (grad (fun x -> tan x + tanh x + sigmoid x + exp x + log x - cos x) 0.7)\n\
               let () = print (grad (fun x -> -x + x * to_float 3) 0.7)";
    assert_eq!(sites(src).tracked, 0);
    same_on_both(src);
}

/// Random float programs under `grad` and `value_and_grad`, compiled and
/// interpreted, must print the same digits.
#[test]
fn random_float_programs_match_the_interpreter_bit_for_bit() {
    for seed in 0..24 {
        let src = Generator::new(seed).program();
        assert_eq!(sites(&src).tracked, 0, "{src}");
        let printed = same_on_both(&src);
        assert!(printed.lines().count() > 20, "{src}");
    }
}

/// Writes random programs of the compiled path's subset.
struct Generator {
    rng: Rng,
    /// The helpers defined so far, by arity.
    helpers: Vec<usize>,
    binders: u32,
}

impl Generator {
    fn new(seed: u64) -> Generator {
        Generator {
            rng: Rng::seeded(seed),
            helpers: Vec::new(),
            binders: 0,
        }
    }

    fn below(&mut self, n: u64) -> u64 {
        self.rng.below(n)
    }

    fn literal(&mut self) -> String {
        const SPECIAL: [f64; 6] = [0.0, 1.0, 2.0, -1.0, 0.5, 3.0];
        let x = match self.below(3) {
            0 => SPECIAL[self.below(SPECIAL.len() as u64) as usize],
            _ => (self.below(4001) as f64 - 2000.0) / 1000.0,
        };
        if x < 0.0 {
            format!("({x:.3})")
        } else {
            format!("{x:.3}")
        }
    }

    fn fresh(&mut self) -> String {
        self.binders += 1;
        format!("v{}", self.binders)
    }

    fn float(&mut self, vars: &[String], depth: u32) -> String {
        if depth == 0 || self.below(7) == 0 {
            return match self.below(4) {
                0 => self.literal(),
                _ => vars[self.below(vars.len() as u64) as usize].clone(),
            };
        }
        let d = depth - 1;
        match self.below(15) {
            0 => format!("({} + {})", self.float(vars, d), self.float(vars, d)),
            1 => format!("({} - {})", self.float(vars, d), self.float(vars, d)),
            2 | 3 => format!("({} * {})", self.float(vars, d), self.float(vars, d)),
            4 => format!("({} / {})", self.float(vars, d), self.float(vars, d)),
            5 => {
                let exponent = ["0.0", "1.0", "2.0", "3.0", "0.5", "(-1.0)"]
                    [self.below(6) as usize]
                    .to_string();
                let exponent = match self.below(3) {
                    0 => self.float(vars, d),
                    _ => exponent,
                };
                format!("({} ** {exponent})", self.float(vars, d))
            }
            6 | 7 => {
                let f = [
                    "sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs",
                ][self.below(10) as usize];
                format!("({f} {})", self.float(vars, d))
            }
            8 => format!("(- {})", self.float(vars, d)),
            9 | 10 => {
                // Branches that are often bare variables: the `if` passes
                // an existing adjoint cell on.
                let c = self.condition(vars, d);
                let (a, b) = (self.float(vars, d / 2), self.float(vars, d / 2));
                format!("(if {c} then {a} else {b})")
            }
            11 => {
                let v = self.fresh();
                let value = self.float(vars, d);
                let mut inner = vars.to_vec();
                inner.push(v.clone());
                format!("(let {v} = {value} in {})", self.float(&inner, d))
            }
            12 if !self.helpers.is_empty() => {
                let k = self.below(self.helpers.len() as u64) as usize;
                let args: Vec<String> = (0..self.helpers[k]).map(|_| self.float(vars, d)).collect();
                format!("(h{k} {})", args.join(" "))
            }
            13 => format!("(stop_gradient {})", self.float(vars, d)),
            _ => format!("(to_float {} * {})", self.below(5), self.float(vars, d)),
        }
    }

    fn condition(&mut self, vars: &[String], depth: u32) -> String {
        let d = depth.saturating_sub(1);
        match self.below(6) {
            0 => format!(
                "({} && {})",
                self.condition(vars, d),
                self.condition(vars, d)
            ),
            1 => format!(
                "({} || {})",
                self.condition(vars, d),
                self.condition(vars, d)
            ),
            2 => format!("(not {})", self.condition(vars, d)),
            _ => {
                let op = [">", "<", ">=", "<=", "=", "<>"][self.below(6) as usize];
                format!("({} {op} {})", self.float(vars, d), self.float(vars, d))
            }
        }
    }

    /// A program whose functions loop: `for` over two refs (one changed in
    /// a branch), `while` with a data-dependent trip count, and a
    /// tail-recursive function.
    fn loop_program(&mut self) -> String {
        let mut src = String::new();
        // The body does not read `x` (a state starting at `x` would take
        // the tracked path): its refs start as functions of `x`.
        let state = ["!a".to_string(), "!b".to_string()];
        let x = ["x".to_string()];
        for i in 0..3 {
            let (a0, b0) = (self.float(&x, 2), self.float(&x, 2));
            let step = self.float(&state, 3);
            let c = self.condition(&state, 2);
            let other = self.float(&state, 2);
            let n = self.below(4);
            src.push_str(&format!(
                "let l{i} x = let a = ref {a0} in let b = ref {b0} in \
                 for i = 1 to {n} do a := {step}; if {c} then b := {other} done; !a * 0.5 + !b\n"
            ));
        }
        let state = ["!y".to_string()];
        let step = self.float(&state, 2);
        src.push_str(&format!(
            "let w x = let y = ref x in let k = ref 0.0 in \
             while !k < 5.0 && abs !y < 100.0 do y := 0.5 * !y + {step}; k := !k + 1.0 done; !y\n"
        ));
        let vars = ["y".to_string(), "z".to_string()];
        let (step, other, result) = (
            self.float(&vars, 2),
            self.float(&vars, 2),
            self.float(&vars, 2),
        );
        src.push_str(&format!(
            "let rec t k y z = if k > 4.5 then {result} else t (k + 1.0) ({step}) ({other})\n"
        ));
        let points = ["0.0", "1.0", "(-1.0)", "0.37", "(-2.125)"];
        for f in ["l0", "l1", "l2", "w", "(fun x -> t 0.0 x 1.0)"] {
            for p in points {
                src.push_str(&format!("let () = print (grad {f} {p})\n"));
            }
            src.push_str(&format!("let () = print (value_and_grad {f} 0.75)\n"));
        }
        src
    }

    fn program(&mut self) -> String {
        let mut src = String::new();
        for k in 0..3 {
            let params: Vec<String> = (0..1 + self.below(2)).map(|i| format!("p{i}")).collect();
            let body = self.float(&params, 3);
            src.push_str(&format!("let h{k} {} = {body}\n", params.join(" ")));
            self.helpers.push(params.len());
        }
        let x = vec!["x".to_string()];
        for i in 0..6 {
            let body = self.float(&x, 5);
            src.push_str(&format!("let f{i} x = {body}\n"));
        }
        let points = ["0.0", "1.0", "(-1.0)", "0.37", "(-2.125)"];
        for i in 0..6 {
            for p in points {
                src.push_str(&format!("let () = print (grad f{i} {p})\n"));
            }
            src.push_str(&format!("let () = print (value_and_grad f{i} 0.75)\n"));
        }
        let body = self.float(&x, 4);
        src.push_str(&format!("let () = print (grad (fun x -> {body}) 0.25)\n"));
        src
    }
}
