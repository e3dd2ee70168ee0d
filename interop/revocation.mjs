// Enforce ironsession's revocations in a Node.js iron-session app.
//
//   import { createRevocationReplica } from "./revocation.mjs";
//   const revocation = createRevocationReplica({ url: process.env.REDIS_URL });
//   const session = await getIronSession(req, res, options);
//   if (revocation.refusal(session)) { /* treat as logged out: an empty session */ }
//
// It reads the Redis key schema documented in ironsession's `revocation::redis` module and keeps
// a replica in memory, as the Rust servers do: every check is local (no Redis round-trip per
// request), new revocations arrive by pub/sub, and a version counter checked every second (plus
// a full sync on every reconnect) catches any message missed. Sessions carry ironsession's
// metadata under the key "_is": {"sid": "<22 chars>", "iat": <ms>, "sub": "<subject>"}.
//
// Options: url (redis://host:port/db), prefix (default "{ironsession}", the same as the Rust
// side's key prefix), checkIntervalMs (default 1000), log (default console.error).
// Needs the npm package "redis" (node-redis >= 4).
import { createClient } from "redis";

export function createRevocationReplica({ url, prefix = "{ironsession}", checkIntervalMs = 1000, log = console.error } = {}) {
  const keys = {
    sids: `${prefix}:revoked:sids`,
    subjects: `${prefix}:revoked:subjects`,
    version: `${prefix}:revoked:version`,
    channel: `${prefix}:revoked`,
  };
  const sessions = new Map(); // sid -> expiry (ms)
  const subjects = new Map(); // subject -> { beforeMs, expiresMs }
  let version = 0;
  let synced = false;
  let syncing = null;

  const socket = { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) };
  const client = createClient({ url, socket });
  const subscriber = client.duplicate();
  let lastError = "";
  const report = (err) => {
    // One line per distinct error, not one per reconnect attempt.
    if (err.message !== lastError) log(`revocation: Redis error: ${err.message}`);
    lastError = err.message;
  };
  client.on("error", report);
  subscriber.on("error", report);

  function addSession(sid, expiresMs) {
    if (!(expiresMs > (sessions.get(sid) ?? 0))) return;
    sessions.set(sid, expiresMs);
  }

  function addSubject(subject, beforeMs, expiresMs) {
    const known = subjects.get(subject) ?? { beforeMs: 0, expiresMs: 0 };
    subjects.set(subject, { beforeMs: Math.max(known.beforeMs, beforeMs), expiresMs: Math.max(known.expiresMs, expiresMs) });
  }

  // `<version> sid <expires_ms> <sid>` or `<version> sub <expires_ms> <before_ms> <subject>`.
  function applyMessage(text) {
    const match = /^(\d+) (sid|sub) (\d+) (.*)$/s.exec(text);
    if (!match) return log("revocation: ignored a malformed message");
    const [, v, kind, expires, rest] = match;
    if (kind === "sid") addSession(rest, Number(expires));
    else {
      const space = rest.indexOf(" ");
      if (space < 0) return log("revocation: ignored a malformed message");
      addSubject(rest.slice(space + 1), Number(rest.slice(0, space)), Number(expires));
    }
    const lost = Number(v) > version + 1;
    version = Number(v);
    if (lost) fullSync();
  }

  async function scan(key, each) {
    let cursor = "0";
    do {
      const [next, flat] = await client.sendCommand(["ZSCAN", key, cursor, "COUNT", "1000"]);
      for (let i = 0; i + 1 < flat.length; i += 2) each(String(flat[i]), Number(flat[i + 1]));
      cursor = String(next);
    } while (cursor !== "0");
  }

  function purge(now = Date.now()) {
    for (const [sid, expiresMs] of sessions) if (expiresMs <= now) sessions.delete(sid);
    for (const [subject, entry] of subjects) if (entry.expiresMs <= now) subjects.delete(subject);
  }

  // Reads the version, then every entry; one at a time.
  function fullSync() {
    syncing ??= (async () => {
      try {
        const current = Number((await client.get(keys.version)) ?? 0);
        await scan(keys.sids, (sid, expiresMs) => addSession(sid, expiresMs));
        await scan(keys.subjects, (member, expiresMs) => {
          const colon = member.indexOf(":");
          if (colon > 0) addSubject(member.slice(colon + 1), Number(member.slice(0, colon)), expiresMs);
        });
        version = current;
        purge();
        synced = true;
      } finally {
        syncing = null;
      }
    })();
    return syncing;
  }

  // Every reconnect of the subscriber resubscribes (node-redis does it) and syncs in full.
  subscriber.on("ready", () => fullSync().catch(report));
  const ready = (async () => {
    await client.connect();
    await subscriber.connect();
    await subscriber.subscribe(keys.channel, applyMessage);
    await fullSync();
  })();
  ready.catch(report);

  const timer = setInterval(async () => {
    purge();
    if (!client.isReady) return;
    try {
      const current = Number((await client.get(keys.version)) ?? 0);
      if (current !== version) await fullSync();
    } catch (err) {
      report(err);
    }
  }, checkIntervalMs);
  timer.unref();

  return {
    // Resolves after the first full sync.
    ready,
    get synced() {
      return synced;
    },
    // Why `session` (iron-session's session object, or its data) is refused: "session",
    // "subject", or null when it is not revoked.
    refusal(session, now = Date.now()) {
      const meta = session?._is;
      if (meta === null || typeof meta !== "object") return null;
      if (typeof meta.sid === "string" && (sessions.get(meta.sid) ?? 0) > now) return "session";
      const cut = typeof meta.sub === "string" ? subjects.get(meta.sub) : undefined;
      if (cut && cut.expiresMs > now && !(Number.isInteger(meta.iat) && meta.iat >= cut.beforeMs)) return "subject";
      return null;
    },
    async close() {
      clearInterval(timer);
      await Promise.allSettled([subscriber.close(), client.close()]);
    },
  };
}
