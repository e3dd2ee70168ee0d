//! h3 mode without Node: new sessions get h3's ids, revocation works on h3's id, `createdAt` and
//! the subject this crate keeps in `_is`, and an h3 app's never-expiring seals are refused unless
//! accepted by name. (What h3 itself reads and writes is `interop_h3.rs`.)

use std::time::Duration;

use http::{HeaderMap, HeaderValue};
use ironsession::iron_seal::{self, Options, Password, PasswordId};
use ironsession::revocation::Revocation;
use ironsession::{
    H3Sessions, JsonSession, Passwords, Session, SessionConfig, SessionConfigBuilder,
    SessionContext, UnsealReason,
};

const PASSWORD: &str = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";

fn builder() -> SessionConfigBuilder {
    SessionConfig::builder("h3", Passwords::single(PASSWORD).unwrap())
        .h3(H3Sessions::v2().with_max_age(Duration::from_secs(3600)))
}

fn with_cookie(value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        "cookie",
        HeaderValue::from_str(&format!("h3={value}")).unwrap(),
    );
    headers
}

/// A login here: the `Set-Cookie` value and the session's id.
fn login(config: &SessionConfig, subject: &str) -> (String, String) {
    let context = SessionContext::from_headers(config, &HeaderMap::new());
    let mut session: JsonSession = Session::load(&context);
    session.start_new_login().unwrap();
    session.set_subject(subject).unwrap();
    session.insert("user".into(), subject.into());
    session.save().unwrap();
    let line = context.take_set_cookies().remove(0);
    let value = line.strip_prefix("h3=").unwrap().split(';').next().unwrap();
    (value.to_owned(), session.id().unwrap().as_str().to_owned())
}

#[test]
fn new_h3_sessions_have_uuid_ids_and_no_version_suffix() {
    // A subject needs revocation (without it, `set_subject` is an error).
    let config = builder()
        .revocation(Revocation::in_memory())
        .build()
        .unwrap();
    let (seal, id) = login(&config, "alice");
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4", "{id}");
    assert!(
        seal.starts_with("Fe26.2*1*") && !seal.contains('~'),
        "{seal}"
    );
    let session: JsonSession = config.load(&with_cookie(&seal));
    assert_eq!(session.id().unwrap().as_str(), id);
    assert_eq!(session.metadata().unwrap().subject(), Some("alice"));
}

/// `regenerate()` of a session that came in (a change of privilege) gives a new id of h3's form
/// and keeps `createdAt`; a new login gives a new UUID and a new `createdAt`.
#[test]
fn regenerated_and_new_login_ids_are_uuids_too() {
    let is_uuid_v4 =
        |id: &str| id.len() == 36 && &id[14..15] == "4" && id.matches('-').count() == 4;
    let revocation = Revocation::in_memory();
    let at = |ms| {
        let builder = builder().revocation(revocation.clone());
        builder.clock(move || ms).build().unwrap()
    };
    let (seal, first_id) = login(&at(1_700_000_000_000), "alice");
    let mut session: JsonSession = at(1_700_000_060_000).load(&with_cookie(&seal));
    let created = session.metadata().unwrap().created_at_ms();
    session.regenerate().unwrap();
    let regenerated = session.id().unwrap().as_str().to_owned();
    assert!(
        is_uuid_v4(&regenerated) && regenerated != first_id,
        "{regenerated}"
    );
    assert_eq!(session.metadata().unwrap().created_at_ms(), created);
    session.start_new_login().unwrap();
    let new_login = session.id().unwrap().as_str().to_owned();
    assert!(
        is_uuid_v4(&new_login) && new_login != regenerated,
        "{new_login}"
    );
    assert_eq!(
        session.metadata().unwrap().created_at_ms(),
        1_700_000_060_000
    );
}

#[tokio::test]
async fn revocation_works_on_h3s_id_and_the_subject_kept_in_is() {
    let revocation = Revocation::in_memory();
    // Sessions created before the revocations (whose clock is the system's).
    let config = builder()
        .revocation(revocation.clone())
        .clock(|| 1_700_000_000_000)
        .build()
        .unwrap();
    let (alice, alice_id) = login(&config, "alice");
    let (bob, _) = login(&config, "bob");
    let (carol, _) = login(&config, "carol");
    revocation.revoke_session(&alice_id).await.unwrap();
    revocation.revoke_subject("bob").await.unwrap();
    for (seal, revoked) in [(&alice, true), (&bob, true), (&carol, false)] {
        let session: JsonSession = config.load(&with_cookie(seal));
        let reason = session.unseal_error().map(|error| error.reason());
        assert_eq!(reason, revoked.then_some(UnsealReason::Revoked), "{seal}");
    }
}

#[test]
fn seals_without_expiration_from_an_h3_app_without_max_age_are_refused_unless_accepted() {
    let object = br#"{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","createdAt":1,"data":{"a":1}}"#;
    // What h3 writes without maxAge: no password id, no expiration, no suffix.
    let seal = iron_seal::seal(
        object,
        &PasswordId::NONE,
        &Password::from(PASSWORD),
        &Options::default(),
    )
    .unwrap();
    let plain = SessionConfig::builder("h3", Passwords::single(PASSWORD).unwrap())
        .h3(H3Sessions::v1())
        .build()
        .unwrap();
    let session: JsonSession = plain.load(&with_cookie(&seal));
    assert_eq!(
        session.unseal_error().unwrap().reason(),
        UnsealReason::Invalid
    );
    let accepting = plain
        .to_builder()
        .dangerous_accept_seals_without_expiration(true)
        .build()
        .unwrap();
    let session: JsonSession = accepting.load(&with_cookie(&seal));
    assert_eq!(session["a"], 1);
    assert_eq!(
        session.id().unwrap().as_str(),
        "0f8fad5b-d9cb-469f-a165-70867728950e"
    );
}
