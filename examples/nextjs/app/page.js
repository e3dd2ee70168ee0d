import { logInAction } from "./actions.js";
import RustPanel from "./rust-panel.js";
import { IRON_SESSION_MAJOR, getSession } from "../lib/session.js";

// A server component: the session is read on the server for every request.
export default async function Home({ searchParams }) {
  const session = await getSession();
  const { error } = await searchParams;
  return (
    <main>
      <h1>Next.js + ironsession</h1>
      {session.isLoggedIn ? <SignedIn session={session} /> : <SignedOut error={error} />}
      <RustPanel />
      <footer>
        iron-session <span id="iron-session">{IRON_SESSION_MAJOR}</span> on Node.js{" "}
        <span id="node-version">{process.version}</span>
      </footer>
    </main>
  );
}

function SignedOut({ error }) {
  return (
    <>
      <p id="status">Signed out.</p>
      {error === "username" && <p role="alert">Enter a username (at most 1024 bytes).</p>}
      <form id="next-login" action={logInAction}>
        <input id="username-input" name="username" placeholder="username" required />
        <button type="submit">Log in (Next.js server action)</button>
      </form>
      <form id="rust-login" method="post" action="/rust/login">
        <input id="rust-username-input" name="username" placeholder="username" required />
        <button type="submit">Log in (Rust service)</button>
      </form>
    </>
  );
}

function SignedIn({ session }) {
  return (
    <>
      <p id="status">
        Signed in as <strong id="username">{session.username}</strong> (logged in by{" "}
        <span id="logged-in-by">{session.loggedInBy ?? "?"}</span>)
      </p>
      <dl>
        <dt>Note saved by Next.js</dt>
        <dd id="next-note">{session.nextNote ?? ""}</dd>
        <dt>Note saved by Rust</dt>
        <dd id="rust-note">{session.rustNote ?? ""}</dd>
        <dt>Session id</dt>
        <dd id="session-id">{session._is?.sid ?? ""}</dd>
      </dl>
      <form id="next-save" method="post" action="/api/session">
        <input id="next-note-input" name="note" placeholder="note" />
        <button type="submit">Save on the Next.js side</button>
      </form>
      <form id="rust-save" method="post" action="/rust/note">
        <input id="rust-note-input" name="note" placeholder="note" />
        <button type="submit">Save on the Rust side</button>
      </form>
      <form id="next-logout" method="post" action="/api/logout">
        <button type="submit">Log out (Next.js)</button>
      </form>
      <form id="rust-logout" method="post" action="/rust/logout">
        <button type="submit">Log out (Rust service)</button>
      </form>
    </>
  );
}
