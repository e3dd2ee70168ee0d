//! A real `redis-server` (Debian's package) for one test: started on a free loopback port,
//! without persistence, stopped on drop. `REDIS_SERVER` names another binary (e.g.
//! `valkey-server`). Shared by the ironsession, demo and Next.js example tests (each has
//! `redis` and `tempfile` among its dev-dependencies).
#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::net::{Ipv4Addr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// A running Redis server; killed on drop.
pub struct RedisServer {
    child: Option<Child>,
    /// Its loopback port.
    pub port: u16,
    /// Its working directory, removed on drop.
    dir: tempfile::TempDir,
}

impl RedisServer {
    /// Starts a server on a free port and waits until it answers `PING`.
    ///
    /// # Panics
    /// If `redis-server` is missing or does not answer within 10 s.
    pub fn start() -> RedisServer {
        Self::start_on(free_port())
    }

    /// Starts a server on `port` (a port a stopped server had, to bring "the same Redis" back).
    pub fn start_on(port: u16) -> RedisServer {
        let dir = tempfile::Builder::new()
            .prefix(&format!("ironsession-redis-{port}-"))
            .tempdir()
            .expect("a temporary directory for redis-server");
        let mut server = RedisServer {
            child: None,
            port,
            dir,
        };
        server.restart();
        server
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server (its data is gone: no persistence).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port (after [`stop`](Self::stop)), empty.
    pub fn restart(&mut self) {
        self.stop();
        let binary = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let child = Command::new(&binary)
            // A run under faketime (`scripts/test.sh` runs the revocation suite a year ahead)
            // moves the processes under test, not the store: Redis keeps the real time, as a
            // server elsewhere would (and redis-server does not start under libfaketime).
            .env_remove("LD_PRELOAD")
            .env_remove("FAKETIME")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--loglevel", "warning"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {binary}: {e}: install Debian's redis-server (scripts/test.sh does)")
            });
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.answers_ping() {
            assert!(
                Instant::now() < deadline,
                "{binary} on port {} did not answer PING within 10 s",
                self.port
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn answers_ping(&self) -> bool {
        let Ok(client) = redis::Client::open(self.url()) else {
            return false;
        };
        let Ok(mut connection) = client.get_connection_with_timeout(Duration::from_millis(200))
        else {
            return false;
        };
        let _ = connection.set_read_timeout(Some(Duration::from_millis(500)));
        redis::cmd("PING")
            .query::<String>(&mut connection)
            .is_ok_and(|reply| reply == "PONG")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // Before the directory goes (the field's own drop, right after this).
        self.stop();
    }
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}
