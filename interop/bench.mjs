// Micro benchmark of the Node peers (iron-session sealData/unsealData and
// @hapi/iron seal/unseal) on bench/payloads.json. One JSON object goes to
// stdout; progress goes to stderr.
//
//   node bench.mjs [--v 8|9] [--quick] [--duration-ms N] [--warmup-ms N]
//                  [--password-env NAME] [--payloads FILE]
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import Iron from "@hapi/iron";
import { cliArgs, fatal, installedVersion, loadIronSession, packageVersion } from "./lib.mjs";

const args = cliArgs({
  quick: { type: "boolean", default: false },
  "duration-ms": { type: "string" },
  "warmup-ms": { type: "string" },
  "password-env": { type: "string" },
  payloads: { type: "string" },
});

function msOption(name, fallback) {
  if (args[name] === undefined) return fallback;
  const n = Number(args[name]);
  if (!(n > 0)) fatal(`--${name} must be a positive number`);
  return n;
}
const durationMs = msOption("duration-ms", args.quick ? 400 : 2000);
const warmupMs = msOption("warmup-ms", args.quick ? 150 : 500);

let password = "complex_password_at_least_32_characters_long";
if (args["password-env"] !== undefined) {
  password = process.env[args["password-env"]];
  if (!password) fatal(`environment variable ${args["password-env"]} is empty or not set`);
}
if (password.length < 32) fatal("the password must be at least 32 characters long");

const payloadsFile = args.payloads ?? new URL("../bench/payloads.json", import.meta.url);
const payloads = JSON.parse(readFileSync(payloadsFile, "utf8"));

let iron;
try {
  iron = await loadIronSession(args.v);
} catch (err) {
  fatal(err.message);
}

const TTL = 1209600; // seconds: iron-session's default ttl, used for both libraries
const hapiSealOptions = { ...Iron.defaults, ttl: TTL * 1000 };
const hapiPassword = { id: "1", secret: password }; // what iron-session passes to Iron
const hapiPasswords = { 1: password };

// Builds the list of cells: [{lib, op, payload, fn}], checking once that
// every unseal gives back the payload.
async function makeCells() {
  const cells = [];
  for (const [name, payload] of Object.entries(payloads)) {
    const sealed = await iron.sealData(payload, { password, ttl: TTL });
    const inner = sealed.slice(0, sealed.lastIndexOf("~")); // @hapi/iron does not know the "~2" suffix
    const checks = [
      await iron.unsealData(sealed, { password }),
      await Iron.unseal(inner, hapiPasswords, Iron.defaults),
    ];
    if (!checks.every((got) => isDeepStrictEqual(got, payload))) fatal(`unseal of payload ${name} did not round-trip`);
    cells.push(
      { lib: "iron-session", op: "seal", payload: name, fn: () => iron.sealData(payload, { password, ttl: TTL }) },
      { lib: "iron-session", op: "unseal", payload: name, fn: () => iron.unsealData(sealed, { password }) },
      { lib: "@hapi/iron", op: "seal", payload: name, fn: () => Iron.seal(payload, hapiPassword, hapiSealOptions) },
      { lib: "@hapi/iron", op: "unseal", payload: name, fn: () => Iron.unseal(inner, hapiPasswords, Iron.defaults) },
    );
  }
  return cells;
}

const MODES = { sequential: 1, inflight64: 64 };

// Runs fn for about `ms` milliseconds with `concurrency` calls in flight.
async function run(fn, concurrency, ms) {
  let iterations = 0;
  const start = performance.now();
  const deadline = start + ms;
  const worker = async () => {
    while (performance.now() < deadline) {
      await fn();
      iterations++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - start;
  return {
    us_per_op: Number(((elapsedMs * 1000) / iterations).toFixed(3)),
    ops_per_s: Number((iterations / (elapsedMs / 1000)).toFixed(1)),
    iterations,
  };
}

const cells = await makeCells();
const version = installedVersion(args.v);
const hapiVersion = packageVersion("@hapi/iron");
const log = (line) => process.stderr.write(line + "\n");
log(`iron-session ${version}, @hapi/iron ${hapiVersion} on Node ${process.version}; ` +
  `${cells.length * 2} cells, warm-up ${warmupMs} ms, measure ${durationMs} ms each`);

// Warm-up pass over every cell first: without it, whichever cell runs
// first is noticeably slower (JIT, lazily initialised crypto).
for (const cell of cells) for (const c of Object.values(MODES)) await run(cell.fn, c, warmupMs);

const results = [];
for (const cell of cells) {
  for (const [mode, concurrency] of Object.entries(MODES)) {
    const r = await run(cell.fn, concurrency, durationMs);
    results.push({ lib: cell.lib, op: cell.op, payload: cell.payload, mode, ...r });
    log(`${cell.lib.padEnd(12)} ${cell.op.padEnd(6)} ${cell.payload.padEnd(6)} ${mode.padEnd(10)} ` +
      `${r.us_per_op.toFixed(1).padStart(8)} us/op ${r.ops_per_s.toFixed(0).padStart(8)} ops/s`);
  }
}

process.stdout.write(
  JSON.stringify(
    { node: process.version, iron_session: version, hapi_iron: hapiVersion, duration_ms: durationMs, results },
    null,
    1,
  ) + "\n",
);
