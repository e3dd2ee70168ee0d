//! The session header through the plain `http` API: a seal read from `Authorization: Bearer` or a
//! named header, the new seal taken or written into a response's headers, `Vary` merged with the
//! handler's, renewal into the header, the order of the headers read with h3's, the refused
//! configurations, and no seal in `Debug`.

use std::time::Duration;

use http::header::{AUTHORIZATION, CACHE_CONTROL, COOKIE, SET_COOKIE, VARY};
use http::{HeaderMap, HeaderName, HeaderValue};
use ironsession::{
    ConfigError, H3Sessions, JsonSession, Passwords, SaveError, Session, SessionConfig,
    SessionContext, SessionHeader, Ttl,
};

const PASSWORD: &str = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";
const T0: u64 = 1_700_000_000_000;

fn x_session() -> HeaderName {
    HeaderName::from_static("x-session")
}

fn config(header: SessionHeader) -> SessionConfig {
    SessionConfig::builder("s", Passwords::single(PASSWORD).unwrap())
        .session_header(header)
        .clock(|| T0)
        .build()
        .unwrap()
}

fn request(pairs: &[(HeaderName, &str)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        headers.append(name.clone(), HeaderValue::from_str(value).unwrap());
    }
    headers
}

/// Logs in on `config` without any header and returns the seal its response carries (in
/// `x-session`, or the cookie's value).
fn login(config: &SessionConfig) -> String {
    let mut session: JsonSession = config.load(&HeaderMap::new());
    session.insert("user".into(), "alice".into());
    session.save().unwrap();
    let mut response = HeaderMap::new();
    session.append_set_cookies(&mut response);
    match response.get("x-session") {
        Some(seal) => seal.to_str().unwrap().to_owned(),
        None => {
            let line = response[SET_COOKIE].to_str().unwrap();
            let value = line.strip_prefix("s=").unwrap();
            value.split(';').next().unwrap().to_owned()
        }
    }
}

#[test]
fn a_header_session_answers_in_the_header_with_the_cache_headers_merged() {
    let config = config(SessionHeader::bearer(x_session()));
    let seal = login(&config);
    let context = SessionContext::from_headers(
        &config,
        &request(&[(AUTHORIZATION, &format!("bearer {seal}"))]),
    );
    let mut session: JsonSession = Session::load(&context);
    assert_eq!(session["user"], "alice");
    session.insert("visits".into(), 1.into());
    session.save().unwrap();
    // The seal is not a cookie: `take_set_cookies` leaves it queued for the response step.
    assert!(context.take_set_cookies().is_empty());
    assert!(!format!("{context:?}").contains("Fe26"), "{context:?}");
    let mut response = HeaderMap::new();
    response.insert(VARY, HeaderValue::from_static("Accept"));
    context.append_set_cookies(&mut response);
    assert!(response.get(SET_COOKIE).is_none());
    assert_eq!(response[CACHE_CONTROL], "private, no-store");
    assert_eq!(response[VARY], "Accept, Cookie, authorization");
    let new_seal = response["x-session"].to_str().unwrap();
    assert!(new_seal.starts_with("Fe26.2*1*") && new_seal.ends_with("~2"));

    // `take_session_header` hands the same seal to an app that writes its own response.
    let context = SessionContext::from_headers(
        &config,
        &request(&[(AUTHORIZATION, &format!("Bearer {new_seal}"))]),
    );
    let session: JsonSession = Session::load(&context);
    assert_eq!(session["visits"], 1);
    session.save().unwrap();
    let (name, seal) = context.take_session_header().unwrap();
    assert_eq!(name, "x-session");
    assert!(seal.starts_with("Fe26.2*1*"));
    assert_eq!(context.take_session_header(), None);
}

#[test]
fn a_cookie_session_of_the_same_configuration_still_answers_with_a_cookie() {
    let config = config(SessionHeader::named(x_session()));
    let seal = login(&config);
    let context =
        SessionContext::from_headers(&config, &request(&[(COOKIE, &format!("s={seal}"))]));
    let session: JsonSession = Session::load(&context);
    session.save().unwrap();
    assert_eq!(context.take_session_header(), None);
    let lines = context.take_set_cookies();
    assert!(lines[0].starts_with("s=Fe26.2*1*"), "{lines:?}");
}

#[test]
fn a_header_session_due_for_renewal_gets_its_new_seal_in_the_header() {
    let renewing = |now: u64| {
        SessionConfig::builder("s", Passwords::single(PASSWORD).unwrap())
            .session_header(SessionHeader::named(x_session()).without_cookies())
            .ttl(Ttl::seconds(3600))
            .renew_after(Duration::from_secs(600))
            .clock(move || now)
            .build()
            .unwrap()
    };
    let seal = login(&renewing(T0));
    let read_at = |now: u64| {
        let context = SessionContext::from_request_headers(&renewing(now), |name| {
            (*name == "x-session").then_some(seal.as_bytes())
        });
        let _: JsonSession = Session::load(&context);
        context.take_session_header()
    };
    assert_eq!(read_at(T0 + 599_999), None);
    let (name, renewed) = read_at(T0 + 600_000).unwrap();
    assert_eq!(name, "x-session");
    assert_ne!(renewed, seal);
}

/// In h3 mode the session header is read first, then h3's `x-<name>-session`, then the cookie;
/// `Vary` names them all.
#[test]
fn with_h3_the_session_header_comes_before_h3s_header_and_the_cookie() {
    let config = SessionConfig::builder("h3", Passwords::single(PASSWORD).unwrap())
        .h3(H3Sessions::v2().with_max_age(Duration::from_secs(3600)))
        .session_header(SessionHeader::bearer(x_session()))
        .clock(|| T0)
        .build()
        .unwrap();
    let seal_of = |user: &str| {
        let context = SessionContext::from_headers(&config, &HeaderMap::new());
        let mut session: JsonSession = Session::load(&context);
        session.insert("user".into(), user.into());
        session.save().unwrap();
        let line = context.take_set_cookies().remove(0);
        let value = line.strip_prefix("h3=").unwrap();
        value.split(';').next().unwrap().to_owned()
    };
    let (bearer, h3_header, cookie) = (seal_of("bearer"), seal_of("h3"), seal_of("cookie"));
    let h3_session = HeaderName::from_static("x-h3-session");
    let all = [
        (AUTHORIZATION, format!("Bearer {bearer}")),
        (h3_session.clone(), h3_header),
        (COOKIE, format!("h3={cookie}")),
    ];
    for skip in 0..3 {
        let pairs: Vec<(HeaderName, &str)> = all[skip..]
            .iter()
            .map(|(name, value)| (name.clone(), value.as_str()))
            .collect();
        let context = SessionContext::from_headers(&config, &request(&pairs));
        let session: JsonSession = Session::load(&context);
        assert_eq!(session["user"], ["bearer", "h3", "cookie"][skip]);
        let mut response = HeaderMap::new();
        context.append_set_cookies(&mut response);
        assert_eq!(response[VARY], "Cookie, authorization, x-h3-session");
    }
}

#[test]
fn headers_that_cannot_carry_a_session_are_refused() {
    for header in [
        SessionHeader::named(COOKIE),
        SessionHeader::named(AUTHORIZATION),
        SessionHeader::bearer(SET_COOKIE),
        SessionHeader::bearer(AUTHORIZATION),
    ] {
        let built = SessionConfig::builder("s", Passwords::single(PASSWORD).unwrap())
            .session_header(header.clone())
            .build();
        assert!(
            matches!(built, Err(ConfigError::InvalidSessionHeader { .. })),
            "{header:?}"
        );
    }
}

/// With `refuse_cross_site_writes`, a session in the header may be written from another site: no
/// browser sends the header by itself, and a login answered in it sets no cookie. A request of the
/// same configuration without the header is a cookie session, and refused.
#[test]
fn cross_site_requests_may_write_a_header_session_but_not_a_cookie() {
    let build = |header: SessionHeader| {
        SessionConfig::builder("s", Passwords::single(PASSWORD).unwrap())
            .session_header(header)
            .refuse_cross_site_writes(true)
            .clock(|| T0)
            .build()
            .unwrap()
    };
    let cross_site_post = |authorization: Option<&str>| {
        let mut request = http::Request::post("https://api.example/profile")
            .header("host", "api.example")
            .header("sec-fetch-site", "cross-site");
        if let Some(value) = authorization {
            request = request.header(AUTHORIZATION, value);
        }
        request.body(()).unwrap()
    };
    let save_from_another_site = |config: &SessionConfig, authorization: Option<&str>| {
        let context = SessionContext::from_request(config, &cross_site_post(authorization));
        let mut session: JsonSession = Session::load(&context);
        session.insert("theme".into(), "dark".into());
        let saved = session.save();
        drop(session);
        let mut response = HeaderMap::new();
        context.append_set_cookies(&mut response);
        (saved, context.take_write_error(), response)
    };

    let with_cookies = build(SessionHeader::bearer(x_session()));
    let seal = login(&with_cookies);
    let saved_in_the_header =
        |(saved, refused, response): (Result<(), SaveError>, Option<SaveError>, HeaderMap)| {
            assert!(saved.is_ok() && refused.is_none(), "{saved:?} {refused:?}");
            let seal = response["x-session"].to_str().unwrap();
            assert!(seal.starts_with("Fe26.2*1*"), "{seal}");
            assert!(response.get(SET_COOKIE).is_none());
        };
    saved_in_the_header(save_from_another_site(
        &with_cookies,
        Some(&format!("Bearer {seal}")),
    ));

    let (saved, refused, response) = save_from_another_site(&with_cookies, None);
    assert!(matches!(saved, Err(SaveError::CrossSite)), "{saved:?}");
    assert!(matches!(refused, Some(SaveError::CrossSite)));
    assert!(response.get(SET_COOKIE).is_none() && response.get("x-session").is_none());

    let without_cookies = build(SessionHeader::bearer(x_session()).without_cookies());
    saved_in_the_header(save_from_another_site(&without_cookies, None));
}
