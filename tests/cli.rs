//! Command-line behaviour the golden files cannot show: output volume, the
//! order of stdout and stderr when both go to one pipe, and input that is
//! not UTF-8.

use std::io::Read;
use std::path::Path;
use std::process::Command;

fn dlang() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dlang"));
    command.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")));
    command
}

/// Runs the command with stdout and stderr on one pipe, as a terminal or
/// `2>&1` would see them; returns the merged text and the exit status.
fn run_merged(mut command: Command) -> (String, i32) {
    let (mut reader, writer) = std::io::pipe().expect("pipe");
    command
        .stdout(writer.try_clone().expect("clone pipe"))
        .stderr(writer);
    let mut child = command.spawn().expect("start dlang");
    // The parent's copies of the write end must be gone before reading.
    drop(command);
    let mut text = String::new();
    reader.read_to_string(&mut text).expect("read output");
    let status = child.wait().expect("wait for dlang");
    (text, status.code().unwrap_or(-1))
}

#[test]
fn program_output_comes_before_a_run_time_error() {
    let mut command = dlang();
    command.args([
        "run",
        "--backend",
        "interp",
        "tests/golden/errors/division_by_zero.dl",
    ]);
    let (text, status) = run_merged(command);
    assert_eq!(status, 1, "{text}");
    let before = text.find("before").expect("the program's output");
    let error = text.find("[R001]").expect("the error");
    assert!(before < error, "stdout was not flushed first:\n{text}");
}

#[test]
fn large_output_is_complete() {
    let dir = std::env::temp_dir().join(format!("dlang-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let program = dir.join("many_lines.dl");
    std::fs::write(&program, "let () = for i = 1 to 300000 do print i done\n")
        .expect("write program");
    let output = dlang()
        .args(["run", "--backend", "interp"])
        .arg(&program)
        .output()
        .expect("run dlang");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), 300000);
    assert_eq!(stdout.lines().last(), Some("300000"));
}

#[test]
fn help_and_version() {
    let help = dlang().arg("--help").output().expect("run dlang");
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("dlang run FILE"));
    let version = dlang().arg("--version").output().expect("run dlang");
    assert_eq!(String::from_utf8_lossy(&version.stdout), "dlang 0.1.0\n");
}

/// What `dlang repl`, run in `dir` with `input` piped in, prints.
fn pipe_into_repl(dir: &Path, input: &[u8]) -> std::process::Output {
    let mut child = dlang()
        .arg("repl")
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start dlang repl");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write input");
    child.wait_with_output().expect("wait for dlang")
}

/// A scratch directory for one test, removed when dropped.
struct ScratchDir(std::path::PathBuf);

impl ScratchDir {
    fn new(name: &str) -> ScratchDir {
        let dir = std::env::temp_dir().join(format!("dlang-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        ScratchDir(dir)
    }

    fn write(&self, file: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = self.0.join(file);
        std::fs::write(&path, bytes).expect("write file");
        path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn source_files_that_are_not_utf8_are_static_errors() {
    let dir = ScratchDir::new("utf8");
    let main = dir.write("main.dl", b"import Latin\nlet () = print 1\n");
    dir.write("latin.dl", b"let caf\xe9 = 1\n");
    let output = dlang()
        .args(["check"])
        .arg(&main)
        .output()
        .expect("run dlang");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("[E303]") && stderr.contains("not valid UTF-8"),
        "{stderr}"
    );

    let latin_main = dir.write("latin_main.dl", b"let s = \"\xe9\"\n");
    let output = dlang()
        .args(["check"])
        .arg(&latin_main)
        .output()
        .expect("run dlang");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("E300") && stderr.contains("not valid UTF-8"),
        "{stderr}"
    );
}

#[test]
fn the_repl_imports_from_the_working_directory_and_loads_files() {
    let dir = ScratchDir::new("repl-import");
    dir.write(
        "util.dl",
        b"let () = print \"util runs once\"\nlet twice x = 2 * x\n",
    );
    dir.write("prog.dl", b"import Util\nlet answer = Util.twice 21\n");
    let output = pipe_into_repl(
        &dir.0,
        b"import Util\nUtil.twice 5\n:load prog.dl\nanswer + 1\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "util runs once\n- : int = 10\nval answer : int = 42\n- : int = 43\n",
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_piped_line_that_is_not_utf8_is_e007_and_the_session_goes_on() {
    let output = pipe_into_repl(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        b"1 + 1\nlet s = \"caf\xe9\"\nlet y =\n  \xff 2\n3 + 3\n",
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "- : int = 2\n- : int = 6\n",
        "both inputs with a bad byte are dropped, the others run"
    );
    assert_eq!(stderr.matches("[E007]").count(), 2, "{stderr}");
    assert!(
        stderr.contains("1 │ let s = \"caf\u{fffd}\"") && stderr.contains("this byte is not UTF-8"),
        "the line is shown, labelled at the byte: {stderr}"
    );
}

/// `--emit clif` prints one Cranelift function per IR function (its text
/// is Cranelift's own, so only its shape is checked), and runs nothing.
#[test]
fn emit_clif_prints_every_function_and_runs_nothing() {
    let mut command = dlang();
    command.args(["run", "tests/golden/cli/emit_ir.dl", "--emit", "clif"]);
    let (text, status) = run_merged(command);
    assert_eq!(status, 0, "{text}");
    let ir = dlang()
        .args(["run", "tests/golden/cli/emit_ir.dl", "--emit", "ir"])
        .output()
        .expect("run dlang");
    let ir = String::from_utf8_lossy(&ir.stdout);
    let ir_functions = ir.lines().filter(|l| l.starts_with('f')).count();
    let clif_functions = text.lines().filter(|l| l.starts_with("function ")).count();
    assert!(ir_functions >= 2, "{ir}");
    assert_eq!(clif_functions, ir_functions, "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("; f") && l.ends_with(" `count`")),
        "{text}"
    );
    assert!(text.contains("block0("), "{text}");
    // The program's `print (count 3)` did not run.
    assert!(!text.lines().any(|l| l == "3"), "{text}");
}

/// `--timings` prints one line per phase to stderr, in order, after the
/// program's own output: parse+check and run on the interpreter, the
/// JIT's lowering and compiling between them. Only the shape is checked
/// (times vary).
#[test]
fn timings_prints_each_phase_in_milliseconds() {
    // Without `--backend`, the JIT's phases: it is the default.
    for (backend, phases) in [
        ("interp", &["parse+check", "run"][..]),
        ("jit", &["parse+check", "lower", "compile", "run"][..]),
        ("default", &["parse+check", "lower", "compile", "run"][..]),
    ] {
        let chosen: &[&str] = match backend {
            "default" => &[],
            _ => &["--backend", backend],
        };
        let output = dlang()
            .args(["run", "--timings"])
            .args(chosen)
            .arg("tests/golden/cli/emit_ir.dl")
            .output()
            .expect("run dlang");
        assert!(output.status.success(), "{backend}: {output:?}");
        assert_eq!(String::from_utf8_lossy(&output.stdout), "3\n", "{backend}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), phases.len(), "{backend}: {stderr}");
        for (line, phase) in lines.iter().zip(phases) {
            let rest = line
                .strip_prefix(&format!("timings: {phase} "))
                .unwrap_or_else(|| panic!("{backend}: not the {phase} line: {line}"));
            let (ms, detail) = rest
                .split_once(" ms")
                .unwrap_or_else(|| panic!("{backend}: no milliseconds: {line}"));
            let (whole, fraction) = ms.split_once('.').unwrap_or(("", ""));
            assert!(
                !whole.is_empty()
                    && whole.chars().all(|c| c.is_ascii_digit())
                    && fraction.len() == 3
                    && fraction.chars().all(|c| c.is_ascii_digit()),
                "{backend}: {line}"
            );
            // Only the JIT's compile line says what it compiled.
            match *phase {
                "compile" => assert!(
                    detail.starts_with(" (") && detail.contains(" functions"),
                    "{line}"
                ),
                _ => assert_eq!(detail, "", "{line}"),
            }
        }
    }
}
