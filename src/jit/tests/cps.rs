//! The selective CPS transform from source: which functions get a
//! continuation-passing variant, and what shifting code computes
//! (multi-shot continuations, answer types, deep recursion under `reset`,
//! continuations as function values).

use crate::driver::loader::Loader;
use crate::jit::codegen::compile;
use crate::jit::ir::{Frame, FuncId, Program, Ty};
use crate::jit::lower::{lower_program, Module};
use crate::jit::run::run;
use crate::runtime::ctx::RuntimeCtx;
use crate::stdlib::MODULES;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `source` as the main file, checked with what it uses and lowered.
fn lowered(source: &str) -> Program {
    static FILES: AtomicUsize = AtomicUsize::new(0);
    let n = FILES.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("dlang-jit-cps-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join("main.dl");
    std::fs::write(&path, source).expect("the test program written");
    let checked = match crate::check_program(&mut Loader::new(), &path) {
        Ok(checked) => checked,
        Err(_) => panic!("the test program does not check:\n{source}"),
    };
    let modules: Vec<Module<'_>> = checked
        .modules
        .iter()
        .map(|(name, items)| Module {
            name: name.as_deref(),
            items,
            stdlib: name
                .as_deref()
                .is_some_and(|name| MODULES.iter().any(|m| m.name == name)),
        })
        .collect();
    let program = lower_program(&modules).unwrap_or_else(|e| panic!("{}: {}", e.code, e.message));
    let _ = std::fs::remove_dir_all(&dir);
    program
}

/// What the program prints on the JIT.
fn output(source: &str) -> String {
    let compiled = compile(lowered(source), &[FuncId(0)]).unwrap_or_else(|e| panic!("{e}"));
    let (mut rt, out) = RuntimeCtx::capturing();
    if let Err(e) = run(&compiled, FuncId(0), &[], &mut rt) {
        panic!("{}: {}", e.code, e.message);
    }
    out.contents()
}

/// The signatures `(params, result)` of the IR functions named `name`
/// (not the `shift` bodies named after them).
fn variants(program: &Program, name: &str) -> Vec<(Vec<Ty>, Ty)> {
    let mut found: Vec<(Vec<Ty>, Ty)> = program
        .functions
        .iter()
        .filter(|f| f.name == name && !matches!(f.frame, Frame::Hidden | Frame::ShiftBody))
        .map(|f| (f.param_types().to_vec(), f.ret))
        .collect();
    found.sort_by_key(|(params, _)| params.len());
    found.dedup();
    found
}

#[test]
fn only_code_that_may_shift_takes_a_continuation() {
    let program = lowered(
        "let inc x = x + 1\n\
         let yield_int (x : int) = shift k -> k x + 1\n\
         let twice f x = f (f x)\n\
         let () = print (inc 1)\n\
         let () = print (reset (yield_int 1 * 2))\n\
         let () = print (twice inc 1)\n\
         let () = print (reset (twice (fun x -> shift k -> k (k x)) 1))\n",
    );
    // Pure: direct style, unboxed.
    assert_eq!(variants(&program, "inc"), [(vec![Ty::I64], Ty::I64)]);
    // Shifts: takes its continuation last and returns the answer.
    assert_eq!(
        variants(&program, "yield_int"),
        [(vec![Ty::I64, Ty::Val], Ty::Val)]
    );
    // Effect-polymorphic (and polymorphic: `val`s): one variant per
    // effect it is used at.
    assert_eq!(
        variants(&program, "twice"),
        [
            (vec![Ty::Val, Ty::Val], Ty::Val),
            (vec![Ty::Val, Ty::Val, Ty::Val], Ty::Val)
        ]
    );
    // Only the shifting lambda has continuation-passing entries; `inc` as
    // a value is a wrapper without one.
    assert!(!program.cps_closures.is_empty());
    for (_, func) in &program.cps_closures {
        assert_eq!(program.functions[func.0 as usize].name, "<fun>");
    }
}

#[test]
fn the_pure_main_code_of_a_program_without_reset_has_no_continuation() {
    let program = lowered(
        "let rec sum n = if n = 0 then 0 else n + sum (n - 1)\n\
         let () = print (sum 10)\n",
    );
    assert!(program.cps_closures.is_empty());
    assert!(program.functions.iter().all(|f| f.name != "<continuation>"));
    assert_eq!(variants(&program, "sum"), [(vec![Ty::I64], Ty::I64)]);
}

#[test]
fn continuations_are_multi_shot() {
    assert_eq!(
        output(
            "let () = print (reset (let x = shift k -> k 1 + k 2 + k 3 in x * x))\n\
             let choose a b = shift k -> k a + k b\n\
             let () = print (reset (let x = choose 1 2 in let y = choose 10 20 in x * y))\n"
        ),
        "14\n90\n"
    );
}

#[test]
fn answer_types_are_per_reset() {
    assert_eq!(
        output(
            "let () = print (reset (if (shift k -> k true ^ k false) then \"y\" else \"n\"))\n\
             let () = print (reset (2.0 *. shift k -> k 1.5 +. k 2.0))\n\
             let () = print (reset (1 + reset (10 + shift k -> k (k 100)) + shift k -> k 0 * 2))\n"
        ),
        "yn\n7.0\n242\n"
    );
}

#[test]
fn a_continuation_escapes_its_reset_as_a_function_value() {
    assert_eq!(
        output(
            "let f = reset (let x = shift k -> (fun y -> k y y) in fun z -> x * 10 + z)\n\
             let () = print (f 1)\n\
             let () = print (f 3)\n\
             let () = print (reset (shift k -> print k; k 1))\n"
        ),
        "11\n33\n<fun>\n1\n"
    );
}

#[test]
fn a_million_deep_recursion_under_reset_with_a_shift_below() {
    assert_eq!(
        output(
            "let rec deep n = if n = 0 then shift k -> k 1 + k 2 else 1 + deep (n - 1)\n\
             let () = print (reset (deep 1000000))\n"
        ),
        "2000003\n"
    );
}
