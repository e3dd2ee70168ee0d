//! Log in and out with ironsession on actix-web.
//!
//! ```sh
//! cargo run -p ironsession --example actix_login --features actix-web
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
//!   (`Revocation::in_memory()`; a fleet of servers shares it through Redis instead).
//!
//! **Sharing the login with Node.js or Next.js:** an iron-session app reads and writes the same
//! cookie when it uses the same cookie name and password, and the same JSON field names (here
//! `{"user": {"name": "…"}}`). With revocation, the Node side checks the same denylist through
//! `interop/revocation.mjs`; `examples/nextjs` in the repository shows a Next.js app and an axum
//! service sharing one login.
//!
//! `tests/examples.rs` compiles this file and drives `server` over HTTP.

use std::future::{Ready, ready};

use actix_web::dev::{Payload, Server};
use actix_web::error::InternalError;
use actix_web::http::header::LOCATION;
use actix_web::{App, FromRequest, HttpRequest, HttpResponse, HttpServer, web};
use ironsession::actix::SessionMiddleware;
use ironsession::revocation::{Revocation, RevocationError};
use ironsession::{ConfigError, Passwords, Session, SessionConfig};
use serde::{Deserialize, Serialize};

/// The session's data: the logged-in user, if any.
#[derive(Default, Serialize, Deserialize)]
pub struct SessionData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
}

/// A logged-in user.
#[derive(Clone, Serialize, Deserialize)]
pub struct User {
    pub name: String,
}

/// The extractor of pages only a logged-in user sees: the user, or 401 for everyone else.
pub struct RequireUser(pub User);

impl FromRequest for RequireUser {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = Session::<SessionData>::from_request(request, payload)
            .into_inner()
            .map(|session| session.into_data().user);
        ready(match user {
            Ok(Some(user)) => Ok(RequireUser(user)),
            Ok(None) => {
                let page = HttpResponse::Unauthorized()
                    .content_type("text/html; charset=utf-8")
                    .body(r#"<p>Please <a href="/">log in</a> first.</p>"#);
                Err(InternalError::from_response("not logged in", page).into())
            }
            Err(missing_middleware) => Err(missing_middleware.into()),
        })
    }
}

/// The session configuration: one cookie name and password, shared by every server (and by a
/// Node.js app that reads the same cookie).
pub fn session_config(password: Passwords) -> Result<SessionConfig, ConfigError> {
    SessionConfig::builder("actix-login", password)
        // Served over plain http on 127.0.0.1, where a `Secure` cookie would never be sent back.
        // Over https, drop this line and name the cookie `__Host-…`.
        .dangerous_insecure_cookie(true)
        .revocation(Revocation::in_memory())
        .build()
}

/// The application on `listener`: the pages, behind the session middleware.
pub fn server(config: SessionConfig, listener: std::net::TcpListener) -> std::io::Result<Server> {
    Ok(HttpServer::new(move || {
        App::new()
            .wrap(SessionMiddleware::new(config.clone()))
            .route("/", web::get().to(home))
            .route("/account", web::get().to(account))
            .route("/login", web::post().to(login))
            .route("/logout", web::post().to(logout))
            .route("/logout-everywhere", web::post().to(logout_everywhere))
    })
    .workers(1)
    .listen(listener)?
    .run())
}

fn html(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body)
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, to))
        .finish()
}

async fn home(session: Session<SessionData>) -> HttpResponse {
    html(match &session.user {
        Some(user) => format!(
            r#"<p>Logged in as {name}. <a href="/account">Your account</a></p>
<form method="post" action="/logout"><button>Log out</button> this browser</form>
<form method="post" action="/logout-everywhere"><button>Log out everywhere</button> every browser of {name}</form>"#,
            name = escape(&user.name)
        ),
        None => r#"<form method="post" action="/login">
<input name="name" placeholder="name" required> <button>Log in</button></form>"#
            .to_owned(),
    })
}

async fn account(RequireUser(user): RequireUser) -> HttpResponse {
    html(format!("<p>The account of {}.</p>", escape(&user.name)))
}

#[derive(Deserialize)]
struct Login {
    name: String,
}

async fn login(
    mut session: Session<SessionData>,
    login: web::Form<Login>,
) -> actix_web::Result<HttpResponse> {
    let name = login.name.trim().to_owned();
    if name.is_empty() {
        return Ok(HttpResponse::BadRequest().body("a name, please"));
    }
    session.user = Some(User { name: name.clone() });
    // A new session id and lifetime at login, and the user as the subject "log out everywhere"
    // revokes.
    session.start_new_login()?;
    session.set_subject(name)?;
    session.save()?;
    Ok(see_other("/account"))
}

async fn logout(mut session: Session<SessionData>) -> HttpResponse {
    // Revokes this session's id, then deletes the cookie: a copy of it is refused from now on.
    match session.revoke_and_destroy().await {
        Ok(()) => see_other("/"),
        Err(_) => HttpResponse::ServiceUnavailable().body("logout failed, try again"),
    }
}

async fn logout_everywhere(mut session: Session<SessionData>) -> HttpResponse {
    // Revokes every session of this session's subject (the user), then deletes this cookie.
    match session.revoke_subject_and_destroy().await {
        // Not logged in: no subject, only this session's cookie was deleted.
        Ok(()) | Err(RevocationError::NoSubject) => see_other("/"),
        Err(_) => HttpResponse::ServiceUnavailable().body("logout failed, try again"),
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

#[allow(dead_code)] // the test compiles this file as a module and drives `server` itself
#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = session_config(password_from_env()?)?;
    let listener = std::net::TcpListener::bind("127.0.0.1:3000")?;
    println!("listening on http://{}", listener.local_addr()?);
    server(config, listener)?.await?;
    Ok(())
}
