//! `Progress` at a terminal (stderr on a pseudo-terminal): the bar in
//! tqdm's layout, with the description, count, rate and postfix, and a
//! line printed while the bar is up lands on a line of its own. The plain
//! form, for a stderr that is not a terminal, is golden-tested
//! (tests/golden/progress/).

use expectrl::{Eof, Session};
use std::process::Command;
use std::time::Duration;

#[test]
fn the_bar_is_drawn_at_a_terminal() {
    let path = std::env::temp_dir().join(format!("dlang-progress-pty-{}.dl", std::process::id()));
    std::fs::write(
        &path,
        "let p = Progress.create 4\n\
         let () = Progress.set_description p \"epoch 1\"\n\
         let () = Progress.update p\n\
         let () = Progress.set_postfix p \"loss 0.5\"\n\
         let () = print \"between\"\n\
         let () = Progress.update_by p 3\n\
         let () = Progress.finish p\n",
    )
    .expect("write the test program");
    let mut command = Command::new(env!("CARGO_BIN_EXE_dlang"));
    command.arg("run").arg(&path).env("TERM", "xterm");
    let mut session = Session::spawn(command).expect("start dlang on a pty");
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    session.expect("between").expect("the printed line");
    session
        .expect("epoch 1: 100%|")
        .expect("the finished bar with its description");
    session.expect("| 4/4 [").expect("the count");
    session
        .expect("/s] loss 0.5")
        .expect("the rate and the postfix");
    session.expect(Eof).expect("the program ends");
    let _ = std::fs::remove_file(&path);
}
