//! Checkpoints: names, bit-for-bit round trips, and every way a file can
//! fail to fit (tests/golden/nn/checkpoint*.dl show the user's view).

use std::rc::Rc;

use super::{load, named_leaves, save};
use crate::runtime::ad::Tracked;
use crate::runtime::error::RuntimeError;
use crate::runtime::print::show;
use crate::runtime::tensor::Tensor;
use crate::runtime::value::{Layout, Record, Value};

fn tensor(shape: &[usize], xs: &[f32]) -> Value {
    Value::tensor(Tensor::from_parts(shape.to_vec(), xs.to_vec()))
}

fn record(fields: &[(&str, Value)]) -> Value {
    let layout = Layout::new(fields.iter().map(|(n, _)| (*n, false)));
    Value::Record(Rc::new(Record::new(
        layout,
        fields.iter().map(|(_, v)| v.clone()).collect(),
    )))
}

fn pair(a: Value, b: Value) -> Value {
    Value::Tuple(Rc::new([a, b]))
}

/// A file in a fresh directory of its own.
fn scratch(name: &str) -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("dlang-checkpoint-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.npz");
    (dir, path.to_string_lossy().into_owned())
}

fn model() -> Value {
    record(&[
        (
            "w",
            tensor(&[2, 2], &[1.0, -0.0, f32::MIN_POSITIVE / 4.0, 3.5]),
        ),
        (
            "layers",
            Value::list_from([
                pair(
                    Value::Float(0.1),
                    tensor(&[1], &[f32::from_bits(0x7fc0_1234)]),
                ),
                pair(Value::Float(-1e-300), tensor(&[0], &[])),
            ]),
        ),
        (
            "scale",
            Value::some(Value::Float(f64::from_bits(0x7ff8_0000_0000_0042))),
        ),
    ])
}

fn bits(v: &Value) -> Vec<u64> {
    named_leaves(v)
        .iter()
        .flat_map(|(_, leaf)| match leaf {
            Value::Float(x) => vec![x.to_bits()],
            Value::Tensor(t) => t.data().iter().map(|x| u64::from(x.to_bits())).collect(),
            _ => Vec::new(),
        })
        .collect()
}

fn refused(r: Result<Value, RuntimeError>) -> RuntimeError {
    match r {
        Ok(v) => panic!("expected an error, got {}", show(&v)),
        Err(e) => e,
    }
}

#[test]
fn leaves_are_named_by_their_place() {
    let names: Vec<String> = named_leaves(&model()).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "w",
            "layers.0.0",
            "layers.0.1",
            "layers.1.0",
            "layers.1.1",
            "scale.Some"
        ]
    );
    let single = named_leaves(&Tracked::value(3, Value::Float(2.0)));
    assert_eq!(single.len(), 1);
    assert_eq!(single[0].0, "arr_0");
    assert!(matches!(single[0].1, Value::Float(x) if x == 2.0));
}

#[test]
fn a_round_trip_keeps_every_bit() {
    let (dir, path) = scratch("round-trip");
    let params = model();
    save(&path, &params).unwrap();
    let like = record(&[
        ("w", tensor(&[2, 2], &[0.0; 4])),
        (
            "layers",
            Value::list_from([
                pair(Value::Float(0.0), tensor(&[1], &[0.0])),
                pair(Value::Float(0.0), tensor(&[0], &[])),
            ]),
        ),
        ("scale", Value::some(Value::Float(0.0))),
    ]);
    let loaded = load(&path, &like).unwrap();
    assert_eq!(bits(&loaded), bits(&params));
    assert_eq!(show(&loaded), show(&params));
    // Saving again gives the same bytes, and no temporary file is left.
    let first = std::fs::read(&path).unwrap();
    save(&path, &loaded).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), first);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_file_unlike_the_structure_is_refused_with_what_differs() {
    let (dir, path) = scratch("mismatch");
    let params = record(&[("w", tensor(&[2], &[1.0, 2.0])), ("b", Value::Float(0.5))]);
    save(&path, &params).unwrap();

    let wider = record(&[("w", tensor(&[3], &[0.0; 3])), ("b", Value::Float(0.0))]);
    let e = refused(load(&path, &wider));
    assert_eq!(e.code, "R012");
    assert!(e.message.contains(&path), "{}", e.message);
    assert!(
        e.message
            .contains("array `w` has shape [2] where the structure has a tensor of shape [3]"),
        "{}",
        e.message
    );

    let float_w = record(&[("w", Value::Float(0.0)), ("b", Value::Float(0.0))]);
    let e = refused(load(&path, &float_w));
    assert!(
        e.message.contains("where the structure has a float"),
        "{}",
        e.message
    );

    let renamed = record(&[("v", tensor(&[2], &[0.0; 2])), ("b", Value::Float(0.0))]);
    let e = refused(load(&path, &renamed));
    assert!(
        e.message
            .contains("the file has no array `v` (it holds `w`, `b`)"),
        "{}",
        e.message
    );

    let fewer = record(&[("w", tensor(&[2], &[0.0; 2]))]);
    let e = refused(load(&path, &fewer));
    assert!(
        e.message
            .contains("holds an array `b` that the structure has no place for"),
        "{}",
        e.message
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn missing_truncated_and_foreign_files_are_refused() {
    let (dir, path) = scratch("broken");
    let like = tensor(&[2], &[0.0; 2]);
    let e = refused(load(&path, &like));
    assert_eq!(e.code, "R007");
    assert!(e.message.contains(&path));

    save(&path, &tensor(&[2], &[1.0, 2.0])).unwrap();
    let whole = std::fs::read(&path).unwrap();
    for len in [0, 10, whole.len() / 2, whole.len() - 1] {
        std::fs::write(&path, &whole[..len]).unwrap();
        let e = refused(load(&path, &like));
        assert_eq!(e.code, "R012", "cut at {len}: {}", e.message);
        assert!(e.message.contains(&path));
    }
    std::fs::write(
        &path,
        crate::runtime::tensor::npy::encode_npy(&Tensor::of_list(&[1.0])),
    )
    .unwrap();
    let e = refused(load(&path, &like));
    assert!(e.message.contains("not a .npz file"), "{}", e.message);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_unwritable_path_is_an_io_error() {
    let e = save("/nonexistent-dir/model.npz", &Value::Float(1.0)).unwrap_err();
    assert_eq!(e.code, "R007");
    assert!(e.message.contains("/nonexistent-dir/model.npz"));
}
