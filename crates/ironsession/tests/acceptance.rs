//! One acceptance suite, run against both framework adapters over real HTTP.
//!
//! Each case is an async function taking a [`Start`] (a function that serves the test
//! application of one framework on a loopback port). `adapters!` at the bottom instantiates every
//! case once for axum and once for actix-web, so both adapters must give byte-identical answers.
//! The client is reqwest: with explicit `Cookie` headers (the default cookies are `Secure`, which
//! a cookie store does not send over plain HTTP), or with a cookie jar for the insecure config.

#[path = "acceptance/apps.rs"]
mod apps;
#[path = "acceptance/lifetimes.rs"]
mod lifetimes;
#[path = "acceptance/session_header.rs"]
mod session_header;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use apps::{BIG_VALUE_LEN, Server, Start};
use ironsession::iron_seal::ThreadRandom;
use ironsession::{
    CookieLifetime, Passwords, SameSite, SessionConfig, SessionConfigBuilder, Ttl, seal_data,
    seal_data_at,
};
use lifetimes::*;
use reqwest::Method;
use reqwest::cookie::CookieStore;
use reqwest::header::{CACHE_CONTROL, COOKIE, HeaderValue, SET_COOKIE, VARY};
use serde_json::json;
use session_header::*;

const NAME: &str = "sess";
const PASSWORD: &str = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";
const NEW_PASSWORD: &str = "PJo7GkIFOQctuoBQe52y_e7mQkcOvDv7g6UqgSVxtXw";
const OTHER_PASSWORD: &str = "CNu2fnubXugwIiPT6keP-HzxY1TUzcWlknJkWEBPcnE";
/// The attributes of a default configuration, after the value.
const DEFAULT_ATTRIBUTES: &str = "; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax";
const DELETION: &str = "sess=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax";
const ALICE: &str = r#"{"username":"alice","isLoggedIn":true}"#;
/// A fixed clock reading for the configurations with an injected clock.
const T0: u64 = 1_700_000_000_000;

fn builder(passwords: Passwords) -> SessionConfigBuilder {
    SessionConfig::builder(NAME, passwords)
}

fn default_config() -> SessionConfig {
    builder(Passwords::single(PASSWORD).unwrap())
        .build()
        .unwrap()
}

/// A configuration whose clock reads `now`.
fn config_at(now: &Arc<AtomicU64>) -> SessionConfigBuilder {
    let now = now.clone();
    builder(Passwords::single(PASSWORD).unwrap()).clock(move || now.load(Ordering::SeqCst))
}

/// What the server answered.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: String,
    set_cookies: Vec<String>,
    /// Every `Cache-Control` line, then every `Vary` line.
    cache: (Vec<String>, Vec<String>),
}

impl Answer {
    /// The only `Set-Cookie` line, split into the cookie's value and the attributes after it.
    fn only_cookie(&self) -> (&str, &str) {
        assert_eq!(self.set_cookies.len(), 1, "{:?}", self.set_cookies);
        let line = &self.set_cookies[0];
        let rest = line
            .strip_prefix("sess=")
            .unwrap_or_else(|| panic!("{line}"));
        rest.split_at(rest.find(';').unwrap_or(rest.len()))
    }

    /// The value of the only `Set-Cookie` line, checked to be a seal with the default attributes.
    fn default_seal(&self) -> String {
        let (value, attributes) = self.only_cookie();
        assert_seal(value, 1);
        assert_eq!(attributes, DEFAULT_ATTRIBUTES);
        value.to_owned()
    }
}

fn assert_seal(value: &str, id: u64) {
    assert!(
        value.starts_with(&format!("Fe26.2*{id}*")) && value.ends_with("~2"),
        "{value}"
    );
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Sends a request with these `Cookie` header values (each its own header line).
async fn send(
    server: &Server,
    method: Method,
    path: &str,
    cookie_headers: &[HeaderValue],
    body: &str,
) -> Answer {
    send_with(server, method, path, cookie_headers, &[], body).await
}

/// [`send`] with other request headers too.
async fn send_with(
    server: &Server,
    method: Method,
    path: &str,
    cookie_headers: &[HeaderValue],
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut request = client()
        .request(method, server.url(path))
        .body(body.to_owned());
    for value in cookie_headers {
        request = request.header(COOKIE, value.clone());
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let all = |name| {
        response
            .headers()
            .get_all(name)
            .iter()
            .map(|value| value.to_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let set_cookies = all(SET_COOKIE);
    let cache = (all(CACHE_CONTROL), all(VARY));
    let body = response.text().await.unwrap();
    Answer {
        status,
        body,
        set_cookies,
        cache,
    }
}

fn cookie(value: &str) -> Vec<HeaderValue> {
    vec![HeaderValue::from_str(&format!("{NAME}={value}")).unwrap()]
}

async fn get(server: &Server, path: &str, seal: Option<&str>) -> Answer {
    send(
        server,
        Method::GET,
        path,
        &seal.map(cookie).unwrap_or_default(),
        "",
    )
    .await
}

async fn post(server: &Server, path: &str, seal: Option<&str>, body: &str) -> Answer {
    let headers = seal.map(cookie).unwrap_or_default();
    send(server, Method::POST, path, &headers, body).await
}

/// `GET /session` and `GET /reason` with these `Cookie` headers: (session JSON, reason).
async fn read(server: &Server, cookie_headers: &[HeaderValue]) -> (String, String) {
    let session = send(server, Method::GET, "/session", cookie_headers, "").await;
    let reason = send(server, Method::GET, "/reason", cookie_headers, "").await;
    for answer in [&session, &reason] {
        assert_eq!(answer.status, 200, "{answer:?}");
        assert!(answer.set_cookies.is_empty(), "{answer:?}");
    }
    (session.body, reason.body)
}

async fn login(server: &Server) -> String {
    let answer = post(server, "/login", None, "alice").await;
    assert_eq!((answer.status, answer.body.as_str()), (200, ALICE));
    answer.default_seal()
}

// ---------------------------------------------------------------------------------------------
// The cases.

async fn no_cookie_gives_an_empty_session_and_no_set_cookie(start: Start) {
    let server = start(Some(default_config()));
    let answer = get(&server, "/session", None).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "{}"));
    assert!(answer.set_cookies.is_empty());
    assert_eq!(read(&server, &[]).await, ("{}".into(), "none".into()));
}

async fn login_sends_one_set_cookie_with_the_default_attributes(start: Start) {
    let server = start(Some(default_config()));
    let answer = post(&server, "/login", None, "alice").await;
    assert_eq!((answer.status, answer.body.as_str()), (200, ALICE));
    let (value, attributes) = answer.only_cookie();
    assert_seal(value, 1);
    assert_eq!(
        attributes,
        "; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax"
    );
    // Reading the session sends no cookie back.
    let seal = value.to_owned();
    assert_eq!(
        read(&server, &cookie(&seal)).await,
        (ALICE.into(), "none".into())
    );
}

async fn data_persists_across_requests(start: Start) {
    let server = start(Some(default_config()));
    let mut seal: Option<String> = None;
    for visits in 1..=3 {
        let answer = post(&server, "/visit", seal.as_deref(), "").await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body, format!(r#"{{"visits":{visits}}}"#));
        seal = Some(answer.default_seal());
    }
    let (session, reason) = read(&server, &cookie(seal.as_deref().unwrap())).await;
    assert_eq!(
        (session.as_str(), reason.as_str()),
        (r#"{"visits":3}"#, "none")
    );
}

async fn hostile_cookies_give_an_empty_session_and_the_reason(start: Start) {
    let server = start(Some(default_config()));
    let passwords = Passwords::single(PASSWORD).unwrap();
    let alice = json!({"username": "alice", "isLoggedIn": true});
    let valid = seal_data(&alice, &passwords, Ttl::DEFAULT).unwrap();
    let seal = valid.strip_suffix("~2").unwrap();
    let parts: Vec<&str> = seal.split('*').collect();
    assert_eq!(parts.len(), 8);
    let with_part = |index: usize, part: &str| {
        let mut parts = parts.clone();
        parts[index] = part;
        format!("{}~2", parts.join("*"))
    };
    let hmac = parts[7];
    let flipped = if hmac.starts_with('A') { "B" } else { "A" };
    let bad_hmac = with_part(7, &format!("{flipped}{}", &hmac[1..]));
    let expiration: u64 = parts[5].parse().unwrap();
    let bad_expiration = with_part(5, &(expiration + 1).to_string());
    let other_password = seal_data(
        &alice,
        &Passwords::single(OTHER_PASSWORD).unwrap(),
        Ttl::DEFAULT,
    )
    .unwrap();
    let unknown_id = seal_data(
        &alice,
        &Passwords::from_pairs([(5, PASSWORD)]).unwrap(),
        Ttl::DEFAULT,
    )
    .unwrap();
    let (first_half, second_half) = valid.split_at(valid.len() / 2);
    let header = |text: &str| HeaderValue::from_str(text).unwrap();

    let cases: Vec<(&str, Vec<HeaderValue>, &str, &str)> = vec![
        // An empty value is no cookie, as in iron-session (`value ? unseal : {}`).
        ("empty value", cookie(""), "{}", "none"),
        ("empty quoted value", cookie("\"\""), "{}", "none"),
        ("garbage", cookie("garbage"), "{}", "invalid"),
        ("7 parts", cookie("Fe26.2*1*a*b*c*d*e"), "{}", "invalid"),
        ("9 parts", cookie("Fe26.2*1*a*b*c*d*e*f*g"), "{}", "invalid"),
        (
            "Fe26.1 prefix",
            cookie(&valid.replacen("Fe26.2", "Fe26.1", 1)),
            "{}",
            "invalid",
        ),
        (
            "one HMAC character changed",
            cookie(&bad_hmac),
            "{}",
            "invalid",
        ),
        (
            "expiration changed",
            cookie(&bad_expiration),
            "{}",
            "invalid",
        ),
        ("another password", cookie(&other_password), "{}", "invalid"),
        (
            "unknown password id 5",
            cookie(&unknown_id),
            "{}",
            "unknown-password",
        ),
        (
            "100 KB of junk",
            cookie(&"x".repeat(100 * 1024)),
            "{}",
            "invalid",
        ),
        (
            "invalid percent escape",
            cookie("%ZZgarbage"),
            "{}",
            "invalid",
        ),
        (
            "percent escape of a non-UTF-8 byte",
            cookie("%E9"),
            "{}",
            "invalid",
        ),
        (
            "a stray % in the HMAC",
            cookie(&format!("{seal}%")),
            "{}",
            "invalid",
        ),
        (
            "non-UTF-8 bytes in the value",
            vec![HeaderValue::from_bytes(b"sess=\xff\xfe").unwrap()],
            "{}",
            "invalid",
        ),
        (
            "non-UTF-8 byte in another cookie",
            vec![
                HeaderValue::from_bytes(&[b"other=\xff; sess=", valid.as_bytes()].concat())
                    .unwrap(),
            ],
            ALICE,
            "none",
        ),
        (
            "quoted valid seal",
            cookie(&format!("\"{valid}\"")),
            ALICE,
            "none",
        ),
        (
            "percent-encoded valid seal",
            cookie(&valid.replace('~', "%7E")),
            ALICE,
            "none",
        ),
        (
            "garbage first, valid second",
            vec![header(&format!("sess=garbage; sess={valid}"))],
            "{}",
            "invalid",
        ),
        (
            "valid first, garbage second",
            vec![header(&format!("sess={valid}; sess=garbage"))],
            ALICE,
            "none",
        ),
        (
            "the cookie in the second of two Cookie headers",
            vec![header("other=1"), header(&format!("sess={valid}"))],
            ALICE,
            "none",
        ),
        (
            "garbage in the first Cookie header, valid in the second",
            vec![header("sess=garbage"), header(&format!("sess={valid}"))],
            "{}",
            "invalid",
        ),
        (
            "the value split across two Cookie headers",
            vec![header(&format!("sess={first_half}")), header(second_half)],
            "{}",
            "invalid",
        ),
    ];
    for (case, headers, session, reason) in cases {
        let answer = read(&server, &headers).await;
        assert_eq!(answer, (session.to_owned(), reason.to_owned()), "{case}");
    }
}

async fn a_seal_expires_60_seconds_after_its_ttl(start: Start) {
    let now = Arc::new(AtomicU64::new(T0));
    let server = start(Some(
        config_at(&now).ttl(Ttl::seconds(3600)).build().unwrap(),
    ));
    let answer = post(&server, "/login", None, "alice").await;
    let (seal, attributes) = answer.only_cookie();
    assert_eq!(
        attributes,
        "; Max-Age=3540; Path=/; HttpOnly; Secure; SameSite=Lax"
    );
    let seal = seal.to_owned();

    now.store(T0 + 3_600_000 + 59_999, Ordering::SeqCst);
    assert_eq!(
        read(&server, &cookie(&seal)).await,
        (ALICE.into(), "none".into())
    );
    now.store(T0 + 3_600_000 + 60_000, Ordering::SeqCst);
    let reason = get(&server, "/reason", Some(&seal)).await;
    assert_eq!(reason.body, "expired");
    let session = get(&server, "/session", Some(&seal)).await;
    assert_eq!(session.body, "{}");
    // The refusing response deletes the dead cookie.
    assert_eq!(session.set_cookies, [DELETION]);
}

async fn on_unseal_error_is_called_once_per_refused_cookie(start: Start) {
    let now = Arc::new(AtomicU64::new(T0));
    let reasons = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = reasons.clone();
    let server = start(Some(
        config_at(&now)
            .ttl(Ttl::seconds(3600))
            .on_unseal_error(move |error| record.lock().unwrap().push(error.reason().as_str()))
            .build()
            .unwrap(),
    ));
    let seal = post(&server, "/login", None, "alice")
        .await
        .only_cookie()
        .0
        .to_owned();
    // No cookie, and a cookie that opens: no call.
    assert_eq!(get(&server, "/reason", None).await.body, "none");
    assert_eq!(get(&server, "/reason", Some(&seal)).await.body, "none");
    assert!(reasons.lock().unwrap().is_empty());

    let unknown_id = seal_data_at(
        &json!({"username": "mallory"}),
        &Passwords::from_pairs([(5, PASSWORD)]).unwrap(),
        Ttl::seconds(3600),
        T0,
        ThreadRandom,
    )
    .unwrap();
    for (cookie_value, reason) in [
        ("garbage", "invalid"),
        (unknown_id.as_str(), "unknown-password"),
    ] {
        assert_eq!(
            get(&server, "/reason", Some(cookie_value)).await.body,
            reason
        );
    }
    now.store(T0 + 3_600_000 + 60_000, Ordering::SeqCst);
    assert_eq!(get(&server, "/reason", Some(&seal)).await.body, "expired");
    assert_eq!(
        *reasons.lock().unwrap(),
        ["invalid", "unknown-password", "expired"]
    );
}

async fn a_cookie_whose_session_is_over_is_deleted_and_no_other(start: Start) {
    let now = Arc::new(AtomicU64::new(T0));
    let config = config_at(&now).ttl(Ttl::seconds(3600)).chunking(true);
    let server = start(Some(config.clone().build().unwrap()));
    let keeping = start(Some(
        config.clone().clear_refused_cookies(false).build().unwrap(),
    ));
    let seal = post(&server, "/login", None, "alice")
        .await
        .only_cookie()
        .0
        .to_owned();
    let big = post(&server, "/big", None, "").await;
    let chunk_pairs: Vec<String> = big
        .set_cookies
        .iter()
        .map(|line| name_value(line))
        .collect();
    assert_eq!(chunk_pairs.len(), 2, "{big:?}");
    let chunks = [HeaderValue::from_str(&chunk_pairs.join("; ")).unwrap()];
    now.store(T0 + 3_600_000 + 60_000, Ordering::SeqCst);

    let expired = get(&server, "/session", Some(&seal)).await;
    assert_eq!(expired.body, "{}");
    assert_eq!(expired.set_cookies, [DELETION]);
    assert_eq!(
        expired.cache.0,
        ["private, no-store"],
        "a deletion is never cached"
    );
    // Only the cookies the browser sent are deleted: here both chunks, not the whole name.
    let expired_chunks = send(&server, Method::GET, "/session", &chunks, "").await;
    assert_eq!(
        expired_chunks.set_cookies,
        [
            DELETION.replacen("sess=", "sess.0=", 1),
            DELETION.replacen("sess=", "sess.1=", 1),
        ]
    );
    // A handler that saves sends its own cookie only; one that never reads the session, nothing.
    let login = post(&server, "/login", Some(&seal), "bob").await;
    assert!(login.only_cookie().0.starts_with("Fe26.2*1*"), "{login:?}");
    assert!(
        get(&server, "/plain", Some(&seal))
            .await
            .set_cookies
            .is_empty()
    );
    // Turned off, the expired cookie stays, as in iron-session.
    let kept = get(&keeping, "/session", Some(&seal)).await;
    assert_eq!((kept.body.as_str(), kept.set_cookies.len()), ("{}", 0));

    // Cookies another server may still read, or that are not ours, are never deleted.
    now.store(T0, Ordering::SeqCst);
    let alice = json!({"username": "alice", "isLoggedIn": true});
    let seal_at_t0 = |passwords: Passwords| {
        seal_data_at(&alice, &passwords, Ttl::seconds(3600), T0, ThreadRandom).unwrap()
    };
    let unknown_id = seal_at_t0(Passwords::from_pairs([(5, PASSWORD)]).unwrap());
    let other_app = seal_at_t0(Passwords::single(OTHER_PASSWORD).unwrap());
    for (value, reason) in [
        (unknown_id.as_str(), "unknown-password"),
        (other_app.as_str(), "invalid"),
        ("garbage", "invalid"),
    ] {
        assert_eq!(get(&server, "/reason", Some(value)).await.body, reason);
        let answer = get(&server, "/session", Some(value)).await;
        assert!(answer.set_cookies.is_empty(), "{reason}: {answer:?}");
    }
}

async fn rotation_reads_old_seals_and_seals_with_the_new_id(start: Start) {
    let old = start(Some(default_config()));
    let seal = login(&old).await;

    // Without the upgrade on read, as in iron-session: only a save re-seals.
    let rotated = builder(Passwords::from_pairs([(1, PASSWORD), (2, NEW_PASSWORD)]).unwrap())
        .password_upgrade(false);
    let new = start(Some(rotated.build().unwrap()));
    assert_eq!(
        read(&new, &cookie(&seal)).await,
        (ALICE.into(), "none".into())
    );
    let answer = post(&new, "/visit", Some(&seal), "").await;
    let expected = r#"{"username":"alice","isLoggedIn":true,"visits":1}"#;
    assert_eq!((answer.status, answer.body.as_str()), (200, expected));
    let (resealed, attributes) = answer.only_cookie();
    assert_seal(resealed, 2);
    assert_eq!(attributes, DEFAULT_ATTRIBUTES);
    let resealed = resealed.to_owned();
    assert_eq!(
        read(&new, &cookie(&resealed)).await,
        (expected.into(), "none".into())
    );
    // A server that never had password 2 cannot read it.
    assert_eq!(
        read(&old, &cookie(&resealed)).await,
        ("{}".into(), "unknown-password".into())
    );
}

async fn logout_deletes_the_cookie_with_the_same_attributes(start: Start) {
    let server = start(Some(default_config()));
    let seal = login(&server).await;
    let answer = post(&server, "/logout", Some(&seal), "").await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "{}"));
    assert_eq!(answer.set_cookies, [DELETION]);

    let custom = builder(Passwords::single(PASSWORD).unwrap())
        .domain("example.com")
        .path("/app")
        .same_site(SameSite::Strict)
        .build()
        .unwrap();
    let server = start(Some(custom));
    let answer = post(&server, "/login", None, "alice").await;
    let (seal, attributes) = answer.only_cookie();
    assert_seal(seal, 1);
    assert_eq!(
        attributes,
        "; Max-Age=1209540; Domain=example.com; Path=/app; HttpOnly; Secure; SameSite=Strict"
    );
    let answer = post(&server, "/logout", Some(seal), "").await;
    assert_eq!(
        answer.set_cookies,
        ["sess=; Max-Age=0; Domain=example.com; Path=/app; HttpOnly; Secure; SameSite=Strict"]
    );
}

async fn saving_twice_sends_one_set_cookie(start: Start) {
    let server = start(Some(default_config()));
    let answer = post(&server, "/save-twice", None, "").await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (200, r#"{"visits":2}"#)
    );
    let seal = answer.default_seal();
    assert_eq!(
        read(&server, &cookie(&seal)).await,
        (r#"{"visits":2}"#.into(), "none".into())
    );
}

async fn an_oversize_session_is_refused_with_its_size(start: Start) {
    let server = start(Some(default_config()));
    let answer = post(&server, "/big", None, "").await;
    // The seal of the same data has the same length (the random parts have fixed sizes).
    let big = json!({"big": "x".repeat(BIG_VALUE_LEN)});
    let seal = seal_data(&big, &Passwords::single(PASSWORD).unwrap(), Ttl::DEFAULT).unwrap();
    let expected = format!("{NAME}={seal}{DEFAULT_ATTRIBUTES}").len();
    assert!(expected > 4096);
    assert_eq!(answer.status, 413);
    assert_eq!(answer.body, expected.to_string());
    assert!(answer.set_cookies.is_empty());

    // With `save()?`, the adapter answers a 500 whose body names the cause, so that a developer
    // sees it without a log subscriber.
    let answer = post(&server, "/big-unchecked", None, "").await;
    let cause = format!(
        "ironsession: session not saved: session too large: {expected} bytes, limit 4096 (store \
         less, or turn on chunking)"
    );
    assert_eq!((answer.status, answer.body.as_str()), (500, cause.as_str()));
    assert!(answer.set_cookies.is_empty());
}

async fn with_chunking_a_big_session_spills_into_chunks_and_logout_expires_them(start: Start) {
    let config = builder(Passwords::single(PASSWORD).unwrap())
        .chunking(true)
        .build()
        .unwrap();
    let server = start(Some(config));
    let answer = post(&server, "/big", None, "").await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "saved"));
    let names: Vec<&str> = answer
        .set_cookies
        .iter()
        .map(|line| line.split('=').next().unwrap())
        .collect();
    assert_eq!(names, ["sess.0", "sess.1"]);
    assert!(
        answer
            .set_cookies
            .iter()
            .all(|line| line.ends_with(DEFAULT_ATTRIBUTES) && line.len() <= 4096)
    );
    let pairs: Vec<String> = answer
        .set_cookies
        .iter()
        .map(|line| name_value(line))
        .collect();
    let chunks = [HeaderValue::from_str(&pairs.join("; ")).unwrap()];
    let (session, reason) = read(&server, &chunks).await;
    assert_eq!(reason, "none");
    let expected = json!({"big": "x".repeat(BIG_VALUE_LEN)});
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&session).unwrap(),
        expected
    );

    let answer = send(&server, Method::POST, "/logout", &chunks, "").await;
    assert_eq!(
        answer.set_cookies,
        [
            DELETION.to_owned(),
            DELETION.replacen("sess=", "sess.0=", 1),
            DELETION.replacen("sess=", "sess.1=", 1),
        ]
    );
}

/// Cookie tossing: a whole cookie planted beside a chunked session (by a subdomain, or a page on
/// plain http) would be read in its place, wherever it stands, were the whole cookie to win. The
/// request is refused in either order, and nothing is deleted.
async fn a_cookie_both_whole_and_in_chunks_is_refused_in_either_order(start: Start) {
    let reasons = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = reasons.clone();
    let config = builder(Passwords::single(PASSWORD).unwrap())
        .chunking(true)
        .on_unseal_error(move |error| record.lock().unwrap().push(error.reason().as_str()))
        .build()
        .unwrap();
    let server = start(Some(config));
    let victim = post(&server, "/big", None, "").await;
    let chunks: Vec<&str> = victim
        .set_cookies
        .iter()
        .map(|line| line.split(';').next().unwrap())
        .collect();
    assert_eq!(chunks.len(), 2, "{victim:?}");
    // The attacker's own valid login, as a whole cookie.
    let attacker = post(&server, "/login", None, "mallory")
        .await
        .default_seal();
    let tossed = format!("{NAME}={attacker}");
    let header = |pairs: &[&str]| vec![HeaderValue::from_str(&pairs.join("; ")).unwrap()];
    for (case, headers) in [
        (
            "tossed after the chunks",
            header(&[chunks[0], chunks[1], &tossed]),
        ),
        (
            "tossed before the chunks",
            header(&[&tossed, chunks[0], chunks[1]]),
        ),
        (
            "tossed in a second Cookie header",
            vec![
                header(&[chunks[0], chunks[1]]).remove(0),
                header(&[&tossed]).remove(0),
            ],
        ),
    ] {
        let (session, reason) = read(&server, &headers).await;
        assert_eq!(
            (session.as_str(), reason.as_str()),
            ("{}", "ambiguous"),
            "{case}"
        );
    }
    // Reported like any refused cookie: once per request (two requests per case).
    assert_eq!(*reasons.lock().unwrap(), ["ambiguous"; 6]);
    // Either form alone reads as it is.
    let (session, _) = read(&server, &header(&chunks)).await;
    assert!(session.starts_with(r#"{"big":"#), "{session}");
    assert_eq!(
        read(&server, &header(&[&tossed])).await.0,
        r#"{"username":"mallory","isLoggedIn":true}"#
    );
    // A new login writes one form and expires the other.
    let login = send(
        &server,
        Method::POST,
        "/login",
        &header(&[chunks[0], chunks[1], &tossed]),
        "bob",
    )
    .await;
    assert_eq!(login.set_cookies.len(), 3, "{login:?}");
    assert!(
        login.set_cookies[0].starts_with("sess=Fe26.2*1*"),
        "{login:?}"
    );
    assert_eq!(
        login.set_cookies[1..],
        [
            DELETION.replacen("sess=", "sess.0=", 1),
            DELETION.replacen("sess=", "sess.1=", 1),
        ]
    );
}

const CROSS_SITE_REFUSED: &str =
    "ironsession: cross-site request refused: the session was not written";

/// Login CSRF and forced logouts: with `refuse_cross_site_writes`, a save or destroy on an
/// unsafe-method request from another site is answered 403 and writes nothing, whatever the
/// handler returns (here the app's own 500 for an unexpected save error, or a 200 after
/// `destroy`).
async fn cross_site_writes_are_refused_with_a_403_and_nothing_written(start: Start) {
    let config = || builder(Passwords::single(PASSWORD).unwrap());
    let server = start(Some(
        config().refuse_cross_site_writes(true).build().unwrap(),
    ));
    let seal = login(&server).await;
    let own_origin = server.base.clone();
    let refused: [&[(&str, &str)]; 5] = [
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "same-site")],
        &[("sec-fetch-site", "cross-site"), ("origin", &own_origin)],
        &[("origin", "https://evil.example")],
        &[("origin", "null")],
    ];
    for headers in refused {
        for (path, cookies, body) in [
            ("/login", vec![], "mallory"),
            ("/logout", cookie(&seal), ""),
        ] {
            let answer = send_with(&server, Method::POST, path, &cookies, headers, body).await;
            assert_eq!(
                (answer.status, answer.body.as_str()),
                (403, CROSS_SITE_REFUSED),
                "{path} {headers:?}"
            );
            assert!(
                answer.set_cookies.is_empty(),
                "{path} {headers:?}: {answer:?}"
            );
        }
        // Reading is not writing: a cross-site GET reads the session as usual.
        let page = send_with(
            &server,
            Method::GET,
            "/session",
            &cookie(&seal),
            headers,
            "",
        )
        .await;
        assert_eq!(
            (page.status, page.body.as_str()),
            (200, ALICE),
            "{headers:?}"
        );
    }
    // The logouts deleted nothing and revoked nothing: alice is still logged in.
    assert_eq!(
        read(&server, &cookie(&seal)).await,
        (ALICE.into(), "none".into())
    );

    // Same origin, a navigation the user started, and requests without either header (curl) write.
    let allowed: [&[(&str, &str)]; 4] = [
        &[("sec-fetch-site", "same-origin"), ("origin", &own_origin)],
        &[("sec-fetch-site", "none")],
        &[("origin", &own_origin)],
        &[],
    ];
    for headers in allowed {
        let login = send_with(&server, Method::POST, "/login", &[], headers, "bob").await;
        assert_eq!(login.status, 200, "{headers:?}: {login:?}");
        login.default_seal();
    }

    // Off (the default), a cross-site login writes its cookie, as in iron-session.
    let off = start(Some(config().build().unwrap()));
    let csrf = [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ];
    let login = send_with(&off, Method::POST, "/login", &[], &csrf, "mallory").await;
    assert_eq!(login.status, 200, "{login:?}");
    login.default_seal();
}

/// A session changed but not saved: nothing is written by default (the change is lost, with a
/// warning in the log); with `auto_save` it is saved when the handler's `Session<T>` is dropped,
/// and an automatic save that fails turns the response into a 500 that names the cause.
async fn a_changed_session_is_saved_on_the_way_out_only_with_auto_save(start: Start) {
    let config = || builder(Passwords::single(PASSWORD).unwrap());
    let server = start(Some(config().build().unwrap()));
    let answer = post(&server, "/visit-unsaved", None, "").await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (200, r#"{"visits":1}"#)
    );
    assert!(answer.set_cookies.is_empty(), "{answer:?}");

    let server = start(Some(config().auto_save(true).build().unwrap()));
    let seal = login(&server).await;
    let answer = post(&server, "/visit-unsaved", Some(&seal), "").await;
    let visited = r#"{"username":"alice","isLoggedIn":true,"visits":1}"#;
    assert_eq!((answer.status, answer.body.as_str()), (200, visited));
    let seal = answer.default_seal();
    assert_eq!(
        read(&server, &cookie(&seal)).await,
        (visited.into(), "none".into())
    );
    // A mutable borrow that changed nothing is not a change.
    let touched = post(&server, "/touch", Some(&seal), "").await;
    assert_eq!(
        (touched.status, touched.set_cookies.len()),
        (200, 0),
        "{touched:?}"
    );
    // Too large: the handler answered 200, the response is the 500 of the failed save.
    let big = post(&server, "/big-unsaved", Some(&seal), "").await;
    assert_eq!(big.status, 500, "{big:?}");
    assert!(
        big.body
            .starts_with("ironsession: session not saved: session too large: ")
            && big
                .body
                .contains(" bytes, limit 4096 (store less, or turn on chunking)"),
        "{big:?}"
    );
    assert!(big.set_cookies.is_empty(), "{big:?}");
}

/// `(Cache-Control lines, Vary lines)` from string slices.
fn cache(cache_control: &[&str], vary: &[&str]) -> (Vec<String>, Vec<String>) {
    let owned = |lines: &[&str]| lines.iter().map(|line| (*line).to_owned()).collect();
    (owned(cache_control), owned(vary))
}

async fn responses_that_set_or_read_the_session_are_kept_out_of_shared_caches(start: Start) {
    let server = start(Some(default_config()));
    let seal = login(&server).await;
    // (action, handler's Cache-Control, handler's Vary) -> the response's lines.
    let cases = [
        ("save", "", "", cache(&["private, no-store"], &["Cookie"])),
        ("read", "", "", cache(&[], &["Cookie"])),
        (
            "save",
            "max-age=60",
            "Accept-Encoding",
            cache(&["max-age=60, private"], &["Accept-Encoding, Cookie"]),
        ),
        (
            "save",
            "private, max-age=60",
            "cookie",
            cache(&["private, max-age=60"], &["cookie"]),
        ),
        (
            "save",
            "public, max-age=60",
            "*",
            cache(&["public, max-age=60"], &["*"]),
        ),
        (
            "read",
            "public, max-age=60",
            "Origin",
            cache(&["public, max-age=60"], &["Origin, Cookie"]),
        ),
    ];
    for (action, cache_control, vary, expected) in cases {
        let body = format!("{action}\n{cache_control}\n{vary}");
        let answer = post(&server, "/headers", Some(&seal), &body).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.set_cookies.len(), usize::from(action == "save"));
        assert_eq!(answer.cache, expected, "{body:?}");
    }
    // A destroy sets a cookie too; a route without the session gets nothing.
    let answer = post(&server, "/logout", Some(&seal), "").await;
    assert_eq!(answer.cache, cache(&["private, no-store"], &["Cookie"]));
    let answer = get(&server, "/plain", Some(&seal)).await;
    assert_eq!(answer.cache, cache(&[], &[]));
}

async fn manual_cache_headers_leave_the_response_as_the_handler_made_it(start: Start) {
    let config = builder(Passwords::single(PASSWORD).unwrap())
        .dangerous_manual_cache_headers(true)
        .build()
        .unwrap();
    let server = start(Some(config));
    let answer = post(&server, "/headers", None, "save\n\n").await;
    assert_eq!(answer.set_cookies.len(), 1);
    assert_eq!(answer.cache, cache(&[], &[]));
    let answer = post(&server, "/headers", None, "save\nmax-age=60\nOrigin").await;
    assert_eq!(answer.cache, cache(&["max-age=60"], &["Origin"]));
}

async fn update_config_changes_the_ttl_of_this_save(start: Start) {
    let now = Arc::new(AtomicU64::new(T0));
    // The app raises the ttl per request, so it declares the longest it uses: the 30-day seal is
    // read back on the next request.
    let config = config_at(&now)
        .max_ttl(Ttl::seconds(30 * 24 * 3600))
        .build()
        .unwrap();
    let server = start(Some(config));
    let answer = post(&server, "/remember", None, "").await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (200, r#"{"remember":true}"#)
    );
    let (seal, attributes) = answer.only_cookie();
    assert_seal(seal, 1);
    assert_eq!(
        attributes,
        "; Max-Age=2591940; Path=/; HttpOnly; Secure; SameSite=Lax"
    );
    let expiration = seal.split('*').nth(5).unwrap();
    assert_eq!(expiration, (T0 + 30 * 24 * 3600 * 1000).to_string());
    // The next request starts from the original configuration again.
    let answer = post(&server, "/visit", Some(seal), "").await;
    assert_eq!(answer.body, r#"{"visits":1,"remember":true}"#);
    answer.default_seal();
}

async fn save_after_destroy_fails_and_the_deletion_is_still_sent(start: Start) {
    let server = start(Some(default_config()));
    let seal = login(&server).await;
    let answer = post(&server, "/destroy-then-save", Some(&seal), "").await;
    assert_eq!((answer.status, answer.body.as_str()), (409, "destroyed"));
    assert_eq!(answer.set_cookies, [DELETION]);
}

async fn an_insecure_cookie_works_with_a_cookie_jar(start: Start) {
    let config = builder(Passwords::single(PASSWORD).unwrap())
        .dangerous_insecure_cookie(true)
        .build()
        .unwrap();
    let server = start(Some(config));
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .no_proxy()
        .cookie_provider(jar.clone())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let url: reqwest::Url = server.base.parse().unwrap();
    let call = |method: Method, path: &str, body: &'static str| {
        let request = client.request(method, server.url(path)).body(body);
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };

    assert_eq!(
        call(Method::POST, "/login", "alice").await,
        (200, ALICE.into())
    );
    let stored = jar.cookies(&url).unwrap();
    assert!(
        stored.to_str().unwrap().starts_with("sess=Fe26.2*1*"),
        "{stored:?}"
    );
    let visited = r#"{"username":"alice","isLoggedIn":true,"visits":1}"#;
    assert_eq!(
        call(Method::POST, "/visit", "").await,
        (200, visited.into())
    );
    assert_eq!(
        call(Method::GET, "/session", "").await,
        (200, visited.into())
    );
    assert_eq!(call(Method::POST, "/logout", "").await, (200, "{}".into()));
    assert!(jar.cookies(&url).is_none());
    assert_eq!(call(Method::GET, "/session", "").await, (200, "{}".into()));
    assert_eq!(call(Method::GET, "/reason", "").await, (200, "none".into()));
}

async fn a_route_without_the_middleware_is_a_500_that_says_so(start: Start) {
    let server = start(None);
    let answer = get(&server, "/session", None).await;
    assert_eq!(answer.status, 500);
    // "no SessionLayer on this route" (axum), "no SessionMiddleware on this route" (actix-web).
    let (start, end) = (
        "ironsession: no Session",
        " on this route: Session<T> needs ironsession::",
    );
    assert!(
        answer.body.starts_with(start) && answer.body.contains(end),
        "{answer:?}"
    );
    assert!(answer.set_cookies.is_empty());
}

async fn browser_session_cookies_have_no_max_age(start: Start) {
    let now = Arc::new(AtomicU64::new(T0));
    let config = config_at(&now)
        .cookie_lifetime(CookieLifetime::BrowserSession)
        .build()
        .unwrap();
    let server = start(Some(config));
    let answer = post(&server, "/login", None, "alice").await;
    let (seal, attributes) = answer.only_cookie();
    assert_eq!(attributes, "; Path=/; HttpOnly; Secure; SameSite=Lax");
    // The seal still expires after the ttl.
    let expiration = seal.split('*').nth(5).unwrap();
    assert_eq!(expiration, (T0 + 14 * 24 * 3600 * 1000).to_string());
}

// ---------------------------------------------------------------------------------------------
// Every case, once per adapter.

macro_rules! adapters {
    ($($case:ident),* $(,)?) => {
        mod axum_adapter {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case(super::apps::axum_app::start).await;
                }
            )*
        }

        mod actix_adapter {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case(super::apps::actix_app::start).await;
                }
            )*
        }
    };
}

adapters!(
    no_cookie_gives_an_empty_session_and_no_set_cookie,
    login_sends_one_set_cookie_with_the_default_attributes,
    data_persists_across_requests,
    hostile_cookies_give_an_empty_session_and_the_reason,
    a_seal_expires_60_seconds_after_its_ttl,
    on_unseal_error_is_called_once_per_refused_cookie,
    a_cookie_whose_session_is_over_is_deleted_and_no_other,
    rotation_reads_old_seals_and_seals_with_the_new_id,
    logout_deletes_the_cookie_with_the_same_attributes,
    saving_twice_sends_one_set_cookie,
    an_oversize_session_is_refused_with_its_size,
    with_chunking_a_big_session_spills_into_chunks_and_logout_expires_them,
    a_cookie_both_whole_and_in_chunks_is_refused_in_either_order,
    cross_site_writes_are_refused_with_a_403_and_nothing_written,
    a_changed_session_is_saved_on_the_way_out_only_with_auto_save,
    responses_that_set_or_read_the_session_are_kept_out_of_shared_caches,
    manual_cache_headers_leave_the_response_as_the_handler_made_it,
    update_config_changes_the_ttl_of_this_save,
    save_after_destroy_fails_and_the_deletion_is_still_sent,
    an_insecure_cookie_works_with_a_cookie_jar,
    a_route_without_the_middleware_is_a_500_that_says_so,
    browser_session_cookies_have_no_max_age,
    renewal_sends_a_cookie_on_a_read_only_past_renew_after,
    the_absolute_cap_holds_while_the_client_keeps_the_session_busy,
    a_new_password_upgrades_clients_and_the_old_one_can_then_go,
    a_staged_password_is_not_used_before_its_time,
    a_bearer_session_returns_its_seal_in_a_header_and_sets_no_cookie,
    without_cookies_every_session_travels_in_the_header,
    header_seals_have_the_caps_and_refusals_of_cookies,
);

/// The `name=value` a browser sends back for a `Set-Cookie` line.
fn name_value(set_cookie: &str) -> String {
    cookie::Cookie::parse(set_cookie)
        .unwrap()
        .stripped()
        .to_string()
}
