//! Clearing a cookie that can never open again: an expired or revoked session's cookie is deleted
//! on the response that refused it, so the browser stops sending a dead bearer token with every
//! request.

use super::context::ContextState;
use super::incoming::Incoming;
use crate::cookie::Cookies;
use crate::revocation::Refusal;
use crate::{UnsealError, UnsealReason};

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
pub(super) fn deletion(state: &ContextState) -> Option<Cookies> {
    let Incoming::Refused(error) = &state.incoming else {
        return None;
    };
    if !state.config.clear_refused_cookies() || !session_is_over(error) {
        return None;
    }
    state.transport.delete_carried(&state.config)
}
