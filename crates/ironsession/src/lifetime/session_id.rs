//! The session id: 16 random bytes, written as 22 characters of unpadded base64url (or, for h3's
//! sessions, as a lower-case UUID), with one spelling per id in each form so that every id read
//! can also be revoked.

use std::fmt;

use iron_seal::RandomSource;
use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize};

use crate::SealError;

/// Length of a [`SessionId`]: 16 random bytes in unpadded base64url.
const SESSION_ID_LEN: usize = 22;

/// Length of a UUID written as h3 writes it (`crypto.randomUUID()`): 32 lower-case hex digits in
/// groups of 8, 4, 4, 4 and 12, joined by `-`.
const UUID_LEN: usize = 36;

/// Where a UUID's text has its hyphens.
const UUID_HYPHENS: [usize; 4] = [8, 13, 18, 23];

/// How new session ids are written: ironsession's 22 characters of base64url, or a UUID v4 for
/// h3's sessions (what an h3 app's `crypto.randomUUID()` makes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) enum IdForm {
    #[default]
    Base64Url,
    Uuid,
}

/// A session id: 128 random bits from a cryptographically secure generator, written as 22
/// characters of unpadded base64url, or, in a session shared with an h3 (Nuxt) app, as h3
/// writes its ids: a UUID in lower-case hex (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`; new ones are
/// version 4, with 122 random bits).
///
/// ```
/// use ironsession::SessionId;
///
/// let id: SessionId = "AAECAwQFBgcICQoLDA0ODw".parse()?;
/// assert_eq!(id.as_str(), "AAECAwQFBgcICQoLDA0ODw");
/// assert_eq!(id.short(), "AAECAwQF");
/// assert!("too-short".parse::<SessionId>().is_err());
/// let h3: SessionId = "0f8fad5b-d9cb-469f-a165-70867728950e".parse()?;
/// assert_eq!(h3.as_str(), "0f8fad5b-d9cb-469f-a165-70867728950e");
/// assert!("0F8FAD5B-D9CB-469F-A165-70867728950E".parse::<SessionId>().is_err());
/// # Ok::<(), ironsession::InvalidSessionId>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId {
    /// The id's text, padded with zero bytes.
    text: [u8; UUID_LEN],
    len: u8,
}

/// A string that is neither 16 bytes written as 22 characters of unpadded base64url nor a UUID in
/// lower-case hex.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "a session id is 16 bytes as 22 characters of base64url (A-Z a-z 0-9 - _), or a UUID in lower-case hex"
)]
pub struct InvalidSessionId;

impl SessionId {
    /// A fresh id from `random`, written in `form`.
    pub(super) fn generate(mut random: impl RandomSource, form: IdForm) -> Result<Self, SealError> {
        use base64::Engine;
        let mut bytes = [0u8; 16];
        random.fill(&mut bytes)?;
        let mut id = SessionId {
            text: [0; UUID_LEN],
            len: 0,
        };
        match form {
            IdForm::Base64Url => {
                let written = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode_slice(bytes, &mut id.text)
                    // 16 bytes are always exactly 22 characters.
                    .expect("16 bytes encode to 22 characters");
                debug_assert_eq!(written, SESSION_ID_LEN);
                id.len = SESSION_ID_LEN as u8;
            }
            IdForm::Uuid => {
                // RFC 9562 §5.4: version 4 in the high nibble of byte 6, variant 10 in byte 8.
                bytes[6] = (bytes[6] & 0x0f) | 0x40;
                bytes[8] = (bytes[8] & 0x3f) | 0x80;
                let mut hex = bytes.iter().flat_map(|byte| [byte >> 4, byte & 0x0f]);
                for (index, slot) in id.text.iter_mut().enumerate() {
                    *slot = if UUID_HYPHENS.contains(&index) {
                        b'-'
                    } else {
                        // 32 digits for the 32 places that are not hyphens.
                        b"0123456789abcdef"[usize::from(hex.next().expect("32 hex digits"))]
                    };
                }
                id.len = UUID_LEN as u8;
            }
        }
        Ok(id)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        // Built only from base64url characters or hex digits and hyphens (checked in `from_str`,
        // written by `generate`).
        std::str::from_utf8(&self.text[..usize::from(self.len)]).expect("a session id is ASCII")
    }

    /// The first 8 characters (48 bits of a base64url id, 32 of a UUID), enough to tell
    /// sessions apart in logs and on pages without showing the whole id.
    pub fn short(&self) -> &str {
        &self.as_str()[..8]
    }
}

/// The 16 bytes a session id's text stands for, if it is exactly what [`SessionId::generate`]
/// writes: 22 characters of unpadded base64url whose last one carries no stray bits, or a UUID in
/// lower-case hex. Only one text per id in each form, so that every session id read can also be
/// revoked (the revocation store keys on these bytes).
pub(crate) fn session_id_bytes(text: &str) -> Option<[u8; 16]> {
    use base64::Engine;
    let mut bytes = [0u8; 16];
    match text.len() {
        SESSION_ID_LEN => {
            match base64::engine::general_purpose::URL_SAFE_NO_PAD.decode_slice(text, &mut bytes) {
                Ok(16) => Some(bytes),
                _ => None,
            }
        }
        UUID_LEN => {
            let text = text.as_bytes();
            if UUID_HYPHENS.iter().any(|&index| text[index] != b'-') {
                return None;
            }
            let mut digits = text
                .iter()
                .enumerate()
                .filter(|(index, _)| !UUID_HYPHENS.contains(index))
                .map(|(_, &digit)| match digit {
                    b'0'..=b'9' => Some(digit - b'0'),
                    b'a'..=b'f' => Some(digit - b'a' + 10),
                    _ => None,
                });
            for byte in &mut bytes {
                *byte = (digits.next()?? << 4) | digits.next()??;
            }
            Some(bytes)
        }
        _ => None,
    }
}

impl std::str::FromStr for SessionId {
    type Err = InvalidSessionId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        session_id_bytes(text).ok_or(InvalidSessionId)?;
        let mut id = SessionId {
            text: [0; UUID_LEN],
            // 22 or 36, checked above.
            len: text.len() as u8,
        };
        id.text[..text.len()].copy_from_slice(text.as_bytes());
        Ok(id)
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({})", self.as_str())
    }
}

impl Serialize for SessionId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SessionId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = SessionId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a session id (22 characters of base64url, or a UUID)")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<SessionId, E> {
                text.parse()
                    .map_err(|_| E::invalid_value(Unexpected::Other("a string"), &self))
            }
        }
        deserializer.deserialize_str(IdVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "AAECAwQFBgcICQoLDA0ODw";

    /// Random bytes 0, 1, 2, …
    struct Counting(u8);

    impl RandomSource for Counting {
        fn fill(&mut self, dest: &mut [u8]) -> Result<(), SealError> {
            for byte in dest {
                *byte = self.0;
                self.0 += 1;
            }
            Ok(())
        }
    }

    #[test]
    fn generated_ids_are_22_base64url_characters_from_16_bytes() {
        // Bytes 0..16 in base64url (RFC 4648 §5), derived by hand: 000000 000000 000100 000010 ...
        let id = SessionId::generate(Counting(0), IdForm::Base64Url).unwrap();
        assert_eq!(id.as_str(), ID);
        let a = SessionId::generate(iron_seal::ThreadRandom, IdForm::Base64Url).unwrap();
        let b = SessionId::generate(iron_seal::ThreadRandom, IdForm::Base64Url).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 22);
    }

    #[test]
    fn ids_other_than_22_base64url_characters_are_refused() {
        for bad in [
            "",
            "AAECAwQFBgcICQoLDA0OD",
            "AAECAwQFBgcICQoLDA0ODwA",
            "AAECAwQFBgcICQoLDA0OD=",
            "AAECAwQFBgcICQoLDA0OD+",
            "AAECAwQFBgcICQoLDA0ODé",
            // 16 bytes leave 4 bits of the last character unused: they must be zero, so that an
            // id has one spelling (`w` = 110000).
            "AAECAwQFBgcICQoLDA0ODx",
            "AAECAwQFBgcICQoLDA0OD_",
        ] {
            assert_eq!(bad.parse::<SessionId>(), Err(InvalidSessionId), "{bad}");
        }
    }

    #[test]
    fn new_h3_ids_are_version_4_uuids_in_lower_case() {
        // Bytes 0..16 as RFC 9562 writes them, with version 4 in byte 6 (0x06 -> 0x46) and
        // variant 10 in byte 8 (0x08 -> 0x88), derived by hand.
        let id = SessionId::generate(Counting(0), IdForm::Uuid).unwrap();
        assert_eq!(id.as_str(), "00010203-0405-4607-8809-0a0b0c0d0e0f");
        assert_eq!(id.short(), "00010203");
        assert_eq!(
            session_id_bytes(id.as_str()),
            Some([0, 1, 2, 3, 4, 5, 0x46, 7, 0x88, 9, 10, 11, 12, 13, 14, 15])
        );
        let random = SessionId::generate(iron_seal::ThreadRandom, IdForm::Uuid).unwrap();
        assert_eq!(random.as_str().as_bytes()[14], b'4');
        assert!(b"89ab".contains(&random.as_str().as_bytes()[19]));
        assert_eq!(random.as_str().parse::<SessionId>(), Ok(random));
    }

    #[test]
    fn uuids_other_than_lower_case_hex_in_h3s_layout_are_refused() {
        let good = "0f8fad5b-d9cb-469f-a165-70867728950e";
        assert_eq!(good.parse::<SessionId>().unwrap().as_str(), good);
        for bad in [
            "0F8FAD5B-D9CB-469F-A165-70867728950E",
            "0f8fad5bd9cb469fa16570867728950e",
            "{0f8fad5b-d9cb-469f-a165-70867728950}",
            "0f8fad5b-d9cb-469f-a165_70867728950e",
            "0f8fad5b-d9cb-469f-a165-70867728950g",
            "0f8fad5b-d9cb-469f-a165-7086772895é",
            "0f8fad5b-d9cb-469f-a16-570867728950e",
        ] {
            assert_eq!(bad.parse::<SessionId>(), Err(InvalidSessionId), "{bad}");
        }
    }
}
