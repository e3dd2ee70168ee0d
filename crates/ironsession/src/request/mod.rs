pub(crate) mod context;
pub(crate) mod incoming;
pub(crate) mod outgoing;
pub(crate) mod refused;
