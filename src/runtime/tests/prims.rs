use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::prims::{lookup, PRIMS};
use crate::runtime::print::{show, show_quoted};
use crate::runtime::value::Value;

fn call(
    ctx: &mut RuntimeCtx,
    module: &str,
    name: &str,
    args: &[Value],
) -> Result<Value, RuntimeError> {
    let prim = lookup(module, name).unwrap_or_else(|| panic!("no primitive {module}.{name}"));
    assert_eq!(prim.arity, args.len(), "{module}.{name} arity");
    (prim.run)(ctx, args)
}

fn run(module: &str, name: &str, args: &[Value]) -> Result<Value, RuntimeError> {
    let (mut ctx, _) = RuntimeCtx::capturing();
    call(&mut ctx, module, name, args)
}

/// `show_quoted` of the result, or the error code.
fn outcome(module: &str, name: &str, args: &[Value]) -> String {
    match run(module, name, args) {
        Ok(v) => show_quoted(&v),
        Err(e) => e.code.to_string(),
    }
}

fn s(text: &str) -> Value {
    Value::string(text)
}

fn ints(xs: &[i64]) -> Value {
    Value::list_from(xs.iter().map(|&n| Value::Int(n)).collect::<Vec<_>>())
}

#[test]
fn table_is_consistent() {
    for (i, p) in PRIMS.iter().enumerate() {
        assert!(p.arity >= 1, "{}.{}", p.module, p.name);
        let arrows =
            p.ty.split(" where ")
                .next()
                .unwrap_or("")
                .matches("->")
                .count();
        assert!(
            arrows >= p.arity,
            "{}.{}: arity {} > arrows",
            p.module,
            p.name,
            p.arity
        );
        for q in &PRIMS[..i] {
            assert!(
                q.module != p.module || q.name != p.name,
                "duplicate {}.{}",
                p.module,
                p.name
            );
        }
    }
}

#[test]
fn print_writes_show_and_newline() {
    let (mut ctx, out) = RuntimeCtx::capturing();
    call(&mut ctx, "Prelude", "print", &[s("hi")]).unwrap();
    call(
        &mut ctx,
        "Prelude",
        "print",
        &[Value::list_from(vec![s("a")])],
    )
    .unwrap();
    call(&mut ctx, "Prelude", "print_string", &[s("x")]).unwrap();
    assert_eq!(out.contents(), "hi\n[\"a\"]\nx");
    assert_eq!(outcome("Prelude", "show", &[Value::Float(2.0)]), "\"2.0\"");
}

#[test]
fn prelude() {
    assert_eq!(
        outcome("Prelude", "compare", &[Value::Int(1), Value::Int(2)]),
        "-1"
    );
    assert_eq!(
        outcome("Prelude", "min", &[Value::Int(3), Value::Int(2)]),
        "2"
    );
    assert_eq!(
        outcome("Prelude", "max", &[Value::Float(1.5), Value::Float(-1.0)]),
        "1.5"
    );
    assert_eq!(
        outcome(
            "Prelude",
            "max",
            &[Value::Float(1.5), Value::Float(f64::NAN)]
        ),
        "nan"
    );
    let pair = Value::Tuple(vec![Value::Int(1), s("b")].into());
    assert_eq!(outcome("Prelude", "fst", std::slice::from_ref(&pair)), "1");
    assert_eq!(outcome("Prelude", "snd", &[pair]), "\"b\"");
    let err = run("Prelude", "failwith", &[s("boom")]).err().unwrap();
    assert_eq!(
        (err.code, err.message.as_str()),
        ("R014", "uncaught exception Failure(\"boom\")")
    );
    assert_eq!(outcome("Prelude", "invalid_arg", &[s("bad")]), "R014");
    assert_eq!(outcome("Prelude", "to_float", &[Value::Int(3)]), "3.0");
    assert_eq!(outcome("Prelude", "to_int", &[Value::Float(-3.9)]), "-3");
    assert_eq!(
        outcome("Prelude", "to_int", &[Value::Float(f64::NAN)]),
        "R008"
    );
    assert_eq!(outcome("Prelude", "to_int", &[Value::Float(1e19)]), "R008");
    assert_eq!(
        outcome(
            "Prelude",
            "to_int",
            &[Value::Float(-9.223_372_036_854_776e18)]
        ),
        "-9223372036854775808"
    );
}

#[test]
fn math() {
    assert_eq!(outcome("Prelude", "sqrt", &[Value::Float(4.0)]), "2.0");
    assert_eq!(outcome("Prelude", "sigmoid", &[Value::Float(0.0)]), "0.5");
    assert_eq!(
        outcome("Prelude", "sigmoid", &[Value::Float(-1000.0)]),
        "0.0"
    );
    assert_eq!(outcome("Prelude", "relu", &[Value::Float(-2.0)]), "0.0");
    assert_eq!(outcome("Prelude", "abs", &[Value::Int(-5)]), "5");
    assert_eq!(outcome("Prelude", "abs", &[Value::Int(i64::MIN)]), "R002");
    assert_eq!(outcome("Prelude", "floor", &[Value::Float(-1.5)]), "-2.0");
    assert_eq!(outcome("Prelude", "log", &[Value::Float(0.0)]), "-inf");
}

#[test]
fn strings() {
    assert_eq!(outcome("String", "length", &[s("héllo")]), "5");
    assert_eq!(
        outcome("String", "sub", &[s("héllo"), Value::Int(1), Value::Int(3)]),
        "\"éll\""
    );
    assert_eq!(
        outcome("String", "sub", &[s("abc"), Value::Int(3), Value::Int(0)]),
        "\"\""
    );
    assert_eq!(
        outcome("String", "sub", &[s("abc"), Value::Int(2), Value::Int(2)]),
        "R003"
    );
    assert_eq!(
        outcome("String", "sub", &[s("abc"), Value::Int(-1), Value::Int(1)]),
        "R003"
    );
    assert_eq!(
        outcome("String", "get", &[s("abc"), Value::Int(1)]),
        "\"b\""
    );
    assert_eq!(outcome("String", "get", &[s("abc"), Value::Int(3)]), "R003");
    assert_eq!(
        outcome("String", "split", &[s(","), s("a,,b")]),
        "[\"a\"; \"\"; \"b\"]"
    );
    assert_eq!(outcome("String", "split", &[s(""), s("ab")]), "R008");
    let words = Value::list_from(vec![s("a"), s("b")]);
    assert_eq!(outcome("String", "concat", &[s(", "), words]), "\"a, b\"");
    assert_eq!(outcome("String", "to_list", &[s("hé")]), "[\"h\"; \"é\"]");
    assert_eq!(outcome("String", "code", &[s("A")]), "65");
    assert_eq!(outcome("String", "code", &[s("")]), "R008");
    assert_eq!(outcome("String", "of_code", &[Value::Int(233)]), "\"é\"");
    assert_eq!(outcome("String", "of_code", &[Value::Int(0xD800)]), "R008");
    assert_eq!(outcome("String", "of_code", &[Value::Int(-1)]), "R008");
    assert_eq!(outcome("String", "to_int", &[s("-42")]), "-42");
    assert_eq!(outcome("String", "to_int", &[s(" 42")]), "R008");
    assert_eq!(
        outcome("String", "to_int", &[s("99999999999999999999")]),
        "R008"
    );
    assert_eq!(outcome("String", "to_float", &[s("2.5e-3")]), "0.0025");
    assert_eq!(outcome("String", "to_float", &[s("x")]), "R008");
    assert_eq!(outcome("String", "trim", &[s("  a b\n")]), "\"a b\"");
}

#[test]
fn lists() {
    assert_eq!(outcome("List", "length", &[ints(&[1, 2, 3])]), "3");
    assert_eq!(outcome("List", "rev", &[ints(&[1, 2, 3])]), "[3; 2; 1]");
    assert_eq!(
        outcome("List", "nth", &[ints(&[1, 2, 3]), Value::Int(2)]),
        "3"
    );
    assert_eq!(
        outcome("List", "nth", &[ints(&[1, 2, 3]), Value::Int(3)]),
        "R003"
    );
    assert_eq!(
        outcome("List", "nth", &[ints(&[1]), Value::Int(-1)]),
        "R003"
    );
    assert_eq!(
        outcome("List", "range", &[Value::Int(2), Value::Int(5)]),
        "[2; 3; 4]"
    );
    assert_eq!(
        outcome("List", "range", &[Value::Int(5), Value::Int(2)]),
        "[]"
    );
    let nested = Value::list_from(vec![ints(&[1]), ints(&[]), ints(&[2, 3])]);
    assert_eq!(outcome("List", "concat", &[nested]), "[1; 2; 3]");
    assert_eq!(outcome("List", "hd", &[ints(&[])]), "R008");
    assert_eq!(outcome("List", "tl", &[ints(&[1, 2])]), "[2]");
    let zipped = run(
        "List",
        "zip",
        &[ints(&[1, 2]), Value::list_from(vec![s("a"), s("b")])],
    )
    .unwrap();
    assert_eq!(show(&zipped), "[(1, \"a\"); (2, \"b\")]");
    assert_eq!(
        show(&run("List", "unzip", &[zipped]).unwrap()),
        "([1; 2], [\"a\"; \"b\"])"
    );
    assert_eq!(outcome("List", "zip", &[ints(&[1]), ints(&[])]), "R008");
    assert_eq!(
        outcome("List", "mem", &[Value::Int(2), ints(&[1, 2])]),
        "true"
    );
    assert_eq!(
        outcome("List", "append", &[ints(&[1]), ints(&[2])]),
        "[1; 2]"
    );
    let long = run("List", "range", &[Value::Int(0), Value::Int(1_000_000)]).unwrap();
    assert_eq!(outcome("List", "length", &[long]), "1000000");
}

#[test]
fn arrays() {
    let (mut ctx, _) = RuntimeCtx::capturing();
    let a = call(&mut ctx, "Array", "make", &[Value::Int(3), Value::Int(0)]).unwrap();
    call(
        &mut ctx,
        "Array",
        "set",
        &[a.clone(), Value::Int(1), Value::Int(7)],
    )
    .unwrap();
    assert_eq!(show(&a), "[|0; 7; 0|]");
    let err = call(
        &mut ctx,
        "Array",
        "set",
        &[a.clone(), Value::Int(3), Value::Int(7)],
    )
    .err()
    .unwrap();
    assert_eq!(err.code, "R003");
    assert_eq!(
        outcome("Array", "get", &[a.clone(), Value::Int(-1)]),
        "R003"
    );
    assert_eq!(outcome("Array", "get", &[a.clone(), Value::Int(1)]), "7");
    assert_eq!(
        outcome("Array", "make", &[Value::Int(-1), Value::Int(0)]),
        "R008"
    );
    assert_eq!(
        outcome("Array", "make", &[Value::Int(i64::MAX), Value::Int(0)]),
        "R008"
    );
    let copy = call(&mut ctx, "Array", "copy", std::slice::from_ref(&a)).unwrap();
    call(
        &mut ctx,
        "Array",
        "set",
        &[copy.clone(), Value::Int(0), Value::Int(9)],
    )
    .unwrap();
    assert_eq!(
        (show(&a), show(&copy)),
        ("[|0; 7; 0|]".to_string(), "[|9; 7; 0|]".to_string())
    );
    assert_eq!(
        outcome("Array", "to_list", std::slice::from_ref(&a)),
        "[0; 7; 0]"
    );
    assert_eq!(outcome("Array", "of_list", &[ints(&[1, 2])]), "[|1; 2|]");
    assert_eq!(
        outcome("Array", "sub", &[a.clone(), Value::Int(1), Value::Int(2)]),
        "[|7; 0|]"
    );
    assert_eq!(
        outcome("Array", "sub", &[a.clone(), Value::Int(2), Value::Int(2)]),
        "R003"
    );
    assert_eq!(
        outcome("Array", "append", &[a.clone(), a.clone()]),
        "[|0; 7; 0; 0; 7; 0|]"
    );
    assert_eq!(outcome("Array", "length", &[a]), "3");
}

#[test]
fn random_prims_use_the_context_generator() {
    let (mut ctx, _) = RuntimeCtx::capturing();
    call(&mut ctx, "Random", "seed", &[Value::Int(42)]).unwrap();
    let draws: Vec<String> = (0..5)
        .map(|_| show(&call(&mut ctx, "Random", "int", &[Value::Int(10)]).unwrap()))
        .collect();
    assert_eq!(draws, ["0", "3", "6", "9", "9"]);
    call(&mut ctx, "Random", "seed", &[Value::Int(42)]).unwrap();
    let x = call(&mut ctx, "Random", "float", &[Value::Float(1.0)]).unwrap();
    assert_eq!(show(&x), "0.08386297105988216");
    assert_eq!(
        show(&call(&mut ctx, "Random", "normal", &[Value::Unit]).unwrap()),
        "-0.41536520949523315"
    );
    assert_eq!(outcome("Random", "int", &[Value::Int(0)]), "R008");
}

#[test]
fn io_round_trip_and_errors() {
    let dir = std::env::temp_dir().join(format!("dlang-runtime-io-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("lines.txt");
    let path_text = path.to_string_lossy().to_string();
    run("IO", "write_file", &[s(&path_text), s("one\r\ntwo\n")]).unwrap();
    assert_eq!(
        outcome("IO", "read_file", &[s(&path_text)]),
        "\"one\\r\\ntwo\\n\""
    );
    assert_eq!(
        outcome("IO", "read_lines", &[s(&path_text)]),
        "[\"one\"; \"two\"]"
    );
    let missing = dir.join("missing.txt").to_string_lossy().to_string();
    let err = run("IO", "read_file", &[s(&missing)]).err().unwrap();
    assert_eq!(err.code, "R007");
    assert!(err.message.contains(&missing), "{}", err.message);
    let bad = dir
        .join("no-such-dir")
        .join("x.txt")
        .to_string_lossy()
        .to_string();
    assert_eq!(
        run("IO", "write_file", &[s(&bad), s("")])
            .err()
            .unwrap()
            .code,
        "R007"
    );
    assert_eq!(outcome("IO", "read_lines", &[s(&missing)]), "R007");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sys() {
    let (mut ctx, _) = RuntimeCtx::capturing();
    ctx.args = vec!["a".into(), "b c".into()];
    assert_eq!(
        show_quoted(&call(&mut ctx, "Sys", "args", &[Value::Unit]).unwrap()),
        "[\"a\"; \"b c\"]"
    );
    match call(&mut ctx, "Sys", "time", &[Value::Unit]).unwrap() {
        Value::Float(t) => assert!(t > 1.6e9),
        _ => panic!("time is not a float"),
    }
}

#[test]
fn a_huge_range_can_be_interrupted() {
    let (mut ctx, _) = RuntimeCtx::capturing();
    ctx.interrupted
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let err = call(
        &mut ctx,
        "List",
        "range",
        &[Value::Int(0), Value::Int(i64::MAX)],
    )
    .err()
    .unwrap();
    assert_eq!(err.code, "R006");
}
