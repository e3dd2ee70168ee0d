//! The envelope: how the JSON inside a seal carries the user's data and the session's
//! [metadata](crate::Metadata).
//!
//! Owns [`Envelope`], the one place that knows the layout: reading a session's JSON into the
//! user's `T` and the metadata, writing the metadata into the JSON of a save, and taking the
//! user's part alone for a re-seal. Today there is one layout, iron-session's
//! ([`iron_session`]: the user's own object, the metadata under `"_is"`); h3's
//! `{id, createdAt, data}` will be a second variant, with its own module here, chosen by the
//! configuration ([`SessionConfig::envelope`](crate::SessionConfig::envelope)). Nothing else
//! changes for it: the request step calls the envelope and never looks at the JSON itself.
//!
//! Uses [`lifetime`](crate::lifetime) (the metadata) only.

mod iron_session;

use serde::de::DeserializeOwned;

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
        }
    }

    /// Adds `metadata` to `json`, the compact JSON of the user's data, before it is sealed.
    pub(crate) fn wrap(self, json: &mut Vec<u8>, metadata: &Metadata) {
        match self {
            Envelope::IronSession => iron_session::append(json, metadata),
        }
    }

    /// The user's part of a session's JSON, each value exactly as it was written, without the
    /// metadata: what a re-seal writes again with fresh metadata.
    pub(crate) fn user_json(self, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        match self {
            Envelope::IronSession => iron_session::without_metadata(plaintext),
        }
    }
}
