//! Everything that can go wrong in a command, and the exit status it gives.

use std::io;
use std::path::PathBuf;

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
    /// The password file could not be read.
    #[error("cannot read the password file {}: {kind}", path.display())]
    PasswordFile { path: PathBuf, kind: io::ErrorKind },
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
    /// Unsealing failed; the message starts with the reason (`expired`, `unknown password`,
    /// `invalid`).
    #[error("{0}")]
    Unseal(#[from] ironsession::UnsealError),
    /// The OS random source failed.
    #[error("the operating system's random source failed")]
    Random,
    /// `inspect` was given something that is not a seal.
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
            | CliError::WeakPassword(_) => 2,
            CliError::Stdin(_)
            | CliError::NotUtf8
            | CliError::InvalidJson { .. }
            | CliError::Seal(_)
            | CliError::Unseal(_)
            | CliError::Random
            | CliError::NotASeal(_) => 1,
        }
    }
}
