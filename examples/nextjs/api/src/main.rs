//! `ironsession-nextjs-api`: the Rust service of `examples/nextjs`. It shares one login with the
//! Next.js app beside it: both seal the same cookie with the same password, and the Next.js app
//! forwards `/rust/*` on its own origin to this service, so the browser sends the cookie to both.
//!
//! Routes (`/me` here is `/rust/me` in the browser):
//! - `GET /me`: the user, as JSON, or 401 when signed out.
//! - `POST /login` (form `username`): a login on the Rust side; 303 to `/`.
//! - `POST /note` (form `note`): a save on the Rust side, by `auto_save` (the Next.js app's fields
//!   and the session metadata stay); 303 to `/`, 401 when signed out.
//! - `POST /logout`: revokes the session (with `REDIS_URL`, for the Next.js app too), then
//!   deletes the cookie; 303 to `/`, 503 when the revocation could not be recorded.
//!
//! Environment (the first three must match the Next.js app's):
//! - `IRON_SESSION_PASSWORD` (required): at least 32 characters, or a JSON object of id to
//!   password for rotation.
//! - `SESSION_COOKIE_NAME`: default `ironsession-nextjs`.
//! - `REDIS_URL`: revocation shared with the Next.js app (`interop/revocation.mjs`) and any other
//!   server. Unset: revocation in this process only.
//! - `PORT`: default 3001 (`0` picks a free one); the server listens on 127.0.0.1 and prints
//!   `listening on http://127.0.0.1:PORT` on stdout once ready.
#![forbid(unsafe_code)]

use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::time::Duration;

use axum::extract::Form;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ironsession::axum::SessionLayer;
use ironsession::revocation::Revocation;
use ironsession::revocation::redis::RedisBackend;
use ironsession::{Passwords, SaveError, Session, SessionConfig};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The session both apps read and write. Field names are the Next.js app's (camelCase JSON).
#[derive(Default, Serialize, Deserialize)]
struct SharedSession {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    #[serde(rename = "isLoggedIn", default)]
    is_logged_in: bool,
    /// `"next"` or `"rust"`: which side handled the login.
    #[serde(
        rename = "loggedInBy",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    logged_in_by: Option<String>,
    /// The field only this service writes.
    #[serde(rename = "rustNote", default, skip_serializing_if = "Option::is_none")]
    rust_note: Option<String>,
    /// Whatever else the Next.js app stored (`nextNote`, …): kept as it is by every save here.
    /// The session metadata (`_is`) is not in it: ironsession keeps that itself.
    #[serde(flatten)]
    other: Map<String, Value>,
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
}

#[derive(Deserialize)]
struct NoteForm {
    note: String,
}

/// The longest note accepted, in characters, as in the Next.js app.
const MAX_NOTE_CHARS: usize = 1000;

async fn me(session: Session<SharedSession>) -> Response {
    if !session.is_logged_in {
        return (StatusCode::UNAUTHORIZED, Json(json!({"isLoggedIn": false}))).into_response();
    }
    Json(json!({
        "isLoggedIn": true,
        "username": session.username,
        "loggedInBy": session.logged_in_by,
        "sessionId": session.id().map(|id| id.as_str().to_owned()),
    }))
    .into_response()
}

async fn login(
    mut session: Session<SharedSession>,
    Form(form): Form<LoginForm>,
) -> Result<Response, SaveError> {
    let username = form.username.trim();
    if username.is_empty() {
        return Ok((StatusCode::BAD_REQUEST, "enter a username\n").into_response());
    }
    // A new session id and lifetime at login: an id seen before it is worth nothing (session
    // fixation).
    session.start_new_login()?;
    session.username = Some(username.to_owned());
    session.is_logged_in = true;
    session.logged_in_by = Some("rust".to_owned());
    // The subject "log out everywhere" would revoke; also checks the 1 to 1024 bytes.
    match session.set_subject(username) {
        Err(SaveError::InvalidSubject) => {
            return Ok((StatusCode::BAD_REQUEST, "username too long\n").into_response());
        }
        other => other?,
    }
    session.save()?;
    Ok(Redirect::to("/").into_response())
}

async fn note(mut session: Session<SharedSession>, Form(form): Form<NoteForm>) -> Response {
    if !session.is_logged_in {
        return (StatusCode::UNAUTHORIZED, "not logged in\n").into_response();
    }
    if form.note.chars().count() > MAX_NOTE_CHARS {
        return (StatusCode::BAD_REQUEST, "note too long\n").into_response();
    }
    // No `save()`: the configuration's `auto_save` saves a changed session when the handler is
    // done (a failure, such as a session too large, is answered 500 with the cause).
    session.rust_note = Some(form.note);
    Redirect::to("/").into_response()
}

async fn logout(mut session: Session<SharedSession>) -> Response {
    // Every copy of the cookie is refused from now on, by this service and (through Redis) by the
    // Next.js app; only then is this browser's cookie deleted.
    match session.revoke_and_destroy().await {
        Ok(()) => Redirect::to("/").into_response(),
        Err(error) => {
            eprintln!("logout: {error}");
            let message = "The logout could not be recorded (Redis unreachable): try again.\n";
            (StatusCode::SERVICE_UNAVAILABLE, message).into_response()
        }
    }
}

fn app(config: SessionConfig) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/login", post(login))
        .route("/note", post(note))
        .route("/logout", post(logout))
        .layer(SessionLayer::new(config))
}

/// The configuration the Next.js app's `lib/session.js` mirrors: same cookie name and password;
/// the defaults of both libraries for the rest (ttl 14 days, `HttpOnly; Secure; SameSite=Lax;
/// Path=/`, `Max-Age` = ttl - 60 s). `auto_save` on: a handler that changes the session need not
/// call `save()` (`POST /note` relies on it).
async fn config_from_env() -> Result<SessionConfig, String> {
    let password = std::env::var("IRON_SESSION_PASSWORD")
        .ok()
        .filter(|password| !password.is_empty())
        .ok_or("IRON_SESSION_PASSWORD is not set: use the Next.js app's password")?;
    let passwords =
        Passwords::parse(&password).map_err(|e| format!("bad IRON_SESSION_PASSWORD: {e}"))?;
    let cookie_name =
        std::env::var("SESSION_COOKIE_NAME").unwrap_or_else(|_| "ironsession-nextjs".to_owned());
    let revocation = match std::env::var("REDIS_URL") {
        Ok(url) if !url.is_empty() => {
            let backend = RedisBackend::builder(&url)
                .start()
                .map_err(|e| format!("bad REDIS_URL: {e}"))?;
            let revocation = Revocation::builder(backend).build();
            // Serve with the revocations already recorded, unless Redis takes over 3 s.
            for _ in 0..30 {
                if revocation.replica().is_synced() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            revocation
        }
        _ => Revocation::in_memory(),
    };
    SessionConfig::builder(cookie_name, passwords)
        .revocation(revocation)
        .auto_save(true)
        .build()
        .map_err(|e| format!("bad session configuration: {e}"))
}

fn port_from_env() -> Result<u16, String> {
    match std::env::var("PORT") {
        Ok(text) if !text.is_empty() => text
            .parse()
            .map_err(|_| format!("bad PORT {text:?}: use a number from 0 to 65535")),
        _ => Ok(3001),
    }
}

async fn run() -> Result<(), String> {
    let config = config_from_env().await?;
    let port = port_from_env()?;
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .and_then(|listener| Ok((listener.local_addr()?, listener)));
    let (address, listener) = listener.map_err(|e| format!("cannot listen on port {port}: {e}"))?;
    // The one line on stdout (line-buffered, so it is out at once): the example's test waits for it.
    println!("listening on http://{address}");
    axum::serve(listener, app(config))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("server error: {e}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    // ironsession's own log lines (refused cookies, revocation errors) on stderr.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ironsession-nextjs-api: {message}");
            ExitCode::from(2)
        }
    }
}
