//! `ironsession-peers SERVER`: the demo's `/bench` handler on the Rust session crates a Rust
//! developer would otherwise pick, for `bench/compare`.
//!
//! Every server answers the same three routes with the same session data
//! ([`ironsession_demo::DemoSession`], the demo's own type, serialized with serde as each crate
//! expects):
//!
//! | Route | What it does |
//! | --- | --- |
//! | `POST /login` | `{"username":"bench","isLoggedIn":true,"visits":0}` into a new session |
//! | `GET /api/session` | the session as JSON |
//! | `GET /bench` | read the session, `visits += 1`, save, answer the number as text |
//!
//! The cookie is called `iron-session-demo` everywhere and carries the demo's attributes
//! (`HttpOnly`, `SameSite=Lax`, `Path=/`, a 14-day lifetime, no `Secure`: loopback only).
//!
//! SERVER is one of:
//! - `axum-ironsession`: axum + ironsession's `SessionLayer` with the demo's configuration (the
//!   demo binary's `/bench` also carries what its environment and login add, such as a session id);
//! - `tower-memory`: axum + tower-sessions with its `MemoryStore` (the cookie holds an id);
//! - `tower-redis`: axum + tower-sessions with tower-sessions-redis-store on `REDIS_URL`;
//! - `tower-cookie`: axum + tower-sessions-cookie-store, private (AES-GCM) cookies;
//! - `private-cookie-jar`: axum + axum-extra's `PrivateCookieJar`, the JSON done by hand;
//! - `actix-session`: actix-web + actix-session's `CookieSessionStore` (private, its default);
//! - `actix-ironsession`: actix-web + ironsession's actix adapter (password from
//!   `IRON_SESSION_PASSWORD`).
//!
//! `ironsession-peers profile SERVER` serves `GET /bench` of one of them in-process instead, for
//! `bench/profile --peer SERVER` (see `profile.rs`).
//!
//! `PORT` picks the port (`0`: any free one); the line `listening on http://127.0.0.1:PORT` on
//! stdout says the server is ready. Run it pinned to one core with `TOKIO_WORKER_THREADS=1`
//! (the actix servers run one worker).
#![forbid(unsafe_code)]

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use ironsession_demo::DemoSession;

mod actix_servers;
mod axum_servers;
mod profile;

/// ironsession's handlers, the same functions on axum and on actix-web: `Session<T>` is an
/// extractor for both, and `SaveError` a response for both.
mod ironsession_routes {
    use ironsession::{SaveError, Session};
    use ironsession_demo::DemoSession;

    use crate::count_visit;

    pub async fn login(mut session: Session<DemoSession>) -> Result<&'static str, SaveError> {
        *session = DemoSession::bench_login();
        session.save()?;
        Ok("logged in")
    }

    pub async fn api_session(session: Session<DemoSession>) -> String {
        serde_json::to_string(&*session).unwrap_or_default()
    }

    pub async fn bench(mut session: Session<DemoSession>) -> Result<String, SaveError> {
        let visits = count_visit(&mut session);
        session.save()?;
        Ok(visits.to_string())
    }
}

/// The demo's own session configuration (cookie name, attributes, ttl, chunking), with the
/// password from `IRON_SESSION_PASSWORD`, and nothing the demo binary adds from its environment.
fn ironsession_config() -> Result<ironsession::SessionConfig, String> {
    let password = std::env::var("IRON_SESSION_PASSWORD")
        .map_err(|_| "the ironsession servers need IRON_SESSION_PASSWORD".to_owned())?;
    let passwords = ironsession::Passwords::parse(&password).map_err(|e| e.to_string())?;
    ironsession_demo::session_config(passwords).map_err(|e| e.to_string())
}

/// The cookie name of every server, the demo's.
const COOKIE_NAME: &str = ironsession_demo::COOKIE_NAME;
/// The session's lifetime, iron-session's default ttl.
const SESSION_DAYS: i64 = 14;
/// The key under which the key-value session stores keep the demo's data.
const DATA_KEY: &str = "demo";

/// One more visit: the whole work of `/bench` besides loading and saving the session.
fn count_visit(session: &mut DemoSession) -> u64 {
    let visits = session.visits.unwrap_or(0).saturating_add(1);
    session.visits = Some(visits);
    visits
}

fn listen_address() -> Result<SocketAddr, String> {
    let port = match std::env::var("PORT") {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse()
            .map_err(|_| format!("bad PORT {text:?}"))?,
        _ => 0,
    };
    Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
}

/// The one line on stdout that bench/compare waits for.
fn announce(address: SocketAddr) {
    println!("listening on http://{address}");
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let server = args.next().unwrap_or_default();
    let result = match server.as_str() {
        "profile" => profile::run(args),
        "axum-ironsession" | "tower-memory" | "tower-redis" | "tower-cookie"
        | "private-cookie-jar" => axum_servers::run(&server),
        "actix-session" | "actix-ironsession" => actix_servers::run(&server),
        _ => Err(format!(
            "usage: ironsession-peers SERVER, where SERVER is axum-ironsession, tower-memory, \
             tower-redis, tower-cookie, private-cookie-jar, actix-session or actix-ironsession \
             (got {server:?})"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ironsession-peers: {message}");
            ExitCode::from(2)
        }
    }
}
