//! No public type's `Debug` shows a password or a seal. A seal is a bearer token (whoever copies
//! it from a log is logged in), so the incoming cookie and the queued `Set-Cookie` lines are
//! redacted as carefully as the passwords.

use std::fmt::Debug;
use std::time::Duration;

use http::{HeaderMap, HeaderValue, header};
use ironsession::iron_seal::{self, Options, Password, PasswordId, SealParts, Secret};
use ironsession::{
    CookieLifetime, JsonSession, Passwords, Priority, SameSite, SaveError, SessionConfig,
    SessionContext, SystemClock, Ttl, seal_data, unseal_data,
};

const PASSWORD: &str = "AbpY_uUexEVr-UMroENxdohqqWZpLaJsm3AD9HmpT9I";
const OTHER: &str = "8a-X5-Io6rW2vnRXOhoWqLFLOOj-t5xBw9rY2woFbZc";

/// The password and every long field of `seal`: none of them may appear.
fn secrets(seal: &str) -> Vec<String> {
    let mut secrets = vec![PASSWORD.to_owned(), OTHER.to_owned(), seal.to_owned()];
    let bare = seal.split('~').next().unwrap();
    secrets.extend(
        bare.split('*')
            .filter(|field| field.len() >= 16)
            .map(str::to_owned),
    );
    secrets
}

#[track_caller]
fn assert_clean(name: &str, value: &dyn Debug, secrets: &[String]) {
    for debug in [format!("{value:?}"), format!("{value:#?}")] {
        for secret in secrets {
            assert!(
                !debug.contains(secret.as_str()),
                "{name}'s Debug shows a secret ({secret}): {debug}"
            );
        }
        assert!(
            !debug.contains("Fe26"),
            "{name}'s Debug shows a seal: {debug}"
        );
    }
}

#[test]
fn no_public_type_debug_shows_a_password_or_a_seal() {
    let passwords = Passwords::from_pairs([(1, OTHER), (2, PASSWORD)]).unwrap();
    let config = SessionConfig::builder("sess", passwords.clone())
        .ttl(Ttl::seconds(3600))
        .cookie_lifetime(CookieLifetime::MaxAge(Duration::from_secs(60)))
        .priority(Priority::High)
        .same_site(SameSite::Strict)
        .build()
        .unwrap();
    let incoming = seal_data(
        &serde_json::json!({"userId": 1}),
        &passwords,
        Ttl::seconds(60),
    )
    .unwrap();
    let secrets = secrets(&incoming);

    let mut headers = HeaderMap::new();
    headers.insert(
        header::COOKIE,
        HeaderValue::from_str(&format!("sess={incoming}")).unwrap(),
    );
    let context = SessionContext::from_headers(&config, &headers);
    let mut session: JsonSession = ironsession::Session::load(&context);
    assert_eq!(
        session.get("userId"),
        Some(&1.into()),
        "the cookie was read"
    );
    session.insert("visits".into(), 1.into());
    session.save().unwrap();
    // A Set-Cookie line is queued now; its seal is new, and `assert_clean` refuses any `Fe26`.
    assert_clean("SessionContext", &context, &secrets);
    assert_clean("Session", &session, &secrets);
    let pending = context.take_set_cookies();
    assert!(
        pending[0].starts_with("sess=Fe26.2*2*"),
        "a seal was pending"
    );

    assert_clean("Passwords", &passwords, &secrets);
    assert_clean("SessionConfig", &config, &secrets);
    assert_clean("SessionConfigBuilder", &config.to_builder(), &secrets);
    assert_clean("SystemClock", &SystemClock, &secrets);
    assert_clean("Ttl", &Ttl::DEFAULT, &secrets);

    let unseal_error =
        unseal_data::<serde_json::Value>(&incoming.replacen('*', "*9", 1), &passwords).unwrap_err();
    assert_clean("UnsealError", &unseal_error, &secrets);
    let bad_mac = format!("{}x", &incoming[..incoming.len() - 3]);
    let unseal_error = unseal_data::<serde_json::Value>(&bad_mac, &passwords).unwrap_err();
    assert_clean("UnsealError (bad MAC)", &unseal_error, &secrets);
    let json_error = Passwords::parse(&format!(r#"{{"1":"{PASSWORD}","2":3}}"#)).unwrap_err();
    assert_clean("PasswordError (JSON)", &json_error, &secrets);
    let weak = Passwords::single(format!("{PASSWORD}{PASSWORD}")).unwrap_err();
    assert_clean("PasswordError (weak)", &weak, &secrets);
    let config_error: ironsession::ConfigError = json_error.into();
    assert_clean("ConfigError", &config_error, &secrets);
    let mut too_big: JsonSession = config.load(&HeaderMap::new());
    too_big.insert("big".into(), "x".repeat(8000).into());
    let save_error: SaveError = too_big.save().unwrap_err();
    assert_clean("SaveError", &save_error, &secrets);

    // The format layer's public types.
    let password = Password::from(PASSWORD);
    assert_clean("iron_seal::Password", &password, &secrets);
    assert_clean("iron_seal::Secret", &Secret::text(PASSWORD), &secrets);
    assert_clean(
        "iron_seal::PasswordId",
        &PasswordId::new("2").unwrap(),
        &secrets,
    );
    assert_clean("iron_seal::Options", &Options::IRON_DEFAULT, &secrets);
    let parts = SealParts::parse(incoming.split('~').next().unwrap()).unwrap();
    assert_clean("iron_seal::SealParts", &parts, &secrets);
    assert_clean("iron_seal::OsRandom", &iron_seal::OsRandom, &secrets);

    #[cfg(feature = "axum")]
    assert_clean(
        "axum::SessionLayer",
        &ironsession::axum::SessionLayer::new(config.clone()),
        &secrets,
    );
    #[cfg(feature = "actix-web")]
    assert_clean(
        "actix::SessionMiddleware",
        &ironsession::actix::SessionMiddleware::new(config.clone()),
        &secrets,
    );

    assert_revocation_types_are_clean(&passwords, &secrets);
}

/// The password of the Redis URLs below: it must never appear.
const REDIS_PASSWORD: &str = "redis-password-that-must-stay-out-of-logs";

/// The revocation types, and the Redis backend whose URL carries a password.
fn assert_revocation_types_are_clean(passwords: &Passwords, secrets: &[String]) {
    use ironsession::revocation::{
        InMemory, Refusal, Replica, Revocation, RevocationEntry, RevocationError, SessionFields,
    };

    let mut secrets = secrets.to_vec();
    secrets.push(REDIS_PASSWORD.to_owned());
    let revocation = Revocation::builder(InMemory::new()).build();
    let sid = "c2Vzc2lvbi1pZC0wMDAwMQ";
    assert_clean("InMemory", &InMemory::new(), &secrets);
    assert_clean(
        "RevocationBuilder",
        &Revocation::builder(InMemory::new()),
        &secrets,
    );
    assert_clean("Revocation", &revocation, &secrets);
    assert_clean("Replica", &Replica::new(), &secrets);
    assert_clean(
        "RevocationEntry",
        &RevocationEntry::Session {
            sid: sid.into(),
            expires_ms: 1,
        },
        &secrets,
    );
    assert_clean(
        "SessionFields",
        &SessionFields::new(Some(sid), Some("user-42"), Some(1)),
        &secrets,
    );
    assert_clean("Refusal", &Refusal::Session, &secrets);
    assert_clean(
        "RevocationError",
        &RevocationError::InvalidSessionId,
        &secrets,
    );
    let config = SessionConfig::builder("sess", passwords.clone())
        .revocation(revocation)
        .build()
        .unwrap();
    assert_clean("SessionConfig (revocation)", &config, &secrets);

    #[cfg(feature = "redis")]
    {
        use ironsession::revocation::redis::RedisBackend;

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _entered = runtime.enter();
        // Nothing listens there: the backend starts anyway and retries in the background.
        for url in [
            format!("redis://:{REDIS_PASSWORD}@127.0.0.1:1/0"),
            format!("redis://app:{REDIS_PASSWORD}@127.0.0.1:1/0?protocol=resp3"),
            format!("redis+unix:///run/redis.sock?db=2&pass={REDIS_PASSWORD}"),
        ] {
            let builder = RedisBackend::builder(&url);
            assert_clean("RedisBackendBuilder", &builder, &secrets);
            let shown = format!("{builder:?}");
            assert!(
                shown.contains("***"),
                "the address is shown, redacted: {shown}"
            );
            let backend = builder.start().unwrap();
            assert_clean("RedisBackend", &backend, &secrets);
            let revocation = Revocation::builder(backend).build();
            assert_clean("Revocation (Redis)", &revocation, &secrets);
        }
        let unreadable = format!("redis://:{REDIS_PASSWORD}@127.0.0.1:notaport/0");
        let builder = RedisBackend::builder(&unreadable);
        assert_clean("RedisBackendBuilder (unreadable URL)", &builder, &secrets);
        let error = builder.start().unwrap_err();
        assert_clean("RevocationError (address)", &error, &secrets);
        assert!(!error.to_string().contains(REDIS_PASSWORD), "{error}");
    }
}
