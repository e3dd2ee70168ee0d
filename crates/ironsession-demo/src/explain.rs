//! The "How your session works" card: what the page would otherwise leave to the README. The
//! `Set-Cookie` attributes the server gives the session's cookie and why, which lifetime ends the
//! session now (idle, absolute, renewal), the cookies the browser sent for it (a chunked session
//! is several), and a warning as the `Cookie` header nears the 8 KB that common proxies and
//! curl accept. The `_is` metadata inside the seal is explained in the cookie panel
//! ([`metadata`]).

use cookie::{Cookie, SameSite};
use ironsession::is_session_cookie;

use crate::COOKIE_NAME;
use crate::pages::{escape_html, utc};

/// The size of request headers that common proxies and servers accept (nginx's default
/// `large_client_header_buffers` is 8 KB a line), and curl's limit for a header it sends.
pub const COOKIE_HEADER_LIMIT: usize = 8 * 1024;

/// From this length on the page warns that the `Cookie` header nears [`COOKIE_HEADER_LIMIT`]:
/// one more chunk would cross it.
pub const COOKIE_HEADER_WARNING: usize = 6 * 1024;

/// What the page says about a `Cookie` header of `length` bytes: nothing while it is small, a
/// warning from [`COOKIE_HEADER_WARNING`] on, and that it is over from [`COOKIE_HEADER_LIMIT`].
///
/// ```
/// use ironsession_demo::explain::cookie_header_warning;
///
/// assert_eq!(cookie_header_warning(2_000), None);
/// assert!(cookie_header_warning(6_500).unwrap().contains("nears 8 KB"));
/// assert!(cookie_header_warning(9_000).unwrap().contains("over 8 KB"));
/// ```
pub fn cookie_header_warning(length: usize) -> Option<String> {
    let consequence = "past it a proxy (nginx by default) answers 400 or drops the header, and \
                       the session silently stops arriving: the user looks logged out.";
    if length >= COOKIE_HEADER_LIMIT {
        Some(format!(
            "Your Cookie header is {length} bytes, over 8 KB ({COOKIE_HEADER_LIMIT} bytes), the \
             limit of common proxies and of curl: {consequence} It reaches this demo only \
             because nothing stands between you and it."
        ))
    } else if length >= COOKIE_HEADER_WARNING {
        Some(format!(
            "Your Cookie header is {length} bytes and nears 8 KB ({COOKIE_HEADER_LIMIT} bytes), \
             the limit of common proxies and of curl: {consequence} Keep large data in a \
             database and only its id in the session."
        ))
    } else {
        None
    }
}

/// How the session's cookies are named: iron-session's `name.0` … `name.3`, or h3's `name.1` …
/// `name.N` beside the cookie that counts them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CookieNames {
    /// iron-session's: the whole cookie, or `name.0` … `name.3`.
    #[default]
    IronSession,
    /// h3's: the cookie, and `name.1` … `name.N` when it holds `__chunked__N`.
    H3,
}

impl CookieNames {
    /// Whether the cookie called `cookie` is one of the demo session's.
    ///
    /// ```
    /// use ironsession_demo::explain::CookieNames;
    ///
    /// assert!(CookieNames::IronSession.is_session_cookie("iron-session-demo.3"));
    /// assert!(!CookieNames::IronSession.is_session_cookie("iron-session-demo.4"));
    /// assert!(CookieNames::H3.is_session_cookie("iron-session-demo.12"));
    /// ```
    pub fn is_session_cookie(self, cookie: &str) -> bool {
        match self {
            CookieNames::IronSession => is_session_cookie(COOKIE_NAME, cookie),
            CookieNames::H3 => {
                cookie == COOKIE_NAME
                    || cookie
                        .strip_prefix(COOKIE_NAME)
                        .and_then(|rest| rest.strip_prefix('.'))
                        .is_some_and(|index| {
                            !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit())
                        })
            }
        }
    }
}

/// The cookies of the request's `Cookie` header values: each session cookie (the whole cookie or
/// a chunk) with its length, and the header's total length in bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CookiesSent {
    /// `(name, length of name=value)` of each session cookie, in the order sent.
    pub session_cookies: Vec<(String, usize)>,
    /// The bytes of the `Cookie` header (all its values joined with `; `).
    pub header_length: usize,
}

impl CookiesSent {
    /// The session cookies, named as `names` says, among `cookie_headers` (the request's
    /// `Cookie` values).
    ///
    /// ```
    /// use ironsession_demo::explain::{CookieNames, CookiesSent};
    ///
    /// let sent = CookiesSent::from_headers(CookieNames::IronSession, ["theme=dark; iron-session-demo.0=abc; iron-session-demo.1=de"]);
    /// assert_eq!(sent.session_cookies, [("iron-session-demo.0".to_owned(), 23), ("iron-session-demo.1".to_owned(), 22)]);
    /// assert_eq!(sent.header_length, 59);
    /// ```
    pub fn from_headers<'a>(
        names: CookieNames,
        cookie_headers: impl IntoIterator<Item = &'a str>,
    ) -> CookiesSent {
        let headers: Vec<&str> = cookie_headers.into_iter().collect();
        let session_cookies = headers
            .iter()
            .flat_map(|header| Cookie::split_parse(*header))
            .filter_map(Result::ok)
            .filter(|cookie| names.is_session_cookie(cookie.name()) && !cookie.value().is_empty())
            .map(|cookie| {
                let length = cookie.name().len() + 1 + cookie.value().len();
                (cookie.name().to_owned(), length)
            })
            .collect();
        let separators = headers.len().saturating_sub(1) * "; ".len();
        CookiesSent {
            session_cookies,
            header_length: headers.iter().map(|h| h.len()).sum::<usize>() + separators,
        }
    }

    fn html(&self) -> String {
        let mut html = String::from("<h3>The cookies your browser sent</h3>\n");
        if self.session_cookies.is_empty() {
            html.push_str("<p>No session cookie came with this request.</p>\n");
        } else {
            let chunked =
                self.session_cookies.len() > 1 || self.session_cookies[0].0 != COOKIE_NAME;
            html.push_str(if chunked {
                "<p>Your session is too large for one cookie (4 KB), so it is split into \
                 chunks, each a cookie of its own that the browser stores and sends separately; \
                 the server joins them before it checks the MAC.</p>\n"
            } else {
                "<p>Your session fits in one cookie. Past 4 KB it would be split into chunks \
                 <code>iron-session-demo.0</code>, <code>.1</code>, … (at most 4), each a cookie \
                 of its own.</p>\n"
            });
            html.push_str("<ul id=\"cookies-sent\">");
            for (name, length) in &self.session_cookies {
                html.push_str(&format!(
                    "<li class=\"cookie\"><code>{}</code> {length} bytes</li>",
                    escape_html(name)
                ));
            }
            html.push_str("</ul>\n");
        }
        html.push_str(&format!(
            "<p>The whole <code>Cookie</code> header: <span id=\"cookie-header-length\">{}</span> \
             bytes.</p>\n",
            self.header_length
        ));
        if let Some(warning) = cookie_header_warning(self.header_length) {
            html.push_str(&format!(
                "<p class=\"warning\" id=\"cookie-header-warning\" role=\"alert\">{}</p>\n",
                escape_html(&warning)
            ));
        }
        html
    }
}

/// The `Set-Cookie` line the server writes for the session, each attribute with what it does.
///
/// ```
/// let html = ironsession_demo::explain::set_cookie_attributes(
///     "s=Fe26.2*1*abc; Max-Age=1209540; Path=/; HttpOnly; SameSite=Lax",
/// );
/// assert!(html.contains("13days 23h 59m"));
/// assert!(html.contains("<dt>Secure</dt><dd><span>off"));
/// ```
pub fn set_cookie_attributes(set_cookie: &str) -> String {
    let Ok(cookie) = Cookie::parse(set_cookie) else {
        return String::new();
    };
    let mut rows: Vec<(String, String)> = Vec::new();
    match cookie.max_age().map(|age| age.whole_seconds()) {
        Some(seconds) => rows.push((
            format!("Max-Age={seconds}"),
            format!(
                "The browser keeps the cookie {} and then forgets it. It is a minute shorter than \
                 the seal's own expiration, so the browser never sends a seal the server would \
                 refuse as expired; the seal's expiration holds even for a copy the browser no \
                 longer has.",
                duration_words(seconds)
            ),
        )),
        None => rows.push((
            "Max-Age".to_owned(),
            "none: the browser forgets the cookie when it closes; the seal still expires."
                .to_owned(),
        )),
    }
    if cookie.http_only() == Some(true) {
        rows.push((
            "HttpOnly".to_owned(),
            "Page scripts cannot read the cookie (document.cookie does not show it), so a script \
             injected into the page cannot steal the login."
                .to_owned(),
        ));
    }
    if let Some(same_site) = cookie.same_site() {
        let meaning = match same_site {
            SameSite::Lax => {
                "Sent when you follow a link to this site, but not with a form another site posts \
                 here, nor with its images or scripts: a first defence against cross-site \
                 request forgery."
            }
            SameSite::Strict => "Sent only with requests that start on this site.",
            SameSite::None => "Sent with every request, from any site (requires Secure).",
        };
        rows.push((format!("SameSite={same_site}"), meaning.to_owned()));
    }
    if let Some(path) = cookie.path() {
        rows.push((
            format!("Path={path}"),
            "Sent with every request under this path: here, the whole site.".to_owned(),
        ));
    }
    rows.push(if cookie.secure() == Some(true) {
        (
            "Secure".to_owned(),
            "Sent over https only, never in the clear.".to_owned(),
        )
    } else {
        (
            "Secure".to_owned(),
            "off here: this demo serves plain http on 127.0.0.1, where the browser would never \
             send a Secure cookie back. Anyone on the network path could read and replay this \
             cookie, so a real deployment serves https and keeps Secure on (the default; turning \
             it off is dangerous_insecure_cookie(true))."
                .to_owned(),
        )
    });
    let mut html = String::from(
        "<h3>The Set-Cookie attributes</h3>\n<p>What the server sends with your session's \
         cookie each time it saves the session:</p>\n<dl class=\"fields\" id=\"set-cookie-attributes\">\n",
    );
    for (attribute, meaning) in rows {
        html.push_str(&format!(
            "<dt>{}</dt><dd><span>{}</span></dd>\n",
            escape_html(&attribute),
            escape_html(&meaning)
        ));
    }
    html.push_str("</dl>\n");
    html
}

/// The three timeouts of a session and which one ends it now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lifetimes {
    /// The ttl of this session's seal (ms): 14 days, or 30 after "remember me".
    pub ttl_ms: u64,
    /// The absolute lifetime (ms), if one is set.
    pub absolute_ms: Option<u64>,
    /// The age (ms) after which a read renews the session, if renewal is on.
    pub renew_after_ms: Option<u64>,
    /// When the session was created (`_is.iat`).
    pub created_ms: u64,
    /// When it was last sealed (`_is.rat`).
    pub sealed_ms: u64,
}

/// Which timeout ends the session first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InForce {
    /// The idle timeout: the last seal plus the ttl.
    Idle(u64),
    /// The absolute lifetime: the creation plus the absolute lifetime.
    Absolute(u64),
}

impl Lifetimes {
    /// The timeout that ends the session first, with when.
    ///
    /// ```
    /// use ironsession_demo::explain::{InForce, Lifetimes};
    ///
    /// let hour = 3_600_000;
    /// let mut lifetimes = Lifetimes {
    ///     ttl_ms: 14 * 24 * hour, absolute_ms: Some(12 * hour), renew_after_ms: None,
    ///     created_ms: 0, sealed_ms: 11 * hour,
    /// };
    /// assert_eq!(lifetimes.in_force(), InForce::Absolute(12 * hour));
    /// lifetimes.absolute_ms = None;
    /// assert_eq!(lifetimes.in_force(), InForce::Idle(11 * hour + 14 * 24 * hour));
    /// ```
    pub fn in_force(&self) -> InForce {
        let idle = self.sealed_ms.saturating_add(self.ttl_ms);
        match self.absolute_ms.map(|a| self.created_ms.saturating_add(a)) {
            Some(absolute) if absolute <= idle => InForce::Absolute(absolute),
            _ => InForce::Idle(idle),
        }
    }

    fn html(&self) -> String {
        let idle_end = self.sealed_ms.saturating_add(self.ttl_ms);
        let idle = format!(
            "<dt>Idle</dt><dd>{}: the session ends if it is not saved or renewed for that long: \
             <time>{}</time> unless you come back.</dd>\n",
            duration_words_ms(self.ttl_ms),
            utc(idle_end)
        );
        let absolute = match self.absolute_ms {
            Some(absolute) => format!(
                "<dt>Absolute</dt><dd>{}: the session ends that long after the login, however \
                 busy: <time>{}</time>.</dd>\n",
                duration_words_ms(absolute),
                utc(self.created_ms.saturating_add(absolute))
            ),
            None => "<dt>Absolute</dt><dd>off (<code>IRON_SESSION_ABSOLUTE_SECONDS</code> sets \
                     it): a session in use never ends by itself.</dd>\n"
                .to_owned(),
        };
        let renewal = match self.renew_after_ms {
            Some(renew_after) => format!(
                "<dt>Renewal</dt><dd>after {}: a request that reads the session from \
                 <time>{}</time> on gets it re-sealed, with a fresh idle timeout, even without a \
                 save.</dd>\n",
                duration_words_ms(renew_after),
                utc(self.sealed_ms.saturating_add(renew_after))
            ),
            None => "<dt>Renewal</dt><dd>off (<code>IRON_SESSION_RENEW_AFTER_SECONDS</code> sets \
                     it): only a save (here, every visit counted) restarts the idle timeout.</dd>\n"
                .to_owned(),
        };
        let in_force = match self.in_force() {
            InForce::Idle(at) => format!(
                "the <strong>idle</strong> timeout: the session ends at <time>{}</time> unless \
                 it is saved or renewed first",
                utc(at)
            ),
            InForce::Absolute(at) => format!(
                "the <strong>absolute</strong> lifetime: the session ends at <time>{}</time> \
                 whatever you do",
                utc(at)
            ),
        };
        format!(
            "<h3>Which lifetime is in force</h3>\n<p id=\"lifetime-in-force\">Now: {in_force}.</p>\n\
             <dl class=\"fields\" id=\"lifetimes\">\n{idle}{absolute}{renewal}</dl>\n"
        )
    }
}

/// The "How your session works" card: the `Set-Cookie` attributes, the lifetimes (when the
/// session has metadata) and the cookies sent.
pub fn card(set_cookie: &str, lifetimes: Option<&Lifetimes>, sent: &CookiesSent) -> String {
    format!(
        "<section class=\"card\" id=\"session-explained\">\n<h2>How your session works</h2>\n{}{}{}</section>\n",
        set_cookie_attributes(set_cookie),
        lifetimes.map(Lifetimes::html).unwrap_or_default(),
        sent.html()
    )
}

/// The session's metadata (`_is` in the sealed JSON) field by field, times as dates; empty when
/// `json` has none.
///
/// ```
/// let json = serde_json::json!({"_is": {"sid": "k3Yd", "iat": 1_700_000_000_000u64, "rat": 1_700_000_060_000u64, "sub": "alice"}});
/// let html = ironsession_demo::explain::metadata(&json);
/// assert!(html.contains("2023-11-14T22:13:20Z"));
/// assert!(html.contains("alice"));
/// ```
pub fn metadata(json: &serde_json::Value) -> String {
    let Some(fields) = json
        .get(ironsession::METADATA_KEY)
        .and_then(|v| v.as_object())
    else {
        return String::new();
    };
    let time = |key: &str| {
        fields
            .get(key)
            .and_then(serde_json::Value::as_u64)
            .map(|ms| format!("{ms} = {}", utc(ms)))
    };
    let text = |key: &str| fields.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let rows = [
        (
            "sid",
            text("sid"),
            "The session id: 128 random bits, new at every login (so an id seen before the \
             login is worth nothing after it). Logging out revokes it: every copy of the cookie \
             is refused from then on.",
        ),
        (
            "iat",
            time("iat"),
            "Issued at: when the session was created (the login). The absolute lifetime counts \
             from here, and \"log out everywhere\" refuses every session of the user created \
             before it.",
        ),
        (
            "rat",
            time("rat"),
            "Renewed at: when the session was last sealed (a save or a renewal). The idle \
             timeout and renewal count from here.",
        ),
        (
            "sub",
            text("sub"),
            "The subject: whose session it is, the user \"log out everywhere\" revokes.",
        ),
        (
            "gen",
            fields
                .get("gen")
                .and_then(serde_json::Value::as_u64)
                .map(|g| g.to_string()),
            "The revocation generation the session was created in: \"log out everywhere\" \
             refuses every session of the user from an earlier generation, whatever the servers' \
             clocks say.",
        ),
    ];
    let mut html = format!(
        "<h3>The metadata, <code>{}</code></h3>\n<p>ironsession keeps the session's own fields \
         under one key that your data never sees (a Node.js iron-session app sharing the cookie \
         keeps it when it saves):</p>\n<dl class=\"fields\" id=\"metadata-explained\">\n",
        ironsession::METADATA_KEY
    );
    for (key, value, meaning) in rows {
        if let Some(value) = value {
            html.push_str(&format!(
                "<dt>{key}</dt><dd><code>{}</code><span>{meaning}</span></dd>\n",
                escape_html(&value)
            ));
        }
    }
    html.push_str("</dl>\n");
    html
}

/// Seconds as `29days 23h 59m (2591940 s)`.
fn duration_words(seconds: i64) -> String {
    let seconds = u64::try_from(seconds).unwrap_or(0);
    let words = humantime::format_duration(std::time::Duration::from_secs(seconds));
    format!("{words} ({seconds} s)")
}

fn duration_words_ms(ms: u64) -> String {
    duration_words(i64::try_from(ms / 1000).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warning_starts_at_six_kilobytes_and_says_when_it_is_over() {
        assert_eq!(cookie_header_warning(COOKIE_HEADER_WARNING - 1), None);
        let near = cookie_header_warning(COOKIE_HEADER_WARNING).unwrap();
        assert!(near.contains("nears 8 KB (8192 bytes)"), "{near}");
        assert!(near.contains("silently stops arriving"), "{near}");
        let over = cookie_header_warning(COOKIE_HEADER_LIMIT).unwrap();
        assert!(over.contains("over 8 KB"), "{over}");
    }

    #[test]
    fn chunks_are_listed_as_the_separate_cookies_they_are() {
        let sent = CookiesSent::from_headers(
            CookieNames::IronSession,
            [
                "theme=dark; iron-session-demo.1=bbbb",
                "iron-session-demo.0=aaa; other.0=x; iron-session-demo=",
            ],
        );
        assert_eq!(
            sent.session_cookies,
            [
                ("iron-session-demo.1".to_owned(), 24),
                ("iron-session-demo.0".to_owned(), 23)
            ]
        );
        // Two header values count as one header joined with "; ".
        let lengths = [36, 54];
        assert_eq!(sent.header_length, lengths[0] + 2 + lengths[1]);
        let html = sent.html();
        assert!(html.contains("split into chunks"), "{html}");
        assert!(
            html.contains(r#"<li class="cookie"><code>iron-session-demo.0</code> 23 bytes</li>"#)
        );
        assert!(!html.contains("cookie-header-warning"));
    }

    #[test]
    fn a_large_cookie_header_shows_the_warning() {
        let chunk = "x".repeat(3100);
        let header = format!("iron-session-demo.0={chunk}; iron-session-demo.1={chunk}");
        let html = CookiesSent::from_headers(CookieNames::IronSession, [header.as_str()]).html();
        assert!(html.contains(r#"id="cookie-header-warning""#), "{html}");
        assert!(html.contains("nears 8 KB"), "{html}");
    }

    #[test]
    fn secure_off_is_explained_and_each_attribute_is_listed() {
        let html = set_cookie_attributes(
            "iron-session-demo=Fe26.2*x; Max-Age=2591940; Path=/; HttpOnly; SameSite=Lax",
        );
        assert!(html.contains("<dt>Max-Age=2591940</dt>"), "{html}");
        assert!(html.contains("29days 23h 59m (2591940 s)"), "{html}");
        assert!(html.contains("<dt>HttpOnly</dt>"));
        assert!(html.contains("<dt>SameSite=Lax</dt>"));
        assert!(html.contains("<dt>Path=/</dt>"));
        assert!(html.contains("<dt>Secure</dt><dd><span>off here"));
        let secure = set_cookie_attributes("s=v; Path=/; Secure; HttpOnly; SameSite=Strict");
        assert!(secure.contains("<dt>Secure</dt><dd><span>Sent over https only"));
        assert!(secure.contains("<dt>Max-Age</dt><dd><span>none: the browser forgets"));
    }

    #[test]
    fn the_lifetimes_say_which_one_is_in_force_with_dates() {
        let hour = 3_600_000;
        // Created 2023-11-14T22:13:20Z, sealed an hour later.
        let lifetimes = Lifetimes {
            ttl_ms: 24 * hour,
            absolute_ms: Some(2 * hour),
            renew_after_ms: Some(hour / 2),
            created_ms: 1_700_000_000_000,
            sealed_ms: 1_700_000_000_000 + hour,
        };
        let html = lifetimes.html();
        assert!(
            html.contains("the <strong>absolute</strong> lifetime: the session ends at <time>2023-11-15T00:13:20Z</time>"),
            "{html}"
        );
        assert!(html.contains("<time>2023-11-15T23:13:20Z</time> unless you come back"));
        assert!(html.contains("from <time>2023-11-14T23:43:20Z</time> on"));
        let idle = Lifetimes {
            absolute_ms: None,
            renew_after_ms: None,
            ..lifetimes
        };
        assert!(idle.html().contains("the <strong>idle</strong> timeout"));
    }

    #[test]
    fn metadata_fields_are_explained_with_dates_and_escaped() {
        let json = serde_json::json!({"visits": 1, "_is": {"sid": "a<b", "iat": 1_700_000_000_000u64, "rat": 1_700_086_400_000u64, "gen": 42}});
        let html = metadata(&json);
        assert!(
            html.contains("<dt>sid</dt><dd><code>a&lt;b</code>"),
            "{html}"
        );
        assert!(html.contains("1700000000000 = 2023-11-14T22:13:20Z"));
        assert!(html.contains("1700086400000 = 2023-11-15T22:13:20Z"));
        assert!(!html.contains("<dt>sub</dt>"));
        assert!(html.contains("<dt>gen</dt><dd><code>42</code>"), "{html}");
        assert_eq!(metadata(&serde_json::json!({"visits": 1})), "");
    }
}
