//! dlang's Printf against OCaml's: every format × value case of
//! tests/printf_reference/reference.tsv (made by OCaml 4.13 from
//! make_reference.ml, which is committed and not run here) is printed by
//! one generated dlang program with `Printf.sprintf`, and each line must
//! be OCaml's byte for byte.

use std::path::Path;
use std::process::Command;

struct Case {
    kind: String,
    format: String,
    value: String,
    expected: String,
}

fn cases() -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/printf_reference/reference.tsv");
    let text = std::fs::read_to_string(&path).expect("reference.tsv is committed");
    text.lines()
        .map(|line| {
            let fields: Vec<&str> = line.splitn(4, '\t').collect();
            let [kind, format, value, expected] = fields[..] else {
                panic!("reference.tsv: not four fields: {line:?}");
            };
            Case {
                kind: kind.to_string(),
                format: format.to_string(),
                value: value.to_string(),
                expected: expected.to_string(),
            }
        })
        .collect()
}

/// The dlang expression of a case's value.
fn value(case: &Case) -> String {
    match case.kind.as_str() {
        "int" => format!("({})", case.value),
        "float" => format!("(float_of_string \"{}\")", case.value),
        "string" => format!("\"{}\"", case.value),
        "bool" => case.value.clone(),
        other => panic!("reference.tsv: unknown kind {other}"),
    }
}

#[test]
fn printf_agrees_with_ocaml() {
    let cases = cases();
    assert!(cases.len() > 1000, "the reference table is complete");
    let program: String = cases
        .iter()
        .map(|c| {
            format!(
                "let () = print_endline (Printf.sprintf \"{}\" {})\n",
                c.format,
                value(c)
            )
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("dlang-printf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let file = dir.join("cases.dl");
    std::fs::write(&file, program).expect("the program is written");
    let output = Command::new(env!("CARGO_BIN_EXE_dlang"))
        .args(["run", "--backend", "interp"])
        .arg(&file)
        .output()
        .expect("the dlang binary runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        output.status.success(),
        "the cases did not run:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let printed: Vec<&str> = stdout.lines().collect();
    assert_eq!(printed.len(), cases.len(), "one line per case");
    let wrong: Vec<String> = cases
        .iter()
        .zip(&printed)
        .filter(|(c, got)| c.expected != **got)
        .map(|(c, got)| {
            format!(
                "{:?} of {}: OCaml {:?}, dlang {:?}",
                c.format, c.value, c.expected, got
            )
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} cases differ:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}
