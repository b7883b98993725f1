//! Checkpoints (LANGUAGE.md §11): `NN.save path params` writes every float
//! and tensor of a `diff` structure to a NumPy `.npz` file, `NN.load path
//! like` reads them back into a structure shaped like `like`.
//!
//! Each leaf is one array, named by its place in the structure as a
//! PyTorch `state_dict` names parameters: record fields, tuple, list and
//! array positions and constructor names joined by dots (`layers.0.w`,
//! `Some.1`); a structure that is a single leaf is `arr_0`, the name
//! `numpy.savez` gives its first array. Tensors are stored as `<f4` and
//! floats as 0-d `<f8` arrays, so a round trip is bit for bit.
//!
//! The file is written to a temporary file beside it and renamed over
//! it, so a crash leaves the old file or the new one, never half of one.
//! A load checks the file against the structure before it builds
//! anything: a missing file is R007; a file that is not a stored `.npz`,
//! is cut short or damaged, lacks an array, has one the structure has no
//! place for, or has one of another shape is R012, naming the path and
//! the array.

use std::collections::HashMap;
use std::path::Path;

use super::ad::primal;
use super::error::RuntimeError;
use super::npz;
use super::optim::walk;
use super::tensor::error::show_shape;
use super::tensor::npy;
use super::tensor::Tensor;
use super::value::Value;

/// The name of the one array of a structure that is a single leaf.
const ROOT_NAME: &str = "arr_0";

pub fn save(path: &str, params: &Value) -> Result<(), RuntimeError> {
    let entries: Vec<(String, Vec<u8>)> = named_leaves(params)
        .into_iter()
        .map(|(name, leaf)| (format!("{name}.npy"), encode(&leaf)))
        .collect();
    let bytes = npz::write(&entries)
        .map_err(|why| RuntimeError::bad_argument(format!("NN.save `{path}`: {why}")))?;
    super::atomic_file::write_atomically(Path::new(path), &bytes)
        .map_err(|e| RuntimeError::io(format!("cannot write `{path}`: {e}")))
}

pub fn load(path: &str, like: &Value) -> Result<Value, RuntimeError> {
    let bytes =
        std::fs::read(path).map_err(|e| RuntimeError::io(format!("cannot read `{path}`: {e}")))?;
    let bad = |why: String| RuntimeError::bad_npy(format!("NN.load `{path}`: {why}"));
    let entries = npz::read(&bytes).map_err(bad)?;
    let mut arrays: HashMap<&str, &[u8]> = HashMap::with_capacity(entries.len());
    for (name, data) in &entries {
        let name = name.strip_suffix(".npy").unwrap_or(name);
        if arrays.insert(name, data).is_some() {
            return Err(bad(format!("the file holds two arrays named `{name}`")));
        }
    }
    let wanted = named_leaves(like);
    let mut loaded = Vec::with_capacity(wanted.len());
    for (name, leaf) in &wanted {
        let Some(data) = arrays.remove(name.as_str()) else {
            return Err(bad(format!(
                "the file has no array `{name}` (it holds {})",
                list_names(entries.iter().map(|(n, _)| n.as_str()))
            )));
        };
        let array = npy::parse_array(data).map_err(|why| bad(format!("array `{name}`: {why}")))?;
        loaded.push(decode(&array, leaf).map_err(|why| bad(format!("array `{name}` {why}")))?);
    }
    if let Some((name, _)) = entries
        .iter()
        .find(|(n, _)| arrays.contains_key(n.strip_suffix(".npy").unwrap_or(n)))
    {
        return Err(bad(format!(
            "the file holds an array `{}` that the structure has no place for",
            name.strip_suffix(".npy").unwrap_or(name)
        )));
    }
    let mut loaded = loaded.into_iter();
    walk::zip_map(std::slice::from_ref(like), &mut |_| {
        loaded
            .next()
            .ok_or_else(|| RuntimeError::internal("NN.load: the structure changed during the load"))
    })
    .map_err(|_| RuntimeError::internal("NN.load: the structure changed during the load"))
}

/// The leaf as the `.npy` bytes that store it exactly.
fn encode(leaf: &Value) -> Vec<u8> {
    match leaf {
        Value::Tensor(t) => npy::encode_npy(t),
        Value::Float(x) => npy::encode_npy_f64(&[], &[*x]),
        // `named_leaves` gives only floats and tensors.
        _ => Vec::new(),
    }
}

/// The stored array as a leaf of `like`'s kind and shape, or what differs.
fn decode(array: &npy::NpyArray<'_>, like: &Value) -> Result<Value, String> {
    match like {
        Value::Tensor(t) if array.shape == t.shape() => Ok(Value::tensor(Tensor::from_parts(
            array.shape.clone(),
            array.to_f32(),
        ))),
        Value::Tensor(t) => Err(format!(
            "has shape {} where the structure has a tensor of shape {}",
            show_shape(&array.shape),
            show_shape(t.shape())
        )),
        _ if array.shape.is_empty() => Ok(Value::Float(array.to_f64()[0])),
        _ => Err(format!(
            "has shape {} where the structure has a float (a 0-d array)",
            show_shape(&array.shape)
        )),
    }
}

/// A few of the names, for a message.
fn list_names<'n>(names: impl ExactSizeIterator<Item = &'n str>) -> String {
    const SHOWN: usize = 8;
    let total = names.len();
    if total == 0 {
        return "no arrays".to_string();
    }
    let mut shown: Vec<String> = names
        .take(SHOWN)
        .map(|n| format!("`{}`", n.strip_suffix(".npy").unwrap_or(n)))
        .collect();
    if total > SHOWN {
        shown.push(format!("and {} more", total - SHOWN));
    }
    shown.join(", ")
}

/// Every float and tensor of `v` (tags removed) with its name, left to
/// right: the order in which `walk::zip_map` visits them. The walk keeps
/// its own stack, so a list of a million floats does not recurse.
fn named_leaves(v: &Value) -> Vec<(String, Value)> {
    let mut leaves = Vec::new();
    let mut tasks: Vec<(String, Value)> = vec![(String::new(), v.clone())];
    let child = |prefix: &str, segment: &dyn std::fmt::Display| -> String {
        if prefix.is_empty() {
            segment.to_string()
        } else {
            format!("{prefix}.{segment}")
        }
    };
    while let Some((name, node)) = tasks.pop() {
        let children: Vec<(String, Value)> = match primal(&node) {
            leaf @ (Value::Float(_) | Value::Tensor(_)) => {
                let name = if name.is_empty() {
                    ROOT_NAME.to_string()
                } else {
                    name
                };
                leaves.push((name, leaf.clone()));
                continue;
            }
            Value::Tuple(items) => items
                .iter()
                .enumerate()
                .map(|(i, x)| (child(&name, &i), x.clone()))
                .collect(),
            list @ Value::Cons(_) => list
                .list_to_vec()
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(i, x)| (child(&name, &i), x))
                .collect(),
            Value::Array(items) => items
                .borrow()
                .iter()
                .enumerate()
                .map(|(i, x)| (child(&name, &i), x.clone()))
                .collect(),
            Value::Record(r) => r
                .fields()
                .map(|(field, x)| (child(&name, field), x))
                .collect(),
            Value::Variant(c) => c
                .arg
                .iter()
                .map(|x| (child(&name, &c.name), x.clone()))
                .collect(),
            // Not differentiable, so not in a `diff` type: nothing to store.
            _ => continue,
        };
        tasks.extend(children.into_iter().rev());
    }
    leaves
}

#[cfg(test)]
mod tests;
