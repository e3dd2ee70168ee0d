//! Password rotation without a flag day: a session sealed with an older password id is re-sealed
//! with the newest on the way out, even when the handler did not save it.

use crate::{SessionConfig, SessionConfigBuilder};

impl SessionConfigBuilder {
    /// Whether a session sealed with an older password id is re-sealed with the newest one on
    /// the response of any request that reads it, even one that does not save (default: on). Once
    /// the clients that were active since a new password was added have been upgraded, the old id
    /// can be dropped without logging them out. Turn it off to write cookies only on `save`, as
    /// iron-session does.
    ///
    /// ```
    /// use ironsession::{Passwords, SessionConfig};
    ///
    /// let config = SessionConfig::builder("s", Passwords::single("a password of at least thirty-two characters")?)
    ///     .password_upgrade(false)
    ///     .build()?;
    /// assert!(!config.password_upgrade());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn password_upgrade(mut self, on: bool) -> Self {
        self.password_upgrade = on;
        self
    }
}

impl SessionConfig {
    /// Whether sessions sealed with an older password are re-sealed with the newest on read.
    pub fn password_upgrade(&self) -> bool {
        self.password_upgrade
    }
}

/// Whether `seal` (the request's cookie, which opened) names an older password id than the one
/// that seals at `now_ms`.
pub(crate) fn upgrade_due(config: &SessionConfig, seal: Option<&str>, _now_ms: u64) -> bool {
    if !config.password_upgrade {
        return false;
    }
    let Some(id) = seal.and_then(password_id) else {
        return false;
    };
    id < config.passwords().sealing_id()
}

/// The password id of a seal (its second `*`-separated field), as a number.
fn password_id(seal: &str) -> Option<u64> {
    seal.split('*').nth(1)?.parse().ok()
}
