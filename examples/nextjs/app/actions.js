"use server";
import { redirect } from "next/navigation";
import { getSession, logIn } from "../lib/session.js";

// The login form's server action. A real app checks a password here; the example trusts the name.
export async function logInAction(formData) {
  const username = String(formData.get("username") ?? "").trim();
  // The subject of the session: 1 to 1024 bytes on both sides.
  if (username === "" || Buffer.byteLength(username) > 1024) redirect("/?error=username");
  await logIn(await getSession(), username, "next");
  redirect("/");
}
