//! h3's envelope, the session of Nuxt and of nuxt-auth-utils: the sealed JSON is h3's session
//! object, the user's data under `data` and the metadata in h3's own fields.
//!
//! | h3 | ironsession |
//! | --- | --- |
//! | `id` (a UUID from `crypto.randomUUID()`) | [`Metadata::id`] (kept as written; new sessions get a UUID v4) |
//! | `createdAt` (ms) | [`Metadata::created_at_ms`] |
//! | `data` | the user's `T` |
//! | `lastSeenAt` (ms, h3 2.x with `idleTimeout`) | [`Metadata::sealed_at_ms`], written on every seal |
//! | `_is.sub`, `_is.gen` (ironsession only) | [`Metadata::subject`], [`Metadata::generation`] |
//!
//! ```json
//! {"id":"0f8fad5b-d9cb-469f-a165-70867728950e","createdAt":1700000000000,"data":{"user":{"name":"alice"}},"lastSeenAt":1700000600000}
//! ```
//!
//! Any other top-level field, and any other field of `_is`, is kept as it came, as h3 keeps every
//! field of the object it unsealed.

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{Entries, Split, write_key};
use crate::lifetime::Metadata;
use crate::{SealError, SessionId};

const ID: &str = "id";
const CREATED_AT: &str = "createdAt";
const DATA: &str = "data";
const LAST_SEEN_AT: &str = "lastSeenAt";
/// Where the h3 object keeps what h3 has no field for: the subject and the revocation
/// generation.
const IRONSESSION: &str = "_is";
const SUBJECT: &str = "sub";
const GENERATION: &str = "gen";

/// h3's session object, taken apart.
struct H3Object {
    metadata: Metadata,
    /// The JSON of `data`; `None` when absent or `null` (h3 then has `{}`).
    data: Option<Box<RawValue>>,
}

/// Reads h3's object: its fields into the metadata, every other entry kept.
fn parse(plaintext: &[u8]) -> Result<H3Object, SealError> {
    let invalid = |what: &str| SealError::Json(format!("h3 session: {what}"));
    let Entries(entries) = iron_seal::parse_json(plaintext)?;
    let (mut id, mut created_at, mut data, mut last_seen_at) = (None, None, None, None);
    let (mut subject, mut generation) = (None, None);
    let mut later_fields = Map::new();
    // A repeated key: the last one wins, as in JavaScript's `JSON.parse`.
    for (key, value) in entries {
        let json = value.get();
        match key.as_str() {
            ID => id = Some(serde_json::from_str::<SessionId>(json).map_err(|_| invalid("id"))?),
            CREATED_AT => {
                created_at =
                    Some(serde_json::from_str::<u64>(json).map_err(|_| invalid("createdAt"))?);
            }
            DATA => data = (json != "null").then_some(value),
            LAST_SEEN_AT => {
                let time = serde_json::from_str::<Option<u64>>(json);
                last_seen_at = time.map_err(|_| invalid("lastSeenAt"))?;
            }
            IRONSESSION => {
                let mut fields: Map<String, Value> =
                    serde_json::from_str(json).map_err(|_| invalid("_is"))?;
                subject = match fields.remove(SUBJECT) {
                    None => None,
                    Some(Value::String(subject)) => Some(subject),
                    Some(_) => return Err(invalid("_is.sub")),
                };
                generation = match fields.remove(GENERATION) {
                    None => None,
                    Some(value) => Some(value.as_u64().ok_or_else(|| invalid("_is.gen"))?),
                };
                if fields.is_empty() {
                    later_fields.remove(IRONSESSION);
                } else {
                    later_fields.insert(key, Value::Object(fields));
                }
            }
            _ => {
                let value = serde_json::from_str(json).map_err(|_| invalid("a field"))?;
                later_fields.insert(key, value);
            }
        }
    }
    let id = id.ok_or_else(|| invalid("no id"))?;
    let created_at = created_at.ok_or_else(|| invalid("no createdAt"))?;
    Ok(H3Object {
        metadata: Metadata::from_fields(
            id,
            created_at,
            last_seen_at,
            subject,
            generation,
            later_fields,
        ),
        data,
    })
}

/// The JSON of the user's data: `data` as written, `{}` when absent or `null`.
fn data_json(data: Option<&RawValue>) -> &[u8] {
    data.map_or(b"{}", |data| data.get().as_bytes())
}

/// Parses h3's object into the user's `T` (from `data`) and the metadata.
pub(super) fn split<T: serde::de::DeserializeOwned>(
    plaintext: &[u8],
) -> Result<Split<T>, SealError> {
    let object = parse(plaintext)?;
    let json = data_json(object.data.as_deref());
    Ok(Split {
        data: iron_seal::parse_json(json)?,
        metadata: Some(object.metadata),
        empty: is_empty_object(json),
    })
}

/// Whether `json` is `{}` (allowing whitespace).
fn is_empty_object(json: &[u8]) -> bool {
    matches!(json.trim_ascii(), [b'{', inside @ .., b'}'] if inside.trim_ascii().is_empty())
}

/// Appends `,"key":value` to `json`.
fn write_entry(json: &mut Vec<u8>, key: &str, value: &Value) {
    json.push(b',');
    write_key(json, key);
    // A JSON value into a Vec: serializing cannot fail.
    serde_json::to_writer(&mut *json, value).expect("a JSON value serializes");
}

/// The user's data of h3's object, exactly as written.
pub(super) fn user_json(plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
    Ok(data_json(parse(plaintext)?.data.as_deref()).to_vec())
}

/// Turns `json`, the user's data, into h3's object with `metadata`: `id`, `createdAt`, `data`,
/// `lastSeenAt` (the time of this seal), the fields kept from the session as it came, and the
/// subject and revocation generation under `_is`.
pub(super) fn wrap(json: &mut Vec<u8>, metadata: &Metadata) {
    let data = std::mem::take(json);
    json.reserve(data.len() + 128);
    json.push(b'{');
    write_key(json, ID);
    // Strings and integers into a Vec: serializing cannot fail.
    serde_json::to_writer(&mut *json, metadata.id()).expect("an id serializes");
    json.push(b',');
    write_key(json, CREATED_AT);
    serde_json::to_writer(&mut *json, &metadata.created_at_ms()).expect("a number serializes");
    json.push(b',');
    write_key(json, DATA);
    json.extend_from_slice(&data);
    json.push(b',');
    write_key(json, LAST_SEEN_AT);
    serde_json::to_writer(&mut *json, &metadata.sealed_at_ms()).expect("a number serializes");
    let mut own = metadata
        .later_fields()
        .get(IRONSESSION)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(subject) = metadata.subject() {
        own.insert(SUBJECT.to_owned(), Value::String(subject.to_owned()));
    }
    if let Some(generation) = metadata.generation() {
        own.insert(GENERATION.to_owned(), Value::from(generation));
    }
    let kept = metadata.later_fields().iter();
    for (key, value) in kept.filter(|(key, _)| key.as_str() != IRONSESSION) {
        write_entry(json, key, value);
    }
    if !own.is_empty() {
        write_entry(json, IRONSESSION, &Value::Object(own));
    }
    json.push(b'}');
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const UUID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    fn split_value(plaintext: &str) -> Result<Split<Value>, SealError> {
        split(plaintext.as_bytes())
    }

    #[test]
    fn h3s_fields_are_the_metadata_and_data_is_the_users() {
        let plaintext = format!(
            r#"{{"id":"{UUID}","createdAt":1700000000000,"data":{{"user":{{"name":"alice"}}}},"lastSeenAt":1700000600000}}"#
        );
        let split = split_value(&plaintext).unwrap();
        assert_eq!(split.data, json!({"user": {"name": "alice"}}));
        assert!(!split.empty);
        let metadata = split.metadata.unwrap();
        assert_eq!(metadata.id().as_str(), UUID);
        assert_eq!(metadata.created_at_ms(), 1_700_000_000_000);
        assert_eq!(metadata.sealed_at_ms(), 1_700_000_600_000);
        assert_eq!(metadata.subject(), None);
    }

    #[test]
    fn h3_1x_objects_without_last_seen_at_and_empty_data_read() {
        for data in [r#""data":{}"#, r#""data":null"#, r#""data": { } "#] {
            let plaintext = format!(r#"{{"id":"{UUID}","createdAt":5,{data}}}"#);
            let split = split_value(&plaintext).unwrap();
            assert_eq!(split.data, json!({}), "{plaintext}");
            assert!(split.empty, "{plaintext}");
            assert_eq!(split.metadata.unwrap().sealed_at_ms(), 5);
        }
        let no_data = format!(r#"{{"id":"{UUID}","createdAt":5}}"#);
        assert!(split_value(&no_data).unwrap().empty);
    }

    #[test]
    fn objects_without_h3s_fields_or_with_other_ids_are_invalid() {
        for bad in [
            r#"{"createdAt":1,"data":{}}"#.to_owned(),
            format!(r#"{{"id":"{UUID}","data":{{}}}}"#),
            r#"{"id":"my-own-id","createdAt":1,"data":{}}"#.to_owned(),
            format!(r#"{{"id":"{UUID}","createdAt":1.5,"data":{{}}}}"#),
            format!(r#"{{"id":"{UUID}","createdAt":-1,"data":{{}}}}"#),
            format!(r#"{{"id":"{UUID}","createdAt":1,"lastSeenAt":"x"}}"#),
            format!(r#"{{"id":"{UUID}","createdAt":1,"_is":{{"sub":1}}}}"#),
            format!(r#"{{"id":"{UUID}","createdAt":1,"_is":{{"gen":-1}}}}"#),
            r#"{"a":1}"#.to_owned(),
            "[1]".to_owned(),
        ] {
            assert!(
                matches!(split_value(&bad), Err(SealError::Json(_))),
                "{bad}"
            );
        }
    }

    /// What the user's `T` reads, written again with the metadata, is h3's object again, with
    /// every field h3 or another release added kept and `lastSeenAt` the new seal's time.
    #[test]
    fn wrapping_writes_h3s_object_and_keeps_other_fields() {
        let plaintext = format!(
            r#"{{"id":"{UUID}","createdAt":10,"data":{{"a":1}},"theirs":[1,"x"],"_is":{{"sub":"u1","gen":7,"epoch":2}}}}"#
        );
        let split = split_value(&plaintext).unwrap();
        let mut metadata = split.metadata.unwrap();
        assert_eq!(metadata.subject(), Some("u1"));
        assert_eq!(metadata.generation(), Some(7));
        metadata.mark_sealed(20);
        let mut json = user_json(plaintext.as_bytes()).unwrap();
        assert_eq!(json, br#"{"a":1}"#);
        wrap(&mut json, &metadata);
        assert_eq!(
            String::from_utf8(json).unwrap(),
            format!(
                r#"{{"id":"{UUID}","createdAt":10,"data":{{"a":1}},"lastSeenAt":20,"theirs":[1,"x"],"_is":{{"epoch":2,"sub":"u1","gen":7}}}}"#
            )
        );
    }

    #[test]
    fn without_a_subject_or_kept_fields_nothing_else_is_written() {
        let plaintext = format!(r#"{{"id":"{UUID}","createdAt":10,"data":{{}}}}"#);
        let mut metadata = split_value(&plaintext).unwrap().metadata.unwrap();
        metadata.mark_sealed(10);
        let mut json = b"{}".to_vec();
        wrap(&mut json, &metadata);
        assert_eq!(
            String::from_utf8(json).unwrap(),
            format!(r#"{{"id":"{UUID}","createdAt":10,"data":{{}},"lastSeenAt":10}}"#)
        );
    }

    #[test]
    fn the_last_of_repeated_keys_wins_as_in_json_parse() {
        let plaintext = format!(
            r#"{{"id":"{UUID}","createdAt":1,"data":{{"a":1}},"createdAt":2,"data":{{"b":2}}}}"#
        );
        let split = split_value(&plaintext).unwrap();
        assert_eq!(split.data, json!({"b": 2}));
        assert_eq!(split.metadata.unwrap().created_at_ms(), 2);
    }
}
