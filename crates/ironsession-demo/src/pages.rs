//! The HTML of the demo, built from strings: every value from the session is escaped with
//! [`escape_html`].

use crate::{DemoSession, MAX_NOTE_CHARS};

/// Escapes `&`, `<`, `>`, `"` and `'` for use in HTML text and quoted attribute values.
///
/// ```
/// assert_eq!(
///     ironsession_demo::pages::escape_html(r#"<script>alert("x & 'y'")</script>"#),
///     "&lt;script&gt;alert(&quot;x &amp; &#39;y&#39;&quot;)&lt;/script&gt;"
/// );
/// ```
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// The page at `/`: the user, visit count, notes and a logout button when logged in, else the
/// login form with a "remember me" checkbox, and the session's id and times when `times` has
/// them; beside it `cookie_panel` (the "What is in my cookie?" card, HTML) and under it
/// `explained` (the "How your session works" card, HTML, empty when logged out). `cookie_count`
/// is how many cookies the session arrived in (the whole cookie or its chunks).
pub fn home(
    session: &DemoSession,
    cookie_count: usize,
    times: Option<&SessionTimes>,
    cookie_panel: &str,
    explained: &str,
) -> String {
    let times = times.map(SessionTimes::html).unwrap_or_default();
    let body = if session.logged_in() {
        let username = escape_html(session.username.as_deref().unwrap_or(""));
        let visits = session.visits.unwrap_or(0);
        let notes = notes(session.notes.as_deref().unwrap_or_default());
        format!(
            r#"<p id="status">Logged in as <strong id="username">{username}</strong> (visits: <span id="visits">{visits}</span>).</p>
{times}<form method="post" action="/logout" class="logout"><button type="submit" id="logout">Log out</button>
<span class="explain" id="logout-explained">Ends this session: its id is revoked, so every copy of this cookie is refused from now on, on every server that shares the revocation store, and the browser deletes the cookie. You stay logged in in your other browsers.</span></form>
<form method="post" action="/logout-everywhere" class="logout"><button type="submit" id="logout-everywhere">Log out everywhere</button>
<span class="explain" id="logout-everywhere-explained">Ends every session of <strong>{username}</strong> created until now, in every browser, on every server that shares the revocation store (Redis when the demo runs with <code>REDIS_URL</code>). A login afterwards is a new session and works.</span></form>
</section>
<section class="card">
{notes}<p class="note">The session uses <span id="cookie-count">{cookie_count}</span> cookie(s): past 4 KB it is split into <code>iron-session-demo.0</code>, <code>.1</code>, … (at most 4).</p>
"#
        )
    } else {
        r#"<p id="status">Not logged in.</p>
<form method="post" action="/login" id="login-form">
  <label>Username <input name="username" id="username-input" required></label>
  <label><input type="checkbox" name="remember" value="1" id="remember"> Remember me for 30 days</label>
  <button type="submit" id="login">Log in</button>
</form>
"#
        .to_owned()
    };
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ironsession demo</title><link rel="stylesheet" href="/style.css"></head>
<body>
<header class="top"><h1>iron<span>session</span> demo</h1><p>The whole session sealed into one cookie, readable by Rust and Node.js alike.</p></header>
<main>
<div class="stack">
<section class="card" id="account">
<h2>Your session</h2>
{body}</section>
{explained}<section class="card">
<h2>Look closer</h2>
<p><a href="/api/session">/api/session</a> shows the session as JSON (and counts a visit).</p>
<p class="note">The session lives only in the <code>iron-session-demo</code> cookie, sealed with
Iron (Fe26.2) exactly as the npm package iron-session does. This demo serves plain http on
127.0.0.1, so its cookie is sent <em>without</em> the <code>Secure</code> attribute; a real
deployment must serve https and keep <code>Secure</code>.</p>
<p class="note" id="without-metadata">This demo also reads logins made by a Node.js app that
does not add the session metadata (<code>_is</code>: the session id and creation time that a
logout revokes). Such a session gets an id when it is first read here, and the response re-seals
it with that id, but a copy of the cookie as Node wrote it gets a new id at every read: no logout
can revoke it, and only its ttl ends it. A real deployment turns this off once its Node apps add
the metadata (<code>newSessionMetadata</code> of <code>interop/revocation.mjs</code>).</p>
</section>
</div>
{cookie_panel}</main>
<footer>ironsession: Fe26.2 cookie sessions for axum and actix-web, wire-compatible with iron-session.</footer>
</body></html>
"#
    )
}

/// The session's id and lifetime, from its [metadata](ironsession::Metadata).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionTimes {
    /// The first characters of the session id.
    pub short_id: String,
    /// When the session started (ms since the Unix epoch).
    pub started_ms: u64,
    /// When it ends unless used again, if it does.
    pub expires_ms: Option<u64>,
}

impl SessionTimes {
    /// The times of `session`, if it has metadata.
    pub fn of<T>(session: &ironsession::Session<T>) -> Option<SessionTimes> {
        let metadata = session.metadata()?;
        Some(SessionTimes {
            short_id: metadata.id().short().to_owned(),
            started_ms: metadata.created_at_ms(),
            expires_ms: session.expires_at_ms(),
        })
    }

    fn html(&self) -> String {
        let expires = self.expires_ms.map_or_else(|| "never".to_owned(), utc);
        format!(
            r#"<p id="session-times">Session <code id="session-id">{}…</code> started <time id="session-started">{}</time>, expires <time id="session-expires">{}</time>.</p>
"#,
            escape_html(&self.short_id),
            utc(self.started_ms),
            expires
        )
    }
}

/// `ms` after the epoch as an RFC 3339 UTC time, to the second.
pub(crate) fn utc(ms: u64) -> String {
    use time::format_description::well_known::Rfc3339;
    i64::try_from(ms / 1000)
        .ok()
        .and_then(|seconds| time::OffsetDateTime::from_unix_timestamp(seconds).ok())
        .and_then(|date| date.format(&Rfc3339).ok())
        .unwrap_or_else(|| "(out of range)".to_owned())
}

/// The notes section: the list, a form to add one and a button to delete them all. Both go
/// through `fetch` so that a refused note (413) shows its message on the page.
fn notes(notes: &[String]) -> String {
    let items: String = notes
        .iter()
        .map(|note| format!("<li>{}</li>", escape_html(note)))
        .collect();
    format!(
        r#"<h2>Notes</h2>
<ul id="notes">{items}</ul>
<form id="note-form" method="post" action="/api/notes">
  <label>Note <textarea name="note" id="note-input" maxlength="{MAX_NOTE_CHARS}" required></textarea></label>
  <button type="submit" id="add-note">Add note</button>
</form>
<button type="button" id="clear-notes">Delete all notes</button>
<p id="note-error" role="alert"></p>
<script>
const noteError = document.getElementById("note-error");
async function notesRequest(method, body) {{
  const response = await fetch("/api/notes", {{ method, body }});
  if (response.ok) location.reload();
  else noteError.textContent = `${{response.status}}: ${{await response.text()}}`;
}}
document.getElementById("note-form").addEventListener("submit", (event) => {{
  event.preventDefault();
  notesRequest("POST", new URLSearchParams(new FormData(event.target)));
}});
document.getElementById("clear-notes").addEventListener("click", () => notesRequest("DELETE"));
</script>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_out_page_has_the_form() {
        let page = home(&DemoSession::default(), 0, None, "", "");
        assert!(page.contains(r#"<form method="post" action="/login""#));
        assert!(page.contains(r#"name="remember""#));
        assert!(!page.contains("Log out"));
        assert!(page.contains(r#"<link rel="stylesheet" href="/style.css">"#));
    }

    #[test]
    fn logged_in_page_escapes_the_username() {
        let session = DemoSession {
            username: Some("<b>&".into()),
            is_logged_in: Some(true),
            visits: Some(3),
            ..DemoSession::default()
        };
        let page = home(&session, 1, None, "", "");
        assert!(page.contains(r#"<strong id="username">&lt;b&gt;&amp;</strong>"#));
        assert!(page.contains(r#"<span id="visits">3</span>"#));
        assert!(page.contains("Log out"));
        assert!(!page.contains("<b>&"));
    }

    #[test]
    fn notes_are_listed_escaped_with_the_cookie_count() {
        let session = DemoSession {
            is_logged_in: Some(true),
            notes: Some(vec!["first".into(), "<i>second</i>".into()]),
            ..DemoSession::default()
        };
        let page = home(&session, 3, None, "", "");
        assert!(
            page.contains(
                r#"<ul id="notes"><li>first</li><li>&lt;i&gt;second&lt;/i&gt;</li></ul>"#
            )
        );
        assert!(page.contains(r#"<span id="cookie-count">3</span>"#));
        assert!(page.contains(r#"maxlength="1000""#));
    }

    #[test]
    fn a_session_that_is_not_logged_in_shows_the_form() {
        let session = DemoSession {
            username: Some("bob".into()),
            is_logged_in: Some(false),
            visits: None,
            ..DemoSession::default()
        };
        assert!(home(&session, 0, None, "", "").contains("Not logged in."));
    }

    #[test]
    fn the_page_shows_the_short_id_start_and_expiry_in_utc() {
        let session = DemoSession {
            username: Some("a".into()),
            is_logged_in: Some(true),
            ..DemoSession::default()
        };
        let times = SessionTimes {
            short_id: "AbC-_123".into(),
            // 1700000000 s after the epoch is 2023-11-14 22:13:20 UTC; 86400 s later is the 15th.
            started_ms: 1_700_000_000_999,
            expires_ms: Some(1_700_086_400_000),
        };
        let page = home(&session, 1, Some(&times), "", "");
        assert!(
            page.contains(r#"<code id="session-id">AbC-_123…</code>"#),
            "{page}"
        );
        assert!(page.contains(r#"<time id="session-started">2023-11-14T22:13:20Z</time>"#));
        assert!(page.contains(r#"<time id="session-expires">2023-11-15T22:13:20Z</time>"#));
        let logged_out = home(&DemoSession::default(), 0, Some(&times), "", "");
        assert!(!logged_out.contains("session-id"));
    }
}
