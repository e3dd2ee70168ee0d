//! The session: `Session<T>`, the typed session a handler reads and changes, with iron-session's
//! `save`, `destroy` and `updateConfig`.
//!
//! The handler's view of the request (here), with one file per feature that adds methods to it
//! (`revocation`: the subject and the logout that waits for the store). It holds no rules of its
//! own: every step goes through [`request`](crate::request).
//!
//! Uses [`request`](crate::request), [`config`](crate::config) and the concepts below them.

mod revocation;
mod unsaved;

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::request::{SessionContext, incoming, outgoing};
use crate::{
    ConfigError, Metadata, SaveError, SealError, SessionConfigBuilder, SessionId, UnsealError,
};

/// A session whose data is a `T`.
///
/// Read and change the data through `Deref`/`DerefMut` (`session.visits += 1`), then call
/// [`save`](Session::save) to seal it into the response's cookie. Nothing is sent unless you save
/// or [`destroy`](Session::destroy): a session changed but neither saved nor destroyed logs a
/// warning when it is dropped, or is saved then with
/// [`auto_save`](crate::SessionConfigBuilder::auto_save).
///
/// A request without a cookie, or with one that does not unseal (garbage, another app's cookie,
/// tampered, expired, an unknown password id), gets `T::default()`; the reason is kept in
/// [`unseal_error`](Session::unseal_error) and logged with `tracing` at debug level. A hostile
/// cookie can never make the request fail.
///
/// ```
/// use http::HeaderMap;
/// use ironsession::{Passwords, Session, SessionConfig};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Default, Serialize, Deserialize)]
/// struct Visit { count: u32 }
///
/// let config = SessionConfig::builder("visits", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
/// let mut session: Session<Visit> = config.load(&HeaderMap::new());
/// session.count += 1;
/// session.save()?;
/// let set_cookie = session.take_set_cookies();
/// assert!(set_cookie[0].starts_with("visits=Fe26.2*1*"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Session<T> {
    data: T,
    context: SessionContext,
    unseal_error: Option<UnsealError>,
    /// The data was borrowed mutably since it was loaded, saved or destroyed.
    changed: AtomicBool,
    /// A hash of the JSON of this session's last save in the request, `0` before any.
    saved_json_hash: AtomicU64,
    /// What happens to a changed session at the end of the handler (`unsaved`): a function of
    /// the `T: Serialize` impl, which `Drop` (bound by no trait) can call.
    finish: fn(&Session<T>),
}

/// A session with iron-session's free-form data: a JSON object.
pub type JsonSession = Session<serde_json::Map<String, serde_json::Value>>;

impl<T: Serialize + DeserializeOwned + Default> Session<T> {
    /// Reads the session of a request from its context.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, Session, SessionConfig, SessionContext};
    ///
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// // What an adapter does for each request; handlers get the session from their extractor.
    /// let context = SessionContext::from_headers(&config, &HeaderMap::new());
    /// let session: JsonSession = Session::load(&context);
    /// assert!(session.is_empty()); // no cookie: the default data
    /// assert!(session.unseal_error().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load(context: &SessionContext) -> Self {
        let (data, unseal_error) = incoming::load(&mut context.lock());
        Session {
            data,
            context: context.clone(),
            unseal_error,
            changed: AtomicBool::new(false),
            saved_json_hash: AtomicU64::new(0),
            finish: Session::finish,
        }
    }

    /// Seals the data now and queues the `Set-Cookie` header. Saving again in the same request
    /// replaces the queued header; each save restarts the ttl.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.insert("user".into(), "alice".into());
    /// session.save()?;
    /// let set_cookie = session.take_set_cookies();
    /// assert!(set_cookie[0].starts_with("s=Fe26.2*1*"));
    /// assert!(set_cookie[0].contains("; Max-Age=1209540;")); // 14 days − 60 s
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`SaveError::TooLarge`] with the size, [`SaveError::Destroyed`], [`SaveError::Seal`], or
    /// [`SaveError::CrossSite`] for a cross-site write the configuration
    /// [refuses](crate::SessionConfigBuilder::refuse_cross_site_writes).
    pub fn save(&self) -> Result<(), SaveError> {
        let mut state = self.context.lock();
        state.check_write()?;
        if state.destroyed {
            let to_json = |data: &T| {
                serde_json::to_value(data).map_err(|e| SealError::Serialize(e.to_string()))
            };
            return if to_json(&self.data)? == to_json(&T::default())? {
                self.changed.store(false, Ordering::Relaxed);
                Ok(())
            } else {
                Err(SaveError::Destroyed)
            };
        }
        let mut json = Vec::with_capacity(outgoing::json_capacity(&state));
        serde_json::to_writer(&mut json, &self.data)
            .map_err(|e| SealError::Serialize(e.to_string()))?;
        let hash = unsaved::json_hash(&json);
        outgoing::write(&mut state, json)?;
        self.changed.store(false, Ordering::Relaxed);
        self.saved_json_hash.store(hash, Ordering::Relaxed);
        Ok(())
    }

    /// Empties the session and queues a deletion cookie (`Max-Age=0`, same `Path`, `Domain` and
    /// attributes, so the browser really deletes it), and one for every chunk the request
    /// carried. After this, [`save`](Session::save) of an empty session does nothing and of a
    /// non-empty one fails.
    ///
    /// With [revocation](crate::revocation) on, it also revokes the id of the session the
    /// request's cookie carried: at once in this process, in the background for the others (a
    /// failure is only logged). Use [`revoke_and_destroy`](Session::revoke_and_destroy) to know
    /// that the store has it. Only that id is ever revoked: a session made in this request (a
    /// login, then a destroy) never left the server, so nothing is recorded for it. And a request
    /// that carried no session cookie gets no deletion cookie either: nothing is recorded, nothing
    /// is sent (without revocation, every destroy sends iron-session 9's deletion).
    ///
    /// On a cross-site write the configuration
    /// [refuses](crate::SessionConfigBuilder::refuse_cross_site_writes) it does nothing: the
    /// session stays as it is, and the response is a 403 (see
    /// [`SessionContext::take_write_error`]).
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let mut headers = HeaderMap::new();
    /// # let mut first: JsonSession = config.load(&HeaderMap::new());
    /// # first.insert("user".into(), "alice".into());
    /// # first.save()?;
    /// # let cookie = first.take_set_cookies()[0].split(';').next().unwrap().to_owned();
    /// headers.insert("cookie", cookie.parse()?); // a logged-in request
    /// let mut session: JsonSession = config.load(&headers);
    /// assert_eq!(session["user"], "alice");
    /// session.destroy();
    /// assert!(session.is_empty());
    /// assert_eq!(session.take_set_cookies(), ["s=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn destroy(&mut self) {
        let mut state = self.context.lock();
        if state.check_write().is_err() {
            return;
        }
        self.data = T::default();
        *self.changed.get_mut() = false;
        state.destroyed = true;
        revocation::revoke_on_destroy(&mut state);
        state.metadata.current = None;
        outgoing::destroy(&mut state);
        crate::metrics::session_destroyed();
    }

    /// Takes the data out of the session; a change not saved is dropped without a warning.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{Passwords, Session, SessionConfig};
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    /// struct Cart { items: Vec<String> }
    ///
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let mut session: Session<Cart> = config.load(&HeaderMap::new());
    /// session.items.push("book".into());
    /// let cart: Cart = session.into_data();
    /// assert_eq!(cart.items, ["book"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_data(mut self) -> T {
        *self.changed.get_mut() = false;
        std::mem::take(&mut self.data)
    }

    /// Changes this request's configuration, as iron-session's `updateConfig` does: for a "remember
    /// me" ttl, other cookie attributes, or another cookie name. The change applies to the next
    /// `save` or `destroy`; it is validated like the original.
    ///
    /// ```
    /// # use http::HeaderMap;
    /// # use ironsession::{JsonSession, Passwords, SessionConfig, Ttl};
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.update_config(|c| c.ttl(Ttl::seconds(30 * 24 * 3600)))?;
    /// session.insert("remember".into(), true.into());
    /// session.save()?;
    /// assert!(session.take_set_cookies()[0].contains("; Max-Age=2591940;"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// The [`ConfigError`] of the changed configuration; the old one stays in force.
    pub fn update_config(
        &mut self,
        change: impl FnOnce(SessionConfigBuilder) -> SessionConfigBuilder,
    ) -> Result<(), ConfigError> {
        let mut state = self.context.lock();
        state.config = change(state.config.to_builder()).build()?;
        Ok(())
    }
}

impl<T> Session<T> {
    /// Gives the session a new id, keeping its data, its creation time and its subject: call it at
    /// any change of privilege within one login (a role granted, a password confirmed again), so
    /// that an id an attacker saw before is worth nothing afterwards. The
    /// [absolute lifetime](crate::SessionConfigBuilder::absolute_lifetime) keeps its deadline: a
    /// handler that regenerates never extends it. At login, call
    /// [`start_new_login`](Session::start_new_login) instead. The new metadata goes out with the
    /// next `save`, or on the response if the handler does not save.
    ///
    /// ```
    /// # use http::HeaderMap;
    /// # use ironsession::{JsonSession, Passwords, SessionConfig};
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).session_ids(true).build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// let (first, created) = (session.id().unwrap(), session.metadata().unwrap().created_at_ms());
    /// session.regenerate()?;
    /// assert_ne!(session.id(), Some(first));
    /// assert_eq!(session.metadata().unwrap().created_at_ms(), created);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`SaveError::Seal`] when no random bytes can be had for the id.
    pub fn regenerate(&mut self) -> Result<(), SaveError> {
        let mut state = self.context.lock();
        let now_ms = state.config.now_ms();
        let generation = state.config.new_session_generation();
        state.metadata.new_id(now_ms, generation)?;
        Ok(())
    }

    /// Starts a new login in this session, keeping its data: a new id and a new creation time, so
    /// a new [absolute lifetime](crate::SessionConfigBuilder::absolute_lifetime), and no subject
    /// (set the user's with [`set_subject`](Session::set_subject)). Call it when the user logs in,
    /// so that an id an attacker planted or saw before (session fixation) is worth nothing
    /// afterwards; within a login, [`regenerate`](Session::regenerate) changes the id without
    /// extending the login. The new metadata goes out with the next `save`, or on the response if
    /// the handler does not save.
    ///
    /// ```
    /// # use http::HeaderMap;
    /// # use ironsession::{JsonSession, Passwords, SessionConfig};
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .absolute_lifetime(std::time::Duration::from_secs(8 * 3600))
    ///     .clock(|| 1_700_000_000_000)
    ///     .build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.insert("user".into(), "alice".into());
    /// session.start_new_login()?;
    /// assert_eq!(session.metadata().unwrap().created_at_ms(), 1_700_000_000_000);
    /// assert_eq!(session.expires_at_ms(), Some(1_700_000_000_000 + 8 * 3600 * 1000));
    /// session.save()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`SaveError::Seal`] when no random bytes can be had for the id.
    pub fn start_new_login(&mut self) -> Result<(), SaveError> {
        let mut state = self.context.lock();
        let now_ms = state.config.now_ms();
        let generation = state.config.new_session_generation();
        state.metadata.regenerate(now_ms, generation)?;
        Ok(())
    }

    /// The session id, if the session has [metadata](crate::Metadata): always when the
    /// configuration has a lifetime option or
    /// [`session_ids`](crate::SessionConfigBuilder::session_ids), and after
    /// [`regenerate`](Session::regenerate) or [`start_new_login`](Session::start_new_login).
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .session_ids(true)
    ///     .build()?;
    /// let session: JsonSession = config.load(&HeaderMap::new());
    /// let id = session.id().unwrap();
    /// assert_eq!(id.as_str().len(), 22); // 128 random bits, base64url
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn id(&self) -> Option<SessionId> {
        self.context
            .lock()
            .metadata
            .current
            .as_ref()
            .map(|m| *m.id())
    }

    /// The session's metadata (id, creation time, last seal), if it has any.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .session_ids(true)
    ///     .clock(|| 1_700_000_000_000)
    ///     .build()?;
    /// let session: JsonSession = config.load(&HeaderMap::new());
    /// let metadata = session.metadata().unwrap();
    /// assert_eq!(metadata.created_at_ms(), 1_700_000_000_000);
    /// assert_eq!(metadata.subject(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn metadata(&self) -> Option<Metadata> {
        self.context.lock().metadata.current.clone()
    }

    /// When the session ends unless it is saved or renewed first (ms since the Unix epoch): its
    /// last seal plus the ttl, or the end of its absolute lifetime if that comes sooner. `None`
    /// without [metadata](crate::Metadata), or with neither a finite ttl nor an absolute lifetime.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig, Ttl};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .ttl(Ttl::seconds(3600))
    ///     .session_ids(true)
    ///     .clock(|| 1_700_000_000_000)
    ///     .build()?;
    /// let session: JsonSession = config.load(&HeaderMap::new());
    /// assert_eq!(session.expires_at_ms(), Some(1_700_003_600_000));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expires_at_ms(&self) -> Option<u64> {
        let state = self.context().lock();
        let metadata = state.metadata.current.as_ref()?;
        let idle =
            (state.config.ttl().as_millis()).map(|ttl| metadata.sealed_at_ms().saturating_add(ttl));
        let absolute = state.config.lifetimes().deadline_ms(Some(metadata));
        match (idle, absolute) {
            (Some(idle), Some(absolute)) => Some(idle.min(absolute)),
            (idle, absolute) => idle.or(absolute),
        }
    }

    /// Why the request's cookie was ignored, if it was.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig, UnsealReason};
    ///
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert("cookie", "s=Fe26.2*1*forged".parse()?);
    /// let session: JsonSession = config.load(&headers);
    /// assert!(session.is_empty()); // never an error page
    /// assert_eq!(session.unseal_error().map(|e| e.reason()), Some(UnsealReason::Invalid));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unseal_error(&self) -> Option<&UnsealError> {
        self.unseal_error.as_ref()
    }

    /// The data.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{Passwords, Session, SessionConfig};
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    /// struct Cart { items: Vec<String> }
    ///
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let session: Session<Cart> = config.load(&HeaderMap::new());
    /// assert_eq!(session.data(), &Cart::default()); // also `session.items` through `Deref`
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The data, to change it (as `DerefMut` does): a change must be
    /// [saved](Session::save).
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{Passwords, Session, SessionConfig};
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    /// struct Cart { items: Vec<String> }
    ///
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let mut session: Session<Cart> = config.load(&HeaderMap::new());
    /// session.data_mut().items.push("book".into()); // or `session.items.push(..)`
    /// session.save()?;
    /// assert_eq!(session.items, ["book"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn data_mut(&mut self) -> &mut T {
        *self.changed.get_mut() = true;
        &mut self.data
    }

    /// The request's shared session state.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.insert("theme".into(), "dark".into());
    /// session.save()?;
    /// // The request's state, shared with the adapter that writes the response.
    /// let context = session.context().clone();
    /// assert_eq!(context.take_set_cookies().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn context(&self) -> &SessionContext {
        &self.context
    }

    /// Takes the queued `Set-Cookie` values (see [`SessionContext::take_set_cookies`]; cache
    /// headers are set by [`append_set_cookies`](Self::append_set_cookies) only). A changed
    /// session the handler did not save is first saved (with
    /// [`auto_save`](crate::SessionConfigBuilder::auto_save)) or warned about.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.insert("user".into(), "alice".into());
    /// session.save()?;
    /// assert_eq!(session.take_set_cookies().len(), 1);
    /// assert!(session.take_set_cookies().is_empty()); // taken
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn take_set_cookies(&self) -> Vec<String> {
        self.finish_handler();
        self.context.take_set_cookies()
    }
}

impl<T> Deref for Session<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.data
    }
}

impl<T> DerefMut for Session<T> {
    fn deref_mut(&mut self) -> &mut T {
        *self.changed.get_mut() = true;
        &mut self.data
    }
}

/// The end of the handler: a changed session that was neither saved nor destroyed is saved (with
/// [`auto_save`](crate::SessionConfigBuilder::auto_save)) or warned about.
impl<T> Drop for Session<T> {
    fn drop(&mut self) {
        self.finish_handler();
    }
}

impl<T: fmt::Debug> fmt::Debug for Session<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("data", &self.data)
            .field("unseal_error", &self.unseal_error)
            .finish_non_exhaustive()
    }
}
