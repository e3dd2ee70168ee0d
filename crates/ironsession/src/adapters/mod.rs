//! The adapters: sessions in a framework's request and response.
//!
//! Owns the plain `http` API (`plain_http`: [`SessionConfig::load`](crate::SessionConfig::load),
//! [`SessionContext::from_headers`](crate::SessionContext::from_headers) and
//! [`append_set_cookies`](crate::SessionContext::append_set_cookies)), and one module per
//! framework, each behind its feature: [`axum`] (a tower layer and an extractor) and [`actix`]
//! (a middleware and an extractor). An adapter makes a `SessionContext` from the request's
//! `Cookie` headers, puts it where the framework's extractor finds it, and after the handler
//! writes the response step into the framework's header map through `ResponseHeaders`.
//!
//! The top of the crate: uses [`session`](crate::session), [`request`](crate::request) and what
//! they use.

#[cfg(feature = "actix-web")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;
mod plain_http;
