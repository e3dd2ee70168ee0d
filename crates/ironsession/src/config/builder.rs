//! [`SessionConfigBuilder`]: the options of the cookie, the seal and the response, and the
//! checks of `build`.

use std::sync::Arc;
use std::time::Duration;

use super::hooks::UnsealErrorHook;
use super::{ConfigError, CookieLifetime, H3Sessions, SessionConfig, session_header};
use crate::cookie::{self, Attributes, Priority, SameSite, chunks};
use crate::lifetime::{Lifetimes, SharedClock};
use crate::revocation::Revocation;
use crate::{Clock, Passwords, SessionHeader, SystemClock, Ttl};

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
            on_unseal_error: None,
            refuse_cross_site_writes: false,
            auto_save: false,
            h3: None,
            session_header: None,
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
            on_unseal_error: self.on_unseal_error.clone(),
            refuse_cross_site_writes: self.refuse_cross_site_writes,
            auto_save: self.auto_save,
            h3: self.h3.clone(),
            session_header: self.session_header.clone(),
        }
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
    pub(super) passwords: Arc<Passwords>,
    pub(super) cookie_name: String,
    pub(super) ttl: Ttl,
    pub(super) max_ttl: Option<Ttl>,
    pub(super) accept_seals_without_expiration: bool,
    pub(super) lifetime: CookieLifetime,
    pub(super) attributes: Attributes,
    pub(super) clock: SharedClock,
    pub(super) chunking: bool,
    pub(super) cache_headers: bool,
    pub(super) lifetimes: Lifetimes,
    pub(super) password_upgrade: bool,
    pub(super) clear_refused_cookies: bool,
    pub(super) revocation: Option<Revocation>,
    pub(super) on_unseal_error: Option<UnsealErrorHook>,
    pub(super) refuse_cross_site_writes: bool,
    pub(super) auto_save: bool,
    pub(super) h3: Option<H3Sessions>,
    pub(super) session_header: Option<SessionHeader>,
}

impl SessionConfigBuilder {
    /// Replaces the passwords.
    ///
    /// ```
    /// use ironsession::{Passwords, SessionConfig};
    ///
    /// # let (old, new) = (Passwords::generate()?, Passwords::generate()?);
    /// let config = SessionConfig::builder("s", Passwords::single(old.clone())?)
    ///     .passwords(Passwords::from_pairs([(1, old), (2, new)])?)
    ///     .build()?;
    /// assert_eq!(config.passwords().sealing_id(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn passwords(mut self, passwords: Passwords) -> Self {
        self.passwords = Arc::new(passwords);
        self
    }

    /// Whether new cookies reuse their password's salts and keys for up to a minute (default:
    /// on); off seals every cookie with fresh salts, as iron-session does. This sets
    /// [`Passwords::with_seal_key_reuse`] on the passwords given so far (a later
    /// [`passwords`](Self::passwords) brings its own setting); that page says what is shared.
    ///
    /// ```
    /// use ironsession::{Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .seal_key_reuse(false)
    ///     .build()?;
    /// assert!(!config.passwords().seal_key_reuse());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn seal_key_reuse(mut self, on: bool) -> Self {
        self.passwords = Arc::new(Passwords::clone(&self.passwords).with_seal_key_reuse(on));
        self
    }

    /// Sets the cookie name.
    ///
    /// ```
    /// use ironsession::{Passwords, SessionConfig};
    ///
    /// # let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let admin = config.to_builder().cookie_name("__Host-admin-session").build()?;
    /// assert_eq!(admin.cookie_name(), "__Host-admin-session");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = name.into();
        self
    }

    /// Sets the seal's lifetime (default 14 days). The cookie's `Max-Age` follows it unless set
    /// otherwise with [`cookie_lifetime`](Self::cookie_lifetime).
    ///
    /// ```
    /// use ironsession::{Passwords, SessionConfig, Ttl};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .ttl(Ttl::seconds(8 * 3600))
    ///     .build()?;
    /// assert_eq!(config.ttl(), Ttl::seconds(8 * 3600));
    /// assert_eq!(config.max_age_seconds(), Some(8 * 3600 - 60));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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

    /// Whether to read cookies whose seal never expires, as a peer that seals with ttl 0 writes
    /// them (default: off, they are refused with reason `invalid` unless the ttl is
    /// [`Ttl::Never`]). Such a cookie stays a valid login for as long as its password is
    /// configured, wherever it was copied to. A bool, so that it can follow the environment.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{seal_data, JsonSession, Passwords, SessionConfig, Ttl, UnsealReason};
    ///
    /// let passwords = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?;
    /// // What a peer sealing with ttl 0 (never expires) writes.
    /// let seal = seal_data(&serde_json::json!({"user": "alice"}), &passwords, Ttl::Never)?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert("cookie", format!("s={seal}").parse()?);
    ///
    /// let strict = SessionConfig::builder("s", passwords.clone()).build()?;
    /// let refused: JsonSession = strict.load(&headers);
    /// assert_eq!(refused.unseal_error().map(|e| e.reason()), Some(UnsealReason::Invalid));
    ///
    /// let lenient = SessionConfig::builder("s", passwords)
    ///     .dangerous_accept_seals_without_expiration(true)
    ///     .build()?;
    /// let session: JsonSession = lenient.load(&headers);
    /// assert_eq!(session["user"], "alice");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dangerous_accept_seals_without_expiration(mut self, on: bool) -> Self {
        self.accept_seals_without_expiration = on;
        self
    }

    /// Sets how long the browser keeps the cookie.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{CookieLifetime, JsonSession, Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .cookie_lifetime(CookieLifetime::BrowserSession)
    ///     .build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.insert("user".into(), "alice".into());
    /// session.save()?;
    /// // No `Max-Age`: the browser drops the cookie when it closes; the seal still expires.
    /// assert!(!session.take_set_cookies()[0].contains("Max-Age"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cookie_lifetime(mut self, lifetime: CookieLifetime) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// Sets `SameSite` (default `Lax`: sent on top-level navigations, which logins need, but not
    /// on cross-site sub-requests).
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SameSite, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .same_site(SameSite::Strict)
    ///     .build()?;
    /// // A deletion cookie shows the attributes every cookie of this configuration gets.
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.destroy();
    /// let line = &session.take_set_cookies()[0];
    /// assert!(line.ends_with("; SameSite=Strict"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn same_site(mut self, same_site: SameSite) -> Self {
        self.attributes.same_site = same_site;
        self
    }

    /// Sets `Path` (default `/`).
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .path("/app")
    ///     .build()?;
    /// // A deletion cookie shows the attributes every cookie of this configuration gets.
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.destroy();
    /// let line = &session.take_set_cookies()[0];
    /// assert!(line.contains("; Path=/app;"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.attributes.path = path.into();
        self
    }

    /// Sets `Domain` (default none: the cookie goes to the exact host that set it).
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .domain("example.com") // also sent to its subdomains
    ///     .build()?;
    /// // A deletion cookie shows the attributes every cookie of this configuration gets.
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.destroy();
    /// let line = &session.take_set_cookies()[0];
    /// assert!(line.contains("; Domain=example.com"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.attributes.domain = Some(domain.into());
        self
    }

    /// Sets `Partitioned` (CHIPS; requires `Secure`).
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .partitioned(true)
    ///     .build()?;
    /// // A deletion cookie shows the attributes every cookie of this configuration gets.
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.destroy();
    /// let line = &session.take_set_cookies()[0];
    /// assert!(line.contains("; Partitioned"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn partitioned(mut self, partitioned: bool) -> Self {
        self.attributes.partitioned = partitioned;
        self
    }

    /// Sets `Priority`.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, Priority, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .priority(Priority::High)
    ///     .build()?;
    /// // A deletion cookie shows the attributes every cookie of this configuration gets.
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.destroy();
    /// let line = &session.take_set_cookies()[0];
    /// assert!(line.contains("; Priority=High"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn priority(mut self, priority: Priority) -> Self {
        self.attributes.priority = Some(priority);
        self
    }

    /// Whether to drop `Secure` (default: off, the cookie has `Secure`), so that the cookie also
    /// travels over plain HTTP, where anyone on the network can read and replay it.
    ///
    /// Local development rarely needs it: Chromium and Firefox treat `http://localhost` as a
    /// secure context, where they store and send `Secure` cookies. It is for plain HTTP on other
    /// hosts (a LAN address, `127.0.0.1` in some browsers), and for Safari on `localhost`. A bool,
    /// so that it follows the environment (`cfg!(debug_assertions)`, a setting).
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .dangerous_insecure_cookie(true) // plain http in development only
    ///     .build()?;
    /// // A deletion cookie shows the attributes every cookie of this configuration gets.
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.destroy();
    /// let line = &session.take_set_cookies()[0];
    /// assert!(!line.contains("Secure"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dangerous_insecure_cookie(mut self, on: bool) -> Self {
        self.attributes.secure = !on;
        self
    }

    /// Whether to drop `HttpOnly` (default: off, the cookie has `HttpOnly`), so that page
    /// scripts (and any injected script) can read the sealed cookie.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .dangerous_script_readable_cookie(true)
    ///     .build()?;
    /// // A deletion cookie shows the attributes every cookie of this configuration gets.
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.destroy();
    /// let line = &session.take_set_cookies()[0];
    /// assert!(!line.contains("HttpOnly"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dangerous_script_readable_cookie(mut self, on: bool) -> Self {
        self.attributes.http_only = !on;
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

    /// Whether to stop adding `Cache-Control: private, no-store` to responses that set the
    /// session cookie and `Vary: Cookie` to responses whose handler read the session (default:
    /// off, both are added), for apps that set both themselves. Without them a shared cache may
    /// serve one user's cookie or page to another (Flask CVE-2023-30861); see the
    /// [crate documentation](crate#caching).
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .dangerous_manual_cache_headers(true)
    ///     .build()?;
    /// let mut session: JsonSession = config.load(&HeaderMap::new());
    /// session.insert("user".into(), "alice".into());
    /// session.save()?;
    /// let mut response_headers = HeaderMap::new();
    /// session.append_set_cookies(&mut response_headers);
    /// assert!(response_headers.contains_key("set-cookie"));
    /// assert!(!response_headers.contains_key("cache-control")); // the app's to set
    /// assert!(!response_headers.contains_key("vary"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dangerous_manual_cache_headers(mut self, on: bool) -> Self {
        self.cache_headers = !on;
        self
    }

    /// Uses another clock (tests use this to check expiry without waiting).
    ///
    /// ```
    /// use http::HeaderMap;
    /// use ironsession::{JsonSession, Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .session_ids(true)
    ///     .clock(|| 1_700_000_000_000) // ms since the Unix epoch
    ///     .build()?;
    /// let session: JsonSession = config.load(&HeaderMap::new());
    /// assert_eq!(session.metadata().map(|m| m.created_at_ms()), Some(1_700_000_000_000));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = SharedClock(Arc::new(clock));
        self
    }

    /// Whether a session sealed with an older password id is re-sealed with the newest one on
    /// the response of any request that reads it, even one that does not save (default: on). Once
    /// the clients that were active since a new password was added have been upgraded, the old id
    /// can be dropped without logging them out. Turn it off to write cookies only on `save`, as
    /// iron-session does.
    ///
    /// ```
    /// use ironsession::{Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .password_upgrade(false)
    ///     .build()?;
    /// assert!(!config.password_upgrade());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn password_upgrade(mut self, on: bool) -> Self {
        self.password_upgrade = on;
        self
    }

    /// Whether a response deletes the session cookie it refused because the session is over: its
    /// seal or its [lifetime](crate::SessionConfigBuilder::absolute_lifetime) expired, or it was
    /// [revoked](crate::revocation) (default: on). Such a cookie can never open again on any
    /// server sharing the password; left in place, the browser sends it with every request until
    /// its `Max-Age` runs out, each of them pays for opening it and logs a refusal, and a revoked
    /// login stays on the disk. The deletion goes out only when the handler read the session and
    /// neither saved nor destroyed it.
    ///
    /// Cookies refused for any other reason are left alone: an `unknown-password` or `invalid`
    /// one may be readable by another server during a password rotation or a rolling deploy, or
    /// belong to another app using the same cookie name, and a session refused only because the
    /// revocation replica has [not synced yet](crate::revocation::Refusal::NotSynced) is not over.
    /// Turn it off to write cookies only on `save` and `destroy`, as iron-session does.
    ///
    /// ```
    /// use ironsession::{Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .clear_refused_cookies(false)
    ///     .build()?;
    /// assert!(!config.clear_refused_cookies());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn clear_refused_cookies(mut self, on: bool) -> Self {
        self.clear_refused_cookies = on;
        self
    }

    /// Checks everything and builds the configuration.
    ///
    /// ```
    /// use ironsession::{ConfigError, Passwords, SessionConfig};
    ///
    /// let passwords = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?;
    /// let config = SessionConfig::builder("__Host-session", passwords.clone()).build()?;
    /// assert_eq!(config.cookie_name(), "__Host-session");
    ///
    /// // `__Host-` cookies must be `Secure`, on `Path=/`, without `Domain`.
    /// let refused = SessionConfig::builder("__Host-session", passwords).path("/app").build();
    /// assert_eq!(refused.err(), Some(ConfigError::HostPrefix));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first problem found.
    pub fn build(mut self) -> Result<SessionConfig, ConfigError> {
        self.apply_h3()?;
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
        self.check_lifetimes()?;
        self.check_revocation()?;
        self.check_session_header()?;
        let h3_header = self
            .h3
            .as_ref()
            .and_then(|h3| h3.session_header_for(&self.cookie_name));
        let request_headers =
            session_header::request_headers(self.session_header.as_ref(), h3_header.clone());
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
            on_unseal_error: self.on_unseal_error,
            refuse_cross_site_writes: self.refuse_cross_site_writes,
            auto_save: self.auto_save,
            h3: self.h3,
            session_header: self.session_header,
            h3_session_header: h3_header,
            request_headers,
        };
        if let Some(overhead) = chunks::missing_room(&config.cookie()) {
            return Err(ConfigError::NoRoomForChunks { overhead });
        }
        Ok(config)
    }
}

/// Browsers match cookie prefixes case-insensitively (RFC 6265bis), so `__host-` counts too.
fn has_prefix(name: &str, prefix: &str) -> bool {
    name.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}
