//! The demo binary with the lifetime options from the environment: session ids on the page, a new
//! id at every login, the absolute lifetime capping the cookie, and bad values refused.

mod common;

use std::process::{Command, Stdio};

use common::{
    COOKIE_NAME, Server, TEST_PASSWORD, client, cookie_pair, get, login, session_set_cookie,
};

fn demo_with(env: &[(&str, &str)]) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ironsession-demo"));
    command
        .env("PORT", "0")
        .env("IRON_SESSION_PASSWORD", TEST_PASSWORD)
        .envs(env.iter().copied());
    Server::start("ironsession-demo", command)
}

/// The text of the element with this id in the page.
fn element<'p>(page: &'p str, id: &str) -> &'p str {
    let start = page
        .find(&format!(r#"id="{id}">"#))
        .unwrap_or_else(|| panic!("{id} in {page}"));
    let rest = &page[start + id.len() + 6..];
    &rest[..rest.find('<').unwrap()]
}

/// Seconds since the epoch of an RFC 3339 UTC time as the page writes it (`…T…Z`, no fraction).
fn epoch_seconds(text: &str) -> i64 {
    let (date, time) = text.trim_end_matches('Z').split_once('T').unwrap();
    let d: Vec<i64> = date.split('-').map(|p| p.parse().unwrap()).collect();
    let t: Vec<i64> = time.split(':').map(|p| p.parse().unwrap()).collect();
    // Days from civil (Howard Hinnant's algorithm).
    let (y, m) = if d[1] <= 2 {
        (d[0] - 1, d[1] + 9)
    } else {
        (d[0], d[1] - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d[2] - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + t[0] * 3600 + t[1] * 60 + t[2]
}

#[tokio::test]
async fn logins_get_new_ids_and_the_absolute_lifetime_caps_the_cookie() {
    let server = demo_with(&[
        ("IRON_SESSION_ABSOLUTE_SECONDS", "3600"),
        ("IRON_SESSION_RENEW_AFTER_SECONDS", "600"),
    ]);
    let client = client();
    let first = login(&client, &server, &[("username", "alice")]).await;
    let set_cookie = session_set_cookie(&first);
    // Max-Age is capped at the hour left (the ttl alone would give 14 days − 60 s).
    let max_age = cookie::Cookie::parse(set_cookie.as_str())
        .unwrap()
        .max_age()
        .unwrap()
        .whole_seconds();
    assert!((3590..=3600).contains(&max_age), "{set_cookie}");
    let cookie = cookie_pair(&set_cookie);

    // Reading the page sends nothing back (no save, no renewal due yet).
    let page = get(&client, &server, "/", Some(&cookie)).await;
    assert!(page.headers().get("set-cookie").is_none());
    let page = page.text().await.unwrap();
    let short_id = element(&page, "session-id")
        .trim_end_matches('…')
        .to_owned();
    assert_eq!(short_id.len(), 8, "{page}");
    let started = epoch_seconds(element(&page, "session-started"));
    let expires = epoch_seconds(element(&page, "session-expires"));
    assert_eq!(expires - started, 3600, "{page}");

    // A second login from the same browser gets another id.
    let second = login(&client, &server, &[("username", "alice")]).await;
    let cookie = cookie_pair(&session_set_cookie(&second));
    let page = get(&client, &server, "/", Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert_ne!(element(&page, "session-id").trim_end_matches('…'), short_id);
    assert!(cookie.starts_with(COOKIE_NAME));
}

#[test]
fn bad_lifetime_values_are_refused_at_startup() {
    for name in [
        "IRON_SESSION_ABSOLUTE_SECONDS",
        "IRON_SESSION_RENEW_AFTER_SECONDS",
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_ironsession-demo"))
            .env("PORT", "0")
            .env("IRON_SESSION_PASSWORD", TEST_PASSWORD)
            .env(name, "ten minutes")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(name), "{stderr}");
    }
    // renew_after must be below the ttl (14 days).
    let output = Command::new(env!("CARGO_BIN_EXE_ironsession-demo"))
        .env("PORT", "0")
        .env("IRON_SESSION_PASSWORD", TEST_PASSWORD)
        .env("IRON_SESSION_RENEW_AFTER_SECONDS", "1209600")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("renew_after"));
}
