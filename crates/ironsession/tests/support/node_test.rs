//! Runs a `node --test` spec of `interop/` (the browser tests) with a time limit, in its own
//! process group, so that a time-out also ends the browser and the servers it started. Shared by
//! the demo's and the examples' browser tests.
#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Debian's Chromium, the browser of every browser test.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Fails, saying what to install, unless Chromium and `interop/node_modules` are there.
pub fn assert_browser_tools(interop: &Path) {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)"
    );
    let playwright = interop.join("node_modules/playwright-core/package.json");
    assert!(
        playwright.is_file(),
        "{} is missing: run `npm ci` in {}",
        playwright.display(),
        interop.display()
    );
}

/// Runs `node --test --test-reporter=spec SPEC` in `interop` with `env` added (and `CHROMIUM`),
/// and fails with its output when it fails or takes longer than `timeout`. Returns its stdout.
pub fn run_node_spec<K, V>(
    interop: &Path,
    spec: &str,
    env: impl IntoIterator<Item = (K, V)>,
    timeout: Duration,
) -> String
where
    K: AsRef<OsStr>,
    V: AsRef<OsStr>,
{
    let mut command = Command::new("node");
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .current_dir(interop)
        .args(["--test", "--test-reporter=spec", spec])
        .envs(env)
        .env("CHROMIUM", CHROMIUM)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): install Node.js >= 20"));
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = drain(child.stderr.take().unwrap());

    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > timeout {
            kill_group(child.id());
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(50));
    };
    let stdout = stdout.join().unwrap();
    let stderr = stderr.join().unwrap();
    match status {
        Some(status) if status.success() => stdout,
        Some(status) => panic!(
            "node --test {spec} failed ({status})\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
        ),
        None => panic!(
            "node --test {spec} took over {timeout:?} and was killed\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
        ),
    }
}

/// Kills the process group `pgid` (the node runner, Chromium and the servers it started).
fn kill_group(pgid: u32) {
    if cfg!(unix) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pgid}")])
            .status();
    }
}

/// Reads a pipe to its end on another thread (so the child never blocks on a full pipe).
fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}
