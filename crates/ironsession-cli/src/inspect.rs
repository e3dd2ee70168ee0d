//! `inspect`: what a seal says about itself, readable without any password.

use std::fmt::Write;

use ironsession::iron_seal::{self, SealParts};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::CliError;

/// A description of `input`'s parts, one `name: value` per line: what `ironsession inspect`
/// prints. Fields chosen by whoever made the seal are shortened and escaped.
///
/// ```
/// use ironsession_cli::inspect::describe;
///
/// let description = describe("Fe26.2*1*salt*iv*ct*1700000000000*hsalt*mac~2", 0).unwrap();
/// assert!(description.starts_with("format: Fe26.2\n"));
/// assert!(description.contains("password id: 1\n"));
/// ```
///
/// # Errors
/// [`CliError::NotASeal`] when `input` does not have a seal's structure.
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
            let words = in_words(expiration, now_ms);
            writeln!(out, "expiration: {expiration} ({date}, {words})")
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

/// The session metadata (`_is`) of `session`, unsealed from `sealed`, one `name: value` per line,
/// with times in words relative to `now_ms`.
pub fn describe_session(session: &serde_json::Value, sealed: &str, now_ms: u64) -> String {
    let mut out = String::new();
    let Some(raw) = session.get(ironsession::METADATA_KEY) else {
        out.push_str("session metadata: none (no lifetime option or session id wrote it)\n");
        return out;
    };
    let metadata: ironsession::Metadata = match serde_json::from_value(raw.clone()) {
        Ok(metadata) => metadata,
        Err(_) => {
            out.push_str("session metadata: malformed (ironsession refuses this session)\n");
            return out;
        }
    };
    let when = |ms: u64| format!("{} ({})", utc_date(ms), in_words(ms, now_ms));
    // Writing into a String cannot fail.
    let _ = writeln!(out, "session id: {}", metadata.id());
    let _ = writeln!(out, "created: {}", when(metadata.created_at_ms()));
    let _ = writeln!(out, "last renewed: {}", when(metadata.sealed_at_ms()));
    let seal = sealed.split_once('~').map_or(sealed, |(seal, _)| seal);
    let _ = match SealParts::parse(seal)
        .ok()
        .and_then(|parts| parts.expiration_ms())
    {
        Some(expiration) => writeln!(out, "expires: {}", when(expiration)),
        None => writeln!(out, "expires: never"),
    };
    if let Some(subject) = metadata.subject() {
        let _ = writeln!(out, "subject: {}", shorten(subject).escape_debug());
    }
    out
}

/// `ms` relative to `now_ms` in words: "3 hours ago", "in 12 minutes", "now".
fn in_words(ms: u64, now_ms: u64) -> String {
    let (distance, future) = if ms >= now_ms {
        (ms - now_ms, true)
    } else {
        (now_ms - ms, false)
    };
    let seconds = distance / 1000;
    let (count, unit) = match seconds {
        0 => return "now".to_owned(),
        1..=119 => (seconds, "second"),
        120..=7_199 => (seconds / 60, "minute"),
        7_200..=172_799 => (seconds / 3600, "hour"),
        _ => (seconds / 86_400, "day"),
    };
    let plural = if count == 1 { "" } else { "s" };
    if future {
        format!("in {count} {unit}{plural}")
    } else {
        format!("{count} {unit}{plural} ago")
    }
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
