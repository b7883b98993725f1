//! How values print (§8): the text of `print`, `show` and the REPL.
//!
//! The layout follows OCaml's toplevel (`Some (-3)`, `Node (Leaf 1, Leaf
//! 2)`, `[|1; 2|]`), floats the shortest round-trip digits laid out as
//! JavaScript's `Number.prototype.toString` does. Printing uses an explicit
//! task stack, so a million-element list or a million-deep tree prints
//! without recursing in Rust.

use std::collections::HashSet;
use std::rc::Rc;

use super::value::Value;

/// The text of `print v` / `show v`: a string at top level prints raw.
pub fn show(v: &Value) -> String {
    render(v, Position::TopLevel, usize::MAX)
}

/// Like [`show`], but a string is quoted even at top level (the REPL's
/// `- : string = "hi"`).
pub fn show_quoted(v: &Value) -> String {
    render(v, Position::Inside, usize::MAX)
}

/// Characters of [`show_abbreviated`] before it stops.
pub const ABBREVIATED_CHARS: usize = 60;

/// [`show_quoted`] cut after [`ABBREVIATED_CHARS`] characters, ending in
/// `…` if cut (an error message names a value this way). A long list or
/// a deep tree is not printed past the cut.
pub fn show_abbreviated(v: &Value) -> String {
    render(v, Position::Inside, ABBREVIATED_CHARS)
}

/// Where a value appears, which decides quoting and parentheses.
#[derive(Clone, Copy, PartialEq)]
enum Position {
    TopLevel,
    Inside,
    /// The argument of a constructor or of `ref`: applications and
    /// negative numbers get parentheses.
    Argument,
}

enum Task {
    Show(Value, Position),
    Text(&'static str),
    /// The rest of a list after its first element, `Nil` or `Cons`.
    ListRest(Value),
    /// `name = ` of a record field, after `; ` unless it is the first.
    FieldLabel(Rc<str>, bool),
    /// Done with the contents of the mutable cell at this address.
    LeaveCell(usize),
    /// A record's `mutable` field: its cell, shown as what it holds.
    FieldCell(Value),
}

/// The text of `root`, stopped once longer than `limit` characters.
fn render(root: &Value, position: Position, limit: usize) -> String {
    let mut out = String::new();
    let mut tasks = vec![Task::Show(root.clone(), position)];
    // Refs and arrays being printed: only through them can a value
    // contain itself, and such a cycle prints as `...`.
    let mut open_cells: HashSet<usize> = HashSet::new();
    while let Some(task) = tasks.pop() {
        if out.len() > limit && out.chars().count() > limit {
            break;
        }
        match task {
            Task::Text(text) => out.push_str(text),
            Task::LeaveCell(address) => {
                open_cells.remove(&address);
            }
            Task::FieldLabel(name, first) => {
                if !first {
                    out.push_str("; ");
                }
                out.push_str(&name);
                out.push_str(" = ");
            }
            Task::ListRest(rest) => {
                if let Value::Cons(cell) = rest {
                    out.push_str("; ");
                    tasks.push(Task::ListRest(cell.tail.clone()));
                    tasks.push(Task::Show(cell.head.clone(), Position::Inside));
                }
            }
            Task::FieldCell(cell) => {
                if !enter_cell(&cell, &mut open_cells, &mut out, &mut tasks) {
                    continue;
                }
                if let Value::Ref(contents) = &cell {
                    tasks.push(Task::Show(contents.borrow().clone(), Position::Inside));
                }
            }
            Task::Show(v, position) => {
                if !enter_cell(&v, &mut open_cells, &mut out, &mut tasks) {
                    continue;
                }
                if position == Position::Argument && needs_parentheses(&v) {
                    out.push('(');
                    tasks.push(Task::Text(")"));
                }
                render_one(&v, position, &mut out, &mut tasks);
            }
        }
    }
    if let Some((cut, _)) = out.char_indices().nth(limit) {
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// Marks the cell `v` is (if it is one) as being printed; false, having
/// printed `...`, when it already is: the value contains itself.
fn enter_cell(
    v: &Value,
    open_cells: &mut HashSet<usize>,
    out: &mut String,
    tasks: &mut Vec<Task>,
) -> bool {
    if let Some(address) = cell_address(v) {
        if !open_cells.insert(address) {
            out.push_str("...");
            return false;
        }
        tasks.push(Task::LeaveCell(address));
    }
    true
}

/// Writes the atomic part of `v` to `out` and schedules its components.
/// Tasks are pushed in reverse, since the last pushed runs first.
fn render_one(v: &Value, position: Position, out: &mut String, tasks: &mut Vec<Task>) {
    match v {
        Value::Unit => out.push_str("()"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => out.push_str(&n.to_string()),
        Value::Float(x) => out.push_str(&format_float(*x)),
        Value::Str(s) => {
            if position == Position::TopLevel {
                out.push_str(s);
            } else {
                push_quoted(out, s);
            }
        }
        Value::Tuple(items) => {
            out.push('(');
            tasks.push(Task::Text(")"));
            push_separated(tasks, items.iter().cloned(), ", ");
        }
        Value::Nil => out.push_str("[]"),
        Value::Cons(cell) => {
            out.push('[');
            tasks.push(Task::Text("]"));
            tasks.push(Task::ListRest(cell.tail.clone()));
            tasks.push(Task::Show(cell.head.clone(), Position::Inside));
        }
        Value::Array(items) => {
            out.push_str("[|");
            tasks.push(Task::Text("|]"));
            push_separated(tasks, items.borrow().iter().cloned(), "; ");
        }
        Value::Ref(cell) => {
            out.push_str("ref ");
            tasks.push(Task::Show(cell.borrow().clone(), Position::Argument));
        }
        Value::Record(record) => {
            out.push_str("{ ");
            tasks.push(Task::Text(" }"));
            let fields = record.layout.names().iter().zip(record.slots());
            for (i, (name, slot)) in fields.enumerate().rev() {
                tasks.push(if record.layout.is_mutable(i) {
                    Task::FieldCell(slot.clone())
                } else {
                    Task::Show(slot.clone(), Position::Inside)
                });
                tasks.push(Task::FieldLabel(name.clone(), i == 0));
            }
        }
        Value::Variant(variant) => {
            out.push_str(&variant.name);
            if let Some(arg) = &variant.arg {
                out.push(' ');
                tasks.push(Task::Show(arg.clone(), Position::Argument));
            }
        }
        Value::Closure(_) | Value::Builtin(_) | Value::Continuation(_) => out.push_str("<fun>"),
        Value::Tensor(t) => out.push_str(&crate::runtime::tensor::print::show_tensor(t)),
        Value::Optimizer(_) => out.push_str("<optimizer>"),
        // A differentiated float prints as its value.
        Value::Tracked(_) => {
            tasks.push(Task::Show(crate::runtime::ad::primal(v).clone(), position))
        }
    }
}

fn push_separated(
    tasks: &mut Vec<Task>,
    items: impl DoubleEndedIterator<Item = Value> + ExactSizeIterator,
    separator: &'static str,
) {
    for (i, item) in items.enumerate().rev() {
        tasks.push(Task::Show(item, Position::Inside));
        if i > 0 {
            tasks.push(Task::Text(separator));
        }
    }
}

fn cell_address(v: &Value) -> Option<usize> {
    match v {
        Value::Ref(cell) => Some(Rc::as_ptr(cell) as *const () as usize),
        Value::Array(items) => Some(Rc::as_ptr(items) as *const () as usize),
        _ => None,
    }
}

fn needs_parentheses(v: &Value) -> bool {
    match v {
        Value::Int(n) => *n < 0,
        Value::Float(x) => x.is_sign_negative() && !x.is_nan(),
        Value::Variant(variant) => variant.arg.is_some(),
        Value::Ref(_) => true,
        _ => false,
    }
}

/// A string literal as OCaml writes it: `"a\"b\n"`. Non-ASCII characters
/// stay as they are (the source is UTF-8), other control characters
/// become `\ddd`.
fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\{:03}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The shortest text that reads back to the same `f64`, always with a `.`
/// or an exponent: positional when the decimal exponent is in -7 < e < 21
/// (`0.000001`, `123456789.0`), otherwise `1e-7`, `1.5e21`.
pub fn format_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    // `{:e}` gives the shortest round-trip digits: `-1.2345e-7`.
    let scientific = format!("{:e}", x);
    let (sign, unsigned) = match scientific.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", scientific.as_str()),
    };
    let (mantissa, exponent) = unsigned.split_once('e').unwrap_or((unsigned, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let body = if !(-6..21).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        if rest.is_empty() {
            format!("{first}e{exponent}")
        } else {
            format!("{first}.{rest}e{exponent}")
        }
    } else if exponent < 0 {
        let zeros = "0".repeat((-exponent - 1) as usize);
        format!("0.{zeros}{digits}")
    } else {
        let int_len = exponent as usize + 1;
        if digits.len() <= int_len {
            let zeros = "0".repeat(int_len - digits.len());
            format!("{digits}{zeros}.0")
        } else {
            let (int_part, frac_part) = digits.split_at(int_len);
            format!("{int_part}.{frac_part}")
        }
    };
    format!("{sign}{body}")
}
