//! The plain `http` API's response step (`SessionContext::append_set_cookies`) sets the same cache
//! headers as the adapters, with and without headers the handler set itself.

use http::header::{CACHE_CONTROL, COOKIE, SET_COOKIE, VARY};
use http::{HeaderMap, HeaderValue};
use ironsession::{JsonSession, Passwords, Session, SessionConfig, SessionContext};

fn config() -> SessionConfig {
    SessionConfig::builder(
        "s",
        Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg").unwrap(),
    )
    .build()
    .unwrap()
}

/// Runs one request: `handler` gets the session and the response headers it may set first.
fn respond(
    config: &SessionConfig,
    request: &HeaderMap,
    handler: impl FnOnce(&SessionContext, &mut HeaderMap),
) -> HeaderMap {
    let context = SessionContext::from_headers(config, request);
    let mut response = HeaderMap::new();
    handler(&context, &mut response);
    context.append_set_cookies(&mut response);
    response
}

fn lines(headers: &HeaderMap, name: http::HeaderName) -> Vec<&str> {
    headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect()
}

#[test]
fn save_read_and_untouched_requests_through_the_plain_api() {
    let config = config();
    let saved = respond(&config, &HeaderMap::new(), |context, _| {
        let mut session: JsonSession = Session::load(context);
        session.insert("userId".into(), 42.into());
        session.save().unwrap();
    });
    assert_eq!(lines(&saved, CACHE_CONTROL), ["private, no-store"]);
    assert_eq!(lines(&saved, VARY), ["Cookie"]);
    let cookie = cookie::Cookie::parse(lines(&saved, SET_COOKIE)[0]).unwrap();
    let mut request = HeaderMap::new();
    request.insert(
        COOKIE,
        HeaderValue::from_str(&cookie.stripped().to_string()).unwrap(),
    );

    let read = respond(&config, &request, |context, response| {
        let session: JsonSession = Session::load(context);
        assert_eq!(session["userId"], 42);
        response.insert(CACHE_CONTROL, HeaderValue::from_static("max-age=30"));
        response.insert(VARY, HeaderValue::from_static("Accept-Language"));
    });
    assert_eq!(lines(&read, CACHE_CONTROL), ["max-age=30"]);
    assert_eq!(lines(&read, VARY), ["Accept-Language, Cookie"]);

    let saved_with_own_headers = respond(&config, &request, |context, response| {
        let session: JsonSession = Session::load(context);
        session.save().unwrap();
        response.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    });
    assert_eq!(
        lines(&saved_with_own_headers, CACHE_CONTROL),
        ["no-cache, private"]
    );
    assert_eq!(lines(&saved_with_own_headers, VARY), ["Cookie"]);

    // The session never loaded: nothing to add.
    let untouched = respond(&config, &request, |_, _| {});
    assert!(untouched.is_empty(), "{untouched:?}");

    let manual = config
        .to_builder()
        .dangerous_manual_cache_headers(true)
        .build()
        .unwrap();
    let saved = respond(&manual, &request, |context, _| {
        let session: JsonSession = Session::load(context);
        session.save().unwrap();
    });
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(lines(&saved, SET_COOKIE).len(), 1);
}
