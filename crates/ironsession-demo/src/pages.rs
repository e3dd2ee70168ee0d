//! The HTML of the demo, built from strings: every value from the session is escaped with
//! [`escape_html`].

use crate::DemoSession;

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

/// The page at `/`: the user, visit count and a logout button when logged in, else the login
/// form with a "remember me" checkbox.
pub fn home(session: &DemoSession) -> String {
    let body = if session.logged_in() {
        let username = escape_html(session.username.as_deref().unwrap_or(""));
        let visits = session.visits.unwrap_or(0);
        format!(
            r#"<p id="status">Logged in as <strong id="username">{username}</strong> (visits: <span id="visits">{visits}</span>).</p>
<form method="post" action="/logout"><button type="submit" id="logout">Log out</button></form>
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
<html lang="en"><head><meta charset="utf-8"><title>ironsession demo</title></head>
<body><h1>ironsession demo</h1>
{body}<p><a href="/api/session">/api/session</a> shows the session as JSON (and counts a visit).</p>
<p><small>The session lives only in the <code>iron-session-demo</code> cookie, sealed with
Iron (Fe26.2) exactly as the npm package iron-session does. This demo serves plain http on
127.0.0.1, so its cookie is sent <em>without</em> the <code>Secure</code> attribute; a real
deployment must serve https and keep <code>Secure</code>.</small></p>
</body></html>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_out_page_has_the_form() {
        let page = home(&DemoSession::default());
        assert!(page.contains(r#"<form method="post" action="/login""#));
        assert!(page.contains(r#"name="remember""#));
        assert!(!page.contains("Log out"));
    }

    #[test]
    fn logged_in_page_escapes_the_username() {
        let session = DemoSession {
            username: Some("<b>&".into()),
            is_logged_in: Some(true),
            visits: Some(3),
            ..DemoSession::default()
        };
        let page = home(&session);
        assert!(page.contains(r#"<strong id="username">&lt;b&gt;&amp;</strong>"#));
        assert!(page.contains(r#"<span id="visits">3</span>"#));
        assert!(page.contains("Log out"));
        assert!(!page.contains("<b>&"));
    }

    #[test]
    fn a_session_that_is_not_logged_in_shows_the_form() {
        let session = DemoSession {
            username: Some("bob".into()),
            is_logged_in: Some(false),
            visits: None,
            ..DemoSession::default()
        };
        assert!(home(&session).contains("Not logged in."));
    }
}
