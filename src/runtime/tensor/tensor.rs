//! The tensor value: a shape and f32 elements in row-major order, the
//! elements shared (`Rc`) so copying a tensor value is cheap; operations
//! build new tensors rather than mutate shared storage. The elements are
//! an `Rc<Vec<f32>>` rather than an `Rc<[f32]>`: a kernel's result vector
//! becomes a tensor without being copied into a new allocation.

use std::rc::Rc;

use super::error::{ShapeError, TensorResult};
use super::shape::{checked_numel, numel};

#[derive(Clone, Debug)]
pub struct Tensor {
    shape: Vec<usize>,
    data: Rc<Vec<f32>>,
}

impl PartialEq for Tensor {
    /// Same shape and elementwise `==` (so `nan != nan`, as for floats).
    fn eq(&self, other: &Self) -> bool {
        self.shape == other.shape && self.data[..] == other.data[..]
    }
}

impl Tensor {
    /// A tensor of the given shape; the element count must match.
    pub fn new(shape: Vec<usize>, data: Vec<f32>) -> TensorResult<Tensor> {
        Tensor::build("of_list", shape, data)
    }

    /// The one way to a tensor of a shape no tensor had before: `shape`
    /// passes [`checked_numel`] (rank and element limits) and `data` must
    /// fill it. Kernels whose result can outgrow their operands (`concat`,
    /// `stack`, broadcasting, …) call `checked_numel` themselves before
    /// allocating `data`; `op` names the operation in the error.
    pub fn build(op: &'static str, shape: Vec<usize>, data: Vec<f32>) -> TensorResult<Tensor> {
        if checked_numel(op, &shape)? != data.len() {
            return Err(ShapeError::invalid(
                op,
                &shape,
                format!("{} elements do not fill the shape", data.len()),
            ));
        }
        Ok(Tensor {
            shape,
            data: Rc::new(data),
        })
    }

    /// For kernels whose result has the shape of a tensor they were given
    /// (element-wise maps, `softmax`), or one the caller checked with
    /// [`checked_numel`]: that shape is within the limits already.
    pub(crate) fn from_parts(shape: Vec<usize>, data: Vec<f32>) -> Tensor {
        debug_assert!(checked_numel("from_parts", &shape) == Ok(data.len()));
        Tensor {
            shape,
            data: Rc::new(data),
        }
    }

    /// Rank-0 tensor (`Tensor.scalar`).
    pub fn scalar(x: f32) -> Tensor {
        Tensor::from_parts(Vec::new(), vec![x])
    }

    /// `shape` must be one a tensor may have: a shape taken from a tensor,
    /// or one checked with [`checked_numel`] (as `Tensor.zeros` does).
    pub fn full(shape: &[usize], x: f32) -> Tensor {
        Tensor::from_parts(shape.to_vec(), vec![x; numel(shape)])
    }

    pub fn zeros(shape: &[usize]) -> Tensor {
        Tensor::full(shape, 0.0)
    }

    pub fn ones(shape: &[usize]) -> Tensor {
        Tensor::full(shape, 1.0)
    }

    /// `[0.0; 1.0; …; n-1]`.
    pub fn arange(n: usize) -> Tensor {
        Tensor::from_parts(vec![n], (0..n).map(|i| i as f32).collect())
    }

    /// 1-D tensor from a list (`Tensor.of_list`).
    pub fn of_list(xs: &[f32]) -> Tensor {
        Tensor::from_parts(vec![xs.len()], xs.to_vec())
    }

    /// 2-D tensor from rows (`Tensor.of_lists`); ragged rows are an error.
    pub fn of_lists(rows: &[Vec<f32>]) -> TensorResult<Tensor> {
        let width = rows.first().map_or(0, Vec::len);
        if let Some(bad) = rows.iter().find(|r| r.len() != width) {
            return Err(ShapeError::mismatch(
                "of_lists",
                &[width],
                &[bad.len()],
                "rows must all have the same length",
            ));
        }
        Tensor::build("of_lists", vec![rows.len(), width], rows.concat())
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The elements in row-major order.
    pub fn data(&self) -> &[f32] {
        self.data.as_slice()
    }

    /// The elements to overwrite, if no other tensor shares them.
    pub(crate) fn data_mut(&mut self) -> Option<&mut [f32]> {
        Rc::get_mut(&mut self.data).map(Vec::as_mut_slice)
    }

    pub fn to_vec(&self) -> Vec<f32> {
        self.data.to_vec()
    }

    /// Same elements, another shape of the same size; shares storage.
    pub(crate) fn with_shape(&self, shape: Vec<usize>) -> Tensor {
        debug_assert_eq!(numel(&shape), self.len());
        Tensor {
            shape,
            data: Rc::clone(&self.data),
        }
    }
}
