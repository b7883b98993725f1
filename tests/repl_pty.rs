//! Drives `dlang repl` on a pseudo-terminal, as a person would: the prompt,
//! an answer, a `..>` continuation, an error followed by more input, Ctrl-C
//! stopping an endless loop without ending the session, and `:quit`; OCaml
//! layout typed line by line, `#use` and `#quit`, Tab completion, and a
//! byte that is not UTF-8.

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
    repl.expect("..> ")
        .expect("an input over several lines waits for an empty line");
    repl.send_line("").unwrap();
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

/// A history file of one test, removed when the test ends.
struct History(std::path::PathBuf);

impl Drop for History {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A REPL with a history file of its own, at its first prompt.
fn repl_at_prompt(tag: &str) -> (Session, History) {
    let history = History(history_file().with_extension(tag));
    let mut repl = start_repl_with_history(&history.0);
    repl.expect("# ").expect("the prompt");
    (repl, history)
}

/// Sends `line` and waits for `answer` (`why` says what it shows).
fn ask(repl: &mut Session, line: &str, answer: &str, why: &str) {
    repl.send_line(line).unwrap();
    repl.expect(answer)
        .unwrap_or_else(|e| panic!("{why}: no `{answer}` after {line:?}: {e}"));
}

/// Sends `line` and waits for the prompt that follows it.
fn type_line(repl: &mut Session, line: &str, prompt: &str) {
    repl.send_line(line).unwrap();
    repl.expect(prompt)
        .unwrap_or_else(|e| panic!("no `{prompt}` after {line:?}: {e}"));
}

fn quit(mut repl: Session) {
    repl.expect(Eof).expect("the REPL ends");
    let status = repl.wait().expect("wait for dlang");
    assert!(
        matches!(status, WaitStatus::Exited(_, 0)),
        "dlang repl exited with {status:?}"
    );
}

#[test]
fn ocaml_layout_typed_line_by_line() {
    let (mut repl, _history) = repl_at_prompt("layout");

    type_line(&mut repl, "type shape =", "..> ");
    type_line(&mut repl, "  | Circle of float", "..> ");
    type_line(&mut repl, "  | Square of float", "..> ");
    ask(
        &mut repl,
        "",
        "type shape = Circle of float | Square of float",
        "the whole type, at the empty line",
    );

    type_line(&mut repl, "let rec len l = match l with", "..> ");
    type_line(&mut repl, "  | [] -> 0", "..> ");
    ask(
        &mut repl,
        "  | _ :: t -> 1 + len t;;",
        "val len : 'a list -> int = <fun>",
        "the whole function, at `;;`",
    );
    ask(
        &mut repl,
        "len [Circle 1.0; Square 2.0]",
        "- : int = 2",
        "both arms were read",
    );

    type_line(&mut repl, "let area s =", "..> ");
    type_line(&mut repl, "  let pi = 3.0 in", "..> ");
    type_line(&mut repl, "  match s with", "..> ");
    type_line(&mut repl, "  | Circle r -> pi *. r *. r", "..> ");
    type_line(&mut repl, "  | Square a -> a *. a", "..> ");
    ask(
        &mut repl,
        "",
        "val area : shape -> float = <fun>",
        "a `let … in` over several lines",
    );

    type_line(&mut repl, "let broken x =", "..> ");
    ask(
        &mut repl,
        "  x + )",
        "[E101]",
        "a syntax error no line can mend ends the input at once",
    );

    ask(
        &mut repl,
        ":type area;;",
        "area : shape -> float",
        "`;;` after a command is ignored",
    );
    repl.send_line("#quit;;").unwrap();
    quit(repl);
}

#[test]
fn use_a_file_then_quit() {
    let dir = std::env::temp_dir().join(format!("dlang-pty-use-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("shapes.dl"), "let double x = 2 * x\n").expect("write file");
    let mut command = Command::new(env!("CARGO_BIN_EXE_dlang"));
    command
        .arg("repl")
        .current_dir(&dir)
        .env("DLANG_HISTORY", dir.join("history"))
        .env("TERM", "xterm");
    let mut repl = Session::spawn(command).expect("start dlang repl on a pty");
    repl.set_expect_timeout(Some(Duration::from_secs(60)));
    repl.expect("# ").expect("the prompt");
    ask(
        &mut repl,
        "#use \"shapes.dl\"",
        "val double : int -> int = <fun>",
        "#use loads the file",
    );
    ask(
        &mut repl,
        "double 21",
        "- : int = 42",
        "its bindings are in scope",
    );
    repl.send_line("#quit").unwrap();
    quit(repl);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tab_completes_names_and_module_members() {
    let (mut repl, _history) = repl_at_prompt("tab");
    repl.send_line("let my_answer = 41").unwrap();
    repl.expect("val my_answer : int = 41").unwrap();

    // A unique completion is inserted whole.
    repl.send("my_ans\t + 1\r").unwrap();
    repl.expect("- : int = 42")
        .expect("a name of the session completes");
    repl.send("List.fold_l\t").unwrap();
    repl.expect("List.fold_left")
        .expect("a member of a module not used yet");
    repl.send(" (+) 0 [1; 2]\r").unwrap();
    repl.expect("- : int = 3").expect("the completed line runs");

    // Several: the common part, then the list on a second Tab.
    repl.send("List.ma\t\t").unwrap();
    repl.expect("mapi").expect("the candidates are listed");
    repl.send(" (fun x -> x + 1) [1]\r").unwrap();
    repl.expect("- : int list = [2]")
        .expect("the first Tab inserted the common part, `map`");
    repl.send_line(":quit").unwrap();
    quit(repl);
}

#[test]
fn a_typed_byte_that_is_not_utf8_leaves_the_session_going() {
    let (mut repl, _history) = repl_at_prompt("utf8");
    // `send` takes text; the raw byte goes through `Write`.
    std::io::Write::write_all(&mut repl, b"\xff\r").unwrap();
    repl.expect("[E007]").expect("a coded diagnostic");
    ask(&mut repl, "1 + 2", "- : int = 3", "the session goes on");
    repl.send_line(":quit").unwrap();
    quit(repl);
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
/// Ctrl-C in the REPL and in `dlang run` on both backends (issue 15).
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
    // Compiled code polls Ctrl-C too (docs/jit.md, "Interruption").
    for backend in ["interp", "jit"] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dlang"));
        command
            .args(["run", "--backend", backend])
            .arg(&program)
            .env("TERM", "xterm");
        let mut run = Session::spawn(command).expect("start dlang run on a pty");
        run.set_expect_timeout(Some(Duration::from_secs(60)));
        interrupt_after(&mut run, "shifting");
        run.expect(Eof).expect("the run ends");
        let status = run.wait().expect("wait for dlang");
        assert!(
            matches!(status, WaitStatus::Exited(_, 1)),
            "dlang run --backend {backend} exited with {status:?}"
        );
    }
    let _ = std::fs::remove_file(&program);
}
