pub(crate) mod data;
pub(crate) mod error;
pub(crate) mod password_strength;
pub(crate) mod passwords;
pub(crate) mod purpose;
pub(crate) mod rotation;
pub(crate) mod ttl_limit;
