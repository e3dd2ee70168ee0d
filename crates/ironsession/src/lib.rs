//! Secure, stateless, cookie-based sessions for Rust, wire-compatible with the npm package
//! [iron-session](https://github.com/vvo/iron-session) (versions 8 and 9).
//!
//! The session data is sealed (encrypted and signed) into the cookie itself with Iron's
//! "Fe26.2" format, so there is no server-side store: any number of servers, in Rust or in
//! Node.js, can read a session with nothing but the password.
//!
//! # Start here
//! 1. Build one [`SessionConfig`] with [`SessionConfig::builder`]`(cookie_name, passwords)`; the
//!    passwords are [`Passwords`] (one, or a map of ids for rotation).
//! 2. Wrap your app with the adapter of your framework, each behind a feature (default features
//!    are empty): `axum` ([`axum::SessionLayer`]) or `actix-web`
//!    ([`actix::SessionMiddleware`]). Any other framework on `http` types: [`SessionConfig::load`].
//! 3. In handlers, take a [`Session<T>`]: your own `T: Serialize + Deserialize + Default`, read
//!    from the cookie, with `save`, `destroy`, `start_new_login` (at login) and `regenerate`.
//!    [`JsonSession`] if you would rather have an untyped JSON map.
//! 4. See what goes wrong: the crate logs with `tracing` (why a cookie was ignored, at debug
//!    level; why a save failed, as an error). Install a subscriber at the start of `main`,
//!    `tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();`,
//!    and run with `RUST_LOG=ironsession=debug`. Without one, the adapters' 500s still say why in
//!    their body (a session too large, a route without the layer), and a change you forgot to
//!    save is caught by [`SessionConfigBuilder::auto_save`].
//!
//! Outside cookies (magic links, tokens), [`seal_data`] and [`unseal_data`] are iron-session's
//! `sealData` and `unsealData`. Optional parts: [`revocation`] (log out one session or every
//! session of a user; its Redis backend behind the `redis` feature), chunking of large sessions
//! and lifetimes, both options of [`SessionConfigBuilder`], sessions shared with a Nuxt / h3 app
//! ([`SessionConfigBuilder::h3`]), sessions in a request header for clients without cookies
//! ([`SessionHeader`]), and metrics for the people on call (`ironsession::metrics`, behind the
//! `metrics` feature; without it, [`SessionConfigBuilder::on_unseal_error`] reports every refused
//! cookie). The [`guide`] explains each of them at length, with examples.
//!
//! ```
//! use ironsession::{seal_data, unseal_data, Passwords, Ttl};
//!
//! let passwords = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?;
//! let sealed = seal_data(&serde_json::json!({"userId": 42}), &passwords, Ttl::DEFAULT)?;
//! let data: serde_json::Value = unseal_data(&sealed, &passwords)?;
//! assert_eq!(data["userId"], 42);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Why the defaults
//! - **ttl 14 days**: iron-session's default, so a Rust service and a Node app sharing a cookie
//!   agree on when a login ends.
//! - **`Max-Age` = ttl − 60 s**: the browser drops the cookie a minute before the seal expires,
//!   so it never sends a seal the server would reject. Never above 400 days, the cap of RFC 6265bis.
//! - **`HttpOnly`**: page scripts have no use for a sealed cookie, and an injected script must not
//!   be able to steal it.
//! - **`Secure`**: a session cookie over plain HTTP can be read and replayed by anyone on the path.
//!   Chromium and Firefox keep `Secure` cookies on `http://localhost` too, so local development
//!   there needs no switch; `dangerous_insecure_cookie(true)` drops it (plain http elsewhere).
//! - **`SameSite=Lax`**: the cookie comes along when a user follows a link to the site, but not
//!   on cross-site form posts or sub-requests, which blunts CSRF.
//! - **`Path=/`**: one session for the whole site.
//! - **Passwords of at least 32 characters**, counted as iron-session counts them, so a password
//!   accepted here is accepted there.
//! - **No never-expiring seal by accident**: [`Ttl::Never`] must be named; `0` is not a synonym.
//! - **A bad cookie is an empty session, never an error**: any client can send any cookie. One
//!   longer than any seal of its cookie name could be is refused before any crypto (see
//!   [`MAX_CHUNKS`]).
//! - **A dead cookie is deleted**: a cookie refused as expired or revoked can never open again, so
//!   the response that refused it deletes it (unless the handler saved), instead of the browser
//!   sending a dead login with every request; cookies another server may still read (an unknown
//!   password id during a rotation) are left alone. See
//!   [`SessionConfigBuilder::clear_refused_cookies`].
//! - **Cache headers on session responses** (see [Caching](#caching)): a shared cache must never
//!   store one user's `Set-Cookie` or session page and serve it to another.
//! - **Seal-key reuse on**: the seals one password makes within 60 s (up to 65 536) share their
//!   salts and derived keys, each with its own IV, which halves the cost of a small seal; their
//!   salts show that they come from one server and minute. [`Passwords::with_seal_key_reuse`]
//!   turns it off (fresh salts per seal, as iron-session).
//! - **Cross-site writes not refused**, as in iron-session: an identity provider that posts its
//!   answer back to a route that saves the session (OpenID Connect `form_post`, SAML) would be
//!   refused. Apps that take no such posts turn on
//!   [`SessionConfigBuilder::refuse_cross_site_writes`] against login CSRF and forced logouts.
//! - **Chunking off**, as in iron-session 9: a session over 4 KB is usually better kept as an id;
//!   [`SessionConfigBuilder::chunking`] turns it on (see [the guide](guide::chunking)).
//!
//! # Caching
//! Flask shipped this leak twice (CVE-2023-30861: a response that refreshed the session cookie
//! could be cached by a proxy and its `Set-Cookie` served to other users; GHSA-68rp-wp8r-4726:
//! pages that read the session lacked `Vary: Cookie`). The response step of both adapters and of
//! the plain API ([`SessionContext::append_set_cookies`]) therefore sets, by default:
//!
//! - `Cache-Control: private, no-store` on a response that sets a session cookie (save, destroy,
//!   a chunk expiry). When the handler set `Cache-Control` itself, its choice stands and `private`
//!   is added, unless already there or the handler said `public` (then it is left as it is, and a
//!   warning is logged: that response can leak the cookie).
//! - `Vary: Cookie` on the response of a request whose handler read the session, merged into the
//!   handler's `Vary` (not when it already names `Cookie` or is `*`).
//!
//! [`SessionConfigBuilder::dangerous_manual_cache_headers`] turns both off for apps that manage
//! these headers themselves. [`SessionContext::take_set_cookies`] returns the cookies only.
//!
//! # Features
//!
//! Set in `Cargo.toml` (`ironsession = { version = "0.1", features = ["axum"] }`):
//!
#![doc = document_features::document_features!()]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod adapters;
mod config;
mod cookie;
mod envelope;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
mod header;
mod lifetime;
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub mod metrics;
#[cfg(not(feature = "metrics"))]
mod metrics;
mod request;
pub mod revocation;
mod seal;
mod session;

#[cfg(feature = "actix-web")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix-web")))]
pub use adapters::actix;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use adapters::axum;
pub use config::{
    ConfigError, CookieLifetime, H3Sessions, H3Version, MAX_COOKIE_AGE_SECONDS, SessionConfig,
    SessionConfigBuilder,
};
pub use cookie::{
    MAX_CHUNKS, MAX_SET_COOKIE_BYTES, Oversize, Priority, SameSite, is_session_cookie,
};
pub use envelope::METADATA_KEY;
pub use header::SessionHeader;
pub use iron_seal::Error as SealError;
pub use lifetime::{Clock, InvalidSessionId, Metadata, MetadataError, SessionId, SystemClock, Ttl};
pub use request::{SaveError, SessionContext};
pub use seal::{
    KeyStage, PasswordError, Passwords, TtlLimit, UNSEAL_DATA_MAX_LEN, UnsealError, UnsealReason,
    VERSION_SUFFIX, Weakness, password_weakness, seal_data, seal_data_at, unseal_data,
    unseal_data_at,
};
pub use session::{JsonSession, Session};

/// The format layer this crate is built on, re-exported for its clock and random-source types.
pub use iron_seal;

/// The guides: the longer explanations, one page per topic, with examples (run as doc tests).
///
/// | Page | About |
/// | --- | --- |
/// | [`frameworks`](guide::frameworks) | actix-web, and any framework on `http` types (hyper, …) |
/// | [`node`](guide::node) | sharing a login with a Node.js app, Next.js included |
/// | [`nuxt`](guide::nuxt) | sharing a login with Nuxt (h3 1.x and 2.x sessions, nuxt-auth-utils) |
/// | [`lifetimes`](guide::lifetimes) | idle, absolute and renewal timeouts, session ids |
/// | [`revocation`](guide::revocation) | a logout that really logs out, in one process or a fleet on Redis |
/// | [`rotation`](guide::rotation) | rotating passwords without a flag day |
/// | [`chunking`](guide::chunking) | large sessions in chunked cookies, and their limits |
/// | [`caching`](guide::caching) | the cache headers of session responses |
/// | [`tokens`](guide::tokens) | sealed tokens without cookies (magic links) |
/// | [`api_clients`](guide::api_clients) | sessions for API clients: a header instead of a cookie |
/// | [`metrics`](guide::metrics) | metrics for the people on call, and refused cookies |
/// | [`writes`](guide::writes) | cross-site writes (login CSRF), forgotten saves, failures you can see |
/// | [`security`](guide::security) | security notes |
///
/// The pages are Markdown files of the crate (`guide/*.md`), readable in the repository too.
/// A page whose examples need a Cargo feature runs them only with that feature on.
pub mod guide {
    #[doc = include_str!("../guide/frameworks.md")]
    #[cfg(any(not(doctest), feature = "actix-web"))]
    pub mod frameworks {}
    #[doc = include_str!("../guide/node.md")]
    pub mod node {}
    #[doc = include_str!("../guide/nuxt.md")]
    pub mod nuxt {}
    #[doc = include_str!("../guide/lifetimes.md")]
    pub mod lifetimes {}
    #[doc = include_str!("../guide/revocation.md")]
    #[cfg(any(not(doctest), feature = "axum"))]
    pub mod revocation {}
    #[doc = include_str!("../guide/rotation.md")]
    pub mod rotation {}
    #[doc = include_str!("../guide/chunking.md")]
    pub mod chunking {}
    #[doc = include_str!("../guide/caching.md")]
    pub mod caching {}
    #[doc = include_str!("../guide/tokens.md")]
    pub mod tokens {}
    #[doc = include_str!("../guide/api_clients.md")]
    pub mod api_clients {}
    #[doc = include_str!("../guide/metrics.md")]
    pub mod metrics {}
    #[doc = include_str!("../guide/writes.md")]
    pub mod writes {}
    #[doc = include_str!("../guide/security.md")]
    pub mod security {}
}
