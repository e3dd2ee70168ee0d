//! The `Cookie` header parser: never panics on any bytes, reads several headers exactly as their
//! join with `; ` (as Node joins them), and lets the first pair of a name win.
//!
//! The input is split at its first newline into two header values.
#![no_main]

use ironsession::fuzzing::find_cookie;
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 3] = ["s", "sess.0", "__Host-iron"];

fuzz_target!(|data: &[u8]| {
    let (first, second) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let joined = [first, b"; ", second].concat();
    for name in NAMES {
        let found = find_cookie([first, second], name);
        assert_eq!(found, find_cookie([joined.as_slice()], name), "{name}");
        // A pair appended after the headers never replaces a value found earlier.
        let pair = format!("{name}=appended");
        let appended = [first, second, pair.as_bytes()];
        let expected = found.unwrap_or_else(|| "appended".to_owned());
        assert_eq!(find_cookie(appended, name).as_deref(), Some(expected.as_str()));
    }
});
