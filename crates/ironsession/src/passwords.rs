//! The password set: one password, or several with numeric ids for rotation.

use std::collections::BTreeMap;
use std::fmt;

use iron_seal::{MIN_PASSWORD_LENGTH, Password, PasswordId, PasswordLookup};

use crate::PasswordError;

/// The passwords that seal and unseal, as iron-session takes them: a single password (which gets
/// id `1`), or a map of non-negative integer ids to passwords.
///
/// The **highest id seals**; every id unseals. To rotate, add a new password with a higher id:
/// new cookies use it, old cookies keep working until you remove their id (which logs those users
/// out). Every password must be at least 32 characters, counted in UTF-16 code units exactly as
/// iron-session counts (`"🔑"` is 2).
///
/// `Debug` shows the ids only.
///
/// ```
/// use ironsession::Passwords;
///
/// let passwords = Passwords::from_pairs([
///     (1, "the old password, at least 32 characters long"),
///     (2, "the new password, at least 32 characters long"),
/// ])?;
/// assert_eq!(passwords.sealing_id(), 2);
/// assert_eq!(format!("{passwords:?}"), "Passwords { ids: [1, 2] }");
/// # Ok::<(), ironsession::PasswordError>(())
/// ```
#[derive(Clone)]
pub struct Passwords {
    by_id: BTreeMap<u64, Password>,
    /// The highest id, as a number and as written in seals, and its password.
    sealing: (u64, PasswordId, Password),
}

impl Passwords {
    /// One password, with id `1` (what iron-session does with a plain string).
    ///
    /// ```
    /// let passwords = ironsession::Passwords::single("a password of at least thirty-two characters")?;
    /// assert_eq!(passwords.sealing_id(), 1);
    /// # Ok::<(), ironsession::PasswordError>(())
    /// ```
    ///
    /// # Errors
    /// [`PasswordError::TooShort`].
    pub fn single(password: impl Into<String>) -> Result<Self, PasswordError> {
        Self::from_pairs([(1, password)])
    }

    /// Several passwords by id.
    ///
    /// # Errors
    /// [`PasswordError::Empty`], [`PasswordError::DuplicateId`] or [`PasswordError::TooShort`].
    pub fn from_pairs<S: Into<String>>(
        pairs: impl IntoIterator<Item = (u64, S)>,
    ) -> Result<Self, PasswordError> {
        let mut by_id = BTreeMap::new();
        for (id, password) in pairs {
            let password = password.into();
            let length = password.encode_utf16().count();
            if length < MIN_PASSWORD_LENGTH {
                return Err(PasswordError::TooShort {
                    id,
                    length,
                    min: MIN_PASSWORD_LENGTH,
                });
            }
            if by_id.insert(id, Password::from(password)).is_some() {
                return Err(PasswordError::DuplicateId { id });
            }
        }
        let Some((&highest, password)) = by_id.last_key_value() else {
            return Err(PasswordError::Empty);
        };
        // Decimal digits always match Iron's id rule `^\w+$`.
        let id = PasswordId::new(highest.to_string()).expect("digits are a valid id");
        let sealing = (highest, id, password.clone());
        Ok(Passwords { by_id, sealing })
    }

    /// Reads the form operators keep in an environment variable or a file: either a plain password,
    /// or a JSON object of id to password, like `{"1":"…","2":"…"}` (the form iron-session takes).
    /// Surrounding whitespace is ignored.
    ///
    /// ```
    /// use ironsession::Passwords;
    ///
    /// let rotated = Passwords::parse(r#"{"1":"an old password of 32 characters or more","2":"a new password of 32 characters or more!!"}"#)?;
    /// assert_eq!(rotated.sealing_id(), 2);
    /// let plain = Passwords::parse("a plain password of thirty-two characters\n")?;
    /// assert_eq!(plain.sealing_id(), 1);
    /// # Ok::<(), ironsession::PasswordError>(())
    /// ```
    ///
    /// # Errors
    /// [`PasswordError::Json`] for text that starts with `{` but is not an object of strings,
    /// [`PasswordError::InvalidId`] for an id like `a`, `-1`, `1.5` or `01`, and the errors of
    /// [`Passwords::from_pairs`].
    pub fn parse(text: &str) -> Result<Self, PasswordError> {
        let text = text.trim();
        if !text.starts_with('{') {
            return Self::single(text);
        }
        let map: BTreeMap<String, String> = serde_json::from_str(text).map_err(|e| {
            // serde_json quotes values in its messages; a value here is a password.
            PasswordError::Json(format!("error at line {} column {}", e.line(), e.column()))
        })?;
        let pairs = map
            .into_iter()
            .map(|(id, password)| Ok((parse_id(&id).ok_or_else(|| invalid_id(&id))?, password)))
            .collect::<Result<Vec<_>, PasswordError>>()?;
        Self::from_pairs(pairs)
    }

    /// The id that seals: the highest.
    pub fn sealing_id(&self) -> u64 {
        self.sealing.0
    }

    /// All ids, ascending.
    ///
    /// ```
    /// let passwords = ironsession::Passwords::from_pairs([(7, "x".repeat(32)), (3, "y".repeat(32))])?;
    /// assert_eq!(passwords.ids().collect::<Vec<_>>(), [3, 7]);
    /// # Ok::<(), ironsession::PasswordError>(())
    /// ```
    pub fn ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.by_id.keys().copied()
    }

    /// The sealing id as written in seals, and its password.
    pub(crate) fn sealing(&self) -> (&PasswordId, &Password) {
        (&self.sealing.1, &self.sealing.2)
    }
}

impl PasswordLookup for Passwords {
    fn password_for(&self, id: &str) -> Option<&Password> {
        self.by_id.get(&parse_id(id)?)
    }
}

impl fmt::Debug for Passwords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Passwords")
            .field("ids", &self.by_id.keys().collect::<Vec<_>>())
            .finish()
    }
}

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
