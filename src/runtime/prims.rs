//! The primitive table: every built-in function with its dlang type, its
//! arity and its implementation. The checker reads the types, the
//! interpreter calls `run` once a primitive has all its arguments.
//!
//! Higher-order library functions (`List.map`, …) are dlang code in
//! `stdlib/`, since a primitive cannot call back into the interpreter.

mod args;
mod array;
mod conversions;
mod hash;
mod io;
mod list;
pub(crate) mod math;
mod nn;
mod optim;
mod plot;
mod prelude;
mod printf;
pub(crate) mod progress;
mod random;
mod string;
mod tensor;

use super::ctx::RuntimeCtx;
use super::error::RuntimeError;
use super::value::Value;

pub struct Prim {
    /// Module the primitive belongs to (`"String"`, `"List"`), or
    /// `"Prelude"` for the prelude, which every program has open.
    pub module: &'static str,
    pub name: &'static str,
    /// The type in dlang syntax, with class constraints after `where`:
    /// `"'a -> 'a where 'a : num"`.
    pub ty: &'static str,
    pub arity: usize,
    pub run: fn(&mut RuntimeCtx, &[Value]) -> Result<Value, RuntimeError>,
    /// Set for the primitives the interpreter runs itself because they
    /// call a function (`grad`): `run` is then never called.
    pub machine: Option<MachinePrim>,
}

/// The primitives that need the machine.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MachinePrim {
    Grad,
    ValueAndGrad,
    Jvp,
}

type Run = fn(&mut RuntimeCtx, &[Value]) -> Result<Value, RuntimeError>;

const fn prim(
    module: &'static str,
    name: &'static str,
    ty: &'static str,
    arity: usize,
    run: Run,
) -> Prim {
    Prim {
        module,
        name,
        ty,
        arity,
        run,
        machine: None,
    }
}

/// A primitive the interpreter runs itself (see [`Prim::machine`]).
const fn machine_prim(
    name: &'static str,
    ty: &'static str,
    arity: usize,
    which: MachinePrim,
) -> Prim {
    Prim {
        module: P,
        name,
        ty,
        arity,
        run: prelude::needs_machine,
        machine: Some(which),
    }
}

const P: &str = "Prelude";
const T: &str = "Tensor";

#[rustfmt::skip]
pub static PRIMS: &[Prim] = &[
    prim(P, "print", "'a -> unit", 1, prelude::print),
    prim(P, "print_string", "string -> unit", 1, prelude::print_string),
    prim(P, "eprint", "'a -> unit", 1, prelude::eprint),
    prim(P, "show", "'a -> string", 1, prelude::show_value),
    prim(P, "compare", "'a -> 'a -> int", 2, prelude::compare),
    prim(P, "min", "'a -> 'a -> 'a", 2, prelude::min),
    prim(P, "max", "'a -> 'a -> 'a", 2, prelude::max),
    prim(P, "fst", "'a * 'b -> 'a", 1, prelude::fst),
    prim(P, "snd", "'a * 'b -> 'b", 1, prelude::snd),
    prim(P, "ignore", "'a -> unit", 1, prelude::ignore),
    prim(P, "failwith", "string -> 'a", 1, prelude::failwith),
    prim(P, "invalid_arg", "string -> 'a", 1, prelude::invalid_arg),
    prim(P, "raise", "exn -> 'a", 1, prelude::raise),
    // The checker types a call of these from its literal format (the type
    // here gives only what the last argument returns).
    prim("Printf", "printf", "string -> unit", 1, printf::printf),
    prim("Printf", "sprintf", "string -> string", 1, printf::sprintf),
    prim("Printf", "eprintf", "string -> unit", 1, printf::eprintf),
    prim(P, "to_float", "int -> float", 1, prelude::to_float),
    prim(P, "to_int", "float -> int", 1, prelude::to_int),
    prim(P, "int_of_string", "string -> int", 1, conversions::int_of_string),
    prim(P, "float_of_string", "string -> float", 1, conversions::float_of_string),
    prim(P, "int_of_float", "float -> int", 1, conversions::int_of_float),
    prim(P, "sin", "'a -> 'a where 'a : real", 1, math::sin),
    prim(P, "cos", "'a -> 'a where 'a : real", 1, math::cos),
    prim(P, "tan", "'a -> 'a where 'a : real", 1, math::tan),
    prim(P, "exp", "'a -> 'a where 'a : real", 1, math::exp),
    prim(P, "log", "'a -> 'a where 'a : real", 1, math::log),
    prim(P, "sqrt", "'a -> 'a where 'a : real", 1, math::sqrt),
    prim(P, "tanh", "'a -> 'a where 'a : real", 1, math::tanh),
    prim(P, "sigmoid", "'a -> 'a where 'a : real", 1, math::sigmoid),
    prim(P, "relu", "'a -> 'a where 'a : real", 1, math::relu),
    prim(P, "abs", "'a -> 'a where 'a : num", 1, math::abs),
    prim(P, "floor", "float -> float", 1, math::floor),
    prim(P, "ceil", "float -> float", 1, math::ceil),
    machine_prim("grad", "('a -> float) -> 'a -> 'a where 'a : diff", 2, MachinePrim::Grad),
    machine_prim("value_and_grad", "('a -> float) -> 'a -> float * 'a where 'a : diff", 2, MachinePrim::ValueAndGrad),
    machine_prim("jvp", "('a -> 'b) -> 'a -> 'a -> 'b * 'b where 'a : diff, 'b : diff", 3, MachinePrim::Jvp),
    prim(P, "stop_gradient", "'a -> 'a", 1, prelude::stop_gradient),

    prim("String", "length", "string -> int", 1, string::length),
    prim("String", "sub", "string -> int -> int -> string", 3, string::sub),
    prim("String", "get", "string -> int -> string", 2, string::get),
    prim("String", "split", "string -> string -> string list", 2, string::split),
    prim("String", "concat", "string -> string list -> string", 2, string::concat),
    prim("String", "to_list", "string -> string list", 1, string::to_list),
    prim("String", "code", "string -> int", 1, string::code),
    prim("String", "of_code", "int -> string", 1, string::of_code),
    prim("String", "to_int", "string -> int", 1, string::to_int),
    prim("String", "to_float", "string -> float", 1, string::to_float),
    prim("String", "trim", "string -> string", 1, string::trim),
    prim("String", "uppercase", "string -> string", 1, string::uppercase),
    prim("String", "lowercase", "string -> string", 1, string::lowercase),

    prim("List", "length", "'a list -> int", 1, list::length),
    prim("List", "rev", "'a list -> 'a list", 1, list::rev),
    prim("List", "nth", "'a list -> int -> 'a", 2, list::nth),
    prim("List", "hd", "'a list -> 'a", 1, list::hd),
    prim("List", "tl", "'a list -> 'a list", 1, list::tl),
    prim("List", "range", "int -> int -> int list", 2, list::range),
    prim("List", "concat", "'a list list -> 'a list", 1, list::concat),
    prim("List", "append", "'a list -> 'a list -> 'a list", 2, list::append),
    prim("List", "zip", "'a list -> 'b list -> ('a * 'b) list", 2, list::zip),
    prim("List", "unzip", "('a * 'b) list -> 'a list * 'b list", 1, list::unzip),
    prim("List", "mem", "'a -> 'a list -> bool", 2, list::mem),

    prim("Array", "make", "int -> 'a -> 'a array", 2, array::make),
    prim("Array", "length", "'a array -> int", 1, array::length),
    prim("Array", "get", "'a array -> int -> 'a", 2, array::get),
    prim("Array", "set", "'a array -> int -> 'a -> unit", 3, array::set),
    prim("Array", "of_list", "'a list -> 'a array", 1, array::of_list),
    prim("Array", "to_list", "'a array -> 'a list", 1, array::to_list),
    prim("Array", "copy", "'a array -> 'a array", 1, array::copy),
    prim("Array", "append", "'a array -> 'a array -> 'a array", 2, array::append),
    prim("Array", "sub", "'a array -> int -> int -> 'a array", 3, array::sub),

    prim("Hashtbl", "hash", "'a -> int", 1, hash::hash),

    prim("Random", "seed", "int -> unit", 1, random::seed),
    prim("Random", "int", "int -> int", 1, random::int),
    prim("Random", "float", "float -> float", 1, random::float),
    prim("Random", "normal", "unit -> float", 1, random::normal),
    prim("Random", "bool", "unit -> bool", 1, random::bool),

    prim("IO", "read_file", "string -> string", 1, io::read_file),
    prim("IO", "read_lines", "string -> string list", 1, io::read_lines),
    prim("IO", "write_file", "string -> string -> unit", 2, io::write_file),
    prim("IO", "flush", "unit -> unit", 1, io::flush),

    prim("Progress", "bar_create", "int -> int", 1, progress::create),
    prim("Progress", "bar_update", "int -> int -> unit", 2, progress::update),
    prim("Progress", "bar_set_description", "int -> string -> unit", 2, progress::set_description),
    prim("Progress", "bar_set_postfix", "int -> string -> unit", 2, progress::set_postfix),
    prim("Progress", "bar_finish", "int -> unit", 1, progress::finish),

    prim("Sys", "time", "unit -> float", 1, io::time),
    prim("Sys", "args", "unit -> string list", 1, io::args),

    prim(T, "of_list", "float list -> tensor", 1, tensor::of_list),
    prim(T, "of_lists", "float list list -> tensor", 1, tensor::of_lists),
    prim(T, "zeros", "int list -> tensor", 1, tensor::zeros),
    prim(T, "ones", "int list -> tensor", 1, tensor::ones),
    prim(T, "full", "int list -> float -> tensor", 2, tensor::full),
    prim(T, "randn", "int list -> tensor", 1, tensor::randn),
    prim(T, "rand", "int list -> tensor", 1, tensor::rand),
    prim(T, "arange", "int -> tensor", 1, tensor::arange),
    prim(T, "scalar", "float -> tensor", 1, tensor::scalar),
    prim(T, "shape", "tensor -> int list", 1, tensor::shape),
    prim(T, "reshape", "tensor -> int list -> tensor", 2, tensor::reshape),
    prim(T, "transpose", "tensor -> tensor", 1, tensor::transpose),
    prim(T, "get", "tensor -> int list -> float", 2, tensor::get),
    prim(T, "row", "tensor -> int -> tensor", 2, tensor::row),
    prim(T, "slice", "tensor -> int -> int -> int -> tensor", 4, tensor::slice),
    prim(T, "concat", "int -> tensor list -> tensor", 2, tensor::concat),
    prim(T, "stack", "tensor list -> tensor", 1, tensor::stack),
    prim(T, "sum", "tensor -> float", 1, tensor::sum),
    prim(T, "mean", "tensor -> float", 1, tensor::mean),
    prim(T, "max", "tensor -> float", 1, tensor::max),
    prim(T, "sum_axis", "int -> tensor -> tensor", 2, tensor::sum_axis),
    prim(T, "argmax", "tensor -> int", 1, tensor::argmax),
    prim(T, "argmax_axis", "int -> tensor -> tensor", 2, tensor::argmax_axis),
    prim(T, "exp", "tensor -> tensor", 1, math::exp),
    prim(T, "log", "tensor -> tensor", 1, math::log),
    prim(T, "sqrt", "tensor -> tensor", 1, math::sqrt),
    prim(T, "tanh", "tensor -> tensor", 1, math::tanh),
    prim(T, "sigmoid", "tensor -> tensor", 1, math::sigmoid),
    prim(T, "relu", "tensor -> tensor", 1, math::relu),
    prim(T, "clip", "float -> float -> tensor -> tensor", 3, tensor::clip),
    prim(T, "softmax", "tensor -> tensor", 1, tensor::softmax),
    prim(T, "log_softmax", "tensor -> tensor", 1, tensor::log_softmax),
    prim(T, "conv2d", "tensor -> tensor -> int -> tensor", 3, tensor::conv2d),
    prim(T, "max_pool2d", "tensor -> int -> tensor", 2, tensor::max_pool2d),
    prim(T, "matmul", "tensor -> tensor -> tensor", 2, tensor::matmul),
    prim(T, "one_hot", "int -> int -> tensor", 2, tensor::one_hot),
    prim(T, "equal", "tensor -> tensor -> bool", 2, tensor::equal),
    prim(T, "to_list", "tensor -> float list", 1, tensor::to_list),
    prim(T, "load_npy", "string -> tensor", 1, tensor::load_npy),
    prim(T, "save_npy", "string -> tensor -> unit", 2, tensor::save_npy),

    prim("NN", "check_same_shape", "string -> tensor -> tensor -> unit", 3, nn::check_same_shape),
    prim("NN", "save", "string -> 'a -> unit where 'a : diff", 2, nn::save),
    prim("NN", "load", "string -> 'a -> 'a where 'a : diff", 2, nn::load),
    prim("NN", "dropout_mask", "float -> tensor -> tensor", 2, nn::dropout_mask),

    prim("Plot", "check_size", "int -> int -> unit", 2, plot::check_size),
    prim("Plot", "check_series", "string -> string -> float list -> float list -> unit", 4, plot::check_series),
    prim("Plot", "tensor_points", "string -> tensor -> float list", 2, plot::tensor_points),
    prim("Plot", "render", "string -> string -> string -> string -> int -> int -> (string * bool * float list * float list) list -> unit", 7, plot::render),

    prim("Optim", "sgd", "float -> optimizer", 1, optim::sgd),
    prim("Optim", "momentum", "float -> float -> optimizer", 2, optim::momentum),
    prim("Optim", "adagrad", "float -> optimizer", 1, optim::adagrad),
    prim("Optim", "adam", "float -> optimizer", 1, optim::adam),
    prim("Optim", "rmsprop", "float -> optimizer", 1, optim::rmsprop),
    prim("Optim", "adamw", "float -> float -> optimizer", 2, optim::adamw),
    prim("Optim", "step", "optimizer -> 'a -> 'a -> 'a where 'a : diff", 3, optim::step),
    prim("Optim", "lr", "optimizer -> float", 1, optim::lr),
    prim("Optim", "set_lr", "optimizer -> float -> unit", 2, optim::set_lr),
    prim("Optim", "clip", "float -> 'a -> 'a where 'a : diff", 2, optim::clip),
];

pub fn lookup(module: &str, name: &str) -> Option<&'static Prim> {
    PRIMS.iter().find(|p| p.module == module && p.name == name)
}
