//! The session header: the seal in a request header instead of a cookie, for API clients and
//! mobile apps that keep no cookies, and a new seal in a response header.
//!
//! Owns [`SessionHeader`] (which request header carries the seal: `Authorization: Bearer <seal>`
//! or a header of the app's own; which response header returns a new one; whether cookies are
//! still read and written for requests without it), reading the seal from it, its length bound
//! and the value a save sends. The configuration sets it
//! ([`SessionConfigBuilder::session_header`](crate::SessionConfigBuilder::session_header)); the
//! request step reaches it through its transport seam.
//!
//! Uses [`cookie`](crate::cookie) only (a seal too large for the caps the cookies have).

use http::HeaderName;
use http::header::AUTHORIZATION;

use crate::MAX_SET_COOKIE_BYTES;
use crate::cookie::{Capacity, Oversize, TooLarge};

/// Which request header carries the seal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum RequestHeader {
    /// `Authorization: Bearer <seal>` (RFC 6750).
    Bearer,
    /// The seal is the whole value of this header.
    Named(HeaderName),
}

/// A session carried in request and response headers instead of a cookie, for clients that keep
/// no cookies (mobile apps, API clients, server-to-server calls): the request sends the seal in a
/// header, and a response whose handler saved the session returns the new seal in a header. The
/// handler sees the same [`Session<T>`](crate::Session) either way.
///
/// - [`SessionHeader::bearer`] reads `Authorization: Bearer <seal>` (the scheme in any case);
///   [`SessionHeader::named`] reads the whole value of a header of the app's own (and answers in
///   the same header unless [`respond_in`](SessionHeader::respond_in) says otherwise).
/// - A request that carries the header is a **header session**: its saves return the seal in the
///   response header and never set a cookie, and `destroy` sends nothing (the client drops its
///   seal; with [revocation](crate::revocation) on, the seal is also refused from then on).
/// - A request without it reads (and saves to) the cookie as before, unless
///   [`without_cookies`](SessionHeader::without_cookies): then no cookie is read or set at all,
///   and a save on a request without the header returns the seal in the response header (a
///   login).
/// - The same limits as for cookies: a seal longer than the longest the configuration's cookies
///   can hold is refused before any crypto (an empty session, reason `invalid`), a save that
///   would not fit them is [`SaveError::TooLarge`](crate::SaveError::TooLarge), and expired,
///   revoked or tampered seals are refused alike.
/// - The response that returns a seal gets `Cache-Control: private, no-store`, and a response
///   whose handler read the session gets `Vary` naming the header (and `Cookie` when cookies are
///   read), as for cookies.
///
/// # When to prefer it, and its risks
/// Prefer cookies for browsers: `HttpOnly` keeps the seal away from page scripts, and the browser
/// sends it by itself. Use the header where there is no cookie jar (native apps, command-line and
/// server clients, actix-extras#325), or where cross-site requests must never carry the session:
/// a browser adds no custom header and no `Authorization` to a cross-site form post, so a header
/// session needs no CSRF defence. Its risks:
///
/// - **Tokens in logs**: proxies, API gateways and tracing tools log request headers more often
///   than cookies, and a seal is a bearer token: whoever copies it is logged in until it
///   expires. Redact the header in every log.
/// - **No `HttpOnly`**: the client holds the seal where its code can read it. In a browser (a
///   single-page app keeping it in `localStorage`), any injected script can take it; keep header
///   sessions to clients that are not web pages, or keep the seal's ttl short.
/// - **No automatic logout**: a cookie can be deleted by the server; a header seal lives in the
///   client until it drops it or the seal expires. Turn on
///   [revocation](crate::revocation) to refuse it sooner.
///
/// ```
/// use http::{HeaderMap, HeaderName, HeaderValue};
/// use ironsession::{JsonSession, Passwords, SessionConfig, SessionHeader};
///
/// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
///     .session_header(SessionHeader::bearer(HeaderName::from_static("x-session")).without_cookies())
///     .build()?;
/// // A login: the seal comes back in `x-session`, no cookie is set.
/// let mut session: JsonSession = config.load(&HeaderMap::new());
/// session.insert("userId".into(), 42.into());
/// session.save()?;
/// let mut response = HeaderMap::new();
/// session.append_set_cookies(&mut response);
/// let seal = response["x-session"].to_str()?.to_owned();
/// assert!(response.get("set-cookie").is_none());
/// assert_eq!(response["vary"], "authorization");
///
/// // The next request sends it back.
/// let mut request = HeaderMap::new();
/// request.insert("authorization", HeaderValue::from_str(&format!("Bearer {seal}"))?);
/// let session: JsonSession = config.load(&request);
/// assert_eq!(session["userId"], 42);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SessionHeader {
    request: RequestHeader,
    response: HeaderName,
    cookies: bool,
}

impl SessionHeader {
    /// Reads the seal from `Authorization: Bearer <seal>` and returns new seals in `response`
    /// (a header of the app's own, such as `x-session`). Cookies are still read and written for
    /// requests without it.
    ///
    /// ```
    /// use http::HeaderName;
    /// use ironsession::SessionHeader;
    ///
    /// let header = SessionHeader::bearer(HeaderName::from_static("x-session"));
    /// assert_eq!(header.request_header(), &http::header::AUTHORIZATION);
    /// assert_eq!(header.response_header(), "x-session");
    /// ```
    pub fn bearer(response: HeaderName) -> Self {
        SessionHeader {
            request: RequestHeader::Bearer,
            response,
            cookies: true,
        }
    }

    /// Reads the seal as the whole value of `name`, and returns new seals in the same header.
    ///
    /// ```
    /// use http::HeaderName;
    /// use ironsession::SessionHeader;
    ///
    /// let header = SessionHeader::named(HeaderName::from_static("x-session"));
    /// assert_eq!((header.request_header().as_str(), header.response_header().as_str()), ("x-session", "x-session"));
    /// ```
    pub fn named(name: HeaderName) -> Self {
        SessionHeader {
            request: RequestHeader::Named(name.clone()),
            response: name,
            cookies: true,
        }
    }

    /// Returns new seals in `response` instead.
    ///
    /// ```
    /// use http::HeaderName;
    /// use ironsession::SessionHeader;
    ///
    /// let header = SessionHeader::named(HeaderName::from_static("x-session"))
    ///     .respond_in(HeaderName::from_static("x-new-session"));
    /// assert_eq!(header.response_header(), "x-new-session");
    /// ```
    #[must_use]
    pub fn respond_in(mut self, response: HeaderName) -> Self {
        self.response = response;
        self
    }

    /// Neither reads nor sets a cookie: every session travels in the headers, and a save on a
    /// request without the header (a login) returns the seal in the response header.
    ///
    /// ```
    /// use http::HeaderName;
    /// use ironsession::SessionHeader;
    ///
    /// let header = SessionHeader::bearer(HeaderName::from_static("x-session"));
    /// assert!(header.uses_cookies());
    /// assert!(!header.without_cookies().uses_cookies());
    /// ```
    #[must_use]
    pub fn without_cookies(mut self) -> Self {
        self.cookies = false;
        self
    }

    /// The request header that carries the seal (`authorization` for a bearer token).
    pub fn request_header(&self) -> &HeaderName {
        match &self.request {
            RequestHeader::Bearer => &AUTHORIZATION,
            RequestHeader::Named(name) => name,
        }
    }

    /// The response header that returns a new seal.
    pub fn response_header(&self) -> &HeaderName {
        &self.response
    }

    /// Whether requests without the header still read and set the cookie.
    pub fn uses_cookies(&self) -> bool {
        self.cookies
    }

    /// Why this header cannot carry a session, if it cannot: the cookie headers, or
    /// `Authorization` named as a plain header (read it with [`bearer`](Self::bearer)), or as the
    /// response header.
    pub(crate) fn problem(&self) -> Option<&'static str> {
        let reserved =
            |name: &HeaderName| [http::header::COOKIE, http::header::SET_COOKIE].contains(name);
        if reserved(self.request_header()) || reserved(&self.response) {
            return Some("the session header cannot be Cookie or Set-Cookie");
        }
        if self.request == RequestHeader::Named(AUTHORIZATION) {
            return Some(
                "read Authorization with SessionHeader::bearer, which takes the Bearer scheme",
            );
        }
        if self.response == AUTHORIZATION {
            return Some(
                "Authorization is a request header: return the seal in a header of your own",
            );
        }
        None
    }

    /// The seal the request's values of [`request_header`](Self::request_header) carry: the
    /// first value, as a bearer token or whole; `None` when there is none, it is empty, or it is
    /// another `Authorization` scheme.
    pub(crate) fn read<'h>(&self, values: impl IntoIterator<Item = &'h [u8]>) -> Option<String> {
        let value = std::str::from_utf8(values.into_iter().next()?).ok()?.trim();
        let seal = match self.request {
            RequestHeader::Named(_) => value,
            RequestHeader::Bearer => {
                let (scheme, token) = value.split_once(' ')?;
                if !scheme.eq_ignore_ascii_case("bearer") {
                    return None;
                }
                token.trim_start_matches(' ')
            }
        };
        (!seal.is_empty()).then(|| seal.to_owned())
    }
}

/// The value of the response header that returns the seal `write_seal` writes, `seal_len` bytes
/// long, unless the configuration's cookies could not hold it: then
/// [`SaveError::TooLarge`](crate::SaveError::TooLarge) as a cookie save would say it.
pub(crate) fn save_sealing<E: From<TooLarge>>(
    caps: Capacity,
    seal_len: usize,
    write_seal: impl FnOnce(&mut String) -> Result<(), E>,
) -> Result<Vec<String>, E> {
    if seal_len > caps.max_seal_len {
        let oversize = match caps.chunk_len {
            Some(chunk_len) => Oversize::TooManyChunks {
                needed: seal_len.div_ceil(chunk_len.max(1)),
            },
            None => Oversize::OneCookie,
        };
        return Err(TooLarge {
            size: caps.line_overhead + seal_len,
            limit: MAX_SET_COOKIE_BYTES,
            oversize,
        }
        .into());
    }
    let mut seal = String::with_capacity(seal_len);
    write_seal(&mut seal)?;
    Ok(vec![seal])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(header: &SessionHeader, values: &[&str]) -> Option<String> {
        header.read(values.iter().map(|value| value.as_bytes()))
    }

    #[test]
    fn bearer_tokens_are_read_in_any_case_of_the_scheme_and_other_schemes_are_not() {
        let bearer = SessionHeader::bearer(HeaderName::from_static("x-session"));
        assert_eq!(
            read(&bearer, &["Bearer Fe26.2*1*x"]).as_deref(),
            Some("Fe26.2*1*x")
        );
        assert_eq!(
            read(&bearer, &["bearer   Fe26.2*1*x "]).as_deref(),
            Some("Fe26.2*1*x")
        );
        assert_eq!(
            read(&bearer, &["BEARER Fe26.2*1*x", "Bearer y"]).as_deref(),
            Some("Fe26.2*1*x")
        );
        for other in [
            "Basic dXNlcjpwYXNz",
            "Bearer",
            "Bearer ",
            "Fe26.2*1*x",
            "",
            "Bearerx y",
        ] {
            assert_eq!(read(&bearer, &[other]), None, "{other:?}");
        }
        assert_eq!(bearer.read([&[0xff, b' ', b'x'][..]]), None);
        assert_eq!(read(&bearer, &[]), None);
    }

    #[test]
    fn a_named_header_is_the_seal_itself() {
        let named = SessionHeader::named(HeaderName::from_static("x-session"));
        assert_eq!(
            read(&named, &[" Fe26.2*1*x "]).as_deref(),
            Some("Fe26.2*1*x")
        );
        assert_eq!(read(&named, &["  "]), None);
    }

    #[test]
    fn the_cookie_headers_and_authorization_as_a_plain_header_are_refused() {
        let x = HeaderName::from_static("x-session");
        for header in [
            SessionHeader::named(http::header::COOKIE),
            SessionHeader::named(x.clone()).respond_in(http::header::SET_COOKIE),
            SessionHeader::named(AUTHORIZATION),
            SessionHeader::bearer(AUTHORIZATION),
        ] {
            assert!(header.problem().is_some(), "{header:?}");
        }
        assert_eq!(SessionHeader::bearer(x.clone()).problem(), None);
        assert_eq!(SessionHeader::named(x).problem(), None);
    }

    #[test]
    fn a_save_over_the_cookies_cap_is_refused_as_the_cookies_would_refuse_it() {
        let write = |line: &mut String| -> Result<(), TooLarge> {
            line.push_str("0123456789");
            Ok(())
        };
        let caps = |max_seal_len, chunk_len| Capacity {
            max_seal_len,
            chunk_len,
            line_overhead: 50,
        };
        assert_eq!(
            save_sealing(caps(10, None), 10, write),
            Ok(vec!["0123456789".to_owned()])
        );
        let too_large = save_sealing(caps(9, Some(4)), 10, write).unwrap_err();
        assert_eq!(
            too_large,
            TooLarge {
                size: 60,
                limit: 4096,
                oversize: Oversize::TooManyChunks { needed: 3 }
            }
        );
        let one = save_sealing(caps(9, None), 10, write).unwrap_err();
        assert_eq!(one.oversize, Oversize::OneCookie);
    }
}
