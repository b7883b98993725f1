//! `NN.*` primitives: the operand checks of the losses of stdlib/nn.dl
//! (which is otherwise dlang) and checkpoints ([`crate::runtime::checkpoint`]).

use super::args;
use crate::runtime::ad::primal;
use crate::runtime::checkpoint;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::print::format_float;
use crate::runtime::tensor::error::show_shape;
use crate::runtime::tensor::Tensor;
use crate::runtime::tensor_ops::shape_of;
use crate::runtime::value::Value;

type Outcome = Result<Value, RuntimeError>;

/// `check_same_shape loss prediction target`: R011 unless the two have
/// one shape. A loss compares its operands element by element, where a
/// broadcast (`[3; 1]` against `[3]` makes a `[3; 3]`) gives a wrong
/// number without a word (PyTorch warns; dlang refuses).
pub fn check_same_shape(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let loss = args::string(a, 0)?;
    let prediction = shape_of(primal(args::any(a, 1)?)).unwrap_or_default();
    let target = shape_of(primal(args::any(a, 2)?)).unwrap_or_default();
    if prediction != target {
        return Err(RuntimeError::shape(format!(
            "NN.{loss}: the prediction has shape {} and the target {}; \
             a loss compares tensors of one shape",
            show_shape(prediction),
            show_shape(target)
        )));
    }
    Ok(Value::Unit)
}

/// `NN.save path params`.
pub fn save(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    checkpoint::save(&args::string(a, 0)?, args::any(a, 1)?).map(|()| Value::Unit)
}

/// `NN.load path like`: a structure shaped like `like`, from the file.
pub fn load(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    checkpoint::load(&args::string(a, 0)?, args::any(a, 1)?)
}

/// `dropout_mask p x`: a tensor of `x`'s shape whose elements are, each
/// with probability `1 - p`, `1 / (1 - p)` (kept, scaled as
/// torch.nn.functional.dropout scales), else 0; drawn from the run's
/// generator, one number per element. `p` must be in [0, 1] (R008).
pub fn dropout_mask(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let p = args::float(a, 0)?;
    if !(0.0..=1.0).contains(&p) {
        return Err(RuntimeError::bad_argument(format!(
            "NN.dropout: the probability must be in [0, 1], got {}",
            format_float(p)
        )));
    }
    let shape = shape_of(primal(args::any(a, 1)?))
        .unwrap_or_default()
        .to_vec();
    let kept = if p < 1.0 {
        (1.0 / (1.0 - p)) as f32
    } else {
        0.0
    };
    let len = shape.iter().product();
    let data = (0..len)
        .map(|_| if ctx.rng.unit() >= p { kept } else { 0.0 })
        .collect();
    Ok(Value::tensor(Tensor::from_parts(shape, data)))
}
