// The Rust service answers under this app's origin: /rust/me here is GET /me there, with the
// browser's cookies, and its Set-Cookie headers come back unchanged. Next.js fixes the
// destination when it builds (see README.md, "The rewrite").
const rustApi = process.env.RUST_API_URL || "http://127.0.0.1:3001";

/** @type {import('next').NextConfig} */
export default {
  async rewrites() {
    return [{ source: "/rust/:path*", destination: `${rustApi}/:path*` }];
  },
  // No files written into the example by `next dev` (AGENTS.md), and no upgrade checks against
  // the npm registry.
  agentRules: false,
  experimental: { agentUpgrade: false, agentFeedback: false },
};
