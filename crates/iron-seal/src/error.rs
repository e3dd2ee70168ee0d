//! The one error type of this crate: a variant for each way sealing or unsealing can fail.

use std::fmt;

/// A part of a seal, named in errors about that part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// Field 2: the encryption key's salt.
    EncryptionSalt,
    /// Field 3: the initialisation vector.
    Iv,
    /// Field 4: the encrypted payload.
    Ciphertext,
    /// Field 6: the integrity key's salt.
    HmacSalt,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::EncryptionSalt => "encryption salt",
            Field::Iv => "iv",
            Field::Ciphertext => "ciphertext",
            Field::HmacSalt => "hmac salt",
        })
    }
}

/// Why a seal could not be made or opened.
///
/// Messages never contain a password, a key or the plaintext. The unseal variants are listed in
/// the order the checks run, which is the order Iron runs them in: a seal that is both expired and
/// tampered with reports [`Error::Expired`].
///
/// ```
/// use iron_seal::{unseal_at, Error, Options, Password};
///
/// let password = Password::from("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg");
/// let err = unseal_at("not a seal", &password, &Options::default(), 0).unwrap_err();
/// assert_eq!(err, Error::ComponentCount { found: 1 });
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The password is the empty string or an empty key.
    #[error("empty password")]
    EmptyPassword,
    /// A text password is shorter than the minimum, counted in UTF-16 code units as JavaScript does.
    #[error("password string too short (min {min} characters required)")]
    PasswordTooShort {
        /// The minimum length.
        min: usize,
    },
    /// A raw key is shorter than the algorithm's key size.
    #[error("key buffer (password) too small: {min} bytes required")]
    KeyTooSmall {
        /// The minimum number of bytes.
        min: usize,
    },
    /// A raw encryption key is longer than the cipher takes (Node and WebCrypto reject it too).
    #[error("invalid key length for the cipher: {expected} bytes required")]
    KeyLength {
        /// The exact number of bytes the cipher takes.
        expected: usize,
    },
    /// A password id is not made only of `A-Z a-z 0-9 _`.
    #[error("invalid password id")]
    InvalidPasswordId,
    /// The operating system's random source failed.
    #[error("failed generating random bits")]
    Random,
    /// The value to seal could not be turned into JSON.
    #[error("failed to stringify object: {0}")]
    Serialize(String),
    /// The input is longer than the caller allows, refused before it is parsed or any key is
    /// derived: longer than [`Options::max_seal_len`](crate::Options::max_seal_len) in
    /// [`unseal`](crate::unseal), or than ironsession's bound for a cookie (the longest seal its
    /// configuration can write).
    #[error("input of {length} bytes is longer than the {max} bytes allowed")]
    TooLong {
        /// The input's length in bytes.
        length: usize,
        /// The most allowed.
        max: usize,
    },
    /// The seal is not 8 fields joined by `*`.
    #[error("incorrect number of sealed components: expected 8, found {found}")]
    ComponentCount {
        /// How many `*`-separated fields the input has.
        found: usize,
    },
    /// The seal does not start with `Fe26.2`.
    #[error("wrong mac prefix")]
    WrongPrefix,
    /// The expiration field is neither empty nor a decimal number.
    #[error("invalid expiration")]
    InvalidExpiration,
    /// The seal expired (past its expiration plus the allowed clock skew).
    #[error("expired seal (expired at {expired_at_ms} ms since the epoch)")]
    Expired {
        /// The expiration written in the seal, in milliseconds since the Unix epoch.
        expired_at_ms: u64,
    },
    /// The seal has no expiration, and the reader requires one (ironsession refuses such seals
    /// where its own configuration would never write them).
    #[error("the seal never expires, and the reader requires an expiration")]
    NoExpiration,
    /// The seal expires later than the reader's longest ttl allows (ironsession refuses seals
    /// its own configuration could not have made).
    #[error(
        "the seal expires at {expires_at_ms} ms since the epoch, after the latest the reader accepts ({latest_ms})"
    )]
    ExpirationTooFar {
        /// The expiration written in the seal, in milliseconds since the Unix epoch.
        expires_at_ms: u64,
        /// The latest expiration accepted at the time of reading.
        latest_ms: u64,
    },
    /// No password is known for the seal's password id.
    #[error("cannot find password: {}", id.escape_debug())]
    UnknownPasswordId {
        /// The id named by the seal (at most 64 characters of it; `default` when it was empty).
        /// `Display` escapes control characters, so a hostile id cannot write terminal escapes.
        id: String,
    },
    /// A fixed-size field (a salt or the IV) does not have the length the configured options
    /// write; checked before any key derivation, so that a forged seal costs no more than a
    /// valid one.
    #[error("the {field} field must be {expected} characters, found {found}")]
    FieldLength {
        /// The field.
        field: Field,
        /// The length the options produce, in characters.
        expected: usize,
        /// The length found, in bytes (at most the seal's length).
        found: usize,
    },
    /// The integrity check failed: wrong password, or the seal was changed.
    #[error("bad hmac value")]
    BadMac,
    /// A field that passed the integrity check is not canonical unpadded base64url.
    #[error("invalid base64 in the {field} field")]
    InvalidBase64 {
        /// The field that failed to decode.
        field: Field,
    },
    /// The initialisation vector does not have the cipher's length.
    #[error("the iv must be exactly {expected} bytes")]
    IvLength {
        /// The length the cipher takes.
        expected: usize,
    },
    /// The ciphertext could not be decrypted (bad padding or length).
    #[error("decryption failed")]
    Decrypt,
    /// The decrypted payload is not valid JSON for the requested type.
    #[error("failed parsing sealed object JSON: {0}")]
    Json(String),
    /// Two keys of one object in the decrypted JSON differ only in lone UTF-16 surrogates
    /// (`{"\ud800":1,"\udbff":2}`): `JSON.parse` reads two keys, but both read as U+FFFD here
    /// (see [`parse_json`](crate::parse_json)), so the object cannot be read as its writer meant it.
    #[error(
        "failed parsing sealed object JSON: two keys of one object differ only in lone surrogates, which both read as U+FFFD"
    )]
    JsonKeysCollide,
    /// The decrypted JSON nests arrays and objects [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) (128)
    /// levels deep or more. The limit keeps parsing within a bounded stack; JavaScript's `JSON.parse` has none,
    /// so iron-session reads such data and this crate does not (a documented difference).
    #[error("failed parsing sealed object JSON: nested {limit} levels deep or more (the limit)")]
    JsonTooDeep {
        /// The nesting limit.
        limit: usize,
    },
}

/// Longest password id kept in [`Error::UnknownPasswordId`], so a hostile seal cannot make log
/// lines arbitrarily long.
pub(crate) const MAX_REPORTED_ID_CHARS: usize = 64;

impl Error {
    pub(crate) fn unknown_password_id(id: &str) -> Self {
        let id = if id.is_empty() { "default" } else { id };
        Error::UnknownPasswordId {
            id: id.chars().take(MAX_REPORTED_ID_CHARS).collect(),
        }
    }
}
