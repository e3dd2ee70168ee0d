//! `ironsession-allocations`: the heap allocations of one request's session work, counted.
//!
//! ```text
//! ironsession-allocations [--requests N] [--recorder]   # default 2000, after 200 of warm-up
//! ```
//!
//! `ironsession` is built here with its `metrics` feature (the demo turns it on), so each path
//! also records its metrics; without `--recorder` no recorder is installed and each call does
//! nothing, with it the demo's Prometheus recorder counts them (what `GET /metrics` serves).
//!
//! A counting allocator wraps the system allocator; each path is run N times after a warm-up
//! (the thread's random generator, the key cache and the allocator's own state settle first),
//! one call at a time on this thread, and the allocations made during each call are recorded:
//!
//! - `request`: the plain `http` API, the steps `ironsession::axum::SessionLayer` takes around
//!   the demo's `GET /bench` handler. A `SessionContext` is built from a request whose `Cookie`
//!   header carries a valid seal, the handler loads `Session<DemoSession>`, adds one to `visits`,
//!   saves, and the `Set-Cookie` line and cache headers are written into the response's
//!   `HeaderMap` (the demo's configuration: chunking on, a 30-day `max_ttl`, no `Secure`).
//! - `request-session-ids`: the same with `session_ids(true)`, so the seal also carries the
//!   session's metadata (`_is`), as with revocation or a lifetime option.
//! - `request-notes`: the same as `request`, with three notes of 1000 characters in the session
//!   (3 KB of JSON): the seal no longer fits one cookie and goes out in two chunks.
//! - `unseal_data` and `seal_data`: the data layer alone, on the same session.
//!
//! An allocation is a call to `alloc`, `alloc_zeroed` or `realloc`; bytes are what those calls
//! asked for (a `realloc`'s new size). The counts do not depend on timing or on the machine's
//! load. Only the key cache's growth varies a little from call to call (each save remembers the
//! keys of its fresh random salts in hash tables that grow until each shard's two generations
//! have their size, then are reused), so the typical call (the median) is reported, with the mean
//! and the range beside it.
//!
//! Stdout gets one line per path and a machine-readable `summary` line.

mod counting_alloc;

use std::process::ExitCode;
use std::sync::atomic::Ordering;

use counting_alloc::{ALLOCATIONS, BYTES_REQUESTED, Counting};
use http::{HeaderMap, HeaderValue, header};
use ironsession::{Passwords, Session, SessionConfig, SessionContext, Ttl};
use ironsession_demo::{DemoSession, MAX_NOTE_CHARS};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The allocations made by one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Count {
    allocations: usize,
    bytes: usize,
}

fn counted<R>(work: impl FnOnce() -> R) -> (R, Count) {
    let (allocations, bytes) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        BYTES_REQUESTED.load(Ordering::Relaxed),
    );
    let result = work();
    let count = Count {
        allocations: ALLOCATIONS.load(Ordering::Relaxed) - allocations,
        bytes: BYTES_REQUESTED.load(Ordering::Relaxed) - bytes,
    };
    (result, count)
}

/// The login's session with three of the longest notes the demo accepts.
fn with_notes() -> DemoSession {
    let notes = ["first", "second", "third"]
        .map(|word| word.repeat(MAX_NOTE_CHARS)[..MAX_NOTE_CHARS].to_owned());
    DemoSession {
        notes: Some(notes.to_vec()),
        ..DemoSession::bench_login()
    }
}

const PASSWORD: &str = "nirKIh-SRNBw4QZw1AqRWIrZv9jRM2iXixIuBJpGsto";
const DEFAULT_REQUESTS: usize = 2000;
const WARMUP: usize = 200;

/// The demo's configuration, with session ids (the seal's `_is` metadata) on or off.
fn demo_config(session_ids: bool) -> Result<SessionConfig, String> {
    let passwords = Passwords::single(PASSWORD).map_err(|e| e.to_string())?;
    ironsession_demo::session_config(passwords)
        .and_then(|config| config.to_builder().session_ids(session_ids).build())
        .map_err(|e| e.to_string())
}

/// The request headers a browser sends with `data` saved in its session: another cookie, then
/// the session's cookies.
fn request_headers(config: &SessionConfig, data: DemoSession) -> Result<HeaderMap, String> {
    let context = SessionContext::from_headers(config, &HeaderMap::new());
    let mut session: Session<DemoSession> = Session::load(&context);
    *session = data;
    session.save().map_err(|e| e.to_string())?;
    let mut cookie = "theme=dark".to_owned();
    for line in context.take_set_cookies() {
        cookie.push_str("; ");
        cookie.push_str(line.split(';').next().unwrap_or_default());
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        header::COOKIE,
        HeaderValue::try_from(cookie).map_err(|e| e.to_string())?,
    );
    headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
    Ok(headers)
}

/// One `GET /bench` as `SessionLayer` serves it: the response's headers are made before the
/// count (a response always has some), and dropped after it.
fn one_request(config: &SessionConfig, request: &HeaderMap) -> Result<(HeaderMap, Count), String> {
    let mut response = HeaderMap::with_capacity(8);
    response.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    let (result, count) = counted(|| {
        let context = SessionContext::from_headers(config, request);
        let mut session: Session<DemoSession> = Session::load(&context);
        if let Some(error) = session.unseal_error() {
            return Err(format!("the request's cookie did not open: {error}"));
        }
        session.visits = Some(session.visits.unwrap_or(0).saturating_add(1));
        session.save().map_err(|e| e.to_string())?;
        drop(session);
        context.append_set_cookies(&mut response);
        Ok(())
    });
    result.map(|()| (response, count))
}

/// Runs `work` `requests` times after a warm-up and summarises the counts.
fn measure(
    requests: usize,
    mut work: impl FnMut() -> Result<Count, String>,
) -> Result<Summary, String> {
    for _ in 0..WARMUP {
        work()?;
    }
    let mut counts = Vec::with_capacity(requests);
    for _ in 0..requests {
        counts.push(work()?);
    }
    Ok(Summary::of(counts))
}

struct Summary {
    median: Count,
    min: Count,
    max: Count,
    mean_allocations: f64,
    mean_bytes: f64,
}

impl Summary {
    fn of(mut counts: Vec<Count>) -> Summary {
        let n = counts.len() as f64;
        let mean_allocations = counts.iter().map(|c| c.allocations as f64).sum::<f64>() / n;
        let mean_bytes = counts.iter().map(|c| c.bytes as f64).sum::<f64>() / n;
        counts.sort();
        Summary {
            median: counts[counts.len() / 2],
            min: counts[0],
            max: counts[counts.len() - 1],
            mean_allocations,
            mean_bytes,
        }
    }
}

const USAGE: &str = "usage: ironsession-allocations [--requests N] [--recorder]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ironsession-allocations: {message}");
            ExitCode::from(2)
        }
    }
}

/// The options: the number of requests, and whether to install a metrics recorder.
fn options() -> Result<(usize, bool), String> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let recorder = args.iter().any(|arg| arg == "--recorder");
    args.retain(|arg| arg != "--recorder");
    let requests = match args.as_slice() {
        [] => Ok(DEFAULT_REQUESTS),
        [flag, n] if flag == "--requests" => n
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("bad --requests {n:?}")),
        _ => Err(USAGE.to_owned()),
    }?;
    Ok((requests, recorder))
}

fn run() -> Result<(), String> {
    let (requests, recorder) = options()?;
    if recorder {
        ironsession_demo::metrics::install_recorder().map_err(|e| e.to_string())?;
    }
    let mut rows = Vec::new();
    let paths = [
        ("request", false, DemoSession::bench_login()),
        ("request-session-ids", true, DemoSession::bench_login()),
        ("request-notes", false, with_notes()),
    ];
    for (path, session_ids, data) in paths {
        let config = demo_config(session_ids)?;
        let request = request_headers(&config, data)?;
        let summary = measure(requests, || {
            one_request(&config, &request).map(|(_response, count)| count)
        })?;
        rows.push((path, summary));
    }

    let config = demo_config(false)?;
    let passwords = config.passwords();
    let session = DemoSession::bench_login();
    let sealed =
        ironsession::seal_data(&session, passwords, Ttl::DEFAULT).map_err(|e| e.to_string())?;
    let unsealed = measure(requests, || {
        let (opened, count) =
            counted(|| ironsession::unseal_data::<DemoSession>(&sealed, passwords));
        match opened {
            Ok(opened) if opened == session => Ok(count),
            Ok(_) => Err("unseal_data read another session".to_owned()),
            Err(e) => Err(e.to_string()),
        }
    })?;
    rows.push(("unseal_data", unsealed));
    let sealed = measure(requests, || {
        let (sealed, count) = counted(|| ironsession::seal_data(&session, passwords, Ttl::DEFAULT));
        sealed.map(|_| count).map_err(|e| e.to_string())
    })?;
    rows.push(("seal_data", sealed));

    println!(
        "{:<20} {:>11} {:>9} {:>11} {:>11} {:>13}",
        "path", "allocations", "bytes", "mean allocs", "mean bytes", "allocs range"
    );
    for (path, s) in &rows {
        println!(
            "{path:<20} {:>11} {:>9} {:>11.2} {:>11.0} {:>13}",
            s.median.allocations,
            s.median.bytes,
            s.mean_allocations,
            s.mean_bytes,
            format!("{}..{}", s.min.allocations, s.max.allocations),
        );
    }
    let fields: Vec<String> = rows
        .iter()
        .map(|(path, s)| {
            let key = path.replace('-', "_");
            format!(
                "{key}_allocations={} {key}_bytes={}",
                s.median.allocations, s.median.bytes
            )
        })
        .collect();
    println!(
        "summary requests={requests} recorder={recorder} {}",
        fields.join(" ")
    );
    Ok(())
}
