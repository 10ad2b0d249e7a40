//! A simulator's state under a lock.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// State shared by a simulator's handlers, behind a mutex whose poisoning is recovered: no
/// handler panics while holding the lock, and were one to, the state would still be usable,
/// where refusing every later request would be worse.
#[derive(Debug, Default)]
pub(crate) struct Locked<T>(Mutex<T>);

impl<T> Locked<T> {
    /// A store holding `value`.
    pub(crate) fn new(value: T) -> Self {
        Locked(Mutex::new(value))
    }

    /// The state, locked until the guard is dropped.
    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
