//! h3 2.x's chunking: the marker, the split points and the bounds. Expected values come from h3's
//! `setChunkedCookie` and `getChunkedCookie` (h3 2.0.8, `dist/h3.mjs`: 4000 characters a chunk,
//! `__chunked__N`, chunks `name.1` … `name.N`) and from the attribute string written by hand, not
//! from this code.

use super::*;
use crate::cookie::{Attributes, SameSite};
use crate::{SaveError, SealError};

const NAME: &str = "h3";
const ATTRIBUTES: &str = "; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax";
const DELETION: &str = "; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax";

fn attributes() -> Attributes {
    Attributes {
        http_only: true,
        secure: true,
        same_site: SameSite::Lax,
        path: "/".into(),
        domain: None,
        partitioned: false,
        priority: None,
    }
}

/// Runs `test` with the cookie `h3` as configured with chunking on or off.
fn with_config<R>(chunking: bool, test: impl FnOnce(&CookieConfig<'_>) -> R) -> R {
    let name: Arc<str> = NAME.into();
    let attributes = attributes();
    test(&CookieConfig {
        name: &name,
        attributes: &attributes,
        max_age: Some(1_209_540),
        chunking,
    })
}

fn read_header(header: &str) -> (Option<String>, Carried) {
    with_config(true, |config| read(config, [header.as_bytes()]))
}

fn seal(len: usize) -> String {
    "s".repeat(len)
}

#[test]
fn a_whole_cookie_and_a_marker_with_its_chunks_read_as_h3_reads_them() {
    assert_eq!(read_header("h3=abc").0.as_deref(), Some("abc"));
    let (joined, carried) = read_header("h3=__chunked__3; h3.2=b; h3.1=a; h3.3=c; h3.4=stale");
    assert_eq!(joined.as_deref(), Some("abc"));
    assert!(carried.marker && carried.main);
    assert_eq!(carried.chunks, 0b11110);
    // A missing chunk: no seal (h3's getChunkedCookie returns undefined).
    assert_eq!(read_header("h3=__chunked__3; h3.1=a; h3.3=c").0, None);
    assert_eq!(read_header("h3.1=a; h3.2=b").0, None);
    assert_eq!(read_header("h3=").0, None);
}

/// iron-session 9's cookie-tossing gap (a whole cookie read before chunks wherever it stands) has
/// no twin here: the cookie `h3` decides, a chunked session carries it too (the marker), and of
/// two `h3` cookies the first is read, so a tossed cookie sent after the victim's changes nothing.
#[test]
fn the_session_cookie_decides_and_a_tossed_one_after_it_is_not_read() {
    let victim = "h3=__chunked__2; h3.1=vic; h3.2=tim";
    assert_eq!(
        read_header(&format!("{victim}; h3=attacker")).0.as_deref(),
        Some("victim")
    );
    assert_eq!(
        read_header(&format!("{victim}; h3=__chunked__1; h3.1=attacker"))
            .0
            .as_deref(),
        Some("victim")
    );
    // A whole seal with stray chunks beside it: the seal, as h3 reads it (no marker counts them).
    assert_eq!(
        read_header("h3.1=attacker; h3=victim; h3.2=x").0.as_deref(),
        Some("victim")
    );
}

#[test]
fn only_canonical_markers_and_chunk_names_count() {
    for marker in [
        "__chunked__0",
        "__chunked__101",
        "__chunked__03",
        "__chunked__3abc",
        "__chunked__+3",
        "__chunked__",
        "__chunked__1000",
    ] {
        let header = format!("h3={marker}; h3.1=a; h3.2=b; h3.3=c");
        assert_eq!(read_header(&header).0, None, "{marker}");
    }
    assert_eq!(slot(NAME, "h3.100"), Some(100));
    for other in ["h3.0", "h3.01", "h3.101", "h3.1a", "h3x.1", "h3.", "h3.-1"] {
        assert_eq!(slot(NAME, other), None, "{other}");
    }
}

#[test]
fn a_seal_of_4000_characters_is_one_cookie_and_longer_ones_are_cut_at_4000() {
    with_config(true, |config| {
        let (_, nothing) = read(config, [&b""[..]]);
        let whole = save(config, &seal(4000), &nothing).unwrap();
        assert_eq!(whole, [format!("h3={}{ATTRIBUTES}", seal(4000))]);
        let two = save(config, &seal(4001), &nothing).unwrap();
        assert_eq!(
            two,
            [
                format!("h3=__chunked__2{ATTRIBUTES}"),
                format!("h3.1={}{ATTRIBUTES}", seal(4000)),
                format!("h3.2=s{ATTRIBUTES}"),
            ]
        );
        assert_eq!(save(config, &seal(16_000), &nothing).unwrap().len(), 5);
        assert_eq!(
            save(config, &seal(16_001), &nothing),
            Err(TooLarge {
                size: "h3=".len() + 16_001 + ATTRIBUTES.len(),
                limit: 4096,
                oversize: Oversize::TooManyChunks { needed: 5 },
            })
        );
    });
}

#[test]
fn chunks_the_new_seal_does_not_use_are_expired() {
    let (_, carried) = read_header("h3=__chunked__3; h3.1=a; h3.2=b; h3.3=c");
    with_config(true, |config| {
        let whole = save(config, "abc", &carried).unwrap();
        assert_eq!(
            whole,
            [
                format!("h3=abc{ATTRIBUTES}"),
                format!("h3.1={DELETION}"),
                format!("h3.2={DELETION}"),
                format!("h3.3={DELETION}"),
            ]
        );
        let two = save(config, &seal(4001), &carried).unwrap();
        assert_eq!(two.len(), 4);
        assert_eq!(two[3], format!("h3.3={DELETION}"));
        let destroyed = destroy(config, &carried);
        assert_eq!(destroyed[0], format!("h3={DELETION}"));
        assert_eq!(destroyed.len(), 4);
    });
}

#[test]
fn without_chunking_a_seal_over_one_cookie_is_too_large() {
    with_config(false, |config| {
        let (_, nothing) = read(config, [&b""[..]]);
        let max = 4096 - "h3=".len() - ATTRIBUTES.len();
        assert_eq!(save(config, &seal(max), &nothing).unwrap().len(), 1);
        let error = save(config, &seal(max + 1), &nothing).unwrap_err();
        assert_eq!(error.oversize, Oversize::OneCookie);
        let (_, chunked) = read(config, [&b"h3=__chunked__2; h3.1=a; h3.2=b"[..]]);
        let error = save(config, &seal(max + 1), &chunked).unwrap_err();
        assert_eq!(error.oversize, Oversize::ChunkingOffButRequestChunked);
        assert!(matches!(
            save_sealing::<SaveError>(
                config,
                max + 1,
                |line| {
                    line.push_str(&seal(max + 1));
                    Ok(())
                },
                &nothing
            ),
            Err(SaveError::TooLarge { .. })
        ));
    });
}

/// Refused before any crypto: one cookie over what a cookie can hold, chunks or a header over
/// four chunks' worth.
#[test]
fn seals_longer_than_any_writer_makes_are_refused_before_crypto() {
    let too_long = |carried: &Carried, len: usize| {
        check_length(carried, &seal(len))
            .err()
            .and_then(|error| error.cause().cloned())
    };
    let (_, whole) = read_header("h3=x");
    assert_eq!(too_long(&whole, 4096 - 3), None);
    assert_eq!(
        too_long(&whole, 4096 - 2),
        Some(SealError::TooLong {
            length: 4094,
            max: 4093
        })
    );
    let (_, chunked) = read_header("h3=__chunked__1; h3.1=x");
    assert_eq!(too_long(&chunked, 16_000), None);
    assert!(too_long(&chunked, 16_001).is_some());
    let by_header = whole.by_header();
    assert_eq!(too_long(&by_header, 16_000), None);
    assert!(too_long(&by_header, 16_001).is_some());
}

#[test]
fn destroy_carried_deletes_exactly_what_came() {
    with_config(true, |config| {
        let (_, carried) = read(config, [&b"h3.2=b; other=1"[..]]);
        assert_eq!(
            destroy_carried(config, &carried),
            Some(vec![format!("h3.2={DELETION}")])
        );
        let (_, nothing) = read(config, [&b"other=1"[..]]);
        assert_eq!(destroy_carried(config, &nothing), None);
    });
    assert!(is_session_line("h3", "h3.7=x; Path=/"));
    assert!(!is_session_line("h3", "h3.0=x; Path=/"));
}
