//! `NN.*` primitives: the operand checks of the losses of stdlib/nn.dl
//! (which is otherwise dlang) and checkpoints ([`crate::runtime::checkpoint`]).

use super::args;
use crate::runtime::ad::primal;
use crate::runtime::checkpoint;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::tensor::error::show_shape;
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
