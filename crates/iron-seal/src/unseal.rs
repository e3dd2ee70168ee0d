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
    unseal_detailed_at(sealed, passwords, options, now_ms).map(Unsealed::into_plaintext)
}

/// What [`unseal_detailed_at`] opened: the plaintext, and whether the keys came from the
/// [fallback iterations](Options::with_fallback_iterations) (a seal a reader may want to seal
/// again with its own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsealed {
    plaintext: Vec<u8>,
    used_fallback: bool,
}

impl Unsealed {
    /// The plaintext.
    pub fn plaintext(&self) -> &[u8] {
        &self.plaintext
    }

    /// The plaintext, taken out.
    pub fn into_plaintext(self) -> Vec<u8> {
        self.plaintext
    }

    /// Whether the seal opened only with the fallback iteration count.
    pub fn used_fallback(&self) -> bool {
        self.used_fallback
    }
}

/// [`unseal_at`], also saying whether the seal opened with the
/// [fallback iterations](Options::with_fallback_iterations) (see there for an example).
///
/// # Errors
/// As [`unseal_at`]; a seal whose HMAC matches neither count is [`Error::BadMac`].
pub fn unseal_detailed_at(
    sealed: &str,
    passwords: &impl PasswordLookup,
    options: &Options,
    now_ms: u64,
) -> Result<Unsealed, Error> {
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
    let own = (
        options.encryption_key_derivation(),
        options.integrity_key_derivation(),
    );
    let integrity_key = match window.and_then(|w| w.integrity_key(&shape, parts.hmac_salt())) {
        Some(key) => key,
        None => crypto::derive_integrity_key(
            password.integrity(),
            parts.hmac_salt(),
            SaltOrigin::Seal,
            own.1,
        )?,
    };
    let mac_base = parts.mac_base().as_bytes();
    // At most one second try, with the fallback count: a forged seal costs two derivations of the
    // integrity key at most, and the encryption key is derived only for the count that matched.
    let (used_fallback, (encryption_derivation, integrity_derivation), integrity_key) =
        match crypto::verify_mac(&integrity_key.mac, mac_base, parts.hmac()) {
            Ok(()) => (false, own, integrity_key),
            Err(Error::BadMac) => match options.fallback_derivations() {
                Some(fallback) if crypto::needs_salt(password.integrity()) => {
                    let key = crypto::derive_integrity_key(
                        password.integrity(),
                        parts.hmac_salt(),
                        SaltOrigin::Seal,
                        fallback.1,
                    )?;
                    crypto::verify_mac(&key.mac, mac_base, parts.hmac())?;
                    (true, fallback, key)
                }
                _ => return Err(Error::BadMac),
            },
            Err(error) => return Err(error),
        };
    crypto::remember_integrity_key(
        password.integrity(),
        parts.hmac_salt(),
        integrity_derivation,
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
    let window_key = window
        .filter(|_| !used_fallback)
        .and_then(|w| w.encryption_key(&shape, parts.encryption_salt()));
    let encryption_key = match window_key {
        Some(key) => key,
        None => crypto::derive_key(
            password.encryption(),
            parts.encryption_salt(),
            SaltOrigin::Seal,
            cipher.key_len(),
            encryption_derivation,
        )?,
    };
    let plaintext = crypto::decrypt(cipher, &encryption_key, iv, ciphertext)?;
    crypto::remember_key(
        password.encryption(),
        parts.encryption_salt(),
        encryption_derivation,
        &encryption_key,
    );
    Ok(Unsealed {
        plaintext,
        used_fallback,
    })
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

#[cfg(test)]
mod fallback_iterations {
    use std::num::NonZeroU32;

    use super::*;
    use crate::crypto::{DECRYPTIONS, PBKDF2_DERIVATIONS};
    use crate::{KeyDerivation, OsRandom, Password, PasswordId, Secret, seal_at};

    const PASSWORD: &str = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";

    fn iterations(count: u32) -> Options {
        let derivation = KeyDerivation::new(
            NonZeroU32::new(256).unwrap(),
            NonZeroU32::new(count).unwrap(),
        );
        Options::default()
            .with_encryption_key_derivation(derivation)
            .with_integrity_key_derivation(derivation)
    }

    fn h3_reader() -> Options {
        iterations(8192).with_fallback_iterations(Some(NonZeroU32::MIN))
    }

    fn sealed_with(options: &Options) -> String {
        // A password of its own: nothing in another's key cache or window.
        let writer = Password::from(PASSWORD);
        seal_at(
            b"{\"a\":1}",
            &PasswordId::NONE,
            &writer,
            options,
            0,
            OsRandom,
        )
        .unwrap()
    }

    /// (result, PBKDF2 derivations, decryptions) of one unseal with a fresh reader.
    fn unseal_counting(
        sealed: &str,
        reader: &Password,
        options: &Options,
    ) -> (Result<Unsealed, Error>, usize, usize) {
        PBKDF2_DERIVATIONS.with(|count| count.set(0));
        DECRYPTIONS.with(|count| count.set(0));
        let result = unseal_detailed_at(sealed, reader, options, 0);
        let derivations = PBKDF2_DERIVATIONS.with(std::cell::Cell::get);
        (result, derivations, DECRYPTIONS.with(std::cell::Cell::get))
    }

    #[test]
    fn a_seal_of_the_fallback_count_opens_and_says_so() {
        let legacy = sealed_with(&Options::default());
        let (opened, derivations, decryptions) =
            unseal_counting(&legacy, &Password::from(PASSWORD), &h3_reader());
        let opened = opened.unwrap();
        assert_eq!(opened.plaintext(), b"{\"a\":1}");
        assert!(opened.used_fallback());
        // The integrity key at 8192 (no match), at 1 (match), then the encryption key at 1.
        assert_eq!((derivations, decryptions), (3, 1));
        // Without the fallback it does not open.
        assert_eq!(
            unseal_at(&legacy, &Password::from(PASSWORD), &iterations(8192), 0),
            Err(Error::BadMac)
        );
    }

    #[test]
    fn a_seal_of_the_own_count_opens_without_the_second_try() {
        let current = sealed_with(&iterations(8192));
        let (opened, derivations, _) =
            unseal_counting(&current, &Password::from(PASSWORD), &h3_reader());
        assert!(!opened.unwrap().used_fallback());
        assert_eq!(derivations, 2);
    }

    /// A forged seal costs two derivations of the integrity key with the fallback, one without,
    /// and is never decrypted.
    #[test]
    fn a_forged_seal_costs_one_more_derivation_at_most() {
        let forged = {
            let mut fields: Vec<String> = sealed_with(&iterations(8192))
                .split('*')
                .map(str::to_owned)
                .collect();
            fields[7] = "A".repeat(43);
            fields.join("*")
        };
        let reader = Password::from(PASSWORD);
        let (result, derivations, decryptions) = unseal_counting(&forged, &reader, &h3_reader());
        assert_eq!(result, Err(Error::BadMac));
        assert_eq!((derivations, decryptions), (2, 0));
        let (result, derivations, _) = unseal_counting(&forged, &reader, &iterations(8192));
        assert_eq!((result, derivations), (Err(Error::BadMac), 1));
        assert_eq!(reader.integrity().derived_keys().len(), 0);
    }

    /// A key cached for a salt at one count never opens a seal at another: a seal made with 8192
    /// iterations, once opened (its keys cached), is still refused by a reader of 1 iteration.
    #[test]
    fn the_key_cache_never_serves_a_key_of_another_count() {
        let current = sealed_with(&iterations(8192));
        let reader = Password::from(PASSWORD);
        assert!(unseal_at(&current, &reader, &iterations(8192), 0).is_ok());
        assert_eq!(reader.integrity().derived_keys().len(), 2);
        assert_eq!(
            unseal_at(&current, &reader, &Options::default(), 0),
            Err(Error::BadMac)
        );
        // And the other way round: a legacy seal opened through the fallback is cached at 1.
        let legacy = sealed_with(&Options::default());
        assert!(
            unseal_detailed_at(&legacy, &reader, &h3_reader(), 0)
                .unwrap()
                .used_fallback()
        );
        assert_eq!(
            unseal_at(&legacy, &reader, &iterations(8192), 0),
            Err(Error::BadMac)
        );
        assert!(unseal_at(&legacy, &reader, &Options::default(), 0).is_ok());
    }

    #[test]
    fn a_raw_key_has_no_second_try() {
        let key = Password::new(Secret::key([7u8; 32]));
        let options = Options::default().with_fallback_iterations(Some(NonZeroU32::MIN));
        let sealed = seal_at(b"{}", &PasswordId::NONE, &key, &options, 0, OsRandom).unwrap();
        let mut fields: Vec<&str> = sealed.split('*').collect();
        let forged_mac = "A".repeat(43);
        fields[7] = &forged_mac;
        let (result, derivations, _) = unseal_counting(&fields.join("*"), &key, &options);
        assert_eq!((result, derivations), (Err(Error::BadMac), 0));
    }
}
