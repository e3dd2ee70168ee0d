//! Weak passwords are refused with a typed reason, random ones pass, the escape hatch is named,
//! and a plain password is taken verbatim.

use ironsession::{
    PasswordError, Passwords, Ttl, UnsealReason, Weakness, password_weakness, seal_data,
    unseal_data,
};

/// Published samples: iron-session's README and examples, iron-session's and @hapi/iron's tests,
/// and this crate's own former documentation and demo passwords.
const SAMPLES: [&str; 7] = [
    "complex_password_at_least_32_characters_long",
    "another_password_at_least_32_characters_long",
    "2gyZ3GDw3LHZQKDhPmPDL3sjREVRXPr8",
    "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0",
    "some_not_random_password_that_is_also_long_enough",
    "a password of at least thirty-two characters",
    "ironsession-demo development password: NOT A SECRET",
];

/// A password that passes: random-looking, as the documentation's examples use.
const STRONG: &str = "dG9rZW4tZm9yLWRvY3MtYW5kLXRlc3Rz-Qx7Vm2Lp9Wk4";

#[test]
fn published_samples_are_refused_however_they_are_capitalised_or_punctuated() {
    for sample in SAMPLES {
        let shouted = sample.to_uppercase();
        let respaced: String = sample
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect();
        for variant in [sample.to_owned(), shouted, respaced, format!("{sample}!")] {
            assert_eq!(
                Passwords::single(variant.as_str()).unwrap_err(),
                PasswordError::Weak {
                    id: 1,
                    weakness: Weakness::KnownSample
                },
                "{variant}"
            );
        }
    }
}

/// The weak passwords of the issue: each refused, by the sample list or by the estimate.
#[test]
fn weak_passwords_that_used_to_pass_are_refused() {
    for password in [
        "a password of at least thirty-two characters",
        "ironsession-demo development password: NOT A SECRET",
        "complex_password_at_least_32_characters_long!",
        "passwordpasswordpasswordpassword1",
        "changeme-changeme-changeme-changeme!",
    ] {
        assert!(
            matches!(
                Passwords::single(password),
                Err(PasswordError::Weak { id: 1, .. })
            ),
            "{password}"
        );
    }
}

/// Phrases of words are refused by zxcvbn's estimate, not only the published ones: capitalised,
/// run together, or with the project's own words in them.
#[test]
fn phrases_of_words_are_guessable() {
    for password in [
        "a password of at most thirty-two characters",
        "passwordpasswordpasswordpassword1",
        "changeme-changeme-changeme-changeme!",
        "ThisIsMyVeryLongPasswordForTheSessions",
        "correct horse battery staple correct horse",
        "my-company-name-session-secret-2024",
        "our iron-session cookie secret for production",
        "Summer2024!Summer2024!Summer2024!x",
    ] {
        let weakness = password_weakness(password);
        assert!(
            matches!(weakness, Some(Weakness::Guessable { guesses_log10 }) if guesses_log10 < 20),
            "{password}: {weakness:?}"
        );
    }
}

#[test]
fn repeated_patterns_sequences_and_few_characters_are_refused() {
    let cases: [(String, Weakness); 8] = [
        (
            "a".repeat(32),
            Weakness::RepeatedPattern { pattern_length: 1 },
        ),
        (
            "password".repeat(4),
            Weakness::RepeatedPattern { pattern_length: 8 },
        ),
        (
            "1234567890".repeat(4),
            Weakness::RepeatedPattern { pattern_length: 10 },
        ),
        // A cut last copy is still a repetition.
        (
            "abc".repeat(11),
            Weakness::RepeatedPattern { pattern_length: 3 },
        ),
        (
            "12345678901234567890123456789012".to_owned(),
            Weakness::RepeatedPattern { pattern_length: 10 },
        ),
        (
            "abcdefghijklmnopqrstuvwxyz0123456789".to_owned(),
            Weakness::Sequence,
        ),
        (
            "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbc".to_owned(),
            Weakness::Sequence,
        ),
        (
            "mmz5aa5zmm555mmm5aamazaz55555mzaam".to_owned(),
            Weakness::FewDistinctCharacters { distinct: 4 },
        ),
    ];
    for (password, weakness) in cases {
        assert_eq!(password_weakness(&password), Some(weakness), "{password}");
        assert_eq!(
            Passwords::single(password.clone()).unwrap_err(),
            PasswordError::Weak { id: 1, weakness },
            "{password}"
        );
    }
}

/// A seed for the random passwords below: from the OS, or `IRONSESSION_PASSWORD_SEED` to replay.
fn seed() -> u64 {
    match std::env::var("IRONSESSION_PASSWORD_SEED") {
        Ok(text) => text
            .trim()
            .parse()
            .expect("IRONSESSION_PASSWORD_SEED is a u64"),
        Err(_) => getrandom::u64().expect("OS random source"),
    }
}

/// 1 000 outputs each of `openssl rand -hex 16` (16 random bytes as hex), `openssl rand -base64 32`
/// (32 random bytes as padded base64), `Passwords::generate` and the shortest of
/// `ironsession gen-password` (32 characters) pass.
#[test]
fn random_hex_base64_and_generated_passwords_pass() {
    use base64::Engine as _;
    use proptest::prelude::RngCore as _;
    use proptest::test_runner::{RngAlgorithm, TestRng};

    let seed = seed();
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let replay = format!("seed {seed}: replay with IRONSESSION_PASSWORD_SEED={seed}");
    for _ in 0..1000 {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        let hex: String = bytes[..16].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(password_weakness(&hex), None, "{hex} ({replay})");
        let base64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        assert_eq!(password_weakness(&base64), None, "{base64} ({replay})");
        let generated = Passwords::generate().unwrap();
        assert_eq!(password_weakness(&generated), None, "{generated}");
        let shortest = Passwords::generate_with_length(32).unwrap();
        assert_eq!(password_weakness(&shortest), None, "{shortest}");
    }
}

#[test]
fn a_weak_password_in_a_map_is_named_by_its_id() {
    let text = format!(r#"{{"1":"{STRONG}","2":"{}"}}"#, SAMPLES[0]);
    assert_eq!(
        Passwords::parse(&text).unwrap_err(),
        PasswordError::Weak {
            id: 2,
            weakness: Weakness::KnownSample
        }
    );
    assert_eq!(
        Passwords::dangerous_allow_weak_parse(&text)
            .unwrap()
            .sealing_id(),
        2
    );
}

#[test]
fn the_escape_hatch_skips_only_the_weakness_check() {
    let weak = "password".repeat(4);
    let passwords = Passwords::dangerous_allow_weak_single(weak.clone()).unwrap();
    let sealed = seal_data(&[1], &passwords, Ttl::seconds(60)).unwrap();
    assert_eq!(unseal_data::<Vec<u8>>(&sealed, &passwords).unwrap(), [1]);
    assert!(Passwords::dangerous_allow_weak_from_pairs([(3, weak)]).is_ok());
    // The length rule is iron-session's and stays.
    assert!(matches!(
        Passwords::dangerous_allow_weak_single("a".repeat(31)),
        Err(PasswordError::TooShort { .. })
    ));
}

#[test]
fn the_weak_password_error_says_what_is_wrong_without_the_password() {
    let error = Passwords::single("password".repeat(4)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "password with id 1 is weak: it repeats a pattern of 8 character(s)"
    );
    let error = Passwords::single(SAMPLES[0]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "password with id 1 is weak: it is a sample password published in documentation or tests"
    );
    let error = Passwords::single("our iron-session cookie secret for production").unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("password with id 1 is weak: it is made of words or patterns: an attacker would need about 10^")
            && message.ends_with("guesses (zxcvbn's estimate), and at least 10^20 are required"),
        "{message}"
    );
}

#[test]
fn generated_passwords_are_random_and_of_the_asked_length() {
    let a = Passwords::generate().unwrap();
    let b = Passwords::generate().unwrap();
    assert_ne!(a, b);
    assert_eq!(a.len(), 48);
    assert!(
        a.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    );
    assert_eq!(Passwords::generate_with_length(64).unwrap().len(), 64);
    assert!(matches!(
        Passwords::generate_with_length(31),
        Err(PasswordError::TooShort { length: 31, .. })
    ));
    assert!(Passwords::single(a).is_ok());
}

#[test]
fn a_plain_password_is_taken_verbatim() {
    let padded = format!("  {STRONG}\n");
    let padded = padded.as_str();
    let verbatim = Passwords::parse(padded).unwrap();
    let sealed = seal_data(&[7], &verbatim, Ttl::seconds(60)).unwrap();
    assert_eq!(
        unseal_data::<Vec<u8>>(&sealed, &Passwords::single(padded).unwrap()).unwrap(),
        [7]
    );
    let trimmed = Passwords::parse(padded.trim()).unwrap();
    assert_eq!(
        unseal_data::<Vec<u8>>(&sealed, &trimmed)
            .unwrap_err()
            .reason(),
        UnsealReason::Invalid
    );
    // Whitespace around a JSON map is still fine: it is not part of any password.
    let map = Passwords::parse(&format!("\n {{\"4\":\"{STRONG}\"}}\n")).unwrap();
    assert_eq!(map.sealing_id(), 4);
}

/// Code people copy must not carry a password: the visible example lines of the README and the
/// guide pages read it from a variable (their hidden lines make one with `Passwords::generate`).
/// The repository's README is checked where it exists (not in the published package).
#[test]
fn the_readmes_examples_ship_no_literal_password() {
    let crate_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages: Vec<std::path::PathBuf> = std::fs::read_dir(crate_dir.join("guide"))
        .expect("the guide pages")
        .map(|entry| entry.expect("a guide page").path())
        .collect();
    pages.push(crate_dir.join("../../README.md"));
    let mut in_rust = false;
    let mut checked = 0;
    let text: String = pages
        .iter()
        .filter_map(|page| std::fs::read_to_string(page).ok())
        .collect::<Vec<_>>()
        .join("\n");
    for line in text.lines() {
        if line.starts_with("```") {
            in_rust = line.starts_with("```rust");
            continue;
        }
        let hidden = line.trim_start().starts_with("# ") || line.trim() == "#";
        if !in_rust || hidden {
            continue;
        }
        checked += 1;
        for constructor in [
            "single",
            "parse",
            "from_pairs",
            "dangerous_allow_weak_single",
        ] {
            let call = format!("Passwords::{constructor}(");
            if let Some(start) = line.find(&call) {
                let argument = line[start + call.len()..].trim_start();
                assert!(
                    !argument.starts_with('"')
                        && !argument.starts_with("r#\"")
                        && !argument.starts_with('['),
                    "a README example passes a literal password: {line}"
                );
            }
        }
    }
    assert!(
        checked > 150,
        "the README's and the guides' Rust examples were not found"
    );
}
