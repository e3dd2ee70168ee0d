//! Writing the session cookie: what `save` seals, and the response step that re-seals a session
//! the handler read but did not save (rolling renewal, password upgrade, new metadata).

use crate::request::context::ContextState;
use crate::request::incoming::Incoming;
use std::time::Duration;

use crate::cookie::chunks;
use crate::envelope::iron_session as metadata;
use crate::lifetime::limits as lifetime;
use crate::request::refused;
use crate::seal::{data, rotation};
use crate::{CookieLifetime, SaveError};

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
        state.metadata.get_or_create(now_ms)?;
    }
    if let Some(metadata) = &mut state.metadata.current {
        metadata.mark_sealed(now_ms);
        metadata::append(&mut json, metadata);
    }
    let (ttl_ms, max_age) = lifetime::limits(config, state.metadata.current.as_ref(), now_ms);
    let sealing = data::JsonSealing::new(config.passwords(), ttl_ms, now_ms);
    let capped;
    let config = match max_age {
        Some(seconds) if max_age != config.max_age_seconds() => {
            capped =
                config.with_cookie_lifetime(CookieLifetime::MaxAge(Duration::from_secs(seconds)));
            &capped
        }
        _ => config,
    };
    let cookies = chunks::save_sealing(
        config,
        sealing.sealed_len(json.len()),
        |line| sealing.seal_into(line, &json, iron_seal::ThreadRandom),
        &state.carried,
    )?;
    state.queue(cookies);
    state.saved = true;
    state.metadata.changed = false;
    Ok(())
}

/// Before the response, unless the handler saved or destroyed the session: deletes a cookie refused
/// because its session is over, or re-seals the session as it came in when it is due for renewal,
/// was sealed with an older password, or got new metadata. A failure to re-seal is logged; the
/// browser keeps the cookie it has.
pub(crate) fn before_response(state: &mut ContextState) {
    if state.saved || state.destroyed {
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
    if !opened.renewable() {
        return;
    }
    let now_ms = state.config.now_ms();
    let metadata = state.metadata.current.as_ref();
    let due = state.metadata.changed
        || lifetime::renewal_due(&state.config, metadata, now_ms)
        || rotation::upgrade_due(&state.config, state.cookie_value.as_deref(), now_ms);
    if !due {
        return;
    }
    let user_json = match metadata {
        // The metadata was taken from this JSON (or the JSON had none): drop it, write it anew.
        Some(_) => metadata::without_metadata(&opened.plaintext),
        None => Ok(opened.plaintext.clone()),
    };
    let written = user_json
        .map_err(SaveError::from)
        .and_then(|json| write(state, json));
    if let Err(error) = written {
        tracing::warn!(%error, "session not re-sealed on the response");
    }
}
