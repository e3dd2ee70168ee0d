//! Revocation over both backends: one shared suite (run for the in-memory backend and for Redis),
//! then what only Redis has: its key schema, lost messages, Redis down and back, propagation time.
//! Every Redis test starts its own `redis-server` on a free loopback port.

#[path = "support/redis_server.rs"]
mod redis_server;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http::HeaderMap;
use ironsession::revocation::redis::RedisBackend;
use ironsession::revocation::{InMemory, Refusal, Revocation, RevocationError, SessionFields};
use ironsession::{Clock, JsonSession, Passwords, SessionConfig, UnsealReason};
use redis_server::RedisServer;

const SID_A: &str = "c2Vzc2lvbi1pZC0wMDAwMQ";
const SID_B: &str = "c2Vzc2lvbi1pZC0wMDAwMg";
const NOW: u64 = 1_800_000_000_000;
const DAY_MS: u64 = 24 * 3600 * 1000;
/// The 60 s iron-session accepts a seal past its expiry, added to every entry's retention.
const SKEW_MS: u64 = 60_000;

/// Two processes' views of one store: `local` revokes, `peer` must enforce. `store` keeps the
/// store (a Redis server) alive. `clock` is `local`'s time; the peer's clock runs
/// [`PEER_AHEAD_MS`] ahead of it (on one in-memory backend, one process, only the sessions'
/// clocks differ).
struct Fleet<S> {
    store: S,
    local: Revocation,
    peer: Revocation,
    clock: Arc<AtomicU64>,
}

/// How far the peer's clock runs ahead of the local one.
const PEER_AHEAD_MS: u64 = 5_000;

/// The test clock as a backend's clock: the backend writes, prunes and syncs by it.
fn read(clock: &Arc<AtomicU64>) -> impl Fn() -> u64 + Send + Sync + 'static {
    read_ahead(clock, 0)
}

/// The test clock, `ahead_ms` fast.
fn read_ahead(clock: &Arc<AtomicU64>, ahead_ms: u64) -> impl Fn() -> u64 + Send + Sync + 'static {
    let clock = clock.clone();
    move || clock.load(Ordering::Relaxed) + ahead_ms
}

fn revocation_on(backend: impl ironsession::revocation::RevocationBackend) -> Revocation {
    Revocation::builder(backend).build()
}

fn memory_fleet() -> Fleet<()> {
    let clock = Arc::new(AtomicU64::new(NOW));
    let local = revocation_on(InMemory::with_clock(read(&clock)));
    Fleet {
        store: (),
        peer: local.clone(),
        local,
        clock,
    }
}

fn redis_backend(server: &RedisServer, clock: impl Clock) -> RedisBackend {
    RedisBackend::builder(server.url())
        .check_interval(Duration::from_millis(200))
        .clock(clock)
        .start()
        .expect("backend starts")
}

async fn redis_fleet() -> Fleet<RedisServer> {
    let server = RedisServer::start();
    let clock = Arc::new(AtomicU64::new(NOW));
    let local = revocation_on(redis_backend(&server, read(&clock)));
    let peer = revocation_on(redis_backend(&server, read_ahead(&clock, PEER_AHEAD_MS)));
    wait_until("both replicas synced", || {
        local.replica().is_synced() && peer.replica().is_synced()
    })
    .await;
    Fleet {
        store: server,
        local,
        peer,
        clock,
    }
}

/// Polls `condition` every 5 ms for up to 2 s.
async fn wait_until(what: &str, condition: impl Fn() -> bool) -> Duration {
    let start = Instant::now();
    while !condition() {
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    start.elapsed()
}

const PASSWORD: &str = "m1oxxt9EI0aCmQ09WL9uxDt4NUKo--xS1pyunOPJacU";

/// A server's session configuration: revocation through `revocation`, time from `clock`.
fn config_with(revocation: Revocation, clock: impl Clock) -> SessionConfig {
    SessionConfig::builder("s", Passwords::single(PASSWORD).unwrap())
        .clock(clock)
        .revocation(revocation)
        .build()
        .unwrap()
}

fn headers(cookie: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    headers
}

/// Logs in `user` (subject set) and returns the `Cookie` header of the saved session.
fn log_in(config: &SessionConfig, user: &str) -> String {
    let mut session: JsonSession = config.load(&HeaderMap::new());
    session.insert("user".into(), user.into());
    session.set_subject(user).unwrap();
    session.save().unwrap();
    let line = session.take_set_cookies().remove(0);
    cookie_pair(&line)
}

/// The `name=value` a browser sends back for a `Set-Cookie` line.
fn cookie_pair(set_cookie: &str) -> String {
    cookie::Cookie::parse(set_cookie)
        .unwrap()
        .stripped()
        .to_string()
}

/// Why `config` refuses the session of `cookie`, `None` when it reads it.
fn refusal(config: &SessionConfig, cookie: &str) -> Option<Refusal> {
    let session: JsonSession = config.load(&headers(cookie));
    match session.unseal_error() {
        None => {
            assert!(!session.is_empty(), "accepted sessions keep their data");
            None
        }
        Some(error) => {
            assert!(session.is_empty(), "a refused session reads as empty");
            assert_eq!(error.reason(), UnsealReason::Revoked, "{error}");
            assert_eq!(error.reason().as_str(), "revoked");
            assert!(error.cause().is_none());
            error.refusal()
        }
    }
}

/// The suite every backend passes.
mod suite {
    use super::*;

    pub async fn a_revoked_session_is_refused_by_every_process<S>(fleet: Fleet<S>) {
        let Fleet { local, peer, .. } = &fleet;
        assert_eq!(
            peer.check(SessionFields::new(Some(SID_A), None, Some(NOW))),
            None
        );
        local.revoke_session(SID_A).await.expect("revoked");
        assert_eq!(
            local.check(SessionFields::new(Some(SID_A), None, Some(NOW))),
            Some(Refusal::Session)
        );
        wait_until("the peer refuses", || {
            peer.check(SessionFields::new(Some(SID_A), None, Some(NOW))) == Some(Refusal::Session)
        })
        .await;
        assert_eq!(
            peer.check(SessionFields::new(Some(SID_B), None, Some(NOW))),
            None
        );
        assert_eq!(peer.check(SessionFields::new(None, None, None)), None);
    }

    pub async fn a_revoked_subject_refuses_only_its_earlier_sessions<S>(fleet: Fleet<S>) {
        let Fleet {
            local, peer, clock, ..
        } = &fleet;
        let before = local.generation();
        local.revoke_subject("user-42").await.expect("revoked");
        let revoked = local.generation();
        assert!(revoked > before, "the revocation is a new generation");
        let at = |subject, generation| {
            SessionFields::new(Some(SID_A), Some(subject), Some(NOW)).with_generation(generation)
        };
        wait_until("the peer refuses", || {
            peer.check(at("user-42", revoked - 1)) == Some(Refusal::Subject)
        })
        .await;
        // Created after its server applied the revocation: a login after "log out everywhere".
        assert_eq!(peer.generation(), revoked);
        assert_eq!(peer.check(at("user-42", revoked)), None);
        assert_eq!(peer.check(at("user-43", before)), None);
        // A second revocation later widens the cut.
        clock.store(NOW + 10_000, Ordering::Relaxed);
        local.revoke_subject("user-42").await.expect("revoked");
        let again = local.generation();
        wait_until("the peer applies the later cut", || {
            peer.check(at("user-42", again - 1)) == Some(Refusal::Subject)
        })
        .await;
        assert_eq!(peer.check(at("user-42", again)), None);
    }

    /// The cases, with the peer's clock 5 s ahead of the revoking server's: a session
    /// made on the fast server 1 s before the revocation, one made at the revocation's very
    /// millisecond, and logins 1.1 s after it returned.
    pub async fn subject_revocation_holds_with_clocks_5_s_apart<S>(fleet: Fleet<S>) {
        let Fleet {
            local, peer, clock, ..
        } = &fleet;
        let slow = config_with(local.clone(), read(clock));
        let fast = config_with(peer.clone(), read_ahead(clock, PEER_AHEAD_MS));
        let before = log_in(&fast, "kim");
        clock.fetch_add(1_000, Ordering::Relaxed);
        let at_the_same_ms = log_in(&slow, "kim");
        local.revoke_subject("kim").await.expect("revoked");
        let revoked = local.generation();
        wait_until("the fast server applied it", || {
            peer.generation() >= revoked
        })
        .await;
        clock.fetch_add(1_100, Ordering::Relaxed);
        let after_on_fast = log_in(&fast, "kim");
        let after_on_slow = log_in(&slow, "kim");
        for (server, config) in [("slow", &slow), ("fast", &fast)] {
            assert_eq!(refusal(config, &before), Some(Refusal::Subject), "{server}");
            assert_eq!(
                refusal(config, &at_the_same_ms),
                Some(Refusal::Subject),
                "{server}"
            );
            assert_eq!(refusal(config, &after_on_fast), None, "{server}");
            assert_eq!(refusal(config, &after_on_slow), None, "{server}");
        }
    }

    pub async fn entries_expire_after_the_retention_and_the_seal_skew<S>(fleet: Fleet<S>) {
        let Fleet { local, peer, .. } = &fleet;
        let retention_ms = 14 * DAY_MS;
        assert_eq!(local.retention(), Duration::from_millis(retention_ms));
        local.revoke_session(SID_A).await.expect("revoked");
        local.revoke_subject("user-42").await.expect("revoked");
        wait_until("the peer has both", || {
            peer.check(SessionFields::new(None, Some("user-42"), Some(0)))
                .is_some()
                && peer
                    .check(SessionFields::new(Some(SID_A), None, None))
                    .is_some()
        })
        .await;
        let last_refused = NOW + retention_ms + SKEW_MS - 1;
        assert_eq!(
            peer.check_at(SessionFields::new(Some(SID_A), None, None), last_refused),
            Some(Refusal::Session)
        );
        assert_eq!(
            peer.check_at(
                SessionFields::new(None, Some("user-42"), Some(0)),
                last_refused
            ),
            Some(Refusal::Subject)
        );
        let expired = NOW + retention_ms + SKEW_MS;
        assert_eq!(
            peer.check_at(SessionFields::new(Some(SID_A), None, None), expired),
            None
        );
        assert_eq!(
            peer.check_at(SessionFields::new(None, Some("user-42"), Some(0)), expired),
            None
        );
    }

    pub async fn bad_ids_and_subjects_are_refused_before_the_store<S>(fleet: Fleet<S>) {
        let Fleet { local, .. } = &fleet;
        for sid in [
            "",
            "short",
            "c2Vzc2lvbi1pZC0wMDAwMQ=",
            "c2Vzc2lvbi1pZC0wMDAwM+",
        ] {
            assert!(
                matches!(
                    local.revoke_session(sid).await,
                    Err(RevocationError::InvalidSessionId)
                ),
                "{sid:?}"
            );
        }
        for subject in [String::new(), "x".repeat(1025)] {
            assert!(matches!(
                local.revoke_subject(&subject).await,
                Err(RevocationError::InvalidSubject)
            ));
        }
        assert!(local.revoke_subject(&"x".repeat(1024)).await.is_ok());
        assert!(local.replica().len() <= 1);
    }

    pub async fn a_background_revocation_is_enforced_here_at_once_and_then_everywhere<S>(
        fleet: Fleet<S>,
    ) {
        let Fleet { local, peer, .. } = &fleet;
        local.revoke_session_in_background(SID_B).expect("valid id");
        assert_eq!(
            local.check(SessionFields::new(Some(SID_B), None, None)),
            Some(Refusal::Session)
        );
        wait_until("the peer refuses", || {
            peer.check(SessionFields::new(Some(SID_B), None, None)) == Some(Refusal::Session)
        })
        .await;
        assert!(matches!(
            local.revoke_session_in_background("nope"),
            Err(RevocationError::InvalidSessionId)
        ));
    }

    pub async fn subjects_with_spaces_and_colons_round_trip<S>(fleet: Fleet<S>) {
        let Fleet { local, peer, .. } = &fleet;
        let subject = "urn:user: Jane Doe 42";
        local.revoke_subject(subject).await.expect("revoked");
        wait_until("the peer refuses", || {
            peer.check(SessionFields::new(None, Some(subject), Some(NOW - 1)))
                == Some(Refusal::Subject)
        })
        .await;
        assert_eq!(
            peer.check(SessionFields::new(None, Some("urn:user:"), Some(NOW - 1))),
            None
        );
    }
}

macro_rules! suite_for {
    ($backend:ident, $fleet:expr) => {
        mod $backend {
            use super::*;

            #[tokio::test]
            async fn a_revoked_session_is_refused_by_every_process() {
                suite::a_revoked_session_is_refused_by_every_process($fleet).await;
            }

            #[tokio::test]
            async fn a_revoked_subject_refuses_only_its_earlier_sessions() {
                suite::a_revoked_subject_refuses_only_its_earlier_sessions($fleet).await;
            }

            #[tokio::test]
            async fn subject_revocation_holds_with_clocks_5_s_apart() {
                suite::subject_revocation_holds_with_clocks_5_s_apart($fleet).await;
            }

            #[tokio::test]
            async fn entries_expire_after_the_retention_and_the_seal_skew() {
                suite::entries_expire_after_the_retention_and_the_seal_skew($fleet).await;
            }

            #[tokio::test]
            async fn bad_ids_and_subjects_are_refused_before_the_store() {
                suite::bad_ids_and_subjects_are_refused_before_the_store($fleet).await;
            }

            #[tokio::test]
            async fn a_background_revocation_is_enforced_here_at_once_and_then_everywhere() {
                suite::a_background_revocation_is_enforced_here_at_once_and_then_everywhere($fleet)
                    .await;
            }

            #[tokio::test]
            async fn subjects_with_spaces_and_colons_round_trip() {
                suite::subjects_with_spaces_and_colons_round_trip($fleet).await;
            }
        }
    };
}

suite_for!(on_memory, memory_fleet());
suite_for!(on_redis, redis_fleet().await);

// ---- Redis only ----

async fn raw(server: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .expect("raw connection")
}

#[tokio::test]
async fn redis_keys_follow_the_documented_schema() {
    let fleet = redis_fleet().await;
    let mut redis = raw(&fleet.store).await;
    fleet.local.revoke_session(SID_A).await.unwrap();
    fleet.local.revoke_subject("urn:user:42").await.unwrap();
    let expires = NOW + 14 * DAY_MS + SKEW_MS;
    // The version starts at the writer's clock: NOW + 1, then NOW + 2 for the subject.
    let generation = NOW + 2;
    let sid_score: Option<f64> = redis::cmd("ZSCORE")
        .arg("{ironsession}:revoked:sids")
        .arg(SID_A)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(sid_score, Some(expires as f64));
    let subjects: Vec<(String, f64)> = redis::cmd("ZRANGE")
        .arg("{ironsession}:revoked:subjects")
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(
        subjects,
        vec![(format!("g{generation}:{NOW}:urn:user:42"), expires as f64)]
    );
    let version: u64 = redis::cmd("GET")
        .arg("{ironsession}:revoked:version")
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(version, generation);
    assert_eq!(fleet.local.generation(), generation);
}

#[tokio::test]
async fn messages_on_the_channel_follow_the_documented_format() {
    let fleet = redis_fleet().await;
    let client = redis::Client::open(fleet.store.url()).unwrap();
    let mut pubsub = client.get_async_pubsub().await.unwrap();
    pubsub.subscribe("{ironsession}:revoked").await.unwrap();
    fleet.local.revoke_session(SID_A).await.unwrap();
    fleet.local.revoke_subject("Jane Doe").await.unwrap();
    let expires = NOW + 14 * DAY_MS + SKEW_MS;
    let mut stream = pubsub.on_message();
    use futures_util::StreamExt as _;
    let first: String = stream.next().await.unwrap().get_payload().unwrap();
    let second: String = stream.next().await.unwrap().get_payload().unwrap();
    assert_eq!(first, format!("{} sid {expires} {SID_A}", NOW + 1));
    assert_eq!(second, format!("{} sub {expires} {NOW} Jane Doe", NOW + 2));
}

#[tokio::test]
async fn an_entry_written_without_a_message_is_found_by_the_version_check() {
    // A Node service (or a lost message) may add an entry the channel never announced: the
    // version counter shows the difference within one check interval.
    let fleet = redis_fleet().await;
    let mut redis = raw(&fleet.store).await;
    // Live by the test clock, which the backends prune by.
    let expires = NOW + 3_600_000;
    let _: () = redis::pipe()
        .cmd("ZADD")
        .arg("{ironsession}:revoked:sids")
        .arg(expires)
        .arg(SID_B)
        .ignore()
        .cmd("ZADD")
        .arg("{ironsession}:revoked:subjects")
        .arg(expires)
        .arg(format!("{NOW}:silent"))
        .ignore()
        .cmd("INCR")
        .arg("{ironsession}:revoked:version")
        .ignore()
        .query_async(&mut redis)
        .await
        .unwrap();
    let peer = &fleet.peer;
    wait_until("the peer resynced", || {
        peer.check(SessionFields::new(Some(SID_B), None, None)) == Some(Refusal::Session)
            && peer.check(SessionFields::new(None, Some("silent"), Some(NOW - 1)))
                == Some(Refusal::Subject)
    })
    .await;
}

#[tokio::test]
async fn a_lost_message_is_found_by_the_gap_before_the_next_one() {
    // A revocation whose message never arrived (its PUBLISH lost), then a later one that does:
    // the version of the later message skips one, and that gap triggers a full sync at once. The
    // version checks are an hour apart here (and the full resync 5 minutes), so only the gap can
    // find the lost entry within the wait.
    let server = RedisServer::start();
    let backend = RedisBackend::builder(server.url())
        .check_interval(Duration::from_secs(3600))
        .start()
        .unwrap();
    let peer = Revocation::builder(backend).build();
    wait_until("synced", || peer.replica().is_synced()).await;
    let mut redis = raw(&server).await;
    let expires = iron_seal_now() + 3_600_000;
    // One transaction, so that nothing can read the store between the two revocations.
    let _: () = redis::pipe()
        .atomic()
        .cmd("ZADD")
        .arg("{ironsession}:revoked:sids")
        .arg(expires)
        .arg(SID_B)
        .ignore()
        .cmd("INCR")
        .arg("{ironsession}:revoked:version")
        .ignore()
        .cmd("ZADD")
        .arg("{ironsession}:revoked:sids")
        .arg(expires)
        .arg(SID_A)
        .ignore()
        .cmd("INCR")
        .arg("{ironsession}:revoked:version")
        .ignore()
        .cmd("PUBLISH")
        .arg("{ironsession}:revoked")
        .arg(format!("2 sid {expires} {SID_A}"))
        .ignore()
        .query_async(&mut redis)
        .await
        .unwrap();
    wait_until("the published revocation arrived", || {
        peer.check(SessionFields::new(Some(SID_A), None, None)) == Some(Refusal::Session)
    })
    .await;
    wait_until("the lost revocation was found", || {
        peer.check(SessionFields::new(Some(SID_B), None, None)) == Some(Refusal::Session)
    })
    .await;
}

#[tokio::test]
async fn expired_entries_leave_redis_on_the_next_write() {
    let fleet = redis_fleet().await;
    let mut redis = raw(&fleet.store).await;
    // By the backend's clock (the test clock, years away from the system clock): an entry that
    // expired an hour ago goes; one that expired 30 s ago stays, since a server whose clock is
    // slower by that much still enforces it; one that expires in an hour stays.
    let gone = "AAAAAAAAAAAAAAAAAAAAAA";
    let just_expired = "AAAAAAAAAAAAAAAAAAAAAQ";
    let live = "AAAAAAAAAAAAAAAAAAAAAg";
    let _: () = redis::cmd("ZADD")
        .arg("{ironsession}:revoked:sids")
        .arg(NOW - 3_600_000)
        .arg(gone)
        .arg(NOW - 30_000)
        .arg(just_expired)
        .arg(NOW + 3_600_000)
        .arg(live)
        .query_async(&mut redis)
        .await
        .unwrap();
    fleet.local.revoke_session(SID_A).await.unwrap();
    let members: Vec<String> = redis::cmd("ZRANGE")
        .arg("{ironsession}:revoked:sids")
        .arg(0)
        .arg(-1)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(
        members,
        vec![just_expired.to_owned(), live.to_owned(), SID_A.to_owned()]
    );
}

#[tokio::test]
async fn a_full_sync_prunes_the_store_by_the_backends_clock() {
    let fleet = redis_fleet().await;
    let mut redis = raw(&fleet.store).await;
    let _: () = redis::cmd("ZADD")
        .arg("{ironsession}:revoked:subjects")
        .arg(NOW - 3_600_000)
        .arg(format!("{}:gone", NOW - DAY_MS))
        .arg(NOW + 3_600_000)
        .arg(format!("{}:live", NOW - DAY_MS))
        .query_async(&mut redis)
        .await
        .unwrap();
    // A third process starting now syncs in full, which prunes.
    let clock = Arc::new(AtomicU64::new(NOW));
    let third = revocation_on(redis_backend(&fleet.store, read(&clock)));
    wait_until("the third process synced", || third.replica().is_synced()).await;
    let members: Vec<String> = redis::cmd("ZRANGE")
        .arg("{ironsession}:revoked:subjects")
        .arg(0)
        .arg(-1)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(members, vec![format!("{}:live", NOW - DAY_MS)]);
    assert_eq!(
        third.check(SessionFields::new(
            None,
            Some("live"),
            Some(NOW - 2 * DAY_MS)
        )),
        Some(Refusal::Subject)
    );
}

#[tokio::test]
async fn redis_down_keeps_known_revocations_fails_new_ones_and_resyncs_on_return() {
    let mut fleet = redis_fleet().await;
    fleet.local.revoke_session(SID_A).await.unwrap();
    let peer = fleet.peer.clone();
    wait_until("the peer has it", || {
        peer.check(SessionFields::new(Some(SID_A), None, None))
            .is_some()
    })
    .await;

    fleet.store.stop();
    wait_until("both notice", || {
        !fleet.local.replica().is_connected() && !peer.replica().is_connected()
    })
    .await;
    assert_eq!(
        peer.check(SessionFields::new(Some(SID_A), None, None)),
        Some(Refusal::Session)
    );
    assert_eq!(
        peer.check(SessionFields::new(Some(SID_B), None, None)),
        None
    );
    let started = Instant::now();
    let error = fleet
        .local
        .revoke_session(SID_B)
        .await
        .expect_err("Redis is down");
    assert!(
        matches!(
            error,
            RevocationError::Store(_) | RevocationError::Timeout { .. }
        ),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        fleet
            .local
            .check(SessionFields::new(Some(SID_B), None, None)),
        None,
        "not recorded: not enforced"
    );

    // The same Redis comes back, empty: the next revocation reaches the peer.
    fleet.store.restart();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match fleet.local.revoke_session(SID_B).await {
            Ok(()) => break,
            Err(error) => {
                assert!(
                    Instant::now() < deadline,
                    "still failing after Redis is back: {error}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    wait_until("the peer gets the new one", || {
        peer.check(SessionFields::new(Some(SID_B), None, None)) == Some(Refusal::Session)
    })
    .await;
    assert_eq!(
        peer.check(SessionFields::new(Some(SID_A), None, None)),
        Some(Refusal::Session),
        "old one kept"
    );
    wait_until_long("the peer is connected", || peer.replica().is_connected()).await;
}

/// Retries `revoke_subject` until Redis, just restarted, takes it.
async fn revoke_subject_when_back(revocation: &Revocation, subject: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Err(error) = revocation.revoke_subject(subject).await {
        assert!(Instant::now() < deadline, "Redis never came back: {error}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn generations_never_go_back_when_redis_restarts_empty() {
    // Sessions made before the restart carry the old store's generations; the new store's
    // counter would start at 1 again, and its revocations would refuse none of them.
    let mut fleet = redis_fleet().await;
    let config = config_with(fleet.local.clone(), read(&fleet.clock));
    fleet.local.revoke_session(SID_A).await.unwrap();
    let lee = log_in(&config, "lee");
    let mia = log_in(&config, "mia");
    let old_generation = fleet.local.generation();
    assert!(
        old_generation >= NOW,
        "the counter started at the writer's clock"
    );

    // A store whose counter is behind what this server has seen (a failover that lost writes, or
    // a writer that counted from 0): the revocation goes above this server's generation.
    fleet.store.stop();
    fleet.store.restart();
    let mut redis = raw(&fleet.store).await;
    let _: () = redis::cmd("SET")
        .arg("{ironsession}:revoked:version")
        .arg(5)
        .query_async(&mut redis)
        .await
        .unwrap();
    revoke_subject_when_back(&fleet.local, "lee").await;
    assert!(fleet.local.generation() > old_generation);
    assert_eq!(refusal(&config, &lee), Some(Refusal::Subject));

    // An emptied store and a server that never saw the old generations (started since): the
    // counter starts at that server's clock, above them.
    fleet.store.stop();
    fleet.store.restart();
    fleet.clock.fetch_add(1_000, Ordering::Relaxed);
    let newcomer = revocation_on(redis_backend(&fleet.store, read(&fleet.clock)));
    wait_until_long("the newcomer synced", || newcomer.replica().is_synced()).await;
    assert_eq!(newcomer.generation(), 0, "an empty store has no version");
    revoke_subject_when_back(&newcomer, "mia").await;
    assert!(newcomer.generation() > old_generation);
    let newcomer_config = config_with(newcomer, read(&fleet.clock));
    assert_eq!(refusal(&newcomer_config, &mia), Some(Refusal::Subject));
    // And the server that saw them keeps handing out its higher generation meanwhile.
    assert!(fleet.local.generation() > old_generation);
}

#[test]
fn in_memory_generations_start_at_the_backends_clock() {
    // So that after a restart, which forgets every revocation, the revocations made afterwards
    // still refuse the sessions of the earlier run.
    let revocation = revocation_on(InMemory::with_clock(|| NOW));
    assert_eq!(revocation.generation(), NOW);
}

fn iron_seal_now() -> u64 {
    ironsession::iron_seal::system_now_ms()
}

#[tokio::test]
async fn a_process_started_without_redis_serves_then_syncs_when_it_appears() {
    let port = redis_server::free_port();
    let url = format!("redis://127.0.0.1:{port}/");
    let serving = Revocation::builder(RedisBackend::builder(&url).start().unwrap()).build();
    let strict = Revocation::builder(RedisBackend::builder(&url).start().unwrap())
        .refuse_sessions_until_synced(true)
        .build();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!serving.replica().is_synced());
    assert_eq!(
        serving.check(SessionFields::new(Some(SID_A), None, None)),
        None
    );
    assert_eq!(
        strict.check(SessionFields::new(Some(SID_A), None, None)),
        Some(Refusal::NotSynced)
    );
    assert_eq!(
        strict.check(SessionFields::new(None, None, None)),
        Some(Refusal::NotSynced)
    );
    assert!(serving.revoke_session(SID_A).await.is_err());

    let server = RedisServer::start_on(port);
    let mut redis = raw(&server).await;
    let expires = iron_seal_now() + 3_600_000;
    let _: () = redis::cmd("ZADD")
        .arg("{ironsession}:revoked:sids")
        .arg(expires)
        .arg(SID_A)
        .query_async(&mut redis)
        .await
        .unwrap();
    wait_until_long("both synced", || {
        serving.replica().is_synced() && strict.replica().is_synced()
    })
    .await;
    assert_eq!(
        strict.check(SessionFields::new(Some(SID_B), None, None)),
        None
    );
    assert_eq!(
        strict.check(SessionFields::new(Some(SID_A), None, None)),
        Some(Refusal::Session)
    );
    assert_eq!(
        serving.check(SessionFields::new(Some(SID_A), None, None)),
        Some(Refusal::Session)
    );
}

/// [`wait_until`] with 10 s: reconnects back off up to 2 s.
async fn wait_until_long(what: &str, condition: impl Fn() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_custom_prefix_keeps_two_apps_apart() {
    let server = RedisServer::start();
    let clock = Arc::new(AtomicU64::new(NOW));
    let backend = |prefix: &str| {
        RedisBackend::builder(server.url())
            .key_prefix(prefix)
            .clock(read(&clock))
            .start()
            .unwrap()
    };
    let shop = revocation_on(backend("{shop}"));
    let blog = revocation_on(backend("{blog}"));
    let blog_peer = revocation_on(backend("{blog}"));
    wait_until("synced", || {
        [&shop, &blog, &blog_peer]
            .iter()
            .all(|process| process.replica().is_synced())
    })
    .await;
    shop.revoke_session(SID_A).await.unwrap();
    // A later revocation on the blog's channel is the marker: Redis delivers a subscriber's
    // messages in the order they were published, so a blog process that has it would have had
    // the shop's first, had it heard the shop's channel.
    blog.revoke_session(SID_B).await.unwrap();
    wait_until("the blog's peer has the blog's revocation", || {
        blog_peer.check(SessionFields::new(Some(SID_B), None, None)) == Some(Refusal::Session)
    })
    .await;
    // A blog process started now reads the blog's keys in full: the shop's are not among them.
    let blog_newcomer = revocation_on(backend("{blog}"));
    wait_until("the newcomer synced", || {
        blog_newcomer.replica().is_synced()
    })
    .await;
    for process in [&blog, &blog_peer, &blog_newcomer] {
        assert_eq!(
            process.check(SessionFields::new(Some(SID_B), None, None)),
            Some(Refusal::Session)
        );
        assert_eq!(
            process.check(SessionFields::new(Some(SID_A), None, None)),
            None
        );
    }
    let mut redis = raw(&server).await;
    let count: u64 = redis::cmd("ZCARD")
        .arg("{shop}:revoked:sids")
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn propagation_to_another_process_takes_well_under_a_second() {
    let fleet = redis_fleet().await;
    let mut delays = Vec::new();
    for n in 0..200u32 {
        let sid = {
            use base64::Engine as _;
            let mut bytes = [7u8; 16];
            bytes[..4].copy_from_slice(&n.to_be_bytes());
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        };
        let start = Instant::now();
        fleet.local.revoke_session(&sid).await.unwrap();
        let peer = &fleet.peer;
        while peer
            .check(SessionFields::new(Some(&sid), None, None))
            .is_none()
        {
            assert!(
                start.elapsed() < Duration::from_secs(1),
                "revocation {n} not seen within 1 s"
            );
            tokio::task::yield_now().await;
        }
        delays.push(start.elapsed());
    }
    delays.sort();
    let p50 = delays[delays.len() / 2];
    let p99 = delays[delays.len() * 99 / 100];
    // From the revocation call to the peer's replica, the call's own round-trip included.
    eprintln!(
        "revocation propagation over {} revocations: p50 {p50:?}, p99 {p99:?}",
        delays.len()
    );
    assert!(p99 < Duration::from_secs(1), "p99 {p99:?}");
}

// ---- Sessions with revocation on ----

mod sessions {
    use super::*;
    use ironsession::iron_seal::ThreadRandom;
    use ironsession::revocation::MAX_SUBJECT_BYTES;
    use ironsession::{ConfigError, MetadataError, SaveError, Ttl, seal_data_at};

    fn memory() -> (SessionConfig, Arc<AtomicU64>) {
        let clock = Arc::new(AtomicU64::new(NOW));
        (
            config_with(
                revocation_on(InMemory::with_clock(read(&clock))),
                read(&clock),
            ),
            clock,
        )
    }

    #[tokio::test]
    async fn revoke_and_destroy_kills_every_copy_of_the_cookie() {
        let (config, _) = memory();
        let cookie = log_in(&config, "alice");
        let other = log_in(&config, "alice");
        let mut session: JsonSession = config.load(&headers(&cookie));
        assert_eq!(session.subject().as_deref(), Some("alice"));
        let sid = session.id().expect("revocation gives sessions an id");
        session.revoke_and_destroy().await.unwrap();
        assert!(session.is_empty());
        let lines = session.take_set_cookies();
        assert!(lines[0].starts_with("s=; Max-Age=0"), "{lines:?}");
        assert_eq!(refusal(&config, &cookie), Some(Refusal::Session));
        assert_eq!(refusal(&config, &other), None, "another session of alice");
        let copy: JsonSession = config.load(&headers(&cookie));
        let error = copy.unseal_error().cloned();
        assert_eq!(
            error.unwrap().to_string(),
            "revoked: the session id was revoked"
        );
        assert_eq!(
            config
                .revocation()
                .unwrap()
                .check(SessionFields::new(Some(sid.as_str()), None, None)),
            Some(Refusal::Session)
        );
    }

    #[test]
    fn a_plain_destroy_revokes_too() {
        let (config, _) = memory();
        let cookie = log_in(&config, "bob");
        let mut session: JsonSession = config.load(&headers(&cookie));
        session.destroy();
        assert_eq!(refusal(&config, &cookie), Some(Refusal::Session));
    }

    #[tokio::test]
    async fn only_the_session_a_cookie_carried_is_revoked_and_a_logout_without_one_sends_nothing() {
        let (config, _) = memory();
        let replica = || config.revocation().unwrap().replica().len();
        // No cookie: each request would otherwise revoke an id it just made up.
        for _ in 0..3 {
            let mut session: JsonSession = config.load(&HeaderMap::new());
            assert!(
                session.id().is_some(),
                "revocation gives every session an id"
            );
            session.revoke_and_destroy().await.unwrap();
            assert!(session.take_set_cookies().is_empty());
            let mut session: JsonSession = config.load(&HeaderMap::new());
            session.destroy();
            assert!(session.take_set_cookies().is_empty());
        }
        // A login and a logout in one request: that session never left the server.
        let mut session: JsonSession = config.load(&HeaderMap::new());
        session.insert("user".into(), "ivy".into());
        session.set_subject("ivy").unwrap();
        session.save().unwrap();
        session.revoke_and_destroy().await.unwrap();
        assert!(
            session.take_set_cookies().is_empty(),
            "the save's cookie is dropped"
        );
        // A cookie that does not open: deleted, nothing to revoke.
        let mut session: JsonSession = config.load(&headers("s=Fe26.2*1*garbage"));
        session.revoke_and_destroy().await.unwrap();
        assert_eq!(
            session.take_set_cookies(),
            ["s=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"]
        );
        assert_eq!(replica(), 0, "nothing was recorded");

        // A cookie that opened, then a new id in the same request (a privilege change): the id
        // the cookie carried is the one copies of it hold, and the one revoked.
        let cookie = log_in(&config, "jack");
        let mut session: JsonSession = config.load(&headers(&cookie));
        let carried = session.id().unwrap();
        session.regenerate().unwrap();
        session.destroy();
        assert_eq!(replica(), 1);
        let revocation = config.revocation().unwrap();
        assert_eq!(
            revocation.check(SessionFields::new(Some(carried.as_str()), None, None)),
            Some(Refusal::Session)
        );
        assert_eq!(refusal(&config, &cookie), Some(Refusal::Session));
    }

    #[tokio::test]
    async fn a_session_keeps_its_generation_until_it_gets_a_new_subject() {
        let (config, _) = memory();
        let revocation = config.revocation().unwrap();
        let cookie = log_in(&config, "nora");
        let made_in = revocation.generation();
        revocation.revoke_subject("someone-else").await.unwrap();
        let now = revocation.generation();
        assert!(now > made_in);
        let generation = |session: &JsonSession| session.metadata().unwrap().generation();
        let mut session: JsonSession = config.load(&headers(&cookie));
        assert_eq!(generation(&session), Some(made_in));
        // The same subject again (an app that sets it on every request) keeps the session's
        // generation: a session made before a revocation of its subject cannot step past it.
        session.set_subject("nora").unwrap();
        assert_eq!(generation(&session), Some(made_in));
        // A new subject is a login: the generation of now.
        session.set_subject("olga").unwrap();
        assert_eq!(generation(&session), Some(now));
        // As is new metadata (a new login; `regenerate` keeps the login's metadata).
        session.start_new_login().unwrap();
        assert_eq!(generation(&session), Some(now));
        let fresh: JsonSession = config.load(&HeaderMap::new());
        assert_eq!(generation(&fresh), Some(now));
    }

    #[tokio::test]
    async fn revoke_subject_refuses_the_sessions_created_before_it_only() {
        let (config, clock) = memory();
        let first = log_in(&config, "carol");
        clock.store(NOW + 1_000, Ordering::Relaxed);
        let second = log_in(&config, "carol");
        let dave = log_in(&config, "dave");
        clock.store(NOW + 2_000, Ordering::Relaxed);
        config
            .revocation()
            .unwrap()
            .revoke_subject("carol")
            .await
            .unwrap();
        assert_eq!(refusal(&config, &first), Some(Refusal::Subject));
        assert_eq!(refusal(&config, &second), Some(Refusal::Subject));
        assert_eq!(refusal(&config, &dave), None);
        clock.store(NOW + 3_000, Ordering::Relaxed);
        let after = log_in(&config, "carol");
        assert_eq!(
            refusal(&config, &after),
            None,
            "a login after the revocation"
        );
    }

    /// A cookie sealed without metadata, as a Node app that does not add it writes one.
    fn sealed_without_metadata(user: &str) -> String {
        let passwords = Passwords::single(PASSWORD).unwrap();
        let data = serde_json::json!({ "user": user });
        let seal = seal_data_at(&data, &passwords, Ttl::DEFAULT, NOW, ThreadRandom).unwrap();
        format!("s={seal}")
    }

    #[tokio::test]
    async fn sessions_without_metadata_are_refused_by_default() {
        // Each read would give it a new id: no logout could ever revoke a copy of it.
        let (config, _) = memory();
        let cookie = sealed_without_metadata("erin");
        let session: JsonSession = config.load(&headers(&cookie));
        assert!(session.is_empty());
        let error = session.unseal_error().expect("refused");
        assert_eq!(error.reason(), UnsealReason::MissingMetadata);
        assert_eq!(error.metadata_error(), Some(MetadataError::Missing));
        assert!(session.take_set_cookies().is_empty(), "the cookie is kept");
    }

    #[tokio::test]
    async fn with_the_switch_sessions_without_metadata_are_read_re_sealed_and_not_revocable() {
        let clock = Arc::new(AtomicU64::new(NOW));
        let lenient = SessionConfig::builder("s", Passwords::single(PASSWORD).unwrap())
            .clock(read(&clock))
            .revocation(revocation_on(InMemory::with_clock(read(&clock))))
            .dangerous_accept_sessions_without_metadata(true)
            .build()
            .unwrap();
        let copy = sealed_without_metadata("erin");
        let session: JsonSession = lenient.load(&headers(&copy));
        assert_eq!(session.unseal_error(), None);
        assert_eq!(session["user"], "erin");
        let sid = session.id().expect("given an id");
        // The first response re-seals it with that metadata.
        let lines = session.take_set_cookies();
        assert_eq!(lines.len(), 1, "{lines:?}");
        let resealed = cookie_pair(&lines[0]);
        let mut session: JsonSession = lenient.load(&headers(&resealed));
        assert_eq!(session.id(), Some(sid));
        // The victim logs out: that session is revoked...
        session.revoke_and_destroy().await.unwrap();
        assert_eq!(refusal(&lenient, &resealed), Some(Refusal::Session));
        // ...but a copy of the cookie without metadata still opens, with yet another id: what
        // the switch leaves open.
        let replayed: JsonSession = lenient.load(&headers(&copy));
        assert_eq!(replayed.unseal_error(), None);
        assert_eq!(replayed["user"], "erin");
        assert_ne!(replayed.id(), Some(sid));
    }

    #[tokio::test]
    async fn a_failed_revocation_destroys_nothing() {
        let clock = Arc::new(AtomicU64::new(NOW));
        let nowhere = format!("redis://127.0.0.1:{}/", redis_server::free_port());
        let backend = RedisBackend::builder(nowhere)
            .command_timeout(Duration::from_millis(300))
            .clock(read(&clock))
            .start()
            .unwrap();
        let config = config_with(revocation_on(backend), read(&clock));
        let cookie = log_in(&config, "frank");
        let mut session: JsonSession = config.load(&headers(&cookie));
        assert!(session.revoke_and_destroy().await.is_err());
        assert_eq!(session["user"], "frank", "still logged in");
        assert!(session.take_set_cookies().is_empty(), "no deletion cookie");
        assert!(session.id().is_some());
    }

    #[tokio::test]
    async fn a_subject_revocation_could_not_name_is_refused_when_set() {
        let (config, clock) = memory();
        let mut session: JsonSession = config.load(&HeaderMap::new());
        session.insert("user".into(), "ivan".into());
        for bad in [String::new(), "x".repeat(MAX_SUBJECT_BYTES + 1)] {
            let error = session.set_subject(bad).unwrap_err();
            assert!(matches!(error, SaveError::InvalidSubject), "{error}");
        }
        assert_eq!(session.subject(), None);
        let longest = "é".repeat(MAX_SUBJECT_BYTES / 2);
        session.set_subject(longest.clone()).unwrap();
        session.save().unwrap();
        let cookie = cookie_pair(&session.take_set_cookies().remove(0));
        let cookie = cookie.as_str();
        clock.fetch_add(1, Ordering::Relaxed);
        config
            .revocation()
            .unwrap()
            .revoke_subject(&longest)
            .await
            .unwrap();
        assert_eq!(refusal(&config, cookie), Some(Refusal::Subject));
    }

    #[tokio::test]
    async fn a_revoked_cookie_is_deleted_by_the_response_that_refuses_it() {
        let (config, _) = memory();
        let cookie = log_in(&config, "hana");
        let sid = {
            let session: JsonSession = config.load(&headers(&cookie));
            session.id().expect("revocation gives sessions an id")
        };
        config
            .revocation()
            .unwrap()
            .revoke_session(sid.as_str())
            .await
            .unwrap();
        let copy: JsonSession = config.load(&headers(&cookie));
        assert!(copy.is_empty());
        assert_eq!(
            copy.take_set_cookies(),
            ["s=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"]
        );
    }

    #[tokio::test]
    async fn refuse_until_synced_refuses_every_session_before_the_first_sync() {
        let clock = Arc::new(AtomicU64::new(NOW));
        let (config, _) = memory();
        let cookie = log_in(&config, "gina");
        let nowhere = format!("redis://127.0.0.1:{}/", redis_server::free_port());
        let strict = Revocation::builder(RedisBackend::builder(nowhere).start().unwrap())
            .refuse_sessions_until_synced(true)
            .build();
        let strict_config = config_with(strict, read(&clock));
        assert_eq!(refusal(&strict_config, &cookie), Some(Refusal::NotSynced));
        // Not over, only not checkable yet: the cookie stays.
        let session: JsonSession = strict_config.load(&headers(&cookie));
        assert!(session.take_set_cookies().is_empty());
    }

    /// The configurations of a "remember me" app: what `build` says about each.
    #[test]
    fn the_retention_must_cover_the_longest_life_a_cookie_can_have() {
        const DAY: u64 = 24 * 3600;
        let days = |n: u64| Duration::from_secs(n * DAY);
        let kept_for = |retention: Duration| {
            Revocation::builder(InMemory::new())
                .retention(retention)
                .build()
        };
        let builder = |retention: Duration| {
            SessionConfig::builder("s", Passwords::single(PASSWORD).unwrap())
                .revocation(kept_for(retention))
        };
        // (configuration, the longest life `build` must name, or `None` for no bound).
        type Change = fn(ironsession::SessionConfigBuilder) -> ironsession::SessionConfigBuilder;
        let refused: [(&str, Change, Option<Duration>); 7] = [
            (
                "a ttl a second over",
                |b| b.ttl(Ttl::seconds(14 * DAY + 1)),
                Some(Duration::from_secs(14 * DAY + 1)),
            ),
            (
                "remember me for 30 days",
                |b| b.max_ttl(Ttl::seconds(30 * DAY)),
                Some(days(30)),
            ),
            (
                "remember me capped at 20 days",
                |b| {
                    b.max_ttl(Ttl::seconds(30 * DAY))
                        .absolute_lifetime(Duration::from_secs(20 * DAY))
                },
                Some(days(20)),
            ),
            ("a ttl that never expires", |b| b.ttl(Ttl::Never), None),
            (
                "a max_ttl that never expires",
                |b| b.max_ttl(Ttl::Never),
                None,
            ),
            (
                "seals without expiration accepted",
                |b| b.dangerous_accept_seals_without_expiration(true),
                None,
            ),
            (
                "both",
                |b| {
                    b.ttl(Ttl::Never)
                        .dangerous_accept_seals_without_expiration(true)
                },
                None,
            ),
        ];
        for (case, change, longest) in refused {
            let error = change(builder(days(14))).build().unwrap_err();
            let message = error.to_string();
            match longest {
                Some(longest) => {
                    assert_eq!(
                        error,
                        ConfigError::RevocationRetention {
                            longest,
                            retention: days(14)
                        },
                        "{case}"
                    );
                    // The method that fixes it, with the duration to give it.
                    let seconds = longest.as_secs();
                    assert!(
                        message.contains(&format!(
                            "RevocationBuilder::retention(Duration::from_secs({seconds}))"
                        )),
                        "{case}: {message}"
                    );
                    assert!(
                        message.contains("retention of 14 days"),
                        "{case}: {message}"
                    );
                }
                None => {
                    assert_eq!(error, ConfigError::RevocationUnbounded, "{case}");
                    assert!(
                        message.contains("SessionConfigBuilder::absolute_lifetime"),
                        "{case}: {message}"
                    );
                }
            }
            assert!(!message.contains("After("), "{case}: {message}");
        }
        let message = builder(days(14))
            .max_ttl(Ttl::seconds(30 * DAY))
            .build()
            .unwrap_err()
            .to_string();
        assert!(message.contains("can live 30 days"), "{message}");
        assert!(
            message.contains("(Duration::from_secs(2592000)) (30 days)"),
            "{message}"
        );

        let accepted: [(&str, Change, Duration); 6] = [
            ("the default ttl", |b| b, days(14)),
            (
                "a ttl of the retention",
                |b| b.ttl(Ttl::seconds(14 * DAY)),
                days(14),
            ),
            (
                "remember me, kept as long",
                |b| b.max_ttl(Ttl::seconds(30 * DAY)),
                days(30),
            ),
            (
                "remember me capped at 7 days",
                |b| {
                    b.max_ttl(Ttl::seconds(30 * DAY))
                        .absolute_lifetime(Duration::from_secs(7 * DAY))
                },
                days(7),
            ),
            (
                "never expiring, capped",
                |b| {
                    b.ttl(Ttl::Never)
                        .absolute_lifetime(Duration::from_secs(DAY))
                },
                days(1),
            ),
            (
                "seals without expiration, capped",
                |b| {
                    b.dangerous_accept_seals_without_expiration(true)
                        .absolute_lifetime(Duration::from_secs(14 * DAY))
                },
                days(14),
            ),
        ];
        for (case, change, retention) in accepted {
            assert!(change(builder(retention)).build().is_ok(), "{case}");
        }
    }
}
