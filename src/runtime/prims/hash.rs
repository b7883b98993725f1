//! `Hashtbl.hash`: structural hashing, the one primitive under the
//! `Hashtbl` module (stdlib/hashtbl.dl keeps its buckets in dlang arrays).
//!
//! Keys are found by `compare k k' = 0`, as in OCaml, so values that
//! `compare` calls equal hash equal: `-0.0` hashes as `0.0`, every NaN
//! alike, a tracked float as its value, a record by its field values. The
//! whole key is walked (with a work list, so a long list is fine), so a
//! function or tensor anywhere in it is refused with the error `=` gives,
//! even when no other key is in its bucket. A ref or array met again
//! (a value containing itself) adds a marker instead of its contents.
//! The mixing is fixed here, not std's hasher, so hash values (and
//! `Hashtbl.iter`'s order) do not change between Rust releases.

use std::collections::HashSet;
use std::rc::Rc;

use super::args;
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::ops::incomparable;
use crate::runtime::value::Value;

type Outcome = Result<Value, RuntimeError>;

/// `Hashtbl.hash : 'a -> int`, in `[0, 2^30)` like OCaml's.
pub fn hash(_: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let h = structural_hash(args::any(a, 0)?)?;
    Ok(Value::Int((h & 0x3FFF_FFFF) as i64))
}

fn structural_hash(key: &Value) -> Result<u64, RuntimeError> {
    let mut h = Mixer::default();
    let mut work = vec![key.clone()];
    let mut seen_cells: HashSet<usize> = HashSet::new();
    while let Some(v) = work.pop() {
        match &v {
            Value::Unit => h.word(1),
            Value::Bool(b) => h.words(&[2, u64::from(*b)]),
            Value::Int(n) => h.words(&[3, *n as u64]),
            Value::Float(x) => h.words(&[4, float_bits(*x)]),
            Value::Str(s) => {
                h.word(5);
                h.bytes(s.as_bytes());
            }
            Value::Tuple(items) => {
                h.words(&[6, items.len() as u64]);
                work.extend(items.iter().rev().cloned());
            }
            Value::Nil => h.word(7),
            Value::Cons(cell) => {
                h.word(8);
                work.push(cell.tail.clone());
                work.push(cell.head.clone());
            }
            Value::Array(items) => {
                if !seen_cells.insert(Rc::as_ptr(items) as *const () as usize) {
                    h.word(0);
                    continue;
                }
                let items = items.borrow();
                h.words(&[9, items.len() as u64]);
                work.extend(items.iter().rev().cloned());
            }
            Value::Ref(cell) => {
                if !seen_cells.insert(Rc::as_ptr(cell) as *const () as usize) {
                    h.word(0);
                    continue;
                }
                h.word(10);
                work.push(cell.borrow().clone());
            }
            Value::Record(r) => {
                h.words(&[11, r.len() as u64]);
                work.extend(r.slots().iter().rev().cloned());
            }
            Value::Variant(c) => {
                h.word(12);
                h.bytes(c.name.as_bytes());
                if let Some(arg) = &c.arg {
                    h.word(13);
                    work.push(arg.clone());
                }
            }
            Value::Tracked(_) => work.push(crate::runtime::ad::primal(&v).clone()),
            Value::Closure(_)
            | Value::Builtin(_)
            | Value::Continuation(_)
            | Value::Tensor(_)
            | Value::Optimizer(_) => return Err(incomparable(&v, &v)),
        }
    }
    Ok(h.finish())
}

/// The bits of a float, with the floats `compare` calls equal made equal.
fn float_bits(x: f64) -> u64 {
    if x == 0.0 {
        0
    } else if x.is_nan() {
        f64::NAN.to_bits()
    } else {
        x.to_bits()
    }
}

/// Word-at-a-time multiplicative mixing with a final avalanche (a
/// splitmix64 step), so the low bits a bucket index uses depend on every
/// word.
#[derive(Default)]
struct Mixer(u64);

impl Mixer {
    fn word(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn words(&mut self, ws: &[u64]) {
        for &w in ws {
            self.word(w);
        }
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.word(bytes.len() as u64);
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.word(u64::from_le_bytes(word));
        }
    }

    fn finish(&self) -> u64 {
        let mut state = self.0;
        crate::runtime::random::splitmix64(&mut state)
    }
}

#[cfg(test)]
mod tests {
    use super::structural_hash;
    use crate::runtime::value::Value;

    fn hash(v: &Value) -> u64 {
        structural_hash(v).expect("hashable")
    }

    #[test]
    fn values_compare_calls_equal_hash_equal() {
        assert_eq!(hash(&Value::Float(0.0)), hash(&Value::Float(-0.0)));
        assert_eq!(
            hash(&Value::Float(f64::NAN)),
            hash(&Value::Float(-f64::NAN))
        );
        let list = |xs: &[i64]| Value::list_from(xs.iter().map(|&n| Value::Int(n)));
        assert_eq!(hash(&list(&[1, 2, 3])), hash(&list(&[1, 2, 3])));
        assert_ne!(hash(&list(&[1, 2, 3])), hash(&list(&[3, 2, 1])));
        assert_ne!(hash(&Value::string("ab")), hash(&Value::string("ba")));
    }

    #[test]
    fn a_million_element_key_does_not_recurse() {
        let long = Value::list_from((0..1_000_000).map(Value::Int));
        assert!(structural_hash(&long).is_ok());
    }
}
