//! actix-web 4: [`SessionMiddleware`] reads the cookie into each request and writes the
//! `Set-Cookie` headers that handlers queued; [`Session<T>`] is an extractor.
//!
//! ```
//! use actix_web::{web, App};
//! use ironsession::{Passwords, Session, SessionConfig, SaveError};
//! use ironsession::actix::SessionMiddleware;
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
//! let app = App::new().wrap(SessionMiddleware::new(config)).route("/", web::post().to(count));
//! # let _ = app;
//! # Ok(()) }
//! ```
//!
//! With `HttpServer`, build the configuration once, before the server, and clone it into the
//! application factory: `HttpServer::new(move || App::new().wrap(SessionMiddleware::new(config.clone())))`.
//!
//! A failed `save()?` answers a 500 whose body names the cause (no data, no secret), and so does
//! a `Session<T>` on a route without the middleware. The log says the same: in `main`,
//! `tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();`
//! and `RUST_LOG=ironsession=debug`.

use std::future::{Future, Ready, ready};
use std::pin::Pin;

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::cookie::{CacheHeader, ResponseHeaders};
use crate::request::RequestSite;
use crate::{SaveError, Session, SessionConfig, SessionContext};

/// The middleware that gives every request a session context: wrap an `App` or a scope with it.
///
/// Per request it reads the `Cookie` headers (and the session headers the configuration names)
/// into a [`SessionContext`] (stored in the request's
/// extensions, where the [`Session<T>`] extractor finds it), calls the application, then appends
/// the `Set-Cookie` headers that `save` and `destroy` queued, on error responses too. A request
/// whose session write was refused (a cross-site write) or failed after the handler (an automatic
/// save) gets the middleware's own answer instead of the handler's (see
/// [`SessionContext::take_write_error`]), hence the response body type `EitherBody<B>`.
///
/// ```
/// use actix_web::{test, web, App};
/// use ironsession::{JsonSession, Passwords, SaveError, SessionConfig};
/// use ironsession::actix::SessionMiddleware;
///
/// async fn login(mut session: JsonSession) -> Result<&'static str, SaveError> {
///     session.insert("userId".into(), 42.into());
///     session.save()?;
///     Ok("logged in")
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
/// actix_web::rt::System::new().block_on(async move {
///     let app = test::init_service(
///         App::new().wrap(SessionMiddleware::new(config)).route("/login", web::post().to(login)),
///     )
///     .await;
///     let response = test::call_service(&app, test::TestRequest::post().uri("/login").to_request()).await;
///     let set_cookie = response.headers().get("set-cookie").unwrap().to_str().unwrap();
///     assert!(set_cookie.starts_with("s=Fe26.2*1*"));
/// });
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct SessionMiddleware {
    config: SessionConfig,
}

impl SessionMiddleware {
    /// A middleware for sessions with this configuration.
    ///
    /// ```
    /// use ironsession::{Passwords, SessionConfig};
    /// use ironsession::actix::SessionMiddleware;
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
    /// let app = actix_web::App::new().wrap(SessionMiddleware::new(config));
    /// # let _ = app;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(config: SessionConfig) -> Self {
        SessionMiddleware { config }
    }
}

impl<S, B> Transform<S, ServiceRequest> for SessionMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>>,
    S::Future: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = S::Error;
    type Transform = SessionService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(SessionService {
            service,
            config: self.config.clone(),
        }))
    }
}

/// The service [`SessionMiddleware`] wraps around the application (actix builds it; you do not).
///
/// ```
/// use actix_web::dev::Transform;
/// use ironsession::{Passwords, SessionConfig};
/// use ironsession::actix::{SessionMiddleware, SessionService};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
/// let inner = actix_web::test::ok_service();
/// let service: SessionService<_> = actix_web::rt::System::new()
///     .block_on(SessionMiddleware::new(config).new_transform(inner))
///     .unwrap();
/// # let _ = service;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct SessionService<S> {
    service: S,
    config: SessionConfig,
}

impl<S, B> Service<ServiceRequest> for SessionService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>>,
    S::Future: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let headers = request.headers();
        let value = |name| headers.get(name).map(HeaderValue::as_bytes);
        let site = || RequestSite {
            method: request.method().as_str(),
            fetch_site: value(header::HeaderName::from_static("sec-fetch-site")),
            origin: value(header::ORIGIN),
            host: value(header::HOST)
                .or_else(|| request.uri().authority().map(|a| a.as_str().as_bytes())),
        };
        let context = SessionContext::from_request_site(
            &self.config,
            |name| headers.get_all(name.as_str()).map(HeaderValue::as_bytes),
            site,
        );
        request.extensions_mut().insert(context.clone());
        let response = self.service.call(request);
        Box::pin(async move {
            let response = response.await?;
            let mut response = match context.take_write_error() {
                Some(error) => {
                    let (request, _) = response.into_parts();
                    ServiceResponse::new(request, error.error_response()).map_into_right_body()
                }
                None => response.map_into_left_body(),
            };
            context.write_response(response.headers_mut());
            Ok(response)
        })
    }
}

/// actix-web 4 has its own `http` 0.2 header types: names and values go across as bytes.
impl ResponseHeaders for header::HeaderMap {
    fn lines(&self, name: &http::HeaderName) -> impl Iterator<Item = &[u8]> {
        self.get_all(name.as_str()).map(HeaderValue::as_bytes)
    }

    fn replace(&mut self, name: &http::HeaderName, value: CacheHeader) -> bool {
        let value = match value {
            // The fixed values are the cache module's ASCII constants, valid header values.
            CacheHeader::Fixed(text) => Ok(HeaderValue::from_static(text)),
            CacheHeader::Joined(bytes) => HeaderValue::from_bytes(&bytes),
        };
        match (header::HeaderName::try_from(name.as_str()), value) {
            (Ok(name), Ok(value)) => {
                self.insert(name, value);
                true
            }
            _ => false,
        }
    }

    fn append_set_cookie(&mut self, line: String) {
        // Visible ASCII, see the trait.
        let value = HeaderValue::try_from(line).expect("Set-Cookie lines are visible ASCII");
        self.append(header::SET_COOKIE, value);
    }

    fn set_header(&mut self, name: &http::HeaderName, value: String) {
        // A header name of `http` 1 is one of `http` 0.2, and a seal is visible ASCII (see the
        // trait).
        let name = header::HeaderName::try_from(name.as_str()).expect("a valid header name");
        let value = HeaderValue::try_from(value).expect("a seal is visible ASCII");
        self.insert(name, value);
    }
}

/// The session of the request, read when the handler is called.
///
/// ```
/// use ironsession::{JsonSession, SaveError};
///
/// async fn visit(mut session: JsonSession) -> Result<String, SaveError> {
///     let visits = session.get("visits").and_then(|v| v.as_u64()).unwrap_or(0) + 1;
///     session.insert("visits".into(), visits.into());
///     session.save()?;
///     Ok(visits.to_string())
/// }
/// # let _ = actix_web::web::post().to(visit);
/// ```
impl<T> FromRequest for Session<T>
where
    T: Serialize + DeserializeOwned + Default + 'static,
{
    type Error = MissingSessionMiddleware;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let extensions = request.extensions();
        ready(
            extensions
                .get::<SessionContext>()
                .map(Session::load)
                .ok_or(MissingSessionMiddleware),
        )
    }
}

/// The error of the [`Session<T>`] extractor on a route without [`SessionMiddleware`]: a
/// programming error, answered with a 500 whose body is this message, and logged.
///
/// ```
/// use actix_web::{test, web, App, http::StatusCode};
/// use ironsession::JsonSession;
///
/// async fn handler(_session: JsonSession) -> &'static str { "unreachable" }
///
/// actix_web::rt::System::new().block_on(async {
///     // No `.wrap(SessionMiddleware::new(config))`:
///     let app = test::init_service(App::new().route("/", web::get().to(handler))).await;
///     let response = test::call_service(&app, test::TestRequest::get().to_request()).await;
///     assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
///     let body = test::read_body(response).await;
///     assert!(body.starts_with(b"ironsession: no SessionMiddleware on this route"));
/// });
/// ```
#[derive(Clone, Copy, Debug, thiserror::Error)]
#[error(
    "ironsession: no SessionMiddleware on this route: Session<T> needs \
     ironsession::actix::SessionMiddleware around the route (App::wrap)"
)]
pub struct MissingSessionMiddleware;

impl ResponseError for MissingSessionMiddleware {
    fn status_code(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        tracing::error!("{self}");
        text_response(StatusCode::INTERNAL_SERVER_ERROR, self.to_string())
    }
}

/// A failed save as a response: 403 for a cross-site write ([`SaveError::CrossSite`]), else 500
/// with a plain-text body that names the cause (the size of a session too large, say), never the
/// data; the error is logged too.
///
/// ```
/// use ironsession::{JsonSession, SaveError};
///
/// // `?` turns a failed save into a 500 whose body says why, e.g.
/// // "ironsession: session not saved: session too large: 5123 bytes, limit 4096 (…)".
/// async fn save(session: JsonSession) -> Result<&'static str, SaveError> {
///     session.save()?;
///     Ok("saved")
/// }
/// # let _ = actix_web::web::post().to(save);
/// ```
impl ResponseError for SaveError {
    fn status_code(&self) -> StatusCode {
        actix_status(self.answer().0)
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        let (status, body) = self.answer();
        if status.is_server_error() {
            tracing::error!(error = %self, "session not saved");
        }
        text_response(actix_status(status), body)
    }
}

/// actix-web 4's `StatusCode` is `http` 0.2's: the code goes across as a number.
fn actix_status(status: http::StatusCode) -> StatusCode {
    StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn text_response(status: StatusCode, body: String) -> HttpResponse<BoxBody> {
    HttpResponse::build(status)
        .content_type("text/plain; charset=utf-8")
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cookie::CacheNeeds;

    #[test]
    fn the_cache_step_replaces_the_handlers_lines_on_actix_headers() {
        let mut headers = header::HeaderMap::new();
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
        headers.append(header::VARY, HeaderValue::from_static("Accept"));
        let needs = CacheNeeds {
            private: true,
            vary_cookie: true,
            vary_headers: None,
        };
        needs.apply(&mut headers);
        let all = |headers: &header::HeaderMap, name| {
            headers
                .get_all(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(all(&headers, header::CACHE_CONTROL), ["private, no-store"]);
        assert_eq!(all(&headers, header::VARY), ["Origin, Accept, Cookie"]);
        assert!(!headers.replace(
            &http::header::VARY,
            CacheHeader::Joined(b"Cookie\n".to_vec())
        ));
        assert_eq!(all(&headers, header::VARY), ["Origin, Accept, Cookie"]);
    }
}
