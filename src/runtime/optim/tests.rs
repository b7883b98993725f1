//! Optimizer steps on small inputs, against values worked out by hand
//! (tests/optim_reference.rs compares longer runs with NumPy).

use std::rc::Rc;

use super::{clip, Optimizer, Rule};
use crate::runtime::ad::{self, Tracked};
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::tensor::tensor::Tensor;
use crate::runtime::value::{Layout, Record, Value};
use crate::syntax::ast::BinOp;

/// A context with no `grad` running, for the steps that are not
/// differentiated.
fn ctx() -> RuntimeCtx {
    RuntimeCtx::capturing().0
}

fn float(v: &Value) -> f64 {
    match v {
        Value::Float(x) => *x,
        _ => panic!("expected a float"),
    }
}

fn tensor(xs: &[f32]) -> Value {
    Value::tensor(Tensor::of_list(xs))
}

fn data(v: &Value) -> Vec<f32> {
    match v {
        Value::Tensor(t) => t.to_vec(),
        _ => panic!("expected a tensor"),
    }
}

fn refused(r: Result<Value, RuntimeError>) -> RuntimeError {
    match r {
        Ok(v) => panic!("expected an error, got {}", crate::runtime::print::show(&v)),
        Err(e) => e,
    }
}

fn pair(a: Value, b: Value) -> Value {
    Value::Tuple(Rc::new([a, b]))
}

#[test]
fn sgd_moves_against_the_gradient() {
    let opt = Optimizer::new(Rule::Sgd { lr: 0.5 });
    let p = opt
        .step(&ctx(), &Value::Float(1.0), &Value::Float(4.0))
        .unwrap();
    assert_eq!(float(&p), -1.0);
}

#[test]
fn momentum_buffer_starts_as_the_gradient() {
    // buf = g = 1 → p = 1 - 0.1·1 = 0.9; buf = 0.9·1 + 1 = 1.9 → 0.9 - 0.19.
    let opt = Optimizer::new(Rule::Momentum { lr: 0.1, beta: 0.9 });
    let p = opt
        .step(&ctx(), &Value::Float(1.0), &Value::Float(1.0))
        .unwrap();
    assert!((float(&p) - 0.9).abs() < 1e-15);
    let p = opt.step(&ctx(), &p, &Value::Float(1.0)).unwrap();
    assert!((float(&p) - 0.71).abs() < 1e-15);
}

#[test]
fn adagrad_divides_by_the_root_of_the_squared_sum() {
    // G = 9 → p = 0 - 1·3/√9 = -1; G = 25 → p = -1 - 4/5.
    let opt = Optimizer::new(Rule::Adagrad { lr: 1.0 });
    let p = opt
        .step(&ctx(), &Value::Float(0.0), &Value::Float(3.0))
        .unwrap();
    assert!((float(&p) + 1.0).abs() < 1e-8);
    let p = opt.step(&ctx(), &p, &Value::Float(4.0)).unwrap();
    assert!((float(&p) + 1.8).abs() < 1e-8);
}

#[test]
fn adam_first_step_is_lr_times_the_gradient_sign() {
    // With bias correction, m̂ = g and v̂ = g², so the step is lr·g/(|g| + eps).
    let opt = Optimizer::new(Rule::adam(0.01));
    let p = opt
        .step(
            &ctx(),
            &tensor(&[1.0, 1.0, 1.0]),
            &tensor(&[2.0, -0.5, 0.0]),
        )
        .unwrap();
    let got = data(&p);
    assert!((got[0] - 0.99).abs() < 1e-6, "{got:?}");
    assert!((got[1] - 1.01).abs() < 1e-6, "{got:?}");
    assert_eq!(got[2], 1.0);
}

#[test]
fn structures_keep_their_shape_and_tags_are_ignored() {
    let opt = Optimizer::new(Rule::Sgd { lr: 1.0 });
    let layout = Layout::new([("w", false), ("bs", false)]);
    let params = Value::Record(Rc::new(Record::new(
        layout.clone(),
        vec![
            tensor(&[1.0, 2.0]),
            Value::list_from([Value::Float(1.0), Value::some(Value::Float(2.0))]),
        ],
    )));
    let grads = Value::Record(Rc::new(Record::new(
        layout,
        vec![
            tensor(&[0.5, 0.5]),
            Value::list_from([
                Tracked::value(7, Value::Float(1.0)),
                Value::some(Value::Float(0.5)),
            ]),
        ],
    )));
    let p = opt.step(&ctx(), &params, &grads).unwrap();
    assert_eq!(
        crate::runtime::print::show(&p),
        "{ w = tensor([0.5, 1.5]); bs = [0.0; Some 1.5] }"
    );
}

#[test]
fn mismatched_gradients_are_refused_before_any_state_changes() {
    let opt = Optimizer::new(Rule::Momentum { lr: 1.0, beta: 0.5 });
    let params = pair(Value::Float(1.0), tensor(&[1.0, 2.0]));
    let bad = pair(Value::Float(1.0), tensor(&[1.0, 2.0, 3.0]));
    let err = refused(opt.step(&ctx(), &params, &bad));
    assert_eq!(err.code, "R011");
    assert!(err.message.contains("[2]") && err.message.contains("[3]"));
    let short = Value::list_from([Value::Float(1.0)]);
    let err = refused(opt.step(
        &ctx(),
        &Value::list_from([Value::Float(1.0), Value::Float(2.0)]),
        &short,
    ));
    assert_eq!(err.code, "R008");
    assert!(err
        .message
        .contains("a list of 2 elements and a list of 1 elements"));
    // Neither failed step made state: the next step is a first step.
    let p = opt
        .step(&ctx(), &Value::Float(1.0), &Value::Float(1.0))
        .unwrap();
    assert_eq!(float(&p), 0.0);
}

#[test]
fn a_later_step_must_use_the_same_layout() {
    let opt = Optimizer::new(Rule::adam(0.1));
    opt.step(&ctx(), &tensor(&[1.0, 2.0]), &tensor(&[1.0, 1.0]))
        .unwrap();
    let err = refused(opt.step(&ctx(), &tensor(&[1.0, 2.0, 3.0]), &tensor(&[1.0, 1.0, 1.0])));
    assert_eq!(err.code, "R008");
    assert!(err.message.contains("shape [3]") && err.message.contains("shape [2]"));
    let two = pair(tensor(&[1.0, 2.0]), Value::Float(0.0));
    let err = refused(opt.step(&ctx(), &two, &two));
    assert!(err
        .message
        .contains("with 1 floats and tensors; these have 2"));
}

#[test]
fn long_lists_do_not_recurse() {
    let n = 200_000;
    let params = Value::list_from((0..n).map(|_| Value::Float(1.0)));
    let grads = Value::list_from((0..n).map(|_| Value::Float(1.0)));
    let opt = Optimizer::new(Rule::Sgd { lr: 0.5 });
    let p = opt.step(&ctx(), &params, &grads).unwrap();
    let items = p.list_to_vec().unwrap();
    assert_eq!(items.len(), n);
    assert!(items.iter().all(|x| float(x) == 0.5));
}

#[test]
fn clip_bounds_every_element() {
    let g = pair(Value::Float(-3.0), tensor(&[-2.0, 0.5, 9.0]));
    let clipped = clip(&ctx(), 1.0, &g).unwrap();
    assert_eq!(
        crate::runtime::print::show(&clipped),
        "(-1.0, tensor([-1.0, 0.5, 1.0]))"
    );
    assert_eq!(refused(clip(&ctx(), -1.0, &g)).code, "R008");
}

/// The derivative of `f` at 0.3 through one optimizer step, by reverse
/// mode: the parameter and its gradient both depend on `x`.
fn derivative_through_a_step(rule: Rule, steps: usize) -> (f64, f64) {
    let ctx = ctx();
    let tag = ctx.ad.open(false);
    let x = Tracked::value(tag, Value::Float(0.3));
    let opt = Optimizer::new(rule);
    // p = x², g = sin x: both tracked, as in MAML's inner step.
    let mut p = ad::binary(&ctx, BinOp::Mul, &x, &x).unwrap();
    for _ in 0..steps {
        let g = ad::unary(
            &ctx,
            ad::Unary::Sin,
            &ad::binary(&ctx, BinOp::Add, &p, &x).unwrap(),
        )
        .unwrap();
        p = opt.step(&ctx, &p, &g).unwrap();
    }
    let value = ad::float_of(&p).unwrap();
    ad::close(&ctx, tag, &p).unwrap();
    let Value::Tracked(t) = &x else {
        unreachable!()
    };
    let derivative = float(&t.derivative.borrow());
    (value, derivative)
}

/// The same step untracked, for finite differences.
fn value_after_steps(rule: Rule, steps: usize, x: f64) -> f64 {
    let opt = Optimizer::new(rule);
    let mut p = x * x;
    for _ in 0..steps {
        let g = (p + x).sin();
        p = float(
            &opt.step(&ctx(), &Value::Float(p), &Value::Float(g))
                .unwrap(),
        );
    }
    p
}

#[test]
fn steps_are_differentiated_exactly() {
    let rules = [
        Rule::Sgd { lr: 0.1 },
        Rule::Momentum { lr: 0.1, beta: 0.9 },
        Rule::Adagrad { lr: 0.1 },
        Rule::adam(0.1),
    ];
    for rule in rules {
        for steps in [1, 3] {
            let (value, derivative) = derivative_through_a_step(rule, steps);
            assert_eq!(value, value_after_steps(rule, steps, 0.3), "{rule:?}");
            let h = 1e-6;
            let central = (value_after_steps(rule, steps, 0.3 + h)
                - value_after_steps(rule, steps, 0.3 - h))
                / (2.0 * h);
            assert!(
                (derivative - central).abs() < 1e-6 * (1.0 + central.abs()),
                "{rule:?}, {steps} steps: {derivative} against {central}"
            );
            assert!(derivative != 0.0);
        }
    }
}

#[test]
fn state_left_by_a_differentiated_step_serves_a_plain_one() {
    let ctx = ctx();
    let opt = Optimizer::new(Rule::Momentum { lr: 0.1, beta: 0.9 });
    let tag = ctx.ad.open(false);
    let x = Tracked::value(tag, Value::Float(1.0));
    let p = opt.step(&ctx, &x, &x).unwrap();
    ad::close(&ctx, tag, &p).unwrap();
    // The velocity (1.0) is a value of an ended grad: a constant now.
    let p = opt
        .step(&ctx, &Value::Float(0.9), &Value::Float(1.0))
        .unwrap();
    assert!((float(&p) - 0.71).abs() < 1e-15);
}
