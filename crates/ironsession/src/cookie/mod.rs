//! The cookie: where iron-session keeps the seal in the browser.
//!
//! Owns the cookie codec (`codec`: the `Cookie` header read exactly as the npm `cookie` package
//! reads it, `Set-Cookie` lines in its attribute order, the attribute types [`SameSite`] and
//! [`Priority`]), chunking ([`chunks`]: a long seal cut into `name.0` … `name.3` and joined back,
//! and the input bound [`MAX_CHUNKS`] sets; [`h3_chunks`]: h3 2.x's `__chunked__N` marker and
//! `name.1` … `name.N`), and the cache headers that keep a shared cache from
//! storing a session response (`cache`, written through [`ResponseHeaders`] into any framework's
//! header map). What it needs of the configuration comes in as a [`CookieConfig`]: it knows no
//! session, configuration or request type.
//!
//! The seal's usual transport (see [`request::transport`](crate::request::transport); a session
//! header is [`header`](crate::header)'s).
//! Uses [`seal`](crate::seal) only (the error of a seal refused before any crypto).

mod cache;
pub(crate) mod chunks;
mod codec;
pub(crate) mod h3_chunks;
mod response_headers;

pub(crate) use cache::{CacheHeader, CacheNeeds};
pub(crate) use chunks::{Capacity, Carried, Cookies, TooLarge, refuse_longer_than};
pub use chunks::{MAX_CHUNKS, MAX_SET_COOKIE_BYTES, Oversize, is_session_cookie};
#[cfg(fuzzing)]
pub(crate) use codec::find_cookies;
pub(crate) use codec::{Attributes, CookieConfig};
pub use codec::{Priority, SameSite};
pub(crate) use codec::{is_valid_attribute_value, is_valid_domain, is_valid_name};
pub(crate) use response_headers::ResponseHeaders;
