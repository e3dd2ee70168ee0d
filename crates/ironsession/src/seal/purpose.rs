//! Purpose-bound passwords: a token sealed for one purpose (a magic link, an e-mail confirmation)
//! opens only where that purpose is asked for, never as a session cookie, and never in an app
//! that merely shares the password.
//!
//! The binding is in the key, not in the data: a token for purpose `P` is sealed with a password
//! derived from the real one,
//!
//! ```text
//! derived = base64url_nopad(HMAC-SHA256(key = password, message = "ironsession purpose v1\0" + P))
//! ```
//!
//! (UTF-8 bytes throughout; 43 characters, a valid Iron password) under the same password id.
//! Nothing in the token says it has a purpose, so its format is plain Fe26.2, and only a reader
//! that derives the same password opens it. A Node peer that must read such tokens derives it with
//! `crypto.createHmac("sha256", password).update("ironsession purpose v1\0" + purpose).digest("base64url")`.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::Passwords;

/// What the purpose is appended to, so that a derived password can never equal an HMAC the
/// password makes for anything else.
const DOMAIN: &[u8] = b"ironsession purpose v1\0";

/// Purposes are few and chosen by the application; past this many the extra ones are derived
/// again on each use rather than kept.
const MAX_CACHED_PURPOSES: usize = 64;

/// The password for `purpose` derived from `password` (see the module documentation).
pub(super) fn derive_password(password: &str, purpose: &str) -> Zeroizing<String> {
    // HMAC takes keys of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(password.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(DOMAIN);
    mac.update(purpose.as_bytes());
    let digest: Zeroizing<[u8; 32]> = Zeroizing::new(mac.finalize().into_bytes().into());
    Zeroizing::new(URL_SAFE_NO_PAD.encode(digest.as_slice()))
}

/// The purpose-bound password sets already derived from one [`Passwords`], shared by its clones,
/// so a purpose token costs no more than a plain one (the derived passwords keep their own key
/// caches).
#[derive(Default)]
pub(super) struct PurposeCache {
    derived: RwLock<HashMap<String, Passwords>>,
}

impl PurposeCache {
    /// The cached set for `purpose`, or the one `derive` makes (kept if there is room).
    pub(super) fn get_or_derive(
        &self,
        purpose: &str,
        derive: impl FnOnce() -> Passwords,
    ) -> Passwords {
        let cached = self
            .derived
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(purpose)
            .cloned();
        if let Some(passwords) = cached {
            return passwords;
        }
        let passwords = derive();
        let mut derived = self.derived.write().unwrap_or_else(PoisonError::into_inner);
        if derived.len() < MAX_CACHED_PURPOSES {
            return derived
                .entry(purpose.to_owned())
                .or_insert(passwords)
                .clone();
        }
        passwords
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_derived_password_is_a_valid_iron_password_unique_to_its_purpose() {
        let password = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";
        let magic = derive_password(password, "magic-link");
        assert_eq!(magic.len(), 43);
        assert!(
            magic
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(magic, derive_password(password, "magic-link"));
        assert_ne!(magic, derive_password(password, "magic-link2"));
        assert_ne!(magic, derive_password(password, ""));
        assert_ne!(
            magic,
            derive_password("YFDVufMGQQXxgbVxw5XQsDGT1f4qDBrPIY5Il8YUZ14", "magic-link")
        );
    }
}
