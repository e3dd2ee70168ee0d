//! The revocation metrics of the Redis backend (feature `metrics`): the replica's gauges and the
//! propagation lag, recorded by background tasks, so this binary installs its recorder for the
//! whole process and has one test. It starts its own `redis-server` on a free loopback port.

#[path = "support/redis_server.rs"]
mod redis_server;
#[path = "support/series.rs"]
mod series;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ironsession::revocation::redis::RedisBackend;
use ironsession::revocation::{Refusal, Revocation, SessionFields};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use redis_server::RedisServer;
use series::series;

const NOW: u64 = 1_800_000_000_000;
const SID: &str = "c2Vzc2lvbi1pZC0wMDAwMQ";

/// A backend on `redis` whose clock reads `clock`, checking every 100 ms.
fn revocation(redis: &RedisServer, clock: &Arc<AtomicU64>) -> Revocation {
    let clock = clock.clone();
    let backend = RedisBackend::builder(redis.url())
        .check_interval(Duration::from_millis(100))
        .clock(move || clock.load(Ordering::SeqCst))
        .start()
        .unwrap();
    Revocation::builder(backend).build()
}

/// The gauges' values and the histograms' values since the last snapshot, by
/// `name{label="value"}`. A gauge reads 0 between two updates (the snapshot resets it).
fn snapshot(snapshotter: &Snapshotter) -> (BTreeMap<String, f64>, BTreeMap<String, Vec<f64>>) {
    let (mut gauges, mut histograms) = (BTreeMap::new(), BTreeMap::new());
    for (key, _, _, value) in snapshotter.snapshot().into_vec() {
        let name = series(key.key());
        match value {
            DebugValue::Gauge(value) => {
                gauges.insert(name, value.into_inner());
            }
            DebugValue::Histogram(values) => {
                histograms.insert(name, values.into_iter().map(|v| v.into_inner()).collect());
            }
            DebugValue::Counter(_) => {}
        }
    }
    (gauges, histograms)
}

/// Waits (at most 10 s) until a snapshot's gauges include every one of `expected`; the
/// histogram values seen meanwhile are added to `histograms`.
async fn wait_for_gauges(
    snapshotter: &Snapshotter,
    expected: &[(&str, f64)],
    histograms: &mut BTreeMap<String, Vec<f64>>,
) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (gauges, seen) = snapshot(snapshotter);
        for (name, values) in seen {
            histograms.entry(name).or_default().extend(values);
        }
        if expected
            .iter()
            .all(|(name, value)| gauges.get(*name) == Some(value))
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "gauges {gauges:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_replica_gauges_and_the_propagation_lag_of_the_redis_backend() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder.install().unwrap();
    let mut redis = RedisServer::start();
    // Two servers of a fleet; the peer's clock runs 5 s ahead of the revoking one's.
    let revoking_clock = Arc::new(AtomicU64::new(NOW));
    let peer_clock = Arc::new(AtomicU64::new(NOW + 5_000));
    let revoking = revocation(&redis, &revoking_clock);
    let peer = revocation(&redis, &peer_clock);
    let mut histograms = BTreeMap::new();
    wait_for_gauges(
        &snapshotter,
        &[("ironsession_revocation_connected", 1.0)],
        &mut histograms,
    )
    .await;
    while !(revoking.replica().is_synced() && peer.replica().is_synced()) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    revoking.revoke_session(SID).await.unwrap();
    revoking.revoke_subject("user-42").await.unwrap();
    let session = SessionFields::new(Some(SID), Some("user-42"), Some(NOW - 1));
    let subject_only = SessionFields::new(None, Some("user-42"), Some(NOW - 1));
    while peer.check(session).is_none() || peer.check(subject_only) != Some(Refusal::Subject) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Both replicas applied both messages: each revocation's lag is 0 on the revoking server
    // (its own clock) and the 5 s of clock difference on the peer.
    let deadline = Instant::now() + Duration::from_secs(10);
    let lags = |histograms: &BTreeMap<String, Vec<f64>>, kind: &str| {
        let name = format!("ironsession_revocation_propagation_seconds{{kind=\"{kind}\"}}");
        let mut values = histograms.get(&name).cloned().unwrap_or_default();
        values.sort_by(f64::total_cmp);
        values
    };
    while lags(&histograms, "session").len() < 2 || lags(&histograms, "subject").len() < 2 {
        assert!(Instant::now() < deadline, "{histograms:?}");
        for (name, values) in snapshot(&snapshotter).1 {
            histograms.entry(name).or_default().extend(values);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(lags(&histograms, "session"), [0.0, 5.0]);
    assert_eq!(lags(&histograms, "subject"), [0.0, 5.0]);

    // The revoking server stops; the peer's checks go on. Three seconds later by its clock, its
    // last full sync is 3 s old (no full sync since: no message was lost).
    drop(revoking);
    tokio::time::sleep(Duration::from_millis(300)).await;
    peer_clock.fetch_add(3_000, Ordering::SeqCst);
    wait_for_gauges(
        &snapshotter,
        &[
            ("ironsession_revocation_replica_entries", 2.0),
            ("ironsession_revocation_seconds_since_sync", 3.0),
            ("ironsession_revocation_connected", 1.0),
        ],
        &mut histograms,
    )
    .await;

    // Redis goes away: the peer reports itself disconnected, its entries kept.
    redis.stop();
    wait_for_gauges(
        &snapshotter,
        &[
            ("ironsession_revocation_replica_entries", 2.0),
            ("ironsession_revocation_connected", 0.0),
        ],
        &mut histograms,
    )
    .await;
    assert_eq!(peer.check(session), Some(Refusal::Session));
}
