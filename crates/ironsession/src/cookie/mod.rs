pub(crate) mod cache;
pub(crate) mod chunks;
pub(crate) mod codec;
pub(crate) mod response_headers;
