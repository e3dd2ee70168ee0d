//! [`ConfigError`]: why a configuration was refused.

use std::fmt;
use std::time::Duration;

use crate::PasswordError;

/// Why a configuration was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The passwords are not acceptable.
    #[error(transparent)]
    Password(#[from] PasswordError),
    /// The cookie name is not a token (letters, digits and ``!#$%&'*+-.^_`|~``).
    #[error("invalid cookie name {name:?}: use letters, digits and !#$%&'*+-.^_`|~ only")]
    InvalidCookieName {
        /// The name given (at most 64 characters of it).
        name: String,
    },
    /// A `__Host-` cookie must be `Secure`, have `Path=/` and no `Domain`.
    #[error("a __Host- cookie must be Secure, with Path=/ and no Domain")]
    HostPrefix,
    /// A `__Secure-` cookie must be `Secure`.
    #[error("a __Secure- cookie must be Secure")]
    SecurePrefix,
    /// `SameSite=None` without `Secure` is rejected by browsers.
    #[error("SameSite=None requires Secure")]
    SameSiteNoneWithoutSecure,
    /// `Partitioned` without `Secure` is rejected by browsers.
    #[error("Partitioned requires Secure")]
    PartitionedWithoutSecure,
    /// The path has a `;` or a control character, or does not start with `/`.
    #[error("invalid cookie path: it must start with / and contain no ; or control characters")]
    InvalidPath,
    /// The domain is not a host name.
    #[error("invalid cookie domain: it must be a host name like example.com")]
    InvalidDomain,
    /// With chunking on, the cookie name and attributes alone fill a 4096-byte cookie: no chunk
    /// could hold any of the session.
    #[error(
        "the cookie name and attributes take {overhead} bytes of the 4096 a cookie may have, leaving no room for session data: use a shorter name or path"
    )]
    NoRoomForChunks {
        /// The bytes of `name.0=` and the attributes.
        overhead: usize,
    },
    /// A [session header](crate::SessionHeader) that cannot carry a session.
    #[error("invalid session header: {reason}")]
    InvalidSessionHeader {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A ttl under one second: the cookie would be gone before it is used.
    #[error("the ttl must be at least one second (use Ttl::Never for sessions that never expire)")]
    TtlTooShort,
    /// An absolute lifetime or a renewal age under one second (or an h3 idle timeout under two).
    #[error(
        "an absolute lifetime or renew_after must be at least one second (an h3 idle timeout two)"
    )]
    LifetimeTooShort,
    /// `renew_after` not below the ttl: the seal would expire before it is ever renewed.
    #[error("renew_after must be shorter than the ttl")]
    RenewAfterNotBelowTtl,
    /// With revocation on, a cookie the configuration accepts can live longer than the
    /// revocation's retention: a revoked cookie would open again once its entry is dropped.
    #[error(
        "sessions this configuration accepts can live {longest} (the longest of ttl and max_ttl, capped by the absolute lifetime), longer than the revocation retention of {retention}: a revoked cookie would open again once its entry is dropped. Keep entries as long with RevocationBuilder::retention(Duration::from_secs({seconds})) ({longest}), or end sessions sooner with SessionConfigBuilder::absolute_lifetime",
        longest = Human(*longest),
        retention = Human(*retention),
        seconds = longest.as_secs() + u64::from(longest.subsec_nanos() > 0)
    )]
    RevocationRetention {
        /// The longest life of a cookie the configuration accepts.
        longest: Duration,
        /// The retention.
        retention: Duration,
    },
    /// With revocation on, cookies the configuration accepts have no longest life (a ttl of
    /// [`Ttl::Never`](crate::Ttl::Never), or seals without expiration accepted), and there is no
    /// absolute lifetime: no retention covers them.
    #[error(
        "sessions this configuration accepts have no longest life (a ttl or max_ttl of Ttl::Never, or dangerous_accept_seals_without_expiration), so a revoked cookie would open again once its entry is dropped: end sessions with SessionConfigBuilder::absolute_lifetime, and keep entries at least as long with RevocationBuilder::retention"
    )]
    RevocationUnbounded,
}

/// A duration as a person reads it: "30 days", "1 hour", "90 seconds", "250 ms".
struct Human(Duration);

impl fmt::Display for Human {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = [
            (86_400, "day"),
            (3_600, "hour"),
            (60, "minute"),
            (1, "second"),
        ];
        let duration = self.0;
        if duration.subsec_nanos() == 0 && duration.as_secs() > 0 {
            let seconds = duration.as_secs();
            for (size, unit) in units {
                if seconds.is_multiple_of(size) {
                    let count = seconds / size;
                    let plural = if count == 1 { "" } else { "s" };
                    return write!(f, "{count} {unit}{plural}");
                }
            }
        }
        write!(f, "{} ms", duration.as_millis())
    }
}
