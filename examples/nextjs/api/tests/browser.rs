//! The example in a real headless Chromium: runs `node --test interop/browser/nextjs.spec.mjs`,
//! which builds the Next.js app (`npm run build`), starts it beside this build's Rust service and
//! drives Chromium through a shared login (see `examples/nextjs/README.md`), once with
//! iron-session 8.0.4 on Node 20 and once with iron-session 9.0.1 on Node 22. This test gives it
//! a `redis-server` of its own for the shared revocations.
//!
//! Requires Node.js >= 20, `npm ci` in `interop/` and in `examples/nextjs/`, Debian's `chromium`
//! and `redis-server`; without them the test fails and says what to install.

#[path = "../../../../crates/ironsession/tests/support/node_test.rs"]
mod node_test;
#[path = "../../../../crates/ironsession/tests/support/redis_server.rs"]
mod redis_server;

use std::path::PathBuf;
use std::time::Duration;

/// A cold `next build` takes about a minute here; the checks about another.
const TIMEOUT: Duration = Duration::from_secs(600);
/// The signed-in page, as Chromium renders it.
const SCREENSHOT: &str = concat!(
    env!("CARGO_TARGET_TMPDIR"),
    "/nextjs-example-screenshot.png"
);

#[test]
fn the_nextjs_app_and_the_rust_service_share_a_login_in_chromium() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../..")
        .canonicalize()
        .expect("the repository root exists");
    let interop = repo.join("interop");
    node_test::assert_browser_tools(&interop);
    let next = repo.join("examples/nextjs/node_modules/next/package.json");
    assert!(
        next.is_file(),
        "{} is missing: run `npm ci` in examples/nextjs",
        next.display()
    );
    let redis = redis_server::RedisServer::start();
    let redis_url = redis.url();
    let output = node_test::run_node_spec(
        &interop,
        "browser/nextjs.spec.mjs",
        [
            (
                "NEXTJS_API_BIN",
                env!("CARGO_BIN_EXE_ironsession-nextjs-api"),
            ),
            ("REDIS_URL", redis_url.as_str()),
            ("SCREENSHOT", SCREENSHOT),
        ],
        TIMEOUT,
    );
    // The spec's timing lines (`# next build: …`), for the CI log.
    for line in output
        .lines()
        .filter(|line| line.starts_with("# next build"))
    {
        println!("{line}");
    }
}
