//! Secure, stateless, cookie-based sessions for Rust, wire-compatible with the npm package
//! [iron-session](https://github.com/vvo/iron-session) (versions 8 and 9).
//!
//! The session data is sealed (encrypted and signed) into the cookie itself with Iron's
//! "Fe26.2" format, so there is no server-side store: any number of servers, in Rust or in
//! Node.js, can read a session with nothing but the password.
//!
//! This crate's data layer is [`seal_data`] and [`unseal_data`], the equivalents of
//! iron-session's `sealData` and `unsealData`, over a [`Passwords`] set that supports rotation.
//!
//! ```
//! use ironsession::{seal_data, unseal_data, Passwords, Ttl};
//!
//! let passwords = Passwords::single("a password of at least thirty-two characters")?;
//! let sealed = seal_data(&serde_json::json!({"userId": 42}), &passwords, Ttl::DEFAULT)?;
//! let data: serde_json::Value = unseal_data(&sealed, &passwords)?;
//! assert_eq!(data["userId"], 42);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Why the defaults
//! - **ttl 14 days**: iron-session's default, so a Rust service and a Node app sharing a cookie
//!   agree on when a login ends.
//! - **Passwords of at least 32 characters**, counted as iron-session counts them, so a password
//!   accepted here is accepted there.
//! - **No never-expiring seal by accident**: [`Ttl::Never`] must be named; `0` is not a synonym.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod data;
mod error;
mod passwords;
mod ttl;

pub use data::{VERSION_SUFFIX, seal_data, seal_data_at, unseal_data, unseal_data_at};
pub use error::{PasswordError, UnsealError, UnsealReason};
pub use iron_seal::Error as SealError;
pub use passwords::Passwords;
pub use ttl::Ttl;

/// The format layer this crate is built on, re-exported for its clock and random-source types.
pub use iron_seal;
