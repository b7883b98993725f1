//! Tensor text per LANGUAGE.md §8: `tensor([[1.0, 2.0], [3.0, 4.0]])`,
//! elements as the shortest text that reads back to the same f32.
//!
//! Large tensors are abbreviated as NumPy's default print options do: a
//! tensor of more than [`THRESHOLD`] (1000) elements shows only the first and
//! last [`EDGE_ITEMS`] (3) entries of every axis longer than 6, with `...`
//! between them: `tensor([0.0, 1.0, 2.0, ..., 1997.0, 1998.0, 1999.0])`.
//! Unlike NumPy everything stays on one line, like every other dlang value.

use crate::runtime::print::format_float;

use super::tensor::Tensor;

/// NumPy's `threshold`: above this many elements, abbreviate.
pub const THRESHOLD: usize = 1000;
/// NumPy's `edgeitems`: entries kept at each end of an abbreviated axis.
pub const EDGE_ITEMS: usize = 3;

/// Shortest round-trip text of an f32, with a `.` or an exponent.
///
/// `{:e}` on the f32 gives its shortest digits (at most 9); read as an f64,
/// those digits are also that f64's shortest form, so the f64 formatter
/// lays them out exactly as floats print (`0.1`, `1e-7`, `inf`).
pub fn format_f32(x: f32) -> String {
    if !x.is_finite() {
        return format_float(x as f64);
    }
    let digits = format!("{x:e}");
    format_float(digits.parse::<f64>().unwrap_or(x as f64))
}

pub fn show_tensor(t: &Tensor) -> String {
    let mut out = String::from("tensor(");
    if t.rank() == 0 {
        out.push_str(&format_f32(t.data()[0]));
    } else {
        push_nested(t, &mut out);
    }
    out.push(')');
    out
}

/// Whether to abbreviate: more than [`THRESHOLD`] elements, or (for a
/// tensor with a zero axis, which has none) more than that many empty
/// lists to print: `[2^28; 0]` would otherwise print 2^28 times `[]`.
fn abbreviates(t: &Tensor) -> bool {
    let boxes = t
        .shape()
        .iter()
        .take_while(|&&d| d != 0)
        .try_fold(1usize, |acc, &d| acc.checked_mul(d));
    t.len() > THRESHOLD || boxes.is_none_or(|n| n > THRESHOLD)
}

/// One axis being written: the flat offset of its sub-tensor, and the
/// entries shown so far.
struct Level {
    axis: usize,
    offset: usize,
    written: usize,
}

/// Writes the nested lists with an explicit stack of axes, not recursion:
/// the rank is bounded (64), but nothing here should depend on it.
fn push_nested(t: &Tensor, out: &mut String) {
    let abbreviate = abbreviates(t);
    let rank = t.rank();
    let mut stack = vec![Level {
        axis: 0,
        offset: 0,
        written: 0,
    }];
    out.push('[');
    while let Some(level) = stack.last_mut() {
        let len = t.shape()[level.axis];
        let cut = abbreviate && len > 2 * EDGE_ITEMS;
        let shown = if cut { 2 * EDGE_ITEMS + 1 } else { len };
        if level.written == shown {
            out.push(']');
            stack.pop();
            continue;
        }
        let k = level.written;
        level.written += 1;
        if k > 0 {
            out.push_str(", ");
        }
        // With a cut, entry EDGE_ITEMS is the `...` and the ones after it
        // are the last EDGE_ITEMS of the axis.
        let index = match k.cmp(&EDGE_ITEMS) {
            std::cmp::Ordering::Equal if cut => {
                out.push_str("...");
                continue;
            }
            std::cmp::Ordering::Greater if cut => len - shown + k,
            _ => k,
        };
        let step: usize = t.shape()[level.axis + 1..].iter().product();
        let at = level.offset + index * step;
        if level.axis + 1 == rank {
            out.push_str(&format_f32(t.data()[at]));
        } else {
            let axis = level.axis + 1;
            out.push('[');
            stack.push(Level {
                axis,
                offset: at,
                written: 0,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_print_shortest_f32() {
        assert_eq!(format_f32(1.0), "1.0");
        assert_eq!(format_f32(0.1), "0.1");
        assert_eq!(format_f32(-2.5), "-2.5");
        assert_eq!(format_f32(1e-7), "1e-7");
        assert_eq!(format_f32(16777216.0), "16777216.0");
        assert_eq!(format_f32(3.4028235e38), "3.4028235e38");
        assert_eq!(format_f32(f32::NAN), "nan");
        assert_eq!(format_f32(f32::NEG_INFINITY), "-inf");
        assert_eq!(format_f32(1.0 / 3.0), "0.33333334");
        for x in [
            0.1f32,
            1.0 / 3.0,
            1e-7,
            6.02e23,
            -f32::MIN_POSITIVE,
            f32::from_bits(1),
        ] {
            assert_eq!(format_f32(x).parse::<f32>().unwrap(), x);
        }
    }

    #[test]
    fn tensors_print_nested() {
        let t = Tensor::new(vec![2, 2], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(show_tensor(&t), "tensor([[1.0, 2.0], [3.0, 4.0]])");
        assert_eq!(show_tensor(&Tensor::of_list(&[0.5])), "tensor([0.5])");
        assert_eq!(show_tensor(&Tensor::scalar(2.0)), "tensor(2.0)");
        assert_eq!(show_tensor(&Tensor::zeros(&[0])), "tensor([])");
        assert_eq!(show_tensor(&Tensor::zeros(&[2, 0])), "tensor([[], []])");
    }

    #[test]
    fn the_deepest_tensor_prints_without_recursion() {
        let deep = Tensor::zeros(&[1; crate::runtime::tensor::shape::MAX_RANK]);
        let text = show_tensor(&deep);
        let open = "[".repeat(64);
        let close = "]".repeat(64);
        assert_eq!(text, format!("tensor({open}0.0{close})"));
        let t = Tensor::new(vec![2, 1, 2], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(show_tensor(&t), "tensor([[[1.0, 2.0]], [[3.0, 4.0]]])");
    }

    #[test]
    fn large_tensors_are_abbreviated_as_numpy() {
        // 1000 elements: still in full.
        assert!(!show_tensor(&Tensor::arange(1000)).contains("..."));
        assert_eq!(
            show_tensor(&Tensor::arange(1001)),
            "tensor([0.0, 1.0, 2.0, ..., 998.0, 999.0, 1000.0])"
        );
        let big = Tensor::new(vec![100, 20], (0..2000).map(|i| i as f32).collect()).unwrap();
        let text = show_tensor(&big);
        assert!(
            text.starts_with("tensor([[0.0, 1.0, 2.0, ..., 17.0, 18.0, 19.0], [20.0, 21.0,"),
            "{text}"
        );
        assert!(text.contains("], ..., ["), "{text}");
        assert!(text.ends_with("1997.0, 1998.0, 1999.0]])"), "{text}");
        // A zero-size tensor has no elements but may have many empty
        // lists: those are abbreviated too.
        assert_eq!(
            show_tensor(&Tensor::zeros(&[2000, 0])),
            "tensor([[], [], [], ..., [], [], []])"
        );
        assert_eq!(
            show_tensor(&Tensor::zeros(&[1 << 28, 0])),
            "tensor([[], [], [], ..., [], [], []])"
        );
        assert_eq!(
            show_tensor(&Tensor::zeros(&[3, 0, 2])),
            "tensor([[], [], []])"
        );
        // Short axes of an abbreviated tensor are shown whole.
        let tall = Tensor::zeros(&[1001, 2]);
        assert!(show_tensor(&tall)
            .starts_with("tensor([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], ..., [0.0, 0.0]"));
    }
}
