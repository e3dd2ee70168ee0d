//! Errors of the data layer: bad password configuration, and why a seal did not open.

use std::fmt;

use crate::Weakness;

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

/// The three reasons iron-session 9 gives when a seal does not open. They decide how much a log
/// line should worry: `Expired` is routine, `UnknownPassword` follows a rotation that dropped a
/// key, `Invalid` is garbage, another app's cookie, or tampering.
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
}

impl UnsealReason {
    /// The reason as iron-session 9 spells it in `onUnsealError` (`expired`, `unknown-password`,
    /// `invalid`).
    ///
    /// ```
    /// assert_eq!(ironsession::UnsealReason::UnknownPassword.as_str(), "unknown-password");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            UnsealReason::Expired => "expired",
            UnsealReason::UnknownPassword => "unknown-password",
            UnsealReason::Invalid => "invalid",
        }
    }
}

impl fmt::Display for UnsealReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnsealReason::Expired => "expired",
            UnsealReason::UnknownPassword => "unknown password",
            UnsealReason::Invalid => "invalid",
        })
    }
}

/// Why [`unseal_data`](crate::unseal_data) failed: one of iron-session's three reasons, and the
/// detailed cause from the format layer.
///
/// ```
/// use ironsession::{unseal_data, Passwords, UnsealReason};
///
/// let passwords = Passwords::single("a password of at least thirty-two characters")?;
/// let err = unseal_data::<serde_json::Value>("garbage", &passwords).unwrap_err();
/// assert_eq!(err.reason(), UnsealReason::Invalid);
/// assert_eq!(err.to_string(), "invalid: incorrect number of sealed components: expected 8, found 1");
/// # Ok::<(), ironsession::PasswordError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {cause}")]
pub struct UnsealError {
    reason: UnsealReason,
    #[source]
    cause: iron_seal::Error,
}

impl UnsealError {
    /// The reason, for logs and metrics.
    pub fn reason(&self) -> UnsealReason {
        self.reason
    }

    /// The detailed cause.
    pub fn cause(&self) -> &iron_seal::Error {
        &self.cause
    }
}

impl From<iron_seal::Error> for UnsealError {
    fn from(cause: iron_seal::Error) -> Self {
        let reason = match cause {
            iron_seal::Error::Expired { .. } => UnsealReason::Expired,
            iron_seal::Error::UnknownPasswordId { .. } => UnsealReason::UnknownPassword,
            _ => UnsealReason::Invalid,
        };
        UnsealError { reason, cause }
    }
}
