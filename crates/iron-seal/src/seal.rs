//! Making a seal.

use std::ops::Range;

use crate::crypto::{self, IntegrityKey, Key, MAC_B64_LEN, SaltOrigin};
use crate::key_reuse::{KeyShape, KeyWindow, SealKeys};
use crate::parts::{PREFIX, SEPARATOR};
use crate::{Error, Options, Password, PasswordId, RandomSource, ThreadRandom, system_now_ms};

/// Seals `plaintext` at the clock reading `now_ms` (milliseconds since the Unix epoch), drawing
/// salts and IV from `random`. This is the deterministic core of [`seal`].
///
/// Random bytes are drawn in one call, in Iron's order: encryption salt, IV, integrity salt (a
/// raw-key secret has no salt). So a source that counts 0, 1, 2, ... reproduces the seals the
/// JavaScript libraries make with the same counter.
///
/// ```
/// use iron_seal::{seal_at, unseal_at, Options, OsRandom, Password, PasswordId};
///
/// let password = Password::from("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg");
/// let id = PasswordId::new("1").unwrap();
/// let options = Options::default().with_ttl_ms(Some(60_000));
/// let sealed = seal_at(b"{\"a\":1}", &id, &password, &options, 1_000, &mut OsRandom).unwrap();
/// assert!(sealed.starts_with("Fe26.2*1*"));
/// assert!(sealed.contains("*61000*"));
/// assert_eq!(unseal_at(&sealed, &password, &options, 2_000).unwrap(), b"{\"a\":1}");
/// ```
///
/// # Errors
/// Password errors ([`Error::EmptyPassword`], [`Error::PasswordTooShort`], [`Error::KeyTooSmall`],
/// [`Error::KeyLength`]) and [`Error::Random`].
pub fn seal_at(
    plaintext: &[u8],
    password_id: &PasswordId,
    password: &Password,
    options: &Options,
    now_ms: u64,
    random: impl RandomSource,
) -> Result<String, Error> {
    let mut sealed = String::with_capacity(sealed_len(
        plaintext.len(),
        password_id,
        password,
        options,
        now_ms,
    ));
    // Sized exactly already, and dropped on error: `seal_at_into`'s reserve and truncation
    // would only redo work.
    write_seal(
        &mut sealed,
        plaintext,
        password_id,
        password,
        options,
        now_ms,
        random,
    )?;
    Ok(sealed)
}

/// [`seal_at`], appending the seal to `out` instead of returning a new `String`.
///
/// Why: a seal is usually copied into something larger right away (a `Set-Cookie` line, a URL, a
/// JSON document). Sealing into that text directly saves the seal's own allocation and the copy.
/// With [`sealed_len`] the caller can size `out` exactly beforehand (useful where a buffer with
/// spare capacity costs more later, as with `http`'s header values); otherwise `out` grows as
/// needed.
///
/// `out` keeps what it held; the seal is appended after it, byte for byte what [`seal_at`]
/// returns for the same inputs and random bytes. On error nothing is appended.
///
/// ```
/// use iron_seal::{sealed_len, seal_at_into, unseal_at, Options, OsRandom, Password, PasswordId};
///
/// let password = Password::from("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg");
/// let id = PasswordId::new("1").unwrap();
/// let options = Options::default().with_ttl_ms(Some(60_000));
/// let plaintext = br#"{"a":1}"#;
///
/// // A cookie line built in one allocation: the seal is written into it.
/// let len = sealed_len(plaintext.len(), &id, &password, &options, 1_000);
/// let mut line = String::with_capacity("token=".len() + len + "; Path=/".len());
/// line.push_str("token=");
/// seal_at_into(&mut line, plaintext, &id, &password, &options, 1_000, OsRandom).unwrap();
/// line.push_str("; Path=/");
/// assert_eq!(line.len(), line.capacity());
///
/// let sealed = &line["token=".len()..line.len() - "; Path=/".len()];
/// assert_eq!(unseal_at(sealed, &password, &options, 2_000).unwrap(), plaintext);
/// ```
///
/// # Errors
/// As [`seal_at`].
pub fn seal_at_into(
    out: &mut String,
    plaintext: &[u8],
    password_id: &PasswordId,
    password: &Password,
    options: &Options,
    now_ms: u64,
    random: impl RandomSource,
) -> Result<(), Error> {
    let start = out.len();
    out.reserve(sealed_len(
        plaintext.len(),
        password_id,
        password,
        options,
        now_ms,
    ));
    let written = write_seal(
        out,
        plaintext,
        password_id,
        password,
        options,
        now_ms,
        random,
    );
    if written.is_err() {
        out.truncate(start);
    }
    written
}

/// The length in bytes of the seal that [`seal_at`] (or [`seal_at_into`]) makes of a plaintext of
/// `plaintext_len` bytes with these inputs at the clock reading `now_ms`, exactly: every field's
/// length follows from them (the salts', the IV's and the MAC's from the options and the
/// password, the ciphertext's from the plaintext's length and the cipher, the expiration's from
/// the clock and the ttl), whatever the random bytes.
///
/// Why: to size a buffer that a seal is written into with [`seal_at_into`], or to know whether a
/// seal will fit somewhere (a 4096-byte cookie) before making it.
///
/// ```
/// use iron_seal::{sealed_len, seal_at, Options, OsRandom, Password, PasswordId};
///
/// let password = Password::from("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg");
/// let id = PasswordId::new("1").unwrap();
/// let options = Options::default().with_ttl_ms(Some(60_000));
/// let sealed = seal_at(b"[1,2,3]", &id, &password, &options, 1_000, OsRandom).unwrap();
/// assert_eq!(sealed_len(7, &id, &password, &options, 1_000), sealed.len());
/// ```
pub fn sealed_len(
    plaintext_len: usize,
    password_id: &PasswordId,
    password: &Password,
    options: &Options,
    now_ms: u64,
) -> usize {
    let cipher = options.cipher();
    let encryption_salt_len = salt_len(
        password.encryption(),
        options.encryption_key_derivation().salt_len(),
    );
    let integrity_salt_len = salt_len(
        password.integrity(),
        options.integrity_key_derivation().salt_len(),
    );
    let ciphertext_len = match cipher {
        crate::Cipher::Aes256Cbc => (plaintext_len / 16 + 1) * 16,
        crate::Cipher::Aes128Ctr => plaintext_len,
    };
    let expiration_len = expiration_ms(options, now_ms).map_or(0, decimal_digits);
    const SEPARATORS: usize = 7;
    PREFIX.len()
        + password_id.as_str().len()
        + 2 * encryption_salt_len
        + crypto::b64_len(cipher.iv_len())
        + crypto::b64_len(ciphertext_len)
        + expiration_len
        + 2 * integrity_salt_len
        + MAC_B64_LEN
        + SEPARATORS
}

/// The expiration a seal made at `now_ms` writes, if any: Iron writes none for a ttl of 0
/// (`ttl ? now + ttl : ''`).
fn expiration_ms(options: &Options, now_ms: u64) -> Option<u64> {
    let now = options.adjusted_now(now_ms);
    options
        .ttl_ms()
        .filter(|&ttl_ms| ttl_ms > 0)
        .map(|ttl_ms| now.saturating_add(ttl_ms))
}

/// The number of digits of `n` in decimal.
fn decimal_digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
}

/// Appends the seal to `sealed`, which has room for it: with the salts and keys of the
/// password's reuse window when the options reuse keys and the window serves one more seal,
/// otherwise with salts drawn for this seal (which start a new window when the options reuse
/// keys).
fn write_seal(
    sealed: &mut String,
    plaintext: &[u8],
    password_id: &PasswordId,
    password: &Password,
    options: &Options,
    now_ms: u64,
    mut random: impl RandomSource,
) -> Result<(), Error> {
    let seal = SealInputs {
        plaintext,
        password_id,
        password,
        options,
        now_ms,
    };
    // Raw keys have no salts and no derivation: nothing to reuse.
    let reuse = options.key_reuse().filter(|_| {
        crypto::needs_salt(password.encryption()) || crypto::needs_salt(password.integrity())
    });
    let Some(reuse) = reuse else {
        return seal.write_with_drawn_salts(sealed, random).map(drop);
    };
    let shape = KeyShape::of(options);
    let windows = password.key_windows();
    let current = windows.current();
    if let Some(keys) = current
        .as_deref()
        .and_then(|window| window.take_seal(password, &shape, reuse, now_ms))
    {
        let mut iv = [0u8; IV_LEN];
        let iv = &mut iv[..options.cipher().iv_len()];
        random.fill(iv)?;
        let salts = (
            SaltSource::Reused(keys.encryption_salt, keys.encryption),
            SaltSource::Reused(keys.integrity_salt, keys.integrity),
        );
        return seal.write(sealed, iv, salts).map(drop);
    }
    drop(current);
    let written = seal.write_with_drawn_salts(sealed, random)?;
    let first_seal = SealKeys {
        encryption_salt: &sealed[written.encryption_salt],
        encryption: written.encryption,
        integrity_salt: &sealed[written.integrity_salt],
        integrity: written.integrity,
    };
    windows.replace(KeyWindow::new(shape, now_ms, first_seal));
    Ok(())
}

/// Everything a seal is made of besides its random bytes.
struct SealInputs<'a> {
    plaintext: &'a [u8],
    password_id: &'a PasswordId,
    password: &'a Password,
    options: &'a Options,
    now_ms: u64,
}

/// Where one salt of a seal (`'s`), and the key `K` derived from it, come from.
enum SaltSource<'s, K> {
    /// Random bytes drawn for this seal: written as hex, and the key derived from that text.
    Drawn(&'s [u8]),
    /// A reuse window's salt text and key.
    Reused(&'s str, K),
}

/// The keys a seal was made with, and where its salts are in the text it was appended to.
struct Written<'a> {
    encryption: Key<'a>,
    encryption_salt: Range<usize>,
    integrity: IntegrityKey<'a>,
    integrity_salt: Range<usize>,
}

impl<'a> SealInputs<'a> {
    /// Appends the seal with salts and IV drawn from `random` in one call, in Iron's order:
    /// encryption salt, IV, integrity salt (a raw-key secret has no salt).
    fn write_with_drawn_salts(
        &self,
        sealed: &mut String,
        mut random: impl RandomSource,
    ) -> Result<Written<'a>, Error> {
        let options = self.options;
        let encryption_salt_len = salt_len(
            self.password.encryption(),
            options.encryption_key_derivation().salt_len(),
        );
        let integrity_salt_len = salt_len(
            self.password.integrity(),
            options.integrity_key_derivation().salt_len(),
        );
        let iv_len = options.cipher().iv_len();
        // Drawn into a stack buffer when they fit it (Iron's salt sizes and any smaller), so a
        // seal needs no heap buffer for them; larger salts get one. They are all written in the
        // clear in the seal, so there is nothing to wipe.
        let random_len = encryption_salt_len + iv_len + integrity_salt_len;
        let mut on_stack = [0u8; STACK_RANDOM_BYTES];
        let mut on_heap = Vec::new();
        let random_bytes: &mut [u8] = if random_len <= STACK_RANDOM_BYTES {
            &mut on_stack[..random_len]
        } else {
            on_heap.resize(random_len, 0);
            &mut on_heap
        };
        random.fill(random_bytes)?;
        let (encryption_salt, rest) = random_bytes.split_at(encryption_salt_len);
        let (iv, integrity_salt) = rest.split_at(iv_len);
        let salts = (
            SaltSource::Drawn(encryption_salt),
            SaltSource::Drawn(integrity_salt),
        );
        self.write(sealed, iv, salts)
    }

    /// Appends the seal with this IV and these salts: `(encryption, integrity)`.
    fn write(
        &self,
        sealed: &mut String,
        iv: &[u8],
        (encryption_salt, integrity_salt): (
            SaltSource<'_, Key<'a>>,
            SaltSource<'_, IntegrityKey<'a>>,
        ),
    ) -> Result<Written<'a>, Error> {
        let options = self.options;
        let cipher = options.cipher();
        let start = sealed.len();
        sealed.push_str(PREFIX);
        sealed.push(SEPARATOR);
        sealed.push_str(self.password_id.as_str());
        sealed.push(SEPARATOR);
        let (encryption, encryption_salt) = push_salt(sealed, encryption_salt, |salt| {
            let secret = self.password.encryption();
            let derivation = options.encryption_key_derivation();
            let key = crypto::derive_key(
                secret,
                salt,
                SaltOrigin::Drawn,
                cipher.key_len(),
                derivation,
            )?;
            crypto::remember_key(secret, salt, derivation, &key);
            Ok(key)
        })?;
        sealed.push(SEPARATOR);
        crypto::push_b64(sealed, iv);
        sealed.push(SEPARATOR);
        crypto::encrypt_b64_into(cipher, &encryption, iv, self.plaintext, sealed)?;
        sealed.push(SEPARATOR);
        if let Some(expiration) = expiration_ms(options, self.now_ms) {
            sealed.push_str(itoa::Buffer::new().format(expiration));
        }
        let mac_base_len = sealed.len();
        sealed.push(SEPARATOR);
        let (integrity, integrity_salt) = push_salt(sealed, integrity_salt, |salt| {
            let secret = self.password.integrity();
            let derivation = options.integrity_key_derivation();
            let key = crypto::derive_integrity_key(secret, salt, SaltOrigin::Drawn, derivation)?;
            crypto::remember_integrity_key(secret, salt, derivation, &key);
            Ok(key)
        })?;
        let mac = integrity
            .mac
            .mac_b64(&sealed.as_bytes()[start..mac_base_len]);
        sealed.push(SEPARATOR);
        mac.push_to(sealed);
        Ok(Written {
            encryption,
            encryption_salt,
            integrity,
            integrity_salt,
        })
    }
}

/// Appends a salt's text to `sealed` and returns its key and where the text is. A drawn salt's
/// key is made from the text by `derive`, which remembers it, so that the seal, sent back in the
/// next request, opens without PBKDF2.
fn push_salt<K>(
    sealed: &mut String,
    salt: SaltSource<'_, K>,
    derive: impl FnOnce(&str) -> Result<K, Error>,
) -> Result<(K, Range<usize>), Error> {
    let salt_start = sealed.len();
    let key = match salt {
        SaltSource::Drawn(bytes) => {
            crypto::push_hex(sealed, bytes);
            derive(&sealed[salt_start..])?
        }
        SaltSource::Reused(text, key) => {
            sealed.push_str(text);
            key
        }
    };
    Ok((key, salt_start..sealed.len()))
}

/// Seals `plaintext` now, by the system clock, with salts and IV from [`ThreadRandom`].
///
/// ```
/// use iron_seal::{seal, unseal, Options, Password, PasswordId};
///
/// let password = Password::from("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg");
/// let sealed = seal(b"[1,2,3]", &PasswordId::NONE, &password, &Options::default()).unwrap();
/// assert_eq!(unseal(&sealed, &password, &Options::default()).unwrap(), b"[1,2,3]");
/// ```
///
/// # Errors
/// As [`seal_at`].
pub fn seal(
    plaintext: &[u8],
    password_id: &PasswordId,
    password: &Password,
    options: &Options,
) -> Result<String, Error> {
    seal_at(
        plaintext,
        password_id,
        password,
        options,
        system_now_ms(),
        ThreadRandom,
    )
}

/// [`seal`], appending the seal to `out` instead of returning a new `String`: now, by the system
/// clock, with salts and IV from [`ThreadRandom`].
///
/// Why: to write a seal straight into the text it goes into (a cookie line, a URL) without an
/// allocation and a copy of its own; see [`seal_at_into`], which also says how to size `out`
/// exactly. On error nothing is appended.
///
/// ```
/// use iron_seal::{seal_into, unseal, Options, Password, PasswordId};
///
/// let password = Password::from("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg");
/// let mut url = String::from("https://example.com/confirm?token=");
/// seal_into(&mut url, b"42", &PasswordId::NONE, &password, &Options::default()).unwrap();
/// let token = url.split_once("token=").unwrap().1;
/// assert_eq!(unseal(token, &password, &Options::default()).unwrap(), b"42");
/// ```
///
/// # Errors
/// As [`seal_at`].
pub fn seal_into(
    out: &mut String,
    plaintext: &[u8],
    password_id: &PasswordId,
    password: &Password,
    options: &Options,
) -> Result<(), Error> {
    seal_at_into(
        out,
        plaintext,
        password_id,
        password,
        options,
        system_now_ms(),
        ThreadRandom,
    )
}

/// The random bytes of a seal with Iron's default salts: two salts and an IV.
const STACK_RANDOM_BYTES: usize = 2 * crate::KeyDerivation::IRON_DEFAULT.salt_len() + IV_LEN;
/// The IV of every cipher.
const IV_LEN: usize = 16;
const _: () = assert!(crate::Cipher::Aes256Cbc.iv_len() == IV_LEN);
const _: () = assert!(crate::Cipher::Aes128Ctr.iv_len() == IV_LEN);

fn salt_len(secret: &crate::Secret, derived_len: usize) -> usize {
    if crypto::needs_salt(secret) {
        derived_len
    } else {
        0
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::random::FORK_CHECKS;
    use crate::{Cipher, OsRandom, Secret, unseal_at};

    const PASSWORD: &str = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";

    /// Fills with 0, 1, 2, ... and records the length of every `fill` call.
    #[derive(Default)]
    pub(crate) struct RecordingRandom {
        next: u8,
        pub(crate) fills: Vec<usize>,
    }

    impl RandomSource for RecordingRandom {
        fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
            self.fills.push(dest.len());
            for byte in dest {
                *byte = self.next;
                self.next = self.next.wrapping_add(1);
            }
            Ok(())
        }
    }

    pub(crate) fn fields(sealed: &str) -> Vec<&str> {
        sealed.split(SEPARATOR).collect()
    }

    /// One `fill` per seal, so `ThreadRandom` checks for a fork once per
    /// seal; the 80 bytes are the encryption salt, the IV and the HMAC salt, in Iron's order.
    #[test]
    fn a_text_password_seal_draws_its_80_random_bytes_in_one_fill() {
        let mut random = RecordingRandom::default();
        let id = PasswordId::new("1").unwrap();
        let password = Password::from(PASSWORD);
        let sealed = seal_at(b"{}", &id, &password, &Options::default(), 0, &mut random).unwrap();
        assert_eq!(random.fills, [80]);
        let fields = fields(&sealed);
        assert_eq!(
            fields[2],
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
        );
        // Bytes 32..48, base64url.
        assert_eq!(fields[3], "ICEiIyQlJicoKSorLC0uLw");
        assert_eq!(
            fields[6],
            "303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f"
        );
    }

    /// Salts larger than Iron's do not fit the stack buffer: their random bytes are drawn into
    /// a heap buffer instead, still in one fill and in Iron's order, and the seal opens.
    #[test]
    fn salts_larger_than_irons_are_drawn_in_one_fill_too() {
        let large = crate::KeyDerivation::new(
            std::num::NonZeroU32::new(512).unwrap(),
            std::num::NonZeroU32::MIN,
        );
        let options = Options::default()
            .with_encryption_key_derivation(large)
            .with_integrity_key_derivation(large);
        let mut random = RecordingRandom::default();
        let password = Password::from(PASSWORD);
        let sealed = seal_at(
            b"{}",
            &PasswordId::NONE,
            &password,
            &options,
            0,
            &mut random,
        )
        .unwrap();
        assert_eq!(random.fills, [144]);
        let fields = fields(&sealed);
        assert_eq!(fields[2].len(), 128);
        assert!(fields[2].starts_with("000102"));
        // Bytes 64..80, base64url.
        assert_eq!(fields[3], "QEFCQ0RFRkdISUpLTE1OTw");
        assert!(fields[6].starts_with("505152"));
        assert_eq!(unseal_at(&sealed, &password, &options, 0).unwrap(), b"{}");
    }

    #[test]
    fn a_raw_key_seal_draws_only_its_iv_in_one_fill() {
        for (cipher, key_len) in [(Cipher::Aes256Cbc, 32), (Cipher::Aes128Ctr, 16)] {
            let mut random = RecordingRandom::default();
            // The integrity key is 32 bytes whatever the cipher's key size.
            let password =
                Password::separate(Secret::key(vec![7u8; key_len]), Secret::key([9u8; 32]));
            let options = Options::default().with_cipher(cipher);
            let sealed = seal_at(
                b"{}",
                &PasswordId::NONE,
                &password,
                &options,
                0,
                &mut random,
            )
            .unwrap();
            assert_eq!(random.fills, [16], "{cipher:?}");
            let fields = fields(&sealed);
            assert_eq!((fields[2], fields[6]), ("", ""), "{cipher:?}");
            assert_eq!(fields[3], "AAECAwQFBgcICQoLDA0ODw", "{cipher:?}");
        }
    }

    /// `sealed_len` is the length of the seal `seal_at` makes, for every shape of seal: plaintext
    /// lengths around the cipher blocks, ciphers, raw keys, salt sizes, password ids, no ttl, a
    /// ttl of 0 (no expiration), expirations of every width, saturated and offset clocks.
    #[test]
    fn sealed_len_is_the_length_of_the_seal() {
        let text = Password::from(PASSWORD);
        let raw = Password::separate(Secret::key([7u8; 32]), Secret::key([9u8; 32]));
        let raw_ctr = Password::separate(Secret::key([7u8; 16]), Secret::key([9u8; 32]));
        let small = crate::KeyDerivation::new(
            std::num::NonZeroU32::new(12).unwrap(),
            std::num::NonZeroU32::MIN,
        );
        let ids = [
            PasswordId::NONE,
            PasswordId::new("1").unwrap(),
            PasswordId::new("a_long_password_id").unwrap(),
        ];
        let mut checked = 0;
        for (password, cipher) in [
            (&text, Cipher::Aes256Cbc),
            (&text, Cipher::Aes128Ctr),
            (&raw, Cipher::Aes256Cbc),
            (&raw_ctr, Cipher::Aes128Ctr),
        ] {
            for ttl_ms in [None, Some(0), Some(1), Some(60_000), Some(u64::MAX)] {
                for (now_ms, offset) in [(0, 0), (9, 0), (1_700_000_000_000, -5_000), (5, 10)] {
                    for salts in [crate::KeyDerivation::IRON_DEFAULT, small] {
                        let options = Options::default()
                            .with_cipher(cipher)
                            .with_ttl_ms(ttl_ms)
                            .with_localtime_offset_ms(offset)
                            .with_encryption_key_derivation(salts)
                            .with_integrity_key_derivation(salts);
                        for id in &ids {
                            for len in [0, 1, 15, 16, 17, 31, 32, 33, 400] {
                                let plaintext = vec![b'x'; len];
                                let sealed =
                                    seal_at(&plaintext, id, password, &options, now_ms, OsRandom)
                                        .unwrap();
                                let expected = sealed_len(len, id, password, &options, now_ms);
                                assert_eq!(sealed.len(), expected, "{sealed}");
                                assert_eq!(sealed.capacity(), expected);
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 4 * 5 * 4 * 2 * 3 * 9);
    }

    /// `seal_at_into` appends what `seal_at` returns for the same random bytes, after what the
    /// string held, within the room `sealed_len` said; on error it appends nothing.
    #[test]
    fn seal_at_into_appends_the_seal_or_nothing() {
        let password = Password::from(PASSWORD);
        let id = PasswordId::new("1").unwrap();
        let options = Options::default().with_ttl_ms(Some(3_600_000));
        let expected = seal_at(
            b"{}",
            &id,
            &password,
            &options,
            7,
            RecordingRandom::default(),
        )
        .unwrap();
        let mut out =
            String::with_capacity("x=".len() + sealed_len(2, &id, &password, &options, 7));
        out.push_str("x=");
        seal_at_into(
            &mut out,
            b"{}",
            &id,
            &password,
            &options,
            7,
            RecordingRandom::default(),
        )
        .unwrap();
        assert_eq!(out, format!("x={expected}"));
        assert_eq!(out.len(), out.capacity());

        let short = Password::from("too short");
        let mut out = "x=".to_owned();
        assert_eq!(
            seal_at_into(&mut out, b"{}", &id, &short, &options, 7, OsRandom),
            Err(Error::PasswordTooShort { min: 32 })
        );
        assert_eq!(out, "x=");
        struct Failing;
        impl RandomSource for Failing {
            fn fill(&mut self, _: &mut [u8]) -> Result<(), Error> {
                Err(Error::Random)
            }
        }
        assert_eq!(
            seal_at_into(&mut out, b"{}", &id, &password, &options, 7, Failing),
            Err(Error::Random)
        );
        assert_eq!(out, "x=");
    }

    /// The production path: `seal` with `ThreadRandom` checks for a fork exactly once (and
    /// unsealing, which draws nothing, not at all).
    #[test]
    fn seal_checks_for_a_fork_once() {
        let password = Password::from(PASSWORD);
        let options = Options::default();
        // The thread's generator exists (a first fill makes it without checking).
        seal(b"{}", &PasswordId::NONE, &password, &options).unwrap();
        FORK_CHECKS.with(|count| count.set(0));
        let sealed = seal(b"{}", &PasswordId::NONE, &password, &options).unwrap();
        assert_eq!(FORK_CHECKS.with(std::cell::Cell::get), 1);
        assert_eq!(unseal_at(&sealed, &password, &options, 0).unwrap(), b"{}");
        assert_eq!(FORK_CHECKS.with(std::cell::Cell::get), 1);
    }
}
