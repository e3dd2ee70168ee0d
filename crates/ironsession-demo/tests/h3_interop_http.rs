//! One cookie, two servers: an h3 app (`interop/h3-server.mjs`, the demo on the real npm h3, the
//! session of Nuxt) and the Rust demo started with `SESSION_FORMAT=h3`, with the same password and
//! cookie name. A login on either is a login on both with h3 2.x; an h3 1.x login is read by the
//! Rust demo, which seals it again as h3 2.x does.
//!
//! Node is required: without `interop/node_modules` these tests fail and say to run `npm ci` in
//! `interop/`.

mod common;

use common::{
    Browser, COOKIE_NAME, Server, api_session, client, cookie_pair, get, login, long_note,
};
use serde_json::json;

const PASSWORD: &str = "Xc5jS0V7pA2b3yQm8kLr1tWz6dFh9gNe4uJo_RiEvTs";

/// The `Cookie` header a browser sends after these `Set-Cookie` lines (the last of each name,
/// deletions left out).
fn cookie_of(lines: &[String]) -> String {
    let mut jar: Vec<String> = Vec::new();
    for line in lines {
        let pair = cookie_pair(line);
        let name = pair.split('=').next().unwrap().to_owned();
        jar.retain(|kept| !kept.starts_with(&format!("{name}=")));
        if !pair.ends_with('=') {
            jar.push(pair);
        }
    }
    jar.join("; ")
}

async fn login_cookie(server: &Server, form: &[(&str, &str)]) -> String {
    let response = login(&client(), server, form).await;
    assert_eq!(response.status(), 303, "{}", server.base);
    cookie_of(&common::set_cookies(&response))
}

#[tokio::test]
async fn h3_2_and_the_rust_demo_share_a_login_both_ways() {
    let h3 = Server::h3(2, PASSWORD);
    let rust = Server::demo_h3(PASSWORD);
    let client = client();

    // Log in on h3, continue on Rust, then back on h3.
    let cookie = login_cookie(&h3, &[("username", "alice from h3")]).await;
    assert!(
        cookie.starts_with(&format!("{COOKIE_NAME}=Fe26.2**")),
        "{cookie}"
    );
    let (data, lines) = api_session(&client, &rust, Some(&cookie)).await;
    assert_eq!(
        data,
        json!({"username": "alice from h3", "isLoggedIn": true, "visits": 1, "notes": []}),
        "Rust did not read h3's cookie"
    );
    let (data, _) = api_session(&client, &h3, Some(&cookie_of(&lines))).await;
    assert_eq!(data["visits"], 2, "h3 did not read Rust's cookie");

    // Log in on Rust ("remember me"), continue on h3, then back on Rust.
    let cookie = login_cookie(&rust, &[("username", "bob <from> rust"), ("remember", "1")]).await;
    assert!(
        cookie.starts_with(&format!("{COOKIE_NAME}=Fe26.2*")),
        "{cookie}"
    );
    let (data, lines) = api_session(&client, &h3, Some(&cookie)).await;
    assert_eq!(
        data,
        json!({"username": "bob <from> rust", "isLoggedIn": true, "visits": 1, "notes": []}),
        "h3 did not read Rust's cookie"
    );
    let (data, rust_lines) = api_session(&client, &rust, Some(&cookie_of(&lines))).await;
    assert_eq!(data["visits"], 2, "Rust did not read h3's re-sealed cookie");
    // The "remember me" h3 stored is kept here: a 30-day cookie.
    assert!(rust_lines[0].contains("Max-Age=2591940"), "{rust_lines:?}");

    // /bench alternating between the two servers counts on with one cookie.
    let mut cookie: Option<String> = None;
    for (round, server) in [&h3, &rust, &h3, &rust].into_iter().enumerate() {
        let response = get(&client, server, "/bench", cookie.as_deref()).await;
        assert_eq!(response.status(), 200);
        let lines = common::set_cookies(&response);
        cookie = Some(cookie_of(&lines));
        assert_eq!(response.text().await.unwrap(), (round + 1).to_string());
    }

    // A garbage cookie is an empty session on both.
    let garbage = format!("{COOKIE_NAME}=garbage");
    for server in [&h3, &rust] {
        let (data, _) = api_session(&client, server, Some(&garbage)).await;
        assert_eq!(
            data,
            json!({"username": "", "isLoggedIn": false, "visits": 0, "notes": []})
        );
    }
}

/// One browser, both servers on 127.0.0.1 (one cookie jar): a session in h3 2.x's chunks
/// (`__chunked__N`, `name.1` … `name.N`) moves back and forth.
#[tokio::test]
async fn a_chunked_session_moves_between_h3_2_and_the_rust_demo() {
    let h3 = Server::h3(2, PASSWORD);
    let rust = Server::demo_h3(PASSWORD);
    let browser = Browser::new();
    let chunked = |count: usize| -> Vec<String> {
        let mut names = vec![COOKIE_NAME.to_owned()];
        names.extend((1..=count).map(|i| format!("{COOKIE_NAME}.{i}")));
        names
    };
    let response = browser
        .client
        .post(h3.url("/login"))
        .form(&[("username", "chunky")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let mut notes = Vec::new();
    while browser.cookie_names(&h3) != chunked(3) {
        let note = long_note(notes.len());
        let (status, body, _) = browser.add_note(&h3, &note).await;
        assert_eq!(status, 200, "{body}");
        notes.push(note);
        assert!(notes.len() < 10, "{:?}", browser.cookie_names(&h3));
    }

    // Rust reads h3's chunks, adds a note and writes them back in h3's chunks.
    assert_eq!(browser.session(&rust).await["notes"], json!(notes));
    let note = long_note(notes.len());
    let (status, body, _) = browser.add_note(&rust, &note).await;
    assert_eq!(status, 200, "{body}");
    notes.push(note);
    let names = browser.cookie_names(&rust);
    assert!(names == chunked(3) || names == chunked(4), "{names:?}");
    let data = browser.session(&h3).await;
    assert_eq!(data["notes"], json!(notes), "h3 did not read Rust's chunks");

    // Rust empties the notes: one cookie, every chunk expired; h3 reads it.
    let (status, body, cookies) = browser.clear_notes(&rust).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(cookies[0], COOKIE_NAME);
    assert_eq!(browser.cookie_names(&rust), [COOKIE_NAME]);
    let data = browser.session(&h3).await;
    assert_eq!(
        (data["notes"].clone(), data["username"].clone()),
        (json!([]), json!("chunky"))
    );
}

/// A login on h3 1.x (one PBKDF2 iteration) is read by the Rust demo through the fallback, and
/// sealed again as h3 2.x seals (8192 iterations), which h3 1.x cannot read: the demo pairs with
/// h3 2.x and reads h3 1.x.
#[tokio::test]
async fn an_h3_1_login_is_read_by_the_rust_demo_and_upgraded() {
    let h3 = Server::h3(1, PASSWORD);
    let rust = Server::demo_h3(PASSWORD);
    let client = client();
    let cookie = login_cookie(&h3, &[("username", "old nuxt")]).await;
    let (data, lines) = api_session(&client, &h3, Some(&cookie)).await;
    assert_eq!(data["visits"], 1);
    let (data, lines) = api_session(&client, &rust, Some(&cookie_of(&lines))).await;
    assert_eq!(
        data["username"], "old nuxt",
        "Rust did not read h3 1.x's cookie"
    );
    assert_eq!(data["visits"], 2);
    let (data, _) = api_session(&client, &h3, Some(&cookie_of(&lines))).await;
    assert_eq!(
        data["isLoggedIn"], false,
        "h3 1.x read an 8192-iteration seal"
    );
}
