//! `gen-password`: random passwords in an alphabet that needs no quoting in a shell, an env file,
//! JSON or a cookie.

use ironsession::iron_seal::{OsRandom, RandomSource};

use crate::error::CliError;

/// 64 symbols, so each random byte's low 6 bits pick one without bias.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A password of `length` characters (6 random bits each).
pub fn generate(length: usize) -> Result<String, CliError> {
    let mut bytes = vec![0u8; length];
    OsRandom.fill(&mut bytes).map_err(|_| CliError::Random)?;
    Ok(bytes
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(byte & 0x3f)]))
        .collect())
}
