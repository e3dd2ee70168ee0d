//! `ironsession-profile`: HTTP requests served in this process, for `bench/profile` (callgrind)
//! and for a quick time per request.
//!
//! ```text
//! ironsession-profile [--app peers|demo] [--route bench|plain] [--requests N] [--warmup N]
//!                     [--cookie past-window|login-window]
//! ```
//!
//! The server is the one `bench/compare` measures, served by hyper's HTTP/1.1 connection on one
//! thread (tokio's current-thread runtime), as `axum::serve` serves each connection:
//!
//! - `--app peers` (default): `ironsession-peers axum-ironsession`'s routes: axum +
//!   `ironsession::axum::SessionLayer` with the demo's configuration; `POST /login` stores the
//!   peers' small session (`{"username":"bench","isLoggedIn":true,"visits":0}`), `GET /bench`
//!   reads it, `visits += 1`, saves, answers the number. `GET /bench/plain` is the same counter
//!   outside the session layer.
//! - `--app demo`: the demo's own router (`ironsession_demo::app`: its login adds a session id
//!   and a creation time, and it has two more layers), as `bench/compare`'s session overhead row.
//!
//! The client is this process too: it logs in once, then sends `GET ROUTE` with the login's
//! cookie on one kept-alive connection over an in-memory stream (`tokio::io::duplex`, where a
//! real server has a socket and the kernel), each request after the previous answer, always the
//! same cookie, as `wrk` does: every request opens the seal and seals a new one. As in
//! `bench/compare`, where the server has made more than a seal-key window's 65,536 seals after
//! the login within its first seconds, the cookie is one of a past window (`--cookie
//! past-window`, the default): it opens with keys from the key cache, while the new seals reuse the
//! current window's keys. `--cookie login-window` keeps the login's window, as a browser's next
//! request (carrying the cookie just sealed) finds it.
//!
//! The measured requests run inside `measured_requests`, after `--warmup` requests: callgrind's
//! `--toggle-collect` counts only them. Stderr gets the time per request; stdout one JSON object.
//!
//! `--calibrate N` instead compresses N blocks with SHA-256 and N with SHA-1 (the functions
//! iron-seal's HMAC and PBKDF2 run on), in `calibration_sha256_blocks` and
//! `calibration_sha1_blocks`, and prints the time per block. valgrind has no SHA instructions,
//! so under callgrind both run their software fallback where the CPU itself may use its SHA
//! extensions: `bench/profile` counts a request's blocks with this and times them natively.

mod client;
mod window;

use std::hint::black_box;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use client::Client;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use ironsession::{Passwords, SaveError, Session};
use ironsession_demo::{COOKIE_NAME, DemoSession};
use tokio::runtime::Runtime;

const USAGE: &str = "usage: ironsession-profile [--app peers|demo] [--route bench|plain] \
[--requests N] [--warmup N] [--cookie past-window|login-window] | --calibrate N";

struct Config {
    demo: bool,
    plain: bool,
    requests: u64,
    warmup: u64,
    calibrate: Option<u64>,
    /// Send the login's cookie while its seal-key window lasts (`--cookie login-window`), instead
    /// of after it ended (`--cookie past-window`, default).
    login_window: bool,
}

fn parse_args() -> Result<Config, String> {
    let mut config = Config {
        demo: false,
        plain: false,
        requests: 20_000,
        warmup: 2_000,
        calibrate: None,
        login_window: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{arg} takes a number, not {value:?}"))
        };
        match (arg.as_str(), value.as_str()) {
            ("--app", "peers" | "demo") => config.demo = value == "demo",
            ("--route", "bench" | "plain") => config.plain = value == "plain",
            ("--requests", _) => config.requests = number()?.max(1),
            ("--warmup", _) => config.warmup = number()?,
            ("--calibrate", _) => config.calibrate = Some(number()?.max(1)),
            ("--cookie", "login-window" | "past-window") => {
                config.login_window = value == "login-window";
            }
            _ => return Err(format!("unexpected {arg} {value:?}\n{USAGE}")),
        }
    }
    Ok(config)
}

/// `ironsession-peers axum-ironsession`'s handlers, and the counter without a session.
mod peers_app {
    use super::*;

    async fn login(mut session: Session<DemoSession>) -> Result<&'static str, SaveError> {
        *session = DemoSession::bench_login();
        session.save()?;
        Ok("logged in")
    }

    async fn bench(mut session: Session<DemoSession>) -> Result<String, SaveError> {
        let visits = session.visits.unwrap_or(0).saturating_add(1);
        session.visits = Some(visits);
        session.save()?;
        Ok(visits.to_string())
    }

    async fn plain(State(counter): State<Arc<AtomicU64>>) -> String {
        (counter.fetch_add(1, Ordering::Relaxed) + 1).to_string()
    }

    pub fn router(config: ironsession::SessionConfig) -> Router {
        let with_session = Router::new()
            .route("/login", post(login))
            .route("/bench", get(bench))
            .layer(ironsession::axum::SessionLayer::new(config));
        let without_session = Router::new()
            .route("/bench/plain", get(plain))
            .with_state(Arc::new(AtomicU64::new(0)));
        with_session.merge(without_session)
    }
}

/// The requests callgrind counts (`--toggle-collect=*measured_requests*`): the server's
/// connection task runs inside this `block_on` too.
#[inline(never)]
fn measured_requests(
    runtime: &Runtime,
    client: &mut Client,
    request: &[u8],
    count: u64,
) -> Result<(), String> {
    runtime.block_on(client.send_many(request, count))
}

/// SHA-256 compressions of one block each, as HMAC-SHA256 makes them.
#[inline(never)]
fn calibration_sha256_blocks(count: u64) -> [u32; 8] {
    let mut state = [0x6a09_e667_u32; 8];
    let block = [[0x5a_u8; 64]];
    for _ in 0..count {
        sha2::block_api::compress256(&mut state, black_box(&block));
    }
    state
}

/// SHA-1 compressions of one block each, as iron-seal's PBKDF2 makes them.
#[inline(never)]
fn calibration_sha1_blocks(count: u64) -> [u32; 5] {
    let mut state = [0x6745_2301_u32; 5];
    let block = [[0x5a_u8; 64]];
    for _ in 0..count {
        sha1::block_api::compress(&mut state, black_box(&block));
    }
    state
}

/// The time of one block of each, in nanoseconds, as JSON, with the number of blocks each
/// function compressed in all (the warm-up's too: callgrind counts those).
fn calibrate(blocks: u64) -> String {
    let warmup = blocks / 10 + 1;
    let time = |f: &dyn Fn(u64)| {
        f(warmup);
        let start = Instant::now();
        f(blocks);
        #[allow(clippy::cast_precision_loss)] // block counts are far below 2^52
        let ns = start.elapsed().as_secs_f64() * 1e9 / blocks as f64;
        ns
    };
    let sha256 = time(&|n| {
        black_box(calibration_sha256_blocks(n));
    });
    let sha1 = time(&|n| {
        black_box(calibration_sha1_blocks(n));
    });
    eprintln!(
        "ironsession-profile: {blocks} blocks each: SHA-256 {sha256:.1} ns, SHA-1 {sha1:.1} ns per block"
    );
    format!(
        r#"{{"blocks":{blocks},"blocks_compressed":{},"sha256_ns_per_block":{sha256:.3},"sha1_ns_per_block":{sha1:.3}}}"#,
        blocks + warmup
    )
}

fn run(config: &Config) -> Result<String, String> {
    if let Some(blocks) = config.calibrate {
        return Ok(calibrate(blocks));
    }
    let password = Passwords::generate().map_err(|e| e.to_string())?;
    let passwords = Passwords::single(password).map_err(|e| e.to_string())?;
    let session_config =
        ironsession_demo::session_config(passwords.clone()).map_err(|e| e.to_string())?;
    let router = if config.demo {
        ironsession_demo::app(session_config)
    } else {
        peers_app::router(session_config)
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| format!("no tokio runtime: {e}"))?;
    let (client_io, server_io) = tokio::io::duplex(64 * 1024);
    let mut client = Client::new(client_io);
    runtime.spawn(
        hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(server_io), TowerToHyperService::new(router)),
    );

    let login = runtime.block_on(client.send(
        b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 14\r\n\r\nusername=bench",
    ))?;
    let cookie = login
        .set_cookie(COOKIE_NAME)
        .ok_or_else(|| format!("the login set no {COOKIE_NAME} cookie: {:?}", login.head))?
        .to_owned();
    if !config.login_window {
        window::end_seal_key_window(&passwords)?;
    }
    let route = if config.plain {
        "/bench/plain"
    } else {
        "/bench"
    };
    let request = format!("GET {route} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n");
    if !config.plain {
        let response = runtime.block_on(client.send(request.as_bytes()))?;
        if response.body != b"1" || response.set_cookie(COOKIE_NAME).is_none() {
            return Err(format!(
                "GET /bench did not read the login's session: {:?}",
                response.head
            ));
        }
    }

    runtime.block_on(client.send_many(request.as_bytes(), config.warmup))?;
    let start = Instant::now();
    measured_requests(&runtime, &mut client, request.as_bytes(), config.requests)?;
    let elapsed = start.elapsed();
    #[allow(clippy::cast_precision_loss)] // request counts are far below 2^52
    let us_per_request = elapsed.as_secs_f64() * 1e6 / config.requests as f64;
    eprintln!(
        "ironsession-profile: {} x GET {route} ({} app): {us_per_request:.2} us per request \
         (client included)",
        config.requests,
        if config.demo { "demo" } else { "peers" },
    );
    Ok(format!(
        r#"{{"app":"{}","route":"{route}","requests":{},"us_per_request":{us_per_request:.3},"cookie_bytes":{}}}"#,
        if config.demo { "demo" } else { "peers" },
        config.requests,
        cookie.len()
    ))
}

fn main() -> ExitCode {
    let result = parse_args().and_then(|config| run(&config));
    match result {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("ironsession-profile: {message}");
            ExitCode::from(2)
        }
    }
}
