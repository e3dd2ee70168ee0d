//! `SessionConfig`: the `Max-Age` rules, every refusal of the builder, `Debug` without secrets,
//! and the exact `Set-Cookie` strings of the reference's table (iron-session 8.0.4's output, with
//! this crate's deliberate differences spelled out), produced through `Session::save`.

use std::time::Duration;

use http::HeaderMap;
use ironsession::{
    ConfigError, CookieLifetime, JsonSession, MAX_COOKIE_AGE_SECONDS, PasswordError, Passwords,
    Priority, SameSite, SessionConfig, SessionConfigBuilder, Ttl, TtlLimit,
};

const PASSWORD: &str = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";
const DAY: u64 = 24 * 3600;

fn builder(name: &str) -> SessionConfigBuilder {
    SessionConfig::builder(name, Passwords::single(PASSWORD).unwrap())
}

fn max_age(change: impl FnOnce(SessionConfigBuilder) -> SessionConfigBuilder) -> Option<u64> {
    change(builder("sess")).build().unwrap().max_age_seconds()
}

#[test]
fn max_age_is_the_ttl_minus_60_seconds_capped_at_400_days() {
    assert_eq!(MAX_COOKIE_AGE_SECONDS, 34_560_000);
    assert_eq!(max_age(|b| b), Some(1_209_540));
    assert_eq!(max_age(|b| b.ttl(Ttl::seconds(3600))), Some(3540));
    assert_eq!(max_age(|b| b.ttl(Ttl::seconds(61))), Some(1));
    // At 60 s and below nothing is subtracted (iron-session 8 wrote 0 and -30, deleting the cookie).
    assert_eq!(max_age(|b| b.ttl(Ttl::seconds(60))), Some(60));
    assert_eq!(max_age(|b| b.ttl(Ttl::seconds(30))), Some(30));
    assert_eq!(max_age(|b| b.ttl(Ttl::seconds(1))), Some(1));
    // iron-session 8 wrote 2147483647 for ttl 0; browsers cap at 400 days anyway.
    assert_eq!(max_age(|b| b.ttl(Ttl::Never)), Some(34_560_000));
    assert_eq!(
        max_age(|b| b.ttl(Ttl::seconds(500 * DAY))),
        Some(34_560_000)
    );
    assert_eq!(
        max_age(|b| b.ttl(Ttl::seconds(400 * DAY))),
        Some(34_559_940)
    );
    // Sub-second parts of a ttl are dropped from Max-Age.
    assert_eq!(
        max_age(|b| b.ttl(Ttl::After(Duration::from_millis(3_600_999)))),
        Some(3540)
    );
}

#[test]
fn cookie_lifetime_overrides_the_ttl() {
    let browser = |b: SessionConfigBuilder| b.cookie_lifetime(CookieLifetime::BrowserSession);
    assert_eq!(max_age(browser), None);
    let ten = |b: SessionConfigBuilder| {
        b.cookie_lifetime(CookieLifetime::MaxAge(Duration::from_secs(10)))
    };
    assert_eq!(max_age(ten), Some(10));
    let long = |b: SessionConfigBuilder| {
        b.cookie_lifetime(CookieLifetime::MaxAge(Duration::from_secs(1000 * DAY)))
    };
    assert_eq!(max_age(long), Some(34_560_000));
    // An explicit Max-Age is not tied to the ttl.
    let both = |b: SessionConfigBuilder| {
        b.ttl(Ttl::seconds(3600))
            .cookie_lifetime(CookieLifetime::MaxAge(Duration::from_secs(7200)))
    };
    assert_eq!(max_age(both), Some(7200));
    assert_eq!(CookieLifetime::default(), CookieLifetime::FollowTtl);
}

fn refused(config: SessionConfigBuilder) -> ConfigError {
    config.build().unwrap_err()
}

#[test]
fn cookie_names_must_be_tokens() {
    for name in [
        "a b", "a;b", "", "é", "a=b", "a,b", "a\"b", "a\tb", "(a)", "a/b",
    ] {
        assert_eq!(
            refused(builder(name)),
            ConfigError::InvalidCookieName { name: name.into() },
            "{name:?}"
        );
    }
    let long = "é".repeat(100);
    let ConfigError::InvalidCookieName { name } = refused(builder(&long)) else {
        panic!("not InvalidCookieName");
    };
    assert_eq!(name.chars().count(), 64);
    for name in ["sess", "iron-session_v2.x", "!#$%&'*+-.^_`|~09AZaz"] {
        builder(name).build().unwrap();
    }
}

#[test]
fn host_prefix_requires_secure_root_path_and_no_domain() {
    for name in ["__Host-sess", "__host-sess", "__HOST-sess"] {
        assert_eq!(
            refused(builder(name).domain("example.com")),
            ConfigError::HostPrefix
        );
        assert_eq!(refused(builder(name).path("/x")), ConfigError::HostPrefix);
        assert_eq!(
            refused(builder(name).dangerous_insecure_cookie(true)),
            ConfigError::HostPrefix
        );
        builder(name).build().unwrap();
    }
    // Only a prefix counts.
    builder("x__Host-sess")
        .domain("example.com")
        .build()
        .unwrap();
}

#[test]
fn secure_prefix_requires_secure() {
    for name in ["__Secure-sess", "__secure-sess"] {
        assert_eq!(
            refused(builder(name).dangerous_insecure_cookie(true)),
            ConfigError::SecurePrefix
        );
        builder(name)
            .domain("example.com")
            .path("/x")
            .build()
            .unwrap();
    }
}

#[test]
fn same_site_none_and_partitioned_require_secure() {
    assert_eq!(
        refused(
            builder("sess")
                .same_site(SameSite::None)
                .dangerous_insecure_cookie(true)
        ),
        ConfigError::SameSiteNoneWithoutSecure
    );
    assert_eq!(
        refused(
            builder("sess")
                .partitioned(true)
                .dangerous_insecure_cookie(true)
        ),
        ConfigError::PartitionedWithoutSecure
    );
    builder("sess")
        .same_site(SameSite::None)
        .partitioned(true)
        .build()
        .unwrap();
    // Insecure is fine with Lax or Strict.
    builder("sess")
        .same_site(SameSite::Strict)
        .dangerous_insecure_cookie(true)
        .build()
        .unwrap();
}

#[test]
fn paths_must_start_with_a_slash_and_have_no_semicolon_or_control_character() {
    for path in [
        "",
        "app",
        "app/",
        "/a;b",
        "/a\n",
        "/a\r\nSet-Cookie: x=y",
        "/a\u{7f}",
        "/é",
    ] {
        assert_eq!(
            refused(builder("sess").path(path)),
            ConfigError::InvalidPath,
            "{path:?}"
        );
    }
    for path in ["/", "/app", "/app/x y", "/a=b"] {
        builder("sess").path(path).build().unwrap();
    }
}

#[test]
fn domains_must_be_host_names() {
    for domain in [
        "",
        ".",
        "exa mple.com",
        "a..b",
        "-a.com",
        "a-.com",
        "example.com;",
        "example.com/",
        "exämple.com",
        "a.b:80",
        &"a".repeat(64),
    ] {
        assert_eq!(
            refused(builder("sess").domain(domain)),
            ConfigError::InvalidDomain,
            "{domain:?}"
        );
    }
    for domain in [
        "example.com",
        ".example.com",
        "localhost",
        "a-b.c0",
        &"a".repeat(63),
    ] {
        builder("sess").domain(domain).build().unwrap();
    }
}

#[test]
fn the_ttl_must_be_at_least_one_second() {
    for ttl in [
        Duration::ZERO,
        Duration::from_millis(500),
        Duration::from_millis(999),
    ] {
        assert_eq!(
            refused(builder("sess").ttl(Ttl::After(ttl))),
            ConfigError::TtlTooShort,
            "{ttl:?}"
        );
    }
    builder("sess")
        .ttl(Ttl::After(Duration::from_secs(1)))
        .build()
        .unwrap();
    builder("sess").ttl(Ttl::Never).build().unwrap();
}

#[test]
fn password_errors_come_through_as_config_errors() {
    let error: ConfigError = Passwords::single("short").unwrap_err().into();
    assert_eq!(
        error,
        ConfigError::Password(PasswordError::TooShort {
            id: 1,
            length: 5,
            min: 32
        })
    );
    assert_eq!(
        error.to_string(),
        "password with id 1 is too short: 5 characters, at least 32 are required"
    );
}

#[test]
fn an_invalid_update_keeps_the_old_configuration() {
    let config = builder("sess").build().unwrap();
    let mut session: JsonSession = config.load(&HeaderMap::new());
    assert_eq!(
        session
            .update_config(|c| c.same_site(SameSite::None).dangerous_insecure_cookie(true))
            .unwrap_err(),
        ConfigError::SameSiteNoneWithoutSecure
    );
    session.save().unwrap();
    let lines = session.take_set_cookies();
    assert!(lines[0].ends_with("; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax"));
}

#[test]
fn debug_output_never_contains_a_password() {
    let secret = "4pM3sLBgS3y0r6hKmO826gWgouKo5JhGvZIHgrto_nk";
    let other = "zHLCF8Atk4605wusMrRqp97XQC2FBpbfOQcmt8tOrqY";
    let passwords = Passwords::from_pairs([(1, secret), (2, other)]).unwrap();
    let config = SessionConfig::builder("sess", passwords)
        .domain("example.com")
        .build()
        .unwrap();
    let builder_debug = format!("{:?}", config.to_builder());
    let config_debug = format!("{config:?}");
    let alternate = format!("{config:#?}");
    for debug in [&config_debug, &alternate, &builder_debug] {
        assert!(
            debug.contains("ids: [") && debug.contains("example.com"),
            "{debug}"
        );
        for password in [secret, other] {
            assert!(!debug.contains(password), "{debug}");
            assert!(!debug.contains(&password[..16]), "{debug}");
        }
    }

    // Errors made from the same builder, and a short password's error.
    let errors = [
        refused(config.to_builder().cookie_name("a b")),
        refused(config.to_builder().path("x")),
        refused(config.to_builder().domain("a b")),
        refused(config.to_builder().cookie_name("__Host-x")),
        refused(config.to_builder().ttl(Ttl::After(Duration::ZERO))),
        Passwords::single("short secret").unwrap_err().into(),
        Passwords::parse(r#"{"1": 42, "2": "a secret in bad JSON"}"#)
            .unwrap_err()
            .into(),
    ];
    for error in errors {
        for text in [
            format!("{error:?}"),
            format!("{error:#?}"),
            error.to_string(),
        ] {
            for password in [secret, other, "short secret", "a secret in bad JSON"] {
                assert!(!text.contains(password), "{text}");
            }
        }
    }
}

/// The `Set-Cookie` line of a save (or of a destroy) with this configuration, split into the
/// seal and the attributes, after checking the name and the seal's shape.
fn saved_line(config: &SessionConfig, destroy: bool) -> (String, String) {
    let mut session: JsonSession = config.load(&HeaderMap::new());
    session.insert("userId".into(), 42.into());
    if destroy {
        session.destroy();
    } else {
        session.save().unwrap();
    }
    let lines = session.take_set_cookies();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let rest = lines[0].strip_prefix("sess=").unwrap();
    let (value, attributes) = rest.split_at(rest.find(';').unwrap());
    if !destroy {
        assert!(
            value.starts_with("Fe26.2*1*") && value.ends_with("~2"),
            "{value}"
        );
    }
    (value.to_owned(), attributes.to_owned())
}

/// The seal's expiration field.
fn expiration(seal: &str) -> &str {
    seal.split('*').nth(5).unwrap()
}

#[test]
fn set_cookie_strings_match_the_reference_table() {
    const NOW: u64 = 1_700_000_000_000;
    let fixed = |b: SessionConfigBuilder| b.clock(|| NOW).build().unwrap();

    // defaults
    let (seal, attributes) = saved_line(&fixed(builder("sess")), false);
    assert_eq!(
        attributes,
        "; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax"
    );
    assert_eq!(expiration(&seal), (NOW + 1_209_600_000).to_string());
    let (value, attributes) = saved_line(&fixed(builder("sess")), true);
    assert_eq!(
        format!("sess={value}{attributes}"),
        "sess=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"
    );

    // `ttl: 0`: no expiration in the seal; Max-Age 400 days (iron-session 8: 2147483647).
    let (seal, attributes) = saved_line(&fixed(builder("sess").ttl(Ttl::Never)), false);
    assert_eq!(
        attributes,
        "; Max-Age=34560000; Path=/; HttpOnly; Secure; SameSite=Lax"
    );
    assert_eq!(expiration(&seal), "");

    // `cookieOptions: {maxAge: undefined}`: no Max-Age. The seal still expires after the ttl
    // (iron-session 8 made it never expire).
    let browser = builder("sess").cookie_lifetime(CookieLifetime::BrowserSession);
    let (seal, attributes) = saved_line(&fixed(browser), false);
    assert_eq!(attributes, "; Path=/; HttpOnly; Secure; SameSite=Lax");
    assert_eq!(expiration(&seal), (NOW + 1_209_600_000).to_string());

    // ttl 3600 with every attribute. iron-session's row has `secure: false`, which this crate
    // refuses with SameSite=None and Partitioned; `Secure` sits where the cookie package puts it.
    let custom = || {
        builder("sess")
            .ttl(Ttl::seconds(3600))
            .same_site(SameSite::None)
            .domain("example.com")
            .partitioned(true)
            .priority(Priority::High)
            .path("/app")
    };
    let (seal, attributes) = saved_line(&fixed(custom()), false);
    assert_eq!(
        attributes,
        "; Max-Age=3540; Domain=example.com; Path=/app; HttpOnly; Secure; Partitioned; Priority=High; SameSite=None"
    );
    assert_eq!(expiration(&seal), (NOW + 3_600_000).to_string());
    let (value, attributes) = saved_line(&fixed(custom()), true);
    assert_eq!(
        format!("sess={value}{attributes}"),
        "sess=; Max-Age=0; Domain=example.com; Path=/app; HttpOnly; Secure; Partitioned; Priority=High; SameSite=None"
    );
    assert_eq!(
        refused(custom().dangerous_insecure_cookie(true)),
        ConfigError::SameSiteNoneWithoutSecure
    );
}

/// The `dangerous_*` switches take a bool, so that they follow the environment: `false` keeps (or
/// restores) the safe default, whatever an earlier call said.
#[test]
fn dangerous_switches_turned_off_keep_the_safe_defaults() {
    let line = |b: SessionConfigBuilder| saved_line(&b.build().unwrap(), false).1;
    let defaults = "; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax";
    assert_eq!(
        line(builder("sess").dangerous_insecure_cookie(false)),
        defaults
    );
    assert_eq!(
        line(builder("sess").dangerous_script_readable_cookie(false)),
        defaults
    );
    let switched_back = builder("sess")
        .dangerous_insecure_cookie(true)
        .dangerous_script_readable_cookie(true)
        .dangerous_insecure_cookie(false)
        .dangerous_script_readable_cookie(false);
    assert_eq!(line(switched_back), defaults);
    let cache = |on| {
        builder("sess")
            .dangerous_manual_cache_headers(on)
            .build()
            .unwrap()
            .cache_headers()
    };
    assert!(cache(false) && !cache(true));
    let limit = |on| {
        builder("sess")
            .dangerous_accept_seals_without_expiration(on)
            .build()
            .unwrap()
            .ttl_limit()
    };
    assert_eq!(limit(false), TtlLimit::new(Ttl::DEFAULT));
    assert_ne!(limit(true), TtlLimit::new(Ttl::DEFAULT));
}

#[test]
fn each_attribute_is_written_in_the_cookie_package_order() {
    let line = |b: SessionConfigBuilder| saved_line(&b.build().unwrap(), false).1;
    assert_eq!(
        line(builder("sess").dangerous_script_readable_cookie(true)),
        "; Max-Age=1209540; Path=/; Secure; SameSite=Lax"
    );
    assert_eq!(
        line(builder("sess").dangerous_insecure_cookie(true)),
        "; Max-Age=1209540; Path=/; HttpOnly; SameSite=Lax"
    );
    assert_eq!(
        line(builder("sess").priority(Priority::Low)),
        "; Max-Age=1209540; Path=/; HttpOnly; Secure; Priority=Low; SameSite=Lax"
    );
    assert_eq!(
        line(
            builder("sess")
                .priority(Priority::Medium)
                .same_site(SameSite::Strict)
        ),
        "; Max-Age=1209540; Path=/; HttpOnly; Secure; Priority=Medium; SameSite=Strict"
    );
    assert_eq!(
        line(builder("sess").domain(".example.com").path("/a b")),
        "; Max-Age=1209540; Domain=.example.com; Path=/a b; HttpOnly; Secure; SameSite=Lax"
    );
    assert_eq!(
        line(builder("sess").cookie_lifetime(CookieLifetime::MaxAge(Duration::from_secs(10)))),
        "; Max-Age=10; Path=/; HttpOnly; Secure; SameSite=Lax"
    );
}

/// Session cookies reuse their password's salts within a window by default, each with its own
/// IV; `seal_key_reuse(false)` gives every cookie fresh salts, as iron-session does.
#[test]
fn session_cookies_reuse_seal_keys_unless_turned_off() {
    let salts_and_iv = |config: &SessionConfig| {
        let (seal, _) = saved_line(config, false);
        let fields: Vec<&str> = seal.split('*').collect();
        (
            (fields[2].to_owned(), fields[6].to_owned()),
            fields[3].to_owned(),
        )
    };
    let reusing = builder("sess").build().unwrap();
    assert!(reusing.passwords().seal_key_reuse());
    let ((a, a_iv), (b, b_iv)) = (salts_and_iv(&reusing), salts_and_iv(&reusing));
    assert_eq!(a, b);
    assert_ne!(a_iv, b_iv);

    let fresh = builder("sess").seal_key_reuse(false).build().unwrap();
    assert!(!fresh.passwords().seal_key_reuse());
    assert_ne!(salts_and_iv(&fresh).0, salts_and_iv(&fresh).0);
    assert!(
        !fresh
            .to_builder()
            .build()
            .unwrap()
            .passwords()
            .seal_key_reuse()
    );
    let again = fresh.to_builder().seal_key_reuse(true).build().unwrap();
    assert_eq!(salts_and_iv(&again).0, salts_and_iv(&again).0);
}
