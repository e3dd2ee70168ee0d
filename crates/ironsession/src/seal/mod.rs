//! The seal: iron-session's data layer, with no HTTP and no session in it.
//!
//! Owns the passwords ([`Passwords`]: rotation by id, [`KeyStage`]s, purpose-bound derivation, the
//! weak-password check, the PBKDF2 iteration counts in `derivation`), `seal_data`/`unseal_data`
//! with iron-session's `~2` suffix or h3's bare seal (`SealFormat`) (and the
//! two-step sealing a `Set-Cookie` line is written with), the ttl limit a reader applies
//! ([`TtlLimit`]), and the errors of this layer ([`PasswordError`], [`UnsealError`]). The Fe26.2
//! format itself is the `iron-seal` crate's.
//!
//! Uses [`lifetime`](crate::lifetime) (the ttl) and [`revocation`](crate::revocation) (only the
//! [`Refusal`](crate::revocation::Refusal) an [`UnsealError`] of a revoked session carries).

mod data;
mod derivation;
mod error;
mod password_strength;
mod passwords;
mod purpose;
mod rotation;
mod ttl_limit;

pub(crate) use data::{JsonSealing, SealFormat, open_at};
pub use data::{
    UNSEAL_DATA_MAX_LEN, VERSION_SUFFIX, seal_data, seal_data_at, unseal_data, unseal_data_at,
};
pub use error::{PasswordError, UnsealError, UnsealReason};
pub use password_strength::{Weakness, password_weakness};
pub use passwords::Passwords;
pub use rotation::KeyStage;
pub use ttl_limit::TtlLimit;
