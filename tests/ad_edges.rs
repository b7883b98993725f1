//! Derivatives at the edges of their formulas' domains, where finite
//! differences (tests/ad_properties.rs, tests/tensor_properties.rs) cannot
//! check them: `x ** y` at `x = 0` or `y = 0`, `sqrt` and `log` at 0,
//! `abs` and `relu` at their kinks, division by 0. The expected values are
//! PyTorch's (its `derivatives.yaml` rules `pow_backward_self`,
//! `pow_backward_exponent`, …), written here as reference formulas over
//! f64 and compared with dlang's `grad`, `jvp`, grad of grad, and the same
//! through tensors (f32, element-wise, with broadcasting).
//!
//! Every value must agree in kind: nan where the reference is nan, the
//! same infinity where it is infinite, and within f32 rounding otherwise.

use std::fmt::Write as _;

use dlang::driver::backends::BackendName;

// Only the runner is used here: the edge points are fixed, not drawn.
#[path = "common/generated.rs"]
#[allow(dead_code)]
mod generated;
use generated::run_program;

/// Bases and exponents: both zeros, the units, a fraction, negatives.
const BASES: [f64; 6] = [0.0, -0.0, 1.0, 2.0, -2.0, 0.5];
const EXPONENTS: [f64; 7] = [0.0, -0.0, 1.0, 2.0, 0.5, -1.0, 3.0];

/// PyTorch's `pow_backward_self`: 0 wherever the exponent is 0.
fn pow_dx(x: f64, y: f64) -> f64 {
    if y == 0.0 {
        0.0
    } else {
        y * x.powf(y - 1.0)
    }
}

/// PyTorch's `pow_backward_exponent`: 0 where the base is 0 and the
/// exponent is not negative (the limit from the right, -inf, below 0).
fn pow_dy(x: f64, y: f64) -> f64 {
    if x == 0.0 && y >= 0.0 {
        0.0
    } else {
        x.powf(y) * x.ln()
    }
}

/// The second derivative in the base with a constant exponent: the first
/// derivative's rule applied again, so 0 where `y` is 0 or 1.
fn pow_dxx(x: f64, y: f64) -> f64 {
    if y == 0.0 || y == 1.0 {
        0.0
    } else {
        y * (y - 1.0) * x.powf(y - 2.0)
    }
}

fn literal(x: f64) -> String {
    if x.is_sign_negative() {
        format!("({x:?})")
    } else {
        format!("{x:?}")
    }
}

fn tensor(xs: &[f64]) -> String {
    let items: Vec<String> = xs.iter().map(|&x| literal(x)).collect();
    format!("(Tensor.of_list [{}])", items.join("; "))
}

/// Whether dlang's `got` is the reference `want`: both nan, the same
/// infinity, or close (f32 rounding for the tensor cases).
fn agrees(got: f64, want: f64) -> bool {
    if want.is_nan() || want.is_infinite() {
        return got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan());
    }
    (got - want).abs() <= 1e-5 * (1.0 + want.abs())
}

/// The output lines as floats, one per line.
fn floats(lines: &[String]) -> Vec<f64> {
    lines
        .iter()
        .map(|l| {
            l.trim()
                .parse::<f64>()
                .unwrap_or_else(|_| panic!("not a float: {l}"))
        })
        .collect()
}

/// Checks every printed value against its reference on every built
/// backend, naming the first disagreements.
fn check(name: &str, text: &str, expected: &[(String, f64)]) {
    for &backend in BackendName::BUILT {
        check_on(backend, name, text, expected);
    }
}

fn check_on(backend: BackendName, name: &str, text: &str, expected: &[(String, f64)]) {
    let got = floats(&run_program(backend, text, name));
    let on = backend.as_str();
    assert_eq!(got.len(), expected.len(), "{name} on {on}: output lines");
    let wrong: Vec<String> = got
        .iter()
        .zip(expected)
        .filter(|(g, (_, w))| !agrees(**g, *w))
        .map(|(g, (what, w))| format!("{what}: got {g}, PyTorch gives {w}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "{name} on {on}: {} of {} values differ:\n{}",
        wrong.len(),
        got.len(),
        wrong.join("\n")
    );
}

#[test]
fn pow_on_floats_in_both_modes_and_second_order() {
    let mut text = String::new();
    let mut expected = Vec::new();
    for x in BASES {
        for y in EXPONENTS {
            let (lx, ly) = (literal(x), literal(y));
            writeln!(
                text,
                "let () = let (a, b) = grad (fun (x, y) -> x ** y) ({lx}, {ly}) in print a; print b"
            )
            .unwrap();
            writeln!(text, "let () = print (grad (fun x -> x ** {ly}) {lx})").unwrap();
            writeln!(text, "let () = print (grad (fun y -> {lx} ** y) {ly})").unwrap();
            writeln!(
                text,
                "let () = print (snd (jvp (fun x -> x ** {ly}) {lx} 1.0))"
            )
            .unwrap();
            writeln!(
                text,
                "let () = print (snd (jvp (fun y -> {lx} ** y) {ly} 1.0))"
            )
            .unwrap();
            writeln!(
                text,
                "let () = print (grad (grad (fun x -> x ** {ly})) {lx})"
            )
            .unwrap();
            let at = format!("{x} ** {y}");
            for (what, want) in [
                ("grad x", pow_dx(x, y)),
                ("grad y", pow_dy(x, y)),
                ("grad x, y constant", pow_dx(x, y)),
                ("grad y, x constant", pow_dy(x, y)),
                ("jvp x", pow_dx(x, y)),
                ("jvp y", pow_dy(x, y)),
                ("grad grad x", pow_dxx(x, y)),
            ] {
                expected.push((format!("{what} of {at}"), want));
            }
        }
    }
    check("ad_edges_pow_float", &text, &expected);
}

#[test]
fn pow_on_tensors_element_wise_and_broadcast() {
    // Every (base, exponent) pair as one element of two tensors.
    let pairs: Vec<(f64, f64)> = BASES
        .iter()
        .flat_map(|&x| EXPONENTS.iter().map(move |&y| (x, y)))
        .collect();
    let xs: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let (tx, ty) = (tensor(&xs), tensor(&ys));
    let ones = tensor(&vec![1.0; pairs.len()]);
    let mut text = String::new();
    let each = |text: &mut String, value: &str| {
        writeln!(text, "let () = List.iter print (Tensor.to_list ({value}))").unwrap();
    };
    each(
        &mut text,
        &format!("fst (grad (fun (a, b) -> Tensor.sum (a ** b)) ({tx}, {ty}))"),
    );
    each(
        &mut text,
        &format!("snd (grad (fun (a, b) -> Tensor.sum (a ** b)) ({tx}, {ty}))"),
    );
    each(
        &mut text,
        &format!("snd (jvp (fun a -> a ** {ty}) {tx} {ones})"),
    );
    each(
        &mut text,
        &format!("snd (jvp (fun b -> {tx} ** b) {ty} {ones})"),
    );
    let mut expected = Vec::new();
    for (what, rule) in [
        ("tensor grad x", pow_dx as fn(f64, f64) -> f64),
        ("tensor grad y", pow_dy),
        ("tensor jvp x", pow_dx),
        ("tensor jvp y", pow_dy),
    ] {
        for &(x, y) in &pairs {
            expected.push((format!("{what} of {x} ** {y}"), rule(x, y)));
        }
    }
    // A float exponent or base broadcast over a tensor of the others.
    let tb = tensor(&BASES);
    let te = tensor(&EXPONENTS);
    for y in EXPONENTS {
        each(
            &mut text,
            &format!("grad (fun a -> Tensor.sum (a ** {})) {tb}", literal(y)),
        );
        for x in BASES {
            expected.push((format!("tensor ** float: {x} ** {y}"), pow_dx(x, y)));
        }
    }
    for x in BASES {
        each(
            &mut text,
            &format!("grad (fun b -> Tensor.sum ({} ** b)) {te}", literal(x)),
        );
        for y in EXPONENTS {
            expected.push((format!("float ** tensor: {x} ** {y}"), pow_dy(x, y)));
        }
    }
    check("ad_edges_pow_tensor", &text, &expected);
}

/// The one-argument rules and division at their edges: each as
/// (expression in `x`, point, PyTorch's derivative there).
const UNARY_EDGES: [(&str, f64, f64); 9] = [
    ("sqrt x", 0.0, f64::INFINITY),
    ("log x", 0.0, f64::INFINITY),
    ("log x", -0.0, f64::NEG_INFINITY),
    ("abs x", 0.0, 0.0),
    ("relu x", 0.0, 0.0),
    ("1.0 / x", 0.0, f64::NEG_INFINITY),
    ("x / 0.0", 1.0, f64::INFINITY),
    ("x * x", 0.0, 0.0),
    ("exp x", 0.0, 1.0),
];

#[test]
fn unary_rules_at_their_edges_on_floats_and_tensors() {
    let mut text = String::new();
    let mut expected = Vec::new();
    for (body, at, slope) in UNARY_EDGES {
        let at_text = literal(at);
        writeln!(text, "let () = print (grad (fun x -> {body}) {at_text})").unwrap();
        writeln!(
            text,
            "let () = print (snd (jvp (fun x -> {body}) {at_text} 1.0))"
        )
        .unwrap();
        // The same function on a one-element tensor.
        let point = tensor(&[at]);
        writeln!(
            text,
            "let () = List.iter print (Tensor.to_list (grad (fun x -> Tensor.sum ({body})) {point}))"
        )
        .unwrap();
        for mode in ["grad", "jvp", "tensor grad"] {
            expected.push((format!("{mode} of {body} at {at}"), slope));
        }
    }
    check("ad_edges_unary", &text, &expected);
}
