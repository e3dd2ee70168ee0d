//! `SealParts::parse` must never panic, and what it accepts must be consistent with its input.
#![no_main]

use iron_seal::SealParts;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|sealed: &str| {
    if let Ok(parts) = SealParts::parse(sealed) {
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
        assert!(fields[5].bytes().all(|b| b.is_ascii_digit()));
    }
});
