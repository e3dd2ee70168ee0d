//! The password text the `ironsession` command and applications read (`Passwords::parse`: one
//! password, or a JSON object of ids to passwords or staged passwords), never panicking on any
//! bytes, the strength estimate included; a set it accepts seals a session and opens it again,
//! unless every password of the set is retired (it then still seals, with the highest id, and
//! refuses the seal as made with an unknown password).
#![no_main]

use ironsession::{Passwords, Ttl, UnsealReason, seal_data, unseal_data};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Passwords::dangerous_allow_weak_parse(input);
    let Ok(passwords) = Passwords::parse(input) else {
        return;
    };
    let data = json!({"userId": 42});
    let sealed = seal_data(&data, &passwords, Ttl::DEFAULT).expect("an accepted set seals");
    match unseal_data::<Value>(&sealed, &passwords) {
        Ok(opened) => assert_eq!(opened, data),
        Err(error) => assert_eq!(error.reason(), UnsealReason::UnknownPassword, "{error:?}"),
    }
});
