//! Split points, reading, stale cookies and the input bound. Expected sizes are derived by hand
//! from the attribute string iron-session writes for the default options, not from this code.

use http::HeaderMap;
use serde_json::{Value, json};

use super::*;
use crate::{Passwords, SaveError, Session, SessionConfig, SessionContext, UnsealReason};

fn chunk_name(name: &str, index: usize) -> String {
    format!("{name}.{index}")
}

/// Each suffix is `.` and its index, one digit, as iron-session names chunks.
#[test]
fn chunk_suffixes_are_a_dot_and_the_index() {
    for (index, suffix) in CHUNK_SUFFIXES.iter().enumerate() {
        assert_eq!(*suffix, format!(".{index}"));
        assert_eq!(suffix.len(), CHUNK_SUFFIX_LEN);
    }
}

const PASSWORD: &str = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";
/// What iron-session 9 writes after the value with its default options (ttl 14 days).
const ATTRIBUTES: &str = "; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax";
const DELETION_ATTRIBUTES: &str = "; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax";
/// The longest value of a one-cookie line `s=<value><ATTRIBUTES>`.
const WHOLE_VALUE_MAX: usize = 4096 - "s=".len() - ATTRIBUTES.len();
/// The characters each chunk `s.N=<chunk><ATTRIBUTES>` holds.
const BUDGET: usize = 4096 - "s.0=".len() - ATTRIBUTES.len();

fn config(chunking: bool) -> SessionConfig {
    SessionConfig::builder("s", Passwords::single(PASSWORD).unwrap())
        .chunking(chunking)
        .build()
        .unwrap()
}

/// [`super::save`], with each line's cookie name beside it. Every call also checks that
/// [`save_sealing`], writing the same seal into the line (with its exact length, and with a length
/// a little off either way), makes the same lines or the same error.
fn save(
    config: &SessionConfig,
    seal: &str,
    carried: &Carried,
) -> Result<Vec<(String, String)>, SaveError> {
    let cookie = config.cookie();
    let saved = super::save(&cookie, seal, carried).map_err(SaveError::from);
    for seal_len in [seal.len(), seal.len() + 10, seal.len().saturating_sub(10)] {
        let written = save_sealing::<SaveError>(
            &cookie,
            seal_len,
            |line| {
                line.push_str(seal);
                Ok(())
            },
            carried,
        );
        match (&saved, &written) {
            (Ok(saved), Ok(written)) => assert_eq!(saved, written),
            (saved, written) => assert_eq!(format!("{saved:?}"), format!("{written:?}")),
        }
        if let Ok([line]) = written.as_deref()
            && seal_len == seal.len()
        {
            assert_eq!(line.len(), line.capacity(), "allocated at its exact length");
        }
    }
    saved.map(|lines| {
        lines
            .into_iter()
            .map(|line| (line_name(&line).to_owned(), line))
            .collect()
    })
}

/// What a request with this `Cookie` header carries.
fn carried(config: &SessionConfig, cookie_header: &str) -> (Option<String>, Carried) {
    let (seal, carried) = read(&config.cookie(), [cookie_header.as_bytes()]);
    assert!(check_carried(&carried).is_ok(), "{cookie_header}");
    (seal, carried)
}

fn nothing(config: &SessionConfig) -> Carried {
    carried(config, "").1
}

/// `(name, value, attributes)` of each line.
fn parse(cookies: &[(String, String)]) -> Vec<(String, String, String)> {
    cookies
        .iter()
        .map(|(name, line)| {
            let (pair, attributes) = line.split_at(line.find(';').unwrap());
            let (line_name, value) = pair.split_once('=').unwrap();
            assert_eq!(line_name, name);
            (name.clone(), value.to_owned(), attributes.to_owned())
        })
        .collect()
}

/// The names and value lengths of the cookies, and that every line has the same attributes:
/// `ATTRIBUTES` for stored values, `DELETION_ATTRIBUTES` for empty ones.
fn shape(cookies: &[(String, String)]) -> Vec<(String, usize)> {
    parse(cookies)
        .into_iter()
        .map(|(name, value, attributes)| {
            let expected = if value.is_empty() {
                DELETION_ATTRIBUTES
            } else {
                ATTRIBUTES
            };
            assert_eq!(attributes, expected, "{name}");
            (name, value.len())
        })
        .collect()
}

fn named(shape: &[(&str, usize)]) -> Vec<(String, usize)> {
    shape.iter().map(|(n, l)| ((*n).to_owned(), *l)).collect()
}

/// A stand-in seal of `length` characters: `save` treats the seal as an opaque ASCII string.
fn seal_of(length: usize) -> String {
    (0..length)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect()
}

#[test]
fn a_seal_that_cannot_be_made_queues_nothing() {
    let config = config(true);
    let failed = save_sealing(
        &config.cookie(),
        100,
        |_| Err(SaveError::Seal(SealError::Random)),
        &nothing(&config),
    );
    assert!(matches!(failed, Err(SaveError::Seal(SealError::Random))));
}

#[test]
fn a_4096_byte_line_is_one_cookie_and_4097_bytes_are_two_chunks() {
    let config = config(true);
    let cookies = save(&config, &seal_of(WHOLE_VALUE_MAX), &nothing(&config)).unwrap();
    assert_eq!(shape(&cookies), named(&[("s", WHOLE_VALUE_MAX)]));
    assert_eq!(cookies[0].1.len(), 4096);

    let seal = seal_of(WHOLE_VALUE_MAX + 1);
    let cookies = save(&config, &seal, &nothing(&config)).unwrap();
    // `s.0=` is two bytes longer than `s=`, so the second chunk holds three characters.
    assert_eq!(
        shape(&cookies),
        named(&[("s.0", BUDGET), ("s.1", WHOLE_VALUE_MAX + 1 - BUDGET)])
    );
    assert_eq!(WHOLE_VALUE_MAX + 1 - BUDGET, 3);
    assert_eq!(cookies[0].1.len(), 4096);
    let joined: String = parse(&cookies).into_iter().map(|(_, v, _)| v).collect();
    assert_eq!(joined, seal);
}

#[test]
fn without_chunking_4097_bytes_is_too_large_with_its_size() {
    let config = config(false);
    assert!(save(&config, &seal_of(WHOLE_VALUE_MAX), &nothing(&config)).is_ok());
    let error = save(&config, &seal_of(WHOLE_VALUE_MAX + 1), &nothing(&config)).unwrap_err();
    assert!(
        matches!(
            error,
            SaveError::TooLarge {
                size: 4097,
                limit: 4096,
                oversize: Oversize::OneCookie
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("turn on chunking"), "{error}");
}

#[test]
fn two_three_four_chunks_and_five_is_an_error_that_says_how_many() {
    let config = config(true);
    for (length, chunks) in [
        (2 * BUDGET, 2),
        (2 * BUDGET + 1, 3),
        (3 * BUDGET, 3),
        (3 * BUDGET + 1, 4),
        (4 * BUDGET, 4),
    ] {
        let cookies = save(&config, &seal_of(length), &nothing(&config)).unwrap();
        let names: Vec<String> = (0..chunks).map(|i| format!("s.{i}")).collect();
        let shape = shape(&cookies);
        assert_eq!(
            shape.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
            names
        );
        assert_eq!(shape.iter().map(|(_, l)| l).sum::<usize>(), length);
        assert!(shape[..chunks - 1].iter().all(|(_, l)| *l == BUDGET));
        assert!(cookies.iter().all(|(_, line)| line.len() <= 4096));
    }
    let error = save(&config, &seal_of(4 * BUDGET + 1), &nothing(&config)).unwrap_err();
    assert!(
        matches!(
            error,
            SaveError::TooLarge {
                oversize: Oversize::TooManyChunks { needed: 5 },
                ..
            }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("needs 5 cookies") && message.contains("store an id"),
        "{message}"
    );
}

#[test]
fn the_budget_counts_bytes_of_the_attributes_actually_written() {
    // A Domain and a longer path shrink every chunk by exactly their bytes.
    let config = SessionConfig::builder("s", Passwords::single(PASSWORD).unwrap())
        .chunking(true)
        .domain("example.com")
        .path("/app")
        .build()
        .unwrap();
    let extra = "; Domain=example.com".len() + "/app".len() - "/".len();
    assert_eq!(chunk_budget(&config.cookie()), BUDGET - extra);
    // Attributes are ASCII: a path or domain with other characters is refused, as the npm
    // `cookie` package refuses them, so byte counts never differ from JavaScript's UTF-8 counts.
    for builder in [
        SessionConfig::builder("s", Passwords::single(PASSWORD).unwrap()).path("/café"),
        SessionConfig::builder("s", Passwords::single(PASSWORD).unwrap()).domain("exämple.com"),
    ] {
        assert!(builder.chunking(true).build().is_err());
    }
}

#[test]
fn a_name_and_attributes_that_fill_a_cookie_are_refused_with_chunking_only() {
    let name = "n".repeat(4096);
    let builder = SessionConfig::builder(name.as_str(), Passwords::single(PASSWORD).unwrap());
    assert!(builder.clone().build().is_ok());
    let overhead = 4096 + ".0=".len() + ATTRIBUTES.len();
    assert_eq!(
        builder.chunking(true).build().unwrap_err(),
        crate::ConfigError::NoRoomForChunks { overhead }
    );
}

#[test]
fn reading_takes_the_whole_cookie_else_chunks_up_to_the_first_gap() {
    let config = config(false);
    let cases = [
        ("s=whole", Some("whole")),
        ("s.0=a; s.1=b; s.2=c; s.3=d", Some("abcd")),
        // Order in the header does not matter, names do.
        ("s.1=b; s.0=a", Some("ab")),
        ("s.0=a; s.2=c", Some("a")),
        ("s.1=b; s.2=c", None),
        // Never past four chunks, and only the exact names.
        ("s.0=a; s.1=b; s.2=c; s.3=d; s.4=e", Some("abcd")),
        ("s.0=a; s.01=b; s.1x=c", Some("a")),
        // An empty value is no cookie.
        ("s=; s.0=a", Some("a")),
        ("s.0=a; s=", Some("a")),
        ("s=w; s.0=", Some("w")),
        ("s.0=; s.1=b", None),
        // The first of two equal names wins, as in the npm `cookie` package.
        ("s.0=a; s.0=z; s.1=b", Some("ab")),
        ("s=first; s=second", Some("first")),
        ("t.0=a; s0=b; S.0=c", None),
    ];
    for (header, seal) in cases {
        assert_eq!(carried(&config, header).0.as_deref(), seal, "{header}");
    }
}

/// A request with both the whole cookie and a chunk (cookie tossing: a whole cookie planted in
/// front of, or behind, a chunked session) reads neither, whatever the order, even when the
/// chunks alone would not join into a seal.
#[test]
fn the_whole_cookie_beside_any_chunk_is_ambiguous_in_either_order() {
    let config = config(false);
    for header in [
        "s.0=victim; s.1=victim; s=attacker",
        "s=attacker; s.0=victim; s.1=victim",
        "s.0=victim; s=attacker; s.1=victim",
        "s=attacker; s.3=stray",
        "s.1=stray; s=attacker",
    ] {
        let (seal, carried) = read(&config.cookie(), [header.as_bytes()]);
        assert_eq!(seal, None, "{header}");
        assert_eq!(
            check_carried(&carried),
            Err(UnsealError::ambiguous()),
            "{header}"
        );
        assert!(carried.whole, "{header}");
    }
    // Across two `Cookie` headers too.
    let (seal, carried) = read(&config.cookie(), [&b"s.0=victim"[..], b"s=attacker"]);
    assert_eq!(seal, None);
    assert_eq!(check_carried(&carried), Err(UnsealError::ambiguous()));
    let (_, carried) = read(&config.cookie(), [b"s.3=d; s.1=; s=w; s.0=a".as_slice()]);
    let error = check_carried(&carried).unwrap_err();
    assert_eq!(error.reason(), UnsealReason::Ambiguous);
    assert_eq!(carried.chunks, [true, false, false, true]);
}

/// A context over a request with this `Cookie` header.
fn context(config: &SessionConfig, cookie_header: &str) -> SessionContext {
    let mut headers = HeaderMap::new();
    if !cookie_header.is_empty() {
        headers.insert(http::header::COOKIE, cookie_header.parse().unwrap());
    }
    SessionContext::from_headers(config, &headers)
}

/// The `Cookie` header a browser would send after storing these lines.
fn cookie_header(lines: &[String]) -> String {
    lines
        .iter()
        .filter(|line| !line.contains("; Max-Age=0;"))
        .map(|line| line.split(';').next().unwrap())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Saves `data` in a request carrying `cookie_header`; returns the `Set-Cookie` lines.
fn save_session(config: &SessionConfig, cookie_header: &str, data: Value) -> Vec<String> {
    let context = context(config, cookie_header);
    let mut session: Session<Value> = Session::load(&context);
    *session = data;
    session.save().unwrap();
    context.take_set_cookies()
}

fn load(config: &SessionConfig, cookie_header: &str) -> Session<Value> {
    Session::load(&context(config, cookie_header))
}

/// Session data whose seal takes `chunks` cookies.
fn data_in_chunks(config: &SessionConfig, chunks: usize) -> Value {
    // Each 100 characters of JSON add about 135 of seal.
    let mut length = 0;
    loop {
        let data = json!({"notes": "n".repeat(length)});
        let lines = save_session(config, "", data.clone());
        let count = if lines.len() == 1 && lines[0].starts_with("s=") {
            1
        } else {
            lines.len()
        };
        if count == chunks {
            return data;
        }
        assert!(count < chunks, "no data takes exactly {chunks} cookies");
        length += 100;
    }
}

fn names(lines: &[String]) -> Vec<&str> {
    lines
        .iter()
        .map(|line| line.split('=').next().unwrap())
        .collect()
}

fn expired(lines: &[String]) -> Vec<&str> {
    lines
        .iter()
        .filter(|line| line.contains("=; Max-Age=0;"))
        .map(|line| line.split('=').next().unwrap())
        .collect()
}

#[test]
fn a_chunked_session_round_trips_and_damage_to_any_chunk_is_invalid() {
    let config = config(true);
    let data = data_in_chunks(&config, 3);
    let lines = save_session(&config, "", data.clone());
    assert_eq!(names(&lines), ["s.0", "s.1", "s.2"]);
    let header = cookie_header(&lines);
    let session = load(&config, &header);
    assert_eq!((&*session, session.unseal_error()), (&data, None));

    let pairs: Vec<&str> = header.split("; ").collect();
    let value = |pair: &str| pair.split_once('=').unwrap().1.to_owned();
    let other = cookie_header(&save_session(&config, "", data.clone()));
    let other_pairs: Vec<&str> = other.split("; ").collect();
    let damaged = [
        ("a gap", format!("{}; {}", pairs[0], pairs[2])),
        ("a lost last chunk", format!("{}; {}", pairs[0], pairs[1])),
        (
            "chunks 0 and 1 swapped",
            format!(
                "s.0={}; s.1={}; {}",
                value(pairs[1]),
                value(pairs[0]),
                pairs[2]
            ),
        ),
        (
            "chunk 1 of another session with the same data",
            format!("{}; {}; {}", pairs[0], other_pairs[1], pairs[2]),
        ),
    ];
    for (case, header) in damaged {
        let session = load(&config, &header);
        assert_eq!(*session, Value::Null, "{case}");
        let reason = session.unseal_error().map(UnsealError::reason);
        assert_eq!(reason, Some(UnsealReason::Invalid), "{case}");
    }
    // A whole cookie beside chunks is neither read, valid or not, before or after them: a tossed
    // whole cookie never replaces a chunked session, nor chunks a whole one.
    let whole = cookie_header(&save_session(&config, "", json!({"small": true})));
    for (case, header) in [
        (
            "garbage whole cookie before valid chunks",
            format!("s=garbage; {header}"),
        ),
        (
            "valid whole cookie after valid chunks",
            format!("{header}; {whole}"),
        ),
        (
            "valid whole cookie before junk chunks",
            format!("{whole}; s.0=junk; s.1=junk"),
        ),
    ] {
        let session = load(&config, &header);
        assert_eq!(*session, Value::Null, "{case}");
        let reason = session.unseal_error().map(UnsealError::reason);
        assert_eq!(reason, Some(UnsealReason::Ambiguous), "{case}");
        // Nothing is deleted: the cookies may not be this configuration's to delete.
        assert!(session.take_set_cookies().is_empty(), "{case}");
    }
}

#[test]
fn shrinking_from_three_chunks_to_two_to_one_cookie_expires_what_is_left() {
    let config = config(true);
    let three = save_session(&config, "", data_in_chunks(&config, 3));
    let header = cookie_header(&three);

    let two = save_session(&config, &header, data_in_chunks(&config, 2));
    assert_eq!(names(&two), ["s.0", "s.1", "s.2"]);
    assert_eq!(expired(&two), ["s.2"]);
    // The browser now holds s.0 and s.1 (s.2 expired), and reads the new session.
    let header = cookie_header(&two);
    assert_eq!(*load(&config, &header), data_in_chunks(&config, 2));

    let one = save_session(&config, &header, json!({"small": true}));
    assert_eq!(names(&one), ["s", "s.0", "s.1"]);
    assert_eq!(expired(&one), ["s.0", "s.1"]);
    let header = cookie_header(&one);
    assert!(!header.contains("s.0") && !header.contains("s.1"));
    assert_eq!(*load(&config, &header), json!({"small": true}));

    // And back up: chunks again, and the whole cookie the request carried is expired.
    let grown = save_session(&config, &header, data_in_chunks(&config, 2));
    assert_eq!(names(&grown), ["s.0", "s.1", "s"]);
    assert_eq!(expired(&grown), ["s"]);

    // An ordinary save of a request without chunks sends one line, not four deletions.
    assert_eq!(names(&save_session(&config, &header, json!({}))), ["s"]);
}

#[test]
fn destroy_expires_the_whole_cookie_and_every_chunk_the_request_carried() {
    let config = config(true);
    let context = context(&config, "s.0=a; s.1=b; s.3=d; other=1");
    let mut session: Session<Value> = Session::load(&context);
    session.destroy();
    let lines = context.take_set_cookies();
    assert_eq!(names(&lines), ["s", "s.0", "s.1", "s.3"]);
    for line in &lines {
        assert!(line.ends_with(DELETION_ATTRIBUTES), "{line}");
    }
    let context = self::context(&config, "");
    let mut session: Session<Value> = Session::load(&context);
    session.destroy();
    assert_eq!(names(&context.take_set_cookies()), ["s"]);
}

#[test]
fn saving_twice_or_destroying_after_a_save_leaves_no_chunk_of_the_first_save() {
    let config = config(true);
    let big = data_in_chunks(&config, 3);
    let context = context(&config, "");
    let mut session: Session<Value> = Session::load(&context);
    *session = big;
    session.save().unwrap();
    *session = json!({"small": true});
    session.save().unwrap();
    assert_eq!(names(&context.take_set_cookies()), ["s"]);

    *session = data_in_chunks(&config, 2);
    session.save().unwrap();
    session.destroy();
    assert_eq!(names(&context.take_set_cookies()), ["s"]);
}

#[test]
fn too_large_without_chunking_names_the_mixed_configuration_when_the_request_was_chunked() {
    let chunked = config(true);
    let data = data_in_chunks(&chunked, 2);
    let header = cookie_header(&save_session(&chunked, "", data.clone()));
    let plain = config(false);
    let context = context(&plain, &header);
    let session: Session<Value> = Session::load(&context);
    // Read whatever the option says.
    assert_eq!(*session, data);
    let error = session.save().unwrap_err();
    assert!(
        matches!(
            error,
            SaveError::TooLarge {
                oversize: Oversize::ChunkingOffButRequestChunked,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("only some"), "{error}");
    // Nothing queued: what the browser holds stays as it was.
    assert!(context.take_set_cookies().is_empty());
}

#[test]
fn a_renamed_session_does_not_expire_the_chunks_of_the_old_name() {
    let config = config(true);
    let context = context(&config, "s.0=a; s.1=b");
    let mut session: Session<Value> = Session::load(&context);
    session.update_config(|c| c.cookie_name("t")).unwrap();
    *session = json!({"small": true});
    session.save().unwrap();
    assert_eq!(names(&context.take_set_cookies()), ["t"]);
}

/// The reason a value of `length` characters in these cookies was refused, if it was refused
/// before any crypto.
fn refused_before_crypto(header: &str) -> Option<usize> {
    let session = load(&config(false), header);
    let error = session
        .unseal_error()
        .unwrap_or_else(|| panic!("{header:.40} was accepted"));
    match error.cause() {
        Some(SealError::TooLong { max, .. }) => Some(*max),
        _ => None,
    }
}

#[test]
fn values_longer_than_any_writer_of_the_name_can_produce_are_refused_before_crypto() {
    // One cookie: 4096 − "s=". Chunks: 4 × (4096 − "s.0=").
    let whole_max = 4096 - 2;
    let joined_max = 4 * (4096 - 4);
    let whole = |length: usize| format!("s={}", "x".repeat(length));
    assert_eq!(refused_before_crypto(&whole(whole_max)), None);
    assert_eq!(
        refused_before_crypto(&whole(whole_max + 1)),
        Some(whole_max)
    );
    let chunks = |length: usize| {
        let quarter = length.div_ceil(4);
        (0..4)
            .map(|i| {
                let part = quarter.min(length - (i * quarter).min(length));
                format!("s.{i}={}", "x".repeat(part))
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    assert_eq!(refused_before_crypto(&chunks(joined_max)), None);
    assert_eq!(
        refused_before_crypto(&chunks(joined_max + 1)),
        Some(joined_max)
    );
    // The refusal reads as iron-session's reason `invalid`.
    let session = load(&config(false), &whole(100 * 1024));
    let reason = session.unseal_error().map(UnsealError::reason);
    assert_eq!(reason, Some(UnsealReason::Invalid));
    // The bound holds every seal this configuration writes.
    let config = config(true);
    let lines = save_session(&config, "", data_in_chunks(&config, 4));
    let session = load(&config, &cookie_header(&lines));
    assert_eq!(session.unseal_error(), None);
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    fn any_config() -> impl Strategy<Value = SessionConfig> {
        (
            "[a-zA-Z0-9_-]{1,40}",
            any::<bool>(),
            proptest::option::of("[a-z]{1,20}\\.(com|org)"),
            "(/[a-z0-9]{0,30}){1,3}",
            any::<bool>(),
        )
            .prop_map(|(name, chunking, domain, path, insecure)| {
                let mut builder =
                    SessionConfig::builder(name, Passwords::single(PASSWORD).unwrap())
                        .chunking(chunking)
                        .path(path);
                if let Some(domain) = domain {
                    builder = builder.domain(domain);
                }
                if insecure {
                    builder = builder.dangerous_insecure_cookie(true);
                }
                builder.build().unwrap()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever the name, attributes, seal length and cookies carried: every line fits 4096
        /// bytes, the written values join back to the seal (and pass the input bound), only
        /// carried cookies are expired, and a refusal happens only when nothing else fits.
        #[test]
        fn saves_fit_rejoin_and_expire_only_what_was_carried(
            config in any_config(),
            length in 0usize..20_000,
            carried_whole in any::<bool>(),
            carried_chunks in any::<[bool; MAX_CHUNKS]>(),
        ) {
            let name = config.cookie_name().to_owned();
            let mut header: Vec<String> = Vec::new();
            if carried_whole {
                header.push(format!("{name}=w"));
            }
            for (index, _) in carried_chunks.iter().enumerate().filter(|(_, c)| **c) {
                header.push(format!("{name}.{index}=c"));
            }
            let (_, carried) = read(&config.cookie(), [header.join("; ").as_bytes()]);
            // The browser's jar: what the request carried, which the response then changes.
            let mut jar: Vec<(String, String)> = header
                .iter()
                .map(|pair| {
                    let (n, v) = pair.split_once('=').unwrap();
                    (n.to_owned(), v.to_owned())
                })
                .collect();
            let seal = seal_of(length);
            let whole_line = config.cookie().set_cookie_line(&name, &seal).len();
            match save(&config, &seal, &carried) {
                Ok(cookies) => {
                    let (written, expired): (Vec<_>, Vec<_>) =
                        cookies.iter().partition(|(_, line)| !line.contains("=; Max-Age=0;"));
                    prop_assert!(cookies.iter().all(|(_, line)| line.len() <= 4096));
                    let values: Vec<&str> = written
                        .iter()
                        .map(|(n, line)| &line[n.len() + 1..line.find(';').unwrap()])
                        .collect();
                    prop_assert_eq!(values.concat(), seal.clone());
                    let names: Vec<&str> = written.iter().map(|(n, _)| n.as_str()).collect();
                    let chunked = whole_line > 4096;
                    prop_assert!(!chunked || config.chunking());
                    if chunked {
                        let expected: Vec<String> =
                            (0..names.len()).map(|i| chunk_name(&name, i)).collect();
                        prop_assert_eq!(names, expected);
                    } else {
                        prop_assert_eq!(names, vec![name.as_str()]);
                    }
                    for (expired, _) in &expired {
                        let slot = slot(&name, expired).unwrap();
                        let was_carried = if slot == 0 { carried_whole } else { carried_chunks[slot - 1] };
                        prop_assert!(was_carried, "{} expired but not carried", expired);
                        prop_assert!(!written.iter().any(|(n, _)| n == expired));
                    }
                    // The browser's next request (its jar after this response: expired cookies
                    // gone, written ones replaced) reads the seal back, within the bound: no
                    // save leaves the cookie both whole and in chunks.
                    for (name, line) in &cookies {
                        jar.retain(|(n, _)| n != name);
                        let value = &line[name.len() + 1..line.find(';').unwrap()];
                        if !value.is_empty() {
                            jar.push((name.clone(), value.to_owned()));
                        }
                    }
                    let next: Vec<String> = jar.iter().map(|(n, v)| format!("{n}={v}")).collect();
                    let (read_seal, carried) = read(&config.cookie(), [next.join("; ").as_bytes()]);
                    prop_assert!(check_carried(&carried).is_ok());
                    prop_assert_eq!(read_seal.as_deref(), (!seal.is_empty()).then_some(seal.as_str()));
                    if !seal.is_empty() {
                        prop_assert!(check_length(&carried, &seal).is_ok());
                    }
                }
                Err(SaveError::TooLarge { size, oversize, .. }) => {
                    prop_assert_eq!(size, whole_line);
                    prop_assert!(whole_line > 4096);
                    match oversize {
                        Oversize::TooManyChunks { needed } => {
                            prop_assert!(config.chunking());
                            prop_assert_eq!(needed, length.div_ceil(chunk_budget(&config.cookie())));
                            prop_assert!(needed > MAX_CHUNKS);
                        }
                        Oversize::OneCookie => prop_assert!(!config.chunking() && !carried_chunks[0]),
                        Oversize::ChunkingOffButRequestChunked => {
                            prop_assert!(!config.chunking() && carried_chunks[0]);
                        }
                    }
                }
                Err(other) => prop_assert!(false, "{:?}", other),
            }
        }
    }
}
