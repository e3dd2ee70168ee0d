//! A seal's MAC as a type whose only comparison is constant-time.

use std::fmt;

use subtle::{Choice, ConstantTimeEq};

use crate::crypto::MAC_B64_LEN;

/// The HMAC-SHA256 of a seal as its last field writes it: 43 characters of unpadded base64url.
///
/// `Mac` has no `PartialEq`, so a MAC cannot be compared with `==` by accident: the only
/// comparison is [`ConstantTimeEq`], whose time does not depend on where two MACs differ. This
/// crate compares a computed MAC with a seal's in one place, through this type. Like Iron, it
/// compares the text, so a non-canonical spelling of the right MAC does not match.
///
/// ```
/// use iron_seal::Mac;
/// use subtle::ConstantTimeEq;
///
/// let mac = Mac::from_b64("R8yscVdTBRMdsoVbdDiFmUL8zb-c3PQLGJn4Y8C-AqI").unwrap();
/// let same = Mac::from_b64("R8yscVdTBRMdsoVbdDiFmUL8zb-c3PQLGJn4Y8C-AqI").unwrap();
/// let other = Mac::from_b64("R8yscVdTBRMdsoVbdDiFmUL8zb-c3PQLGJn4Y8C-AqJ").unwrap();
/// assert!(bool::from(mac.ct_eq(&same)));
/// assert!(!bool::from(mac.ct_eq(&other)));
/// // A truncated MAC is not a MAC.
/// assert!(Mac::from_b64("R8yscVdTBRMdsoVbdDiFmQ").is_none());
/// ```
///
/// Comparing with `==` does not compile:
///
/// ```compile_fail,E0369
/// use iron_seal::Mac;
///
/// let mac = Mac::from_b64("R8yscVdTBRMdsoVbdDiFmUL8zb-c3PQLGJn4Y8C-AqI").unwrap();
/// let same = Mac::from_b64("R8yscVdTBRMdsoVbdDiFmUL8zb-c3PQLGJn4Y8C-AqI").unwrap();
/// assert!(mac == same);
/// ```
#[derive(Clone)]
pub struct Mac([u8; MAC_B64_LEN]);

impl Mac {
    /// Reads the MAC field of a seal: exactly 43 characters of the base64url alphabet, else
    /// `None` (no MAC of another length can match one of this crate's).
    pub fn from_b64(text: &str) -> Option<Self> {
        let bytes: [u8; MAC_B64_LEN] = text.as_bytes().try_into().ok()?;
        bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            .then_some(Mac(bytes))
    }

    /// A MAC from the 43 characters the encoder wrote.
    pub(crate) fn from_encoded(bytes: [u8; MAC_B64_LEN]) -> Self {
        Mac(bytes)
    }

    /// Appends the MAC's text to `out`.
    pub(crate) fn push_to(&self, out: &mut String) {
        // Every MAC holds base64url (checked by `from_b64`, written by the encoder): ASCII.
        out.push_str(std::str::from_utf8(&self.0).expect("base64url is ASCII"));
    }
}

/// A MAC's text in 64-bit words: its 43 bytes and 5 zeros.
type MacWords = [u64; MAC_B64_LEN.div_ceil(8)];

impl Mac {
    fn words(&self) -> MacWords {
        let mut padded = [0u8; 8 * MAC_B64_LEN.div_ceil(8)];
        padded[..MAC_B64_LEN].copy_from_slice(&self.0);
        let (words, _) = padded.as_chunks::<8>();
        let mut out = [0u64; MAC_B64_LEN.div_ceil(8)];
        for (word, bytes) in out.iter_mut().zip(words) {
            *word = u64::from_ne_bytes(*bytes);
        }
        out
    }
}

impl ConstantTimeEq for Mac {
    /// Compares eight characters at a time (both texts padded alike), each word with `subtle`'s
    /// constant-time comparison and every word compared whatever the others gave: the same
    /// answer as byte by byte, in 6 steps instead of 43.
    fn ct_eq(&self, other: &Self) -> Choice {
        self.words()[..].ct_eq(&other.words()[..])
    }
}

impl fmt::Debug for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Mac(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two MACs are equal exactly when all 43 characters are: a difference in any one of them,
    /// the last word's included, makes them unequal.
    #[test]
    fn equal_only_when_every_character_is() {
        let good = *b"R8yscVdTBRMdsoVbdDiFmUL8zb-c3PQLGJn4Y8C-AqI";
        let mac = Mac(good);
        assert!(bool::from(mac.ct_eq(&Mac(good))));
        for index in 0..MAC_B64_LEN {
            let mut other = good;
            other[index] = if good[index] == b'A' { b'B' } else { b'A' };
            assert!(!bool::from(mac.ct_eq(&Mac(other))), "differs at {index}");
        }
    }

    #[test]
    fn only_43_base64url_characters_are_a_mac() {
        let good = "R8yscVdTBRMdsoVbdDiFmUL8zb-c3PQLGJn4Y8C-AqI";
        assert!(Mac::from_b64(good).is_some());
        assert!(Mac::from_b64(&good[..42]).is_none());
        assert!(Mac::from_b64(&format!("{good}A")).is_none());
        assert!(Mac::from_b64(&good.replace('-', "+")).is_none());
        assert!(Mac::from_b64(&good.replace('-', "=")).is_none());
        assert!(Mac::from_b64("").is_none());
    }
}
