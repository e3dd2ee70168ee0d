//! The routes of the demo and its session data.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{DefaultBodyLimit, Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router, middleware};
use ironsession::axum::SessionLayer;
use ironsession::revocation::{MAX_SUBJECT_BYTES, RevocationError};
use ironsession::{ConfigError, Passwords, SaveError, Session, SessionConfig, Ttl};
use serde::{Deserialize, Serialize};

use crate::{cookie_panel, explain, pages};

/// The cookie name, the same as `interop/server.mjs`'s default, so a cookie works on both.
///
/// Not `__Host-iron-session-demo`: browsers store a `__Host-` cookie only with `Secure`, and the
/// demo serves plain http on 127.0.0.1, where a `Secure` cookie is never sent back. An app served
/// over https uses the `__Host-` prefix, so that no subdomain or plain-http page can plant a
/// cookie of the same name in front of it (see the README's quickstarts).
pub const COOKIE_NAME: &str = "iron-session-demo";

/// The ttl after a login with "remember me": 30 days instead of the default 14.
pub const REMEMBER_TTL_SECONDS: u64 = 30 * 24 * 3600;

/// The largest form body accepted, as in `interop/server.mjs`.
const MAX_BODY_BYTES: usize = 16 * 1024;

/// The longest note `POST /api/notes` accepts, in characters (Unicode scalar values, as
/// `[...note].length` counts them in server.mjs).
pub const MAX_NOTE_CHARS: usize = 1000;

/// The session data, wire-compatible with `interop/server.mjs`:
/// `{"username": string, "isLoggedIn": bool, "visits": number}`.
///
/// Every field may be missing in a cookie (a fresh session is `{}`, and `/bench` stores only
/// `visits`), and missing fields are not written back, as in JavaScript.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DemoSession {
    /// The name given at login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `true` once logged in.
    #[serde(
        rename = "isLoggedIn",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub is_logged_in: Option<bool>,
    /// How many times `/api/session` (or `/bench`) was read since the login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visits: Option<u64>,
    /// `true` after a login with "remember me": every save then keeps the 30-day ttl.
    #[serde(
        rename = "rememberMe",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub remember_me: Option<bool>,
    /// The notes added with `POST /api/notes`: a few long ones make the session spill into
    /// chunked cookies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<String>>,
    /// Fields another app sharing the cookie wrote: kept as they are, so a save here does not
    /// drop them.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl DemoSession {
    /// Whether the session belongs to a logged-in user (`isLoggedIn === true` in server.mjs).
    pub fn logged_in(&self) -> bool {
        self.is_logged_in == Some(true)
    }

    /// The session the benchmarks log in with (bench/peers' `POST /login`, and
    /// `ironsession-allocations`): user `bench`, logged in, no visits yet; nothing else.
    pub fn bench_login() -> Self {
        DemoSession {
            username: Some("bench".to_owned()),
            is_logged_in: Some(true),
            visits: Some(0),
            ..DemoSession::default()
        }
    }
}

/// The JSON of `GET /api/session`: every field filled in (`""`, `false`, `0`, `[]` when absent),
/// in the order server.mjs writes them.
#[derive(Debug, Serialize)]
struct SessionView<'a> {
    username: &'a str,
    #[serde(rename = "isLoggedIn")]
    is_logged_in: bool,
    visits: u64,
    notes: &'a [String],
}

impl<'a> From<&'a DemoSession> for SessionView<'a> {
    fn from(session: &'a DemoSession) -> Self {
        SessionView {
            username: session.username.as_deref().unwrap_or(""),
            is_logged_in: session.is_logged_in.unwrap_or(false),
            visits: session.visits.unwrap_or(0),
            notes: session.notes.as_deref().unwrap_or_default(),
        }
    }
}

/// The demo's session configuration: cookie [`COOKIE_NAME`], iron-session's defaults (ttl 14
/// days, `HttpOnly`, `SameSite=Lax`, `Path=/`), chunking on (as `chunk: true` in server.mjs, so
/// long notes spill into `iron-session-demo.0` … `.3`), a declared longest ttl of 30 days for
/// "remember me", sessions without metadata read (the logins of `server.mjs` without
/// `REDIS_URL`), cross-site writes refused (a login or logout posted by another site's page is a
/// 403), but **without `Secure`**.
///
/// # Errors
/// The [`ConfigError`] of the builder (none for these settings).
pub fn session_config(passwords: Passwords) -> Result<SessionConfig, ConfigError> {
    SessionConfig::builder(COOKIE_NAME, passwords)
        // "Remember me" seals for 30 days; without this, those cookies would be refused on read
        // as expiring later than the 14-day ttl allows.
        .max_ttl(Ttl::seconds(REMEMBER_TTL_SECONDS))
        // The demo serves plain http on 127.0.0.1 only, where a `Secure` cookie would never be
        // sent back. This is the one reason to drop `Secure`: anything reachable over a network
        // must serve https and keep the default.
        .dangerous_insecure_cookie(true)
        .chunking(true)
        // server.mjs without REDIS_URL logs in without the session metadata ("_is"), which
        // revocation needs. The demo reads such logins anyway (the page says what that leaves
        // open); an app whose Node side adds the metadata (revocation.mjs) keeps this off.
        .dangerous_accept_sessions_without_metadata(true)
        // Login CSRF and forced logouts: a form on another site posting to /login or /logout is
        // answered 403 with nothing written. The demo takes no posts from an identity provider.
        .refuse_cross_site_writes(true)
        .build()
}

/// The demo app: every route, with sessions from `config`.
///
/// | Route | What it does |
/// | --- | --- |
/// | `GET /` | HTML page: login form, or the user, visit count and the logout buttons (each saying what it does), and "How your session works" (the `Set-Cookie` attributes, the lifetime in force, the cookies sent, a warning as the `Cookie` header nears 8 KB); beside it "What is in my cookie?" (the seal's fields, the JSON inside and its `_is` metadata explained) |
/// | `GET /style.css` | the page's one stylesheet |
/// | `POST /login` | form `username` (required, else 400) and `remember`; 303 to `/`; 403 (nothing written) when posted from another site, as every write below |
/// | `POST /logout` | revokes and destroys the session; 303 to `/`, 503 (still logged in) when the revocation store is unreachable |
/// | `POST /logout-everywhere` | revokes every session of the logged-in username, destroys this one; 303 to `/`, 503 as `/logout` |
/// | `GET /api/session` | JSON `{username, isLoggedIn, visits, notes}`; counts a visit when logged in |
/// | `POST /api/notes` | form `note` (1 to 1000 characters, else 400) appended to `notes`; 401 when not logged in, 413 (session unchanged) when it would not fit in 4 cookies; the JSON of `/api/session` |
/// | `DELETE /api/notes` | empties `notes` (401 when not logged in); the JSON of `/api/session` |
/// | `GET /bench` | `visits += 1`, save, the number as text (benchmarks) |
/// | `GET /bench/plain` | a counter without any session, to measure the session's cost |
pub fn app(config: SessionConfig) -> Router {
    let with_session = Router::new()
        .route("/", get(home))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/logout-everywhere", post(logout_everywhere))
        .route("/api/session", get(api_session))
        .route("/api/notes", post(add_note).delete(clear_notes))
        .route("/bench", get(bench))
        // The cookie panel opens the seal with the server's passwords; the page explains the
        // configuration's cookie attributes and lifetimes.
        .layer(Extension(config.passwords().clone()))
        .layer(Extension(config.clone()))
        .layer(SessionLayer::new(config));
    let without_session = Router::new()
        .route("/style.css", get(stylesheet))
        .route("/bench/plain", get(bench_plain))
        .with_state(Arc::new(AtomicU64::new(0)));
    with_session
        .merge(without_session)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::map_response(no_store))
}

/// Session pages must not be cached: every answer depends on the cookie.
async fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// Why a request failed on the server's side: a 500, details in the log only.
#[derive(Debug)]
enum DemoError {
    Save(SaveError),
    Config(ConfigError),
}

impl From<SaveError> for DemoError {
    fn from(error: SaveError) -> Self {
        DemoError::Save(error)
    }
}

impl From<ConfigError> for DemoError {
    fn from(error: ConfigError) -> Self {
        DemoError::Config(error)
    }
}

impl IntoResponse for DemoError {
    fn into_response(self) -> Response {
        match self {
            DemoError::Save(error) => error.into_response(),
            DemoError::Config(error) => {
                tracing::error!(%error, "session configuration refused");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal server error").into_response()
            }
        }
    }
}

async fn home(
    mut session: Session<DemoSession>,
    headers: HeaderMap,
    Extension(passwords): Extension<Passwords>,
    Extension(config): Extension<SessionConfig>,
) -> Result<Html<String>, DemoError> {
    keep_remember_me(&mut session)?;
    let times = pages::SessionTimes::of(&session);
    let seal = session.context().incoming_seal();
    let panel = cookie_panel::cookie_panel(seal.as_deref(), &passwords, session.unseal_error());
    let names = if config.h3().is_some() {
        explain::CookieNames::H3
    } else {
        explain::CookieNames::IronSession
    };
    let sent = explain::CookiesSent::from_headers(
        names,
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok()),
    );
    let explained = if session.logged_in() {
        explain_session(&session, &config, &sent)?
    } else {
        String::new()
    };
    Ok(Html(pages::home(
        &session,
        sent.session_cookies.len(),
        times.as_ref(),
        &panel,
        &explained,
    )))
}

/// The "How your session works" card of a logged-in session: the attributes of the cookie this
/// configuration writes for it (a throwaway session saved with the same configuration and ttl),
/// its lifetimes from its metadata, and the cookies the browser sent.
fn explain_session(
    session: &Session<DemoSession>,
    config: &SessionConfig,
    sent: &explain::CookiesSent,
) -> Result<String, DemoError> {
    let config = match remember_me_ttl(session) {
        Some(ttl) => config.to_builder().ttl(ttl).build()?,
        None => config.clone(),
    };
    let sample: ironsession::JsonSession = config.load(&HeaderMap::new());
    sample.save()?;
    let set_cookie = sample
        .take_set_cookies()
        .into_iter()
        .next()
        .unwrap_or_default();
    let millis =
        |duration: std::time::Duration| u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    let lifetimes = match (session.metadata(), config.ttl().as_millis()) {
        (Some(metadata), Some(ttl_ms)) => Some(explain::Lifetimes {
            ttl_ms,
            absolute_ms: config.absolute_lifetime().map(millis),
            renew_after_ms: config.renew_after().map(millis),
            created_ms: metadata.created_at_ms(),
            sealed_ms: metadata.sealed_at_ms(),
        }),
        _ => None,
    };
    Ok(explain::card(&set_cookie, lifetimes.as_ref(), sent))
}

/// The stylesheet, compiled in: no build step, no request leaves the demo's origin.
async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../assets/style.css"),
    )
}

/// The login form's fields. Both are optional here so that a missing `username` gets the same
/// 400 as an empty one.
#[derive(Debug, Deserialize)]
struct LoginForm {
    username: Option<String>,
    remember: Option<String>,
}

async fn login(
    mut session: Session<DemoSession>,
    Form(form): Form<LoginForm>,
) -> Result<Response, DemoError> {
    let username = form.username.as_deref().unwrap_or("").trim();
    if username.is_empty() {
        return Ok((StatusCode::BAD_REQUEST, "username is required").into_response());
    }
    // The username is the subject "log out everywhere" revokes, which has a length limit.
    if username.len() > MAX_SUBJECT_BYTES {
        let message = format!("username is too long (at most {MAX_SUBJECT_BYTES} bytes)");
        return Ok((StatusCode::BAD_REQUEST, message).into_response());
    }
    session.username = Some(username.to_owned());
    session.is_logged_in = Some(true);
    session.visits = Some(0);
    session.remember_me = form
        .remember
        .is_some_and(|value| !value.is_empty())
        .then_some(true);
    // A new session id and a new lifetime at every login: an id planted or seen before is worth
    // nothing now.
    session.start_new_login()?;
    // The subject of "log out everywhere" is the username (with `REVOCATION=off` there is none).
    if session.revocation().is_some() {
        session.set_subject(username)?;
    }
    save(&mut session)?;
    tracing::info!(username, "logged in");
    Ok(Redirect::to("/").into_response())
}

/// Saves the session; a "remember me" login keeps its 30-day ttl on every save, not only the first
/// (`update_config` changes this request only).
fn save(session: &mut Session<DemoSession>) -> Result<(), DemoError> {
    keep_remember_me(session)?;
    Ok(session.save()?)
}

/// A "remember me" session is sealed with the 30-day ttl, also when a read renews it
/// (`IRON_SESSION_RENEW_AFTER_SECONDS`): renewal seals with the request's configuration.
fn keep_remember_me(session: &mut Session<DemoSession>) -> Result<(), DemoError> {
    if let Some(ttl) = remember_me_ttl(session) {
        session.update_config(|config| config.ttl(ttl))?;
    }
    Ok(())
}

/// The 30-day ttl of a "remember me" session; `None` for others (the configuration's ttl).
fn remember_me_ttl(session: &DemoSession) -> Option<Ttl> {
    (session.remember_me == Some(true)).then(|| Ttl::seconds(REMEMBER_TTL_SECONDS))
}

/// Revokes the session (every copy of the cookie dies on every server), then destroys it.
async fn logout(mut session: Session<DemoSession>) -> Response {
    logged_out(session.revoke_and_destroy().await)
}

/// Revokes every session of the logged-in user (the session's subject), on every server, then
/// destroys this one.
async fn logout_everywhere(mut session: Session<DemoSession>) -> Response {
    let username = session.username.clone();
    let revoked = session.revoke_subject_and_destroy().await;
    if revoked.is_ok() {
        tracing::info!(username, "logged out everywhere");
    }
    logged_out(revoked)
}

/// The answer to a logout: back to `/` once the cookie is deleted, also without revocation
/// (`REVOCATION=off`: nothing to revoke) or without a login (no subject); a 503 when the store did
/// not record it (nothing was destroyed).
fn logged_out(revoked: Result<(), RevocationError>) -> Response {
    match revoked {
        Ok(()) | Err(RevocationError::NotConfigured | RevocationError::NoSubject) => {
            Redirect::to("/").into_response()
        }
        Err(error) => logout_not_recorded(&error),
    }
}

/// A 503 when the revocation store did not record a logout: nothing was destroyed, the user is
/// still logged in and can try again.
fn logout_not_recorded(error: &RevocationError) -> Response {
    tracing::warn!(%error, "logout not recorded");
    let message = "The logout could not be recorded: the revocation store (Redis) is unreachable. \
                   You are still logged in; please try again in a moment.";
    (StatusCode::SERVICE_UNAVAILABLE, message).into_response()
}

async fn api_session(mut session: Session<DemoSession>) -> Result<Response, DemoError> {
    if session.logged_in() {
        session.visits = Some(session.visits.unwrap_or(0).saturating_add(1));
        save(&mut session)?;
    }
    Ok(Json(SessionView::from(&*session)).into_response())
}

/// `POST /api/notes`'s form.
#[derive(Debug, Deserialize)]
struct NoteForm {
    note: Option<String>,
}

fn not_logged_in() -> Response {
    (StatusCode::UNAUTHORIZED, "log in first").into_response()
}

async fn add_note(
    mut session: Session<DemoSession>,
    Form(form): Form<NoteForm>,
) -> Result<Response, DemoError> {
    if !session.logged_in() {
        return Ok(not_logged_in());
    }
    let note = form.note.unwrap_or_default();
    if note.trim().is_empty() || note.chars().count() > MAX_NOTE_CHARS {
        let message = format!("a note is 1 to {MAX_NOTE_CHARS} characters");
        return Ok((StatusCode::BAD_REQUEST, message).into_response());
    }
    session.notes.get_or_insert_with(Vec::new).push(note);
    match save(&mut session) {
        // Nothing was queued: the browser keeps the session it had, without this note.
        Err(DemoError::Save(error @ SaveError::TooLarge { .. })) => {
            let message = format!("this note does not fit in the session: {error}");
            Ok((StatusCode::PAYLOAD_TOO_LARGE, message).into_response())
        }
        saved => {
            saved?;
            Ok(Json(SessionView::from(&*session)).into_response())
        }
    }
}

async fn clear_notes(mut session: Session<DemoSession>) -> Result<Response, DemoError> {
    if !session.logged_in() {
        return Ok(not_logged_in());
    }
    session.notes = Some(Vec::new());
    save(&mut session)?;
    Ok(Json(SessionView::from(&*session)).into_response())
}

async fn bench(mut session: Session<DemoSession>) -> Result<String, DemoError> {
    let visits = session.visits.unwrap_or(0).saturating_add(1);
    session.visits = Some(visits);
    save(&mut session)?;
    Ok(visits.to_string())
}

async fn bench_plain(State(counter): State<Arc<AtomicU64>>) -> String {
    (counter.fetch_add(1, Ordering::Relaxed) + 1).to_string()
}
