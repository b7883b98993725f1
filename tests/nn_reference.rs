//! NN.layer_norm (with its gradient) and NN.gru_cell against PyTorch's
//! formulas computed with NumPy: runs tests/nn_reference/layers.dl and
//! compares every printed number with reference.txt, which
//! make_reference.py computed (committed; the script is not run here).
//! The tensors are f32 on both sides, summed in another order, so the
//! values agree to 1e-5 relative.

#[path = "common/reference.rs"]
mod reference;

#[test]
fn layers_agree_with_pytorch_formulas() {
    reference::check_against_reference("nn_reference", "layers.dl", 3, |_| 1e-5);
}
