//! The whole load path, through the public API, from raw `Cookie` header bytes to
//! `Session<serde_json::Value>`: any bytes give a session (an empty one with a reason when the
//! cookie does not open, whose response only ever deletes an expired cookie), never a panic; a
//! request that carries the cookie both whole and in chunks (non-empty values, by the header
//! parser's rules) is refused as `ambiguous`, and only such a request; and a session that loaded,
//! saved again and sent back as the browser would send it, loads the same data.
//!
//! The input is split at each newline into separate `Cookie` header values.
#![no_main]

use std::sync::LazyLock;

use ironsession::fuzzing::find_cookie;
use ironsession::{Passwords, Session, SessionConfig, SessionContext, UnsealReason};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Inside the validity of the seeded vectors (2023-11-14T22:13:20Z).
const NOW: u64 = 1_700_000_000_000;

static CONFIG: LazyLock<SessionConfig> = LazyLock::new(|| {
    // The passwords of the interop vectors (fuzz/seeds), so that seeded cookies open; weak, since
    // they are published.
    let passwords = Passwords::dangerous_allow_weak_parse(
        r#"{"1":"complex_password_at_least_32_characters_long","2":"password-two-at-least-32-characters-long!!"}"#,
    )
    .expect("passwords");
    SessionConfig::builder("s", passwords)
        .chunking(true)
        .clock(|| NOW)
        .build()
        .expect("config")
});

fn load(headers: &[&[u8]]) -> Session<Value> {
    Session::load(&SessionContext::from_cookie_headers(
        &CONFIG,
        headers.iter().copied(),
    ))
}

/// The `Cookie` header a browser sends back after these `Set-Cookie` lines.
fn cookie_header(set_cookies: &[String]) -> String {
    set_cookies
        .iter()
        .filter_map(|line| line.split(';').next())
        .filter(|pair| !pair.ends_with('='))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether the headers carry a non-empty cookie called `name`, as the first pair of that name.
fn carries(headers: &[&[u8]], name: &str) -> bool {
    find_cookie(headers.iter().copied(), name).is_some_and(|value| !value.is_empty())
}

fuzz_target!(|data: &[u8]| {
    let headers: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let session = load(&headers);
    let both = carries(&headers, "s")
        && ["s.0", "s.1", "s.2", "s.3"]
            .iter()
            .any(|c| carries(&headers, c));
    let ambiguous = session.unseal_error().map(|e| e.reason()) == Some(UnsealReason::Ambiguous);
    assert_eq!(
        ambiguous, both,
        "whole and chunks: {both}, refused as ambiguous: {ambiguous}"
    );
    if let Some(error) = session.unseal_error().cloned() {
        assert_eq!(
            *session.data(),
            Value::Null,
            "a refused cookie leaves no data"
        );
        // The response carries nothing but deletions, and only for a session that is over.
        let lines = session.take_set_cookies();
        let over = error.reason() == UnsealReason::Expired;
        assert!(lines.is_empty() || over, "{error}: {lines:?}");
        assert!(
            lines.iter().all(|line| line.contains("=; Max-Age=0;")),
            "{lines:?}"
        );
        return;
    }
    if session.save().is_err() {
        return;
    }
    let header = cookie_header(&session.take_set_cookies());
    let again = load(&[header.as_bytes()]);
    assert!(again.unseal_error().is_none(), "{:?}", again.unseal_error());
    // A session with no data is `null`, which iron-session (and so `unseal_data`) reads back as
    // `{}`.
    let saved = match session.data() {
        Value::Null => Value::Object(serde_json::Map::new()),
        data => data.clone(),
    };
    assert_eq!(*again.data(), saved);
});
