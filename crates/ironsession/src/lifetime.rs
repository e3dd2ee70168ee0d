//! Session lifetimes beyond the ttl: an absolute lifetime counted from the session's creation,
//! and rolling renewal of sessions that are read but not saved.
//!
//! | timeout | option | default | what ends it |
//! | --- | --- | --- | --- |
//! | idle | [`ttl`](crate::SessionConfigBuilder::ttl) | 14 days | no save (or renewal) for that long |
//! | absolute | [`absolute_lifetime`](crate::SessionConfigBuilder::absolute_lifetime) | none | this long after creation, however busy |
//! | renewal | [`renew_after`](crate::SessionConfigBuilder::renew_after) | none | a read re-seals a seal older than this |

use std::time::Duration;

use crate::metadata::Metadata;
use crate::{ConfigError, Session, SessionConfig, SessionConfigBuilder, Ttl, UnsealError};

/// How far past a deadline a session is still accepted: Iron's allowance for clock skew between
/// servers, the same as for a seal's own expiration.
pub(crate) const SKEW_MS: u64 = 60_000;

/// The lifetime options of a configuration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Lifetimes {
    absolute: Option<Duration>,
    renew_after: Option<Duration>,
    session_ids: bool,
}

impl Lifetimes {
    /// Whether sessions need their [`Metadata`].
    pub(crate) fn need_metadata(&self) -> bool {
        self.absolute.is_some() || self.renew_after.is_some() || self.session_ids
    }

    /// Checks the options against the ttl.
    pub(crate) fn validate(&self, ttl: Ttl) -> Result<(), ConfigError> {
        let too_short = |d: Option<Duration>| d.is_some_and(|d| d < Duration::from_secs(1));
        if too_short(self.absolute) || too_short(self.renew_after) {
            return Err(ConfigError::LifetimeTooShort);
        }
        if let (Some(renew_after), Ttl::After(ttl)) = (self.renew_after, ttl)
            && renew_after >= ttl
        {
            return Err(ConfigError::RenewAfterNotBelowTtl);
        }
        Ok(())
    }
}

impl SessionConfigBuilder {
    /// Ends every session this long after it was created (or last
    /// [regenerated](crate::Session::regenerate)), however often it is used: an older session is
    /// refused with [`UnsealReason::Expired`](crate::UnsealReason::Expired), whatever its seal's
    /// expiration says. The seal's expiration and the cookie's `Max-Age` are capped at the time
    /// left, so the browser drops the cookie in time too. Default: no absolute lifetime (as
    /// iron-session). Adds the [session metadata](crate::Metadata) to the cookie.
    ///
    /// A session without metadata (sealed before this was turned on, or by a Node app) starts its
    /// clock when it is first read, and gets the metadata on the same response.
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
}

impl<T> Session<T> {
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
        let absolute = deadline_ms(&state.config, Some(metadata));
        match (idle, absolute) {
            (Some(idle), Some(absolute)) => Some(idle.min(absolute)),
            (idle, absolute) => idle.or(absolute),
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// When the session's absolute lifetime ends, if it has one.
fn deadline_ms(config: &SessionConfig, metadata: Option<&Metadata>) -> Option<u64> {
    let absolute = config.lifetimes.absolute?;
    Some(metadata?.created_at_ms().saturating_add(millis(absolute)))
}

/// Refuses a session past its absolute lifetime (plus the clock-skew allowance) as expired.
pub(crate) fn check(
    config: &SessionConfig,
    metadata: Option<&Metadata>,
    now_ms: u64,
) -> Result<(), UnsealError> {
    match deadline_ms(config, metadata) {
        Some(deadline) if deadline.saturating_add(SKEW_MS) <= now_ms => {
            Err(iron_seal::Error::Expired {
                expired_at_ms: deadline,
            }
            .into())
        }
        _ => Ok(()),
    }
}

/// The seal's ttl (ms) and the cookie's `Max-Age` (s) for a session sealed at `now_ms`: the
/// configuration's, capped at the time its absolute lifetime has left.
pub(crate) fn limits(
    config: &SessionConfig,
    metadata: Option<&Metadata>,
    now_ms: u64,
) -> (Option<u64>, Option<u64>) {
    let ttl_ms = config.ttl().as_millis();
    let max_age = config.max_age_seconds();
    let Some(deadline) = deadline_ms(config, metadata) else {
        return (ttl_ms, max_age);
    };
    // At least 1 ms: Iron reads a ttl of 0 as "never expires".
    let left_ms = deadline.saturating_sub(now_ms).max(1);
    let ttl_ms = ttl_ms.map_or(left_ms, |ttl| ttl.min(left_ms));
    (
        Some(ttl_ms),
        max_age.map(|max_age| max_age.min(left_ms / 1000)),
    )
}

/// Whether a session read at `now_ms` is due for renewal.
pub(crate) fn renewal_due(
    config: &SessionConfig,
    metadata: Option<&Metadata>,
    now_ms: u64,
) -> bool {
    match (config.lifetimes.renew_after, metadata) {
        (Some(renew_after), Some(metadata)) => {
            now_ms.saturating_sub(metadata.sealed_at_ms()) >= millis(renew_after)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Passwords, UnsealReason};

    const T0: u64 = 1_700_000_000_000;
    const HOUR: u64 = 3_600_000;

    fn config(change: impl FnOnce(SessionConfigBuilder) -> SessionConfigBuilder) -> SessionConfig {
        let passwords = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg").unwrap();
        change(SessionConfig::builder("s", passwords))
            .build()
            .unwrap()
    }

    fn created_at(iat: u64, sealed_at: Option<u64>) -> Metadata {
        let mut metadata: Metadata = serde_json::from_value(serde_json::json!({
            "sid": "AAECAwQFBgcICQoLDA0ODw",
            "iat": iat,
        }))
        .unwrap();
        if let Some(sealed_at) = sealed_at {
            metadata.mark_sealed(sealed_at);
        }
        metadata
    }

    #[test]
    fn absolute_lifetime_ends_at_the_deadline_plus_the_skew() {
        let config = config(|b| b.absolute_lifetime(Duration::from_secs(8 * 3600)));
        let metadata = created_at(T0, None);
        let deadline = T0 + 8 * HOUR;
        let at = |now| check(&config, Some(&metadata), now);
        assert_eq!(at(deadline - 1), Ok(()));
        assert_eq!(at(deadline), Ok(()));
        assert_eq!(at(deadline + SKEW_MS - 1), Ok(()));
        let error = at(deadline + SKEW_MS).unwrap_err();
        assert_eq!(error.reason(), UnsealReason::Expired);
        assert_eq!(
            error.cause(),
            Some(&iron_seal::Error::Expired {
                expired_at_ms: deadline
            })
        );
        assert!(at(deadline + SKEW_MS + 1).is_err());
        // No metadata, or no absolute lifetime: nothing to check.
        assert_eq!(check(&config, None, u64::MAX), Ok(()));
        assert_eq!(
            check(&self::config(|b| b), Some(&metadata), u64::MAX),
            Ok(())
        );
    }

    #[test]
    fn limits_cap_the_seal_and_max_age_at_the_time_left() {
        let config = config(|b| {
            b.ttl(Ttl::seconds(3600))
                .absolute_lifetime(Duration::from_secs(8 * 3600))
        });
        let metadata = created_at(T0, None);
        // Far from the deadline: the ttl and ttl − 60 s.
        assert_eq!(
            limits(&config, Some(&metadata), T0),
            (Some(HOUR), Some(3540))
        );
        // 30 minutes and 0.5 s left: both capped (Max-Age rounds down).
        let now = T0 + 8 * HOUR - 1_800_500;
        assert_eq!(
            limits(&config, Some(&metadata), now),
            (Some(1_800_500), Some(1800))
        );
        // At or past the deadline: expired at once (1 ms, never "no expiration"), Max-Age 0.
        for now in [T0 + 8 * HOUR, T0 + 9 * HOUR] {
            assert_eq!(limits(&config, Some(&metadata), now), (Some(1), Some(0)));
        }
        // Without metadata or without the option: the configuration's own values.
        assert_eq!(limits(&config, None, now), (Some(HOUR), Some(3540)));
    }

    #[test]
    fn a_never_expiring_ttl_is_capped_too() {
        let config = config(|b| {
            b.ttl(Ttl::Never)
                .absolute_lifetime(Duration::from_secs(3600))
        });
        let metadata = created_at(T0, None);
        assert_eq!(
            limits(&config, Some(&metadata), T0 + 600_000),
            (Some(3_000_000), Some(3000))
        );
    }

    #[test]
    fn renewal_is_due_from_renew_after_since_the_last_seal() {
        let config = config(|b| b.renew_after(Duration::from_secs(600)));
        let sealed = created_at(T0 - HOUR, Some(T0));
        let due = |now| renewal_due(&config, Some(&sealed), now);
        assert!(!due(T0));
        assert!(!due(T0 + 600_000 - 1));
        assert!(due(T0 + 600_000));
        assert!(due(T0 + 600_001));
        // A seal from a clock ahead of ours is not due.
        assert!(!due(T0 - SKEW_MS));
        // Never sealed with `rat`: counted from the creation.
        let unsealed = created_at(T0, None);
        assert!(renewal_due(&config, Some(&unsealed), T0 + 600_000));
        assert!(!renewal_due(
            &self::config(|b| b),
            Some(&unsealed),
            u64::MAX
        ));
    }

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
