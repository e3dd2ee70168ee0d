//! The text layout of a seal: eight fields joined by `*`, and their structural checks.

use std::fmt;

use crate::Error;

/// The first field of every seal this crate reads or writes.
pub const PREFIX: &str = "Fe26.2";
/// The separator between fields.
pub(crate) const SEPARATOR: char = '*';
/// [`SEPARATOR`] as the byte it is.
const SEPARATOR_BYTE: u8 = b'*';
const _: () = assert!(SEPARATOR as u32 == SEPARATOR_BYTE as u32);
const FIELD_COUNT: usize = 8;

/// The fields of a seal, borrowed from its text, after the structural checks (field count,
/// prefix, expiration format) and before any cryptography. Nothing here is authenticated yet.
///
/// ```
/// use iron_seal::SealParts;
///
/// let parts = SealParts::parse("Fe26.2*1*salt*iv*ct*1700000000000*hsalt*mac").unwrap();
/// assert_eq!(parts.password_id(), "1");
/// assert_eq!(parts.expiration_ms(), Some(1_700_000_000_000));
/// ```
///
/// `Debug` shows the password id, the expiration and the field lengths only: a seal is a bearer
/// token, and a log line must not carry one.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SealParts<'a> {
    mac_base: &'a str,
    password_id: &'a str,
    encryption_salt: &'a str,
    iv: &'a str,
    ciphertext: &'a str,
    expiration_ms: Option<u64>,
    hmac_salt: &'a str,
    hmac: &'a str,
}

impl fmt::Debug for SealParts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealParts")
            .field("password_id", &self.password_id)
            .field("expiration_ms", &self.expiration_ms)
            .field("encryption_salt_len", &self.encryption_salt.len())
            .field("iv_len", &self.iv.len())
            .field("ciphertext_len", &self.ciphertext.len())
            .field("hmac_salt_len", &self.hmac_salt.len())
            .field("hmac_len", &self.hmac.len())
            .finish()
    }
}

impl<'a> SealParts<'a> {
    /// Splits a seal (without any `~` suffix) into its fields.
    ///
    /// # Errors
    /// [`Error::ComponentCount`], [`Error::WrongPrefix`] or [`Error::InvalidExpiration`], checked
    /// in that order.
    pub fn parse(sealed: &'a str) -> Result<Self, Error> {
        // Where each field ends: at a separator, the last one at the end of the seal.
        let mut ends = [sealed.len(); FIELD_COUNT];
        let mut found = 1;
        for at in memchr::memchr_iter(SEPARATOR_BYTE, sealed.as_bytes()) {
            if found < FIELD_COUNT {
                ends[found - 1] = at;
            }
            found += 1;
        }
        if found != FIELD_COUNT {
            return Err(Error::ComponentCount { found });
        }
        // Each field starts after the separator that ends the one before it. The separator is
        // ASCII, so every bound is a character boundary of the seal.
        let mut start = 0;
        let fields = ends.map(|end| {
            let field = &sealed[start..end];
            start = end + 1;
            field
        });
        let [
            prefix,
            password_id,
            encryption_salt,
            iv,
            ciphertext,
            expiration,
            hmac_salt,
            hmac,
        ] = fields;
        if prefix != PREFIX {
            return Err(Error::WrongPrefix);
        }
        let expiration_ms = parse_expiration(expiration)?;
        // Fields 0..=5 and their separators: everything before the HMAC salt's separator.
        let mac_base_len = sealed.len() - hmac.len() - hmac_salt.len() - 2;
        Ok(SealParts {
            mac_base: &sealed[..mac_base_len],
            password_id,
            encryption_salt,
            iv,
            ciphertext,
            expiration_ms,
            hmac_salt,
            hmac,
        })
    }

    /// The text the HMAC covers: fields 0 to 5 joined by `*`.
    pub fn mac_base(&self) -> &'a str {
        self.mac_base
    }

    /// Field 1: the password id (may be empty).
    pub fn password_id(&self) -> &'a str {
        self.password_id
    }

    /// Field 2: the encryption key's salt (hex text; empty for a raw key).
    pub fn encryption_salt(&self) -> &'a str {
        self.encryption_salt
    }

    /// Field 3: the IV, base64url.
    pub fn iv(&self) -> &'a str {
        self.iv
    }

    /// Field 4: the ciphertext, base64url.
    pub fn ciphertext(&self) -> &'a str {
        self.ciphertext
    }

    /// Field 5: the expiration in milliseconds since the Unix epoch, or `None` if the seal never
    /// expires. Values beyond `u64` saturate (such a seal never expires in practice either).
    pub fn expiration_ms(&self) -> Option<u64> {
        self.expiration_ms
    }

    /// Field 6: the integrity key's salt.
    pub fn hmac_salt(&self) -> &'a str {
        self.hmac_salt
    }

    /// Field 7: the HMAC, base64url.
    pub fn hmac(&self) -> &'a str {
        self.hmac
    }
}

/// iron-session 9's rule (from iron-webcrypto 2): empty (never expires) or `^[1-9]\d*$`, the
/// canonical decimal spelling. `@hapi/iron` and iron-session 8 also accept leading zeros (`0175…`,
/// `00`); a seal is refused here whenever iron-session 9 refuses it.
fn parse_expiration(text: &str) -> Result<Option<u64>, Error> {
    if text.is_empty() {
        return Ok(None);
    }
    let canonical = text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0');
    if !canonical {
        return Err(Error::InvalidExpiration);
    }
    let value = text.bytes().fold(0u64, |acc, digit| {
        acc.saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'))
    });
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expirations_are_canonical_decimals_as_in_iron_session_9() {
        for refused in ["0", "00", "0175", "01795785048257", "+1", "1.5", "1e3"] {
            assert_eq!(
                parse_expiration(refused),
                Err(Error::InvalidExpiration),
                "{refused:?}"
            );
        }
        assert_eq!(parse_expiration(""), Ok(None));
        assert_eq!(parse_expiration("1"), Ok(Some(1)));
        assert_eq!(parse_expiration("10"), Ok(Some(10)));
        assert_eq!(
            parse_expiration("1795785048257"),
            Ok(Some(1_795_785_048_257))
        );
    }
}
