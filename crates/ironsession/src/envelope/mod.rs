//! The envelope: how the JSON inside a seal carries the user's data and the session's
//! [metadata](crate::Metadata).
//!
//! Owns [`Envelope`], the one place that knows the layout: reading a session's JSON into the
//! user's `T` and the metadata, writing the metadata into the JSON of a save, and taking the
//! user's part alone for a re-seal. Two layouts: iron-session's ([`iron_session`]: the user's own
//! object, the metadata under `"_is"`) and h3's (`h3`: `{id, createdAt, data, lastSeenAt}`, the
//! user's data under `data`), chosen by the configuration
//! ([`SessionConfig::envelope`](crate::SessionConfig::envelope)). The request step calls the
//! envelope and never looks at the JSON itself.
//!
//! Uses [`lifetime`](crate::lifetime) (the metadata) only.

mod h3;
mod iron_session;

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

pub use iron_session::METADATA_KEY;

use crate::SealError;
use crate::lifetime::Metadata;

/// A layout of the session JSON. An enum, so the request path pays for no dynamic dispatch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Envelope {
    /// iron-session's: the user's object itself, with the metadata (when there is any) under its
    /// reserved key [`METADATA_KEY`].
    #[default]
    IronSession,
    /// h3's (Nuxt, nuxt-auth-utils): `{id, createdAt, data, lastSeenAt}`, the user's data under
    /// `data`; every session has metadata.
    H3,
}

/// A session's JSON, read into the user's `T` and the metadata.
pub(crate) struct Split<T> {
    pub(crate) data: T,
    pub(crate) metadata: Option<Metadata>,
    /// Whether the user's part is empty (`{}`, `null`, or an object with only the key): nothing to
    /// keep, so nothing to renew.
    pub(crate) empty: bool,
}

impl Envelope {
    /// Reads a session's plaintext into the user's `T` and the metadata.
    pub(crate) fn split<T: DeserializeOwned>(
        self,
        plaintext: &[u8],
    ) -> Result<Split<T>, SealError> {
        match self {
            Envelope::IronSession => iron_session::split(plaintext),
            Envelope::H3 => h3::split(plaintext),
        }
    }

    /// Adds `metadata` to `json`, the compact JSON of the user's data, before it is sealed.
    pub(crate) fn wrap(self, json: &mut Vec<u8>, metadata: &Metadata) {
        match self {
            Envelope::IronSession => iron_session::append(json, metadata),
            Envelope::H3 => h3::wrap(json, metadata),
        }
    }

    /// The user's part of a session's JSON, each value exactly as it was written, without the
    /// metadata: what a re-seal writes again with fresh metadata.
    pub(crate) fn user_json(self, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        match self {
            Envelope::IronSession => iron_session::without_metadata(plaintext),
            Envelope::H3 => h3::user_json(plaintext),
        }
    }
}

/// A JSON object entry by entry, in its order, each value exactly as it was written.
pub(super) struct Entries(pub(super) Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

impl Entries {
    /// Appends the entries to `json` as one object, each value as it was written.
    pub(super) fn write_object(&self, json: &mut Vec<u8>) {
        json.push(b'{');
        for (index, (key, value)) in self.0.iter().enumerate() {
            if index > 0 {
                json.push(b',');
            }
            write_key(json, key);
            json.extend_from_slice(value.get().as_bytes());
        }
        json.push(b'}');
    }
}

/// Appends `"key":` to `json`.
pub(super) fn write_key(json: &mut Vec<u8>, key: &str) {
    // A string into a Vec cannot fail.
    serde_json::to_writer(&mut *json, key).expect("a string serializes");
    json.push(b':');
}
