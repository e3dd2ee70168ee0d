//! Properties over generated inputs: round trips, agreement with the independent implementation
//! in `common`, tamper evidence, no panics on hostile input, and fresh randomness per seal.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use common::{
    CountingRandom, FixedRandom, NOW, PASSWORD, fields, hex_encode, iron_seal_independent,
};
use iron_seal::{
    Cipher, KeyReuse, Options, OsRandom, Password, PasswordId, SealParts, seal, seal_at, seal_json,
    unseal_at, unseal_json,
};
use proptest::prelude::*;
use serde_json::Value;

fn password() -> Password {
    Password::from(PASSWORD)
}

fn map() -> HashMap<String, Password> {
    HashMap::from([
        ("1".to_owned(), password()),
        ("default".to_owned(), password()),
    ])
}

/// A finite f64 that survives JSON text (serde_json's default float parsing is best-effort, and
/// that is serde_json's business, not this crate's).
fn json_f64() -> impl Strategy<Value = f64> {
    any::<f64>().prop_filter("finite and JSON round-trippable", |f| {
        f.is_finite()
            && serde_json::to_string(f)
                .ok()
                .and_then(|s| serde_json::from_str::<f64>(&s).ok())
                == Some(*f)
    })
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        json_f64().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_id() -> impl Strategy<Value = PasswordId> {
    prop_oneof![
        Just(PasswordId::NONE),
        "[A-Za-z0-9_]{1,12}".prop_map(|id| PasswordId::new(id).unwrap()),
    ]
}

fn arb_cipher() -> impl Strategy<Value = Cipher> {
    prop_oneof![Just(Cipher::Aes256Cbc), Just(Cipher::Aes128Ctr)]
}

/// The seal every single-character change is applied to: id, both salts and an expiration, so
/// that no field is empty.
static BASE_SEAL: LazyLock<String> = LazyLock::new(|| {
    seal_at(
        br#"{"user":{"id":1,"admin":false}}"#,
        &PasswordId::new("1").unwrap(),
        &password(),
        &Options::default().with_ttl_ms(Some(3_600_000)),
        NOW,
        OsRandom,
    )
    .unwrap()
});

fn assert_rejected(candidate: &str) -> Result<(), TestCaseError> {
    let single = unseal_at(candidate, &password(), &Options::default(), NOW);
    prop_assert!(single.is_err(), "{candidate} opened: {single:?}");
    let mapped = unseal_at(candidate, &map(), &Options::default(), NOW);
    prop_assert!(
        mapped.is_err(),
        "{candidate} opened with the map: {mapped:?}"
    );
    Ok(())
}

proptest! {
    #[test]
    fn bytes_round_trip(
        plaintext in prop::collection::vec(any::<u8>(), 0..600),
        id in arb_id(),
        cipher in arb_cipher(),
        now in any::<u64>(),
        ttl in proptest::option::of(any::<u32>()),
    ) {
        let options = Options::default()
            .with_cipher(cipher)
            .with_ttl_ms(ttl.map(u64::from));
        let sealed = seal_at(&plaintext, &id, &password(), &options, now, OsRandom).unwrap();
        prop_assert_eq!(fields(&sealed)[1], id.as_str());
        prop_assert_eq!(unseal_at(&sealed, &password(), &options, now).unwrap(), plaintext.clone());
        let key = if id.as_str().is_empty() { "default" } else { id.as_str() };
        let by_id = HashMap::from([(key.to_owned(), password())]);
        prop_assert_eq!(unseal_at(&sealed, &by_id, &options, now).unwrap(), plaintext);
    }

    #[test]
    fn json_round_trip(value in arb_json()) {
        let sealed = seal_json(&value, &PasswordId::NONE, &password(), &Options::default()).unwrap();
        let back: Value = unseal_json(&sealed, &password(), &Options::default()).unwrap();
        prop_assert_eq!(back, value);
    }

    #[test]
    fn seal_at_agrees_with_the_independent_implementation(
        plaintext in prop::collection::vec(any::<u8>(), 0..200),
        id in arb_id(),
        pw in "\\PC{32,40}",
        encryption_salt in any::<[u8; 32]>(),
        iv in any::<[u8; 16]>(),
        hmac_salt in any::<[u8; 32]>(),
        now in 0u64..4_000_000_000_000,
        ttl in proptest::option::of(1u64..1_000_000_000),
    ) {
        let random = [&encryption_salt[..], &iv[..], &hmac_salt[..]].concat();
        let ours = seal_at(
            &plaintext,
            &id,
            &Password::from(pw.as_str()),
            &Options::default().with_ttl_ms(ttl),
            now,
            FixedRandom::new(random),
        )
        .unwrap();
        let expiration = ttl.map(|t| (now + t).to_string()).unwrap_or_default();
        let theirs = iron_seal_independent(
            &plaintext,
            id.as_str(),
            &pw,
            &hex_encode(&encryption_salt),
            &iv,
            &expiration,
            &hex_encode(&hmac_salt),
        );
        prop_assert_eq!(ours, theirs);
    }

    /// With key reuse, the seals of one window are each exactly the seal the independent
    /// implementation makes from the window's salts and the seal's own IV: the first seal draws
    /// the salts and its IV in Iron's order, every later one its IV alone.
    #[test]
    fn seals_of_one_key_reuse_window_agree_with_the_independent_implementation(
        plaintexts in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..100), 1..6),
        pw in "\\PC{32,40}",
        first_byte in any::<u8>(),
        now in 0u64..4_000_000_000_000,
        ttl in proptest::option::of(1u64..1_000_000_000),
    ) {
        let options = Options::default()
            .with_ttl_ms(ttl)
            .with_key_reuse(Some(KeyReuse::DEFAULT));
        let password = Password::from(pw.as_str());
        let id = PasswordId::new("1").unwrap();
        let mut random = CountingRandom(first_byte);
        let counted = |from: usize, len: usize| -> Vec<u8> {
            (from..from + len).map(|i| first_byte.wrapping_add(i as u8)).collect()
        };
        let encryption_salt = hex_encode(&counted(0, 32));
        let hmac_salt = hex_encode(&counted(48, 32));
        let expiration = ttl.map(|t| (now + t).to_string()).unwrap_or_default();
        for (k, plaintext) in plaintexts.iter().enumerate() {
            let ours = seal_at(plaintext, &id, &password, &options, now, &mut random).unwrap();
            let iv = if k == 0 { counted(32, 16) } else { counted(80 + 16 * (k - 1), 16) };
            let theirs = iron_seal_independent(
                plaintext,
                "1",
                &pw,
                &encryption_salt,
                &iv,
                &expiration,
                &hmac_salt,
            );
            prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn changing_any_one_character_is_detected(index in 0..BASE_SEAL.len(), c in any::<char>()) {
        let base: &str = &BASE_SEAL;
        prop_assume!(!base[index..].starts_with(c));
        let mut changed = String::with_capacity(base.len() + 4);
        changed.push_str(&base[..index]);
        changed.push(c);
        changed.push_str(&base[index + 1..]);
        assert_rejected(&changed)?;
    }

    #[test]
    fn deleting_or_inserting_one_character_is_detected(
        index in 0..BASE_SEAL.len(),
        c in any::<char>(),
    ) {
        let base: &str = &BASE_SEAL;
        let deleted = format!("{}{}", &base[..index], &base[index + 1..]);
        assert_rejected(&deleted)?;
        let inserted = format!("{}{c}{}", &base[..index], &base[index..]);
        assert_rejected(&inserted)?;
    }

    #[test]
    fn arbitrary_strings_are_rejected_without_panicking(s in any::<String>()) {
        let _ = SealParts::parse(&s);
        assert_rejected(&s)?;
    }

    #[test]
    fn arbitrary_eight_field_strings_are_rejected(parts in prop::collection::vec("[^*]{0,24}", 8)) {
        let s = parts.join("*");
        let _ = SealParts::parse(&s);
        assert_rejected(&s)?;
    }

    #[test]
    fn arbitrary_fe26_strings_are_rejected(parts in prop::collection::vec("[^*]{0,24}", 7)) {
        let s = format!("Fe26.2*{}", parts.join("*"));
        let _ = SealParts::parse(&s);
        assert_rejected(&s)?;
    }

    #[test]
    fn plausible_forgeries_are_rejected(
        id in "[A-Za-z0-9_]{0,3}",
        encryption_salt in "[0-9a-f]{0,64}",
        iv in "[A-Za-z0-9_-]{0,24}",
        ciphertext in "[A-Za-z0-9_-]{0,64}",
        expiration in "([1-9][0-9]{0,13})?",
        hmac_salt in "[0-9a-f]{0,64}",
        hmac in "[A-Za-z0-9_-]{43}",
    ) {
        let s = format!("Fe26.2*{id}*{encryption_salt}*{iv}*{ciphertext}*{expiration}*{hmac_salt}*{hmac}");
        prop_assert!(SealParts::parse(&s).is_ok());
        assert_rejected(&s)?;
    }
}

#[test]
fn every_single_character_substitution_from_the_seal_alphabet_is_detected() {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_*.~=";
    let base: &str = &BASE_SEAL;
    let mut checked = 0;
    for index in 0..base.len() {
        for c in ALPHABET.chars() {
            if base[index..].starts_with(c) {
                continue;
            }
            let changed = format!("{}{c}{}", &base[..index], &base[index + 1..]);
            assert!(
                unseal_at(&changed, &password(), &Options::default(), NOW).is_err(),
                "{changed}"
            );
            checked += 1;
        }
    }
    assert!(checked > 200 * 60);
    // The unchanged seal opens, so the rejections above are about the change.
    assert!(unseal_at(base, &password(), &Options::default(), NOW).is_ok());
}

/// Seals made as production makes them: `seal`, which draws from `ThreadRandom` (a ChaCha20
/// generator per thread, keyed from the OS), on several threads at once. No salt or IV repeats,
/// within a thread (a generator that gave constant bytes would) or across threads (generators
/// keyed alike would).
#[test]
fn seals_never_share_salts_or_ivs() {
    const THREADS: usize = 4;
    const PER_THREAD: usize = 100;
    let seals: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(|| {
                    (0..PER_THREAD)
                        .map(|_| {
                            seal(
                                b"{}",
                                &PasswordId::new("1").unwrap(),
                                &password(),
                                &Options::default(),
                            )
                            .unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap())
            .collect()
    });
    let mut salts = HashSet::new();
    let mut ivs = HashSet::new();
    for sealed in &seals {
        let f = fields(sealed);
        assert_eq!(f[2].len(), 64);
        assert_eq!(f[6].len(), 64);
        assert!(salts.insert(f[2].to_owned()), "repeated encryption salt");
        assert!(salts.insert(f[6].to_owned()), "repeated hmac salt");
        assert!(ivs.insert(f[3].to_owned()), "repeated iv");
    }
    let count = THREADS * PER_THREAD;
    assert_eq!((salts.len(), ivs.len()), (2 * count, count));
}
