//! `ironsession-micro`: the Rust half of `bench/compare`'s micro benchmark.
//!
//! For each payload of `bench/payloads.json` (small, medium, large) and each op (seal, unseal) it
//! times ironsession's public `seal_data` / `unseal_data` (the functions users call: system clock,
//! OS random source, `Passwords::single`, ttl 14 days, `serde_json::Value` data) in two modes:
//!
//! - `1-thread`: one loop on one thread (compare with iron-session's `sequential`);
//! - `all-cores`: one independent loop per thread on `available_parallelism` threads, started
//!   together; `ops_per_s` is their aggregate throughput and `us_per_op` is wall time divided by
//!   operations (compare with iron-session's `inflight64`).
//!
//! `--data typed` times the same payloads as `#[derive(Serialize, Deserialize)]` structs instead
//! of `serde_json::Value` (a diagnostic: `bench/compare` reports `Value`, whose generic maps are
//! what Node's `JSON.parse` builds too).
//!
//! Each cell is warmed up first. Progress goes to stderr; stdout gets one JSON object shaped like
//! `interop/bench.mjs`'s.
//!
//! ```text
//! ironsession-micro [--quick] [--duration-ms N] [--warmup-ms N] [--threads N]
//!                   [--payload NAME] [--op seal|unseal] [--mode 1-thread|all-cores]
//!                   [--data value|typed]
//! ```

use std::hint::black_box;
use std::process::ExitCode;
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

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

const USAGE: &str = "usage: ironsession-micro [--quick] [--duration-ms N] [--warmup-ms N] \
[--threads N] [--payload NAME] [--op seal|unseal] [--mode 1-thread|all-cores] [--data value|typed]";

struct Config {
    duration: Duration,
    warmup: Duration,
    threads: usize,
    payload: Option<String>,
    op: Option<String>,
    mode: Option<String>,
    typed: bool,
}

fn parse_args() -> Result<Config, String> {
    let mut quick = false;
    let mut duration_ms = None;
    let mut warmup_ms = None;
    let mut threads = None;
    let mut payload = None;
    let mut op = None;
    let mut mode = None;
    let mut typed = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--quick" => quick = true,
            "--duration-ms" => duration_ms = Some(positive(&arg, &value(&arg)?)?),
            "--warmup-ms" => warmup_ms = Some(positive(&arg, &value(&arg)?)?),
            "--threads" => threads = Some(positive(&arg, &value(&arg)?)?),
            "--payload" => payload = Some(value(&arg)?),
            "--op" => op = Some(value(&arg)?),
            "--mode" => mode = Some(value(&arg)?),
            "--data" => {
                typed = match value(&arg)?.as_str() {
                    "value" => false,
                    "typed" => true,
                    other => return Err(format!("--data is value or typed, not {other:?}")),
                }
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let threads = match threads {
        Some(n) => usize::try_from(n).map_err(|_| "--threads is too large".to_owned())?,
        None => thread::available_parallelism().map_or(1, |n| n.get()),
    };
    Ok(Config {
        duration: Duration::from_millis(duration_ms.unwrap_or(if quick { 400 } else { 2000 })),
        warmup: Duration::from_millis(warmup_ms.unwrap_or(if quick { 150 } else { 500 })),
        threads,
        payload,
        op,
        mode,
        typed,
    })
}

fn positive(name: &str, text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{name} must be a positive integer, not {text:?}")),
    }
}

#[derive(Clone, Copy)]
enum Op {
    Seal,
    Unseal,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Seal => "seal",
            Op::Unseal => "unseal",
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

/// One benchmark subject: an op on one payload, as data of type `T`.
struct Cell<'a, T> {
    op: Op,
    payload: &'a T,
    sealed: &'a str,
    passwords: &'a Passwords,
}

impl<T: Serialize + DeserializeOwned + Sync> Cell<'_, T> {
    /// One call, as a user makes it.
    #[inline(never)]
    fn call(&self) {
        match self.op {
            Op::Seal => {
                let sealed = seal_data(black_box(self.payload), black_box(self.passwords), TTL)
                    .expect("seal_data failed");
                black_box(sealed);
            }
            Op::Unseal => {
                let data: T = unseal_data(black_box(self.sealed), black_box(self.passwords))
                    .expect("unseal_data failed");
                black_box(data);
            }
        }
    }

    /// Calls in batches until `deadline`; returns the number of calls.
    fn run_until(&self, deadline: Instant) -> u64 {
        let mut iterations = 0;
        loop {
            for _ in 0..BATCH {
                self.call();
            }
            iterations += BATCH;
            if Instant::now() >= deadline {
                return iterations;
            }
        }
    }

    /// Runs the cell on `threads` threads (each its own loop) for about `duration`; returns the
    /// total calls and the wall time from the first start to the last finish.
    fn run(&self, threads: usize, duration: Duration) -> (u64, Duration) {
        if threads == 1 {
            let start = Instant::now();
            let iterations = self.run_until(start + duration);
            return (iterations, start.elapsed());
        }
        let barrier = Barrier::new(threads);
        let spans: Vec<(u64, Instant, Instant)> = thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        let start = Instant::now();
                        let iterations = self.run_until(start + duration);
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

/// Times every selected op and mode on one payload, as data of type `T`; pushes one JSON result
/// per cell.
fn bench_payload<T: Serialize + DeserializeOwned + Sync + PartialEq>(
    name: &str,
    payload: &T,
    passwords: &Passwords,
    config: &Config,
    results: &mut Vec<Value>,
) -> Result<(), String> {
    let sealed = seal_data(payload, passwords, TTL).map_err(|e| format!("seal_data: {e}"))?;
    let back: T = unseal_data(&sealed, passwords).map_err(|e| format!("unseal_data: {e}"))?;
    if &back != payload {
        return Err(format!("unseal of payload {name} did not round-trip"));
    }
    let modes = [("1-thread", 1), ("all-cores", config.threads)];
    for op in [Op::Seal, Op::Unseal] {
        if config.op.as_deref().is_some_and(|o| o != op.name()) {
            continue;
        }
        let cell = Cell {
            op,
            payload,
            sealed: &sealed,
            passwords,
        };
        for (mode, threads) in modes {
            if config.mode.as_deref().is_some_and(|m| m != mode) {
                continue;
            }
            cell.run(threads, config.warmup);
            let (iterations, elapsed) = cell.run(threads, config.duration);
            let seconds = elapsed.as_secs_f64();
            #[allow(clippy::cast_precision_loss)] // iteration counts are far below 2^52
            let (us_per_op, ops_per_s) = (
                seconds * 1e6 / iterations as f64,
                iterations as f64 / seconds,
            );
            eprintln!(
                "ironsession  {:<6} {:<6} {:<9} {:>8.2} us/op {:>9.0} ops/s",
                op.name(),
                name,
                mode,
                us_per_op,
                ops_per_s
            );
            results.push(json!({
                "lib": "ironsession",
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
        "ironsession {} seal_data/unseal_data ({data} data); {} threads for all-cores, warm-up {} ms, measure {} ms each",
        env!("CARGO_PKG_VERSION"),
        config.threads,
        config.warmup.as_millis(),
        config.duration.as_millis()
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
        "results": results,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&report).expect("a JSON value serializes")
    );
    ExitCode::SUCCESS
}
