//! Session configuration: built and validated once, at start-up.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::SharedClock;
use crate::cookie::{self, Attributes, Priority, SameSite};
use crate::lifetime::Lifetimes;
use crate::revocation::Revocation;
use crate::{Clock, PasswordError, Passwords, SystemClock, Ttl, TtlLimit};

/// RFC 6265bis caps a cookie's lifetime at 400 days and browsers clamp longer ones, so no
/// `Max-Age` above it is ever written.
pub const MAX_COOKIE_AGE_SECONDS: u64 = 400 * 24 * 60 * 60;

/// How long the browser keeps the cookie.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CookieLifetime {
    /// `Max-Age` follows the ttl: ttl − 60 s when the ttl is over 60 s (so the browser drops the
    /// cookie just before the seal expires), else the ttl; 400 days for [`Ttl::Never`].
    #[default]
    FollowTtl,
    /// No `Max-Age`: the browser drops the cookie when it closes. The seal still expires after the
    /// ttl (iron-session 8 made such seals valid forever; this crate does not).
    BrowserSession,
    /// An explicit `Max-Age`, capped at 400 days.
    MaxAge(Duration),
}

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

/// Everything a session needs: passwords, cookie name, ttl and cookie attributes.
///
/// Build it once at start-up with [`SessionConfig::builder`]; cloning is cheap. A request can
/// change its own copy with [`Session::update_config`](crate::Session::update_config).
///
/// ```
/// use ironsession::{Passwords, SessionConfig};
///
/// let config = SessionConfig::builder("app-session", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
///     .build()?;
/// assert_eq!(config.cookie_name(), "app-session");
/// assert_eq!(config.max_age_seconds(), Some(14 * 24 * 3600 - 60));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct SessionConfig {
    passwords: Arc<Passwords>,
    cookie_name: Arc<str>,
    ttl: Ttl,
    max_ttl: Option<Ttl>,
    accept_seals_without_expiration: bool,
    lifetime: CookieLifetime,
    attributes: Arc<Attributes>,
    clock: SharedClock,
    chunking: bool,
    cache_headers: bool,
    pub(crate) lifetimes: Lifetimes,
    pub(crate) password_upgrade: bool,
    pub(crate) clear_refused_cookies: bool,
    pub(crate) revocation: Option<Revocation>,
}

impl SessionConfig {
    /// Starts a configuration with iron-session's defaults: ttl 14 days, `HttpOnly`, `Secure`,
    /// `SameSite=Lax`, `Path=/`, `Max-Age` = ttl − 60 s.
    pub fn builder(cookie_name: impl Into<String>, passwords: Passwords) -> SessionConfigBuilder {
        SessionConfigBuilder {
            passwords: Arc::new(passwords),
            cookie_name: cookie_name.into(),
            ttl: Ttl::DEFAULT,
            max_ttl: None,
            accept_seals_without_expiration: false,
            lifetime: CookieLifetime::FollowTtl,
            attributes: Attributes {
                http_only: true,
                secure: true,
                same_site: SameSite::Lax,
                path: "/".to_owned(),
                domain: None,
                partitioned: false,
                priority: None,
            },
            clock: SharedClock(Arc::new(SystemClock)),
            chunking: false,
            cache_headers: true,
            lifetimes: Lifetimes::default(),
            password_upgrade: true,
            clear_refused_cookies: true,
            revocation: None,
        }
    }

    /// A builder holding this configuration, to derive a changed one.
    ///
    /// ```
    /// # use ironsession::{Passwords, SessionConfig, Ttl};
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let remember_me = config.to_builder().ttl(Ttl::seconds(30 * 24 * 3600)).build()?;
    /// assert_eq!(remember_me.max_age_seconds(), Some(30 * 24 * 3600 - 60));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_builder(&self) -> SessionConfigBuilder {
        SessionConfigBuilder {
            passwords: self.passwords.clone(),
            cookie_name: self.cookie_name.to_string(),
            ttl: self.ttl,
            max_ttl: self.max_ttl,
            accept_seals_without_expiration: self.accept_seals_without_expiration,
            lifetime: self.lifetime,
            attributes: (*self.attributes).clone(),
            clock: self.clock.clone(),
            chunking: self.chunking,
            cache_headers: self.cache_headers,
            lifetimes: self.lifetimes,
            password_upgrade: self.password_upgrade,
            clear_refused_cookies: self.clear_refused_cookies,
            revocation: self.revocation.clone(),
        }
    }

    /// The cookie name.
    pub fn cookie_name(&self) -> &str {
        &self.cookie_name
    }

    /// The cookie name, shared without copying it.
    pub(crate) fn shared_cookie_name(&self) -> Arc<str> {
        self.cookie_name.clone()
    }

    /// Whether a session too large for one cookie is split across several (see
    /// [`SessionConfigBuilder::chunking`]).
    pub fn chunking(&self) -> bool {
        self.chunking
    }

    /// Whether responses get `Cache-Control` and `Vary` for the session (see
    /// [`SessionConfigBuilder::dangerous_manual_cache_headers`]).
    pub fn cache_headers(&self) -> bool {
        self.cache_headers
    }

    /// The passwords.
    pub fn passwords(&self) -> &Passwords {
        &self.passwords
    }

    /// The seal's lifetime.
    pub fn ttl(&self) -> Ttl {
        self.ttl
    }

    /// What a cookie's expiration must satisfy to be read: no later than now + the longest of
    /// the ttl and [`max_ttl`](SessionConfigBuilder::max_ttl) (+ 60 s of clock skew), and present
    /// unless [`Ttl::Never`] or
    /// [`dangerous_accept_seals_without_expiration`](SessionConfigBuilder::dangerous_accept_seals_without_expiration).
    ///
    /// ```
    /// use ironsession::{Passwords, SessionConfig, Ttl, TtlLimit};
    ///
    /// let passwords = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?;
    /// let config = SessionConfig::builder("s", passwords).ttl(Ttl::seconds(3600)).build()?;
    /// assert_eq!(config.ttl_limit(), TtlLimit::new(Ttl::seconds(3600)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ttl_limit(&self) -> TtlLimit {
        TtlLimit::for_session(self.ttl, self.max_ttl, self.accept_seals_without_expiration)
    }

    /// The `Max-Age` written on save, or `None` for a browser-session cookie.
    pub fn max_age_seconds(&self) -> Option<u64> {
        let seconds = match self.lifetime {
            CookieLifetime::BrowserSession => return None,
            CookieLifetime::MaxAge(max_age) => max_age.as_secs(),
            CookieLifetime::FollowTtl => match self.ttl {
                Ttl::Never => MAX_COOKIE_AGE_SECONDS,
                Ttl::After(ttl) if ttl.as_secs() > 60 => ttl.as_secs() - 60,
                Ttl::After(ttl) => ttl.as_secs(),
            },
        };
        Some(seconds.min(MAX_COOKIE_AGE_SECONDS))
    }

    /// The current time by the configured clock.
    pub(crate) fn now_ms(&self) -> u64 {
        self.clock.0.now_ms()
    }

    /// Whether sessions carry [metadata](crate::Metadata): for a lifetime option or revocation.
    pub(crate) fn needs_metadata(&self) -> bool {
        self.lifetimes.need_metadata() || self.revocation.is_some()
    }

    /// This configuration with another cookie lifetime.
    pub(crate) fn with_cookie_lifetime(&self, lifetime: CookieLifetime) -> SessionConfig {
        SessionConfig {
            lifetime,
            ..self.clone()
        }
    }

    /// The `Set-Cookie` value that stores `value` (a seal or a chunk of one) in cookie `name`.
    pub(crate) fn set_cookie_line(&self, name: &str, value: &str) -> String {
        cookie::set_cookie_line(name, value, &self.attributes, self.max_age_seconds())
    }

    /// The length of [`set_cookie_line`](Self::set_cookie_line) for a name and a value of these
    /// lengths.
    pub(crate) fn set_cookie_line_len(&self, name_len: usize, value_len: usize) -> usize {
        cookie::set_cookie_line_len(
            name_len,
            value_len,
            &self.attributes,
            self.max_age_seconds(),
        )
    }

    /// The start of a [`set_cookie_line`](Self::set_cookie_line) for cookie `name` followed by
    /// `name_suffix` (a chunk's `.N`, or nothing), up to its `=`, with room for the whole line
    /// with a value of `value_len` bytes. Write the value, then
    /// [`finish_set_cookie_line`](Self::finish_set_cookie_line).
    pub(crate) fn start_set_cookie_line(
        &self,
        name: &str,
        name_suffix: &str,
        value_len: usize,
    ) -> String {
        cookie::start_line(
            name,
            name_suffix,
            value_len,
            &self.attributes,
            self.max_age_seconds(),
        )
    }

    /// Appends the attributes to a line begun by
    /// [`start_set_cookie_line`](Self::start_set_cookie_line) and given its value.
    pub(crate) fn finish_set_cookie_line(&self, line: &mut String) {
        cookie::push_attributes(line, &self.attributes, self.max_age_seconds());
    }

    /// The `Set-Cookie` value that deletes cookie `name`: empty, `Max-Age=0`, same attributes.
    pub(crate) fn deletion_line(&self, name: &str) -> String {
        self.suffixed_deletion_line(name, "")
    }

    /// [`deletion_line`](Self::deletion_line) of cookie `name` followed by `name_suffix` (a
    /// chunk's `.N`), built in one allocation.
    pub(crate) fn suffixed_deletion_line(&self, name: &str, name_suffix: &str) -> String {
        let mut line = cookie::start_line(name, name_suffix, 0, &self.attributes, Some(0));
        cookie::push_attributes(&mut line, &self.attributes, Some(0));
        debug_assert_eq!(line.capacity(), line.len());
        line
    }
}

/// Builds a [`SessionConfig`]; every check runs in [`build`](SessionConfigBuilder::build).
///
/// ```
/// use ironsession::{Passwords, Priority, SameSite, SessionConfig, Ttl};
///
/// let config = SessionConfig::builder("__Host-session", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
///     .ttl(Ttl::seconds(3600))
///     .same_site(SameSite::Strict)
///     .priority(Priority::High)
///     .build()?;
/// assert_eq!(config.max_age_seconds(), Some(3540));
///
/// let refused = SessionConfig::builder("__Host-session", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
///     .domain("example.com")
///     .build();
/// assert!(refused.is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct SessionConfigBuilder {
    passwords: Arc<Passwords>,
    cookie_name: String,
    ttl: Ttl,
    max_ttl: Option<Ttl>,
    accept_seals_without_expiration: bool,
    lifetime: CookieLifetime,
    attributes: Attributes,
    clock: SharedClock,
    chunking: bool,
    cache_headers: bool,
    pub(crate) lifetimes: Lifetimes,
    pub(crate) password_upgrade: bool,
    pub(crate) clear_refused_cookies: bool,
    pub(crate) revocation: Option<Revocation>,
}

impl SessionConfigBuilder {
    /// Replaces the passwords.
    pub fn passwords(mut self, passwords: Passwords) -> Self {
        self.passwords = Arc::new(passwords);
        self
    }

    /// Sets the cookie name.
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = name.into();
        self
    }

    /// Sets the seal's lifetime (default 14 days). The cookie's `Max-Age` follows it unless set
    /// otherwise with [`cookie_lifetime`](Self::cookie_lifetime).
    pub fn ttl(mut self, ttl: Ttl) -> Self {
        self.ttl = ttl;
        self
    }

    /// Declares the longest ttl this app seals with, when a request raises its own ttl with
    /// [`update_config`](crate::Session::update_config) (a 30-day "remember me" over a 14-day
    /// default). Cookies are read only if they expire no later than now + the longest of the ttl
    /// and this (+ 60 s of clock skew), so a seal made with a longer ttl (an old configuration, a
    /// peer, a forged seal from a leaked password) is refused rather than trusted for years.
    ///
    /// ```
    /// use ironsession::{Passwords, SessionConfig, Ttl, TtlLimit};
    ///
    /// let passwords = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?;
    /// let config = SessionConfig::builder("s", passwords).max_ttl(Ttl::seconds(30 * 24 * 3600)).build()?;
    /// assert_eq!(config.ttl(), Ttl::DEFAULT);
    /// assert_eq!(config.ttl_limit(), TtlLimit::new(Ttl::seconds(30 * 24 * 3600)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn max_ttl(mut self, max_ttl: Ttl) -> Self {
        self.max_ttl = Some(max_ttl);
        self
    }

    /// Reads cookies whose seal never expires, as a peer that seals with ttl 0 writes them (by
    /// default they are refused, with reason `invalid`, unless the ttl is [`Ttl::Never`]). Such a
    /// cookie stays a valid login for as long as its password is configured, wherever it was
    /// copied to.
    pub fn dangerous_accept_seals_without_expiration(mut self) -> Self {
        self.accept_seals_without_expiration = true;
        self
    }

    /// Sets how long the browser keeps the cookie.
    pub fn cookie_lifetime(mut self, lifetime: CookieLifetime) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// Sets `SameSite` (default `Lax`: sent on top-level navigations, which logins need, but not
    /// on cross-site sub-requests).
    pub fn same_site(mut self, same_site: SameSite) -> Self {
        self.attributes.same_site = same_site;
        self
    }

    /// Sets `Path` (default `/`).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.attributes.path = path.into();
        self
    }

    /// Sets `Domain` (default none: the cookie goes to the exact host that set it).
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.attributes.domain = Some(domain.into());
        self
    }

    /// Sets `Partitioned` (CHIPS; requires `Secure`).
    pub fn partitioned(mut self, partitioned: bool) -> Self {
        self.attributes.partitioned = partitioned;
        self
    }

    /// Sets `Priority`.
    pub fn priority(mut self, priority: Priority) -> Self {
        self.attributes.priority = Some(priority);
        self
    }

    /// Drops `Secure`, so the cookie also travels over plain HTTP, where anyone on the network can
    /// read and replay it. Only for local development over `http://localhost`.
    pub fn dangerous_insecure_cookie(mut self) -> Self {
        self.attributes.secure = false;
        self
    }

    /// Drops `HttpOnly`, so page scripts (and any injected script) can read the sealed cookie.
    pub fn dangerous_script_readable_cookie(mut self) -> Self {
        self.attributes.http_only = false;
        self
    }

    /// Splits a session too large for one cookie across `name.0`, `name.1`, … (at most
    /// [`MAX_CHUNKS`](crate::MAX_CHUNKS)), exactly as iron-session 9 does with `chunk: true`.
    /// Off by default, as there: a session that outgrows 4 KB is usually better stored as an id.
    /// Chunked sessions are read whatever this says.
    ///
    /// ```
    /// # use ironsession::{Passwords, SessionConfig};
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .chunking(true)
    ///     .build()?;
    /// assert!(config.chunking());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn chunking(mut self, chunking: bool) -> Self {
        self.chunking = chunking;
        self
    }

    /// Stops adding `Cache-Control: private, no-store` to responses that set the session cookie
    /// and `Vary: Cookie` to responses whose handler read the session, for apps that set both
    /// themselves. Without them a shared cache may serve one user's cookie or page to another
    /// (Flask CVE-2023-30861); see the [crate documentation](crate#caching).
    pub fn dangerous_manual_cache_headers(mut self) -> Self {
        self.cache_headers = false;
        self
    }

    /// Uses another clock (tests use this to check expiry without waiting).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = SharedClock(Arc::new(clock));
        self
    }

    /// Checks everything and builds the configuration.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first problem found.
    pub fn build(self) -> Result<SessionConfig, ConfigError> {
        let attributes = &self.attributes;
        if !cookie::is_valid_name(&self.cookie_name) {
            return Err(ConfigError::InvalidCookieName {
                name: self.cookie_name.chars().take(64).collect(),
            });
        }
        if !attributes.path.starts_with('/') || !cookie::is_valid_attribute_value(&attributes.path)
        {
            return Err(ConfigError::InvalidPath);
        }
        if let Some(domain) = &attributes.domain
            && !cookie::is_valid_domain(domain)
        {
            return Err(ConfigError::InvalidDomain);
        }
        if has_prefix(&self.cookie_name, "__Host-")
            && (!attributes.secure || attributes.path != "/" || attributes.domain.is_some())
        {
            return Err(ConfigError::HostPrefix);
        }
        if has_prefix(&self.cookie_name, "__Secure-") && !attributes.secure {
            return Err(ConfigError::SecurePrefix);
        }
        if attributes.same_site == SameSite::None && !attributes.secure {
            return Err(ConfigError::SameSiteNoneWithoutSecure);
        }
        if attributes.partitioned && !attributes.secure {
            return Err(ConfigError::PartitionedWithoutSecure);
        }
        if let Ttl::After(ttl) = self.ttl
            && ttl < Duration::from_secs(1)
        {
            return Err(ConfigError::TtlTooShort);
        }
        self.lifetimes.validate(self.ttl)?;
        crate::revocation::validate(self.revocation.as_ref(), self.ttl)?;
        let config = SessionConfig {
            passwords: self.passwords,
            cookie_name: self.cookie_name.into(),
            ttl: self.ttl,
            max_ttl: self.max_ttl,
            accept_seals_without_expiration: self.accept_seals_without_expiration,
            lifetime: self.lifetime,
            attributes: Arc::new(self.attributes),
            clock: self.clock,
            chunking: self.chunking,
            cache_headers: self.cache_headers,
            lifetimes: self.lifetimes,
            password_upgrade: self.password_upgrade,
            clear_refused_cookies: self.clear_refused_cookies,
            revocation: self.revocation,
        };
        crate::chunks::check_room(&config)?;
        Ok(config)
    }
}

/// Browsers match cookie prefixes case-insensitively (RFC 6265bis), so `__host-` counts too.
fn has_prefix(name: &str, prefix: &str) -> bool {
    name.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}
