//! The acceptance cases of session lifetimes and password rotation: rolling renewal, the absolute
//! cap, the upgrade of old seals on the way out, and staged passwords.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ironsession::{KeyStage, Passwords, Ttl, unseal_data_at};
use serde_json::Value;

use super::apps::Start;
use super::{
    ALICE, DELETION, NEW_PASSWORD, PASSWORD, T0, assert_seal, builder, config_at, get, post,
};

const MINUTE: u64 = 60_000;
const HOUR: u64 = 60 * MINUTE;

/// The JSON sealed in `seal`, unsealed with `passwords` at `now`.
fn sealed_json(seal: &str, passwords: &Passwords, now: u64) -> Value {
    unseal_data_at(seal, passwords, now).unwrap()
}

/// Field 5 of a seal: its expiration in ms.
fn expiration(seal: &str) -> u64 {
    seal.split('*').nth(5).unwrap().parse().unwrap()
}

pub(super) async fn renewal_sends_a_cookie_on_a_read_only_past_renew_after(start: Start) {
    let now = Arc::new(AtomicU64::new(T0));
    let server = start(Some(
        config_at(&now)
            .ttl(Ttl::seconds(3600))
            .renew_after(Duration::from_secs(600))
            .build()
            .unwrap(),
    ));
    let login = post(&server, "/login", None, "alice").await;
    let seal = login.only_cookie().0.to_owned();

    now.store(T0 + 10 * MINUTE - 1, Ordering::SeqCst);
    let early = get(&server, "/session", Some(&seal)).await;
    assert_eq!((early.status, early.body.as_str()), (200, ALICE));
    assert!(early.set_cookies.is_empty(), "{early:?}");

    now.store(T0 + 10 * MINUTE, Ordering::SeqCst);
    let due = get(&server, "/session", Some(&seal)).await;
    assert_eq!((due.status, due.body.as_str()), (200, ALICE));
    let (renewed, attributes) = due.only_cookie();
    assert_seal(renewed, 1);
    assert_eq!(
        attributes,
        "; Max-Age=3540; Path=/; HttpOnly; Secure; SameSite=Lax"
    );
    assert_eq!(expiration(renewed), T0 + 10 * MINUTE + HOUR);
    let passwords = Passwords::single(PASSWORD).unwrap();
    let before = sealed_json(&seal, &passwords, T0);
    let after = sealed_json(renewed, &passwords, T0 + 10 * MINUTE);
    assert_eq!(after["username"], "alice");
    assert_eq!(after["_is"]["sid"], before["_is"]["sid"]);
    assert_eq!(after["_is"]["iat"], T0);
    assert_eq!(after["_is"]["rat"], T0 + 10 * MINUTE);

    // A request without a session gets nothing, renewal or not.
    let empty = get(&server, "/session", None).await;
    assert!(empty.set_cookies.is_empty(), "{empty:?}");
    // Logging out of a due session sends only the deletion.
    let logout = post(&server, "/logout", Some(&seal), "").await;
    assert_eq!(logout.set_cookies.len(), 1);
    assert!(logout.set_cookies[0].starts_with("sess=; Max-Age=0"));
}

pub(super) async fn the_absolute_cap_holds_while_the_client_keeps_the_session_busy(start: Start) {
    let now = Arc::new(AtomicU64::new(T0));
    let server = start(Some(
        config_at(&now)
            .ttl(Ttl::seconds(3600))
            .renew_after(Duration::from_secs(300))
            .absolute_lifetime(Duration::from_secs(2 * 3600))
            .build()
            .unwrap(),
    ));
    let deadline = T0 + 2 * HOUR;
    let mut seal = post(&server, "/login", None, "alice")
        .await
        .only_cookie()
        .0
        .to_owned();
    // A request every 10 minutes, alternately saving and only reading: each answer carries a
    // cookie, never one that outlives the deadline.
    let mut at = T0;
    while at + 10 * MINUTE < deadline {
        at += 10 * MINUTE;
        now.store(at, Ordering::SeqCst);
        let answer = if at.is_multiple_of(20 * MINUTE) {
            post(&server, "/visit", Some(&seal), "").await
        } else {
            get(&server, "/session", Some(&seal)).await
        };
        assert_eq!(answer.status, 200);
        assert!(answer.body.contains("alice"), "{answer:?}");
        let (value, attributes) = answer.only_cookie();
        let left = deadline - at;
        assert_eq!(expiration(value), at + left.min(HOUR));
        let max_age = (left / 1000).min(3540);
        assert!(
            attributes.starts_with(&format!("; Max-Age={max_age};")),
            "{attributes}"
        );
        seal = value.to_owned();
    }
    // Past the deadline and the skew the busy client is out, however fresh its seal.
    now.store(deadline + MINUTE, Ordering::SeqCst);
    let out = get(&server, "/reason", Some(&seal)).await;
    assert_eq!(out.body, "expired");
    let out = get(&server, "/session", Some(&seal)).await;
    assert_eq!(out.body, "{}");
    assert_eq!(out.set_cookies, [DELETION], "the dead cookie is deleted");
}

pub(super) async fn a_new_password_upgrades_clients_and_the_old_one_can_then_go(start: Start) {
    let old = start(Some(
        builder(Passwords::from_pairs([(1, PASSWORD)]).unwrap())
            .build()
            .unwrap(),
    ));
    let seal = post(&old, "/login", None, "alice")
        .await
        .only_cookie()
        .0
        .to_owned();
    assert_seal(&seal, 1);

    // Restart with {1: old, 2: new}: the client's next request, a read, upgrades it.
    let both = start(Some(
        builder(Passwords::from_pairs([(1, PASSWORD), (2, NEW_PASSWORD)]).unwrap())
            .build()
            .unwrap(),
    ));
    let next = get(&both, "/session", Some(&seal)).await;
    assert_eq!((next.status, next.body.as_str()), (200, ALICE));
    let upgraded = next.only_cookie().0.to_owned();
    assert_seal(&upgraded, 2);
    // Already on id 2: nothing more to send.
    let again = get(&both, "/session", Some(&upgraded)).await;
    assert!(again.set_cookies.is_empty(), "{again:?}");

    // Restart with {2: new} only: the upgraded client is still logged in, a client that did not
    // come back is not.
    let new_only = start(Some(
        builder(Passwords::from_pairs([(2, NEW_PASSWORD)]).unwrap())
            .build()
            .unwrap(),
    ));
    let kept = get(&new_only, "/session", Some(&upgraded)).await;
    assert_eq!(kept.body, ALICE);
    let dropped = get(&new_only, "/reason", Some(&seal)).await;
    assert_eq!(dropped.body, "unknown-password");
}

pub(super) async fn a_staged_password_is_not_used_before_its_time(start: Start) {
    let now = Arc::new(AtomicU64::new(T0));
    let staged = Passwords::from_pairs([(1, PASSWORD), (2, NEW_PASSWORD)])
        .unwrap()
        .with_stage(2, KeyStage::new().not_before_ms(T0 + HOUR))
        .unwrap();
    let server = start(Some(config_at(&now).passwords(staged).build().unwrap()));
    let seal = post(&server, "/login", None, "alice")
        .await
        .only_cookie()
        .0
        .to_owned();
    assert_seal(&seal, 1);

    now.store(T0 + HOUR - 1, Ordering::SeqCst);
    let before = get(&server, "/session", Some(&seal)).await;
    assert_eq!(before.body, ALICE);
    assert!(before.set_cookies.is_empty(), "{before:?}");
    let saved = post(&server, "/visit", Some(&seal), "").await;
    assert_seal(saved.only_cookie().0, 1);
    // A seal of id 2 from a server that switched early is read already.
    let early = ironsession::seal_data_at(
        &serde_json::json!({"username": "bob"}),
        &Passwords::from_pairs([(2, NEW_PASSWORD)]).unwrap(),
        Ttl::DEFAULT,
        T0 + HOUR - 1,
        ironsession::iron_seal::OsRandom,
    )
    .unwrap();
    let from_ahead = get(&server, "/session", Some(&early)).await;
    assert_eq!(from_ahead.body, r#"{"username":"bob"}"#);
    assert!(from_ahead.set_cookies.is_empty());

    now.store(T0 + HOUR, Ordering::SeqCst);
    let from_then = get(&server, "/session", Some(&seal)).await;
    assert_eq!(from_then.body, ALICE);
    assert_seal(from_then.only_cookie().0, 2);
}
