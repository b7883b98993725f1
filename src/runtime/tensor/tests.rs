//! Unit tests of the forward kernels (derivative kernels: `adjoint_tests`).

use super::elementwise::*;
use super::error::{Problem, ShapeError};
use super::layout::*;
use super::matmul::*;
use super::reduce::*;
use super::shape::*;
use super::Tensor;

fn t(shape: &[usize], data: &[f32]) -> Tensor {
    Tensor::new(shape.to_vec(), data.to_vec()).unwrap()
}

#[test]
fn broadcast_shape_rule() {
    assert_eq!(broadcast_shapes("add", &[2, 3], &[3]).unwrap(), vec![2, 3]);
    assert_eq!(
        broadcast_shapes("add", &[4, 1], &[1, 5]).unwrap(),
        vec![4, 5]
    );
    assert_eq!(broadcast_shapes("add", &[], &[2]).unwrap(), vec![2]);
    assert_eq!(
        broadcast_shapes("add", &[2, 1, 3], &[4, 1]).unwrap(),
        vec![2, 4, 3]
    );
    let e = broadcast_shapes("add", &[2, 3], &[4]).unwrap_err();
    assert_eq!(e, ShapeError::broadcast("add", &[2, 3], &[4]));
    assert_eq!(
        e.to_string(),
        "cannot broadcast shapes [2; 3] and [4] in `+`"
    );
}

#[test]
fn broadcast_add_row_column_and_scalar() {
    let a = t(&[2, 3], &[1., 2., 3., 4., 5., 6.]);
    let row = t(&[3], &[10., 20., 30.]);
    assert_eq!(
        add(&a, &row).unwrap(),
        t(&[2, 3], &[11., 22., 33., 14., 25., 36.])
    );
    let col = t(&[2, 1], &[100., 200.]);
    assert_eq!(
        add(&a, &col).unwrap(),
        t(&[2, 3], &[101., 102., 103., 204., 205., 206.])
    );
    let times = |x: f32, y: f32| x * y;
    assert_eq!(
        zip_with("mul", &Tensor::scalar(2.0), &a, times).unwrap(),
        map(&a, |x| x * 2.0)
    );
    // [3, 1] against [2]: every pair, as an outer difference.
    let c = zip_with(
        "sub",
        &t(&[3, 1], &[1., 2., 3.]),
        &t(&[2], &[1., 0.]),
        |x, y| x - y,
    )
    .unwrap();
    assert_eq!(c, t(&[3, 2], &[0., 1., 1., 2., 2., 3.]));
    assert_eq!(
        zip_with("div", &a, &t(&[1], &[2.0]), |x, y| x / y).unwrap(),
        map(&a, |x| x / 2.0)
    );
    assert!(add(&a, &t(&[2], &[1., 2.])).is_err());
}

#[test]
fn broadcast_indices_three_axes() {
    let out = [2, 2, 3];
    let idx = broadcast_indices(&out, &broadcast_strides(&[2, 1, 3], &out));
    assert_eq!(idx, vec![0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5]);
}

#[test]
fn unary_maps() {
    let a = t(&[4], &[-2., -0.5, 0., 3.]);
    assert_eq!(map(&a, relu_f32).data(), &[0., 0., 0., 3.]);
    assert!(relu_f32(f32::NAN).is_nan());
    assert_eq!(clip(-1.0, 1.0, &a).data(), &[-1., -0.5, 0., 1.]);
    assert_eq!(
        map(&t(&[3], &[0., 100., -100.]), sigmoid_f32).data(),
        &[0.5, 1.0, 0.0f32.max(sigmoid_f32(-100.))]
    );
    // lo > hi is user input: no panic.
    assert_eq!(clip(1.0, -1.0, &t(&[1], &[0.0])).data(), &[1.0]);
}

#[test]
fn matmul_shapes() {
    let a = t(&[2, 3], &[1., 2., 3., 4., 5., 6.]);
    let b = t(&[3, 2], &[7., 8., 9., 10., 11., 12.]);
    assert_eq!(matmul(&a, &b).unwrap(), t(&[2, 2], &[58., 64., 139., 154.]));
    let v = t(&[3], &[1., 0., -1.]);
    assert_eq!(matmul(&a, &v).unwrap(), t(&[2], &[-2., -2.]));
    assert_eq!(
        matmul(&t(&[2], &[1., 1.]), &a).unwrap(),
        t(&[3], &[5., 7., 9.])
    );
    assert_eq!(matmul(&v, &v).unwrap(), Tensor::scalar(2.0));
    let e = matmul(&a, &a).unwrap_err();
    assert_eq!(
        e.to_string(),
        "shapes [2; 3] and [2; 3] do not fit `@`: inner dimensions 3 and 2 differ"
    );
    // Transposed operands read through views.
    let at_b = matmul_2d(&a, true, &a, false).unwrap();
    assert_eq!(at_b, matmul(&transpose(&a).unwrap(), &a).unwrap());
    let a_bt = matmul_2d(&a, false, &a, true).unwrap();
    assert_eq!(a_bt, matmul(&a, &transpose(&a).unwrap()).unwrap());
    assert_eq!(
        matmul(&Tensor::zeros(&[2, 0]), &Tensor::zeros(&[0, 3])).unwrap(),
        Tensor::zeros(&[2, 3])
    );
}

#[test]
fn matmul_matches_naive_on_mlp_sizes() {
    let a = Tensor::new(
        vec![32, 64],
        (0..32 * 64).map(|i| ((i * 37) % 11) as f32 - 5.0).collect(),
    )
    .unwrap();
    let b = Tensor::new(
        vec![64, 10],
        (0..640).map(|i| ((i * 13) % 7) as f32 - 3.0).collect(),
    )
    .unwrap();
    let c = matmul(&a, &b).unwrap();
    for i in 0..32 {
        for j in 0..10 {
            let want: f32 = (0..64)
                .map(|p| a.data()[i * 64 + p] * b.data()[p * 10 + j])
                .sum();
            assert_eq!(c.data()[i * 10 + j], want);
        }
    }
}

#[test]
fn reductions() {
    let a = t(&[2, 3], &[1., 5., 3., 4., 2., 6.]);
    assert_eq!(sum(&a), 21.0);
    assert_eq!(mean(&a), 3.5);
    assert_eq!(max(&a).unwrap(), 6.0);
    assert_eq!(argmax(&a).unwrap(), 5);
    assert!(argmax(&Tensor::zeros(&[0])).is_err());
    assert_eq!(sum_axis(0, &a).unwrap(), t(&[3], &[5., 7., 9.]));
    assert_eq!(sum_axis(1, &a).unwrap(), t(&[2], &[9., 12.]));
    assert_eq!(argmax_axis(1, &a).unwrap(), t(&[2], &[1., 2.]));
    assert_eq!(argmax_axis(0, &a).unwrap(), t(&[3], &[1., 0., 1.]));
    assert!(sum_axis(2, &a).is_err());
}

#[test]
fn softmax_is_stable_and_normalised() {
    let a = t(&[2, 3], &[1000., 1001., 1002., -5., 0., 5.]);
    let s = softmax(&a);
    for row in s.data().chunks(3) {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }
    let ls = log_softmax(&a);
    assert!(ls.data().iter().all(|x| x.is_finite()));
    for (l, p) in ls.data().iter().zip(s.data()) {
        assert!((l.exp() - p).abs() < 1e-6, "{l} {p}");
    }
}

#[test]
fn layout_ops() {
    let a = t(&[2, 3], &[1., 2., 3., 4., 5., 6.]);
    assert_eq!(reshape(&a, &[3, 2]).unwrap().shape(), &[3, 2]);
    assert!(reshape(&a, &[4]).is_err());
    assert_eq!(
        transpose(&a).unwrap(),
        t(&[3, 2], &[1., 4., 2., 5., 3., 6.])
    );
    assert_eq!(get(&a, &[1, 2]).unwrap(), 6.0);
    assert!(get(&a, &[2, 0]).is_err());
    assert!(get(&a, &[0]).is_err());
    assert_eq!(row(&a, 1).unwrap(), t(&[3], &[4., 5., 6.]));
    assert!(row(&a, 2).is_err());
    assert_eq!(slice(&a, 1, 1, 2).unwrap(), t(&[2, 2], &[2., 3., 5., 6.]));
    assert!(slice(&a, 1, 2, 2).is_err());
    assert!(slice(&a, 1, usize::MAX, 2).is_err());
    let c = concat(1, &[a.clone(), t(&[2, 1], &[7., 8.])]).unwrap();
    assert_eq!(c, t(&[2, 4], &[1., 2., 3., 7., 4., 5., 6., 8.]));
    assert_eq!(concat(0, &[a.clone(), a.clone()]).unwrap().shape(), &[4, 3]);
    assert!(concat(0, &[a.clone(), t(&[1, 2], &[0., 0.])]).is_err());
    assert!(concat(0, &[]).is_err());
    assert_eq!(stack(&[a.clone(), a.clone()]).unwrap().shape(), &[2, 2, 3]);
    assert!(stack(&[a.clone(), t(&[3], &[0.; 3])]).is_err());
    assert_eq!(one_hot(4, 2).unwrap(), t(&[4], &[0., 0., 1., 0.]));
    assert!(one_hot(4, 4).is_err());
}

#[test]
fn constructors() {
    assert_eq!(
        Tensor::of_lists(&[vec![1., 2.], vec![3., 4.]])
            .unwrap()
            .shape(),
        &[2, 2]
    );
    assert!(Tensor::of_lists(&[vec![1., 2.], vec![3.]]).is_err());
    assert!(Tensor::new(vec![2, 2], vec![1.0]).is_err());
    assert!(Tensor::new(vec![usize::MAX, 2], vec![1.0]).is_err());
    assert!(reshape(&Tensor::zeros(&[2]), &[usize::MAX, usize::MAX]).is_err());
    assert_eq!(Tensor::arange(3).data(), &[0., 1., 2.]);
    assert_eq!(Tensor::scalar(1.0).shape(), &[] as &[usize]);
}

#[test]
fn conv2d_and_pool_values() {
    use super::conv::{conv2d, max_pool2d};
    let x = t(&[1, 1, 3, 3], &[1., 2., 3., 4., 5., 6., 7., 8., 9.]);
    let k = t(&[1, 1, 2, 2], &[1., 0., 0., -1.]);
    assert_eq!(
        conv2d(&x, &k, 0).unwrap(),
        t(&[1, 1, 2, 2], &[-4., -4., -4., -4.])
    );
    let padded = conv2d(&x, &t(&[1, 1, 1, 1], &[2.]), 1).unwrap();
    assert_eq!(padded.shape(), &[1, 1, 5, 5]);
    assert_eq!(get(&padded, &[0, 0, 0, 0]).unwrap(), 0.0);
    assert_eq!(get(&padded, &[0, 0, 2, 2]).unwrap(), 10.0);
    assert!(conv2d(&x, &Tensor::zeros(&[1, 2, 2, 2]), 0).is_err());
    assert!(conv2d(&x, &Tensor::zeros(&[1, 1, 4, 4]), 0).is_err());
    assert_eq!(max_pool2d(&x, 2).unwrap(), t(&[1, 1, 1, 1], &[5.]));
    assert!(max_pool2d(&x, 0).is_err());
    assert!(conv2d(&x, &k, usize::MAX).is_err());
    assert!(max_pool2d(&x, 4).is_err());
}

#[test]
fn every_shape_is_checked_against_the_rank_and_element_limits() {
    assert_eq!(checked_numel("zeros", &[2, 3]), Ok(6));
    assert_eq!(checked_numel("zeros", &[]), Ok(1));
    assert_eq!(checked_numel("zeros", &[0, MAX_ELEMENTS]), Ok(0));
    assert_eq!(checked_numel("zeros", &[MAX_ELEMENTS]), Ok(MAX_ELEMENTS));
    // A zero dimension does not hide the others: their product is checked.
    for shape in [
        vec![1 << 32, 1 << 32, 0],
        vec![0, 1 << 32, 1 << 32],
        vec![0, MAX_ELEMENTS + 1],
        vec![usize::MAX, 2, 0],
    ] {
        let e = checked_numel("zeros", &shape).unwrap_err();
        assert!(matches!(e.problem, Problem::Limit(_)), "{shape:?}: {e}");
    }
    assert_eq!(checked_numel("zeros", &[1; MAX_RANK]), Ok(1));
    let e = checked_numel("stack", &[1; MAX_RANK + 1]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the result of `Tensor.stack` would have 65 axes, more than the 64 a tensor may have"
    );
    assert!(Tensor::build("of_list", vec![0, 1 << 32, 1 << 32], vec![]).is_err());
    assert!(Tensor::build("of_list", vec![2], vec![1.0]).is_err());
    assert!(Tensor::new(vec![1; MAX_RANK + 1], vec![1.0]).is_err());
}

#[test]
fn operations_cannot_grow_a_tensor_past_the_limits() {
    // reshape of an empty tensor to a shape whose other dimensions overflow.
    let empty = Tensor::zeros(&[0]);
    assert!(reshape(&empty, &[0, 1 << 32, 1 << 32]).is_err());
    assert_eq!(
        reshape(&empty, &[0, 1 << 14, 1 << 14]).unwrap().shape(),
        &[0, 1 << 14, 1 << 14]
    );
    // concat: the joined axis past the limit, and past usize, is an error.
    let wide = Tensor::zeros(&[0, MAX_ELEMENTS]);
    let e = concat(1, &[wide.clone(), wide.clone()]).unwrap_err();
    assert!(matches!(e.problem, Problem::Limit(_)), "{e}");
    assert_eq!(
        concat(0, &[wide.clone(), wide]).unwrap().shape(),
        &[0, MAX_ELEMENTS]
    );
    // stack adds an axis: not past rank 64.
    let deep = Tensor::zeros(&[1; MAX_RANK]);
    assert!(stack(std::slice::from_ref(&deep)).is_err());
    assert_eq!(
        stack(&[Tensor::zeros(&[1; MAX_RANK - 1])]).unwrap().rank(),
        MAX_RANK
    );
    // A reduction of a zero-size tensor makes zeros of its other axes.
    let out = sum_axis(0, &Tensor::zeros(&[0, 1 << 10, 1 << 10])).unwrap();
    assert_eq!(
        (out.shape(), out.len()),
        (&[1usize << 10, 1 << 10][..], 1 << 20)
    );
}

#[test]
fn bad_indices_are_index_errors_and_rank_0_has_no_rows() {
    let e = row(&Tensor::scalar(1.0), 0).unwrap_err();
    assert!(matches!(e.problem, Problem::Invalid(_)), "{e}");
    assert_eq!(
        e.to_string(),
        "`Tensor.row` on a tensor of shape []: a rank-0 tensor has no rows"
    );
    let e = row(&Tensor::zeros(&[2, 3]), 2).unwrap_err();
    assert!(matches!(e.problem, Problem::OutOfRange(_)), "{e}");
    let e = ShapeError::index_out_of_range("row", &[2, 3], "row", -1);
    assert_eq!(
        e.to_string(),
        "`Tensor.row` on a tensor of shape [2; 3]: row -1 is out of range"
    );
    assert!(matches!(
        one_hot(3, 3).unwrap_err().problem,
        Problem::OutOfRange(_)
    ));
    let e = ShapeError::no_axis("sum_axis", &[2], -1);
    assert_eq!(
        e.to_string(),
        "`Tensor.sum_axis` on a tensor of shape [2]: axis -1 does not exist"
    );
}

/// Reading an operand transposed through a strided view must give the very
/// bits of the product with the transpose copied out, on shapes of the
/// examples' backward passes (the TreeLSTM's `[5; 150]` classifier and
/// `[750; 600]` cell, the MLP's `[32; 64]` batch) and odd ones that leave
/// partial kernel tiles.
#[test]
fn transposed_views_match_copied_transposes_bit_for_bit() {
    let filled = |rows: usize, cols: usize, seed: usize| {
        let data = (0..rows * cols)
            .map(|i| (((i * 7919 + seed * 104_729) % 1009) as f32 / 1009.0 - 0.5) * 0.37)
            .collect();
        Tensor::new(vec![rows, cols], data).unwrap()
    };
    for &(m, k, n) in &[
        (5, 150, 1),
        (750, 1, 600),
        (1, 750, 600),
        (32, 64, 128),
        (7, 13, 3),
    ] {
        let a = filled(m, k, 1);
        let b = filled(k, n, 2);
        let (at, bt) = (transpose(&a).unwrap(), transpose(&b).unwrap());
        let want = matmul(&a, &b).unwrap();
        let bits = |x: &Tensor| x.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for (left, right, got) in [
            (true, false, matmul_2d(&at, true, &b, false).unwrap()),
            (false, true, matmul_2d(&a, false, &bt, true).unwrap()),
            (true, true, matmul_2d(&at, true, &bt, true).unwrap()),
        ] {
            assert_eq!(bits(&got), bits(&want), "{m}x{k}x{n} {left} {right}");
        }
        // `@`'s adjoint for a vector operand: `g a` in place of `aᵀ g`.
        let g = Tensor::new(vec![m], filled(m, 1, 3).data().to_vec()).unwrap();
        let row_times = matmul(&g, &a).unwrap();
        assert_eq!(bits(&row_times), bits(&matmul(&at, &g).unwrap()), "{m}x{k}");
    }
}

/// The direct loops of `small_matmul` give exactly what `matrixmultiply`
/// gives, on the vector shapes they take over (the char models' `x @ W`,
/// the TreeLSTM's `W @ x` whose 300 terms cross matrixmultiply's 256-term
/// panels, outer products, sizes that leave partial tiles), with every
/// combination of transposed operands.
#[test]
fn direct_products_match_the_blocked_kernel_bit_for_bit() {
    let filled = |rows: usize, cols: usize, seed: usize| {
        let data = (0..rows * cols)
            .map(|i| (((i * 7919 + seed * 104_729) % 1009) as f32 / 1009.0 - 0.5) * 0.37)
            .collect();
        Tensor::new(vec![rows, cols], data).unwrap()
    };
    let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    for &(m, k, n) in &[
        (1, 27, 200),
        (1, 50, 200),
        (27, 200, 1),
        (150, 300, 1),
        (1, 300, 150),
        (150, 1, 300),
        (13, 700, 1),
        (1, 513, 9),
        (9, 17, 1),
        (1, 5, 3),
        (1, 1, 1),
    ] {
        for (a_t, b_t) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = if a_t {
                filled(k, m, 1)
            } else {
                filled(m, k, 1)
            };
            let b = if b_t {
                filled(n, k, 2)
            } else {
                filled(k, n, 2)
            };
            let got = matmul_2d(&a, a_t, &b, b_t).unwrap();
            let mut want = vec![0.0f32; m * n];
            blocked_product((&a, a_t), (&b, b_t), m, n, &mut want);
            assert_eq!(bits(got.data()), bits(&want), "{m}x{k}x{n} {a_t} {b_t}");
        }
    }
}

#[test]
fn add_in_place_writes_only_elements_nothing_else_holds() {
    use std::rc::Rc;
    let x = Tensor::of_list(&[0.1, 0.2, -0.3]);
    let start = Tensor::of_list(&[1.0, 2.0, 1e-8]);
    // Its own elements: `start.clone()` would share them with `start`.
    let mut acc = Rc::new(Tensor::of_list(&[1.0, 2.0, 1e-8]));
    assert!(add_in_place(&mut acc, &x));
    let bits = |t: &Tensor| t.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&acc), bits(&add(&start, &x).unwrap()));

    let held = Rc::clone(&acc);
    assert!(!add_in_place(&mut acc, &x));
    let mut shares_storage = Rc::new(held.with_shape(vec![3, 1]));
    assert!(!add_in_place(
        &mut shares_storage,
        &x.with_shape(vec![3, 1])
    ));
    assert_eq!(bits(&held), bits(&add(&start, &x).unwrap()));

    let mut other_shape = Rc::new(Tensor::zeros(&[3, 1]));
    assert!(!add_in_place(&mut other_shape, &x));
}

/// `add_outer_in_place` makes what `matmul` of a column by a row and then
/// `add_in_place` make, bit for bit, signed zeros included (a `-0.0`
/// product adds as the `+0.0` the product's FMA from 0.0 gives), and
/// declines a shared adjoint or one of another shape.
#[test]
fn outer_products_added_in_place_match_product_then_sum_bit_for_bit() {
    use std::rc::Rc;
    let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let vector = |n: usize, seed: usize| {
        let mut data: Vec<f32> = (0..n)
            .map(|i| (((i * 7919 + seed * 104_729) % 1009) as f32 / 1009.0 - 0.5) * 0.37)
            .collect();
        data[0] = -0.0;
        data[n - 1] = 1e-30;
        Tensor::of_list(&data)
    };
    for &(m, n) in &[(150, 300), (1, 9), (13, 1), (7, 33)] {
        let (g, x) = (vector(m, 1), vector(n, 2));
        let start: Vec<f32> = (0..m * n)
            .map(|i| {
                if i % 5 == 0 {
                    -0.0
                } else {
                    i as f32 * 1e-3 - 0.2
                }
            })
            .collect();
        let mut want = Rc::new(Tensor::new(vec![m, n], start.clone()).unwrap());
        let product = matmul(&g.with_shape(vec![m, 1]), &x.with_shape(vec![1, n])).unwrap();
        assert!(add_in_place(&mut want, &product));
        let mut got = Rc::new(Tensor::new(vec![m, n], start).unwrap());
        assert!(add_outer_in_place(&mut got, &g, &x));
        assert_eq!(bits(got.data()), bits(want.data()), "{m}x{n}");
        let shared = Rc::clone(&got);
        assert!(!add_outer_in_place(&mut got, &g, &x));
        assert!(!add_outer_in_place(&mut Rc::new(Tensor::zeros(&[n, m])), &g, &x) || m == n);
        drop(shared);
    }
}
