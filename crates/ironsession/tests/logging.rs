//! Checklist item 27: what the crate logs holds no seal and no password; and the warning about a
//! session changed but not saved. Alone in their test binary, because the capturing subscribers
//! are installed for one thread only and tracing caches per call site whether anyone listens.

use http::HeaderMap;
use ironsession::{JsonSession, SessionConfig, Ttl, seal_data_at};
use serde_json::json;

#[path = "support/tampering.rs"]
mod tampering;

use tampering::{NOW, PASSWORD, config, load_bytes, passwords, seal};

/// A log sink for [`logs_carry_no_seal_and_no_password`].
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Checklist 27: everything the crate logs at any level while hostile, valid, saved, chunked and
/// destroyed sessions go through it holds no seal and no password.
#[test]
fn logs_carry_no_seal_and_no_password() {
    let seal = seal();
    let logs = captured_logs(tracing::Level::TRACE, || {
        let config = config();
        let chunked = SessionConfig::builder("sess", passwords())
            .chunking(true)
            .clock(|| NOW)
            .build()
            .unwrap();
        let mut tampered = seal.clone().into_bytes();
        tampered[100] ^= 1;
        let never = seal_data_at(
            &json!({}),
            &passwords(),
            Ttl::Never,
            NOW,
            iron_seal::OsRandom,
        )
        .unwrap();
        for value in [
            seal.as_bytes(),
            &tampered,
            never.as_bytes(),
            b"garbage",
            &seal.as_bytes()[..200],
        ] {
            for config in [&config, &chunked] {
                let mut session = load_bytes(config, value);
                session.insert("big".into(), "y".repeat(6000).into());
                let _ = session.save();
                session.destroy();
                let _ = session.take_set_cookies();
            }
        }
    });
    assert!(
        logs.contains("session cookie ignored"),
        "nothing was logged: {logs}"
    );
    assert!(!logs.contains("Fe26"), "{logs}");
    assert!(!logs.contains(PASSWORD), "{logs}");
    let bare = seal.split('~').next().unwrap();
    for field in bare.split('*').filter(|field| field.len() >= 16) {
        assert!(!logs.contains(field), "{field} in {logs}");
    }
}

/// Every line logged at `level` or above while `work` runs on this thread.
fn captured_logs(level: tracing::Level, work: impl FnOnce()) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, work);
    String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
}

const UNSAVED: &str = "session changed but neither saved nor destroyed";

/// A change neither saved nor destroyed is lost, so it is logged: once per request, with the
/// cookie name and not the data; a change that was saved, or a mutable borrow that changed
/// nothing, is not.
#[test]
fn a_changed_session_not_saved_is_warned_about_once_per_request_without_its_data() {
    let config = config();
    let logs = captured_logs(tracing::Level::WARN, || {
        // Two changes, two `Session`s of one request: one warning.
        let mut session: JsonSession = config.load(&HeaderMap::new());
        session.insert("token".into(), "secret-value".into());
        session.insert("other".into(), 1.into());
        let context = session.context().clone();
        drop(session);
        let mut again: JsonSession = ironsession::Session::load(&context);
        again.insert("more".into(), 2.into());
        drop(again);
        assert!(context.take_set_cookies().is_empty(), "nothing is saved");
    });
    assert_eq!(logs.matches(UNSAVED).count(), 1, "{logs}");
    assert!(logs.contains("cookie=sess"), "{logs}");
    assert!(!logs.contains("secret-value"), "{logs}");

    let logs = captured_logs(tracing::Level::WARN, || {
        // Saved: nothing to say.
        let mut saved: JsonSession = config.load(&HeaderMap::new());
        saved.insert("token".into(), "x".into());
        saved.save().unwrap();
        drop(saved);
        // A mutable borrow that changes nothing.
        let mut touched: JsonSession = config.load(&HeaderMap::new());
        let _ = touched.data_mut();
        touched.retain(|_, _| true);
        drop(touched);
        // Saved, then changed back and forth to what was saved.
        let mut same: JsonSession = config.load(&HeaderMap::new());
        same.insert("a".into(), 1.into());
        same.save().unwrap();
        same.insert("a".into(), 2.into());
        same.insert("a".into(), 1.into());
        drop(same);
    });
    assert!(!logs.contains(UNSAVED), "{logs}");

    // Changed after its save: the second change is lost, and said so.
    let logs = captured_logs(tracing::Level::WARN, || {
        let mut session: JsonSession = config.load(&HeaderMap::new());
        session.insert("a".into(), 1.into());
        session.save().unwrap();
        session.insert("a".into(), 2.into());
    });
    assert_eq!(logs.matches(UNSAVED).count(), 1, "{logs}");
}
