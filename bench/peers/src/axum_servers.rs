//! The axum peers: tower-sessions (memory and Redis stores), tower-sessions-cookie-store and
//! axum-extra's `PrivateCookieJar`.

use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::cookie::{Cookie, Key, PrivateCookieJar, SameSite};
use ironsession_demo::DemoSession;

use crate::{COOKIE_NAME, DATA_KEY, SESSION_DAYS, count_visit};

/// Serves `server` until the process is stopped.
pub fn run(server: &str) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start tokio: {e}"))?;
    runtime.block_on(async {
        let app = router(server, crate::ironsession_config()).await?;
        let listener = tokio::net::TcpListener::bind(crate::listen_address()?)
            .await
            .map_err(|e| format!("cannot listen: {e}"))?;
        crate::announce(listener.local_addr().map_err(|e| e.to_string())?);
        axum::serve(listener, app)
            .await
            .map_err(|e| format!("server error: {e}"))
    })
}

/// The routes of `server` (an axum one), with `ironsession_config` for `axum-ironsession`.
pub async fn router(
    server: &str,
    ironsession_config: Result<ironsession::SessionConfig, String>,
) -> Result<Router, String> {
    Ok(match server {
        "axum-ironsession" => axum_ironsession(ironsession_config?),
        "tower-memory" => tower_memory(),
        "tower-redis" => tower_redis().await?,
        "tower-cookie" => tower_cookie(),
        _ => private_cookie_jar(),
    })
}

/// The three routes over one `tower_sessions_core::Session` type: the memory store's
/// tower-sessions 0.15 and the two stores' tower-sessions 0.14 have distinct ones.
macro_rules! tower_session_routes {
    ($session:ty) => {{
        async fn login(session: $session) -> Result<&'static str, StatusCode> {
            session
                .insert(DATA_KEY, DemoSession::bench_login())
                .await
                .map_err(failed)?;
            Ok("logged in")
        }
        async fn api_session(session: $session) -> Result<Json<DemoSession>, StatusCode> {
            let data = session.get(DATA_KEY).await.map_err(failed)?;
            Ok(Json(data.unwrap_or_default()))
        }
        async fn bench(session: $session) -> Result<String, StatusCode> {
            let mut data: DemoSession = session
                .get(DATA_KEY)
                .await
                .map_err(failed)?
                .unwrap_or_default();
            let visits = count_visit(&mut data);
            session.insert(DATA_KEY, data).await.map_err(failed)?;
            Ok(visits.to_string())
        }
        Router::new()
            .route("/login", post(login))
            .route("/api/session", get(api_session))
            .route("/bench", get(bench))
    }};
}

fn failed<E: std::fmt::Display>(error: E) -> StatusCode {
    eprintln!("session error: {error}");
    StatusCode::INTERNAL_SERVER_ERROR
}

/// ironsession on axum, with the same handlers as on actix-web.
fn axum_ironsession(config: ironsession::SessionConfig) -> Router {
    use crate::ironsession_routes::{api_session, bench, login};
    Router::new()
        .route("/login", post(login))
        .route("/api/session", get(api_session))
        .route("/bench", get(bench))
        .layer(ironsession::axum::SessionLayer::new(config))
}

fn tower_memory() -> Router {
    use tower_sessions::{Expiry, MemoryStore, SessionManagerLayer, cookie};
    tower_session_routes!(tower_sessions::Session).layer(
        SessionManagerLayer::new(MemoryStore::default())
            .with_name(COOKIE_NAME)
            .with_secure(false)
            .with_same_site(cookie::SameSite::Lax)
            .with_expiry(Expiry::OnInactivity(time::Duration::days(SESSION_DAYS))),
    )
}

async fn tower_redis() -> Result<Router, String> {
    use tower_sessions_014::{Expiry, SessionManagerLayer, cookie};
    use tower_sessions_redis_store::RedisStore;
    use tower_sessions_redis_store::fred::prelude::{ClientLike, Config, Pool};
    let url = std::env::var("REDIS_URL").map_err(|_| "tower-redis needs REDIS_URL".to_owned())?;
    let config = Config::from_url(&url).map_err(|e| format!("bad REDIS_URL {url:?}: {e}"))?;
    // The pool size of the store's own example.
    let pool = Pool::new(config, None, None, None, 6).map_err(|e| e.to_string())?;
    // The connection task runs until the process ends.
    let _connection = pool.connect();
    pool.wait_for_connect()
        .await
        .map_err(|e| format!("cannot connect to {url}: {e}"))?;
    Ok(tower_session_routes!(tower_sessions_014::Session).layer(
        SessionManagerLayer::new(RedisStore::new(pool))
            .with_name(COOKIE_NAME)
            .with_secure(false)
            .with_same_site(cookie::SameSite::Lax)
            .with_expiry(Expiry::OnInactivity(time::Duration::days(SESSION_DAYS))),
    ))
}

fn tower_cookie() -> Router {
    use tower_sessions_cookie_store::{
        CookieSessionConfig, CookieSessionManagerLayer, Expiry, Key, SameSite,
    };
    tower_session_routes!(tower_sessions_cookie_store::Session).layer(
        CookieSessionManagerLayer::private(Key::generate()).with_config(
            CookieSessionConfig::default()
                .with_name(COOKIE_NAME)
                .with_secure(false)
                .with_same_site(SameSite::Lax)
                .with_expiry(Expiry::OnInactivity(time::Duration::days(SESSION_DAYS))),
        ),
    )
}

/// The state of the `PrivateCookieJar` server: its key.
#[derive(Clone)]
struct JarState {
    key: Key,
}

impl FromRef<JarState> for Key {
    fn from_ref(state: &JarState) -> Key {
        state.key.clone()
    }
}

/// The minimal encrypted cookie: the session's JSON, by hand, in one `PrivateCookieJar` cookie.
fn private_cookie_jar() -> Router {
    fn read(jar: &PrivateCookieJar) -> DemoSession {
        jar.get(COOKIE_NAME)
            .and_then(|cookie| serde_json::from_str(cookie.value()).ok())
            .unwrap_or_default()
    }
    fn write(jar: PrivateCookieJar, session: &DemoSession) -> Result<PrivateCookieJar, StatusCode> {
        let json = serde_json::to_string(session).map_err(failed)?;
        Ok(jar.add(
            Cookie::build((COOKIE_NAME, json))
                .http_only(true)
                .same_site(SameSite::Lax)
                .path("/")
                .max_age(time::Duration::days(SESSION_DAYS)),
        ))
    }
    async fn login(jar: PrivateCookieJar) -> Result<(PrivateCookieJar, &'static str), StatusCode> {
        Ok((write(jar, &DemoSession::bench_login())?, "logged in"))
    }
    async fn api_session(jar: PrivateCookieJar) -> Json<DemoSession> {
        Json(read(&jar))
    }
    async fn bench(jar: PrivateCookieJar) -> Result<(PrivateCookieJar, String), StatusCode> {
        let mut session = read(&jar);
        let visits = count_visit(&mut session);
        Ok((write(jar, &session)?, visits.to_string()))
    }
    Router::new()
        .route("/login", post(login))
        .route("/api/session", get(api_session))
        .route("/bench", get(bench))
        .with_state(JarState {
            key: Key::generate(),
        })
}
