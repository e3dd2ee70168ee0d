// Enforce AND record ironsession's revocations in a Node.js iron-session app.
//
//   import { createRevocationReplica, newSessionMetadata } from "./revocation.mjs";
//   const revocation = createRevocationReplica({ url: process.env.REDIS_URL });
//   const session = await getIronSession(req, res, options);
//   if (revocation.refusal(session)) { /* treat as logged out: an empty session */ }
//   // Login: the metadata every server (Rust or Node) checks.
//   session._is = newSessionMetadata(user.id, revocation);
//   // Logout (rejects when Redis did not confirm: keep the session, answer 503):
//   await revocation.revokeSession(session._is.sid); session.destroy();
//   // "Log out everywhere", or a password change:
//   await revocation.revokeSubject(user.id);
//
// It reads the Redis key schema documented in ironsession's `revocation::redis` module (schema 2)
// and keeps a replica in memory, as the Rust servers do: every check is local (no Redis
// round-trip per request), new revocations arrive by pub/sub, and a version counter checked every
// second (plus a full sync on every reconnect) catches any message missed. Sessions carry
// ironsession's metadata under the key "_is":
// {"sid": "<22 chars>", "iat": <ms>, "gen": <generation>, "sub": "<subject>"}.
//
// Generations (ironsession's `revocation` module documentation has the design): the store's
// version counter is raised by every revocation, and the replica's `generation` is the highest
// version it has applied. A login records it as "gen" (newSessionMetadata(subject, revocation)),
// and revokeSubject stores the subject's entry with the new version: a session of the subject is
// refused when its "gen" is lower, whatever the servers' clocks say. A session without "gen"
// (made by an older revocation.mjs, or without the replica) is compared by time: refused when its
// "iat" is before the revocation's time plus 5 s.
//
// Writing: revokeSession(sid) and revokeSubject(subject) write what the Rust side writes (the
// same keys, the same Lua script: drop expired entries, raise the version, ZADD GT, PUBLISH the
// message, atomically), with the expiry now + retentionMs + 60 s. They resolve once Redis has the
// entry (then this process's replica has it too) and reject otherwise: an Error with `code`
// "ERR_INVALID_SESSION_ID" or "ERR_INVALID_SUBJECT" (refused before any Redis call, by the rules
// of the Rust side), or "ERR_REVOCATION_NOT_RECORDED" (Redis unreachable, an error, or no answer
// within commandTimeoutMs; a command not yet sent by then is dropped, never sent later).
// newSessionMetadata(subject?, revocation?) makes the "_is" of a login: a fresh sid (16 bytes from
// crypto.randomBytes as 22 characters of base64url), iat = Date.now(), gen = the replica's
// generation (when given one), sub. The Rust side also reads an optional "rat" (last seal time,
// ms; absent means iat) and keeps unknown fields; iat and gen must stay integers, iat no later
// than now + 60 s, and "_is" must be saved as it is.
//
// Options: url (redis://host:port/db), prefix (default "{ironsession}", the same as the Rust
// side's key prefix), checkIntervalMs (default 1000), retentionMs (default 14 days, as Rust's
// RevocationBuilder::retention; set it to the longest life a session can have, "remember me"
// included, and to the same value as the Rust servers), commandTimeoutMs (default 2000, as
// RedisBackendBuilder::command_timeout), log (default console.error).
// Needs the npm package "redis" (node-redis >= 5; pinned 6.3.1).
import { randomBytes } from "node:crypto";
import { createClient } from "redis";

// ironsession's defaults: 14 days of retention (iron-session's ttl), Iron's 60 s of clock skew
// added to every expiry, a 2 s command timeout, subjects of at most 1024 bytes, 5 s of clock
// allowance for sessions without a generation.
export const DEFAULT_RETENTION_MS = 14 * 24 * 3600 * 1000;
const SEAL_SKEW_MS = 60 * 1000;
const MAX_SUBJECT_BYTES = 1024;
const CLOCK_ALLOWANCE_MS = 5 * 1000;

// The same script as ironsession's RECORD_SCRIPT (RECORD_LUA in revocation/redis.rs). KEYS: the
// sorted set, the version key. ARGV: channel, member, expiry, prune bound (now - 60 s, so that a
// server whose clock runs fast never deletes an entry that servers with slower clocks still
// enforce), message body, the writer's generation, the writer's clock (ms), "g" for a member that
// takes the new version as its generation. Returns the new version.
const RECORD_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[4])
local version = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[6])
if version == 1 then floor = math.max(floor, tonumber(ARGV[7])) end
if version <= floor then
  version = redis.call('INCRBY', KEYS[2], string.format('%d', floor + 1 - version))
end
local member = ARGV[2]
if ARGV[8] == 'g' then member = 'g' .. string.format('%d', version) .. ':' .. member end
redis.call('ZADD', KEYS[1], 'GT', ARGV[3], member)
redis.call('PUBLISH', ARGV[1], string.format('%d', version) .. ' ' .. ARGV[5])
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

// The "_is" of a new session (at login): a fresh id, created now, in the generation of
// `revocation` (a replica of createRevocationReplica) when given, and the subject if given.
export function newSessionMetadata(subject, revocation) {
  if (subject !== undefined) checkSubject(subject);
  const metadata = { sid: randomBytes(16).toString("base64url"), iat: Date.now() };
  if (revocation) metadata.gen = revocation.generation;
  if (subject !== undefined) metadata.sub = subject;
  return metadata;
}

// Whether a subject's merged revocations `cut` refuse a session with metadata `meta`: by
// generation when the session has one, else by creation time with the clock allowance; entries
// without a generation (an older writer's) by creation time only.
function refusesSubject(cut, meta) {
  const iat = Number.isInteger(meta.iat) ? meta.iat : undefined;
  const createdBefore = (beforeMs) => iat === undefined || iat < beforeMs + CLOCK_ALLOWANCE_MS;
  const byGeneration = isGeneration(meta.gen) ? meta.gen < cut.generation : createdBefore(cut.beforeMs);
  return byGeneration || (cut.withoutGenerationBeforeMs > 0 && createdBefore(cut.withoutGenerationBeforeMs));
}

const isGeneration = (value) => Number.isSafeInteger(value) && value >= 0;

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
  // subject -> { generation, beforeMs, withoutGenerationBeforeMs, expiresMs }: the latest of each
  // kind over the subject's entries (0: none).
  const subjects = new Map();
  let version = 0;
  // The highest version applied: never goes down, even when Redis restarts empty.
  let generation = 0;
  const advance = (v) => {
    if (v > generation) generation = v;
  };
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

  // `entryGeneration` is 0 for an entry without one (an older writer's).
  function addSubject(subject, entryGeneration, beforeMs, expiresMs) {
    const known = subjects.get(subject) ?? { generation: 0, beforeMs: 0, withoutGenerationBeforeMs: 0, expiresMs: 0 };
    subjects.set(subject, {
      generation: Math.max(known.generation, entryGeneration),
      beforeMs: Math.max(known.beforeMs, beforeMs),
      withoutGenerationBeforeMs: entryGeneration > 0 ? known.withoutGenerationBeforeMs : Math.max(known.withoutGenerationBeforeMs, beforeMs),
      expiresMs: Math.max(known.expiresMs, expiresMs),
    });
    advance(entryGeneration);
  }

  // `<version> sid <expires_ms> <sid>` or `<version> sub <expires_ms> <before_ms> <subject>`
  // (whose generation is its version).
  function applyMessage(text) {
    const match = /^(\d+) (sid|sub) (\d+) (.*)$/s.exec(text);
    if (!match) return log("revocation: ignored a malformed message");
    const [, v, kind, expires, rest] = match;
    if (kind === "sid") addSession(rest, Number(expires));
    else {
      const space = rest.indexOf(" ");
      if (space < 0) return log("revocation: ignored a malformed message");
      addSubject(rest.slice(space + 1), Number(v), Number(rest.slice(0, space)), Number(expires));
    }
    advance(Number(v));
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
        // `g<generation>:<before_ms>:<subject>`, or the older `<before_ms>:<subject>`.
        await scan(keys.subjects, (member, expiresMs) => {
          const match = /^(?:g(\d+):)?(\d+):(.*)$/s.exec(member);
          if (match) addSubject(match[3], Number(match[1] ?? 0), Number(match[2]), expiresMs);
        });
        version = current;
        advance(current);
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

  // Runs the record script; resolves to the new version once Redis has run it, rejects after
  // commandTimeoutMs.
  async function record(key, member, expiresMs, nowMs, body, generationFlag) {
    const pruneBound = nowMs - SEAL_SKEW_MS;
    const args = ["EVAL", RECORD_SCRIPT, "2", key, keys.version, keys.channel, member, String(expiresMs), String(pruneBound), body, String(generation), String(nowMs), generationFlag];
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
      return Number(await Promise.race([client.sendCommand(args, { abortSignal: abort.signal, timeout: commandTimeoutMs }), deadline]));
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
    // The highest version of the store applied here: what a session created now records as
    // "gen" (newSessionMetadata(subject, revocation) writes it).
    get generation() {
      return generation;
    },
    // Why `session` (iron-session's session object, or its data) is refused: "session",
    // "subject", or null when it is not revoked.
    refusal(session, now = Date.now()) {
      const meta = session?._is;
      if (meta === null || typeof meta !== "object") return null;
      if (typeof meta.sid === "string" && (sessions.get(meta.sid) ?? 0) > now) return "session";
      const cut = typeof meta.sub === "string" ? subjects.get(meta.sub) : undefined;
      if (cut && cut.expiresMs > now && refusesSubject(cut, meta)) return "subject";
      return null;
    },
    // Revokes one session on every server sharing the Redis: resolves once Redis has it.
    async revokeSession(sid) {
      checkSessionId(sid);
      const nowMs = Date.now();
      const expiresMs = nowMs + retentionMs + SEAL_SKEW_MS;
      const v = await record(keys.sids, sid, expiresMs, nowMs, `sid ${expiresMs} ${sid}`, "");
      addSession(sid, expiresMs);
      advance(v);
    },
    // Revokes every session of `subject` created before it returns ("log out everywhere"),
    // whatever the servers' clocks say: the entry takes the store's new version as generation.
    async revokeSubject(subject) {
      checkSubject(subject);
      const nowMs = Date.now();
      const expiresMs = nowMs + retentionMs + SEAL_SKEW_MS;
      const v = await record(keys.subjects, `${nowMs}:${subject}`, expiresMs, nowMs, `sub ${expiresMs} ${nowMs} ${subject}`, "g");
      addSubject(subject, v, nowMs, expiresMs);
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
