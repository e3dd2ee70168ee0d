//! How the demo binary takes `IRON_SESSION_PASSWORD`: verbatim (as Node does), and never a
//! guessable one.

mod common;

use std::process::{Command, Stdio};

use common::{COOKIE_NAME, Server, client, cookie_pair, login, session_set_cookie};
use ironsession::{Passwords, UnsealReason};

fn start_with(password: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ironsession-demo"))
        .env("PORT", "0")
        .env("IRON_SESSION_PASSWORD", password)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn a_weak_password_stops_the_demo_and_says_why() {
    for (password, says) in [
        ("complex_password_at_least_32_characters_long", "published"),
        (&"password".repeat(4), "repeats a pattern"),
        ("abcdefghijklmnopqrstuvwxyz0123456789", "consecutive"),
    ] {
        let output = start_with(password);
        assert_eq!(output.status.code(), Some(2), "{password}");
        assert!(output.stdout.is_empty(), "it must not listen");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("IRON_SESSION_PASSWORD is refused"),
            "{stderr}"
        );
        assert!(stderr.contains(says), "{stderr}");
        assert!(stderr.contains("ironsession gen-password"), "{stderr}");
        assert!(!stderr.contains(password), "the password leaked: {stderr}");
    }
}

#[tokio::test]
async fn the_password_is_used_verbatim_with_its_spaces() {
    let password = "  vkTVPXSOhHqfdwVIaIISTNkz8ErKEycS7bVQ-YagPJE \t";
    let server = Server::demo(password);
    let client = client();
    let response = login(&client, &server, &[("username", "ana")]).await;
    let pair = cookie_pair(&session_set_cookie(&response));
    let seal = pair
        .strip_prefix(&format!("{COOKIE_NAME}="))
        .expect("the demo's cookie");

    let verbatim = Passwords::single(password).unwrap();
    let data: serde_json::Value = ironsession::unseal_data(seal, &verbatim).unwrap();
    assert_eq!(data["username"], "ana");
    let trimmed = Passwords::single(password.trim()).unwrap();
    let error = ironsession::unseal_data::<serde_json::Value>(seal, &trimmed).unwrap_err();
    assert_eq!(error.reason(), UnsealReason::Invalid);
}

/// Without `IRON_SESSION_PASSWORD` the demo makes a random password at start and says that
/// sessions end when it stops: a second demo (a restart) does not read the first one's cookie.
#[tokio::test]
async fn without_a_password_the_demo_seals_with_a_random_one_and_says_so() {
    let start = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ironsession-demo"));
        command
            .env("PORT", "0")
            .env_remove("IRON_SESSION_PASSWORD")
            .env("RUST_LOG", "info");
        Server::start("ironsession-demo (no password)", command)
    };
    let first = start();
    first.assert_logs("random password made at start");
    first.assert_logs("Sessions end when this process stops");
    let client = client();
    let response = login(&client, &first, &[("username", "ana")]).await;
    let cookie = cookie_pair(&session_set_cookie(&response));

    let restarted = start();
    let (session, _) = common::api_session(&client, &restarted, Some(&cookie)).await;
    assert_eq!(
        session["isLoggedIn"], false,
        "another random password: {session}"
    );
    let (session, _) = common::api_session(&client, &first, Some(&cookie)).await;
    assert_eq!(session["username"], "ana");
}
