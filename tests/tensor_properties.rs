//! Property test of the tensor operations' derivatives: for every
//! differentiable operation of docs/language.md §7 (and the element-wise
//! arithmetic with broadcasting), random shapes and random inputs, the
//! reverse-mode gradient and the `jvp` tangent must match central finite
//! differences along a random direction.
//!
//! Each case is a dlang program that prints, for `f x = Tensor.sum (sin (op
//! x))` (the `sin` weights the output elements unevenly), `grad f x · d`,
//! the `jvp` tangent along `d`, and `f (x ± h·d)` for two step sizes.
//!
//! Tolerance, chosen for f32: the elements are f32, so `f` is exact to
//! about 1e-7·Σ|terms| ≈ 1e-6·n. With h = 1e-2 the difference quotient
//! carries that rounding divided by 2h (≈ 5e-5·n) plus a truncation error
//! O(h²·f''') ≈ 1e-4. We accept |a - b| ≤ 5e-3·max(1, |a|, |b|). When the
//! input points keep every kink (relu, abs, max, clip, max_pool2d) out of
//! reach of the steps (see `point`), and a case whose two step sizes
//! disagree is counted as skipped; at most a fifth may be.

use std::fmt::Write as _;

#[path = "common/generated.rs"]
mod generated;
use dlang::driver::backends::BackendName;
use generated::{run_program, Rng};

/// A random shape of the given rank, each dimension 1 to 4.
fn dims(rng: &mut Rng, rank: usize) -> Vec<usize> {
    (0..rank).map(|_| 1 + rng.below(4) as usize).collect()
}

/// The dlang expression for a tensor of `shape` holding `items`.
fn literal(items: &[f64], shape: &[usize]) -> String {
    let items: Vec<String> = items.iter().map(|v| format!("{v:.3}")).collect();
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!(
        "(Tensor.reshape (Tensor.of_list [{}]) [{}])",
        items.join("; "),
        dims.join("; ")
    )
}

/// A tensor literal of `shape` with random elements (`positive`: in [0.2, 1.7]).
fn tensor(rng: &mut Rng, shape: &[usize], positive: bool) -> String {
    let n: usize = shape.iter().product();
    let items: Vec<f64> = (0..n)
        .map(|_| {
            let v = rng.decimal(1.5);
            if positive {
                v.abs() + 0.2
            } else {
                v
            }
        })
        .collect();
    literal(&items, shape)
}

/// The input point: distinct elements at least 0.13 apart and at least
/// 0.02 from the kinks of relu/abs (0) and of the clip used below (-0.55,
/// 0.72), shuffled. A step of h·|d| ≤ 0.015 then never crosses a kink or
/// changes which element a max picks, so every case is smooth.
fn point(rng: &mut Rng, shape: &[usize]) -> String {
    let n: usize = shape.iter().product();
    let mut grid: Vec<i64> = (0..n as i64).map(|k| k - n as i64 / 2).collect();
    for i in (1..grid.len()).rev() {
        grid.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let items: Vec<f64> = grid.iter().map(|m| *m as f64 * 0.13 + 0.05).collect();
    literal(&items, shape)
}

/// One operation under test: how to build a random case.
struct Op {
    name: &'static str,
    /// Returns the input's shape, the body of `fun x -> …` (a tensor
    /// expression, or a float one when `scalar`), and the constants it uses.
    build: fn(&mut Rng) -> (Vec<usize>, String, bool),
}

fn rank_1_to_3(rng: &mut Rng) -> Vec<usize> {
    let rank = 1 + rng.below(3) as usize;
    dims(rng, rank)
}

fn ops() -> Vec<Op> {
    fn unary(name: &'static str) -> fn(&mut Rng) -> (Vec<usize>, String, bool) {
        match name {
            "exp" => |r| (rank_1_to_3(r), "Tensor.exp x".into(), false),
            "tanh" => |r| (rank_1_to_3(r), "Tensor.tanh x".into(), false),
            "sigmoid" => |r| (rank_1_to_3(r), "Tensor.sigmoid x".into(), false),
            "relu" => |r| (rank_1_to_3(r), "Tensor.relu x".into(), false),
            "sin" => |r| (rank_1_to_3(r), "cos x".into(), false),
            "abs" => |r| (rank_1_to_3(r), "abs x".into(), false),
            "neg" => |r| (rank_1_to_3(r), "- x".into(), false),
            _ => |r| (rank_1_to_3(r), "Tensor.softmax x".into(), false),
        }
    }
    vec![
        Op {
            name: "exp",
            build: unary("exp"),
        },
        Op {
            name: "tanh",
            build: unary("tanh"),
        },
        Op {
            name: "sigmoid",
            build: unary("sigmoid"),
        },
        Op {
            name: "relu",
            build: unary("relu"),
        },
        Op {
            name: "cos",
            build: unary("sin"),
        },
        Op {
            name: "abs",
            build: unary("abs"),
        },
        Op {
            name: "neg",
            build: unary("neg"),
        },
        Op {
            name: "softmax",
            build: unary("softmax"),
        },
        Op {
            name: "log_sqrt",
            // x*x + 0.5 keeps log and sqrt in their domain.
            build: |r| {
                (
                    rank_1_to_3(r),
                    "Tensor.log (Tensor.sqrt (x * x + 0.5))".into(),
                    false,
                )
            },
        },
        Op {
            name: "log_softmax",
            build: |r| (rank_1_to_3(r), "Tensor.log_softmax x".into(), false),
        },
        Op {
            name: "broadcast_arith",
            build: |r| {
                // x has shape [a; b]; the other operand [b], [a; 1] or [1; b].
                let s = dims(r, 2);
                let other = match r.below(3) {
                    0 => vec![s[1]],
                    1 => vec![s[0], 1],
                    _ => vec![1, s[1]],
                };
                let c = tensor(r, &other, true);
                let body = match r.below(4) {
                    0 => format!("x + {c}"),
                    1 => format!("{c} - x"),
                    2 => format!("x * {c}"),
                    _ => format!("x / {c} + {c} / (x * x + 1.0)"),
                };
                (s, body, false)
            },
        },
        Op {
            name: "reduced_operand",
            // The differentiated operand is the one broadcast.
            build: |r| {
                let s = dims(r, 2);
                let lead = r.below(3) as usize + 1;
                let big = tensor(r, &[lead, s[0], s[1]], false);
                (s, format!("{big} * x + x"), false)
            },
        },
        Op {
            name: "float_tensor",
            build: |r| (rank_1_to_3(r), "2.5 * x - x / 3.0 + x ** 2.0".into(), false),
        },
        Op {
            name: "matmul",
            build: |r| {
                let (m, n, k) = (
                    1 + r.below(4) as usize,
                    1 + r.below(4) as usize,
                    1 + r.below(4) as usize,
                );
                match r.below(4) {
                    0 => (
                        vec![m, n],
                        format!("x @ {}", tensor(r, &[n, k], false)),
                        false,
                    ),
                    1 => (
                        vec![n, k],
                        format!("{} @ x", tensor(r, &[m, n], false)),
                        false,
                    ),
                    2 => (vec![n], format!("{} @ x", tensor(r, &[m, n], false)), false),
                    _ => (vec![n], format!("x @ {}", tensor(r, &[n, k], false)), false),
                }
            },
        },
        Op {
            name: "reductions",
            build: |r| {
                let s = rank_1_to_3(r);
                let body = match r.below(3) {
                    0 => "Tensor.sum (x * x)".to_string(),
                    1 => "Tensor.mean (Tensor.exp x)".to_string(),
                    _ => "Tensor.max x * 2.0".to_string(),
                };
                (s, body, true)
            },
        },
        Op {
            name: "sum_axis",
            build: |r| {
                let s = rank_1_to_3(r);
                let axis = r.below(s.len() as u64);
                (s, format!("Tensor.sum_axis {axis} (x * x)"), false)
            },
        },
        Op {
            name: "layout",
            build: |r| {
                let s = dims(r, 2);
                let body = match r.below(5) {
                    0 => format!("Tensor.reshape x [{}]", s[0] * s[1]),
                    1 => "Tensor.transpose x * Tensor.transpose x".to_string(),
                    2 => format!("Tensor.row x {}", r.below(s[0] as u64)),
                    3 => {
                        let start = r.below(s[1] as u64);
                        let len = 1 + r.below(s[1] as u64 - start);
                        format!("Tensor.slice x 1 {start} {len}")
                    }
                    _ => "Tensor.concat 0 [x; x * x]".to_string(),
                };
                (s, body, false)
            },
        },
        Op {
            name: "get_stack_scalar",
            build: |r| {
                let s = dims(r, 2);
                let (i, j) = (r.below(s[0] as u64), r.below(s[1] as u64));
                let body = match r.below(3) {
                    0 => format!("Tensor.get x [{i}; {j}] * Tensor.get x [0; 0]"),
                    1 => format!(
                        "Tensor.sum (Tensor.stack [x; Tensor.exp x] * Tensor.scalar (Tensor.get x [{i}; {j}]))"
                    ),
                    _ => format!(
                        "Tensor.sum (Tensor.of_list [Tensor.get x [{i}; {j}]; Tensor.sum x])"
                    ),
                };
                (s, body, true)
            },
        },
        Op {
            name: "clip",
            build: |r| {
                (
                    rank_1_to_3(r),
                    "Tensor.clip (-0.55) 0.72 x * x".into(),
                    false,
                )
            },
        },
        Op {
            name: "conv_pool",
            build: |r| {
                let (c, h) = (1 + r.below(2) as usize, 2 + 2 * r.below(2) as usize);
                let k = tensor(r, &[2, c, 2, 2], false);
                let body = if r.below(2) == 0 {
                    format!("Tensor.conv2d x {k} {}", r.below(2))
                } else {
                    "Tensor.max_pool2d x 2".to_string()
                };
                (vec![1, c, h, h], body, false)
            },
        },
        Op {
            name: "conv_kernel",
            build: |r| {
                let image = tensor(r, &[2, 1, 4, 4], false);
                (
                    vec![3, 1, 3, 3],
                    format!("Tensor.conv2d {image} x 1"),
                    false,
                )
            },
        },
    ]
}

const H: f64 = 1e-2;
const CASES_PER_OP: usize = 12;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 5e-3 * 1f64.max(a.abs()).max(b.abs())
}

#[test]
fn tensor_gradients_match_finite_differences() {
    for &backend in BackendName::BUILT {
        check_tensor_gradients(backend);
    }
}

fn check_tensor_gradients(backend: BackendName) {
    let mut rng = Rng(0x5851_f42d_4c95_7f2d);
    let mut skipped = 0;
    let mut checked = 0;
    for op in ops() {
        let mut text = String::new();
        for case in 0..CASES_PER_OP {
            let (shape, body, scalar) = (op.build)(&mut rng);
            let x = point(&mut rng, &shape);
            let d = tensor(&mut rng, &shape, false);
            let f = if scalar {
                format!("fun (x : tensor) -> sin ({body})")
            } else {
                format!("fun (x : tensor) -> Tensor.sum (sin ({body}))")
            };
            let _ = writeln!(text, "let f{case} = {f}");
            let _ = writeln!(text, "let x{case} = {x}");
            let _ = writeln!(text, "let d{case} = {d}");
            let _ = writeln!(
                text,
                "let () = print (Tensor.sum (grad f{case} x{case} * d{case}))"
            );
            let _ = writeln!(text, "let () = print (snd (jvp f{case} x{case} d{case}))");
            for h in [H, H / 2.0] {
                let _ = writeln!(
                    text,
                    "let () = print (f{case} (x{case} + {h} * d{case}))\nlet () = print (f{case} (x{case} - {h} * d{case}))"
                );
            }
        }
        let lines = run_program(backend, &text, &format!("tensor_prop_{}", op.name));
        assert_eq!(
            lines.len(),
            6 * CASES_PER_OP,
            "{}: output lines on {backend:?}",
            op.name
        );
        for (case, block) in lines.chunks(6).enumerate() {
            let v: Vec<f64> = block
                .iter()
                .map(|l| l.parse().unwrap_or(f64::NAN))
                .collect();
            let coarse = (v[2] - v[3]) / (2.0 * H);
            let fine = (v[4] - v[5]) / H;
            if !close(coarse, fine) {
                skipped += 1;
                continue;
            }
            let case_text = text
                .lines()
                .find(|l| l.starts_with(&format!("let f{case} =")))
                .unwrap_or("");
            assert!(
                close(v[0], coarse),
                "{} case {case} on {backend:?}: grad·d = {} but finite differences give {coarse}\n{case_text}",
                op.name,
                v[0]
            );
            assert!(
                close(v[1], v[0]),
                "{} case {case} on {backend:?}: jvp = {} but grad·d = {}\n{case_text}",
                op.name,
                v[1],
                v[0]
            );
            checked += 1;
        }
    }
    assert!(
        skipped * 5 <= checked + skipped,
        "{backend:?}: {skipped} of {} cases skipped as non-smooth",
        checked + skipped
    );
}
