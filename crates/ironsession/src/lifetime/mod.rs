pub(crate) mod clock;
pub(crate) mod limits;
pub(crate) mod ttl;
