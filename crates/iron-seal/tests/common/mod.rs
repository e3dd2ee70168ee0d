//! Helpers shared by the integration tests.
//!
//! The `iron_*` functions below are an independent re-implementation of the Fe26.2 primitives,
//! written from the format description (PBKDF2-HMAC-SHA1 over the salt *text*, AES-256-CBC,
//! HMAC-SHA256 over fields 0..=5, unpadded base64url), exactly as the peers' own test suites build
//! their crafted tickets. They do not call into `iron_seal`.
#![allow(dead_code)]

use aes::cipher::block_padding::{NoPadding, Pkcs7};
use aes::cipher::{BlockModeEncrypt, KeyIvInit};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use iron_seal::{Error, RandomSource};
use sha2::Sha256;

/// The password of @hapi/iron's and iron-webcrypto's test suites.
pub const HAPI_PASSWORD: &str = "some_not_random_password_that_is_also_long_enough";
/// `JSON.stringify({a: 1, b: 2, c: [3, 4, 5], d: {e: 'f'}})`, the object of those suites.
pub const HAPI_OBJECT_JSON: &str = r#"{"a":1,"b":2,"c":[3,4,5],"d":{"e":"f"}}"#;
/// A 44-character password for tests that need any valid one.
pub const PASSWORD: &str = "complex_password_at_least_32_characters_long";
/// A fixed clock reading (2023-11-14T22:13:20Z).
pub const NOW: u64 = 1_700_000_000_000;

/// The hapi object as a `serde_json::Value`.
pub fn hapi_object() -> serde_json::Value {
    serde_json::json!({"a": 1, "b": 2, "c": [3, 4, 5], "d": {"e": "f"}})
}

/// A random source that hands out exactly the bytes it was given, in one `fill` call.
pub struct FixedRandom {
    bytes: Vec<u8>,
    calls: usize,
}

impl FixedRandom {
    pub fn new(bytes: Vec<u8>) -> Self {
        FixedRandom { bytes, calls: 0 }
    }
}

impl RandomSource for FixedRandom {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        self.calls += 1;
        assert_eq!(
            self.calls, 1,
            "the random source is drawn from more than once"
        );
        assert_eq!(
            dest.len(),
            self.bytes.len(),
            "the seal draws a different number of random bytes than given"
        );
        dest.copy_from_slice(&self.bytes);
        Ok(())
    }
}

/// A random source that fills with 0, 1, 2, ... (wrapping), continuing across calls: the
/// patched `getRandomValues` the deterministic npm vectors were made with.
pub struct CountingRandom(pub u8);

impl RandomSource for CountingRandom {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        for byte in dest {
            *byte = self.0;
            self.0 = self.0.wrapping_add(1);
        }
        Ok(())
    }
}

/// A random source that always fails.
pub struct FailingRandom;

impl RandomSource for FailingRandom {
    fn fill(&mut self, _dest: &mut [u8]) -> Result<(), Error> {
        Err(Error::Random)
    }
}

/// Decodes lowercase or uppercase hex; panics on anything else.
pub fn hex_decode(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex length");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// Lowercase hex.
pub fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Strict unpadded base64url decoding.
pub fn b64_decode(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).expect("base64url")
}

/// Unpadded base64url encoding.
pub fn b64_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Iron's key derivation for a text password: PBKDF2-HMAC-SHA1, one iteration, with the salt's
/// hex *text* as the salt bytes.
pub fn iron_key(password: &str, salt_text: &str, len: usize) -> Vec<u8> {
    let mut key = vec![0u8; len];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password.as_bytes(), salt_text.as_bytes(), 1, &mut key);
    key
}

/// HMAC-SHA256 of `data` under `key`, unpadded base64url.
pub fn hmac_b64(key: &[u8], data: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(data);
    b64_encode(&mac.finalize().into_bytes())
}

/// Appends the HMAC salt and HMAC to a mac base string (fields 0..=5), for a text password.
pub fn iron_finish(base: &str, password: &str, hmac_salt: &str) -> String {
    let mac = hmac_b64(&iron_key(password, hmac_salt, 32), base.as_bytes());
    format!("{base}*{hmac_salt}*{mac}")
}

/// AES-256-CBC with PKCS#7 padding.
pub fn aes256cbc_encrypt(key: &[u8], iv: &[u8], plaintext: &[u8]) -> Vec<u8> {
    cbc::Encryptor::<aes::Aes256>::new_from_slices(key, iv)
        .expect("key and iv sizes")
        .encrypt_padded_vec::<Pkcs7>(plaintext)
}

/// AES-256-CBC without padding (`blocks` must be a multiple of 16 bytes).
pub fn aes256cbc_encrypt_raw(key: &[u8], iv: &[u8], blocks: &[u8]) -> Vec<u8> {
    cbc::Encryptor::<aes::Aes256>::new_from_slices(key, iv)
        .expect("key and iv sizes")
        .encrypt_padded_vec::<NoPadding>(blocks)
}

/// A complete Fe26.2 seal made without `iron_seal`: text password, AES-256-CBC, the given salts
/// (hex text), IV and expiration field.
pub fn iron_seal_independent(
    plaintext: &[u8],
    password_id: &str,
    password: &str,
    encryption_salt: &str,
    iv: &[u8],
    expiration: &str,
    hmac_salt: &str,
) -> String {
    let key = iron_key(password, encryption_salt, 32);
    let ciphertext = aes256cbc_encrypt(&key, iv, plaintext);
    let base = format!(
        "Fe26.2*{password_id}*{encryption_salt}*{}*{}*{expiration}",
        b64_encode(iv),
        b64_encode(&ciphertext)
    );
    iron_finish(&base, password, hmac_salt)
}

/// The eight `*`-separated fields of a seal.
pub fn fields(sealed: &str) -> Vec<&str> {
    let fields: Vec<&str> = sealed.split('*').collect();
    assert_eq!(fields.len(), 8, "not a seal: {sealed}");
    fields
}

/// Fields 0..=5 of a seal joined by `*`: the text its HMAC covers.
pub fn mac_base(sealed: &str) -> String {
    fields(sealed)[..6].join("*")
}

/// A seal with field `index` replaced by `value` (the HMAC is not recomputed).
pub fn with_field(sealed: &str, index: usize, value: &str) -> String {
    let mut parts = fields(sealed);
    parts[index] = value;
    parts.join("*")
}
