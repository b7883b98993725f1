//! docs/tutorial.md runs: every ```dlang block is a whole program, run
//! from the repository root on the interpreter; it must exit with 0 and
//! print exactly the ```text block that follows it. The checkpoint and
//! the plot the training program saves (`digits_mlp.npz`,
//! `digits_loss.svg`, in the root) are removed after.

use std::path::Path;
use std::process::Command;

/// The (program, expected output) pairs of the tutorial, in order.
fn blocks(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut program: Option<String> = None;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let kind = match line.strip_prefix("```") {
            Some(kind) if !kind.is_empty() => kind.to_string(),
            _ => continue,
        };
        let body: String = lines
            .by_ref()
            .take_while(|l| *l != "```")
            .map(|l| format!("{l}\n"))
            .collect();
        match kind.as_str() {
            "dlang" => {
                assert!(
                    program.is_none(),
                    "a dlang block without a text block after it"
                );
                program = Some(body);
            }
            "text" => {
                let p = program
                    .take()
                    .expect("a text block without a dlang block before it");
                pairs.push((p, body));
            }
            other => panic!("a ```{other} block: the tutorial uses dlang and text blocks"),
        }
    }
    assert!(program.is_none(), "the last dlang block has no text block");
    pairs
}

#[test]
fn every_tutorial_program_prints_what_the_tutorial_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("docs/tutorial.md")).expect("docs/tutorial.md");
    let pairs = blocks(&text);
    assert!(pairs.len() >= 2, "the tutorial lost its programs");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    for (i, (program, expected)) in pairs.iter().enumerate() {
        let path = dir.join(format!("tutorial_{i}.dl"));
        std::fs::write(&path, program).expect("write the program");
        let out = Command::new(env!("CARGO_BIN_EXE_dlang"))
            .args(["run", "--backend", "interp"])
            .arg(&path)
            .current_dir(root)
            .output()
            .expect("run dlang");
        assert!(
            out.status.success(),
            "tutorial program {i} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for written in ["digits_mlp.npz", "digits_loss.svg"] {
            let _ = std::fs::remove_file(root.join(written));
        }
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            *expected,
            "tutorial program {i}"
        );
    }
}
