//! How long a seal stays valid.

use std::time::Duration;

/// The lifetime of a seal: how long after `save()` the session can still be read.
///
/// The default is iron-session's: 14 days. A seal that never expires must be asked for by name
/// with [`Ttl::Never`]; there is no magic `0`.
///
/// ```
/// use std::time::Duration;
/// use ironsession::Ttl;
///
/// assert_eq!(Ttl::default(), Ttl::After(Duration::from_secs(14 * 24 * 3600)));
/// assert_eq!(Ttl::seconds(3600).as_millis(), Some(3_600_000));
/// assert_eq!(Ttl::Never.as_millis(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ttl {
    /// The seal expires this long after it is made (counted in whole milliseconds; Iron then
    /// accepts it for 60 more seconds of clock skew).
    After(Duration),
    /// The seal carries no expiration and is accepted for as long as its password is configured.
    Never,
}

impl Ttl {
    /// iron-session's default ttl: 14 days.
    pub const DEFAULT: Ttl = Ttl::After(Duration::from_secs(14 * 24 * 60 * 60));

    /// A ttl in seconds, the unit iron-session uses.
    pub const fn seconds(seconds: u64) -> Ttl {
        Ttl::After(Duration::from_secs(seconds))
    }

    /// The ttl in milliseconds as written into a seal, `None` for [`Ttl::Never`].
    pub fn as_millis(self) -> Option<u64> {
        match self {
            Ttl::After(duration) => Some(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)),
            Ttl::Never => None,
        }
    }
}

impl Default for Ttl {
    fn default() -> Self {
        Ttl::DEFAULT
    }
}
