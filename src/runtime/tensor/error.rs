//! Shape errors: every tensor operation reports a mismatch as a value,
//! never a panic, naming the operation and the shapes involved; the
//! interpreter reports it as R011 at the dlang span of the call.

use std::fmt;

use super::shape::MAX_RANK;

/// Why an operation refused its operands.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// The two shapes do not broadcast (NumPy's rule).
    Broadcast,
    /// The shapes do not fit this operation (`@`, `concat`, …); the text
    /// says which dimensions disagree.
    Mismatch(String),
    /// A single operand is unsuitable (a bad axis, an empty tensor, …);
    /// `right` is empty.
    Invalid(String),
    /// An index, row, slice or class beyond the tensor's extent; reported
    /// as an index error (R003) like an array index, not a shape error.
    OutOfRange(String),
    /// The result would break a limit every tensor keeps (its rank or its
    /// element count, `shape::checked_numel`); `left` is the result's shape.
    Limit(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ShapeError {
    /// The operation's name as the runtime calls it (`add`, `matmul`, `reshape`).
    pub op: &'static str,
    pub left: Vec<usize>,
    pub right: Vec<usize>,
    pub problem: Problem,
}

impl ShapeError {
    pub fn broadcast(op: &'static str, left: &[usize], right: &[usize]) -> Self {
        ShapeError {
            op,
            left: left.to_vec(),
            right: right.to_vec(),
            problem: Problem::Broadcast,
        }
    }

    pub fn mismatch(
        op: &'static str,
        left: &[usize],
        right: &[usize],
        why: impl Into<String>,
    ) -> Self {
        ShapeError {
            op,
            left: left.to_vec(),
            right: right.to_vec(),
            problem: Problem::Mismatch(why.into()),
        }
    }

    pub fn invalid(op: &'static str, shape: &[usize], why: impl Into<String>) -> Self {
        ShapeError {
            op,
            left: shape.to_vec(),
            right: Vec::new(),
            problem: Problem::Invalid(why.into()),
        }
    }
}

impl ShapeError {
    pub fn limit(op: &'static str, result: &[usize], why: impl Into<String>) -> Self {
        ShapeError {
            op,
            left: result.to_vec(),
            right: Vec::new(),
            problem: Problem::Limit(why.into()),
        }
    }

    pub fn out_of_range(op: &'static str, shape: &[usize], why: impl Into<String>) -> Self {
        ShapeError {
            op,
            left: shape.to_vec(),
            right: Vec::new(),
            problem: Problem::OutOfRange(why.into()),
        }
    }

    /// An index (`what`: "index", "row", "class", …) past the end of the
    /// tensor's extent or negative: both are the same error (R003).
    pub fn index_out_of_range(
        op: &'static str,
        shape: &[usize],
        what: &str,
        index: impl fmt::Display,
    ) -> Self {
        ShapeError::out_of_range(op, shape, format!("{what} {index} is out of range"))
    }

    /// An axis the tensor does not have, past its rank or negative.
    pub fn no_axis(op: &'static str, shape: &[usize], axis: impl fmt::Display) -> Self {
        ShapeError::invalid(op, shape, format!("axis {axis} does not exist"))
    }
}

/// A shape (or an index) as dlang writes an `int list`: `[2; 3]`.
pub fn show_shape(shape: &[impl fmt::Display]) -> String {
    let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join("; "))
}

/// How the user wrote the operation: infix operators by their symbol,
/// everything else by its `Tensor.` name.
fn surface_name(op: &str) -> String {
    match op {
        "add" => "+".to_string(),
        "sub" => "-".to_string(),
        "mul" => "*".to_string(),
        "div" => "/".to_string(),
        "matmul" => "@".to_string(),
        "pow" => "**".to_string(),
        other => format!("Tensor.{other}"),
    }
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = surface_name(self.op);
        let (left, right) = (show_shape(&self.left), show_shape(&self.right));
        match &self.problem {
            Problem::Broadcast => write!(f, "cannot broadcast shapes {left} and {right} in `{op}`"),
            Problem::Mismatch(why) => {
                write!(f, "shapes {left} and {right} do not fit `{op}`: {why}")
            }
            Problem::Invalid(why) | Problem::OutOfRange(why) => {
                write!(f, "`{op}` on a tensor of shape {left}: {why}")
            }
            // A shape of too many axes is not worth printing whole.
            Problem::Limit(why) if self.left.len() > MAX_RANK => {
                write!(f, "the result of `{op}` {why}")
            }
            Problem::Limit(why) => write!(f, "the result of `{op}`, of shape {left}, {why}"),
        }
    }
}

impl std::error::Error for ShapeError {}

pub type TensorResult<T> = Result<T, ShapeError>;
