//! Drives `dlang repl` on a pseudo-terminal, as a person would: the prompt,
//! an answer, a `..>` continuation, an error followed by more input, Ctrl-C
//! stopping an endless loop without ending the session, and `:quit`.

use expectrl::{ControlCode, Eof, Session, WaitStatus};
use std::process::Command;
use std::time::Duration;

fn history_file() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("dlang-pty-history-{}", std::process::id()))
}

fn start_repl() -> Session {
    start_repl_with_history(&history_file())
}

fn start_repl_with_history(history: &std::path::Path) -> Session {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dlang"));
    command
        .arg("repl")
        .env("DLANG_HISTORY", history)
        .env("TERM", "xterm");
    let mut session = Session::spawn(command).expect("start dlang repl on a pty");
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    session
}

#[test]
fn a_session_on_a_terminal() {
    let mut repl = start_repl();
    repl.expect("# ").expect("the prompt");

    repl.send_line("1 + 2").unwrap();
    repl.expect("- : int = 3")
        .expect("the answer to an expression");

    repl.send_line("let x = (1 +").unwrap();
    repl.expect("..> ").expect("the continuation prompt");
    repl.send_line("2)").unwrap();
    repl.expect("val x : int = 3")
        .expect("the answer to an item");

    repl.send_line("1 + true").unwrap();
    repl.expect("[E2").expect("a type error");
    repl.send_line("x * 2").unwrap();
    repl.expect("- : int = 6")
        .expect("the session goes on after an error");

    // The loop announces itself, so Ctrl-C is sent once it surely runs
    // (a Ctrl-C typed while the line editor still reads would only clear
    // the line).
    repl.send_line("let rec loop () = loop () in print \"looping\"; loop ()")
        .unwrap();
    repl.expect("looping\r\n").expect("the loop starts");
    std::thread::sleep(Duration::from_millis(100));
    repl.send_control(ControlCode::EndOfText).unwrap();
    repl.expect("R006").expect("Ctrl-C stops the evaluation");
    repl.send_line("x + 1").unwrap();
    repl.expect("- : int = 4")
        .expect("the session goes on after Ctrl-C");

    repl.send_line(":quit").unwrap();
    repl.expect(Eof).expect("the REPL ends");
    let status = repl.wait().expect("wait for dlang");
    assert!(
        matches!(status, WaitStatus::Exited(_, 0)),
        "dlang repl exited with {status:?}"
    );
    let history = std::fs::read_to_string(history_file()).unwrap_or_default();
    let _ = std::fs::remove_file(history_file());
    assert!(
        history.contains("1 + 2"),
        "history was not saved: {history:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_linked_history_file_is_left_alone() {
    let dir = std::env::temp_dir().join(format!("dlang-pty-link-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let target = dir.join("precious");
    std::fs::write(&target, "not a history\n").expect("write target");
    let link = dir.join("history");
    std::os::unix::fs::symlink(&target, &link).expect("link");
    let mut repl = start_repl_with_history(&link);
    repl.expect("it is a symbolic link")
        .expect("the REPL says why it keeps no history");
    repl.send_line("1 + 2").unwrap();
    repl.expect("- : int = 3").expect("the session works");
    repl.send_line(":quit").unwrap();
    repl.expect(Eof).expect("the REPL ends");
    let _ = repl.wait();
    let kept = std::fs::read_to_string(&target).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(kept, "not a history\n", "the link's target was rewritten");
}

/// Sends Ctrl-C to `session` once it printed `started` (a Ctrl-C typed
/// while the line editor still reads would only clear the line) and
/// waits for the R006 it must answer with.
fn interrupt_after(session: &mut Session, started: &str) {
    session.expect(started).expect("the loop starts");
    std::thread::sleep(Duration::from_millis(100));
    session.send_control(ControlCode::EndOfText).unwrap();
    session.expect("R006").expect("Ctrl-C stops the evaluation");
}

/// An endless loop of `shift`s, each in the previous one's body, hears
/// Ctrl-C in the REPL and in `dlang run` (issue 15).
#[test]
fn ctrl_c_stops_an_endless_loop_of_shifts() {
    let mut repl = start_repl();
    repl.expect("# ").expect("the prompt");
    repl.send_line("let rec l n = shift k -> (k (); l (n + 1)) in print \"shifting\"; reset (l 0)")
        .unwrap();
    interrupt_after(&mut repl, "shifting\r\n");
    repl.send_line("1 + 1").unwrap();
    repl.expect("- : int = 2")
        .expect("the session goes on after Ctrl-C");
    repl.send_line(":quit").unwrap();
    repl.expect(Eof).expect("the REPL ends");
    let _ = repl.wait();
    let _ = std::fs::remove_file(history_file());

    let program = std::env::temp_dir().join(format!("dlang-pty-shift-{}.dl", std::process::id()));
    std::fs::write(
        &program,
        "let rec l n = shift k -> l (n + 1)\nlet () = print \"shifting\"; reset (l 0)\n",
    )
    .expect("write the program");
    let mut command = Command::new(env!("CARGO_BIN_EXE_dlang"));
    command.arg("run").arg(&program).env("TERM", "xterm");
    let mut run = Session::spawn(command).expect("start dlang run on a pty");
    run.set_expect_timeout(Some(Duration::from_secs(60)));
    interrupt_after(&mut run, "shifting");
    run.expect(Eof).expect("the run ends");
    let status = run.wait().expect("wait for dlang");
    let _ = std::fs::remove_file(&program);
    assert!(
        matches!(status, WaitStatus::Exited(_, 1)),
        "dlang run exited with {status:?}"
    );
}
