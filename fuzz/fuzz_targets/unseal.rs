//! Any UTF-8 text given to `unseal_at` must come back as `Ok` or `Err`, never a panic, whether the
//! password is a single text password, a map of ids to passwords, or a raw key; and what
//! `SealParts::parse` accepts must be exactly the input's 8 fields.
#![no_main]

use std::collections::HashMap;
use std::sync::LazyLock;

use iron_seal::{Error, Options, Password, SealParts, Secret, unseal_at};
use libfuzzer_sys::fuzz_target;

const PASSWORD: &str = "complex_password_at_least_32_characters_long";
/// Inside the validity of most seals a fuzzer can write (2023-11-14T22:13:20Z).
const NOW: u64 = 1_700_000_000_000;
/// The longest value one cookie holds.
const MAX_SEAL_LEN: usize = 4096;

static SINGLE: LazyLock<Password> = LazyLock::new(|| Password::from(PASSWORD));
static RAW_KEY: LazyLock<Password> = LazyLock::new(|| Password::from(Secret::key([7u8; 32])));
static MAP: LazyLock<HashMap<String, Password>> = LazyLock::new(|| {
    HashMap::from([
        ("1".to_owned(), Password::from(PASSWORD)),
        // The id-2 password of the interop vectors, so that seeded vectors open.
        (
            "2".to_owned(),
            Password::from("password-two-at-least-32-characters-long!!"),
        ),
        ("3".to_owned(), Password::from(Secret::key([7u8; 32]))),
        ("default".to_owned(), Password::from(PASSWORD)),
    ])
});

fn check_parts(sealed: &str) {
    let Ok(parts) = SealParts::parse(sealed) else {
        return;
    };
    // The MAC base is a prefix of the input, and the fields put back together are the input.
    assert!(sealed.starts_with(parts.mac_base()));
    let rebuilt = format!(
        "{}*{}*{}",
        parts.mac_base(),
        parts.hmac_salt(),
        parts.hmac()
    );
    assert_eq!(rebuilt, sealed);
    let fields: Vec<&str> = sealed.split('*').collect();
    assert_eq!(fields.len(), 8);
    assert_eq!(fields[0], "Fe26.2");
    assert_eq!(parts.password_id(), fields[1]);
    assert_eq!(parts.encryption_salt(), fields[2]);
    assert_eq!(parts.iv(), fields[3]);
    assert_eq!(parts.ciphertext(), fields[4]);
    assert_eq!(parts.expiration_ms().is_none(), fields[5].is_empty());
    // Canonical expirations only: digits without a leading zero.
    assert!(fields[5].bytes().all(|b| b.is_ascii_digit()) && !fields[5].starts_with('0'));
}

fuzz_target!(|sealed: &str| {
    check_parts(sealed);
    let options = Options::default();
    let _ = unseal_at(sealed, &*SINGLE, &options, NOW);
    let _ = unseal_at(sealed, &*RAW_KEY, &options, NOW);
    let opened = unseal_at(sealed, &*MAP, &options, NOW);
    // The length limit changes nothing for input under it, and refuses everything over it.
    let limited = unseal_at(
        sealed,
        &*MAP,
        &options.with_max_seal_len(Some(MAX_SEAL_LEN)),
        NOW,
    );
    if sealed.len() > MAX_SEAL_LEN {
        assert!(matches!(limited, Err(Error::TooLong { .. })));
    } else {
        assert_eq!(limited, opened);
    }
    // Extreme clocks must not overflow anywhere.
    let _ = unseal_at(
        sealed,
        &*MAP,
        &options.with_localtime_offset_ms(i64::MIN),
        0,
    );
    let _ = unseal_at(
        sealed,
        &*MAP,
        &options.with_localtime_offset_ms(i64::MAX),
        u64::MAX,
    );
});
