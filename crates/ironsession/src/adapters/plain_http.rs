//! The plain `http` API, for any framework on `http` 1 types (and what the axum adapter is built
//! on): a session context from a request's `HeaderMap`, and the response step into a response's
//! `HeaderMap`. iron-session's `getIronSession(req, res)` is [`SessionConfig::load`].

use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderName, HeaderValue, Request, header};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::cookie::{CacheHeader, ResponseHeaders};
use crate::request::RequestSite;
use crate::{Session, SessionConfig, SessionContext};

impl SessionConfig {
    /// Reads the session of a request from its headers: the plain-`http` equivalent of
    /// iron-session's `getIronSession(req, res)`. After the handler, move
    /// [`Session::take_set_cookies`] (or [`Session::append_set_cookies`]) onto the response.
    pub fn load<T: Serialize + DeserializeOwned + Default>(
        &self,
        headers: &HeaderMap,
    ) -> Session<T> {
        Session::load(&SessionContext::from_headers(self, headers))
    }
}

impl SessionContext {
    /// The context of a request with these headers: every `Cookie` header, and the
    /// [session header](crate::SessionHeader) and h3's session header when configured. It knows
    /// no method, so [`refuse_cross_site_writes`](crate::SessionConfigBuilder::refuse_cross_site_writes)
    /// cannot apply to it: use [`from_request`](SessionContext::from_request) for that.
    pub fn from_headers(config: &SessionConfig, headers: &HeaderMap) -> Self {
        Self::from_request_headers(config, |name| values(headers, name))
    }

    /// The context of a request: its `Cookie` headers (and the session headers the configuration
    /// reads), and what
    /// [`refuse_cross_site_writes`](crate::SessionConfigBuilder::refuse_cross_site_writes) reads
    /// (the method, `Sec-Fetch-Site`, `Origin`, and `Host` or else the URI's authority). The
    /// body is not read. The axum adapter makes its contexts with it.
    ///
    /// ```
    /// use http::Request;
    /// use ironsession::{JsonSession, Passwords, SaveError, Session, SessionConfig, SessionContext};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .refuse_cross_site_writes(true)
    ///     .build()?;
    /// let request = |origin: &str| {
    ///     Request::post("/login").header("host", "app.example").header("origin", origin).body(())
    /// };
    /// let same_origin = SessionContext::from_request(&config, &request("https://app.example")?);
    /// assert!(Session::<serde_json::Value>::load(&same_origin).save().is_ok());
    /// let cross_site = SessionContext::from_request(&config, &request("https://evil.example")?);
    /// let session: JsonSession = Session::load(&cross_site);
    /// assert!(matches!(session.save(), Err(SaveError::CrossSite)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_request<B>(config: &SessionConfig, request: &Request<B>) -> Self {
        let headers = request.headers();
        let value = |name| headers.get(name).map(HeaderValue::as_bytes);
        let site = || RequestSite {
            method: request.method().as_str(),
            fetch_site: value(HeaderName::from_static("sec-fetch-site")),
            origin: value(header::ORIGIN),
            host: value(header::HOST)
                .or_else(|| request.uri().authority().map(|a| a.as_str().as_bytes())),
        };
        Self::from_request_site(config, |name| values(headers, name), site)
    }

    /// The response step: appends the queued `Set-Cookie` headers to `headers`, clears the
    /// queue, and sets the cache headers (see the crate's "Caching" section):
    /// `Cache-Control: private, no-store` when a session cookie is set (or `private` added to the
    /// handler's own `Cache-Control`), `Vary: Cookie` when the handler read the session.
    ///
    /// ```
    /// # use http::HeaderMap;
    /// # use ironsession::{Passwords, Session, SessionConfig, SessionContext};
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let context = SessionContext::from_headers(&config, &HeaderMap::new());
    /// let mut session: Session<serde_json::Value> = Session::load(&context);
    /// session.destroy();
    /// let mut response_headers = HeaderMap::new();
    /// context.append_set_cookies(&mut response_headers);
    /// assert_eq!(response_headers["set-cookie"], "s=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax");
    /// assert_eq!(response_headers["cache-control"], "private, no-store");
    /// assert_eq!(response_headers["vary"], "Cookie");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn append_set_cookies(&self, headers: &mut HeaderMap) {
        self.write_response(headers);
    }
}

/// The values of a request's header `name`, in order.
fn values<'h>(
    headers: &'h HeaderMap,
    name: &HeaderName,
) -> impl Iterator<Item = &'h [u8]> + use<'h> {
    headers.get_all(name).iter().map(HeaderValue::as_bytes)
}

impl<T> Session<T> {
    /// Appends the queued `Set-Cookie` headers to a response's headers, with the cache headers
    /// (see [`SessionContext::append_set_cookies`]). A changed session the handler did not save
    /// is first saved (with [`auto_save`](crate::SessionConfigBuilder::auto_save)) or warned
    /// about.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.insert("user".into(), "alice".into());
    /// session.save()?;
    /// let mut response_headers = HeaderMap::new();
    /// session.append_set_cookies(&mut response_headers);
    /// assert!(response_headers["set-cookie"].to_str()?.starts_with("s=Fe26.2*1*"));
    /// assert_eq!(response_headers["cache-control"], "private, no-store");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn append_set_cookies(&self, headers: &mut HeaderMap) {
        self.finish_handler();
        self.context().append_set_cookies(headers);
    }
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

    fn set_header(&mut self, name: &HeaderName, value: String) {
        // A seal is visible ASCII, see the trait.
        let value = HeaderValue::try_from(value).expect("a seal is visible ASCII");
        self.insert(name.clone(), value);
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
