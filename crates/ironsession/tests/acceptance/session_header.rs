//! The acceptance cases of the session header: a seal in `Authorization: Bearer` or a header of
//! the app's own, a new seal in a response header, no cookie for a header session, the cookies'
//! caps and refusal rules, and the cache headers naming the header.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use http::HeaderName;
use ironsession::iron_seal::ThreadRandom;
use ironsession::{Passwords, SessionHeader, Ttl, seal_data_at};
use reqwest::Method;
use reqwest::header::{CACHE_CONTROL, HeaderMap, SET_COOKIE, VARY};

use super::apps::{Server, Start};
use super::{ALICE, PASSWORD, T0, assert_seal, builder, client, config_at};

/// What the server answered, with every header.
#[derive(Debug)]
struct Reply {
    status: u16,
    body: String,
    headers: HeaderMap,
}

impl Reply {
    fn all(&self, name: impl reqwest::header::AsHeaderName) -> Vec<&str> {
        let values = self.headers.get_all(name).iter();
        values.map(|value| value.to_str().unwrap()).collect()
    }

    /// The seal in the response header `x-session`, if there is one.
    fn seal(&self) -> Option<&str> {
        let seals = self.all("x-session");
        assert!(seals.len() <= 1, "{seals:?}");
        seals.first().copied()
    }
}

async fn send(
    server: &Server,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut request = client()
        .request(method, server.url(path))
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

fn x_session() -> HeaderName {
    HeaderName::from_static("x-session")
}

fn bearer(seal: &str) -> String {
    format!("Bearer {seal}")
}

pub(super) async fn a_bearer_session_returns_its_seal_in_a_header_and_sets_no_cookie(start: Start) {
    let header = SessionHeader::bearer(x_session());
    let server = start(Some(
        builder(Passwords::single(PASSWORD).unwrap())
            .session_header(header)
            .build()
            .unwrap(),
    ));
    // Without the header, a cookie session as before; `Vary` names both ways the seal comes.
    let login = send(&server, Method::POST, "/login", &[], "alice").await;
    assert_eq!((login.status, login.body.as_str()), (200, ALICE));
    assert_eq!(login.seal(), None);
    assert_eq!(login.all(VARY), ["Cookie, authorization"]);
    let cookie = login.all(SET_COOKIE)[0].to_owned();
    let seal = cookie
        .strip_prefix("sess=")
        .and_then(|rest| rest.split(';').next())
        .unwrap()
        .to_owned();

    // The same seal as a bearer token: the new seal comes back in `x-session`, no cookie.
    let auth = bearer(&seal);
    let visit = send(
        &server,
        Method::POST,
        "/visit",
        &[("authorization", &auth)],
        "",
    )
    .await;
    assert_eq!(visit.status, 200, "{visit:?}");
    assert_eq!(
        visit.body,
        r#"{"username":"alice","isLoggedIn":true,"visits":1}"#
    );
    assert!(visit.all(SET_COOKIE).is_empty(), "{visit:?}");
    let renewed = visit.seal().expect("a seal in x-session").to_owned();
    assert_seal(&renewed, 1);
    assert_eq!(visit.all(CACHE_CONTROL), ["private, no-store"]);
    assert_eq!(visit.all(VARY), ["Cookie, authorization"]);

    // A read sends no seal and no cookie, and is not private, but varies on the header.
    let auth = bearer(&renewed);
    let read = send(
        &server,
        Method::GET,
        "/session",
        &[("authorization", &auth), ("cookie", "sess=garbage")],
        "",
    )
    .await;
    assert_eq!(
        read.body,
        r#"{"username":"alice","isLoggedIn":true,"visits":1}"#
    );
    assert_eq!((read.seal(), read.all(SET_COOKIE).len()), (None, 0));
    assert!(read.all(CACHE_CONTROL).is_empty(), "{read:?}");
    assert_eq!(read.all(VARY), ["Cookie, authorization"]);

    // Another scheme is not a session header: the cookie is read instead.
    let basic = send(
        &server,
        Method::GET,
        "/session",
        &[
            ("authorization", "Basic YWxpY2U6cHc="),
            ("cookie", &format!("sess={seal}")),
        ],
        "",
    )
    .await;
    assert_eq!(basic.body, ALICE);

    // Logout of a header session: nothing to delete, nothing sent.
    let logout = send(
        &server,
        Method::POST,
        "/logout",
        &[("authorization", &auth)],
        "",
    )
    .await;
    assert_eq!((logout.status, logout.body.as_str()), (200, "{}"));
    assert!(logout.all(SET_COOKIE).is_empty() && logout.seal().is_none());
}

pub(super) async fn without_cookies_every_session_travels_in_the_header(start: Start) {
    let header = SessionHeader::named(x_session()).without_cookies();
    let server = start(Some(
        builder(Passwords::single(PASSWORD).unwrap())
            .session_header(header)
            .build()
            .unwrap(),
    ));
    let login = send(&server, Method::POST, "/login", &[], "alice").await;
    assert_eq!((login.status, login.body.as_str()), (200, ALICE));
    assert!(login.all(SET_COOKIE).is_empty());
    let seal = login
        .seal()
        .expect("the login's seal in x-session")
        .to_owned();
    assert_seal(&seal, 1);
    assert_eq!(login.all(VARY), ["x-session"]);

    let read = send(
        &server,
        Method::GET,
        "/session",
        &[("x-session", &seal)],
        "",
    )
    .await;
    assert_eq!(read.body, ALICE);
    // A cookie is not read at all.
    let cookie = format!("sess={seal}");
    let ignored = send(&server, Method::GET, "/session", &[("cookie", &cookie)], "").await;
    assert_eq!(ignored.body, "{}");
}

/// A seal in a header is held to what the configuration's cookies could carry, refused alike when
/// expired or forged, and a save too large for the cookies is too large for the header.
pub(super) async fn header_seals_have_the_caps_and_refusals_of_cookies(start: Start) {
    let now = Arc::new(AtomicU64::new(T0));
    let header = SessionHeader::named(x_session());
    let server = start(Some(
        config_at(&now)
            .ttl(Ttl::seconds(3600))
            .session_header(header)
            .build()
            .unwrap(),
    ));
    let reason = |value: String| {
        let server = &server;
        async move {
            let reply = send(server, Method::GET, "/reason", &[("x-session", &value)], "").await;
            assert!(
                reply.all(SET_COOKIE).is_empty() && reply.seal().is_none(),
                "{reply:?}"
            );
            reply.body
        }
    };
    let passwords = Passwords::single(PASSWORD).unwrap();
    let alice = serde_json::json!({"username": "alice"});
    let valid = seal_data_at(&alice, &passwords, Ttl::seconds(60), T0, ThreadRandom).unwrap();
    assert_eq!(reason(valid.clone()).await, "none");
    assert_eq!(reason("garbage".into()).await, "invalid");
    // Longer than four chunks' worth of cookie (the cap with chunking off is one cookie):
    // refused before any crypto.
    let padded = format!("{valid}{}", "~".repeat(4100 - valid.len()));
    assert_eq!(reason(padded).await, "invalid");
    now.store(T0 + 3_600_000 * 24, Ordering::SeqCst);
    assert_eq!(reason(valid.clone()).await, "expired");

    now.store(T0, Ordering::SeqCst);
    let big = send(&server, Method::POST, "/big", &[("x-session", &valid)], "").await;
    assert_eq!(big.status, 413, "{big:?}");
    assert!(big.seal().is_none() && big.all(SET_COOKIE).is_empty());
}
