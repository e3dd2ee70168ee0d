//! Everything that can go wrong in a command, and the exit status it gives.

use std::io;
use std::path::PathBuf;

use ironsession::{SealError, UnsealError};

use crate::shown::shown;
use crate::times::when;

/// A failed command. Messages name what went wrong, never a password or a payload.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The password variable is not set.
    #[error(
        "no password: set {variable} (a password, or a JSON object of id to password) or pass --password-file"
    )]
    MissingPassword { variable: String },
    /// The password variable is not valid Unicode.
    #[error("the password in {variable} is not valid UTF-8")]
    PasswordNotUnicode { variable: String },
    /// The password file could not be read: the OS error, with the path.
    #[error("cannot read the password file {}: {source}", path.display())]
    PasswordFile { path: PathBuf, source: io::Error },
    /// The passwords are not acceptable.
    #[error("bad password configuration: {0}")]
    Passwords(#[from] ironsession::PasswordError),
    /// A password anyone could guess, without `--allow-weak-password`.
    #[error(
        "bad password configuration: {0}. Generate one with `ironsession gen-password`, or pass --allow-weak-password to use this one anyway (only for an existing deployment)"
    )]
    WeakPassword(ironsession::PasswordError),
    /// Standard input could not be read.
    #[error("invalid: cannot read standard input: {0}")]
    Stdin(io::ErrorKind),
    /// Standard input is not UTF-8.
    #[error("invalid: standard input is not valid UTF-8")]
    NotUtf8,
    /// `seal` was given something that is not JSON.
    #[error("invalid: standard input is not one JSON value (error at line {line} column {column})")]
    InvalidJson { line: usize, column: usize },
    /// Sealing failed.
    #[error("cannot seal: {0}")]
    Seal(#[from] ironsession::SealError),
    /// Unsealing failed for a reason without a variant of its own; the message starts with the
    /// reason (`expired`, `unknown password`, `invalid`).
    #[error("{0}")]
    Unseal(ironsession::UnsealError),
    /// The seal's MAC does not match its content under the password of its id.
    #[error(
        "invalid: the seal's MAC does not match: the password may be wrong, or the seal was changed"
    )]
    BadMac,
    /// The seal names a password id the passwords do not have.
    #[error(
        "unknown password: the seal names password id {}, and the passwords given have {}",
        shown(id, 64),
        ids(known)
    )]
    UnknownPasswordId { id: String, known: Vec<u64> },
    /// The seal expired (Iron reads it for 60 s past its expiration, for clock skew).
    #[error("expired: the seal expired at {}", when(*expired_at_ms, *now_ms))]
    Expired { expired_at_ms: u64, now_ms: u64 },
    /// The input holds no seal: it is empty, or so is the cookie.
    #[error("invalid: no seal given: {0}")]
    NoSeal(String),
    /// The pasted cookies do not say which seal to read, or their chunks do not add up.
    #[error("invalid: {0}")]
    Paste(String),
    /// `--name` is not a cookie name.
    #[error("bad --name: {0}")]
    CookieName(ironsession::ConfigError),
    /// The OS random source failed.
    #[error("the operating system's random source failed")]
    Random,
    /// The input is not a seal (not 8 fields starting with `Fe26.2`, or a bad expiration field).
    #[error("invalid: not a seal: {0}")]
    NotASeal(ironsession::iron_seal::Error),
}

impl CliError {
    /// 2 for usage and configuration errors, 1 when the operation itself failed.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::MissingPassword { .. }
            | CliError::PasswordNotUnicode { .. }
            | CliError::PasswordFile { .. }
            | CliError::Passwords(_)
            | CliError::WeakPassword(_)
            | CliError::CookieName(_) => 2,
            CliError::Stdin(_)
            | CliError::NotUtf8
            | CliError::InvalidJson { .. }
            | CliError::Seal(_)
            | CliError::Unseal(_)
            | CliError::BadMac
            | CliError::UnknownPasswordId { .. }
            | CliError::Expired { .. }
            | CliError::NoSeal(_)
            | CliError::Paste(_)
            | CliError::Random
            | CliError::NotASeal(_) => 1,
        }
    }

    /// The error for an unseal that failed at `now_ms` with passwords of ids `known`: the
    /// common causes in words an operator can act on.
    ///
    /// ```
    /// use ironsession::{SealError, UnsealError};
    /// use ironsession_cli::error::CliError;
    ///
    /// let error = CliError::from_unseal(UnsealError::from(SealError::BadMac), vec![1], 0);
    /// assert!(error.to_string().contains("the password may be wrong"));
    /// ```
    pub fn from_unseal(error: UnsealError, known: Vec<u64>, now_ms: u64) -> CliError {
        match error.cause() {
            Some(SealError::BadMac) => CliError::BadMac,
            Some(SealError::UnknownPasswordId { id }) => CliError::UnknownPasswordId {
                id: id.clone(),
                known,
            },
            Some(SealError::Expired { expired_at_ms }) => CliError::Expired {
                expired_at_ms: *expired_at_ms,
                now_ms,
            },
            Some(
                cause @ (SealError::ComponentCount { .. }
                | SealError::WrongPrefix
                | SealError::InvalidExpiration),
            ) => CliError::NotASeal(cause.clone()),
            _ => CliError::Unseal(error),
        }
    }
}

/// Password ids for a message: "id 1", "ids 1, 2".
fn ids(known: &[u64]) -> String {
    let list: Vec<String> = known.iter().map(u64::to_string).collect();
    match list.as_slice() {
        [one] => format!("id {one}"),
        _ => format!("ids {}", list.join(", ")),
    }
}
