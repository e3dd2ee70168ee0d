//! Where a request's seal comes from and goes back to: the one place the request step meets the
//! transport. Today the seal travels in a cookie (iron-session's way, chunks included: see
//! [`cookie`](crate::cookie)); a header transport (`Authorization`, or a header of the app's own)
//! will be a second variant of [`Transport`], chosen by the configuration, whose reading, length
//! bound and writing go in their own folder beside `cookie/`. Nothing else in the request step
//! knows how the seal travels.

use crate::cookie::{Carried, CookieConfig, Cookies, chunks, is_session_cookie};
use crate::{SaveError, SessionConfig, UnsealError};

/// How one request's seal travels, with what the request carried of it. An enum, so the request
/// path pays for no dynamic dispatch.
#[derive(Clone, Debug)]
pub(crate) enum Transport {
    /// In the session cookie, whole or in chunks; which of them the request carried.
    Cookie(Carried),
}

impl Transport {
    /// Reads the seal a request with these `Cookie` header values carries for `config`'s session.
    pub(super) fn read<'h>(
        config: &SessionConfig,
        cookie_headers: impl IntoIterator<Item = &'h [u8]>,
    ) -> (Option<String>, Transport) {
        let (seal, carried) = chunks::read(&config.cookie(), cookie_headers);
        #[cfg(feature = "metrics")]
        crate::metrics::chunked_cookies_received(carried.chunk_count());
        (seal, Transport::Cookie(carried))
    }

    /// Refuses, before any crypto, what the request carried when no writer of this transport
    /// leaves it so: for a cookie, the whole cookie beside chunks.
    pub(super) fn check_carried(&self) -> Result<(), UnsealError> {
        match self {
            Transport::Cookie(carried) => chunks::check_carried(carried),
        }
    }

    /// Refuses, before any crypto, a seal longer than any writer of this transport can produce.
    pub(super) fn check_length(&self, seal: &str) -> Result<(), UnsealError> {
        match self {
            Transport::Cookie(carried) => chunks::check_length(carried, seal),
        }
    }

    /// The lines that send a seal `seal_len` bytes long, which `write_seal` appends to a buffer,
    /// with `Max-Age` `max_age`, and that drop what the request carried and the new seal no longer
    /// uses.
    pub(super) fn save(
        &self,
        config: &SessionConfig,
        max_age: Option<u64>,
        seal_len: usize,
        write_seal: impl FnOnce(&mut String) -> Result<(), SaveError>,
    ) -> Result<Cookies, SaveError> {
        match self {
            Transport::Cookie(carried) => {
                let cookie = CookieConfig {
                    max_age,
                    ..config.cookie()
                };
                chunks::save_sealing(&cookie, seal_len, write_seal, carried)
            }
        }
    }

    /// The lines that end the session (iron-session 9's `destroy`).
    pub(super) fn destroy(&self, config: &SessionConfig) -> Cookies {
        match self {
            Transport::Cookie(carried) => chunks::destroy(&config.cookie(), carried),
        }
    }

    /// Whether the request carried any of the session's cookies (under the name it was read
    /// with, whatever the configuration names now).
    pub(super) fn carried_any(&self) -> bool {
        match self {
            Transport::Cookie(carried) => carried.any(),
        }
    }

    /// The lines that delete exactly what the request carried, or `None` when it carried nothing
    /// of the session `config` names.
    pub(super) fn delete_carried(&self, config: &SessionConfig) -> Option<Cookies> {
        match self {
            Transport::Cookie(carried) => chunks::destroy_carried(&config.cookie(), carried),
        }
    }

    /// Whether a queued line sends (a part of) the session `config` names, so that a later save
    /// replaces it.
    pub(super) fn is_session_line(&self, config: &SessionConfig, line: &str) -> bool {
        match self {
            Transport::Cookie(_) => {
                is_session_cookie(config.cookie_name(), chunks::line_name(line))
            }
        }
    }
}
