//! A session enforces its own ttl on read: it refuses a cookie that never expires, or that
//! expires later than the longest ttl the app seals with allows, unless told otherwise.

use http::{HeaderMap, HeaderValue, header};
use ironsession::{
    JsonSession, Passwords, SealError, SessionConfig, SessionConfigBuilder, Ttl, TtlLimit,
    UnsealReason, seal_data_at, unseal_data_at,
};
use serde_json::{Value, json};

const NOW: u64 = 1_800_000_000_000;
const HOUR_MS: u64 = 3_600_000;
const SKEW_MS: u64 = 60_000;

fn passwords() -> Passwords {
    Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg").unwrap()
}

fn hourly() -> SessionConfigBuilder {
    SessionConfig::builder("sess", passwords())
        .ttl(Ttl::seconds(3600))
        .clock(|| NOW)
}

/// A cookie that expires at `expires_at_ms` (`None`: never), sealed at `NOW`.
fn cookie(expires_at: Option<u64>) -> String {
    let ttl = match expires_at {
        Some(at) => Ttl::After(std::time::Duration::from_millis(at - NOW)),
        None => Ttl::Never,
    };
    seal_data_at(
        &json!({"userId": 1}),
        &passwords(),
        ttl,
        NOW,
        iron_seal::OsRandom,
    )
    .unwrap()
}

fn load(config: &SessionConfig, value: &str) -> JsonSession {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::COOKIE,
        HeaderValue::from_str(&format!("sess={value}")).unwrap(),
    );
    config.load(&headers)
}

#[track_caller]
fn assert_read(config: &SessionConfig, value: &str) {
    let session = load(config, value);
    assert_eq!(session.unseal_error(), None);
    assert_eq!(session.get("userId"), Some(&json!(1)));
}

#[track_caller]
fn assert_refused(config: &SessionConfig, value: &str, cause: &SealError) {
    let session = load(config, value);
    assert!(session.is_empty(), "{session:?}");
    let error = session.unseal_error().expect("refused");
    assert_eq!(error.reason(), UnsealReason::Invalid);
    assert_eq!(error.cause(), Some(cause));
}

#[test]
fn a_never_expiring_cookie_is_refused_by_a_session_with_a_ttl() {
    let config = hourly().build().unwrap();
    assert_refused(&config, &cookie(None), &SealError::NoExpiration);
    // The default ttl too.
    let default = SessionConfig::builder("sess", passwords()).build().unwrap();
    assert_eq!(
        load(&default, &cookie(None))
            .unseal_error()
            .unwrap()
            .cause(),
        Some(&SealError::NoExpiration)
    );
}

#[test]
fn a_cookie_expiring_beyond_the_ttl_is_refused_to_the_millisecond() {
    let config = hourly().build().unwrap();
    let latest = NOW + HOUR_MS + SKEW_MS;
    assert_read(&config, &cookie(Some(NOW + HOUR_MS)));
    assert_read(&config, &cookie(Some(latest)));
    assert_refused(
        &config,
        &cookie(Some(latest + 1)),
        &SealError::ExpirationTooFar {
            expires_at_ms: latest + 1,
            latest_ms: latest,
        },
    );
    let ten_years = NOW + 10 * 365 * 24 * HOUR_MS;
    assert_refused(
        &config,
        &cookie(Some(ten_years)),
        &SealError::ExpirationTooFar {
            expires_at_ms: ten_years,
            latest_ms: latest,
        },
    );
}

#[test]
fn a_declared_max_ttl_raises_the_limit() {
    let month = 30 * 24 * 3600;
    let config = hourly().max_ttl(Ttl::seconds(month)).build().unwrap();
    assert_read(&config, &cookie(Some(NOW + month * 1000)));
    assert_refused(
        &config,
        &cookie(Some(NOW + month * 1000 + SKEW_MS + 1)),
        &SealError::ExpirationTooFar {
            expires_at_ms: NOW + month * 1000 + SKEW_MS + 1,
            latest_ms: NOW + month * 1000 + SKEW_MS,
        },
    );
    // A max_ttl under the ttl does not lower it.
    let config = hourly().max_ttl(Ttl::seconds(60)).build().unwrap();
    assert_read(&config, &cookie(Some(NOW + HOUR_MS)));
    assert_eq!(config.ttl_limit(), TtlLimit::new(Ttl::seconds(3600)));
}

#[test]
fn a_ttl_raised_per_request_without_declaring_it_is_not_read_back() {
    // What the demo's "remember me" would hit without `max_ttl`: documented, and tested so.
    let config = hourly().build().unwrap();
    let mut session: JsonSession = config.load(&HeaderMap::new());
    session
        .update_config(|c| c.ttl(Ttl::seconds(30 * 24 * 3600)))
        .unwrap();
    session.insert("userId".into(), 1.into());
    session.save().unwrap();
    let line = session.take_set_cookies().remove(0);
    let value = line["sess=".len()..].split(';').next().unwrap();
    let reloaded = load(&config, value);
    assert!(matches!(
        reloaded.unseal_error().unwrap().cause(),
        Some(SealError::ExpirationTooFar { .. })
    ));
}

#[test]
fn never_expiring_cookies_are_read_when_asked_for_by_name() {
    let config = hourly()
        .dangerous_accept_seals_without_expiration(true)
        .build()
        .unwrap();
    assert_read(&config, &cookie(None));
    // The far-future limit still holds.
    assert!(
        load(&config, &cookie(Some(NOW + 2 * HOUR_MS)))
            .unseal_error()
            .is_some()
    );
    // A session that itself seals with Ttl::Never reads everything, as before.
    let never = hourly().ttl(Ttl::Never).build().unwrap();
    assert_read(&never, &cookie(None));
    assert_read(&never, &cookie(Some(NOW + 10 * 365 * 24 * HOUR_MS)));
    let never_max = hourly().max_ttl(Ttl::Never).build().unwrap();
    assert_eq!(never_max.ttl_limit(), TtlLimit::NONE);
}

#[test]
fn the_check_runs_before_any_key_derivation() {
    // A forged never-expiring seal with a wrong MAC is refused for its missing expiration, not
    // for its MAC: the cheaper check ran first.
    let forged = format!(
        "Fe26.2*1*{}*AAAAAAAAAAAAAAAAAAAAAA*AAAA**{}*{}~2",
        "a".repeat(64),
        "b".repeat(64),
        "c".repeat(43)
    );
    assert_refused(
        &hourly().build().unwrap(),
        &forged,
        &SealError::NoExpiration,
    );
}

#[test]
fn unseal_data_keeps_trusting_the_seal_unless_asked() {
    let passwords = passwords();
    for value in [cookie(None), cookie(Some(NOW + 10 * 365 * 24 * HOUR_MS))] {
        let data: Value = unseal_data_at(&value, &passwords, NOW).unwrap();
        assert_eq!(data["userId"], 1);
        assert!(TtlLimit::NONE.check_at(&value, NOW).is_ok());
        let error = TtlLimit::new(Ttl::seconds(3600))
            .check_at(&value, NOW)
            .unwrap_err();
        assert_eq!(error.reason(), UnsealReason::Invalid);
    }
    // Not a seal: left to the unseal that follows, which names the real problem.
    assert!(
        TtlLimit::new(Ttl::seconds(1))
            .check_at("garbage", NOW)
            .is_ok()
    );
}

#[test]
fn an_expiration_beyond_u64_is_too_far_not_never() {
    // Iron reads it as u64::MAX, i.e. never expiring; a session refuses it as too far ahead.
    let seal = "Fe26.2*1*salt*iv*ct*99999999999999999999999999*hsalt*mac~2";
    let error = TtlLimit::new(Ttl::seconds(3600))
        .check_at(seal, NOW)
        .unwrap_err();
    assert_eq!(error.reason(), UnsealReason::Invalid);
    assert_eq!(
        error.cause(),
        Some(&SealError::ExpirationTooFar {
            expires_at_ms: u64::MAX,
            latest_ms: NOW + HOUR_MS + SKEW_MS,
        })
    );
}
