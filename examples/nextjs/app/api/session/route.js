import { getSession } from "../../../lib/session.js";

// The session as this app reads it (revoked sessions read as empty).
export async function GET() {
  const session = await getSession();
  return Response.json({ ...session });
}

// A save on the Next.js side: one field of its own. iron-session seals every key it read, so the
// Rust service's fields and the session metadata (`_is`) stay as they were.
export async function POST(request) {
  const session = await getSession();
  if (!session.isLoggedIn) return new Response("not logged in\n", { status: 401 });
  const note = String((await request.formData()).get("note") ?? "");
  if (note.length > 1000) return new Response("note too long\n", { status: 400 });
  session.nextNote = note;
  await session.save();
  return new Response(null, { status: 303, headers: { location: "/" } });
}
