// JSON-lines worker for the Rust interop tests: one JSON request per stdin
// line, one JSON response per stdout line, in order. Exits at EOF.
//
//   node batch.mjs [--v 8|9] [--now-ms N]
//
// Requests:
//   {"op":"seal","password":P,"payload":ANY,"ttl":SECONDS?,"now_ms":N?}
//     -> {"ok":true,"seal":"Fe26.2*...~2"}
//   {"op":"unseal","password":P,"seal":"...","ttl":SECONDS?,"now_ms":N?}
//     -> {"ok":true,"payload":ANY}   (v9 also adds "unseal_error":{"reason","message"}
//                                     when it swallowed an error and returned {})
//   {"op":"request","password":P,"options":OPTIONS?,"cookie":HEADER?,"action":A,"payload":ANY?}
//     iron-session 9 only: getIronSession over a web Request carrying the Cookie
//     header HEADER, with sessionOptions OPTIONS (cookieName, chunk, cookieOptions,
//     ttl) and P, then A: "read" (nothing more), "save" (the session's fields
//     replaced by PAYLOAD, then save()) or "destroy".
//     -> {"ok":true,"session":ANY,"set_cookies":["name=value; ...", ...]}
//   {"op":"touch","password":P,"seal":S,"set":OBJECT,"now_ms":N?}
//     iron-session 8 or 9: getIronSession over a cookie store holding cookie
//     "touch" = S, the fields of OBJECT assigned to the session (as an app
//     changes some of its fields), then save().
//     -> {"ok":true,"session":ANY,"seal":"Fe26.2*...~2"}   (session: as read)
//   {"op":"hapi_unseal","password":P,"seal":S,"now_ms":N?}
//     @hapi/iron's Iron.unseal with Iron.defaults, of S without its "~2" suffix
//     (P as iron-session hands it to Iron).
//     -> {"ok":true,"payload":ANY}
//   {"op":"info"} -> {"ok":true,"iron_session":"8.0.4","node":"v20.x"}
// P is a string or an object id -> string. Any failure -> {"ok":false,"error":MESSAGE}.
import Iron from "@hapi/iron";
import { BadRequest, check, cliArgs, fatal, installedVersion, loadIronSession, serveJsonLines } from "./lib.mjs";

const args = cliArgs({ "now-ms": { type: "string" } });
const defaultNow = args["now-ms"] === undefined ? undefined : Number(args["now-ms"]);
if (defaultNow !== undefined && !Number.isFinite(defaultNow)) fatal("--now-ms must be a number");

let iron;
try {
  iron = await loadIronSession(args.v);
} catch (err) {
  fatal(err.message);
}
const version = installedVersion(args.v);

function checkPassword(password) {
  const ok =
    typeof password === "string" ||
    (password !== null && typeof password === "object" && !Array.isArray(password));
  check(ok, "password must be a string or an object id -> password");
}

async function handle(req) {
  check(req !== null && typeof req === "object" && !Array.isArray(req), "request must be a JSON object");
  check(req.ttl === undefined || typeof req.ttl === "number", "ttl must be a number (seconds)");
  switch (req.op) {
    case "seal": {
      checkPassword(req.password);
      check("payload" in req, "missing payload");
      const seal = await iron.sealData(req.payload, { password: req.password, ttl: req.ttl });
      return { ok: true, seal };
    }
    case "unseal": {
      checkPassword(req.password);
      check(typeof req.seal === "string", "seal must be a string");
      let unsealError;
      // v8 ignores onUnsealError; v9 calls it instead of throwing.
      const onUnsealError = (reason, err) => {
        unsealError = { reason, message: err instanceof Error ? err.message : String(err) };
      };
      const payload = await iron.unsealData(req.seal, { password: req.password, ttl: req.ttl, onUnsealError });
      return unsealError ? { ok: true, payload, unseal_error: unsealError } : { ok: true, payload };
    }
    case "request": {
      checkPassword(req.password);
      check(args.v === "9", "the request op needs iron-session 9 (--v 9)");
      const headers = typeof req.cookie === "string" ? { cookie: req.cookie } : {};
      const responseHeaders = new Headers();
      const session = await iron.getIronSession(new Request("http://localhost/", { headers }), responseHeaders, {
        ...req.options,
        password: req.password,
      });
      const read = { ...session };
      if (req.action === "save") {
        for (const key of Object.keys(session)) delete session[key];
        Object.assign(session, req.payload);
        await session.save();
      } else if (req.action === "destroy") {
        session.destroy();
      } else {
        check(req.action === "read", 'action must be "read", "save" or "destroy"');
      }
      return { ok: true, session: read, set_cookies: responseHeaders.getSetCookie() };
    }
    case "touch": {
      checkPassword(req.password);
      check(typeof req.seal === "string", "seal must be a string");
      const written = new Map([["touch", req.seal]]);
      const cookieStore = {
        get: (name) => (written.has(name) ? { name, value: written.get(name) } : undefined),
        getAll: () => [...written].map(([name, value]) => ({ name, value })),
        set: (name, value) => written.set(name, value),
      };
      const session = await iron.getIronSession(cookieStore, { password: req.password, cookieName: "touch" });
      const read = { ...session };
      Object.assign(session, req.set ?? {});
      await session.save();
      return { ok: true, session: read, seal: written.get("touch") };
    }
    case "hapi_unseal": {
      checkPassword(req.password);
      check(typeof req.seal === "string", "seal must be a string");
      const inner = req.seal.split("~")[0];
      return { ok: true, payload: await Iron.unseal(inner, req.password, Iron.defaults) };
    }
    case "info":
      return { ok: true, iron_session: version, node: process.version };
    default:
      throw new BadRequest(`unknown op ${JSON.stringify(req.op)}`);
  }
}

await serveJsonLines(handle, defaultNow);
