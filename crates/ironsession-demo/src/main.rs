//! `ironsession-demo`: serves the demo app on `http://127.0.0.1:PORT`.
//!
//! Environment:
//! - `PORT`: the port (default 3000; `0` picks a free one). The one line
//!   `listening on http://127.0.0.1:PORT` on stdout says the server is ready.
//! - `IRON_SESSION_PASSWORD`: a random password of at least 32 characters (`ironsession
//!   gen-password`), or a JSON object of id to password (`{"1":"…","2":"…"}`) for rotation, used
//!   verbatim as Node uses it. A guessable one (a published sample, a phrase of words, a repeated
//!   pattern) stops the demo with exit status 2. Unset or empty: a random password made at start
//!   and never shown, so sessions end when the demo stops (and no other process reads its
//!   cookies). Values of the JSON object may stage a password:
//!   `{"password":"…","notBefore":"2026-12-01T00:00:00Z"}` (see `Passwords::parse`).
//! - `IRON_SESSION_ABSOLUTE_SECONDS`: end every session this long after its login, however busy
//!   (unset: no absolute lifetime).
//! - `IRON_SESSION_RENEW_AFTER_SECONDS`: re-seal a session that is read, not saved, once its
//!   last seal is this old (unset: only saves renew).
//! - `REDIS_URL`: revocation shared through this Redis (`redis://host:port/`), so that a logout
//!   on one demo process is enforced by all of them. Unset: revocation in this process only.
//! - `REVOCATION`: `off` (no revocation), `memory` or `redis`; default `redis` when `REDIS_URL`
//!   is set, else `memory`. (`off` is for the benchmarks' baseline.)
//! - `SESSION_FORMAT`: `iron-session` (default) or `h3`. With `h3` the demo pairs with an h3 2.x
//!   app (Nuxt, `interop/h3-server.mjs`): the same cookie name and password, the session data as
//!   h3's `data`, h3's object and chunking; it seals as h3 2.x (8192 PBKDF2 iterations) and reads
//!   h3 1.x and 2.x seals (see `SessionConfigBuilder::h3`).
//! - `RUST_LOG`: the log filter (default `info`); logs go to stderr.
//!
//! Besides the app's routes it serves `GET /metrics`: ironsession's metrics in Prometheus' text
//! format (see `ironsession_demo::metrics`).
#![forbid(unsafe_code)]

use std::io::{IsTerminal, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use ironsession::revocation::redis::RedisBackend;
use ironsession::revocation::{InMemory, Revocation};
use ironsession::{H3Sessions, PasswordError, Passwords};
use tracing_subscriber::EnvFilter;
use zeroize::Zeroizing;

const DEFAULT_PORT: u16 = 3000;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ironsession-demo: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<(), String> {
    let port = port_from_env()?;
    // Before anything records: the sessions and the revocation backend below.
    let metrics = ironsession_demo::metrics::install_recorder()
        .map_err(|e| format!("cannot install the metrics recorder: {e}"))?;
    tokio::spawn(ironsession_demo::metrics::upkeep(metrics.clone()));
    let passwords = passwords_from_env()?;
    let mut builder = ironsession_demo::session_config(passwords)
        .map_err(|e| format!("bad session configuration: {e}"))?
        .to_builder();
    if let Some(absolute) = seconds_from_env("IRON_SESSION_ABSOLUTE_SECONDS")? {
        builder = builder.absolute_lifetime(absolute);
    }
    if let Some(renew_after) = seconds_from_env("IRON_SESSION_RENEW_AFTER_SECONDS")? {
        builder = builder.renew_after(renew_after);
    }
    if let Some(revocation) = revocation_from_env().await? {
        builder = builder.revocation(revocation);
    }
    if h3_from_env()? {
        builder = builder.h3(H3Sessions::v2());
    }
    let config = builder
        .build()
        .map_err(|e| format!("bad session configuration: {e}"))?;

    // Loopback only: the cookie is not `Secure` (see `session_config`).
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    tracing::info!(%address, "ironsession demo started");
    // The one line on stdout: tests and scripts wait for it.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{address}")
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    drop(stdout);

    let app = ironsession_demo::app(config).merge(ironsession_demo::metrics::routes(metrics));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))
}

/// A number of seconds from the environment; unset or empty is `None`.
fn seconds_from_env(name: &str) -> Result<Option<Duration>, String> {
    match std::env::var(name) {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse()
            .map(|seconds| Some(Duration::from_secs(seconds)))
            .map_err(|_| format!("bad {name} {text:?}: use a whole number of seconds")),
        _ => Ok(None),
    }
}

/// Whether `SESSION_FORMAT` asks for h3's sessions.
fn h3_from_env() -> Result<bool, String> {
    match std::env::var("SESSION_FORMAT").unwrap_or_default().trim() {
        "" | "iron-session" => Ok(false),
        "h3" => Ok(true),
        other => Err(format!(
            "bad SESSION_FORMAT {other:?}: use iron-session or h3"
        )),
    }
}

/// Revocation as `REVOCATION` and `REDIS_URL` say; entries are kept for the "remember me" ttl,
/// the longest any demo session lives.
async fn revocation_from_env() -> Result<Option<Revocation>, String> {
    let redis_url = std::env::var("REDIS_URL")
        .ok()
        .filter(|url| !url.trim().is_empty());
    let mode = std::env::var("REVOCATION").unwrap_or_default();
    let retention = Duration::from_secs(ironsession_demo::REMEMBER_TTL_SECONDS);
    let revocation = match (mode.trim(), redis_url) {
        ("off", _) => return Ok(None),
        ("memory", _) | ("", None) => Revocation::builder(InMemory::new()),
        ("redis" | "", Some(url)) => {
            let backend = RedisBackend::builder(&url)
                .start()
                .map_err(|e| format!("bad REDIS_URL: {e}"))?;
            Revocation::builder(backend)
        }
        ("redis", None) => return Err("REVOCATION=redis needs REDIS_URL".to_owned()),
        (other, _) => {
            return Err(format!(
                "bad REVOCATION {other:?}: use off, memory or redis"
            ));
        }
    }
    .retention(retention)
    .build();
    // Give Redis a moment, so that a fresh fleet starts with the revocations already recorded;
    // without it the backend has logged an error and the demo serves anyway.
    for _ in 0..30 {
        if revocation.replica().is_synced() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(Some(revocation))
}

fn port_from_env() -> Result<u16, String> {
    match std::env::var("PORT") {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse()
            .map_err(|_| format!("bad PORT {text:?}: use a number from 0 to 65535")),
        _ => Ok(DEFAULT_PORT),
    }
}

fn passwords_from_env() -> Result<Passwords, String> {
    // Wiped from memory once parsed (the process environment keeps its own copy).
    let text = std::env::var("IRON_SESSION_PASSWORD").map(Zeroizing::new);
    match text {
        // Verbatim, as Node reads it: a trimmed password would seal differently.
        Ok(text) if !text.is_empty() => Passwords::parse(&text)
            // The error names ids, lengths and the kind of weakness, never a password.
            .map_err(|e| match e {
                PasswordError::Weak { .. } => format!(
                    "IRON_SESSION_PASSWORD is refused: {e}. Anyone could guess it and forge \
                     sessions; set it to the output of `ironsession gen-password`"
                ),
                e => format!("bad IRON_SESSION_PASSWORD: {e}"),
            }),
        _ => {
            let password = Zeroizing::new(
                Passwords::generate().map_err(|e| format!("cannot make a random password: {e}"))?,
            );
            tracing::warn!(
                "IRON_SESSION_PASSWORD is not set: sealing with a random password made at start. \
                 Sessions end when this process stops, and no other process can read its cookies. \
                 Set IRON_SESSION_PASSWORD (`ironsession gen-password`) to keep them across restarts"
            );
            Passwords::single(password.as_str())
                .map_err(|e| format!("the random password is refused: {e}"))
        }
    }
}

/// Ctrl-C or SIGTERM: finish the requests in flight, then exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
