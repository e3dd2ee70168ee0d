//! `ironsession-micro`: the Rust half of `bench/compare`'s micro benchmark.
//!
//! For each payload of `bench/payloads.json` (small, medium, large) it times:
//!
//! - ironsession's public `seal_data` / `unseal_data`, the functions users call (system clock,
//!   the default random source, `Passwords::dangerous_allow_weak_single` of a fixed bench password,
//!   ttl 14 days). `unseal` opens one seal again and again, so its keys come from the password's
//!   key cache after the first call (warm, as `wrk`'s fixed cookie does); `unseal-cold` opens a
//!   seal this process has not opened before on every call (a pool of `--cold-pool` seals, each
//!   made by a `Passwords` of its own, so that no key of theirs is cached; the pool is larger
//!   than the key cache, so a seal's keys are gone when the pool comes round to it again): two
//!   PBKDF2 derivations per call, as for the first request with a cookie another process made;
//! - the floor of an encrypted cookie (`--lib aes-256-gcm`): the same data as JSON
//!   (`serde_json`), sealed with AES-256-GCM (the `aes-gcm` crate) under one fixed key with a
//!   fresh 96-bit nonce from the same random source, base64url-encoded (nonce, ciphertext and
//!   tag), and opened again (decode, decrypt, parse). No key derivation, no expiry, no MAC of its
//!   own: what any encrypted cookie costs at the least, `1-thread` only.
//!
//! The data is `#[derive(Serialize, Deserialize)]` structs (`--data typed`, as a Rust service
//! declares its session) or `serde_json::Value` (`--data value`, default: untyped JSON, as Node's
//! `JSON.parse` builds it). Two modes:
//!
//! - `1-thread`: one loop on one thread (compare with iron-session's `sequential`);
//! - `all-cores`: one independent loop per thread on `available_parallelism` threads, started
//!   together; `ops_per_s` is their aggregate throughput and `us_per_op` is wall time divided by
//!   operations (compare with iron-session's `inflight64`).
//!
//! Each cell is warmed up first. Progress goes to stderr; stdout gets one JSON object shaped like
//! `interop/bench.mjs`'s.
//!
//! ```text
//! ironsession-micro [--quick] [--duration-ms N] [--warmup-ms N] [--threads N]
//!                   [--payload NAME] [--op seal|unseal|unseal-cold] [--mode 1-thread|all-cores]
//!                   [--lib ironsession|aes-256-gcm] [--data value|typed] [--cold-pool N]
//! ```

use std::collections::HashSet;
use std::hint::black_box;
use std::process::ExitCode;
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ironsession::iron_seal::{RandomSource, ThreadRandom};
use ironsession::{Passwords, Ttl, seal_data, unseal_data};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

const PAYLOADS: &str = include_str!("../../payloads.json");
const PASSWORD: &str = "complex_password_at_least_32_characters_long";
/// iron-session's default ttl, as in `interop/bench.mjs`.
const TTL: Ttl = Ttl::DEFAULT;
/// The payloads' order in the output.
const ORDER: [&str; 3] = ["small", "medium", "large"];
/// Operations between two clock readings.
const BATCH: u64 = 8;
/// Seals in the pool of `unseal-cold`: the key cache of a text password keeps at most 1024 keys
/// (512 seals), so a seal's keys are long gone when the pool comes round to it again.
const DEFAULT_COLD_POOL: usize = 4096;
/// The AES-GCM nonce: 96 bits, 12 bytes (a multiple of 3, so nonce and ciphertext base64-encode
/// one after the other as they would together).
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

const USAGE: &str = "usage: ironsession-micro [--quick] [--duration-ms N] [--warmup-ms N] \
[--threads N] [--payload NAME] [--op seal|unseal|unseal-cold] [--mode 1-thread|all-cores] \
[--lib ironsession|aes-256-gcm] [--data value|typed] [--cold-pool N]";

struct Config {
    duration: Duration,
    warmup: Duration,
    threads: usize,
    payload: Option<String>,
    op: Option<String>,
    mode: Option<String>,
    lib: Option<String>,
    typed: bool,
    cold_pool: usize,
}

fn parse_args() -> Result<Config, String> {
    let mut quick = false;
    let mut duration_ms = None;
    let mut warmup_ms = None;
    let mut threads = None;
    let mut payload = None;
    let mut op = None;
    let mut mode = None;
    let mut lib = None;
    let mut typed = false;
    let mut cold_pool = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--quick" => quick = true,
            "--duration-ms" => duration_ms = Some(positive(&arg, &value(&arg)?)?),
            "--warmup-ms" => warmup_ms = Some(positive(&arg, &value(&arg)?)?),
            "--threads" => threads = Some(positive(&arg, &value(&arg)?)?),
            "--cold-pool" => cold_pool = Some(positive(&arg, &value(&arg)?)?),
            "--payload" => payload = Some(value(&arg)?),
            "--op" => op = Some(one_of(&arg, value(&arg)?, &Op::ALL.map(Op::name))?),
            "--mode" => mode = Some(one_of(&arg, value(&arg)?, &["1-thread", "all-cores"])?),
            "--lib" => lib = Some(one_of(&arg, value(&arg)?, &Lib::ALL.map(Lib::name))?),
            "--data" => typed = one_of(&arg, value(&arg)?, &["value", "typed"])? == "typed",
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let count = |n: u64, name: &str| usize::try_from(n).map_err(|_| format!("{name} is too large"));
    let threads = match threads {
        Some(n) => count(n, "--threads")?,
        None => thread::available_parallelism().map_or(1, |n| n.get()),
    };
    Ok(Config {
        duration: Duration::from_millis(duration_ms.unwrap_or(if quick { 400 } else { 2000 })),
        warmup: Duration::from_millis(warmup_ms.unwrap_or(if quick { 150 } else { 500 })),
        threads,
        payload,
        op,
        mode,
        lib,
        typed,
        cold_pool: cold_pool.map_or(Ok(DEFAULT_COLD_POOL), |n| count(n, "--cold-pool"))?,
    })
}

fn positive(name: &str, text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{name} must be a positive integer, not {text:?}")),
    }
}

fn one_of(name: &str, text: String, allowed: &[&str]) -> Result<String, String> {
    if allowed.contains(&text.as_str()) {
        Ok(text)
    } else {
        Err(format!(
            "{name} is one of {}, not {text:?}",
            allowed.join(", ")
        ))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Seal,
    /// The same seal every time: its keys come from the key cache.
    Unseal,
    /// A seal this process has not opened yet every time: both keys are derived.
    UnsealCold,
}

impl Op {
    const ALL: [Op; 3] = [Op::Seal, Op::Unseal, Op::UnsealCold];

    fn name(self) -> &'static str {
        match self {
            Op::Seal => "seal",
            Op::Unseal => "unseal",
            Op::UnsealCold => "unseal-cold",
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Lib {
    Ironsession,
    /// The floor: JSON, AES-256-GCM under a fixed key, base64url.
    AesGcm,
}

impl Lib {
    const ALL: [Lib; 2] = [Lib::Ironsession, Lib::AesGcm];

    fn name(self) -> &'static str {
        match self {
            Lib::Ironsession => "ironsession",
            Lib::AesGcm => "aes-256-gcm",
        }
    }

    /// The ops measured for this library: a key cache has no meaning for the floor.
    fn ops(self) -> &'static [Op] {
        match self {
            Lib::Ironsession => &Op::ALL,
            Lib::AesGcm => &[Op::Seal, Op::Unseal],
        }
    }

    /// The floor is one reference line, on one thread.
    fn modes(self, threads: usize) -> Vec<(&'static str, usize)> {
        match self {
            Lib::Ironsession => vec![("1-thread", 1), ("all-cores", threads)],
            Lib::AesGcm => vec![("1-thread", 1)],
        }
    }
}

/// The payloads as a Rust service would declare them (`--data typed`).
#[derive(Serialize, Deserialize, PartialEq, Debug)]
#[serde(rename_all = "camelCase")]
struct SessionData {
    user_id: u64,
    is_logged_in: bool,
    username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    items: Option<Vec<Item>>,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
#[serde(rename_all = "camelCase")]
struct Item {
    id: u64,
    sku: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    qty: u32,
    price: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    in_stock: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    added_at: Option<String>,
}

/// The floor of an encrypted cookie: JSON sealed with AES-256-GCM under one fixed key, as
/// base64url of nonce, ciphertext and tag.
struct AesGcmFloor {
    cipher: Aes256Gcm,
}

impl AesGcmFloor {
    fn new() -> Result<Self, String> {
        let mut key = [0u8; 32];
        ThreadRandom.fill(&mut key).map_err(|e| e.to_string())?;
        let cipher = Aes256Gcm::new_from_slice(&key).map_err(|e| e.to_string())?;
        Ok(AesGcmFloor { cipher })
    }

    fn seal<T: Serialize>(&self, data: &T) -> Result<String, String> {
        let mut buffer = serde_json::to_vec(data).map_err(|e| e.to_string())?;
        let mut nonce = Nonce::default();
        ThreadRandom.fill(&mut nonce).map_err(|e| e.to_string())?;
        let tag = self
            .cipher
            .encrypt_inout_detached(&nonce, b"", buffer.as_mut_slice().into())
            .map_err(|e| e.to_string())?;
        let mut sealed =
            String::with_capacity((NONCE_LEN + buffer.len() + TAG_LEN).div_ceil(3) * 4);
        URL_SAFE_NO_PAD.encode_string(nonce, &mut sealed);
        buffer.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode_string(&buffer, &mut sealed);
        Ok(sealed)
    }

    fn open<T: DeserializeOwned>(&self, sealed: &str) -> Result<T, String> {
        let mut bytes = URL_SAFE_NO_PAD.decode(sealed).map_err(|e| e.to_string())?;
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return Err("too short".to_owned());
        }
        let (nonce, rest) = bytes.split_at_mut(NONCE_LEN);
        let (ciphertext, tag) = rest.split_at_mut(rest.len() - TAG_LEN);
        let nonce = Nonce::try_from(&*nonce).map_err(|e| e.to_string())?;
        let tag = Tag::try_from(&*tag).map_err(|e| e.to_string())?;
        self.cipher
            .decrypt_inout_detached(&nonce, b"", ciphertext.into(), &tag)
            .map_err(|e| e.to_string())?;
        serde_json::from_slice(ciphertext).map_err(|e| e.to_string())
    }
}

/// What a cell seals and opens.
struct Subject<'a, T> {
    payload: &'a T,
    passwords: &'a Passwords,
    /// One seal, opened again and again (`unseal`).
    sealed: &'a str,
    /// Seals this process has not opened, one per call (`unseal-cold`).
    cold: &'a [String],
    floor: &'a AesGcmFloor,
    /// The floor's seal of the payload.
    floor_sealed: &'a str,
}

/// One benchmark subject: an op of a library on one payload, as data of type `T`.
struct Cell<'a, T> {
    lib: Lib,
    op: Op,
    subject: &'a Subject<'a, T>,
}

impl<T: Serialize + DeserializeOwned + Sync> Cell<'_, T> {
    /// One call, as a user makes it; `n` counts the calls of this loop.
    #[inline(never)]
    fn call(&self, n: usize) {
        let s = self.subject;
        match (self.lib, self.op) {
            (Lib::Ironsession, Op::Seal) => {
                let sealed = seal_data(black_box(s.payload), black_box(s.passwords), TTL)
                    .expect("seal_data failed");
                black_box(sealed);
            }
            (Lib::Ironsession, Op::Unseal) => {
                let data: T = unseal_data(black_box(s.sealed), black_box(s.passwords))
                    .expect("unseal_data failed");
                black_box(data);
            }
            (Lib::Ironsession, Op::UnsealCold) => {
                let sealed = &s.cold[n % s.cold.len()];
                let data: T = unseal_data(black_box(sealed), black_box(s.passwords))
                    .expect("unseal_data failed");
                black_box(data);
            }
            (Lib::AesGcm, Op::Seal) => {
                black_box(
                    s.floor
                        .seal(black_box(s.payload))
                        .expect("floor seal failed"),
                );
            }
            (Lib::AesGcm, _) => {
                let data: T = s
                    .floor
                    .open(black_box(s.floor_sealed))
                    .expect("floor open failed");
                black_box(data);
            }
        }
    }

    /// Calls in batches until `deadline`, counting from `first`; returns the number of calls.
    fn run_until(&self, first: usize, deadline: Instant) -> u64 {
        let mut iterations = 0;
        loop {
            for i in 0..BATCH {
                #[allow(clippy::cast_possible_truncation)] // wraps around the cold pool anyway
                self.call(first.wrapping_add((iterations + i) as usize));
            }
            iterations += BATCH;
            if Instant::now() >= deadline {
                return iterations;
            }
        }
    }

    /// Runs the cell on `threads` threads (each its own loop) for about `duration`; returns the
    /// total calls and the wall time from the first start to the last finish. `first` is where
    /// the first thread starts in the cold pool; the others start evenly spread after it, so that
    /// no two threads open the same seal close together.
    fn run(&self, threads: usize, first: usize, duration: Duration) -> (u64, Duration) {
        if threads == 1 {
            let start = Instant::now();
            let iterations = self.run_until(first, start + duration);
            return (iterations, start.elapsed());
        }
        let barrier = Barrier::new(threads);
        let spacing = self.subject.cold.len() / threads;
        let spans: Vec<(u64, Instant, Instant)> = thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let barrier = &barrier;
                    scope.spawn(move || {
                        barrier.wait();
                        let start = Instant::now();
                        let iterations = self.run_until(first + t * spacing, start + duration);
                        (iterations, start, Instant::now())
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("benchmark thread panicked"))
                .collect()
        });
        let iterations = spans.iter().map(|s| s.0).sum();
        let first = spans
            .iter()
            .map(|s| s.1)
            .min()
            .expect("at least one thread");
        let last = spans
            .iter()
            .map(|s| s.2)
            .max()
            .expect("at least one thread");
        (iterations, last - first)
    }
}

fn round(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

/// `count` seals of `payload`, each made with a `Passwords` of its own (so with its own key
/// cache, and fresh salts whatever a password does to reuse its keys): none of their keys is in
/// the cache of the `Passwords` that opens them. Checked: no two seals share a salt.
fn cold_pool<T: Serialize>(payload: &T, count: usize) -> Result<Vec<String>, String> {
    let mut salts = HashSet::with_capacity(2 * count);
    (0..count)
        .map(|_| {
            let sealer = Passwords::dangerous_allow_weak_single(PASSWORD)
                .map_err(|e| format!("bench password: {e}"))?;
            let sealed = seal_data(payload, &sealer, TTL).map_err(|e| format!("seal_data: {e}"))?;
            // Fe26.2*id*encryption salt*iv*ciphertext*expiration*hmac salt*hmac
            let fields: Vec<&str> = sealed.split('*').collect();
            for salt in [fields.get(2), fields.get(6)] {
                let salt = salt.ok_or("a seal without its eight fields")?;
                if !salts.insert((*salt).to_owned()) {
                    return Err(
                        "two seals of the cold pool share a salt: their keys would be \
                                cached"
                            .to_owned(),
                    );
                }
            }
            Ok(sealed)
        })
        .collect()
}

/// Times every selected library, op and mode on one payload, as data of type `T`; pushes one
/// JSON result per cell.
fn bench_payload<T: Serialize + DeserializeOwned + Sync + PartialEq>(
    name: &str,
    payload: &T,
    passwords: &Passwords,
    config: &Config,
    results: &mut Vec<Value>,
) -> Result<(), String> {
    let selected = |lib: Lib, op: Op| {
        config.lib.as_deref().is_none_or(|l| l == lib.name())
            && config.op.as_deref().is_none_or(|o| o == op.name())
    };
    let sealed = seal_data(payload, passwords, TTL).map_err(|e| format!("seal_data: {e}"))?;
    let cold = if selected(Lib::Ironsession, Op::UnsealCold) {
        cold_pool(payload, config.cold_pool)?
    } else {
        Vec::new()
    };
    let floor = AesGcmFloor::new()?;
    let floor_sealed = floor.seal(payload)?;
    let back: T = unseal_data(&sealed, passwords).map_err(|e| format!("unseal_data: {e}"))?;
    let cold_back = cold
        .first()
        .map(|sealed| unseal_data::<T>(sealed, passwords));
    let floor_back: T = floor.open(&floor_sealed)?;
    if &back != payload
        || &floor_back != payload
        || cold_back.is_some_and(|b| b.as_ref().ok() != Some(payload))
    {
        return Err(format!("unseal of payload {name} did not round-trip"));
    }
    let subject = Subject {
        payload,
        passwords,
        sealed: &sealed,
        cold: &cold,
        floor: &floor,
        floor_sealed: &floor_sealed,
    };
    // Where the next cold loop starts in the pool: never where a previous loop has been.
    let mut next_cold = 0;
    for lib in Lib::ALL {
        for &op in lib.ops() {
            if !selected(lib, op) {
                continue;
            }
            let cell = Cell {
                lib,
                op,
                subject: &subject,
            };
            for (mode, threads) in lib.modes(config.threads) {
                if config.mode.as_deref().is_some_and(|m| m != mode) {
                    continue;
                }
                let (warm_iterations, _) = cell.run(threads, next_cold, config.warmup);
                let (iterations, elapsed) = cell.run(threads, next_cold, config.duration);
                #[allow(clippy::cast_possible_truncation)] // wraps around the cold pool anyway
                let used = (warm_iterations + iterations) as usize;
                next_cold = next_cold.wrapping_add(used);
                let seconds = elapsed.as_secs_f64();
                #[allow(clippy::cast_precision_loss)] // iteration counts are far below 2^52
                let (us_per_op, ops_per_s) = (
                    seconds * 1e6 / iterations as f64,
                    iterations as f64 / seconds,
                );
                eprintln!(
                    "{:<12} {:<11} {:<6} {:<9} {:>8.2} us/op {:>9.0} ops/s",
                    lib.name(),
                    op.name(),
                    name,
                    mode,
                    us_per_op,
                    ops_per_s
                );
                results.push(json!({
                    "lib": lib.name(),
                    "op": op.name(),
                    "payload": name,
                    "mode": mode,
                    "threads": threads,
                    "us_per_op": round(us_per_op, 3),
                    "ops_per_s": round(ops_per_s, 1),
                    "iterations": iterations,
                }));
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let config = match parse_args() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let payloads: serde_json::Map<String, Value> =
        serde_json::from_str(PAYLOADS).expect("bench/payloads.json is a JSON object");
    let passwords = Passwords::dangerous_allow_weak_single(PASSWORD)
        .expect("the bench password is long enough");
    let data = if config.typed { "typed" } else { "value" };
    eprintln!(
        "ironsession {} seal_data/unseal_data and the AES-256-GCM floor ({data} data); {} threads \
         for all-cores, warm-up {} ms, measure {} ms each, {} seals in the cold pool",
        env!("CARGO_PKG_VERSION"),
        config.threads,
        config.warmup.as_millis(),
        config.duration.as_millis(),
        config.cold_pool
    );

    // small, medium, large first (the map iterates in key order), then any other payload.
    let mut names: Vec<&String> = payloads.keys().collect();
    names.sort_by_key(|name| ORDER.iter().position(|o| o == name).unwrap_or(ORDER.len()));

    let mut results = Vec::new();
    for name in names {
        if config.payload.as_ref().is_some_and(|p| p != name) {
            continue;
        }
        let payload = &payloads[name.as_str()];
        let outcome = if config.typed {
            serde_json::from_value::<SessionData>(payload.clone())
                .map_err(|e| format!("payload {name} does not fit the typed struct: {e}"))
                .and_then(|typed| bench_payload(name, &typed, &passwords, &config, &mut results))
        } else {
            bench_payload(name, payload, &passwords, &config, &mut results)
        };
        if let Err(message) = outcome {
            eprintln!("ironsession-micro: {message}");
            return ExitCode::FAILURE;
        }
    }

    let report = json!({
        "lib": "ironsession",
        "version": env!("CARGO_PKG_VERSION"),
        "data": data,
        "threads_available": thread::available_parallelism().map_or(1, |n| n.get()),
        "duration_ms": u64::try_from(config.duration.as_millis()).unwrap_or(u64::MAX),
        "warmup_ms": u64::try_from(config.warmup.as_millis()).unwrap_or(u64::MAX),
        "cold_pool": config.cold_pool,
        "results": results,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&report).expect("a JSON value serializes")
    );
    ExitCode::SUCCESS
}
