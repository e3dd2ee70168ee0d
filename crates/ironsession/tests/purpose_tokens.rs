//! Tokens sealed for a purpose (a magic link) open only for that purpose: never as a session
//! cookie, never for another purpose, never with the plain passwords.

use http::{HeaderMap, HeaderValue, header};
use ironsession::{
    JsonSession, Passwords, SealError, SessionConfig, Ttl, UnsealReason, seal_data, seal_data_at,
    unseal_data,
};
use serde_json::{Value, json};

const PASSWORD: &str = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";

fn passwords() -> Passwords {
    Passwords::single(PASSWORD).unwrap()
}

fn load_cookie(config: &SessionConfig, value: &str) -> JsonSession {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::COOKIE,
        HeaderValue::from_str(&format!("sess={value}")).unwrap(),
    );
    config.load(&headers)
}

/// The finding: a magic-link token sent as `Cookie: sess=<token>` loaded as a logged-in session.
#[test]
fn a_purpose_token_never_opens_as_a_session_cookie() {
    let passwords = passwords();
    let config = SessionConfig::builder("sess", passwords.clone())
        .build()
        .unwrap();
    let login = json!({"userId": 1, "isLoggedIn": true});
    let token = seal_data(
        &login,
        &passwords.for_purpose("magic-link"),
        Ttl::seconds(900),
    )
    .unwrap();

    let session = load_cookie(&config, &token);
    assert!(session.is_empty(), "the token logged in: {session:?}");
    let error = session.unseal_error().expect("the token was refused");
    assert_eq!(error.reason(), UnsealReason::Invalid);
    assert_eq!(error.cause(), Some(&SealError::BadMac));

    // The same data sealed as a cookie does log in: the refusal is the purpose's doing.
    let cookie = seal_data(&login, &passwords, Ttl::seconds(900)).unwrap();
    assert_eq!(load_cookie(&config, &cookie).get("userId"), Some(&json!(1)));
}

#[test]
fn a_purpose_token_opens_only_for_its_purpose() {
    let passwords = passwords();
    let token = seal_data(
        &json!({"email": "a@example.com"}),
        &passwords.for_purpose("magic-link"),
        Ttl::seconds(900),
    )
    .unwrap();
    let data: Value = unseal_data(&token, &passwords.for_purpose("magic-link")).unwrap();
    assert_eq!(data["email"], "a@example.com");
    // Built again from the same text: the derivation depends on the password and purpose only.
    let again = Passwords::single(PASSWORD)
        .unwrap()
        .for_purpose("magic-link");
    assert_eq!(unseal_data::<Value>(&token, &again).unwrap(), data);

    for other in [
        passwords.clone(),
        passwords.for_purpose("password-reset"),
        passwords.for_purpose("magic-link "),
        passwords.for_purpose("Magic-link"),
        passwords.for_purpose(""),
        passwords
            .for_purpose("magic-link")
            .for_purpose("magic-link"),
    ] {
        let error = unseal_data::<Value>(&token, &other).unwrap_err();
        assert_eq!(error.reason(), UnsealReason::Invalid, "{other:?}");
    }
    // And a plain cookie does not open as a token.
    let cookie = seal_data(&json!({"userId": 1}), &passwords, Ttl::seconds(900)).unwrap();
    let error = unseal_data::<Value>(&cookie, &passwords.for_purpose("magic-link")).unwrap_err();
    assert_eq!(error.reason(), UnsealReason::Invalid);
}

#[test]
fn a_purpose_token_is_a_plain_seal_under_the_same_id() {
    let passwords = Passwords::from_pairs([
        (1, "25P5_eaThxxbIO7dxW7O5Jsji22Srzy-34AbbTPlrno"),
        (2, "FvbqOpq2WDDN-QIbiyQVm6OkHnDHSG1wxP24UoPTWAY"),
    ])
    .unwrap();
    let magic = passwords.for_purpose("magic-link");
    assert_eq!(magic.sealing_id(), 2);
    assert_eq!(magic.ids().collect::<Vec<_>>(), [1, 2]);
    assert_eq!(magic.purpose(), Some("magic-link"));
    assert_eq!(
        format!("{magic:?}"),
        r#"Passwords { ids: [1, 2], purpose: "magic-link" }"#
    );
    let token = seal_data(&[1], &magic, Ttl::seconds(60)).unwrap();
    assert!(
        token.starts_with("Fe26.2*2*") && token.ends_with("~2"),
        "{token}"
    );

    // Rotation works per id: a token of the old id opens once the old id is only a reader.
    let old_only = Passwords::from_pairs([(1, "25P5_eaThxxbIO7dxW7O5Jsji22Srzy-34AbbTPlrno")])
        .unwrap()
        .for_purpose("magic-link");
    let old_token = seal_data(&[2], &old_only, Ttl::seconds(60)).unwrap();
    assert_eq!(unseal_data::<Vec<u8>>(&old_token, &magic).unwrap(), [2]);
}

#[test]
fn seals_without_a_purpose_are_unchanged() {
    // Reference vector #13 (iron-session 8, deterministic): `for_purpose` must not have changed
    // what a plain password seals.
    struct Counter(u8);
    impl iron_seal::RandomSource for Counter {
        fn fill(&mut self, dest: &mut [u8]) -> Result<(), SealError> {
            for byte in dest {
                *byte = self.0;
                self.0 = self.0.wrapping_add(1);
            }
            Ok(())
        }
    }
    let passwords =
        Passwords::dangerous_allow_weak_single("complex_password_at_least_32_characters_long")
            .unwrap();
    let _ = passwords.for_purpose("magic-link");
    let sealed = seal_data_at(
        &json!({"user": {"id": 1, "admin": false}}),
        &passwords,
        Ttl::seconds(1_209_600),
        1_700_000_000_000,
        Counter(0),
    )
    .unwrap();
    assert_eq!(
        sealed,
        "Fe26.2*1*000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f*ICEiIyQlJicoKSorLC0uLw*L3erVZTkOrdZt3MZ4kvZKcaoHBipxRGqyPbVLMqrda4*1701209600000*303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f*SSSYiPkK--pWtQtfCRGlassV1hf0nq22sQkBEHDZoO8~2"
    );
}

/// The password of the known answers below.
const KNOWN_ANSWER_PASSWORD: &str = "known-answer password of the purpose derivation";

/// Derived passwords computed with Node's `crypto.createHmac("sha256", password)
/// .update("ironsession purpose v1\0" + purpose).digest("base64url")`: the documented rule,
/// computed outside this crate. A multi-byte purpose checks the UTF-8 bytes; the empty one, that
/// the domain prefix is there on its own.
const KNOWN_ANSWERS: [(&str, &str); 3] = [
    ("magic-link", "8DiTQ1EhC7oS_X4ffO4w2dSPNCyBjGCd9hdWkDEP1g0"),
    (
        "réinitialisation 🔑",
        "3sArHlmr1XmwbDgZJagO6hmksQGatqKp9QSfNu39tgM",
    ),
    ("", "oA6GgGLsK0LyK16zabYgIIxjP5q-cNUS5hrJUhveR-I"),
];

/// A token sealed for a purpose opens with the known derived password (as a Node peer that follows
/// the documentation would read it), and one sealed with the known password opens for the purpose.
#[test]
fn the_derived_passwords_are_the_documented_hmac_computed_by_node() {
    let passwords = Passwords::dangerous_allow_weak_single(KNOWN_ANSWER_PASSWORD).unwrap();
    for (purpose, derived) in KNOWN_ANSWERS {
        let derived_set = Passwords::single(derived).unwrap();
        let for_purpose = passwords.for_purpose(purpose);
        let token = seal_data(&json!({"k": purpose}), &for_purpose, Ttl::seconds(60)).unwrap();
        assert_eq!(
            unseal_data::<Value>(&token, &derived_set).unwrap(),
            json!({"k": purpose}),
            "{purpose:?}"
        );
        let from_peer = seal_data(&json!({"peer": true}), &derived_set, Ttl::seconds(60)).unwrap();
        assert_eq!(
            unseal_data::<Value>(&from_peer, &for_purpose).unwrap(),
            json!({"peer": true}),
            "{purpose:?}"
        );
    }
    recomputed_by_node_where_available();
}

/// The constants above, computed again by Node when a `node` is on the `PATH` (as in CI, where the
/// interop tests need it): a check that they were copied right.
fn recomputed_by_node_where_available() {
    for (purpose, derived) in KNOWN_ANSWERS {
        let output = std::process::Command::new("node")
            .args([
                "-e",
                "process.stdout.write(require('node:crypto').createHmac('sha256', process.argv[1])\
                 .update('ironsession purpose v1\\0' + process.argv[2]).digest('base64url'))",
                KNOWN_ANSWER_PASSWORD,
                purpose,
            ])
            .output();
        match output {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("node is not installed: the known answers were not recomputed");
                return;
            }
            Err(error) => panic!("cannot run node: {error}"),
            Ok(output) => {
                assert!(output.status.success(), "{output:?}");
                assert_eq!(String::from_utf8(output.stdout).unwrap(), derived);
            }
        }
    }
}
