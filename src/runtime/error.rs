//! Run-time errors (`R0xx`): every backend builds them with the named
//! constructors below, so each error's code, and the wording of the
//! errors every backend can meet, are decided here.
//!
//! | code | kind | raised by |
//! |---|---|---|
//! | R001 | [`ErrorKind::DivisionByZero`] | int `/` and `%` by zero |
//! | R002 | [`ErrorKind::IntegerOverflow`] | int arithmetic, unary `-`, `abs` |
//! | R003 | [`ErrorKind::IndexOutOfRange`] | arrays, `List.nth`, `String.sub`, `Tensor.get`, ... |
//! | R004 | [`ErrorKind::MatchFailure`] | `match`, refutable `let` patterns |
//! | R005 | [`ErrorKind::StackOverflow`] | recursion past the backend's limit |
//! | R006 | [`ErrorKind::Interrupted`] | Ctrl-C |
//! | R007 | [`ErrorKind::Io`] | files, standard output |
//! | R008 | [`ErrorKind::BadArgument`] | a primitive refusing a well-typed argument, comparing functions |
//! | R009 | — | (`failwith` before exceptions; no longer raised) |
//! | R010 | [`ErrorKind::GradEscaped`] | a `grad` or `jvp` left through a continuation |
//! | R011 | [`ErrorKind::Shape`] | tensor shapes, a `jvp` direction unlike its point |
//! | R012 | [`ErrorKind::BadNpy`] | `Tensor.load_npy` on a file it cannot read as an array, `NN.load` on one unlike its structure |
//! | R013 | [`ErrorKind::HigherOrderUnsupported`] | second derivatives through `conv2d`, `max_pool2d` |
//! | R014 | [`ErrorKind::Exception`] | an exception no `try` caught (`raise`, `failwith`, `assert`, …) |
//! | R015 | [`ErrorKind::OutOfMemory`] | the program passing the memory limit (`--max-memory`) |
//! | R099 | [`ErrorKind::Internal`] | a broken invariant the checker should have ruled out: a bug to report |
//!
//! Primitives return an error without a location; the backend fills in
//! the span of the expression being evaluated and reports the dlang call
//! stack ([`RuntimeError::with_call_stack`]) before it reaches the user.

pub use super::call_stack::CALL_STACK_SHOWN;
use super::call_stack::{grouped, CallStack, FOLDED_AFTER};
use crate::diagnostics::{Diagnostic, NotePart};
use crate::runtime::exn::describe;
use crate::runtime::print::show_abbreviated;
use crate::runtime::value::Value;
use crate::syntax::ast::{BinOp, Span};

/// What went wrong, which decides the code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    DivisionByZero,
    IntegerOverflow,
    IndexOutOfRange,
    MatchFailure,
    StackOverflow,
    Interrupted,
    Io,
    BadArgument,
    GradEscaped,
    Shape,
    BadNpy,
    HigherOrderUnsupported,
    Exception,
    OutOfMemory,
    Internal,
}

impl ErrorKind {
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::DivisionByZero => "R001",
            ErrorKind::IntegerOverflow => "R002",
            ErrorKind::IndexOutOfRange => "R003",
            ErrorKind::MatchFailure => "R004",
            ErrorKind::StackOverflow => "R005",
            ErrorKind::Interrupted => "R006",
            ErrorKind::Io => "R007",
            ErrorKind::BadArgument => "R008",
            ErrorKind::GradEscaped => "R010",
            ErrorKind::Shape => "R011",
            ErrorKind::BadNpy => "R012",
            ErrorKind::HigherOrderUnsupported => "R013",
            ErrorKind::Exception => "R014",
            ErrorKind::OutOfMemory => "R015",
            ErrorKind::Internal => "R099",
        }
    }
}

/// What a value failed to match (R004).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unmatched {
    /// The arms of a `match`.
    Arms,
    /// The pattern of a local `let` or of a parameter.
    Pattern,
    /// The pattern of a top-level `let`.
    TopLevelLet,
}

/// Nesting every backend supports at least (docs/language.md): the
/// stack-overflow message names it, since a backend's own limit (frames,
/// bytes) means nothing to a user.
pub const GUARANTEED_CALL_DEPTH: usize = 1_000_000;

#[derive(Clone, Debug, PartialEq)]
pub struct RuntimeError {
    /// Stable code, e.g. `R001` (see [`ErrorKind::code`]).
    pub code: &'static str,
    pub message: String,
    pub span: Option<Span>,
    /// The calls active when it happened, innermost first.
    pub stack: CallStack,
    /// The exception, when the error is one being raised: a `try` may
    /// catch it, while every other error stops the run. Boxed, so that
    /// every other error stays as small as it was.
    pub raised: Option<Box<Raised>>,
}

/// An exception on its way to a handler.
#[derive(Clone)]
pub struct Raised {
    pub value: Value,
    /// The call stack was recorded where the exception was raised, before
    /// a `try` that did not match it unwound the frames.
    pub stack_kept: bool,
}

impl std::fmt::Debug for Raised {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Raised({})", describe(&self.value))
    }
}

impl PartialEq for Raised {
    fn eq(&self, other: &Raised) -> bool {
        self.stack_kept == other.stack_kept && describe(&self.value) == describe(&other.value)
    }
}

impl RuntimeError {
    fn of(kind: ErrorKind, message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            code: kind.code(),
            message: message.into(),
            span: None,
            stack: CallStack::default(),
            raised: None,
        }
    }

    /// Raising the exception `exn` (a value of type `exn`).
    pub fn raise(exn: Value) -> RuntimeError {
        let mut e = Self::of(
            ErrorKind::Exception,
            format!("uncaught exception {}", describe(&exn)),
        );
        e.raised = Some(Box::new(Raised {
            value: exn,
            stack_kept: false,
        }));
        e
    }

    /// Int `/` (`op` = `/`) or `%` by zero.
    pub fn division_by_zero(op: BinOp) -> RuntimeError {
        match op {
            BinOp::Mod => Self::of(ErrorKind::DivisionByZero, "division by zero in `%`"),
            _ => Self::of(ErrorKind::DivisionByZero, "division by zero"),
        }
    }

    /// `operation` overflowed: "`+`", "unary `-`", "`abs`".
    pub fn integer_overflow(operation: &str) -> RuntimeError {
        Self::of(
            ErrorKind::IntegerOverflow,
            format!("integer overflow in {operation}"),
        )
    }

    /// `a.(i)` or `a.(i) <- v` beyond the array.
    pub fn index_out_of_range(index: i64, len: usize) -> RuntimeError {
        Self::of(
            ErrorKind::IndexOutOfRange,
            format!("index out of range: index {index} in an array of length {len}"),
        )
    }

    /// A primitive's index beyond its operand; `message` names both.
    pub fn out_of_range(message: impl Into<String>) -> RuntimeError {
        Self::of(ErrorKind::IndexOutOfRange, message)
    }

    /// `value` matched no arm of a `match`, or not the pattern of a
    /// `let` or parameter (`what`): shown abbreviated.
    pub fn match_failure(what: Unmatched, value: &Value) -> RuntimeError {
        let value = show_abbreviated(value);
        Self::of(
            ErrorKind::MatchFailure,
            match what {
                Unmatched::Arms => format!("match failure: no pattern matches the value `{value}`"),
                Unmatched::Pattern => {
                    format!("match failure: the value `{value}` does not match this pattern")
                }
                Unmatched::TopLevelLet => format!(
                    "match failure: the value `{value}` does not match the pattern of this `let`"
                ),
            },
        )
    }

    pub fn stack_overflow() -> RuntimeError {
        Self::of(
            ErrorKind::StackOverflow,
            format!(
                "stack overflow: recursion too deep (dlang allows at least {GUARANTEED_CALL_DEPTH} nested calls)"
            ),
        )
    }

    pub fn interrupted() -> RuntimeError {
        Self::of(ErrorKind::Interrupted, "interrupted")
    }

    /// A file or stream operation failed; `message` names the path.
    pub fn io(message: impl Into<String>) -> RuntimeError {
        Self::of(ErrorKind::Io, message)
    }

    /// A primitive refuses an argument of the right type (`Random.int 0`,
    /// `List.hd []`, comparing functions); `message` says which and why.
    pub fn bad_argument(message: impl Into<String>) -> RuntimeError {
        Self::of(ErrorKind::BadArgument, message)
    }

    pub fn grad_escaped() -> RuntimeError {
        Self::of(
            ErrorKind::GradEscaped,
            "a `grad` or `jvp` was left through a continuation captured inside it",
        )
    }

    /// Shapes that do not fit; `message` names the operation and shapes.
    pub fn shape(message: impl Into<String>) -> RuntimeError {
        Self::of(ErrorKind::Shape, message)
    }

    pub fn bad_npy(message: impl Into<String>) -> RuntimeError {
        Self::of(ErrorKind::BadNpy, message)
    }

    /// A second derivative through `operation`, which has only a first.
    pub fn higher_order_unsupported(operation: &str) -> RuntimeError {
        Self::of(
            ErrorKind::HigherOrderUnsupported,
            format!("higher-order derivatives through `{operation}` are not supported"),
        )
    }

    /// The process uses more memory than the limit allows
    /// ([`super::memory`]).
    pub fn out_of_memory() -> RuntimeError {
        Self::of(
            ErrorKind::OutOfMemory,
            format!(
                "out of memory: the program uses more than the limit of {} (see `--max-memory`)",
                super::memory::show_bytes(super::memory::limit())
            ),
        )
    }

    /// A broken invariant: a value of the wrong kind where the checker
    /// guarantees the kind, a missing frame. Never the user's fault.
    pub fn internal(what: impl std::fmt::Display) -> RuntimeError {
        Self::of(
            ErrorKind::Internal,
            format!("internal error (please report it): {what}"),
        )
    }

    pub fn at(mut self, span: Span) -> RuntimeError {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }

    /// Records the dlang functions active when the error happened.
    pub fn with_call_stack(mut self, stack: CallStack) -> RuntimeError {
        self.stack = stack;
        self
    }

    /// The error as the user sees it: its place, and the call stack with
    /// the place of every call. An error raised inside the standard
    /// library is shown at the user's call into it ([`Diagnostic::calls`]).
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut d = Diagnostic::error(self.code, self.message.clone());
        if let Some(span) = self.span {
            d = d.with_label(span, "raised here");
        }
        if !self.stack.is_empty() {
            d = d
                .with_calls(self.stack.frames.iter().map(|f| f.call).collect())
                .with_placed_note(self.call_stack_note());
        }
        d
    }

    /// `in f, called at file:line:col` per call, a run of one call longer
    /// than [`FOLDED_AFTER`] as its first line and a count. The depth a
    /// stack overflow reached is the backend's limit (frames on the
    /// interpreter, stack bytes on the JIT), not the program's: R005
    /// says "as deep as the stack allows" instead of a count.
    fn call_stack_note(&self) -> Vec<NotePart> {
        let exhausted = self.code == ErrorKind::StackOverflow.code();
        let count = |n: usize, what: &str| {
            if exhausted {
                format!("\n  … more {what}, as deep as the stack allows")
            } else {
                format!("\n  … {} more {what}", grouped(n))
            }
        };
        let mut parts = vec![NotePart::Text(
            "dlang call stack, innermost first:".to_string(),
        )];
        for frame in &self.stack.frames {
            let shown = if frame.times > FOLDED_AFTER {
                1
            } else {
                frame.times
            };
            for _ in 0..shown {
                parts.push(NotePart::Text(format!("\n  in {}, called at ", frame.name)));
                parts.push(NotePart::Place(frame.call));
            }
            if frame.times > FOLDED_AFTER {
                let what = format!("calls of {} from the same place", frame.name);
                parts.push(NotePart::Text(count(frame.times - 1, &what)));
            }
        }
        if self.stack.omitted > 0 {
            let what = if self.stack.omitted == 1 {
                "call"
            } else {
                "calls"
            };
            parts.push(NotePart::Text(count(self.stack.omitted, what)));
        }
        parts
    }
}
