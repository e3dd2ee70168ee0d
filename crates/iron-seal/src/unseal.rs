//! Opening a seal: structure, expiration, password, integrity, then (only then) decryption.

use crate::crypto::{self, MAC_B64_LEN, MAC_LEN, SaltOrigin};
use crate::key_reuse::KeyShape;
use crate::{Cipher, Error, Field, Options, Password, PasswordLookup, SealParts, system_now_ms};

/// Room for a decoded IV: every cipher's IV is 16 bytes.
const IV_CAPACITY: usize = 16;
const _: () = assert!(Cipher::Aes256Cbc.iv_len() <= IV_CAPACITY);
const _: () = assert!(Cipher::Aes128Ctr.iv_len() <= IV_CAPACITY);

/// Opens `sealed` at the clock reading `now_ms` and returns the plaintext. This is the
/// deterministic core of [`unseal`].
///
/// Checks run in Iron's order, with the length checks of this crate added before any
/// cryptography: the seal's length (only with [`Options::with_max_seal_len`]), field count,
/// prefix, expiration format, expiry (with the allowed skew), password lookup, the password itself
/// (empty, too short), the lengths of the fixed-size fields, the HMAC (compared in constant time),
/// and only after the HMAC matched: base64 decoding and decryption. Nothing is decrypted or
/// decoded from a seal whose HMAC does not match, and no key is derived for a seal whose salts, IV
/// or HMAC do not have the lengths the options write.
///
/// ```
/// use iron_seal::{unseal_at, Options, Password};
///
/// // The fixed ticket of @hapi/iron's own test suite: empty password id, no expiration.
/// let ticket = "Fe26.2**0cdd607945dd1dffb7da0b0bf5f1a7daa6218cbae14cac51dcbd91fb077aeb5b*aOZLCKLhCt0D5IU1qLTtYw*g0ilNDlQ3TsdFUqJCqAm9iL7Wa60H7eYcHL_5oP136TOJREkS3BzheDC1dlxz5oJ**05b8943049af490e913bbc3a2485bee2aaf7b823f4c41d0ff0b7c168371a3772*R8yscVdTBRMdsoVbdDiFmUL8zb-c3PQLGJn4Y8C-AqI";
/// let password = Password::from("some_not_random_password_that_is_also_long_enough");
/// let plaintext = unseal_at(ticket, &password, &Options::default(), 0).unwrap();
/// assert_eq!(plaintext, br#"{"a":1,"b":2,"c":[3,4,5],"d":{"e":"f"}}"#);
/// ```
///
/// # Errors
/// Every unseal variant of [`Error`], first failing check first.
pub fn unseal_at(
    sealed: &str,
    passwords: &impl PasswordLookup,
    options: &Options,
    now_ms: u64,
) -> Result<Vec<u8>, Error> {
    if let Some(max) = options.max_seal_len()
        && sealed.len() > max
    {
        return Err(Error::TooLong {
            length: sealed.len(),
            max,
        });
    }
    let parts = SealParts::parse(sealed)?;
    if let Some(expired_at_ms) = parts.expiration_ms() {
        let now = i128::from(options.adjusted_now(now_ms));
        if i128::from(expired_at_ms) <= now - i128::from(options.timestamp_skew_ms()) {
            return Err(Error::Expired { expired_at_ms });
        }
    }
    let password = passwords
        .password_for(parts.password_id())
        .ok_or_else(|| Error::unknown_password_id(parts.password_id()))?;
    let cipher = options.cipher();
    // A misconfigured password is reported whatever the seal holds, as in Iron.
    crypto::check_secret(password.integrity(), MAC_LEN)?;
    crypto::check_secret(password.encryption(), cipher.key_len())?;
    check_field_lengths(&parts, password, options)?;

    // A seal of the password's current reuse window (one this process made) opens with the
    // window's keys, without PBKDF2 or a cache lock; any other seal derives its keys (or finds
    // them in the key cache). Nothing from the seal enters the window.
    let shape = KeyShape::of(options);
    let window = password.key_windows().current();
    let window = window.as_deref();
    let integrity_key = match window.and_then(|w| w.integrity_key(&shape, parts.hmac_salt())) {
        Some(key) => key,
        None => crypto::derive_integrity_key(
            password.integrity(),
            parts.hmac_salt(),
            SaltOrigin::Seal,
            options.integrity_key_derivation(),
        )?,
    };
    crypto::verify_mac(
        &integrity_key.mac,
        parts.mac_base().as_bytes(),
        parts.hmac(),
    )?;
    crypto::remember_integrity_key(
        password.integrity(),
        parts.hmac_salt(),
        options.integrity_key_derivation(),
        &integrity_key,
    );

    let ciphertext = crypto::decode_b64(parts.ciphertext()).ok_or(Error::InvalidBase64 {
        field: Field::Ciphertext,
    })?;
    // The IV is 16 bytes for every cipher (its text length was checked above): decoded on the
    // stack, not into a heap buffer. It is written in the clear in the seal, so nothing to wipe.
    let mut iv = [0u8; IV_CAPACITY];
    let iv_len = crypto::decode_b64_into(parts.iv(), &mut iv)
        .ok_or(Error::InvalidBase64 { field: Field::Iv })?;
    let iv = &iv[..iv_len];
    let encryption_key =
        match window.and_then(|w| w.encryption_key(&shape, parts.encryption_salt())) {
            Some(key) => key,
            None => crypto::derive_key(
                password.encryption(),
                parts.encryption_salt(),
                SaltOrigin::Seal,
                cipher.key_len(),
                options.encryption_key_derivation(),
            )?,
        };
    let plaintext = crypto::decrypt(cipher, &encryption_key, iv, ciphertext)?;
    crypto::remember_key(
        password.encryption(),
        parts.encryption_salt(),
        options.encryption_key_derivation(),
        &encryption_key,
    );
    Ok(plaintext)
}

/// The fields whose length the options fix: the salts (hex, two characters per salt byte for a
/// text password; empty for a raw key, as every Iron writes it), the IV and the HMAC (unpadded
/// base64url). Iron reads salts of any length; a seal whose salts are not the length these options
/// write is refused here, so seals from a peer with other salt sizes need the same options.
///
/// With a raw key, Iron (@hapi/iron, iron-webcrypto 1 and 2, so iron-session 9's `unsealData`)
/// ignores both salt fields whatever they hold. Here they must be empty: the HMAC salt is then
/// covered by nothing (the MAC is over fields 0 to 5, and no key is derived from it), so
/// accepting one would let anyone append text to a valid seal and still have it open; and no Iron
/// writes an encryption salt with a raw key, so a non-empty one is not the canonical seal.
fn check_field_lengths(
    parts: &SealParts<'_>,
    password: &Password,
    options: &Options,
) -> Result<(), Error> {
    let salt_checks = [
        (
            Field::EncryptionSalt,
            password.encryption(),
            parts.encryption_salt(),
            options.encryption_key_derivation(),
        ),
        (
            Field::HmacSalt,
            password.integrity(),
            parts.hmac_salt(),
            options.integrity_key_derivation(),
        ),
    ];
    for (field, secret, salt, derivation) in salt_checks {
        let expected = if crypto::needs_salt(secret) {
            2 * derivation.salt_len()
        } else {
            0
        };
        if salt.len() != expected {
            return Err(Error::FieldLength {
                field,
                expected,
                found: salt.len(),
            });
        }
    }
    let iv_len = crypto::b64_len(options.cipher().iv_len());
    if parts.iv().len() != iv_len {
        return Err(Error::FieldLength {
            field: Field::Iv,
            expected: iv_len,
            found: parts.iv().len(),
        });
    }
    // An HMAC of another length can never match: Iron's comparison fails the same way.
    if parts.hmac().len() != MAC_B64_LEN {
        return Err(Error::BadMac);
    }
    Ok(())
}

/// Opens `sealed` now, by the system clock.
///
/// ```
/// use iron_seal::{seal, unseal, Error, Options, Password, PasswordId};
///
/// let password = Password::from("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg");
/// let other = Password::from("another password of thirty-two characters");
/// let sealed = seal(b"{}", &PasswordId::NONE, &password, &Options::default()).unwrap();
/// assert_eq!(unseal(&sealed, &other, &Options::default()), Err(Error::BadMac));
/// ```
///
/// # Errors
/// As [`unseal_at`].
pub fn unseal(
    sealed: &str,
    passwords: &impl PasswordLookup,
    options: &Options,
) -> Result<Vec<u8>, Error> {
    unseal_at(sealed, passwords, options, system_now_ms())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{OsRandom, Password, PasswordId, seal_at};

    const PASSWORD: &str = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";

    #[test]
    fn forged_seals_leave_nothing_in_the_key_cache() {
        let password = Password::from(PASSWORD);
        let forged = format!(
            "Fe26.2*1*{}*AAAAAAAAAAAAAAAAAAAAAA*AAAA**{}*{}",
            "a".repeat(64),
            "b".repeat(64),
            "c".repeat(43)
        );
        assert_eq!(
            unseal_at(&forged, &password, &Options::default(), 0),
            Err(Error::BadMac)
        );
        assert_eq!(password.integrity().derived_keys().len(), 0);
    }

    #[test]
    fn a_secret_without_key_cache_remembers_nothing() {
        let password = Password::new(crate::Secret::text(PASSWORD).without_key_cache());
        let id = PasswordId::new("1").unwrap();
        let sealed = seal_at(b"{}", &id, &password, &Options::default(), 0, OsRandom).unwrap();
        assert_eq!(
            unseal_at(&sealed, &password, &Options::default(), 0).unwrap(),
            b"{}"
        );
        assert_eq!(password.integrity().derived_keys().len(), 0);
    }

    #[test]
    fn a_seal_made_elsewhere_is_remembered_only_once_it_opened() {
        let made_elsewhere = Password::from(PASSWORD);
        let id = PasswordId::new("1").unwrap();
        let sealed = seal_at(
            b"{}",
            &id,
            &made_elsewhere,
            &Options::default(),
            0,
            OsRandom,
        )
        .unwrap();
        let reader = Password::from(PASSWORD);
        assert_eq!(reader.integrity().derived_keys().len(), 0);
        assert_eq!(
            unseal_at(&sealed, &reader, &Options::default(), 0).unwrap(),
            b"{}"
        );
        // Both keys (one secret serves both roles here), and a second read finds them.
        assert_eq!(reader.integrity().derived_keys().len(), 2);
        assert_eq!(
            unseal_at(&sealed, &reader, &Options::default(), 0).unwrap(),
            b"{}"
        );
        assert_eq!(reader.integrity().derived_keys().len(), 2);
    }
}

#[cfg(test)]
mod mac_before_decryption {
    use super::*;
    use crate::crypto::DECRYPTIONS;
    use crate::{OsRandom, Password, PasswordId, seal_at};

    fn decryptions_during(unseal: impl FnOnce()) -> usize {
        DECRYPTIONS.with(|count| count.set(0));
        unseal();
        DECRYPTIONS.with(std::cell::Cell::get)
    }

    /// Every single-bit change of a seal (each bit that keeps it text) fails without one
    /// decryption; the unchanged seal decrypts once.
    #[test]
    fn decryption_runs_zero_times_when_the_mac_fails() {
        let password = Password::from("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg");
        let options = Options::default().with_ttl_ms(Some(3_600_000));
        let id = PasswordId::new("1").unwrap();
        let sealed = seal_at(br#"{"userId":1}"#, &id, &password, &options, 0, OsRandom).unwrap();
        assert_eq!(
            decryptions_during(|| {
                unseal_at(&sealed, &password, &options, 0).unwrap();
            }),
            1
        );
        let mut flips = 0;
        for index in 0..sealed.len() {
            for bit in 0..7 {
                let mut bytes = sealed.clone().into_bytes();
                bytes[index] ^= 1 << bit;
                let flipped = String::from_utf8(bytes).expect("ASCII stays ASCII");
                let mut result = Ok(Vec::new());
                let decryptions = decryptions_during(|| {
                    result = unseal_at(&flipped, &password, &options, 0);
                });
                assert!(result.is_err(), "{flipped} opened");
                assert_eq!(decryptions, 0, "{flipped}: {result:?}");
                flips += 1;
            }
        }
        assert_eq!(flips, sealed.len() * 7);
    }
}
