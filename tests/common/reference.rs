//! What the reference tests share (tests/optim_reference.rs,
//! tests/nn_reference.rs): a dlang program in a folder prints one line
//! per case, its name and then numbers; `reference.txt` beside it, which
//! a committed NumPy script computed (the script is not run by the
//! tests), holds the same cases; every number must agree within the
//! case's tolerance.

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

/// Runs `program` in `tests/<folder>` on the interpreter and compares its
/// cases with `reference.txt` there: at least `min_cases` of them, the
/// same names, each value within `tolerance(case)` relative (absolute
/// below 1).
pub fn check_against_reference(
    folder: &str,
    program: &str,
    min_cases: usize,
    tolerance: fn(&str) -> f64,
) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(folder);
    let reference = std::fs::read_to_string(dir.join("reference.txt"))
        .unwrap_or_else(|e| panic!("tests/{folder}/reference.txt is committed: {e}"));
    let output = Command::new(env!("CARGO_BIN_EXE_dlang"))
        .args(["run", "--backend", "interp", program])
        .current_dir(&dir)
        .output()
        .expect("the dlang binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{program} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let expected = parse(&reference, "reference.txt");
    let actual = parse(&stdout, program);
    assert!(expected.len() >= min_cases, "reference.txt lost its cases");
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        actual.keys().collect::<Vec<_>>(),
        "{program} and reference.txt have different cases"
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
