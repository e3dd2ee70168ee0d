//! A bounded memory of keys already derived from a text password, so that a seal seen again (or
//! one this process just made, coming back in the next request) opens without running PBKDF2.
//!
//! Only keys that are known good get in: the ones derived for a seal this process makes, and, on
//! unseal, the integrity key once the HMAC matched and the encryption key once decryption
//! succeeded. So forged seals cannot push useful keys out. A key is a pure function of the
//! password and the salt, so the cache never changes a result, only how fast it comes.

use std::hash::BuildHasher;
use std::sync::{Mutex, MutexGuard, PoisonError};

use hashbrown::HashTable;
use hashbrown::hash_table::Entry as TableEntry;
use zeroize::Zeroizing;

use crate::crypto::{MAC_LEN, MacKey};

/// Independent parts of the cache, each behind its own lock, picked by a hash of the salt: threads
/// sealing and unsealing with one password at once rarely wait for each other. Every seal takes
/// a lock twice and every unseal of a known seal twice, so one lock per password would make a
/// many-core server take turns.
const SHARDS: usize = 16;

/// Keys kept in each of the two generations of one shard: at most `2 * SHARDS * 32` = 1024 keys
/// per password, about 200 KiB of entries (an Iron salt is held in its entry, beside the key, and
/// an integrity key's two keyed SHA-256 states).
const SHARD_GENERATION_CAPACITY: usize = 32;

/// The largest key derived from a text password (AES-256 and HMAC-SHA256 keys are 32 bytes).
pub(crate) const LARGEST_DERIVED_KEY: usize = 32;

pub(crate) type KeyBytes = Zeroizing<[u8; LARGEST_DERIVED_KEY]>;

/// Shards of two generations of salt -> key each: lookups promote old entries into the young
/// generation, and when the young one is full it becomes the old one (the previous old one is
/// dropped and wiped). Keys in use stay; keys not used for a generation go, with no per-entry
/// bookkeeping. A cache without shards keeps nothing.
///
/// A salt is hashed once per lookup or insert, with a hash keyed per cache (foldhash, seeded at
/// random): some bits of it pick the shard, the table of the shard uses it as it is. Keyed, so
/// nobody can choose salts that all land in one shard or one probe sequence; a fast hash rather
/// than SipHash, because what enters the tables is chosen by nobody: the salts of seals this
/// process made, or of seals whose HMAC matched.
pub(crate) struct KeyCache {
    shards: Box<[Mutex<Generations>]>,
    hasher: foldhash::quality::RandomState,
}

#[derive(Default)]
struct Generations {
    young: HashTable<Entry>,
    old: HashTable<Entry>,
}

/// The length of an Iron salt as a seal writes it: 32 random bytes (256 bits, Iron's default) in
/// hex.
const IRON_SALT_LEN: usize = 64;

/// A salt as a key of the cache. Iron's salts are held in place, so remembering the keys of a new
/// seal allocates nothing (besides the table's own growth); salts of any other length (other salt
/// sizes in the options) are boxed. A salt's text is written in the clear in its seal, so it
/// needs no wiping.
enum Salt {
    Iron([u8; IRON_SALT_LEN]),
    Other(Box<[u8]>),
}

impl Salt {
    fn new(salt: &str) -> Self {
        match salt.as_bytes().try_into() {
            Ok(iron) => Salt::Iron(iron),
            Err(_) => Salt::Other(salt.as_bytes().into()),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            Salt::Iron(bytes) => bytes,
            Salt::Other(bytes) => bytes,
        }
    }
}

struct Entry {
    /// The salt's hash, as the cache's hasher gave it (the table moves entries by it).
    hash: u64,
    salt: Salt,
    key_len: usize,
    iterations: u32,
    key: KeyBytes,
    /// The key, keyed into HMAC-SHA256, when it was remembered as an integrity key.
    mac: Option<MacKey>,
}

impl Entry {
    fn is_for(&self, salt: &[u8]) -> bool {
        self.salt.as_bytes() == salt
    }
}

impl Default for KeyCache {
    fn default() -> Self {
        KeyCache {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            hasher: foldhash::quality::RandomState::default(),
        }
    }
}

impl KeyCache {
    /// A cache that keeps nothing: every key is derived again.
    pub(crate) fn disabled() -> Self {
        KeyCache {
            shards: Box::new([]),
            hasher: foldhash::quality::RandomState::default(),
        }
    }

    /// The key derived earlier for `salt` with the same length and iterations, if it is kept.
    pub(crate) fn get(&self, salt: &str, key_len: usize, iterations: u32) -> Option<KeyBytes> {
        self.find(salt, key_len, iterations, |entry| entry.key.clone())
    }

    /// The HMAC-SHA256 key derived earlier for `salt` with these iterations, keyed, if it is
    /// kept.
    pub(crate) fn get_mac(&self, salt: &str, iterations: u32) -> Option<MacKey> {
        let found = self.find(salt, MAC_LEN, iterations, |entry| match &entry.mac {
            Some(mac) => Ok(mac.clone()),
            None => Err(entry.key.clone()),
        })?;
        // Kept as an encryption key only: keyed here, outside the lock.
        Some(found.unwrap_or_else(|key| MacKey::new(&key[..MAC_LEN])))
    }

    /// What `read` takes from the entry for `salt`, if one with this key length and iterations is
    /// kept; a hit in the old generation promotes the entry to the young one.
    fn find<R>(
        &self,
        salt: &str,
        key_len: usize,
        iterations: u32,
        read: impl FnOnce(&Entry) -> R,
    ) -> Option<R> {
        let (mut generations, hash) = self.lock(salt)?;
        let salt = salt.as_bytes();
        let matches = |entry: &Entry| entry.key_len == key_len && entry.iterations == iterations;
        if let Some(entry) = generations.young.find(hash, |entry| entry.is_for(salt)) {
            return matches(entry).then(|| read(entry));
        }
        // Promoted with the salt it was kept under: no new allocation for it.
        let Ok(old) = generations.old.find_entry(hash, |entry| entry.is_for(salt)) else {
            return None;
        };
        let (entry, _) = old.remove();
        let found = matches(&entry).then(|| read(&entry));
        generations.insert(entry);
        found
    }

    /// Keeps `key` as the key derived for `salt`, with its keyed HMAC when it is an integrity key.
    pub(crate) fn insert(
        &self,
        salt: &str,
        key_len: usize,
        iterations: u32,
        key: &KeyBytes,
        mac: Option<&MacKey>,
    ) {
        if let Some((mut generations, hash)) = self.lock(salt) {
            generations.insert(Entry {
                hash,
                salt: Salt::new(salt),
                key_len,
                iterations,
                key: key.clone(),
                mac: mac.cloned(),
            });
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| {
                let generations = shard.lock().unwrap_or_else(PoisonError::into_inner);
                generations.young.len() + generations.old.len()
            })
            .sum()
    }

    /// The hash of `salt`, and which shard it belongs to (none when the cache is disabled).
    fn shard_index(&self, salt: &str) -> Option<(usize, u64)> {
        if self.shards.is_empty() {
            return None;
        }
        let hash = self.hasher.hash_one(salt.as_bytes());
        // hashbrown places an entry by the hash's lowest bits and tags it with its highest 7:
        // the shard takes bits from the middle, so a shard's entries still spread over its table.
        // The remainder is below SHARDS, so it fits any usize.
        Some((((hash >> 32) % self.shards.len() as u64) as usize, hash))
    }

    /// The shard of `salt`, locked, and the salt's hash.
    fn lock(&self, salt: &str) -> Option<(MutexGuard<'_, Generations>, u64)> {
        let (index, hash) = self.shard_index(salt)?;
        // Every update is a whole insert or swap, so a panic elsewhere cannot leave it half-done.
        let shard = self.shards[index]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Some((shard, hash))
    }
}

impl Generations {
    fn insert(&mut self, entry: Entry) {
        let salt = entry.salt.as_bytes();
        if self.young.len() >= SHARD_GENERATION_CAPACITY
            && self
                .young
                .find(entry.hash, |kept| kept.is_for(salt))
                .is_none()
        {
            // The old generation goes (its keys are wiped as they drop) and its table, already
            // grown to a generation's size, becomes the young one: no allocation per swap.
            std::mem::swap(&mut self.young, &mut self.old);
            self.young.clear();
        }
        let hash = entry.hash;
        match self.young.entry(
            hash,
            |kept| kept.is_for(entry.salt.as_bytes()),
            |kept| kept.hash,
        ) {
            TableEntry::Occupied(mut kept) => *kept.get_mut() = entry,
            TableEntry::Vacant(slot) => {
                slot.insert(entry);
            }
        }
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
        cache.insert("salt", 32, 1, &key(7), None);
        assert_eq!(cache.get("salt", 32, 1).as_deref(), Some(&[7; 32]));
        assert_eq!(cache.get("salt", 16, 1), None);
        assert_eq!(cache.get("salt", 32, 2), None);
        assert_eq!(cache.get("other", 32, 1), None);
    }

    /// Iron's 64-character salts and salts of other lengths are kept apart by their text, found
    /// again, and promoted from the old generation under the same salt.
    #[test]
    fn salts_of_irons_length_and_of_others_are_found_again() {
        let iron = "ab".repeat(32);
        let longer = "ab".repeat(33);
        let shorter = "ab".repeat(31);
        assert!(matches!(Salt::new(&iron), Salt::Iron(_)));
        assert!(matches!(Salt::new(&longer), Salt::Other(_)));
        let cache = KeyCache::default();
        cache.insert(&iron, 32, 1, &key(1), None);
        cache.insert(&longer, 32, 1, &key(2), None);
        cache.insert(&shorter, 32, 1, &key(3), None);
        assert_eq!(cache.get(&iron, 32, 1).as_deref(), Some(&[1; 32]));
        assert_eq!(cache.get(&longer, 32, 1).as_deref(), Some(&[2; 32]));
        assert_eq!(cache.get(&shorter, 32, 1).as_deref(), Some(&[3; 32]));
        assert_eq!(cache.get(&"ba".repeat(32), 32, 1), None);

        let single = KeyCache {
            shards: Box::new([Mutex::default()]),
            hasher: foldhash::quality::RandomState::default(),
        };
        for (salt, byte) in [(&iron, 1), (&longer, 2)] {
            let (mut generations, hash) = single.lock(salt).unwrap();
            let entry = Entry {
                hash,
                salt: Salt::new(salt),
                key_len: 32,
                iterations: 1,
                key: key(byte),
                mac: None,
            };
            generations.old.insert_unique(hash, entry, |kept| kept.hash);
        }
        assert_eq!(single.get(&iron, 32, 1).as_deref(), Some(&[1; 32]));
        assert_eq!(single.get(&longer, 32, 1).as_deref(), Some(&[2; 32]));
        let (generations, _) = single.lock(&iron).unwrap();
        assert!(generations.old.is_empty());
        let young: Vec<&[u8]> = generations
            .young
            .iter()
            .map(|e| e.salt.as_bytes())
            .collect();
        assert_eq!(young.len(), 2);
        assert!(young.contains(&iron.as_bytes()) && young.contains(&longer.as_bytes()));
    }

    /// An integrity key comes back keyed as it was kept, and a key kept without its keyed HMAC
    /// (an encryption key of the same secret and salt) is keyed on the way out: both compute
    /// the MAC of the key itself, and only a 32-byte key serves as one.
    #[test]
    fn integrity_keys_come_back_keyed() {
        let text = |mac: MacKey| {
            let mut out = String::new();
            mac.mac_b64(b"data").push_to(&mut out);
            out
        };
        let cache = KeyCache::default();
        cache.insert("with", 32, 1, &key(1), Some(&MacKey::new(&[1; 32])));
        cache.insert("without", 32, 1, &key(2), None);
        cache.insert("short", 16, 1, &key(3), None);
        assert_eq!(
            cache.get_mac("with", 1).map(text),
            Some(text(MacKey::new(&[1; 32])))
        );
        assert_eq!(
            cache.get_mac("without", 1).map(text),
            Some(text(MacKey::new(&[2; 32])))
        );
        assert!(cache.get_mac("with", 2).is_none());
        assert!(cache.get_mac("short", 1).is_none());
        assert!(cache.get_mac("other", 1).is_none());
    }

    /// Keys in one generation across all shards.
    const GENERATION_CAPACITY: usize = SHARDS * SHARD_GENERATION_CAPACITY;

    #[test]
    fn holds_at_most_two_generations() {
        let cache = KeyCache::default();
        for i in 0..5 * GENERATION_CAPACITY {
            cache.insert(&i.to_string(), 32, 1, &key(1), None);
        }
        assert!(cache.len() <= 2 * GENERATION_CAPACITY);
        assert!(cache.get("0", 32, 1).is_none());
    }

    #[test]
    fn salts_spread_over_independent_locks() {
        let cache = KeyCache::default();
        let used: std::collections::HashSet<_> = (0..1000)
            .filter_map(|i| {
                cache
                    .shard_index(&format!("{i:064x}"))
                    .map(|(shard, _)| shard)
            })
            .collect();
        assert_eq!(used.len(), SHARDS);
    }

    #[test]
    fn threads_sharing_a_cache_find_their_own_keys() {
        let cache = KeyCache::default();
        std::thread::scope(|scope| {
            for thread in 0..4u8 {
                let cache = &cache;
                scope.spawn(move || {
                    for i in 0..2 * GENERATION_CAPACITY {
                        let salt = format!("{thread}-{i}");
                        cache.insert(&salt, 32, 1, &key(thread), None);
                        // Other threads may have pushed it out meanwhile, but never replaced it.
                        if let Some(found) = cache.get(&salt, 32, 1) {
                            assert_eq!(*found, [thread; 32]);
                        }
                    }
                });
            }
        });
        assert!(cache.len() <= 2 * GENERATION_CAPACITY);
    }

    #[test]
    fn a_disabled_cache_keeps_nothing() {
        let cache = KeyCache::disabled();
        cache.insert("salt", 32, 1, &key(7), None);
        assert_eq!(cache.get("salt", 32, 1), None);
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn a_key_in_use_survives_while_others_churn() {
        let cache = KeyCache::default();
        cache.insert("hot", 32, 1, &key(9), None);
        for i in 0..10 * GENERATION_CAPACITY {
            cache.insert(&i.to_string(), 32, 1, &key(1), None);
            if i % (GENERATION_CAPACITY / 2) == 0 {
                assert!(cache.get("hot", 32, 1).is_some(), "lost after {i} inserts");
            }
        }
    }
}
