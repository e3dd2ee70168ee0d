//! A bounded memory of keys already derived from a text password, so that a seal seen again (or
//! one this process just made, coming back in the next request) opens without running PBKDF2.
//!
//! Only keys that are known good get in: the ones derived for a seal this process makes, and, on
//! unseal, the integrity key once the HMAC matched and the encryption key once decryption
//! succeeded. So forged seals cannot push useful keys out. A key is a pure function of the
//! password and the salt, so the cache never changes a result, only how fast it comes.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use zeroize::Zeroizing;

/// Keys kept in each of the two generations: at most twice this many per password, about
/// 150 KiB.
const GENERATION_CAPACITY: usize = 512;

/// The largest key derived from a text password (AES-256 and HMAC-SHA256 keys are 32 bytes).
pub(crate) const LARGEST_DERIVED_KEY: usize = 32;

pub(crate) type KeyBytes = Zeroizing<[u8; LARGEST_DERIVED_KEY]>;

/// Two generations of salt -> key: lookups promote old entries into the young generation, and
/// when the young one is full it becomes the old one (the previous old one is dropped and wiped).
/// Keys in use stay; keys not used for a generation go, with no per-entry bookkeeping.
#[derive(Default)]
pub(crate) struct KeyCache {
    generations: Mutex<Generations>,
}

#[derive(Default)]
struct Generations {
    young: HashMap<Box<str>, Entry>,
    old: HashMap<Box<str>, Entry>,
}

struct Entry {
    key_len: usize,
    iterations: u32,
    key: KeyBytes,
}

impl KeyCache {
    /// The key derived earlier for `salt` with the same length and iterations, if it is kept.
    pub(crate) fn get(&self, salt: &str, key_len: usize, iterations: u32) -> Option<KeyBytes> {
        let mut generations = self.lock();
        let matches = |entry: &Entry| entry.key_len == key_len && entry.iterations == iterations;
        if let Some(entry) = generations.young.get(salt) {
            return matches(entry).then(|| entry.key.clone());
        }
        let entry = generations.old.remove(salt)?;
        let key = matches(&entry).then(|| entry.key.clone());
        generations.insert(salt, entry);
        key
    }

    /// Keeps `key` as the key derived for `salt`.
    pub(crate) fn insert(&self, salt: &str, key_len: usize, iterations: u32, key: &KeyBytes) {
        let entry = Entry {
            key_len,
            iterations,
            key: key.clone(),
        };
        self.lock().insert(salt, entry);
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        let generations = self.lock();
        generations.young.len() + generations.old.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        // Every update is a whole insert or swap, so a panic elsewhere cannot leave it half-done.
        self.generations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Generations {
    fn insert(&mut self, salt: &str, entry: Entry) {
        if self.young.len() >= GENERATION_CAPACITY && !self.young.contains_key(salt) {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(salt.into(), entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> KeyBytes {
        Zeroizing::new([byte; LARGEST_DERIVED_KEY])
    }

    #[test]
    fn returns_what_was_kept_for_the_same_salt_length_and_iterations() {
        let cache = KeyCache::default();
        cache.insert("salt", 32, 1, &key(7));
        assert_eq!(cache.get("salt", 32, 1).as_deref(), Some(&[7; 32]));
        assert_eq!(cache.get("salt", 16, 1), None);
        assert_eq!(cache.get("salt", 32, 2), None);
        assert_eq!(cache.get("other", 32, 1), None);
    }

    #[test]
    fn holds_at_most_two_generations() {
        let cache = KeyCache::default();
        for i in 0..5 * GENERATION_CAPACITY {
            cache.insert(&i.to_string(), 32, 1, &key(1));
        }
        assert!(cache.len() <= 2 * GENERATION_CAPACITY);
        assert!(cache.get("0", 32, 1).is_none());
    }

    #[test]
    fn a_key_in_use_survives_while_others_churn() {
        let cache = KeyCache::default();
        cache.insert("hot", 32, 1, &key(9));
        for i in 0..10 * GENERATION_CAPACITY {
            cache.insert(&i.to_string(), 32, 1, &key(1));
            if i % (GENERATION_CAPACITY / 2) == 0 {
                assert!(cache.get("hot", 32, 1).is_some(), "lost after {i} inserts");
            }
        }
    }
}
