//! A session changed but not saved: iron-session drops such a change silently (the handler's
//! `DerefMut` edits look saved, and are not). At the end of the handler (the `Session<T>` dropped,
//! or the plain API's response step), a session whose data was borrowed mutably since it was
//! loaded, saved or destroyed is compared, as JSON, with what it was then; if it differs, it is
//! saved with [`auto_save`](crate::SessionConfigBuilder::auto_save), else a warning is logged once
//! per request. A handler that never borrows the data mutably pays one flag check; the others pay
//! a hash of the JSON each save already writes.

use std::hash::{DefaultHasher, Hasher};
use std::sync::atomic::Ordering;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Session;
use crate::request::incoming;

/// A hash of a save's JSON, never `0` (which stands for no save).
pub(super) fn json_hash(json: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    hasher.write(json);
    hasher.finish().max(1)
}

impl<T> Session<T> {
    /// Saves, or warns about, a session changed but not saved; does nothing the second time.
    pub(crate) fn finish_handler(&self) {
        (self.finish)(self);
    }
}

impl<T: Serialize + DeserializeOwned + Default> Session<T> {
    /// [`finish_handler`](Session::finish_handler) for a `T`: what `Drop` calls.
    pub(super) fn finish(&self) {
        if !self.changed.load(Ordering::Relaxed) {
            return;
        }
        self.changed.store(false, Ordering::Relaxed);
        // A panicking handler's session is left as it is: no serializing while unwinding.
        if std::thread::panicking() || !self.differs_from_last_written() {
            return;
        }
        let mut state = self.context.lock();
        if state.destroyed {
            return;
        }
        if !state.config.auto_save() {
            if !state.unsaved_warned {
                state.unsaved_warned = true;
                tracing::warn!(
                    cookie = %state.config.cookie_name(),
                    "session changed but neither saved nor destroyed: the change is lost (call \
                     save(), or turn on SessionConfigBuilder::auto_save)"
                );
            }
            return;
        }
        drop(state);
        match self.save() {
            Ok(()) => tracing::debug!("changed session saved at the end of the handler"),
            // Refused as a cross-site write: already recorded for the response's 403.
            Err(crate::SaveError::CrossSite) => {}
            Err(error) => {
                tracing::error!(%error, "changed session not saved at the end of the handler");
                self.context.lock().record_write_error(error);
            }
        }
    }

    /// Whether the data's JSON differs from that of this session's last save in the request, or
    /// else from the session as it was loaded. Data that cannot be serialized counts as changed
    /// (its save reports why).
    fn differs_from_last_written(&self) -> bool {
        let Ok(json) = serde_json::to_vec(&self.data) else {
            return true;
        };
        match self.saved_json_hash.load(Ordering::Relaxed) {
            0 => {
                incoming::loaded_json::<T>(&self.context.lock()).is_none_or(|loaded| loaded != json)
            }
            saved => json_hash(&json) != saved,
        }
    }
}
