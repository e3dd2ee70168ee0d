// The session options the Rust service must share, and the one way every page, server action and
// route handler of this app opens the session.
import { cookies } from "next/headers";
import * as ironSession8 from "iron-session";
import * as ironSession9 from "iron-session-v9";
import { createRevocationReplica, newSessionMetadata } from "./revocation.mjs";

// iron-session 8.0.4 runs on Node 20; 9 needs Node 22.13. The example carries both so that its
// test runs against each (IRON_SESSION_NPM=9 under Node 22); an app imports one of them:
// `import { getIronSession } from "iron-session"`.
export const IRON_SESSION_MAJOR = process.env.IRON_SESSION_NPM === "9" ? "9" : "8";
const { getIronSession } = IRON_SESSION_MAJOR === "9" ? ironSession9 : ironSession8;

// Read per request, never at build time: `next build` loads these modules without the secrets.
export function sessionOptions() {
  return {
    // Both sides: the same name (SESSION_COOKIE_NAME), password (IRON_SESSION_PASSWORD) and ttl.
    cookieName: process.env.SESSION_COOKIE_NAME || "ironsession-nextjs",
    password: passwordFromEnv(),
    // 14 days, the default of both libraries; the cookie's Max-Age is ttl - 60 s on both sides.
    ttl: 14 * 24 * 3600,
    // iron-session's defaults, spelled out: ironsession writes the same attributes by default.
    cookieOptions: { httpOnly: true, secure: true, sameSite: "lax", path: "/" },
  };
}

// A plain password, or a JSON object of id -> password for rotation: the forms ironsession's
// `Passwords::parse` reads from the same variable.
function passwordFromEnv() {
  const text = process.env.IRON_SESSION_PASSWORD;
  if (!text) throw new Error("IRON_SESSION_PASSWORD is not set: use the Rust service's password");
  return text.startsWith("{") ? JSON.parse(text) : text;
}

// One replica per process (Next may load this module once per route bundle): revocations that any
// Rust or Node server records in Redis are checked here in memory, with no Redis call per request.
const REPLICA = Symbol.for("ironsession-example-nextjs.revocation");

function revocation() {
  if (!process.env.REDIS_URL) return null;
  globalThis[REPLICA] ??= createRevocationReplica({ url: process.env.REDIS_URL });
  return globalThis[REPLICA];
}

// The session of this request. A session revoked anywhere (its id, or its subject by "log out
// everywhere") reads as empty, as it does on the Rust side.
export async function getSession() {
  const session = await getIronSession(await cookies(), sessionOptions());
  const replica = revocation();
  if (replica) {
    // Only the first requests after a start wait (at most 2 s) for the replica's first sync.
    if (!replica.synced) await Promise.race([replica.ready.catch(() => {}), sleep(2000)]);
    if (replica.refusal(session)) {
      for (const key of Object.keys(session)) delete session[key];
    }
  }
  return session;
}

// Login: the user, and the metadata (`_is`: a new session id, the time, the revocation generation
// with REDIS_URL, the user as subject) that lets either side revoke this session.
export async function logIn(session, username, by) {
  session.username = username;
  session.isLoggedIn = true;
  session.loggedInBy = by;
  session._is = newSessionMetadata(username, revocation());
  await session.save();
}

// Logout: every copy of the cookie dies on every server (with REDIS_URL), then this browser's
// cookie is deleted. Rejects, with nothing destroyed, when Redis did not record the revocation.
export async function logOut(session) {
  const sid = session._is?.sid;
  const replica = revocation();
  if (replica && sid !== undefined) await replica.revokeSession(sid);
  session.destroy();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
