//! Seal-then-unseal throughput with one password shared by every thread, on one thread and on as
//! many threads as the machine has cores, with the password's key cache on (the default) and off
//! (`Secret::without_key_cache`), and with seal-key reuse (`KeyReuse::DEFAULT`, as ironsession
//! seals: every thread reads the password's one window, without a lock, and counts its seals). With the cache on, each seal takes a cache lock twice and each
//! unseal twice; the cache scales if the many-thread throughput grows with threads at least as
//! well as with the cache off, where threads share nothing.
//!
//! Each iteration is one seal and one unseal of that seal (a cookie sent back in the next
//! request) on every thread at once; criterion's throughput is in those pairs per second.
//!
//! Run with `cargo bench -p iron-seal --bench threads`; the figures are in `benches/README.md`.

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use iron_seal::{KeyReuse, Options, Password, PasswordId, Secret, seal, unseal};

const PASSWORD: &str = "complex_password_at_least_32_characters_long";
const PAYLOAD: &[u8] = br#"{"userId":42,"isLoggedIn":true}"#;

fn seal_and_unseal(password: &Password, id: &PasswordId, options: &Options) {
    let sealed = seal(black_box(PAYLOAD), id, password, options).expect("seal");
    let opened = unseal(black_box(&sealed), password, options).expect("unseal");
    debug_assert_eq!(opened, PAYLOAD);
}

/// The wall time for `iters` seal-unseal pairs on each of `threads` threads started together.
fn run_on_threads(password: &Password, options: Options, threads: usize, iters: u64) -> Duration {
    let id = PasswordId::new("1").expect("id");
    let start_line = Barrier::new(threads + 1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    start_line.wait();
                    for _ in 0..iters {
                        seal_and_unseal(password, &id, &options);
                    }
                })
            })
            .collect();
        start_line.wait();
        let started = Instant::now();
        for worker in workers {
            worker.join().expect("worker");
        }
        started.elapsed()
    })
}

fn bench_threads(c: &mut Criterion) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cached = Password::from(PASSWORD);
    let uncached = Password::new(Secret::text(PASSWORD).without_key_cache());
    let reusing = Password::from(PASSWORD);
    let options = Options::default().with_ttl_ms(Some(3_600_000));
    let reuse = options.with_key_reuse(Some(KeyReuse::DEFAULT));
    let mut group = c.benchmark_group("seal_unseal_threads");
    for threads in [1, cores] {
        group.throughput(Throughput::Elements(threads as u64));
        for (name, password, options) in [
            ("cache", &cached, options),
            ("no_cache", &uncached, options),
            ("key_reuse", &reusing, reuse),
        ] {
            group.bench_function(format!("{name}/{threads}"), |b| {
                b.iter_custom(|iters| run_on_threads(password, options, threads, iters))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_threads);
criterion_main!(benches);
