//! Where revocation meets the session: the subject, the logout that waits for the store, and the
//! revocation of a destroyed session. (The option is set in `config`, the load-side check made in
//! `request`.)

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Session;
use crate::SaveError;
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
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
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
    /// again (the demo answers 503). Without revocation, or when no cookie that opened carried a
    /// session (none came, it was refused, or the session was made in this request), it records
    /// nothing and only destroys.
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
            (state.config.revocation().cloned(), state.metadata.opened_id)
        };
        if let (Some(revocation), Some(sid)) = (revocation, sid) {
            revocation.revoke_session(sid.as_str()).await?;
            // Recorded: `destroy` need not revoke it again in the background.
            self.context().lock().metadata.opened_id = None;
        }
        self.destroy();
        Ok(())
    }
}
