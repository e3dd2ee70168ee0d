//! `GET /metrics` of the demo binary: after a login, a visit, a tampered cookie, a logout and a
//! replayed copy of the logged-out cookie, each is counted under its name and reason, and the
//! seal-size histogram holds exactly the seals the browser got.

mod common;

use common::{
    COOKIE_NAME, Server, TEST_PASSWORD, api_session, client, cookie_pair, get, login,
    session_set_cookie,
};

/// The value of the sample `series` (`name` or `name{labels}`) in Prometheus text, if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.trim().parse().expect("a number"))
}

/// The seal in a `name=seal` pair.
fn seal_of(pair: &str) -> &str {
    pair.strip_prefix(&format!("{COOKIE_NAME}="))
        .expect("the session cookie")
}

#[tokio::test]
async fn metrics_count_a_login_a_tampered_cookie_and_a_revoked_copy() {
    let server = Server::demo(TEST_PASSWORD);
    let client = client();

    // A login (one seal), then a visit (the session opens, one more seal).
    let response = login(&client, &server, &[("username", "alice")]).await;
    let first = cookie_pair(&session_set_cookie(&response));
    let (data, lines) = api_session(&client, &server, Some(&first)).await;
    assert_eq!(data["visits"], 1);
    let cookie = cookie_pair(&lines[0]);

    // The HMAC's first character changed: refused as invalid.
    let (sealed, hmac) = cookie.rsplit_once('*').unwrap();
    let flipped = if hmac.starts_with('A') { 'B' } else { 'A' };
    let tampered = format!("{sealed}*{flipped}{}", &hmac[1..]);
    let (data, _) = api_session(&client, &server, Some(&tampered)).await;
    assert_eq!(data["isLoggedIn"], false);

    // A logout (the session opens, is revoked and destroyed), then a copy of its cookie.
    let response = client
        .post(server.url("/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let (data, _) = api_session(&client, &server, Some(&cookie)).await;
    assert_eq!(data["isLoggedIn"], false);

    let response = get(&client, &server, "/metrics", None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    for (series, expected) in [
        ("ironsession_sessions_opened_total", 2.0),
        ("ironsession_sessions_saved_total", 2.0),
        ("ironsession_sessions_destroyed_total", 1.0),
        (
            "ironsession_sessions_refused_total{reason=\"invalid\"}",
            1.0,
        ),
        (
            "ironsession_sessions_refused_total{reason=\"revoked\"}",
            1.0,
        ),
        ("ironsession_seal_bytes_count", 2.0),
        // The two seals the browser got: the login's and the visit's.
        (
            "ironsession_seal_bytes_sum",
            (seal_of(&first).len() + seal_of(&cookie).len()) as f64,
        ),
        // The logout's revocation, in the demo's in-memory replica.
        ("ironsession_revocation_replica_entries", 1.0),
        ("ironsession_revocation_connected", 1.0),
    ] {
        assert_eq!(sample(&text, series), Some(expected), "{series} in\n{text}");
    }
    for absent in [
        "ironsession_sessions_refused_total{reason=\"expired\"}",
        "ironsession_sessions_refused_total{reason=\"unknown-password\"}",
        "ironsession_chunked_saves_total{chunks=\"2\"}",
    ] {
        assert_eq!(sample(&text, absent), None, "{absent} in\n{text}");
    }
    assert!(
        text.contains("# HELP ironsession_sessions_refused_total "),
        "{text}"
    );
    // Buckets make the seal sizes a Prometheus histogram (no quantiles of a summary).
    assert_eq!(
        sample(&text, "ironsession_seal_bytes_bucket{le=\"+Inf\"}"),
        Some(2.0),
        "{text}"
    );
}
