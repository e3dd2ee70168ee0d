//! Where revocation meets the session: the configuration option, the subject, the load-side check
//! and the logout.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::envelope::iron_session::Metadata;
use crate::revocation::{Revocation, RevocationError, SessionFields, valid_subject};
use crate::{
    ConfigError, SaveError, Session, SessionConfig, SessionConfigBuilder, Ttl, UnsealError,
};

impl SessionConfigBuilder {
    /// Turns revocation on: every session gets [metadata](crate::Metadata) (a session id and its
    /// creation time), each read checks it against `revocation`'s local replica, and
    /// [`Session::destroy`] revokes the session's id. See [`crate::revocation`].
    ///
    /// [`build`](Self::build) refuses a ttl longer than the revocation's
    /// [retention](crate::revocation::RevocationBuilder::retention) (or [`Ttl::Never`]): a revoked cookie
    /// would become valid again once its entry expires.
    ///
    /// ```
    /// use ironsession::revocation::Revocation;
    /// use ironsession::{ConfigError, Passwords, SessionConfig, Ttl};
    ///
    /// let builder = SessionConfig::builder("s", Passwords::single(&Passwords::generate()?)?)
    ///     .revocation(Revocation::in_memory());
    /// assert!(builder.clone().build()?.revocation().is_some());
    /// assert!(matches!(
    ///     builder.ttl(Ttl::seconds(30 * 24 * 3600)).build(),
    ///     Err(ConfigError::RevocationRetention { .. })
    /// ));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn revocation(mut self, revocation: Revocation) -> Self {
        self.revocation = Some(revocation);
        self
    }
}

impl SessionConfig {
    /// The revocation, if it is on: for admin tools ([`Revocation::revoke_session`],
    /// [`Revocation::revoke_subject`]).
    pub fn revocation(&self) -> Option<&Revocation> {
        self.revocation.as_ref()
    }
}

/// The build-time check: entries must outlive every seal made before them.
pub(crate) fn validate(revocation: Option<&Revocation>, ttl: Ttl) -> Result<(), ConfigError> {
    let Some(revocation) = revocation else {
        return Ok(());
    };
    let retention = revocation.retention();
    match ttl {
        Ttl::After(ttl) if ttl <= retention => Ok(()),
        _ => Err(ConfigError::RevocationRetention { ttl, retention }),
    }
}

/// The load-side check: a session whose id or subject is revoked is refused.
pub(crate) fn check(
    config: &SessionConfig,
    metadata: Option<&Metadata>,
    now_ms: u64,
) -> Result<(), UnsealError> {
    let Some(revocation) = config.revocation() else {
        return Ok(());
    };
    let session = metadata.map_or_else(SessionFields::default, |metadata| SessionFields {
        sid: Some(metadata.id().as_str()),
        subject: metadata.subject(),
        iat_ms: Some(metadata.created_at_ms()),
    });
    let refusal = revocation.check_at(session, now_ms);
    refusal.map_or(Ok(()), |refusal| Err(UnsealError::revoked(refusal)))
}

/// The synchronous [`Session::destroy`]'s revocation of the session it ends: at once in this
/// process, in the background for the others.
pub(crate) fn revoke_on_destroy(config: &SessionConfig, metadata: Option<&Metadata>) {
    if let (Some(revocation), Some(metadata)) = (config.revocation(), metadata) {
        // A `SessionId` is always 22 characters of base64url: it cannot be refused.
        let _ = revocation.revoke_session_in_background(metadata.id().as_str());
    }
}

impl<T> Session<T> {
    /// Links the session to a subject (the user), for
    /// [`Revocation::revoke_subject`] ("log out everywhere"). Stored in the session's
    /// [metadata](crate::Metadata) (`"sub"`), created if the session has none yet; it goes out with
    /// the next `save`.
    ///
    /// ```
    /// # use http::HeaderMap;
    /// # use ironsession::{JsonSession, Passwords, SessionConfig};
    /// # let config = SessionConfig::builder("s", Passwords::single(&Passwords::generate()?)?).build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.set_subject("user-42")?;
    /// assert_eq!(session.subject().as_deref(), Some("user-42"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`SaveError::InvalidSubject`] for a subject that
    /// [`Revocation::revoke_subject`] would refuse (empty, or over
    /// [`MAX_SUBJECT_BYTES`](crate::revocation::MAX_SUBJECT_BYTES)), so that
    /// every session's subject can be logged out; [`SaveError::Seal`] when no random bytes can be
    /// had for a new session id.
    pub fn set_subject(&mut self, subject: impl Into<String>) -> Result<(), SaveError> {
        let subject = subject.into();
        if !valid_subject(&subject) {
            return Err(SaveError::InvalidSubject);
        }
        let mut state = self.context().lock();
        let now_ms = state.config.now_ms();
        state
            .metadata
            .get_or_create(now_ms)?
            .set_subject(Some(subject));
        state.metadata.changed = true;
        Ok(())
    }

    /// The subject set with [`set_subject`](Self::set_subject), if any.
    pub fn subject(&self) -> Option<String> {
        let state = self.context().lock();
        state
            .metadata
            .current
            .as_ref()?
            .subject()
            .map(str::to_owned)
    }

    /// The configuration's revocation, if it is on (a clone: hold it across `.await`).
    pub fn revocation(&self) -> Option<Revocation> {
        self.context().lock().config.revocation().cloned()
    }
}

impl<T: Serialize + DeserializeOwned + Default> Session<T> {
    /// The logout to use with revocation: revokes this session's id, waits until the store has
    /// it (every process will then refuse every copy of the cookie), and only then
    /// [destroys](Self::destroy) the session. If the store did not record it, nothing is
    /// destroyed and the error is returned, so the handler can tell the user to try again (the
    /// demo answers 503). Without revocation, or for a session without an id, it only destroys.
    ///
    /// ```
    /// # use http::HeaderMap;
    /// # use ironsession::revocation::Revocation;
    /// # use ironsession::{JsonSession, Passwords, SessionConfig, UnsealReason};
    /// # tokio::runtime::Runtime::new()?.block_on(async {
    /// let config = SessionConfig::builder("s", Passwords::single(&Passwords::generate()?)?)
    ///     .revocation(Revocation::in_memory())
    ///     .build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.insert("user".into(), "alice".into());
    /// session.save()?;
    /// let cookie = session.take_set_cookies()[0].split(';').next().unwrap().to_owned();
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("cookie", cookie.parse()?);
    /// let mut session: JsonSession = config.load(&headers);
    /// session.revoke_and_destroy().await?;
    ///
    /// // A copy of the cookie is refused from now on.
    /// let copy: JsonSession = config.load(&headers);
    /// assert!(copy.is_empty());
    /// assert_eq!(copy.unseal_error().unwrap().reason(), UnsealReason::Revoked);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// The [`RevocationError`] of the store; the session is then left as it was.
    pub async fn revoke_and_destroy(&mut self) -> Result<(), RevocationError> {
        let (revocation, sid) = {
            let state = self.context().lock();
            let sid = state.metadata.current.as_ref().map(|m| *m.id());
            (state.config.revocation().cloned(), sid)
        };
        if let (Some(revocation), Some(sid)) = (revocation, sid) {
            revocation.revoke_session(sid.as_str()).await?;
            // Recorded: `destroy` need not revoke it again in the background.
            self.context().lock().metadata.current = None;
        }
        self.destroy();
        Ok(())
    }
}
