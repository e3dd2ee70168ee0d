//! The session's metadata: its id, when it was created and when it was last sealed, and the
//! state every `Session<T>` of one request shares.

use iron_seal::RandomSource;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::SessionId;
use super::limits::SKEW_MS;
use super::session_id::IdForm;
use crate::SealError;

/// What ironsession keeps about a session beside the user's data, under
/// [`METADATA_KEY`](crate::METADATA_KEY).
///
/// | field | JSON | meaning |
/// | --- | --- | --- |
/// | [`id`](Metadata::id) | `sid` | the session id, new at creation, at [`regenerate`](crate::Session::regenerate) and at [`start_new_login`](crate::Session::start_new_login) |
/// | [`created_at_ms`](Metadata::created_at_ms) | `iat` | when the session was created, or its login started (ms since the epoch); the absolute lifetime counts from here |
/// | [`sealed_at_ms`](Metadata::sealed_at_ms) | `rat` | when it was last sealed by a save or a renewal; renewal counts from here |
/// | [`subject`](Metadata::subject) | `sub` | optional: whose session it is (for revocation) |
/// | [`generation`](Metadata::generation) | `gen` | with revocation: the revocation generation the session was created in |
///
/// Fields this release does not know are kept as they are, so servers of different releases can
/// share a cookie.
///
/// ```
/// let metadata: ironsession::Metadata = serde_json::from_str(
///     r#"{"sid":"AAECAwQFBgcICQoLDA0ODw","iat":1700000000000,"rat":1700000600000}"#,
/// )?;
/// assert_eq!(metadata.id().as_str(), "AAECAwQFBgcICQoLDA0ODw");
/// assert_eq!(metadata.created_at_ms(), 1_700_000_000_000);
/// assert_eq!(metadata.sealed_at_ms(), 1_700_000_600_000);
/// assert_eq!(metadata.subject(), None);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    sid: SessionId,
    iat: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rat: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sub: Option<String>,
    #[serde(rename = "gen", default, skip_serializing_if = "Option::is_none")]
    generation: Option<u64>,
    #[serde(flatten)]
    later_fields: Map<String, Value>,
}

impl Metadata {
    /// New metadata for a session created at `now_ms` in revocation generation `generation`,
    /// with a fresh id from `random` written in `form`.
    fn new(
        now_ms: u64,
        generation: Option<u64>,
        random: impl RandomSource,
        form: IdForm,
    ) -> Result<Self, SealError> {
        Ok(Metadata {
            sid: SessionId::generate(random, form)?,
            iat: now_ms,
            rat: None,
            sub: None,
            generation,
            later_fields: Map::new(),
        })
    }

    /// The session id.
    pub fn id(&self) -> &SessionId {
        &self.sid
    }

    /// When the session was created (or its last login [started](crate::Session::start_new_login)),
    /// in milliseconds since the Unix epoch. [`regenerate`](crate::Session::regenerate) keeps it.
    pub fn created_at_ms(&self) -> u64 {
        self.iat
    }

    /// When the session was last sealed (saved or renewed), in milliseconds since the Unix epoch;
    /// the creation time if it was never sealed with this field (a session that came from an
    /// earlier release).
    pub fn sealed_at_ms(&self) -> u64 {
        self.rat.unwrap_or(self.iat)
    }

    /// The subject (whose session this is), if one was set.
    pub fn subject(&self) -> Option<&str> {
        self.sub.as_deref()
    }

    /// Metadata from its fields, for an envelope that keeps them elsewhere than under `_is` (h3's
    /// `id`, `createdAt` and `lastSeenAt`); `later_fields` are kept as they are.
    pub(crate) fn from_fields(
        sid: SessionId,
        created_at_ms: u64,
        sealed_at_ms: Option<u64>,
        subject: Option<String>,
        generation: Option<u64>,
        later_fields: Map<String, Value>,
    ) -> Self {
        Metadata {
            sid,
            iat: created_at_ms,
            rat: sealed_at_ms,
            sub: subject,
            generation,
            later_fields,
        }
    }

    /// The fields this release does not know, kept as they came.
    pub(crate) fn later_fields(&self) -> &Map<String, Value> {
        &self.later_fields
    }

    /// The revocation generation the session was created in (or got its subject in): with
    /// [revocation](crate::revocation) on, the highest version of the revocation store its
    /// server had seen then. A subject revocation refuses the sessions whose generation is below
    /// its own. `None` for a session made without revocation, or by an app that does not write
    /// it.
    ///
    /// ```
    /// let metadata: ironsession::Metadata = serde_json::from_str(
    ///     r#"{"sid":"AAECAwQFBgcICQoLDA0ODw","iat":1700000000000,"gen":1700000000042,"sub":"u1"}"#,
    /// )?;
    /// assert_eq!(metadata.generation(), Some(1_700_000_000_042));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn generation(&self) -> Option<u64> {
        self.generation
    }

    /// Sets the subject. A new subject (a login) takes `generation`, the one a session created
    /// now records; setting the same subject again keeps the session's, so that a session made
    /// before a revocation of its subject cannot leave it behind.
    pub(crate) fn set_subject(&mut self, subject: Option<String>, generation: Option<u64>) {
        if self.sub != subject {
            self.generation = generation;
        }
        self.sub = subject;
    }

    /// Records that the session is being sealed at `now_ms`.
    pub(crate) fn mark_sealed(&mut self, now_ms: u64) {
        self.rat = Some(now_ms);
    }
}

/// Why the metadata of a cookie that opened is not trusted (see
/// [`UnsealError::metadata_error`](crate::UnsealError::metadata_error)).
///
/// ```
/// use ironsession::MetadataError;
///
/// let error = MetadataError::CreatedInTheFuture { iat_ms: 1_800_000_000_000, latest_ms: 1_700_000_060_000 };
/// assert_eq!(
///     error.to_string(),
///     "the session's creation time (iat 1800000000000) is later than now plus 60 s of clock skew (1700000060000)"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    /// `iat` later than now plus 60 s of clock skew: such a session would outlive its absolute
    /// lifetime and every "log out everywhere" made before that time.
    #[error(
        "the session's creation time (iat {iat_ms}) is later than now plus 60 s of clock skew ({latest_ms})"
    )]
    CreatedInTheFuture {
        /// The session's `iat`.
        iat_ms: u64,
        /// The latest time accepted: now plus the skew.
        latest_ms: u64,
    },
    /// `rat` later than now plus 60 s of clock skew.
    #[error(
        "the session's last seal time (rat {rat_ms}) is later than now plus 60 s of clock skew ({latest_ms})"
    )]
    SealedInTheFuture {
        /// The session's `rat`.
        rat_ms: u64,
        /// The latest time accepted: now plus the skew.
        latest_ms: u64,
    },
    /// No metadata at all, while the absolute lifetime or revocation needs it (see
    /// [`dangerous_accept_sessions_without_metadata`](crate::SessionConfigBuilder::dangerous_accept_sessions_without_metadata)).
    #[error(
        "the session has no metadata (\"_is\"), which the absolute lifetime and revocation need"
    )]
    Missing,
}

/// Checks the metadata a cookie came with, before anything relies on it: no time later than
/// `now_ms` plus the clock skew, and, when `required`, metadata at all.
pub(crate) fn check_incoming(
    metadata: Option<&Metadata>,
    required: bool,
    now_ms: u64,
) -> Result<(), MetadataError> {
    let Some(metadata) = metadata else {
        return if required {
            Err(MetadataError::Missing)
        } else {
            Ok(())
        };
    };
    let latest_ms = now_ms.saturating_add(SKEW_MS);
    if metadata.iat > latest_ms {
        return Err(MetadataError::CreatedInTheFuture {
            iat_ms: metadata.iat,
            latest_ms,
        });
    }
    match metadata.rat {
        Some(rat_ms) if rat_ms > latest_ms => {
            Err(MetadataError::SealedInTheFuture { rat_ms, latest_ms })
        }
        _ => Ok(()),
    }
}

/// The request's metadata, shared by every `Session<T>` of the request.
#[derive(Debug, Default)]
pub(crate) struct MetadataState {
    pub(crate) current: Option<Metadata>,
    /// The id of the session the request's cookie carried, once it opened and passed every
    /// check: the only id a logout may revoke (copies of that cookie may exist; of metadata made
    /// in this request, none can).
    pub(crate) opened_id: Option<SessionId>,
    /// Changed since it was read (created, regenerated, subject set): the cookie must be re-sealed
    /// even if the handler does not save.
    pub(crate) changed: bool,
    /// How new ids are written.
    pub(crate) id_form: IdForm,
}

impl MetadataState {
    /// Gives the session a new id and keeps the rest of its metadata (its creation time, so its
    /// absolute deadline, its subject and generation); fresh metadata (in revocation generation
    /// `generation`) when it has none.
    pub(crate) fn new_id(
        &mut self,
        now_ms: u64,
        generation: Option<u64>,
    ) -> Result<&mut Metadata, SealError> {
        match self.current {
            Some(ref mut metadata) => {
                metadata.sid = SessionId::generate(iron_seal::ThreadRandom, self.id_form)?;
                self.changed = true;
                Ok(metadata)
            }
            None => self.regenerate(now_ms, generation),
        }
    }

    /// Replaces the metadata with fresh one (new id, created now, in revocation generation
    /// `generation`).
    pub(crate) fn regenerate(
        &mut self,
        now_ms: u64,
        generation: Option<u64>,
    ) -> Result<&mut Metadata, SealError> {
        self.changed = true;
        let metadata = Metadata::new(now_ms, generation, iron_seal::ThreadRandom, self.id_form)?;
        Ok(self.current.insert(metadata))
    }

    /// The metadata, created now (in revocation generation `generation`) if there is none.
    pub(crate) fn get_or_create(
        &mut self,
        now_ms: u64,
        generation: Option<u64>,
    ) -> Result<&mut Metadata, SealError> {
        match self.current {
            Some(ref mut metadata) => Ok(metadata),
            None => self.regenerate(now_ms, generation),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "AAECAwQFBgcICQoLDA0ODw";

    #[test]
    fn fields_of_later_releases_are_kept() {
        let text = format!(r#"{{"sid":"{ID}","iat":1,"sub":"u1","epoch":3}}"#);
        let metadata: Metadata = serde_json::from_str(&text).unwrap();
        assert_eq!(metadata.subject(), Some("u1"));
        assert_eq!(serde_json::to_string(&metadata).unwrap(), text);
    }
}
