//! The state one request's sessions share with the framework adapter: the configuration (which a
//! handler may change), the cookie as it came in, and the `Set-Cookie` lines to send back.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use http::HeaderName;
use http::header::COOKIE;

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
    /// The seal the request carried for the original configuration's session (the whole cookie,
    /// else its joined chunks, or a session header's value), if it had one.
    pub(super) cookie_value: Option<String>,
    /// How the seal travels, and what of it the request carried (for a cookie: the whole cookie,
    /// or which chunks).
    pub(crate) transport: Transport,
    pub(crate) destroyed: bool,
    /// A handler read the session: the response depends on the `Cookie` header.
    pub(super) read: bool,
    /// A `save` queued the session's cookies.
    pub(super) saved: bool,
    /// `Set-Cookie` lines, at most one per cookie name (or a session header's one seal).
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
        // A session header's line is the seal itself: never shown.
        let in_header = self.transport.response_header().is_some();
        let pending: Vec<&str> = self
            .pending
            .iter()
            .map(|line| match in_header {
                true => "[session header]",
                false => chunks::line_name(line),
            })
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
    /// The context of a request whose `Cookie` header values are `cookie_headers`, in order. A
    /// configuration with a [session header](crate::SessionHeader), or shared with h3 (whose
    /// session header is read first), needs the other headers too:
    /// [`from_request_headers`](Self::from_request_headers).
    ///
    /// It knows nothing else of the request, so
    /// [`refuse_cross_site_writes`](crate::SessionConfigBuilder::refuse_cross_site_writes) cannot
    /// apply to it (a warning says so, once per process): the adapters, and
    /// [`from_request`](SessionContext::from_request) on `http` types, also read the method and
    /// the `Sec-Fetch-Site`, `Origin` and `Host` headers.
    ///
    /// ```
    /// use ironsession::{Passwords, SessionConfig, SessionContext};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let context = SessionContext::from_cookie_headers(&config, [&b"other=1; s=Fe26.2*1*abc"[..]]);
    /// assert_eq!(context.incoming_seal().as_deref(), Some("Fe26.2*1*abc"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_cookie_headers<'h>(
        config: &SessionConfig,
        cookie_headers: impl IntoIterator<Item = &'h [u8]>,
    ) -> Self {
        let mut cookie_headers = Some(cookie_headers);
        Self::from_request_headers(config, |name| {
            (*name == COOKIE)
                .then(|| cookie_headers.take())
                .flatten()
                .into_iter()
                .flatten()
        })
    }

    /// The context of a request whose headers `header` gives: called with a header name, it
    /// returns that header's values in order (none when absent). It is asked for `Cookie` and for
    /// the session headers the configuration reads (see
    /// [`SessionHeader`](crate::SessionHeader), [`H3Sessions`](crate::H3Sessions)). For a
    /// framework whose header type is not `http`'s; with `http`'s, use
    /// [`from_headers`](Self::from_headers), or [`from_request`](Self::from_request) for
    /// [`refuse_cross_site_writes`](crate::SessionConfigBuilder::refuse_cross_site_writes), which
    /// needs the method too (without it, as here, writes are not checked).
    ///
    /// ```
    /// use ironsession::{JsonSession, Passwords, Session, SessionConfig, SessionContext};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let headers = [("cookie", "s=Fe26.2*1*abc; other=1")];
    /// let context = SessionContext::from_request_headers(&config, |name| {
    ///     let values = headers.iter().filter(|(n, _)| *n == name.as_str());
    ///     values.map(|(_, v)| v.as_bytes()).collect::<Vec<_>>()
    /// });
    /// assert_eq!(context.incoming_seal().as_deref(), Some("Fe26.2*1*abc"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_request_headers<'h, I>(
        config: &SessionConfig,
        header: impl FnMut(&HeaderName) -> I,
    ) -> Self
    where
        I: IntoIterator<Item = &'h [u8]>,
    {
        Self::new(config, header, None)
    }

    /// The context of a request whose headers `header` gives, with the method and origin `site`
    /// reads: looked up only when the configuration refuses cross-site writes.
    pub(crate) fn from_request_site<'h, 'r, I>(
        config: &SessionConfig,
        header: impl FnMut(&HeaderName) -> I,
        site: impl FnOnce() -> RequestSite<'r>,
    ) -> Self
    where
        I: IntoIterator<Item = &'h [u8]>,
    {
        let cross_site_write = config
            .refuse_cross_site_writes()
            .then(|| site().is_cross_site_write());
        Self::new(config, header, cross_site_write)
    }

    fn new<'h, I>(
        config: &SessionConfig,
        header: impl FnMut(&HeaderName) -> I,
        cross_site_write: Option<bool>,
    ) -> Self
    where
        I: IntoIterator<Item = &'h [u8]>,
    {
        // An empty value is no cookie, as in iron-session (`value ? unsealData(value) : {}`): no
        // unseal error for it.
        let (cookie_value, transport) = Transport::read(config, header);
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
                metadata: MetadataState {
                    id_form: config.id_form(),
                    ..MetadataState::default()
                },
                cross_site_write,
                write_error: None,
                unsaved_warned: false,
            })),
        }
    }

    /// The seal the request carried for this session, as the client sent it (the whole cookie,
    /// else its chunks joined, or a session header's value), whether or not it opens: for tools
    /// that show what is inside, such as the demo's "What is in my cookie?" panel. `None` when the
    /// request carried none, or carried the cookie both whole and in chunks
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
    /// [`append_set_cookies`](Self::append_set_cookies) also sets the cache headers. A session
    /// that came in a [session header](crate::SessionHeader) sends no cookie: its seal stays
    /// queued for [`take_session_header`](Self::take_session_header) (or `append_set_cookies`).
    pub fn take_set_cookies(&self) -> Vec<String> {
        let mut state = self.lock();
        outgoing::before_response(&mut state);
        if state.transport.response_header().is_some() {
            return Vec::new();
        }
        std::mem::take(&mut state.pending)
    }

    /// Takes the seal to return in the [session header](crate::SessionHeader), with the header's
    /// name, when the session came in it and was saved (or renewed); `None` otherwise, and for
    /// cookie sessions (see [`take_set_cookies`](Self::take_set_cookies)). Only the seal:
    /// [`append_set_cookies`](Self::append_set_cookies) also sets the cache headers.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderName};
    /// use ironsession::{JsonSession, Passwords, SessionConfig, SessionHeader};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .session_header(SessionHeader::named(HeaderName::from_static("x-session")).without_cookies())
    ///     .build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.insert("userId".into(), 1.into());
    /// session.save()?;
    /// assert!(session.take_set_cookies().is_empty());
    /// let (name, seal) = session.context().take_session_header().unwrap();
    /// assert_eq!((name.as_str(), &seal[..9]), ("x-session", "Fe26.2*1*"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn take_session_header(&self) -> Option<(HeaderName, String)> {
        let mut state = self.lock();
        outgoing::before_response(&mut state);
        let name = state.transport.response_header()?.clone();
        let seal = state.pending.pop()?;
        state.pending.clear();
        Some((name, seal))
    }

    /// Takes the queued lines, the header they go out in (`None` for `Set-Cookie`), and what the
    /// response's cache headers need.
    fn take_response(&self) -> (Vec<String>, Option<HeaderName>, CacheNeeds) {
        let mut state = self.lock();
        outgoing::before_response(&mut state);
        let lines = std::mem::take(&mut state.pending);
        let header = state.transport.response_header().cloned();
        if !state.config.cache_headers() {
            return (lines, header, CacheNeeds::default());
        }
        let request_headers = state.config.request_headers();
        let needs = CacheNeeds {
            private: !lines.is_empty(),
            vary_cookie: state.read && state.config.uses_cookies(),
            vary_headers: (state.read && !request_headers.is_empty())
                .then(|| request_headers.clone()),
        };
        (lines, header, needs)
    }

    /// The response step: writes the queued `Set-Cookie` lines (or the session header's seal)
    /// into a response's `headers`, then the cache headers, and clears the queue.
    pub(crate) fn write_response(&self, headers: &mut impl ResponseHeaders) {
        let (lines, header, cache) = self.take_response();
        for line in lines {
            match &header {
                Some(name) => headers.set_header(name, line),
                None => headers.append_set_cookie(line),
            }
        }
        cache.apply(headers);
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, ContextState> {
        // The state stays consistent even if a holder panicked: every write is a single assignment.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
