//! Refusing cross-site writes (login CSRF, a forced logout): with
//! [`refuse_cross_site_writes`](crate::SessionConfigBuilder::refuse_cross_site_writes) on, a
//! request with an unsafe method that the browser marks as sent by another site may neither save
//! nor destroy the session.
//!
//! The rules, in order:
//! 1. `GET`, `HEAD`, `OPTIONS` and `TRACE` are safe: never refused.
//! 2. With `Sec-Fetch-Site` (every current browser sends it): `same-origin` and `none` (the user
//!    typed the address, used a bookmark) pass; `cross-site`, `same-site` (a sibling subdomain is
//!    another origin, and may be one an attacker controls) and any other value are refused.
//! 3. Without it, with `Origin`: its host and port must be the request's `Host` (or HTTP/2's
//!    `:authority`), ignoring ASCII case, a missing port being the default of the origin's
//!    scheme; `Origin: null` is refused. The scheme is not compared: behind a proxy that
//!    terminates TLS the server sees `http` while the page is `https`.
//! 4. Without either (curl, server-to-server calls, browsers from before 2020): allowed. A browser
//!    that sends neither cannot be told apart from them; such browsers are gone from the field.
//!
//! A session in the [session header](crate::SessionHeader) is never refused: no browser sends
//! that header by itself, and its writes set no cookie. With a session header beside cookies, a
//! request without the header is a cookie session, and checked.

use std::sync::atomic::{AtomicBool, Ordering};

use super::context::ContextState;
use crate::SaveError;

impl ContextState {
    /// Whether this request may not write the session: the configuration refuses cross-site
    /// writes and the request is one.
    pub(crate) fn writes_refused(&self) -> bool {
        // A session in a session header (`response_header` is `Some`) is exempt: browsers never
        // attach that header on their own, so a request carrying it was sent by a client holding
        // the seal (cross-origin only after a CORS preflight), and a login answered in it sets no
        // cookie, so it cannot log the browser in.
        if !self.config.refuse_cross_site_writes() || self.transport.response_header().is_some() {
            return false;
        }
        self.cross_site_write.unwrap_or_else(|| {
            static WARNED: AtomicBool = AtomicBool::new(false);
            if !WARNED.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    "refuse_cross_site_writes is on, but a session context was made from the \
                     request's cookies alone: its writes are not checked (use \
                     SessionContext::from_request, or an adapter)"
                );
            }
            false
        })
    }

    /// A save or destroy of the handler: refused, and recorded for the response to answer 403,
    /// when the request is a cross-site write the configuration refuses.
    pub(crate) fn check_write(&mut self) -> Result<(), SaveError> {
        if !self.writes_refused() {
            return Ok(());
        }
        tracing::warn!(
            cookie = %self.config.cookie_name(),
            "cross-site request: the session was not written"
        );
        self.record_write_error(SaveError::CrossSite);
        Err(SaveError::CrossSite)
    }
}

/// What the check reads of a request, borrowed from its head.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RequestSite<'r> {
    /// The method, as sent (`POST`).
    pub(crate) method: &'r str,
    /// `Sec-Fetch-Site`.
    pub(crate) fetch_site: Option<&'r [u8]>,
    /// `Origin`.
    pub(crate) origin: Option<&'r [u8]>,
    /// `Host`, or HTTP/2's `:authority`.
    pub(crate) host: Option<&'r [u8]>,
}

impl RequestSite<'_> {
    /// Whether the request writes (an unsafe method) and comes from another site.
    pub(crate) fn is_cross_site_write(&self) -> bool {
        if matches!(self.method, "GET" | "HEAD" | "OPTIONS" | "TRACE") {
            return false;
        }
        match (self.fetch_site, self.origin) {
            (Some(site), _) => {
                !(site.eq_ignore_ascii_case(b"same-origin") || site.eq_ignore_ascii_case(b"none"))
            }
            (None, Some(origin)) => !self.host.is_some_and(|host| same_authority(origin, host)),
            (None, None) => false,
        }
    }
}

/// Whether the `Origin` value `origin` (`scheme://host[:port]`) names the authority `host`
/// (`host[:port]`), a missing port being the default port of the origin's scheme on both sides.
fn same_authority(origin: &[u8], host: &[u8]) -> bool {
    let Some((scheme, authority)) = split_once(origin, b"://") else {
        return false;
    };
    let default_port: &[u8] = match scheme {
        b"https" => b"443",
        b"http" => b"80",
        _ => return false,
    };
    let (origin_host, origin_port) = host_and_port(authority);
    let (request_host, request_port) = host_and_port(host);
    !origin_host.is_empty()
        && origin_host.eq_ignore_ascii_case(request_host)
        && origin_port.unwrap_or(default_port) == request_port.unwrap_or(default_port)
}

/// `host[:port]` split at the port's colon (after the `]` of an IPv6 literal).
fn host_and_port(authority: &[u8]) -> (&[u8], Option<&[u8]>) {
    let host_end = match authority.first() {
        Some(b'[') => authority
            .iter()
            .position(|&b| b == b']')
            .map_or(authority.len(), |end| end + 1),
        _ => authority
            .iter()
            .position(|&b| b == b':')
            .unwrap_or(authority.len()),
    };
    let (host, rest) = authority.split_at(host_end);
    (host, rest.strip_prefix(b":"))
}

fn split_once<'a>(bytes: &'a [u8], separator: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let at = bytes
        .windows(separator.len())
        .position(|window| window == separator)?;
    Some((&bytes[..at], &bytes[at + separator.len()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'r>(
        method: &'r str,
        fetch_site: Option<&'r str>,
        origin: Option<&'r str>,
        host: Option<&'r str>,
    ) -> RequestSite<'r> {
        RequestSite {
            method,
            fetch_site: fetch_site.map(str::as_bytes),
            origin: origin.map(str::as_bytes),
            host: host.map(str::as_bytes),
        }
    }

    #[test]
    fn safe_methods_are_never_cross_site_writes() {
        for method in ["GET", "HEAD", "OPTIONS", "TRACE"] {
            let evil = request(
                method,
                Some("cross-site"),
                Some("https://evil.example"),
                Some("app.example"),
            );
            assert!(!evil.is_cross_site_write(), "{method}");
        }
        for method in ["POST", "PUT", "PATCH", "DELETE", "post", "PROPFIND"] {
            let evil = request(method, Some("cross-site"), None, Some("app.example"));
            assert!(evil.is_cross_site_write(), "{method}");
        }
    }

    #[test]
    fn sec_fetch_site_decides_when_present() {
        let post = |site| {
            request(
                "POST",
                Some(site),
                Some("https://app.example"),
                Some("app.example"),
            )
        };
        for site in ["same-origin", "none", "Same-Origin"] {
            assert!(!post(site).is_cross_site_write(), "{site}");
        }
        for site in ["cross-site", "same-site", "", "unknown-value"] {
            assert!(post(site).is_cross_site_write(), "{site}");
        }
    }

    #[test]
    fn without_sec_fetch_site_the_origin_must_be_the_host() {
        let post = |origin, host| request("POST", None, Some(origin), host).is_cross_site_write();
        assert!(!post("https://app.example", Some("app.example")));
        assert!(!post("https://APP.example", Some("app.EXAMPLE")));
        assert!(
            !post("http://app.example", Some("app.example")),
            "the scheme is not compared"
        );
        assert!(!post("https://app.example", Some("app.example:443")));
        assert!(!post("http://app.example:80", Some("app.example")));
        assert!(!post("http://127.0.0.1:3000", Some("127.0.0.1:3000")));
        assert!(!post("http://[::1]:3000", Some("[::1]:3000")));
        assert!(post("https://evil.example", Some("app.example")));
        assert!(post(
            "https://app.example.evil.example",
            Some("app.example")
        ));
        assert!(post("https://sub.app.example", Some("app.example")));
        assert!(post("https://app.example:8443", Some("app.example")));
        assert!(post("http://127.0.0.1:3001", Some("127.0.0.1:3000")));
        assert!(post("http://[::1]:3001", Some("[::1]:3000")));
        assert!(post("null", Some("app.example")));
        assert!(post("app.example", Some("app.example")));
        assert!(post("ftp://app.example", Some("app.example")));
        assert!(post("https://", Some("")));
        assert!(post("https://app.example", None), "nothing to compare with");
        // Neither header: curl, server-to-server calls.
        assert!(!request("POST", None, None, Some("app.example")).is_cross_site_write());
    }
}
