//! Weak passwords are refused with a typed reason, random ones pass, the escape hatch is named,
//! and a plain password is taken verbatim.

use ironsession::{
    PasswordError, Passwords, Ttl, UnsealReason, Weakness, password_weakness, seal_data,
    unseal_data,
};

/// Published samples: iron-session's README and examples, iron-session's and @hapi/iron's tests.
const SAMPLES: [&str; 5] = [
    "complex_password_at_least_32_characters_long",
    "another_password_at_least_32_characters_long",
    "2gyZ3GDw3LHZQKDhPmPDL3sjREVRXPr8",
    "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0",
    "some_not_random_password_that_is_also_long_enough",
];

#[test]
fn published_samples_are_refused() {
    for sample in SAMPLES {
        assert_eq!(
            Passwords::single(sample).unwrap_err(),
            PasswordError::Weak {
                id: 1,
                weakness: Weakness::KnownSample
            },
            "{sample}"
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

#[test]
fn random_hex_and_generated_passwords_pass() {
    for _ in 0..2000 {
        // `openssl rand -hex 16`: 16 random bytes as 32 hex digits.
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).unwrap();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(password_weakness(&hex), None, "{hex}");
        let generated = Passwords::generate().unwrap();
        assert_eq!(password_weakness(&generated), None, "{generated}");
    }
}

#[test]
fn the_documentation_passwords_pass() {
    // Many distinct characters and no pattern: not weak by rule, and not a published sample of
    // iron-session (the examples here hide where a real app reads its password from).
    for password in [
        "a password of at least thirty-two characters",
        "pässwörd-🔑-ünïcödé-at-least-32-chars!",
        "password-one-at-least-32-characters-long!!",
    ] {
        assert_eq!(password_weakness(password), None, "{password}");
    }
}

#[test]
fn a_weak_password_in_a_map_is_named_by_its_id() {
    let text = format!(
        r#"{{"1":"a password of at least thirty-two characters","2":"{}"}}"#,
        SAMPLES[0]
    );
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
    let padded = "  a password of at least thirty-two characters\n";
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
    let map =
        Passwords::parse("\n {\"4\":\"a password of at least thirty-two characters\"}\n").unwrap();
    assert_eq!(map.sealing_id(), 4);
}

/// Code people copy must not carry a password: the README's visible example lines read it from a
/// variable (its hidden lines make one with `Passwords::generate`).
#[test]
fn the_readmes_examples_ship_no_literal_password() {
    let readme = include_str!("../../../README.md");
    let mut in_rust = false;
    let mut checked = 0;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_rust = line == "```rust";
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
    assert!(checked > 50, "the README's Rust examples were not found");
}
