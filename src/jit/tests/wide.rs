//! Wide scopes, held past [`IN_REGISTERS`] references: wide argument
//! lists and runtime arrays built in stack slots, locals defined in a
//! deep scope living in slots of their own. Every reference is released
//! exactly once on the normal path and on each failure path.

use std::rc::Rc;

use super::{compiled, error_of, exec};
use crate::jit::held::IN_REGISTERS;
use crate::jit::ir::build::*;
use crate::jit::ir::{DataFn, Expr, IntOp, RuntimeFn, Ty};
use crate::runtime::value::Value;

const WIDE: usize = 3 * IN_REGISTERS;

/// `inner x0 … x{WIDE-1} k`: binds `y_j = x_j` for every `j` (the later
/// ones defined with more than [`IN_REGISTERS`] references held), assigns
/// the last of them, boxes `k + 1` (R002 when `k` is `max_int`, with
/// every parameter and binding held) and returns the tuple of the `y`s.
fn inner() -> crate::jit::ir::Function {
    let k = WIDE as u32;
    let y = |j: usize| k + 1 + j as u32;
    let items: Vec<Expr> = (0..WIDE).map(|j| var(y(j))).collect();
    let mut body = Expr::Seq(vec![
        assign(y(WIDE - 1), var(0)),
        runtime(
            RuntimeFn::UnboxInt,
            vec![runtime(
                RuntimeFn::BoxInt,
                vec![int_op(IntOp::Add, var(k), int(1), 2)],
                3,
            )],
            3,
        ),
        runtime(RuntimeFn::Data(DataFn::Tuple), items, 4),
    ]);
    for j in (0..WIDE).rev() {
        body = let_(y(j), var(j as u32), body);
    }
    let mut params = vec![Ty::Val; WIDE];
    params.push(Ty::I64);
    super::function("inner", &params, &[Ty::Val; WIDE], Ty::Val, body)
}

/// `outer s k m = inner s … s (box (m + 1)) s … s k`: a wide call whose
/// argument in the middle fails (R002 when `m` is `max_int`) with the
/// earlier ones held in the argument array.
fn outer() -> crate::jit::ir::Function {
    let mut args: Vec<Expr> = (0..WIDE).map(|_| var(0)).collect();
    args[2 * IN_REGISTERS] = runtime(
        RuntimeFn::BoxInt,
        vec![int_op(IntOp::Add, var(2), int(1), 5)],
        6,
    );
    args.push(var(1));
    let body = call(1, args, 7);
    super::function("outer", &[Ty::Val, Ty::I64, Ty::I64], &[], Ty::Val, body)
}

#[test]
fn wide_scopes_release_every_reference_once_on_every_path() {
    let c = compiled(vec![outer(), inner()]);
    let text: Rc<str> = Rc::from("held");
    let run = |k: i64, m: i64| {
        exec(
            &c,
            0,
            &[Value::Str(text.clone()), Value::Int(k), Value::Int(m)],
        )
    };
    match run(0, 0) {
        Ok(Value::Tuple(items)) => {
            assert_eq!(items.len(), WIDE);
            // Every item is the string but the boxed `m + 1`.
            let strings = items.iter().filter(|v| matches!(v, Value::Str(_))).count();
            assert_eq!(strings, WIDE - 1);
            assert!(matches!(items[2 * IN_REGISTERS], Value::Int(1)));
            assert_eq!(Rc::strong_count(&text), 1 + WIDE - 1);
        }
        Ok(_) => panic!("not a tuple"),
        Err(e) => panic!("{}: {}", e.code, e.message),
    }
    assert_eq!(Rc::strong_count(&text), 1);
    // In the callee, with every parameter and binding held.
    assert_eq!(error_of(run(i64::MAX, 0)).code, "R002");
    assert_eq!(Rc::strong_count(&text), 1);
    // In the caller's argument list, half of it built.
    assert_eq!(error_of(run(0, i64::MAX)).code, "R002");
    assert_eq!(Rc::strong_count(&text), 1);
}
