//! Log in and out with ironsession on axum.
//!
//! ```sh
//! cargo run -p ironsession --example axum_login --features axum
//! # then open http://127.0.0.1:3000
//! ```
//!
//! - a typed user in the session (`SessionData`),
//! - a page only a logged-in user sees, through a small extractor written here (`RequireUser`):
//!   without a login it answers 401,
//! - a login that gives the session a new id and lifetime (`start_new_login`: an id seen before
//!   the login is worth nothing after it) and links it to the user (`set_subject`),
//! - "Log out": this session's id is revoked, so every copy of the cookie stops working,
//! - "Log out everywhere": every session of the user created until now is revoked (the user's
//!   other browsers too), with revocation kept in this process's memory
//!   (`Revocation::in_memory()`; a fleet of servers shares it through Redis instead),
//! - a preference changed without calling `save()` (`/theme`), saved when the handler is done
//!   because the configuration turns on `auto_save` (off by default, as in iron-session: without
//!   it the change would be dropped, with a warning in the log).
//!
//! Run it with `RUST_LOG=ironsession=debug` to see why a cookie was ignored or a save failed.
//!
//! **Sharing the login with Node.js or Next.js:** an iron-session app reads and writes the same
//! cookie when it uses the same cookie name and password, and the same JSON field names (here
//! `{"user": {"name": "…"}}`). With revocation, the Node side checks the same denylist through
//! `interop/revocation.mjs`; `examples/nextjs` in the repository shows a Next.js app and an axum
//! service sharing one login.
//!
//! `tests/examples.rs` compiles this file and drives `app` over HTTP.

use axum::Router;
use axum::extract::{Form, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ironsession::axum::SessionLayer;
use ironsession::revocation::{Revocation, RevocationError};
use ironsession::{ConfigError, Passwords, Session, SessionConfig};
use serde::{Deserialize, Serialize};

/// The session's data: the logged-in user, if any.
#[derive(Default, Serialize, Deserialize)]
pub struct SessionData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// The page's colours, `light` unless chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
}

/// A logged-in user.
#[derive(Clone, Serialize, Deserialize)]
pub struct User {
    pub name: String,
}

/// The extractor of pages only a logged-in user sees: the user, or 401 for everyone else.
pub struct RequireUser(pub User);

impl<S: Send + Sync> FromRequestParts<S> for RequireUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let session = Session::<SessionData>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match &session.user {
            Some(user) => Ok(RequireUser(user.clone())),
            None => Err((
                StatusCode::UNAUTHORIZED,
                Html(r#"<p>Please <a href="/">log in</a> first.</p>"#),
            )
                .into_response()),
        }
    }
}

/// The session configuration: one cookie name and password, shared by every server (and by a
/// Node.js app that reads the same cookie).
pub fn session_config(password: Passwords) -> Result<SessionConfig, ConfigError> {
    SessionConfig::builder("axum-login", password)
        // Served over plain http on 127.0.0.1, where a `Secure` cookie would never be sent back.
        // Over https, drop this line and name the cookie `__Host-…`.
        .dangerous_insecure_cookie(true)
        .revocation(Revocation::in_memory())
        // A session changed by a handler but not saved is saved when the handler is done.
        .auto_save(true)
        .build()
}

/// The application: the pages, behind the session layer.
pub fn app(config: SessionConfig) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/account", get(account))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/logout-everywhere", post(logout_everywhere))
        .route("/theme", post(theme))
        .layer(SessionLayer::new(config))
}

async fn home(session: Session<SessionData>) -> Html<String> {
    let theme = session.theme.as_deref().unwrap_or("light");
    Html(match &session.user {
        Some(user) => format!(
            r#"<p>Logged in as {name}. <a href="/account">Your account</a></p>
<p>Theme: {theme}.</p>
<form method="post" action="/theme"><input type="hidden" name="theme" value="dark"><button>Dark theme</button></form>
<form method="post" action="/logout"><button>Log out</button> this browser</form>
<form method="post" action="/logout-everywhere"><button>Log out everywhere</button> every browser of {name}</form>"#,
            name = escape(&user.name),
            theme = escape(theme),
        ),
        None => r#"<form method="post" action="/login">
<input name="name" placeholder="name" required> <button>Log in</button></form>"#
            .to_owned(),
    })
}

async fn account(RequireUser(user): RequireUser) -> Html<String> {
    Html(format!("<p>The account of {}.</p>", escape(&user.name)))
}

#[derive(Deserialize)]
struct Login {
    name: String,
}

async fn login(mut session: Session<SessionData>, Form(login): Form<Login>) -> Response {
    let name = login.name.trim().to_owned();
    if name.is_empty() {
        return (StatusCode::BAD_REQUEST, "a name, please").into_response();
    }
    session.user = Some(User { name: name.clone() });
    // A new session id and lifetime at login, and the user as the subject "log out everywhere"
    // revokes.
    let saved = session
        .start_new_login()
        .and_then(|()| session.set_subject(name))
        .and_then(|()| session.save());
    match saved {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(error) => error.into_response(),
    }
}

#[derive(Deserialize)]
struct Theme {
    theme: String,
}

async fn theme(mut session: Session<SessionData>, Form(choice): Form<Theme>) -> Redirect {
    // No `save()`: with `auto_save` on, the layer saves the changed session after the handler.
    session.theme = Some(choice.theme);
    Redirect::to("/")
}

async fn logout(mut session: Session<SessionData>) -> Response {
    // Revokes this session's id, then deletes the cookie: a copy of it is refused from now on.
    match session.revoke_and_destroy().await {
        Ok(()) => Redirect::to("/").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "logout failed, try again").into_response(),
    }
}

async fn logout_everywhere(mut session: Session<SessionData>) -> Response {
    // Revokes every session of this session's subject (the user), then deletes this cookie.
    match session.revoke_subject_and_destroy().await {
        // Not logged in: no subject, only this session's cookie was deleted.
        Ok(()) | Err(RevocationError::NoSubject) => Redirect::to("/").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "logout failed, try again").into_response(),
    }
}

/// The name as HTML text.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The password from `IRON_SESSION_PASSWORD`, or a random one for this run.
pub fn password_from_env() -> Result<Passwords, Box<dyn std::error::Error>> {
    let password = match std::env::var("IRON_SESSION_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            eprintln!("IRON_SESSION_PASSWORD is not set: sessions end when this process stops");
            Passwords::generate()?
        }
    };
    Ok(Passwords::parse(&password)?)
}

#[allow(dead_code)] // the test compiles this file as a module and drives `app` itself
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Why a cookie was ignored, why a save failed: run with RUST_LOG=ironsession=debug.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let config = session_config(password_from_env()?)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(config)).await?;
    Ok(())
}
