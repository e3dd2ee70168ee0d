//! Sealing options: algorithms, key derivation and time settings, with Iron's defaults.

use std::num::NonZeroU32;

use crate::KeyReuse;

/// The cipher that encrypts the payload.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cipher {
    /// AES-256 in CBC mode with PKCS#7 padding: Iron's default, and what iron-session uses.
    #[default]
    Aes256Cbc,
    /// AES-128 in CTR mode with a 128-bit big-endian counter block (supported by Iron).
    Aes128Ctr,
}

impl Cipher {
    /// The key size in bytes.
    ///
    /// ```
    /// assert_eq!(iron_seal::Cipher::Aes256Cbc.key_len(), 32);
    /// ```
    pub const fn key_len(self) -> usize {
        match self {
            Cipher::Aes256Cbc => 32,
            Cipher::Aes128Ctr => 16,
        }
    }

    /// The IV size in bytes (16 for both ciphers).
    ///
    /// ```
    /// assert_eq!(iron_seal::Cipher::Aes128Ctr.iv_len(), 16);
    /// ```
    pub const fn iv_len(self) -> usize {
        16
    }
}

/// How a key is derived from a text password: PBKDF2-HMAC-SHA1 over a random salt.
///
/// Iron's defaults are 256 salt bits and one iteration; changing them makes seals unreadable by
/// a peer that keeps the defaults (the iteration count is not written in the seal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyDerivation {
    salt_bits: NonZeroU32,
    iterations: NonZeroU32,
}

impl KeyDerivation {
    /// Iron's defaults: 256 bits of salt, 1 PBKDF2 iteration.
    ///
    /// ```
    /// let kd = iron_seal::KeyDerivation::IRON_DEFAULT;
    /// assert_eq!((kd.salt_bits(), kd.iterations()), (256, 1));
    /// ```
    pub const IRON_DEFAULT: KeyDerivation = KeyDerivation {
        // Evaluated at compile time: 256 is not zero.
        salt_bits: NonZeroU32::new(256).expect("256 is not zero"),
        iterations: NonZeroU32::MIN,
    };

    /// A derivation with the given salt size (bits, rounded up to whole bytes) and iterations.
    ///
    /// ```
    /// use std::num::NonZeroU32;
    /// let kd = iron_seal::KeyDerivation::new(NonZeroU32::new(128).unwrap(), NonZeroU32::new(10).unwrap());
    /// assert_eq!(kd.salt_len(), 16);
    /// ```
    pub const fn new(salt_bits: NonZeroU32, iterations: NonZeroU32) -> Self {
        KeyDerivation {
            salt_bits,
            iterations,
        }
    }

    /// The same salt size with another iteration count.
    ///
    /// ```
    /// use std::num::NonZeroU32;
    /// let h3 = iron_seal::KeyDerivation::IRON_DEFAULT.with_iterations(NonZeroU32::new(8192).unwrap());
    /// assert_eq!((h3.salt_bits(), h3.iterations()), (256, 8192));
    /// ```
    #[must_use]
    pub const fn with_iterations(mut self, iterations: NonZeroU32) -> Self {
        self.iterations = iterations;
        self
    }

    /// Salt size in bits.
    pub const fn salt_bits(&self) -> u32 {
        self.salt_bits.get()
    }

    /// Salt size in random bytes (the salt is written as twice as many hex characters).
    pub const fn salt_len(&self) -> usize {
        self.salt_bits.get().div_ceil(8) as usize
    }

    /// PBKDF2 iterations.
    pub const fn iterations(&self) -> u32 {
        self.iterations.get()
    }
}

impl Default for KeyDerivation {
    fn default() -> Self {
        Self::IRON_DEFAULT
    }
}

/// Everything that shapes a seal besides the password, with Iron's defaults.
///
/// ```
/// use iron_seal::Options;
/// let options = Options::default().with_ttl_ms(Some(60_000));
/// assert_eq!(options.ttl_ms(), Some(60_000));
/// assert_eq!(options.timestamp_skew_ms(), 60_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Options {
    cipher: Cipher,
    encryption_key: KeyDerivation,
    integrity_key: KeyDerivation,
    ttl_ms: Option<u64>,
    timestamp_skew_ms: u64,
    localtime_offset_ms: i64,
    max_seal_len: Option<usize>,
    key_reuse: Option<KeyReuse>,
    fallback_iterations: Option<NonZeroU32>,
}

impl Default for Options {
    fn default() -> Self {
        Self::IRON_DEFAULT
    }
}

impl Options {
    /// Iron's defaults: AES-256-CBC, HMAC-SHA256, PBKDF2 with 256-bit salts and one iteration, no
    /// expiration, 60 s of allowed clock skew, no local time offset, no length limit on unseal,
    /// fresh salts for every seal (no [key reuse](Options::with_key_reuse)), no
    /// [fallback iterations](Options::with_fallback_iterations).
    pub const IRON_DEFAULT: Options = Options {
        cipher: Cipher::Aes256Cbc,
        encryption_key: KeyDerivation::IRON_DEFAULT,
        integrity_key: KeyDerivation::IRON_DEFAULT,
        ttl_ms: None,
        timestamp_skew_ms: 60_000,
        localtime_offset_ms: 0,
        max_seal_len: None,
        key_reuse: None,
        fallback_iterations: None,
    };

    /// Uses another cipher.
    ///
    /// ```
    /// use iron_seal::{Cipher, Options};
    /// assert_eq!(Options::default().with_cipher(Cipher::Aes128Ctr).cipher(), Cipher::Aes128Ctr);
    /// ```
    #[must_use]
    pub const fn with_cipher(mut self, cipher: Cipher) -> Self {
        self.cipher = cipher;
        self
    }

    /// Uses another derivation for the encryption key.
    #[must_use]
    pub const fn with_encryption_key_derivation(mut self, derivation: KeyDerivation) -> Self {
        self.encryption_key = derivation;
        self
    }

    /// Uses another derivation for the integrity (HMAC) key.
    #[must_use]
    pub const fn with_integrity_key_derivation(mut self, derivation: KeyDerivation) -> Self {
        self.integrity_key = derivation;
        self
    }

    /// Sets how long a new seal lives, in milliseconds; `None` (or `Some(0)`, as in Iron) writes no
    /// expiration (the seal never expires). Only sealing reads it: unsealing trusts the expiration written in the seal.
    #[must_use]
    pub const fn with_ttl_ms(mut self, ttl_ms: Option<u64>) -> Self {
        self.ttl_ms = ttl_ms;
        self
    }

    /// Sets how far past its expiration a seal is still accepted, in milliseconds (default 60 000).
    #[must_use]
    pub const fn with_timestamp_skew_ms(mut self, skew_ms: u64) -> Self {
        self.timestamp_skew_ms = skew_ms;
        self
    }

    /// Sets an offset added to the clock on both seal and unseal, for a host whose clock is off.
    #[must_use]
    pub const fn with_localtime_offset_ms(mut self, offset_ms: i64) -> Self {
        self.localtime_offset_ms = offset_ms;
        self
    }

    /// Sets the longest seal [`unseal`](crate::unseal) accepts, in bytes; longer input is refused
    /// with [`Error::TooLong`](crate::Error::TooLong) before anything else is looked at.
    /// `None` (Iron's default) accepts any length.
    ///
    /// Set it to the longest seal your application can write, so that a forged multi-megabyte
    /// seal costs nothing: the HMAC is computed over the whole seal, before it can be refused.
    ///
    /// ```
    /// use iron_seal::{unseal_at, Error, Options, Password};
    ///
    /// let options = Options::default().with_max_seal_len(Some(4096));
    /// let password = Password::from("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg");
    /// let forged = "x".repeat(400_000);
    /// assert_eq!(
    ///     unseal_at(&forged, &password, &options, 0),
    ///     Err(Error::TooLong { length: 400_000, max: 4096 })
    /// );
    /// ```
    #[must_use]
    pub const fn with_max_seal_len(mut self, max_len: Option<usize>) -> Self {
        self.max_seal_len = max_len;
        self
    }

    /// Lets seals reuse their password's salts and keys within a window bounded by `reuse` (see
    /// [`KeyReuse`] for what is shared, why that is safe, and the default limits); `None` (Iron's
    /// default) draws fresh salts and derives both keys for every seal. Every seal draws its own
    /// IV either way, and every seal is a plain Fe26.2 seal that any Iron opens.
    ///
    /// Only sealing with a text password reads it. Unsealing a seal of a password's current window
    /// uses the window's keys whatever the options say (they are the keys its salts derive).
    ///
    /// ```
    /// use iron_seal::{seal, unseal, KeyReuse, Options, Password, PasswordId};
    ///
    /// let password = Password::from("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg");
    /// let options = Options::default().with_key_reuse(Some(KeyReuse::DEFAULT));
    /// let a = seal(b"1", &PasswordId::NONE, &password, &options)?;
    /// let b = seal(b"2", &PasswordId::NONE, &password, &options)?;
    /// let fields = |seal: &str| seal.split('*').map(str::to_owned).collect::<Vec<_>>();
    /// let (a, b) = (fields(&a), fields(&b));
    /// assert_eq!((&a[2], &a[6]), (&b[2], &b[6])); // the same salts
    /// assert_ne!(a[3], b[3]); // a fresh IV each
    /// assert_eq!(unseal(&b.join("*"), &password, &options)?, b"2");
    /// # Ok::<(), iron_seal::Error>(())
    /// ```
    #[must_use]
    pub const fn with_key_reuse(mut self, reuse: Option<KeyReuse>) -> Self {
        self.key_reuse = reuse;
        self
    }

    /// The window new seals reuse salts and keys within, or `None` for fresh ones every seal.
    pub const fn key_reuse(&self) -> Option<KeyReuse> {
        self.key_reuse
    }

    /// Lets unsealing try a second PBKDF2 iteration count, once, for a seal whose HMAC does not
    /// match with the options' own derivations: both keys are then derived with `iterations`
    /// (and the options' salt sizes). This is how h3 2.x (8192 iterations) still reads the seals
    /// of h3 1.x (Iron's single iteration). Sealing never reads it. `None` (the default): one
    /// derivation only.
    ///
    /// # Cost
    /// A forged seal (well-formed, wrong HMAC) then costs two derivations of the integrity key
    /// instead of one: one at the options' count and one at `iterations`, never more, whatever
    /// the seal holds. With 8192 iterations and a fallback of 1, the second is negligible beside
    /// the first; the first is the price of 8192 iterations, which the key cache cannot take off
    /// a forged seal (only keys of seals that opened are kept). `benches/forged.rs` measures both.
    /// A raw-key secret derives nothing, so it has no second try. The encryption key is derived
    /// only for the count whose HMAC matched.
    ///
    /// ```
    /// use std::num::NonZeroU32;
    /// use iron_seal::{seal, unseal_detailed_at, KeyDerivation, Options, Password, PasswordId};
    ///
    /// let password = Password::from("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg");
    /// let legacy = seal(b"{}", &PasswordId::NONE, &password, &Options::default())?;
    /// let h3 = KeyDerivation::new(NonZeroU32::new(256).unwrap(), NonZeroU32::new(8192).unwrap());
    /// let reader = Options::default()
    ///     .with_encryption_key_derivation(h3)
    ///     .with_integrity_key_derivation(h3)
    ///     .with_fallback_iterations(Some(NonZeroU32::MIN));
    /// let opened = unseal_detailed_at(&legacy, &password, &reader, 0)?;
    /// assert_eq!((opened.plaintext(), opened.used_fallback()), (&b"{}"[..], true));
    /// # Ok::<(), iron_seal::Error>(())
    /// ```
    #[must_use]
    pub const fn with_fallback_iterations(mut self, iterations: Option<NonZeroU32>) -> Self {
        self.fallback_iterations = iterations;
        self
    }

    /// The iteration count unsealing tries once more after a failed HMAC, if any.
    pub const fn fallback_iterations(&self) -> Option<NonZeroU32> {
        self.fallback_iterations
    }

    /// The derivations of the fallback: the options' salt sizes with the fallback iterations
    /// (encryption, integrity).
    pub(crate) fn fallback_derivations(&self) -> Option<(KeyDerivation, KeyDerivation)> {
        let iterations = self.fallback_iterations?;
        let with = |derivation: KeyDerivation| KeyDerivation::new(derivation.salt_bits, iterations);
        Some((with(self.encryption_key), with(self.integrity_key)))
    }

    /// The cipher.
    pub const fn cipher(&self) -> Cipher {
        self.cipher
    }

    /// The encryption key derivation.
    pub const fn encryption_key_derivation(&self) -> KeyDerivation {
        self.encryption_key
    }

    /// The integrity key derivation.
    pub const fn integrity_key_derivation(&self) -> KeyDerivation {
        self.integrity_key
    }

    /// The lifetime of new seals in milliseconds, or `None` for seals that never expire.
    pub const fn ttl_ms(&self) -> Option<u64> {
        self.ttl_ms
    }

    /// The allowed clock skew in milliseconds.
    pub const fn timestamp_skew_ms(&self) -> u64 {
        self.timestamp_skew_ms
    }

    /// The local time offset in milliseconds.
    pub const fn localtime_offset_ms(&self) -> i64 {
        self.localtime_offset_ms
    }

    /// The longest seal unsealing accepts, in bytes, or `None` for no limit.
    pub const fn max_seal_len(&self) -> Option<usize> {
        self.max_seal_len
    }

    /// The clock reading `now_ms` shifted by the local time offset, as Iron computes "now".
    pub(crate) fn adjusted_now(&self, now_ms: u64) -> u64 {
        now_ms.saturating_add_signed(self.localtime_offset_ms)
    }
}
