//! The `metrics` feature on the plain `http` API: every counter and the seal-size histogram of
//! `ironsession::metrics`, counted by a recorder local to each test (so tests running at once do
//! not see each other's requests). The Redis gauges are `tests/metrics_revocation.rs`'s.

#[path = "support/series.rs"]
mod series;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderMap, HeaderValue, header};
use ironsession::revocation::Revocation;
use ironsession::{JsonSession, Passwords, Session, SessionConfig, SessionContext, Ttl};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use series::series;

const PASSWORD: &str = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";
const OTHER_PASSWORD: &str = "CNu2fnubXugwIiPT6keP-HzxY1TUzcWlknJkWEBPcnE";
const T0: u64 = 1_700_000_000_000;

/// What was recorded since the last call, by `name{label="value",…}`: counters as their
/// increase, histograms as their values. Each call starts the count again.
fn recorded(snapshotter: &Snapshotter) -> BTreeMap<String, Recorded> {
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .filter_map(|(key, _, _, value)| {
            let name = series(key.key());
            let value = match value {
                DebugValue::Counter(0) => return None,
                DebugValue::Counter(n) => Recorded::Count(n),
                DebugValue::Histogram(values) if values.is_empty() => return None,
                DebugValue::Histogram(values) => {
                    Recorded::Values(values.into_iter().map(|v| v.into_inner()).collect())
                }
                DebugValue::Gauge(value) => Recorded::Gauge(value.into_inner()),
            };
            Some((name, value))
        })
        .collect()
}

#[derive(Debug, PartialEq)]
enum Recorded {
    Count(u64),
    Values(Vec<f64>),
    Gauge(f64),
}

/// `[(name, count)]` as what [`recorded`] returns for counters only.
fn counts<const N: usize>(expected: [(&str, u64); N]) -> BTreeMap<String, Recorded> {
    expected
        .into_iter()
        .map(|(name, n)| (name.to_owned(), Recorded::Count(n)))
        .collect()
}

/// Runs `test` with a recorder installed on this thread only.
fn with_recorder(test: impl FnOnce(&Snapshotter)) {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, || test(&snapshotter));
}

fn config_at(now: &Arc<AtomicU64>) -> ironsession::SessionConfigBuilder {
    let now = now.clone();
    SessionConfig::builder("s", Passwords::single(PASSWORD).unwrap())
        .ttl(Ttl::seconds(3600))
        .clock(move || now.load(Ordering::SeqCst))
}

fn headers_with(cookie: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
    headers
}

/// The `name=value` pairs of `Set-Cookie` lines, for the next request's `Cookie` header.
fn cookie_header(lines: &[String]) -> String {
    let pairs: Vec<&str> = lines
        .iter()
        .map(|line| line.split(';').next().unwrap())
        .collect();
    pairs.join("; ")
}

/// Saves `data` in a new session and returns the `Set-Cookie` lines.
fn save_new(config: &SessionConfig, data: serde_json::Value) -> Vec<String> {
    let mut session: Session<serde_json::Value> = config.load(&HeaderMap::new());
    *session = data;
    session.save().unwrap();
    session.take_set_cookies()
}

#[test]
fn a_login_its_next_request_and_its_logout_are_counted() {
    with_recorder(|snapshotter| {
        let now = Arc::new(AtomicU64::new(T0));
        let config = config_at(&now).build().unwrap();

        // A request without a cookie counts nowhere; its save is one seal, of the length the
        // browser gets as the cookie's value.
        let lines = save_new(&config, serde_json::json!({"userId": 42}));
        let value = lines[0]
            .split(';')
            .next()
            .unwrap()
            .strip_prefix("s=")
            .unwrap();
        let mut expected = counts([("ironsession_sessions_saved_total", 1)]);
        expected.insert(
            "ironsession_seal_bytes".into(),
            Recorded::Values(vec![value.len() as f64]),
        );
        assert_eq!(recorded(snapshotter), expected);

        // The next request opens it; reading it twice counts it once.
        let context = SessionContext::from_headers(&config, &headers_with(&cookie_header(&lines)));
        let mut session: JsonSession = Session::load(&context);
        let _again: JsonSession = Session::load(&context);
        assert_eq!(session["userId"], 42);
        assert_eq!(
            recorded(snapshotter),
            counts([("ironsession_sessions_opened_total", 1)])
        );

        session.destroy();
        assert_eq!(
            recorded(snapshotter),
            counts([("ironsession_sessions_destroyed_total", 1)])
        );
    });
}

#[test]
fn each_refused_cookie_is_counted_once_under_its_reason() {
    with_recorder(|snapshotter| {
        let now = Arc::new(AtomicU64::new(T0));
        let config = config_at(&now)
            .revocation(Revocation::in_memory())
            .build()
            .unwrap();
        let cookie = cookie_header(&save_new(&config, serde_json::json!({"userId": 42})));
        recorded(snapshotter);

        // Tampered: one character of the HMAC changed. Two loads in one request count once.
        let (seal, _) = cookie.rsplit_once('*').unwrap();
        let tampered = format!("{seal}*{}", "A".repeat(43));
        let context = SessionContext::from_headers(&config, &headers_with(&tampered));
        let first: JsonSession = Session::load(&context);
        let _second: JsonSession = Session::load(&context);
        assert!(first.is_empty());

        // Sealed under a password id this configuration does not have.
        let elsewhere =
            SessionConfig::builder("s", Passwords::from_pairs([(7, OTHER_PASSWORD)]).unwrap())
                .ttl(Ttl::seconds(3600))
                .clock(|| T0)
                .build()
                .unwrap();
        let foreign = cookie_header(&save_new(&elsewhere, serde_json::json!({"userId": 7})));
        let _unknown: JsonSession = config.load(&headers_with(&foreign));

        // Revoked: the copy of a session revoked since.
        let opened: JsonSession = config.load(&headers_with(&cookie));
        let id = opened.id().unwrap();
        let revocation = config.revocation().unwrap();
        revocation
            .revoke_session_in_background(id.as_str())
            .unwrap();
        let _revoked: JsonSession = config.load(&headers_with(&cookie));

        // Expired: an hour and 61 s later (a fresh session, so revocation does not answer first).
        let later = cookie_header(&save_new(&config, serde_json::json!({"userId": 43})));
        now.store(T0 + (3600 + 61) * 1000, Ordering::SeqCst);
        let _expired: JsonSession = config.load(&headers_with(&later));

        let mut counted = recorded(snapshotter);
        assert!(counted.remove("ironsession_seal_bytes").is_some());
        // The in-memory replica's gauges, set by the revocation.
        for (gauge, value) in [
            ("ironsession_revocation_replica_entries", 1.0),
            ("ironsession_revocation_connected", 1.0),
            ("ironsession_revocation_seconds_since_sync", 0.0),
        ] {
            assert_eq!(
                counted.remove(gauge),
                Some(Recorded::Gauge(value)),
                "{gauge}"
            );
        }
        assert_eq!(
            counted,
            counts([
                ("ironsession_sessions_opened_total", 1),
                ("ironsession_sessions_refused_total{reason=\"expired\"}", 1),
                ("ironsession_sessions_refused_total{reason=\"invalid\"}", 1),
                ("ironsession_sessions_refused_total{reason=\"revoked\"}", 1),
                (
                    "ironsession_sessions_refused_total{reason=\"unknown-password\"}",
                    1
                ),
                ("ironsession_sessions_saved_total", 2),
            ])
        );
    });
}

/// Random bytes as text: JSON that no compression could shorten, so the seal's length is known
/// from the data's.
fn incompressible(bytes: usize) -> String {
    let mut random = vec![0u8; bytes];
    getrandom::fill(&mut random).unwrap();
    URL_SAFE_NO_PAD.encode(random)
}

#[test]
fn chunked_saves_and_chunked_requests_are_counted_by_their_number_of_chunks() {
    with_recorder(|snapshotter| {
        let now = Arc::new(AtomicU64::new(T0));
        let config = config_at(&now).chunking(true).build().unwrap();
        // About 6 KB of seal: two chunks of at most 4 KB each.
        let lines = save_new(&config, serde_json::json!({"big": incompressible(3000)}));
        let chunks = lines
            .iter()
            .filter(|line| line.starts_with("s.") && !line.contains("Max-Age=0"))
            .count();
        assert_eq!(chunks, 2, "{lines:?}");
        let saved = recorded(snapshotter);
        assert_eq!(
            saved.get("ironsession_chunked_saves_total{chunks=\"2\"}"),
            Some(&Recorded::Count(1))
        );
        let joined_len: usize = lines
            .iter()
            .map(|line| {
                line.split(';')
                    .next()
                    .unwrap()
                    .split_once('=')
                    .unwrap()
                    .1
                    .len()
            })
            .sum();
        assert_eq!(
            saved.get("ironsession_seal_bytes"),
            Some(&Recorded::Values(vec![joined_len as f64]))
        );

        let session: Session<serde_json::Value> =
            config.load(&headers_with(&cookie_header(&lines)));
        assert!(session.unseal_error().is_none());
        assert_eq!(
            recorded(snapshotter),
            counts([
                (
                    "ironsession_chunked_cookies_received_total{chunks=\"2\"}",
                    1
                ),
                ("ironsession_sessions_opened_total", 1),
            ])
        );
    });
}

#[test]
fn a_renewal_on_the_response_is_a_reseal_and_a_save() {
    with_recorder(|snapshotter| {
        let now = Arc::new(AtomicU64::new(T0));
        let config = config_at(&now)
            .renew_after(std::time::Duration::from_secs(60))
            .build()
            .unwrap();
        let cookie = cookie_header(&save_new(&config, serde_json::json!({"userId": 42})));
        recorded(snapshotter);
        now.store(T0 + 61_000, Ordering::SeqCst);
        let context = SessionContext::from_headers(&config, &headers_with(&cookie));
        let _read: JsonSession = Session::load(&context);
        let renewed = context.take_set_cookies();
        assert_eq!(renewed.len(), 1, "{renewed:?}");
        let mut counted = recorded(snapshotter);
        assert!(counted.remove("ironsession_seal_bytes").is_some());
        assert_eq!(
            counted,
            counts([
                ("ironsession_sessions_opened_total", 1),
                ("ironsession_sessions_resealed_total", 1),
                ("ironsession_sessions_saved_total", 1),
            ])
        );
    });
}

#[test]
fn labels_never_carry_an_id_or_a_subject() {
    with_recorder(|snapshotter| {
        let now = Arc::new(AtomicU64::new(T0));
        let config = config_at(&now)
            .revocation(Revocation::in_memory())
            .build()
            .unwrap();
        let mut session: JsonSession = config.load(&HeaderMap::new());
        session.set_subject("user-42@example.com").unwrap();
        session.insert("userId".into(), 42.into());
        session.save().unwrap();
        let cookie = cookie_header(&session.take_set_cookies());
        let mut copy: JsonSession = config.load(&headers_with(&cookie));
        let id = copy.id().unwrap();
        copy.destroy();
        let _revoked: JsonSession = config.load(&headers_with(&cookie));
        let _garbage: JsonSession = config.load(&headers_with("s=Fe26.2*1*user-42"));

        let names = recorded(snapshotter).into_keys().collect::<Vec<_>>();
        assert!(names.contains(&"ironsession_sessions_refused_total{reason=\"revoked\"}".into()));
        for name in &names {
            assert!(name.starts_with("ironsession_"), "{name}");
            let labels = name.split_once('{').map_or("", |(_, labels)| labels);
            assert!(
                !labels.contains("user-42") && !labels.contains(id.as_str()),
                "{name}"
            );
            for label in labels
                .trim_end_matches('}')
                .split(',')
                .filter(|l| !l.is_empty())
            {
                let (key, _) = label.split_once('=').unwrap();
                assert!(["reason", "chunks", "kind"].contains(&key), "{name}");
            }
        }
    });
}

#[test]
fn describe_gives_every_metric_of_the_table_a_help_text() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, || {
        ironsession::metrics::describe();
        // Every metric but the Redis backend's propagation lag (`metrics_revocation.rs`).
        let now = Arc::new(AtomicU64::new(T0));
        let config = config_at(&now)
            .chunking(true)
            .renew_after(std::time::Duration::from_secs(60))
            .revocation(Revocation::in_memory())
            .build()
            .unwrap();
        let big = cookie_header(&save_new(
            &config,
            serde_json::json!({"big": incompressible(3000)}),
        ));
        now.store(T0 + 61_000, Ordering::SeqCst);
        let context = SessionContext::from_headers(&config, &headers_with(&big));
        let mut session: JsonSession = Session::load(&context);
        assert!(!context.take_set_cookies().is_empty(), "renewed");
        session.destroy();
        let _refused: JsonSession = config.load(&headers_with("s=garbage"));
    });
    let mut described = Vec::new();
    for (key, unit, description, _) in snapshotter.snapshot().into_vec() {
        let name = key.key().name().to_owned();
        assert!(description.is_some(), "{name} has no description");
        if name == "ironsession_seal_bytes" {
            assert_eq!(unit, Some(metrics::Unit::Bytes));
        }
        described.push(name);
    }
    described.sort();
    described.dedup();
    assert_eq!(described.len(), 11, "{described:?}");
}
