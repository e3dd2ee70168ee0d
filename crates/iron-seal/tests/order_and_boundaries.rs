//! The order in which unseal checks run (reference §1.5), the expiration boundary (§1.6), the
//! password id lookup (§1.7), base64 strictness (§1.8, §1.11), password length rules (§1.3), and
//! that no secret or plaintext leaks through `Debug` or an error message.

mod common;

use std::collections::HashMap;

use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use common::{
    FailingRandom, NOW, PASSWORD, aes256cbc_encrypt, aes256cbc_encrypt_raw, b64_decode, b64_encode,
    fields, iron_finish, iron_key, with_field,
};
use iron_seal::{
    Error, Field, Options, OsRandom, Password, PasswordId, Secret, parse_json, seal_at, unseal_at,
};
use serde_json::Value;

const PAYLOAD: &[u8] = br#"{"user":{"id":1}}"#;
const ENC_SALT: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const HMAC_SALT: &str = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

/// What an empty encryption salt gets with a text password: refused for its length.
const NO_ENCRYPTION_SALT: Error = Error::FieldLength {
    field: Field::EncryptionSalt,
    expected: 64,
    found: 0,
};

fn password() -> Password {
    Password::from(PASSWORD)
}

fn id1() -> PasswordId {
    PasswordId::new("1").unwrap()
}

/// A seal of `PAYLOAD` with id "1", made at `NOW` with the given ttl.
fn sealed_with_ttl(ttl_ms: Option<u64>) -> String {
    seal_at(
        PAYLOAD,
        &id1(),
        &password(),
        &Options::default().with_ttl_ms(ttl_ms),
        NOW,
        OsRandom,
    )
    .unwrap()
}

/// A seal built entirely by the test from its fields, with a valid HMAC for `PASSWORD`.
fn crafted(id: &str, iv_b64: &str, ciphertext_b64: &str, expiration: &str) -> String {
    iron_finish(
        &format!("Fe26.2*{id}*{ENC_SALT}*{iv_b64}*{ciphertext_b64}*{expiration}"),
        PASSWORD,
        HMAC_SALT,
    )
}

/// A well-formed ciphertext of `PAYLOAD` under `ENC_SALT`, with its IV.
fn good_iv_and_ciphertext() -> (String, String) {
    let iv = [9u8; 16];
    let key = iron_key(PASSWORD, ENC_SALT, 32);
    (
        b64_encode(&iv),
        b64_encode(&aes256cbc_encrypt(&key, &iv, PAYLOAD)),
    )
}

/// The same seal with its HMAC replaced by a valid-looking wrong one.
fn with_wrong_mac(sealed: &str) -> String {
    let mac = fields(sealed)[7];
    let wrong = if mac.starts_with('A') { "B" } else { "A" };
    with_field(sealed, 7, &format!("{wrong}{}", &mac[1..]))
}

fn unseal(sealed: &str) -> Result<Vec<u8>, Error> {
    unseal_at(sealed, &password(), &Options::default(), NOW)
}

// ----- expiration boundary -----

#[test]
fn valid_until_60_s_after_expiration() {
    let sealed = sealed_with_ttl(Some(1_000));
    let exp = NOW + 1_000;
    assert_eq!(fields(&sealed)[5], exp.to_string());
    let options = Options::default();
    assert_eq!(
        unseal_at(&sealed, &password(), &options, exp + 59_999).unwrap(),
        PAYLOAD
    );
    for now in [exp + 60_000, exp + 60_001, u64::MAX] {
        assert_eq!(
            unseal_at(&sealed, &password(), &options, now),
            Err(Error::Expired { expired_at_ms: exp }),
            "at {now}"
        );
    }
    // Before it was even made is fine too (clock skew the other way).
    assert!(unseal_at(&sealed, &password(), &options, 0).is_ok());
}

#[test]
fn custom_skew_moves_the_boundary() {
    let sealed = sealed_with_ttl(Some(1_000));
    let exp = NOW + 1_000;
    let skew_1s = Options::default().with_timestamp_skew_ms(1_000);
    assert!(unseal_at(&sealed, &password(), &skew_1s, exp + 999).is_ok());
    assert_eq!(
        unseal_at(&sealed, &password(), &skew_1s, exp + 1_000),
        Err(Error::Expired { expired_at_ms: exp })
    );
    // No skew: expired from the expiration instant itself (`exp <= now`).
    let no_skew = Options::default().with_timestamp_skew_ms(0);
    assert!(unseal_at(&sealed, &password(), &no_skew, exp - 1).is_ok());
    assert_eq!(
        unseal_at(&sealed, &password(), &no_skew, exp),
        Err(Error::Expired { expired_at_ms: exp })
    );
    // A skew larger than the clock never underflows.
    let huge = Options::default().with_timestamp_skew_ms(u64::MAX);
    assert!(unseal_at(&sealed, &password(), &huge, u64::MAX).is_ok());
}

#[test]
fn localtime_offset_shifts_the_readers_clock() {
    let sealed = sealed_with_ttl(Some(1_000));
    let exp = NOW + 1_000;
    let ahead = Options::default().with_localtime_offset_ms(5_000);
    assert!(unseal_at(&sealed, &password(), &ahead, exp + 54_999).is_ok());
    assert_eq!(
        unseal_at(&sealed, &password(), &ahead, exp + 55_000),
        Err(Error::Expired { expired_at_ms: exp })
    );
    let behind = Options::default().with_localtime_offset_ms(-5_000);
    assert!(unseal_at(&sealed, &password(), &behind, exp + 64_999).is_ok());
    assert_eq!(
        unseal_at(&sealed, &password(), &behind, exp + 65_000),
        Err(Error::Expired { expired_at_ms: exp })
    );
}

#[test]
fn localtime_offset_shifts_the_writers_clock() {
    let options = Options::default()
        .with_ttl_ms(Some(1_000))
        .with_localtime_offset_ms(-250);
    let sealed = seal_at(PAYLOAD, &id1(), &password(), &options, NOW, OsRandom).unwrap();
    assert_eq!(fields(&sealed)[5], (NOW - 250 + 1_000).to_string());
}

#[test]
fn no_ttl_means_an_empty_expiration_that_never_expires() {
    let sealed = sealed_with_ttl(None);
    assert_eq!(fields(&sealed)[5], "");
    assert!(unseal_at(&sealed, &password(), &Options::default(), u64::MAX).is_ok());
}

// ----- lengths checked before any cryptography -----

#[test]
fn a_seal_over_the_maximum_length_is_refused_before_it_is_parsed() {
    let sealed = sealed_with_ttl(None);
    let exact = Options::default().with_max_seal_len(Some(sealed.len()));
    assert_eq!(
        unseal_at(&sealed, &password(), &exact, NOW).unwrap(),
        PAYLOAD
    );
    let shorter = Options::default().with_max_seal_len(Some(sealed.len() - 1));
    let too_long = Err(Error::TooLong {
        length: sealed.len(),
        max: sealed.len() - 1,
    });
    assert_eq!(unseal_at(&sealed, &password(), &shorter, NOW), too_long);
    // Before the structure: even garbage of that length reports its length.
    let garbage = "*".repeat(sealed.len());
    assert_eq!(unseal_at(&garbage, &password(), &shorter, NOW), too_long);
    // No limit by default, as in Iron.
    assert_eq!(Options::default().max_seal_len(), None);
}

#[test]
fn salts_of_another_length_are_refused_before_any_key_is_derived() {
    let sealed = with_wrong_mac(&sealed_with_ttl(None));
    for (index, field) in [(2, Field::EncryptionSalt), (6, Field::HmacSalt)] {
        for salt in [
            "",
            "ab",
            &"a".repeat(63),
            &"a".repeat(65),
            &"a".repeat(400_000),
        ] {
            let forged = with_field(&sealed, index, salt);
            assert_eq!(
                unseal(&forged),
                Err(Error::FieldLength {
                    field,
                    expected: 64,
                    found: salt.len()
                }),
                "field {index}, {} characters",
                salt.len()
            );
        }
    }
    // The expected length follows the configured salt size.
    let short_salts = iron_seal::KeyDerivation::new(
        std::num::NonZeroU32::new(128).unwrap(),
        std::num::NonZeroU32::MIN,
    );
    let options = Options::default()
        .with_encryption_key_derivation(short_salts)
        .with_integrity_key_derivation(short_salts);
    let sealed = seal_at(PAYLOAD, &id1(), &password(), &options, NOW, OsRandom).unwrap();
    assert_eq!(
        (fields(&sealed)[2].len(), fields(&sealed)[6].len()),
        (32, 32)
    );
    assert_eq!(
        unseal_at(&sealed, &password(), &options, NOW).unwrap(),
        PAYLOAD
    );
    assert_eq!(
        unseal_at(&sealed, &password(), &Options::default(), NOW),
        Err(Error::FieldLength {
            field: Field::EncryptionSalt,
            expected: 64,
            found: 32
        })
    );
}

#[test]
fn an_hmac_of_another_length_is_a_bad_mac_and_checked_after_the_salts() {
    let sealed = sealed_with_ttl(None);
    let mac = fields(&sealed)[7];
    for hmac in [&mac[..42], &format!("{mac}A"), "", &"A".repeat(400_000)] {
        assert_eq!(unseal(&with_field(&sealed, 7, hmac)), Err(Error::BadMac));
    }
    let both = with_field(&with_field(&sealed, 7, ""), 6, "");
    assert!(matches!(
        unseal(&both),
        Err(Error::FieldLength {
            field: Field::HmacSalt,
            ..
        })
    ));
}

#[test]
fn a_ttl_of_zero_writes_no_expiration_as_iron_does() {
    let sealed = sealed_with_ttl(Some(0));
    assert_eq!(fields(&sealed)[5], "");
    assert_eq!(
        unseal_at(&sealed, &password(), &Options::default(), u64::MAX).unwrap(),
        PAYLOAD
    );
}

// ----- expiration format -----

#[test]
fn expirations_with_a_leading_zero_are_refused_as_in_iron_session_9() {
    // iron-session 9 (iron-webcrypto 2) requires `^[1-9]\d*$`; @hapi/iron read `0000` as 0.
    let (iv, ct) = good_iv_and_ciphertext();
    let huge = Options::default().with_timestamp_skew_ms(u64::MAX);
    let canonical = (NOW + 3_600_000).to_string();
    for expiration in ["0", "00", "0000", &format!("0{canonical}")] {
        let sealed = crafted("1", &iv, &ct, expiration);
        assert_eq!(
            unseal(&sealed),
            Err(Error::InvalidExpiration),
            "{expiration:?}"
        );
        // Refused, not read as a number: no skew makes it open.
        assert_eq!(
            unseal_at(&sealed, &password(), &huge, NOW),
            Err(Error::InvalidExpiration)
        );
    }
    // The control: the same seal with the canonical spelling opens.
    assert_eq!(
        unseal(&crafted("1", &iv, &ct, &canonical)).unwrap(),
        PAYLOAD
    );
}

#[test]
fn expiration_beyond_u64_never_expires() {
    let (iv, ct) = good_iv_and_ciphertext();
    let sealed = crafted("1", &iv, &ct, "99999999999999999999999999");
    assert_eq!(
        unseal_at(&sealed, &password(), &Options::default(), u64::MAX).unwrap(),
        PAYLOAD
    );
}

#[test]
fn expiration_must_be_ascii_digits() {
    let (iv, ct) = good_iv_and_ciphertext();
    for expiration in [
        "+123", "1.5", "abc", "-1", " 1", "1 ", "1e3", "0x10", "١٢٣", "１２", "NaN", "Infinity",
    ] {
        let sealed = crafted("1", &iv, &ct, expiration);
        assert_eq!(
            unseal(&sealed),
            Err(Error::InvalidExpiration),
            "{expiration:?}"
        );
    }
}

// ----- precedence -----

#[test]
fn expired_wins_over_a_tampered_mac_and_ciphertext() {
    let sealed = sealed_with_ttl(Some(1));
    let late = NOW + 1 + 60_000;
    let tampered_mac = with_wrong_mac(&sealed);
    let tampered_ct = with_field(&sealed, 4, "AAAA");
    for s in [&tampered_mac, &tampered_ct] {
        assert_eq!(
            unseal_at(s, &password(), &Options::default(), late),
            Err(Error::Expired {
                expired_at_ms: NOW + 1
            })
        );
        // ...and they are caught by the HMAC while not expired.
        assert_eq!(
            unseal_at(s, &password(), &Options::default(), NOW),
            Err(Error::BadMac)
        );
    }
}

#[test]
fn wrong_prefix_wins_over_a_bad_expiration() {
    let sealed = with_field(&sealed_with_ttl(None), 5, "abc");
    assert_eq!(unseal(&sealed), Err(Error::InvalidExpiration));
    let sealed = with_field(&sealed, 0, "Fe26.1");
    assert_eq!(unseal(&sealed), Err(Error::WrongPrefix));
}

#[test]
fn component_count_wins_over_the_prefix() {
    assert_eq!(unseal("Fe27.2*x"), Err(Error::ComponentCount { found: 2 }));
    assert_eq!(unseal(""), Err(Error::ComponentCount { found: 1 }));
    assert_eq!(
        unseal("Fe26.1*a*b*c*d*e*f*g*h"),
        Err(Error::ComponentCount { found: 9 })
    );
    assert_eq!(unseal("Fe26.1*a*b*c*d*e*f*g"), Err(Error::WrongPrefix));
    // The prefix is exact: no trimming, no case folding.
    for prefix in [" Fe26.2", "Fe26.2 ", "fe26.2", "FE26.2", "Fe26.20", "Fe26"] {
        let sealed = with_field(&sealed_with_ttl(None), 0, prefix);
        assert_eq!(unseal(&sealed), Err(Error::WrongPrefix), "{prefix:?}");
    }
}

#[test]
fn bad_expiration_and_expiry_win_over_an_unknown_id() {
    let map = HashMap::from([("2".to_owned(), password())]);
    let bad_exp = with_field(&sealed_with_ttl(None), 5, "abc");
    assert_eq!(
        unseal_at(&bad_exp, &map, &Options::default(), NOW),
        Err(Error::InvalidExpiration)
    );
    let sealed = sealed_with_ttl(Some(1));
    assert_eq!(
        unseal_at(&sealed, &map, &Options::default(), NOW + 60_001),
        Err(Error::Expired {
            expired_at_ms: NOW + 1
        })
    );
    assert_eq!(
        unseal_at(&sealed, &map, &Options::default(), NOW),
        Err(Error::UnknownPasswordId { id: "1".into() })
    );
}

#[test]
fn expiry_is_checked_before_the_password() {
    // @hapi/iron's order: an expired seal is reported as such even with an unusable password.
    let sealed = sealed_with_ttl(Some(1));
    let late = NOW + 60_001;
    for bad in [Password::from(""), Password::from("short")] {
        assert_eq!(
            unseal_at(&sealed, &bad, &Options::default(), late),
            Err(Error::Expired {
                expired_at_ms: NOW + 1
            })
        );
    }
}

#[test]
fn unknown_id_wins_over_a_bad_mac() {
    let sealed = with_wrong_mac(&sealed_with_ttl(None));
    let map = HashMap::from([("2".to_owned(), password())]);
    assert_eq!(
        unseal_at(&sealed, &map, &Options::default(), NOW),
        Err(Error::UnknownPasswordId { id: "1".into() })
    );
    let map = HashMap::from([("1".to_owned(), password())]);
    assert_eq!(
        unseal_at(&sealed, &map, &Options::default(), NOW),
        Err(Error::BadMac)
    );
}

#[test]
fn password_errors_win_over_a_bad_mac() {
    // The password is normalized before the HMAC is computed, so a misconfigured password is
    // reported whatever the seal holds, even a seal with no HMAC salt.
    let sealed = with_wrong_mac(&sealed_with_ttl(None));
    let no_salt = with_field(&sealed, 6, "");
    for s in [&sealed, &no_salt] {
        assert_eq!(
            unseal_at(s, &Password::from(""), &Options::default(), NOW),
            Err(Error::EmptyPassword)
        );
        assert_eq!(
            unseal_at(s, &Password::from("short"), &Options::default(), NOW),
            Err(Error::PasswordTooShort { min: 32 })
        );
        assert_eq!(
            unseal_at(
                s,
                &Password::from(Secret::key([1u8; 16])),
                &Options::default(),
                NOW
            ),
            Err(Error::KeyTooSmall { min: 32 })
        );
    }
}

#[test]
fn bad_mac_wins_over_invalid_base64() {
    let sealed = with_field(&sealed_with_ttl(None), 4, "not*base64??");
    assert_eq!(unseal(&sealed), Err(Error::ComponentCount { found: 9 }));
    let sealed = with_field(&sealed_with_ttl(None), 4, "not base64??");
    assert_eq!(unseal(&sealed), Err(Error::BadMac));
}

// ----- the HMAC guards everything after it -----

#[test]
fn garbage_behind_a_valid_mac_reaches_the_decoders_but_not_behind_a_wrong_one() {
    let (good_iv, good_ct) = good_iv_and_ciphertext();
    let key = iron_key(PASSWORD, ENC_SALT, 32);
    // One block whose last plaintext byte is 0x00: never valid PKCS#7 padding.
    let bad_padding = b64_encode(&aes256cbc_encrypt_raw(&key, &[9u8; 16], &[0u8; 16]));
    let cases: Vec<(String, String, Error)> = vec![
        (
            good_iv.clone(),
            "AAAA??".into(),
            Error::InvalidBase64 {
                field: Field::Ciphertext,
            },
        ),
        (
            format!("{}=", &good_iv[..21]),
            good_ct.clone(),
            Error::InvalidBase64 { field: Field::Iv },
        ),
        // Both bad: the ciphertext is decoded first, as Iron does.
        (
            "?".repeat(22),
            "??".into(),
            Error::InvalidBase64 {
                field: Field::Ciphertext,
            },
        ),
        (good_iv.clone(), b64_encode(&[1u8; 5]), Error::Decrypt),
        (good_iv.clone(), String::new(), Error::Decrypt),
        (good_iv.clone(), bad_padding, Error::Decrypt),
    ];
    for (iv, ct, expected) in cases {
        let sealed = crafted("1", &iv, &ct, "");
        assert_eq!(
            unseal(&sealed),
            Err(expected.clone()),
            "iv {iv:?} ct {ct:?}"
        );
        assert_eq!(
            unseal(&with_wrong_mac(&sealed)),
            Err(Error::BadMac),
            "iv {iv:?} ct {ct:?}"
        );
    }
    // IVs of the wrong length are refused before any key is derived, MAC or not.
    for iv in [
        b64_encode(&[9u8; 15]),
        b64_encode(&[9u8; 17]),
        String::new(),
    ] {
        let expected = Err(Error::FieldLength {
            field: Field::Iv,
            expected: 22,
            found: iv.len(),
        });
        let sealed = crafted("1", &iv, &good_ct, "");
        assert_eq!(unseal(&sealed), expected, "iv {iv:?}");
        assert_eq!(unseal(&with_wrong_mac(&sealed)), expected, "iv {iv:?}");
    }
    // The control: the good fields behind the same construction open.
    assert_eq!(
        unseal(&crafted("1", &good_iv, &good_ct, "")).unwrap(),
        PAYLOAD
    );
}

#[test]
fn empty_encryption_salt_behind_a_valid_mac_does_not_decrypt() {
    let (iv, ct) = good_iv_and_ciphertext();
    let sealed = iron_finish(&format!("Fe26.2*1**{iv}*{ct}*"), PASSWORD, HMAC_SALT);
    assert_eq!(unseal(&sealed), Err(NO_ENCRYPTION_SALT));
    // A misconfigured encryption secret is still reported as such.
    let split = Password::separate(Secret::text("short"), Secret::text(PASSWORD));
    assert_eq!(
        unseal_at(&sealed, &split, &Options::default(), NOW),
        Err(Error::PasswordTooShort { min: 32 })
    );
}

#[test]
fn ciphertext_and_iv_must_be_canonical_base64url() {
    let (iv, ct) = good_iv_and_ciphertext();
    // `=` padding, standard-alphabet characters, and non-zero trailing bits are refused even
    // behind a valid HMAC (Iron would accept the last one).
    let last = ct.chars().last().unwrap();
    let flipped = flip_trailing_bits(last);
    let non_canonical_ct = format!("{}{flipped}", &ct[..ct.len() - 1]);
    assert_eq!(
        lenient().decode(&non_canonical_ct).unwrap(),
        b64_decode(&ct),
        "the test really changes only trailing bits"
    );
    for bad_ct in [
        format!("{ct}="),
        format!("{ct}=="),
        non_canonical_ct,
        ct.replace('-', "+").replace('_', "/") + "+/",
    ] {
        let sealed = crafted("1", &iv, &bad_ct, "");
        assert_eq!(
            unseal(&sealed),
            Err(Error::InvalidBase64 {
                field: Field::Ciphertext
            }),
            "{bad_ct}"
        );
    }
}

// ----- non-canonical HMAC spellings -----

/// A decoder that accepts padding and stray trailing bits, like the JavaScript decoders do.
fn lenient() -> GeneralPurpose {
    GeneralPurpose::new(
        &URL_SAFE,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    )
}

/// The base64url character with the same top 4 bits and different low 2 bits.
fn flip_trailing_bits(c: char) -> char {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = ALPHABET.iter().position(|&a| char::from(a) == c).unwrap();
    char::from(ALPHABET[index ^ 1])
}

#[test]
fn non_canonical_spellings_of_the_right_mac_are_refused() {
    let sealed = sealed_with_ttl(None);
    let mac = fields(&sealed)[7].to_owned();
    assert_eq!(mac.len(), 43);
    let flipped = format!(
        "{}{}",
        &mac[..42],
        flip_trailing_bits(mac.chars().last().unwrap())
    );
    let padded = format!("{mac}=");
    for spelling in [&flipped, &padded] {
        // Same 32 bytes to a lenient decoder...
        assert_eq!(
            lenient().decode(spelling).unwrap(),
            b64_decode(&mac),
            "{spelling}"
        );
        // ...but not the string the seal's HMAC is written as.
        assert_eq!(
            unseal(&with_field(&sealed, 7, spelling)),
            Err(Error::BadMac),
            "{spelling}"
        );
    }
    for other in [String::new(), mac[..42].to_owned(), format!("{mac}A")] {
        assert_eq!(unseal(&with_field(&sealed, 7, &other)), Err(Error::BadMac));
    }
    assert_eq!(unseal(&sealed).unwrap(), PAYLOAD);
}

// ----- password id lookup -----

#[test]
fn inherited_javascript_names_are_not_password_ids() {
    let map = HashMap::from([
        ("1".to_owned(), password()),
        ("default".to_owned(), password()),
    ]);
    for id in [
        "constructor",
        "__proto__",
        "toString",
        "hasOwnProperty",
        "valueOf",
        "prototype",
    ] {
        let sealed = seal_at(
            PAYLOAD,
            &PasswordId::new(id).unwrap(),
            &password(),
            &Options::default(),
            NOW,
            OsRandom,
        )
        .unwrap();
        assert_eq!(
            unseal_at(&sealed, &map, &Options::default(), NOW),
            Err(Error::UnknownPasswordId { id: id.into() })
        );
    }
}

#[test]
fn empty_id_looks_up_default() {
    let sealed = seal_at(
        PAYLOAD,
        &PasswordId::NONE,
        &password(),
        &Options::default(),
        NOW,
        OsRandom,
    )
    .unwrap();
    assert_eq!(fields(&sealed)[1], "");
    let with_default = HashMap::from([("default".to_owned(), password())]);
    assert_eq!(
        unseal_at(&sealed, &with_default, &Options::default(), NOW).unwrap(),
        PAYLOAD
    );
    let without = HashMap::from([("1".to_owned(), password())]);
    let err = unseal_at(&sealed, &without, &Options::default(), NOW).unwrap_err();
    assert_eq!(
        err,
        Error::UnknownPasswordId {
            id: "default".into()
        }
    );
    assert_eq!(err.to_string(), "cannot find password: default");
    // A single password ignores the id entirely.
    assert_eq!(unseal(&sealed).unwrap(), PAYLOAD);
}

#[test]
fn an_id_named_default_is_an_ordinary_id() {
    let sealed = seal_at(
        PAYLOAD,
        &PasswordId::new("default").unwrap(),
        &password(),
        &Options::default(),
        NOW,
        OsRandom,
    )
    .unwrap();
    let map = HashMap::from([("default".to_owned(), password())]);
    assert_eq!(
        unseal_at(&sealed, &map, &Options::default(), NOW).unwrap(),
        PAYLOAD
    );
}

#[test]
fn unknown_long_ids_are_cut_to_64_characters() {
    let long = "ab".repeat(5_000);
    let sealed = seal_at(
        PAYLOAD,
        &PasswordId::new(long.clone()).unwrap(),
        &password(),
        &Options::default(),
        NOW,
        OsRandom,
    )
    .unwrap();
    assert_eq!(fields(&sealed)[1].len(), 10_000);
    let map = HashMap::from([("1".to_owned(), password())]);
    let err = unseal_at(&sealed, &map, &Options::default(), NOW).unwrap_err();
    assert_eq!(
        err,
        Error::UnknownPasswordId {
            id: "ab".repeat(32)
        }
    );
    assert_eq!(err.to_string().len(), "cannot find password: ".len() + 64);
    // A single password still opens it.
    assert_eq!(unseal(&sealed).unwrap(), PAYLOAD);
}

#[test]
fn unknown_ids_from_a_hostile_seal_are_cut_to_64_characters_too() {
    // Field 1 of a received seal is not checked against `\w+`; it is only looked up.
    let id = "é".repeat(100);
    let sealed = with_field(&sealed_with_ttl(None), 1, &id);
    let map = HashMap::from([("1".to_owned(), password())]);
    assert_eq!(
        unseal_at(&sealed, &map, &Options::default(), NOW),
        Err(Error::UnknownPasswordId {
            id: "é".repeat(64)
        })
    );
}

#[test]
fn password_ids_follow_javascripts_ascii_word_rule() {
    for good in ["1", "a", "Z9", "_", "key_2024", "0"] {
        assert_eq!(PasswordId::new(good).unwrap().as_str(), good);
    }
    for bad in ["", "asd$", "a-b", "a b", "é", "a.b", "a*b", "a~2", "١"] {
        assert_eq!(
            PasswordId::new(bad),
            Err(Error::InvalidPasswordId),
            "{bad:?}"
        );
    }
}

// ----- raw keys -----

#[test]
fn a_raw_key_seal_has_empty_salt_fields() {
    let key = Password::from(Secret::key([7u8; 32]));
    let sealed = seal_at(PAYLOAD, &id1(), &key, &Options::default(), NOW, OsRandom).unwrap();
    let f = fields(&sealed);
    assert_eq!((f[2], f[6]), ("", ""));
    assert_eq!(f[3].len(), 22);
    assert_eq!(f[7].len(), 43);
    assert_eq!(
        unseal_at(&sealed, &key, &Options::default(), NOW).unwrap(),
        PAYLOAD
    );
    // A text password cannot open it (Iron would derive with a fresh random salt; here the
    // empty salt is refused for its length before any key is derived)...
    assert_eq!(unseal(&sealed), Err(NO_ENCRYPTION_SALT));
    // ...and a raw key cannot open a text-password seal (Iron: a bad MAC; here its salts are
    // refused for their length, before the MAC is computed).
    assert_eq!(
        unseal_at(&sealed_with_ttl(None), &key, &Options::default(), NOW),
        Err(Error::FieldLength {
            field: Field::EncryptionSalt,
            expected: 0,
            found: 64
        })
    );
}

/// Made by iron-session 9.0.1's `sealData` (iron-webcrypto 2.0.0) with the raw key 0x00..0x1f as
/// password 1 and a one-hour ttl: `{"a":1}`, expiring at 1796098390311.
const NODE_RAW_KEY_SEAL: &str = "Fe26.2*1**BGSJu9E0vLA_bSnMGZJCoQ*HKiW0vL5B2q9rMgultQIEA*1796098390311**ah9wzJnL5wk5c0cbPLKTUkKfQaBO2BKiZSkzfQXTrCY";
/// The same seal with the encryption salt `cd` × 32, and its MAC recomputed by Node's
/// `crypto.createHmac('sha256', key)` over the new fields 0 to 5: a valid MAC.
const NODE_RAW_KEY_SEAL_WITH_ENCRYPTION_SALT: &str = "Fe26.2*1*cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd*BGSJu9E0vLA_bSnMGZJCoQ*HKiW0vL5B2q9rMgultQIEA*1796098390311**xrgK63QopkNogBcWpbn3mNh0EcDgmSHeDKx12Enp7DI";
/// The encryption salt `z`, MAC recomputed the same way.
const NODE_RAW_KEY_SEAL_WITH_ONE_CHARACTER_ENCRYPTION_SALT: &str = "Fe26.2*1*z*BGSJu9E0vLA_bSnMGZJCoQ*HKiW0vL5B2q9rMgultQIEA*1796098390311**BCCQmP70hy-gZLC6ePzuBwJBfC9dXfdvueFizJaezvo";

fn unseal_node_raw_key_seal(sealed: &str) -> Result<Vec<u8>, Error> {
    let key: Vec<u8> = (0u8..32).collect();
    let an_hour_before_expiry = 1_796_098_390_311 - 3_600_000;
    unseal_at(
        sealed,
        &Password::from(Secret::key(key)),
        &Options::default(),
        an_hour_before_expiry,
    )
}

#[test]
fn a_raw_key_seal_from_iron_session_9_opens() {
    assert_eq!(
        unseal_node_raw_key_seal(NODE_RAW_KEY_SEAL).as_deref(),
        Ok(&br#"{"a":1}"#[..])
    );
}

/// The HMAC salt is outside the MAC and unused with a raw key: iron-session 9, iron-webcrypto 1
/// and 2 and @hapi/iron all still open the seal whatever it holds. Refused here, before the MAC.
#[test]
fn a_raw_key_seal_with_an_hmac_salt_is_refused_though_iron_session_9_opens_it() {
    for salt in ["ab".repeat(32), "x".to_owned()] {
        let sealed = with_field(NODE_RAW_KEY_SEAL, 6, &salt);
        assert_eq!(
            unseal_node_raw_key_seal(&sealed),
            Err(Error::FieldLength {
                field: Field::HmacSalt,
                expected: 0,
                found: salt.len()
            })
        );
    }
}

/// An encryption salt behind a valid MAC: the Iron peers open it (they ignore the salt with a
/// raw key), but no Iron writes one, so it is refused as a field of the wrong length.
#[test]
fn a_raw_key_seal_with_an_encryption_salt_is_refused_though_iron_session_9_opens_it() {
    for (sealed, found) in [
        (NODE_RAW_KEY_SEAL_WITH_ENCRYPTION_SALT, 64),
        (NODE_RAW_KEY_SEAL_WITH_ONE_CHARACTER_ENCRYPTION_SALT, 1),
    ] {
        assert_eq!(
            unseal_node_raw_key_seal(sealed),
            Err(Error::FieldLength {
                field: Field::EncryptionSalt,
                expected: 0,
                found
            })
        );
    }
}

#[test]
fn a_raw_key_seal_draws_only_the_iv() {
    let key = Password::from(Secret::key([7u8; 32]));
    let sealed = seal_at(
        PAYLOAD,
        &id1(),
        &key,
        &Options::default(),
        NOW,
        common::FixedRandom::new(vec![0xAB; 16]),
    )
    .unwrap();
    assert_eq!(fields(&sealed)[3], b64_encode(&[0xAB; 16]));
}

#[test]
fn raw_encryption_keys_must_be_exactly_32_bytes() {
    let long = Password::from(Secret::key([7u8; 33]));
    assert_eq!(
        seal_at(PAYLOAD, &id1(), &long, &Options::default(), NOW, OsRandom),
        Err(Error::KeyLength { expected: 32 })
    );
    let short = Password::from(Secret::key([7u8; 31]));
    assert_eq!(
        seal_at(PAYLOAD, &id1(), &short, &Options::default(), NOW, OsRandom),
        Err(Error::KeyTooSmall { min: 32 })
    );
    // A longer integrity key is fine: HMAC takes any key length.
    let split = Password::separate(Secret::key([7u8; 32]), Secret::key([8u8; 64]));
    let sealed = seal_at(PAYLOAD, &id1(), &split, &Options::default(), NOW, OsRandom).unwrap();
    assert_eq!(
        unseal_at(&sealed, &split, &Options::default(), NOW).unwrap(),
        PAYLOAD
    );
}

#[test]
fn a_failing_random_source_fails_the_seal() {
    assert_eq!(
        seal_at(
            PAYLOAD,
            &id1(),
            &password(),
            &Options::default(),
            NOW,
            FailingRandom
        ),
        Err(Error::Random)
    );
}

// ----- password length in UTF-16 code units -----

#[test]
fn password_length_counts_utf16_units_not_bytes() {
    // 15 keys (2 units, 4 bytes each) and one ASCII letter: 31 units, 61 bytes.
    let short = format!("{}a", "🔑".repeat(15));
    assert_eq!(short.len(), 61);
    let err = seal_at(
        PAYLOAD,
        &id1(),
        &Password::from(short.as_str()),
        &Options::default(),
        NOW,
        OsRandom,
    )
    .unwrap_err();
    assert_eq!(err, Error::PasswordTooShort { min: 32 });
    // 31 two-byte characters: 31 units, 62 bytes.
    let accents = "é".repeat(31);
    assert_eq!(
        seal_at(
            PAYLOAD,
            &id1(),
            &Password::from(accents.as_str()),
            &Options::default(),
            NOW,
            OsRandom
        ),
        Err(Error::PasswordTooShort { min: 32 })
    );
    // 16 keys: 32 units (only 16 code points), accepted.
    let enough = Password::from("🔑".repeat(16));
    let sealed = seal_at(PAYLOAD, &id1(), &enough, &Options::default(), NOW, OsRandom).unwrap();
    assert_eq!(
        unseal_at(&sealed, &enough, &Options::default(), NOW).unwrap(),
        PAYLOAD
    );
    // The same short password is refused on unseal too.
    assert_eq!(
        unseal_at(
            &sealed,
            &Password::from(short.as_str()),
            &Options::default(),
            NOW
        ),
        Err(Error::PasswordTooShort { min: 32 })
    );
}

#[test]
fn ascii_password_boundary_is_32() {
    let sealed = sealed_with_ttl(None);
    assert_eq!(
        unseal_at(
            &sealed,
            &Password::from("x".repeat(31)),
            &Options::default(),
            NOW
        ),
        Err(Error::PasswordTooShort { min: 32 })
    );
    assert_eq!(
        unseal_at(
            &sealed,
            &Password::from("x".repeat(32)),
            &Options::default(),
            NOW
        ),
        Err(Error::BadMac)
    );
}

#[test]
fn vector_9_unicode_password_is_accepted() {
    // 38 UTF-16 units, 37 code points, 46 UTF-8 bytes (reference §3).
    let pw = "pässwörd-🔑-ünïcödé-at-least-32-chars!";
    assert_eq!(pw.len(), 46);
    assert_eq!(pw.chars().count(), 37);
    let sealed = seal_at(
        PAYLOAD,
        &id1(),
        &Password::from(pw),
        &Options::default(),
        NOW,
        OsRandom,
    )
    .unwrap();
    // The key comes from the UTF-8 bytes (checked independently).
    let f = fields(&sealed);
    assert_eq!(iron_finish(&common::mac_base(&sealed), pw, f[6]), sealed);
    assert_eq!(
        unseal_at(&sealed, &Password::from(pw), &Options::default(), NOW).unwrap(),
        PAYLOAD
    );
}

// ----- nothing secret in Debug or error messages -----

#[test]
fn debug_never_shows_a_secret() {
    let text = Secret::text(PASSWORD);
    let key = Secret::key(*b"KEYBYTES-KEYBYTES-KEYBYTES-KEYBY");
    let shown = [
        format!("{text:?}"),
        format!("{key:?}"),
        format!("{:?}", Password::new(text.clone())),
        format!("{:?}", Password::separate(text.clone(), key.clone())),
        format!("{:#?}", Password::separate(key.clone(), text.clone())),
        format!(
            "{:?}",
            HashMap::from([("1".to_owned(), Password::new(key.clone()))])
        ),
    ];
    for s in &shown {
        assert!(!s.contains(PASSWORD), "{s}");
        assert!(!s.contains("complex"), "{s}");
        assert!(!s.contains("KEYBYTES"), "{s}");
        assert!(!s.contains("75, 69, 89"), "{s}"); // "KEY" as a byte list
        assert!(s.contains("redacted"), "{s}");
    }
}

#[test]
fn no_error_message_contains_the_password_or_the_plaintext() {
    const SECRET_DATA: &str = "TOP-SECRET-PLAINTEXT";
    let plaintext = format!(r#"{{"data":"{SECRET_DATA}"}}"#);
    let sealed = seal_at(
        plaintext.as_bytes(),
        &id1(),
        &password(),
        &Options::default().with_ttl_ms(Some(1)),
        NOW,
        OsRandom,
    )
    .unwrap();
    let late = NOW + 60_001;
    let map = HashMap::from([("2".to_owned(), password())]);
    let mut errors = vec![
        unseal_at(&sealed, &password(), &Options::default(), late).unwrap_err(),
        unseal_at(&sealed, &map, &Options::default(), NOW).unwrap_err(),
        unseal_at(
            &with_wrong_mac(&sealed),
            &password(),
            &Options::default(),
            NOW,
        )
        .unwrap_err(),
        unseal_at(
            &sealed,
            &Password::from(&PASSWORD[..20]),
            &Options::default(),
            NOW,
        )
        .unwrap_err(),
        unseal_at(
            &with_field(&sealed, 0, "Fe26.1"),
            &password(),
            &Options::default(),
            NOW,
        )
        .unwrap_err(),
        unseal_at(
            &with_field(&sealed, 5, "x"),
            &password(),
            &Options::default(),
            NOW,
        )
        .unwrap_err(),
        unseal_at("a*b", &password(), &Options::default(), NOW).unwrap_err(),
        seal_at(
            plaintext.as_bytes(),
            &id1(),
            &Password::from(&PASSWORD[..20]),
            &Options::default(),
            NOW,
            OsRandom,
        )
        .unwrap_err(),
        // JSON errors of several kinds, over text holding the secret data.
        parse_json::<Value>(format!(r#"{{"data":"{SECRET_DATA}""#).as_bytes()).unwrap_err(),
        parse_json::<Value>(SECRET_DATA.as_bytes()).unwrap_err(),
        parse_json::<u32>(format!(r#""{SECRET_DATA}""#).as_bytes()).unwrap_err(),
        parse_json::<Vec<u8>>(format!(r#"{{"{SECRET_DATA}":1}}"#).as_bytes()).unwrap_err(),
        parse_json::<std::collections::BTreeMap<String, u8>>(
            format!(r#"{{"k":"{SECRET_DATA}"}}"#).as_bytes(),
        )
        .unwrap_err(),
    ];
    // A valid MAC over garbage, for the post-MAC errors.
    let (iv, ct) = good_iv_and_ciphertext();
    errors.push(unseal(&crafted("1", &iv, "??", "")).unwrap_err());
    errors.push(unseal(&crafted("1", &b64_encode(&[0; 3]), &ct, "")).unwrap_err());
    errors.push(unseal(&crafted("1", &iv, &b64_encode(&[0; 5]), "")).unwrap_err());

    assert_eq!(errors.len(), 16);
    for err in &errors {
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains("complex_password"), "{shown}");
            assert!(!shown.contains(SECRET_DATA), "{shown}");
            assert!(!shown.contains("TOP-SECRET"), "{shown}");
        }
    }
    // Each kind of failure is represented.
    assert!(errors.iter().any(|e| matches!(e, Error::Json(_))));
    assert!(errors.iter().any(|e| matches!(e, Error::Expired { .. })));
    assert!(errors.iter().any(|e| matches!(e, Error::Decrypt)));
}

// ----- empty plaintext -----

#[test]
fn an_empty_plaintext_seals_to_one_block_and_reads_as_json_null() {
    let sealed = seal_at(b"", &id1(), &password(), &Options::default(), NOW, OsRandom).unwrap();
    // PKCS#7 pads nothing to one full block: 16 bytes, 22 base64url characters.
    assert_eq!(fields(&sealed)[4].len(), 22);
    let plaintext = unseal(&sealed).unwrap();
    assert!(plaintext.is_empty());
    // iron-webcrypto returns `null` for an empty plaintext.
    assert_eq!(parse_json::<Value>(&plaintext).unwrap(), Value::Null);
    assert_eq!(parse_json::<Option<u32>>(&plaintext).unwrap(), None);
    assert!(matches!(parse_json::<u32>(&plaintext), Err(Error::Json(_))));
}
