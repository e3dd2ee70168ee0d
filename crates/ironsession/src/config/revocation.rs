//! The revocation option (revocation itself is [`crate::revocation`]).

use std::time::Duration;

use super::{ConfigError, SessionConfig, SessionConfigBuilder};
use crate::TtlLimit;
use crate::revocation::Revocation;

impl SessionConfigBuilder {
    /// Turns revocation on: every session gets [metadata](crate::Metadata) (a session id and its
    /// creation time), each read checks it against `revocation`'s local replica, and
    /// [`Session::destroy`](crate::Session::destroy) revokes the session's id. See
    /// [`crate::revocation`].
    ///
    /// [`build`](Self::build) checks that the revocation's
    /// [retention](crate::revocation::RevocationBuilder::retention) covers the longest life a
    /// cookie this configuration accepts can have, or a revoked cookie would open again once its
    /// entry is dropped: the longest of the [ttl](Self::ttl) and [`max_ttl`](Self::max_ttl)
    /// (the ttl limit enforced on read), capped by the
    /// [absolute lifetime](Self::absolute_lifetime) when there is one. A longer life is
    /// [`ConfigError::RevocationRetention`]; no bound at all ([`Ttl::Never`](crate::Ttl::Never), or
    /// [`dangerous_accept_seals_without_expiration`](Self::dangerous_accept_seals_without_expiration),
    /// without an absolute lifetime) is [`ConfigError::RevocationUnbounded`]. Both messages name
    /// the method that fixes them.
    ///
    /// ```
    /// use std::time::Duration;
    /// use ironsession::revocation::{InMemory, Revocation};
    /// use ironsession::{ConfigError, Passwords, SessionConfig, Ttl};
    ///
    /// let builder = SessionConfig::builder("s", Passwords::single(&Passwords::generate()?)?)
    ///     .revocation(Revocation::in_memory());
    /// assert!(builder.clone().build()?.revocation().is_some());
    /// // "Remember me" for 30 days, with entries kept the default 14 days: refused.
    /// let remember_me = builder.max_ttl(Ttl::seconds(30 * 24 * 3600));
    /// let error = remember_me.clone().build().unwrap_err();
    /// assert!(matches!(error, ConfigError::RevocationRetention { .. }));
    /// assert!(error.to_string().contains("RevocationBuilder::retention(Duration::from_secs(2592000)) (30 days)"));
    /// // Entries kept as long: accepted.
    /// let kept = Revocation::builder(InMemory::new()).retention(Duration::from_secs(30 * 24 * 3600)).build();
    /// assert!(remember_me.revocation(kept).build().is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn revocation(mut self, revocation: Revocation) -> Self {
        self.revocation = Some(revocation);
        self
    }

    /// The build-time check: entries must outlive every cookie made before them.
    pub(super) fn check_revocation(&self) -> Result<(), ConfigError> {
        let Some(revocation) = &self.revocation else {
            return Ok(());
        };
        let retention = revocation.retention();
        match self.longest_session_life() {
            None => Err(ConfigError::RevocationUnbounded),
            Some(longest) if longest > retention => {
                Err(ConfigError::RevocationRetention { longest, retention })
            }
            Some(_) => Ok(()),
        }
    }

    /// The longest a cookie this configuration accepts can stay valid after it was sealed: its
    /// seal's life under the ttl limit, capped by the absolute lifetime; `None` without a bound.
    fn longest_session_life(&self) -> Option<Duration> {
        let limit =
            TtlLimit::for_session(self.ttl, self.max_ttl, self.accept_seals_without_expiration);
        let seal_life = limit.longest_seal_life_ms().map(Duration::from_millis);
        match (seal_life, self.lifetimes.absolute) {
            (Some(seal_life), Some(absolute)) => Some(seal_life.min(absolute)),
            (seal_life, absolute) => seal_life.or(absolute),
        }
    }
}

impl SessionConfig {
    /// The revocation, if it is on: for admin tools ([`Revocation::revoke_session`],
    /// [`Revocation::revoke_subject`]).
    pub fn revocation(&self) -> Option<&Revocation> {
        self.revocation.as_ref()
    }

    /// The revocation generation a session created now records, with revocation on.
    pub(crate) fn new_session_generation(&self) -> Option<u64> {
        self.revocation.as_ref().map(Revocation::generation)
    }
}
