//! Session metadata: the one reserved top-level key of the session JSON, `"_is"`, holding the
//! session id, when the session was created and when it was last sealed.
//!
//! It is added only when something needs it (an absolute lifetime, rolling renewal, revocation,
//! [`SessionConfigBuilder::session_ids`](crate::SessionConfigBuilder::session_ids) or
//! [`Session::regenerate`](crate::Session::regenerate)), so by default cookies stay exactly what
//! iron-session writes. The user's `T` never sees the key: it is split off while `T` is
//! deserialized (so a `#[serde(flatten)]` map in `T` does not capture it) and appended after `T` is
//! serialized. A Node app sharing the cookie keeps it, because iron-session saves every key it read.
//!
//! ```json
//! {"username":"alice","_is":{"sid":"3q2-7wAAAAAAAAAAAAAAAA","iat":1700000000000,"rat":1700000600000}}
//! ```

use std::fmt;
use std::marker::PhantomData;

use iron_seal::RandomSource;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{
    self, DeserializeSeed, Deserializer, IgnoredAny, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, Visitor,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::SealError;

/// The reserved top-level key of the session JSON that holds the [`Metadata`].
///
/// ```
/// assert_eq!(ironsession::METADATA_KEY, "_is");
/// ```
pub const METADATA_KEY: &str = "_is";

/// Length of a [`SessionId`]: 16 random bytes in unpadded base64url.
const SESSION_ID_LEN: usize = 22;

/// A session id: 128 random bits from a cryptographically secure generator, written as 22
/// characters of unpadded base64url.
///
/// ```
/// use ironsession::SessionId;
///
/// let id: SessionId = "AAECAwQFBgcICQoLDA0ODw".parse()?;
/// assert_eq!(id.as_str(), "AAECAwQFBgcICQoLDA0ODw");
/// assert_eq!(id.short(), "AAECAwQF");
/// assert!("too-short".parse::<SessionId>().is_err());
/// # Ok::<(), ironsession::InvalidSessionId>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId([u8; SESSION_ID_LEN]);

/// A string that is not 16 bytes written as 22 characters of unpadded base64url.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a session id is 16 bytes as 22 characters of base64url (A-Z a-z 0-9 - _)")]
pub struct InvalidSessionId;

impl SessionId {
    /// A fresh id from `random`.
    pub(crate) fn generate(mut random: impl RandomSource) -> Result<Self, SealError> {
        use base64::Engine;
        let mut bytes = [0u8; 16];
        random.fill(&mut bytes)?;
        let mut id = [0u8; SESSION_ID_LEN];
        let written = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode_slice(bytes, &mut id)
            // 16 bytes are always exactly 22 characters.
            .expect("16 bytes encode to 22 characters");
        debug_assert_eq!(written, SESSION_ID_LEN);
        Ok(SessionId(id))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        // Built only from base64url characters (checked in `from_str`, written by the encoder).
        std::str::from_utf8(&self.0).expect("a session id is ASCII")
    }

    /// The first 8 characters (48 bits), enough to tell sessions apart in logs and on pages
    /// without showing the whole id.
    pub fn short(&self) -> &str {
        &self.as_str()[..8]
    }
}

/// The 16 bytes a session id's text stands for, if it is exactly what [`SessionId::generate`]
/// writes: 22 characters of unpadded base64url whose last one carries no stray bits. Only one
/// text per id, so that every session id read can also be revoked (the revocation store keys on
/// these bytes).
pub(crate) fn session_id_bytes(text: &str) -> Option<[u8; 16]> {
    use base64::Engine;
    if text.len() != SESSION_ID_LEN {
        return None;
    }
    let mut bytes = [0u8; 16];
    match base64::engine::general_purpose::URL_SAFE_NO_PAD.decode_slice(text, &mut bytes) {
        Ok(16) => Some(bytes),
        _ => None,
    }
}

impl std::str::FromStr for SessionId {
    type Err = InvalidSessionId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        session_id_bytes(text).ok_or(InvalidSessionId)?;
        let text: [u8; SESSION_ID_LEN] =
            text.as_bytes().try_into().map_err(|_| InvalidSessionId)?;
        Ok(SessionId(text))
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({})", self.as_str())
    }
}

impl Serialize for SessionId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SessionId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = SessionId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a session id (22 characters of base64url)")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<SessionId, E> {
                text.parse()
                    .map_err(|_| E::invalid_value(Unexpected::Other("a string"), &self))
            }
        }
        deserializer.deserialize_str(IdVisitor)
    }
}

/// What ironsession keeps about a session beside the user's data, under [`METADATA_KEY`].
///
/// | field | JSON | meaning |
/// | --- | --- | --- |
/// | [`id`](Metadata::id) | `sid` | the session id, new at creation and at [`regenerate`](crate::Session::regenerate) |
/// | [`created_at_ms`](Metadata::created_at_ms) | `iat` | when the session was created (ms since the epoch); the absolute lifetime counts from here |
/// | [`sealed_at_ms`](Metadata::sealed_at_ms) | `rat` | when it was last sealed by a save or a renewal; renewal counts from here |
/// | [`subject`](Metadata::subject) | `sub` | optional: whose session it is (for revocation) |
///
/// Fields this release does not know are kept as they are, so servers of different releases can
/// share a cookie.
///
/// ```
/// let metadata: ironsession::Metadata = serde_json::from_str(
///     r#"{"sid":"AAECAwQFBgcICQoLDA0ODw","iat":1700000000000,"rat":1700000600000}"#,
/// )?;
/// assert_eq!(metadata.id().as_str(), "AAECAwQFBgcICQoLDA0ODw");
/// assert_eq!(metadata.created_at_ms(), 1_700_000_000_000);
/// assert_eq!(metadata.sealed_at_ms(), 1_700_000_600_000);
/// assert_eq!(metadata.subject(), None);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    sid: SessionId,
    iat: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rat: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sub: Option<String>,
    #[serde(flatten)]
    later_fields: Map<String, Value>,
}

impl Metadata {
    /// New metadata for a session created at `now_ms`, with a fresh id from `random`.
    pub(crate) fn new(now_ms: u64, random: impl RandomSource) -> Result<Self, SealError> {
        Ok(Metadata {
            sid: SessionId::generate(random)?,
            iat: now_ms,
            rat: None,
            sub: None,
            later_fields: Map::new(),
        })
    }

    /// The session id.
    pub fn id(&self) -> &SessionId {
        &self.sid
    }

    /// When the session was created (or last [regenerated](crate::Session::regenerate)), in
    /// milliseconds since the Unix epoch.
    pub fn created_at_ms(&self) -> u64 {
        self.iat
    }

    /// When the session was last sealed (saved or renewed), in milliseconds since the Unix epoch;
    /// the creation time if it was never sealed with this field (a session that came from an
    /// earlier release).
    pub fn sealed_at_ms(&self) -> u64 {
        self.rat.unwrap_or(self.iat)
    }

    /// The subject (whose session this is), if one was set.
    pub fn subject(&self) -> Option<&str> {
        self.sub.as_deref()
    }

    /// Sets the subject.
    #[allow(dead_code)] // `set_subject` (revocation) is its caller.
    pub(crate) fn set_subject(&mut self, subject: Option<String>) {
        self.sub = subject;
    }

    /// Records that the session is being sealed at `now_ms`.
    pub(crate) fn mark_sealed(&mut self, now_ms: u64) {
        self.rat = Some(now_ms);
    }
}

/// The request's metadata, shared by every `Session<T>` of the request.
#[derive(Debug, Default)]
pub(crate) struct MetadataState {
    pub(crate) current: Option<Metadata>,
    /// Changed since it was read (created, regenerated, subject set): the cookie must be re-sealed
    /// even if the handler does not save.
    pub(crate) changed: bool,
}

impl MetadataState {
    /// Replaces the metadata with fresh one (new id, created now).
    pub(crate) fn regenerate(&mut self, now_ms: u64) -> Result<&mut Metadata, SealError> {
        self.changed = true;
        Ok(self
            .current
            .insert(Metadata::new(now_ms, iron_seal::ThreadRandom)?))
    }

    /// The metadata, created now if there is none.
    pub(crate) fn get_or_create(&mut self, now_ms: u64) -> Result<&mut Metadata, SealError> {
        match self.current {
            Some(ref mut metadata) => Ok(metadata),
            None => self.regenerate(now_ms),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Writing: the user's JSON, then the key
// ---------------------------------------------------------------------------------------------

/// Appends `"_is":<metadata>` to `json`, the compact JSON of a session. Only an object can carry
/// it (sessions are objects, as in iron-session); other JSON is left as it is.
pub(crate) fn append(json: &mut Vec<u8>, metadata: &Metadata) {
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

/// A session's JSON, read into the user's `T` and the metadata.
pub(crate) struct Split<T> {
    pub(crate) data: T,
    pub(crate) metadata: Option<Metadata>,
    /// Whether the user's part is empty (`{}`, `null`, or an object with only the key): nothing to
    /// keep, so nothing to renew.
    pub(crate) empty: bool,
}

/// Parses a session's plaintext into the user's `T` and the metadata.
pub(crate) fn split<T: de::DeserializeOwned>(plaintext: &[u8]) -> Result<Split<T>, SealError> {
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
    (0..json.len()).any(|index| match json[index] {
        b'_' => json[index + 1..].starts_with(b"is\""),
        b'\\' => json.get(index + 1) == Some(&b'u'),
        _ => false,
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

/// The user's part of a session object, entry by entry, each value exactly as it was written.
struct UserEntries(Vec<(String, Box<serde_json::value::RawValue>)>);

impl<'de> Deserialize<'de> for UserEntries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = UserEntries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UserEntries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(UserEntries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// The user's part of a session's JSON: its own entries in their order, each value exactly as it
/// was written, without the metadata.
pub(crate) fn without_metadata(plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
    let entries = split::<UserEntries>(plaintext)?.data;
    let mut json = Vec::with_capacity(plaintext.len());
    json.push(b'{');
    for (index, (key, value)) in entries.0.iter().enumerate() {
        if index > 0 {
            json.push(b',');
        }
        // A string into a Vec cannot fail.
        serde_json::to_writer(&mut json, key).expect("a string serializes");
        json.push(b':');
        json.extend_from_slice(value.get().as_bytes());
    }
    json.push(b'}');
    Ok(json)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    const ID: &str = "AAECAwQFBgcICQoLDA0ODw";

    fn metadata() -> Metadata {
        Metadata {
            sid: ID.parse().unwrap(),
            iat: 1_700_000_000_000,
            rat: Some(1_700_000_600_000),
            sub: None,
            later_fields: Map::new(),
        }
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct WithFlatten {
        name: Option<String>,
        #[serde(flatten)]
        other: Map<String, Value>,
    }

    #[test]
    fn generated_ids_are_22_base64url_characters_from_16_bytes() {
        struct Counting(u8);
        impl RandomSource for Counting {
            fn fill(&mut self, dest: &mut [u8]) -> Result<(), SealError> {
                for byte in dest {
                    *byte = self.0;
                    self.0 += 1;
                }
                Ok(())
            }
        }
        // Bytes 0..16 in base64url (RFC 4648 §5), derived by hand: 000000 000000 000100 000010 ...
        let id = SessionId::generate(Counting(0)).unwrap();
        assert_eq!(id.as_str(), ID);
        let a = SessionId::generate(iron_seal::ThreadRandom).unwrap();
        let b = SessionId::generate(iron_seal::ThreadRandom).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 22);
    }

    #[test]
    fn ids_other_than_22_base64url_characters_are_refused() {
        for bad in [
            "",
            "AAECAwQFBgcICQoLDA0OD",
            "AAECAwQFBgcICQoLDA0ODwA",
            "AAECAwQFBgcICQoLDA0OD=",
            "AAECAwQFBgcICQoLDA0OD+",
            "AAECAwQFBgcICQoLDA0ODé",
            // 16 bytes leave 4 bits of the last character unused: they must be zero, so that an
            // id has one spelling (`w` = 110000).
            "AAECAwQFBgcICQoLDA0ODx",
            "AAECAwQFBgcICQoLDA0OD_",
        ] {
            assert_eq!(bad.parse::<SessionId>(), Err(InvalidSessionId), "{bad}");
        }
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

    #[test]
    fn fields_of_later_releases_are_kept() {
        let text = format!(r#"{{"sid":"{ID}","iat":1,"sub":"u1","epoch":3}}"#);
        let metadata: Metadata = serde_json::from_str(&text).unwrap();
        assert_eq!(metadata.subject(), Some("u1"));
        assert_eq!(serde_json::to_string(&metadata).unwrap(), text);
    }
}
