//! dlang's optimizers against NumPy: runs tests/optim_reference/steps.dl
//! and compares every printed number with reference.txt, which
//! make_reference.py computed (and which is committed; the script is not
//! run here).
//!
//! Tolerances: cases on f64 floats (`*_float`) must agree to 1e-12
//! relative; the others hold f32 tensors, whose five steps may round
//! differently in the last bits (a fused operation, another summation
//! order), so they allow 1e-5 relative, a few f32 ulps per step.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

type Cases = BTreeMap<String, Vec<f64>>;

fn parse(text: &str, origin: &str) -> Cases {
    let mut cases = Cases::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let mut words = line.split_whitespace();
        let name = words.next().unwrap_or_default().to_string();
        let values = words
            .map(|w| {
                w.parse::<f64>()
                    .unwrap_or_else(|_| panic!("{origin}: `{w}` in case {name} is not a number"))
            })
            .collect();
        assert!(
            cases.insert(name.clone(), values).is_none(),
            "{origin}: case {name} appears twice"
        );
    }
    cases
}

fn tolerance(case: &str) -> f64 {
    if case.ends_with("_float") {
        1e-12
    } else {
        1e-5
    }
}

#[test]
fn optimizers_agree_with_numpy() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/optim_reference");
    let reference = std::fs::read_to_string(dir.join("reference.txt"))
        .expect("tests/optim_reference/reference.txt is committed");
    let output = Command::new(env!("CARGO_BIN_EXE_dlang"))
        .args(["run", "--backend", "interp", "steps.dl"])
        .current_dir(&dir)
        .output()
        .expect("the dlang binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "steps.dl failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let expected = parse(&reference, "reference.txt");
    let actual = parse(&stdout, "steps.dl");
    assert!(expected.len() >= 13, "reference.txt lost its cases");
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        actual.keys().collect::<Vec<_>>(),
        "steps.dl and reference.txt have different cases"
    );
    for (case, want) in &expected {
        let got = &actual[case];
        assert_eq!(got.len(), want.len(), "{case}: number of values");
        let tol = tolerance(case);
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(
                (g - w).abs() <= tol * w.abs().max(1.0),
                "{case}, value {i}: dlang {g}, NumPy {w} (tolerance {tol} relative)"
            );
        }
    }
}
