//! The response step every adapter shares: the session's `Set-Cookie` lines, then the cache
//! headers, written into whichever header map the framework has (`http`'s, implemented here, and
//! actix-web's own, implemented in the actix adapter).

use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::SessionContext;
use crate::cookie::cache::CacheHeader;

/// A response's header map as the response step reads and writes it.
pub(crate) trait ResponseHeaders {
    /// Every line of the header `name`, in order.
    fn lines(&self, name: &HeaderName) -> impl Iterator<Item = &[u8]>;

    /// Replaces every value of `name` with `value`, or returns `false` and changes nothing when
    /// `value` is not a valid header value.
    fn replace(&mut self, name: &HeaderName, value: CacheHeader) -> bool;

    /// Appends one `Set-Cookie` line. Lines are built from a validated token name, validated
    /// attributes and a seal, all visible ASCII (see `cookie::set_cookie_line`), which is exactly
    /// what a header value accepts.
    fn append_set_cookie(&mut self, line: String);
}

/// Takes what the request's session queued and writes it into `headers`.
pub(crate) fn write(context: &SessionContext, headers: &mut impl ResponseHeaders) {
    let (lines, cache) = context.take_response();
    for line in lines {
        headers.append_set_cookie(line);
    }
    cache.apply(headers);
}

impl ResponseHeaders for HeaderMap {
    fn lines(&self, name: &HeaderName) -> impl Iterator<Item = &[u8]> {
        self.get_all(name).iter().map(HeaderValue::as_bytes)
    }

    fn replace(&mut self, name: &HeaderName, value: CacheHeader) -> bool {
        let value = match value {
            // The fixed values are the cache module's ASCII constants, valid header values.
            CacheHeader::Fixed(text) => Ok(HeaderValue::from_static(text)),
            CacheHeader::Joined(bytes) => HeaderValue::from_bytes(&bytes),
        };
        value.map(|value| self.insert(name.clone(), value)).is_ok()
    }

    fn append_set_cookie(&mut self, line: String) {
        // Visible ASCII, see the trait.
        let value = HeaderValue::try_from(line).expect("Set-Cookie lines are visible ASCII");
        self.append(SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use http::header::VARY;

    use super::*;

    #[test]
    fn an_invalid_value_replaces_nothing() {
        let mut headers = HeaderMap::new();
        headers.append(VARY, HeaderValue::from_static("Origin"));
        assert!(!headers.replace(&VARY, CacheHeader::Joined(b"Origin,\nCookie".to_vec())));
        assert_eq!(headers.lines(&VARY).collect::<Vec<_>>(), [b"Origin"]);
        assert!(headers.replace(&VARY, CacheHeader::Fixed("Cookie")));
        assert_eq!(headers.lines(&VARY).collect::<Vec<_>>(), [b"Cookie"]);
    }

    #[test]
    fn set_cookie_lines_are_appended_in_order() {
        let mut headers = HeaderMap::new();
        headers.append_set_cookie("a=1; Path=/".to_owned());
        headers.append_set_cookie("a.1=; Max-Age=0".to_owned());
        let lines: Vec<&[u8]> = headers.lines(&SET_COOKIE).collect();
        assert_eq!(lines, [&b"a=1; Path=/"[..], b"a.1=; Max-Age=0"]);
    }
}
