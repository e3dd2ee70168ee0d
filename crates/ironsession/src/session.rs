//! `Session<T>`: the typed session a handler reads and changes, with iron-session's `save`,
//! `destroy` and `updateConfig`.

use std::fmt;
use std::ops::{Deref, DerefMut};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::context::SessionContext;
use crate::{
    ConfigError, Metadata, Oversize, SealError, SessionConfigBuilder, SessionId, UnsealError,
    chunks, incoming, outgoing,
};

/// A session whose data is a `T`.
///
/// Read and change the data through `Deref`/`DerefMut` (`session.visits += 1`), then call
/// [`save`](Session::save) to seal it into the response's cookie. Nothing is sent unless you save
/// or [`destroy`](Session::destroy).
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
}

/// A session with iron-session's free-form data: a JSON object.
pub type JsonSession = Session<serde_json::Map<String, serde_json::Value>>;

/// Why [`Session::save`] did not queue a cookie.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SaveError {
    /// The session does not fit the cookies the configuration may write: one `Set-Cookie` line
    /// of at most 4096 bytes, or with chunking at most [`MAX_CHUNKS`](crate::MAX_CHUNKS) of them.
    /// Nothing is queued; what the request carried stays as it was.
    #[error("{}", oversize.describe(*size, *limit))]
    TooLarge {
        /// The size in bytes of the whole `Set-Cookie` line, as one cookie.
        size: usize,
        /// The limit of one line.
        limit: usize,
        /// Why more cookies could not take it.
        oversize: Oversize,
    },
    /// `save` after `destroy` with data in the session (as in iron-session 9, `destroy` ends the
    /// session for this request; saving an empty session after it does nothing).
    #[error("the session was destroyed in this request; it cannot be saved with data again")]
    Destroyed,
    /// The data could not be sealed (not serializable to JSON, or no random bytes).
    #[error("cannot seal the session: {0}")]
    Seal(#[from] SealError),
    /// [`set_subject`](Session::set_subject) with a subject no revocation could name: empty, or
    /// longer than [`MAX_SUBJECT_BYTES`](crate::revocation::MAX_SUBJECT_BYTES).
    #[error(
        "invalid subject: it must be 1 to {} bytes long",
        crate::revocation::MAX_SUBJECT_BYTES
    )]
    InvalidSubject,
}

impl<T: Serialize + DeserializeOwned + Default> Session<T> {
    /// Reads the session of a request from its context.
    pub fn load(context: &SessionContext) -> Self {
        let (data, unseal_error) = incoming::load(&mut context.lock());
        Session {
            data,
            context: context.clone(),
            unseal_error,
        }
    }

    /// Seals the data now and queues the `Set-Cookie` header. Saving again in the same request
    /// replaces the queued header; each save restarts the ttl.
    ///
    /// # Errors
    /// [`SaveError::TooLarge`] with the size, [`SaveError::Destroyed`], or [`SaveError::Seal`].
    pub fn save(&self) -> Result<(), SaveError> {
        let mut state = self.context.lock();
        if state.destroyed {
            let to_json = |data: &T| {
                serde_json::to_value(data).map_err(|e| SealError::Serialize(e.to_string()))
            };
            return if to_json(&self.data)? == to_json(&T::default())? {
                Ok(())
            } else {
                Err(SaveError::Destroyed)
            };
        }
        let mut json = Vec::with_capacity(outgoing::json_capacity(&state));
        serde_json::to_writer(&mut json, &self.data)
            .map_err(|e| SealError::Serialize(e.to_string()))?;
        outgoing::write(&mut state, json)
    }

    /// Empties the session and queues a deletion cookie (`Max-Age=0`, same `Path`, `Domain` and
    /// attributes, so the browser really deletes it), and one for every chunk the request
    /// carried. After this, [`save`](Session::save) of an empty session does nothing and of a
    /// non-empty one fails.
    ///
    /// With [revocation](crate::revocation) on, it also revokes the session's id: at once in this
    /// process, in the background for the others (a failure is only logged). Use
    /// [`revoke_and_destroy`](Session::revoke_and_destroy) to know that the store has it.
    pub fn destroy(&mut self) {
        self.data = T::default();
        let mut state = self.context.lock();
        state.destroyed = true;
        crate::revocation::revoke_on_destroy(&state.config, state.metadata.current.as_ref());
        state.metadata.current = None;
        let cookies = chunks::destroy(&state.config, &state.carried);
        state.queue(cookies);
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
    /// Gives the session a new id and creation time, keeping its data: call it at login and at
    /// any change of privilege, so that an id an attacker planted or saw before (session
    /// fixation) is worth nothing afterwards. It also restarts the
    /// [absolute lifetime](crate::SessionConfigBuilder::absolute_lifetime). The new metadata goes
    /// out with the next `save`, or on the response if the handler does not save.
    ///
    /// ```
    /// # use http::HeaderMap;
    /// # use ironsession::{JsonSession, Passwords, SessionConfig};
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// assert_eq!(session.id(), None);
    /// session.regenerate()?;
    /// let first = session.id().unwrap();
    /// session.regenerate()?;
    /// assert_ne!(session.id(), Some(first));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`SaveError::Seal`] when no random bytes can be had for the id.
    pub fn regenerate(&mut self) -> Result<(), SaveError> {
        let mut state = self.context.lock();
        let now_ms = state.config.now_ms();
        state.metadata.regenerate(now_ms)?;
        Ok(())
    }

    /// The session id, if the session has [metadata](crate::Metadata): always when the
    /// configuration has a lifetime option or
    /// [`session_ids`](crate::SessionConfigBuilder::session_ids), and after
    /// [`regenerate`](Session::regenerate).
    pub fn id(&self) -> Option<SessionId> {
        self.context
            .lock()
            .metadata
            .current
            .as_ref()
            .map(|m| *m.id())
    }

    /// The session's metadata (id, creation time, last seal), if it has any.
    pub fn metadata(&self) -> Option<Metadata> {
        self.context.lock().metadata.current.clone()
    }

    /// Why the request's cookie was ignored, if it was.
    pub fn unseal_error(&self) -> Option<&UnsealError> {
        self.unseal_error.as_ref()
    }

    /// The data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The data, to change it.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// Takes the data out of the session.
    pub fn into_data(self) -> T {
        self.data
    }

    /// The request's shared session state.
    pub fn context(&self) -> &SessionContext {
        &self.context
    }

    /// Takes the queued `Set-Cookie` values (see [`SessionContext::take_set_cookies`]; cache
    /// headers are set by [`append_set_cookies`](Self::append_set_cookies) only).
    pub fn take_set_cookies(&self) -> Vec<String> {
        self.context.take_set_cookies()
    }

    /// Appends the queued `Set-Cookie` headers to a response's headers, with the cache headers
    /// (see [`SessionContext::append_set_cookies`]).
    pub fn append_set_cookies(&self, headers: &mut http::HeaderMap) {
        self.context.append_set_cookies(headers);
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
        &mut self.data
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

impl crate::SessionConfig {
    /// Reads the session of a request from its headers: the plain-`http` equivalent of
    /// iron-session's `getIronSession(req, res)`. After the handler, move
    /// [`Session::take_set_cookies`] (or [`Session::append_set_cookies`]) onto the response.
    pub fn load<T: Serialize + DeserializeOwned + Default>(
        &self,
        headers: &http::HeaderMap,
    ) -> Session<T> {
        Session::load(&SessionContext::from_headers(self, headers))
    }
}
