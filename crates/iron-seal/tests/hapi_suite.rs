//! The cases of @hapi/iron 7.0.1's `test/index.js` that apply to a Rust API, plus the extra
//! aes-128-ctr ticket of iron-webcrypto 1.2.1's `tests/index.ts`. Tickets, password and salts are
//! the peers' test data; crafted tickets get their HMAC from the independent implementation in
//! `common`, as the peers' tests compute theirs.

mod common;

use std::collections::{BTreeMap, HashMap};

use common::{
    HAPI_OBJECT_JSON, HAPI_PASSWORD, NOW, b64_encode, fields, hapi_object, hmac_b64, iron_finish,
    iron_key, iron_seal_independent, mac_base,
};
use iron_seal::{
    Cipher, Error, Field, Options, OsRandom, Password, PasswordId, RandomSource, Secret,
    parse_json, seal_at, seal_json, unseal_at,
};
use serde_json::Value;

/// @hapi/iron's "unseals a ticket" ticket: empty id, no expiration.
const GOOD_TICKET: &str = "Fe26.2**0cdd607945dd1dffb7da0b0bf5f1a7daa6218cbae14cac51dcbd91fb077aeb5b*aOZLCKLhCt0D5IU1qLTtYw*g0ilNDlQ3TsdFUqJCqAm9iL7Wa60H7eYcHL_5oP136TOJREkS3BzheDC1dlxz5oJ**05b8943049af490e913bbc3a2485bee2aaf7b823f4c41d0ff0b7c168371a3772*R8yscVdTBRMdsoVbdDiFmUL8zb-c3PQLGJn4Y8C-AqI";
/// The ticket of the "number of sealed components", "password is missing" and "mac prefix" cases.
const OTHER_TICKET: &str = "Fe26.2**a6dc6339e5ea5dfe7a135631cf3b7dcf47ea38246369d45767c928ea81781694*D3DLEoi-Hn3c972TPpZXqw*mCBhmhHhRKk9KtBjwu3h-1lx1MHKkgloQPKRkQZxpnDwYnFkb3RqdVTQRcuhGf4M**ff2bf988aa0edf2b34c02d220a45c4a3c572dac6b995771ed20de58da919bfa5*HfWzyJlz_UP9odmXvUaVK1TtdDuOCaezr-TAg2GjBCU";
/// The ticket of the "integrity check fails" case.
const BAD_HMAC_TICKET: &str = "Fe26.2**b3ad22402ccc60fa4d527f7d1c9ff2e37e9b2e5723e9e2ffba39a489e9849609*QKCeXLs6Rp7f4LL56V7hBg*OvZEoAq_nGOpA1zae-fAtl7VNCNdhZhCqo-hWFCBeWuTTpSupJ7LxQqzSQBRAcgw**72018a21d3fac5c1608a0f9e461de0fcf17b2befe97855978c17a793faa01db1*Qj53DFE3GZd5yigt-mVl9lnp0VUoSjh5a5jgDmod1EZ";
/// iron-webcrypto's "unseals a aes-128-ctr ticket" ticket.
const AES128CTR_TICKET: &str = "Fe26.2**63c87cc87254b834dbb13cc62abc8713d1da035a9b38f54e5d5795135e217167*TpIsHHn-7txnl14Or7-D6A*HFGMGpcTRPUBSTQobuo27KOZ76MhVWgOsjA5SkFoy3vyqaHuixbd**3c8c403569a744a39c58adfb81e654f6860cb01f145488313e1895276e719f52*d5J1jY3WxP61klQza6q7zTqiYpjWPwocqHmjtDcSeq0";

/// Salts of the crafted-ticket cases.
const CRAFT_SALT_1: &str = "ff2bf988aa0edf2b34c02d220a45c4a3c572dac6b995771ed20de58da919bfa5";
const CRAFT_SALT_2: &str = "e4fe33b6dc4c7ef5ad7907f015deb7b03723b03a54764aceeb2ab1235cc8dce3";
/// Mac base strings of the crafted-ticket cases.
const BASE_BAD_CIPHERTEXT: &str = "Fe26.2**a6dc6339e5ea5dfe7a135631cf3b7dcf47ea38246369d45767c928ea81781694*D3DLEoi-Hn3c972TPpZXqw*mCBhmhHhRKk9KtBjwu3h-1lx1MHKkgloQPKRkQZxpnDwYnFkb3RqdVTQRcuhGf4M??*";
const BASE_BAD_IV: &str = "Fe26.2**a6dc6339e5ea5dfe7a135631cf3b7dcf47ea38246369d45767c928ea81781694*D3DLEoi-Hn3c972TPpZXqw??*mCBhmhHhRKk9KtBjwu3h-1lx1MHKkgloQPKRkQZxpnDwYnFkb3RqdVTQRcuhGf4M*";
const BASE_EXPIRED: &str = "Fe26.2**a38dc7a7bf2f8ff650b103d8c669d76ad219527fbfff3d98e3b30bbecbe9bd3b*nTsatb7AQE1t0uMXDx-2aw*uIO5bRFTwEBlPC1Nd_hfSkZfqxkxuY1EO2Be_jJPNQCqFNumRBjQAl8WIKBW1beF*1380495854060";
const BASE_NAN_EXPIRATION: &str = "Fe26.2**a38dc7a7bf2f8ff650b103d8c669d76ad219527fbfff3d98e3b30bbecbe9bd3b*nTsatb7AQE1t0uMXDx-2aw*uIO5bRFTwEBlPC1Nd_hfSkZfqxkxuY1EO2Be_jJPNQCqFNumRBjQAl8WIKBW1beF*a";

fn password() -> Password {
    Password::from(HAPI_PASSWORD)
}

fn default_map(password: Password) -> HashMap<String, Password> {
    HashMap::from([("default".to_owned(), password)])
}

fn random_key(len: usize) -> Vec<u8> {
    let mut key = vec![0u8; len];
    OsRandom.fill(&mut key).unwrap();
    key
}

fn seal_obj(id: &PasswordId, password: &Password, options: &Options, now: u64) -> String {
    seal_at(
        HAPI_OBJECT_JSON.as_bytes(),
        id,
        password,
        options,
        now,
        OsRandom,
    )
    .expect("seal")
}

fn assert_obj(plaintext: Result<Vec<u8>, Error>) {
    let plaintext = plaintext.expect("unseal");
    assert_eq!(plaintext, HAPI_OBJECT_JSON.as_bytes());
    let value: Value = parse_json(&plaintext).unwrap();
    assert_eq!(value, hapi_object());
}

// ----- round trips -----

#[test]
fn turns_object_into_a_ticket_then_parses_it_with_a_default_map() {
    let sealed = seal_obj(&PasswordId::NONE, &password(), &Options::default(), NOW);
    // A bare string password writes no id, so the reader looks up `default`.
    assert_eq!(fields(&sealed)[1], "");
    assert_eq!(fields(&sealed)[5], "", "no ttl, no expiration");
    assert_obj(unseal_at(
        &sealed,
        &default_map(password()),
        &Options::default(),
        NOW,
    ));
}

#[test]
fn seal_json_of_the_object_unseals_to_it() {
    let sealed = seal_json(
        &hapi_object(),
        &PasswordId::NONE,
        &password(),
        &Options::default(),
    )
    .unwrap();
    assert_obj(unseal_at(&sealed, &password(), &Options::default(), NOW));
}

#[test]
fn unseals_a_sealed_object_with_expiration() {
    let options = Options::default().with_ttl_ms(Some(200));
    let sealed = seal_obj(&PasswordId::NONE, &password(), &options, NOW);
    assert_eq!(fields(&sealed)[5], "1700000000200");
    // Unsealed with the defaults: the reader's ttl plays no part.
    assert_obj(unseal_at(
        &sealed,
        &default_map(password()),
        &Options::default(),
        NOW,
    ));
}

#[test]
fn unseals_a_sealed_object_with_expiration_and_time_offset() {
    let options = Options::default()
        .with_ttl_ms(Some(200))
        .with_localtime_offset_ms(-100_000);
    let sealed = seal_obj(&PasswordId::NONE, &password(), &options, NOW);
    assert_eq!(fields(&sealed)[5], (NOW - 100_000 + 200).to_string());
    let reader = Options::default().with_localtime_offset_ms(-100_000);
    assert_obj(unseal_at(&sealed, &default_map(password()), &reader, NOW));
    // Without the offset, the reader's clock is 100 s ahead: past expiration + 60 s skew.
    assert_eq!(
        unseal_at(&sealed, &default_map(password()), &Options::default(), NOW),
        Err(Error::Expired {
            expired_at_ms: NOW - 100_000 + 200
        })
    );
}

#[test]
fn round_trip_with_a_raw_key() {
    let key = Password::from(Secret::key(random_key(32)));
    let sealed = seal_obj(&PasswordId::NONE, &key, &Options::default(), NOW);
    assert_obj(unseal_at(&sealed, &key, &Options::default(), NOW));
}

#[test]
fn round_trip_with_a_raw_key_in_a_default_map() {
    let key = Password::from(Secret::key(random_key(32)));
    let sealed = seal_obj(&PasswordId::NONE, &key, &Options::default(), NOW);
    assert_obj(unseal_at(
        &sealed,
        &default_map(key),
        &Options::default(),
        NOW,
    ));
}

#[test]
fn round_trip_with_a_password_object_id_1() {
    let id = PasswordId::new("1").unwrap();
    let sealed = seal_obj(&id, &password(), &Options::default(), NOW);
    assert_eq!(fields(&sealed)[1], "1");
    let map = HashMap::from([("1".to_owned(), password())]);
    assert_obj(unseal_at(&sealed, &map, &Options::default(), NOW));
}

#[test]
fn handles_separate_password_buffers() {
    let encryption = random_key(32);
    let integrity = random_key(32);
    let key = Password::separate(
        Secret::key(encryption.clone()),
        Secret::key(integrity.clone()),
    );
    let id = PasswordId::new("1").unwrap();
    let sealed = seal_obj(&id, &key, &Options::default(), NOW);
    let map = HashMap::from([("1".to_owned(), key)]);
    assert_obj(unseal_at(&sealed, &map, &Options::default(), NOW));

    // The HMAC is keyed by the integrity key alone (checked independently)...
    assert_eq!(
        fields(&sealed)[7],
        hmac_b64(&integrity, mac_base(&sealed).as_bytes())
    );
    // ...so the encryption key alone fails the integrity check...
    assert_eq!(
        unseal_at(
            &sealed,
            &Password::from(Secret::key(encryption)),
            &Options::default(),
            NOW
        ),
        Err(Error::BadMac)
    );
    // ...and the integrity key alone passes it but cannot decrypt (wrong AES key: the PKCS#7
    // padding check fails, or in the rare case it passes, the bytes are not the object).
    let integrity_only = unseal_at(
        &sealed,
        &Password::from(Secret::key(integrity)),
        &Options::default(),
        NOW,
    );
    assert_ne!(
        integrity_only.as_deref().ok(),
        Some(HAPI_OBJECT_JSON.as_bytes())
    );
    assert!(!matches!(integrity_only, Err(Error::BadMac)));
    let wrong_integrity =
        Password::separate(Secret::key(random_key(32)), Secret::key(random_key(32)));
    assert_eq!(
        unseal_at(&sealed, &wrong_integrity, &Options::default(), NOW),
        Err(Error::BadMac)
    );
}

#[test]
fn handles_a_common_password_buffer() {
    let key = Password::from(Secret::key(random_key(32)));
    let id = PasswordId::new("1").unwrap();
    let sealed = seal_obj(&id, &key, &Options::default(), NOW);
    let map = BTreeMap::from([("1".to_owned(), key)]);
    assert_obj(unseal_at(&sealed, &map, &Options::default(), NOW));
}

#[test]
fn hmac_with_a_raw_key_is_plain_hmac_sha256() {
    let raw = random_key(32);
    let sealed = seal_obj(
        &PasswordId::NONE,
        &Password::from(Secret::key(raw.clone())),
        &Options::default(),
        NOW,
    );
    assert_eq!(fields(&sealed)[6], "", "raw keys have no salt");
    assert_eq!(
        fields(&sealed)[7],
        hmac_b64(&raw, mac_base(&sealed).as_bytes())
    );
}

#[test]
fn hmac_with_a_text_password_matches_an_independent_computation() {
    let sealed = seal_obj(&PasswordId::NONE, &password(), &Options::default(), NOW);
    let f = fields(&sealed);
    assert_eq!(iron_finish(&mac_base(&sealed), HAPI_PASSWORD, f[6]), sealed);
}

// ----- failures when sealing -----

#[test]
fn fails_with_a_128_bit_key() {
    let key = Password::from(Secret::key(random_key(16)));
    assert_eq!(
        seal_at(
            HAPI_OBJECT_JSON.as_bytes(),
            &PasswordId::NONE,
            &key,
            &Options::default(),
            NOW,
            OsRandom
        ),
        Err(Error::KeyTooSmall { min: 32 })
    );
}

#[test]
fn fails_to_stringify_a_value_json_cannot_hold() {
    // The Rust counterpart of the cyclic array: a map whose keys are not strings.
    let mut value = BTreeMap::new();
    value.insert(vec![1u8, 2], 3u8);
    let err = seal_json(&value, &PasswordId::NONE, &password(), &Options::default()).unwrap_err();
    assert!(matches!(err, Error::Serialize(_)), "{err:?}");
    assert!(err.to_string().starts_with("failed to stringify object: "));
}

#[test]
fn fails_when_the_password_id_is_not_in_the_map() {
    let id = PasswordId::new("1").unwrap();
    let sealed = seal_obj(&id, &password(), &Options::default(), NOW);
    let map = HashMap::from([("2".to_owned(), password())]);
    let err = unseal_at(&sealed, &map, &Options::default(), NOW).unwrap_err();
    assert_eq!(err, Error::UnknownPasswordId { id: "1".into() });
    assert_eq!(err.to_string(), "cannot find password: 1");
}

#[test]
fn generate_key_rejects_an_empty_password() {
    for empty in [Password::from(""), Password::from(Secret::key(Vec::new()))] {
        assert_eq!(
            seal_at(
                b"data",
                &PasswordId::NONE,
                &empty,
                &Options::default(),
                NOW,
                OsRandom
            ),
            Err(Error::EmptyPassword)
        );
    }
}

#[test]
fn generate_key_rejects_a_short_password() {
    let err = seal_at(
        b"data",
        &PasswordId::NONE,
        &Password::from("password"),
        &Options::default(),
        NOW,
        OsRandom,
    )
    .unwrap_err();
    assert_eq!(err, Error::PasswordTooShort { min: 32 });
    assert_eq!(
        err.to_string(),
        "password string too short (min 32 characters required)"
    );
}

#[test]
fn seal_rejects_an_invalid_password_id() {
    assert_eq!(PasswordId::new("asd$"), Err(Error::InvalidPasswordId));
}

// ----- unseal() with fixed tickets -----

#[test]
fn unseals_the_good_ticket() {
    assert_obj(unseal_at(
        GOOD_TICKET,
        &password(),
        &Options::default(),
        NOW,
    ));
    // Empty id: a map is searched under `default`.
    assert_obj(unseal_at(
        GOOD_TICKET,
        &default_map(password()),
        &Options::default(),
        NOW,
    ));
    // No expiration: any clock will do.
    assert_obj(unseal_at(GOOD_TICKET, &password(), &Options::default(), 0));
}

#[test]
fn good_ticket_is_reproduced_by_the_independent_implementation() {
    let f = fields(GOOD_TICKET);
    let iv = common::b64_decode(f[3]);
    let independent = iron_seal_independent(
        HAPI_OBJECT_JSON.as_bytes(),
        "",
        HAPI_PASSWORD,
        f[2],
        &iv,
        "",
        f[6],
    );
    assert_eq!(independent, GOOD_TICKET);
}

#[test]
fn unseals_the_aes_128_ctr_ticket() {
    let ctr = Options::default().with_cipher(Cipher::Aes128Ctr);
    assert_obj(unseal_at(AES128CTR_TICKET, &password(), &ctr, NOW));
    // The MAC is fine, but 52 base64 characters are 39 bytes: no AES-CBC ciphertext.
    assert_eq!(
        unseal_at(AES128CTR_TICKET, &password(), &Options::default(), NOW),
        Err(Error::Decrypt)
    );
}

#[test]
fn aes_128_ctr_ticket_key_is_16_bytes_of_pbkdf2() {
    // CTR keeps the plaintext length: the ciphertext is as long as the JSON.
    let f = fields(AES128CTR_TICKET);
    assert_eq!(common::b64_decode(f[4]).len(), HAPI_OBJECT_JSON.len());
    // Decrypt it independently with AES-128-CTR (128-bit big-endian counter) and the first 16
    // bytes of PBKDF2.
    use aes::cipher::{KeyIvInit, StreamCipher};
    let key = iron_key(HAPI_PASSWORD, f[2], 16);
    let mut data = common::b64_decode(f[4]);
    ctr::Ctr128BE::<aes::Aes128>::new_from_slices(&key, &common::b64_decode(f[3]))
        .unwrap()
        .apply_keystream(&mut data);
    assert_eq!(data, HAPI_OBJECT_JSON.as_bytes());
}

#[test]
fn aes_128_ctr_round_trip() {
    let ctr = Options::default().with_cipher(Cipher::Aes128Ctr);
    let sealed = seal_obj(&PasswordId::NONE, &password(), &ctr, NOW);
    assert_eq!(
        common::b64_decode(fields(&sealed)[4]).len(),
        HAPI_OBJECT_JSON.len()
    );
    assert_obj(unseal_at(&sealed, &password(), &ctr, NOW));
}

#[test]
fn rejects_a_ticket_with_the_wrong_number_of_components() {
    let ticket = format!("x*{OTHER_TICKET}");
    let err = unseal_at(&ticket, &password(), &Options::default(), NOW).unwrap_err();
    assert_eq!(err, Error::ComponentCount { found: 9 });
    assert!(
        err.to_string()
            .starts_with("incorrect number of sealed components")
    );
}

#[test]
fn rejects_a_ticket_when_the_password_is_empty() {
    assert_eq!(
        unseal_at(OTHER_TICKET, &Password::from(""), &Options::default(), NOW),
        Err(Error::EmptyPassword)
    );
}

#[test]
fn rejects_a_ticket_with_the_wrong_mac_prefix() {
    let ticket = OTHER_TICKET.replacen("Fe26.2", "Fe27.2", 1);
    assert!(ticket.starts_with("Fe27.2**a6dc"));
    let err = unseal_at(&ticket, &password(), &Options::default(), NOW).unwrap_err();
    assert_eq!(err, Error::WrongPrefix);
    assert_eq!(err.to_string(), "wrong mac prefix");
}

#[test]
fn rejects_a_ticket_whose_integrity_check_fails() {
    let err = unseal_at(BAD_HMAC_TICKET, &password(), &Options::default(), NOW).unwrap_err();
    assert_eq!(err, Error::BadMac);
    assert_eq!(err.to_string(), "bad hmac value");
    // Independently: the HMAC written in the ticket is not the one the password gives.
    let f = fields(BAD_HMAC_TICKET);
    assert_ne!(
        iron_finish(&mac_base(BAD_HMAC_TICKET), HAPI_PASSWORD, f[6]),
        BAD_HMAC_TICKET
    );
}

#[test]
fn the_other_ticket_does_not_open_with_this_password_either() {
    // (Computed independently: its HMAC was made with another password.)
    let f = fields(OTHER_TICKET);
    assert_ne!(
        iron_finish(&mac_base(OTHER_TICKET), HAPI_PASSWORD, f[6]),
        OTHER_TICKET
    );
    assert_eq!(
        unseal_at(OTHER_TICKET, &password(), &Options::default(), NOW),
        Err(Error::BadMac)
    );
}

#[test]
fn rejects_invalid_base64_in_the_ciphertext_behind_a_valid_hmac() {
    // The base ends in `*`: an empty expiration field.
    let ticket = iron_finish(BASE_BAD_CIPHERTEXT, HAPI_PASSWORD, CRAFT_SALT_1);
    assert!(fields(&ticket)[4].ends_with("4M??"));
    let err = unseal_at(&ticket, &password(), &Options::default(), NOW).unwrap_err();
    assert_eq!(
        err,
        Error::InvalidBase64 {
            field: Field::Ciphertext
        }
    );
    assert_eq!(err.to_string(), "invalid base64 in the ciphertext field");
}

#[test]
fn rejects_invalid_base64_in_the_iv_behind_a_valid_hmac() {
    // @hapi/iron's bad IV is 24 characters: refused for its length before any key is derived.
    let ticket = iron_finish(BASE_BAD_IV, HAPI_PASSWORD, CRAFT_SALT_1);
    assert!(fields(&ticket)[3].ends_with("qw??"));
    let err = unseal_at(&ticket, &password(), &Options::default(), NOW).unwrap_err();
    assert_eq!(
        err,
        Error::FieldLength {
            field: Field::Iv,
            expected: 22,
            found: 24
        }
    );
    assert_eq!(
        err.to_string(),
        "the iv field must be 22 characters, found 24"
    );
    // The same bad characters at the right length reach the decoder.
    let base = BASE_BAD_IV.replace("D3DLEoi-Hn3c972TPpZXqw??", "D3DLEoi-Hn3c972TPpZX??");
    let ticket = iron_finish(&base, HAPI_PASSWORD, CRAFT_SALT_1);
    let err = unseal_at(&ticket, &password(), &Options::default(), NOW).unwrap_err();
    assert_eq!(err, Error::InvalidBase64 { field: Field::Iv });
    assert_eq!(err.to_string(), "invalid base64 in the iv field");
}

#[test]
fn rejects_a_decrypted_object_that_is_not_json() {
    let iv = [0x42u8; 16];
    let encryption_salt = "a6dc6339e5ea5dfe7a135631cf3b7dcf47ea38246369d45767c928ea81781694";
    let key = iron_key(HAPI_PASSWORD, encryption_salt, 32);
    let ciphertext = common::aes256cbc_encrypt(&key, &iv, b"{asdasd");
    let base = format!(
        "Fe26.2**{encryption_salt}*{}*{}*",
        b64_encode(&iv),
        b64_encode(&ciphertext)
    );
    let ticket = iron_finish(&base, HAPI_PASSWORD, CRAFT_SALT_1);

    let plaintext = unseal_at(&ticket, &password(), &Options::default(), NOW).unwrap();
    assert_eq!(plaintext, b"{asdasd");
    let err = parse_json::<Value>(&plaintext).unwrap_err();
    assert!(matches!(err, Error::Json(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("failed parsing sealed object JSON: ")
    );
    assert!(!err.to_string().contains("asdasd"));
}

#[test]
fn rejects_an_expired_crafted_ticket() {
    let ticket = iron_finish(BASE_EXPIRED, HAPI_PASSWORD, CRAFT_SALT_2);
    assert_eq!(
        unseal_at(&ticket, &password(), &Options::default(), NOW),
        Err(Error::Expired {
            expired_at_ms: 1_380_495_854_060
        })
    );
    // One millisecond earlier it is inside the skew, and since its HMAC is valid the checks go on
    // to decryption (its ciphertext is not ours, so the result does not matter here).
    let earlier = unseal_at(
        &ticket,
        &password(),
        &Options::default(),
        1_380_495_854_060 + 59_999,
    );
    assert!(
        !matches!(earlier, Err(Error::Expired { .. } | Error::BadMac)),
        "{earlier:?}"
    );
}

#[test]
fn rejects_a_crafted_ticket_with_a_nan_expiration() {
    let ticket = iron_finish(BASE_NAN_EXPIRATION, HAPI_PASSWORD, CRAFT_SALT_2);
    let err = unseal_at(&ticket, &password(), &Options::default(), NOW).unwrap_err();
    assert_eq!(err, Error::InvalidExpiration);
    assert_eq!(err.to_string(), "invalid expiration");
}
