//! iron-session's envelope: the session JSON is the user's own object, and the metadata is its one
//! reserved top-level key, `"_is"`, holding the session id, when the session was created and when
//! it was last sealed.
//!
//! It is added only when something needs it (an absolute lifetime, rolling renewal, revocation,
//! [`SessionConfigBuilder::session_ids`](crate::SessionConfigBuilder::session_ids) or
//! [`Session::regenerate`](crate::Session::regenerate) and
//! [`Session::start_new_login`](crate::Session::start_new_login)), so by default cookies stay exactly what
//! iron-session writes. The user's `T` never sees the key: it is split off while `T` is
//! deserialized (so a `#[serde(flatten)]` map in `T` does not capture it) and appended after `T` is
//! serialized. A Node app sharing the cookie keeps it, because iron-session saves every key it read.
//!
//! ```json
//! {"username":"alice","_is":{"sid":"3q2-7wAAAAAAAAAAAAAAAA","iat":1700000000000,"rat":1700000600000}}
//! ```

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{
    self, DeserializeSeed, Deserializer, IgnoredAny, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, Visitor,
};

use super::{Entries, Split};
use crate::SealError;
use crate::lifetime::Metadata;

/// The reserved top-level key of the session JSON that holds the [`Metadata`].
///
/// ```
/// assert_eq!(ironsession::METADATA_KEY, "_is");
/// ```
pub const METADATA_KEY: &str = "_is";

// ---------------------------------------------------------------------------------------------
// Writing: the user's JSON, then the key
// ---------------------------------------------------------------------------------------------

/// Appends `"_is":<metadata>` to `json`, the compact JSON of a session. Only an object can carry
/// it (sessions are objects, as in iron-session); other JSON is left as it is.
pub(super) fn append(json: &mut Vec<u8>, metadata: &Metadata) {
    if json.len() < 2 || json[0] != b'{' || json[json.len() - 1] != b'}' {
        tracing::debug!("session data is not a JSON object: no metadata written");
        return;
    }
    json.pop();
    if json.len() > 1 {
        json.push(b',');
    }
    json.push(b'"');
    json.extend_from_slice(METADATA_KEY.as_bytes());
    json.extend_from_slice(b"\":");
    // Strings, integers and a map of JSON values: serializing into a Vec cannot fail.
    serde_json::to_writer(&mut *json, metadata).expect("metadata serializes");
    json.push(b'}');
}

// ---------------------------------------------------------------------------------------------
// Reading: the user's T, with the key split off
// ---------------------------------------------------------------------------------------------

/// Parses a session's plaintext into the user's `T` and the metadata.
pub(super) fn split<T: de::DeserializeOwned>(plaintext: &[u8]) -> Result<Split<T>, SealError> {
    if may_hold_metadata(plaintext) {
        return iron_seal::parse_json(plaintext);
    }
    // No key can be `_is`: read `T` as iron-session's JSON, without the filter's cost.
    Ok(Split {
        data: iron_seal::parse_json(plaintext)?,
        metadata: None,
        empty: is_empty_object(plaintext),
    })
}

/// Whether `json` may have an `_is` key: it has `_is"`, or a `\u` escape (which could spell it).
fn may_hold_metadata(json: &[u8]) -> bool {
    memchr::memchr2_iter(b'_', b'\\', json).any(|index| match json[index] {
        b'_' => json[index + 1..].starts_with(b"is\""),
        _ => json.get(index + 1) == Some(&b'u'),
    })
}

/// Whether `json` is `{}` or `null` (allowing whitespace), the JSON of an empty session.
fn is_empty_object(json: &[u8]) -> bool {
    match json.trim_ascii() {
        [b'{', inside @ .., b'}'] => inside.trim_ascii().is_empty(),
        trimmed => trimmed == b"null",
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Split<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SplitVisitor(PhantomData))
    }
}

struct SplitVisitor<T>(PhantomData<T>);

impl<T> SplitVisitor<T> {
    fn other(data: T, empty: bool) -> Split<T> {
        Split {
            data,
            metadata: None,
            empty,
        }
    }
}

/// Hands anything but an object to `T` unchanged.
macro_rules! forward_scalar {
    ($($method:ident($ty:ty)),*) => {$(
        fn $method<E: de::Error>(self, value: $ty) -> Result<Split<T>, E> {
            T::deserialize(value.into_deserializer()).map(|data| Self::other(data, false))
        }
    )*};
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for SplitVisitor<T> {
    type Value = Split<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("session data")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Split<T>, A::Error> {
        let mut without = WithoutMetadata {
            map,
            metadata: None,
            user_keys: 0,
        };
        let data = T::deserialize(&mut without)?;
        // `T` may stop reading early (an enum reads one entry): the key may still follow.
        while without.next_key::<IgnoredAny>()?.is_some() {
            without.next_value::<IgnoredAny>()?;
        }
        Ok(Split {
            data,
            metadata: without.metadata,
            empty: without.user_keys == 0,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Split<T>, A::Error> {
        T::deserialize(SeqAccessDeserializer::new(seq)).map(|data| Self::other(data, false))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Split<T>, E> {
        T::deserialize(().into_deserializer()).map(|data| Self::other(data, true))
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Split<T>, E> {
        T::deserialize(de::value::BorrowedStrDeserializer::new(value))
            .map(|data| Self::other(data, false))
    }

    forward_scalar!(
        visit_bool(bool),
        visit_i64(i64),
        visit_u64(u64),
        visit_f64(f64),
        visit_str(&str),
        visit_string(String)
    );
}

/// A JSON object as `T` sees it: every entry but the metadata, which is taken aside.
struct WithoutMetadata<A> {
    map: A,
    metadata: Option<Metadata>,
    user_keys: usize,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for WithoutMetadata<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            let Some(key) = self.map.next_key_seed(KeySeed)? else {
                return Ok(None);
            };
            if key.as_str() == METADATA_KEY {
                // A repeated key: the last one wins, as in JavaScript's `JSON.parse`.
                self.metadata = Some(self.map.next_value()?);
                continue;
            }
            self.user_keys += 1;
            return seed.deserialize(KeyDeserializer::new(key)).map(Some);
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// What the filtering deserializers (the object and its keys) read as serde_json does: a present
/// value as `Some`, a newtype struct as what it wraps.
macro_rules! read_through_wrappers {
    () => {
        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            visitor.visit_some(self)
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            visitor: V,
        ) -> Result<V::Value, Self::Error> {
            visitor.visit_newtype_struct(self)
        }
    };
}

/// `T` reads the filtered object as it would read the object itself.
impl<'de, A: MapAccess<'de>> Deserializer<'de> for &mut WithoutMetadata<A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_map(self)
    }

    read_through_wrappers!();

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_enum(MapAccessDeserializer::new(self))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// An object key as read from the JSON, borrowed when it had no escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(key) => key,
            Key::Owned(key) => key,
        }
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key<'de>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(key))
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
        Ok(Key::Owned(key.to_owned()))
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<Key<'de>, E> {
        Ok(Key::Owned(key))
    }
}

/// Replays a key to `T` the way serde_json presents object keys: as a string, or parsed from it
/// for maps with number or bool keys.
struct KeyDeserializer<'de, E> {
    key: Key<'de>,
    error: PhantomData<E>,
}

impl<'de, E> KeyDeserializer<'de, E> {
    fn new(key: Key<'de>) -> Self {
        KeyDeserializer {
            key,
            error: PhantomData,
        }
    }
}

macro_rules! parsed_key {
    ($($method:ident => $visit:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
            match self.key.as_str().parse() {
                Ok(number) => visitor.$visit(number),
                Err(_) => Err(E::invalid_type(Unexpected::Str(self.key.as_str()), &visitor)),
            }
        }
    )*};
}

impl<'de, E: de::Error> Deserializer<'de> for KeyDeserializer<'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.key {
            Key::Borrowed(key) => visitor.visit_borrowed_str(key),
            Key::Owned(key) => visitor.visit_string(key),
        }
    }

    parsed_key!(
        deserialize_bool => visit_bool,
        deserialize_i8 => visit_i8, deserialize_i16 => visit_i16,
        deserialize_i32 => visit_i32, deserialize_i64 => visit_i64,
        deserialize_i128 => visit_i128,
        deserialize_u8 => visit_u8, deserialize_u16 => visit_u16,
        deserialize_u32 => visit_u32, deserialize_u64 => visit_u64,
        deserialize_u128 => visit_u128,
        deserialize_f32 => visit_f32, deserialize_f64 => visit_f64
    );

    read_through_wrappers!();

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.key {
            Key::Borrowed(key) => visitor.visit_enum(de::value::BorrowedStrDeserializer::new(key)),
            Key::Owned(key) => visitor.visit_enum(key.into_deserializer()),
        }
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

// ---------------------------------------------------------------------------------------------
// Re-sealing what came in, with new metadata
// ---------------------------------------------------------------------------------------------

/// The user's part of a session's JSON: its own entries in their order, each value exactly as it
/// was written, without the metadata.
pub(super) fn without_metadata(plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
    let entries = split::<Entries>(plaintext)?.data;
    let mut json = Vec::with_capacity(plaintext.len());
    entries.write_object(&mut json);
    Ok(json)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde_json::{Map, Value, json};

    use super::*;

    const ID: &str = "AAECAwQFBgcICQoLDA0ODw";

    fn metadata() -> Metadata {
        serde_json::from_value(
            json!({"sid": ID, "iat": 1_700_000_000_000_u64, "rat": 1_700_000_600_000_u64}),
        )
        .unwrap()
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct WithFlatten {
        name: Option<String>,
        #[serde(flatten)]
        other: Map<String, Value>,
    }

    #[test]
    fn a_flattened_map_neither_captures_nor_duplicates_the_key() {
        let plaintext = format!(
            r#"{{"name":"a","x":1,"_is":{{"sid":"{ID}","iat":1700000000000,"rat":1700000600000}},"y":2}}"#
        );
        let split = split::<WithFlatten>(plaintext.as_bytes()).unwrap();
        assert_eq!(split.data.name.as_deref(), Some("a"));
        assert_eq!(
            Value::Object(split.data.other.clone()),
            json!({"x": 1, "y": 2})
        );
        assert_eq!(split.metadata, Some(metadata()));
        assert!(!split.empty);

        let mut written = serde_json::to_vec(&split.data).unwrap();
        append(&mut written, &split.metadata.unwrap());
        let back: Value = serde_json::from_slice(&written).unwrap();
        assert_eq!(back["_is"]["sid"], ID);
        let text = String::from_utf8(written).unwrap();
        assert_eq!(text.matches("\"_is\"").count(), 1, "{text}");
    }

    #[test]
    fn json_values_and_maps_do_not_see_the_key() {
        let plaintext = format!(r#"{{"_is":{{"sid":"{ID}","iat":1}},"a":[1,2]}}"#);
        let value = split::<Value>(plaintext.as_bytes()).unwrap();
        assert_eq!(value.data, json!({"a": [1, 2]}));
        assert_eq!(value.metadata.unwrap().created_at_ms(), 1);
        let map = split::<BTreeMap<String, Value>>(plaintext.as_bytes()).unwrap();
        assert_eq!(map.data.keys().collect::<Vec<_>>(), ["a"]);
    }

    #[test]
    fn number_keyed_maps_and_escaped_keys_read_as_without_the_filter() {
        let numbers = split::<BTreeMap<u32, bool>>(br#"{"7":true,"12":false}"#).unwrap();
        assert_eq!(numbers.data, BTreeMap::from([(7, true), (12, false)]));
        // `\u005f` is `_`: the escaped spelling of the key is the key.
        let escaped = format!(r#"{{"\u005fis":{{"sid":"{ID}","iat":5}},"k\"":1}}"#);
        let value = split::<Value>(escaped.as_bytes()).unwrap();
        assert_eq!(value.data, json!({"k\"": 1}));
        assert_eq!(value.metadata.unwrap().created_at_ms(), 5);
    }

    #[test]
    fn the_fast_path_is_taken_only_when_no_key_can_be_the_metadata() {
        assert!(!may_hold_metadata(br#"{"a":"_i","is":"x_iz","_isnt":1}"#));
        assert!(may_hold_metadata(br#"{"_is":{}}"#));
        assert!(may_hold_metadata(br#"{"\u005fis":{}}"#));
        assert!(may_hold_metadata(br#"{"a":"x_is"}"#));
        for (json, empty) in [
            ("{}", true),
            (" { } ", true),
            ("null", true),
            (r#"{"a":1}"#, false),
        ] {
            let split = split::<Value>(json.as_bytes()).unwrap();
            assert_eq!(split.empty, empty, "{json}");
            assert_eq!(split.metadata, None);
        }
    }

    #[test]
    fn the_last_of_repeated_keys_wins_as_in_json_parse() {
        let twice =
            format!(r#"{{"_is":{{"sid":"{ID}","iat":1}},"a":1,"_is":{{"sid":"{ID}","iat":2}}}}"#);
        let split = split::<Value>(twice.as_bytes()).unwrap();
        assert_eq!(split.metadata.unwrap().created_at_ms(), 2);
    }

    #[test]
    fn malformed_metadata_makes_the_session_invalid() {
        for bad in [
            r#"{"_is":"x"}"#,
            r#"{"_is":{"iat":1}}"#,
            r#"{"_is":{"sid":"short","iat":1}}"#,
            r#"{"_is":{"sid":"AAECAwQFBgcICQoLDA0ODw","iat":-1}}"#,
            r#"{"_is":{"sid":"AAECAwQFBgcICQoLDA0ODw","iat":1.5}}"#,
        ] {
            let error = split::<Value>(bad.as_bytes()).err();
            assert!(matches!(error, Some(SealError::Json(_))), "{bad}");
        }
    }

    #[test]
    fn empty_sessions_are_recognised() {
        let only_key = format!(r#"{{"_is":{{"sid":"{ID}","iat":1}}}}"#);
        for (plaintext, empty) in [
            ("{}", true),
            ("null", true),
            (only_key.as_str(), true),
            (r#"{"a":null}"#, false),
        ] {
            assert_eq!(
                split::<Value>(plaintext.as_bytes()).unwrap().empty,
                empty,
                "{plaintext}"
            );
        }
    }

    #[test]
    fn non_objects_pass_through_without_metadata() {
        assert_eq!(split::<Vec<u8>>(b"[1,2]").unwrap().data, [1, 2]);
        assert_eq!(split::<String>(br#""s""#).unwrap().data, "s");
        assert_eq!(split::<Option<u8>>(b"null").unwrap().data, None);
        let mut array = b"[1]".to_vec();
        append(&mut array, &metadata());
        assert_eq!(array, b"[1]");
    }

    #[test]
    fn option_and_enum_sessions_read_through_the_filter() {
        #[derive(Debug, PartialEq, Deserialize)]
        enum Mode {
            Admin { level: u8 },
        }
        let plaintext = format!(r#"{{"Admin":{{"level":3}},"_is":{{"sid":"{ID}","iat":9}}}}"#);
        let split = split::<Mode>(plaintext.as_bytes()).unwrap();
        assert_eq!(split.data, Mode::Admin { level: 3 });
        assert_eq!(split.metadata.unwrap().created_at_ms(), 9);
        let some = split_option(br#"{"name":"n"}"#);
        assert_eq!(some.and_then(|s| s.name).as_deref(), Some("n"));
    }

    #[test]
    fn option_and_newtype_wrappers_read_as_without_the_filter() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Wrapped(BTreeMap<Key, Option<u8>>);
        #[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
        struct Key(u32);
        #[derive(Debug, PartialEq, Deserialize)]
        struct OptionKeys(BTreeMap<Option<String>, u8>);

        let json = br#"{"7":1,"12":null}"#;
        let plaintext = format!(r#"{{"7":1,"_is":{{"sid":"{ID}","iat":3}},"12":null}}"#);
        let wrapped = split::<Wrapped>(plaintext.as_bytes()).unwrap();
        assert_eq!(wrapped.data, serde_json::from_slice(json).unwrap());
        assert_eq!(wrapped.metadata.unwrap().created_at_ms(), 3);
        let option = split::<Option<Wrapped>>(plaintext.as_bytes()).unwrap();
        assert_eq!(option.data, serde_json::from_slice(json).unwrap());

        let plaintext = format!(r#"{{"a":1,"_is":{{"sid":"{ID}","iat":3}}}}"#);
        let keys = split::<OptionKeys>(plaintext.as_bytes()).unwrap().data;
        assert_eq!(keys, serde_json::from_slice(br#"{"a":1}"#).unwrap());
        assert_eq!(keys.0.keys().collect::<Vec<_>>(), [&Some("a".to_owned())]);
    }

    fn split_option(plaintext: &[u8]) -> Option<WithFlatten> {
        split::<Option<WithFlatten>>(plaintext).unwrap().data
    }

    #[test]
    fn append_writes_the_key_last_and_handles_the_empty_object() {
        let mut empty = b"{}".to_vec();
        append(&mut empty, &metadata());
        assert_eq!(
            String::from_utf8(empty).unwrap(),
            format!(r#"{{"_is":{{"sid":"{ID}","iat":1700000000000,"rat":1700000600000}}}}"#)
        );
        let mut one = br#"{"a":1}"#.to_vec();
        append(&mut one, &metadata());
        assert!(one.starts_with(br#"{"a":1,"_is":{"#));
    }

    #[test]
    fn without_metadata_keeps_the_entries_exactly() {
        let old = format!(
            r#"{{"z":1.50,"_is":{{"sid":"{ID}","iat":1,"future":[1]}},"a":{{"n":"é\u00e9"}}}}"#
        );
        let json = without_metadata(old.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(json).unwrap(),
            r#"{"z":1.50,"a":{"n":"é\u00e9"}}"#
        );
        assert_eq!(without_metadata(b"{}").unwrap(), b"{}");
    }
}
