//! NumPy `.npy` files: load f32, f64 and int64 arrays (little-endian,
//! C order, format versions 1, 2 and 3) as f32 tensors, and save tensors as
//! `<f4` version 1 files. Ints and doubles become the nearest f32 (as
//! `Tensor.load_npy` promises in LANGUAGE.md §7).
//!
//! Every failure is an [`NpyError`] naming the path (`Tensor.load_npy`
//! reports R007 for an unreadable file, R012 for one it cannot parse).

use std::fmt;
use std::path::{Path, PathBuf};

use super::shape::{beyond_limits, numel};
use super::tensor::Tensor;
use crate::runtime::atomic_file::write_atomically;

const MAGIC: &[u8] = b"\x93NUMPY";

#[derive(Clone, Debug, PartialEq)]
pub struct NpyError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for NpyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for NpyError {}

/// Element types we read, by their NumPy `descr`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Dtype {
    F32,
    F64,
    I64,
}

impl Dtype {
    fn size(self) -> usize {
        match self {
            Dtype::F32 => 4,
            Dtype::F64 | Dtype::I64 => 8,
        }
    }
}

pub fn load_npy(path: &Path) -> Result<Tensor, NpyError> {
    let fail = |message: String| NpyError {
        path: path.to_path_buf(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
    parse_npy(&bytes).map_err(fail)
}

/// Parses a whole `.npy` file; the error is the message without the path.
pub fn parse_npy(bytes: &[u8]) -> Result<Tensor, String> {
    let array = parse_array(bytes)?;
    Tensor::build("load_npy", array.shape.clone(), array.to_f32()).map_err(|e| e.to_string())
}

/// The array of a `.npy` file, its elements still the file's bytes.
pub struct NpyArray<'b> {
    dtype: Dtype,
    pub shape: Vec<usize>,
    data: &'b [u8],
}

impl NpyArray<'_> {
    /// The elements as f32, each the nearest to the stored value.
    pub fn to_f32(&self) -> Vec<f32> {
        match self.dtype {
            Dtype::F32 => self
                .data
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            Dtype::F64 => self.to_f64().into_iter().map(|x| x as f32).collect(),
            // Directly, not through f64: rounding twice could miss the
            // nearest f32 of a large int.
            Dtype::I64 => self
                .data
                .chunks_exact(8)
                .map(|c| i64::from_le_bytes(eight(c)) as f32)
                .collect(),
        }
    }

    /// The elements as f64: exact for f32 and f64 files.
    pub fn to_f64(&self) -> Vec<f64> {
        match self.dtype {
            Dtype::F32 => self.to_f32().into_iter().map(f64::from).collect(),
            Dtype::F64 => self
                .data
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(eight(c)))
                .collect(),
            Dtype::I64 => self
                .data
                .chunks_exact(8)
                .map(|c| i64::from_le_bytes(eight(c)) as f64)
                .collect(),
        }
    }
}

/// Parses a whole `.npy` file, checking that the data is as long as the
/// header says.
pub fn parse_array(bytes: &[u8]) -> Result<NpyArray<'_>, String> {
    if !bytes.starts_with(MAGIC) || bytes.len() < 10 {
        return Err("not a NumPy .npy file (bad magic bytes)".to_string());
    }
    let version = bytes[6];
    // Version 1 stores the header length in 2 bytes, versions 2 and 3 in 4.
    let (header_len, header_start) = match version {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        _ => return Err(format!("unsupported .npy format version {version}")),
    };
    let data_start = header_start + header_len;
    let header = bytes
        .get(header_start..data_start)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or("truncated or unreadable header")?;
    let (dtype, shape) = parse_header(header)?;
    if let Some(why) = beyond_limits(&shape) {
        return Err(format!("the array {why}"));
    }
    let data = &bytes[data_start..];
    let expected = numel(&shape) * dtype.size();
    if data.len() != expected {
        return Err(format!(
            "the header promises {expected} bytes of data for shape {shape:?} but the file holds {}",
            data.len()
        ));
    }
    Ok(NpyArray { dtype, shape, data })
}

fn eight(c: &[u8]) -> [u8; 8] {
    [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]
}

/// Reads the header, a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (1797, 64), }`
/// followed by padding. As `numpy.load`, it wants exactly the three keys,
/// each once, and the dict closed.
fn parse_header(header: &str) -> Result<(Dtype, Vec<usize>), String> {
    let shown: String = header.trim_end().chars().take(200).collect();
    let bad = |why: &str| format!("bad header {shown:?}: {why}");
    let entries = HeaderReader { rest: header }
        .dict()
        .map_err(|why| bad(&why))?;
    let mut descr = None;
    let mut fortran = None;
    let mut shape = None;
    for (key, value) in entries {
        let slot = match (key.as_str(), value) {
            ("descr", HeaderValue::Text(d)) => descr.replace(d).is_some(),
            ("fortran_order", HeaderValue::Bool(f)) => fortran.replace(f).is_some(),
            ("shape", HeaderValue::Dims(s)) => shape.replace(s).is_some(),
            ("descr" | "fortran_order" | "shape", _) => {
                return Err(bad(&format!("'{key}' has a value of the wrong kind")))
            }
            _ => return Err(bad(&format!("unexpected key '{key}'"))),
        };
        if slot {
            return Err(bad(&format!("the key '{key}' appears twice")));
        }
    }
    let (Some(descr), Some(fortran), Some(shape)) = (descr, fortran, shape) else {
        return Err(bad(
            "it needs the keys 'descr', 'fortran_order' and 'shape'",
        ));
    };
    let dtype = match descr.as_str() {
        "<f4" => Dtype::F32,
        "<f8" => Dtype::F64,
        "<i8" => Dtype::I64,
        other => {
            return Err(format!(
                "unsupported dtype '{other}' (supported: little-endian float32 '<f4', float64 '<f8', int64 '<i8')"
            ))
        }
    };
    if fortran {
        return Err("Fortran-order arrays are not supported (save with C order)".to_string());
    }
    Ok((dtype, shape))
}

/// A value of the header dict, of the three kinds its keys take.
enum HeaderValue {
    Text(String),
    Bool(bool),
    Dims(Vec<usize>),
}

/// A reader over the header text: the subset of Python literal syntax
/// that `.npy` headers use (a flat dict of strings, booleans and tuples of
/// ints), each error saying what it expected.
struct HeaderReader<'h> {
    rest: &'h str,
}

impl HeaderReader<'_> {
    fn skip_space(&mut self) {
        self.rest = self.rest.trim_start();
    }

    /// Consumes `token` (after spaces), or says it is missing.
    fn expect(&mut self, token: &str) -> Result<(), String> {
        self.skip_space();
        match self.rest.strip_prefix(token) {
            Some(rest) => {
                self.rest = rest;
                Ok(())
            }
            None => Err(format!("expected `{token}`")),
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.expect(token).is_ok()
    }

    /// `{ key: value, … }` with an optional trailing comma, then only
    /// padding.
    fn dict(mut self) -> Result<Vec<(String, HeaderValue)>, String> {
        self.expect("{")?;
        let mut entries = Vec::new();
        while !self.eat("}") {
            if self.rest.is_empty() {
                return Err("the dict is not closed with `}`".to_string());
            }
            let key = self.string()?;
            self.expect(":")?;
            entries.push((key, self.value()?));
            if !self.eat(",") {
                self.expect("}")?;
                break;
            }
        }
        self.skip_space();
        if !self.rest.is_empty() {
            return Err("text after the closing `}`".to_string());
        }
        Ok(entries)
    }

    /// A string in single or double quotes (no escapes: none of the
    /// values NumPy writes needs one).
    fn string(&mut self) -> Result<String, String> {
        self.skip_space();
        let quote = self
            .rest
            .chars()
            .next()
            .filter(|c| matches!(c, '\'' | '"'))
            .ok_or("expected a quoted string")?;
        let body = &self.rest[1..];
        let end = body.find(quote).ok_or("an unterminated string")?;
        self.rest = &body[end + 1..];
        Ok(body[..end].to_string())
    }

    fn value(&mut self) -> Result<HeaderValue, String> {
        self.skip_space();
        if self.eat("True") {
            Ok(HeaderValue::Bool(true))
        } else if self.eat("False") {
            Ok(HeaderValue::Bool(false))
        } else if self.eat("(") {
            self.dims().map(HeaderValue::Dims)
        } else {
            self.string().map(HeaderValue::Text)
        }
    }

    /// The rest of a tuple of non-negative ints after its `(`: `()`,
    /// `(3,)`, `(2, 3)`; Python 2 files may write `3L`.
    fn dims(&mut self) -> Result<Vec<usize>, String> {
        let mut dims = Vec::new();
        while !self.eat(")") {
            self.skip_space();
            let digits = self.rest.len()
                - self
                    .rest
                    .trim_start_matches(|c: char| c.is_ascii_digit())
                    .len();
            let dim = self.rest[..digits]
                .parse::<usize>()
                .map_err(|_| "expected a dimension (a non-negative int)".to_string())?;
            self.rest = &self.rest[digits..];
            self.eat("L");
            dims.push(dim);
            if !self.eat(",") {
                self.expect(")")?;
                break;
            }
        }
        Ok(dims)
    }
}

/// The bytes of a version 1 `<f4` C-order file, header padded with spaces
/// to a multiple of 64 bytes as NumPy writes it.
pub fn encode_npy(t: &Tensor) -> Vec<u8> {
    encode("<f4", t.shape(), t.data().iter().map(|x| x.to_le_bytes()))
}

/// The bytes of a version 1 `<f8` C-order file of `shape` (the one way
/// to store an f64 exactly: a dlang float).
pub fn encode_npy_f64(shape: &[usize], elements: &[f64]) -> Vec<u8> {
    encode("<f8", shape, elements.iter().map(|x| x.to_le_bytes()))
}

fn encode<const N: usize>(
    descr: &str,
    shape: &[usize],
    elements: impl ExactSizeIterator<Item = [u8; N]>,
) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    let unpadded = MAGIC.len() + 4 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(12 + header.len() + N * elements.len());
    out.extend_from_slice(MAGIC);
    // Version 1: with at most 64 axes (`shape::MAX_RANK`) the header is
    // under 1 kB, well within its 2-byte length.
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for x in elements {
        out.extend_from_slice(&x);
    }
    out
}

pub fn save_npy(path: &Path, t: &Tensor) -> Result<(), NpyError> {
    write_atomically(path, &encode_npy(t)).map_err(|e| NpyError {
        path: path.to_path_buf(),
        message: format!("cannot write the file: {e}"),
    })
}
