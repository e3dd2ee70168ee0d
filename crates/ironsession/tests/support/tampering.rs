//! A session configuration with a fixed early clock, a seal made at that time, and a way to send
//! any bytes as its cookie: what the tampering and logging tests of SECURITY.md share.
#![allow(dead_code)] // Each test binary uses a different part of this module.

use ironsession::{JsonSession, Passwords, Session, SessionConfig, SessionContext, Ttl};
use serde_json::json;

/// The clock of these tests: so early that no changed expiration can be in the past, so that a
/// change of the expiration field is refused for its MAC (or its form), never as expired.
pub const NOW: u64 = 1_000;

pub const PASSWORD: &str = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";

pub fn passwords() -> Passwords {
    Passwords::single(PASSWORD).unwrap()
}

/// Cookie `sess`, ttl one hour, clock at [`NOW`].
pub fn config() -> SessionConfig {
    SessionConfig::builder("sess", passwords())
        .ttl(Ttl::seconds(3600))
        .clock(|| NOW)
        .build()
        .unwrap()
}

/// A logged-in session's seal, made at [`NOW`] for one hour.
pub fn seal() -> String {
    ironsession::seal_data_at(
        &json!({"userId": 1, "isLoggedIn": true}),
        &passwords(),
        Ttl::seconds(3600),
        NOW,
        iron_seal::OsRandom,
    )
    .unwrap()
}

/// The session of a request whose `Cookie` header is `sess=` followed by these bytes.
pub fn load_bytes(config: &SessionConfig, cookie_value: &[u8]) -> JsonSession {
    let header = [b"sess=".as_slice(), cookie_value].concat();
    Session::load(&SessionContext::from_cookie_headers(
        config,
        [header.as_slice()],
    ))
}
