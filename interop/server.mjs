// The iron-session demo app on node:http, used as the peer of the Rust demo
// app in end-to-end tests and HTTP benchmarks.
//
//   IRON_SESSION_PASSWORD=... node server.mjs [--v 8|9]
//
// Env: PORT (default 3001; 0 picks a free port), IRON_SESSION_PASSWORD (plain
// password or JSON object id -> password, required), COOKIE_NAME (default
// "iron-session-demo"), SECURE ("1" sets the Secure cookie attribute; default
// and "0" mean secure:false, since the tests use plain http on 127.0.0.1),
// REDIS_URL (set: sessions revoked by ironsession are refused, see revocation.mjs).
import { createServer } from "node:http";
import { cliArgs, fatal, loadIronSession, parsePassword } from "./lib.mjs";

const args = cliArgs();
let getIronSession;
try {
  ({ getIronSession } = await loadIronSession(args.v));
} catch (err) {
  fatal(err.message);
}

const env = process.env;
if (!env.IRON_SESSION_PASSWORD) fatal("IRON_SESSION_PASSWORD is required");
const port = Number(env.PORT || 3001);
if (!Number.isInteger(port) || port < 0 || port > 65535) fatal(`bad PORT ${JSON.stringify(env.PORT)}`);

// chunk: iron-session 9 splits a session over 4 KB into name.0..3 (v8 ignores it),
// as the Rust demo does with chunking(true).
const sessionOptions = {
  cookieName: env.COOKIE_NAME || "iron-session-demo",
  password: parsePassword(env.IRON_SESSION_PASSWORD),
  cookieOptions: { secure: env.SECURE !== undefined && env.SECURE !== "0" && env.SECURE !== "" },
  chunk: true,
};
const revocation = env.REDIS_URL
  ? (await import("./revocation.mjs")).createRevocationReplica({ url: env.REDIS_URL })
  : null;
const REMEMBER_TTL = 30 * 24 * 3600; // seconds
const defaultSession = { username: "", isLoggedIn: false, visits: 0, notes: [] };
const MAX_BODY = 16 * 1024;
const MAX_NOTE_CHARS = 1000; // code points, as the Rust demo counts chars

function send(res, status, type, body, headers = {}) {
  res.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(body);
}

const redirectHome = (res) => send(res, 303, "text/plain; charset=utf-8", "See Other", { location: "/" });

async function readForm(req) {
  let body = "";
  for await (const chunk of req) {
    body += chunk;
    if (body.length > MAX_BODY) throw Object.assign(new Error("body too large"), { status: 413 });
  }
  return new URLSearchParams(body);
}

const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function page(session) {
  const body = session.isLoggedIn
    ? `<p>Logged in as <strong>${escapeHtml(session.username)}</strong> (visits: ${Number(session.visits) || 0}).</p>
<form method="post" action="/logout"><button type="submit">Log out</button></form>
<h2>Notes</h2>
<ul>${(Array.isArray(session.notes) ? session.notes : []).map((note) => `<li>${escapeHtml(note)}</li>`).join("")}</ul>`
    : `<p>Not logged in.</p>
<form method="post" action="/login">
  <label>Username <input name="username" required></label>
  <label><input type="checkbox" name="remember" value="1"> Remember me for 30 days</label>
  <button type="submit">Log in</button>
</form>`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>iron-session demo</title></head>
<body><h1>iron-session demo</h1>
${body}
<p><a href="/api/session">/api/session</a></p>
</body></html>
`;
}

// A "remember me" login keeps its 30-day ttl on every save: updateConfig lasts one request.
async function save(session) {
  if (session.rememberMe === true) session.updateConfig({ ...sessionOptions, ttl: REMEMBER_TTL });
  await session.save();
}

// The JSON of /api/session, /api/notes: every field filled in.
function sessionView(session) {
  const { username, isLoggedIn, visits, notes } = { ...defaultSession, ...session };
  return JSON.stringify({ username, isLoggedIn, visits, notes });
}

const notLoggedIn = (res) => send(res, 401, "text/plain; charset=utf-8", "log in first");

// Route table: path -> method -> handler(req, res, session).
const routes = {
  "/": {
    GET: (req, res, session) => send(res, 200, "text/html; charset=utf-8", page(session)),
  },
  "/login": {
    POST: async (req, res, session) => {
      const form = await readForm(req);
      const username = (form.get("username") ?? "").trim();
      if (!username) return send(res, 400, "text/plain; charset=utf-8", "username is required");
      session.username = username;
      session.isLoggedIn = true;
      session.visits = 0;
      if (form.get("remember")) session.rememberMe = true;
      else delete session.rememberMe;
      await save(session);
      redirectHome(res);
    },
  },
  "/logout": {
    POST: (req, res, session) => {
      session.destroy();
      redirectHome(res);
    },
  },
  "/api/session": {
    GET: async (req, res, session) => {
      if (session.isLoggedIn === true) {
        session.visits = (session.visits || 0) + 1;
        await save(session);
      }
      send(res, 200, "application/json", sessionView(session));
    },
  },
  "/api/notes": {
    POST: async (req, res, session) => {
      if (session.isLoggedIn !== true) return notLoggedIn(res);
      const note = (await readForm(req)).get("note") ?? "";
      if (note.trim() === "" || [...note].length > MAX_NOTE_CHARS) {
        return send(res, 400, "text/plain; charset=utf-8", `a note is 1 to ${MAX_NOTE_CHARS} characters`);
      }
      session.notes = [...(Array.isArray(session.notes) ? session.notes : []), note];
      try {
        await save(session);
      } catch (err) {
        // save() throws before writing any cookie: the browser keeps the session it had.
        if (!/too big|needs \d+ cookies/.test(err.message)) throw err;
        return send(res, 413, "text/plain; charset=utf-8", `this note does not fit in the session: ${err.message}`);
      }
      send(res, 200, "application/json", sessionView(session));
    },
    DELETE: async (req, res, session) => {
      if (session.isLoggedIn !== true) return notLoggedIn(res);
      session.notes = [];
      await save(session);
      send(res, 200, "application/json", sessionView(session));
    },
  },
  "/bench": {
    GET: async (req, res, session) => {
      session.visits = (session.visits || 0) + 1;
      await save(session);
      send(res, 200, "text/plain; charset=utf-8", String(session.visits));
    },
  },
};

async function handle(req, res) {
  const { pathname } = new URL(req.url, "http://localhost");
  const route = routes[pathname];
  if (!route) return send(res, 404, "text/plain; charset=utf-8", "not found");
  const handler = route[req.method];
  if (!handler) {
    return send(res, 405, "text/plain; charset=utf-8", "method not allowed", { allow: Object.keys(route).join(", ") });
  }
  let session;
  try {
    session = await getIronSession(req, res, sessionOptions);
  } catch (err) {
    // iron-session 8 throws on some malformed cookies (e.g. "Wrong mac
    // prefix"); the peer's answer is a 500, which the Rust tests compare with.
    console.error(`getIronSession failed: ${err.message}`);
    return send(res, 500, "text/plain; charset=utf-8", "session error");
  }
  const refusal = revocation?.refusal(session);
  if (refusal) {
    // A revoked session reads as empty, as in ironsession.
    console.error(`session refused: revoked (${refusal})`);
    for (const key of Object.keys(session)) delete session[key];
  }
  await handler(req, res, session);
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    if (!err.status) console.error(`${req.method} ${req.url} failed: ${err.stack ?? err}`);
    if (res.headersSent) return res.destroy();
    send(res, err.status ?? 500, "text/plain; charset=utf-8", err.status ? err.message : "internal error");
  });
});

server.on("error", (err) => fatal(`cannot listen on 127.0.0.1:${port}: ${err.message}`));
server.listen(port, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
