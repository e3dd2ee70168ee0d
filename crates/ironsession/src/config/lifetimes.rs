//! The lifetime options beyond the ttl: an absolute lifetime, rolling renewal, session ids (the
//! rules are [`lifetime`](crate::lifetime)'s).

use std::time::Duration;

use super::{ConfigError, SessionConfig, SessionConfigBuilder};
use crate::Ttl;

impl SessionConfigBuilder {
    /// Ends every session this long after it was created (or its last login
    /// [started](crate::Session::start_new_login); [`regenerate`](crate::Session::regenerate)
    /// keeps the deadline), however often it is used: an older session is
    /// refused with [`UnsealReason::Expired`](crate::UnsealReason::Expired), whatever its seal's
    /// expiration says. The seal's expiration and the cookie's `Max-Age` are capped at the time
    /// left, so the browser drops the cookie in time too. Default: no absolute lifetime (as
    /// iron-session). Adds the [session metadata](crate::Metadata) to the cookie.
    ///
    /// A session without metadata (sealed before this was turned on, or by a Node app that does
    /// not add it) is refused, with [`UnsealReason::MissingMetadata`](crate::UnsealReason::MissingMetadata),
    /// unless [`dangerous_accept_sessions_without_metadata`](Self::dangerous_accept_sessions_without_metadata)
    /// is on.
    ///
    /// ```
    /// use std::time::Duration;
    /// use ironsession::{Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .absolute_lifetime(Duration::from_secs(12 * 3600))
    ///     .build()?;
    /// assert_eq!(config.absolute_lifetime(), Some(Duration::from_secs(12 * 3600)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn absolute_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetimes.absolute = Some(lifetime);
        self
    }

    /// Renews sessions that are read but not saved: when a request reads a valid session last
    /// sealed at least this long ago, the response carries it re-sealed (a new expiration and
    /// `Max-Age`) even if the handler did not save. Never after
    /// [`destroy`](crate::Session::destroy), never for an empty session, never when the handler
    /// saved. Must be below the ttl. Default: off (as iron-session, where only `save` renews).
    /// Adds the [session metadata](crate::Metadata) to the cookie.
    ///
    /// The renewal is sealed with the request's configuration as it is when the response is
    /// written, including [`update_config`](crate::Session::update_config) changes the handler
    /// made. A session whose ttl was set by `update_config` when it was saved ("remember me")
    /// keeps that ttl through renewals only if the handler applies the same `update_config` on
    /// the requests that merely read it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use ironsession::{Passwords, SessionConfig, Ttl};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .ttl(Ttl::seconds(3600))
    ///     .renew_after(Duration::from_secs(600))
    ///     .build()?;
    /// assert_eq!(config.renew_after(), Some(Duration::from_secs(600)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn renew_after(mut self, age: Duration) -> Self {
        self.lifetimes.renew_after = Some(age);
        self
    }

    /// Gives every session an id and a creation time (the [session metadata](crate::Metadata)),
    /// even without a lifetime option that needs them: for logs, or to tell sessions apart.
    /// Default: off, so cookies hold exactly what iron-session writes.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .session_ids(true)
    ///     .build()?;
    /// let session: JsonSession = config.load(&HeaderMap::new());
    /// assert_eq!(session.id().map(|id| id.as_str().len()), Some(22));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn session_ids(mut self, on: bool) -> Self {
        self.lifetimes.session_ids = on;
        self
    }

    /// Reads sessions whose cookie has no [metadata](crate::Metadata) (no `"_is"`) although the
    /// [absolute lifetime](Self::absolute_lifetime) or [revocation](Self::revocation) needs it:
    /// for a fleet whose Node apps do not add the metadata yet (`interop/revocation.mjs`'s
    /// `newSessionMetadata` does). Off by default: such a session is refused with
    /// [`UnsealReason::MissingMetadata`](crate::UnsealReason::MissingMetadata). No effect without
    /// those options.
    ///
    /// When on, such a session gets new metadata (a new id, created now) when it is read, and the
    /// response re-seals it with that metadata (unless the handler saves or destroys it). What it
    /// leaves open: the cookie the browser had, and every copy of it, still has no metadata, so
    /// each read of a copy starts a new session id and a new creation time. Such a copy cannot be
    /// revoked (no logout, `revoke_session` or `revoke_subject` names it), and its absolute
    /// lifetime restarts on every read: only its seal's ttl ends it.
    ///
    /// ```
    /// use ironsession::revocation::Revocation;
    /// use ironsession::{Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single(&Passwords::generate()?)?)
    ///     .revocation(Revocation::in_memory())
    ///     .dangerous_accept_sessions_without_metadata(true)
    ///     .build()?;
    /// assert!(config.accepts_sessions_without_metadata());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dangerous_accept_sessions_without_metadata(mut self, on: bool) -> Self {
        self.lifetimes.accept_without_metadata = on;
        self
    }

    /// Checks the options against the ttl.
    pub(super) fn check_lifetimes(&self) -> Result<(), ConfigError> {
        let lifetimes = &self.lifetimes;
        let too_short = |d: Option<Duration>| d.is_some_and(|d| d < Duration::from_secs(1));
        if too_short(lifetimes.absolute) || too_short(lifetimes.renew_after) {
            return Err(ConfigError::LifetimeTooShort);
        }
        if let (Some(renew_after), Ttl::After(ttl)) = (lifetimes.renew_after, self.ttl)
            && renew_after >= ttl
        {
            return Err(ConfigError::RenewAfterNotBelowTtl);
        }
        Ok(())
    }
}

impl SessionConfig {
    /// The absolute lifetime, if any.
    pub fn absolute_lifetime(&self) -> Option<Duration> {
        self.lifetimes.absolute
    }

    /// The age after which a read session is renewed, if any.
    pub fn renew_after(&self) -> Option<Duration> {
        self.lifetimes.renew_after
    }

    /// Whether sessions without metadata are read although the absolute lifetime or revocation
    /// needs it (see
    /// [`dangerous_accept_sessions_without_metadata`](SessionConfigBuilder::dangerous_accept_sessions_without_metadata)).
    pub fn accepts_sessions_without_metadata(&self) -> bool {
        self.lifetimes.accept_without_metadata
    }

    /// Whether a cookie that opened must carry metadata: the absolute lifetime or revocation
    /// needs it, and the switch that reads sessions without it is off.
    pub(crate) fn requires_incoming_metadata(&self) -> bool {
        (self.lifetimes.absolute.is_some() || self.revocation.is_some())
            && !self.lifetimes.accept_without_metadata
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Passwords;

    #[test]
    fn options_are_validated_against_the_ttl() {
        let passwords = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg").unwrap();
        let builder = || SessionConfig::builder("s", passwords.clone()).ttl(Ttl::seconds(600));
        assert_eq!(
            builder()
                .renew_after(Duration::from_secs(600))
                .build()
                .err(),
            Some(ConfigError::RenewAfterNotBelowTtl)
        );
        assert!(
            builder()
                .renew_after(Duration::from_secs(599))
                .build()
                .is_ok()
        );
        assert_eq!(
            builder()
                .absolute_lifetime(Duration::from_millis(999))
                .build()
                .err(),
            Some(ConfigError::LifetimeTooShort)
        );
        assert_eq!(
            builder().renew_after(Duration::ZERO).build().err(),
            Some(ConfigError::LifetimeTooShort)
        );
        assert!(
            builder()
                .ttl(Ttl::Never)
                .renew_after(Duration::from_secs(86_400))
                .build()
                .is_ok()
        );
    }
}
