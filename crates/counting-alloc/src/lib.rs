//! The global allocator behind dlang's memory limit (`--max-memory`,
//! `src/runtime/memory.rs`): another allocator (the system's) with a
//! count of the bytes in use and a hard cap past which an allocation
//! fails (returns null, so `try_reserve` fails cleanly).
//!
//! The count is kept per thread and added to the process's total in
//! batches: an allocation or a free of fewer than [`BATCH`] bytes changes
//! only a thread-local `Cell`, and the thread's pending bytes go to the
//! shared atomic total once they reach `BATCH` either way. So the common
//! small allocation costs no atomic read-modify-write (the `cap` crate,
//! which this replaces, did a `lock sub` on every allocation and a `lock
//! add` on every free). What that costs in precision:
//!
//! - [`Counted::in_use`] is the total plus the calling thread's pending
//!   bytes, so on the thread that allocates (dlang runs a program on one
//!   thread) it is exact; another thread's pending bytes, less than
//!   `BATCH` each, are not in it.
//! - A thread that ends with bytes pending leaves them out of the total
//!   for good (a thread-local destructor would itself allocate): the
//!   total can be off by less than `BATCH` per ended thread, and is never
//!   shown below zero.
//! - The hard cap is checked exactly for an allocation of `BATCH` bytes
//!   or more (each goes to the total at once) and, for smaller ones, when
//!   a batch goes to the total: a thread can pass the cap by less than
//!   `BATCH` bytes of small blocks.
//!
//! The pending count is one per thread, not one per [`Counted`]: the type
//! is meant for one value, the process's `#[global_allocator]`.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};

/// The most bytes a thread keeps pending before they go to the total.
pub const BATCH: usize = 32 << 10;

/// The system allocator (or any other) with a count and a cap.
#[derive(Debug)]
pub struct Counted<A> {
    inner: A,
    /// Bytes in use that the threads have handed in (may dip below zero
    /// while another thread has frees pending).
    total: AtomicIsize,
    /// Past this many bytes in use, allocations fail.
    cap: AtomicUsize,
}

thread_local! {
    /// This thread's bytes allocated less bytes freed, not yet in `total`.
    /// A `const` cell of a type without `Drop`: no lazy initialisation and
    /// no destructor to register, so the allocator can use it at any time.
    static PENDING: Cell<isize> = const { Cell::new(0) };
}

impl<A> Counted<A> {
    pub const fn new(inner: A) -> Self {
        Counted {
            inner,
            total: AtomicIsize::new(0),
            cap: AtomicUsize::new(usize::MAX),
        }
    }

    /// Bytes allocated and not yet freed, by the whole process (see the
    /// module's notes on precision).
    pub fn in_use(&self) -> usize {
        let pending = PENDING.try_with(Cell::get).unwrap_or(0);
        let total = self.total.load(Ordering::Relaxed).saturating_add(pending);
        total.max(0) as usize
    }

    /// The hard cap in force.
    pub fn cap(&self) -> usize {
        self.cap.load(Ordering::Relaxed)
    }

    /// Sets the hard cap (`usize::MAX`: none). A cap below what is in use
    /// makes every further allocation of `BATCH` bytes or more fail.
    pub fn set_cap(&self, bytes: usize) {
        self.cap.store(bytes, Ordering::Relaxed);
    }

    /// Counts `size` more bytes; false (and nothing counted) when that
    /// takes the total past the cap.
    #[inline]
    fn count_alloc(&self, size: usize) -> bool {
        let size = size as isize;
        if size < BATCH as isize {
            if let Ok(pending) = PENDING.try_with(|p| {
                let now = p.get() + size;
                p.set(now);
                now
            }) {
                if pending < BATCH as isize {
                    return true;
                }
                return self.hand_in(pending, size);
            }
        }
        self.add_checked(size)
    }

    /// Hands this thread's `pending` bytes (the last `size` of them the
    /// allocation being made) in to the total.
    #[cold]
    fn hand_in(&self, pending: isize, size: isize) -> bool {
        if self.add_checked(pending) {
            let _ = PENDING.try_with(|p| p.set(0));
            return true;
        }
        // Past the cap: the allocation is refused, the rest stays pending.
        let _ = PENDING.try_with(|p| p.set(pending - size));
        false
    }

    /// Adds `bytes` to the total unless that passes the cap.
    fn add_checked(&self, bytes: isize) -> bool {
        let after = self.total.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if after > 0 && after as usize > self.cap() {
            self.total.fetch_sub(bytes, Ordering::Relaxed);
            return false;
        }
        true
    }

    #[inline]
    fn count_free(&self, size: usize) {
        let size = size as isize;
        if size < BATCH as isize {
            if let Ok(pending) = PENDING.try_with(|p| {
                let now = p.get() - size;
                p.set(now);
                now
            }) {
                if pending > -(BATCH as isize) {
                    return;
                }
                let _ = PENDING.try_with(|p| p.set(0));
                self.total.fetch_add(pending, Ordering::Relaxed);
                return;
            }
        }
        self.total.fetch_sub(size, Ordering::Relaxed);
    }
}

impl<A> Counted<A> {
    /// A new block of `size` bytes from `allocate`, counted first: null
    /// without calling it when the count refuses, and the count given
    /// back when the inner allocator returns null.
    #[inline]
    fn counted(&self, size: usize, allocate: impl FnOnce() -> *mut u8) -> *mut u8 {
        if !self.count_alloc(size) {
            return std::ptr::null_mut();
        }
        let block = allocate();
        if block.is_null() {
            self.count_free(size);
        }
        block
    }
}

// SAFETY: every method forwards to the inner allocator with the caller's
// own layout and pointer, unchanged; counting only decides whether to call
// it at all (a refused allocation returns null, as `GlobalAlloc` allows).
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counted<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.counted(layout.size(), || self.inner.alloc(layout))
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.counted(layout.size(), || self.inner.alloc_zeroed(layout))
    }

    #[inline]
    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        self.inner.dealloc(block, layout);
        self.count_free(layout.size());
    }

    #[inline]
    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old {
            if !self.count_alloc(new_size - old) {
                return std::ptr::null_mut();
            }
            let moved = self.inner.realloc(block, layout, new_size);
            if moved.is_null() {
                self.count_free(new_size - old);
            }
            moved
        } else {
            let moved = self.inner.realloc(block, layout, new_size);
            if !moved.is_null() {
                self.count_free(old - new_size);
            }
            moved
        }
    }
}
