//! The in-memory backend: one process, no store beyond the replica itself.

use super::{RecordFuture, Replica, RevocationBackend, RevocationEntry};

/// Revocations kept in this process only: the default when revocation is on without Redis.
///
/// A revocation is enforced at once by every session configuration sharing this backend, and
/// forgotten when the process exits (sessions revoked before a restart are accepted again).
/// Use the Redis backend for more than one process.
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
    /// An empty backend; its replica counts as synced from the start.
    pub fn new() -> Self {
        let replica = Replica::new();
        replica.mark_synced(iron_seal::system_now_ms());
        InMemory { replica }
    }
}

impl Default for InMemory {
    fn default() -> Self {
        Self::new()
    }
}

impl RevocationBackend for InMemory {
    fn record(&self, entry: RevocationEntry) -> RecordFuture<'_> {
        self.replica.insert(&entry);
        Box::pin(std::future::ready(Ok(())))
    }

    fn replica(&self) -> &Replica {
        &self.replica
    }
}
