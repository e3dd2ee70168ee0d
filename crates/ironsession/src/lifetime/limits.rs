//! The lifetime options beyond the ttl: an absolute lifetime counted from the session's creation,
//! and rolling renewal of sessions that are read but not saved.

use std::time::Duration;

use super::{Metadata, Ttl};

/// How far past a deadline a session is still accepted, and how far ahead of this server's clock
/// its times may be: Iron's allowance for clock skew between servers, the same as for a seal's own
/// expiration.
pub(super) const SKEW_MS: u64 = 60_000;

/// The lifetime options of a configuration (set on
/// [`SessionConfigBuilder`](crate::SessionConfigBuilder), checked there against the ttl).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Lifetimes {
    pub(crate) absolute: Option<Duration>,
    pub(crate) renew_after: Option<Duration>,
    pub(crate) session_ids: bool,
    /// Read sessions without metadata even when the absolute lifetime or revocation needs it.
    pub(crate) accept_without_metadata: bool,
    /// An idle timeout counted from the last seal, whatever the seal's own expiration says: h3
    /// 2.x's `idleTimeout`, whose seals expire only at `maxAge` and keep the time they were last
    /// seen in `lastSeenAt`.
    pub(crate) idle: Option<Duration>,
}

impl Lifetimes {
    /// Whether sessions need their [`Metadata`].
    pub(crate) fn need_metadata(&self) -> bool {
        self.absolute.is_some()
            || self.renew_after.is_some()
            || self.session_ids
            || self.idle.is_some()
    }

    /// When the session's absolute lifetime ends, if it has one.
    pub(crate) fn deadline_ms(&self, metadata: Option<&Metadata>) -> Option<u64> {
        let absolute = self.absolute?;
        Some(metadata?.created_at_ms().saturating_add(millis(absolute)))
    }

    /// Refuses a session past its absolute lifetime or its idle timeout (plus the clock-skew
    /// allowance) as expired.
    pub(crate) fn check(
        &self,
        metadata: Option<&Metadata>,
        now_ms: u64,
    ) -> Result<(), iron_seal::Error> {
        let idle_deadline = self
            .idle
            .zip(metadata)
            .map(|(idle, metadata)| metadata.sealed_at_ms().saturating_add(millis(idle)));
        let deadlines = [self.deadline_ms(metadata), idle_deadline];
        match deadlines.into_iter().flatten().min() {
            Some(deadline) if deadline.saturating_add(SKEW_MS) <= now_ms => {
                Err(iron_seal::Error::Expired {
                    expired_at_ms: deadline,
                })
            }
            _ => Ok(()),
        }
    }

    /// The seal's ttl (ms) and the cookie's `Max-Age` (s) for a session sealed at `now_ms`: the
    /// configuration's (`ttl`, `max_age`), capped at the time its absolute lifetime has left.
    pub(crate) fn limits(
        &self,
        ttl: Ttl,
        max_age: Option<u64>,
        metadata: Option<&Metadata>,
        now_ms: u64,
    ) -> (Option<u64>, Option<u64>) {
        let ttl_ms = ttl.as_millis();
        let Some(deadline) = self.deadline_ms(metadata) else {
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
    pub(crate) fn renewal_due(&self, metadata: Option<&Metadata>, now_ms: u64) -> bool {
        match (self.renew_after, metadata) {
            (Some(renew_after), Some(metadata)) => {
                now_ms.saturating_sub(metadata.sealed_at_ms()) >= millis(renew_after)
            }
            _ => false,
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Passwords, SessionConfig, SessionConfigBuilder, UnsealError, UnsealReason};

    const T0: u64 = 1_700_000_000_000;
    const HOUR: u64 = 3_600_000;

    fn config(change: impl FnOnce(SessionConfigBuilder) -> SessionConfigBuilder) -> SessionConfig {
        let passwords = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg").unwrap();
        change(SessionConfig::builder("s", passwords))
            .build()
            .unwrap()
    }

    fn check(
        config: &SessionConfig,
        metadata: Option<&Metadata>,
        now_ms: u64,
    ) -> Result<(), UnsealError> {
        Ok(config.lifetimes().check(metadata, now_ms)?)
    }

    fn limits(
        config: &SessionConfig,
        metadata: Option<&Metadata>,
        now_ms: u64,
    ) -> (Option<u64>, Option<u64>) {
        let max_age = config.max_age_seconds();
        config
            .lifetimes()
            .limits(config.ttl(), max_age, metadata, now_ms)
    }

    fn renewal_due(config: &SessionConfig, metadata: Option<&Metadata>, now_ms: u64) -> bool {
        config.lifetimes().renewal_due(metadata, now_ms)
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
    fn an_idle_timeout_ends_a_session_after_its_last_seal_plus_the_skew() {
        let lifetimes = Lifetimes {
            idle: Some(Duration::from_secs(600)),
            ..Lifetimes::default()
        };
        let sealed = created_at(T0 - HOUR, Some(T0));
        let at = |now| lifetimes.check(Some(&sealed), now);
        assert_eq!(at(T0 + 600_000 + SKEW_MS - 1), Ok(()));
        assert_eq!(
            at(T0 + 600_000 + SKEW_MS),
            Err(iron_seal::Error::Expired {
                expired_at_ms: T0 + 600_000
            })
        );
        // Never sealed with `rat` (`lastSeenAt`): counted from the creation, as h3 does.
        let unsealed = created_at(T0, None);
        assert!(lifetimes.check(Some(&unsealed), T0 + 660_000).is_err());
        assert_eq!(lifetimes.check(None, u64::MAX), Ok(()));
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
}
