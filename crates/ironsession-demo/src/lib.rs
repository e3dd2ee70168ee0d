//! The ironsession demo app: log in with a username, count visits, log out, "remember me".
//!
//! It is the Rust twin of `interop/server.mjs` (the same routes on Node's `node:http` with the
//! real iron-session): the session data has the same JSON shape and the cookie the same name, so
//! one cookie works on both servers when they share a password.
//!
//! The binary (`src/main.rs`) reads its configuration from the environment and serves
//! [`app::app`]; tests can build the same router in-process.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod app;
pub mod cookie_panel;
pub mod explain;
pub mod metrics;
pub mod pages;

pub use app::{
    COOKIE_NAME, DemoSession, MAX_NOTE_CHARS, REMEMBER_TTL_SECONDS, app, session_config,
};

/// The repository README's examples, compiled and run as doc tests. They live here, in a crate
/// that is never published: `ironsession`'s package holds only its own directory, and its doc
/// tests must pass in the unpacked `.crate` too.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
