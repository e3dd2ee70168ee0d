//! Cache safety: the headers that keep a shared cache (a CDN, a corporate proxy) from storing a
//! response that sets the session cookie, or from serving one user's session page to another.
//!
//! Flask shipped both mistakes (CVE-2023-30861: a response that refreshed the session cookie
//! could be cached and its `Set-Cookie` served to other users; GHSA-68rp-wp8r-4726: pages that
//! read the session were missing `Vary: Cookie`), and iron-session has no defence at all. So by
//! default, in the response step of every adapter and of the plain `http` API
//! ([`SessionContext::append_set_cookies`](crate::SessionContext::append_set_cookies)):
//!
//! - A response with a session `Set-Cookie` (a save, a destroy, a chunk expiry) gets
//!   `Cache-Control: private, no-store`. If the handler set `Cache-Control` itself, its choice
//!   stands, made private: `private` is added unless it is already there or the handler said
//!   `public` (taken at its word, and logged as a warning).
//! - A response of a request whose handler read the session gets `Vary: Cookie`, merged into the
//!   handler's `Vary` (not added when it already names `Cookie` or is `*`).
//!
//! [`SessionConfigBuilder::dangerous_manual_cache_headers`](crate::SessionConfigBuilder::dangerous_manual_cache_headers)
//! turns both off, for apps that set these headers themselves.

use std::sync::Arc;

use super::response_headers::ResponseHeaders;
use http::HeaderName;
use http::header::{CACHE_CONTROL, VARY};

/// A cache header value to set: one of the session's own (no allocation, the usual case: the
/// handler set no such header), or the handler's values joined with the session's directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CacheHeader {
    Fixed(&'static str),
    Joined(Vec<u8>),
}

/// What the session asks of one response's cache headers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CacheNeeds {
    /// The response sets a session cookie (or returns a seal in a session header): it must not
    /// be stored by a shared cache.
    pub(crate) private: bool,
    /// The handler read the session: the response depends on the `Cookie` header.
    pub(crate) vary_cookie: bool,
    /// The handler read the session, which may also have come in these request headers: the
    /// response depends on them too.
    pub(crate) vary_headers: Option<Arc<[HeaderName]>>,
}

impl CacheNeeds {
    /// The `Cache-Control` value to set given the handler's values, or `None` to leave them.
    pub(super) fn cache_control<'v>(
        &self,
        existing: impl IntoIterator<Item = &'v [u8]>,
    ) -> Option<CacheHeader> {
        if !self.private {
            return None;
        }
        let existing = join(existing);
        if existing.is_empty() {
            return Some(CacheHeader::Fixed("private, no-store"));
        }
        if has_directive(&existing, "private") {
            return None;
        }
        if has_directive(&existing, "public") {
            tracing::warn!(
                "a response that sets the session cookie says Cache-Control: public; a shared \
                 cache may store the cookie and give it to other users"
            );
            return None;
        }
        Some(CacheHeader::Joined(append(existing, "private")))
    }

    /// The `Vary` value to set given the handler's values, or `None` to leave them.
    pub(super) fn vary<'v>(
        &self,
        existing: impl IntoIterator<Item = &'v [u8]>,
    ) -> Option<CacheHeader> {
        let headers = self.vary_headers.as_deref().unwrap_or_default();
        let cookie = self.vary_cookie.then_some("Cookie");
        let wanted = cookie
            .into_iter()
            .chain(headers.iter().map(HeaderName::as_str));
        let existing = join(existing);
        if existing.is_empty() && headers.is_empty() {
            return cookie.map(CacheHeader::Fixed);
        }
        if has_directive(&existing, "*") {
            return None;
        }
        let mut value = existing;
        let start = value.len();
        for name in wanted {
            if !has_directive(&value, name) {
                if value.is_empty() {
                    value.extend_from_slice(name.as_bytes());
                } else {
                    value = append(value, name);
                }
            }
        }
        (value.len() > start).then_some(CacheHeader::Joined(value))
    }

    /// Sets the headers on a response, each replacing the handler's lines of that header.
    pub(crate) fn apply(&self, headers: &mut impl ResponseHeaders) {
        let cache_control = self.cache_control(headers.lines(&CACHE_CONTROL));
        let vary = self.vary(headers.lines(&VARY));
        for (name, value) in [(CACHE_CONTROL, cache_control), (VARY, vary)] {
            // The joined parts were header values (no control characters) and the separators and
            // directives added are ASCII, so this only fails if that ever changes.
            if let Some(value) = value
                && !headers.replace(&name, value)
            {
                tracing::error!(
                    header = %name,
                    "cannot build a cache header value; the handler's headers are kept"
                );
            }
        }
    }
}

/// Several header lines as one list value (RFC 9110 §5.3), skipping empty ones.
fn join<'v>(values: impl IntoIterator<Item = &'v [u8]>) -> Vec<u8> {
    let mut joined = Vec::new();
    for value in values {
        if value.iter().all(|b| b.is_ascii_whitespace() || *b == b',') {
            continue;
        }
        if !joined.is_empty() {
            joined.extend_from_slice(b", ");
        }
        joined.extend_from_slice(value);
    }
    joined
}

fn append(mut list: Vec<u8>, item: &str) -> Vec<u8> {
    list.extend_from_slice(b", ");
    list.extend_from_slice(item.as_bytes());
    list
}

/// Whether the comma-separated list has `name` as an item on its own: case-insensitive, without
/// an `=value` (so `private="Set-Cookie"`, which makes only that header private, does not count).
fn has_directive(list: &[u8], name: &str) -> bool {
    list.split(|&b| b == b',')
        .any(|item| item.trim_ascii().eq_ignore_ascii_case(name.as_bytes()))
}

#[cfg(test)]
mod tests {
    use http::{HeaderMap, HeaderValue};

    use super::*;

    const BOTH: CacheNeeds = CacheNeeds {
        private: true,
        vary_cookie: true,
        vary_headers: None,
    };

    fn text(value: Option<CacheHeader>) -> Option<String> {
        value.map(|v| match v {
            CacheHeader::Fixed(text) => text.to_owned(),
            CacheHeader::Joined(bytes) => String::from_utf8(bytes).unwrap(),
        })
    }

    #[test]
    fn cache_control_is_private_no_store_unless_the_handler_chose() {
        let cases: [(&[&str], Option<&str>); 9] = [
            (&[], Some("private, no-store")),
            (&[""], Some("private, no-store")),
            (&["max-age=60"], Some("max-age=60, private")),
            (
                &["no-cache", "max-age=0"],
                Some("no-cache, max-age=0, private"),
            ),
            (&["PRIVATE, max-age=60"], None),
            (&["max-age=60", " private "], None),
            (&["public, max-age=60"], None),
            (&["Public"], None),
            // Only the named field is private: the response as a whole still needs `private`.
            (
                &[r#"private="Set-Cookie""#],
                Some(r#"private="Set-Cookie", private"#),
            ),
        ];
        for (existing, expected) in cases {
            let got = BOTH.cache_control(existing.iter().map(|v| v.as_bytes()));
            assert_eq!(text(got).as_deref(), expected, "{existing:?}");
        }
    }

    #[test]
    fn vary_gets_cookie_once() {
        let cases: [(&[&str], Option<&str>); 6] = [
            (&[], Some("Cookie")),
            (&["Accept-Encoding"], Some("Accept-Encoding, Cookie")),
            (
                &["Accept-Encoding", "Origin"],
                Some("Accept-Encoding, Origin, Cookie"),
            ),
            (&["accept, cookie"], None),
            (&["COOKIE"], None),
            (&["*"], None),
        ];
        for (existing, expected) in cases {
            let got = BOTH.vary(existing.iter().map(|v| v.as_bytes()));
            assert_eq!(text(got).as_deref(), expected, "{existing:?}");
        }
    }

    #[test]
    fn nothing_is_added_when_nothing_is_needed() {
        let none = CacheNeeds::default();
        assert_eq!(none.cache_control([]), None);
        assert_eq!(none.vary([]), None);
        let read_only = CacheNeeds {
            private: false,
            vary_cookie: true,
            vary_headers: None,
        };
        assert_eq!(read_only.cache_control([]), None);
        assert_eq!(text(read_only.vary([])).as_deref(), Some("Cookie"));
    }

    #[test]
    fn apply_replaces_several_lines_with_one() {
        let mut headers = HeaderMap::new();
        headers.append(CACHE_CONTROL, HeaderValue::from_static("max-age=60"));
        headers.append(CACHE_CONTROL, HeaderValue::from_static("must-revalidate"));
        headers.append(VARY, HeaderValue::from_static("Origin"));
        BOTH.apply(&mut headers);
        let all = |name| {
            headers
                .get_all(name)
                .iter()
                .map(|v| v.to_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(all(CACHE_CONTROL), ["max-age=60, must-revalidate, private"]);
        assert_eq!(all(VARY), ["Origin, Cookie"]);
    }

    #[test]
    fn vary_names_the_session_headers_beside_or_instead_of_cookie() {
        let headers: Arc<[HeaderName]> = [http::header::AUTHORIZATION].into();
        let both = CacheNeeds {
            vary_headers: Some(headers.clone()),
            ..BOTH
        };
        let cases: [(&[&str], Option<&str>); 5] = [
            (&[], Some("Cookie, authorization")),
            (&["Origin"], Some("Origin, Cookie, authorization")),
            (&["Cookie"], Some("Cookie, authorization")),
            (&["Authorization, cookie"], None),
            (&["*"], None),
        ];
        for (existing, expected) in cases {
            let got = both.vary(existing.iter().map(|v| v.as_bytes()));
            assert_eq!(text(got).as_deref(), expected, "{existing:?}");
        }
        let header_only = CacheNeeds {
            private: false,
            vary_cookie: false,
            vary_headers: Some(headers),
        };
        assert_eq!(text(header_only.vary([])).as_deref(), Some("authorization"));
        assert_eq!(
            text(header_only.vary([&b"Accept"[..]])).as_deref(),
            Some("Accept, authorization")
        );
    }
}
