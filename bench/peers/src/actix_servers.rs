//! The actix-web servers: actix-session's `CookieSessionStore` and ironsession's actix adapter,
//! so that the peer is compared on its own framework.

use actix_web::body::MessageBody;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpServer, web};
use ironsession_demo::DemoSession;

use crate::{COOKIE_NAME, DATA_KEY, SESSION_DAYS, count_visit};

/// Serves `server` until the process is stopped, on one worker.
pub fn run(server: &str) -> Result<(), String> {
    let address = crate::listen_address()?;
    let config = if server == "actix-ironsession" {
        Some(crate::ironsession_config()?)
    } else {
        None
    };
    actix_web::rt::System::new().block_on(async move {
        let server = match config {
            Some(config) => {
                let bound = HttpServer::new(move || ironsession_app(config.clone()))
                    .workers(1)
                    .bind(address)
                    .map_err(|e| format!("cannot listen: {e}"))?;
                announce(&bound.addrs());
                bound.run()
            }
            None => {
                let key = Key::generate();
                let bound = HttpServer::new(move || actix_session_app(key.clone()))
                    .workers(1)
                    .bind(address)
                    .map_err(|e| format!("cannot listen: {e}"))?;
                announce(&bound.addrs());
                bound.run()
            }
        };
        server.await.map_err(|e| format!("server error: {e}"))
    })
}

/// The routes of `actix-ironsession`.
pub fn ironsession_app(
    config: ironsession::SessionConfig,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(ironsession::actix::SessionMiddleware::new(config))
        .route("/login", web::post().to(crate::ironsession_routes::login))
        .route(
            "/api/session",
            web::get().to(crate::ironsession_routes::api_session),
        )
        .route("/bench", web::get().to(crate::ironsession_routes::bench))
}

/// The routes of `actix-session`, its cookies encrypted with `key`.
pub fn actix_session_app(
    key: Key,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(actix_session_middleware(key))
        .route("/login", web::post().to(actix_session_routes::login))
        .route(
            "/api/session",
            web::get().to(actix_session_routes::api_session),
        )
        .route("/bench", web::get().to(actix_session_routes::bench))
}

/// Prints the listening line once the server is bound.
fn announce(addresses: &[std::net::SocketAddr]) {
    if let Some(address) = addresses.first() {
        crate::announce(*address);
    }
}

fn actix_session_middleware(
    key: Key,
) -> actix_session::SessionMiddleware<actix_session::storage::CookieSessionStore> {
    use actix_session::config::PersistentSession;
    actix_session::SessionMiddleware::builder(
        actix_session::storage::CookieSessionStore::default(),
        key,
    )
    .cookie_name(COOKIE_NAME.to_owned())
    .cookie_secure(false)
    .cookie_same_site(SameSite::Lax)
    .session_lifecycle(
        PersistentSession::default()
            .session_ttl(actix_web::cookie::time::Duration::days(SESSION_DAYS)),
    )
    .build()
}

mod actix_session_routes {
    use super::*;
    use actix_session::Session;

    pub async fn login(session: Session) -> actix_web::Result<&'static str> {
        session.insert(DATA_KEY, DemoSession::bench_login())?;
        Ok("logged in")
    }

    pub async fn api_session(session: Session) -> actix_web::Result<web::Json<DemoSession>> {
        Ok(web::Json(session.get(DATA_KEY)?.unwrap_or_default()))
    }

    pub async fn bench(session: Session) -> actix_web::Result<String> {
        let mut data: DemoSession = session.get(DATA_KEY)?.unwrap_or_default();
        let visits = count_visit(&mut data);
        session.insert(DATA_KEY, data)?;
        Ok(visits.to_string())
    }
}
