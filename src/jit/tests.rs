//! The JIT on hand-built IR: arithmetic and its faults, recursion (deep,
//! mutual, tail), floats with runtime calls, `val` reference counts on
//! normal and error paths, panics in shims, and the call trace.

#![forbid(unsafe_code)]

use std::rc::Rc;
use std::time::Instant;

use super::codegen::{compile, Compiled};
use super::ir::build::*;
use super::ir::{
    Compare, DataFn, Expr, FloatOp, FuncId, Function, IntOp, JoinId, JoinTarget, MatchKind,
    Program, RuntimeFn, SpanId, Ty, VarId,
};
use super::run::run;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::prims::PRIMS;
use crate::runtime::value::Value;
use crate::syntax::ast::{FileId, Span};

/// Span `i` of the test programs covers bytes `10*i .. 10*i+5`.
fn span(i: u32) -> Span {
    Span::new(FileId(0), 10 * i as usize, 10 * i as usize + 5)
}

fn program(functions: Vec<Function>) -> Program {
    Program {
        functions,
        spans: (0..16).map(span).collect(),
        ..Program::default()
    }
}

fn function(name: &str, params: &[Ty], locals: &[Ty], ret: Ty, body: Expr) -> Function {
    let mut all = params.to_vec();
    all.extend_from_slice(locals);
    Function {
        name: name.to_string(),
        params: params.len(),
        locals: all,
        ret,
        body,
        span: SpanId(0),
        frame: super::ir::Frame::Shown {
            replaces_tail_caller: false,
        },
    }
}

/// Every function compiled with an entry.
fn compiled(functions: Vec<Function>) -> Compiled {
    let entries: Vec<FuncId> = (0..functions.len() as u32).map(FuncId).collect();
    match compile(program(functions), &entries) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

fn exec_with(c: &Compiled, func: u32, args: &[Value]) -> (Result<Value, RuntimeError>, String) {
    let (mut rt, out) = RuntimeCtx::capturing();
    let result = run(c, FuncId(func), args, &mut rt);
    (result, out.contents())
}

fn exec(c: &Compiled, func: u32, args: &[Value]) -> Result<Value, RuntimeError> {
    exec_with(c, func, args).0
}

fn int_of(result: Result<Value, RuntimeError>) -> i64 {
    match result {
        Ok(Value::Int(n)) => n,
        Ok(_) => panic!("not an int"),
        Err(e) => panic!("{}: {}", e.code, e.message),
    }
}

fn error_of(result: Result<Value, RuntimeError>) -> RuntimeError {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

fn sub(lhs: Expr, n: i64, span: u32) -> Expr {
    int_op(IntOp::Sub, lhs, int(n), span)
}

/// `fib n = if n < 2 then n else fib (n - 1) + fib (n - 2)`
fn fib() -> Function {
    let body = if_(
        compare(Compare::Lt, var(0), int(2)),
        var(0),
        int_op(
            IntOp::Add,
            call(0, vec![sub(var(0), 1, 2)], 3),
            call(0, vec![sub(var(0), 2, 4)], 5),
            6,
        ),
    );
    function("fib", &[Ty::I64], &[], Ty::I64, body)
}

/// `depth n = if n = 0 then 0 else 1 + depth (n - 1)`: not a tail call.
fn depth() -> Function {
    let body = if_(
        compare(Compare::Eq, var(0), int(0)),
        int(0),
        int_op(IntOp::Add, int(1), call(0, vec![sub(var(0), 1, 1)], 2), 3),
    );
    function("depth", &[Ty::I64], &[], Ty::I64, body)
}

#[test]
fn naive_fib() {
    let c = compiled(vec![fib()]);
    assert_eq!(int_of(exec(&c, 0, &[Value::Int(20)])), 6765);
    assert_eq!(int_of(exec(&c, 0, &[Value::Int(1)])), 1);
}

#[test]
fn float_loop_with_sin() {
    // acc = 0.0; i = 0; while i < n do acc <- acc + sin (float i) * 0.5; i <- i + 1 done; acc
    let body = let_(
        1,
        float(0.0),
        let_(
            2,
            int(0),
            Expr::Seq(vec![
                while_(
                    compare(Compare::Lt, var(2), var(0)),
                    Expr::Seq(vec![
                        assign(
                            1,
                            float_op(
                                FloatOp::Add,
                                var(1),
                                float_op(
                                    FloatOp::Mul,
                                    runtime(
                                        RuntimeFn::Sin,
                                        vec![Expr::IntToFloat(Box::new(var(2)))],
                                        1,
                                    ),
                                    float(0.5),
                                ),
                            ),
                        ),
                        assign(2, int_op(IntOp::Add, var(2), int(1), 2)),
                    ]),
                ),
                var(1),
            ]),
        ),
    );
    let c = compiled(vec![function(
        "float_loop",
        &[Ty::I64],
        &[Ty::F64, Ty::I64],
        Ty::F64,
        body,
    )]);
    let mut expected = 0.0f64;
    for i in 0..1000 {
        expected += (i as f64).sin() * 0.5;
    }
    match exec(&c, 0, &[Value::Int(1000)]) {
        Ok(Value::Float(x)) => assert_eq!(x.to_bits(), expected.to_bits()),
        _ => panic!("not a float"),
    }
}

#[test]
fn integer_faults_are_errors_with_their_spans() {
    let op = |op| {
        function(
            "op",
            &[Ty::I64, Ty::I64],
            &[],
            Ty::I64,
            int_op(op, var(0), var(1), 7),
        )
    };
    let cases = [
        (IntOp::Add, i64::MAX, 1, "R002", "integer overflow in `+`"),
        (IntOp::Sub, i64::MIN, 1, "R002", "integer overflow in `-`"),
        (IntOp::Mul, i64::MAX, 2, "R002", "integer overflow in `*`"),
        (IntOp::Div, i64::MIN, -1, "R002", "integer overflow in `/`"),
        (IntOp::Div, 1, 0, "R001", "division by zero"),
        (IntOp::Rem, 1, 0, "R001", "division by zero in `%`"),
    ];
    for (which, x, y, code, message) in cases {
        let c = compiled(vec![op(which)]);
        let e = error_of(exec(&c, 0, &[Value::Int(x), Value::Int(y)]));
        assert_eq!((e.code, e.message.as_str()), (code, message));
        assert_eq!(e.span, Some(span(7)));
    }
    let rem = compiled(vec![op(IntOp::Rem)]);
    let rem_of = |x, y| int_of(exec(&rem, 0, &[Value::Int(x), Value::Int(y)]));
    assert_eq!(rem_of(i64::MIN, -1), 0);
    assert_eq!(rem_of(-7, 2), -1);
    let neg = compiled(vec![function(
        "neg",
        &[Ty::I64],
        &[],
        Ty::I64,
        Expr::IntNeg {
            arg: Box::new(var(0)),
            span: SpanId(3),
        },
    )]);
    assert_eq!(int_of(exec(&neg, 0, &[Value::Int(5)])), -5);
    assert_eq!(
        error_of(exec(&neg, 0, &[Value::Int(i64::MIN)])).code,
        "R002"
    );
}

#[test]
fn a_million_non_tail_calls_deep() {
    let c = compiled(vec![depth()]);
    assert_eq!(int_of(exec(&c, 0, &[Value::Int(1_000_000)])), 1_000_000);
}

#[test]
fn recursion_past_the_stack_is_an_error() {
    let c = compiled(vec![depth()]);
    let e = error_of(exec(&c, 0, &[Value::Int(100_000_000)]));
    assert_eq!(e.code, "R005");
    // At the call that could not start, as on the interpreter; the calls
    // of one place are one entry.
    assert_eq!(e.span, Some(span(2)));
    assert_eq!(e.stack.frames.len(), 1);
    let frame = &e.stack.frames[0];
    assert!(frame.name == "depth" && frame.call == span(2) && frame.times > 1_000_000);
}

/// `even n = if n = 0 then true else odd (n - 1)` and `odd` likewise,
/// with `next` a non-tail `Call` or a `TailCall`.
fn even_odd(tail: bool) -> Vec<Function> {
    let next = |func, n: Expr| {
        if tail {
            Expr::TailCall {
                func: FuncId(func),
                args: vec![n],
            }
        } else {
            call(func, vec![n], 2)
        }
    };
    let body = |is_zero, other| {
        if_(
            compare(Compare::Eq, var(0), int(0)),
            Expr::Bool(is_zero),
            next(other, sub(var(0), 1, 1)),
        )
    };
    vec![
        function("even", &[Ty::I64], &[], Ty::Bool, body(true, 1)),
        function("odd", &[Ty::I64], &[], Ty::Bool, body(false, 0)),
    ]
}

#[test]
fn mutual_recursion() {
    let c = compiled(even_odd(false));
    let even = |n| exec(&c, 0, &[Value::Int(n)]);
    assert!(matches!(even(100_001), Ok(Value::Bool(false))));
    assert!(matches!(even(100_000), Ok(Value::Bool(true))));
}

#[test]
fn tail_convention_and_return_call_run_in_constant_stack() {
    // 10^8 calls between two functions, entered from Rust through the
    // C-convention trampoline: past the stack (R005) if each kept a frame,
    // as the non-tail version shows.
    let c = compiled(even_odd(true));
    assert!(matches!(
        exec(&c, 1, &[Value::Int(100_000_001)]),
        Ok(Value::Bool(true))
    ));
    let kept_frames = compiled(even_odd(false));
    let e = error_of(exec(&kept_frames, 1, &[Value::Int(100_000_001)]));
    assert_eq!(e.code, "R005");
}

#[test]
fn self_tail_call_loops_in_constant_stack() {
    // count n acc = if n = 0 then acc else count (n - 1) (acc + 2)
    let body = if_(
        compare(Compare::Eq, var(0), int(0)),
        var(1),
        Expr::TailCallSelf {
            args: vec![sub(var(0), 1, 1), int_op(IntOp::Add, var(1), int(2), 2)],
        },
    );
    let c = compiled(vec![function(
        "count",
        &[Ty::I64, Ty::I64],
        &[],
        Ty::I64,
        body,
    )]);
    let n = 100_000_000;
    assert_eq!(int_of(exec(&c, 0, &[Value::Int(n), Value::Int(0)])), 2 * n);
}

#[test]
fn a_panic_in_a_shim_is_an_internal_error() {
    let c = compiled(vec![function(
        "bad",
        &[],
        &[],
        Ty::Unit,
        runtime(RuntimeFn::PanicForTest, vec![], 4),
    )]);
    let e = error_of(exec(&c, 0, &[]));
    assert_eq!(e.code, "R099");
    assert!(e.message.contains("a shim went wrong"), "{}", e.message);
    assert_eq!(e.span, Some(span(4)));
}

#[test]
fn a_panic_while_compiling_is_an_internal_error() {
    // The boundary `JitBackend` runs lowering and codegen under: a bug
    // there is R099 with its message, not the end of the process.
    let e = super::backend::contain_panic(|| panic!("codegen went wrong"))
        .expect_err("a panic is an error");
    assert_eq!(e.code, "R099");
    assert!(e.message.contains("codegen went wrong"), "{}", e.message);
    assert!(e.message.contains("please report it"), "{}", e.message);
    // and an ordinary outcome passes through untouched.
    assert!(super::backend::contain_panic(|| Ok(())).is_ok());
}

#[test]
fn errors_carry_the_call_stack_innermost_first() {
    // main () = f 1 (at span 5); f x = g x (at span 6); g x = x / 0 (span 7)
    let c = compiled(vec![
        function("main", &[], &[], Ty::I64, call(1, vec![int(1)], 5)),
        function("f", &[Ty::I64], &[], Ty::I64, call(2, vec![var(0)], 6)),
        function(
            "g",
            &[Ty::I64],
            &[],
            Ty::I64,
            int_op(IntOp::Div, var(0), int(0), 7),
        ),
    ]);
    let e = error_of(exec(&c, 0, &[]));
    assert_eq!(e.code, "R001");
    assert_eq!(e.span, Some(span(7)));
    assert_eq!(
        e.stack
            .frames
            .iter()
            .map(|f| (f.name.as_str(), f.call, f.times))
            .collect::<Vec<_>>(),
        [("g", span(6), 1), ("f", span(5), 1)]
    );
}

fn prim_index(module: &str, name: &str) -> u32 {
    PRIMS
        .iter()
        .position(|p| p.module == module && p.name == name)
        .expect("primitive") as u32
}

#[test]
fn values_go_through_the_runtime_with_their_counts_kept() {
    // show_twice s n = print s; print (box n); let t = box (n + 1) in t
    let print = RuntimeFn::Prim(prim_index("Prelude", "print"));
    let body = Expr::Seq(vec![
        runtime(print, vec![var(0)], 1),
        runtime(print, vec![runtime(RuntimeFn::BoxInt, vec![var(1)], 2)], 3),
        let_(
            2,
            runtime(
                RuntimeFn::BoxInt,
                vec![int_op(IntOp::Add, var(1), int(1), 4)],
                5,
            ),
            var(2),
        ),
    ]);
    let c = compiled(vec![function(
        "show_twice",
        &[Ty::Val, Ty::I64],
        &[Ty::Val],
        Ty::Val,
        body,
    )]);
    let text: Rc<str> = Rc::from("hello");
    let (result, out) = exec_with(&c, 0, &[Value::Str(text.clone()), Value::Int(41)]);
    assert!(matches!(result, Ok(Value::Int(42))));
    assert_eq!(out, "hello\n41\n");
    assert_eq!(Rc::strong_count(&text), 1);
    // The overflow in `n + 1` leaves with `s` held: it is released too.
    let (result, out) = exec_with(&c, 0, &[Value::Str(text.clone()), Value::Int(i64::MAX)]);
    assert_eq!(error_of(result).code, "R002");
    assert_eq!(out, format!("hello\n{}\n", i64::MAX));
    assert_eq!(Rc::strong_count(&text), 1);
}

#[test]
fn a_failing_primitive_keeps_its_error() {
    let failwith = RuntimeFn::Prim(prim_index("Prelude", "failwith"));
    let c = compiled(vec![function(
        "fail",
        &[Ty::Val],
        &[],
        Ty::Val,
        runtime(failwith, vec![var(0)], 9),
    )]);
    let e = error_of(exec(&c, 0, &[Value::string("no luck")]));
    assert_eq!(
        (e.code, e.message.as_str()),
        ("R014", "uncaught exception Failure(\"no luck\")")
    );
    assert_eq!(e.span, Some(span(9)));
}

#[test]
fn indirect_calls_and_switch() {
    // twice f x = f (f x) through a code address; pick tag = switch.
    let indirect = |callee: Expr, arg: Expr| Expr::CallIndirect {
        callee: Box::new(callee),
        params: vec![Ty::I64],
        ret: Ty::I64,
        args: vec![arg],
        span: SpanId(8),
    };
    let twice = function(
        "twice",
        &[Ty::I64, Ty::I64],
        &[],
        Ty::I64,
        indirect(var(0), indirect(var(0), var(1))),
    );
    let triple = function(
        "triple",
        &[Ty::I64],
        &[],
        Ty::I64,
        int_op(IntOp::Mul, var(0), int(3), 1),
    );
    let main = function(
        "main",
        &[Ty::I64],
        &[],
        Ty::I64,
        Expr::Switch {
            tag: Box::new(var(0)),
            cases: vec![
                (0, call(0, vec![Expr::FuncAddr(FuncId(1)), int(5)], 2)),
                (1, int(100)),
            ],
            default: Box::new(int(-1)),
        },
    );
    let c = compiled(vec![twice, triple, main]);
    assert_eq!(int_of(exec(&c, 2, &[Value::Int(0)])), 45);
    assert_eq!(int_of(exec(&c, 2, &[Value::Int(1)])), 100);
    assert_eq!(int_of(exec(&c, 2, &[Value::Int(7)])), -1);
}

#[test]
fn a_jump_and_a_match_failure_release_what_they_hold() {
    // pick s n = join { let t = s in if n = 0 then jump 0 (t) else R004 }
    //            0 (p) -> p
    let body = Expr::Join {
        id: JoinId(0),
        ty: Ty::Val,
        body: Box::new(let_(
            2,
            var(0),
            if_(
                compare(Compare::Eq, var(1), int(0)),
                Expr::Jump {
                    join: JoinId(0),
                    target: 0,
                    args: vec![var(2)],
                },
                Expr::Seq(vec![
                    Expr::Runtime {
                        entry: RuntimeFn::Data(DataFn::Unmatched),
                        args: vec![var(0)],
                        span: SpanId(3),
                    },
                    Expr::MatchFailure {
                        kind: MatchKind::Arms,
                        span: SpanId(3),
                        ty: Ty::Val,
                    },
                ]),
            ),
        )),
        targets: vec![JoinTarget {
            params: vec![VarId(3)],
            body: var(3),
        }],
    };
    let c = compiled(vec![function(
        "pick",
        &[Ty::Val, Ty::I64],
        &[Ty::Val, Ty::Val],
        Ty::Val,
        body,
    )]);
    let text: Rc<str> = Rc::from("kept");
    let result = exec(&c, 0, &[Value::Str(text.clone()), Value::Int(0)]);
    assert!(matches!(&result, Ok(Value::Str(s)) if **s == *"kept"));
    drop(result);
    assert_eq!(Rc::strong_count(&text), 1);
    let e = error_of(exec(&c, 0, &[Value::Str(text.clone()), Value::Int(1)]));
    assert_eq!(
        (e.code, e.message.as_str(), e.span),
        (
            "R004",
            "match failure: no pattern matches the value `\"kept\"`",
            Some(span(3))
        )
    );
    assert_eq!(Rc::strong_count(&text), 1);
}

#[test]
fn malformed_ir_is_a_compile_error() {
    let bad = function(
        "bad",
        &[Ty::I64],
        &[],
        Ty::I64,
        float_op(FloatOp::Add, var(0), float(1.0)),
    );
    let e = compile(program(vec![bad]), &[]).err().expect("an error");
    assert!(e.0.contains("is I64, expected F64"), "{}", e.0);
}

/// Compile time per small function and fib(30), best of 5: `cargo test
/// --release --lib jit::tests::measure -- --ignored --nocapture`.
#[test]
#[ignore]
fn measure() {
    let best = |f: &dyn Fn() -> std::time::Duration| (0..5).map(|_| f()).min().unwrap_or_default();
    let hundred = best(&|| {
        let functions: Vec<Function> = (0..100).map(|_| fib()).collect();
        let c = compile(program(functions), &[FuncId(0)]).expect("compiles");
        c.compile_time
    });
    println!(
        "compile 100 fib functions: {hundred:?}, {:?} each",
        hundred / 100
    );
    let one = best(&|| compiled(vec![fib()]).compile_time);
    println!("compile one fib with its entry and the module: {one:?}");
    let c = compiled(vec![fib()]);
    let run = best(&|| {
        let started = Instant::now();
        assert_eq!(int_of(exec(&c, 0, &[Value::Int(30)])), 832_040);
        started.elapsed()
    });
    println!("fib 30: {run:?}");
}

// Closure conversion, on programs checked from source.

/// `source`, checked as a main file of its own (written to a temporary
/// file, as the checker reads files).
fn check_source(name: &str, source: &str) -> crate::CheckedProgram {
    let dir = std::env::temp_dir().join(format!("dlang-jit-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join(format!("{name}.dl"));
    std::fs::write(&path, source).expect("the test program written");
    let mut loader = crate::driver::loader::Loader::new();
    match crate::check_program(&mut loader, &path) {
        Ok(program) => program,
        Err(_) => panic!("{name} does not check"),
    }
}

/// The IR of a main file that uses no stdlib module.
fn lowered(name: &str, source: &str) -> Program {
    let program = check_source(name, source);
    let modules = [super::lower::Module {
        name: None,
        items: program.main_items(),
        stdlib: false,
    }];
    match super::lower::lower_program(&modules) {
        Ok(ir) => ir,
        Err(e) => panic!("{}: {}", e.code, e.message),
    }
}

/// What `source` prints on `backend` (stdout and stderr together).
fn output_on(backend: crate::driver::backends::BackendName, name: &str, source: &str) -> String {
    let program = check_source(name, source);
    let (ctx, out) = RuntimeCtx::capturing();
    let mut session = crate::Session::new(crate::driver::backends::start(backend, ctx));
    if let Err(d) = session.run(&program) {
        return format!("{}error {}", out.contents(), d.code);
    }
    out.contents()
}

/// Runs `source` on both backends: the JIT must print what the
/// interpreter prints, which must be `expected`.
fn same_on_both(name: &str, source: &str, expected: &str) {
    use crate::driver::backends::BackendName;
    assert_eq!(output_on(BackendName::Interp, name, source), expected);
    assert_eq!(output_on(BackendName::Jit, name, source), expected);
}

fn count_entries(e: &Expr, wanted: &dyn Fn(RuntimeFn) -> bool) -> usize {
    let here = match e {
        Expr::Runtime { entry, .. } => usize::from(wanted(*entry)),
        _ => 0,
    };
    here + e
        .children()
        .into_iter()
        .map(|child| count_entries(child, wanted))
        .sum::<usize>()
}

fn closure_body<'p>(ir: &'p Program, name: &str) -> &'p Function {
    ir.closures
        .iter()
        .map(|f| &ir.functions[f.0 as usize])
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no closure body `{name}`"))
}

#[test]
fn a_closure_captures_exactly_its_free_variables() {
    let source =
        "let f a b c =\n  let g = fun x -> x + c + a in\n  g b\nlet () = print (f 1 10 100)\n";
    let ir = lowered("captures", source);
    let g = closure_body(&ir, "g");
    // `a` and `c` are read from the capture array, `b` is not captured.
    assert_eq!(
        count_entries(&g.body, &|e| e == RuntimeFn::Capture),
        2,
        "{g:#?}"
    );
    let f = ir.functions.iter().find(|f| f.name == "f").expect("f");
    assert_eq!(
        count_entries(&f.body, &|e| matches!(e, RuntimeFn::MakeClosure(_))),
        1
    );
    same_on_both("captures", source, "111\n");
}

#[test]
fn a_local_rec_group_shares_one_capture_array() {
    let source = "let () =\n  let step = 1 in\n  let rec even n = if n = 0 then true else odd (n - step)\n  and odd n = if n = 0 then false else even (n - step) in\n  print (even 10); print (odd 7)\n";
    let ir = lowered("rec_group", source);
    // `f0` calls the main code's parts; this program has one.
    let main = &ir.functions[1];
    // One capture array, made once; the second member is a sibling of it.
    assert_eq!(
        count_entries(&main.body, &|e| matches!(e, RuntimeFn::MakeClosure(_))),
        1
    );
    assert_eq!(count_entries(&main.body, &|e| e == RuntimeFn::Sibling), 1);
    // Each member names the other as a sibling and reads `step` from the
    // shared array.
    for name in ["even", "odd"] {
        let body = &closure_body(&ir, name).body;
        assert_eq!(count_entries(body, &|e| e == RuntimeFn::Sibling), 1);
        assert_eq!(count_entries(body, &|e| e == RuntimeFn::Capture), 1);
    }
    same_on_both("rec_group", source, "true\ntrue\n");
}

#[test]
fn partial_and_over_application_run_effects_in_the_interpreters_order() {
    let source = "let say s x = print_string s; x\n\
        let f a b = print_string \"f \"; fun c -> print_string \"body \"; a + b + c\n\
        let () = print ((say \"head \" f) (say \"a \" 1) (say \"b \" 2) (say \"c \" 3))\n\
        let g = f (say \"x \" 10)\n\
        let () = print ((say \"g \" g) (say \"y \" 20) (say \"z \" 30))\n\
        let sub3 = String.sub (say \"s \" \"abcdef\")\n\
        let () = print (sub3 (say \"i \" 1) (say \"n \" 3))\n";
    same_on_both(
        "application_order",
        source,
        "head a b f c body 6\nx g y f z body 60\ns i n bcd\n",
    );
}

#[test]
fn polymorphic_functions_are_compiled_once_and_boxed_at_the_call() {
    let source = "let id x = x\nlet twice f x = f (f x)\n\
        let () = print (id 3); print (id 2.5); print (id true); print (id \"s\")\n\
        let () = print (twice (fun x -> x * 3) 7); print (twice (fun s -> s ^ \"!\") \"hi\")\n";
    let ir = lowered("poly", source);
    let ids: Vec<&Function> = ir.functions.iter().filter(|f| f.name == "id").collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0].param_types(), [Ty::Val]);
    assert_eq!(ids[0].ret, Ty::Val);
    same_on_both("poly", source, "3\n2.5\ntrue\ns\n63\nhi!!\n");
}

#[test]
fn the_runtime_calls_jit_closures_through_apply() {
    use super::context::JitCtx;
    use crate::runtime::function::Apply;
    // main: a closure of body 1 capturing 40; body 1: capture 0 + arg.
    let adder = function(
        "adder",
        &[Ty::Val, Ty::Val],
        &[],
        Ty::Val,
        runtime(
            RuntimeFn::BoxInt,
            vec![int_op(
                IntOp::Add,
                runtime(
                    RuntimeFn::UnboxInt,
                    vec![runtime(RuntimeFn::Capture, vec![var(0), int(0)], 1)],
                    1,
                ),
                runtime(RuntimeFn::UnboxInt, vec![var(1)], 1),
                2,
            )],
            1,
        ),
    );
    let make = function(
        "main",
        &[],
        &[],
        Ty::Val,
        runtime(
            RuntimeFn::MakeClosure(0),
            vec![runtime(RuntimeFn::BoxInt, vec![int(40)], 1)],
            1,
        ),
    );
    let mut p = program(vec![make, adder]);
    p.closures = vec![FuncId(1)];
    let c = compile(p, &[FuncId(0)]).expect("compiles");
    let closure = exec(&c, 0, &[]).expect("a closure");
    assert!(matches!(closure, Value::Closure(_)));
    let (mut rt, _) = RuntimeCtx::capturing();
    let mut ctx = JitCtx::new(&mut rt);
    ctx.closure_code = c.closure_code.clone();
    ctx.closure_entry = Some(c.closure_entry);
    assert!(matches!(
        ctx.apply(&closure, Value::Int(2)),
        Ok(Value::Int(42))
    ));
    // Overflow inside the closure: the status is kept for the shim.
    assert!(ctx.apply(&closure, Value::Int(i64::MAX)).is_err());
    assert_eq!(
        ctx.callback_status,
        Some(super::context::Status::Fault as u32)
    );
}

mod cps;
mod local_refs;
mod wide;
#[test]
fn a_grad_session_around_the_runtime_operators() {
    // grad (fun x -> x * x + x) 3.0 by hand: open the session at the
    // boxed point, `x * x + x` by the runtime's operators on the tracked
    // input, close with the result.
    use crate::jit::abi::diff_code;
    use crate::runtime::prims::MachinePrim;
    use crate::syntax::ast::BinOp;
    let grad = diff_code(MachinePrim::Grad).expect("grad opens through GradOpen");
    let (point, input) = (0, 1);
    let square = runtime(
        RuntimeFn::Binary(BinOp::Mul),
        vec![var(input), var(input)],
        2,
    );
    let result = runtime(RuntimeFn::Binary(BinOp::Add), vec![square, var(input)], 3);
    let body = let_(
        point,
        runtime(RuntimeFn::BoxFloat, vec![float(3.0)], 1),
        let_(
            input,
            runtime(RuntimeFn::GradOpen, vec![int(grad), var(point)], 4),
            runtime(
                RuntimeFn::UnboxFloat,
                vec![runtime(RuntimeFn::DiffClose, vec![result], 4)],
                4,
            ),
        ),
    );
    let c = compiled(vec![function("main", &[], &[Ty::Val; 2], Ty::F64, body)]);
    assert!(matches!(exec(&c, 0, &[]), Ok(Value::Float(x)) if x == 7.0));
    // Closing with no session open is an internal error at its site, not
    // a crash.
    let close = runtime(RuntimeFn::DiffClose, vec![var(0)], 5);
    let c = compiled(vec![function("close", &[Ty::Val], &[], Ty::Val, close)]);
    let e = error_of(exec(&c, 0, &[Value::Float(1.0)]));
    let internal = RuntimeError::internal("").code;
    assert_eq!((e.code, e.span), (internal, Some(span(5))));
}
