//! Clearing a cookie that can never open again: an expired or revoked session's cookie is deleted
//! on the response that refused it, so the browser stops sending a dead bearer token with every
//! request.

use crate::context::ContextState;
use crate::incoming::Incoming;
use crate::revocation::Refusal;
use crate::{SessionConfig, SessionConfigBuilder, UnsealError, UnsealReason, chunks};

impl SessionConfigBuilder {
    /// Whether a response deletes the session cookie it refused because the session is over: its
    /// seal or its [lifetime](crate::SessionConfigBuilder::absolute_lifetime) expired, or it was
    /// [revoked](crate::revocation) (default: on). Such a cookie can never open again on any
    /// server sharing the password; left in place, the browser sends it with every request until
    /// its `Max-Age` runs out, each of them pays for opening it and logs a refusal, and a revoked
    /// login stays on the disk. The deletion goes out only when the handler read the session and
    /// neither saved nor destroyed it.
    ///
    /// Cookies refused for any other reason are left alone: an `unknown-password` or `invalid`
    /// one may be readable by another server during a password rotation or a rolling deploy, or
    /// belong to another app using the same cookie name, and a session refused only because the
    /// revocation replica has [not synced yet](crate::revocation::Refusal::NotSynced) is not over.
    /// Turn it off to write cookies only on `save` and `destroy`, as iron-session does.
    ///
    /// ```
    /// use ironsession::{Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .clear_refused_cookies(false)
    ///     .build()?;
    /// assert!(!config.clear_refused_cookies());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn clear_refused_cookies(mut self, on: bool) -> Self {
        self.clear_refused_cookies = on;
        self
    }
}

impl SessionConfig {
    /// Whether a response deletes a session cookie refused as expired or revoked (see
    /// [`SessionConfigBuilder::clear_refused_cookies`]).
    pub fn clear_refused_cookies(&self) -> bool {
        self.clear_refused_cookies
    }
}

/// Whether no server sharing the password could read the session any more.
fn session_is_over(error: &UnsealError) -> bool {
    match error.reason() {
        UnsealReason::Expired => true,
        UnsealReason::Revoked => error.refusal() != Some(Refusal::NotSynced),
        _ => false,
    }
}

/// The deletion of the request's session cookies, when a handler read them and they were refused
/// because the session is over.
pub(crate) fn deletion(state: &ContextState) -> Option<chunks::Cookies> {
    let Incoming::Refused(error) = &state.incoming else {
        return None;
    };
    if !state.config.clear_refused_cookies || !session_is_over(error) {
        return None;
    }
    chunks::destroy_carried(&state.config, &state.carried)
}
