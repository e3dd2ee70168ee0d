//! Where a request's seal comes from and goes back to: the one place the request step meets the
//! transport. The seal travels in iron-session's cookie (whole or `name.0` … `name.3`: see
//! [`cookie`](crate::cookie)), in h3's (`__chunked__N` and `name.1` … `name.N`, after h3's own
//! session header), or in the configuration's [session header](crate::SessionHeader) (see
//! [`header`](crate::header)). Nothing else in the request step knows how the seal travels.

use http::HeaderName;
use http::header::COOKIE;

use crate::cookie::{
    Capacity, Carried, CookieConfig, Cookies, chunks, h3_chunks, is_session_cookie,
    refuse_longer_than,
};
use crate::header;
use crate::{SaveError, SessionConfig, UnsealError};

/// How one request's seal travels, with what the request carried of it. An enum, so the request
/// path pays for no dynamic dispatch.
#[derive(Clone, Debug)]
pub(crate) enum Transport {
    /// In iron-session's session cookie, whole or in chunks; which of them the request carried.
    Cookie(Carried),
    /// In h3's session cookie (or, read only, h3's session header); which cookies the request
    /// carried.
    H3Cookie(h3_chunks::Carried),
    /// In the configuration's session header, both ways.
    Header(HeaderTransport),
}

/// A session carried in headers: where a new seal goes, and the caps the cookies would have.
#[derive(Clone, Debug)]
pub(crate) struct HeaderTransport {
    response: HeaderName,
    caps: Capacity,
    /// The request carried a seal in the header.
    carried: bool,
}

impl Transport {
    /// Reads the seal a request carries for `config`'s session; `header` gives the request's
    /// values of a header, in order. The session header first (if configured), then h3's
    /// session header (in h3 mode), then the cookie.
    pub(super) fn read<'h, I>(
        config: &SessionConfig,
        mut header: impl FnMut(&HeaderName) -> I,
    ) -> (Option<String>, Transport)
    where
        I: IntoIterator<Item = &'h [u8]>,
    {
        if let Some(session_header) = config.session_header() {
            let seal = session_header.read(header(session_header.request_header()));
            if seal.is_some() || !session_header.uses_cookies() {
                let transport = HeaderTransport {
                    response: session_header.response_header().clone(),
                    caps: Self::cookie_caps(config),
                    carried: seal.is_some(),
                };
                return (seal, Transport::Header(transport));
            }
        }
        let cookie = config.cookie();
        if config.h3().is_none() {
            let (seal, carried) = chunks::read(&cookie, header(&COOKIE));
            #[cfg(feature = "metrics")]
            crate::metrics::chunked_cookies_received(carried.chunk_count());
            return (seal, Transport::Cookie(carried));
        }
        // h3 reads its session header before the cookie (an empty one counts as absent).
        let h3_header = config.h3_session_header().and_then(|name| {
            let first = header(name).into_iter().next()?;
            let value = std::str::from_utf8(first).ok()?;
            (!value.is_empty()).then(|| value.to_owned())
        });
        let (cookie_seal, carried) = h3_chunks::read(&cookie, header(&COOKIE));
        match h3_header {
            Some(seal) => (Some(seal), Transport::H3Cookie(carried.by_header())),
            None => (cookie_seal, Transport::H3Cookie(carried)),
        }
    }

    /// What the configuration's cookies can hold, chunked as they are chunked.
    fn cookie_caps(config: &SessionConfig) -> Capacity {
        match config.h3() {
            Some(_) => h3_chunks::capacity(&config.cookie()),
            None => chunks::capacity(&config.cookie()),
        }
    }

    /// Refuses, before any crypto, what the request carried when no writer of this transport
    /// leaves it so: for iron-session's cookie, the whole cookie beside chunks. h3's cookie has
    /// one entry point (`name` holds the seal or the marker that counts the chunks), so there is
    /// no choice between two forms to refuse; a header carries one value.
    pub(super) fn check_carried(&self) -> Result<(), UnsealError> {
        match self {
            Transport::Cookie(carried) => chunks::check_carried(carried),
            Transport::H3Cookie(_) | Transport::Header(_) => Ok(()),
        }
    }

    /// Refuses, before any crypto, a seal longer than any writer of this transport can produce.
    pub(super) fn check_length(&self, seal: &str) -> Result<(), UnsealError> {
        match self {
            Transport::Cookie(carried) => chunks::check_length(carried, seal),
            Transport::H3Cookie(carried) => h3_chunks::check_length(carried, seal),
            Transport::Header(header) => refuse_longer_than(header.caps.max_seal_len, seal),
        }
    }

    /// Whether a session read but not saved may be sealed again on the response (renewal,
    /// password upgrade, new metadata): not when it came in h3's session header, which h3 never
    /// answers with a cookie unless the handler saves.
    pub(super) fn reseals_on_read(&self) -> bool {
        !matches!(self, Transport::H3Cookie(carried) if carried.came_by_header())
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
        let cookie = CookieConfig {
            max_age,
            ..config.cookie()
        };
        match self {
            Transport::Cookie(carried) => {
                chunks::save_sealing(&cookie, seal_len, write_seal, carried)
            }
            Transport::H3Cookie(carried) => {
                h3_chunks::save_sealing(&cookie, seal_len, write_seal, carried)
            }
            Transport::Header(header) => header::save_sealing(header.caps, seal_len, write_seal),
        }
    }

    /// The lines that end the session (iron-session 9's `destroy`, h3's `clear`); nothing for a
    /// session header, which the client drops.
    pub(super) fn destroy(&self, config: &SessionConfig) -> Cookies {
        match self {
            Transport::Cookie(carried) => chunks::destroy(&config.cookie(), carried),
            Transport::H3Cookie(carried) => h3_chunks::destroy(&config.cookie(), carried),
            Transport::Header(_) => Vec::new(),
        }
    }

    /// Whether the request carried any of the session's cookies (under the name it was read
    /// with, whatever the configuration names now).
    pub(super) fn carried_any(&self) -> bool {
        match self {
            Transport::Cookie(carried) => carried.any(),
            Transport::H3Cookie(carried) => carried.any(),
            Transport::Header(header) => header.carried,
        }
    }

    /// The lines that delete exactly what the request carried, or `None` when it carried nothing
    /// of the session `config` names (or the session came in a header, which nothing deletes).
    pub(super) fn delete_carried(&self, config: &SessionConfig) -> Option<Cookies> {
        match self {
            Transport::Cookie(carried) => chunks::destroy_carried(&config.cookie(), carried),
            Transport::H3Cookie(carried) => h3_chunks::destroy_carried(&config.cookie(), carried),
            Transport::Header(_) => None,
        }
    }

    /// Whether a queued line sends (a part of) the session `config` names, so that a later save
    /// replaces it.
    pub(super) fn is_session_line(&self, config: &SessionConfig, line: &str) -> bool {
        match self {
            Transport::Cookie(_) => {
                is_session_cookie(config.cookie_name(), chunks::line_name(line))
            }
            Transport::H3Cookie(_) => h3_chunks::is_session_line(config.cookie_name(), line),
            Transport::Header(_) => true,
        }
    }

    /// The response header the queued lines go out in: `None` for `Set-Cookie`.
    pub(super) fn response_header(&self) -> Option<&HeaderName> {
        match self {
            Transport::Header(header) => Some(&header.response),
            Transport::Cookie(_) | Transport::H3Cookie(_) => None,
        }
    }
}
