//! `ironsession-revocation`: the revocation figures of `bench/compare`.
//!
//! ```text
//! ironsession-revocation propagation --redis URL [--count N]   # default 500
//! ironsession-revocation memory [--entries N]                 # default 1000000
//! ```
//!
//! - `propagation`: two Redis backends on the same server stand for two processes of a fleet;
//!   each of N session revocations is recorded through the first, and the time until the second's
//!   replica refuses the session is measured (the revocation call's own round-trip included).
//! - `memory`: the heap the in-memory replica takes for N revoked session ids, measured with a
//!   counting allocator, beside the table size the replica computes.
//!
//! Stdout gets one JSON object; progress and errors go to stderr.

mod counting_alloc;

use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use counting_alloc::{Counting, IN_USE};
use ironsession::revocation::redis::RedisBackend;
use ironsession::revocation::{Replica, Revocation, RevocationEntry, SessionFields};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const USAGE: &str =
    "usage: ironsession-revocation propagation --redis URL [--count N] | memory [--entries N]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("propagation") => propagation(&args[1..]),
        Some("memory") => memory(&args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("ironsession-revocation: {message}");
            ExitCode::from(2)
        }
    }
}

fn option<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|arg| arg == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn number(args: &[String], name: &str, default: usize) -> Result<usize, String> {
    option(args, name).map_or(Ok(default), |text| {
        text.parse().map_err(|_| format!("bad {name} {text:?}"))
    })
}

/// The `n`-th of a series of distinct session ids.
fn sid(n: usize) -> String {
    use base64::Engine as _;
    let mut bytes = [0x5au8; 16];
    bytes[..8].copy_from_slice(&(n as u64).to_be_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn propagation(args: &[String]) -> Result<String, String> {
    let url = option(args, "--redis").ok_or(USAGE)?.to_owned();
    let count = number(args, "--count", 500)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("no tokio runtime: {e}"))?;
    runtime.block_on(async move {
        let start = |url: &str| {
            RedisBackend::builder(url)
                .start()
                .map(|backend| Revocation::builder(backend).build())
                .map_err(|e| format!("cannot start a Redis backend: {e}"))
        };
        let (writer, reader) = (start(&url)?, start(&url)?);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !(writer.replica().is_synced() && reader.replica().is_synced()) {
            if Instant::now() > deadline {
                return Err(format!("no sync with {url} within 10 s"));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let mut delays = Vec::with_capacity(count);
        for n in 0..count {
            let sid = sid(n);
            let begin = Instant::now();
            writer
                .revoke_session(&sid)
                .await
                .map_err(|e| format!("revocation {n} failed: {e}"))?;
            while reader
                .check(SessionFields {
                    sid: Some(&sid),
                    ..SessionFields::default()
                })
                .is_none()
            {
                if begin.elapsed() > Duration::from_secs(5) {
                    return Err(format!("revocation {n} not seen within 5 s"));
                }
                tokio::task::yield_now().await;
            }
            delays.push(begin.elapsed());
        }
        delays.sort();
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        let at = |q: f64| us(delays[((delays.len() - 1) as f64 * q).round() as usize]);
        Ok(format!(
            r#"{{"count":{count},"p50_us":{:.0},"p99_us":{:.0},"max_us":{:.0}}}"#,
            at(0.5),
            at(0.99),
            us(delays[delays.len() - 1])
        ))
    })
}

fn memory(args: &[String]) -> Result<String, String> {
    let entries = number(args, "--entries", 1_000_000)?;
    let expires_ms = ironsession::iron_seal::system_now_ms() + 3_600_000;
    let ids: Vec<String> = (0..entries).map(sid).collect();
    let before = IN_USE.load(Ordering::Relaxed);
    let replica = Replica::new();
    for sid in &ids {
        replica.insert(&RevocationEntry::Session {
            sid: sid.clone(),
            expires_ms,
        });
    }
    let heap = IN_USE.load(Ordering::Relaxed) - before;
    if replica.len() != entries {
        return Err(format!("{} entries kept of {entries}", replica.len()));
    }
    Ok(format!(
        r#"{{"entries":{entries},"heap_bytes":{heap},"table_bytes":{},"bytes_per_entry":{:.1}}}"#,
        replica.table_bytes(),
        heap as f64 / entries as f64
    ))
}
