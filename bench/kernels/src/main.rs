//! Times three f32 matmul kernels on the digits-MLP shapes (batch 32,
//! 64-128-10), forward and the transposed products of the backward pass.
use std::hint::black_box;
use std::time::Instant;

fn naive(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    c.iter_mut().for_each(|x| *x = 0.0);
    for i in 0..m {
        for p in 0..k {
            let aip = a[i * k + p];
            let brow = &b[p * n..(p + 1) * n];
            let crow = &mut c[i * n..(i + 1) * n];
            for (cv, bv) in crow.iter_mut().zip(brow) {
                *cv += aip * bv;
            }
        }
    }
}

fn mm(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    unsafe {
        matrixmultiply::sgemm(
            m, k, n, 1.0, a.as_ptr(), k as isize, 1, b.as_ptr(), n as isize, 1, 0.0,
            c.as_mut_ptr(), n as isize, 1,
        );
    }
}

fn gm(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    unsafe {
        gemm::gemm(
            m, n, k, c.as_mut_ptr(), 1, n as isize, false, a.as_ptr(), 1, k as isize,
            b.as_ptr(), 1, n as isize, 0.0, 1.0, false, false, false, gemm::Parallelism::None,
        );
    }
}

/// matrixmultiply behind ndarray's safe API (dlang forbids `unsafe`).
fn nd(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    let av = ndarray::ArrayView2::from_shape((m, k), a).unwrap();
    let bv = ndarray::ArrayView2::from_shape((k, n), b).unwrap();
    let mut cv = ndarray::ArrayViewMut2::from_shape((m, n), c).unwrap();
    ndarray::linalg::general_mat_mul(1.0, &av, &bv, 0.0, &mut cv);
}

type Kernel = fn(usize, usize, usize, &[f32], &[f32], &mut [f32]);

fn time(kernel: Kernel, m: usize, k: usize, n: usize) -> f64 {
    let a: Vec<f32> = (0..m * k).map(|i| ((i * 7919) % 97) as f32 / 97.0).collect();
    let b: Vec<f32> = (0..k * n).map(|i| ((i * 104729) % 89) as f32 / 89.0).collect();
    let mut c = vec![0.0f32; m * n];
    for _ in 0..200 {
        kernel(m, k, n, &a, &b, &mut c);
    }
    let reps = 20000;
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..reps {
            kernel(m, k, n, black_box(&a), black_box(&b), &mut c);
            black_box(&c);
        }
        best = best.min(t.elapsed().as_secs_f64() / reps as f64);
    }
    best * 1e6
}

fn main() {
    // (m, k, n): forward x@W1, h@W2; backward dW = x^T@g, dx = g@W^T.
    let shapes = [
        ("fwd 32x64 @ 64x128", 32, 64, 128),
        ("fwd 32x128 @ 128x10", 32, 128, 10),
        ("bwd 32x10 @ 10x128 (dh = g W2^T)", 32, 10, 128),
        ("bwd 128x32 @ 32x10 (dW2 = h^T g)", 128, 32, 10),
        ("bwd 64x32 @ 32x128 (dW1 = x^T g)", 64, 32, 128),
        ("bwd 32x128 @ 128x64 (dx = g W1^T)", 32, 128, 64),
    ];
    println!("| product | naive µs | matrixmultiply µs | gemm µs | ndarray (matrixmultiply, safe) µs |");
    println!("|---|---|---|---|---|");
    for (name, m, k, n) in shapes {
        println!(
            "| {name} | {:.2} | {:.2} | {:.2} | {:.2} |",
            time(naive, m, k, n),
            time(mm, m, k, n),
            time(gm, m, k, n),
            time(nd, m, k, n)
        );
    }
}
