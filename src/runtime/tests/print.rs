use std::cell::RefCell;
use std::rc::Rc;

use crate::runtime::print::{format_float, show, show_quoted};
use crate::runtime::value::{Layout, Record, Value};

fn int(n: i64) -> Value {
    Value::Int(n)
}

#[test]
fn atoms() {
    assert_eq!(show(&int(42)), "42");
    assert_eq!(show(&int(-3)), "-3");
    assert_eq!(show(&Value::Bool(true)), "true");
    assert_eq!(show(&Value::Unit), "()");
    assert_eq!(show(&Value::string("hi\n")), "hi\n");
    assert_eq!(show_quoted(&Value::string("a\"b\n")), "\"a\\\"b\\n\"");
}

#[test]
fn structures() {
    assert_eq!(show(&Value::list_from(vec![int(1), int(2)])), "[1; 2]");
    assert_eq!(show(&Value::Nil), "[]");
    let arr = Value::Array(Rc::new(RefCell::new(vec![int(1), int(2)])));
    assert_eq!(show(&arr), "[|1; 2|]");
    assert_eq!(show(&Value::Array(Rc::new(RefCell::new(vec![])))), "[||]");
    let pair = Value::Tuple(vec![int(1), Value::string("a")].into());
    assert_eq!(show(&pair), "(1, \"a\")");
    assert_eq!(show(&Value::some(int(3))), "Some 3");
    assert_eq!(show(&Value::some(Value::some(int(3)))), "Some (Some 3)");
    assert_eq!(show(&Value::some(int(-3))), "Some (-3)");
    assert_eq!(show(&Value::some(Value::Float(-0.5))), "Some (-0.5)");
    assert_eq!(show(&Value::some(Value::none())), "Some None");
    let leaf = |n| Value::variant(0, Rc::from("Leaf"), Some(int(n)));
    let node = Value::variant(
        1,
        Rc::from("Node"),
        Some(Value::Tuple(vec![leaf(1), leaf(2)].into())),
    );
    assert_eq!(show(&node), "Node (Leaf 1, Leaf 2)");
    let rec = Value::Record(Rc::new(Record::new(
        Layout::new([("x", false), ("y", false)]),
        vec![Value::Float(1.0), Value::Float(2.0)],
    )));
    assert_eq!(show(&rec), "{ x = 1.0; y = 2.0 }");
    // A mutable field prints as its value; a cycle through it as `...`.
    let cyclic = Rc::new(Record::new(
        Layout::new([("v", false), ("next", true)]),
        vec![int(1), Value::none()],
    ));
    assert_eq!(
        show(&Value::Record(cyclic.clone())),
        "{ v = 1; next = None }"
    );
    assert!(cyclic.set(1, Value::some(Value::Record(cyclic.clone()))));
    assert_eq!(
        show(&Value::Record(cyclic.clone())),
        "{ v = 1; next = Some { v = 1; next = ... } }"
    );
    assert!(!cyclic.set(0, int(2)));
    // The cycle, which owns itself, is broken so the test does not leak.
    assert!(cyclic.set(1, Value::none()));
    assert_eq!(show(&Value::Ref(Rc::new(RefCell::new(int(3))))), "ref 3");
    assert_eq!(
        show(&Value::Ref(Rc::new(RefCell::new(int(-3))))),
        "ref (-3)"
    );
    let nested = Value::list_from(vec![Value::list_from(vec![Value::string("x")]), Value::Nil]);
    assert_eq!(show(&nested), "[[\"x\"]; []]");
    let deep = Value::Tuple(vec![Value::Tuple(vec![int(1), int(2)].into()), int(3)].into());
    assert_eq!(show(&deep), "((1, 2), 3)");
}

#[test]
fn deep_nesting_prints_without_recursion() {
    let mut v = Value::none();
    for _ in 0..1_000_000 {
        v = Value::some(v);
    }
    let text = show(&v);
    assert!(text.starts_with("Some (Some (Some"));
    let closing = ")".repeat(999_999);
    assert!(text.ends_with(&format!("(Some None{closing}")));
    assert_eq!(text.len(), 5_000_000 + 2 * 999_999 + 4);
}

#[test]
fn float_formats() {
    let cases: &[(f64, &str)] = &[
        (1.0, "1.0"),
        (0.1, "0.1"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (0.000001, "0.000001"),
        (0.0000015, "0.0000015"),
        (123456789.0, "123456789.0"),
        (1e20, "100000000000000000000.0"),
        (1e21, "1e21"),
        (1.2345e22, "1.2345e22"),
        (-0.0, "-0.0"),
        (0.0, "0.0"),
        (-3.25, "-3.25"),
        (f64::NAN, "nan"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
        (5e-324, "5e-324"),
        (f64::MAX, "1.7976931348623157e308"),
        (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
        (0.30000000000000004, "0.30000000000000004"),
        (100.0, "100.0"),
        (1.5, "1.5"),
        (12345.678, "12345.678"),
    ];
    for (x, text) in cases {
        assert_eq!(format_float(*x), *text, "formatting {x:e}");
    }
}

#[test]
fn floats_round_trip() {
    let mut state: u64 = 0x9e3779b97f4a7c15;
    for i in 0..20_000u64 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let x = f64::from_bits(state.wrapping_add(i));
        if !x.is_finite() {
            continue;
        }
        let text = format_float(x);
        assert!(text.contains('.') || text.contains('e'), "{text}");
        let back: f64 = text.parse().expect("reads back");
        assert_eq!(back.to_bits(), x.to_bits(), "{text}");
    }
    for bits in [1u64, 2, 3, 0x000f_ffff_ffff_ffff, 0x0010_0000_0000_0000] {
        let x = f64::from_bits(bits);
        let back: f64 = format_float(x).parse().expect("reads back");
        assert_eq!(back.to_bits(), bits);
    }
}

#[test]
fn cycles_through_refs_print_as_dots() {
    let cell = Rc::new(RefCell::new(Value::none()));
    let r = Value::Ref(cell.clone());
    *cell.borrow_mut() = Value::some(r.clone());
    assert_eq!(show(&r), "ref (Some ...)");
    // Shared but not cyclic: printed twice.
    let shared = Value::Ref(Rc::new(RefCell::new(int(1))));
    let pair = Value::Tuple(vec![shared.clone(), shared].into());
    assert_eq!(show(&pair), "(ref 1, ref 1)");
    *cell.borrow_mut() = Value::Unit;
}
