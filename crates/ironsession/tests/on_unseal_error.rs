//! `on_unseal_error` on the plain `http` API: called once per request whose cookie is refused,
//! with the reason and the cause, never for a request without a cookie or with one that opens.
//! (The acceptance suite checks the same through both framework adapters.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use http::{HeaderMap, HeaderValue, header};
use ironsession::revocation::Revocation;
use ironsession::{
    JsonSession, Passwords, Session, SessionConfig, SessionConfigBuilder, SessionContext, Ttl,
    UnsealError, UnsealReason,
};

const PASSWORD: &str = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";
const OTHER_PASSWORD: &str = "CNu2fnubXugwIiPT6keP-HzxY1TUzcWlknJkWEBPcnE";
const T0: u64 = 1_700_000_000_000;

/// The errors the hook was called with, in order.
type Calls = Arc<Mutex<Vec<UnsealError>>>;

/// A configuration of cookie `s` on a clock that reads `now`, whose hook records its calls.
fn counting(
    passwords: Passwords,
    now: &Arc<AtomicU64>,
    change: impl FnOnce(SessionConfigBuilder) -> SessionConfigBuilder,
) -> (SessionConfig, Calls) {
    let calls = Calls::default();
    let (record, now) = (calls.clone(), now.clone());
    let builder = SessionConfig::builder("s", passwords)
        .ttl(Ttl::seconds(3600))
        .clock(move || now.load(Ordering::SeqCst))
        .on_unseal_error(move |error| record.lock().unwrap().push(error.clone()));
    (change(builder).build().unwrap(), calls)
}

fn password() -> Passwords {
    Passwords::single(PASSWORD).unwrap()
}

fn headers_with(cookie: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
    headers
}

/// The `s=<seal>` pair of a session saved with `config`.
fn login(config: &SessionConfig) -> String {
    let mut session: JsonSession = config.load(&HeaderMap::new());
    session.insert("userId".into(), 42.into());
    session.save().unwrap();
    let line = session.take_set_cookies().remove(0);
    line.split(';').next().unwrap().to_owned()
}

fn reasons(calls: &Calls) -> Vec<UnsealReason> {
    calls
        .lock()
        .unwrap()
        .iter()
        .map(UnsealError::reason)
        .collect()
}

#[test]
fn no_cookie_and_a_cookie_that_opens_never_call_it() {
    let now = Arc::new(AtomicU64::new(T0));
    let (config, calls) = counting(password(), &now, |b| b);
    let empty: JsonSession = config.load(&HeaderMap::new());
    assert!(empty.unseal_error().is_none());
    let empty_value: JsonSession = config.load(&headers_with("s="));
    assert!(empty_value.unseal_error().is_none());
    let cookie = login(&config);
    let session: JsonSession = config.load(&headers_with(&cookie));
    assert_eq!(session["userId"], 42);
    assert!(calls.lock().unwrap().is_empty());
}

#[test]
fn a_tampered_cookie_calls_it_once_per_request_with_the_error_the_session_has() {
    let now = Arc::new(AtomicU64::new(T0));
    let (config, calls) = counting(password(), &now, |b| b);
    let cookie = login(&config);
    let tampered = format!("{}A", cookie.strip_suffix("~2").unwrap());
    let context = SessionContext::from_headers(&config, &headers_with(&tampered));
    // Two sessions of one request, of two types: the cookie is opened once, reported once.
    let first: JsonSession = Session::load(&context);
    let second: Session<serde_json::Value> = Session::load(&context);
    assert!(first.is_empty() && second.is_null());
    let recorded = calls.lock().unwrap().clone();
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(recorded[0].reason(), UnsealReason::Invalid);
    assert_eq!(Some(&recorded[0]), first.unseal_error());
    assert!(recorded[0].cause().is_some(), "{recorded:?}");
    // The next request with the same cookie is another refusal.
    let _again: JsonSession = config.load(&headers_with(&tampered));
    assert_eq!(reasons(&calls), [UnsealReason::Invalid; 2]);
}

#[test]
fn expired_and_unknown_password_cookies_call_it_with_their_reason() {
    let now = Arc::new(AtomicU64::new(T0));
    let (config, calls) = counting(password(), &now, |b| b);
    let cookie = login(&config);
    // Past the ttl and iron-session's 60 s of skew.
    now.store(T0 + (3600 + 61) * 1000, Ordering::SeqCst);
    let expired: JsonSession = config.load(&headers_with(&cookie));
    assert!(expired.is_empty());

    let rotated = Passwords::from_pairs([(7, OTHER_PASSWORD)]).unwrap();
    let (elsewhere, _) = counting(rotated, &now, |b| b);
    let unknown: JsonSession = config.load(&headers_with(&login(&elsewhere)));
    assert!(unknown.is_empty());
    assert_eq!(
        reasons(&calls),
        [UnsealReason::Expired, UnsealReason::UnknownPassword]
    );
}

#[test]
fn a_revoked_copy_calls_it_with_reason_revoked() {
    let now = Arc::new(AtomicU64::new(T0));
    let (config, calls) = counting(password(), &now, |b| b.revocation(Revocation::in_memory()));
    let cookie = login(&config);
    let session: JsonSession = config.load(&headers_with(&cookie));
    let id = session.id().unwrap();
    assert!(calls.lock().unwrap().is_empty());
    let revocation = config.revocation().unwrap();
    revocation
        .revoke_session_in_background(id.as_str())
        .unwrap();
    let copy: JsonSession = config.load(&headers_with(&cookie));
    assert!(copy.is_empty());
    assert_eq!(reasons(&calls), [UnsealReason::Revoked]);
    assert!(calls.lock().unwrap()[0].refusal().is_some());
}

#[test]
fn the_hook_survives_to_builder_and_update_config() {
    let now = Arc::new(AtomicU64::new(T0));
    let (config, calls) = counting(password(), &now, |b| b);
    let derived = config.to_builder().ttl(Ttl::seconds(60)).build().unwrap();
    let _session: JsonSession = derived.load(&headers_with("s=garbage"));
    assert_eq!(reasons(&calls), [UnsealReason::Invalid]);
    assert!(format!("{config:?}").contains("UnsealErrorHook(..)"));
}

#[test]
fn a_cookie_that_opens_but_does_not_fit_the_type_calls_it_once() {
    let now = Arc::new(AtomicU64::new(T0));
    let (config, calls) = counting(password(), &now, |b| b);
    let mut array: Session<serde_json::Value> = config.load(&HeaderMap::new());
    *array = serde_json::json!(["not", "an", "object"]);
    array.save().unwrap();
    let line = array.take_set_cookies().remove(0);
    let cookie = line.split(';').next().unwrap().to_owned();
    let context = SessionContext::from_headers(&config, &headers_with(&cookie));
    let first: JsonSession = Session::load(&context);
    let second: JsonSession = Session::load(&context);
    assert!(first.unseal_error().is_some() && second.unseal_error().is_some());
    let fits: Session<serde_json::Value> = Session::load(&context);
    assert!(fits.unseal_error().is_none() && fits.is_array());
    assert_eq!(reasons(&calls), [UnsealReason::Invalid]);
}
