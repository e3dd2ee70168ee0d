//! The session id: 16 random bytes, written as 22 characters of unpadded base64url, with one
//! spelling per id so that every id read can also be revoked.

use std::fmt;

use iron_seal::RandomSource;
use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize};

use crate::SealError;

/// Length of a [`SessionId`]: 16 random bytes in unpadded base64url.
const SESSION_ID_LEN: usize = 22;

/// A session id: 128 random bits from a cryptographically secure generator, written as 22
/// characters of unpadded base64url.
///
/// ```
/// use ironsession::SessionId;
///
/// let id: SessionId = "AAECAwQFBgcICQoLDA0ODw".parse()?;
/// assert_eq!(id.as_str(), "AAECAwQFBgcICQoLDA0ODw");
/// assert_eq!(id.short(), "AAECAwQF");
/// assert!("too-short".parse::<SessionId>().is_err());
/// # Ok::<(), ironsession::InvalidSessionId>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId([u8; SESSION_ID_LEN]);

/// A string that is not 16 bytes written as 22 characters of unpadded base64url.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a session id is 16 bytes as 22 characters of base64url (A-Z a-z 0-9 - _)")]
pub struct InvalidSessionId;

impl SessionId {
    /// A fresh id from `random`.
    pub(super) fn generate(mut random: impl RandomSource) -> Result<Self, SealError> {
        use base64::Engine;
        let mut bytes = [0u8; 16];
        random.fill(&mut bytes)?;
        let mut id = [0u8; SESSION_ID_LEN];
        let written = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode_slice(bytes, &mut id)
            // 16 bytes are always exactly 22 characters.
            .expect("16 bytes encode to 22 characters");
        debug_assert_eq!(written, SESSION_ID_LEN);
        Ok(SessionId(id))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        // Built only from base64url characters (checked in `from_str`, written by the encoder).
        std::str::from_utf8(&self.0).expect("a session id is ASCII")
    }

    /// The first 8 characters (48 bits), enough to tell sessions apart in logs and on pages
    /// without showing the whole id.
    pub fn short(&self) -> &str {
        &self.as_str()[..8]
    }
}

/// The 16 bytes a session id's text stands for, if it is exactly what [`SessionId::generate`]
/// writes: 22 characters of unpadded base64url whose last one carries no stray bits. Only one
/// text per id, so that every session id read can also be revoked (the revocation store keys on
/// these bytes).
pub(crate) fn session_id_bytes(text: &str) -> Option<[u8; 16]> {
    use base64::Engine;
    if text.len() != SESSION_ID_LEN {
        return None;
    }
    let mut bytes = [0u8; 16];
    match base64::engine::general_purpose::URL_SAFE_NO_PAD.decode_slice(text, &mut bytes) {
        Ok(16) => Some(bytes),
        _ => None,
    }
}

impl std::str::FromStr for SessionId {
    type Err = InvalidSessionId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        session_id_bytes(text).ok_or(InvalidSessionId)?;
        let text: [u8; SESSION_ID_LEN] =
            text.as_bytes().try_into().map_err(|_| InvalidSessionId)?;
        Ok(SessionId(text))
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
                f.write_str("a session id (22 characters of base64url)")
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

    #[test]
    fn generated_ids_are_22_base64url_characters_from_16_bytes() {
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
        // Bytes 0..16 in base64url (RFC 4648 §5), derived by hand: 000000 000000 000100 000010 ...
        let id = SessionId::generate(Counting(0)).unwrap();
        assert_eq!(id.as_str(), ID);
        let a = SessionId::generate(iron_seal::ThreadRandom).unwrap();
        let b = SessionId::generate(iron_seal::ThreadRandom).unwrap();
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
}
