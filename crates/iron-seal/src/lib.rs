//! The Iron "Fe26.2" sealed-token format, byte-compatible with `@hapi/iron`, `iron-webcrypto`
//! and so with the cookies of the npm package `iron-session`.
//!
//! A seal is JSON (or any bytes) encrypted with AES-256-CBC and authenticated with HMAC-SHA256,
//! both keyed by PBKDF2 from a password, written as eight text fields joined by `*`:
//!
//! ```text
//! Fe26.2*<password id>*<encryption salt>*<iv>*<ciphertext>*<expiration ms>*<hmac salt>*<hmac>
//! ```
//!
//! This crate is the format only: no HTTP, no async, no global state. The clock and the random
//! source are parameters of [`seal_at`] and [`unseal_at`], so tests can reproduce any seal; [`seal`]
//! and [`unseal`] fill them in with the system clock and [`ThreadRandom`] (a per-thread ChaCha20
//! generator keyed from the OS random source).
//!
//! ```
//! use iron_seal::{seal, unseal, Options, Password, PasswordId};
//!
//! let password = Password::from("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg");
//! let id = PasswordId::new("1")?;
//! let options = Options::default().with_ttl_ms(Some(3_600_000));
//! let sealed = seal(br#"{"userId":42}"#, &id, &password, &options)?;
//! assert_eq!(unseal(&sealed, &password, &options)?, br#"{"userId":42}"#);
//! # Ok::<(), iron_seal::Error>(())
//! ```
//!
//! # Why the defaults
//! They are Iron's, because a seal is only useful if the peer reads it: one PBKDF2-HMAC-SHA1
//! iteration (a password here is a high-entropy server secret, not a user's password; the random
//! 256-bit salts make every key single-use), a 60-second allowance for clock skew between servers,
//! and a 32-character minimum password.
//!
//! # Reusing keys across seals
//! With Iron's options every seal draws two fresh salts and derives two keys with PBKDF2, about
//! half the time of a small seal. [`Options::with_key_reuse`] lets a password's seals reuse one
//! pair of salts and keys for a bounded window ([`KeyReuse`]: by default 60 seconds or 65 536
//! seals), drawing only a fresh IV per seal; the seals stay plain Fe26.2 that every Iron reads,
//! and a seal of the current window opens without PBKDF2. [`KeyReuse`] says what two seals of
//! one window share and why the limits are safe.
//!
//! # Other iteration counts
//! A peer that derives its keys with more PBKDF2 iterations (h3 2.x uses 8192) is read and
//! written with [`KeyDerivation`]s of that count in the [`Options`]; the count is not written in
//! the seal. [`Options::with_fallback_iterations`] lets a reader try one other count, once, as h3
//! 2.x does to read the single-iteration seals of h3 1.x; [`unseal_detailed_at`] says when it
//! did. The key cache keeps keys by salt, length and iteration count, so a key derived at one
//! count never opens a seal at another. What 8192 iterations cost a reader of forged seals is
//! measured in `benches/forged.rs`.
//!
//! # Hardening beyond Iron
//! - The HMAC is compared in constant time (a [`Mac`] has no `==`, only `ConstantTimeEq`) and
//!   checked before anything is decoded or decrypted.
//! - No key is derived and no HMAC computed for a seal whose salts, IV or HMAC do not have the
//!   lengths the [`Options`] write, and [`Options::with_max_seal_len`] refuses over-long input
//!   before anything else: a forged seal costs no more than a valid one.
//! - Expirations must be canonical decimals (`^[1-9]\d*$`, as iron-session 9 requires).
//! - Password ids are looked up among a map's own keys only.
//! - Base64 must be canonical (no padding, no stray bits), and no error message carries a secret
//!   or the plaintext.
//! - Keys are wiped from memory when dropped: derived keys, passwords, and the AES key schedules.
//!
//! # Reading JSON as JavaScript writes it
//! [`parse_json`] reads a lone UTF-16 surrogate escape (`"\ud83c"`) as U+FFFD, where
//! `JSON.parse` keeps the half character, and refuses nesting of [`MAX_JSON_DEPTH`] levels or
//! more ([`Error::JsonTooDeep`]), where `JSON.parse` has no limit.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod clock;
mod crypto;
mod error;
mod json;
mod key_cache;
mod key_reuse;
mod mac;
mod options;
mod parts;
mod password;
mod pbkdf2;
mod random;
mod seal;
mod unseal;

pub use clock::system_now_ms;
pub use error::{Error, Field};
pub use json::{MAX_JSON_DEPTH, parse_json, seal_json, unseal_json};
pub use key_reuse::KeyReuse;
pub use mac::Mac;
pub use options::{Cipher, KeyDerivation, Options};
pub use parts::{PREFIX, SealParts};
pub use password::{MIN_PASSWORD_LENGTH, Password, PasswordId, PasswordLookup, Secret};
pub use random::{OsRandom, RandomSource, ThreadRandom};
pub use seal::{seal, seal_at, seal_at_into, seal_into, sealed_len};
pub use unseal::{Unsealed, unseal, unseal_at, unseal_detailed_at};
