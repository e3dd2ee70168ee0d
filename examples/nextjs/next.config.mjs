// The Rust service answers under this app's origin: /rust/me here is GET /me there, with the
// browser's cookies, and its Set-Cookie headers come back unchanged.
const rustApi = process.env.RUST_API_URL || "http://127.0.0.1:3001";

/** @type {import('next').NextConfig} */
export default {
  async rewrites() {
    return [{ source: "/rust/:path*", destination: `${rustApi}/:path*` }];
  },
};
