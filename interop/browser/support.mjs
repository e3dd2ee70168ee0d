// Shared by the browser specs: Debian's Chromium through playwright-core, and the servers a spec
// starts. They stay in the test runner's process group, so that a cargo test that times out and
// kills that group ends them too.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

// Flags that keep Chromium quiet on a closed network and inside containers.
// playwright-core's launch() always starts from a fresh temporary profile
// (its own --user-data-dir, removed on close), so no profile flag is needed.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// Starts Chromium, or says what to install.
export function launchChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} does not exist: install Debian's chromium package (apt-get install -y chromium) or set CHROMIUM`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

// This machine's environment without the servers' own settings, so that an ambient REDIS_URL,
// password or lifetime setting cannot change what the tests see.
export function cleanEnvironment() {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name === "REDIS_URL" || name === "REVOCATION" || name.startsWith("IRON_SESSION_")) delete env[name];
  }
  return env;
}

// Starts `command` and waits (at most `timeoutMs`) for the stdout line matching `url`, whose first
// group is the server's base URL, then for the one matching `ready` (default: the same line).
// Resolves to { base, stderr(), stop() }.
export function startServer(name, command, args, { env, cwd, url, ready = url, timeoutMs = 20_000 }) {
  if (!existsSync(command)) throw new Error(`${command} does not exist (${name})`);
  const child = spawn(command, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  const stop = () => child.kill("SIGKILL");
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no line matching ${ready} within ${timeoutMs / 1000} s`)), timeoutMs);
    const fail = (err) => {
      clearTimeout(timer);
      stop();
      reject(new Error(`${name}: ${err.message}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    };
    child.on("error", fail);
    child.on("exit", (code, signal) => fail(new Error(`exited early (code ${code}, signal ${signal})`)));
    let base;
    createInterface({ input: child.stdout }).on("line", (line) => {
      stdout += `${line}\n`;
      base ??= url.exec(line)?.[1];
      if (base !== undefined && ready.test(line)) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        resolve({ base, stderr: () => stderr, stop });
      }
    });
  });
}
