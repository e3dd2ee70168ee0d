//! What the `ironsession` command parses from its input, never panicking on any bytes: `seal`'s
//! JSON, the seal in what `unseal` and `inspect` are pasted (a seal, a cookie, a `Cookie` header),
//! `unseal`'s opening and `inspect`'s description, each exactly as the command calls them (the
//! password text has its own target, `passwords`: its strength estimate is slow enough under the
//! sanitizer to starve the rest). `inspect` must never echo a control character from its
//! input (a hostile seal could otherwise write terminal escapes).
#![no_main]

use std::sync::LazyLock;

use ironsession::{Passwords, unseal_data_at};
use ironsession_cli::inspect::describe;
use ironsession_cli::paste::seal_from_paste;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const NOW: u64 = 1_700_000_000_000;

static PASSWORDS: LazyLock<Passwords> = LazyLock::new(|| {
    // The published passwords of the interop vectors: weak by design.
    Passwords::dangerous_allow_weak_parse(
        r#"{"1":"complex_password_at_least_32_characters_long","2":"password-two-at-least-32-characters-long!!"}"#,
    )
    .expect("passwords")
});

fuzz_target!(|data: &[u8]| {
    // The command reads standard input as UTF-8 and refuses anything else.
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let _ = serde_json::from_str::<Value>(input);
    let _ = seal_from_paste(input, Some("s"));
    let Ok((seal, _)) = seal_from_paste(input, None) else {
        return;
    };
    let _ = unseal_data_at::<Value>(&seal, &PASSWORDS, NOW);
    if let Ok(description) = describe(&seal, NOW) {
        assert!(description.starts_with("format: Fe26.2\n"));
        assert!(
            !description.chars().any(|c| c.is_control() && c != '\n'),
            "{description:?}"
        );
    }
});
