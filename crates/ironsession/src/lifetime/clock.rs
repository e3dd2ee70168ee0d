//! The clock sessions read, replaceable so tests can move time.

use std::fmt;
use std::sync::Arc;

/// A source of the current time in milliseconds since the Unix epoch.
///
/// Sessions use [`SystemClock`] unless the configuration is given another; tests pass a closure
/// to check expiry without sleeping.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::sync::Arc;
/// use ironsession::Clock;
///
/// let now = Arc::new(AtomicU64::new(1_700_000_000_000));
/// let clock = { let now = now.clone(); move || now.load(Ordering::Relaxed) };
/// now.store(1_700_000_060_000, Ordering::Relaxed);
/// assert_eq!(clock.now_ms(), 1_700_000_060_000);
/// ```
pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
}

/// The system clock.
///
/// ```
/// use ironsession::{Clock, SystemClock};
/// assert!(SystemClock.now_ms() > 1_700_000_000_000);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        iron_seal::system_now_ms()
    }
}

impl<F: Fn() -> u64 + Send + Sync + 'static> Clock for F {
    fn now_ms(&self) -> u64 {
        self()
    }
}

/// A shared clock, cheap to clone with the configuration.
#[derive(Clone)]
pub(crate) struct SharedClock(pub(crate) Arc<dyn Clock>);

impl SharedClock {
    pub(crate) fn system() -> Self {
        SharedClock(Arc::new(SystemClock))
    }
}

impl fmt::Debug for SharedClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}
