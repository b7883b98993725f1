//! The memory limit (`dlang run --max-memory`): every byte the process
//! allocates is counted, so that a program allocating without bound ends
//! with R015 (out of memory) rather than with the kernel's OOM killer or
//! an allocator abort.
//!
//! The global allocator is `counting_alloc::Counted` over the system
//! allocator (crates/counting-alloc: the crate holds the `unsafe` a
//! `GlobalAlloc` needs). It counts per thread and hands the count in to
//! the process's total in batches of 32 KiB, so a small allocation costs
//! no atomic operation; on the thread that runs the program the count is
//! exact (the crate's notes say what other threads may leave out). Two
//! limits apply:
//!
//! - the limit the user sets, checked where the runtime can report an
//!   error: primitives ask [`check_room`] before building a large value
//!   (R008, nothing allocated), and the backends poll [`over_limit`]
//!   where they poll Ctrl-C (R015);
//! - a hard cap [`HEADROOM`] above it, enforced by the allocator itself,
//!   so that a fallible allocation (`try_reserve`) past everything fails
//!   cleanly. The headroom leaves the run room to unwind and report.
//!
//! Declared in the library, the allocator counts in every binary that
//! links it (the tests measure with [`in_use`]); without
//! [`set_limit`] nothing is limited.

use super::error::RuntimeError;
use counting_alloc::Counted;
use std::alloc::System;
use std::sync::atomic::{AtomicUsize, Ordering};

#[global_allocator]
static ALLOCATOR: Counted<System> = Counted::new(System);

/// The limit the user set, in bytes (`usize::MAX`: none).
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);

/// How far past the limit the allocator's own cap lies.
pub const HEADROOM: usize = 256 << 20;

/// Bytes allocated and not yet freed, by the whole process.
pub fn in_use() -> usize {
    ALLOCATOR.in_use()
}

/// The limit in force, in bytes (`usize::MAX` when there is none).
pub fn limit() -> usize {
    LIMIT.load(Ordering::Relaxed)
}

/// Sets the limit (`usize::MAX` for none). A limit below what is already
/// in use holds from then on: the next poll reports R015.
pub fn set_limit(bytes: usize) {
    LIMIT.store(bytes, Ordering::Relaxed);
    ALLOCATOR.set_cap(bytes.saturating_add(HEADROOM).max(in_use()));
}

/// Whether the process uses more than the limit: the backends poll this
/// and stop the program with [`RuntimeError::out_of_memory`].
pub fn over_limit() -> bool {
    in_use() > limit()
}

/// The default limit: half the memory this process may use (the
/// machine's, or its control group's when that is smaller). The count is
/// of bytes asked for; the system allocator's own overhead on small
/// blocks (a list cell asks for 40 bytes and takes 48 or more) makes the
/// resident size up to about 1.7 times that, still below the machine's
/// memory, so the limit is met before the kernel's OOM killer acts.
pub fn default_limit() -> usize {
    let machine = meminfo_total().unwrap_or(usize::MAX);
    let group = cgroup_limit().unwrap_or(usize::MAX);
    let available = machine.min(group);
    if available == usize::MAX {
        usize::MAX
    } else {
        available / 2
    }
}

/// `MemTotal` of `/proc/meminfo`, in bytes.
fn meminfo_total() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// The cgroup v2 memory limit of this process, if it has one.
fn cgroup_limit() -> Option<usize> {
    let text = std::fs::read_to_string("/sys/fs/cgroup/memory.max").ok()?;
    text.trim().parse().ok()
}

/// Whether `bytes` more fit under the limit.
pub fn has_room(bytes: usize) -> bool {
    in_use().saturating_add(bytes) <= limit()
}

/// Why a value of `bytes` bytes cannot be built, if it cannot: the end
/// of a message that names the value first.
pub fn no_room_for(bytes: usize) -> Option<String> {
    (!has_room(bytes)).then(|| {
        format!(
            "would need {}, more than the memory limit of {} leaves (see `--max-memory`)",
            show_bytes(bytes),
            show_bytes(limit())
        )
    })
}

/// Refuses (R008), before anything is allocated, a value of `count`
/// parts of `bytes_each` bytes that would take the process past the
/// limit; `what` names the value (`List.range: a list of 10 elements`).
pub fn check_room(
    count: usize,
    bytes_each: usize,
    what: impl FnOnce() -> String,
) -> Result<(), RuntimeError> {
    match no_room_for(count.saturating_mul(bytes_each)) {
        None => Ok(()),
        Some(why) => Err(RuntimeError::bad_argument(format!("{} {why}", what()))),
    }
}

/// `1.5 GiB`, `12 MiB`, `800 bytes`.
pub fn show_bytes(bytes: usize) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value >= 100.0 || value.fract() < 0.05 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Reads a size as `--max-memory` takes it: bytes, or a number with the
/// suffix `K`, `M`, `G` or `T` (powers of 1024), or `none`.
pub fn parse_size(text: &str) -> Option<usize> {
    if text == "none" {
        return Some(usize::MAX);
    }
    let (digits, shift) = match text.char_indices().last()? {
        (i, 'K' | 'k') => (&text[..i], 10),
        (i, 'M' | 'm') => (&text[..i], 20),
        (i, 'G' | 'g') => (&text[..i], 30),
        (i, 'T' | 't') => (&text[..i], 40),
        _ => (text, 0),
    };
    let n: usize = digits.parse().ok()?;
    n.checked_mul(1usize << shift).filter(|&bytes| bytes > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("512M"), Some(512 << 20));
        assert_eq!(parse_size("2g"), Some(2 << 30));
        assert_eq!(parse_size("none"), Some(usize::MAX));
        for bad in ["", "M", "-1G", "1.5G", "0", "1Q", "99999999999999999999T"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn bytes_show_in_the_largest_unit() {
        assert_eq!(show_bytes(800), "800 bytes");
        assert_eq!(show_bytes(1536), "1.5 KiB");
        assert_eq!(show_bytes(1 << 30), "1 GiB");
        assert_eq!(show_bytes(300 << 20), "300 MiB");
    }

    #[test]
    fn the_allocator_counts() {
        let block: Vec<u8> = Vec::with_capacity(64 << 20);
        assert!(in_use() >= 64 << 20);
        drop(block);
    }

    /// Blocks smaller than a batch are counted too: on this thread they
    /// are in `in_use` before any batch is handed in.
    #[test]
    fn small_blocks_are_counted() {
        let blocks: Vec<Box<[u8; 1000]>> = (0..4000).map(|_| Box::new([0u8; 1000])).collect();
        assert!(in_use() >= 4_000_000, "{}", in_use());
        drop(blocks);
    }
}
