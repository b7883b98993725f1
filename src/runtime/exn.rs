//! Exceptions at run time: the built-in constructors of `exn` and how an
//! exception is named when it reaches the top (R014).
//!
//! An exception is an ordinary variant value of type `exn`; raising it
//! is a [`RuntimeError`] carrying it ([`RuntimeError::raise`]), which a
//! backend's `try` catches and every other error passes by.

use std::rc::Rc;

use super::error::RuntimeError;
use super::print::show_quoted;
use super::value::Value;

/// The built-in exceptions, in tag order, with their argument types as
/// the checker reads them (`""`: no argument). User exceptions get the
/// tags after these.
pub const BUILTIN_EXCEPTIONS: &[(&str, &str)] = &[
    ("Failure", "string"),
    ("Invalid_argument", "string"),
    ("Not_found", ""),
    ("Exit", ""),
    ("Assert_failure", "string * int * int"),
];

const FAILURE: u32 = 0;
const INVALID_ARGUMENT: u32 = 1;
const ASSERT_FAILURE: u32 = 4;

fn builtin(tag: u32, arg: Option<Value>) -> Value {
    let name = BUILTIN_EXCEPTIONS
        .get(tag as usize)
        .map_or("?", |(name, _)| name);
    Value::variant(tag, Rc::from(name), arg)
}

/// `failwith message`: raises `Failure message`.
pub fn failure(message: impl AsRef<str>) -> RuntimeError {
    RuntimeError::raise(builtin(FAILURE, Some(Value::string(message.as_ref()))))
}

/// `invalid_arg message`: raises `Invalid_argument message`.
pub fn invalid_argument(message: impl AsRef<str>) -> RuntimeError {
    RuntimeError::raise(builtin(
        INVALID_ARGUMENT,
        Some(Value::string(message.as_ref())),
    ))
}

/// What a false `assert` raises: `Assert_failure (file, line, column)`.
pub fn assert_failure(file: &str, line: i64, column: i64) -> Value {
    let site = Value::Tuple(Rc::from(vec![
        Value::string(file),
        Value::Int(line),
        Value::Int(column),
    ]));
    builtin(ASSERT_FAILURE, Some(site))
}

/// The exception as OCaml's `Printexc.to_string` names it: the
/// constructor, then its argument's components in parentheses
/// (`Failure("boom")`, `Assert_failure("f.dl", 3, 4)`, `Not_found`). A
/// component prints as `show` prints it inside a structure (OCaml prints
/// `_` for what is not a number or a string).
pub fn describe(exn: &Value) -> String {
    let Value::Variant(v) = exn else {
        return show_quoted(exn);
    };
    match &v.arg {
        None => v.name.to_string(),
        Some(Value::Tuple(parts)) => {
            let parts: Vec<String> = parts.iter().map(show_quoted).collect();
            format!("{}({})", v.name, parts.join(", "))
        }
        Some(arg) => format!("{}({})", v.name, show_quoted(arg)),
    }
}
