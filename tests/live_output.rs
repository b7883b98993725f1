//! Output reaches a pipe as the program goes (issue 14, LANGUAGE.md §11
//! "Output"): a line printed before a long computation is read from the
//! pipe while the program still runs, and stdout and stderr joined in one
//! pipe keep the order of `print` and `eprint`. Nothing here times dlang's
//! speed: the program waits on the clock, and the test only asks whether
//! the line came before the end.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long the test waits for the first line before failing: far past
/// the flush interval, so a slow machine does not fail it.
const DEADLINE: Duration = Duration::from_secs(60);

fn program(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("dlang-{name}-{}.dl", std::process::id()));
    std::fs::write(&path, text).expect("write the test program");
    path
}

#[test]
fn a_line_printed_before_a_long_computation_reaches_the_pipe_before_the_end() {
    let path = program(
        "live-output",
        "let rec wait_until t = if Sys.time () < t then wait_until t\n\
         let () = print \"first line\"\n\
         let () = wait_until (Sys.time () + 2.0)\n\
         let () = print \"second line\"\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_dlang"))
        .arg("run")
        .arg(&path)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start dlang");
    let stdout = child.stdout.take().expect("a piped stdout");
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = lines.send(line.unwrap_or_default());
        }
    });
    let first = received
        .recv_timeout(DEADLINE)
        .expect("the first line arrives");
    let still_running = child.try_wait().expect("poll dlang").is_none();
    let status = child.wait().expect("wait for dlang");
    let rest: Vec<String> = received.iter().collect();
    let _ = std::fs::remove_file(&path);
    assert_eq!(first, "first line");
    assert!(
        still_running,
        "the first line came only when the program ended"
    );
    assert!(status.success());
    assert_eq!(rest, ["second line"]);
}

#[test]
fn eprint_and_print_joined_in_one_pipe_keep_their_order() {
    let path = program(
        "joined-streams",
        "let () = print \"out 1\"\n\
         let () = eprint \"err 1\"\n\
         let () = print_string \"out 2\\n\"\n\
         let () = eprint (1, [2.5])\n\
         let () = IO.flush ()\n\
         let () = print \"out 3\"\n",
    );
    let (mut reader, writer) = std::io::pipe().expect("a pipe");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dlang"))
        .arg("run")
        .arg(&path)
        .stdout(writer.try_clone().expect("clone the pipe"))
        .stderr(writer)
        .spawn()
        .expect("start dlang");
    let status = child.wait().expect("wait for dlang");
    // The parent's ends of the pipe's writer went to the child (moved into
    // the `Command`, dropped with it), so reading ends at the child's exit.
    drop(child);
    let mut joined = String::new();
    reader.read_to_string(&mut joined).expect("read the pipe");
    let _ = std::fs::remove_file(&path);
    assert!(status.success());
    assert_eq!(joined, "out 1\nerr 1\nout 2\n(1, [2.5])\nout 3\n");
}
