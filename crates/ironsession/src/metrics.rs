//! Metrics for the people on call (feature `metrics`): what the sessions and the revocation
//! replica do, recorded through the [`metrics`](https://docs.rs/metrics) crate's facade, so any
//! recorder the app installs (Prometheus with `metrics-exporter-prometheus`, StatsD, …) gets them.
//! Without a recorder each call does nothing; without the feature no call is compiled in.
//!
//! # Every metric
//!
//! | Name | Type | Labels | Unit | When it moves |
//! | --- | --- | --- | --- | --- |
//! | `ironsession_sessions_opened_total` | counter | — | sessions | a request's cookie opened and passed the lifetime and revocation checks: once per request, when a handler first reads the session |
//! | `ironsession_sessions_refused_total` | counter | `reason`: `expired`, `invalid`, `unknown-password`, `revoked`, `missing-metadata`, `ambiguous`, and any reason added later, spelled as [`UnsealReason::as_str`](crate::UnsealReason::as_str) spells it | sessions | a request's cookie was refused, for the reason of [`Session::unseal_error`](crate::Session::unseal_error): once per request (as [`on_unseal_error`](crate::SessionConfigBuilder::on_unseal_error) is called), when a handler first reads the session. A request without a cookie counts nowhere |
//! | `ironsession_sessions_saved_total` | counter | — | sessions | a seal was written into the response's `Set-Cookie` lines: a handler's `save`, or the response step's re-seal (renewal, password upgrade, new metadata), which also counts below |
//! | `ironsession_sessions_resealed_total` | counter | — | sessions | the response step re-sealed a session the handler read but did not save (renewal, password upgrade, new metadata) |
//! | `ironsession_sessions_destroyed_total` | counter | — | sessions | a handler called `destroy` (or `revoke_and_destroy`) |
//! | `ironsession_chunked_saves_total` | counter | `chunks`: `1` to `4`, the cookies the seal was cut into | sessions | a save too large for one cookie went out in chunks ([`chunking`](crate::SessionConfigBuilder::chunking) on) |
//! | `ironsession_chunked_cookies_received_total` | counter | `chunks`: `1` to `4`, the chunk cookies (`name.0` … `name.3`) the request carried | requests | a request carried chunks of the session cookie (counted when its session context is made) |
//! | `ironsession_seal_bytes` | histogram | — | bytes | every seal written (the cookie's value, before any cutting into chunks) |
//! | `ironsession_revocation_replica_entries` | gauge | — | entries | the revocation replica's entries (revoked session ids and subjects, expired ones not yet purged): at every full sync and every check of the Redis backend (default every second), and at every revocation of the in-memory one |
//! | `ironsession_revocation_seconds_since_sync` | gauge | — | seconds | the age of the replica's last full sync with its store, updated when the entries are and at every reconnection attempt while the store is down. Absent until the first full sync; `0` for the in-memory backend, whose replica is its store |
//! | `ironsession_revocation_connected` | gauge | — | 0 or 1 | `1` once the replica synced with its store, `0` while the store is unreachable (the Redis backend); the in-memory backend is always `1` |
//! | `ironsession_revocation_propagation_seconds` | histogram | `kind`: `session` (a logout, `revoke_session`), `subject` (`revoke_subject`) | seconds | a revocation published by any server of the fleet reached this replica through the Redis channel: the time from the revocation to its arrival (below) |
//!
//! Labels take only the fixed values above: never a session id, a subject, a cookie name or any
//! other value a request controls, so the number of series stays bounded whatever the traffic.
//!
//! **Propagation.** The Redis message of a revocation carries its entry's expiry, which is the
//! revocation's time plus the [retention](crate::revocation::RevocationBuilder::retention) plus
//! 60 s; the revocation's time is taken back out with this process's retention. Both assume that
//! the fleet's servers share the retention and that their clocks agree: a difference in either
//! shows up as lag (a server whose clock runs 2 s behind the revoking one reports 2 s less).
//! Entries read by a full sync are not measured: a full sync copies old entries as well as new.
//!
//! **Several revocations in one process.** The revocation gauges have no label to tell replicas
//! apart: with two Redis backends in one process they show whichever updated last.
//!
//! # Installing a recorder
//!
//! The app installs a recorder once, at start, then calls [`describe`] to give each metric its
//! help text and unit. With Prometheus (`metrics-exporter-prometheus`):
//!
//! ```ignore
//! let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
//!     // Buckets turn the histograms into Prometheus histograms (summaries otherwise).
//!     .set_buckets_for_metric(
//!         metrics_exporter_prometheus::Matcher::Full("ironsession_seal_bytes".into()),
//!         &[256.0, 512.0, 1024.0, 2048.0, 4096.0, 8192.0, 16384.0],
//!     )?
//!     .install_recorder()?;
//! ironsession::metrics::describe();
//! // Serve `handle.render()` as `text/plain; version=0.0.4` on `GET /metrics`.
//! ```
//!
//! The demo (`crates/ironsession-demo`) does exactly this.
//!
//! # Cost
//!
//! Every name and label value is a `&'static str` written into the call, so the facade's macros
//! make each metric's key a `static`: the crate allocates nothing to record. Without a recorder
//! a call is a check of the global recorder and nothing else; counted by `bench/rust`'s
//! `ironsession-allocations` (a request that loads, saves and writes the response), the feature
//! on and no recorder allocate exactly as the feature off (7 allocations). The recorder costs
//! what it costs: `metrics-exporter-prometheus` 0.18 wraps the handle it returns for each call in
//! a new `Arc`, so with it installed the same request makes 3 more allocations (32 bytes each:
//! the `opened` and `saved` counters and the seal-size histogram). The revocation gauges are set
//! by the background sync, never by a request.

// The bottom of the crate's layers (docs/architecture.md): every concept may record a metric, so
// this module uses none of them. The callers pass plain values: a reason as its `as_str`.
//
// Names are literals in each call: the facade's macros make a `static` key only of literal names
// and label values (a name in a `const` gets a key whose empty label list is copied into the
// recorder's table at every call). The test `describe_gives_every_metric_of_the_table_a_help_text`
// checks that `describe` names every metric recorded.

#[cfg(feature = "metrics")]
use ::metrics::{
    Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
};

/// Gives every metric of the table above its help text and unit, in the recorder installed now
/// (call it after installing one: a recorder installed later does not get them). Recording does
/// not need it; exporters show the help text (Prometheus' `# HELP` lines).
///
/// ```
/// let recorder = metrics_util::debugging::DebuggingRecorder::new();
/// metrics::with_local_recorder(&recorder, ironsession::metrics::describe);
/// ```
#[cfg(feature = "metrics")]
pub fn describe() {
    describe_counter!(
        "ironsession_sessions_opened_total",
        Unit::Count,
        "Sessions whose cookie opened and passed the lifetime and revocation checks"
    );
    describe_counter!(
        "ironsession_sessions_refused_total",
        Unit::Count,
        "Session cookies refused, by reason (expired, invalid, unknown-password, revoked, missing-metadata, ambiguous, ...)"
    );
    describe_counter!(
        "ironsession_sessions_saved_total",
        Unit::Count,
        "Seals written into Set-Cookie lines (saves and the response step's re-seals)"
    );
    describe_counter!(
        "ironsession_sessions_resealed_total",
        Unit::Count,
        "Sessions re-sealed on the response without a save (renewal, password upgrade, metadata)"
    );
    describe_counter!(
        "ironsession_sessions_destroyed_total",
        Unit::Count,
        "Sessions destroyed"
    );
    describe_counter!(
        "ironsession_chunked_saves_total",
        Unit::Count,
        "Saves cut into chunk cookies, by number of chunks"
    );
    describe_counter!(
        "ironsession_chunked_cookies_received_total",
        Unit::Count,
        "Requests that carried the session in chunk cookies, by number of chunks"
    );
    describe_histogram!(
        "ironsession_seal_bytes",
        Unit::Bytes,
        "Length of each seal written"
    );
    describe_gauge!(
        "ironsession_revocation_replica_entries",
        Unit::Count,
        "Entries in the local revocation replica"
    );
    describe_gauge!(
        "ironsession_revocation_seconds_since_sync",
        Unit::Seconds,
        "Seconds since the revocation replica's last full sync with its store"
    );
    describe_gauge!(
        "ironsession_revocation_connected",
        "1 when the revocation replica is connected to its store, else 0"
    );
    describe_histogram!(
        "ironsession_revocation_propagation_seconds",
        Unit::Seconds,
        "Time from a revocation to its arrival in this replica, by kind (session, subject)"
    );
}

/// Records `$metric!($name, $label => value)` with `value` one of the `&'static str` literals
/// listed: each becomes a `static` key, so recording allocates nothing. Any other value (a
/// reason added later and not listed yet) is recorded too, through a key built per call.
#[cfg(feature = "metrics")]
macro_rules! with_label {
    ($metric:ident, $name:literal, $label:literal, $value:expr, [$($known:literal),+ $(,)?]) => {
        match $value {
            $($known => $metric!($name, $label => $known),)+
            other => $metric!($name, $label => other),
        }
    };
}

/// Counts one `$name` labelled `chunks` with `$chunks` (`1` to `4`; nothing for another number).
#[cfg(feature = "metrics")]
macro_rules! count_by_chunks {
    ($name:literal, $chunks:expr) => {
        if let Some(chunks) = chunks_label($chunks) {
            with_label!(counter, $name, "chunks", chunks, ["1", "2", "3", "4"]).increment(1);
        }
    };
}

/// `1` to `4`: the chunk counts a session can have (`MAX_CHUNKS`).
#[cfg(feature = "metrics")]
fn chunks_label(chunks: usize) -> Option<&'static str> {
    ["1", "2", "3", "4"].get(chunks.checked_sub(1)?).copied()
}

/// A request's cookie opened and passed every check.
#[inline]
pub(crate) fn session_opened() {
    #[cfg(feature = "metrics")]
    counter!("ironsession_sessions_opened_total").increment(1);
}

/// A request's cookie was refused; `reason` is the `UnsealReason`'s `as_str`.
#[inline]
pub(crate) fn session_refused(reason: &'static str) {
    #[cfg(feature = "metrics")]
    with_label!(
        counter,
        "ironsession_sessions_refused_total",
        "reason",
        reason,
        [
            "expired",
            "invalid",
            "unknown-password",
            "revoked",
            "missing-metadata",
            "ambiguous"
        ]
    )
    .increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = reason;
}

/// A seal `seal_len` bytes long was written into the response's cookies.
#[inline]
pub(crate) fn session_saved(seal_len: usize) {
    #[cfg(feature = "metrics")]
    {
        counter!("ironsession_sessions_saved_total").increment(1);
        // Seals are a few kilobytes: exact in an f64.
        #[allow(clippy::cast_precision_loss)]
        histogram!("ironsession_seal_bytes").record(seal_len as f64);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = seal_len;
}

/// The response step re-sealed the session.
#[inline]
pub(crate) fn session_resealed() {
    #[cfg(feature = "metrics")]
    counter!("ironsession_sessions_resealed_total").increment(1);
}

/// A handler destroyed the session.
#[inline]
pub(crate) fn session_destroyed() {
    #[cfg(feature = "metrics")]
    counter!("ironsession_sessions_destroyed_total").increment(1);
}

/// A save went out in `chunks` chunk cookies.
#[inline]
pub(crate) fn chunked_save(chunks: usize) {
    #[cfg(feature = "metrics")]
    count_by_chunks!("ironsession_chunked_saves_total", chunks);
    #[cfg(not(feature = "metrics"))]
    let _ = chunks;
}

/// A request carried `chunks` chunk cookies of the session (`0`: none, nothing is counted).
#[cfg(feature = "metrics")]
pub(crate) fn chunked_cookies_received(chunks: usize) {
    count_by_chunks!("ironsession_chunked_cookies_received_total", chunks);
}

/// The state of a revocation replica: its entries, the ms of its last full sync (`0`: never),
/// the time now, whether it is connected to its store.
#[cfg(feature = "metrics")]
pub(crate) fn revocation_replica(entries: usize, last_sync_ms: u64, now_ms: u64, connected: bool) {
    // Counts and durations far below 2^53: exact in an f64.
    #[allow(clippy::cast_precision_loss)]
    {
        gauge!("ironsession_revocation_replica_entries").set(entries as f64);
        if last_sync_ms > 0 {
            gauge!("ironsession_revocation_seconds_since_sync")
                .set(now_ms.saturating_sub(last_sync_ms) as f64 / 1000.0);
        }
    }
    gauge!("ironsession_revocation_connected").set(if connected { 1.0 } else { 0.0 });
}

/// A revocation of `kind` (`session` or `subject`) made at `revoked_ms` reached this replica at
/// `now_ms`.
#[cfg(all(feature = "metrics", feature = "redis"))]
pub(crate) fn revocation_propagated(kind: &'static str, revoked_ms: u64, now_ms: u64) {
    // A clock behind the revoking server's would give a negative lag: recorded as 0.
    #[allow(clippy::cast_precision_loss)]
    let seconds = now_ms.saturating_sub(revoked_ms) as f64 / 1000.0;
    with_label!(
        histogram,
        "ironsession_revocation_propagation_seconds",
        "kind",
        kind,
        ["session", "subject"]
    )
    .record(seconds);
}

#[cfg(all(test, feature = "metrics"))]
mod tests {
    use super::*;

    #[test]
    fn chunk_counts_have_a_label_from_1_to_4_only() {
        assert_eq!(chunks_label(0), None);
        assert_eq!(chunks_label(1), Some("1"));
        assert_eq!(chunks_label(4), Some("4"));
        assert_eq!(chunks_label(5), None);
    }
}
