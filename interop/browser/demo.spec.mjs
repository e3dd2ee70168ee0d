// The Rust demo app (crates/ironsession-demo) in a real headless Chromium:
// log in through the form, count visits, check the cookie the browser keeps,
// log out, log out everywhere (a revoked cookie is deleted by the response that
// refuses it), "remember me", notes that spill into chunked cookies, the
// session's id and times. Run with `node --test` (see interop/README.md).
//
// Env:
//   DEMO_BIN  the demo binary (default <repo>/target/debug/ironsession-demo)
//   CHROMIUM  the browser (default /usr/bin/chromium, Debian's `chromium`)
//   SCREENSHOT  where to write a PNG of the logged-in page with its cookie panel (optional)
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { unsealData } from "iron-session";
import { cleanEnvironment, launchChromium, startServer } from "./support.mjs";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const DEMO_BIN = process.env.DEMO_BIN || `${REPO}target/debug/ironsession-demo`;
const PASSWORD = "jEWIW6370ZPU-mdEtCv77yztUi1M7QAMbIjT1r7a_J0";
const COOKIE_NAME = "iron-session-demo";
const DAY = 24 * 3600;
const LOGIN_TTL = 14 * DAY;
const REMEMBER_TTL = 30 * DAY;
// Max-Age is ttl - 60 s (iron-session's rule).
const LOGIN_MAX_AGE = LOGIN_TTL - 60;
const REMEMBER_MAX_AGE = REMEMBER_TTL - 60;

// Starts the demo binary on a free port; resolves to { base, stderr(), stop() }.
function startDemo() {
  if (!existsSync(DEMO_BIN)) {
    throw new Error(`${DEMO_BIN} does not exist: run \`cargo build -p ironsession-demo\` or set DEMO_BIN`);
  }
  return startServer("the demo", DEMO_BIN, [], {
    env: { ...cleanEnvironment(), PORT: "0", IRON_SESSION_PASSWORD: PASSWORD, REVOCATION: "memory" },
    url: /^listening on (http:\/\/127\.0\.0\.1:\d+)$/,
  });
}

// The session cookie the browser holds for the demo, or undefined.
async function sessionCookie(context, base) {
  const cookies = await context.cookies(base);
  assert.ok(cookies.length <= 1, `unexpected cookies: ${JSON.stringify(cookies)}`);
  return cookies.find((c) => c.name === COOKIE_NAME);
}

// Asserts a cookie's expiry is `maxAge` seconds from now (give or take two minutes).
function assertExpiresIn(cookie, maxAge) {
  const expected = Date.now() / 1000 + maxAge;
  assert.ok(
    Math.abs(cookie.expires - expected) < 120,
    `cookie expires at ${cookie.expires}, expected about ${expected} (Max-Age ${maxAge})`,
  );
}

// The JSON sealed in a cookie, opened with the npm package iron-session (not by the demo).
function openCookie(cookie) {
  return unsealData(cookie.value, { password: PASSWORD });
}

// `ms` after the epoch as the page writes times: RFC 3339 UTC, to the second.
const utcSeconds = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

// The session id, start and expiry the logged-in page shows.
async function shownTimes(page) {
  const text = (id) => page.locator(`#session-times #${id}`).textContent();
  return { id: await text("session-id"), started: await text("session-started"), expires: await text("session-expires") };
}

// Sends a copy of `cookie` to /api/session from outside the browser; resolves to the JSON.
async function replay(base, cookie) {
  const response = await fetch(`${base}/api/session`, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
  assert.equal(response.status, 200);
  return response.json();
}

const loggedOut = { username: "", isLoggedIn: false, visits: 0, notes: [] };

// Presses a logout button and checks that its form posted to `path` and landed on the login form.
async function pressLogout(page, base, button, path) {
  const posted = page.waitForResponse((r) => r.url() === `${base}${path}`);
  await page.click(button);
  const response = await posted;
  assert.equal(response.request().method(), "POST");
  assert.equal(response.status(), 303);
  assert.equal(response.headers().location, "/");
  await page.locator("#login-form").waitFor();
  assert.equal(await page.locator("#status").textContent(), "Not logged in.");
}

// Fills in and submits the login form; waits for the logged-in page.
async function logIn(page, base, username, { remember = false } = {}) {
  await page.goto(`${base}/`);
  await page.locator("#login-form").waitFor();
  await page.fill("#username-input", username);
  if (remember) await page.check("#remember");
  await page.click("#login");
  await page.locator("#username").waitFor();
}

// Logs `username` in from a new browser context (a cookie jar of its own), pushed onto `contexts`
// for the caller to close; resolves to { context, page, cookie }.
async function logInAlone(browser, contexts, base, username) {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await logIn(page, base, username);
  const cookie = await sessionCookie(context, base);
  assert.ok(cookie, `no session cookie after ${username}'s login`);
  return { context, page, cookie };
}

describe("ironsession-demo in Chromium", () => {
  let demo;
  let browser;

  before(async () => {
    demo = await startDemo();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    demo?.stop();
  });

  test("log in, count visits, log out", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { base } = demo;
    try {
      await page.goto(`${base}/`);
      assert.equal(await page.locator("#status").textContent(), "Not logged in.");
      assert.equal(await sessionCookie(context, base), undefined);

      await logIn(page, base, "alice");
      assert.equal(await page.locator("#username").textContent(), "alice");
      assert.equal(await page.locator("#visits").textContent(), "0");

      // The cookie as the browser stores it.
      const cookie = await sessionCookie(context, base);
      assert.ok(cookie, "no session cookie after login");
      assert.match(cookie.value, /^Fe26\.2\*1\*.*~2$/);
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.secure, false);
      assert.equal(cookie.sameSite, "Lax");
      assert.equal(cookie.path, "/");
      assertExpiresIn(cookie, LOGIN_MAX_AGE);
      // HttpOnly: page scripts cannot see it.
      assert.equal(await page.evaluate(() => document.cookie), "");

      // A page navigation to the API, then a fetch from the page: each counts a visit.
      const response = await page.goto(`${base}/api/session`);
      assert.equal(response.status(), 200);
      assert.deepEqual(await response.json(), { username: "alice", isLoggedIn: true, visits: 1, notes: [] });
      await page.goto(`${base}/`);
      const fetched = await page.evaluate(() => fetch("/api/session").then((r) => r.json()));
      assert.deepEqual(fetched, { username: "alice", isLoggedIn: true, visits: 2, notes: [] });
      await page.reload();
      assert.equal(await page.locator("#visits").textContent(), "2");

      // Log out with the button.
      await page.click("#logout");
      await page.locator("#login-form").waitFor();
      assert.equal(await page.locator("#status").textContent(), "Not logged in.");
      assert.equal(await sessionCookie(context, base), undefined);
      const afterLogout = await page.goto(`${base}/api/session`);
      assert.deepEqual(await afterLogout.json(), { username: "", isLoggedIn: false, visits: 0, notes: [] });
    } finally {
      await context.close();
    }
  });

  test("remember me keeps the cookie 30 days", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await logIn(page, demo.base, "bob", { remember: true });
      assert.equal(await page.locator("#username").textContent(), "bob");
      const cookie = await sessionCookie(context, demo.base);
      assert.ok(cookie, "no session cookie after login");
      assertExpiresIn(cookie, REMEMBER_MAX_AGE);
      // The page's expiry keeps the 30-day ttl too (both times cut to whole seconds).
      const { started, expires } = await shownTimes(page);
      const lifetime = Date.parse(expires) - Date.parse(started);
      assert.ok(Math.abs(lifetime - REMEMBER_TTL * 1000) <= 1000, `started ${started}, expires ${expires}`);
    } finally {
      await context.close();
    }
  });

  test("notes spill into chunked cookies, a note too many is refused, clearing leaves no chunk", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { base } = demo;
    const names = async () => (await context.cookies(base)).map((c) => c.name).sort();
    const chunks = (n) => Array.from({ length: n }, (_, i) => `${COOKIE_NAME}.${i}`);
    const note = (i) => Array.from({ length: 1000 }, (_, j) => String.fromCharCode(97 + ((j * 7 + i * 13) % 26))).join("");
    try {
      await logIn(page, base, "carol");
      assert.deepEqual(await names(), [COOKIE_NAME]);
      let added = 0;
      let refused = "";
      while (!refused) {
        assert.ok(added < 20, "no note was ever refused");
        await page.fill("#note-input", note(added));
        const response = page.waitForResponse((r) => r.url().endsWith("/api/notes"));
        await page.click("#add-note");
        if ((await response).status() === 413) {
          await page.locator("#note-error", { hasText: "413" }).waitFor();
          refused = await page.locator("#note-error").textContent();
        } else {
          // The page reloads itself after a saved note: wait for the new item.
          await page.locator("#notes li").nth(added).waitFor();
          added += 1;
        }
      }
      assert.match(refused, /needs 5 cookies/);
      // The page counts the cookies; the jar holds exactly the four chunks, nothing else.
      await page.reload();
      assert.equal(await page.locator("#notes li").count(), added);
      assert.equal(await page.locator("#notes li").first().textContent(), note(0));
      assert.equal(await page.locator("#cookie-count").textContent(), "4");
      assert.deepEqual(await names(), chunks(4));
      for (const cookie of await context.cookies(base)) {
        assert.equal(cookie.httpOnly, true);
        assert.equal(cookie.path, "/");
      }

      const cleared = page.waitForResponse((r) => r.url().endsWith("/api/notes") && r.request().method() === "DELETE");
      await page.click("#clear-notes");
      assert.equal((await cleared).status(), 200);
      // The page reloads itself after the DELETE: wait until the list is gone, then look again.
      await page.locator("#notes li").first().waitFor({ state: "detached" });
      await page.goto(`${base}/`);
      assert.equal(await page.locator("#notes li").count(), 0);
      assert.equal(await page.locator("#cookie-count").textContent(), "1");
      assert.equal(await page.locator("#username").textContent(), "carol");
      // No stale chunk left in the browser.
      assert.deepEqual(await names(), [COOKIE_NAME]);
    } finally {
      await context.close();
    }
  });

  test("the cookie panel takes the seal apart and shows the JSON inside; one local stylesheet", async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const { base } = demo;
    const requests = [];
    page.on("request", (request) => requests.push(request.url()));
    try {
      await page.goto(`${base}/`);
      assert.match(await page.locator("#cookie-panel").textContent(), /No session cookie yet/);
      await logIn(page, base, "dora");
      const cookie = await sessionCookie(context, base);
      assert.ok(cookie, "no session cookie after login");
      // Fe26.2*id*encryption salt*iv*data*expiration*integrity salt*mac, then ~2.
      const fields = cookie.value.replace(/~2$/, "").split("*");
      const shown = await page.evaluate(() =>
        Object.fromEntries(
          [...document.querySelectorAll("#cookie-panel dt")].map((dt) => [dt.textContent, dt.nextElementSibling.querySelector("code").textContent]),
        ),
      );
      assert.equal(shown.prefix, "Fe26.2");
      assert.equal(shown["password id"], fields[1]);
      assert.equal(shown.IV, fields[3]);
      assert.equal(shown.MAC, fields[7]);
      const expiration = new Date(Number(fields[5])).toISOString().replace(/\.\d+Z$/, "Z");
      assert.equal(shown.expiration, expiration);
      const json = JSON.parse(await page.locator("#cookie-json").textContent());
      assert.equal(json.username, "dora");
      assert.equal(json.isLoggedIn, true);
      // Styled by the demo's one stylesheet; nothing is fetched from anywhere else.
      const sheets = await page.evaluate(() => [...document.styleSheets].map((sheet) => sheet.href));
      assert.deepEqual(sheets, [`${base}/style.css`]);
      assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector("main")).display), "grid");
      assert.deepEqual(requests.filter((url) => !url.startsWith(`${base}/`)), []);
      if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
    } finally {
      await context.close();
    }
  });

  test("the page shows the session's id and times, the ones sealed in the cookie", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { base } = demo;
    try {
      const before = Date.now();
      await logIn(page, base, "erin");
      const after = Date.now();
      const cookie = await sessionCookie(context, base);
      assert.ok(cookie, "no session cookie after login");
      const sealed = await openCookie(cookie);
      assert.equal(sealed.username, "erin");
      const { sid, iat, rat, sub } = sealed._is;
      assert.match(sid, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(sub, "erin");
      assert.ok(before <= iat && iat <= rat && rat <= after, `iat ${iat}, rat ${rat}: not between ${before} and ${after}`);

      const shown = await shownTimes(page);
      assert.equal(shown.id, `${sid.slice(0, 8)}…`);
      assert.equal(shown.started, utcSeconds(iat));
      assert.equal(shown.expires, utcSeconds(rat + LOGIN_TTL * 1000));
      // The expiration the seal itself carries, to the second.
      const fields = cookie.value.replace(/~2$/, "").split("*");
      assert.equal(shown.expires, utcSeconds(Number(fields[5])));
      // By the test's own clock: started during the login (the page cuts to whole seconds).
      const started = Date.parse(shown.started);
      assert.ok(before - 1000 < started && started <= after, `started ${shown.started}, login between ${before} and ${after}`);
      assert.ok(Math.abs(Date.parse(shown.expires) - started - LOGIN_TTL * 1000) <= 1000, `expires ${shown.expires}`);

      // A save (a visit) moves the expiry; the id and the start stay.
      await page.goto(`${base}/api/session`);
      await page.goto(`${base}/`);
      const saved = await openCookie(await sessionCookie(context, base));
      assert.equal(saved.visits, 1);
      assert.equal(saved._is.sid, sid);
      assert.equal(saved._is.iat, iat);
      assert.ok(saved._is.rat > rat, `rat ${saved._is.rat} after the visit, ${rat} before`);
      assert.deepEqual(await shownTimes(page), { ...shown, expires: utcSeconds(saved._is.rat + LOGIN_TTL * 1000) });

      // A new login is a new session: a new id.
      await pressLogout(page, base, "#logout", "/logout");
      await logIn(page, base, "erin");
      const again = await openCookie(await sessionCookie(context, base));
      assert.notEqual(again._is.sid, sid);
      assert.equal((await shownTimes(page)).id, `${again._is.sid.slice(0, 8)}…`);
    } finally {
      await context.close();
    }
  });

  test("the page explains the session: its metadata, the Set-Cookie attributes, the lifetime in force, the logout buttons", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { base } = demo;
    try {
      await logIn(page, base, "gwen");
      const cookie = await sessionCookie(context, base);
      const sealedMetadata = (await openCookie(cookie))._is;
      const { sid, iat, rat, sub } = sealedMetadata;
      // The `_is` fields of the seal (opened by the npm package), each explained, times as dates.
      const metadata = await page.evaluate(() =>
        Object.fromEntries(
          [...document.querySelectorAll("#metadata-explained dt")].map((dt) => [
            dt.textContent,
            { value: dt.nextElementSibling.querySelector("code").textContent, meaning: dt.nextElementSibling.querySelector("span").textContent },
          ]),
        ),
      );
      assert.deepEqual(Object.keys(metadata), ["sid", "iat", "rat", "sub", ..."gen" in sealedMetadata ? ["gen"] : []]);
      assert.equal(metadata.sid.value, sid);
      assert.equal(metadata.iat.value, `${iat} = ${utcSeconds(iat)}`);
      assert.equal(metadata.rat.value, `${rat} = ${utcSeconds(rat)}`);
      assert.equal(metadata.sub.value, sub);
      if ("gen" in sealedMetadata) assert.equal(metadata.gen.value, String(sealedMetadata.gen));
      for (const { meaning } of Object.values(metadata)) assert.ok(meaning.length > 20, meaning);

      // The attributes of the cookie the browser holds, each explained; Secure is off, and why.
      const attributes = await page.locator("#set-cookie-attributes dt").allTextContents();
      assert.deepEqual(attributes, [`Max-Age=${LOGIN_MAX_AGE}`, "HttpOnly", "SameSite=Lax", "Path=/", "Secure"]);
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, "Lax");
      assert.equal(cookie.path, "/");
      assert.equal(cookie.secure, false);
      assertExpiresIn(cookie, LOGIN_MAX_AGE);
      assert.match(await page.locator("#set-cookie-attributes dt:text-is('Secure') + dd").textContent(), /^off here: .*plain http/);

      // The lifetime in force: the idle timeout (the demo runs without an absolute lifetime).
      assert.equal(
        await page.locator("#lifetime-in-force").textContent(),
        `Now: the idle timeout: the session ends at ${utcSeconds(rat + LOGIN_TTL * 1000)} unless it is saved or renewed first.`,
      );
      assert.deepEqual(await page.locator("#lifetimes dt").allTextContents(), ["Idle", "Absolute", "Renewal"]);

      // The one cookie the browser sent, and no warning at this size.
      assert.deepEqual(await page.locator("#cookies-sent li code").allTextContents(), [COOKIE_NAME]);
      assert.equal(await page.locator("#cookie-header-warning").count(), 0);

      // What each logout button does, next to it.
      for (const id of ["logout", "logout-everywhere"]) {
        const explained = await page.evaluate((id) => {
          const button = document.getElementById(id);
          const span = document.getElementById(`${id}-explained`);
          return span && button.form.contains(span) ? span.textContent : null;
        }, id);
        assert.ok(explained, `no explanation beside #${id}`);
      }
      assert.match(await page.locator("#logout-explained").textContent(), /every copy of this cookie is refused/);
      assert.match(await page.locator("#logout-everywhere-explained").textContent(), /every session of gwen created until now/);
    } finally {
      await context.close();
    }
  });

  test("log out: both buttons are forms; log out revokes this cookie only", async () => {
    const { base } = demo;
    const contexts = [];
    try {
      const [henry, henryElsewhere, ivy] = await Promise.all(["henry", "henry", "ivy"].map((name) => logInAlone(browser, contexts, base, name)));
      const forms = await henry.page.evaluate(() =>
        ["logout", "logout-everywhere"].map((id) => {
          const form = document.getElementById(id).form;
          return { method: form.method, action: form.action, type: document.getElementById(id).type };
        }),
      );
      assert.deepEqual(forms, [
        { method: "post", action: `${base}/logout`, type: "submit" },
        { method: "post", action: `${base}/logout-everywhere`, type: "submit" },
      ]);
      // The copy works before the logout.
      assert.deepEqual(await replay(base, henry.cookie), { username: "henry", isLoggedIn: true, visits: 1, notes: [] });

      await pressLogout(henry.page, base, "#logout", "/logout");
      assert.equal(await sessionCookie(henry.context, base), undefined);
      assert.deepEqual(await replay(base, henry.cookie), loggedOut);
      // The copy in a fresh browser: logged out, and the cookie panel says why.
      const replayed = await browser.newContext();
      contexts.push(replayed);
      await replayed.addCookies([henry.cookie]);
      const replayPage = await replayed.newPage();
      await replayPage.goto(`${base}/`);
      assert.equal(await replayPage.locator("#status").textContent(), "Not logged in.");
      assert.match(await replayPage.locator("#cookie-refused").textContent(), /^revoked: .*session id/);
      assert.equal(JSON.parse(await replayPage.locator("#cookie-json").textContent()).username, "henry");
      assert.equal(await sessionCookie(replayed, base), undefined, "the refusing response deleted the copy");
      // Only that session: the same user in another browser and another user stay logged in.
      for (const { page, cookie } of [henryElsewhere, ivy]) {
        const name = (await openCookie(cookie)).username;
        await page.reload();
        assert.equal(await page.locator("#username").textContent(), name);
        assert.deepEqual(await replay(base, cookie), { username: name, isLoggedIn: true, visits: 1, notes: [] });
      }
    } finally {
      await Promise.all(contexts.map((context) => context.close()));
    }
  });

  test("log out everywhere ends the user's sessions in every browser, not another user's", async () => {
    const { base } = demo;
    const contexts = [];
    try {
      const [here, there, grace] = await Promise.all(["frank", "frank", "grace"].map((name) => logInAlone(browser, contexts, base, name)));
      assert.notEqual((await openCookie(here.cookie))._is.sid, (await openCookie(there.cookie))._is.sid);
      assert.deepEqual(await replay(base, there.cookie), { username: "frank", isLoggedIn: true, visits: 1, notes: [] });

      await pressLogout(here.page, base, "#logout-everywhere", "/logout-everywhere");
      assert.equal(await sessionCookie(here.context, base), undefined);
      // The other browser's next page load is logged out, and no copy of either cookie works.
      await there.page.reload();
      assert.equal(await there.page.locator("#status").textContent(), "Not logged in.");
      assert.equal(await there.page.locator("#session-times").count(), 0);
      // The panel opens the dead cookie the browser sent but says the server refuses it; the same
      // response deleted it, so the browser no longer holds it.
      assert.match(await there.page.locator("#cookie-refused").textContent(), /^revoked: .*subject/);
      assert.equal(await sessionCookie(there.context, base), undefined);
      assert.deepEqual(await replay(base, here.cookie), loggedOut);
      assert.deepEqual(await replay(base, there.cookie), loggedOut);
      // Another user is untouched.
      await grace.page.reload();
      assert.equal(await grace.page.locator("#username").textContent(), "grace");
      assert.deepEqual(await replay(base, grace.cookie), { username: "grace", isLoggedIn: true, visits: 1, notes: [] });
      // Sessions from before are over, not the user: a new login works.
      await logIn(there.page, base, "frank");
      assert.equal(await there.page.locator("#username").textContent(), "frank");
      assert.equal((await replay(base, await sessionCookie(there.context, base))).isLoggedIn, true);
    } finally {
      await Promise.all(contexts.map((context) => context.close()));
    }
  });

  test("a username with markup is shown as text", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const name = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>`;
    try {
      await logIn(page, demo.base, name);
      assert.equal(await page.locator("#username").textContent(), name);
      assert.equal(await page.locator("#username img, #username script").count(), 0);
      assert.equal(await page.evaluate(() => window.pwned), undefined);
    } finally {
      await context.close();
    }
  });
});
