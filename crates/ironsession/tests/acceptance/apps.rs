//! The application the suite drives, once per framework: the same routes over the same handler
//! logic, each served on a real loopback port.
//!
//! | route | what it does |
//! | --- | --- |
//! | `GET /session` | the session as JSON |
//! | `GET /reason` | why the cookie was ignored (`expired`, `unknown-password`, `invalid`), or `none` |
//! | `POST /login` | `username` = the body, `isLoggedIn` = true, save |
//! | `POST /visit` | `visits` + 1, save |
//! | `POST /logout` | destroy |
//! | `POST /save-twice` | `visits` + 1, save, `visits` + 1, save |
//! | `POST /big` | 5000 characters into the session, save; a `TooLarge` error is answered 413 with its size |
//! | `POST /big-unchecked` | the same, with `save()?`: the adapter's own rendering of `SaveError` |
//! | `POST /remember` | `update_config` to a 30-day ttl, save |
//! | `POST /destroy-then-save` | destroy, then save with data: `Destroyed` is answered 409 |
//! | `POST /headers` | body `action\ncache-control\nvary`: `read` or `save` the session (`visits` + 1), answered with the handler's own `Cache-Control` and `Vary` (each left out when empty) |
//! | `GET /plain` | no session at all |
//! | `POST /visit-unsaved` | `visits` + 1, no save (saved only with `auto_save`) |
//! | `POST /big-unsaved` | 5000 characters into the session, no save |
//! | `POST /touch` | borrows the data mutably, changes nothing, no save |
//!
//! In actix every answer that is not a success goes through the framework's error path (an
//! `InternalError`), so the suite also checks that cookies reach error responses.

use ironsession::{SaveError, Session, SessionConfig, Ttl};
use serde::{Deserialize, Serialize};

/// The session data, spelled as a Node app using iron-session would store it.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSession {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_logged_in: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visits: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub big: Option<String>,
}

/// What the characters stored by `POST /big` are.
pub const BIG_VALUE_LEN: usize = 5000;

/// A running server; dropping it stops the server.
pub struct Server {
    pub base: String,
    stop: Option<Box<dyn FnOnce() + Send>>,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop();
        }
    }
}

/// Starts the application on a loopback port: with the session middleware for `Some(config)`,
/// without it for `None` (to check the extractor's error). Called inside a tokio runtime.
pub type Start = fn(Option<SessionConfig>) -> Server;

/// A handler's answer, before a framework turns it into a response.
pub struct Reply {
    pub status: u16,
    pub body: String,
    /// Headers the handler sets itself.
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    fn new(status: u16, body: impl Into<String>) -> Self {
        Reply {
            status,
            body: body.into(),
            headers: Vec::new(),
        }
    }
}

/// The handlers' logic, shared by both frameworks.
mod logic {
    use super::*;

    fn json(session: &Session<AppSession>) -> Reply {
        Reply::new(200, serde_json::to_string(session.data()).unwrap())
    }

    fn save(session: &Session<AppSession>) -> Reply {
        match session.save() {
            Ok(()) => json(session),
            Err(error) => Reply::new(500, format!("unexpected save error: {error}")),
        }
    }

    pub fn show(session: &mut Session<AppSession>) -> Reply {
        json(session)
    }

    pub fn reason(session: &mut Session<AppSession>) -> Reply {
        let reason = session
            .unseal_error()
            .map_or("none", |error| error.reason().as_str());
        Reply::new(200, reason)
    }

    pub fn login(session: &mut Session<AppSession>, username: String) -> Reply {
        session.username = Some(username);
        session.is_logged_in = Some(true);
        save(session)
    }

    pub fn visit(session: &mut Session<AppSession>) -> Reply {
        session.visits = Some(session.visits.unwrap_or(0) + 1);
        save(session)
    }

    pub fn logout(session: &mut Session<AppSession>) -> Reply {
        session.destroy();
        json(session)
    }

    pub fn save_twice(session: &mut Session<AppSession>) -> Reply {
        session.visits = Some(session.visits.unwrap_or(0) + 1);
        if let Err(error) = session.save() {
            return Reply::new(500, format!("unexpected save error: {error}"));
        }
        session.visits = Some(session.visits.unwrap_or(0) + 1);
        save(session)
    }

    pub fn big(session: &mut Session<AppSession>) -> Reply {
        session.big = Some("x".repeat(BIG_VALUE_LEN));
        match session.save() {
            Err(SaveError::TooLarge {
                size, limit: 4096, ..
            }) => Reply::new(413, size.to_string()),
            Ok(()) => Reply::new(200, "saved"),
            Err(error) => Reply::new(500, format!("unexpected save error: {error:?}")),
        }
    }

    pub fn remember(session: &mut Session<AppSession>) -> Reply {
        if let Err(error) = session.update_config(|c| c.ttl(Ttl::seconds(30 * 24 * 3600))) {
            return Reply::new(500, format!("unexpected config error: {error}"));
        }
        session.remember = Some(true);
        save(session)
    }

    pub fn headers(session: &mut Session<AppSession>, body: String) -> Reply {
        let mut lines = body.split('\n');
        let mut reply = match lines.next() {
            Some("save") => visit(session),
            _ => json(session),
        };
        for name in ["cache-control", "vary"] {
            if let Some(value) = lines.next().filter(|value| !value.is_empty()) {
                reply.headers.push((name, value.to_owned()));
            }
        }
        reply
    }

    pub fn visit_unsaved(session: &mut Session<AppSession>) -> Reply {
        session.visits = Some(session.visits.unwrap_or(0) + 1);
        json(session)
    }

    pub fn big_unsaved(session: &mut Session<AppSession>) -> Reply {
        session.big = Some("x".repeat(BIG_VALUE_LEN));
        Reply::new(200, "changed")
    }

    pub fn touch(session: &mut Session<AppSession>) -> Reply {
        let visits = session.data_mut().visits;
        session.visits = visits;
        json(session)
    }

    pub fn destroy_then_save(session: &mut Session<AppSession>) -> Reply {
        session.destroy();
        session.username = Some("mallory".into());
        match session.save() {
            Err(SaveError::Destroyed) => Reply::new(409, "destroyed"),
            Ok(()) => Reply::new(200, "saved"),
            Err(error) => Reply::new(500, format!("unexpected save error: {error:?}")),
        }
    }
}

pub mod axum_app {
    use super::*;
    use axum::Router;
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};
    use axum::routing::{get, post};
    use ironsession::axum::SessionLayer;

    fn respond(reply: Reply) -> Response {
        let mut response =
            (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
        for (name, value) in reply.headers {
            response.headers_mut().append(name, value.parse().unwrap());
        }
        response
    }

    macro_rules! handler {
        ($name:ident) => {
            async fn $name(mut session: Session<AppSession>) -> Response {
                respond(logic::$name(&mut session))
            }
        };
    }
    handler!(show);
    handler!(reason);
    handler!(visit);
    handler!(logout);
    handler!(save_twice);
    handler!(big);
    handler!(remember);
    handler!(destroy_then_save);
    handler!(visit_unsaved);
    handler!(big_unsaved);
    handler!(touch);

    async fn login(mut session: Session<AppSession>, username: String) -> Response {
        respond(logic::login(&mut session, username))
    }

    async fn headers(mut session: Session<AppSession>, body: String) -> Response {
        respond(logic::headers(&mut session, body))
    }

    async fn plain() -> &'static str {
        "no session"
    }

    async fn big_unchecked(mut session: Session<AppSession>) -> Result<&'static str, SaveError> {
        session.big = Some("x".repeat(BIG_VALUE_LEN));
        session.save()?;
        Ok("saved")
    }

    pub fn router() -> Router {
        Router::new()
            .route("/session", get(show))
            .route("/reason", get(reason))
            .route("/login", post(login))
            .route("/visit", post(visit))
            .route("/logout", post(logout))
            .route("/save-twice", post(save_twice))
            .route("/big", post(big))
            .route("/big-unchecked", post(big_unchecked))
            .route("/remember", post(remember))
            .route("/destroy-then-save", post(destroy_then_save))
            .route("/headers", post(headers))
            .route("/plain", get(plain))
            .route("/visit-unsaved", post(visit_unsaved))
            .route("/big-unsaved", post(big_unsaved))
            .route("/touch", post(touch))
    }

    /// Serves on the test's tokio runtime; dropping the [`Server`] aborts the task.
    pub fn start(config: Option<SessionConfig>) -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let address = listener.local_addr().unwrap();
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        let app = match config {
            Some(config) => router().layer(SessionLayer::new(config)),
            None => router(),
        };
        let task = tokio::spawn(async move { axum::serve(listener, app).await });
        Server {
            base: format!("http://{address}"),
            stop: Some(Box::new(move || task.abort())),
        }
    }
}

pub mod actix_app {
    use super::*;
    use actix_web::http::StatusCode;
    use actix_web::{App, HttpResponse, HttpServer, error::InternalError, web};
    use ironsession::actix::SessionMiddleware;

    fn respond(reply: Reply) -> Result<HttpResponse, actix_web::Error> {
        let status = StatusCode::from_u16(reply.status).unwrap();
        if status.is_success() {
            let mut response = HttpResponse::build(status);
            for (name, value) in reply.headers {
                response.append_header((name, value));
            }
            Ok(response.body(reply.body))
        } else {
            Err(InternalError::new(reply.body, status).into())
        }
    }

    macro_rules! handler {
        ($name:ident) => {
            async fn $name(
                mut session: Session<AppSession>,
            ) -> Result<HttpResponse, actix_web::Error> {
                respond(logic::$name(&mut session))
            }
        };
    }
    handler!(show);
    handler!(reason);
    handler!(visit);
    handler!(logout);
    handler!(save_twice);
    handler!(big);
    handler!(remember);
    handler!(destroy_then_save);
    handler!(visit_unsaved);
    handler!(big_unsaved);
    handler!(touch);

    async fn login(
        mut session: Session<AppSession>,
        username: String,
    ) -> Result<HttpResponse, actix_web::Error> {
        respond(logic::login(&mut session, username))
    }

    async fn headers(
        mut session: Session<AppSession>,
        body: String,
    ) -> Result<HttpResponse, actix_web::Error> {
        respond(logic::headers(&mut session, body))
    }

    async fn plain() -> &'static str {
        "no session"
    }

    async fn big_unchecked(mut session: Session<AppSession>) -> Result<&'static str, SaveError> {
        session.big = Some("x".repeat(BIG_VALUE_LEN));
        session.save()?;
        Ok("saved")
    }

    fn routes(config: &mut web::ServiceConfig) {
        config
            .route("/session", web::get().to(show))
            .route("/reason", web::get().to(reason))
            .route("/login", web::post().to(login))
            .route("/visit", web::post().to(visit))
            .route("/logout", web::post().to(logout))
            .route("/save-twice", web::post().to(save_twice))
            .route("/big", web::post().to(big))
            .route("/big-unchecked", web::post().to(big_unchecked))
            .route("/remember", web::post().to(remember))
            .route("/destroy-then-save", web::post().to(destroy_then_save))
            .route("/headers", web::post().to(headers))
            .route("/plain", web::get().to(plain))
            .route("/visit-unsaved", web::post().to(visit_unsaved))
            .route("/big-unsaved", web::post().to(big_unsaved))
            .route("/touch", web::post().to(touch));
    }

    /// Serves from its own thread and actix system (one worker); dropping the [`Server`] stops it.
    pub fn start(config: Option<SessionConfig>) -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let (handle_sender, handle_receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = match config {
                    Some(config) => HttpServer::new(move || {
                        App::new()
                            .wrap(SessionMiddleware::new(config.clone()))
                            .configure(routes)
                    })
                    .workers(1)
                    .disable_signals()
                    .shutdown_timeout(0)
                    .listen(listener)
                    .unwrap()
                    .run(),
                    None => HttpServer::new(|| App::new().configure(routes))
                        .workers(1)
                        .disable_signals()
                        .shutdown_timeout(0)
                        .listen(listener)
                        .unwrap()
                        .run(),
                };
                handle_sender.send(server.handle()).unwrap();
                server.await
            })
        });
        let handle = handle_receiver.recv().unwrap();
        Server {
            base: format!("http://{address}"),
            // `stop` sends the command at once; its future only waits for the shutdown to end.
            stop: Some(Box::new(move || drop(handle.stop(false)))),
        }
    }
}
