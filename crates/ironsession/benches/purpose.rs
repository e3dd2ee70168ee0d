//! What a purpose costs: `seal_data`/`unseal_data` of a small token with the plain passwords,
//! with a purpose-bound set kept from `for_purpose`, and with `for_purpose` called on every
//! operation (its derived sets are cached, so this adds a lookup, not a key derivation).
//!
//! Run with `cargo bench -p ironsession --bench purpose`; compare the rows of one run.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ironsession::{Passwords, Ttl, seal_data, unseal_data};
use serde_json::{Value, json};

fn bench_purpose(c: &mut Criterion) {
    let passwords =
        Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg").expect("a valid password");
    let kept = passwords.for_purpose("magic-link");
    let token = json!({"email": "a@example.com", "next": "/account"});
    let ttl = Ttl::seconds(900);
    let plain_seal = seal_data(&token, &passwords, ttl).expect("seal");
    let purpose_seal = seal_data(&token, &kept, ttl).expect("seal");

    let mut group = c.benchmark_group("purpose");
    group.bench_function("seal_plain", |b| {
        b.iter(|| seal_data(black_box(&token), &passwords, ttl).expect("seal"));
    });
    group.bench_function("seal_kept_purpose", |b| {
        b.iter(|| seal_data(black_box(&token), &kept, ttl).expect("seal"));
    });
    group.bench_function("seal_for_purpose_each_time", |b| {
        b.iter(|| {
            seal_data(black_box(&token), &passwords.for_purpose("magic-link"), ttl).expect("seal")
        });
    });
    group.bench_function("unseal_plain", |b| {
        b.iter(|| unseal_data::<Value>(black_box(&plain_seal), &passwords).expect("unseal"));
    });
    group.bench_function("unseal_kept_purpose", |b| {
        b.iter(|| unseal_data::<Value>(black_box(&purpose_seal), &kept).expect("unseal"));
    });
    group.bench_function("unseal_for_purpose_each_time", |b| {
        b.iter(|| {
            unseal_data::<Value>(
                black_box(&purpose_seal),
                &passwords.for_purpose("magic-link"),
            )
            .expect("unseal")
        });
    });
    group.finish();
}

criterion_group!(benches, bench_purpose);
criterion_main!(benches);
