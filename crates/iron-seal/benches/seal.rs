//! Sealing and unsealing the three session payloads of `bench/payloads.json` with iron-session's
//! settings (id "1", 14-day ttl). The JSON text is made once, outside the timed loops.
//!
//! `seal` draws from the default `ThreadRandom`, `seal_os_random` from a system call per seal;
//! `seal_key_reuse` is `seal` with `KeyReuse::DEFAULT` (as ironsession seals): salts and keys
//! come from the password's current window, so only the IV is drawn and no key derived.
//! `unseal` opens a seal its password has seen (its keys come from the password's key cache, as
//! for a cookie sent again); `unseal_first_sight` gives every iteration a fresh `Password`, so both
//! keys are derived with PBKDF2 (the fresh password is made outside the timing);
//! `unseal_key_reuse` opens a seal of the password's current window (its keys come from the
//! window).
//!
//! Run with `cargo bench -p iron-seal --bench seal`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use iron_seal::{
    KeyReuse, Options, OsRandom, Password, PasswordId, RandomSource, ThreadRandom, seal_at,
    unseal_at,
};

const PAYLOADS_JSON: &str = include_str!("../../../bench/payloads.json");
const PASSWORD: &str = "complex_password_at_least_32_characters_long";
const NOW: u64 = 1_700_000_000_000;
const TTL_MS: u64 = 14 * 24 * 60 * 60 * 1000;
const SIZES: [&str; 3] = ["small", "medium", "large"];

/// Each payload's `JSON.stringify`-style text, by name.
fn payloads() -> Vec<(&'static str, Vec<u8>)> {
    let all: serde_json::Value = serde_json::from_str(PAYLOADS_JSON).expect("payloads.json");
    SIZES
        .iter()
        .map(|&name| {
            let value = all.get(name).unwrap_or_else(|| panic!("payload {name}"));
            (name, serde_json::to_vec(value).expect("serialize"))
        })
        .collect()
}

fn options() -> Options {
    Options::default().with_ttl_ms(Some(TTL_MS))
}

fn bench_seal_with(
    c: &mut Criterion,
    group_name: &str,
    options: Options,
    random: impl RandomSource + Copy,
) {
    let password = Password::from(PASSWORD);
    let id = PasswordId::new("1").expect("id");
    let mut group = c.benchmark_group(group_name);
    for (name, json) in payloads() {
        group.bench_function(name, |b| {
            b.iter(|| {
                seal_at(
                    black_box(&json),
                    &id,
                    &password,
                    &options,
                    black_box(NOW),
                    random,
                )
                .expect("seal")
            })
        });
    }
    group.finish();
}

fn bench_seal(c: &mut Criterion) {
    bench_seal_with(c, "seal", options(), ThreadRandom);
    bench_seal_with(c, "seal_os_random", options(), OsRandom);
    let reusing = options().with_key_reuse(Some(KeyReuse::DEFAULT));
    bench_seal_with(c, "seal_key_reuse", reusing, ThreadRandom);
}

fn bench_unseal(c: &mut Criterion) {
    let password = Password::from(PASSWORD);
    let id = PasswordId::new("1").expect("id");
    let options = options();
    let mut group = c.benchmark_group("unseal");
    for (name, json) in payloads() {
        let sealed = seal_at(&json, &id, &password, &options, NOW, OsRandom).expect("seal");
        // One hour later: well inside the seal's validity.
        let now = NOW + 3_600_000;
        assert_eq!(
            unseal_at(&sealed, &password, &options, now).expect("unseal"),
            json
        );
        group.bench_function(name, |b| {
            b.iter(|| {
                unseal_at(black_box(&sealed), &password, &options, black_box(now)).expect("unseal")
            })
        });
        group.bench_function(format!("{name}_first_sight"), |b| {
            b.iter_batched(
                || Password::from(PASSWORD),
                |fresh| unseal_at(black_box(&sealed), &fresh, &options, black_box(now)),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

/// Opening a seal of the password's current key-reuse window. The window lasts 60 s by the clock
/// of the seal, so the clock stays fixed at the sealing time (the window is made outside the
/// timing and never ends during it).
fn bench_unseal_key_reuse(c: &mut Criterion) {
    let password = Password::from(PASSWORD);
    let id = PasswordId::new("1").expect("id");
    let options = options().with_key_reuse(Some(KeyReuse::DEFAULT));
    let mut group = c.benchmark_group("unseal_key_reuse");
    for (name, json) in payloads() {
        let sealed = seal_at(&json, &id, &password, &options, NOW, OsRandom).expect("seal");
        group.bench_function(name, |b| {
            b.iter(|| {
                unseal_at(black_box(&sealed), &password, &options, black_box(NOW)).expect("unseal")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_seal, bench_unseal, bench_unseal_key_reuse);
criterion_main!(benches);
