//! `GET /metrics`: the metrics ironsession records (see `ironsession::metrics` for the table), in
//! Prometheus' text format, from `metrics-exporter-prometheus`'s recorder.
//!
//! The demo serves them beside its pages, on the same loopback port; an app reachable from a
//! network serves them on a port of its own, or behind its access control.

use std::time::Duration;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

/// The seal sizes' buckets, in bytes: one cookie holds at most 4 KB, four chunks about 16 KB.
const SEAL_BYTES_BUCKETS: [f64; 7] = [256.0, 512.0, 1024.0, 2048.0, 4096.0, 8192.0, 16384.0];

/// The propagation lag's buckets, in seconds: Redis' pub/sub takes milliseconds, a lost message
/// waits for the next version check (1 s by default).
const PROPAGATION_BUCKETS: [f64; 8] = [0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 2.0, 5.0];

/// The media type of Prometheus' text format.
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Installs the Prometheus recorder for the whole process, with buckets for ironsession's
/// histograms, and gives every ironsession metric its help text. Call it once, at start.
///
/// ```
/// use ironsession::{JsonSession, Passwords};
///
/// let handle = ironsession_demo::metrics::install_recorder()?;
/// let config = ironsession_demo::session_config(Passwords::single(&Passwords::generate()?)?)?;
/// let session: JsonSession = config.load(&axum::http::HeaderMap::new());
/// session.save()?;
/// assert!(handle.render().contains("\nironsession_sessions_saved_total 1\n"));
/// // A second recorder is refused: there is one per process.
/// assert!(ironsession_demo::metrics::install_recorder().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// The exporter's, when a recorder is already installed.
pub fn install_recorder() -> Result<PrometheusHandle, BuildError> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("ironsession_seal_bytes".into()),
            &SEAL_BYTES_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full("ironsession_revocation_propagation_seconds".into()),
            &PROPAGATION_BUCKETS,
        )?
        .install_recorder()?;
    ironsession::metrics::describe();
    Ok(handle)
}

/// The `GET /metrics` route, rendering what `handle`'s recorder holds; merge it into the app.
///
/// ```
/// # let handle = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder().handle();
/// let app: axum::Router = axum::Router::new().merge(ironsession_demo::metrics::routes(handle));
/// # let _ = app;
/// ```
pub fn routes(handle: PrometheusHandle) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let text = handle.render();
            async move { ([(header::CONTENT_TYPE, PROMETHEUS_TEXT)], text).into_response() }
        }),
    )
}

/// The recorder's upkeep (its histograms' storage is drained into their buckets), every 5 s, as
/// the exporter asks of apps that serve the text themselves. Runs until the process exits.
///
/// ```no_run
/// # async fn start(handle: metrics_exporter_prometheus::PrometheusHandle) {
/// tokio::spawn(ironsession_demo::metrics::upkeep(handle));
/// # }
/// ```
pub async fn upkeep(handle: PrometheusHandle) {
    let mut ticks = tokio::time::interval(Duration::from_secs(5));
    loop {
        ticks.tick().await;
        handle.run_upkeep();
    }
}
