import { getSession, logOut } from "../../../lib/session.js";

// Logout on the Next.js side: revoked for the Rust service too (with REDIS_URL), then destroyed.
export async function POST() {
  const session = await getSession();
  try {
    await logOut(session);
  } catch (err) {
    console.error(`logout: ${err.message}`);
    return new Response("The logout could not be recorded (Redis unreachable): try again.\n", { status: 503 });
  }
  return new Response(null, { status: 303, headers: { location: "/" } });
}
