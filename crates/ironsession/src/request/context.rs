//! The state one request's sessions share with the framework adapter: the configuration (which a
//! handler may change), the cookie as it came in, and the `Set-Cookie` lines to send back.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::cross_site::RequestSite;
use super::incoming::Incoming;
use super::outgoing;
use super::transport::Transport;
use crate::cookie::{CacheNeeds, Cookies, ResponseHeaders, chunks};
use crate::lifetime::MetadataState;
use crate::{SaveError, SessionConfig};

/// One request's session state. Adapters make one per request with
/// [`from_headers`](SessionContext::from_headers) (or
/// [`from_cookie_headers`](SessionContext::from_cookie_headers) for frameworks on other header
/// types), hand it to handlers, and after the handler ran move
/// [`take_set_cookies`](SessionContext::take_set_cookies) onto the response. Clones share state.
///
/// ```
/// use http::HeaderMap;
/// use ironsession::{Passwords, Session, SessionConfig, SessionContext};
///
/// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
/// let context = SessionContext::from_headers(&config, &HeaderMap::new());
/// let mut session: Session<serde_json::Map<String, serde_json::Value>> = Session::load(&context);
/// session.insert("userId".into(), 42.into());
/// session.save()?;
/// let lines = context.take_set_cookies();
/// assert_eq!(lines.len(), 1);
/// assert!(lines[0].starts_with("s=Fe26.2*1*"));
/// assert!(context.take_set_cookies().is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct SessionContext {
    shared: Arc<Mutex<ContextState>>,
}

pub(crate) struct ContextState {
    pub(crate) config: SessionConfig,
    /// The seal of the cookie named in the original configuration (the whole cookie, else its
    /// joined chunks), if the request had one.
    pub(super) cookie_value: Option<String>,
    /// How the seal travels, and what of it the request carried (for a cookie: the whole cookie,
    /// or which chunks).
    pub(crate) transport: Transport,
    pub(crate) destroyed: bool,
    /// A handler read the session: the response depends on the `Cookie` header.
    pub(super) read: bool,
    /// A `save` queued the session's cookies.
    pub(super) saved: bool,
    /// `Set-Cookie` lines, at most one per cookie name.
    pending: Cookies,
    /// The cookie as opened by the first `Session::load`.
    pub(super) incoming: Incoming,
    pub(crate) metadata: MetadataState,
    /// Whether the request is an unsafe-method request from another site; `None` when the context
    /// was made from its cookies alone.
    pub(super) cross_site_write: Option<bool>,
    /// A write the response must answer in the handler's place: refused as cross-site, or an
    /// automatic save that failed. Boxed: rare, and every request allocates this state.
    pub(super) write_error: Option<Box<SaveError>>,
    /// The warning about a session changed but not saved was logged.
    pub(crate) unsaved_warned: bool,
}

/// The incoming cookie and the queued `Set-Cookie` lines are bearer tokens: whoever copies one from
/// a log is logged in. `Debug` says whether they are there, never what they are.
impl fmt::Debug for ContextState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pending: Vec<&str> = self
            .pending
            .iter()
            .map(|line| chunks::line_name(line))
            .collect();
        f.debug_struct("ContextState")
            .field("config", &self.config)
            .field(
                "cookie_value",
                &self.cookie_value.as_ref().map(|_| "[redacted]"),
            )
            .field("destroyed", &self.destroyed)
            .field("pending_set_cookie_names", &pending)
            .field("cross_site_write", &self.cross_site_write)
            .field("write_error", &self.write_error)
            .finish()
    }
}

impl ContextState {
    /// Records the error of a write the handler did not see (a failed automatic save), for the
    /// response to answer; the first one stands.
    pub(crate) fn record_write_error(&mut self, error: SaveError) {
        self.write_error.get_or_insert_with(|| Box::new(error));
    }

    /// Queues the cookies of a save or destroy of the session the configuration now names. They
    /// replace every line queued earlier for that session's cookies (the whole one and its
    /// chunks), so a second save in one request never leaves chunks of the first behind.
    pub(crate) fn queue(&mut self, cookies: Cookies) {
        let (config, transport) = (&self.config, &self.transport);
        self.pending
            .retain(|line| !transport.is_session_line(config, line));
        if self.pending.is_empty() {
            // The usual case, one save per request: the lines' own vector becomes the queue.
            self.pending = cookies;
        } else {
            self.pending.extend(cookies);
        }
    }
}

impl SessionContext {
    /// The context of a request whose `Cookie` header values are `cookie_headers`, in order.
    ///
    /// It knows nothing else of the request, so
    /// [`refuse_cross_site_writes`](crate::SessionConfigBuilder::refuse_cross_site_writes) cannot
    /// apply to it (a warning says so, once per process): the adapters, and
    /// [`from_request`](SessionContext::from_request) on `http` types, also read the method and
    /// the `Sec-Fetch-Site`, `Origin` and `Host` headers.
    pub fn from_cookie_headers<'h>(
        config: &SessionConfig,
        cookie_headers: impl IntoIterator<Item = &'h [u8]>,
    ) -> Self {
        Self::new(config, cookie_headers, None)
    }

    /// The context of a request with these `Cookie` header values and this method and origin.
    pub(crate) fn from_request_site<'h>(
        config: &SessionConfig,
        cookie_headers: impl IntoIterator<Item = &'h [u8]>,
        site: RequestSite<'_>,
    ) -> Self {
        Self::new(config, cookie_headers, Some(site.is_cross_site_write()))
    }

    fn new<'h>(
        config: &SessionConfig,
        cookie_headers: impl IntoIterator<Item = &'h [u8]>,
        cross_site_write: Option<bool>,
    ) -> Self {
        // An empty value is no cookie, as in iron-session (`value ? unsealData(value) : {}`): no
        // unseal error for it.
        let (cookie_value, transport) = Transport::read(config, cookie_headers);
        SessionContext {
            shared: Arc::new(Mutex::new(ContextState {
                config: config.clone(),
                cookie_value,
                transport,
                destroyed: false,
                read: false,
                saved: false,
                pending: Vec::new(),
                incoming: Incoming::Unread,
                metadata: MetadataState::default(),
                cross_site_write,
                write_error: None,
                unsaved_warned: false,
            })),
        }
    }

    /// The seal the request carried for this session, as the browser sent it (the whole cookie,
    /// else its chunks joined), whether or not it opens: for tools that show what is inside,
    /// such as the demo's "What is in my cookie?" panel. `None` when the request carried none, or
    /// carried the cookie both whole and in chunks
    /// ([`Ambiguous`](crate::UnsealReason::Ambiguous)). It is a bearer token: never log it.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, header};
    /// use ironsession::{Passwords, SessionConfig, SessionContext};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(header::COOKIE, HeaderValue::from_static("other=1; s=Fe26.2*1*abc"));
    /// let context = SessionContext::from_headers(&config, &headers);
    /// assert_eq!(context.incoming_seal().as_deref(), Some("Fe26.2*1*abc"));
    /// assert_eq!(SessionContext::from_headers(&config, &HeaderMap::new()).incoming_seal(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn incoming_seal(&self) -> Option<String> {
        self.lock().cookie_value.clone()
    }

    /// Takes the error of a session write that the response must answer in the handler's place,
    /// whatever the handler returned: a save or destroy refused as a cross-site write
    /// ([`SaveError::CrossSite`], answered 403, see
    /// [`refuse_cross_site_writes`](crate::SessionConfigBuilder::refuse_cross_site_writes)), or a
    /// failed [automatic save](crate::SessionConfigBuilder::auto_save) (answered 500). The axum
    /// and actix-web adapters replace the handler's response with that answer; with the plain
    /// `http` API, call it after the handler, once its `Session<T>`s are dropped.
    ///
    /// ```
    /// use http::{HeaderMap, Method, Request};
    /// use ironsession::{JsonSession, Passwords, SaveError, Session, SessionConfig, SessionContext};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .refuse_cross_site_writes(true)
    ///     .build()?;
    /// let login_csrf = Request::post("https://app.example/login")
    ///     .header("host", "app.example")
    ///     .header("sec-fetch-site", "cross-site")
    ///     .body(())?;
    /// let context = SessionContext::from_request(&config, &login_csrf);
    /// let mut session: JsonSession = Session::load(&context);
    /// session.insert("user".into(), "mallory".into());
    /// assert!(matches!(session.save(), Err(SaveError::CrossSite)));
    /// drop(session);
    /// assert!(matches!(context.take_write_error(), Some(SaveError::CrossSite)));
    /// assert!(context.take_set_cookies().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn take_write_error(&self) -> Option<SaveError> {
        self.lock().write_error.take().map(|error| *error)
    }

    /// Takes the `Set-Cookie` values to send: those queued by `save` and `destroy` (one per
    /// cookie name), or else the session re-sealed when it is due for
    /// [renewal](crate::SessionConfigBuilder::renew_after), was sealed with an older password
    /// ([`password_upgrade`](crate::SessionConfigBuilder::password_upgrade)), or got new
    /// [metadata](crate::Metadata). Call it once, after the handler. Only the cookies:
    /// [`append_set_cookies`](Self::append_set_cookies) also sets the cache headers.
    pub fn take_set_cookies(&self) -> Vec<String> {
        self.take_response().0
    }

    /// Takes the queued `Set-Cookie` values, and what the response's cache headers need.
    fn take_response(&self) -> (Vec<String>, CacheNeeds) {
        let mut state = self.lock();
        outgoing::before_response(&mut state);
        let lines = std::mem::take(&mut state.pending);
        let needs = CacheNeeds {
            private: !lines.is_empty(),
            vary_cookie: state.read,
        };
        let enabled = state.config.cache_headers();
        (
            lines,
            if enabled {
                needs
            } else {
                CacheNeeds::default()
            },
        )
    }

    /// The response step: writes the queued `Set-Cookie` lines into a response's `headers`, then
    /// the cache headers, and clears the queue.
    pub(crate) fn write_response(&self, headers: &mut impl ResponseHeaders) {
        let (lines, cache) = self.take_response();
        for line in lines {
            headers.append_set_cookie(line);
        }
        cache.apply(headers);
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, ContextState> {
        // The state stays consistent even if a holder panicked: every write is a single assignment.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
