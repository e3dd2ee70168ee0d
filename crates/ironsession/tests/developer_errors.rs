//! Failures a developer can see (issue 18, item 1) and refused cross-site writes (issue 15, 6.4),
//! through the plain `http` API: calls that cannot do what they say return a typed error instead
//! of succeeding. (The adapters' answers, the 500 bodies and the 403 of a refused cross-site
//! write, are in the acceptance suite; the warning about a change not saved in `logging.rs`.)

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use http::HeaderMap;
use ironsession::revocation::{InMemory, Revocation, RevocationError};
use ironsession::{
    JsonSession, Passwords, SaveError, Session, SessionConfig, SessionConfigBuilder,
    SessionContext, UnsealReason,
};

const PASSWORD: &str = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";
const T0: u64 = 1_700_000_000_000;
const DELETION: &str = "s=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax";

fn builder(now: &Arc<AtomicU64>) -> SessionConfigBuilder {
    let now = now.clone();
    SessionConfig::builder("s", Passwords::single(PASSWORD).unwrap())
        .clock(move || now.load(Ordering::SeqCst))
}

fn headers(cookie: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(cookie) = cookie {
        headers.insert("cookie", cookie.parse().unwrap());
    }
    headers
}

/// Logs `user` in (a new login, the subject set when revocation is on) and returns the `Cookie`
/// header of the saved session.
fn log_in(config: &SessionConfig, user: &str) -> String {
    let mut session: JsonSession = config.load(&HeaderMap::new());
    session.insert("user".into(), user.into());
    session.start_new_login().unwrap();
    if config.revocation().is_some() {
        session.set_subject(user).unwrap();
    }
    session.save().unwrap();
    let line = session.take_set_cookies().remove(0);
    line.split(';').next().unwrap().to_owned()
}

#[test]
fn without_revocation_set_subject_is_an_error_and_sets_nothing() {
    let now = Arc::new(AtomicU64::new(T0));
    let config = builder(&now).session_ids(true).build().unwrap();
    let mut session: JsonSession = config.load(&HeaderMap::new());
    let error = session.set_subject("alice").unwrap_err();
    assert!(
        matches!(error, SaveError::RevocationNotConfigured),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("revocation is not configured"),
        "{error}"
    );
    assert_eq!(session.subject(), None);
    // Nothing changed, so nothing goes out.
    assert!(session.take_set_cookies().is_empty());
}

#[tokio::test]
async fn without_revocation_revoke_and_destroy_deletes_the_cookie_and_says_nothing_was_revoked() {
    let now = Arc::new(AtomicU64::new(T0));
    let config = builder(&now).build().unwrap();
    let cookie = log_in(&config, "alice");
    let mut session: JsonSession = config.load(&headers(Some(&cookie)));
    assert_eq!(session["user"], "alice");
    let error = session.revoke_and_destroy().await.unwrap_err();
    assert!(matches!(error, RevocationError::NotConfigured), "{error:?}");
    assert!(session.is_empty());
    assert_eq!(session.take_set_cookies(), [DELETION]);
    // Nothing was revoked: a copy of the cookie still opens, as the error said.
    let copy: JsonSession = config.load(&headers(Some(&cookie)));
    assert_eq!(copy["user"], "alice");
}

#[tokio::test]
async fn without_revocation_revoke_subject_and_destroy_deletes_the_cookie_and_says_so() {
    let now = Arc::new(AtomicU64::new(T0));
    let config = builder(&now).build().unwrap();
    let cookie = log_in(&config, "alice");
    let mut session: JsonSession = config.load(&headers(Some(&cookie)));
    let error = session.revoke_subject_and_destroy().await.unwrap_err();
    assert!(matches!(error, RevocationError::NotConfigured), "{error:?}");
    assert_eq!(session.take_set_cookies(), [DELETION]);
}

#[tokio::test]
async fn revoke_subject_and_destroy_refuses_every_earlier_session_of_the_subject() {
    let now = Arc::new(AtomicU64::new(T0));
    let clock = now.clone();
    let revocation =
        Revocation::builder(InMemory::with_clock(move || clock.load(Ordering::SeqCst))).build();
    let config = builder(&now).revocation(revocation).build().unwrap();
    let laptop = log_in(&config, "alice");
    let phone = log_in(&config, "alice");
    let bob = log_in(&config, "bob");
    now.store(T0 + 2_000, Ordering::SeqCst);

    let mut session: JsonSession = config.load(&headers(Some(&laptop)));
    session.revoke_subject_and_destroy().await.unwrap();
    assert_eq!(session.take_set_cookies(), [DELETION]);
    let reason = |cookie: &str| {
        let session: JsonSession = config.load(&headers(Some(cookie)));
        session.unseal_error().map(|error| error.reason())
    };
    assert_eq!(reason(&laptop), Some(UnsealReason::Revoked));
    assert_eq!(reason(&phone), Some(UnsealReason::Revoked));
    assert_eq!(reason(&bob), None);

    // A session without a subject (not logged in) has nothing else to revoke: it says so, and
    // its cookie is deleted all the same.
    let mut session: JsonSession = config.load(&HeaderMap::new());
    session.insert("theme".into(), "dark".into());
    session.save().unwrap();
    let line = session.take_set_cookies().remove(0);
    let anonymous = line.split(';').next().unwrap();
    let mut session: JsonSession = config.load(&headers(Some(anonymous)));
    let error = session.revoke_subject_and_destroy().await.unwrap_err();
    assert!(matches!(error, RevocationError::NoSubject), "{error:?}");
    assert_eq!(session.take_set_cookies(), [DELETION]);
    // A subject set in this request, on a request that carried no session, revokes nothing: only
    // a session a cookie carried can be logged out everywhere.
    let mut session: JsonSession = config.load(&HeaderMap::new());
    session.set_subject("bob").unwrap();
    let error = session.revoke_subject_and_destroy().await.unwrap_err();
    assert!(matches!(error, RevocationError::NoSubject), "{error:?}");
    assert_eq!(reason(&bob), None);
}

/// A request as a browser on `origin` sends it to `app.example`, with `Sec-Fetch-Site`.
fn browser_request(method: &str, fetch_site: &str, cookie: Option<&str>) -> http::Request<()> {
    let mut request = http::Request::builder()
        .method(method)
        .uri("/logout")
        .header("host", "app.example")
        .header("sec-fetch-site", fetch_site);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.body(()).unwrap()
}

/// A forced logout from another site (`SameSite=None` cookies come along on it): with
/// `refuse_cross_site_writes` nothing is revoked, destroyed or deleted, and the error says why.
#[tokio::test]
async fn a_refused_cross_site_logout_revokes_and_deletes_nothing() {
    let now = Arc::new(AtomicU64::new(T0));
    let config = builder(&now)
        .revocation(Revocation::in_memory())
        .refuse_cross_site_writes(true)
        .build()
        .unwrap();
    let cookie = log_in(&config, "alice");
    let forced = browser_request("POST", "cross-site", Some(&cookie));
    for logout in 0..3 {
        let context = SessionContext::from_request(&config, &forced);
        let mut session: JsonSession = Session::load(&context);
        let outcome = match logout {
            0 => session.revoke_and_destroy().await,
            1 => session.revoke_subject_and_destroy().await,
            _ => {
                session.destroy();
                Ok(())
            }
        };
        assert!(
            logout == 2 || matches!(outcome, Err(RevocationError::CrossSite)),
            "{outcome:?}"
        );
        assert_eq!(session["user"], "alice", "the session stays as it was");
        drop(session);
        assert!(matches!(
            context.take_write_error(),
            Some(SaveError::CrossSite)
        ));
        assert!(context.take_set_cookies().is_empty());
    }
    let after: JsonSession = config.load(&headers(Some(&cookie)));
    assert_eq!(
        (after.unseal_error(), &after["user"]),
        (None, &"alice".into())
    );
    // The same logout from the app's own page goes through.
    let own = browser_request("POST", "same-origin", Some(&cookie));
    let mut session: JsonSession = Session::load(&SessionContext::from_request(&config, &own));
    session.revoke_and_destroy().await.unwrap();
    assert_eq!(session.take_set_cookies(), [DELETION]);
}

/// A cross-site write that only reads the session gets no cookie either: no renewal, no
/// re-seal with new metadata.
#[test]
fn a_refused_cross_site_request_gets_no_renewal() {
    let now = Arc::new(AtomicU64::new(T0));
    let config = builder(&now)
        .renew_after(std::time::Duration::from_secs(60))
        .refuse_cross_site_writes(true)
        .build()
        .unwrap();
    let cookie = log_in(&config, "alice");
    now.store(T0 + 120_000, Ordering::SeqCst);
    let renewed = |fetch_site| {
        let request = browser_request("POST", fetch_site, Some(&cookie));
        let context = SessionContext::from_request(&config, &request);
        let session: JsonSession = Session::load(&context);
        assert_eq!(session["user"], "alice");
        session.take_set_cookies().len()
    };
    assert_eq!(renewed("same-origin"), 1);
    assert_eq!(renewed("cross-site"), 0);
}
