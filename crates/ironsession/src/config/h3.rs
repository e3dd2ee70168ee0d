//! The h3 option: sessions shared with an h3 app (Nuxt, Nitro, nuxt-auth-utils), whose
//! `useSession` seals its own object, chunks its own way and reads a session header first.

use std::num::NonZeroU32;
use std::time::Duration;

use http::HeaderName;

use super::{ConfigError, SessionConfig, SessionConfigBuilder};
use crate::{Passwords, Ttl};

/// The major version of h3 whose sessions a configuration shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum H3Version {
    /// h3 1.x (Nuxt 3 and 4, nuxt-auth-utils): one PBKDF2 iteration (Iron's default), one cookie.
    V1,
    /// h3 2.x: 8192 PBKDF2 iterations, `__chunked__N` cookies, `lastSeenAt` and `idleTimeout`.
    V2,
}

/// h3's iteration count since 2.0 (its `defaults`, for both keys).
const H3_V2_ITERATIONS: NonZeroU32 = NonZeroU32::new(8192).expect("8192 is not zero");

/// What a configuration must agree on with an h3 app's `useSession(event, config)` to share its
/// sessions: h3's version, its `maxAge` and `idleTimeout`, its `sessionHeader` and its
/// `legacySealFallback`. The cookie name (`config.name`, default `h3`; `nuxt-session` in
/// nuxt-auth-utils) is the configuration's, and so is the password (`config.password`).
/// Set it with [`SessionConfigBuilder::h3`].
///
/// ```
/// use std::time::Duration;
/// use ironsession::{H3Sessions, H3Version};
///
/// let h3 = H3Sessions::v2()
///     .with_max_age(Duration::from_secs(7 * 24 * 3600))
///     .with_idle_timeout(Duration::from_secs(3600));
/// assert_eq!(h3.version(), H3Version::V2);
/// assert_eq!(h3.idle_timeout(), Some(Duration::from_secs(3600)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct H3Sessions {
    version: H3Version,
    max_age: Option<Duration>,
    idle_timeout: Option<Duration>,
    /// `None`: h3's default, `x-<cookie name>-session`.
    session_header: Option<HeaderName>,
    read_session_header: bool,
    fallback: bool,
}

impl H3Sessions {
    /// Sessions of h3 1.x: sealed with one PBKDF2 iteration, in one cookie. Seals of h3 2.x
    /// (8192 iterations) are read too, through the fallback (see
    /// [`without_fallback`](Self::without_fallback) for its cost).
    pub fn v1() -> Self {
        Self::new(H3Version::V1)
    }

    /// Sessions of h3 2.x: sealed with 8192 PBKDF2 iterations, in `__chunked__N` cookies when
    /// longer than 4000 characters. Seals of h3 1.x (one iteration) are read too, and sealed
    /// again with 8192 on the same response, as h3 2.x does.
    pub fn v2() -> Self {
        Self::new(H3Version::V2)
    }

    fn new(version: H3Version) -> Self {
        H3Sessions {
            version,
            max_age: None,
            idle_timeout: None,
            session_header: None,
            read_session_header: true,
            fallback: true,
        }
    }

    /// h3's `maxAge`: a session ends this long after it was created, however busy (the
    /// configuration's [absolute lifetime](SessionConfigBuilder::absolute_lifetime)), and seals
    /// last this long unless an idle timeout is set (its ttl).
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// h3 2.x's `idleTimeout`: a session not sealed for this long ends (counted from its
    /// `lastSeenAt`, as h3 counts it, whatever its seal's expiration). It becomes the seal's
    /// [ttl](SessionConfigBuilder::ttl), and a session read more than half of it after its last
    /// seal is sealed again on the response ([`renew_after`](SessionConfigBuilder::renew_after)
    /// of half of it), as h3 2.x slides `lastSeenAt`. At least 2 seconds.
    #[must_use]
    pub fn with_idle_timeout(mut self, idle_timeout: Duration) -> Self {
        self.idle_timeout = Some(idle_timeout);
        self
    }

    /// h3's `sessionHeader` as a name: the request header read before the cookie (default
    /// `x-<cookie name>-session`).
    #[must_use]
    pub fn session_header(mut self, name: HeaderName) -> Self {
        self.session_header = Some(name);
        self.read_session_header = true;
        self
    }

    /// h3's `sessionHeader: false`: the seal is read from the cookie only.
    #[must_use]
    pub fn without_session_header(mut self) -> Self {
        self.read_session_header = false;
        self
    }

    /// h3 2.x's `legacySealFallback: false`: only seals of this version's iteration count open.
    ///
    /// With the fallback (the default), a seal whose HMAC fails at this version's count is tried
    /// once at the other version's, so every forged seal costs one derivation at 8192 iterations
    /// (milliseconds of CPU; `iron-seal`'s `benches/forged.rs`) plus one at 1: for [`v2`](Self::v2)
    /// the price of 8192 iterations anyway, for [`v1`](Self::v1) a price it would not pay
    /// otherwise. Turn it off in a v1 configuration whose peers never seal with 8192.
    #[must_use]
    pub fn without_fallback(mut self) -> Self {
        self.fallback = false;
        self
    }

    /// The version.
    pub fn version(&self) -> H3Version {
        self.version
    }

    /// h3's `maxAge`, if set.
    pub fn max_age(&self) -> Option<Duration> {
        self.max_age
    }

    /// h3's `idleTimeout`, if set.
    pub fn idle_timeout(&self) -> Option<Duration> {
        self.idle_timeout
    }

    /// The request header read before the cookie for sessions named `cookie_name`, if any: the
    /// configured one, or h3's `x-<cookie name>-session` in lower case.
    ///
    /// ```
    /// use ironsession::H3Sessions;
    ///
    /// let header = H3Sessions::v2().session_header_for("nuxt-session").unwrap();
    /// assert_eq!(header, "x-nuxt-session-session");
    /// assert_eq!(H3Sessions::v2().without_session_header().session_header_for("h3"), None);
    /// ```
    pub fn session_header_for(&self, cookie_name: &str) -> Option<HeaderName> {
        if !self.read_session_header {
            return None;
        }
        if let Some(name) = &self.session_header {
            return Some(name.clone());
        }
        let name = format!("x-{}-session", cookie_name.to_ascii_lowercase());
        // A cookie name is a token, and so is `x-<token>-session`; a name that somehow is not
        // reads no header.
        HeaderName::try_from(name).ok()
    }

    /// The passwords with this version's iteration counts (what it seals with, and the other
    /// version's count as the fallback), opening seals without a password id.
    fn passwords(&self, passwords: &Passwords) -> Passwords {
        let (own, other) = match self.version {
            H3Version::V1 => (NonZeroU32::MIN, H3_V2_ITERATIONS),
            H3Version::V2 => (H3_V2_ITERATIONS, NonZeroU32::MIN),
        };
        passwords
            .clone()
            .with_pbkdf2_iterations(own)
            .with_fallback_pbkdf2_iterations(self.fallback.then_some(other))
            .with_unnamed_seals(true)
    }
}

impl SessionConfigBuilder {
    /// Shares sessions with an h3 app (Nuxt, Nitro, nuxt-auth-utils' `setUserSession`), both
    /// ways, as h3's `useSession` keeps them:
    ///
    /// - The seal holds h3's object `{id, createdAt, data, lastSeenAt}`: the handler's
    ///   [`Session<T>`](crate::Session) is h3's `data`; `id` is [`Session::id`](crate::Session::id)
    ///   (a UUID, kept as h3 wrote it; new sessions get a UUID v4) and `createdAt` the
    ///   [creation time](crate::Metadata::created_at_ms). Every session has this metadata.
    /// - Seals carry no `~2` suffix (h3 would refuse it), and a seal without a password id (h3
    ///   seals with one string password) opens with the password that seals now
    ///   ([`Passwords::with_unnamed_seals`]).
    /// - PBKDF2 iterations as the version seals (1 for h3 1.x, 8192 for 2.x), with the other
    ///   version's count as a fallback on read (see [`H3Sessions::without_fallback`]); a session
    ///   that opened through the fallback is sealed again on the response.
    /// - h3 2.x's chunking (`__chunked__N`, `name.1` … `name.N`, at most
    ///   [`MAX_CHUNKS`](crate::MAX_CHUNKS) here, where h3 allows 100); h3 1.x writes one cookie.
    /// - The request header `x-<cookie name>-session` is read before the cookie, and a save goes
    ///   to the cookie even then, as in h3.
    /// - [`H3Sessions::with_max_age`] is the [absolute lifetime](Self::absolute_lifetime) (and the ttl
    ///   when there is no idle timeout; seals of that ttl are read, as with
    ///   [`max_ttl`](Self::max_ttl)), [`H3Sessions::with_idle_timeout`] the ttl with a
    ///   [renewal](Self::renew_after) after half of it. Set them as the h3 app sets them. An h3 app
    ///   with neither writes seals that never expire, which are refused unless
    ///   [`dangerous_accept_seals_without_expiration`](Self::dangerous_accept_seals_without_expiration).
    ///
    /// The other options keep their meaning; the cookie attributes default to h3's too (`Path=/`,
    /// `HttpOnly`, `Secure`, `SameSite=Lax`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use ironsession::{H3Sessions, Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("nuxt-session", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .h3(H3Sessions::v2().with_max_age(Duration::from_secs(7 * 24 * 3600)))
    ///     .build()?;
    /// assert_eq!(config.passwords().pbkdf2_iterations().get(), 8192);
    /// assert_eq!(config.absolute_lifetime(), Some(Duration::from_secs(7 * 24 * 3600)));
    /// assert!(config.chunking());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn h3(mut self, h3: H3Sessions) -> Self {
        self.h3 = Some(h3);
        self
    }

    /// Applies the h3 option to the other options, before they are checked.
    pub(super) fn apply_h3(&mut self) -> Result<(), ConfigError> {
        let Some(h3) = &self.h3 else {
            return Ok(());
        };
        if h3
            .idle_timeout
            .is_some_and(|idle| idle < Duration::from_secs(2))
        {
            return Err(ConfigError::LifetimeTooShort);
        }
        self.passwords = h3.passwords(&self.passwords).into();
        self.chunking = h3.version == H3Version::V2;
        self.lifetimes.session_ids = true;
        if let Some(max_age) = h3.max_age {
            self.lifetimes.absolute = Some(max_age);
            self.max_ttl = Some(match self.max_ttl {
                Some(Ttl::After(max_ttl)) => Ttl::After(max_ttl.max(max_age)),
                Some(Ttl::Never) => Ttl::Never,
                None => Ttl::After(max_age),
            });
        }
        if let Some(ttl) = h3.idle_timeout.or(h3.max_age) {
            self.ttl = Ttl::After(ttl);
        }
        if let Some(idle) = h3.idle_timeout {
            self.lifetimes.idle = Some(idle);
            self.lifetimes.renew_after = Some(idle / 2);
        }
        Ok(())
    }
}

impl SessionConfig {
    /// The h3 app this configuration shares sessions with, if any (see
    /// [`SessionConfigBuilder::h3`]).
    pub fn h3(&self) -> Option<&H3Sessions> {
        self.h3.as_ref()
    }
}
