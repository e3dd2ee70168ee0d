pub(crate) mod iron_session;
