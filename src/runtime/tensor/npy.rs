//! NumPy `.npy` files: load f32, f64 and int64 arrays (little-endian,
//! C order, format versions 1, 2 and 3) as f32 tensors, and save tensors as
//! `<f4` version 1 files. Ints and doubles become the nearest f32 (as
//! `Tensor.load_npy` promises in LANGUAGE.md §7).
//!
//! Every failure is an [`NpyError`] naming the path (`Tensor.load_npy`
//! reports R007 for an unreadable file, R012 for one it cannot parse).

use std::fmt;
use std::path::{Path, PathBuf};

use super::shape::numel;
use super::tensor::Tensor;

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
    let data = &bytes[data_start..];
    let expected = numel(&shape) * dtype.size();
    if data.len() != expected {
        return Err(format!(
            "the header promises {expected} bytes of data for shape {shape:?} but the file holds {}",
            data.len()
        ));
    }
    let elements: Vec<f32> = match dtype {
        Dtype::F32 => data
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
        Dtype::F64 => data
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(eight(c)) as f32)
            .collect(),
        Dtype::I64 => data
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes(eight(c)) as f32)
            .collect(),
    };
    Ok(Tensor::from_parts(shape, elements))
}

fn eight(c: &[u8]) -> [u8; 8] {
    [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]
}

/// Reads the header, a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (1797, 64), }`.
fn parse_header(header: &str) -> Result<(Dtype, Vec<usize>), String> {
    let bad = || format!("bad header {:?}", header.trim_end());
    let descr = value_after(header, "descr").ok_or_else(bad)?;
    let descr = descr.split(['\'', '"']).nth(1).ok_or_else(bad)?;
    let dtype = match descr {
        "<f4" => Dtype::F32,
        "<f8" => Dtype::F64,
        "<i8" => Dtype::I64,
        other => {
            return Err(format!(
                "unsupported dtype '{other}' (supported: little-endian float32 '<f4', float64 '<f8', int64 '<i8')"
            ))
        }
    };
    let fortran = value_after(header, "fortran_order").ok_or_else(bad)?;
    if fortran.starts_with("True") {
        return Err("Fortran-order arrays are not supported (save with C order)".to_string());
    }
    if !fortran.starts_with("False") {
        return Err(bad());
    }
    let shape_text = value_after(header, "shape").ok_or_else(bad)?;
    let inside = shape_text
        .strip_prefix('(')
        .and_then(|s| s.split(')').next())
        .ok_or_else(bad)?;
    let shape = inside
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches('L').parse::<usize>().map_err(|_| bad()))
        .collect::<Result<Vec<usize>, String>>()?;
    Ok((dtype, shape))
}

/// The text after `'key':` in the header dict, leading spaces removed.
fn value_after<'h>(header: &'h str, key: &str) -> Option<&'h str> {
    let quoted = [format!("'{key}'"), format!("\"{key}\"")];
    let at = quoted
        .iter()
        .find_map(|q| header.find(q.as_str()).map(|i| i + q.len()))?;
    Some(header[at..].trim_start().strip_prefix(':')?.trim_start())
}

/// The bytes of a version 1 `<f4` C-order file, header padded with spaces
/// to a multiple of 64 bytes as NumPy writes it.
pub fn encode_npy(t: &Tensor) -> Vec<u8> {
    let dims: Vec<String> = t.shape().iter().map(|d| d.to_string()).collect();
    let shape = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
    let unpadded = MAGIC.len() + 4 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(12 + header.len() + 4 * t.len());
    out.extend_from_slice(MAGIC);
    // Version 1 unless the header outgrows its 2-byte length (thousands of
    // axes), then version 2 with a 4-byte length; padding then is off by
    // two bytes from 64, which readers accept.
    match u16::try_from(header.len()) {
        Ok(len) => {
            out.extend_from_slice(&[1, 0]);
            out.extend_from_slice(&len.to_le_bytes());
        }
        Err(_) => {
            out.extend_from_slice(&[2, 0]);
            out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        }
    }
    out.extend_from_slice(header.as_bytes());
    for x in t.data() {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out
}

pub fn save_npy(path: &Path, t: &Tensor) -> Result<(), NpyError> {
    std::fs::write(path, encode_npy(t)).map_err(|e| NpyError {
        path: path.to_path_buf(),
        message: format!("cannot write the file: {e}"),
    })
}
