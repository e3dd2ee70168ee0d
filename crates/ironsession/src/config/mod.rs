//! The configuration: everything a session needs, built and validated once, at start-up.
//!
//! Owns [`SessionConfig`] and its getters (here), [`SessionConfigBuilder`] with every option and
//! the checks of `build` (`builder`; the lifetime options in `lifetimes`, revocation's in
//! `revocation`, `on_unseal_error` in `hooks`, sessions shared with h3 in `h3`, the session
//! header's in `session_header`, the options of the handler's writes in `writes`), and
//! [`ConfigError`] (`error`). A feature's option is set here; the feature itself lives in its own
//! folder.
//!
//! It keeps what each lower concept needs in that concept's own type (the `Passwords`, the
//! cookie's `Attributes`, the `Lifetimes`, the `Revocation`) and hands that down, never itself:
//! [`cookie`](SessionConfig::cookie) lends the cookie's part as a `CookieConfig`.
//!
//! Uses [`lifetime`](crate::lifetime), [`envelope`](crate::envelope),
//! [`revocation`](crate::revocation), [`seal`](crate::seal), [`cookie`](crate::cookie) and
//! [`header`](crate::header).

mod builder;
mod error;
mod h3;
mod hooks;
mod lifetimes;
mod revocation;
mod session_header;
mod writes;

pub use builder::SessionConfigBuilder;
pub use error::ConfigError;
pub use h3::{H3Sessions, H3Version};

use std::sync::Arc;
use std::time::Duration;

use http::HeaderName;

use crate::cookie::{Attributes, CookieConfig};
use crate::envelope::Envelope;
use crate::lifetime::{IdForm, Lifetimes, SharedClock};
use crate::revocation::Revocation;
use crate::seal::SealFormat;
use crate::{Passwords, SessionHeader, Ttl, TtlLimit};
use hooks::UnsealErrorHook;

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
    lifetimes: Lifetimes,
    password_upgrade: bool,
    clear_refused_cookies: bool,
    revocation: Option<Revocation>,
    on_unseal_error: Option<UnsealErrorHook>,
    refuse_cross_site_writes: bool,
    auto_save: bool,
    h3: Option<H3Sessions>,
    session_header: Option<SessionHeader>,
    /// h3's session header, read before the cookie in h3 mode.
    h3_session_header: Option<HeaderName>,
    /// The request headers besides `Cookie` that may carry the seal, in the order they are read.
    request_headers: Arc<[HeaderName]>,
}

impl SessionConfig {
    /// The cookie name.
    pub fn cookie_name(&self) -> &str {
        &self.cookie_name
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

    /// Whether sessions sealed with an older password are re-sealed with the newest on read.
    pub fn password_upgrade(&self) -> bool {
        self.password_upgrade
    }

    /// Whether a response deletes a session cookie refused as expired or revoked (see
    /// [`SessionConfigBuilder::clear_refused_cookies`]).
    pub fn clear_refused_cookies(&self) -> bool {
        self.clear_refused_cookies
    }

    /// The current time by the configured clock.
    pub(crate) fn now_ms(&self) -> u64 {
        self.clock.0.now_ms()
    }

    /// Whether sessions carry [metadata](crate::Metadata): for a lifetime option, revocation, or
    /// h3 (whose object always has an id and a creation time).
    pub(crate) fn needs_metadata(&self) -> bool {
        self.lifetimes.need_metadata() || self.revocation.is_some() || self.h3.is_some()
    }

    /// The lifetime options.
    pub(crate) fn lifetimes(&self) -> &Lifetimes {
        &self.lifetimes
    }

    /// The session's cookie as this configuration writes it.
    pub(crate) fn cookie(&self) -> CookieConfig<'_> {
        CookieConfig {
            name: &self.cookie_name,
            attributes: &self.attributes,
            max_age: self.max_age_seconds(),
            chunking: self.chunking,
        }
    }

    /// The layout of the JSON inside the seal: h3's object in h3 mode, else iron-session's.
    pub(crate) fn envelope(&self) -> Envelope {
        match self.h3 {
            Some(_) => Envelope::H3,
            None => Envelope::IronSession,
        }
    }

    /// How the seal is written around Fe26.2: bare for h3, with the `~2` suffix for iron-session.
    pub(crate) fn seal_format(&self) -> SealFormat {
        match self.h3 {
            Some(_) => SealFormat::H3,
            None => SealFormat::IronSession,
        }
    }

    /// How new session ids are written: UUIDs for h3, base64url otherwise.
    pub(crate) fn id_form(&self) -> IdForm {
        match self.h3 {
            Some(_) => IdForm::Uuid,
            None => IdForm::Base64Url,
        }
    }

    /// h3's session header (`x-<name>-session`), read before the cookie in h3 mode.
    pub(crate) fn h3_session_header(&self) -> Option<&HeaderName> {
        self.h3_session_header.as_ref()
    }

    /// The request headers besides `Cookie` that may carry the seal (the session header, h3's
    /// session header), in the order they are read: what `Vary` names beside `Cookie`.
    pub(crate) fn request_headers(&self) -> &Arc<[HeaderName]> {
        &self.request_headers
    }
}
