//! The password set: one password, or several with numeric ids for rotation.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use iron_seal::{
    KeyReuse, MIN_PASSWORD_LENGTH, OsRandom, Password, PasswordId, PasswordLookup, RandomSource,
};

use zeroize::Zeroizing;

use crate::seal::derivation::Derivation;
use crate::seal::purpose::{self, PurposeCache};
use crate::seal::rotation::{self, JsonPassword, KeyStage, PasswordsAt};
use crate::{PasswordError, password_weakness};

/// The passwords that seal and unseal, as iron-session takes them: a single password (which gets
/// id `1`), or a map of non-negative integer ids to passwords.
///
/// The **highest id seals**; every id unseals. To rotate, add a new password with a higher id:
/// new cookies use it, old cookies keep working until you remove their id (which logs those users
/// out). Every password must be at least 32 characters, counted in UTF-16 code units exactly as
/// iron-session counts (`"🔑"` is 2), and must not be guessable (see [`password_weakness`]):
/// get one from [`Passwords::generate`]. Deployments stuck with a weak password for now use the
/// `dangerous_allow_weak_…` constructors, which skip only that check.
///
/// `Debug` shows the ids only.
///
/// ```
/// use ironsession::Passwords;
///
/// let passwords = Passwords::from_pairs([
///     (1, "25P5_eaThxxbIO7dxW7O5Jsji22Srzy-34AbbTPlrno"),
///     (2, "FvbqOpq2WDDN-QIbiyQVm6OkHnDHSG1wxP24UoPTWAY"),
/// ])?;
/// assert_eq!(passwords.sealing_id(), 2);
/// assert_eq!(format!("{passwords:?}"), "Passwords { ids: [1, 2] }");
/// # Ok::<(), ironsession::PasswordError>(())
/// ```
#[derive(Clone)]
pub struct Passwords {
    // Shared by clones (`Arc`), so a clone allocates nothing: a request handler may well clone
    // the passwords (an axum `Extension`, state) on every request.
    by_id: Arc<BTreeMap<u64, Password>>,
    /// The text of each password, which purpose-bound passwords are derived from.
    texts: Arc<BTreeMap<u64, Zeroizing<String>>>,
    /// The purpose-bound sets derived so far, shared by clones.
    purposes: Arc<PurposeCache>,
    /// The purpose these passwords are bound to, if they were derived for one.
    purpose: Option<Arc<str>>,
    /// The highest id, as a number and as written in seals, and its password.
    sealing: Arc<(u64, PasswordId, Password)>,
    /// The ids with a [`KeyStage`]; usually none.
    stages: Arc<BTreeMap<u64, KeyStage>>,
    /// The window in which new seals reuse their password's salts and keys, if they do.
    key_reuse: Option<KeyReuse>,
    /// The PBKDF2 iteration counts of sealing and unsealing.
    pub(super) derivation: Derivation,
    /// Whether a seal without a password id opens with the password that seals.
    pub(super) unnamed_seals: bool,
}

impl Passwords {
    /// One password, with id `1` (what iron-session does with a plain string).
    ///
    /// ```
    /// let passwords = ironsession::Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?;
    /// assert_eq!(passwords.sealing_id(), 1);
    /// # Ok::<(), ironsession::PasswordError>(())
    /// ```
    ///
    /// # Errors
    /// [`PasswordError::TooShort`] or [`PasswordError::Weak`].
    pub fn single(password: impl Into<String>) -> Result<Self, PasswordError> {
        Self::from_pairs([(1, password)])
    }

    /// Several passwords by id.
    ///
    /// ```
    /// use ironsession::{Passwords, PasswordError, Weakness};
    ///
    /// let refused = Passwords::from_pairs([(1, "password".repeat(4))]).unwrap_err();
    /// assert_eq!(refused, PasswordError::Weak { id: 1, weakness: Weakness::RepeatedPattern { pattern_length: 8 } });
    /// ```
    ///
    /// # Errors
    /// [`PasswordError::Empty`], [`PasswordError::DuplicateId`], [`PasswordError::TooShort`] or
    /// [`PasswordError::Weak`].
    pub fn from_pairs<S: Into<String>>(
        pairs: impl IntoIterator<Item = (u64, S)>,
    ) -> Result<Self, PasswordError> {
        Self::build(pairs, Strength::Required)
    }

    /// [`Passwords::single`] without the weak-password check: only for existing deployments that
    /// cannot replace a guessable password at once, and for tests that must use published
    /// vectors. Anyone who guesses the password can forge any session.
    ///
    /// ```
    /// let passwords = ironsession::Passwords::dangerous_allow_weak_single("a".repeat(32))?;
    /// assert_eq!(passwords.sealing_id(), 1);
    /// # Ok::<(), ironsession::PasswordError>(())
    /// ```
    ///
    /// # Errors
    /// [`PasswordError::TooShort`]: the length rule is iron-session's and always applies.
    pub fn dangerous_allow_weak_single(password: impl Into<String>) -> Result<Self, PasswordError> {
        Self::dangerous_allow_weak_from_pairs([(1, password)])
    }

    /// [`Passwords::from_pairs`] without the weak-password check (see
    /// [`dangerous_allow_weak_single`](Passwords::dangerous_allow_weak_single)).
    ///
    /// # Errors
    /// As [`Passwords::from_pairs`], except [`PasswordError::Weak`].
    pub fn dangerous_allow_weak_from_pairs<S: Into<String>>(
        pairs: impl IntoIterator<Item = (u64, S)>,
    ) -> Result<Self, PasswordError> {
        Self::build(pairs, Strength::DangerousAllowWeak)
    }

    /// A new random password to put in your secret store: 48 characters of `A–Z a–z 0–9 - _`
    /// (288 bits from the operating system's random source), safe unquoted in a shell, an env
    /// file, JSON or a cookie. The same as `ironsession gen-password`.
    ///
    /// ```
    /// use ironsession::Passwords;
    ///
    /// let password = Passwords::generate()?;
    /// assert_eq!(password.len(), 48);
    /// assert_ne!(password, Passwords::generate()?);
    /// let passwords = Passwords::single(password)?;
    /// # Ok::<(), ironsession::PasswordError>(())
    /// ```
    ///
    /// # Errors
    /// [`PasswordError::Random`] when the operating system's random source fails.
    pub fn generate() -> Result<String, PasswordError> {
        Self::generate_with_length(GENERATED_LENGTH)
    }

    /// [`Passwords::generate`] with `length` characters (6 random bits each). A draw that the
    /// weak-password check would refuse (for 32 characters, fewer than one in a million: random
    /// text that happens to spell words or dates) is replaced by another, so every generated
    /// password is accepted.
    ///
    /// # Errors
    /// [`PasswordError::TooShort`] (with id 0) under 32 characters, [`PasswordError::Random`].
    pub fn generate_with_length(length: usize) -> Result<String, PasswordError> {
        if length < MIN_PASSWORD_LENGTH {
            return Err(PasswordError::TooShort {
                id: 0,
                length,
                min: MIN_PASSWORD_LENGTH,
            });
        }
        let mut bytes = Zeroizing::new(vec![0u8; length]);
        loop {
            OsRandom
                .fill(&mut bytes)
                .map_err(|_| PasswordError::Random)?;
            // A refused draw is wiped too.
            let mut password: Zeroizing<String> = Zeroizing::new(
                bytes
                    .iter()
                    .map(|byte| char::from(GENERATED_ALPHABET[usize::from(byte & 0x3f)]))
                    .collect(),
            );
            if password_weakness(&password).is_none() {
                return Ok(std::mem::take(&mut *password));
            }
        }
    }

    fn build<S: Into<String>>(
        pairs: impl IntoIterator<Item = (u64, S)>,
        strength: Strength,
    ) -> Result<Self, PasswordError> {
        let mut by_id = BTreeMap::new();
        let mut texts = BTreeMap::new();
        for (id, password) in pairs {
            let password = Zeroizing::new(password.into());
            let length = password.encode_utf16().count();
            if length < MIN_PASSWORD_LENGTH {
                return Err(PasswordError::TooShort {
                    id,
                    length,
                    min: MIN_PASSWORD_LENGTH,
                });
            }
            if strength == Strength::Required
                && let Some(weakness) = password_weakness(&password)
            {
                return Err(PasswordError::Weak { id, weakness });
            }
            if by_id
                .insert(id, Password::from(password.as_str()))
                .is_some()
            {
                return Err(PasswordError::DuplicateId { id });
            }
            texts.insert(id, password);
        }
        let Some((&highest, password)) = by_id.last_key_value() else {
            return Err(PasswordError::Empty);
        };
        // Decimal digits always match Iron's id rule `^\w+$`.
        let id = PasswordId::new(highest.to_string()).expect("digits are a valid id");
        let sealing = Arc::new((highest, id, password.clone()));
        Ok(Passwords {
            by_id: Arc::new(by_id),
            texts: Arc::new(texts),
            purposes: Arc::default(),
            purpose: None,
            sealing,
            stages: Arc::default(),
            key_reuse: Some(KeyReuse::DEFAULT),
            derivation: Derivation::default(),
            unnamed_seals: false,
        })
    }

    /// The passwords bound to `purpose`: same ids, each password derived from the original and
    /// the purpose. Seal a token for a purpose with them, and open it with them: the plain
    /// passwords (a session cookie), the passwords of another purpose, and a Node app that shares
    /// the plain password all fail to open it, with reason `invalid`. Derived sets are kept, so a
    /// purpose token costs what a plain one costs (keep the returned set where you can: calling
    /// `for_purpose` on every request adds a cache lookup and a copy; `benches/purpose.rs`).
    ///
    /// The derived password of each id is 43 characters, a valid Iron password:
    ///
    /// ```text
    /// base64url_nopad(HMAC-SHA256(key = password, message = "ironsession purpose v1\0" + purpose))
    /// ```
    ///
    /// (UTF-8 throughout). Nothing in the token says it has a purpose: it is a plain Fe26.2 seal,
    /// and only a reader that derives the same password opens it. A Node peer that must read such
    /// tokens derives it with
    /// `crypto.createHmac("sha256", password).update("ironsession purpose v1\0" + purpose).digest("base64url")`.
    /// Tokens are better still with a password of their own.
    ///
    /// ```
    /// use ironsession::{seal_data, unseal_data, Passwords, Ttl, UnsealReason};
    ///
    /// let passwords = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?;
    /// let magic_link = passwords.for_purpose("magic-link");
    /// let token = seal_data(&serde_json::json!({"userId": 1}), &magic_link, Ttl::seconds(900))?;
    /// let data: serde_json::Value = unseal_data(&token, &magic_link)?;
    /// assert_eq!(data["userId"], 1);
    /// // Sent as a session cookie, or for another purpose, it does not open.
    /// let as_cookie = unseal_data::<serde_json::Value>(&token, &passwords).unwrap_err();
    /// assert_eq!(as_cookie.reason(), UnsealReason::Invalid);
    /// assert!(unseal_data::<serde_json::Value>(&token, &passwords.for_purpose("reset")).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_purpose(&self, purpose: &str) -> Passwords {
        let mut derived = self.purposes.get_or_derive(purpose, || {
            let derived = self.texts.iter().map(|(&id, text)| {
                // Moved out, not copied: the emptied wrapper has nothing left to wipe.
                (
                    id,
                    std::mem::take(&mut *purpose::derive_password(text, purpose)),
                )
            });
            // Derived passwords are 43 characters under the same unique ids: nothing to refuse.
            let mut passwords = Self::build(derived, Strength::DangerousAllowWeak)
                .expect("derived passwords are long enough and keep their unique ids");
            passwords.purpose = Some(purpose.into());
            passwords.stages = self.stages.clone();
            passwords
        });
        derived.key_reuse = self.key_reuse;
        derived.derivation = self.derivation;
        derived.unnamed_seals = self.unnamed_seals;
        derived
    }

    /// The purpose these passwords are bound to, `None` for passwords as configured.
    ///
    /// ```
    /// let passwords = ironsession::Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?;
    /// assert_eq!(passwords.purpose(), None);
    /// assert_eq!(passwords.for_purpose("magic-link").purpose(), Some("magic-link"));
    /// # Ok::<(), ironsession::PasswordError>(())
    /// ```
    pub fn purpose(&self) -> Option<&str> {
        self.purpose.as_deref()
    }

    /// Reads the form operators keep in an environment variable or a file: either a plain password,
    /// or a JSON object of id to password, like `{"1":"…","2":"…"}` (the form iron-session takes).
    ///
    /// A plain password is taken verbatim, spaces and line breaks included, as Node takes
    /// `process.env.X`: trimming it would seal with another password than the Node peer. (A tool
    /// reading a file drops the one line break editors add at the end first, as the CLI does.)
    /// Whitespace around a JSON object is ignored.
    ///
    /// A value of the object may also be an object that [stages](crate::KeyStage) its password:
    /// `{"password": "…", "notBefore": T, "retiredAfter": T}`, both times optional, each an RFC 3339
    /// date (`"2026-12-01T00:00:00Z"`) or milliseconds since the Unix epoch. Unknown fields are
    /// refused, so a misspelt `notBefore` cannot make a password seal at once.
    ///
    /// ```
    /// use ironsession::Passwords;
    ///
    /// let rotated = Passwords::parse(r#"{"1":"iXx0hZMbVTsIYfa36UXOaYpgdzq9Su1y0PRd5dw8GRE","2":"oynVmcJKmN8fYxyN4K2BWfyg_f8QnBmW0W9i5OuksYI"}"#)?;
    /// assert_eq!(rotated.sealing_id(), 2);
    /// let plain = Passwords::parse("mHGSO0mBoKhgLwLgiRQqNara4cApm1oN_FgA5ZHYlD4")?;
    /// assert_eq!(plain.sealing_id(), 1);
    /// let staged = Passwords::parse(r#"{
    ///     "1": {"password": "iXx0hZMbVTsIYfa36UXOaYpgdzq9Su1y0PRd5dw8GRE", "retiredAfter": "2030-01-01T00:00:00Z"},
    ///     "2": {"password": "oynVmcJKmN8fYxyN4K2BWfyg_f8QnBmW0W9i5OuksYI", "notBefore": 1800000000000}
    /// }"#)?;
    /// assert_eq!(staged.sealing_id_at(1_799_999_999_999), 1);
    /// assert_eq!(staged.sealing_id_at(1_800_000_000_000), 2);
    /// assert_eq!(staged.stage(1).and_then(|s| s.retired_from_ms()), Some(1_893_456_000_000));
    /// # Ok::<(), ironsession::PasswordError>(())
    /// ```
    ///
    /// # Errors
    /// [`PasswordError::Json`] for text that starts with `{` but is not an object of strings or
    /// staged passwords (or has a time that is neither a date nor milliseconds),
    /// [`PasswordError::InvalidId`] for an id like `a`, `-1`, `1.5` or `01`, and the errors of
    /// [`Passwords::from_pairs`].
    pub fn parse(text: &str) -> Result<Self, PasswordError> {
        Self::parse_with(text, Strength::Required)
    }

    /// [`Passwords::parse`] without the weak-password check (see
    /// [`dangerous_allow_weak_single`](Passwords::dangerous_allow_weak_single)).
    ///
    /// # Errors
    /// As [`Passwords::parse`], except [`PasswordError::Weak`].
    pub fn dangerous_allow_weak_parse(text: &str) -> Result<Self, PasswordError> {
        Self::parse_with(text, Strength::DangerousAllowWeak)
    }

    fn parse_with(text: &str, strength: Strength) -> Result<Self, PasswordError> {
        if !text.trim_start().starts_with('{') {
            return Self::build([(1, text)], strength);
        }
        let map: BTreeMap<String, JsonPassword> = serde_json::from_str(text).map_err(|e| {
            // serde_json quotes values in its messages; a value here is a password.
            PasswordError::Json(format!("error at line {} column {}", e.line(), e.column()))
        })?;
        let mut pairs = Vec::with_capacity(map.len());
        let mut stages = Vec::new();
        for (id, entry) in map {
            let id = parse_id(&id).ok_or_else(|| invalid_id(&id))?;
            let (password, stage) = entry.into_parts(id)?;
            pairs.push((id, password));
            stages.extend(stage.map(|stage| (id, stage)));
        }
        stages
            .into_iter()
            .try_fold(Self::build(pairs, strength)?, |passwords, (id, stage)| {
                passwords.with_stage(id, stage)
            })
    }

    /// The id that seals: the highest.
    pub fn sealing_id(&self) -> u64 {
        if self.stages.is_empty() {
            return self.sealing.0;
        }
        self.sealing_id_at(iron_seal::system_now_ms())
    }

    /// The id that seals at the clock reading `now_ms` (milliseconds since the Unix epoch): the
    /// highest whose [`KeyStage`] lets it seal then.
    pub fn sealing_id_at(&self, now_ms: u64) -> u64 {
        if self.stages.is_empty() {
            return self.sealing.0;
        }
        let ids = self.by_id.keys().map(|id| (*id, self.stages.get(id)));
        // `by_id` is never empty (checked when built).
        rotation::sealing_id_at(ids, now_ms).unwrap_or(self.sealing.0)
    }

    /// The highest id.
    pub(crate) fn highest_id(&self) -> u64 {
        self.sealing.0
    }

    /// Gives password `id` a [`KeyStage`]: when it starts sealing, and when it is retired.
    ///
    /// # Errors
    /// [`PasswordError::StageWithoutPassword`] for an id without a password,
    /// [`PasswordError::StageOrder`] for a stage retired before it may seal.
    pub fn with_stage(mut self, id: u64, stage: KeyStage) -> Result<Self, PasswordError> {
        if !self.by_id.contains_key(&id) {
            return Err(PasswordError::StageWithoutPassword { id });
        }
        stage.check(id)?;
        Arc::make_mut(&mut self.stages).insert(id, stage);
        // Sets derived before carry the old stages; this set starts its own.
        self.purposes = Arc::default();
        Ok(self)
    }

    /// The stage of password `id`, if it has one.
    pub fn stage(&self, id: u64) -> Option<KeyStage> {
        self.stages.get(&id).copied()
    }

    /// Whether new seals (session cookies and [`seal_data`](crate::seal_data)) reuse their
    /// password's salts and keys (default: on). With it on, the seals each password makes within
    /// 60 seconds, up to 65 536 of them, share one pair of salts and the two keys derived from
    /// them ([`iron_seal::KeyReuse::DEFAULT`]), so sealing skips two PBKDF2 derivations, about
    /// half the cost of a small seal, and this server's recent seals open without PBKDF2 too.
    /// Every seal still gets its own random IV and stays a plain Fe26.2 seal that iron-session
    /// reads. What is shared: seals of one window show the same salts, so they can be told to
    /// come from the same server within the same minute (SECURITY.md says why that is
    /// acceptable). Off: fresh salts and two derivations for every seal, as iron-session does.
    ///
    /// ```
    /// use ironsession::{seal_data, Passwords, Ttl};
    ///
    /// let passwords = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?;
    /// assert!(passwords.seal_key_reuse());
    /// let salts = |seal: &str| {
    ///     let fields: Vec<&str> = seal.split('*').collect();
    ///     (fields[2].to_owned(), fields[6].to_owned())
    /// };
    /// let (a, b) = (seal_data(&1, &passwords, Ttl::DEFAULT)?, seal_data(&2, &passwords, Ttl::DEFAULT)?);
    /// assert_eq!(salts(&a), salts(&b));
    ///
    /// let fresh = passwords.with_seal_key_reuse(false);
    /// let (a, b) = (seal_data(&1, &fresh, Ttl::DEFAULT)?, seal_data(&2, &fresh, Ttl::DEFAULT)?);
    /// assert_ne!(salts(&a), salts(&b));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_seal_key_reuse(mut self, on: bool) -> Self {
        self.key_reuse = on.then_some(KeyReuse::DEFAULT);
        self
    }

    /// Whether new seals reuse their password's salts and keys (see
    /// [`with_seal_key_reuse`](Passwords::with_seal_key_reuse)).
    pub fn seal_key_reuse(&self) -> bool {
        self.key_reuse.is_some()
    }

    /// The window in which new seals reuse their password's salts and keys, if they do.
    pub(super) fn key_reuse(&self) -> Option<KeyReuse> {
        self.key_reuse
    }

    /// The passwords as they stand at `now_ms`: retired ones unknown.
    pub(super) fn at(&self, now_ms: u64) -> PasswordsAt<'_> {
        PasswordsAt {
            passwords: self,
            now_ms,
        }
    }

    /// The password that opens a seal naming `id` at `now_ms`: the id's unless it is retired, or
    /// for a seal that names no id (with [unnamed seals](Passwords::with_unnamed_seals) on), the
    /// password that seals now.
    pub(super) fn lookup_at(&self, id: &str, now_ms: u64) -> Option<&Password> {
        if id.is_empty() && self.unnamed_seals {
            return Some(self.sealing_at(now_ms).1);
        }
        self.password_at(id, now_ms)
    }

    /// The password for a seal's id at `now_ms`, unless it is retired.
    pub(super) fn password_at(&self, id: &str, now_ms: u64) -> Option<&Password> {
        let id = parse_id(id)?;
        if self
            .stages
            .get(&id)
            .is_some_and(|stage| stage.is_retired(now_ms))
        {
            return None;
        }
        self.by_id.get(&id)
    }

    /// The id (as written in seals) and password that seal at `now_ms`.
    pub(super) fn sealing_at(&self, now_ms: u64) -> (Cow<'_, PasswordId>, &Password) {
        let id = self.sealing_id_at(now_ms);
        if id == self.sealing.0 {
            return (Cow::Borrowed(&self.sealing.1), &self.sealing.2);
        }
        // Decimal digits always match Iron's id rule, and the id comes from `by_id`.
        let password_id = PasswordId::new(id.to_string()).expect("digits are a valid id");
        (Cow::Owned(password_id), &self.by_id[&id])
    }

    /// All ids, ascending.
    ///
    /// ```
    /// let passwords = ironsession::Passwords::from_pairs([
    ///     (7, "U5zDseOxuyaXoXQbVqi4vI2V7PeVz62Scm1Kgw2u1gY"),
    ///     (3, "uE-cO8NDkuDOXUNbEzv3WUcWpEdYRpIYHjptl1hfO1w"),
    /// ])?;
    /// assert_eq!(passwords.ids().collect::<Vec<_>>(), [3, 7]);
    /// # Ok::<(), ironsession::PasswordError>(())
    /// ```
    pub fn ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.by_id.keys().copied()
    }
}

impl PasswordLookup for Passwords {
    /// Retired passwords are unknown, by the system clock.
    fn password_for(&self, id: &str) -> Option<&Password> {
        if self.stages.is_empty() && !self.unnamed_seals {
            return self.by_id.get(&parse_id(id)?);
        }
        self.lookup_at(id, iron_seal::system_now_ms())
    }
}

impl fmt::Debug for Passwords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Passwords");
        debug.field("ids", &self.by_id.keys().collect::<Vec<_>>());
        if let Some(purpose) = &self.purpose {
            debug.field("purpose", purpose);
        }
        debug.finish()
    }
}

/// Whether the weak-password check runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Strength {
    Required,
    DangerousAllowWeak,
}

/// The length of [`Passwords::generate`]'s passwords.
const GENERATED_LENGTH: usize = 48;

/// 64 symbols, so each random byte's low 6 bits pick one without bias.
const GENERATED_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A canonical decimal id: digits only, no leading zero (so `"01"` is not id 1, as in JavaScript
/// where the map key `"01"` is not the key `"1"`).
fn parse_id(id: &str) -> Option<u64> {
    let canonical = !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit())
        && (id == "0" || !id.starts_with('0'));
    if canonical { id.parse().ok() } else { None }
}

fn invalid_id(id: &str) -> PasswordError {
    PasswordError::InvalidId {
        id: id.chars().take(64).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purpose_set_follows_stages_given_after_an_earlier_derivation() {
        let passwords = Passwords::from_pairs([
            (1, "25P5_eaThxxbIO7dxW7O5Jsji22Srzy-34AbbTPlrno"),
            (2, "FvbqOpq2WDDN-QIbiyQVm6OkHnDHSG1wxP24UoPTWAY"),
        ])
        .unwrap();
        assert_eq!(passwords.for_purpose("magic-link").sealing_id_at(0), 2);
        let staged = passwords
            .clone()
            .with_stage(2, crate::KeyStage::new().not_before_ms(1_000))
            .unwrap();
        let magic_link = staged.for_purpose("magic-link");
        assert_eq!(magic_link.sealing_id_at(0), 1, "id 2 may not seal yet");
        assert_eq!(magic_link.sealing_id_at(1_000), 2);
        // The unstaged original keeps its own derived set.
        assert_eq!(passwords.for_purpose("magic-link").sealing_id_at(0), 2);
    }

    #[test]
    fn a_purpose_is_derived_once_and_shared_by_clones() {
        let passwords = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg").unwrap();
        let first = passwords.for_purpose("magic-link");
        let second = passwords.clone().for_purpose("magic-link");
        // The same derived set, so the same secrets and the keys they have already derived.
        assert!(Arc::ptr_eq(&first.texts, &second.texts));
        assert!(!Arc::ptr_eq(
            &first.texts,
            &passwords.for_purpose("other").texts
        ));
    }
}
