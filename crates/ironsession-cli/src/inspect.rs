//! `inspect`: what a seal says about itself, readable without any password.

use std::fmt::Write;

use ironsession::iron_seal::{self, SealParts};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::CliError;

/// A description of `input`'s parts, one `name: value` per line.
pub fn describe(input: &str, now_ms: u64) -> Result<String, CliError> {
    let (seal, suffix) = match input.split_once('~') {
        Some((seal, version)) => (seal, Some(version)),
        None => (input, None),
    };
    let parts = SealParts::parse(seal).map_err(CliError::NotASeal)?;
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = writeln!(out, "format: {}", iron_seal::PREFIX);
    let _ = writeln!(out, "length: {} characters", input.chars().count());
    let _ = match suffix {
        Some(version) => writeln!(out, "suffix: ~{}", shorten(version).escape_debug()),
        None => writeln!(out, "suffix: none"),
    };
    let _ = match parts.password_id() {
        "" => writeln!(out, "password id: (none)"),
        id => writeln!(out, "password id: {}", shorten(id).escape_debug()),
    };
    let _ = match parts.expiration_ms() {
        Some(expiration) => {
            let date = utc_date(expiration);
            writeln!(out, "expiration: {expiration} ({date})")
        }
        None => writeln!(out, "expiration: never"),
    };
    let expired = parts.expiration_ms().is_some_and(|expiration| {
        expiration.saturating_add(iron_seal::Options::IRON_DEFAULT.timestamp_skew_ms()) <= now_ms
    });
    let _ = writeln!(out, "expired: {}", if expired { "yes" } else { "no" });
    let _ = writeln!(
        out,
        "encryption salt: {} characters",
        parts.encryption_salt().len()
    );
    let _ = writeln!(out, "iv: {} characters", parts.iv().len());
    let _ = writeln!(out, "ciphertext: {} characters", parts.ciphertext().len());
    let _ = writeln!(out, "hmac salt: {} characters", parts.hmac_salt().len());
    let _ = writeln!(out, "hmac: {} characters", parts.hmac().len());
    Ok(out)
}

/// The instant `ms` after the epoch as an RFC 3339 UTC date, or a note when it is out of range.
fn utc_date(ms: u64) -> String {
    i128::from(ms)
        .checked_mul(1_000_000)
        .and_then(|nanos| OffsetDateTime::from_unix_timestamp_nanos(nanos).ok())
        .and_then(|date| date.format(&Rfc3339).ok())
        .unwrap_or_else(|| "beyond the year 9999".to_string())
}

/// At most 64 characters of an attacker-chosen field, so a hostile seal cannot flood the terminal.
fn shorten(field: &str) -> String {
    const MAX_CHARS: usize = 64;
    let mut chars = field.chars();
    let mut short: String = chars.by_ref().take(MAX_CHARS).collect();
    if chars.next().is_some() {
        short.push('…');
    }
    short
}
