//! [`ConfigError`]: why a configuration was refused.

use std::time::Duration;

use crate::{PasswordError, Ttl};

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
    /// A ttl under one second: the cookie would be gone before it is used.
    #[error("the ttl must be at least one second (use Ttl::Never for sessions that never expire)")]
    TtlTooShort,
    /// An absolute lifetime or a renewal age under one second.
    #[error("an absolute lifetime or renew_after must be at least one second")]
    LifetimeTooShort,
    /// `renew_after` not below the ttl: the seal would expire before it is ever renewed.
    #[error("renew_after must be shorter than the ttl")]
    RenewAfterNotBelowTtl,
    /// With revocation on, a ttl longer than the revocation's retention (or [`Ttl::Never`]): a
    /// revoked cookie would be valid again once its entry expired.
    #[error(
        "the ttl ({ttl:?}) is longer than the revocation retention ({retention:?}): set the retention to at least the longest ttl"
    )]
    RevocationRetention {
        /// The ttl.
        ttl: Ttl,
        /// The retention.
        retention: Duration,
    },
}
