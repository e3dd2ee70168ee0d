//! The demo in a real headless Chromium: runs `node --test interop/browser/demo.spec.mjs`
//! (playwright-core driving Debian's `/usr/bin/chromium`) against this build's demo binary.
//!
//! Requires Node.js >= 20, `npm ci` in `interop/` and Debian's `chromium` package; without
//! them the test fails and says what to install.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const TIMEOUT: Duration = Duration::from_secs(120);
/// The logged-in page with its "What is in my cookie?" panel, as Chromium renders it.
const SCREENSHOT: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/demo-screenshot.png");

#[test]
fn the_demo_works_in_headless_chromium() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)"
    );
    let interop = common::repo_root().join("interop");
    let playwright = interop.join("node_modules/playwright-core/package.json");
    assert!(
        playwright.is_file(),
        "{} is missing: run `npm ci` in {}",
        playwright.display(),
        interop.display()
    );

    let mut command = Command::new("node");
    // Its own process group, so that a timeout also ends the browser and the demo it started.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .current_dir(&interop)
        .args(["--test", "--test-reporter=spec", "browser/demo.spec.mjs"])
        .env("DEMO_BIN", env!("CARGO_BIN_EXE_ironsession-demo"))
        .env("CHROMIUM", CHROMIUM)
        // Under target/, never in git.
        .env("SCREENSHOT", SCREENSHOT)
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
        if started.elapsed() > TIMEOUT {
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
        Some(status) if status.success() => {}
        Some(status) => panic!(
            "node --test browser/demo.spec.mjs failed ({status})\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
        ),
        None => panic!(
            "node --test browser/demo.spec.mjs took over {TIMEOUT:?} and was killed\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
        ),
    }
}

/// Kills the process group `pgid` (the node runner, Chromium and the demo binary).
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
