// The iron-session demo app on node:http, used as the peer of the Rust demo
// app in end-to-end tests and HTTP benchmarks.
//
//   IRON_SESSION_PASSWORD=... node server.mjs [--v 8|9]
//
// Env: PORT (default 3001; 0 picks a free port), IRON_SESSION_PASSWORD (plain
// password or JSON object id -> password, required), COOKIE_NAME (default
// "iron-session-demo"), SECURE ("1" sets the Secure cookie attribute; default
// and "0" mean secure:false, since the tests use plain http on 127.0.0.1),
// REDIS_URL (set: revocation shared with the Rust servers through this Redis, see
// revocation.mjs: sessions they revoke are refused, a login carries the "_is" metadata, /logout
// and /logout-everywhere record revocations they enforce; unset: none of that, and
// /logout-everywhere answers 501).
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
const REMEMBER_TTL = 30 * 24 * 3600; // seconds
// Entries are kept for the "remember me" ttl, the longest any session lives, as in the Rust demo.
const revocationModule = env.REDIS_URL ? await import("./revocation.mjs") : null;
const revocation = revocationModule?.createRevocationReplica({ url: env.REDIS_URL, retentionMs: REMEMBER_TTL * 1000 });
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
${revocation ? `<form method="post" action="/logout-everywhere"><button type="submit">Log out everywhere</button></form>\n` : ""}<h2>Notes</h2>
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

// Whether the request carried the session cookie, whole or a chunk, with a value: a logout
// without one has no session to end, so it records and sends nothing, as the Rust demo does
// (iron-session's destroy() would send a deletion cookie anyway).
function carriesSessionCookie(req) {
  const name = sessionOptions.cookieName;
  return (req.headers.cookie ?? "").split(";").some((pair) => {
    const eq = pair.indexOf("=");
    if (eq < 0 || pair.slice(eq + 1).trim() === "") return false;
    const key = pair.slice(0, eq).trim();
    return key === name || (key.startsWith(name) && /^\.[0-3]$/.test(key.slice(name.length)));
  });
}

// A 503 when Redis did not record a logout: nothing was destroyed, the user is still logged in
// and can try again (the Rust demo's answer).
function logoutNotRecorded(res, err) {
  console.error(`logout not recorded: ${err.message}`);
  const message =
    "The logout could not be recorded: the revocation store (Redis) is unreachable. " +
    "You are still logged in; please try again in a moment.";
  send(res, 503, "text/plain; charset=utf-8", message);
}

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
      // A new session id at every login, and the username as the subject of "log out everywhere".
      if (revocation) {
        try {
          session._is = revocationModule.newSessionMetadata(username, revocation);
        } catch (err) {
          if (err.code !== "ERR_INVALID_SUBJECT") throw err;
          return send(res, 400, "text/plain; charset=utf-8", "username is too long (at most 1024 bytes)");
        }
      }
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
    // With revocation: revokes the session's id (every copy of the cookie dies on every server,
    // Rust or Node), then destroys it; 503 and nothing destroyed when Redis did not record it.
    POST: async (req, res, session) => {
      if (!carriesSessionCookie(req)) return redirectHome(res);
      const sid = session._is?.sid;
      if (revocation && sid !== undefined) {
        try {
          await revocation.revokeSession(sid);
        } catch (err) {
          // A malformed id cannot be revoked (no server matches it): only destroy.
          if (err.code !== "ERR_INVALID_SESSION_ID") return logoutNotRecorded(res, err);
          console.error(`logout: ${err.message}`);
        }
      }
      session.destroy();
      redirectHome(res);
    },
  },
  "/logout-everywhere": {
    // Revokes every session of the logged-in username (its subject) on every server, then
    // destroys this one; 503 and nothing destroyed when Redis did not record it.
    POST: async (req, res, session) => {
      if (!revocation) {
        return send(res, 501, "text/plain; charset=utf-8", "log out everywhere needs revocation: start the server with REDIS_URL");
      }
      if (!carriesSessionCookie(req)) return redirectHome(res);
      if (session.isLoggedIn === true && typeof session.username === "string" && session.username) {
        try {
          await revocation.revokeSubject(session.username);
        } catch (err) {
          return logoutNotRecorded(res, err);
        }
        console.error(`logged out everywhere: ${JSON.stringify(session.username)}`);
        // As Rust's destroy: this session's id too, in the background (a failure is only logged).
        const sid = session._is?.sid;
        if (sid !== undefined) revocation.revokeSession(sid).catch((err) => console.error(`logout: ${err.message}`));
      }
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
