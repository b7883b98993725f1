//! The hand-written forward and backward pass of bench/reverse_loop.dl
//! (bench/reverse_loop.sh builds it with `rustc -O`): the 1,000 primals
//! of the recurrence kept in a vector, then the chain rule in reverse.
//! An argument sets the number of points (default 1,000): the script
//! runs it with 0 to measure the process's start-up.

use std::hint::black_box;

fn gradient(x: f64, ys: &mut Vec<f64>) -> f64 {
    ys.clear();
    let mut y = x;
    for _ in 0..1000 {
        ys.push(y);
        y = y.sin() * 0.9 + y * 0.1 + 0.05;
    }
    let mut g = 1.0;
    for &y in ys.iter().rev() {
        g = g * 0.9 * y.cos() + g * 0.1;
    }
    g
}

fn main() {
    let mut ys = Vec::with_capacity(1000);
    let points: usize = std::env::args()
        .nth(1)
        .map_or(1000, |n| n.parse().expect("a number of points"));
    let mut sum = 0.0;
    for k in 0..points {
        sum += gradient(black_box(k as f64 * 0.001), &mut ys);
    }
    println!("{sum:e}");
}
