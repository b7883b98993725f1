//! `Plot.*` primitives: the checks stdlib/plot.dl makes as a figure is
//! built, and `render`, which saves the figure it has built
//! ([`crate::runtime::plot`]).

use super::args;
use crate::runtime::ad::primal;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::plot::{self, Figure, Mark, Series};
use crate::runtime::tensor::error::show_shape;
use crate::runtime::tensor_ops::as_tensor;
use crate::runtime::value::Value;

type Outcome = Result<Value, RuntimeError>;

/// The floats of the `float list` argument `i` (the values of tracked
/// ones: a plot passes no gradient).
fn floats(a: &[Value], i: usize) -> Result<Vec<f64>, RuntimeError> {
    args::list(a, i)?
        .iter()
        .map(|v| match primal(v) {
            Value::Float(x) => Ok(*x),
            _ => Err(RuntimeError::internal("Plot: expected a float list")),
        })
        .collect()
}

/// `check_size width height`: R008 unless both are within
/// [`plot::SIZE_LIMITS`].
pub fn check_size(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    plot::size(args::int(a, 0)?, args::int(a, 1)?).map(|_| Value::Unit)
}

/// `check_series caller label xs ys`: the checks of [`plot::points`].
pub fn check_series(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let xs = floats(a, 2)?;
    let ys = floats(a, 3)?;
    plot::points(&args::string(a, 0)?, &args::string(a, 1)?, &xs, &ys).map(|_| Value::Unit)
}

/// `tensor_points caller t`: the elements of the 1-D tensor `t` (R011 for
/// another rank).
pub fn tensor_points(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let caller = args::string(a, 0)?;
    let tensor = as_tensor(primal(args::any(a, 1)?), &caller)?;
    if tensor.shape().len() != 1 {
        return Err(RuntimeError::shape(format!(
            "{caller}: expected a 1-D tensor, got one of shape {}",
            show_shape(tensor.shape())
        )));
    }
    Ok(Value::list_from(
        tensor.data().iter().map(|&x| Value::Float(f64::from(x))),
    ))
}

/// `render path title xlabel ylabel width height series`, each series a
/// `(label, is_scatter, xs, ys)`: [`plot::save`].
pub fn render(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let (width, height) = plot::size(args::int(a, 4)?, args::int(a, 5)?)?;
    let series = args::list(a, 6)?
        .iter()
        .map(read_series)
        .collect::<Result<Vec<_>, _>>()?;
    let figure = Figure {
        title: args::string(a, 1)?.to_string(),
        x_label: args::string(a, 2)?.to_string(),
        y_label: args::string(a, 3)?.to_string(),
        width,
        height,
        series,
    };
    plot::save(&args::string(a, 0)?, &figure).map(|()| Value::Unit)
}

fn read_series(v: &Value) -> Result<Series, RuntimeError> {
    let Value::Tuple(fields) = v else {
        return Err(RuntimeError::internal("Plot.render: expected a tuple"));
    };
    let label = args::string(fields, 0)?;
    let mark = match args::any(fields, 1)? {
        Value::Bool(true) => Mark::Scatter,
        Value::Bool(false) => Mark::Line,
        _ => return Err(RuntimeError::internal("Plot.render: expected a bool")),
    };
    let xs = floats(fields, 2)?;
    let ys = floats(fields, 3)?;
    let caller = match mark {
        Mark::Line => "Plot.line",
        Mark::Scatter => "Plot.scatter",
    };
    Ok(Series {
        points: plot::points(caller, &label, &xs, &ys)?,
        label: label.to_string(),
        mark,
    })
}
