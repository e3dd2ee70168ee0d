//! Lifetime: how long a session lives, and what identifies it over that time.
//!
//! Owns the clock ([`Clock`]), the seal's ttl ([`Ttl`]), the session id ([`SessionId`]), the
//! session's [`Metadata`] (id, creation, last seal) and the lifetime options beyond the ttl
//! (`Lifetimes`: an absolute lifetime, rolling renewal):
//!
//! | timeout | option | default | what ends it |
//! | --- | --- | --- | --- |
//! | idle | [`ttl`](crate::SessionConfigBuilder::ttl) | 14 days | no save (or renewal) for that long |
//! | absolute | [`absolute_lifetime`](crate::SessionConfigBuilder::absolute_lifetime) | none | this long after creation, however busy |
//! | renewal | [`renew_after`](crate::SessionConfigBuilder::renew_after) | none | a read re-seals a seal older than this |
//!
//! The bottom of the crate: pure values and rules over time, with no crypto, no JSON layout and no
//! HTTP. Uses nothing else of the crate. The options are set in [`config`](crate::config), the
//! rules applied in [`request`](crate::request).

mod clock;
mod limits;
mod metadata;
mod session_id;
mod ttl;

pub(crate) use clock::SharedClock;
pub use clock::{Clock, SystemClock};
pub(crate) use limits::Lifetimes;
pub use metadata::{Metadata, MetadataError};
pub(crate) use metadata::{MetadataState, check_incoming};
pub(crate) use session_id::{IdForm, session_id_bytes};
pub use session_id::{InvalidSessionId, SessionId};
pub use ttl::Ttl;
