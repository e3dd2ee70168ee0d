//! What a forged seal costs next to a valid one (finding 3 of the security review): forged seals
//! of a small, a 4 KB and a 400 KB size, with a known password id, well-formed fields and a wrong
//! HMAC, against valid unseals in the same run.
//!
//! The reader is configured as a session reader is: `Options::with_max_seal_len(4096)`, the
//! longest value one cookie holds. `valid_*` open a seal whose keys are cached (a cookie sent
//! again); a forged seal never gets its keys cached, so each forged unseal derives its integrity
//! key with PBKDF2 and computes one HMAC, unless a length check refuses it first. The
//! `*_no_limit` rows show what the 400 KB forgeries cost a reader without the length limit.
//!
//! The `h3_*` rows are a reader with h3 2.x's derivation (8192 PBKDF2 iterations for both keys),
//! with and without the fallback to one iteration that lets it read h3 1.x seals: a forged seal
//! there costs one derivation at 8192 (and one at 1 with the fallback), which no cache can spare;
//! `h3_valid_uncached` is a valid seal seen for the first time (two derivations at 8192).
//!
//! Run with `cargo bench -p iron-seal --bench forged`; the figures are in `benches/README.md`.

use std::hint::black_box;

use std::num::NonZeroU32;

use criterion::{Criterion, criterion_group, criterion_main};
use iron_seal::{
    Error, KeyDerivation, Options, OsRandom, Password, PasswordId, Secret, seal_at, unseal_at,
};

const PASSWORD: &str = "complex_password_at_least_32_characters_long";
const NOW: u64 = 1_700_000_000_000;
const TTL_MS: u64 = 14 * 24 * 60 * 60 * 1000;
/// The longest value one cookie holds.
const MAX_SEAL_LEN: usize = 4096;

/// The fields of `sealed`, with `index` replaced by `value`.
fn with_field(sealed: &str, index: usize, value: &str) -> String {
    let mut fields: Vec<&str> = sealed.split('*').collect();
    fields[index] = value;
    fields.join("*")
}

/// `sealed` with another (never cached) HMAC salt and a wrong HMAC: what an attacker who knows
/// the format but not the password sends.
fn forge(sealed: &str) -> String {
    let forged = with_field(sealed, 6, &"f".repeat(64));
    with_field(&forged, 7, &"A".repeat(43))
}

/// The valid seal of a JSON string payload whose seal is as long as possible but at most `len`.
fn valid_seal_of_length_at_most(len: usize, password: &Password, options: &Options) -> String {
    let id = PasswordId::new("1").expect("id");
    let seal_of = |n: usize| {
        let json = format!("\"{}\"", "x".repeat(n));
        seal_at(json.as_bytes(), &id, password, options, NOW, OsRandom).expect("seal")
    };
    let mut n = 0;
    while seal_of(n + 16).len() <= len {
        n += 16;
    }
    seal_of(n)
}

fn bench_forged(c: &mut Criterion) {
    let password = Password::from(PASSWORD);
    let options = Options::default()
        .with_ttl_ms(Some(TTL_MS))
        .with_max_seal_len(Some(MAX_SEAL_LEN));
    let no_limit = options.with_max_seal_len(None);
    let id = PasswordId::new("1").expect("id");
    let now = NOW + 3_600_000;

    let valid_small =
        seal_at(br#"{"userId":42}"#, &id, &password, &options, NOW, OsRandom).expect("seal");
    let valid_4k = valid_seal_of_length_at_most(MAX_SEAL_LEN, &password, &options);
    // Fill the key cache, as the first request with these cookies would.
    for sealed in [&valid_small, &valid_4k] {
        unseal_at(sealed, &password, &options, now).expect("unseal");
    }
    let forged_small = forge(&valid_small);
    let forged_4k = forge(&valid_4k);
    // 400 KB of ciphertext, and (for the reader without a limit) 400 KB of HMAC salt.
    let forged_400k = with_field(&forged_small, 4, &"A".repeat(400_000));
    let forged_400k_salt = with_field(&forged_small, 6, &"f".repeat(400_000));
    assert_eq!(forged_4k.len(), valid_4k.len());
    assert_eq!(
        unseal_at(&forged_small, &password, &options, now),
        Err(Error::BadMac)
    );
    assert_eq!(
        unseal_at(&forged_4k, &password, &options, now),
        Err(Error::BadMac)
    );
    assert!(matches!(
        unseal_at(&forged_400k, &password, &options, now),
        Err(Error::TooLong { .. })
    ));
    assert!(matches!(
        unseal_at(&forged_400k_salt, &password, &no_limit, now),
        Err(Error::FieldLength { .. })
    ));

    let mut group = c.benchmark_group("forged");
    let cases: [(&str, &str, &Options); 7] = [
        ("valid_small", &valid_small, &options),
        ("valid_4k", &valid_4k, &options),
        ("forged_small", &forged_small, &options),
        ("forged_4k", &forged_4k, &options),
        ("forged_400k", &forged_400k, &options),
        ("forged_400k_no_limit", &forged_400k, &no_limit),
        ("forged_400k_salt_no_limit", &forged_400k_salt, &no_limit),
    ];
    for (name, sealed, options) in cases {
        group.bench_function(name, |b| {
            b.iter(|| unseal_at(black_box(sealed), &password, options, black_box(now)))
        });
    }
    group.finish();
}

/// h3 2.x's reader: 8192 iterations for both keys, with or without the one-iteration fallback.
fn bench_h3(c: &mut Criterion) {
    let h3 = KeyDerivation::new(
        NonZeroU32::new(256).expect("256"),
        NonZeroU32::new(8192).expect("8192"),
    );
    let options = Options::default()
        .with_ttl_ms(Some(TTL_MS))
        .with_max_seal_len(Some(MAX_SEAL_LEN))
        .with_encryption_key_derivation(h3)
        .with_integrity_key_derivation(h3);
    let with_fallback = options.with_fallback_iterations(Some(NonZeroU32::MIN));
    let password = Password::from(PASSWORD);
    let id = PasswordId::new("1").expect("id");
    let now = NOW + 3_600_000;
    let valid =
        seal_at(br#"{"userId":42}"#, &id, &password, &options, NOW, OsRandom).expect("seal");
    let forged = forge(&valid);
    // Without a key cache every unseal of the valid seal derives both keys, as for a seal seen
    // for the first time.
    let uncached = Password::new(Secret::text(PASSWORD).without_key_cache());
    for reader in [&options, &with_fallback] {
        assert_eq!(
            unseal_at(&forged, &password, reader, now),
            Err(Error::BadMac)
        );
    }
    assert!(unseal_at(&valid, &uncached, &options, now).is_ok());

    let mut group = c.benchmark_group("forged");
    group.bench_function("h3_forged_small", |b| {
        b.iter(|| unseal_at(black_box(&forged), &password, &options, black_box(now)))
    });
    group.bench_function("h3_forged_small_fallback", |b| {
        b.iter(|| {
            unseal_at(
                black_box(&forged),
                &password,
                &with_fallback,
                black_box(now),
            )
        })
    });
    group.bench_function("h3_valid_uncached", |b| {
        b.iter(|| unseal_at(black_box(&valid), &uncached, &options, black_box(now)))
    });
    group.finish();
}

criterion_group!(benches, bench_forged, bench_h3);
criterion_main!(benches);
