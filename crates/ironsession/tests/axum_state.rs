//! The axum extractor works on routers with application state (`Router::with_state`), the way most
//! axum applications are built.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::routing::post;
use http::{Request, StatusCode, header};
use ironsession::axum::SessionLayer;
use ironsession::{JsonSession, Passwords, SaveError, SessionConfig};
use tower_service::Service;

#[derive(Clone)]
struct AppState {
    logins: Arc<AtomicU64>,
}

async fn login(
    State(state): State<AppState>,
    mut session: JsonSession,
) -> Result<String, SaveError> {
    let number = state.logins.fetch_add(1, Ordering::Relaxed) + 1;
    session.insert("login".into(), number.into());
    session.save()?;
    Ok(number.to_string())
}

#[tokio::test]
async fn session_extractor_and_state_in_one_handler() {
    let config = SessionConfig::builder(
        "s",
        Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg").unwrap(),
    )
    .build()
    .unwrap();
    let state = AppState {
        logins: Arc::new(AtomicU64::new(0)),
    };
    let mut app = Router::new()
        .route("/login", post(login))
        .layer(SessionLayer::new(config))
        .with_state(state.clone());

    let request = Request::post("/login").body(Body::empty()).unwrap();
    let response = app.call(request).await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.starts_with("s=Fe26.2*1*"), "{set_cookie}");
    assert!(set_cookie.ends_with("~2; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax"));
    assert_eq!(state.logins.load(Ordering::Relaxed), 1);
}
