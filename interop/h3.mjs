// h3 1.x and 2.x side by side (the npm aliases h3-v1 and h3-v2 of package.json) behind the few
// calls the interop scripts need: an app from a route table, a fetch handler and a node:http
// listener for it, and h3's own session functions.
import { packageVersion } from "./lib.mjs";

// npm aliases installed by package.json.
const PACKAGES = { 1: "h3-v1", 2: "h3-v2" };

export function h3Package(major) {
  const name = PACKAGES[major];
  if (!name) throw new Error(`unknown h3 major version ${JSON.stringify(major)} (use 1 or 2)`);
  return name;
}

// The installed version of h3 1.x or 2.x, e.g. "2.0.8".
export const h3Version = (major) => packageVersion(h3Package(String(major)));

// h3 of that major version, with:
//   app(routes): an app from { "/path": { GET: handler, POST: handler, ... } }, where a handler
//     takes h3's event and returns a web Response (cookies h3 set on the event are added to it);
//   fetchHandler(app): (Request) => Promise<Response>;
//   nodeListener(app): a node:http request listener;
//   and h3's useSession, updateSession, sealSession, unsealSession, clearSession, readBody,
//   getRequestHeader.
export async function loadH3(major) {
  const h3 = await import(h3Package(String(major)));
  const common = {
    major: Number(major),
    version: h3Version(major),
    useSession: h3.useSession,
    updateSession: h3.updateSession,
    sealSession: h3.sealSession,
    unsealSession: h3.unsealSession,
    clearSession: h3.clearSession,
    readBody: h3.readBody,
    getRequestHeader: h3.getRequestHeader,
  };
  if (String(major) === "1") {
    return {
      ...common,
      app(routes) {
        const app = h3.createApp();
        const router = h3.createRouter();
        for (const [path, methods] of Object.entries(routes)) {
          for (const [method, handler] of Object.entries(methods)) {
            router.add(path, h3.eventHandler(handler), method.toLowerCase());
          }
        }
        app.use(router);
        return app;
      },
      fetchHandler: (app) => h3.toWebHandler(app),
      nodeListener: (app) => h3.toNodeListener(app),
    };
  }
  return {
    ...common,
    app(routes) {
      const app = new h3.H3();
      for (const [path, methods] of Object.entries(routes)) {
        for (const [method, handler] of Object.entries(methods)) app.on(method, path, handler);
      }
      return app;
    },
    fetchHandler: (app) => (request) => app.fetch(request),
    nodeListener: (app) => h3.toNodeHandler(app),
  };
}

// Whether h3 2.x marked an unsealed session as a legacy (one-iteration) seal it re-seals.
export const isLegacySeal = (session) =>
  Boolean(session && session[Symbol.for("h3.internal.session.legacy-seal")]);
