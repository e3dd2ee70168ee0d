//! Revocation: a logout that kills every copy of the cookie, and "log out everywhere", while each
//! request is still checked without any network round-trip.
//!
//! A sealed cookie is a bearer token: deleting it from one browser leaves any copy valid until the
//! seal expires. Revocation adds a small denylist, keyed by the session metadata every seal carries
//! (a random session id `sid`, the creation time `iat`, and an optional subject `sub`):
//!
//! - **Session revocations** (`sid` → expiry): a logout, or an admin tool's
//!   [`Revocation::revoke_session`]. A logout revokes only the id of the session the request's
//!   cookie carried, once it opened and passed every check: a request without one records
//!   nothing.
//! - **Subject revocations** (`sub` → generation, expiry): "log out everywhere",
//!   [`Revocation::revoke_subject`], refuses every session of the subject created before it
//!   (the idea of ASP.NET's security stamp; also what a password change should call).
//!
//! # Generations: subject revocation without comparing clocks
//! The store keeps a counter, its *version*, which every revocation increments (Redis:
//! `…:revoked:version`; the in-memory backend keeps its own). Each replica tracks the highest
//! version it has applied, its [generation](Replica::generation), and a session records the
//! generation of its server's replica when its metadata is made (at login, on
//! [`regenerate`](crate::Session::regenerate), at a [`set_subject`](crate::Session::set_subject)
//! that changes the subject, or whenever a session gets metadata): `"gen"` in `_is`, no network
//! hop. [`Revocation::revoke_subject`] increments the counter and stores the subject's entry
//! with that new version, atomically; a session of the subject is refused when its generation is
//! lower than the entry's.
//!
//! - Every session created before the revocation was recorded carries a lower generation
//!   (its replica could not have seen a version the store had not reached), whatever the
//!   servers' clocks say: refused everywhere.
//! - A session created after its server applied the revocation (within the propagation time,
//!   milliseconds on Redis, at most the version check's second when a message is lost) carries an
//!   equal or higher generation: never refused by it. A server cut off from the store hands out
//!   older generations: a login it makes for a subject revoked meanwhile is refused everywhere,
//!   the safe side.
//! - **Sessions without a generation** (sealed before this release, or by a Node app whose
//!   metadata has no `gen`) are compared by time instead: refused when their `iat` is earlier
//!   than the revocation's time plus 5 s of allowance for clock differences. Such a session
//!   created on a server more than 5 s ahead of the revoking one survives the revocation, and
//!   one created up to 5 s after it is refused.
//! - **The counter never goes back.** Replicas keep the highest generation they saw. A
//!   revocation written by a server passes its replica's generation, and the store's counter
//!   jumps above it when it is lower (a failover that lost writes); an absent counter (a store
//!   emptied by a restart) starts at the revoking server's time in milliseconds, above the
//!   versions of the emptied store as long as it counted fewer revocations than milliseconds
//!   since it started. An emptied store forgets its revocations (revoked sessions open again, as
//!   they would after a restart of the in-memory backend), but revocations made after it still
//!   refuse every session created before them.
//!
//! # Design
//! - **Every check is local.** Each process keeps a [`Replica`] of the denylist in memory: two hash
//!   maps behind a read-write lock. A request does one or two lookups and never waits on the
//!   network, so revocation keeps the stateless speed.
//! - **Backends behind one trait**, [`RevocationBackend`]: record an entry in the shared store,
//!   and expose the replica. [`InMemory`] (one process; the default) and, with the `redis`
//!   feature, `redis::RedisBackend` (a fleet: Redis 7 or Valkey).
//! - **Writes are acknowledged.** [`Revocation::revoke_session`] and
//!   [`Revocation::revoke_subject`] return only after the store has the entry; otherwise they
//!   return an error, so a logout handler can tell the user that the logout did not happen.
//! - **Push plus resync.** The Redis backend applies each new entry as it is published, checks a
//!   version counter every second (a gap means a missed message: full resync), and resyncs in
//!   full on every reconnect and every few minutes. Entries are only ever added, so merging a
//!   full copy is always correct.
//! - **Bounded memory.** An entry is kept for the *retention* ([`RevocationBuilder::retention`],
//!   default 14 days, iron-session's ttl) plus 60 s of clock skew after the revocation: the longest
//!   a seal made before the revocation can stay valid. After that no session it could refuse can
//!   be alive, so it is dropped from the store and from memory. The replica holds the revocations
//!   of one retention period: 1 000 000 session revocations take 44 MB of table (2^21 buckets of
//!   21 bytes; see [`Replica::table_bytes`]).
//! - **The store down.** Known revocations stay enforced, sessions keep being served, new
//!   revocation calls fail, and the replica resyncs when the store is back. A process that starts
//!   without reaching its store logs an error and serves with what it has (nothing);
//!   [`RevocationBuilder::refuse_sessions_until_synced`] makes it refuse sessions instead until
//!   its first sync.
//!
//! ```
//! use ironsession::revocation::{Refusal, Revocation, SessionFields};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let revocation = Revocation::in_memory();
//! let sid = "c2Vzc2lvbi1pZC0xMjM0NQ";
//! let session = SessionFields { sid: Some(sid), ..SessionFields::default() };
//! assert_eq!(revocation.check(session), None);
//! revocation.revoke_session(sid).await?;
//! assert_eq!(revocation.check(session), Some(Refusal::Session));
//! # Ok::<(), ironsession::revocation::RevocationError>(())
//! # }).unwrap();
//! ```

// In the crate's layers (docs/architecture.md), revocation uses only `lifetime` (the clock, the
// ttl of the default retention, the session id's bytes). Its option is set in `config`, the
// per-request check runs in `request`, and the logout methods are `session/revocation.rs`'s.

mod memory;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub mod redis;
mod replica;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

pub use memory::InMemory;
pub use replica::{Refusal, Replica, RevocationEntry, SessionFields};

use crate::Ttl;

/// The clock skew iron-session allows when it checks a seal's expiry: a seal stays valid this long
/// past its expiration, so revocation entries are kept this much longer too.
const SEAL_SKEW: Duration = Duration::from_secs(60);

/// iron-session's default ttl, 14 days: the default retention.
const DEFAULT_RETENTION: Duration = match Ttl::DEFAULT {
    Ttl::After(ttl) => ttl,
    Ttl::Never => Duration::MAX,
};

/// The longest subject accepted, in bytes: a subject revocation stores the subject, in the store
/// and in every server's replica, for the retention (a Redis entry of a 1024-byte subject takes
/// about 1.1 KB).
pub const MAX_SUBJECT_BYTES: usize = 1024;

/// Whether `subject` can be revoked: 1 to [`MAX_SUBJECT_BYTES`] bytes.
pub(crate) fn valid_subject(subject: &str) -> bool {
    (1..=MAX_SUBJECT_BYTES).contains(&subject.len())
}

/// The future of [`RevocationBackend::record`].
pub type RecordFuture<'a> = Pin<Box<dyn Future<Output = Result<(), RevocationError>> + Send + 'a>>;

/// A place revocations are stored in, with the local replica each request checks.
///
/// Implement it for another shared store; the crate's test suite runs every backend through the
/// same tests.
pub trait RevocationBackend: fmt::Debug + Send + Sync + 'static {
    /// Stores `entry` so that every process sharing the store enforces it, and adds it to this
    /// process's replica. Resolves only once the store has it. A subject entry gets its
    /// generation here: a new version of the store, above every generation this process's
    /// replica has seen (see the [module documentation](self)).
    ///
    /// # Errors
    /// [`RevocationError::Store`] or [`RevocationError::Timeout`] when the store did not confirm.
    fn record(&self, entry: RevocationEntry) -> RecordFuture<'_>;

    /// The local replica the per-request checks read.
    fn replica(&self) -> &Replica;

    /// Stores `entry` without waiting: the caller cannot await (a synchronous
    /// [`destroy`](crate::Session::destroy)). A failure can only be logged. The default drives
    /// [`record`](Self::record) once, which completes backends that do not wait on I/O; backends
    /// that do must override it (the Redis backend spawns a task).
    fn record_in_background(&self, entry: RevocationEntry) {
        let mut future = self.record(entry);
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(Ok(())) => {}
            std::task::Poll::Ready(Err(error)) => {
                tracing::error!(%error, "revocation NOT recorded");
            }
            std::task::Poll::Pending => tracing::error!(
                backend = ?self,
                "revocation NOT recorded: this backend cannot record in the background"
            ),
        }
    }
}

/// Why a revocation was not recorded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RevocationError {
    /// The session id is not 22 characters of base64url (the form of the session metadata).
    #[error("invalid session id: expected 22 characters of base64url")]
    InvalidSessionId,
    /// The subject is empty or longer than [`MAX_SUBJECT_BYTES`].
    #[error("invalid subject: it must be 1 to {MAX_SUBJECT_BYTES} bytes long")]
    InvalidSubject,
    /// The store did not confirm in time (unreachable, or too slow).
    #[error("the revocation store did not confirm within {after:?}")]
    Timeout {
        /// How long the call waited.
        after: Duration,
    },
    /// The store refused or failed the write (for Redis: connection refused, script error, …).
    #[error("the revocation store did not record the revocation: {0}")]
    Store(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The store recorded the revocation but fewer replicas than required confirmed it.
    #[error("only {confirmed} of {required} replicas confirmed the revocation")]
    NotReplicated {
        /// Replicas that confirmed.
        confirmed: u64,
        /// Replicas required.
        required: u64,
    },
    /// The backend needs a tokio runtime to start its background sync, and there is none.
    #[error("the revocation backend must be started inside a tokio runtime")]
    NoRuntime,
    /// The store's address could not be used.
    #[error("invalid revocation store address: {0}")]
    InvalidAddress(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The session's configuration has no [revocation](crate::SessionConfigBuilder::revocation):
    /// nothing was revoked (from [`Session::revoke_and_destroy`](crate::Session::revoke_and_destroy)
    /// and [`Session::revoke_subject_and_destroy`](crate::Session::revoke_subject_and_destroy),
    /// which still destroyed the session's cookie).
    #[error(
        "revocation is not configured: nothing was revoked (SessionConfigBuilder::revocation turns it on)"
    )]
    NotConfigured,
    /// [`Session::revoke_subject_and_destroy`](crate::Session::revoke_subject_and_destroy) of a
    /// session without a [subject](crate::Session::set_subject), or that no cookie carried: no
    /// other session was revoked (this one was destroyed).
    #[error(
        "the session has no subject: no other session was revoked (set one with Session::set_subject at login)"
    )]
    NoSubject,
    /// The request is a cross-site write that the configuration
    /// [refuses](crate::SessionConfigBuilder::refuse_cross_site_writes): nothing was revoked or
    /// destroyed (see [`SaveError::CrossSite`](crate::SaveError::CrossSite)).
    #[error("cross-site request: nothing was revoked or destroyed")]
    CrossSite,
}

/// Revocation for a [`SessionConfig`](crate::SessionConfig): a backend, the retention of its
/// entries, and whether to refuse sessions before the first sync. Cheap to clone; clones share
/// the backend.
///
/// ```
/// use std::time::Duration;
/// use ironsession::revocation::{InMemory, Revocation};
///
/// let revocation = Revocation::builder(InMemory::new())
///     .retention(Duration::from_secs(30 * 24 * 3600))
///     .build();
/// assert_eq!(revocation.retention(), Duration::from_secs(30 * 24 * 3600));
/// ```
#[derive(Clone)]
pub struct Revocation {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Box<dyn RevocationBackend>,
    retention: Duration,
    refuse_until_synced: bool,
}

impl fmt::Debug for Revocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Revocation")
            .field("backend", &self.inner.backend)
            .field("retention", &self.inner.retention)
            .field("refuse_until_synced", &self.inner.refuse_until_synced)
            .finish_non_exhaustive()
    }
}

impl Revocation {
    /// Revocation in this process only ([`InMemory`]), with the default retention of 14 days.
    ///
    /// ```
    /// let revocation = ironsession::revocation::Revocation::in_memory();
    /// assert!(revocation.replica().is_synced());
    /// ```
    pub fn in_memory() -> Self {
        Self::builder(InMemory::new()).build()
    }

    /// Starts a revocation on `backend`.
    pub fn builder(backend: impl RevocationBackend) -> RevocationBuilder {
        RevocationBuilder {
            backend: Box::new(backend),
            retention: DEFAULT_RETENTION,
            refuse_until_synced: false,
        }
    }

    /// Revokes one session by its id: every request carrying a seal with this `sid` is refused
    /// from now on, on every process sharing the store. Returns once the store has it.
    ///
    /// # Errors
    /// [`RevocationError::InvalidSessionId`], or the store's error: the revocation did not happen.
    pub async fn revoke_session(&self, sid: &str) -> Result<(), RevocationError> {
        let entry = self.session_entry(sid)?;
        self.record(entry, "session").await
    }

    /// The entry that revokes `sid` from now until no seal made before now can be valid.
    fn session_entry(&self, sid: &str) -> Result<RevocationEntry, RevocationError> {
        if replica::sid_bytes(sid).is_none() {
            return Err(RevocationError::InvalidSessionId);
        }
        Ok(RevocationEntry::Session {
            sid: sid.to_owned(),
            expires_ms: self.expiry_from(self.now_ms()),
        })
    }

    /// [`revoke_session`](Self::revoke_session) without waiting for the store: this process
    /// refuses the session at once, the others once the store has it. A store failure is only
    /// logged (as an error), so prefer `revoke_session` wherever the caller can await and report.
    ///
    /// # Errors
    /// [`RevocationError::InvalidSessionId`].
    pub fn revoke_session_in_background(&self, sid: &str) -> Result<(), RevocationError> {
        let entry = self.session_entry(sid)?;
        self.replica().insert(&entry);
        self.inner.backend.record_in_background(entry);
        Ok(())
    }

    /// Revokes every session of `subject` created before now ("log out everywhere"; also what a
    /// password change should call): on every process sharing the store, every session of the
    /// subject created before this call returned, whatever the servers' clocks say. Sessions
    /// created after a server applied it (milliseconds later on Redis) are not affected. Returns
    /// once the store has it. The subject is 1 to [`MAX_SUBJECT_BYTES`] bytes; see the
    /// [module documentation](self) for how generations order sessions and revocations.
    ///
    /// # Errors
    /// [`RevocationError::InvalidSubject`], or the store's error: the revocation did not happen.
    pub async fn revoke_subject(&self, subject: &str) -> Result<(), RevocationError> {
        if !valid_subject(subject) {
            return Err(RevocationError::InvalidSubject);
        }
        let now_ms = self.now_ms();
        let entry = RevocationEntry::Subject {
            subject: subject.to_owned(),
            // The backend assigns it.
            generation: None,
            before_ms: now_ms,
            expires_ms: self.expiry_from(now_ms),
        };
        self.record(entry, "subject").await
    }

    /// The generation a session created now records: the highest version of the store this
    /// process's replica has seen.
    ///
    /// ```
    /// use ironsession::revocation::{InMemory, Revocation};
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let revocation = Revocation::builder(InMemory::with_clock(|| 1_800_000_000_000)).build();
    /// let before = revocation.generation();
    /// revocation.revoke_subject("user-42").await?;
    /// assert!(revocation.generation() > before);
    /// # Ok::<(), ironsession::revocation::RevocationError>(())
    /// # }).unwrap();
    /// ```
    pub fn generation(&self) -> u64 {
        self.replica().generation()
    }

    /// Whether a session with these fields is refused now. Reads the local replica only.
    pub fn check(&self, session: SessionFields<'_>) -> Option<Refusal> {
        self.check_at(session, self.now_ms())
    }

    /// [`check`](Self::check) at `now_ms`.
    pub fn check_at(&self, session: SessionFields<'_>, now_ms: u64) -> Option<Refusal> {
        let replica = self.replica();
        if self.inner.refuse_until_synced && !replica.is_synced() {
            return Some(Refusal::NotSynced);
        }
        replica.check(session, now_ms)
    }

    /// How long after a revocation its entry is kept (plus 60 s of clock skew).
    pub fn retention(&self) -> Duration {
        self.inner.retention
    }

    /// The local replica (for health checks: [`Replica::is_connected`], [`Replica::is_synced`]).
    pub fn replica(&self) -> &Replica {
        self.inner.backend.replica()
    }

    async fn record(&self, entry: RevocationEntry, kind: &str) -> Result<(), RevocationError> {
        let result = self.inner.backend.record(entry).await;
        match &result {
            Ok(()) => tracing::info!(kind, "revocation recorded"),
            Err(error) => tracing::warn!(kind, %error, "revocation NOT recorded"),
        }
        result
    }

    fn expiry_from(&self, now_ms: u64) -> u64 {
        let keep = self.inner.retention.saturating_add(SEAL_SKEW);
        now_ms.saturating_add(u64::try_from(keep.as_millis()).unwrap_or(u64::MAX))
    }

    /// The time by the backend's clock: the one its replica prunes by
    /// ([`Replica::now_ms`]).
    fn now_ms(&self) -> u64 {
        self.replica().now_ms()
    }
}

/// Builds a [`Revocation`].
#[must_use]
pub struct RevocationBuilder {
    backend: Box<dyn RevocationBackend>,
    retention: Duration,
    refuse_until_synced: bool,
}

impl fmt::Debug for RevocationBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RevocationBuilder")
            .field("backend", &self.backend)
            .field("retention", &self.retention)
            .finish_non_exhaustive()
    }
}

impl RevocationBuilder {
    /// How long an entry is kept after its revocation (60 s of clock skew are added). It must
    /// cover the longest life a cookie can have: the longest ttl any session is sealed with (a
    /// "remember me" ttl included), or the absolute lifetime if that is shorter; otherwise a copy
    /// of a revoked cookie becomes valid again once its entry is dropped.
    /// [`SessionConfigBuilder::build`](crate::SessionConfigBuilder::build) checks it against the
    /// configuration (see [`SessionConfigBuilder::revocation`](crate::SessionConfigBuilder::revocation)).
    /// Default: 14 days, iron-session's default ttl.
    ///
    /// ```
    /// use std::time::Duration;
    /// use ironsession::revocation::{InMemory, Revocation};
    ///
    /// // "Remember me" seals for 30 days: revocations must be kept as long.
    /// let revocation = Revocation::builder(InMemory::new())
    ///     .retention(Duration::from_secs(30 * 24 * 3600))
    ///     .build();
    /// assert_eq!(revocation.retention(), Duration::from_secs(30 * 24 * 3600));
    /// ```
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Refuse every session (as revoked, [`Refusal::NotSynced`]) until the replica has synced
    /// with the store once. Off by default: a process that starts while the store is down serves
    /// sessions, without the revocations made elsewhere, and logs an error.
    ///
    /// ```
    /// use ironsession::revocation::{InMemory, Revocation};
    ///
    /// // An in-memory replica is synced from the start, so nothing is refused; a Redis backend's
    /// // replica refuses every session until it first reaches Redis.
    /// let revocation = Revocation::builder(InMemory::new())
    ///     .refuse_sessions_until_synced(true)
    ///     .build();
    /// assert!(revocation.replica().is_synced());
    /// ```
    pub fn refuse_sessions_until_synced(mut self, refuse: bool) -> Self {
        self.refuse_until_synced = refuse;
        self
    }

    /// Builds the revocation.
    ///
    /// ```
    /// use ironsession::revocation::{InMemory, Revocation};
    /// use ironsession::{Passwords, SessionConfig};
    ///
    /// let revocation = Revocation::builder(InMemory::new()).build();
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .revocation(revocation.clone()) // clones share the backend
    ///     .build()?;
    /// assert!(config.revocation().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build(self) -> Revocation {
        #[cfg(feature = "metrics")]
        self.backend
            .replica()
            .set_entry_lifetime(self.retention.saturating_add(SEAL_SKEW));
        Revocation {
            inner: Arc::new(Inner {
                backend: self.backend,
                retention: self.retention,
                refuse_until_synced: self.refuse_until_synced,
            }),
        }
    }
}
