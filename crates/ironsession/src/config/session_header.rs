//! The session-header option (the header transport itself is [`crate::header`]).

use std::sync::Arc;

use http::HeaderName;

use super::{ConfigError, SessionConfig, SessionConfigBuilder};
use crate::SessionHeader;

impl SessionConfigBuilder {
    /// Also carries sessions in request and response headers, for clients without cookies (see
    /// [`SessionHeader`] for what changes, when to prefer it and its risks). The same
    /// [`Session<T>`](crate::Session) in handlers, with both adapters and the plain `http` API.
    ///
    /// ```
    /// use http::HeaderName;
    /// use ironsession::{Passwords, SessionConfig, SessionHeader};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?)
    ///     .session_header(SessionHeader::bearer(HeaderName::from_static("x-session")))
    ///     .build()?;
    /// assert_eq!(config.session_header().unwrap().response_header(), "x-session");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn session_header(mut self, header: SessionHeader) -> Self {
        self.session_header = Some(header);
        self
    }

    /// The build-time check: the header can carry a session.
    pub(super) fn check_session_header(&self) -> Result<(), ConfigError> {
        match self
            .session_header
            .as_ref()
            .and_then(SessionHeader::problem)
        {
            Some(reason) => Err(ConfigError::InvalidSessionHeader { reason }),
            None => Ok(()),
        }
    }
}

impl SessionConfig {
    /// The session header, if sessions may travel in headers (see
    /// [`SessionConfigBuilder::session_header`]).
    pub fn session_header(&self) -> Option<&SessionHeader> {
        self.session_header.as_ref()
    }

    /// Whether the session cookie is read and written (always, unless the session header is
    /// [without cookies](SessionHeader::without_cookies)).
    pub(crate) fn uses_cookies(&self) -> bool {
        self.session_header
            .as_ref()
            .is_none_or(SessionHeader::uses_cookies)
    }
}

/// The request headers besides `Cookie` that may carry the seal under these options, in the
/// order they are read: the session header, then h3's.
pub(super) fn request_headers(
    session_header: Option<&SessionHeader>,
    h3_header: Option<HeaderName>,
) -> Arc<[HeaderName]> {
    session_header
        .map(|header| header.request_header().clone())
        .into_iter()
        .chain(h3_header)
        .collect()
}
