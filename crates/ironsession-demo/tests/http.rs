//! The demo binary over real HTTP: login, visits, remember me, logout, bad input.

mod common;

use std::process::{Command, Stdio};

use common::{
    Browser, COOKIE_NAME, Server, TEST_PASSWORD, api_session, attributes, client, cookie_pair, get,
    login, long_note, session_set_cookie, set_cookies,
};
use serde_json::json;

/// iron-session's default cookie attributes minus `Secure` (plain http on localhost).
const LOGIN_ATTRIBUTES: &str = "; Max-Age=1209540; Path=/; HttpOnly; SameSite=Lax";
const REMEMBER_ATTRIBUTES: &str = "; Max-Age=2591940; Path=/; HttpOnly; SameSite=Lax";

#[tokio::test]
async fn login_then_visits_count_up() {
    let server = Server::demo(TEST_PASSWORD);
    let client = client();

    let response = login(&client, &server, &[("username", "alice")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
    let set_cookie = session_set_cookie(&response);
    assert!(
        set_cookie.starts_with(&format!("{COOKIE_NAME}=Fe26.2*1*")),
        "{set_cookie}"
    );
    assert!(cookie_pair(&set_cookie).ends_with("~2"), "{set_cookie}");
    assert_eq!(attributes(&set_cookie), LOGIN_ATTRIBUTES);
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    let cookie = cookie_pair(&set_cookie);

    // The page shows the user, visit count 0 and a logout button, and saves nothing.
    let page = get(&client, &server, "/", Some(&cookie)).await;
    assert_eq!(page.status(), 200);
    assert!(set_cookies(&page).is_empty());
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"<strong id="username">alice</strong>"#),
        "{html}"
    );
    assert!(html.contains(r#"<span id="visits">0</span>"#), "{html}");
    assert!(html.contains(r#"action="/logout""#), "{html}");
    assert!(!html.contains(r#"action="/login""#), "{html}");

    // Each /api/session counts a visit and re-seals the cookie (a new seal, same attributes).
    let (data, lines) = api_session(&client, &server, Some(&cookie)).await;
    assert_eq!(
        data,
        json!({"username": "alice", "isLoggedIn": true, "visits": 1, "notes": []})
    );
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(attributes(&lines[0]), LOGIN_ATTRIBUTES);
    assert_ne!(cookie_pair(&lines[0]), cookie);
    let cookie = cookie_pair(&lines[0]);

    let (data, lines) = api_session(&client, &server, Some(&cookie)).await;
    assert_eq!(
        data,
        json!({"username": "alice", "isLoggedIn": true, "visits": 2, "notes": []})
    );
    let cookie = cookie_pair(&lines[0]);

    let html = home_page(&client, &server, &cookie).await;
    assert!(html.contains(r#"<span id="visits">2</span>"#), "{html}");
}

#[tokio::test]
async fn the_username_is_trimmed() {
    let server = Server::demo(TEST_PASSWORD);
    let client = client();
    let response = login(&client, &server, &[("username", "  bob \t")]).await;
    let cookie = cookie_pair(&session_set_cookie(&response));
    let (data, _) = api_session(&client, &server, Some(&cookie)).await;
    assert_eq!(data["username"], "bob");
}

#[tokio::test]
async fn remember_me_keeps_the_cookie_30_days() {
    let server = Server::demo(TEST_PASSWORD);
    let client = client();
    let response = login(
        &client,
        &server,
        &[("username", "carol"), ("remember", "1")],
    )
    .await;
    assert_eq!(response.status(), 303);
    let set_cookie = session_set_cookie(&response);
    assert_eq!(attributes(&set_cookie), REMEMBER_ATTRIBUTES);

    // The seal itself lasts 30 days: its expiration field (ms) is about now + 30 days.
    let seal = cookie_pair(&set_cookie)[COOKIE_NAME.len() + 1..].to_owned();
    let expiration_ms: u64 = seal.split('*').nth(5).unwrap().parse().unwrap();
    let now_ms = u64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    let thirty_days_ms = 30 * 24 * 3600 * 1000;
    assert!(
        expiration_ms.abs_diff(now_ms + thirty_days_ms) < 60_000,
        "expiration {expiration_ms}, now {now_ms}"
    );

    // Later saves keep the 30 days (update_config alone lasts one request).
    let response = client
        .get(format!("{}/api/session", server.base))
        .header("cookie", cookie_pair(&set_cookie))
        .send()
        .await
        .unwrap();
    assert_eq!(
        attributes(&session_set_cookie(&response)),
        REMEMBER_ATTRIBUTES
    );

    // An empty `remember` is no (the browser sends nothing for an unchecked box; `remember=` is
    // what server.mjs also treats as false).
    let response = login(&client, &server, &[("username", "carol"), ("remember", "")]).await;
    assert_eq!(attributes(&session_set_cookie(&response)), LOGIN_ATTRIBUTES);
}

#[tokio::test]
async fn logout_deletes_the_cookie() {
    let server = Server::demo(TEST_PASSWORD);
    let client = client();
    let response = login(&client, &server, &[("username", "dave")]).await;
    let cookie = cookie_pair(&session_set_cookie(&response));

    let response = client
        .post(server.url("/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
    assert_eq!(
        set_cookies(&response),
        [format!(
            "{COOKIE_NAME}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
        )]
    );

    // Without the cookie (the browser deleted it) the page is the login form again.
    let html = get(&client, &server, "/", None).await.text().await.unwrap();
    assert!(html.contains(r#"action="/login""#), "{html}");
    // The page says what reading sessions without metadata leaves open.
    assert!(html.contains(r#"id="without-metadata""#), "{html}");
    assert!(html.contains("no logout"), "{html}");
    assert!(html.contains(r#"name="remember""#), "{html}");
    assert!(html.contains("Not logged in."), "{html}");
}

/// The demo refuses cross-site writes: a login (login CSRF) or a logout posted by another site's
/// page is a 403 with nothing written; the same forms from the demo's own page go through.
#[tokio::test]
async fn a_login_or_logout_posted_from_another_site_is_refused() {
    let server = Server::demo(TEST_PASSWORD);
    let client = client();
    let own_origin = server.url("");
    let own_origin = own_origin.trim_end_matches('/');
    let post = |path: &str, headers: &[(&str, &str)], cookie: Option<&str>| {
        let mut request = client
            .post(server.url(path))
            .form(&[("username", "mallory")]);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };
    let response = login(&client, &server, &[("username", "erin")]).await;
    let cookie = cookie_pair(&session_set_cookie(&response));
    for headers in [
        &[("sec-fetch-site", "cross-site")][..],
        &[("origin", "http://evil.example")],
    ] {
        for (path, cookie) in [("/login", None), ("/logout", Some(cookie.as_str()))] {
            let response = post(path, headers, cookie).await.unwrap();
            assert_eq!(response.status(), 403, "{path} {headers:?}");
            assert!(set_cookies(&response).is_empty(), "{path} {headers:?}");
        }
    }
    let html = home_page(&client, &server, &cookie).await;
    assert!(
        html.contains(r#"<strong id="username">erin</strong>"#),
        "still logged in: {html}"
    );

    let same_origin = [("sec-fetch-site", "same-origin"), ("origin", own_origin)];
    let response = post("/login", &same_origin, None).await.unwrap();
    assert_eq!(response.status(), 303);
    assert!(session_set_cookie(&response).starts_with(&format!("{COOKIE_NAME}=Fe26.2*1*")));
    let response = post("/logout", &same_origin, Some(&cookie)).await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(set_cookies(&response).len(), 1);
}

#[tokio::test]
async fn a_browser_with_a_cookie_jar_goes_through_the_whole_flow() {
    let server = Server::demo(TEST_PASSWORD);
    // A cookie store like a browser's, following the 303s: a non-Secure cookie over http.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let html = browser
        .post(server.url("/login"))
        .form(&[("username", "erin")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(r#"<strong id="username">erin</strong>"#),
        "{html}"
    );
    for visits in 1..=3 {
        let data: serde_json::Value = serde_json::from_str(
            &browser
                .get(server.url("/api/session"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        )
        .unwrap();
        assert_eq!(data["visits"], visits);
    }
    let html = browser
        .post(server.url("/logout"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Not logged in."), "{html}");
}

/// The cookie panel opens only what the session would: a seal that would open but is longer than
/// any cookie of the demo is refused by the session before any cryptography, and the panel does
/// not run the MAC over it either.
#[tokio::test]
async fn the_cookie_panel_does_not_open_a_seal_longer_than_the_session_reads() {
    let server = Server::demo(TEST_PASSWORD);
    let client = client();
    let passwords = ironsession::Passwords::single(TEST_PASSWORD).unwrap();
    let seal_of = |padding: usize| {
        ironsession::seal_data(
            &json!({"username": "eve", "isLoggedIn": true, "padding": "x".repeat(padding)}),
            &passwords,
            ironsession::Ttl::seconds(3600),
        )
        .unwrap()
    };
    let fits = seal_of(10);
    let page = get(
        &client,
        &server,
        "/",
        Some(&format!("{COOKIE_NAME}={fits}")),
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(page.contains(r#"id="cookie-json""#), "{page}");

    let too_long = seal_of(20_000);
    let page = get(
        &client,
        &server,
        "/",
        Some(&format!("{COOKIE_NAME}={too_long}")),
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(page.contains("Not logged in."), "{page}");
    assert!(
        page.contains("refused it before any cryptography"),
        "{page}"
    );
    assert!(!page.contains(r#"id="cookie-json""#), "{page}");
}

#[tokio::test]
async fn a_bad_cookie_is_an_empty_session() {
    let server = Server::demo(TEST_PASSWORD);
    let client = client();
    let other_password = Server::demo("4p0iX9vzcV8KTLOnby4cIs_BGGxO79feigGZ1kM_osI");
    let foreign = cookie_pair(&session_set_cookie(
        &login(&client, &other_password, &[("username", "mallory")]).await,
    ));
    drop(other_password);

    for cookie in [
        format!("{COOKIE_NAME}=garbage"),
        format!("{COOKIE_NAME}="),
        // iron-session 8 answers 500 to these; ironsession (like v9) ignores them.
        format!("{COOKIE_NAME}=Fe26.1*a*b*c*d*e*f*g"),
        format!("{COOKIE_NAME}=Fe26.2*1*a*b*c*xyz*f*g"),
        format!("{COOKIE_NAME}=Fe26.2*constructor*a*b*c**f*g"),
        // Sealed with another password.
        foreign,
    ] {
        let (data, lines) = api_session(&client, &server, Some(&cookie)).await;
        assert_eq!(
            data,
            json!({"username": "", "isLoggedIn": false, "visits": 0, "notes": []}),
            "{cookie}"
        );
        assert!(lines.is_empty(), "{cookie}: {lines:?}");
        let page = get(&client, &server, "/", Some(&cookie)).await;
        assert_eq!(page.status(), 200, "{cookie}");
        assert!(page.text().await.unwrap().contains("Not logged in."));
    }
}

#[tokio::test]
async fn a_login_without_a_username_is_refused() {
    let server = Server::demo(TEST_PASSWORD);
    let client = client();
    for form in [
        &[("username", "")][..],
        &[("username", "   ")][..],
        &[("remember", "1")][..],
        &[][..],
    ] {
        let response = login(&client, &server, form).await;
        assert_eq!(response.status(), 400, "{form:?}");
        assert!(set_cookies(&response).is_empty(), "{form:?}");
        assert_eq!(response.text().await.unwrap(), "username is required");
    }
}

#[tokio::test]
async fn a_username_log_out_everywhere_could_not_name_is_refused_at_login() {
    let server = Server::demo(TEST_PASSWORD);
    let client = client();
    let longest = "ü".repeat(512);
    let response = login(&client, &server, &[("username", &longest)]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(set_cookies(&response).len(), 1);
    let too_long = format!("{longest}x");
    let response = login(&client, &server, &[("username", &too_long)]).await;
    assert_eq!(response.status(), 400);
    assert!(set_cookies(&response).is_empty());
    assert_eq!(
        response.text().await.unwrap(),
        "username is too long (at most 1024 bytes)"
    );
}

#[tokio::test]
async fn the_username_is_escaped_in_the_page() {
    let server = Server::demo(TEST_PASSWORD);
    let client = client();
    let name = r#"<script>alert("x")</script>&'"#;
    let response = login(&client, &server, &[("username", name)]).await;
    let cookie = cookie_pair(&session_set_cookie(&response));
    let html = home_page(&client, &server, &cookie).await;
    assert!(
        html.contains(
            "<strong id=\"username\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</strong>"
        ),
        "{html}"
    );
    // The page's own script (notes) is the only one.
    assert!(!html.contains("<script>alert"), "{html}");
    assert_eq!(html.matches("<script").count(), 1, "{html}");
    // The JSON API returns the name as data.
    let (data, _) = api_session(&client, &server, Some(&cookie)).await;
    assert_eq!(data["username"], name);
}

#[tokio::test]
async fn bench_routes_count() {
    let server = Server::demo(TEST_PASSWORD);
    let client = client();

    let mut cookie: Option<String> = None;
    for expected in 1..=3 {
        let response = get(&client, &server, "/bench", cookie.as_deref()).await;
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        let set_cookie = session_set_cookie(&response);
        assert_eq!(attributes(&set_cookie), LOGIN_ATTRIBUTES);
        cookie = Some(cookie_pair(&set_cookie));
        assert_eq!(response.text().await.unwrap(), expected.to_string());
    }
    // /bench stores `visits` only: the session is not logged in.
    let (data, _) = api_session(&client, &server, cookie.as_deref()).await;
    assert_eq!(
        data,
        json!({"username": "", "isLoggedIn": false, "visits": 3, "notes": []})
    );

    // /bench/plain has no session at all: no Set-Cookie, a process-wide counter.
    for expected in 1..=3 {
        let response = get(&client, &server, "/bench/plain", cookie.as_deref()).await;
        assert_eq!(response.status(), 200);
        assert!(set_cookies(&response).is_empty());
        assert_eq!(response.text().await.unwrap(), expected.to_string());
    }
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let server = Server::demo(TEST_PASSWORD);
    let client = client();
    assert_eq!(get(&client, &server, "/nope", None).await.status(), 404);
    assert_eq!(get(&client, &server, "/login", None).await.status(), 405);
    let response = client
        .post(server.url("/api/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
}

#[tokio::test]
async fn the_app_also_runs_in_process() {
    let passwords = ironsession::Passwords::single(TEST_PASSWORD).unwrap();
    let app = ironsession_demo::app(ironsession_demo::session_config(passwords).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let client = client();
    let response = client
        .post(format!("{base}/login"))
        .form(&[("username", "frank")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let cookie = cookie_pair(&session_set_cookie(&response));
    let text = client
        .get(format!("{base}/api/session"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        json!({"username": "frank", "isLoggedIn": true, "visits": 1, "notes": []})
    );
    server.abort();
}

/// A cookie shared with a Node app may hold fields the demo does not know; saving here keeps them.
#[tokio::test]
async fn fields_written_by_another_app_survive_a_save() {
    let passwords = ironsession::Passwords::single(TEST_PASSWORD).unwrap();
    let app = ironsession_demo::app(ironsession_demo::session_config(passwords.clone()).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let from_node = json!({"username": "gina", "isLoggedIn": true, "visits": 4, "cart": [1, 2]});
    let sealed = ironsession::seal_data(&from_node, &passwords, ironsession::Ttl::DEFAULT).unwrap();
    let response = client()
        .get(format!("{base}/api/session"))
        .header(
            "cookie",
            format!("{}={sealed}", ironsession_demo::COOKIE_NAME),
        )
        .send()
        .await
        .unwrap();
    let resealed = cookie_pair(&session_set_cookie(&response))
        .split_once('=')
        .unwrap()
        .1
        .to_owned();
    let data: serde_json::Value = ironsession::unseal_data(&resealed, &passwords).unwrap();
    assert_eq!(
        data,
        json!({"username": "gina", "isLoggedIn": true, "visits": 5, "cart": [1, 2]})
    );
    server.abort();
}

#[test]
fn a_short_password_is_refused_at_startup() {
    let output = Command::new(env!("CARGO_BIN_EXE_ironsession-demo"))
        .env("PORT", "0")
        .env("IRON_SESSION_PASSWORD", "too short")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad IRON_SESSION_PASSWORD"), "{stderr}");
    assert!(
        !stderr.contains("too short\""),
        "the password leaked: {stderr}"
    );
}

#[test]
fn a_bad_port_is_refused_at_startup() {
    let output = Command::new(env!("CARGO_BIN_EXE_ironsession-demo"))
        .env("PORT", "http")
        .env("IRON_SESSION_PASSWORD", TEST_PASSWORD)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("bad PORT"));
}

#[tokio::test]
async fn notes_spill_into_chunks_a_too_big_one_is_413_and_clearing_leaves_one_cookie() {
    let server = Server::demo(TEST_PASSWORD);
    let browser = Browser::new();
    let (status, body, _) = browser.add_note(&server, "before login").await;
    assert_eq!((status, body.as_str()), (401, "log in first"));
    let response = browser
        .client
        .post(server.url("/login"))
        .form(&[("username", "nora")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);

    for bad in [String::new(), "   ".into(), "x".repeat(1001)] {
        let (status, _, cookies) = browser.add_note(&server, &bad).await;
        assert_eq!((status, cookies.len()), (400, 0), "{bad:.20}");
    }
    // 1000 characters of 4-byte UTF-8 are one note.
    let (status, _, _) = browser.add_note(&server, &"😀".repeat(1000)).await;
    assert_eq!(status, 200);
    let (status, _, _) = browser.clear_notes(&server).await;
    assert_eq!(status, 200);

    let mut notes = Vec::new();
    let refused = loop {
        let note = long_note(notes.len());
        let (status, body, cookies) = browser.add_note(&server, &note).await;
        if status == 413 {
            break (body, cookies);
        }
        assert_eq!(status, 200, "{body}");
        notes.push(note);
        let data: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(data["notes"], json!(notes));
        let chunked = cookies.iter().any(|name| name.ends_with(".0"));
        let expected: Vec<String> = if chunked {
            (0..cookies.iter().filter(|n| !n.ends_with('=')).count())
                .map(|i| format!("{COOKIE_NAME}.{i}"))
                .collect()
        } else {
            vec![COOKIE_NAME.to_owned()]
        };
        assert_eq!(browser.cookie_names(&server), expected, "{cookies:?}");
        assert!(notes.len() < 20, "never refused");
    };
    // The session was in 4 chunks when the next note did not fit: nothing was sent, nothing lost.
    let (body, cookies) = refused;
    assert!(cookies.is_empty(), "{cookies:?}");
    assert!(body.contains("needs 5 cookies"), "{body}");
    let chunks: Vec<String> = (0..4).map(|i| format!("{COOKIE_NAME}.{i}")).collect();
    assert_eq!(browser.cookie_names(&server), chunks);
    assert_eq!(browser.session(&server).await["notes"], json!(notes));

    // The page lists the notes and counts the cookies.
    let html = browser
        .client
        .get(server.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(r#"<span id="cookie-count">4</span>"#),
        "{html}"
    );
    assert_eq!(html.matches("<li>").count(), notes.len());

    // Emptying the notes shrinks the session to one cookie and expires every chunk.
    let (status, body, cookies) = browser.clear_notes(&server).await;
    assert_eq!(status, 200, "{body}");
    let mut expected = vec![COOKIE_NAME.to_owned()];
    expected.extend(chunks.iter().map(|name| format!("{name}=")));
    assert_eq!(cookies, expected);
    assert_eq!(browser.cookie_names(&server), [COOKIE_NAME]);
    let data = browser.session(&server).await;
    assert_eq!(
        (data["username"].as_str(), &data["notes"]),
        (Some("nora"), &json!([]))
    );
}

/// The page warns as the `Cookie` header nears 8 KB (where proxies and curl stop passing it),
/// and lists the chunks as the separate cookies they are.
#[tokio::test]
async fn the_page_warns_as_the_cookie_header_nears_8_kb() {
    let server = Server::demo(TEST_PASSWORD);
    let browser = Browser::new();
    let response = browser
        .client
        .post(server.url("/login"))
        .form(&[("username", "olga")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let page = || async {
        let response = browser.client.get(server.url("/")).send().await.unwrap();
        response.text().await.unwrap()
    };
    let html = page().await;
    assert!(html.contains(r#"id="session-explained""#), "{html}");
    assert!(!html.contains("cookie-header-warning"), "{html}");

    // What the browser sends: every cookie of the jar in one header.
    let cookie_header_length = || {
        use reqwest::cookie::CookieStore;
        let url = server.base.parse().unwrap();
        browser.jar.cookies(&url).map_or(0, |header| header.len())
    };
    let mut added = 0;
    while cookie_header_length() < ironsession_demo::explain::COOKIE_HEADER_WARNING {
        let (status, body, _) = browser.add_note(&server, &long_note(added)).await;
        assert_eq!(status, 200, "{body}");
        added += 1;
        assert!(added < 20, "the Cookie header never reached the warning");
    }
    let length = cookie_header_length();
    let html = page().await;
    assert!(
        html.contains(&format!(
            r#"<span id="cookie-header-length">{length}</span>"#
        )),
        "{html}"
    );
    assert!(html.contains(r#"id="cookie-header-warning""#), "{html}");
    assert!(html.contains("nears 8 KB"), "{html}");
    // Each chunk is listed as a cookie of its own.
    let chunks = browser.cookie_names(&server);
    assert!(chunks.len() >= 2, "{chunks:?}");
    for name in &chunks {
        assert!(
            html.contains(&format!(r#"<li class="cookie"><code>{name}</code>"#)),
            "{html}"
        );
    }
}

/// The home page as the browser with this session cookie sees it.
async fn home_page(client: &reqwest::Client, server: &Server, cookie: &str) -> String {
    let response = get(client, server, "/", Some(cookie)).await;
    response.text().await.expect("the page's body")
}
