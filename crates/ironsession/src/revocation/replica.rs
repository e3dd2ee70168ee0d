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
    /// Every session of `subject` created before the revocation is refused until `expires_ms`:
    /// each whose [generation](crate::Metadata::generation) is below `generation`, and each
    /// without a generation whose `iat` is before `before_ms` plus 5 s of clock allowance.
    Subject {
        /// The subject (the user).
        subject: String,
        /// The store's version this revocation was recorded as: sessions of the subject created
        /// before it carry a lower generation. Assigned by the backend when it records the entry
        /// (what [`RevocationBackend::record`](super::RevocationBackend::record) is given is
        /// ignored); `None` for an entry of the older form, which has only `before_ms`.
        generation: Option<u64>,
        /// When the revocation was made, by the revoking server's clock (ms since the Unix
        /// epoch): what sessions without a generation are compared with.
        before_ms: u64,
        /// When no session created before the revocation can be valid any more.
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
    /// When the session was created (`iat`, ms since the Unix epoch): compared with a subject
    /// revocation's time only when the session has no generation. A session without either is
    /// taken as created before any subject revocation of its subject.
    pub iat_ms: Option<u64>,
    /// The revocation generation the session was created in (`gen`, see
    /// [`Metadata::generation`](crate::Metadata::generation)).
    pub generation: Option<u64>,
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
            generation: None,
        }
    }

    /// These fields with the session's revocation generation.
    ///
    /// ```
    /// use ironsession::revocation::SessionFields;
    ///
    /// let session = SessionFields::new(None, Some("user-42"), Some(1_700_000_000_000)).with_generation(7);
    /// assert_eq!(session.generation, Some(7));
    /// ```
    #[must_use]
    pub const fn with_generation(self, generation: u64) -> Self {
        SessionFields {
            generation: Some(generation),
            ..self
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

/// How much later than a subject revocation's time a session without a generation may have been
/// created and still be refused: the clock difference between servers it allows for.
const CLOCK_ALLOWANCE_MS: u64 = 5_000;

/// A subject's revocations, merged: the latest of each kind, kept until the latest expiry.
#[derive(Clone, Copy, Debug, Default)]
struct SubjectEntry {
    /// The highest generation among the entries that have one (0: none).
    generation: u64,
    /// The latest time among all the entries.
    before_ms: u64,
    /// The latest time among the entries without a generation (0: none): they refuse by `iat`
    /// only, even sessions that have a generation.
    without_generation_before_ms: u64,
    expires_s: u32,
}

impl SubjectEntry {
    /// Whether a session of the subject with this generation and creation time is refused.
    fn refuses(&self, generation: Option<u64>, iat_ms: Option<u64>) -> bool {
        let created_before = |before_ms: u64| {
            iat_ms.is_none_or(|iat| iat < before_ms.saturating_add(CLOCK_ALLOWANCE_MS))
        };
        let by_generation = match generation {
            Some(generation) => generation < self.generation,
            None => created_before(self.before_ms),
        };
        by_generation
            || (self.without_generation_before_ms > 0
                && created_before(self.without_generation_before_ms))
    }
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
    generation: AtomicU64,
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
            generation: AtomicU64::new(0),
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

    /// The highest generation (version of the store) this replica has seen: what a session
    /// created now records, so that every subject revocation recorded after it has a higher one.
    /// It never goes down, even when the store's counter does (a store emptied by a restart).
    ///
    /// ```
    /// use ironsession::revocation::Replica;
    ///
    /// let replica = Replica::new();
    /// replica.advance_generation(42);
    /// replica.advance_generation(7);
    /// assert_eq!(replica.generation(), 42);
    /// ```
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Records that the store has reached `version` and that this replica applied every entry up
    /// to it (backends call this as they apply messages and full syncs); a lower version than
    /// one already seen changes nothing.
    pub fn advance_generation(&self, version: u64) {
        self.generation.fetch_max(version, Ordering::AcqRel);
    }

    /// The next generation of a store that is this replica alone (the in-memory backend).
    pub(super) fn next_generation(&self) -> u64 {
        self.generation
            .fetch_add(1, Ordering::AcqRel)
            .saturating_add(1)
    }

    /// Whether a session with these fields is revoked at `now_ms`.
    pub fn check(&self, session: SessionFields<'_>, now_ms: u64) -> Option<Refusal> {
        let SessionFields {
            sid,
            subject,
            iat_ms,
            generation,
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
            && entry.refuses(generation, iat_ms)
        {
            return Some(Refusal::Subject);
        }
        None
    }

    /// Adds a revocation (an entry already known is kept with the later expiry). Session entries
    /// whose id is not 22 characters of base64url are ignored and `false` is returned. A subject
    /// entry's generation also [advances](Self::advance_generation) the replica's.
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
                subject,
                generation,
                before_ms,
                ..
            } => {
                let slot = maps.subjects.entry(subject.as_str().into()).or_default();
                match *generation {
                    Some(generation) => {
                        slot.generation = slot.generation.max(generation);
                        self.advance_generation(generation);
                    }
                    None => {
                        slot.without_generation_before_ms =
                            slot.without_generation_before_ms.max(*before_ms);
                    }
                }
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

    /// A subject entry of the older form, without a generation.
    fn subject(subject: &str, before_ms: u64, expires_ms: u64) -> RevocationEntry {
        RevocationEntry::Subject {
            subject: subject.into(),
            generation: None,
            before_ms,
            expires_ms,
        }
    }

    fn subject_at(
        subject: &str,
        generation: u64,
        before_ms: u64,
        expires_ms: u64,
    ) -> RevocationEntry {
        RevocationEntry::Subject {
            subject: subject.into(),
            generation: Some(generation),
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
    fn a_subject_entry_refuses_the_sessions_of_lower_generations_whatever_their_iat() {
        let replica = Replica::new();
        replica.insert(&subject_at("user-42", 70, 5_000_000, 100_000_000));
        let check = |sub, generation, iat| {
            let fields =
                SessionFields::new(Some(SID_B), sub, Some(iat)).with_generation(generation);
            replica.check(fields, 6_000_000)
        };
        // Created before the revocation: a lower generation, even with an `iat` from a clock
        // far ahead.
        assert_eq!(
            check(Some("user-42"), 69, 9_000_000),
            Some(Refusal::Subject)
        );
        assert_eq!(check(Some("user-42"), 0, 0), Some(Refusal::Subject));
        // Created after its server applied it: an equal or higher one, even with an `iat` from
        // a clock far behind.
        assert_eq!(check(Some("user-42"), 70, 1_000_000), None);
        assert_eq!(check(Some("user-42"), 71, 0), None);
        assert_eq!(check(Some("user-43"), 0, 0), None);
        assert_eq!(check(None, 0, 0), None);
        let expired = SessionFields::new(None, Some("user-42"), Some(0)).with_generation(0);
        assert_eq!(replica.check(expired, 100_000_000), None, "expired");
        assert_eq!(replica.generation(), 70, "the entry's generation was seen");
    }

    #[test]
    fn sessions_without_a_generation_are_compared_by_time_with_5_s_of_allowance() {
        let replica = Replica::new();
        replica.insert(&subject_at("user-42", 70, 5_000_000, 100_000_000));
        let check = |iat| replica.check(SessionFields::new(None, Some("user-42"), iat), 6_000_000);
        assert_eq!(check(Some(5_004_999)), Some(Refusal::Subject));
        assert_eq!(check(Some(5_005_000)), None);
        assert_eq!(check(None), Some(Refusal::Subject));
    }

    #[test]
    fn entries_without_a_generation_refuse_by_time_only() {
        // An entry an older writer stored: it names no generation, so even sessions that have one
        // are compared by `iat`.
        let replica = Replica::new();
        replica.insert(&subject("u", 5_000_000, 100_000_000));
        let check = |generation: u64, iat| {
            let fields = SessionFields::new(None, Some("u"), Some(iat)).with_generation(generation);
            replica.check(fields, 6_000_000)
        };
        assert_eq!(check(u64::MAX, 5_004_999), Some(Refusal::Subject));
        assert_eq!(check(0, 5_005_000), None);
        assert_eq!(replica.generation(), 0, "no generation to see");
        // Beside a later entry with a generation: each refuses what it refuses.
        replica.insert(&subject_at("u", 70, 4_000_000, 100_000_000));
        assert_eq!(check(69, 9_000_000), Some(Refusal::Subject));
        assert_eq!(check(70, 5_004_999), Some(Refusal::Subject));
        assert_eq!(check(70, 5_005_000), None);
    }

    #[test]
    fn a_later_subject_revocation_widens_and_an_earlier_one_does_not_narrow() {
        let replica = Replica::new();
        replica.insert(&subject_at("u", 50, 5_000, 50_000));
        replica.insert(&subject_at("u", 80, 8_000, 80_000));
        replica.insert(&subject_at("u", 10, 1_000, 10_000));
        let check = |generation, now| {
            let fields = SessionFields::new(None, Some("u"), Some(0)).with_generation(generation);
            replica.check(fields, now)
        };
        assert_eq!(check(79, 60_000), Some(Refusal::Subject));
        assert_eq!(check(80, 60_000), None);
        assert_eq!(check(0, 80_000), None, "expired with the latest expiry");
        assert_eq!(replica.len(), 1);
        assert_eq!(replica.generation(), 80);
    }

    #[test]
    fn the_generation_never_goes_down() {
        let replica = Replica::new();
        assert_eq!(replica.generation(), 0);
        replica.advance_generation(1_800_000_000_000);
        // A store emptied by a restart counts from 1 again: its versions are not handed out.
        replica.advance_generation(3);
        replica.insert(&subject_at("u", 4, 0, u64::MAX));
        assert_eq!(replica.generation(), 1_800_000_000_000);
        assert_eq!(replica.next_generation(), 1_800_000_000_001);
        assert_eq!(replica.generation(), 1_800_000_000_001);
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
