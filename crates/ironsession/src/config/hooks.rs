//! The hooks option: [`on_unseal_error`](SessionConfigBuilder::on_unseal_error), a callback for
//! every refused cookie.

use std::fmt;
use std::sync::Arc;

use super::{SessionConfig, SessionConfigBuilder};
use crate::UnsealError;

/// The callback of [`SessionConfigBuilder::on_unseal_error`]. `Debug` shows only that there is one.
#[derive(Clone)]
pub(super) struct UnsealErrorHook(Arc<dyn Fn(&UnsealError) + Send + Sync>);

impl fmt::Debug for UnsealErrorHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UnsealErrorHook(..)")
    }
}

impl SessionConfigBuilder {
    /// Calls `hook` with the error of every refused session cookie, as iron-session 9 calls its
    /// `onUnsealError`: once per request whose cookie is refused (when a handler first reads the
    /// session), with the reason ([`UnsealError::reason`]: `expired`, `invalid`,
    /// `unknown-password`, `revoked`, …) and the cause. A request without a cookie, or whose
    /// cookie opens, never calls it. The cookie itself is not passed: it is a bearer token.
    ///
    /// It runs on the request path, inside [`Session::load`](crate::Session::load), for
    /// whichever adapter serves the request (axum, actix-web, the plain `http` API): keep it
    /// short (log, count), never block or panic in it. The default logs the refusal at debug
    /// level only; with the `metrics` feature refusals are also counted by reason (see
    /// [`crate::metrics`]).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use http::{HeaderMap, HeaderValue, header};
    /// use ironsession::{JsonSession, Passwords, SessionConfig, UnsealReason};
    ///
    /// let refused = Arc::new(AtomicUsize::new(0));
    /// let counter = refused.clone();
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .on_unseal_error(move |error| {
    ///         assert_eq!(error.reason(), UnsealReason::Invalid);
    ///         counter.fetch_add(1, Ordering::Relaxed);
    ///     })
    ///     .build()?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(header::COOKIE, HeaderValue::from_static("s=Fe26.2*1*tampered"));
    /// let session: JsonSession = config.load(&headers);
    /// assert!(session.is_empty());
    /// assert_eq!(refused.load(Ordering::Relaxed), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_unseal_error(mut self, hook: impl Fn(&UnsealError) + Send + Sync + 'static) -> Self {
        self.on_unseal_error = Some(UnsealErrorHook(Arc::new(hook)));
        self
    }
}

impl SessionConfig {
    /// Calls the [`on_unseal_error`](SessionConfigBuilder::on_unseal_error) hook, if any.
    pub(crate) fn report_unseal_error(&self, error: &UnsealError) {
        if let Some(UnsealErrorHook(hook)) = &self.on_unseal_error {
            hook(error);
        }
    }
}
