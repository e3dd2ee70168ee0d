// nuxt-auth-utils' server helpers (dist/runtime/server/utils/session.js) are written for a Nuxt
// build, which provides the virtual module `#imports`; all they take from it is
// useRuntimeConfig(). This module hook resolves `#imports` to a module whose useRuntimeConfig()
// returns globalThis.__nuxtRuntimeConfig, so the helpers run on plain h3 (their own dependency,
// h3 1.x) without building a Nuxt app. Registered by h3-batch.mjs and h3-server.mjs with
// module.register().
//
// nuxt-auth-utils reads the runtime config once, on its first call, and keeps it.
const STUB = `export function useRuntimeConfig() { return globalThis.__nuxtRuntimeConfig ?? {}; }`;

export async function resolve(specifier, context, next) {
  if (specifier === "#imports") {
    return { url: `data:text/javascript,${encodeURIComponent(STUB)}`, shortCircuit: true };
  }
  return next(specifier, context);
}
