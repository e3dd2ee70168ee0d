//! `gen-password`: random passwords in an alphabet that needs no quoting in a shell, an env file,
//! JSON or a cookie ([`Passwords::generate_with_length`]).

use ironsession::Passwords;

use crate::error::CliError;

/// A password of `length` characters (6 random bits each).
pub fn generate(length: usize) -> Result<String, CliError> {
    Passwords::generate_with_length(length).map_err(|_| CliError::Random)
}
