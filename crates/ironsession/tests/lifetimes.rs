//! Session metadata, lifetimes and rotation through the plain-`http` API, request by request,
//! with an injected clock. (The same rules over HTTP, through both adapters, are in the
//! acceptance suite.)

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cookie::Cookie;
use http::HeaderMap;
use http::header::COOKIE;
use ironsession::revocation::Revocation;
use ironsession::{
    JsonSession, MetadataError, Passwords, Session, SessionConfig, SessionConfigBuilder, Ttl,
    UnsealReason, unseal_data_at,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

const PASSWORD: &str = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";
const T0: u64 = 1_700_000_000_000;
const SECOND: u64 = 1000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;
/// Iron's clock-skew allowance.
const SKEW: u64 = MINUTE;

/// A typed session with a flattened map for fields other apps wrote, as the demo has.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct User {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(flatten)]
    other: Map<String, Value>,
}

/// A server's configuration and its clock.
struct Server {
    config: SessionConfig,
    now: Arc<AtomicU64>,
}

impl Server {
    fn new(change: impl FnOnce(SessionConfigBuilder) -> SessionConfigBuilder) -> Self {
        let now = Arc::new(AtomicU64::new(T0));
        let clock = now.clone();
        let builder = SessionConfig::builder("s", Passwords::single(PASSWORD).unwrap())
            .clock(move || clock.load(Ordering::SeqCst));
        Server {
            config: change(builder).build().unwrap(),
            now,
        }
    }

    fn set_time(&self, now: u64) {
        self.now.store(now, Ordering::SeqCst);
    }

    /// Runs one request carrying `cookie` through `handler`; returns the `Set-Cookie` lines.
    fn request<T, R>(
        &self,
        cookie: Option<&str>,
        handler: impl FnOnce(&mut Session<T>) -> R,
    ) -> (R, Vec<String>)
    where
        T: Serialize + serde::de::DeserializeOwned + Default,
    {
        let mut headers = HeaderMap::new();
        if let Some(cookie) = cookie {
            headers.insert(COOKIE, format!("s={cookie}").parse().unwrap());
        }
        let mut session: Session<T> = self.config.load(&headers);
        let result = handler(&mut session);
        (result, session.take_set_cookies())
    }

    /// The sealed JSON of a cookie, unsealed now.
    fn json(&self, cookie: &str) -> Value {
        unseal_data_at(
            cookie,
            self.config.passwords(),
            self.now.load(Ordering::SeqCst),
        )
        .unwrap()
    }
}

/// The seal in a `Set-Cookie` line of the cookie `s`.
fn seal(line: &str) -> &str {
    let cookie = Cookie::parse(line).unwrap();
    assert_eq!(cookie.name(), "s", "{line}");
    cookie.value_raw().unwrap()
}

fn max_age(line: &str) -> u64 {
    let seconds = Cookie::parse(line)
        .unwrap()
        .max_age()
        .unwrap()
        .whole_seconds();
    u64::try_from(seconds).unwrap()
}

/// Field 5 of a seal: its expiration in ms.
fn expiration(seal: &str) -> u64 {
    seal.split('*').nth(5).unwrap().parse().unwrap()
}

fn login(server: &Server) -> String {
    let (_, lines) = server.request(None, |session: &mut Session<User>| {
        session.name = Some("alice".into());
        session.start_new_login().unwrap();
        session.save().unwrap();
    });
    assert_eq!(lines.len(), 1);
    seal(&lines[0]).to_owned()
}

// ---------------------------------------------------------------------------------------------
// Metadata

#[test]
fn without_lifetime_options_cookies_hold_only_the_users_data() {
    let server = Server::new(|b| b);
    let (id, lines) = server.request(None, |session: &mut Session<User>| {
        session.name = Some("alice".into());
        session.save().unwrap();
        session.id()
    });
    assert_eq!(id, None);
    assert_eq!(server.json(seal(&lines[0])), json!({"name": "alice"}));
}

#[test]
fn session_ids_adds_the_key_and_a_typed_save_keeps_it() {
    let server = Server::new(|b| b.session_ids(true));
    let (id, lines) = server.request(None, |session: &mut Session<User>| {
        session.name = Some("alice".into());
        session.save().unwrap();
        session.id().unwrap()
    });
    let first = seal(&lines[0]).to_owned();
    let sealed = server.json(&first);
    assert_eq!(sealed["_is"]["sid"], id.as_str());
    assert_eq!(sealed["_is"]["iat"], T0);
    assert_eq!(sealed["_is"]["rat"], T0);
    assert_eq!(id.as_str().len(), 22);

    server.set_time(T0 + HOUR);
    let ((data, metadata), lines) = server.request(Some(&first), |session: &mut Session<User>| {
        session.name = Some("bob".into());
        session.save().unwrap();
        (
            std::mem::take(session.data_mut()),
            session.metadata().unwrap(),
        )
    });
    // The flattened map did not capture the key.
    assert_eq!(data.other, Map::new());
    assert_eq!(metadata.id(), &id);
    assert_eq!(metadata.created_at_ms(), T0);
    let sealed = server.json(seal(&lines[0]));
    assert_eq!(
        sealed,
        json!({"name": "bob", "_is": {"sid": id.as_str(), "iat": T0, "rat": T0 + HOUR}})
    );
}

#[test]
fn a_server_without_the_options_keeps_the_key_it_read() {
    let with_ids = Server::new(|b| b.session_ids(true));
    let cookie = login(&with_ids);
    let sid = with_ids.json(&cookie)["_is"]["sid"].clone();

    let plain = Server::new(|b| b);
    let (_, lines) = plain.request(Some(&cookie), |session: &mut JsonSession| {
        assert!(!session.contains_key("_is"));
        session.insert("visits".into(), 1.into());
        session.save().unwrap();
    });
    let sealed = plain.json(seal(&lines[0]));
    assert_eq!(sealed["_is"]["sid"], sid);
    assert_eq!(sealed["visits"], 1);
}

#[test]
fn start_new_login_gives_a_new_id_and_creation_time() {
    let server = Server::new(|b| b.session_ids(true));
    let cookie = login(&server);
    let before = server.json(&cookie)["_is"].clone();

    server.set_time(T0 + HOUR);
    let (after, lines) = server.request(Some(&cookie), |session: &mut Session<User>| {
        session.start_new_login().unwrap();
        session.metadata().unwrap()
    });
    assert_ne!(after.id().as_str(), before["sid"]);
    assert_eq!(after.created_at_ms(), T0 + HOUR);
    // Not saved, yet the new id goes out: the cookie must match what the server says.
    assert_eq!(lines.len(), 1);
    let sealed = server.json(seal(&lines[0]));
    assert_eq!(sealed["_is"]["sid"], after.id().as_str());
    assert_eq!(sealed["_is"]["iat"], T0 + HOUR);
    assert_eq!(sealed["name"], "alice");
}

#[test]
fn regenerate_gives_a_new_id_and_keeps_the_creation_time_and_subject() {
    let server = Server::new(|b| b.revocation(Revocation::in_memory()));
    let (_, lines) = server.request(None, |session: &mut Session<User>| {
        session.name = Some("alice".into());
        session.start_new_login().unwrap();
        session.set_subject("alice").unwrap();
        session.save().unwrap();
    });
    let cookie = seal(&lines[0]).to_owned();
    let before = server.json(&cookie)["_is"].clone();

    server.set_time(T0 + HOUR);
    let (after, lines) = server.request(Some(&cookie), |session: &mut Session<User>| {
        session.regenerate().unwrap();
        session.metadata().unwrap()
    });
    assert_ne!(after.id().as_str(), before["sid"]);
    assert_eq!(after.created_at_ms(), T0);
    assert_eq!(after.subject(), Some("alice"));
    assert_eq!(lines.len(), 1);
    let sealed = server.json(seal(&lines[0]));
    assert_eq!(sealed["_is"]["sid"], after.id().as_str());
    assert_eq!(sealed["_is"]["iat"], T0);
    assert_eq!(sealed["_is"]["sub"], "alice");
    assert_eq!(sealed["name"], "alice");
}

#[test]
fn destroy_drops_the_metadata_and_sends_only_the_deletion() {
    let server = Server::new(|b| b.session_ids(true));
    let cookie = login(&server);
    let (id, lines) = server.request(Some(&cookie), |session: &mut Session<User>| {
        session.regenerate().unwrap();
        session.destroy();
        session.id()
    });
    assert_eq!(id, None);
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with("s=; Max-Age=0;"), "{}", lines[0]);
}

#[test]
fn malformed_metadata_from_a_peer_is_an_invalid_session() {
    let server = Server::new(|b| b);
    server.set_time(ironsession::iron_seal::system_now_ms());
    // The second id has a stray bit in its last character: the same 16 bytes as `...ODw`, spelled
    // another way, which the revocation store could not name.
    for sid in ["not an id", "AAECAwQFBgcICQoLDA0ODx"] {
        let cookie = ironsession::seal_data(
            &json!({"name": "x", "_is": {"sid": sid, "iat": 1}}),
            server.config.passwords(),
            Ttl::DEFAULT,
        )
        .unwrap();
        let ((reason, data), lines) =
            server.request(Some(&cookie), |session: &mut Session<User>| {
                (
                    session.unseal_error().map(|e| e.reason()),
                    std::mem::take(session.data_mut()),
                )
            });
        assert_eq!(reason, Some(UnsealReason::Invalid), "{sid}");
        assert_eq!(data, User::default());
        assert!(lines.is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// Absolute lifetime

fn absolute_server() -> Server {
    Server::new(|b| {
        b.ttl(Ttl::seconds(3600))
            .absolute_lifetime(Duration::from_secs(8 * 3600))
            // Other servers of the fleet seal for 30 days; without this the session's own ttl
            // limit would refuse their seals before the absolute lifetime is looked at.
            .max_ttl(Ttl::seconds(30 * 24 * 3600))
    })
}

#[test]
fn the_absolute_lifetime_refuses_a_session_at_the_deadline_plus_the_skew() {
    let server = absolute_server();
    let deadline = T0 + 8 * HOUR;
    // A seal that would live long past the deadline, with the creation time of a login at T0 (as
    // another server of a fleet with a longer ttl would write it).
    let cookie = ironsession::seal_data_at(
        &json!({"name": "alice", "_is": {"sid": "AAECAwQFBgcICQoLDA0ODw", "iat": T0}}),
        server.config.passwords(),
        Ttl::seconds(30 * 24 * 3600),
        T0,
        ironsession::iron_seal::OsRandom,
    )
    .unwrap();
    let read_at = |now| {
        server.set_time(now);
        server
            .request(Some(&cookie), |session: &mut Session<User>| {
                (
                    session.unseal_error().map(|e| e.reason()),
                    session.name.clone(),
                )
            })
            .0
    };
    let alive = (None, Some("alice".to_owned()));
    assert_eq!(read_at(deadline - 1), alive);
    assert_eq!(read_at(deadline), alive);
    assert_eq!(read_at(deadline + SKEW - 1), alive);
    assert_eq!(
        read_at(deadline + SKEW),
        (Some(UnsealReason::Expired), None)
    );
    assert_eq!(
        read_at(deadline + SKEW + 1),
        (Some(UnsealReason::Expired), None)
    );
}

#[test]
fn saves_near_the_deadline_cap_the_seal_and_max_age() {
    let server = absolute_server();
    let cookie = login(&server);
    let deadline = T0 + 8 * HOUR;
    assert_eq!(expiration(&cookie), T0 + HOUR);

    // A busy client saves every half hour; the ttl (1 hour) would outlive the deadline.
    let mut cookie = cookie;
    let mut now = T0;
    while now + 30 * MINUTE < deadline {
        now += 30 * MINUTE;
        server.set_time(now);
        let (_, lines) = server.request(Some(&cookie), |session: &mut Session<User>| {
            assert!(session.unseal_error().is_none());
            session.save().unwrap();
        });
        cookie = seal(&lines[0]).to_owned();
        let left = deadline - now;
        assert_eq!(expiration(&cookie), now + left.min(HOUR));
        assert_eq!(max_age(&lines[0]), (left / 1000).min(3540));
    }
    // Past the deadline (and the skew) the busy client is logged out.
    server.set_time(deadline + SKEW);
    let (reason, lines) = server.request(Some(&cookie), |session: &mut Session<User>| {
        session.unseal_error().map(|e| e.reason())
    });
    assert_eq!(reason, Some(UnsealReason::Expired));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("s=; Max-Age=0;"),
        "the dead cookie is deleted: {lines:?}"
    );
}

/// A handler that regenerates on a privilege change (no new login) keeps the login's deadline; a
/// new login starts a new one.
#[test]
fn regenerating_never_extends_the_absolute_lifetime() {
    let server = absolute_server();
    let deadline = T0 + 8 * HOUR;
    let mut cookie = login(&server);
    // Every half hour the handler regenerates and saves, up to the deadline.
    let mut now = T0;
    while now + 30 * MINUTE < deadline {
        now += 30 * MINUTE;
        server.set_time(now);
        let (expires_at, lines) = server.request(Some(&cookie), |session: &mut Session<User>| {
            assert!(session.unseal_error().is_none());
            session.regenerate().unwrap();
            session.save().unwrap();
            session.expires_at_ms()
        });
        assert_eq!(expires_at, Some((now + HOUR).min(deadline)));
        cookie = seal(&lines[0]).to_owned();
        assert_eq!(server.json(&cookie)["_is"]["iat"], T0);
        assert_eq!(max_age(&lines[0]), ((deadline - now) / 1000).min(3540));
    }
    server.set_time(deadline + SKEW);
    let (reason, _) = server.request(Some(&cookie), |session: &mut Session<User>| {
        session.unseal_error().map(|e| e.reason())
    });
    assert_eq!(reason, Some(UnsealReason::Expired));

    // A new login just before the deadline starts a new lifetime.
    server.set_time(deadline - MINUTE);
    let (_, lines) = server.request(Some(&cookie), |session: &mut Session<User>| {
        assert!(session.unseal_error().is_none());
        session.start_new_login().unwrap();
        session.save().unwrap();
    });
    let cookie = seal(&lines[0]).to_owned();
    assert_eq!(server.json(&cookie)["_is"]["iat"], deadline - MINUTE);
    server.set_time(deadline + SKEW);
    let (reason, _) = server.request(Some(&cookie), |session: &mut Session<User>| {
        session.unseal_error().map(|e| e.reason())
    });
    assert_eq!(reason, None);
}

/// A cookie sealed without metadata (by a Node app that does not add it, or before the option
/// was on), at `T0`.
fn sealed_without_metadata() -> String {
    let plain = Server::new(|b| b.ttl(Ttl::seconds(3600)));
    let (_, lines) = plain.request(None, |session: &mut Session<User>| {
        session.name = Some("alice".into());
        session.save().unwrap();
    });
    seal(&lines[0]).to_owned()
}

#[test]
fn a_session_without_metadata_is_refused_where_the_absolute_lifetime_needs_it() {
    // Its clock would start anew at every read: the absolute lifetime would never end it.
    let old = sealed_without_metadata();
    let server = absolute_server();
    server.set_time(T0 + 10 * MINUTE);
    let (error, lines) = server.request(Some(&old), |session: &mut Session<User>| {
        assert_eq!(session.name, None);
        session.unseal_error().cloned()
    });
    let error = error.expect("refused");
    assert_eq!(error.reason(), UnsealReason::MissingMetadata);
    assert_eq!(error.reason().as_str(), "missing-metadata");
    assert_eq!(error.metadata_error(), Some(MetadataError::Missing));
    // Not over: another server (the Node app) still reads it, so it is not deleted.
    assert!(lines.is_empty(), "{lines:?}");
}

#[test]
fn with_the_switch_a_session_without_metadata_starts_its_clock_when_first_read() {
    let old = sealed_without_metadata();
    let server = Server::new(|b| {
        b.ttl(Ttl::seconds(3600))
            .absolute_lifetime(Duration::from_secs(8 * 3600))
            .dangerous_accept_sessions_without_metadata(true)
    });
    server.set_time(T0 + 10 * MINUTE);
    let (_, lines) = server.request(Some(&old), |session: &mut Session<User>| {
        assert_eq!(session.unseal_error(), None);
        assert_eq!(session.name.as_deref(), Some("alice"));
    });
    // Read only, yet the response carries the session with its metadata.
    assert_eq!(lines.len(), 1);
    let sealed = server.json(seal(&lines[0]));
    assert_eq!(sealed["_is"]["iat"], T0 + 10 * MINUTE);
    assert_eq!(sealed["name"], "alice");
    // What the switch leaves open: the old cookie's clock starts again at every read.
    server.set_time(T0 + 50 * MINUTE);
    let (iat, _) = server.request(Some(&old), |session: &mut Session<User>| {
        session.metadata().unwrap().created_at_ms()
    });
    assert_eq!(iat, T0 + 50 * MINUTE);
}

/// A cookie whose metadata a writer with the password set: `iat` and `rat` as given.
fn sealed_with_times(server: &Server, iat: u64, rat: Option<u64>) -> String {
    let mut metadata = json!({"sid": "AAECAwQFBgcICQoLDA0ODw", "iat": iat});
    if let Some(rat) = rat {
        metadata["rat"] = rat.into();
    }
    let data = json!({"name": "mallory", "_is": metadata});
    let now = server.now.load(Ordering::SeqCst);
    ironsession::seal_data_at(
        &data,
        server.config.passwords(),
        Ttl::seconds(3600),
        now,
        ironsession::iron_seal::ThreadRandom,
    )
    .unwrap()
}

#[test]
fn metadata_times_later_than_now_plus_the_skew_are_refused() {
    // With a 1-hour absolute lifetime, an `iat` ten years ahead would keep the session alive for
    // ten years, and past every "log out everywhere" made before then.
    let server = Server::new(|b| b.absolute_lifetime(Duration::from_secs(3600)));
    server.set_time(T0);
    let ten_years = 10 * 365 * 24 * HOUR;
    let read = |iat, rat| {
        let cookie = sealed_with_times(&server, iat, rat);
        let (outcome, lines) = server.request(Some(&cookie), |session: &mut Session<User>| {
            (session.name.clone(), session.unseal_error().cloned())
        });
        assert!(
            outcome.1.is_none() || lines.is_empty(),
            "a refused cookie is kept"
        );
        outcome
    };
    for (iat, rat) in [
        (T0 + ten_years, None),
        (T0 + SKEW + 1, None),
        (T0, Some(T0 + SKEW + 1)),
        (T0 - HOUR / 2, Some(T0 + ten_years)),
    ] {
        let (name, error) = read(iat, rat);
        assert_eq!(name, None, "iat {iat}, rat {rat:?}");
        let error = error.expect("refused");
        assert_eq!(error.reason(), UnsealReason::Invalid, "{error}");
        let expected = if iat > T0 + SKEW {
            MetadataError::CreatedInTheFuture {
                iat_ms: iat,
                latest_ms: T0 + SKEW,
            }
        } else {
            MetadataError::SealedInTheFuture {
                rat_ms: rat.unwrap(),
                latest_ms: T0 + SKEW,
            }
        };
        assert_eq!(error.metadata_error(), Some(expected));
    }
    // Up to the skew ahead: a server whose clock runs a little fast.
    for (iat, rat) in [
        (T0 + SKEW, None),
        (T0, Some(T0 + SKEW)),
        (T0 - HOUR / 2, None),
    ] {
        assert_eq!(read(iat, rat), (Some("mallory".into()), None), "iat {iat}");
    }
    // Without any lifetime option the metadata is still checked: it is carried on.
    let plain = Server::new(|b| b);
    let cookie = sealed_with_times(&plain, T0 + ten_years, None);
    let (reason, _) = plain.request(Some(&cookie), |session: &mut Session<User>| {
        session.unseal_error().map(|e| e.reason())
    });
    assert_eq!(reason, Some(UnsealReason::Invalid));
}

// ---------------------------------------------------------------------------------------------
// Rolling renewal

fn renewing_server() -> Server {
    Server::new(|b| {
        b.ttl(Ttl::seconds(3600))
            .renew_after(Duration::from_secs(600))
    })
}

fn read_only(server: &Server, cookie: &str) -> Vec<String> {
    server
        .request(Some(cookie), |session: &mut Session<User>| {
            assert!(
                session.unseal_error().is_none(),
                "{:?}",
                session.unseal_error()
            );
        })
        .1
}

#[test]
fn a_read_renews_only_from_renew_after_on() {
    let server = renewing_server();
    let cookie = login(&server);
    server.set_time(T0 + 10 * MINUTE - 1);
    assert!(read_only(&server, &cookie).is_empty());
    server.set_time(T0 + 10 * MINUTE);
    let lines = read_only(&server, &cookie);
    assert_eq!(lines.len(), 1);
    let renewed = seal(&lines[0]);
    assert_eq!(expiration(renewed), T0 + 10 * MINUTE + HOUR);
    assert_eq!(max_age(&lines[0]), 3540);
    let sealed = server.json(renewed);
    assert_eq!(sealed["name"], "alice");
    assert_eq!(sealed["_is"]["iat"], T0);
    assert_eq!(sealed["_is"]["rat"], T0 + 10 * MINUTE);
    assert_eq!(sealed["_is"]["sid"], server.json(&cookie)["_is"]["sid"]);
}

#[test]
fn renewal_keeps_a_session_alive_past_its_ttl_only_while_it_is_used() {
    let server = renewing_server();
    let mut cookie = login(&server);
    for step in 1..=12 {
        server.set_time(T0 + step * 15 * MINUTE);
        let lines = read_only(&server, &cookie);
        assert_eq!(lines.len(), 1, "step {step}");
        cookie = seal(&lines[0]).to_owned();
    }
    // Three hours later the session is alive; an hour (plus the skew) of silence ends it.
    server.set_time(T0 + 3 * HOUR + HOUR + SKEW);
    let (reason, _) = server.request(Some(&cookie), |session: &mut Session<User>| {
        session.unseal_error().map(|e| e.reason())
    });
    assert_eq!(reason, Some(UnsealReason::Expired));
}

#[test]
fn no_renewal_after_destroy_for_an_empty_session_or_after_a_save() {
    let server = renewing_server();
    let cookie = login(&server);
    server.set_time(T0 + HOUR / 2);

    let (_, lines) = server.request(Some(&cookie), |session: &mut Session<User>| {
        session.destroy()
    });
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with("s=; Max-Age=0"));

    let (_, lines) = server.request(Some(&cookie), |session: &mut Session<User>| {
        session.name = Some("bob".into());
        session.save().unwrap();
    });
    assert_eq!(lines.len(), 1);
    assert_eq!(server.json(seal(&lines[0]))["name"], "bob");

    let (_, lines) = server.request(None, |session: &mut Session<User>| {
        session.save().unwrap();
    });
    let empty = seal(&lines[0]).to_owned();
    server.set_time(T0 + HOUR);
    assert!(read_only(&server, &empty).is_empty());
}

#[test]
fn renewal_uses_the_configuration_the_handler_left() {
    let server = renewing_server();
    let cookie = login(&server);
    server.set_time(T0 + 30 * MINUTE);
    let (_, lines) = server.request(Some(&cookie), |session: &mut Session<User>| {
        session
            .update_config(|c| c.ttl(Ttl::seconds(7200)))
            .unwrap();
    });
    assert_eq!(expiration(seal(&lines[0])), T0 + 30 * MINUTE + 2 * HOUR);
    assert_eq!(max_age(&lines[0]), 7140);
}

#[test]
fn renewal_is_capped_by_the_absolute_lifetime() {
    let server = Server::new(|b| {
        b.ttl(Ttl::seconds(3600))
            .renew_after(Duration::from_secs(600))
            .absolute_lifetime(Duration::from_secs(90 * 60))
    });
    let cookie = login(&server);
    server.set_time(T0 + 50 * MINUTE);
    let (_, lines) = server.request(Some(&cookie), |_: &mut Session<User>| {});
    assert_eq!(expiration(seal(&lines[0])), T0 + 90 * MINUTE);
    assert_eq!(max_age(&lines[0]), 40 * 60);
}
