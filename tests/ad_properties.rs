//! Property test of `grad` and `jvp`: thousands of random well-typed
//! programs (arithmetic, the math functions, `if` on comparisons, `let`,
//! loops, small recursions; float, pair and record inputs) whose gradient
//! must match central finite differences, and whose `jvp` along a random
//! direction must equal the gradient dotted with that direction (so `jvp`
//! matches the finite differences too).
//!
//! Each generated function is printed with its gradient and its values
//! at `x ± h` and `x ± h/10`; when the two difference quotients disagree
//! the function is not smooth near `x` (an `if` switches branch there) and
//! the case is counted as skipped instead of checked. Few may be skipped.

use std::fmt::Write as _;

#[path = "common/generated.rs"]
mod generated;
use dlang::driver::backends::BackendName;
use generated::{run_program, Rng};

/// The constants of generated expressions: in [-2, 2].
fn constant(rng: &mut Rng) -> f64 {
    rng.decimal(2.0)
}

fn literal(x: f64) -> String {
    if x < 0.0 {
        format!("({x:.3})")
    } else {
        format!("{x:.3}")
    }
}

/// A float expression over `vars`, every operation kept in its domain.
fn expr(rng: &mut Rng, vars: &[&str], depth: u32) -> String {
    if depth == 0 || rng.below(6) == 0 {
        return if rng.below(4) == 0 {
            literal(constant(rng))
        } else {
            vars[rng.below(vars.len() as u64) as usize].to_string()
        };
    }
    let choice = rng.below(16);
    let mut sub = || expr(rng, vars, depth - 1);
    let (a, b) = (sub(), sub());
    match choice {
        0 => format!("({a} + {b})"),
        1 => format!("({a} - {b})"),
        2 | 3 => format!("({a} * {b})"),
        4 => format!("({a} / (1.5 + {b} * {b}))"),
        5 => format!("(sin {a})"),
        6 => format!("(cos {a})"),
        7 => format!("(tanh {a})"),
        8 => format!("(sigmoid {a})"),
        9 => format!("(exp (tanh {a}))"),
        10 => format!("(sqrt (1.0 + {a} * {a}))"),
        11 => format!("(- {a})"),
        12 => {
            let (c, d) = (sub(), sub());
            format!("(if {a} > {b} then {c} else {d})")
        }
        13 => format!("(let v = {a} in v * v + {b})"),
        14 => format!("(let r = ref {a} in for i = 1 to 3 do r := tanh (!r) * 0.7 + {b} done; !r)"),
        _ => format!("(let rec pw n = if n = 0 then 1.0 else tanh {a} * pw (n - 1) in pw 3 + {b})"),
    }
}

/// One family of inputs: how the function takes them and how a point is
/// written.
#[derive(Clone, Copy)]
enum Input {
    Float,
    Pair,
    Record,
}

impl Input {
    fn vars(self) -> &'static [&'static str] {
        match self {
            Input::Float => &["x"],
            Input::Pair | Input::Record => &["x", "y"],
        }
    }

    fn lambda(self, body: &str) -> String {
        match self {
            Input::Float => format!("fun x -> {body}"),
            Input::Pair => format!("fun (x, y) -> {body}"),
            Input::Record => format!("fun p -> let x = p.a in let y = p.b in {body}"),
        }
    }

    fn point(self, p: &[f64]) -> String {
        match self {
            Input::Float => literal(p[0]),
            Input::Pair => format!("({}, {})", literal(p[0]), literal(p[1])),
            Input::Record => format!("{{ a = {}; b = {} }}", literal(p[0]), literal(p[1])),
        }
    }
}

struct Case {
    point: Vec<f64>,
    direction: Vec<f64>,
}

const H: f64 = 1e-4;

/// Writes the program: for each case its gradient, then for each input
/// coordinate `f` at `x + h, x - h, x + h/10, x - h/10`.
fn program(rng: &mut Rng, input: Input, count: usize) -> (String, Vec<Case>) {
    let mut text = String::from("type pt = { a : float; b : float }\n");
    let mut cases = Vec::new();
    for i in 0..count {
        let body = expr(rng, input.vars(), 3);
        let dims = input.vars().len();
        let point: Vec<f64> = (0..dims).map(|_| constant(rng)).collect();
        writeln!(text, "let f{i} = {}", input.lambda(&body)).unwrap();
        let direction: Vec<f64> = (0..dims).map(|_| constant(rng)).collect();
        writeln!(text, "let () = print (grad f{i} {})", input.point(&point)).unwrap();
        writeln!(
            text,
            "let () = print (snd (jvp f{i} {} {}))",
            input.point(&point),
            input.point(&direction)
        )
        .unwrap();
        for d in 0..dims {
            for step in [H, -H, H / 10.0, -H / 10.0] {
                let mut q = point.clone();
                q[d] += step;
                let shown: Vec<String> = q.iter().map(|v| format!("({v:.10})")).collect();
                let at = match input {
                    Input::Float => shown[0].clone(),
                    Input::Pair => format!("({}, {})", shown[0], shown[1]),
                    Input::Record => format!("{{ a = {}; b = {} }}", shown[0], shown[1]),
                };
                writeln!(text, "let () = print (f{i} {at})").unwrap();
            }
        }
        cases.push(Case { point, direction });
    }
    (text, cases)
}

fn numbers(line: &str) -> Vec<f64> {
    line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '+'))
        .filter(|t| {
            !t.is_empty() && t.chars().any(|c| c.is_ascii_digit()) || *t == "nan" || *t == "inf"
        })
        .filter_map(|t| t.parse().ok())
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-4 * (1.0 + a.abs().max(b.abs()))
}

/// Checks one family on `backend`; returns (checked, skipped).
fn check_family(
    backend: BackendName,
    seed: u64,
    input: Input,
    count: usize,
    name: &str,
) -> (usize, usize) {
    let mut rng = Rng(seed);
    let (text, cases) = program(&mut rng, input, count);
    let lines = run_program(backend, &text, name);
    let dims = input.vars().len();
    let per_case = 2 + 4 * dims;
    assert_eq!(lines.len(), cases.len() * per_case, "{name}: output lines");
    let (mut checked, mut skipped) = (0, 0);
    for (i, case) in cases.iter().enumerate() {
        let block = &lines[i * per_case..(i + 1) * per_case];
        let gradient = numbers(&block[0]);
        assert_eq!(gradient.len(), dims, "{name} case {i}: {}", block[0]);
        let mut smooth = true;
        let mut agree = true;
        for d in 0..dims {
            let f: Vec<f64> = block[2 + 4 * d..6 + 4 * d]
                .iter()
                .map(|l| numbers(l).first().copied().unwrap_or(f64::NAN))
                .collect();
            let coarse = (f[0] - f[1]) / (2.0 * H);
            let fine = (f[2] - f[3]) / (2.0 * H / 10.0);
            if !close(coarse, fine) || !coarse.is_finite() {
                smooth = false;
            } else if !close(gradient[d], coarse) {
                agree = false;
            }
        }
        if !smooth {
            skipped += 1;
            continue;
        }
        // jvp is the directional derivative: the gradient dotted with it.
        let tangent = numbers(&block[1]).first().copied().unwrap_or(f64::NAN);
        let dot: f64 = gradient
            .iter()
            .zip(&case.direction)
            .map(|(g, v)| g * v)
            .sum();
        assert!(
            close(tangent, dot),
            "{name} case {i} at {:?} along {:?}: jvp {tangent} but grad . v = {dot}",
            case.point,
            case.direction
        );
        assert!(
            agree,
            "{name} case {i} at {:?}: grad {:?} disagrees with finite differences\n{}",
            case.point,
            gradient,
            text.lines()
                .find(|l| l.starts_with(&format!("let f{i} = ")))
                .unwrap_or("")
        );
        checked += 1;
    }
    (checked, skipped)
}

#[test]
fn grad_and_jvp_match_finite_differences() {
    let families = [
        (0x9e37_79b9_7f4a_7c15, Input::Float, 3000, "ad_prop_float"),
        (0x2545_f491_4f6c_dd1d, Input::Pair, 1000, "ad_prop_pair"),
        (0x1234_5678_9abc_def1, Input::Record, 1000, "ad_prop_record"),
    ];
    for &backend in BackendName::BUILT {
        let (mut checked, mut skipped) = (0, 0);
        for (seed, input, count, name) in families {
            let (c, s) = check_family(backend, seed, input, count, name);
            checked += c;
            skipped += s;
        }
        // Only functions with a branch switching within h of the point skip.
        assert!(
            skipped * 50 <= checked,
            "{backend:?}: too many non-smooth cases: {skipped} skipped, {checked} checked"
        );
        eprintln!(
            "grad/jvp property on {backend:?}: {checked} cases checked, {skipped} skipped as non-smooth"
        );
    }
}
