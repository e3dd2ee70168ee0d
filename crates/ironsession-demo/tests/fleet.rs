//! Three demo processes and one Redis: a logout on one server kills every copy of the cookie on
//! all of them, "log out everywhere" kills every session of a user, and Redis going away neither
//! stops the servers nor forgets a revocation. Needs Debian's `redis-server`.

mod common;
#[path = "../../ironsession/tests/support/redis_server.rs"]
mod redis_server;

use std::time::{Duration, Instant};

use common::{
    Server, TEST_PASSWORD, api_session, assert_logout_not_recorded, client, cookie_pair, login,
    redis_integer, session_set_cookie,
};
use ironsession::Passwords;
use ironsession::revocation::Revocation;
use ironsession::revocation::redis::RedisBackend;
use redis_server::RedisServer;

async fn log_in(server: &Server, username: &str) -> String {
    let response = login(&client(), server, &[("username", username)]).await;
    assert_eq!(response.status(), 303);
    cookie_pair(&session_set_cookie(&response))
}

async fn logged_in(server: &Server, cookie: &str) -> bool {
    api_session(&client(), server, Some(cookie)).await.0["isLoggedIn"] == true
}

async fn post(server: &Server, path: &str, cookie: &str) -> reqwest::Response {
    client()
        .post(server.url(path))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .expect("POST")
}

/// Waits until every server refuses `cookie`; fails after 1 s. Returns the time it took.
async fn refused_everywhere_within_one_second(servers: &[&Server], cookie: &str) -> Duration {
    let start = Instant::now();
    for server in servers {
        while logged_in(server, cookie).await {
            assert!(
                start.elapsed() < Duration::from_secs(1),
                "{} still accepts the revoked cookie after 1 s",
                server.base
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    start.elapsed()
}

#[tokio::test]
async fn a_fleet_of_three_enforces_logouts_and_survives_redis_going_away() {
    let mut redis = RedisServer::start();
    let (a, b, c) = (
        Server::demo_on_redis(TEST_PASSWORD, &redis.url()),
        Server::demo_on_redis(TEST_PASSWORD, &redis.url()),
        Server::demo_on_redis(TEST_PASSWORD, &redis.url()),
    );
    let all = [&a, &b, &c];

    // Log in on A; the copied cookie works everywhere; log out on A: B and C refuse the copy.
    let alice = log_in(&a, "alice").await;
    for server in all {
        assert!(logged_in(server, &alice).await, "{}", server.base);
    }
    let response = post(&a, "/logout", &alice).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
    let took = refused_everywhere_within_one_second(&all, &alice).await;
    eprintln!("logout on A refused on A, B and C after {took:?}");
    // B logs the refusal with the typed reason.
    b.assert_logs("reason=\"revoked\"");

    // Two logins for bob on A and B; "log out everywhere" on C ends both, not carol's.
    let bob_a = log_in(&a, "bob").await;
    let bob_b = log_in(&b, "bob").await;
    let carol = log_in(&c, "carol").await;
    let response = post(&c, "/logout-everywhere", &bob_a).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
    refused_everywhere_within_one_second(&all, &bob_a).await;
    refused_everywhere_within_one_second(&all, &bob_b).await;
    for server in all {
        assert!(logged_in(server, &carol).await, "carol is not bob");
    }
    // bob logs in again after that: the new session lives.
    let bob_again = log_in(&b, "bob").await;
    for server in all {
        assert!(logged_in(server, &bob_again).await);
    }

    // Redis goes away: every server keeps answering, old revocations hold, new ones fail.
    redis.stop();
    tokio::time::sleep(Duration::from_millis(300)).await;
    for server in all {
        let page = common::get(&client(), server, "/", Some(&carol)).await;
        assert_eq!(page.status(), 200);
        assert!(logged_in(server, &carol).await);
        assert!(!logged_in(server, &alice).await, "alice's logout holds");
        assert!(
            !logged_in(server, &bob_b).await,
            "bob's logout everywhere holds"
        );
    }
    assert_logout_not_recorded(post(&a, "/logout", &carol).await, "/logout").await;
    let response = post(&b, "/logout-everywhere", &bob_again).await;
    assert_eq!(response.status(), 503);
    for server in all {
        assert!(logged_in(server, &carol).await, "carol is still logged in");
        assert!(logged_in(server, &bob_again).await);
    }

    // Redis is back (empty): the next revocation reaches all three; the old ones still hold.
    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = post(&a, "/logout", &carol).await.status();
        if status == 303 {
            break;
        }
        assert_eq!(status, 503);
        assert!(
            Instant::now() < deadline,
            "logout still fails 10 s after Redis came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    refused_everywhere_within_one_second(&all, &carol).await;
    for server in all {
        assert!(!logged_in(server, &alice).await);
        assert!(logged_in(server, &bob_again).await);
    }
}

#[tokio::test]
async fn a_demo_started_without_redis_serves_and_says_so() {
    let mut redis = RedisServer::start();
    redis.stop();
    let demo = Server::demo_on_redis(TEST_PASSWORD, &redis.url());
    let cookie = log_in(&demo, "dave").await;
    assert!(logged_in(&demo, &cookie).await);
    assert_eq!(post(&demo, "/logout", &cookie).await.status(), 503);
    demo.assert_logs("CANNOT REACH REDIS");
}

/// Logouts from anyone, without a session: each used to revoke an id the request had just made up,
/// 30 days in Redis and in every server's memory. Now nothing is recorded and nothing is sent.
#[tokio::test]
async fn a_thousand_logouts_without_a_session_leave_redis_and_every_replica_empty() {
    let redis = RedisServer::start();
    let revocation = || {
        let backend = RedisBackend::builder(redis.url()).start().unwrap();
        let retention = Duration::from_secs(ironsession_demo::REMEMBER_TTL_SECONDS);
        Revocation::builder(backend).retention(retention).build()
    };
    // This process serves the demo; `peer` stands for another server of the fleet.
    let (local, peer) = (revocation(), revocation());
    let deadline = Instant::now() + Duration::from_secs(5);
    while !(local.replica().is_synced() && peer.replica().is_synced()) {
        assert!(Instant::now() < deadline, "the replicas never synced");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let passwords = Passwords::single(TEST_PASSWORD).unwrap();
    let config = ironsession_demo::session_config(passwords)
        .unwrap()
        .to_builder()
        .revocation(local.clone())
        .build()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server =
        tokio::spawn(async move { axum::serve(listener, ironsession_demo::app(config)).await });

    let client = client();
    for path in ["/logout", "/logout-everywhere"] {
        for _ in 0..1000 {
            let response = client.post(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(response.status(), 303, "{path}");
            assert!(
                response.headers().get("set-cookie").is_none(),
                "{path}: no cookie came, none is deleted"
            );
        }
    }
    assert_eq!(redis_integer(redis.port, &["DBSIZE"]), 0, "no key in Redis");
    assert_eq!(local.replica().len(), 0);
    assert_eq!(peer.replica().len(), 0);

    // One real logout, the marker: once the peer has it, any write of the requests above (one
    // in the background included) would have reached the store and the peer before it.
    let response = client
        .post(format!("{base}/login"))
        .form(&[("username", "alice")])
        .send()
        .await
        .unwrap();
    let cookie = cookie_pair(&session_set_cookie(&response));
    let response = client
        .post(format!("{base}/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let deadline = Instant::now() + Duration::from_secs(2);
    while peer.replica().is_empty() {
        assert!(Instant::now() < deadline, "the peer never got the logout");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        redis_integer(redis.port, &["ZCARD", "{ironsession}:revoked:sids"]),
        1
    );
    assert_eq!(local.replica().len(), 1);
    assert_eq!(peer.replica().len(), 1);
    server.abort();
}
