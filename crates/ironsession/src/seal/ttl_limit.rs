//! The server's own ttl, enforced on read.
//!
//! Iron trusts the expiration written in a seal: a seal without one (made with `--ttl never` by the CLI,
//! an old configuration or a Node peer) opens forever, and so does one whose expiration lies years
//! ahead. A session refuses both by default, measured against the longest ttl the application
//! seals with, so a session is never read past the lifetime the server itself gives sessions.

use iron_seal::{Options, SealParts, system_now_ms};

use crate::{Ttl, UnsealError};

/// The latest expiration a reader accepts, relative to now, and whether it reads seals that never
/// expire.
///
/// A seal is refused, with reason [`Invalid`](crate::UnsealReason::Invalid), when its expiration
/// is later than now + the longest ttl + 60 s (Iron's clock skew, so that a seal made by a server
/// whose clock runs a little ahead still opens), or when it has no expiration at all. Sessions
/// apply the limit of their configuration ([`SessionConfig::ttl_limit`](crate::SessionConfig::ttl_limit));
/// [`unseal_data`](crate::unseal_data) applies none unless asked:
///
/// ```
/// use ironsession::{seal_data_at, unseal_data_at, Passwords, Ttl, TtlLimit, UnsealReason};
///
/// let passwords = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?;
/// let forever = seal_data_at(&[1], &passwords, Ttl::Never, 0, iron_seal::OsRandom)?;
/// let a_year = seal_data_at(&[1], &passwords, Ttl::seconds(365 * 24 * 3600), 0, iron_seal::OsRandom)?;
///
/// let limit = TtlLimit::new(Ttl::seconds(3600));
/// assert_eq!(limit.check_at(&forever, 0).unwrap_err().reason(), UnsealReason::Invalid);
/// assert_eq!(limit.check_at(&a_year, 0).unwrap_err().reason(), UnsealReason::Invalid);
/// // Read a peer's never-expiring seals on purpose:
/// assert!(limit.dangerous_accept_seals_without_expiration(true).check_at(&forever, 0).is_ok());
/// // unseal_data alone checks only that the seal has not expired.
/// assert_eq!(unseal_data_at::<Vec<u8>>(&a_year, &passwords, 0)?, [1]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TtlLimit {
    /// The longest ttl in milliseconds, `None` for no limit.
    longest_ms: Option<u64>,
    accept_without_expiration: bool,
}

impl TtlLimit {
    /// No limit: every expiration, and no expiration, is accepted (Iron's and iron-session's
    /// behaviour, and [`unseal_data`](crate::unseal_data)'s).
    pub const NONE: TtlLimit = TtlLimit {
        longest_ms: None,
        accept_without_expiration: true,
    };

    /// Refuses seals that expire later than now + `longest` + 60 s, and seals without
    /// expiration. [`Ttl::Never`] is [`TtlLimit::NONE`].
    pub fn new(longest: Ttl) -> TtlLimit {
        match longest.as_millis() {
            Some(longest_ms) => TtlLimit {
                longest_ms: Some(longest_ms),
                accept_without_expiration: false,
            },
            None => TtlLimit::NONE,
        }
    }

    /// The limit of a session that seals with `ttl`, and with at most `max_ttl` when a request
    /// raises its ttl ("remember me").
    pub(crate) fn for_session(
        ttl: Ttl,
        max_ttl: Option<Ttl>,
        accept_without_expiration: bool,
    ) -> TtlLimit {
        let longest = match (ttl, max_ttl) {
            (Ttl::After(ttl), Some(Ttl::After(max))) => Ttl::After(ttl.max(max)),
            (ttl, None) => ttl,
            (Ttl::Never, _) | (_, Some(Ttl::Never)) => Ttl::Never,
        };
        let limit = TtlLimit::new(longest);
        // Only ever turned on here: `TtlLimit::NONE` (a longest ttl of `Never`) accepts seals
        // without expiration whatever the option says.
        if accept_without_expiration {
            limit.dangerous_accept_seals_without_expiration(true)
        } else {
            limit
        }
    }

    /// How long a seal this limit accepts can stay valid: the longest ttl (Iron's 60 s of skew
    /// aside), or `None` without a bound (no limit, or seals without expiration accepted). A
    /// seal written with a longer ttl is refused only until the time it has left falls under the
    /// limit; it then opens for that rest.
    pub(crate) fn longest_seal_life_ms(&self) -> Option<u64> {
        if self.accept_without_expiration {
            return None;
        }
        self.longest_ms
    }

    /// Whether seals without expiration are also accepted (by default only by
    /// [`TtlLimit::NONE`]), for peers that seal with ttl 0. Such a seal opens for as long as its
    /// password is configured: a copy stolen once is a login for good. A bool, so that it can
    /// follow the environment.
    ///
    /// ```
    /// use ironsession::{Ttl, TtlLimit};
    ///
    /// let strict = TtlLimit::new(Ttl::seconds(3600));
    /// assert_ne!(strict.dangerous_accept_seals_without_expiration(true), strict);
    /// assert_eq!(strict.dangerous_accept_seals_without_expiration(false), strict);
    /// ```
    #[must_use]
    pub fn dangerous_accept_seals_without_expiration(self, on: bool) -> TtlLimit {
        TtlLimit {
            accept_without_expiration: on,
            ..self
        }
    }

    /// Checks `sealed` (with or without its `~2` suffix) against the limit by the system clock.
    ///
    /// # Errors
    /// As [`check_at`](TtlLimit::check_at).
    pub fn check(&self, sealed: &str) -> Result<(), UnsealError> {
        self.check_at(sealed, system_now_ms())
    }

    /// Checks `sealed` against the limit at the clock reading `now_ms`. Only the expiration field
    /// is read, before any cryptography; what is not a seal at all passes here and is refused by
    /// the unseal that follows.
    ///
    /// # Errors
    /// An [`UnsealError`] with reason `Invalid` and cause
    /// [`SealError::NoExpiration`](crate::SealError::NoExpiration) or
    /// [`SealError::ExpirationTooFar`](crate::SealError::ExpirationTooFar).
    pub fn check_at(&self, sealed: &str, now_ms: u64) -> Result<(), UnsealError> {
        let seal = crate::seal::data::without_version_suffix(sealed);
        let Ok(parts) = SealParts::parse(seal) else {
            return Ok(());
        };
        match (parts.expiration_ms(), self.longest_ms) {
            (None, _) if !self.accept_without_expiration => {
                Err(iron_seal::Error::NoExpiration.into())
            }
            (Some(expires_at_ms), Some(longest_ms)) => {
                let latest_ms = now_ms
                    .saturating_add(longest_ms)
                    .saturating_add(Options::IRON_DEFAULT.timestamp_skew_ms());
                if expires_at_ms > latest_ms {
                    return Err(iron_seal::Error::ExpirationTooFar {
                        expires_at_ms,
                        latest_ms,
                    }
                    .into());
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
