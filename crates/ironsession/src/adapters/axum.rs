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

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for SessionService<S>
where
    S: Service<Request<ReqBody>, Response = http::Response<ResBody>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let context = SessionContext::from_headers(&self.config, request.headers());
        request.extensions_mut().insert(context.clone());
        let response = self.inner.call(request);
        Box::pin(async move {
            let mut response = response.await?;
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

/// The rejection of the [`Session<T>`] extractor on a route without [`SessionLayer`]: a
/// programming error, answered with a 500 and logged.
#[derive(Clone, Copy, Debug, thiserror::Error)]
#[error("ironsession: Session<T> extracted on a route without ironsession::axum::SessionLayer")]
pub struct MissingSessionLayer;

impl IntoResponse for MissingSessionLayer {
    fn into_response(self) -> Response {
        tracing::error!("{self}");
        (StatusCode::INTERNAL_SERVER_ERROR, "internal server error").into_response()
    }
}

/// A failed save as a response: 500 with a generic body; the details go to the log only.
impl IntoResponse for SaveError {
    fn into_response(self) -> Response {
        tracing::error!(error = %self, "session not saved");
        (StatusCode::INTERNAL_SERVER_ERROR, "internal server error").into_response()
    }
}
