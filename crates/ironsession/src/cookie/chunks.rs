//! Sessions larger than one cookie, exactly as iron-session 9 stores them with `chunk: true`: the
//! seal (with its `~2` suffix) is cut as an opaque string into `name.0`, `name.1`, … (at most
//! [`MAX_CHUNKS`]) and read back by plain concatenation.
//!
//! - **Reading** does not depend on the option, so turning chunking on or off never logs anyone
//!   out: the whole cookie if the request has one, else `name.0`, `name.1`, … up to the first
//!   missing one, never past [`MAX_CHUNKS`]. No cookie holds a chunk count (a count the client
//!   sends would be attacker-chosen work). Chunks are not checked one by one: the seal's HMAC
//!   covers the whole string, so a missing, reordered or foreign chunk fails it.
//! - **Both forms at once** (a non-empty whole cookie and any non-empty chunk, in any order):
//!   neither is read, the session is empty with reason
//!   [`Ambiguous`](crate::UnsealReason::Ambiguous). iron-session reads the whole cookie wherever
//!   it stands, so a whole cookie planted by a subdomain or a plain-http page (cookie tossing)
//!   would replace a chunked session; no writer leaves both, since a save expires the form it does
//!   not write. The response deletes nothing: the planted cookie may carry a `Domain` or `Path`
//!   this configuration's deletion cannot reach, and deleting only the session's own cookies would
//!   finish the attacker's logout for them. The next save (a new login) writes one form and
//!   expires the other. Of several cookies of one name (two whole ones, or a chunk twice), the
//!   first is read, as by the npm `cookie` package: browsers send the most specific path first.
//! - **Writing**: a seal whose whole `Set-Cookie` line fits 4096 bytes is one cookie. A longer one
//!   is cut every `4096 − bytes("name.0=" + attributes)` characters, each chunk with the same
//!   attributes; more than [`MAX_CHUNKS`] is
//!   [`SaveError::TooLarge`](crate::SaveError::TooLarge).
//! - **Stale cookies**: after a save, every cookie of the session that the request carried and the
//!   new save does not write (chunks past the new count; the whole cookie when writing chunks)
//!   is expired with `Max-Age=0` and the same `Path`/`Domain`. Cookies the request did not carry
//!   are left alone, so an ordinary save sends one `Set-Cookie`, as in iron-session.
//! - **Input bound**: before any parsing or crypto, a whole cookie longer than
//!   `4096 − bytes("name=")` or joined chunks longer than `4 × (4096 − bytes("name.0="))` are
//!   refused (an empty session, reason `invalid`, cause [`SealError::TooLong`]). No writer of this
//!   cookie name can produce more. The attributes are left out of the bound on purpose: a peer
//!   whose attributes are shorter (no `Max-Age`, no `Secure`) writes slightly longer seals, and
//!   refusing them would log its users out; the slack is under 100 bytes a cookie.

use std::sync::Arc;

use super::codec::{CookieConfig, find_cookies};
use crate::{SealError, UnsealError};

/// The most cookies one session may use. Not configurable, as in iron-session 9: four chunks are
/// already about 16 KB of `Cookie` header on every request, and common proxies refuse request
/// headers over 8 KB, so more would only move the failure from a clear error to a 400 at the CDN.
///
/// It also bounds what a request may make the server unseal. Before any parsing or crypto, a whole
/// cookie longer than `4096 − len("name=")` bytes, or chunks that join to more than
/// `MAX_CHUNKS × (4096 − len("name.0="))` bytes, are refused: the session is empty and
/// [`Session::unseal_error`](crate::Session::unseal_error) has reason `invalid` and cause
/// [`SealError::TooLong`]. No writer of the cookie name, here or in Node, can produce more. The
/// attributes are left out on purpose, so a peer whose attributes are shorter is never refused.
///
/// ```
/// use http::HeaderMap;
/// use ironsession::{JsonSession, Passwords, SealError, SessionConfig, MAX_CHUNKS};
///
/// let config = SessionConfig::builder("s", Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?).build()?;
/// let mut headers = HeaderMap::new();
/// let forged = "x".repeat(MAX_CHUNKS * (4096 - "s.0=".len()) + 1);
/// headers.insert("cookie", format!("s.0={forged}").parse()?);
/// let session: JsonSession = config.load(&headers);
/// assert!(session.is_empty());
/// assert!(matches!(session.unseal_error().unwrap().cause(), Some(SealError::TooLong { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const MAX_CHUNKS: usize = 4;

/// The largest `Set-Cookie` value browsers are guaranteed to keep (RFC 6265 §6.1), measured in
/// bytes over the whole line: name, value and attributes.
pub const MAX_SET_COOKIE_BYTES: usize = 4096;

/// Why a session does not fit the cookies its configuration may write (in
/// [`SaveError::TooLarge`](crate::SaveError::TooLarge)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Oversize {
    /// Chunking is off, so the session has one cookie. Store less, or turn chunking on with
    /// [`SessionConfigBuilder::chunking`](crate::SessionConfigBuilder::chunking).
    OneCookie,
    /// Chunking is off in this configuration, yet the request carried the session in chunks:
    /// something else writing this cookie (another configuration of this app, or a Node app) has
    /// chunking on. Use the same setting everywhere the cookie is written.
    ChunkingOffButRequestChunked,
    /// Chunking is on and the session needs more than [`MAX_CHUNKS`] cookies.
    TooManyChunks {
        /// How many cookies it would take.
        needed: usize,
    },
}

impl Oversize {
    /// What to do about it, in a few words (the adapters' 500 body).
    #[cfg(any(feature = "axum", feature = "actix-web"))]
    pub(crate) fn hint(self) -> String {
        match self {
            Oversize::OneCookie => "store less, or turn on chunking".into(),
            Oversize::ChunkingOffButRequestChunked => {
                "chunking is off here but the request carried chunks: use one setting everywhere"
                    .into()
            }
            Oversize::TooManyChunks { needed } => {
                format!("it needs {needed} cookies, at most {MAX_CHUNKS}: store an id instead")
            }
        }
    }

    /// The message of [`SaveError::TooLarge`](crate::SaveError::TooLarge).
    pub(crate) fn describe(self, size: usize, limit: usize) -> String {
        match self {
            Oversize::OneCookie => format!(
                "the session cookie would be {size} bytes, over the {limit}-byte limit browsers \
                 keep: store less in the session, or turn on chunking to split it across several \
                 cookies"
            ),
            Oversize::ChunkingOffButRequestChunked => format!(
                "the session cookie would be {size} bytes, over the {limit}-byte limit, and \
                 chunking is off in this configuration, but the request carried this session in \
                 chunks: more than one configuration writes this cookie and only some turn \
                 chunking on; use the same setting everywhere (the Node app included)"
            ),
            Oversize::TooManyChunks { needed } => format!(
                "the session needs {needed} cookies and the most is {MAX_CHUNKS}: even {MAX_CHUNKS} \
                 send about 16 KB of Cookie header with every request and proxies commonly cap \
                 headers at 8 KB; store an id in the session and keep the data in your database"
            ),
        }
    }
}

/// A session too large for the cookies its configuration may write: what
/// [`SaveError::TooLarge`](crate::SaveError::TooLarge) reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TooLarge {
    /// The size in bytes of the whole `Set-Cookie` line, as one cookie.
    pub(crate) size: usize,
    /// The limit of one line.
    pub(crate) limit: usize,
    /// Why more cookies could not take it.
    pub(crate) oversize: Oversize,
}

/// The session cookies one request carried (non-empty values only: an empty value counts as
/// absent, as in iron-session), under the cookie name they were read for.
#[derive(Clone, Debug)]
pub(crate) struct Carried {
    name: Arc<str>,
    whole: bool,
    chunks: [bool; MAX_CHUNKS],
}

impl Carried {
    /// Whether the request carried the cookie both whole and in chunks.
    fn is_ambiguous(&self) -> bool {
        self.whole && self.chunks.contains(&true)
    }

    /// Whether the request carried the whole cookie or any chunk.
    pub(crate) fn any(&self) -> bool {
        self.whole || self.chunks.contains(&true)
    }

    /// How many chunk cookies (`name.0` … `name.3`) the request carried.
    #[cfg(feature = "metrics")]
    pub(crate) fn chunk_count(&self) -> usize {
        self.chunks.iter().filter(|&&carried| carried).count()
    }

    /// The cookies carried under `name`. For a name changed by `update_config` the request's
    /// cookies were never read, so nothing counts as carried and nothing is expired.
    fn under(&self, name: &str) -> (bool, [bool; MAX_CHUNKS]) {
        if *self.name == *name {
            (self.whole, self.chunks)
        } else {
            (false, [false; MAX_CHUNKS])
        }
    }
}

/// Reads a request's session cookies: the seal (the whole cookie, else the joined chunks; none
/// when the request carried both, which [`check_carried`] refuses), and which cookies were there.
pub(crate) fn read<'h>(
    config: &CookieConfig<'_>,
    cookie_headers: impl IntoIterator<Item = &'h [u8]>,
) -> (Option<String>, Carried) {
    let name = config.cookie_name();
    let mut found: [Option<String>; 1 + MAX_CHUNKS] = Default::default();
    find_cookies(cookie_headers, |pair| slot(name, pair), &mut found);
    let [whole, chunks @ ..] = found.map(|value| value.filter(|value| !value.is_empty()));
    let carried = Carried {
        name: config.shared_cookie_name(),
        whole: whole.is_some(),
        chunks: chunks.each_ref().map(Option::is_some),
    };
    if carried.is_ambiguous() {
        return (None, carried);
    }
    let seal = whole.or_else(|| {
        let length: usize = chunks
            .iter()
            .map_while(Option::as_ref)
            .map(String::len)
            .sum();
        let mut chunks = chunks.into_iter().map_while(|chunk| chunk);
        // The first chunk's buffer, grown once to hold them all.
        let mut joined = chunks.next()?;
        joined.reserve_exact(length - joined.len());
        chunks.for_each(|chunk| joined.push_str(&chunk));
        Some(joined)
    });
    (seal, carried)
}

/// Refuses, before any crypto, a request that carried the cookie both whole and in chunks (see
/// the module documentation).
pub(crate) fn check_carried(carried: &Carried) -> Result<(), UnsealError> {
    if carried.is_ambiguous() {
        return Err(UnsealError::ambiguous());
    }
    Ok(())
}

/// Where a cookie called `pair` belongs among the session's cookies named after `name`: 0 for the
/// whole cookie, `1 + i` for chunk `i`. Exactly `name.0` … `name.3`: iron-session looks chunks up
/// by these exact names, so `name.01` or `name.4` are other cookies.
fn slot(name: &str, pair: &str) -> Option<usize> {
    if pair == name {
        return Some(0);
    }
    match pair.strip_prefix(name)?.strip_prefix('.')?.as_bytes() {
        [digit] if digit.is_ascii_digit() && usize::from(digit - b'0') < MAX_CHUNKS => {
            Some(1 + usize::from(digit - b'0'))
        }
        _ => None,
    }
}

/// Whether the cookie called `cookie` is one of the cookies of the session whose cookie name is
/// `name`: the whole cookie `name`, or one of its chunks `name.0` … `name.3` (see
/// [`MAX_CHUNKS`]). Exactly these names, as iron-session looks them up: `name.01` or `name.4`
/// are other cookies. For an app that reads the `Cookie` header itself, to count or skip the
/// session's cookies.
///
/// ```
/// use ironsession::is_session_cookie;
///
/// assert!(is_session_cookie("session", "session"));
/// assert!(is_session_cookie("session", "session.3"));
/// assert!(!is_session_cookie("session", "session.4"));
/// assert!(!is_session_cookie("session", "session.01"));
/// assert!(!is_session_cookie("session", "sessions"));
/// ```
pub fn is_session_cookie(name: &str, cookie: &str) -> bool {
    slot(name, cookie).is_some()
}

/// Refuses, before any crypto, a seal longer than any writer of this cookie name can produce (see
/// the module documentation).
pub(crate) fn check_length(carried: &Carried, seal: &str) -> Result<(), UnsealError> {
    let name_bytes = carried.name.len();
    let whole_max = MAX_SET_COOKIE_BYTES.saturating_sub(name_bytes + "=".len());
    let chunk_max = MAX_SET_COOKIE_BYTES.saturating_sub(name_bytes + CHUNK_SUFFIX_LEN + "=".len());
    let max = if carried.whole {
        whole_max
    } else {
        MAX_CHUNKS * chunk_max
    };
    refuse_longer_than(max, seal)
}

/// Refuses `seal` if it is longer than `max` bytes, before any crypto: [`SealError::TooLong`].
pub(crate) fn refuse_longer_than(max: usize, seal: &str) -> Result<(), UnsealError> {
    if seal.len() > max {
        return Err(SealError::TooLong {
            length: seal.len(),
            max,
        }
        .into());
    }
    Ok(())
}

/// `Set-Cookie` lines, in the order they are sent.
pub(crate) type Cookies = Vec<String>;

/// The name of the cookie a `Set-Cookie` line sets: everything before the first `=`, since a
/// cookie name is a token, which has no `=`.
pub(crate) fn line_name(line: &str) -> &str {
    line.split_once('=').map_or(line, |(name, _)| name)
}

/// [`save`] of the seal that `write_seal` appends to a string, `seal_len` bytes long: the seal is
/// written straight into the `Set-Cookie` line that stores it as one cookie, the usual case, so
/// it is never a string of its own. `seal_len` sizes the line exactly (so that `http` takes it
/// over without copying it); were it wrong, the line would only grow or keep spare room, the
/// cookies would be the same. A seal too long for one cookie is cut into chunks from that buffer.
pub(crate) fn save_sealing<E: From<TooLarge>>(
    config: &CookieConfig<'_>,
    seal_len: usize,
    write_seal: impl FnOnce(&mut String) -> Result<(), E>,
    carried: &Carried,
) -> Result<Cookies, E> {
    let name = config.cookie_name();
    let mut line = config.start_set_cookie_line(name, "", seal_len);
    let seal_start = line.len();
    write_seal(&mut line)?;
    let seal = &line[seal_start..];
    if config.set_cookie_line_len(name.len(), seal.len()) > MAX_SET_COOKIE_BYTES {
        return save(config, seal, carried).map_err(E::from);
    }
    config.finish_set_cookie_line(&mut line);
    let mut cookies = vec![line];
    expire_chunks(config, carried.under(name).1, 0, &mut cookies);
    Ok(cookies)
}

/// The cookies that store `seal` under `config` and expire what the request carried and the new
/// seal no longer uses (iron-session 9's `writeSeal`).
pub(crate) fn save(
    config: &CookieConfig<'_>,
    seal: &str,
    carried: &Carried,
) -> Result<Cookies, TooLarge> {
    let name = config.cookie_name();
    let (carried_whole, carried_chunks) = carried.under(name);
    // Measured before it is built: a seal too long for one cookie never gets the line.
    let line_len = config.set_cookie_line_len(name.len(), seal.len());
    if line_len <= MAX_SET_COOKIE_BYTES {
        let mut cookies = vec![config.set_cookie_line(name, seal)];
        expire_chunks(config, carried_chunks, 0, &mut cookies);
        return Ok(cookies);
    }
    let too_large = |oversize| TooLarge {
        size: line_len,
        limit: MAX_SET_COOKIE_BYTES,
        oversize,
    };
    if !config.chunking() {
        return Err(too_large(if carried_chunks[0] {
            Oversize::ChunkingOffButRequestChunked
        } else {
            Oversize::OneCookie
        }));
    }
    // `missing_room` refused configurations that leave no room for a chunk; `max` only keeps the
    // division below defined.
    let budget = chunk_budget(config).max(1);
    let needed = seal.len().div_ceil(budget);
    if needed > MAX_CHUNKS {
        return Err(too_large(Oversize::TooManyChunks { needed }));
    }
    let mut cookies = Vec::with_capacity(MAX_CHUNKS + 1);
    // A seal is ASCII (base64url, digits, `*`, `.`, `~`), so byte offsets are character
    // boundaries and equal JavaScript's string offsets.
    // `needed` is at most MAX_CHUNKS, so every chunk has its suffix.
    for (suffix, chunk) in CHUNK_SUFFIXES.iter().zip(seal.as_bytes().chunks(budget)) {
        let mut line = config.start_set_cookie_line(name, suffix, chunk.len());
        line.push_str(&String::from_utf8_lossy(chunk));
        config.finish_set_cookie_line(&mut line);
        cookies.push(line);
    }
    if carried_whole {
        cookies.push(config.deletion_line(name));
    }
    expire_chunks(config, carried_chunks, needed, &mut cookies);
    crate::metrics::chunked_save(needed);
    Ok(cookies)
}

/// The cookies that end the session: the whole cookie, always, and every chunk the request carried
/// (iron-session 9's `destroy`).
pub(crate) fn destroy(config: &CookieConfig<'_>, carried: &Carried) -> Cookies {
    let name = config.cookie_name();
    let mut cookies = vec![config.deletion_line(name)];
    expire_chunks(config, carried.under(name).1, 0, &mut cookies);
    cookies
}

/// The cookies that delete exactly the session cookies the request carried (the whole cookie, its
/// chunks), or `None` when it carried none under the configuration's name.
pub(crate) fn destroy_carried(config: &CookieConfig<'_>, carried: &Carried) -> Option<Cookies> {
    let name = config.cookie_name();
    let (whole, chunks) = carried.under(name);
    if !whole && !chunks.contains(&true) {
        return None;
    }
    let mut cookies = Vec::new();
    if whole {
        cookies.push(config.deletion_line(name));
    }
    expire_chunks(config, chunks, 0, &mut cookies);
    Some(cookies)
}

/// Expires the carried chunks from index `from` on.
fn expire_chunks(
    config: &CookieConfig<'_>,
    carried: [bool; MAX_CHUNKS],
    from: usize,
    cookies: &mut Cookies,
) {
    let name = config.cookie_name();
    let carried_suffixes = CHUNK_SUFFIXES.iter().zip(carried).skip(from);
    for (suffix, _) in carried_suffixes.filter(|(_, carried)| *carried) {
        cookies.push(config.suffixed_deletion_line(name, suffix));
    }
}

/// The suffixes of the chunks' cookie names, `.0` to `.3`: chunk `i` is cookie `name` + suffix
/// `i`, written straight into its `Set-Cookie` line.
const CHUNK_SUFFIXES: [&str; MAX_CHUNKS] = [".0", ".1", ".2", ".3"];

/// The length of a chunk name's `.N` suffix: one digit, as chunk indexes are below `MAX_CHUNKS`.
const CHUNK_SUFFIX_LEN: usize = ".0".len();
const _: () = assert!(MAX_CHUNKS <= 10);

/// What the session cookies of one configuration can hold: the caps a seal in a session header
/// is held to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Capacity {
    /// The longest seal the cookies can store.
    pub(crate) max_seal_len: usize,
    /// What one chunk holds, when they are chunked.
    pub(crate) chunk_len: Option<usize>,
    /// The bytes of a `Set-Cookie` line of the session cookie besides its value.
    pub(crate) line_overhead: usize,
}

impl Capacity {
    /// The capacity of `config`'s cookies whose chunks (with chunking on) hold `chunk_len`
    /// characters each: all [`MAX_CHUNKS`] of them, or one cookie with chunking off.
    pub(super) fn of(config: &CookieConfig<'_>, chunk_len: usize) -> Self {
        let line_overhead = config.set_cookie_line_len(config.cookie_name().len(), 0);
        if config.chunking() {
            return Capacity {
                max_seal_len: MAX_CHUNKS * chunk_len,
                chunk_len: Some(chunk_len),
                line_overhead,
            };
        }
        Capacity {
            max_seal_len: MAX_SET_COOKIE_BYTES.saturating_sub(line_overhead),
            chunk_len: None,
            line_overhead,
        }
    }
}

/// What `config`'s cookies can hold, chunked as iron-session 9 chunks them.
pub(crate) fn capacity(config: &CookieConfig<'_>) -> Capacity {
    Capacity::of(config, chunk_budget(config))
}

/// With chunking on, the bytes of `name.0=` and the attributes when they leave no room for a
/// chunk: the configuration is refused (iron-session 9 finds this on the first save; here it is
/// found at start-up).
pub(crate) fn missing_room(config: &CookieConfig<'_>) -> Option<usize> {
    (config.chunking() && chunk_budget(config) == 0).then(|| chunk_overhead(config))
}

/// The characters of seal each chunk holds: 4096 minus the bytes of `name.0=` and the attributes.
/// Zero or less when the name and attributes alone fill a cookie.
pub(super) fn chunk_budget(config: &CookieConfig<'_>) -> usize {
    let overhead = chunk_overhead(config);
    MAX_SET_COOKIE_BYTES.saturating_sub(overhead)
}

/// The bytes of an empty chunk's `Set-Cookie` line (`name.0=` and the attributes).
pub(super) fn chunk_overhead(config: &CookieConfig<'_>) -> usize {
    config.set_cookie_line_len(config.cookie_name().len() + CHUNK_SUFFIX_LEN, 0)
}

#[cfg(test)]
mod tests;
