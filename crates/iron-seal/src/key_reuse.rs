//! The seal-key reuse window: one pair of salts, and the two keys PBKDF2 derived from them, serve a
//! password's new seals for a bounded time and number of seals. Each seal still draws its own
//! random IV.

use std::borrow::Cow;
use std::num::NonZeroU64;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arc_swap::{ArcSwapOption, Guard};

use crate::crypto::{IntegrityKey, Key, MacKey};
use crate::key_cache::KeyBytes;
use crate::password::Keying;
use crate::{KeyDerivation, Options, Password, Secret};

/// How long one pair of salts, and the keys derived from them, keep serving new seals of a
/// password: until the window is [`max_age_ms`](KeyReuse::max_age_ms) old or has made
/// [`max_seals`](KeyReuse::max_seals) seals, whichever comes first. Set it with
/// [`Options::with_key_reuse`]; [`Options::default`] has none (Iron's behaviour: fresh salts and
/// two PBKDF2 derivations for every seal).
///
/// # What it saves, and what stays the same
/// Sealing with a text password costs two PBKDF2 derivations (about half the time of a small
/// seal) from two fresh random salts. Within a window a seal only draws its 128-bit IV, encrypts
/// and computes its HMAC. Every seal is still a plain Fe26.2 seal with 256-bit random salts, which
/// every Iron reads; the first seal of a window is byte for byte the seal [`seal_at`](crate::seal_at)
/// makes without reuse from the same random bytes. Iron's author holds that a unique key per
/// seal adds little and that reusing one keeps the security properties (hapijs/iron#23), and
/// Iron's raw-key mode seals everything with one key.
///
/// What a window shares: the salts fields of its seals are equal, so two seals of one window can
/// be told to come from the same password within the same window. Nothing about their contents.
///
/// # Why the default limits ([`KeyReuse::DEFAULT`]: 60 s or 65 536 seals)
/// - AES-256-CBC with random IVs stays indistinguishable from random up to about σ²/2¹²⁸ for σ
///   blocks under one key (the birthday bound of a 128-bit block). 65 536 seals of a 4 KB cookie
///   are 2²⁴ blocks (an advantage of about 2⁻⁸⁰); even 65 536 seals of a megabyte are 2³² blocks
///   (2⁻⁶⁴). Two seals of one window share an IV with a probability below 2³²/2¹²⁹ = 2⁻⁹⁷.
/// - HMAC-SHA256 has no usage limit that a window could come near.
/// - The count: past 65 536 seals, spreading two derivations over more seals saves nothing
///   measurable (well under a nanosecond a seal), so the window stops there.
/// - The time: seals of one window can be linked to each other (above); 60 seconds keeps that to
///   seals made within a minute of each other, as seals of a busy server are anyway.
///
/// The window's age is read from the clock the seal is made with (`now_ms` of
/// [`seal_at`](crate::seal_at)), so tests can drive it; a clock set back ends the window.
///
/// After a fork, parent and child share the window (as they share the password), but never an
/// IV: each seal draws its IV from the random source, and [`ThreadRandom`](crate::ThreadRandom)
/// re-keys in a forked child.
///
/// ```
/// use std::num::NonZeroU64;
/// use iron_seal::{seal_at, KeyReuse, Options, OsRandom, Password, PasswordId};
///
/// let password = Password::from("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg");
/// let reuse = KeyReuse::new(60_000, NonZeroU64::new(2).unwrap());
/// let options = Options::default().with_key_reuse(Some(reuse));
/// let salts = |seal: &str| {
///     let fields: Vec<_> = seal.split('*').collect();
///     (fields[2].to_owned(), fields[6].to_owned())
/// };
/// let seal = |now_ms| seal_at(b"{}", &PasswordId::NONE, &password, &options, now_ms, OsRandom);
/// let (first, second, third) = (seal(0)?, seal(1)?, seal(2)?);
/// assert_eq!(salts(&first), salts(&second));
/// assert_ne!(salts(&second), salts(&third)); // two seals: the window is used up
/// assert_ne!(salts(&third), salts(&seal(60_002)?)); // 60 s later: a new window
/// # Ok::<(), iron_seal::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyReuse {
    max_age_ms: u64,
    max_seals: NonZeroU64,
}

impl KeyReuse {
    /// 60 seconds or 65 536 seals, whichever ends first (why: see the type's documentation).
    pub const DEFAULT: KeyReuse = KeyReuse {
        max_age_ms: 60_000,
        // Evaluated at compile time: 2^16 is not zero.
        max_seals: NonZeroU64::new(1 << 16).expect("2^16 is not zero"),
    };

    /// A window that ends `max_age_ms` milliseconds after its first seal, or after `max_seals`
    /// seals. A `max_age_ms` of 0 ends every window at once: every seal gets fresh salts.
    ///
    /// ```
    /// use std::num::NonZeroU64;
    /// let reuse = iron_seal::KeyReuse::new(1_000, NonZeroU64::new(100).unwrap());
    /// assert_eq!((reuse.max_age_ms(), reuse.max_seals()), (1_000, 100));
    /// ```
    pub const fn new(max_age_ms: u64, max_seals: NonZeroU64) -> Self {
        KeyReuse {
            max_age_ms,
            max_seals,
        }
    }

    /// How long a window serves after its first seal, in milliseconds.
    pub const fn max_age_ms(&self) -> u64 {
        self.max_age_ms
    }

    /// How many seals a window makes at most.
    pub const fn max_seals(&self) -> u64 {
        self.max_seals.get()
    }
}

impl Default for KeyReuse {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What a window's keys were derived for: they serve only seals with the same key sizes and
/// derivations (an iteration count or a salt size of other options gets a window of its own).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeyShape {
    encryption_key_len: usize,
    encryption: KeyDerivation,
    integrity: KeyDerivation,
}

impl KeyShape {
    pub(crate) fn of(options: &Options) -> Self {
        KeyShape {
            encryption_key_len: options.cipher().key_len(),
            encryption: options.encryption_key_derivation(),
            integrity: options.integrity_key_derivation(),
        }
    }
}

/// A password's current window, shared by its clones. It is replaced whole (an atomically swapped
/// `Arc`), so threads sealing at once read it without a lock; the only write they share is the
/// window's seal count.
#[derive(Default)]
pub(crate) struct KeyWindows {
    current: ArcSwapOption<KeyWindow>,
}

impl KeyWindows {
    /// The current window, if any.
    pub(crate) fn current(&self) -> Guard<Option<Arc<KeyWindow>>> {
        self.current.load()
    }

    /// Makes `window` the current one. The window it replaces is dropped, and its keys wiped, once
    /// the seals still using it are done.
    pub(crate) fn replace(&self, window: KeyWindow) {
        self.current.store(Some(Arc::new(window)));
    }

    #[cfg(test)]
    pub(crate) fn current_weak(&self) -> Option<std::sync::Weak<KeyWindow>> {
        self.current.load().as_ref().map(Arc::downgrade)
    }
}

/// The salts of one window, as written in its seals, and the keys derived from them.
pub(crate) struct KeyWindow {
    shape: KeyShape,
    started_ms: u64,
    /// Seals made or promised so far: counted before each seal, so it runs past the limit.
    seals: AtomicU64,
    encryption: WindowKey<KeyBytes>,
    /// Kept keyed into HMAC-SHA256, so the window's seals and unseals skip the keying.
    integrity: WindowKey<MacKey>,
}

/// One role's salt text and derived key; `None` for a raw-key secret, which has neither.
struct WindowKey<K>(Option<(Box<str>, K)>);

impl<K> WindowKey<K> {
    fn salt(&self) -> &str {
        self.0.as_ref().map_or("", |(salt, _)| salt)
    }

    /// The derived key, if `salt` is this window's salt.
    fn key_for_salt(&self, salt: &str) -> Option<&K> {
        let (own, key) = self.0.as_ref()?;
        (**own == *salt).then_some(key)
    }
}

impl WindowKey<KeyBytes> {
    fn new(salt: &str, key: Key<'_>) -> Self {
        match key {
            Key::Derived { bytes, .. } => WindowKey(Some((salt.into(), bytes))),
            Key::Raw(_) => WindowKey(None),
        }
    }

    /// The key for `secret` (the secret the window was made with), `len` bytes long.
    fn key<'a>(&'a self, secret: &'a Secret, len: usize) -> Key<'a> {
        match &self.0 {
            Some((_, bytes)) => Key::Raw(&bytes[..len]),
            None => Key::Raw(secret.material().0),
        }
    }
}

impl WindowKey<MacKey> {
    fn new(salt: &str, key: IntegrityKey<'_>) -> Self {
        match key.mac {
            Cow::Owned(mac) => WindowKey(Some((salt.into(), mac))),
            Cow::Borrowed(_) => WindowKey(None),
        }
    }

    /// The key for `secret` (the secret the window was made with): `None` only if a text
    /// password's window had no key, which its first seal always gives it.
    fn key<'a>(&'a self, secret: &'a Secret) -> Option<IntegrityKey<'a>> {
        match (&self.0, secret.keying()) {
            (Some((_, mac)), _) | (None, Keying::Raw(mac)) => Some(IntegrityKey::borrowed(mac)),
            (None, Keying::Pbkdf2(_)) => None,
        }
    }
}

/// The salts and keys one seal is made with, in the order a seal writes them.
pub(crate) struct SealKeys<'a> {
    pub(crate) encryption_salt: &'a str,
    pub(crate) encryption: Key<'a>,
    pub(crate) integrity_salt: &'a str,
    pub(crate) integrity: IntegrityKey<'a>,
}

impl KeyWindow {
    /// A window starting at `now_ms` from the salts and keys of its first seal (counted).
    pub(crate) fn new(shape: KeyShape, now_ms: u64, first_seal: SealKeys<'_>) -> Self {
        KeyWindow {
            shape,
            started_ms: now_ms,
            seals: AtomicU64::new(1),
            encryption: WindowKey::<KeyBytes>::new(
                first_seal.encryption_salt,
                first_seal.encryption,
            ),
            integrity: WindowKey::<MacKey>::new(first_seal.integrity_salt, first_seal.integrity),
        }
    }

    /// Counts one more seal and returns its salts and keys, if this window serves a seal of
    /// `shape` at `now_ms` under the limits of `reuse`.
    pub(crate) fn take_seal<'a>(
        &'a self,
        password: &'a Password,
        shape: &KeyShape,
        reuse: KeyReuse,
        now_ms: u64,
    ) -> Option<SealKeys<'a>> {
        let within_time = now_ms
            .checked_sub(self.started_ms)
            .is_some_and(|age| age < reuse.max_age_ms());
        // Relaxed: the count guards no other memory (the window's contents were published by
        // the swap that made it current), only how many seals it makes.
        let serves = self.shape == *shape
            && within_time
            && self.seals.fetch_add(1, Ordering::Relaxed) < reuse.max_seals();
        if !serves {
            return None;
        }
        Some(SealKeys {
            encryption_salt: self.encryption.salt(),
            encryption: self
                .encryption
                .key(password.encryption(), shape.encryption_key_len),
            integrity_salt: self.integrity.salt(),
            integrity: self.integrity.key(password.integrity())?,
        })
    }

    /// The window's encryption key, if a seal of `shape` with encryption salt `salt` uses it.
    pub(crate) fn encryption_key(&self, shape: &KeyShape, salt: &str) -> Option<Key<'_>> {
        let bytes = (self.shape == *shape)
            .then(|| self.encryption.key_for_salt(salt))
            .flatten()?;
        Some(Key::Raw(&bytes[..shape.encryption_key_len]))
    }

    /// The window's integrity key, if a seal of `shape` with HMAC salt `salt` uses it.
    pub(crate) fn integrity_key(&self, shape: &KeyShape, salt: &str) -> Option<IntegrityKey<'_>> {
        let mac = (self.shape == *shape)
            .then(|| self.integrity.key_for_salt(salt))
            .flatten()?;
        Some(IntegrityKey::borrowed(mac))
    }

    #[cfg(test)]
    pub(crate) fn salts(&self) -> (&str, &str) {
        (self.encryption.salt(), self.integrity.salt())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};
    use std::num::{NonZeroU32, NonZeroU64};
    use std::sync::Weak;

    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;
    use crate::crypto::PBKDF2_DERIVATIONS;
    use crate::seal::tests::{RecordingRandom, fields};
    use crate::{Error, OsRandom, PasswordId, ThreadRandom, seal_at, unseal_at};

    const PASSWORD: &str = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";
    const NOW: u64 = 1_700_000_000_000;

    fn reusing(max_age_ms: u64, max_seals: u64) -> Options {
        let reuse = KeyReuse::new(max_age_ms, NonZeroU64::new(max_seals).unwrap());
        Options::default()
            .with_ttl_ms(Some(3_600_000))
            .with_key_reuse(Some(reuse))
    }

    fn seal(password: &Password, options: &Options, now_ms: u64) -> String {
        seal_at(
            b"{}",
            &PasswordId::NONE,
            password,
            options,
            now_ms,
            OsRandom,
        )
        .unwrap()
    }

    /// `count` seals of `{}` at `NOW`, drawing from `random`.
    fn seals_drawing_from(
        mut random: impl crate::RandomSource,
        password: &Password,
        options: &Options,
        count: usize,
    ) -> Vec<String> {
        (0..count)
            .map(|_| {
                seal_at(
                    b"{}",
                    &PasswordId::NONE,
                    password,
                    options,
                    NOW,
                    &mut random,
                )
                .unwrap()
            })
            .collect()
    }

    /// The encryption and the HMAC salt of a seal.
    fn salts(sealed: &str) -> (String, String) {
        let fields = fields(sealed);
        (fields[2].to_owned(), fields[6].to_owned())
    }

    fn iv(sealed: &str) -> String {
        fields(sealed)[3].to_owned()
    }

    /// What `run` returned, and how many keys it derived with PBKDF2.
    fn with_derivations<T>(run: impl FnOnce() -> T) -> (T, usize) {
        counting(&PBKDF2_DERIVATIONS, run)
    }

    /// What `run` returns, and how much it added to this thread's `counter`.
    fn counting<T>(
        counter: &'static std::thread::LocalKey<std::cell::Cell<usize>>,
        run: impl FnOnce() -> T,
    ) -> (T, usize) {
        counter.with(|count| count.set(0));
        let result = run();
        (result, counter.with(std::cell::Cell::get))
    }

    /// The first seal of a window draws its two salts and its IV in one call, in Iron's order,
    /// and is the very seal made without reuse from the same bytes; each later seal draws its IV
    /// alone (the counter's next 16 bytes) and writes the first seal's salts.
    #[test]
    fn seals_of_one_window_share_both_salts_and_draw_only_their_iv() {
        let password = Password::from(PASSWORD);
        let options = reusing(60_000, 1 << 16);
        let mut random = RecordingRandom::default();
        let seals: Vec<String> = (0..8u64)
            .map(|i| {
                let plaintext = i.to_string();
                let now = NOW + i;
                seal_at(
                    plaintext.as_bytes(),
                    &PasswordId::NONE,
                    &password,
                    &options,
                    now,
                    &mut random,
                )
                .unwrap()
            })
            .collect();
        assert_eq!(random.fills, [80, 16, 16, 16, 16, 16, 16, 16]);
        let without_reuse = seal_at(
            b"0",
            &PasswordId::NONE,
            &Password::from(PASSWORD),
            &options.with_key_reuse(None),
            NOW,
            RecordingRandom::default(),
        )
        .unwrap();
        assert_eq!(seals[0], without_reuse);
        for (i, sealed) in seals.iter().enumerate() {
            assert_eq!(salts(sealed), salts(&seals[0]), "seal {i}");
            if i > 0 {
                let first_byte = (80 + 16 * (i - 1)) as u8;
                let drawn: Vec<u8> = (first_byte..first_byte + 16).collect();
                assert_eq!(iv(sealed), URL_SAFE_NO_PAD.encode(drawn), "seal {i}");
            }
            assert_eq!(
                unseal_at(sealed, &password, &options, NOW).unwrap(),
                i.to_string().as_bytes()
            );
        }
    }

    #[test]
    fn no_two_seals_of_a_window_share_an_iv() {
        let password = Password::from(PASSWORD);
        let options = reusing(60_000, 1 << 16);
        let mut ivs = HashSet::new();
        let mut salt_pairs = HashSet::new();
        for sealed in seals_drawing_from(ThreadRandom, &password, &options, 2_000) {
            salt_pairs.insert(salts(&sealed));
            assert!(ivs.insert(iv(&sealed)), "an IV came twice: {sealed}");
        }
        assert_eq!(salt_pairs.len(), 1);
    }

    #[test]
    fn a_window_ends_after_its_number_of_seals() {
        let password = Password::from(PASSWORD);
        let options = reusing(60_000, 3);
        let seals: Vec<_> = (0..7)
            .map(|_| salts(&seal(&password, &options, NOW)))
            .collect();
        assert_eq!(seals[0], seals[1]);
        assert_eq!(seals[1], seals[2]);
        assert_ne!(seals[2], seals[3]);
        assert_eq!(seals[3], seals[4]);
        assert_eq!(seals[4], seals[5]);
        assert_ne!(seals[5], seals[6]);
    }

    /// Its age is read from the clock each seal is made with; a clock set back ends it too.
    #[test]
    fn a_window_ends_with_its_age_by_the_clock_of_the_seal() {
        let password = Password::from(PASSWORD);
        let options = reusing(1_000, 1 << 16);
        let at = |now_ms| salts(&seal(&password, &options, now_ms));
        let first = at(NOW);
        assert_eq!(at(NOW + 999), first);
        let second = at(NOW + 1_000);
        assert_ne!(second, first);
        assert_eq!(at(NOW + 1_999), second);
        let third = at(NOW + 500);
        assert_ne!(third, second);
        assert_ne!(third, first);
        assert_eq!(at(NOW + 501), third);
    }

    #[test]
    fn without_key_reuse_every_seal_draws_fresh_salts() {
        let password = Password::from(PASSWORD);
        let mut random = RecordingRandom::default();
        let seals = seals_drawing_from(&mut random, &password, &Options::default(), 3);
        assert_eq!(random.fills, [80, 80, 80]);
        let distinct: HashSet<_> = seals.iter().map(|sealed| salts(sealed)).collect();
        assert_eq!(distinct.len(), 3);
        assert!(password.key_windows().current_weak().is_none());
    }

    /// A key derived with one iteration count (or salt size, or key size) is never used for
    /// another: the window keeps the shape its keys were derived for, and the key cache the
    /// iterations of each key.
    #[test]
    fn keys_of_one_iteration_count_never_serve_another() {
        let derivation = |iterations| {
            KeyDerivation::new(
                NonZeroU32::new(256).unwrap(),
                NonZeroU32::new(iterations).unwrap(),
            )
        };
        let iron = reusing(60_000, 1 << 16);
        let slow = iron
            .with_encryption_key_derivation(derivation(8192))
            .with_integrity_key_derivation(derivation(8192));
        let password = Password::from(PASSWORD);

        let a = seal(&password, &slow, NOW);
        assert_eq!(unseal_at(&a, &password, &iron, NOW), Err(Error::BadMac));
        assert_eq!(unseal_at(&a, &password, &slow, NOW).unwrap(), b"{}");
        let b = seal(&password, &iron, NOW);
        assert_ne!(salts(&a), salts(&b));
        assert_eq!(unseal_at(&b, &password, &slow, NOW), Err(Error::BadMac));
        assert_eq!(unseal_at(&b, &password, &iron, NOW).unwrap(), b"{}");

        // Without a window, from the key cache alone.
        let cached = Password::from(PASSWORD);
        let c = seal(&cached, &slow.with_key_reuse(None), NOW);
        assert_eq!(cached.integrity().derived_keys().len(), 2);
        let iron_without_reuse = iron.with_key_reuse(None);
        assert_eq!(
            unseal_at(&c, &cached, &iron_without_reuse, NOW),
            Err(Error::BadMac)
        );
        assert_eq!(unseal_at(&c, &cached, &slow, NOW).unwrap(), b"{}");
    }

    /// A replaced window is dropped as soon as no seal uses it any more, and its keys are
    /// `Zeroizing`: wiped when dropped.
    #[test]
    fn a_replaced_window_is_dropped_and_its_keys_wiped() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<KeyBytes>();

        let password = Password::from(PASSWORD);
        let options = reusing(60_000, 2);
        let windows = password.key_windows();
        seal(&password, &options, NOW);
        let first: Weak<KeyWindow> = windows.current_weak().unwrap();
        seal(&password, &options, NOW);
        assert!(first.upgrade().is_some());
        seal(&password, &options, NOW);
        assert!(first.upgrade().is_none(), "the replaced window is alive");

        // A seal still using a window when it is replaced keeps it until it is done.
        let in_use = windows.current();
        let second = windows.current_weak().unwrap();
        seal(&password, &options, NOW);
        seal(&password, &options, NOW);
        assert!(!Weak::ptr_eq(&second, &windows.current_weak().unwrap()));
        assert!(second.upgrade().is_some());
        drop(in_use);
        assert!(second.upgrade().is_none(), "the replaced window is alive");
    }

    /// Seals of the window open with its keys, without PBKDF2 (whatever the reader's options say
    /// about reuse, and with the key cache off); a process without the window derives them as
    /// for any seal; and once the window is replaced, the key cache has its keys.
    #[test]
    fn a_seal_of_the_window_opens_from_the_window_the_key_cache_or_pbkdf2() {
        let password = Password::from(PASSWORD);
        let options = reusing(60_000, 1 << 16);
        let (_, derived) = with_derivations(|| seal(&password, &options, NOW));
        assert_eq!(derived, 2);
        let (sealed, derived) = with_derivations(|| seal(&password, &options, NOW));
        assert_eq!(derived, 0);
        for reader in [options, options.with_key_reuse(None)] {
            let (opened, derived) =
                with_derivations(|| unseal_at(&sealed, &password, &reader, NOW));
            assert_eq!((opened.unwrap(), derived), (b"{}".to_vec(), 0));
        }

        let uncached = Password::new(crate::Secret::text(PASSWORD).without_key_cache());
        seal(&uncached, &options, NOW);
        let (own, derived) = with_derivations(|| seal(&uncached, &options, NOW));
        assert_eq!(derived, 0);
        let (opened, derived) = with_derivations(|| unseal_at(&own, &uncached, &options, NOW));
        assert_eq!((opened.unwrap(), derived), (b"{}".to_vec(), 0));
        assert_eq!(uncached.integrity().derived_keys().len(), 0);

        let elsewhere = Password::from(PASSWORD);
        let (opened, derived) = with_derivations(|| unseal_at(&sealed, &elsewhere, &options, NOW));
        assert_eq!((opened.unwrap(), derived), (b"{}".to_vec(), 2));

        // A window of age 0 ends at once: each seal replaces the window.
        seal(&password, &reusing(0, 1), NOW);
        assert_ne!(salts(&seal(&password, &options, NOW)), salts(&sealed));
        let (opened, derived) = with_derivations(|| unseal_at(&sealed, &password, &options, NOW));
        assert_eq!((opened.unwrap(), derived), (b"{}".to_vec(), 0));
    }

    /// HMAC-SHA256 is keyed once per key, not once per MAC: a seal of the window and an unseal
    /// of it (from the window, or from the key cache once the window is gone) key nothing; a
    /// window's first seal keys its new integrity key once, and a seal made elsewhere is keyed
    /// once when it is first opened, then found keyed in the key cache.
    #[test]
    fn hmac_keys_are_keyed_once_and_kept_keyed() {
        use crate::crypto::HMAC_KEYINGS;
        let password = Password::from(PASSWORD);
        let options = reusing(60_000, 1 << 16);
        let (first, keyed) = counting(&HMAC_KEYINGS, || seal(&password, &options, NOW));
        assert_eq!(keyed, 1);
        let (sealed, keyed) = counting(&HMAC_KEYINGS, || seal(&password, &options, NOW));
        assert_eq!(keyed, 0);
        for seal in [&first, &sealed] {
            let (opened, keyed) =
                counting(&HMAC_KEYINGS, || unseal_at(seal, &password, &options, NOW));
            assert_eq!((opened.unwrap(), keyed), (b"{}".to_vec(), 0));
        }
        // A new window: the old one's seals open with keys from the key cache, still keyed.
        seal(&password, &options, NOW + 60_000);
        let (opened, keyed) = counting(&HMAC_KEYINGS, || {
            unseal_at(&sealed, &password, &options, NOW)
        });
        assert_eq!((opened.unwrap(), keyed), (b"{}".to_vec(), 0));

        let elsewhere = Password::from(PASSWORD);
        let (opened, keyed) = counting(&HMAC_KEYINGS, || {
            unseal_at(&sealed, &elsewhere, &options, NOW)
        });
        assert_eq!((opened.unwrap(), keyed), (b"{}".to_vec(), 1));
        let (opened, keyed) = counting(&HMAC_KEYINGS, || {
            unseal_at(&sealed, &elsewhere, &options, NOW)
        });
        assert_eq!((opened.unwrap(), keyed), (b"{}".to_vec(), 0));
    }

    /// Only this process's own seals make a window, and an unseal never changes it: a forged
    /// seal (with the window's salts or others) leaves window and key cache as they were, and a
    /// seal made elsewhere that opens enters the key cache only.
    #[test]
    fn unsealing_never_changes_the_window() {
        let password = Password::from(PASSWORD);
        let options = reusing(60_000, 1 << 16);
        let sealed = seal(&password, &options, NOW);
        let window = password.key_windows().current_weak().unwrap();
        let cache_len = password.integrity().derived_keys().len();
        assert_eq!(cache_len, 2);

        let mut forged: Vec<&str> = fields(&sealed);
        let wrong_mac = "A".repeat(43);
        forged[7] = &wrong_mac;
        let other_salt = "a".repeat(64);
        let with_other_salts = {
            let mut fields = forged.clone();
            fields[2] = &other_salt;
            fields[6] = &other_salt;
            fields.join("*")
        };
        for forged in [forged.join("*"), with_other_salts] {
            assert_eq!(
                unseal_at(&forged, &password, &options, NOW),
                Err(Error::BadMac)
            );
        }
        assert_eq!(password.integrity().derived_keys().len(), cache_len);

        let elsewhere = seal(&Password::from(PASSWORD), &options, NOW);
        assert_eq!(
            unseal_at(&elsewhere, &password, &options, NOW).unwrap(),
            b"{}"
        );
        assert_eq!(password.integrity().derived_keys().len(), cache_len + 2);
        let current = password.key_windows().current_weak().unwrap();
        assert!(Weak::ptr_eq(&window, &current));
        assert_eq!(
            current.upgrade().unwrap().salts(),
            (fields(&sealed)[2], fields(&sealed)[6])
        );
    }

    #[test]
    fn raw_keys_have_nothing_to_reuse() {
        let password = Password::new(crate::Secret::key([7u8; 32]));
        let options = reusing(60_000, 1 << 16);
        let mut random = RecordingRandom::default();
        for sealed in seals_drawing_from(&mut random, &password, &options, 2) {
            assert_eq!(unseal_at(&sealed, &password, &options, NOW).unwrap(), b"{}");
        }
        assert_eq!(random.fills, [16, 16]);
        assert!(password.key_windows().current_weak().is_none());
    }

    /// A raw encryption key with a text integrity password: the HMAC salt and key are reused, the
    /// encryption salt stays empty.
    #[test]
    fn a_raw_encryption_key_beside_a_text_integrity_password_reuses_the_hmac_salt() {
        let secrets =
            || Password::separate(crate::Secret::key([7u8; 32]), crate::Secret::text(PASSWORD));
        let password = secrets();
        let options = reusing(60_000, 1 << 16);
        let mut random = RecordingRandom::default();
        let seals = seals_drawing_from(&mut random, &password, &options, 2);
        assert_eq!(random.fills, [48, 16]);
        assert_eq!(salts(&seals[0]), salts(&seals[1]));
        assert_eq!(fields(&seals[1])[2], "");
        for sealed in &seals {
            assert_eq!(unseal_at(sealed, &password, &options, NOW).unwrap(), b"{}");
            assert_eq!(unseal_at(sealed, &secrets(), &options, NOW).unwrap(), b"{}");
        }
    }

    /// Threads sealing with one password at once share its windows; no window makes more seals
    /// than its limit, and no IV comes twice.
    #[test]
    fn threads_sealing_at_once_keep_the_limit_and_never_share_an_iv() {
        let password = Password::from(PASSWORD);
        let options = reusing(60_000, 100);
        let seals: Vec<String> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        let seals = seals_drawing_from(ThreadRandom, &password, &options, 500);
                        for sealed in &seals {
                            let opened = unseal_at(sealed, &password, &options, NOW);
                            assert_eq!(opened.unwrap(), b"{}");
                        }
                        seals
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|worker| worker.join().unwrap())
                .collect()
        });
        let mut per_window: HashMap<(String, String), usize> = HashMap::new();
        for sealed in &seals {
            *per_window.entry(salts(sealed)).or_default() += 1;
        }
        assert!(
            per_window.values().all(|&count| count <= 100),
            "{per_window:?}"
        );
        assert!(per_window.len() >= 20);
        let ivs: HashSet<_> = seals.iter().map(|sealed| iv(sealed)).collect();
        assert_eq!(ivs.len(), seals.len());
    }
}
