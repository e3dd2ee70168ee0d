//! axum 0.8 (tower): [`SessionLayer`] reads the cookie into each request and writes the
//! `Set-Cookie` headers that handlers queued; [`Session<T>`] is an extractor.
//!
//! ```
//! use axum::{routing::get, Router};
//! use ironsession::{Passwords, Session, SessionConfig, SaveError};
//! use ironsession::axum::SessionLayer;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Default, Serialize, Deserialize)]
//! struct Visits { count: u64 }
//!
//! async fn count(mut session: Session<Visits>) -> Result<String, SaveError> {
//!     session.count += 1;
//!     session.save()?;
//!     Ok(format!("visit number {}", session.count))
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = SessionConfig::builder("visits", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
//! let app: Router = Router::new().route("/", get(count)).layer(SessionLayer::new(config));
//! # Ok(()) }
//! ```
//!
//! A failed `save()?` answers a 500 whose body names the cause (no data, no secret), and so does
//! a `Session<T>` on a route without the layer. The log says the same: in `main`,
//! `tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();`
//! and `RUST_LOG=ironsession=debug`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum_core::extract::FromRequestParts;
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;
use http::{Request, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tower_layer::Layer;
use tower_service::Service;

use crate::{SaveError, Session, SessionConfig, SessionContext};

/// The tower layer that gives every request a session context.
#[derive(Clone, Debug)]
pub struct SessionLayer {
    config: SessionConfig,
}

impl SessionLayer {
    /// A layer for sessions with this configuration.
    pub fn new(config: SessionConfig) -> Self {
        SessionLayer { config }
    }
}

impl<S> Layer<S> for SessionLayer {
    type Service = SessionService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SessionService {
            inner,
            config: self.config.clone(),
        }
    }
}

/// The service [`SessionLayer`] wraps around the application.
#[derive(Clone, Debug)]
pub struct SessionService<S> {
    inner: S,
    config: SessionConfig,
}

/// The response body must be buildable from a `String` (axum's `Body` is): a request whose session
/// write the layer refuses (a cross-site write) or that failed after the handler (an automatic
/// save) gets the layer's own answer, with a plain-text body.
impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for SessionService<S>
where
    S: Service<Request<ReqBody>, Response = http::Response<ResBody>>,
    S::Future: Send + 'static,
    ResBody: From<String>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let context = SessionContext::from_request(&self.config, &request);
        request.extensions_mut().insert(context.clone());
        let response = self.inner.call(request);
        Box::pin(async move {
            let mut response = response.await?;
            if let Some(error) = context.take_write_error() {
                response = text_response(error.answer());
            }
            context.append_set_cookies(response.headers_mut());
            Ok(response)
        })
    }
}

impl<S, T> FromRequestParts<S> for Session<T>
where
    S: Send + Sync,
    T: Serialize + DeserializeOwned + Default + Send,
{
    type Rejection = MissingSessionLayer;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let context = parts
            .extensions
            .get::<SessionContext>()
            .ok_or(MissingSessionLayer)?;
        Ok(Session::load(context))
    }
}

/// A plain-text response of this status and body.
fn text_response<B: From<String>>((status, body): (StatusCode, String)) -> http::Response<B> {
    let mut response = http::Response::new(B::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The rejection of the [`Session<T>`] extractor on a route without [`SessionLayer`]: a
/// programming error, answered with a 500 whose body is this message, and logged.
///
/// ```
/// use axum::{body::Body, http::{Request, StatusCode}, routing::get, Router};
/// use ironsession::JsonSession;
/// use tower_service::Service;
///
/// async fn handler(_session: JsonSession) -> &'static str { "unreachable" }
///
/// # tokio::runtime::Runtime::new()?.block_on(async {
/// // No `.layer(SessionLayer::new(config))`:
/// let mut app = Router::new().route("/", get(handler));
/// let response = app.call(Request::get("/").body(Body::empty())?).await?;
/// assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
/// let body = axum::body::to_bytes(response.into_body(), 1024).await?;
/// assert!(body.starts_with(b"ironsession: no SessionLayer on this route"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, thiserror::Error)]
#[error(
    "ironsession: no SessionLayer on this route: Session<T> needs ironsession::axum::SessionLayer \
     around the route (Router::layer)"
)]
pub struct MissingSessionLayer;

impl IntoResponse for MissingSessionLayer {
    fn into_response(self) -> Response {
        tracing::error!("{self}");
        text_response((StatusCode::INTERNAL_SERVER_ERROR, self.to_string()))
    }
}

/// A failed save as a response: 403 for a cross-site write
/// ([`SaveError::CrossSite`]), else 500 with a plain-text body that names the cause (the size of a
/// session too large, say), never the data; the error is logged too.
impl IntoResponse for SaveError {
    fn into_response(self) -> Response {
        let answer = self.answer();
        if answer.0.is_server_error() {
            tracing::error!(error = %self, "session not saved");
        }
        text_response(answer)
    }
}
