//! dlang's optimizers against NumPy: runs tests/optim_reference/steps.dl
//! and compares every printed number with reference.txt, which
//! make_reference.py computed (and which is committed; the script is not
//! run here).
//!
//! Tolerances: cases on f64 floats (`*_float`) must agree to 1e-12
//! relative; the others hold f32 tensors, whose five steps may round
//! differently in the last bits (a fused operation, another summation
//! order), so they allow 1e-5 relative, a few f32 ulps per step.

#[path = "common/reference.rs"]
mod reference;

fn tolerance(case: &str) -> f64 {
    if case.ends_with("_float") {
        1e-12
    } else {
        1e-5
    }
}

#[test]
fn optimizers_agree_with_numpy() {
    reference::check_against_reference("optim_reference", "steps.dl", 19, tolerance);
}
