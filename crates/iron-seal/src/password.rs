//! Passwords and password ids: what seals, and how a seal's id finds the password that opens it.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::Error;
use crate::crypto::MacKey;
use crate::key_cache::KeyCache;
use crate::key_reuse::KeyWindows;
use crate::pbkdf2::HmacSha1Key;

/// The shortest text password Iron accepts, in UTF-16 code units.
pub const MIN_PASSWORD_LENGTH: usize = 32;

/// One secret: a text password (stretched with PBKDF2 and a salt) or raw key bytes (used as they
/// are, and the seal's salt field is left empty).
///
/// The bytes are wiped from memory when the last clone is dropped, and `Debug` never shows them.
///
/// ```
/// let secret = iron_seal::Secret::text("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg");
/// assert_eq!(format!("{secret:?}"), "Secret::Text([redacted])");
/// ```
#[derive(Clone)]
pub struct Secret(Arc<SecretInner>);

struct SecretInner {
    kind: SecretKind,
    /// UTF-16 code units of a text password, bytes of a key (counted once: every seal checks it).
    js_length: usize,
    /// Keys derived from this secret, shared by its clones.
    derived_keys: KeyCache,
    /// How keys are made from it, prepared once: a text password's keyed HMAC-SHA1 for all its
    /// key derivations, or a raw key keyed into HMAC-SHA256 for its MACs.
    keying: Keying,
}

/// A secret's keying material, prepared once (wiped on drop).
#[derive(Clone)]
pub(crate) enum Keying {
    /// A text password: its keyed HMAC-SHA1, for PBKDF2.
    Pbkdf2(HmacSha1Key),
    /// A raw key, used as it is: keyed into HMAC-SHA256 for when it is the integrity key.
    Raw(MacKey),
}

enum SecretKind {
    Text(Zeroizing<String>),
    Key(Zeroizing<Vec<u8>>),
}

impl Secret {
    /// A text password. Its length is checked when it is used, as Iron does: at least
    /// [`MIN_PASSWORD_LENGTH`] UTF-16 code units.
    pub fn text(password: impl Into<String>) -> Self {
        Secret::from_kind(SecretKind::Text(Zeroizing::new(password.into())))
    }

    /// Raw key bytes, used without key derivation. For AES-256-CBC and HMAC-SHA256 it must be at
    /// least 32 bytes.
    ///
    /// ```
    /// let key = iron_seal::Secret::key([7u8; 32]);
    /// assert!(key.is_key());
    /// ```
    pub fn key(bytes: impl Into<Vec<u8>>) -> Self {
        Secret::from_kind(SecretKind::Key(Zeroizing::new(bytes.into())))
    }

    /// The same secret without a cache of derived keys: every seal and unseal derives both keys
    /// with PBKDF2 again (a few microseconds each with Iron's single iteration). By default a text
    /// password remembers up to 1024 keys it derived for seals known to be good, so that a cookie
    /// sent again opens without PBKDF2; use this for a process that should keep no derived key in
    /// memory (and seal without [key reuse](crate::Options::with_key_reuse), whose window keeps
    /// its two keys), or to measure what the cache saves.
    ///
    /// ```
    /// use iron_seal::{seal, unseal, Options, Password, PasswordId, Secret};
    ///
    /// let secret = Secret::text("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg").without_key_cache();
    /// let password = Password::new(secret);
    /// let sealed = seal(b"{}", &PasswordId::NONE, &password, &Options::default())?;
    /// assert_eq!(unseal(&sealed, &password, &Options::default())?, b"{}");
    /// # Ok::<(), iron_seal::Error>(())
    /// ```
    #[must_use]
    pub fn without_key_cache(self) -> Self {
        let kind = match &self.0.kind {
            SecretKind::Text(text) => SecretKind::Text(text.clone()),
            SecretKind::Key(key) => SecretKind::Key(key.clone()),
        };
        Secret(Arc::new(SecretInner {
            kind,
            js_length: self.0.js_length,
            derived_keys: KeyCache::disabled(),
            keying: self.0.keying.clone(),
        }))
    }

    fn from_kind(kind: SecretKind) -> Self {
        let js_length = match &kind {
            SecretKind::Text(text) => text.encode_utf16().count(),
            SecretKind::Key(key) => key.len(),
        };
        let keying = match &kind {
            SecretKind::Text(text) => Keying::Pbkdf2(HmacSha1Key::new(text.as_bytes())),
            SecretKind::Key(key) => Keying::Raw(MacKey::new(key)),
        };
        Secret(Arc::new(SecretInner {
            kind,
            js_length,
            derived_keys: KeyCache::default(),
            keying,
        }))
    }

    /// The keys already derived from this secret.
    pub(crate) fn derived_keys(&self) -> &KeyCache {
        &self.0.derived_keys
    }

    /// How keys are made from this secret.
    pub(crate) fn keying(&self) -> &Keying {
        &self.0.keying
    }

    /// Whether this is a raw key rather than a text password.
    pub fn is_key(&self) -> bool {
        matches!(self.0.kind, SecretKind::Key(_))
    }

    /// The secret as a key-derivation input: `(bytes, is_text)`.
    pub(crate) fn material(&self) -> (&[u8], bool) {
        match &self.0.kind {
            SecretKind::Text(text) => (text.as_bytes(), true),
            SecretKind::Key(key) => (key, false),
        }
    }

    /// The length in UTF-16 code units for a text password, the byte length for a key.
    pub(crate) fn js_length(&self) -> usize {
        self.0.js_length
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match &self.0.kind {
            SecretKind::Text(_) => "Secret::Text([redacted])",
            SecretKind::Key(_) => "Secret::Key([redacted])",
        })
    }
}

/// The secrets of one password: one for the encryption key and one for the integrity key, which
/// are usually the same secret.
///
/// ```
/// use iron_seal::{Password, Secret};
///
/// let same = Password::from("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg");
/// let split = Password::separate(
///     Secret::text("an encryption password of 32+ characters"),
///     Secret::text("an integrity password of 32 or more chars"),
/// );
/// # let _ = (same, split);
/// ```
#[derive(Clone)]
pub struct Password {
    encryption: Secret,
    integrity: Secret,
    /// The seal-key reuse window of this password, shared by its clones.
    key_windows: Arc<KeyWindows>,
}

impl Password {
    /// One secret for both keys.
    pub fn new(secret: Secret) -> Self {
        Password::separate(secret.clone(), secret)
    }

    /// Different secrets for the encryption and the integrity keys.
    pub fn separate(encryption: Secret, integrity: Secret) -> Self {
        Password {
            encryption,
            integrity,
            key_windows: Arc::default(),
        }
    }

    /// The encryption secret.
    pub fn encryption(&self) -> &Secret {
        &self.encryption
    }

    /// The integrity secret.
    pub fn integrity(&self) -> &Secret {
        &self.integrity
    }

    /// The window of salts and keys that seals with [`Options::with_key_reuse`](crate::Options::with_key_reuse) reuse.
    pub(crate) fn key_windows(&self) -> &KeyWindows {
        &self.key_windows
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Password")
            .field("encryption", &self.encryption)
            .field("integrity", &self.integrity)
            .finish()
    }
}

impl From<&str> for Password {
    fn from(text: &str) -> Self {
        Password::new(Secret::text(text))
    }
}

impl From<String> for Password {
    fn from(text: String) -> Self {
        Password::new(Secret::text(text))
    }
}

impl From<Secret> for Password {
    fn from(secret: Secret) -> Self {
        Password::new(secret)
    }
}

/// A password id as written in field 1 of a seal: empty, or ASCII letters, digits and `_`.
///
/// ```
/// use iron_seal::PasswordId;
/// assert_eq!(PasswordId::new("2").unwrap().as_str(), "2");
/// assert!(PasswordId::new("asd$").is_err());
/// assert_eq!(PasswordId::NONE.as_str(), "");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PasswordId(String);

impl PasswordId {
    /// No id: the seal's field 1 is empty (readers that look passwords up by id use `default`).
    pub const NONE: PasswordId = PasswordId(String::new());

    /// Checks an id against Iron's rule `^\w+$` (ASCII only).
    ///
    /// # Errors
    /// [`Error::InvalidPasswordId`] for an empty id or any other character.
    pub fn new(id: impl Into<String>) -> Result<Self, Error> {
        let id = id.into();
        if is_valid_id(&id) {
            Ok(PasswordId(id))
        } else {
            Err(Error::InvalidPasswordId)
        }
    }

    /// The id as written in a seal.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PasswordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `id` matches `^\w+$` with JavaScript's ASCII-only `\w`.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Finds the password that opens a seal, from the id written in the seal.
///
/// A single [`Password`] ignores the id (as Iron does when given one password). Maps look the id
/// up among their own keys only, with `default` for an empty id; unlike JavaScript's `in`, a seal
/// naming `constructor` or `__proto__` simply finds no password.
///
/// ```
/// use std::collections::HashMap;
/// use iron_seal::{Password, PasswordLookup};
///
/// let mut map = HashMap::new();
/// map.insert("1".to_string(), Password::from("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg"));
/// assert!(map.password_for("1").is_some());
/// assert!(map.password_for("constructor").is_none());
/// ```
pub trait PasswordLookup {
    /// The password for the seal's id (`id` is field 1 of the seal, possibly empty).
    fn password_for(&self, id: &str) -> Option<&Password>;
}

impl PasswordLookup for Password {
    fn password_for(&self, _id: &str) -> Option<&Password> {
        Some(self)
    }
}

/// The key a seal's id is looked up under in a map: the id itself, or `default` when it is empty.
fn map_key(id: &str) -> &str {
    if id.is_empty() { "default" } else { id }
}

impl PasswordLookup for HashMap<String, Password> {
    fn password_for(&self, id: &str) -> Option<&Password> {
        self.get(map_key(id))
    }
}

impl PasswordLookup for BTreeMap<String, Password> {
    fn password_for(&self, id: &str) -> Option<&Password> {
        self.get(map_key(id))
    }
}

impl<T: PasswordLookup + ?Sized> PasswordLookup for &T {
    fn password_for(&self, id: &str) -> Option<&Password> {
        (**self).password_for(id)
    }
}
