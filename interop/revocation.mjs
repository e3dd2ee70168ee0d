// Enforce AND record ironsession's revocations in a Node.js iron-session app.
//
//   import { createRevocationReplica, newSessionMetadata } from "./revocation.mjs";
//   const revocation = createRevocationReplica({ url: process.env.REDIS_URL });
//   const session = await getIronSession(req, res, options);
//   if (revocation.refusal(session)) { /* treat as logged out: an empty session */ }
//   // Login: the metadata every server (Rust or Node) checks.
//   session._is = newSessionMetadata(user.id);
//   // Logout (rejects when Redis did not confirm: keep the session, answer 503):
//   await revocation.revokeSession(session._is.sid); session.destroy();
//   // "Log out everywhere", or a password change:
//   await revocation.revokeSubject(user.id);
//
// It reads the Redis key schema documented in ironsession's `revocation::redis` module and keeps
// a replica in memory, as the Rust servers do: every check is local (no Redis round-trip per
// request), new revocations arrive by pub/sub, and a version counter checked every second (plus
// a full sync on every reconnect) catches any message missed. Sessions carry ironsession's
// metadata under the key "_is": {"sid": "<22 chars>", "iat": <ms>, "sub": "<subject>"}.
//
// Writing: revokeSession(sid) and revokeSubject(subject) write what the Rust side writes (the
// same keys, one Lua script doing the same as ironsession's: drop expired entries, ZADD GT, INCR
// the version, PUBLISH the message, atomically), with the expiry now + retentionMs + 60 s. They
// resolve once Redis has the entry (then this process's replica has it too) and reject otherwise:
// an Error with `code` "ERR_INVALID_SESSION_ID" or "ERR_INVALID_SUBJECT" (refused before any
// Redis call, by the rules of the Rust side), or "ERR_REVOCATION_NOT_RECORDED" (Redis
// unreachable, an error, or no answer within commandTimeoutMs; a command not yet sent by then is
// dropped, never sent later). newSessionMetadata(subject?) makes the "_is" of a login: a fresh
// sid (16 bytes from crypto.randomBytes as 22 characters of base64url), iat = Date.now(), sub.
// The Rust side also reads an optional "rat" (last seal time, ms; absent means iat) and keeps
// unknown fields; iat must stay an integer, and "_is" must be saved as it is.
//
// Options: url (redis://host:port/db), prefix (default "{ironsession}", the same as the Rust
// side's key prefix), checkIntervalMs (default 1000), retentionMs (default 14 days, as Rust's
// RevocationBuilder::retention; set it to the longest ttl a session is sealed with, "remember me"
// included, and to the same value as the Rust servers), commandTimeoutMs (default 2000, as
// RedisBackendBuilder::command_timeout), log (default console.error).
// Needs the npm package "redis" (node-redis >= 5; pinned 6.3.1).
import { randomBytes } from "node:crypto";
import { createClient } from "redis";

// ironsession's defaults: 14 days of retention (iron-session's ttl), Iron's 60 s of clock skew
// added to every expiry, a 2 s command timeout, subjects of at most 1024 bytes.
export const DEFAULT_RETENTION_MS = 14 * 24 * 3600 * 1000;
const SEAL_SKEW_MS = 60 * 1000;
const MAX_SUBJECT_BYTES = 1024;

// The same script as ironsession's RECORD_SCRIPT. KEYS: the sorted set, the version key.
// ARGV: channel, member, expiry, prune bound (now - 60 s, so that a server whose clock runs fast
// never deletes an entry that servers with slower clocks still enforce), message body.
const RECORD_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[4])
redis.call('ZADD', KEYS[1], 'GT', ARGV[3], ARGV[2])
local version = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[1], version .. ' ' .. ARGV[5])
return version
`;

const failure = (code, message, cause) => Object.assign(new Error(message, { cause }), { code });

// 22 characters of unpadded base64url that decode to 16 bytes: the last one carries 2 bits and 4
// zero bits, as Rust's decoder (the base64 crate, no trailing bits) requires.
function checkSessionId(sid) {
  if (typeof sid !== "string" || !/^[A-Za-z0-9_-]{21}[AQgw]$/.test(sid)) {
    throw failure("ERR_INVALID_SESSION_ID", "invalid session id: expected 22 characters of base64url (16 bytes)");
  }
}

// 1 to 1024 bytes of UTF-8 (a string with a lone surrogate has no UTF-8 form).
function checkSubject(subject) {
  if (
    typeof subject !== "string" ||
    !subject.isWellFormed() ||
    subject.length === 0 ||
    Buffer.byteLength(subject, "utf8") > MAX_SUBJECT_BYTES
  ) {
    throw failure("ERR_INVALID_SUBJECT", `invalid subject: it must be a string of 1 to ${MAX_SUBJECT_BYTES} bytes of UTF-8`);
  }
}

// The "_is" of a new session (at login): a fresh id, created now, and the subject if given.
export function newSessionMetadata(subject) {
  if (subject !== undefined) checkSubject(subject);
  const metadata = { sid: randomBytes(16).toString("base64url"), iat: Date.now() };
  if (subject !== undefined) metadata.sub = subject;
  return metadata;
}

export function createRevocationReplica({
  url,
  prefix = "{ironsession}",
  checkIntervalMs = 1000,
  retentionMs = DEFAULT_RETENTION_MS,
  commandTimeoutMs = 2000,
  log = console.error,
} = {}) {
  if (!(Number.isSafeInteger(retentionMs) && retentionMs > 0)) throw new TypeError("retentionMs must be a positive integer");
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
  let closed = false;
  const report = (err) => {
    if (closed) return; // the start-up or a sync cut short by close()
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
    // Caught: a rejection left unhandled would end the process.
    if (lost) fullSync().catch(report);
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

  // Runs the record script; resolves once Redis has run it, rejects after commandTimeoutMs.
  async function record(key, member, expiresMs, nowMs, body) {
    const pruneBound = nowMs - SEAL_SKEW_MS;
    const args = ["EVAL", RECORD_SCRIPT, "2", key, keys.version, keys.channel, member, String(expiresMs), String(pruneBound), body];
    // The abort drops the command from node-redis's offline queue if it was not sent yet, so a
    // revocation reported as failed is not recorded later, on reconnect.
    const abort = new AbortController();
    let deadlineTimer;
    const deadline = new Promise((_, reject) => {
      deadlineTimer = setTimeout(() => {
        reject(new Error(`no answer within ${commandTimeoutMs} ms`));
        abort.abort();
      }, commandTimeoutMs);
    });
    try {
      await Promise.race([client.sendCommand(args, { abortSignal: abort.signal, timeout: commandTimeoutMs }), deadline]);
    } catch (err) {
      throw failure("ERR_REVOCATION_NOT_RECORDED", `revocation NOT recorded in Redis: ${err.message}`, err);
    } finally {
      clearTimeout(deadlineTimer);
    }
  }

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
    // Revokes one session on every server sharing the Redis: resolves once Redis has it.
    async revokeSession(sid) {
      checkSessionId(sid);
      const nowMs = Date.now();
      const expiresMs = nowMs + retentionMs + SEAL_SKEW_MS;
      await record(keys.sids, sid, expiresMs, nowMs, `sid ${expiresMs} ${sid}`);
      addSession(sid, expiresMs);
    },
    // Revokes every session of `subject` created before now ("log out everywhere").
    async revokeSubject(subject) {
      checkSubject(subject);
      const nowMs = Date.now();
      const expiresMs = nowMs + retentionMs + SEAL_SKEW_MS;
      await record(keys.subjects, `${nowMs}:${subject}`, expiresMs, nowMs, `sub ${expiresMs} ${nowMs} ${subject}`);
      addSubject(subject, nowMs, expiresMs);
    },
    // Lets the start-up finish first (closing a client in the middle of its connection can leave
    // its socket open), for at most commandTimeoutMs; then connected clients close once their
    // commands are answered, and a client still connecting is destroyed (its queued commands
    // fail), so close() never waits long for an unreachable Redis.
    async close() {
      closed = true;
      clearInterval(timer);
      let wait;
      const limit = new Promise((resolve) => (wait = setTimeout(resolve, commandTimeoutMs)));
      await Promise.race([ready.catch(() => {}), limit]);
      clearTimeout(wait);
      const end = (redis) => (redis.isReady ? redis.close() : redis.destroy());
      await Promise.allSettled([subscriber, client].map(async (redis) => end(redis)));
    },
  };
}
