//! The demo in a real headless Chromium: runs `node --test interop/browser/demo.spec.mjs`
//! (playwright-core driving Debian's `/usr/bin/chromium`) against this build's demo binary.
//!
//! Requires Node.js >= 20, `npm ci` in `interop/` and Debian's `chromium` package; without
//! them the test fails and says what to install.

mod common;
#[path = "../../ironsession/tests/support/node_test.rs"]
mod node_test;

use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);
/// The logged-in page with its "What is in my cookie?" panel, as Chromium renders it.
const SCREENSHOT: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/demo-screenshot.png");

#[test]
fn the_demo_works_in_headless_chromium() {
    let interop = common::repo_root().join("interop");
    node_test::assert_browser_tools(&interop);
    node_test::run_node_spec(
        &interop,
        "browser/demo.spec.mjs",
        [
            ("DEMO_BIN", env!("CARGO_BIN_EXE_ironsession-demo")),
            // Under target/, never in git.
            ("SCREENSHOT", SCREENSHOT),
        ],
        TIMEOUT,
    );
}
