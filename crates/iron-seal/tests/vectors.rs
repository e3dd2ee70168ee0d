//! The 16 interop vectors made by the real npm packages (iron-session 8.0.4 / @hapi/iron), in
//! `tests/data/iron-vectors.json`: every one must unseal to its exact JSON text, and every one must
//! be re-made byte for byte from its own salts, IV and expiration.

mod common;

use std::collections::HashMap;

use common::{CountingRandom, FixedRandom, NOW, b64_decode, hex_decode};
use iron_seal::{
    Error, Options, Password, PasswordId, PasswordLookup, SealParts, parse_json, seal_at, unseal_at,
};
use serde_json::Value;

const VECTORS_JSON: &str = include_str!("data/iron-vectors.json");

struct Vector {
    index: usize,
    /// The seal without iron-session's `~` suffix.
    seal: String,
    /// The full seal as stored, suffix included.
    full_seal: String,
    payload: Value,
    payload_json: String,
    ttl_s: u64,
    /// A text password, or a map of id to password.
    password: Value,
    expires_at_ms: Option<u64>,
    sealed_at_ms: Option<u64>,
}

fn vectors() -> Vec<Vector> {
    let all: Vec<Value> = serde_json::from_str(VECTORS_JSON).expect("vectors file is JSON");
    assert_eq!(all.len(), 16, "the vectors file holds 16 vectors");
    all.into_iter()
        .enumerate()
        .map(|(index, v)| {
            let full_seal = v["seal"].as_str().expect("seal").to_owned();
            let seal = match full_seal.split_once('~') {
                Some((seal, _suffix)) => seal.to_owned(),
                None => full_seal.clone(),
            };
            Vector {
                index,
                seal,
                full_seal,
                payload: v["payload"].clone(),
                payload_json: v["payload_json"].as_str().expect("payload_json").to_owned(),
                ttl_s: v["ttl"].as_u64().unwrap_or(0),
                password: v["password"].clone(),
                expires_at_ms: v["expires_at_ms"].as_u64(),
                sealed_at_ms: v["sealed_at_ms"].as_u64(),
            }
        })
        .collect()
}

fn vector(index: usize) -> Vector {
    vectors().into_iter().nth(index).expect("vector index")
}

impl Vector {
    /// A clock reading at which the seal is valid.
    fn valid_now(&self) -> u64 {
        self.sealed_at_ms.unwrap_or(NOW)
    }

    fn password_map(&self) -> Option<HashMap<String, Password>> {
        self.password.as_object().map(|map| {
            map.iter()
                .map(|(id, pw)| (id.clone(), Password::from(pw.as_str().expect("password"))))
                .collect()
        })
    }

    /// The password the seal was made with: the text password, or the map entry for its id.
    fn sealing_password(&self) -> Password {
        let id = fields_of(&self.seal)[1];
        match &self.password {
            Value::String(pw) => Password::from(pw.as_str()),
            Value::Object(map) => Password::from(map[id].as_str().expect("password")),
            other => panic!("vector {}: unexpected password {other}", self.index),
        }
    }
}

fn fields_of(seal: &str) -> Vec<&str> {
    seal.split('*').collect()
}

fn assert_unseals(v: &Vector, passwords: &impl PasswordLookup, how: &str) {
    let plaintext = unseal_at(&v.seal, passwords, &Options::default(), v.valid_now())
        .unwrap_or_else(|e| panic!("vector {} ({how}): {e:?}", v.index));
    assert_eq!(
        String::from_utf8(plaintext.clone()).expect("UTF-8 plaintext"),
        v.payload_json,
        "vector {} ({how}): plaintext differs from payload_json",
        v.index
    );
    let value: Value = parse_json(&plaintext).expect("plaintext is JSON");
    assert_eq!(value, v.payload, "vector {} ({how})", v.index);
}

#[test]
fn vectors_file_is_the_expected_one() {
    let all = vectors();
    // Spot checks against the copies printed in the reference (§3), so a truncated or altered file
    // fails here first.
    assert_eq!(
        all[0].full_seal,
        "Fe26.2*1*753b2657830352139ecf25c7d22b965442690cea53f92087636392cb91029b78*_keDiTXfslEfjXuU5_72LA*czxeopWJh3DL-J1sIu1spC04lY2sB2D0zo68tTJpkzo*1796994647219*b50f89bc8a74360f498d8b44ef4b1c6a1dc5cad4a3f83b7d8d7adf9729f824b6*zEoLVfXkPC6ppJVgh9V7FNq7bU54AogYb8QXdYvxDZ8~2"
    );
    assert_eq!(
        all[13].full_seal,
        "Fe26.2*1*000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f*ICEiIyQlJicoKSorLC0uLw*L3erVZTkOrdZt3MZ4kvZKcaoHBipxRGqyPbVLMqrda4*1701209600000*303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f*SSSYiPkK--pWtQtfCRGlassV1hf0nq22sQkBEHDZoO8~2"
    );
    // Only the legacy (#11) and raw Iron (#12) vectors lack the `~2` suffix.
    for v in &all {
        let has_suffix = v.full_seal.ends_with("~2");
        assert_eq!(
            has_suffix,
            !matches!(v.index, 11 | 12),
            "vector {}",
            v.index
        );
        assert_eq!(fields_of(&v.seal).len(), 8, "vector {}", v.index);
    }
}

#[test]
fn every_vector_unseals_to_its_exact_json_text() {
    for v in vectors() {
        match v.password_map() {
            Some(map) => assert_unseals(&v, &map, "password map"),
            None => {
                let pw = v.password.as_str().expect("text password");
                assert_unseals(&v, &Password::from(pw), "text password");
                // The same password in a map, under the key the seal's id looks up.
                let id = fields_of(&v.seal)[1];
                let key = if id.is_empty() { "default" } else { id };
                let map = HashMap::from([(key.to_owned(), Password::from(pw))]);
                assert_unseals(&v, &map, "single-entry map");
            }
        }
    }
}

#[test]
fn string_password_vectors_carry_id_1_and_raw_iron_has_none() {
    for v in vectors() {
        let id = fields_of(&v.seal)[1];
        let expected = match (v.index, &v.password) {
            (12, _) => "",
            (8, _) => "1",
            (_, Value::Object(_)) => "2",
            (_, _) => "1",
        };
        assert_eq!(id, expected, "vector {}", v.index);
    }
}

#[test]
fn every_vector_reseals_byte_for_byte() {
    for v in vectors() {
        let parts = SealParts::parse(&v.seal).expect("vector parses");
        let mut random = hex_decode(parts.encryption_salt());
        random.extend(b64_decode(parts.iv()));
        random.extend(hex_decode(parts.hmac_salt()));
        assert_eq!(random.len(), 32 + 16 + 32, "vector {}", v.index);

        let (now, ttl) = match parts.expiration_ms() {
            Some(exp) => {
                assert_eq!(Some(exp), v.expires_at_ms, "vector {}", v.index);
                let ttl_ms = v.ttl_s * 1000;
                assert!(ttl_ms > 0, "vector {}", v.index);
                (exp - ttl_ms, Some(ttl_ms))
            }
            None => {
                assert_eq!(v.expires_at_ms, None, "vector {}", v.index);
                (v.valid_now(), None)
            }
        };
        let id = if parts.password_id().is_empty() {
            PasswordId::NONE
        } else {
            PasswordId::new(parts.password_id()).expect("valid id")
        };
        let sealed = seal_at(
            v.payload_json.as_bytes(),
            &id,
            &v.sealing_password(),
            &Options::default().with_ttl_ms(ttl),
            now,
            FixedRandom::new(random),
        )
        .unwrap_or_else(|e| panic!("vector {}: {e:?}", v.index));
        assert_eq!(sealed, v.seal, "vector {}", v.index);
    }
}

#[test]
fn deterministic_vectors_reseal_with_a_counting_random_source() {
    let v13 = vector(13);
    let v14 = vector(14);
    // One counter for both, as the npm run patched getRandomValues once for the whole session.
    let mut counter = CountingRandom(0);

    let sealed13 = seal_at(
        v13.payload_json.as_bytes(),
        &PasswordId::new("1").unwrap(),
        &Password::from(v13.password.as_str().unwrap()),
        &Options::default().with_ttl_ms(Some(1_209_600_000)),
        NOW,
        &mut counter,
    )
    .unwrap();
    assert_eq!(sealed13, v13.seal);
    assert_eq!(counter.0, 80, "#13 draws 32 + 16 + 32 bytes");

    let sealed14 = seal_at(
        v14.payload_json.as_bytes(),
        &PasswordId::new("2").unwrap(),
        &Password::from(v14.password["2"].as_str().unwrap()),
        &Options::default(),
        NOW,
        &mut counter,
    )
    .unwrap();
    assert_eq!(sealed14, v14.seal);
    // Field 2 of #14 starts at byte 0x50, field 3 at 0x70 (reference §3).
    assert!(sealed14.starts_with("Fe26.2*2*505152535455"));
    assert_eq!(fields_of(&sealed14)[3], "cHFyc3R1dnd4eXp7fH1-fw");
}

#[test]
fn deterministic_vector_13_expiration_is_now_plus_14_days() {
    let v13 = vector(13);
    let parts = SealParts::parse(&v13.seal).unwrap();
    assert_eq!(
        parts.expiration_ms(),
        Some(1_700_000_000_000 + 14 * 86_400_000)
    );
    let password = Password::from(v13.password.as_str().unwrap());
    let exp = 1_701_209_600_000;
    assert!(unseal_at(&v13.seal, &password, &Options::default(), exp + 59_999).is_ok());
    assert_eq!(
        unseal_at(&v13.seal, &password, &Options::default(), exp + 60_000),
        Err(Error::Expired { expired_at_ms: exp })
    );
}

#[test]
fn expired_vector_15_boundary() {
    let v = vector(15);
    let exp = v.expires_at_ms.expect("expiration");
    assert_eq!(exp, 1_795_785_048_257);
    let password = Password::from(v.password.as_str().unwrap());
    let options = Options::default();

    let ok = unseal_at(&v.seal, &password, &options, exp + 59_999).expect("inside the skew");
    assert_eq!(ok, v.payload_json.as_bytes());
    // iron-session still returned the payload 2 s after sealing (reference §3).
    assert!(
        unseal_at(
            &v.seal,
            &password,
            &options,
            v.sealed_at_ms.unwrap() + 2_000
        )
        .is_ok()
    );
    assert_eq!(
        unseal_at(&v.seal, &password, &options, exp + 60_000),
        Err(Error::Expired { expired_at_ms: exp })
    );
    // 62 s after sealing it was gone.
    assert_eq!(
        unseal_at(
            &v.seal,
            &password,
            &options,
            v.sealed_at_ms.unwrap() + 62_000
        ),
        Err(Error::Expired { expired_at_ms: exp })
    );
}

#[test]
fn vectors_with_expiration_expire_60_s_after_it() {
    for v in vectors() {
        let Some(exp) = v.expires_at_ms else { continue };
        let password = v.sealing_password();
        assert!(
            unseal_at(&v.seal, &password, &Options::default(), exp + 59_999).is_ok(),
            "vector {}",
            v.index
        );
        assert_eq!(
            unseal_at(&v.seal, &password, &Options::default(), exp + 60_000),
            Err(Error::Expired { expired_at_ms: exp }),
            "vector {}",
            v.index
        );
    }
}

#[test]
fn vectors_without_expiration_unseal_at_any_time() {
    for v in vectors() {
        if v.expires_at_ms.is_some() {
            continue;
        }
        let password = v.sealing_password();
        for now in [0, NOW, u64::MAX] {
            assert!(
                unseal_at(&v.seal, &password, &Options::default(), now).is_ok(),
                "vector {} at {now}",
                v.index
            );
        }
    }
}

#[test]
fn rotation_vector_8_opens_with_the_rotated_map_only_through_id_1() {
    let v = vector(8);
    let map = v.password_map().unwrap();
    assert_unseals(&v, &map, "rotated map");
    let only_two = HashMap::from([("2".to_owned(), map["2"].clone())]);
    assert_eq!(
        unseal_at(&v.seal, &only_two, &Options::default(), NOW),
        Err(Error::UnknownPasswordId { id: "1".into() })
    );
    // The other password of the map does not open it.
    assert_eq!(
        unseal_at(&v.seal, &map["2"], &Options::default(), NOW),
        Err(Error::BadMac)
    );
}

#[test]
fn map_vectors_do_not_open_with_the_other_map_entry() {
    for v in vectors() {
        let Some(map) = v.password_map() else {
            continue;
        };
        let id = fields_of(&v.seal)[1];
        let other = if id == "1" { "2" } else { "1" };
        let swapped = HashMap::from([(id.to_owned(), map[other].clone())]);
        assert_eq!(
            unseal_at(&v.seal, &swapped, &Options::default(), v.valid_now()),
            Err(Error::BadMac),
            "vector {}",
            v.index
        );
    }
}

#[test]
fn the_suffix_is_not_part_of_the_seal() {
    // iron-seal reads bare seals; the `~2` suffix is iron-session's business. With it, the HMAC
    // field is `<mac>~2` and cannot match.
    let v = vector(0);
    let password = v.sealing_password();
    assert_eq!(
        unseal_at(&v.full_seal, &password, &Options::default(), v.valid_now()),
        Err(Error::BadMac)
    );
}
