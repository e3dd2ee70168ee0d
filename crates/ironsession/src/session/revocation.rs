//! Where revocation meets the session: the subject, the logout that waits for the store, and the
//! revocation of a destroyed session. (The option is set in `config`, the load-side check made in
//! `request`.)

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Session;
use crate::SaveError;
use crate::lifetime::MetadataState;
use crate::request::ContextState;
use crate::revocation::{Revocation, RevocationError, valid_subject};

/// The synchronous [`Session::destroy`]'s revocation of the session the request's cookie carried:
/// at once in this process, in the background for the others.
pub(super) fn revoke_on_destroy(state: &mut ContextState) {
    if let (Some(revocation), Some(sid)) = (state.config.revocation(), state.metadata.opened_id) {
        // A `SessionId` is always 22 characters of base64url: it cannot be refused.
        let _ = revocation.revoke_session_in_background(sid.as_str());
        state.metadata.opened_id = None;
    }
}

impl<T> Session<T> {
    /// Links the session to a subject (the user), for
    /// [`Revocation::revoke_subject`] ("log out everywhere"): 1 to
    /// [`MAX_SUBJECT_BYTES`](crate::revocation::MAX_SUBJECT_BYTES) (1024) bytes, since every
    /// revocation of it is stored, in Redis and in every server's memory, for the retention.
    /// Stored in the session's [metadata](crate::Metadata) (`"sub"`), created if the session has
    /// none yet; it goes out with the next `save`. A new subject (a login) also gives the session
    /// the current revocation [generation](crate::Metadata::generation); setting the subject it
    /// already has keeps its generation.
    ///
    /// ```
    /// # use http::HeaderMap;
    /// # use ironsession::revocation::Revocation;
    /// # use ironsession::{JsonSession, Passwords, SaveError, SessionConfig};
    /// let builder = SessionConfig::builder("s", Passwords::single(&Passwords::generate()?)?);
    /// let config = builder.clone().revocation(Revocation::in_memory()).build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.set_subject("user-42")?;
    /// assert_eq!(session.subject().as_deref(), Some("user-42"));
    ///
    /// // Without revocation a subject would revoke nothing: an error, not a silent success.
    /// let mut session: JsonSession = builder.build()?.load(&HeaderMap::new());
    /// assert!(matches!(session.set_subject("user-42"), Err(SaveError::RevocationNotConfigured)));
    /// assert_eq!(session.subject(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`SaveError::RevocationNotConfigured`] without
    /// [revocation](crate::SessionConfigBuilder::revocation);
    /// [`SaveError::InvalidSubject`] for a subject that
    /// [`Revocation::revoke_subject`] would refuse (empty, or over
    /// [`MAX_SUBJECT_BYTES`](crate::revocation::MAX_SUBJECT_BYTES)), so that
    /// every session's subject can be logged out; [`SaveError::Seal`] when no random bytes can be
    /// had for a new session id.
    pub fn set_subject(&mut self, subject: impl Into<String>) -> Result<(), SaveError> {
        let subject = subject.into();
        let mut state = self.context().lock();
        if state.config.revocation().is_none() {
            return Err(SaveError::RevocationNotConfigured);
        }
        if !valid_subject(&subject) {
            return Err(SaveError::InvalidSubject);
        }
        let now_ms = state.config.now_ms();
        let generation = state.config.new_session_generation();
        state
            .metadata
            .get_or_create(now_ms, generation)?
            .set_subject(Some(subject), generation);
        state.metadata.changed = true;
        Ok(())
    }

    /// The subject set with [`set_subject`](Self::set_subject), if any.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::revocation::Revocation;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    /// #     .revocation(Revocation::in_memory())
    /// #     .build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// assert_eq!(session.subject(), None);
    /// session.set_subject("user-42")?;
    /// assert_eq!(session.subject().as_deref(), Some("user-42"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::revocation::Revocation;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .revocation(Revocation::in_memory())
    ///     .build()?;
    /// let session: JsonSession = config.load(&HeaderMap::new());
    /// // In an async handler: `session.revocation().unwrap().revoke_subject("user-42").await?`.
    /// assert!(session.revocation().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn revocation(&self) -> Option<Revocation> {
        self.context().lock().config.revocation().cloned()
    }
}

impl<T: Serialize + DeserializeOwned + Default> Session<T> {
    /// The logout to use with revocation: revokes the id of the session the request's cookie
    /// carried, waits until the store has it (every process will then refuse every copy of the
    /// cookie), and only then [destroys](Self::destroy) the session. If the store did not record
    /// it, nothing is destroyed and the error is returned, so the handler can tell the user to try
    /// again (the demo answers 503). When no cookie that opened carried a session (none came, it
    /// was refused, or the session was made in this request), it records nothing and only
    /// destroys. Without revocation it destroys and returns [`RevocationError::NotConfigured`]:
    /// nothing was revoked.
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
    /// The [`RevocationError`] of the store; the session is then left as it was, as it is on a
    /// cross-site write the configuration refuses ([`RevocationError::CrossSite`]).
    /// [`RevocationError::NotConfigured`] without revocation, after destroying the session.
    pub async fn revoke_and_destroy(&mut self) -> Result<(), RevocationError> {
        let (revocation, sid) = self.before_revoking(|metadata| metadata.opened_id)?;
        let Some(revocation) = revocation else {
            self.destroy();
            return Err(RevocationError::NotConfigured);
        };
        if let Some(sid) = sid {
            revocation.revoke_session(sid.as_str()).await?;
            // Recorded: `destroy` need not revoke it again in the background.
            self.context().lock().metadata.opened_id = None;
        }
        self.destroy();
        Ok(())
    }

    /// "Log out everywhere": revokes every session of the [subject](Self::set_subject) of the
    /// session the request's cookie carried (on every server, sessions created before this call; see
    /// [`Revocation::revoke_subject`]), waits until the store has it, then
    /// [destroys](Self::destroy) this session. If the store did not record it, nothing is
    /// destroyed and the error is returned, as with [`revoke_and_destroy`](Self::revoke_and_destroy).
    ///
    /// ```
    /// # use http::HeaderMap;
    /// # use ironsession::revocation::{Revocation, RevocationError};
    /// # use ironsession::{JsonSession, Passwords, SessionConfig, UnsealReason};
    /// # tokio::runtime::Runtime::new()?.block_on(async {
    /// let builder = SessionConfig::builder("s", Passwords::single(&Passwords::generate()?)?);
    /// let config = builder.clone().revocation(Revocation::in_memory()).build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.start_new_login()?;
    /// session.set_subject("alice")?;
    /// session.save()?;
    /// let cookie = session.take_set_cookies()[0].split(';').next().unwrap().to_owned();
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("cookie", cookie.parse()?);
    /// let mut session: JsonSession = config.load(&headers);
    /// session.revoke_subject_and_destroy().await?;
    /// let copy: JsonSession = config.load(&headers);
    /// assert_eq!(copy.unseal_error().unwrap().reason(), UnsealReason::Revoked);
    ///
    /// // Without revocation: the cookie is still deleted, and the error says nothing was revoked.
    /// let mut session: JsonSession = builder.build()?.load(&headers);
    /// let revoked = session.revoke_subject_and_destroy().await;
    /// assert!(matches!(revoked, Err(RevocationError::NotConfigured)));
    /// assert!(session.take_set_cookies()[0].starts_with("s=; Max-Age=0;"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// The [`RevocationError`] of the store; the session is then left as it was, as it is on a
    /// cross-site write the configuration refuses ([`RevocationError::CrossSite`]). After
    /// destroying the session: [`RevocationError::NotConfigured`] without revocation, and
    /// [`RevocationError::NoSubject`] for a session without a subject, or that no cookie carried.
    pub async fn revoke_subject_and_destroy(&mut self) -> Result<(), RevocationError> {
        let (revocation, subject) = self.before_revoking(|metadata| {
            // Only a session a cookie carried (and that opened) has a subject to revoke.
            metadata.opened_id?;
            metadata.current.as_ref()?.subject().map(str::to_owned)
        })?;
        let outcome = match (revocation, subject) {
            (None, _) => Err(RevocationError::NotConfigured),
            (Some(_), None) => Err(RevocationError::NoSubject),
            (Some(revocation), Some(subject)) => {
                revocation.revoke_subject(&subject).await?;
                // Recorded, this session included: `destroy` need not revoke its id.
                self.context().lock().metadata.opened_id = None;
                Ok(())
            }
        };
        self.destroy();
        outcome
    }

    /// The configuration's revocation and what `field` takes of the request's metadata, once the
    /// request may write the session (not a refused cross-site write).
    fn before_revoking<F>(
        &self,
        field: impl FnOnce(&MetadataState) -> Option<F>,
    ) -> Result<(Option<Revocation>, Option<F>), RevocationError> {
        let mut state = self.context().lock();
        state
            .check_write()
            .map_err(|_| RevocationError::CrossSite)?;
        Ok((state.config.revocation().cloned(), field(&state.metadata)))
    }
}
