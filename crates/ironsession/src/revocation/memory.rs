//! The in-memory backend: one process, no store beyond the replica itself.

use super::{RecordFuture, Replica, RevocationBackend, RevocationEntry};
use crate::Clock;

/// Revocations kept in this process only: the default when revocation is on without Redis.
///
/// A revocation is enforced at once by every session configuration sharing this backend, and
/// forgotten when the process exits (sessions revoked before a restart are accepted again).
/// Use the Redis backend for more than one process.
///
/// Its generations count up from the time it was made (ms since the Unix epoch by its clock), so
/// that after a restart they stay above those of the sessions made before it, as long as the
/// earlier run made fewer revocations than it ran milliseconds.
///
/// ```
/// use ironsession::revocation::{InMemory, RevocationBackend};
///
/// let backend = InMemory::new();
/// assert!(backend.replica().is_synced());
/// ```
#[derive(Debug)]
pub struct InMemory {
    replica: Replica,
}

impl InMemory {
    /// An empty backend on the system clock; its replica counts as synced from the start.
    pub fn new() -> Self {
        Self::with_replica(Replica::new())
    }

    /// An empty backend whose entry times and pruning read `clock` (tests move it).
    ///
    /// ```
    /// use ironsession::revocation::{InMemory, RevocationBackend};
    ///
    /// let backend = InMemory::with_clock(|| 1_800_000_000_000);
    /// assert_eq!(backend.replica().now_ms(), 1_800_000_000_000);
    /// ```
    pub fn with_clock(clock: impl Clock) -> Self {
        Self::with_replica(Replica::with_clock(clock))
    }

    fn with_replica(replica: Replica) -> Self {
        let now_ms = replica.now_ms();
        replica.advance_generation(now_ms);
        replica.mark_synced(now_ms);
        InMemory { replica }
    }
}

impl Default for InMemory {
    fn default() -> Self {
        Self::new()
    }
}

impl RevocationBackend for InMemory {
    fn record(&self, mut entry: RevocationEntry) -> RecordFuture<'_> {
        let version = self.replica.next_generation();
        if let RevocationEntry::Subject { generation, .. } = &mut entry {
            *generation = Some(version);
        }
        self.replica.insert(&entry);
        // The replica is the store: every revocation leaves it in sync (and its gauges current).
        self.replica.mark_synced(self.replica.now_ms());
        Box::pin(std::future::ready(Ok(())))
    }

    fn replica(&self) -> &Replica {
        &self.replica
    }
}
