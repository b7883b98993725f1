//! Presses Ctrl-C on a program that runs too long: the tests that run
//! programs in-process give the backend's context the watchdog's flag,
//! and an input still running past the time limit sees it set (R006, as
//! Ctrl-C). Each input gets a number, and a timer thread fires only if
//! that input is still running.
//!
//! Use with `#[path = "common/watchdog.rs"] mod watchdog;`.

#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub struct Watchdog {
    /// The flag to hand to `RuntimeCtx::interrupted`.
    pub interrupted: Arc<AtomicBool>,
    current: Arc<AtomicU64>,
    limit: Duration,
}

impl Watchdog {
    /// A watchdog interrupting inputs that run past `limit`.
    pub fn new(limit: Duration) -> Watchdog {
        Watchdog {
            interrupted: Arc::new(AtomicBool::new(false)),
            current: Arc::new(AtomicU64::new(u64::MAX)),
            limit,
        }
    }

    pub fn start_input(&self, number: u64) {
        self.interrupted.store(false, Ordering::SeqCst);
        self.current.store(number, Ordering::SeqCst);
        let interrupted = self.interrupted.clone();
        let current = self.current.clone();
        let limit = self.limit;
        std::thread::spawn(move || {
            std::thread::sleep(limit);
            if current.load(Ordering::SeqCst) == number {
                interrupted.store(true, Ordering::SeqCst);
            }
        });
    }

    pub fn finish_input(&self) {
        self.current.store(u64::MAX, Ordering::SeqCst);
    }
}
