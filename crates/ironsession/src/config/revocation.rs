//! The revocation option (revocation itself is [`crate::revocation`]).

use super::{ConfigError, SessionConfig, SessionConfigBuilder};
use crate::Ttl;
use crate::revocation::Revocation;

impl SessionConfigBuilder {
    /// Turns revocation on: every session gets [metadata](crate::Metadata) (a session id and its
    /// creation time), each read checks it against `revocation`'s local replica, and
    /// [`Session::destroy`](crate::Session::destroy) revokes the session's id. See
    /// [`crate::revocation`].
    ///
    /// [`build`](Self::build) refuses a ttl longer than the revocation's
    /// [retention](crate::revocation::RevocationBuilder::retention) (or [`Ttl::Never`]): a
    /// revoked cookie would become valid again once its entry expires.
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

    /// The build-time check: entries must outlive every seal made before them.
    pub(super) fn check_revocation(&self) -> Result<(), ConfigError> {
        let Some(revocation) = &self.revocation else {
            return Ok(());
        };
        let retention = revocation.retention();
        match self.ttl {
            Ttl::After(ttl) if ttl <= retention => Ok(()),
            ttl => Err(ConfigError::RevocationRetention { ttl, retention }),
        }
    }
}

impl SessionConfig {
    /// The revocation, if it is on: for admin tools ([`Revocation::revoke_session`],
    /// [`Revocation::revoke_subject`]).
    pub fn revocation(&self) -> Option<&Revocation> {
        self.revocation.as_ref()
    }
}
