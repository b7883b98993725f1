//! Ctrl-C heard on both backends: a real SIGINT sent to `dlang run`
//! while it runs an endless loop, an endless (tail) recursion, a loop
//! under `grad`, and endless work inside `reset`/`shift`. Each program
//! prints a first line before it loops, so the signal is sent once the
//! loop surely runs (a signal sent before the handler is installed would
//! kill the process instead); both backends must then end with R006,
//! the same stderr and the same exit status.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a run printed after its first line, once interrupted.
#[derive(Debug, PartialEq)]
struct Interrupted {
    stderr: String,
    status: Option<i32>,
}

fn program(name: &str, source: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dlang-interrupt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join(format!("{name}.dl"));
    std::fs::write(&path, source).expect("write the program");
    path
}

fn interrupt(path: &PathBuf, backend: &str) -> Interrupted {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dlang"))
        .args(["run", "--backend", backend])
        .arg(path)
        .current_dir(path.parent().expect("a directory"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start dlang");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("the first line");
    assert!(
        !first.is_empty(),
        "{backend}: the program ended before its loop"
    );
    // The line is printed just before the loop starts: a moment more and
    // it surely runs.
    std::thread::sleep(Duration::from_millis(200));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -INT failed");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for dlang") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{backend}: Ctrl-C went unheard for 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("read stderr");
    Interrupted {
        stderr,
        status: status.code(),
    }
}

/// Both backends stop with R006 and the same status; their stderr.
fn heard(name: &str, source: &str) -> (Interrupted, Interrupted) {
    let path = program(name, source);
    let interp = interrupt(&path, "interp");
    let jit = interrupt(&path, "jit");
    for (backend, out) in [("interp", &interp), ("jit", &jit)] {
        assert!(
            out.stderr.starts_with("[R006]"),
            "{backend}: {}",
            out.stderr
        );
    }
    assert_eq!(interp.status, jit.status, "{name}: the statuses differ");
    (interp, jit)
}

/// Both backends stop with R006 and the same stderr and status.
fn heard_alike(name: &str, source: &str) -> Interrupted {
    let (interp, jit) = heard(name, source);
    assert_eq!(interp, jit, "{name}: the backends differ");
    interp
}

/// [`heard_alike`], with the call stack naming `function`'s frame.
fn heard_in(function: &str, name: &str, source: &str) {
    let out = heard_alike(name, source);
    let frame = format!("in {function}, called at");
    assert!(out.stderr.contains(&frame), "{}", out.stderr);
}

#[test]
fn an_endless_loop() {
    let out = heard_alike(
        "loop",
        "let () = print \"looping\"\nlet () = while true do () done\n",
    );
    assert_eq!(out.status, Some(1));
}

#[test]
fn an_endless_for_loop_in_a_function() {
    heard_in(
        "count",
        "for_loop",
        "let count () =\n  let n = ref 0 in\n  while true do\n    for i = 1 to 1000 do n := !n + i done;\n    n := 0\n  done\nlet () = print \"counting\"\nlet () = count ()\n",
    );
}

#[test]
fn an_endless_recursion() {
    heard_in(
        "spin",
        "recursion",
        "let rec spin n = spin (n + 1)\nlet () = print \"spinning\"\nlet () = spin 0\n",
    );
}

#[test]
fn an_endless_mutual_recursion() {
    // Ctrl-C lands in whichever of the two is running, on either backend:
    // the one frame (each tail call replaces the last) names `ping` or
    // `pong`, at the same call site.
    let (interp, jit) = heard(
        "mutual",
        "let rec ping n = pong (n + 1)\nand pong n = ping (n + 1)\nlet () = print \"bouncing\"\nlet () = ping 0\n",
    );
    let either = |out: &Interrupted| out.stderr.replace("in pong,", "in ping,");
    assert_eq!(either(&interp), either(&jit), "mutual: the backends differ");
    assert!(
        either(&interp).contains("in ping, called at"),
        "{}",
        interp.stderr
    );
}

#[test]
fn a_loop_under_grad() {
    heard_alike(
        "grad_loop",
        "let f x =\n  let r = ref x in\n  let i = ref 0 in\n  while true do r := !r *. 1.0; i := !i + 1; if !i = 0 then print \"never\" done;\n  !r\nlet () = print \"differentiating\"\nlet () = print (grad f 1.0)\n",
    );
}

#[test]
fn a_loop_in_a_shift_body() {
    heard_alike(
        "shift_body",
        "let () = print \"shifting\"\nlet () = print (reset (1 + shift k -> (while true do () done; k 1)))\n",
    );
}

#[test]
fn a_loop_in_a_continuation() {
    heard_alike(
        "continuation",
        "let () = print \"resuming\"\nlet () = print (reset (let x = shift k -> k 1 in while x > 0 do () done; x))\n",
    );
}

/// Endless `shift`s, each calling on from the previous one's body. The
/// call stacks differ here, as for any error in such a call (an R001
/// there shows the same difference): the JIT names the call from the
/// `reset`, the interpreter the call in the `shift` body. That is the CPS
/// lowering's call spans, not interruption; so only R006 and the status
/// are compared.
#[test]
fn an_endless_loop_of_shifts() {
    heard(
        "shifts",
        "let rec l n = if n < 0 then () else shift k -> l (n + 1)\nlet () = print \"shifting\"\nlet () = reset (l 0)\n",
    );
}
