//! Errors of the data layer: bad password configuration, and why a seal did not open.

use std::fmt;

use crate::revocation::Refusal;
use crate::{MetadataError, Weakness};

/// A password configuration that iron-session (or common sense) would refuse, found when the
/// passwords are built, not when the first request arrives.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PasswordError {
    /// No password at all.
    #[error("no password given: at least one is required")]
    Empty,
    /// The same id twice.
    #[error("password id {id} is given twice")]
    DuplicateId {
        /// The repeated id.
        id: u64,
    },
    /// An id that is not a non-negative integer written without sign or leading zeros.
    #[error("password id {id:?} is not a non-negative integer")]
    InvalidId {
        /// The id as given (at most 64 characters of it).
        id: String,
    },
    /// A password under 32 characters (counted in UTF-16 code units, as iron-session does).
    #[error("password with id {id} is too short: {length} characters, at least {min} are required")]
    TooShort {
        /// The id of the short password.
        id: u64,
        /// Its length in UTF-16 code units.
        length: usize,
        /// The minimum.
        min: usize,
    },
    /// A stage for an id that has no password.
    #[error("password id {id} has a stage but no password")]
    StageWithoutPassword {
        /// The id.
        id: u64,
    },
    /// A stage whose password is retired before (or when) it may start sealing.
    #[error("password {id} is retired before it may seal: its not-before time must come first")]
    StageOrder {
        /// The id.
        id: u64,
    },
    /// The passwords text is neither a plain password nor a JSON object of id to password.
    #[error("passwords JSON is not an object of id to password string: {0}")]
    Json(String),
    /// A password anyone could guess (see [`Weakness`]). Generate one with
    /// [`Passwords::generate`](crate::Passwords::generate); existing deployments that cannot
    /// change theirs yet use the `dangerous_allow_weak_…` constructors of
    /// [`Passwords`](crate::Passwords).
    #[error("password with id {id} is weak: {weakness}")]
    Weak {
        /// The id of the weak password.
        id: u64,
        /// What makes it weak.
        weakness: Weakness,
    },
    /// The operating system's random source failed while generating a password.
    #[error("the operating system's random source failed")]
    Random,
}

/// Why a session was not read: the three reasons iron-session 9 gives when a seal does not open,
/// [`Revoked`](UnsealReason::Revoked), [`MissingMetadata`](UnsealReason::MissingMetadata) and
/// [`Ambiguous`](UnsealReason::Ambiguous). They decide how much a log line should worry:
/// `Expired` is routine, `UnknownPassword` follows a rotation that dropped a key, `Invalid` is
/// garbage, another app's cookie, or tampering, `Revoked` a cookie kept or copied after a logout,
/// `MissingMetadata` a cookie written by an app that does not add the session metadata,
/// `Ambiguous` a cookie planted beside the session's (cookie tossing) or two writers of one
/// cookie that disagree on chunking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UnsealReason {
    /// The seal is past its expiration (plus 60 s of clock skew).
    Expired,
    /// The seal names a password id that is not configured.
    UnknownPassword,
    /// Anything else: not a seal, wrong format, bad integrity check, undecryptable, or data that
    /// does not fit the expected type.
    Invalid,
    /// The seal opened, but the session was revoked (see [`crate::revocation`]).
    Revoked,
    /// The seal opened, but the session has no [metadata](crate::Metadata) while the absolute
    /// lifetime or revocation needs it (a cookie sealed by a Node app that does not add it, or
    /// before these options were on). See
    /// [`dangerous_accept_sessions_without_metadata`](crate::SessionConfigBuilder::dangerous_accept_sessions_without_metadata).
    MissingMetadata,
    /// The request carried the session's cookie both whole (`name`) and in chunks (`name.0` …
    /// `name.3`), so it is not clear which is the session: neither is read. iron-session reads
    /// the whole cookie wherever it stands, so a cookie another site or subdomain planted (cookie
    /// tossing) would replace a chunked session. No writer of the cookie leaves both: a save
    /// expires the form it does not write.
    Ambiguous,
}

impl UnsealReason {
    /// The reason as iron-session 9 spells it in `onUnsealError` (`expired`, `unknown-password`,
    /// `invalid`), and `revoked`, `missing-metadata`, `ambiguous`.
    ///
    /// ```
    /// assert_eq!(ironsession::UnsealReason::UnknownPassword.as_str(), "unknown-password");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            UnsealReason::Expired => "expired",
            UnsealReason::UnknownPassword => "unknown-password",
            UnsealReason::Invalid => "invalid",
            UnsealReason::Revoked => "revoked",
            UnsealReason::MissingMetadata => "missing-metadata",
            UnsealReason::Ambiguous => "ambiguous",
        }
    }
}

impl fmt::Display for UnsealReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnsealReason::Expired => "expired",
            UnsealReason::UnknownPassword => "unknown password",
            UnsealReason::Invalid => "invalid",
            UnsealReason::Revoked => "revoked",
            UnsealReason::MissingMetadata => "missing metadata",
            UnsealReason::Ambiguous => "ambiguous",
        })
    }
}

/// Why [`unseal_data`](crate::unseal_data) failed, or why a session was not read: one of
/// iron-session's three reasons with the detailed cause from the format layer,
/// [`UnsealReason::Revoked`] with the [`Refusal`], or a session whose metadata is not trusted
/// ([`UnsealReason::Invalid`] for times in the future, [`UnsealReason::MissingMetadata`]) with
/// the [`MetadataError`].
///
/// ```
/// use ironsession::{unseal_data, Passwords, UnsealReason};
///
/// let passwords = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?;
/// let err = unseal_data::<serde_json::Value>("garbage", &passwords).unwrap_err();
/// assert_eq!(err.reason(), UnsealReason::Invalid);
/// assert_eq!(err.to_string(), "invalid: incorrect number of sealed components: expected 8, found 1");
/// assert!(err.cause().is_some() && err.refusal().is_none());
/// # Ok::<(), ironsession::PasswordError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsealError {
    reason: UnsealReason,
    detail: Detail,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Detail {
    Seal(iron_seal::Error),
    Revoked(Refusal),
    Metadata(MetadataError),
    /// The cookie came both whole and in chunks.
    Ambiguous,
}

impl UnsealError {
    /// The reason, for logs and metrics.
    pub fn reason(&self) -> UnsealReason {
        self.reason
    }

    /// The detailed cause from the format layer; `None` for a revoked or ambiguous session, or
    /// untrusted metadata.
    pub fn cause(&self) -> Option<&iron_seal::Error> {
        match &self.detail {
            Detail::Seal(cause) => Some(cause),
            Detail::Revoked(_) | Detail::Metadata(_) | Detail::Ambiguous => None,
        }
    }

    /// Which revocation refused the session, for [`UnsealReason::Revoked`].
    pub fn refusal(&self) -> Option<Refusal> {
        match self.detail {
            Detail::Revoked(refusal) => Some(refusal),
            Detail::Seal(_) | Detail::Metadata(_) | Detail::Ambiguous => None,
        }
    }

    /// What is wrong with the session's metadata, for a seal that opened but whose metadata is
    /// not trusted: times in the future (reason [`Invalid`](UnsealReason::Invalid)), or none at
    /// all where it is needed ([`MissingMetadata`](UnsealReason::MissingMetadata)).
    ///
    /// ```
    /// use ironsession::{MetadataError, UnsealError, UnsealReason};
    ///
    /// let error = UnsealError::from(MetadataError::Missing);
    /// assert_eq!(error.reason(), UnsealReason::MissingMetadata);
    /// assert_eq!(error.metadata_error(), Some(MetadataError::Missing));
    /// assert!(error.cause().is_none() && error.refusal().is_none());
    /// ```
    pub fn metadata_error(&self) -> Option<MetadataError> {
        match self.detail {
            Detail::Metadata(error) => Some(error),
            Detail::Seal(_) | Detail::Revoked(_) | Detail::Ambiguous => None,
        }
    }

    /// The error of a session refused by revocation.
    pub(crate) fn revoked(refusal: Refusal) -> Self {
        UnsealError {
            reason: UnsealReason::Revoked,
            detail: Detail::Revoked(refusal),
        }
    }

    /// The error of a request that carried the session's cookie both whole and in chunks.
    pub(crate) fn ambiguous() -> Self {
        UnsealError {
            reason: UnsealReason::Ambiguous,
            detail: Detail::Ambiguous,
        }
    }
}

impl fmt::Display for UnsealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            Detail::Seal(cause) => write!(f, "{}: {cause}", self.reason),
            Detail::Revoked(refusal) => write!(f, "revoked: {refusal}"),
            Detail::Metadata(error) => write!(f, "{}: {error}", self.reason),
            Detail::Ambiguous => f.write_str(
                "ambiguous: the request carried the session cookie both whole and in chunks, so \
                 neither is read",
            ),
        }
    }
}

impl std::error::Error for UnsealError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.detail {
            Detail::Seal(cause) => Some(cause),
            Detail::Metadata(error) => Some(error),
            Detail::Revoked(_) | Detail::Ambiguous => None,
        }
    }
}

impl From<MetadataError> for UnsealError {
    fn from(error: MetadataError) -> Self {
        let reason = match error {
            MetadataError::Missing => UnsealReason::MissingMetadata,
            _ => UnsealReason::Invalid,
        };
        UnsealError {
            reason,
            detail: Detail::Metadata(error),
        }
    }
}

impl From<iron_seal::Error> for UnsealError {
    fn from(cause: iron_seal::Error) -> Self {
        let reason = match cause {
            iron_seal::Error::Expired { .. } => UnsealReason::Expired,
            iron_seal::Error::UnknownPasswordId { .. } => UnsealReason::UnknownPassword,
            _ => UnsealReason::Invalid,
        };
        UnsealError {
            reason,
            detail: Detail::Seal(cause),
        }
    }
}
