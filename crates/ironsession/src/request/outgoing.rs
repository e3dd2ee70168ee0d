//! Writing the session cookie: what `save` seals, why it may fail ([`SaveError`]), and the
//! response step that re-seals a session the handler read but did not save (rolling renewal,
//! password upgrade, new metadata).

use super::context::ContextState;
use super::incoming::Incoming;
use super::refused;
use crate::cookie::{Oversize, TooLarge};
use crate::seal::JsonSealing;
use crate::{SealError, SessionConfig};

/// Why [`Session::save`](crate::Session::save) did not queue a cookie.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SaveError {
    /// The session does not fit the cookies the configuration may write: one `Set-Cookie` line
    /// of at most 4096 bytes, or with chunking at most [`MAX_CHUNKS`](crate::MAX_CHUNKS) of them.
    /// Nothing is queued; what the request carried stays as it was.
    #[error("{}", oversize.describe(*size, *limit))]
    TooLarge {
        /// The size in bytes of the whole `Set-Cookie` line, as one cookie.
        size: usize,
        /// The limit of one line.
        limit: usize,
        /// Why more cookies could not take it.
        oversize: Oversize,
    },
    /// `save` after `destroy` with data in the session (as in iron-session 9, `destroy` ends the
    /// session for this request; saving an empty session after it does nothing).
    #[error("the session was destroyed in this request; it cannot be saved with data again")]
    Destroyed,
    /// The data could not be sealed (not serializable to JSON, or no random bytes).
    #[error("cannot seal the session: {0}")]
    Seal(#[from] SealError),
    /// [`set_subject`](crate::Session::set_subject) with a subject no revocation could name:
    /// empty, or longer than [`MAX_SUBJECT_BYTES`](crate::revocation::MAX_SUBJECT_BYTES).
    #[error(
        "invalid subject: it must be 1 to {} bytes long",
        crate::revocation::MAX_SUBJECT_BYTES
    )]
    InvalidSubject,
    /// [`set_subject`](crate::Session::set_subject) without
    /// [revocation](crate::SessionConfigBuilder::revocation): a subject serves only to revoke a
    /// user's sessions, which this configuration cannot. Nothing was set.
    #[error(
        "revocation is not configured: a subject would revoke nothing (SessionConfigBuilder::revocation turns it on)"
    )]
    RevocationNotConfigured,
    /// The request has an unsafe method and comes from another site (`Sec-Fetch-Site`, else
    /// `Origin` against `Host`), and the configuration
    /// [refuses cross-site writes](crate::SessionConfigBuilder::refuse_cross_site_writes): nothing
    /// was written. The adapters answer such a request 403, whatever the handler returns.
    #[error("cross-site request: the session was not written")]
    CrossSite,
}

impl SaveError {
    /// The status and plain-text body the adapters answer this error with: 403 for a cross-site
    /// write, 500 for the others, whose body names the cause (a developer sees it without a log
    /// subscriber) and holds no secret: sizes and fixed texts only, never the data or a seal.
    #[cfg(any(feature = "axum", feature = "actix-web"))]
    pub(crate) fn answer(&self) -> (http::StatusCode, String) {
        let cause = match self {
            SaveError::CrossSite => {
                return (
                    http::StatusCode::FORBIDDEN,
                    "ironsession: cross-site request refused: the session was not written".into(),
                );
            }
            SaveError::TooLarge {
                size,
                limit,
                oversize,
            } => format!(
                "session too large: {size} bytes, limit {limit} ({})",
                oversize.hint()
            ),
            // A serializer's message may quote the data.
            SaveError::Seal(SealError::Serialize(_)) => {
                "its data cannot be serialized to JSON".into()
            }
            other => other.to_string(),
        };
        (
            http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("ironsession: session not saved: {cause}"),
        )
    }
}

impl From<TooLarge> for SaveError {
    fn from(too_large: TooLarge) -> Self {
        let TooLarge {
            size,
            limit,
            oversize,
        } = too_large;
        SaveError::TooLarge {
            size,
            limit,
            oversize,
        }
    }
}

/// The capacity to write a save's JSON into: `serde_json::to_vec`'s 128 bytes, or the size of the
/// session as it came in (its data and metadata) and an eighth more, so that a session of a few
/// kilobytes is written without growing its buffer again and again.
pub(crate) fn json_capacity(state: &ContextState) -> usize {
    const SERDE_JSON_INITIAL: usize = 128;
    match &state.incoming {
        Incoming::Opened(opened) => {
            let incoming = opened.plaintext.len();
            (incoming + incoming / 8).max(SERDE_JSON_INITIAL)
        }
        _ => SERDE_JSON_INITIAL,
    }
}

/// Seals `json` (the user's data, without metadata) with the session's metadata, and queues the
/// session's cookies.
pub(crate) fn write(state: &mut ContextState, mut json: Vec<u8>) -> Result<(), SaveError> {
    let now_ms = state.config.now_ms();
    let config = &state.config;
    if config.needs_metadata() {
        let generation = config.new_session_generation();
        state.metadata.get_or_create(now_ms, generation)?;
    }
    if let Some(metadata) = &mut state.metadata.current {
        metadata.mark_sealed(now_ms);
        config.envelope().wrap(&mut json, metadata);
    }
    let (ttl_ms, max_age) = config.lifetimes().limits(
        config.ttl(),
        config.max_age_seconds(),
        state.metadata.current.as_ref(),
        now_ms,
    );
    let sealing = JsonSealing::new(config.passwords(), ttl_ms, now_ms, config.seal_format());
    let seal_len = sealing.sealed_len(json.len());
    let cookies = state.transport.save(config, max_age, seal_len, |line| {
        sealing
            .seal_into(line, &json, iron_seal::ThreadRandom)
            .map_err(SaveError::Seal)
    })?;
    crate::metrics::session_saved(seal_len);
    state.queue(cookies);
    state.saved = true;
    state.metadata.changed = false;
    Ok(())
}

/// `destroy`'s lines, queued in place of any earlier save's: iron-session 9's deletions of the
/// cookie (and of the chunks the request carried). With revocation on, a request that carried
/// none of the session's cookies gets none: there is no session to end, and a logout without a
/// session sends nothing, as it records nothing.
pub(crate) fn destroy(state: &mut ContextState) {
    let nothing_to_end = state.config.revocation().is_some() && !state.transport.carried_any();
    let cookies = if nothing_to_end {
        Vec::new()
    } else {
        state.transport.destroy(&state.config)
    };
    state.queue(cookies);
}

/// Before the response, unless the handler saved or destroyed the session or the request is a
/// refused cross-site write: deletes a cookie refused because its session is over, or re-seals the
/// session as it came in when it is due for renewal, was sealed with an older password (or only
/// opened with the fallback iteration count), or got new metadata. A failure to re-seal is logged;
/// the browser keeps the cookie it has.
pub(super) fn before_response(state: &mut ContextState) {
    if state.saved || state.destroyed || state.writes_refused() {
        return;
    }
    if let Some(deletion) = refused::deletion(state) {
        tracing::debug!(cookie = %state.config.cookie_name(), "refused session cookie deleted");
        state.queue(deletion);
        return;
    }
    let Incoming::Opened(opened) = &state.incoming else {
        return;
    };
    if !opened.renewable() || !state.transport.reseals_on_read() {
        return;
    }
    let now_ms = state.config.now_ms();
    let metadata = state.metadata.current.as_ref();
    let due = state.metadata.changed
        || opened.used_fallback
        || state.config.lifetimes().renewal_due(metadata, now_ms)
        || upgrade_due(&state.config, state.cookie_value.as_deref(), now_ms);
    if !due {
        return;
    }
    let user_json = match metadata {
        // The metadata was taken from this JSON (or the JSON had none): drop it, write it anew.
        Some(_) => state.config.envelope().user_json(&opened.plaintext),
        None => Ok(opened.plaintext.clone()),
    };
    let written = user_json
        .map_err(SaveError::from)
        .and_then(|json| write(state, json));
    match written {
        Ok(()) => crate::metrics::session_resealed(),
        Err(error) => tracing::warn!(%error, "session not re-sealed on the response"),
    }
}

/// Whether `seal` (the request's cookie, which opened) names an older password id than the one
/// that seals at `now_ms`.
fn upgrade_due(config: &SessionConfig, seal: Option<&str>, now_ms: u64) -> bool {
    if !config.password_upgrade() {
        return false;
    }
    let Some(id) = seal.and_then(password_id) else {
        return false;
    };
    // Nothing seals with an id above the highest: no need to ask which one seals now.
    id < config.passwords().highest_id() && id < config.passwords().sealing_id_at(now_ms)
}

/// The password id of a seal (its second `*`-separated field), as a number.
fn password_id(seal: &str) -> Option<u64> {
    seal.split('*').nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KeyStage, Passwords};

    #[test]
    fn upgrades_are_due_only_for_older_ids_and_only_when_on() {
        const T: u64 = 1_800_000_000_000;
        let passwords = Passwords::from_pairs([
            (1, "yW3nq5cR8tV1xZ4bN7mK2pL6jH9gF0dSaQeUrTiOyP"),
            (2, "Hk4Lm9Nq2Rs7Tv1Wx6Yz3Ab8Cd5Ef0GhJ2iKlMnOpQ"),
        ])
        .unwrap()
        .with_stage(2, KeyStage::new().not_before_ms(T))
        .unwrap();
        let config = |upgrade| {
            SessionConfig::builder("s", passwords.clone())
                .password_upgrade(upgrade)
                .build()
                .unwrap()
        };
        let on = config(true);
        let seal = |id: u64| format!("Fe26.2*{id}*x*x*x**x*x");
        assert!(!upgrade_due(&on, Some(&seal(1)), T - 1));
        assert!(upgrade_due(&on, Some(&seal(1)), T));
        assert!(!upgrade_due(&on, Some(&seal(2)), T));
        assert!(!upgrade_due(&on, Some(&seal(2)), T - 1));
        assert!(!upgrade_due(&on, None, T));
        assert!(!upgrade_due(&config(false), Some(&seal(1)), T));
    }
}
