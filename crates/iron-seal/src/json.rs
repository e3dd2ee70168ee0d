//! Sealing JSON values, as Iron does with `JSON.stringify` and `JSON.parse`.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Error, Options, Password, PasswordId, PasswordLookup, seal, unseal};

/// Serializes `value` to JSON and seals it now, with the OS random source.
///
/// ```
/// use iron_seal::{seal_json, unseal_json, Options, Password, PasswordId};
///
/// let password = Password::from("a password of at least thirty-two characters");
/// let id = PasswordId::new("1").unwrap();
/// let sealed = seal_json(&vec![1, 2, 3], &id, &password, &Options::default()).unwrap();
/// let back: Vec<u32> = unseal_json(&sealed, &password, &Options::default()).unwrap();
/// assert_eq!(back, [1, 2, 3]);
/// ```
///
/// # Errors
/// [`Error::Serialize`] if `value` cannot be JSON (a map with non-string keys, say), and the
/// errors of [`seal`].
pub fn seal_json<T: Serialize + ?Sized>(
    value: &T,
    password_id: &PasswordId,
    password: &Password,
    options: &Options,
) -> Result<String, Error> {
    let json = serde_json::to_vec(value).map_err(|e| Error::Serialize(e.to_string()))?;
    seal(&json, password_id, password, options)
}

/// Opens a seal now and parses its JSON into `T`. An empty plaintext reads as JSON `null`, as
/// Iron returns `null` for it.
///
/// # Errors
/// [`Error::Json`] if the plaintext is not JSON for `T`, and the errors of [`unseal`].
pub fn unseal_json<T: DeserializeOwned>(
    sealed: &str,
    passwords: &impl PasswordLookup,
    options: &Options,
) -> Result<T, Error> {
    let plaintext = unseal(sealed, passwords, options)?;
    parse_json(&plaintext)
}

/// Parses an unsealed plaintext as Iron does: empty means `null`. JSON errors name the line and
/// column only, never the plaintext.
///
/// ```
/// let value: Option<u8> = iron_seal::parse_json(b"").unwrap();
/// assert_eq!(value, None);
/// ```
///
/// # Errors
/// [`Error::Json`].
pub fn parse_json<T: DeserializeOwned>(plaintext: &[u8]) -> Result<T, Error> {
    let text: &[u8] = if plaintext.is_empty() {
        b"null"
    } else {
        plaintext
    };
    serde_json::from_slice(text).map_err(|e| Error::Json(describe_without_data(&e)))
}

/// serde_json's own messages quote the offending value (`invalid type: string "..."`), which
/// would put the plaintext in logs; keep only the kind of error and where it is.
fn describe_without_data(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let kind = match error.classify() {
        Category::Io => "i/o error",
        Category::Syntax => "syntax error",
        Category::Data => "unexpected data for the type",
        Category::Eof => "unexpected end of input",
    };
    format!("{kind} at line {} column {}", error.line(), error.column())
}
