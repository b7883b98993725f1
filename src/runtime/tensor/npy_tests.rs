//! `.npy` loading and saving against files NumPy wrote (testdata/) and the
//! digits data set when `../shared/data` is present.

use std::path::{Path, PathBuf};

use super::npy::{encode_npy, load_npy, parse_npy, save_npy};
use super::Tensor;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/runtime/tensor/testdata")
        .join(name)
}

#[test]
fn loads_what_numpy_wrote() {
    let f32s = load_npy(&fixture("f32.npy")).unwrap();
    assert_eq!(f32s.shape(), &[2, 3]);
    assert_eq!(f32s.data(), &[1.5, -2.0, 3.25, 0.0, 1e-7, 65504.0]);
    let f64s = load_npy(&fixture("f64.npy")).unwrap();
    // 1e300 is beyond f32: it becomes inf, as NumPy's astype(float32).
    assert_eq!(f64s.data(), &[0.1f32, -1.0, f32::INFINITY]);
    let ints = load_npy(&fixture("i64.npy")).unwrap();
    assert_eq!(
        (ints.shape(), ints.data()),
        (&[2usize, 2][..], &[0.0f32, 1.0, -7.0, 9.0][..])
    );
    let scalar = load_npy(&fixture("scalar.npy")).unwrap();
    assert_eq!(scalar, Tensor::scalar(2.5));
    let v2 = load_npy(&fixture("v2.npy")).unwrap();
    assert_eq!(
        v2,
        Tensor::new(vec![2, 2], vec![0.0, 1.0, 2.0, 3.0]).unwrap()
    );
}

#[test]
fn refusals_name_the_path() {
    let message = |name: &str| load_npy(&fixture(name)).unwrap_err().to_string();
    let fortran = message("fortran.npy");
    assert!(
        fortran.contains("fortran.npy") && fortran.contains("Fortran-order"),
        "{fortran}"
    );
    assert!(message("big_endian.npy").contains("unsupported dtype '>f4'"));
    assert!(message("int32.npy").contains("unsupported dtype '<i4'"));
    let missing = message("no_such_file.npy");
    assert!(
        missing.contains("no_such_file.npy") && missing.contains("cannot read"),
        "{missing}"
    );
    assert!(message("README.md").contains("bad magic"));
}

#[test]
fn malformed_bytes_are_errors_not_panics() {
    let good = std::fs::read(fixture("f32.npy")).unwrap();
    // Every truncation of a valid file is refused cleanly.
    for cut in 0..good.len() {
        assert!(parse_npy(&good[..cut]).is_err(), "cut at {cut}");
    }
    let mut long = good.clone();
    long.push(0);
    assert!(parse_npy(&long).unwrap_err().contains("promises 24 bytes"));
    let mut bad_version = good.clone();
    bad_version[6] = 9;
    assert!(parse_npy(&bad_version).unwrap_err().contains("version 9"));
    let mut huge_header = good;
    huge_header[8] = 0xff;
    huge_header[9] = 0xff;
    assert!(parse_npy(&huge_header).is_err());
}

#[test]
fn save_round_trips_and_matches_numpy_layout() {
    let t = Tensor::new(vec![2, 3], vec![1.5, -2.0, 3.25, 0.0, 1e-7, 65504.0]).unwrap();
    // Byte for byte what `np.save` wrote for the same array.
    assert_eq!(encode_npy(&t), std::fs::read(fixture("f32.npy")).unwrap());
    let dir = std::env::temp_dir().join(format!("dlang-npy-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for shape in [vec![], vec![4], vec![1, 2, 2]] {
        let x = Tensor::new(
            shape.clone(),
            (0..shape.iter().product())
                .map(|i| i as f32 * 0.5)
                .collect(),
        )
        .unwrap();
        let path = dir.join("x.npy");
        save_npy(&path, &x).unwrap();
        assert_eq!(load_npy(&path).unwrap(), x);
        assert_eq!(
            encode_npy(&x).len() % 64,
            (4 * x.len()) % 64,
            "header padded to 64"
        );
    }
    let err = save_npy(&dir.join("missing_dir/x.npy"), &t).unwrap_err();
    assert!(err.to_string().contains("missing_dir"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn loads_the_digits_data_set_when_present() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    let (Ok(x), Ok(y)) = (
        load_npy(&data.join("digits_x.npy")),
        load_npy(&data.join("digits_y.npy")),
    ) else {
        eprintln!("skipped: {} not present", data.display());
        return;
    };
    assert_eq!(x.shape(), &[1797, 64]);
    assert_eq!(y.shape(), &[1797]);
    assert!(y
        .data()
        .iter()
        .all(|&c| c.fract() == 0.0 && (0.0..10.0).contains(&c)));
    assert!(x.data().iter().all(|v| v.is_finite()));
}

/// A version 1 (or, for a long header, 2) file with this header text.
fn crafted(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = b"\x93NUMPY".to_vec();
    let header = format!("{header}\n");
    match u16::try_from(header.len()) {
        Ok(len) => {
            out.extend_from_slice(&[1, 0]);
            out.extend_from_slice(&len.to_le_bytes());
        }
        Err(_) => {
            out.extend_from_slice(&[2, 0]);
            out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        }
    }
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn headers_are_read_as_the_dict_numpy_writes() {
    let two = [1.0f32, 2.0].map(f32::to_le_bytes).concat();
    let read = |header: &str| parse_npy(&crafted(header, &two));
    let vector = Tensor::of_list(&[1.0, 2.0]);
    // What NumPy and older writers produce: trailing comma or not, either
    // quote, Python 2 longs, padding.
    for header in [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}",
        "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2L,)}   ",
        "{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}",
    ] {
        assert_eq!(read(header), Ok(vector.clone()), "{header}");
    }
    let refusal = |header: &str, why: &str| {
        let message = read(header).unwrap_err();
        assert!(message.contains(why), "{header}: {message}");
    };
    refusal(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ",
        "not closed",
    );
    refusal(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)",
        "expected `}`",
    );
    refusal(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'shape': (1,)}",
        "'shape' appears twice",
    );
    refusal(
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}",
        "'descr' appears twice",
    );
    refusal("{'descr': '<f4', 'shape': (2,)}", "needs the keys");
    refusal(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 'x'}",
        "unexpected key 'extra'",
    );
    refusal(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x",
        "after the closing",
    );
    refusal(
        "{'descr': '<f4', 'fortran_order': 'no', 'shape': (2,)}",
        "wrong kind",
    );
    refusal(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}",
        "expected a dimension",
    );
    refusal("{'descr: '<f4'}", "expected `:`");
}

#[test]
fn shapes_beyond_the_tensor_limits_are_refused_before_allocating() {
    let header =
        |shape: &str| format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
    // Rank 50,000 (a header of 150 kB, version 2): refused by the rank
    // limit, never printed or walked recursively.
    let deep = format!("({})", vec!["1"; 50_000].join(", "));
    let message = parse_npy(&crafted(&header(&deep), &1.0f32.to_le_bytes())).unwrap_err();
    assert!(message.contains("50000 axes"), "{message}");
    let at_limit = format!("({})", vec!["1"; 64].join(", "));
    let t = parse_npy(&crafted(&header(&at_limit), &1.0f32.to_le_bytes())).unwrap();
    assert_eq!(t.rank(), 64);
    // No data, yet the non-zero dimensions overflow: refused.
    let message = parse_npy(&crafted(&header("(0, 4294967296, 4294967296)"), &[])).unwrap_err();
    assert!(message.contains("non-zero dimensions"), "{message}");
    // A dimension beyond usize is not a dimension.
    assert!(parse_npy(&crafted(&header("(99999999999999999999999,)"), &[])).is_err());
    // Zero-size arrays within the limits load.
    let empty = parse_npy(&crafted(&header("(0, 268435456)"), &[])).unwrap();
    assert_eq!(empty.shape(), &[0, 268435456]);
}
