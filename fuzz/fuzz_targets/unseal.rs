//! Any UTF-8 text given to `unseal_at` must come back as `Ok` or `Err`, never a panic, whether the
//! password is a single text password, a map of ids to passwords, or a raw key.
#![no_main]

use std::collections::HashMap;
use std::sync::LazyLock;

use iron_seal::{Options, Password, Secret, unseal_at};
use libfuzzer_sys::fuzz_target;

const PASSWORD: &str = "complex_password_at_least_32_characters_long";
/// Inside the validity of most seals a fuzzer can write (2023-11-14T22:13:20Z).
const NOW: u64 = 1_700_000_000_000;

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

fuzz_target!(|sealed: &str| {
    let options = Options::default();
    let _ = unseal_at(sealed, &*SINGLE, &options, NOW);
    let _ = unseal_at(sealed, &*RAW_KEY, &options, NOW);
    let _ = unseal_at(sealed, &*MAP, &options, NOW);
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
