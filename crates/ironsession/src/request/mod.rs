//! The request: one request's life, from the seal that came in to the lines that go out.
//!
//! Owns the per-request state ([`SessionContext`], shared by the adapter and every `Session<T>`
//! of the request), reading (`incoming`: the seal opened once, then checked against the lifetime
//! and revocation), writing (`outgoing`: a save, and the re-seal on the way out for renewal, a
//! password upgrade or new metadata; [`SaveError`]), the deletion of a cookie refused because its
//! session is over (`refused`), and the two seams of the request path: `transport` (how the seal
//! travels: iron-session's cookie, h3's, or a session header) and the configuration's
//! [`Envelope`](crate::envelope::Envelope) (how the
//! JSON inside it is laid out).
//!
//! Knows no framework and no `http` type: headers come in as bytes and go out through
//! [`ResponseHeaders`](crate::cookie::ResponseHeaders).
//!
//! Uses [`config`](crate::config) and everything below it.

mod context;
mod cross_site;
pub(crate) mod incoming;
pub(crate) mod outgoing;
mod refused;
mod transport;

pub(crate) use context::ContextState;
pub use context::SessionContext;
pub(crate) use cross_site::RequestSite;
pub use outgoing::SaveError;
