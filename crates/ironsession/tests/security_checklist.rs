//! Checklist items of SECURITY.md that need a test of their own: tampering with any bit, MACs of
//! every length, the exact 4096-byte cookie limit, what `destroy` does without revocation, and
//! fresh randomness in the seals and ids sessions make.

use http::HeaderMap;
use ironsession::{
    JsonSession, Oversize, SaveError, SealError, SessionConfig, UnsealReason, unseal_data_at,
};
use serde_json::{Value, json};

#[path = "support/tampering.rs"]
mod tampering;

use tampering::{NOW, config, load_bytes, passwords, seal};

/// Checklist 1: every bit of every field of the seal (all eight, the separators included),
/// flipped one at a time in the `Cookie` header, gives an empty session and the reason
/// `invalid`, except a flipped password id that names no configured password, which is
/// `unknown-password` as in iron-session 9. Nothing ever opens.
#[test]
fn every_single_bit_flip_of_every_field_is_refused() {
    let config = config();
    let seal = seal();
    let bare_len = seal.find('~').unwrap();
    assert_eq!(
        load_bytes(&config, seal.as_bytes()).get("userId"),
        Some(&json!(1))
    );
    let id_position = "Fe26.2*".len();
    let mut refused = 0;
    for index in 0..bare_len {
        for bit in 0..8 {
            let mut bytes = seal.clone().into_bytes();
            bytes[index] ^= 1 << bit;
            let session = load_bytes(&config, &bytes);
            assert!(session.is_empty(), "flip {index}/{bit} opened: {session:?}");
            let reason = session
                .unseal_error()
                .map_or(UnsealReason::Invalid, |error| error.reason());
            if index == id_position && reason == UnsealReason::UnknownPassword {
                continue;
            }
            assert_eq!(
                reason,
                UnsealReason::Invalid,
                "flip {index}/{bit}: {:?}",
                session.unseal_error()
            );
            refused += 1;
        }
    }
    assert!(refused >= (bare_len - 1) * 8, "{refused}");
}

/// Checklist 2: a MAC cut to any length (0 to 42 of its 43 characters, i.e. 0 to 31 whole bytes
/// and everything between), or one character longer, is `invalid`.
#[test]
fn truncated_macs_of_every_length_are_invalid() {
    let passwords = passwords();
    let seal = seal();
    let (bare, suffix) = seal.split_at(seal.find('~').unwrap());
    let mac_start = bare.rfind('*').unwrap() + 1;
    let mac = &bare[mac_start..];
    assert_eq!(mac.len(), 43);
    for length in 0..mac.len() {
        let cut = format!("{}{}{suffix}", &bare[..mac_start], &mac[..length]);
        let error = unseal_data_at::<Value>(&cut, &passwords, NOW).unwrap_err();
        assert_eq!(error.reason(), UnsealReason::Invalid, "{length}: {error}");
    }
    for extra in ["A", "AA", "AAAA"] {
        let longer = format!("{bare}{extra}{suffix}");
        let error = unseal_data_at::<Value>(&longer, &passwords, NOW).unwrap_err();
        assert_eq!(error.reason(), UnsealReason::Invalid, "+{extra}: {error}");
    }
}

/// Checklist 17: the whole `Set-Cookie` line may be exactly 4096 bytes; at 4097 `save` refuses
/// it (without chunking) and queues nothing.
#[test]
fn a_set_cookie_line_of_4096_bytes_is_sent_and_4097_is_refused() {
    let line_for = |name: &str| {
        let config = SessionConfig::builder(name, passwords()).build().unwrap();
        let mut session: JsonSession = config.load(&HeaderMap::new());
        session.insert("data".into(), "x".repeat(2800).into());
        session.save().map(|()| session.take_set_cookies())
    };
    // The seal's length depends only on the data's, so the name sets the line's length exactly.
    let probe = line_for("s").unwrap().remove(0);
    let padding = 4096 - probe.len();
    let exact = line_for(&format!("s{}", "x".repeat(padding))).unwrap();
    assert_eq!(exact.len(), 1);
    assert_eq!(exact[0].len(), 4096);
    match line_for(&format!("s{}", "x".repeat(padding + 1))) {
        Err(SaveError::TooLarge {
            size,
            limit,
            oversize,
        }) => {
            assert_eq!((size, limit, oversize), (4097, 4096, Oversize::OneCookie));
        }
        other => panic!("a 4097-byte line was not refused: {other:?}"),
    }
}

/// Checklist 13: sessions are stateless. `destroy` deletes the cookie from the browser, but a copy
/// taken before still opens until it expires, unless a revocation store is configured (see
/// `ironsession::revocation` and its tests). This is the documented behaviour, tested so.
#[test]
fn a_destroyed_cookie_still_opens_without_revocation() {
    let config = config();
    let stolen = seal();
    let mut session = load_bytes(&config, stolen.as_bytes());
    assert_eq!(session.get("userId"), Some(&json!(1)));
    session.destroy();
    let lines = session.take_set_cookies();
    assert!(lines[0].starts_with("sess=; Max-Age=0;"), "{lines:?}");
    // The copy still works on the next request.
    let replayed = load_bytes(&config, stolen.as_bytes());
    assert_eq!(replayed.get("userId"), Some(&json!(1)));
    // Until it expires (ttl + 60 s of clock skew).
    let later = SessionConfig::builder("sess", passwords())
        .clock(|| NOW + 3_600_000 + 60_000)
        .build()
        .unwrap();
    let expired = load_bytes(&later, stolen.as_bytes());
    assert!(expired.is_empty());
    assert_eq!(
        expired.unseal_error().unwrap().reason(),
        UnsealReason::Expired
    );
    assert!(matches!(
        expired.unseal_error().unwrap().cause(),
        Some(SealError::Expired { .. })
    ));
}

/// Sessions saved as an application saves them (their seals and session ids draw from
/// `ThreadRandom`, a ChaCha20 generator per thread keyed from the OS), on several threads at once:
/// each seal and its session id.
fn save_on_threads(config: &SessionConfig) -> Vec<(String, String)> {
    const THREADS: usize = 4;
    const PER_THREAD: usize = 50;
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(|| {
                    (0..PER_THREAD)
                        .map(|_| {
                            let mut session: JsonSession = config.load(&HeaderMap::new());
                            session.insert("userId".into(), 1.into());
                            session.save().unwrap();
                            let id = session.id().expect("session ids are on");
                            let line = session.take_set_cookies().remove(0);
                            let seal = line["sess=".len()..line.find(';').unwrap()].to_owned();
                            (seal, id.as_str().to_owned())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap())
            .collect()
    })
}

/// A seal's encryption salt, IV and integrity salt.
fn salts_and_iv(seal: &str) -> (&str, &str, &str) {
    let fields: Vec<&str> = seal.split('~').next().unwrap().split('*').collect();
    (fields[2], fields[3], fields[6])
}

/// Checklist 22: with per-seal salts (seal-key reuse off), sessions saved on several threads at
/// once never share a salt, an IV or a session id.
#[test]
fn saved_sessions_never_share_salts_ivs_or_ids_across_threads() {
    let config = SessionConfig::builder("sess", passwords())
        .session_ids(true)
        .seal_key_reuse(false)
        .build()
        .unwrap();
    let saved = save_on_threads(&config);
    let mut salts = std::collections::HashSet::new();
    let mut ivs = std::collections::HashSet::new();
    let mut ids = std::collections::HashSet::new();
    for (seal, id) in &saved {
        let (encryption_salt, iv, hmac_salt) = salts_and_iv(seal);
        assert!(salts.insert(encryption_salt), "repeated encryption salt");
        assert!(salts.insert(hmac_salt), "repeated hmac salt");
        assert!(ivs.insert(iv), "repeated iv");
        assert!(ids.insert(id.as_str()), "repeated session id");
    }
    let count = saved.len();
    assert_eq!(
        (salts.len(), ivs.len(), ids.len()),
        (2 * count, count, count)
    );
}

/// Checklist 22 and 28: with seal-key reuse on (the default), seals of one window share their
/// salts, and still never an IV or a session id.
#[test]
fn saved_sessions_with_seal_key_reuse_never_share_ivs_or_ids_across_threads() {
    let config = SessionConfig::builder("sess", passwords())
        .session_ids(true)
        .build()
        .unwrap();
    let saved = save_on_threads(&config);
    let mut ivs = std::collections::HashSet::new();
    let mut ids = std::collections::HashSet::new();
    for (seal, id) in &saved {
        assert!(ivs.insert(salts_and_iv(seal).1), "repeated iv");
        assert!(ids.insert(id.as_str()), "repeated session id");
    }
    assert_eq!((ivs.len(), ids.len()), (saved.len(), saved.len()));
}
