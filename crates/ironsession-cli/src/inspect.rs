//! `inspect`: what a seal says about itself, readable without any password.

use std::fmt::Write;

use ironsession::iron_seal::{self, SealParts};

use crate::error::CliError;
use crate::shown::shown;
use crate::times::{relative, utc_date, when};

/// How much of a field chosen by whoever made the seal is shown.
const FIELD_CHARS: usize = 64;

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
        Some(version) => writeln!(out, "suffix: ~{}", shown(version, FIELD_CHARS)),
        None => writeln!(out, "suffix: none"),
    };
    let _ = match parts.password_id() {
        "" => writeln!(out, "password id: (none)"),
        id => writeln!(out, "password id: {}", shown(id, FIELD_CHARS)),
    };
    let _ = match parts.expiration_ms() {
        Some(expiration) => {
            let date = utc_date(expiration);
            let words = relative(expiration, now_ms);
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

/// When the seal `sealed` expires and, from the session metadata (`_is`) of `session` unsealed
/// from it, the session's id and times: one `name: value` per line, times as RFC 3339 UTC and
/// relative to `now_ms`.
///
/// ```
/// use ironsession_cli::inspect::describe_session;
///
/// let session = serde_json::json!({"user": 7, "_is": {
///     "sid": "AAECAwQFBgcICQoLDA0ODw", "iat": 1700000000000u64, "rat": 1700000600000u64,
/// }});
/// let text = describe_session(&session, "Fe26.2*1*s*iv*ct*1700003600000*hs*mac~2", 1700001800000);
/// assert!(text.contains("created: 2023-11-14T22:13:20Z (30 minutes ago)\n"));
/// assert!(text.contains("expires: 2023-11-14T23:13:20Z (in 30 minutes)\n"));
/// ```
pub fn describe_session(session: &serde_json::Value, sealed: &str, now_ms: u64) -> String {
    let mut out = String::new();
    match session
        .get(ironsession::METADATA_KEY)
        .map(|raw| serde_json::from_value::<ironsession::Metadata>(raw.clone()))
    {
        None => {
            out.push_str("session metadata: none (no lifetime option or session id wrote it)\n")
        }
        Some(Err(_)) => {
            out.push_str("session metadata: malformed (ironsession refuses this session)\n");
        }
        Some(Ok(metadata)) => {
            // Writing into a String cannot fail.
            let _ = writeln!(out, "session id: {}", metadata.id());
            let _ = writeln!(out, "created: {}", when(metadata.created_at_ms(), now_ms));
            let _ = writeln!(
                out,
                "last renewed: {}",
                when(metadata.sealed_at_ms(), now_ms)
            );
            if let Some(subject) = metadata.subject() {
                let _ = writeln!(out, "subject: {}", shown(subject, FIELD_CHARS));
            }
        }
    }
    let seal = sealed.split_once('~').map_or(sealed, |(seal, _)| seal);
    let _ = match SealParts::parse(seal)
        .ok()
        .and_then(|parts| parts.expiration_ms())
    {
        Some(expiration) => writeln!(out, "expires: {}", when(expiration, now_ms)),
        None => writeln!(out, "expires: never"),
    };
    out
}
