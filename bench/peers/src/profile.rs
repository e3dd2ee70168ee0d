//! `ironsession-peers profile SERVER [--requests N] [--warmup N] [--cookie past-window|login-window]`:
//! `GET /bench` of one server served in this process, for `bench/profile --peer SERVER`
//! (callgrind), as `ironsession-profile` serves ironsession's (see its documentation, in
//! `bench/rust/src/profile/main.rs`, whose client this is too).
//!
//! - The axum servers run in hyper's HTTP/1.1 connection on tokio's current-thread runtime, as
//!   `axum::serve` serves each connection.
//! - The actix-web servers run in actix-http's HTTP/1.1 service (`HttpService::build().h1`, what
//!   `HttpServer` runs for each connection) on actix's own runtime.
//!
//! The client logs in once, then sends `GET /bench` with the login's cookie on one kept-alive
//! connection over an in-memory stream, each request after the previous answer, as each of
//! `wrk`'s connections does. The measured requests run inside `measured_requests`, which
//! callgrind's `--toggle-collect` counts. Stderr gets the time per request; stdout one JSON
//! object. For the ironsession servers, `--cookie` is `ironsession-profile`'s: by default the
//! login's seal-key window is ended, as `wrk`'s cookie finds it in `bench/compare`.

#[path = "../../rust/src/profile/client.rs"]
mod client;
#[path = "../../rust/src/profile/window.rs"]
mod window;

use std::time::{Duration, Instant};

use actix_service::map_config;
use actix_web::App;
use actix_web::body::MessageBody;
use actix_web::cookie::Key;
use actix_web::dev::{AppConfig, Service, ServiceFactory, ServiceRequest, ServiceResponse};
use client::Client;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use ironsession::Passwords;
use tokio::io::DuplexStream;

use crate::COOKIE_NAME;

const USAGE: &str = "usage: ironsession-peers profile SERVER [--requests N] [--warmup N] \
[--cookie past-window|login-window]";

struct Config {
    server: String,
    requests: u64,
    warmup: u64,
    login_window: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Config, String> {
    let server = args.next().ok_or_else(|| USAGE.to_owned())?;
    let mut config = Config {
        server,
        requests: 20_000,
        warmup: 2_000,
        login_window: false,
    };
    while let Some(arg) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{arg} takes a number, not {value:?}"))
        };
        match (arg.as_str(), value.as_str()) {
            ("--requests", _) => config.requests = number()?.max(1),
            ("--warmup", _) => config.warmup = number()?,
            ("--cookie", "login-window" | "past-window") => {
                config.login_window = value == "login-window";
            }
            // `ironsession-profile`'s `--route`: only `/bench` here.
            ("--route", "bench") => {}
            _ => return Err(format!("unexpected {arg} {value:?}\n{USAGE}")),
        }
    }
    Ok(config)
}

/// Runs the profile; `args` are those after `profile`.
pub fn run(args: impl Iterator<Item = String>) -> Result<(), String> {
    let config = parse_args(args)?;
    let passwords = Passwords::generate()
        .and_then(Passwords::single)
        .map_err(|e| e.to_string())?;
    let session_config =
        ironsession_demo::session_config(passwords.clone()).map_err(|e| e.to_string())?;
    let (client_io, server_io) = tokio::io::duplex(64 * 1024);
    let mut client = Client::new(client_io);
    let after_login = || {
        if config.login_window {
            Ok(())
        } else {
            window::end_seal_key_window(&passwords)
        }
    };
    let (elapsed, cookie_bytes) = match config.server.as_str() {
        "axum-ironsession" | "tower-memory" | "tower-redis" | "tower-cookie"
        | "private-cookie-jar" => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("no tokio runtime: {e}"))?;
            let router = runtime.block_on(crate::axum_servers::router(
                &config.server,
                Ok(session_config),
            ))?;
            runtime.spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(server_io), TowerToHyperService::new(router)),
            );
            drive(&runtime, &mut client, &config, after_login)?
        }
        "actix-ironsession" | "actix-session" => {
            let system = actix_web::rt::System::new();
            system.block_on(async {
                if config.server == "actix-ironsession" {
                    serve_actix(
                        crate::actix_servers::ironsession_app(session_config),
                        server_io,
                    )
                    .await
                } else {
                    let app = crate::actix_servers::actix_session_app(Key::generate());
                    serve_actix(app, server_io).await
                }
            })?;
            drive(&system, &mut client, &config, after_login)?
        }
        other => return Err(format!("unknown server {other:?}\n{USAGE}")),
    };
    let (server, requests) = (&config.server, config.requests);
    #[allow(clippy::cast_precision_loss)] // request counts are far below 2^52
    let us_per_request = elapsed.as_secs_f64() * 1e6 / requests as f64;
    eprintln!(
        "ironsession-peers profile: {requests} x GET /bench ({server}): {us_per_request:.2} us \
         per request (client included)"
    );
    println!(
        r#"{{"app":"{server}","route":"/bench","requests":{requests},"us_per_request":{us_per_request:.3},"cookie_bytes":{cookie_bytes}}}"#
    );
    Ok(())
}

/// Serves one HTTP/1.1 connection on `io` with `app` in the background, as actix-web's
/// `HttpServer` serves each of its connections.
async fn serve_actix<F, B>(app: App<F>, io: DuplexStream) -> Result<(), String>
where
    F: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: MessageBody + 'static,
{
    let factory = actix_http::HttpService::build().h1(map_config(app, |()| AppConfig::default()));
    let connection = factory
        .new_service(())
        .await
        .map_err(|()| "the actix-web app did not start".to_owned())?;
    actix_web::rt::spawn(async move {
        if let Err(error) = connection.call((io, None)).await {
            eprintln!("ironsession-peers profile: connection error: {error:?}");
        }
    });
    Ok(())
}

/// A runtime that runs a future to its end (and the server's tasks meanwhile).
trait BlockOn {
    fn run<F: Future>(&self, future: F) -> F::Output;
}

impl BlockOn for tokio::runtime::Runtime {
    fn run<F: Future>(&self, future: F) -> F::Output {
        self.block_on(future)
    }
}

impl BlockOn for actix_web::rt::SystemRunner {
    fn run<F: Future>(&self, future: F) -> F::Output {
        self.block_on(future)
    }
}

/// Logs in, calls `after_login`, checks the first `GET /bench`, warms up, then times the
/// measured requests: their time and the login cookie's length.
fn drive(
    runtime: &impl BlockOn,
    client: &mut Client,
    config: &Config,
    after_login: impl FnOnce() -> Result<(), String>,
) -> Result<(Duration, usize), String> {
    let login = runtime.run(
        client.send(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"),
    )?;
    let cookie = login
        .set_cookie(COOKIE_NAME)
        .ok_or_else(|| format!("the login set no {COOKIE_NAME} cookie: {:?}", login.head))?
        .to_owned();
    after_login()?;
    let request = format!("GET /bench HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n");
    let first = runtime.run(client.send(request.as_bytes()))?;
    if first.status != 200 || first.body != b"1" {
        return Err(format!(
            "GET /bench did not read the login's session: {:?}",
            first.head
        ));
    }
    runtime.run(client.send_many(request.as_bytes(), config.warmup))?;
    let start = Instant::now();
    measured_requests(|| runtime.run(client.send_many(request.as_bytes(), config.requests)))?;
    Ok((start.elapsed(), cookie.len()))
}

/// The requests callgrind counts (`--toggle-collect=*measured_requests*`): the server's
/// connection task runs inside `run` too.
#[inline(never)]
fn measured_requests<R>(run: impl FnOnce() -> R) -> R {
    run()
}
