//! Checklist item 27: what the crate logs holds no seal and no password. Alone in its test
//! binary, because the capturing subscriber is installed for this thread only and tracing caches
//! per call site whether anyone listens.

use ironsession::{SessionConfig, Ttl, seal_data_at};
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
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let seal = seal();
    tracing::subscriber::with_default(subscriber, || {
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
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
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
