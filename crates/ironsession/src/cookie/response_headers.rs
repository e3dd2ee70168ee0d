//! The response's headers as the response step writes them: the session's `Set-Cookie` lines (or
//! a session header's seal), then the cache headers, into whichever header map the framework has (`http`'s and actix-web's
//! own, implemented in [`adapters`](crate::adapters)).

use http::HeaderName;

use super::cache::CacheHeader;

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

    /// Sets the header `name` to `value`, a seal (visible ASCII), replacing the handler's values
    /// of it: a session header's new seal.
    fn set_header(&mut self, name: &HeaderName, value: String);
}
