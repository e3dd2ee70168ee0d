//! The revocation state every request checks: two hash maps in memory, no I/O.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::Clock;
use crate::lifetime::SharedClock;

/// The 16 bytes of a session id (its 22-character base64url text decoded).
type SidBytes = [u8; 16];

/// Decodes a session id: 22 characters of base64url without padding, 16 bytes.
pub(crate) fn sid_bytes(sid: &str) -> Option<SidBytes> {
    crate::lifetime::session_id_bytes(sid)
}

/// One revocation, as stored in a backend and in the replica.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevocationEntry {
    /// The session with this id is refused until `expires_ms`.
    Session {
        /// The session id (22 characters of base64url).
        sid: String,
        /// When no seal carrying this id can be valid any more (ms since the Unix epoch).
        expires_ms: u64,
    },
    /// Every session of `subject` created before `before_ms` is refused until `expires_ms`.
    Subject {
        /// The subject (the user).
        subject: String,
        /// Sessions with an `iat` before this (ms since the Unix epoch) are refused.
        before_ms: u64,
        /// When no session created before `before_ms` can be valid any more.
        expires_ms: u64,
    },
}

impl RevocationEntry {
    /// When the entry stops mattering (ms since the Unix epoch).
    pub fn expires_ms(&self) -> u64 {
        match self {
            RevocationEntry::Session { expires_ms, .. }
            | RevocationEntry::Subject { expires_ms, .. } => *expires_ms,
        }
    }
}

/// What revocation checks of a session: the fields of its [metadata](crate::Metadata), each
/// absent when the session has none.
///
/// ```
/// use ironsession::revocation::SessionFields;
///
/// let session = SessionFields { sid: Some("AAAAAAAAAAAAAAAAAAAAAA"), ..SessionFields::default() };
/// assert_eq!(session.subject, None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionFields<'a> {
    /// The session id (`sid`).
    pub sid: Option<&'a str>,
    /// The subject (`sub`), set with [`Session::set_subject`](crate::Session::set_subject).
    pub subject: Option<&'a str>,
    /// When the session was created (`iat`, ms since the Unix epoch). A session without one is
    /// taken as created before any subject revocation of its subject.
    pub iat_ms: Option<u64>,
}

impl<'a> SessionFields<'a> {
    /// The fields of a session with this id, subject and creation time.
    ///
    /// ```
    /// use ironsession::revocation::SessionFields;
    ///
    /// let session = SessionFields::new(None, Some("user-42"), Some(1_700_000_000_000));
    /// assert_eq!((session.sid, session.subject), (None, Some("user-42")));
    /// ```
    pub const fn new(sid: Option<&'a str>, subject: Option<&'a str>, iat_ms: Option<u64>) -> Self {
        SessionFields {
            sid,
            subject,
            iat_ms,
        }
    }
}

/// Why a session is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// Its session id was revoked (a logout, or `revoke_session`).
    Session,
    /// Its subject was revoked after the session was created ("log out everywhere").
    Subject,
    /// The option to refuse sessions until the first sync with the store is on, and that sync has
    /// not happened yet.
    NotSynced,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::Session => "the session id was revoked",
            Refusal::Subject => "the subject's sessions were revoked after this one was created",
            Refusal::NotSynced => "no revocations synced from the store yet",
        })
    }
}

impl Refusal {
    /// A short name for logs and metrics: `session`, `subject` or `not-synced`.
    ///
    /// ```
    /// assert_eq!(ironsession::revocation::Refusal::Subject.as_str(), "subject");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Refusal::Session => "session",
            Refusal::Subject => "subject",
            Refusal::NotSynced => "not-synced",
        }
    }
}

/// A subject revocation: sessions created before `before_ms` are refused until `expires_s`.
#[derive(Clone, Copy, Debug)]
struct SubjectEntry {
    before_ms: u64,
    expires_s: u32,
}

#[derive(Debug, Default)]
struct Maps {
    sessions: HashMap<SidBytes, u32>,
    subjects: HashMap<Box<str>, SubjectEntry>,
    /// The number of entries after the last purge: the next purge runs when the maps have doubled.
    purged_at_len: usize,
}

impl Maps {
    fn len(&self) -> usize {
        self.sessions.len() + self.subjects.len()
    }
}

/// A local copy of every revocation that can still matter, checked on each request without any
/// network access.
///
/// Entries only get added (a revocation is never undone) and are dropped once they expire, so
/// merging a full copy from the store into it is always correct, whatever arrived in between.
/// Memory stays bounded by the number of revocations within one retention period: expired entries
/// are purged whenever the maps have doubled since the last purge, and on
/// [`purge`](Replica::purge). Expiry times are kept in whole seconds (rounded up), so a session
/// entry takes 21 bytes of table (16-byte id, 4-byte expiry, 1 control byte).
///
/// The replica holds the clock of its revocation: entry times, pruning and the backend's syncs all
/// read [`now_ms`](Replica::now_ms), so a test clock moves every one of them (see
/// [`with_clock`](Replica::with_clock)).
///
/// ```
/// use ironsession::revocation::{Refusal, Replica, RevocationEntry, SessionFields};
///
/// let replica = Replica::new();
/// let sid = "AAAAAAAAAAAAAAAAAAAAAA";
/// replica.insert(&RevocationEntry::Session { sid: sid.into(), expires_ms: 2_000_000 });
/// let session = SessionFields { sid: Some(sid), ..SessionFields::default() };
/// assert_eq!(replica.check(session, 1_000_000), Some(Refusal::Session));
/// assert_eq!(replica.check(session, 2_000_000), None);
/// ```
#[derive(Debug)]
pub struct Replica {
    maps: RwLock<Maps>,
    synced: AtomicBool,
    connected: AtomicBool,
    last_sync_ms: AtomicU64,
    clock: SharedClock,
    /// How long an entry lives past its revocation (the retention plus the seal skew), as the
    /// [`Revocation`](super::Revocation) built on this replica's backend says: the propagation
    /// metric takes a revocation's time back out of an entry's expiry with it. `0` until then.
    #[cfg(feature = "metrics")]
    entry_lifetime_ms: AtomicU64,
}

impl Default for Replica {
    fn default() -> Self {
        Self::with_shared_clock(SharedClock::system())
    }
}

impl Replica {
    /// An empty replica on the system clock that has not synced yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty replica that reads the time from `clock` (tests move it).
    ///
    /// ```
    /// use ironsession::revocation::Replica;
    ///
    /// let replica = Replica::with_clock(|| 1_800_000_000_000);
    /// assert_eq!(replica.now_ms(), 1_800_000_000_000);
    /// ```
    pub fn with_clock(clock: impl Clock) -> Self {
        Self::with_shared_clock(SharedClock(Arc::new(clock)))
    }

    pub(crate) fn with_shared_clock(clock: SharedClock) -> Self {
        Replica {
            maps: RwLock::default(),
            synced: AtomicBool::new(false),
            connected: AtomicBool::new(false),
            last_sync_ms: AtomicU64::new(0),
            clock,
            #[cfg(feature = "metrics")]
            entry_lifetime_ms: AtomicU64::new(0),
        }
    }

    /// The time by this replica's clock, ms since the Unix epoch.
    pub fn now_ms(&self) -> u64 {
        self.clock.0.now_ms()
    }

    /// Whether a session with these fields is revoked at `now_ms`.
    pub fn check(&self, session: SessionFields<'_>, now_ms: u64) -> Option<Refusal> {
        let SessionFields {
            sid,
            subject,
            iat_ms,
        } = session;
        let now_s = seconds_floor(now_ms);
        let maps = self.read();
        if let Some(sid) = sid.and_then(sid_bytes)
            && maps
                .sessions
                .get(&sid)
                .is_some_and(|&expires_s| expires_s > now_s)
        {
            return Some(Refusal::Session);
        }
        if let Some(subject) = subject
            && let Some(entry) = maps.subjects.get(subject)
            && entry.expires_s > now_s
            && iat_ms.is_none_or(|iat| iat < entry.before_ms)
        {
            return Some(Refusal::Subject);
        }
        None
    }

    /// Adds a revocation (an entry already known is kept with the later expiry). Session entries
    /// whose id is not 22 characters of base64url are ignored and `false` is returned.
    pub fn insert(&self, entry: &RevocationEntry) -> bool {
        let mut maps = self.write();
        let expires_s = seconds_ceil(entry.expires_ms());
        match entry {
            RevocationEntry::Session { sid, .. } => {
                let Some(sid) = sid_bytes(sid) else {
                    return false;
                };
                let slot = maps.sessions.entry(sid).or_insert(0);
                *slot = (*slot).max(expires_s);
            }
            RevocationEntry::Subject {
                subject, before_ms, ..
            } => {
                let slot = maps
                    .subjects
                    .entry(subject.as_str().into())
                    .or_insert(SubjectEntry {
                        before_ms: 0,
                        expires_s: 0,
                    });
                slot.before_ms = slot.before_ms.max(*before_ms);
                slot.expires_s = slot.expires_s.max(expires_s);
            }
        }
        if maps.len() >= 2 * maps.purged_at_len.max(1024) {
            purge_maps(&mut maps, self.now_ms());
        }
        true
    }

    /// Drops every entry expired at `now_ms` and gives unused table memory back.
    pub fn purge(&self, now_ms: u64) {
        purge_maps(&mut self.write(), now_ms);
        self.report();
    }

    /// The number of entries (session ids and subjects), expired ones not yet purged included.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes the two tables hold (their allocated buckets; subject names are counted at
    /// their length). 1 000 000 revoked session ids take 2^21 buckets of 21 bytes: 44 MB.
    pub fn table_bytes(&self) -> usize {
        let maps = self.read();
        buckets(maps.sessions.capacity()) * (size_of::<(SidBytes, u32)>() + 1)
            + buckets(maps.subjects.capacity()) * (size_of::<(Box<str>, SubjectEntry)>() + 1)
            + maps.subjects.keys().map(|k| k.len()).sum::<usize>()
    }

    /// Whether the replica has completed a full sync with its store at least once.
    pub fn is_synced(&self) -> bool {
        self.synced.load(Ordering::Acquire)
    }

    /// Whether the replica is connected to its store and receiving updates now.
    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Acquire)
    }

    /// When the last full sync finished (ms since the Unix epoch), `0` before the first.
    pub fn last_sync_ms(&self) -> u64 {
        self.last_sync_ms.load(Ordering::Acquire)
    }

    /// Records a completed full sync (backends call this).
    pub fn mark_synced(&self, now_ms: u64) {
        self.last_sync_ms.store(now_ms, Ordering::Release);
        self.connected.store(true, Ordering::Release);
        self.synced.store(true, Ordering::Release);
        self.report();
    }

    /// Records that the store is unreachable (backends call this); known entries stay enforced.
    pub fn mark_disconnected(&self) {
        self.connected.store(false, Ordering::Release);
        self.report();
    }

    /// Sets the replica's gauges (feature `metrics`; see [`crate::metrics`]): its entries, the
    /// age of its last full sync, whether it is connected. Called at syncs, checks and
    /// revocations, never per request.
    fn report(&self) {
        #[cfg(feature = "metrics")]
        crate::metrics::revocation_replica(
            self.len(),
            self.last_sync_ms(),
            self.now_ms(),
            self.is_connected(),
        );
    }

    /// Tells the replica how long entries live past their revocation (the retention plus the
    /// seal skew), for the propagation metric.
    #[cfg(feature = "metrics")]
    pub(super) fn set_entry_lifetime(&self, lifetime: std::time::Duration) {
        let lifetime_ms = u64::try_from(lifetime.as_millis()).unwrap_or(u64::MAX);
        self.entry_lifetime_ms.store(lifetime_ms, Ordering::Release);
    }

    /// Records the arrival of `entry`, published by a server of the fleet, in the propagation
    /// metric (feature `metrics`): the time from its revocation (its expiry less the entry
    /// lifetime) to now. Nothing before the replica knows the entry lifetime.
    #[cfg(feature = "redis")]
    pub(super) fn report_arrival(&self, entry: &RevocationEntry) {
        #[cfg(feature = "metrics")]
        {
            let lifetime_ms = self.entry_lifetime_ms.load(Ordering::Acquire);
            if lifetime_ms == 0 {
                return;
            }
            let kind = match entry {
                RevocationEntry::Session { .. } => "session",
                RevocationEntry::Subject { .. } => "subject",
            };
            let revoked_ms = entry.expires_ms().saturating_sub(lifetime_ms);
            crate::metrics::revocation_propagated(kind, revoked_ms, self.now_ms());
        }
        #[cfg(not(feature = "metrics"))]
        let _ = entry;
    }

    fn read(&self) -> RwLockReadGuard<'_, Maps> {
        // Every write leaves the maps consistent (single inserts and `retain`), so a panic in a
        // holder cannot leave a half-done state behind.
        self.maps.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Maps> {
        self.maps.write().unwrap_or_else(PoisonError::into_inner)
    }
}

fn purge_maps(maps: &mut Maps, now_ms: u64) {
    let now_s = seconds_floor(now_ms);
    maps.sessions.retain(|_, expires_s| *expires_s > now_s);
    maps.subjects.retain(|_, entry| entry.expires_s > now_s);
    // `retain` keeps the buckets: give them back once three quarters are empty.
    if maps.sessions.capacity() > 4 * maps.sessions.len().max(256) {
        maps.sessions.shrink_to_fit();
    }
    if maps.subjects.capacity() > 4 * maps.subjects.len().max(256) {
        maps.subjects.shrink_to_fit();
    }
    maps.purged_at_len = maps.len();
}

/// The buckets behind a `HashMap` capacity: hashbrown fills a table at most 7/8 (tables under 8
/// buckets one less than full), with a power-of-two bucket count.
fn buckets(capacity: usize) -> usize {
    match capacity {
        0 => 0,
        1..8 => (capacity + 1).next_power_of_two(),
        _ => (capacity * 8 / 7).next_power_of_two(),
    }
}

fn seconds_floor(ms: u64) -> u32 {
    u32::try_from(ms / 1000).unwrap_or(u32::MAX)
}

fn seconds_ceil(ms: u64) -> u32 {
    u32::try_from(ms.div_ceil(1000)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    const SID_A: &str = "AAAAAAAAAAAAAAAAAAAAAA";
    const SID_B: &str = "_____________________w";

    fn session(sid: &str, expires_ms: u64) -> RevocationEntry {
        RevocationEntry::Session {
            sid: sid.into(),
            expires_ms,
        }
    }

    fn subject(subject: &str, before_ms: u64, expires_ms: u64) -> RevocationEntry {
        RevocationEntry::Subject {
            subject: subject.into(),
            before_ms,
            expires_ms,
        }
    }

    #[test]
    fn session_ids_are_22_characters_of_base64url_for_16_bytes() {
        assert_eq!(sid_bytes(SID_A), Some([0; 16]));
        assert_eq!(sid_bytes(SID_B), Some([0xff; 16]));
        assert_eq!(sid_bytes("AAAAAAAAAAAAAAAAAAAAA"), None, "21 characters");
        assert_eq!(sid_bytes("AAAAAAAAAAAAAAAAAAAAAAA"), None, "23 characters");
        assert_eq!(sid_bytes("AAAAAAAAAAAAAAAAAAAAA+"), None, "not url-safe");
        // The last character carries 2 bits of the 16th byte and 4 unused bits, which must be 0.
        assert_eq!(sid_bytes("AAAAAAAAAAAAAAAAAAAAAB"), None, "trailing bits");
        assert!(!Replica::new().insert(&session("not a session id", 10_000)));
    }

    #[test]
    fn a_session_entry_refuses_that_session_until_it_expires() {
        let replica = Replica::new();
        assert!(replica.insert(&session(SID_A, 10_000)));
        assert_eq!(
            replica.check(SessionFields::new(Some(SID_A), None, Some(0)), 9_999),
            Some(Refusal::Session)
        );
        assert_eq!(
            replica.check(SessionFields::new(Some(SID_B), None, Some(0)), 9_999),
            None
        );
        assert_eq!(
            replica.check(SessionFields::new(None, None, None), 9_999),
            None
        );
        assert_eq!(
            replica.check(SessionFields::new(Some(SID_A), None, Some(0)), 10_000),
            None
        );
    }

    #[test]
    fn expiry_is_rounded_up_to_the_second_so_it_never_ends_early() {
        let replica = Replica::new();
        replica.insert(&session(SID_A, 10_001));
        assert_eq!(
            replica.check(SessionFields::new(Some(SID_A), None, None), 10_500),
            Some(Refusal::Session)
        );
        assert_eq!(
            replica.check(SessionFields::new(Some(SID_A), None, None), 10_999),
            Some(Refusal::Session)
        );
        assert_eq!(
            replica.check(SessionFields::new(Some(SID_A), None, None), 11_000),
            None
        );
    }

    #[test]
    fn a_subject_entry_refuses_only_sessions_created_before_it() {
        let replica = Replica::new();
        replica.insert(&subject("user-42", 5_000, 100_000));
        let check = |sub, iat| replica.check(SessionFields::new(Some(SID_B), sub, iat), 6_000);
        assert_eq!(check(Some("user-42"), Some(4_999)), Some(Refusal::Subject));
        assert_eq!(check(Some("user-42"), Some(5_000)), None);
        assert_eq!(check(Some("user-42"), None), Some(Refusal::Subject));
        assert_eq!(check(Some("user-43"), Some(0)), None);
        assert_eq!(check(None, Some(0)), None);
        assert_eq!(
            replica.check(SessionFields::new(None, Some("user-42"), Some(0)), 100_000),
            None,
            "expired"
        );
    }

    #[test]
    fn a_later_subject_revocation_widens_and_an_earlier_one_does_not_narrow() {
        let replica = Replica::new();
        replica.insert(&subject("u", 5_000, 50_000));
        replica.insert(&subject("u", 8_000, 80_000));
        replica.insert(&subject("u", 1_000, 10_000));
        assert_eq!(
            replica.check(SessionFields::new(None, Some("u"), Some(7_999)), 60_000),
            Some(Refusal::Subject)
        );
        assert_eq!(
            replica.check(SessionFields::new(None, Some("u"), Some(8_000)), 60_000),
            None
        );
        assert_eq!(
            replica.check(SessionFields::new(None, Some("u"), Some(0)), 80_000),
            None
        );
        assert_eq!(replica.len(), 1);
    }

    #[test]
    fn a_known_session_keeps_its_later_expiry() {
        let replica = Replica::new();
        replica.insert(&session(SID_A, 20_000));
        replica.insert(&session(SID_A, 10_000));
        assert_eq!(
            replica.check(SessionFields::new(Some(SID_A), None, None), 15_000),
            Some(Refusal::Session)
        );
    }

    #[test]
    fn purge_drops_expired_entries_and_keeps_live_ones() {
        let replica = Replica::new();
        replica.insert(&session(SID_A, 10_000));
        replica.insert(&session(SID_B, 30_000));
        replica.insert(&subject("old", 5_000, 10_000));
        replica.insert(&subject("new", 5_000, 30_000));
        assert_eq!(replica.len(), 4);
        replica.purge(20_000);
        assert_eq!(replica.len(), 2);
        assert_eq!(
            replica.check(
                SessionFields::new(Some(SID_B), Some("new"), Some(0)),
                20_000
            ),
            Some(Refusal::Session)
        );
        assert_eq!(
            replica.check(SessionFields::new(None, Some("new"), Some(0)), 20_000),
            Some(Refusal::Subject)
        );
    }

    fn sid(n: u32) -> String {
        let mut bytes = [0u8; 16];
        bytes[..4].copy_from_slice(&n.to_be_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    #[test]
    fn memory_is_bounded_by_the_live_entries_not_by_all_ever_inserted() {
        // Entries that expire at once by the replica's clock, so every automatic purge drops all
        // earlier entries.
        let replica = Replica::with_clock(|| 1_000);
        for n in 0..100_000 {
            replica.insert(&session(&sid(n), 1_000));
        }
        // Automatic purges ran whenever the table doubled: at most 2 × 1024 entries remain.
        assert!(replica.len() < 2 * 1024, "{} entries", replica.len());
        replica.purge(replica.now_ms());
        assert_eq!(replica.len(), 0);
        assert!(
            replica.table_bytes() < 4 * 1024 * 21,
            "{}",
            replica.table_bytes()
        );
    }

    #[test]
    fn live_entries_survive_automatic_purges() {
        let replica = Replica::with_clock(|| 1_000);
        let future = 3_600_000;
        for n in 0..10_000 {
            replica.insert(&session(&sid(n), future));
        }
        assert_eq!(replica.len(), 10_000);
        for n in [0, 4_999, 9_999] {
            assert_eq!(
                replica.check(SessionFields::new(Some(&sid(n)), None, None), future - 1),
                Some(Refusal::Session)
            );
        }
        // A bound, not hashbrown's exact growth (which a std upgrade may change): the table has at
        // least a bucket of 21 bytes per entry it can hold (hashbrown: 16 384 buckets, at most 7/8
        // full), and a hash table that wasted more than 3 of 4 buckets would belie the documented
        // memory per revocation.
        let capacity = replica.read().sessions.capacity();
        assert!(capacity >= 10_000);
        let bytes = replica.table_bytes();
        assert!(
            bytes > capacity * 21 && bytes <= 4 * 10_000 * 21,
            "{bytes} bytes for a capacity of {capacity}"
        );
    }

    #[test]
    fn sync_state_starts_unsynced_and_disconnect_keeps_the_entries() {
        let replica = Replica::new();
        assert!(!replica.is_synced() && !replica.is_connected());
        replica.insert(&session(SID_A, u64::MAX));
        replica.mark_synced(123);
        assert!(replica.is_synced() && replica.is_connected());
        assert_eq!(replica.last_sync_ms(), 123);
        replica.mark_disconnected();
        assert!(replica.is_synced() && !replica.is_connected());
        assert_eq!(
            replica.check(SessionFields::new(Some(SID_A), None, None), 1),
            Some(Refusal::Session)
        );
    }
}
