//! The request's session as it came in: the cookie is opened once per request, by the first
//! `Session::load`, and its JSON kept for the response step, which re-seals it (renewal, password
//! upgrade) without opening it again.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::context::ContextState;
use crate::lifetime::{Metadata, check_incoming};
use crate::revocation::SessionFields;
use crate::seal::open_at;
use crate::{SessionConfig, UnsealError};

/// What the request's cookie turned out to be.
#[derive(Debug)]
pub(super) enum Incoming {
    /// No `Session<T>` was loaded yet.
    Unread,
    /// The request had no cookie.
    Absent,
    /// The cookie did not open, or its session is over.
    Refused(UnsealError),
    /// The cookie opened.
    Opened(Opened),
}

/// An opened cookie. `Debug` leaves the session's JSON out: it may hold tokens.
pub(super) struct Opened {
    /// The JSON inside the seal.
    pub(super) plaintext: Vec<u8>,
    /// Whether the user's part is empty, known once a `Session<T>` read it.
    pub(super) empty: Option<bool>,
    /// A `Session<T>` could not read it as its `T`.
    pub(super) unreadable: bool,
    /// It opened only with the passwords' fallback iteration count (an h3 1.x seal read as h3
    /// 2.x): due to be sealed again with their own.
    pub(super) used_fallback: bool,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field("plaintext_bytes", &self.plaintext.len())
            .field("empty", &self.empty)
            .field("unreadable", &self.unreadable)
            .field("used_fallback", &self.used_fallback)
            .finish()
    }
}

impl Opened {
    /// Whether the response may re-seal it: read by every `Session<T>` of the request, and not
    /// empty.
    pub(super) fn renewable(&self) -> bool {
        self.empty == Some(false) && !self.unreadable
    }
}

/// Reads the request's session as a `T`: the default `T` when there is no cookie or it is refused
/// (the reason is returned and logged at debug level).
pub(crate) fn load<T: DeserializeOwned + Default>(
    state: &mut ContextState,
) -> (T, Option<UnsealError>) {
    state.read = true;
    let now_ms = state.config.now_ms();
    if let Incoming::Unread = state.incoming {
        state.incoming = match state.transport.check_carried() {
            Ok(()) => open(state.cookie_value.as_deref(), state, now_ms),
            Err(error) => Incoming::Refused(error),
        };
        if let Incoming::Refused(error) = &state.incoming {
            refused(&state.config, error);
        }
    }
    let read = read::<T>(state, now_ms);
    let generation = state.config.new_session_generation();
    if state.config.needs_metadata()
        && let Err(error) = state.metadata.get_or_create(now_ms, generation)
    {
        tracing::warn!(%error, "no session id: the next save will try again");
    }
    match read {
        Ok(data) => (data, None),
        Err(error) => {
            tracing::debug!(
                cookie = %state.config.cookie_name(),
                reason = error.reason().as_str(),
                %error,
                "session cookie ignored"
            );
            (T::default(), Some(error))
        }
    }
}

fn open(cookie_value: Option<&str>, state: &ContextState, now_ms: u64) -> Incoming {
    let Some(value) = cookie_value else {
        return Incoming::Absent;
    };
    let config = &state.config;
    let opened = state
        .transport
        .check_length(value)
        .and_then(|()| config.ttl_limit().check_at(value, now_ms))
        .and_then(|()| open_at(value, config.passwords(), now_ms));
    match opened {
        Ok(opened) => Incoming::Opened(Opened {
            plaintext: opened.plaintext,
            empty: None,
            unreadable: false,
            used_fallback: opened.used_fallback,
        }),
        Err(error) => Incoming::Refused(error),
    }
}

/// The opened JSON as a `T`. The first successful read takes the metadata, checks that it can be
/// trusted (no times in the future; present where the options need it), then the session's
/// lifetime and revocation.
fn read<T: DeserializeOwned + Default>(
    state: &mut ContextState,
    now_ms: u64,
) -> Result<T, UnsealError> {
    let ContextState {
        incoming,
        config,
        metadata,
        ..
    } = state;
    let opened = match incoming {
        Incoming::Unread | Incoming::Absent => return Ok(T::default()),
        Incoming::Refused(error) => return Err(error.clone()),
        Incoming::Opened(opened) => opened,
    };
    let split = match config.envelope().split::<T>(&opened.plaintext) {
        Ok(split) => split,
        Err(error) => {
            let error = UnsealError::from(error);
            if !opened.unreadable {
                refused(config, &error);
            }
            opened.unreadable = true;
            return Err(error);
        }
    };
    if opened.empty.is_none() {
        let required = config.requires_incoming_metadata();
        let checked = check_incoming(split.metadata.as_ref(), required, now_ms)
            .map_err(UnsealError::from)
            .and_then(|()| {
                let lifetimes = config.lifetimes();
                Ok(lifetimes.check(split.metadata.as_ref(), now_ms)?)
            })
            .and_then(|()| check_revocation(config, split.metadata.as_ref(), now_ms));
        if let Err(error) = checked {
            refused(config, &error);
            *incoming = Incoming::Refused(error.clone());
            return Err(error);
        }
        crate::metrics::session_opened();
        opened.empty = Some(split.empty);
        metadata.opened_id = split.metadata.as_ref().map(|opened| *opened.id());
        metadata.current = split.metadata;
    }
    Ok(split.data)
}

/// Reports a refused cookie, once per request: to the metrics and the configuration's
/// `on_unseal_error`.
fn refused(config: &SessionConfig, error: &UnsealError) {
    crate::metrics::session_refused(error.reason().as_str());
    config.report_unseal_error(error);
}

/// The JSON of the session as a `Session<T>` of this request loaded it: the cookie's data read as a
/// `T`, or `T::default()` when there was none, it was refused, or it is not a `T`.
pub(crate) fn loaded_json<T: Serialize + DeserializeOwned + Default>(
    state: &ContextState,
) -> Option<Vec<u8>> {
    let data = match &state.incoming {
        Incoming::Opened(opened) => state
            .config
            .envelope()
            .split::<T>(&opened.plaintext)
            .map(|split| split.data)
            .unwrap_or_default(),
        _ => T::default(),
    };
    serde_json::to_vec(&data).ok()
}

/// The load-side check of revocation: a session whose id or subject is revoked is refused.
fn check_revocation(
    config: &SessionConfig,
    metadata: Option<&Metadata>,
    now_ms: u64,
) -> Result<(), UnsealError> {
    let Some(revocation) = config.revocation() else {
        return Ok(());
    };
    let session = metadata.map_or_else(SessionFields::default, |metadata| SessionFields {
        sid: Some(metadata.id().as_str()),
        subject: metadata.subject(),
        iat_ms: Some(metadata.created_at_ms()),
        generation: metadata.generation(),
    });
    let refusal = revocation.check_at(session, now_ms);
    refusal.map_or(Ok(()), |refusal| Err(UnsealError::revoked(refusal)))
}
