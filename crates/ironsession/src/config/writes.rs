//! The options of the handler's writes: refusing cross-site writes, and saving a changed session
//! the handler forgot to save (the rules are [`request`](crate::request)'s and
//! [`session`](crate::session)'s).

use super::{SessionConfig, SessionConfigBuilder};

impl SessionConfigBuilder {
    /// Whether a request with an unsafe method (not `GET`, `HEAD`, `OPTIONS` or `TRACE`) that the
    /// browser marks as sent by another site may not save or destroy the session (default: off).
    /// On, such a request's `save` returns [`SaveError::CrossSite`](crate::SaveError::CrossSite),
    /// its `destroy` does nothing, no cookie is written (no renewal either), and the adapters
    /// answer it 403 whatever the handler returns. This stops login CSRF (a page elsewhere posting
    /// to `/login`, so that the victim is logged in as the attacker) and forced logouts.
    ///
    /// Cross-site means: `Sec-Fetch-Site` other than `same-origin` or `none` (so `same-site`, a
    /// sibling subdomain, is refused too); without that header, an `Origin` whose host and port
    /// are not the request's `Host` (the scheme is not compared: behind a proxy that terminates
    /// TLS the server sees `http`; the proxy must pass `Host` on, as nginx's
    /// `proxy_set_header Host $host` does). A request with neither header (curl, server-to-server
    /// calls) is allowed, and so is a session carried in the
    /// [session header](crate::SessionHeader): no browser sends that header by itself, and its
    /// writes set no cookie.
    ///
    /// Keep it off where another site's page legitimately posts to a route that saves the
    /// session: an identity provider that posts its answer back (OpenID Connect's
    /// `response_mode=form_post`, SAML's HTTP-POST binding, Sign in with Apple), or a login form
    /// served from a sibling subdomain. The adapters read the request's method and headers; with
    /// the plain `http` API, make the context with
    /// [`SessionContext::from_request`](crate::SessionContext::from_request) and answer
    /// [`take_write_error`](crate::SessionContext::take_write_error).
    ///
    /// ```
    /// use ironsession::{Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .refuse_cross_site_writes(true)
    ///     .build()?;
    /// assert!(config.refuse_cross_site_writes());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refuse_cross_site_writes(mut self, on: bool) -> Self {
        self.refuse_cross_site_writes = on;
        self
    }

    /// Whether a session the handler changed (through `DerefMut` or
    /// [`data_mut`](crate::Session::data_mut)) but neither saved nor destroyed is saved when the
    /// `Session<T>` is dropped, at the end of the handler (default: off, as in iron-session, where
    /// only `save` writes). Off, such a session logs a warning instead (once per request, with
    /// the cookie name): the change is lost. "Changed" compares the data's JSON with the session
    /// as loaded (or last saved), so a `&mut` borrow that changed nothing is not a change.
    ///
    /// A failed automatic save (too large, say) is logged, and the adapters answer the request
    /// 500 with the cause (see [`SessionContext::take_write_error`](crate::SessionContext::take_write_error)).
    /// A `Session<T>` kept past its handler (moved into a spawned task) is saved when it is
    /// dropped, too late for the response. With the plain `http` API,
    /// [`Session::append_set_cookies`](crate::Session::append_set_cookies) and
    /// [`take_set_cookies`](crate::Session::take_set_cookies) save it first.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .auto_save(true)
    ///     .build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.insert("visits".into(), 1.into()); // no save()
    /// assert!(session.take_set_cookies()[0].starts_with("s=Fe26.2*1*"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn auto_save(mut self, on: bool) -> Self {
        self.auto_save = on;
        self
    }
}

impl SessionConfig {
    /// Whether cross-site writes are refused (see
    /// [`SessionConfigBuilder::refuse_cross_site_writes`]).
    ///
    /// ```
    /// use ironsession::{Passwords, SessionConfig};
    ///
    /// let builder = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?);
    /// assert!(!builder.build()?.refuse_cross_site_writes());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refuse_cross_site_writes(&self) -> bool {
        self.refuse_cross_site_writes
    }

    /// Whether changed sessions the handler did not save are saved when dropped (see
    /// [`SessionConfigBuilder::auto_save`]).
    ///
    /// ```
    /// use ironsession::{Passwords, SessionConfig};
    ///
    /// let builder = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?);
    /// assert!(builder.auto_save(true).build()?.auto_save());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn auto_save(&self) -> bool {
        self.auto_save
    }
}
