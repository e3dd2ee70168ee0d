//! Sessions larger than one cookie as h3 2.x stores them (`setChunkedCookie`): the session cookie
//! `name` holds the marker `__chunked__N` and the seal is cut into `name.1` … `name.N`, 4000
//! characters each. Not iron-session 9's scheme (`name.0` … `name.3`, no marker): see
//! [`chunks`](super::chunks).
//!
//! - **Reading**: the cookie `name`; if it holds the marker, the chunks `name.1` … `name.N`
//!   joined, or nothing when one is missing (as h3). Only the canonical marker is read
//!   (`__chunked__` and a decimal count from 1 to 100, no sign or leading zero), where h3's
//!   `parseInt` also takes `__chunked__3abc` or `__chunked__0x3`: no writer produces those.
//! - **Cookie tossing**: unlike iron-session 9's scheme, there is no choice between two forms to
//!   refuse (see [`chunks`](super::chunks)): the cookie `name` is always read first and decides
//!   (a seal, or the marker that counts the chunks), stray chunks beside a seal are ignored as h3
//!   ignores them, and of two `name` cookies the first is read. A tossed cookie replaces a session
//!   only by being sent before the victim's `name` (a more specific `Path`), as for any cookie;
//!   `__Host-` names prevent that.
//! - **Writing**: a seal of at most 4000 characters (fewer if the name and attributes leave less
//!   room in a 4096-byte line) is one cookie; a longer one is cut into chunks of that size behind
//!   a marker, at most [`MAX_CHUNKS`] of them. h3 allows 100; the cap here is the one every
//!   ironsession session has, about 16 KB, and a larger session is
//!   [`SaveError::TooLarge`](crate::SaveError::TooLarge). After a save, the chunks the request
//!   carried and the new seal does not use are expired, as h3 expires those past the new count.
//! - **Input bound**: before any crypto, a seal in one cookie longer than `4096 − bytes("name=")`,
//!   or chunks (or a session header) joining to more than `MAX_CHUNKS × 4000` characters, are
//!   refused (an empty session, reason `invalid`, cause
//!   [`SealError::TooLong`](crate::SealError::TooLong)). h3 reads up to 100 chunks, about 400
//!   KB, which a session shared with ironsession never holds.

use std::sync::Arc;

use super::chunks::{Capacity, Cookies, TooLarge, line_name, refuse_longer_than};
use super::codec::{CookieConfig, find_cookies};
use super::{MAX_CHUNKS, MAX_SET_COOKIE_BYTES, Oversize};
use crate::UnsealError;

/// The value of the session cookie that says the seal is in chunks: this prefix, then the count.
const MARKER: &str = "__chunked__";

/// The most chunks h3 writes or reads.
const H3_MAX_CHUNKS: usize = 100;

/// The characters of seal h3 puts in each chunk (its `CHUNKS_MAX_LENGTH`; a seal is ASCII, so
/// encoded characters are characters).
pub(crate) const H3_CHUNK_LEN: usize = 4000;

/// The session cookies one request carried under h3's names (non-empty values only): the cookie
/// `name`, and which of the chunks `name.1` … `name.100`.
#[derive(Clone, Debug)]
pub(crate) struct Carried {
    name: Arc<str>,
    main: bool,
    /// Bit `i` for chunk `name.i`.
    chunks: u128,
    /// The session cookie held a marker: the seal came in chunks.
    marker: bool,
    /// The seal came in h3's session header instead of the cookies.
    by_header: bool,
}

impl Carried {
    /// The chunks carried under `name` (none for a name changed by `update_config`: the request's
    /// cookies were never read for it).
    fn under(&self, name: &str) -> (bool, u128) {
        if *self.name == *name {
            (self.main, self.chunks)
        } else {
            (false, 0)
        }
    }

    /// Whether the request carried any of the session's cookies, or a seal in h3's session
    /// header.
    pub(crate) fn any(&self) -> bool {
        self.main || self.chunks != 0 || self.by_header
    }

    /// Whether the seal came in h3's session header.
    pub(crate) fn came_by_header(&self) -> bool {
        self.by_header
    }

    /// The same cookies, with the seal taken from h3's session header instead.
    pub(crate) fn by_header(self) -> Self {
        Carried {
            by_header: true,
            ..self
        }
    }
}

/// Reads a request's session cookies as h3 2.x does: the seal (the cookie, or the chunks its
/// marker counts, joined), and which cookies were there.
pub(crate) fn read<'h>(
    config: &CookieConfig<'_>,
    cookie_headers: impl IntoIterator<Item = &'h [u8]>,
) -> (Option<String>, Carried) {
    let name = config.cookie_name();
    let mut found: [Option<String>; 1 + H3_MAX_CHUNKS] = std::array::from_fn(|_| None);
    find_cookies(cookie_headers, |pair| slot(name, pair), &mut found);
    let [main, chunks @ ..] = found.map(|value| value.filter(|value| !value.is_empty()));
    let mut carried = Carried {
        name: config.shared_cookie_name(),
        main: main.is_some(),
        chunks: 0,
        marker: false,
        by_header: false,
    };
    for (index, chunk) in chunks.iter().enumerate() {
        if chunk.is_some() {
            carried.chunks |= 1 << (index + 1);
        }
    }
    let Some(main) = main else {
        return (None, carried);
    };
    if !main.starts_with(MARKER) {
        return (Some(main), carried);
    }
    carried.marker = true;
    let seal = marker_count(&main).and_then(|count| {
        let chunks = &chunks[..count];
        let length = chunks
            .iter()
            .map(|chunk| chunk.as_ref().map_or(0, String::len))
            .sum();
        let mut joined = String::with_capacity(length);
        for chunk in chunks {
            joined.push_str(chunk.as_deref()?);
        }
        Some(joined)
    });
    (seal, carried)
}

/// The count of a canonical marker `__chunked__N`, N from 1 to 100.
fn marker_count(value: &str) -> Option<usize> {
    let digits = value.strip_prefix(MARKER)?;
    let canonical = !digits.is_empty()
        && digits.len() <= 3
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    let count: usize = digits.parse().ok().filter(|_| canonical)?;
    (count <= H3_MAX_CHUNKS).then_some(count)
}

/// Where a cookie called `pair` belongs: 0 for the session cookie `name`, `i` for chunk `name.i`
/// (1 to 100, written as h3 writes it).
fn slot(name: &str, pair: &str) -> Option<usize> {
    if pair == name {
        return Some(0);
    }
    let digits = pair.strip_prefix(name)?.strip_prefix('.')?;
    if digits.starts_with('0') || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits
        .parse()
        .ok()
        .filter(|index| (1..=H3_MAX_CHUNKS).contains(index))
}

/// Whether the cookie called `cookie` is one of h3's cookies of the session named `name`: `name`
/// itself or a chunk `name.1` … `name.100`.
pub(crate) fn is_h3_session_cookie(name: &str, cookie: &str) -> bool {
    slot(name, cookie).is_some()
}

/// The longest seal a session header may carry (the most chunks could: `MAX_CHUNKS × 4000`).
pub(crate) const MAX_JOINED_LEN: usize = MAX_CHUNKS * H3_CHUNK_LEN;

/// Refuses, before any crypto, a seal longer than any writer of this cookie name can produce in
/// the way it came: one cookie, or chunks (see the module documentation).
pub(crate) fn check_length(carried: &Carried, seal: &str) -> Result<(), UnsealError> {
    let max = if carried.marker || carried.by_header {
        MAX_JOINED_LEN
    } else {
        MAX_SET_COOKIE_BYTES.saturating_sub(carried.name.len() + "=".len())
    };
    refuse_longer_than(max, seal)
}

/// The characters of seal each chunk holds: h3's 4000, or less when `name.N=` and the attributes
/// leave less room in a 4096-byte line (then they are cut shorter than h3 would; h3 reads them).
fn chunk_len(config: &CookieConfig<'_>) -> usize {
    let overhead = config.set_cookie_line_len(config.cookie_name().len() + ".1".len(), 0);
    H3_CHUNK_LEN.min(MAX_SET_COOKIE_BYTES.saturating_sub(overhead))
}

/// What `config`'s cookies can hold, chunked as h3 2.x chunks them.
pub(crate) fn capacity(config: &CookieConfig<'_>) -> Capacity {
    Capacity::of(config, chunk_len(config))
}

/// The cookies that store the seal `write_seal` writes, `seal_len` bytes long, and expire the
/// chunks the request carried that the new seal does not use.
pub(crate) fn save_sealing<E: From<TooLarge>>(
    config: &CookieConfig<'_>,
    seal_len: usize,
    write_seal: impl FnOnce(&mut String) -> Result<(), E>,
    carried: &Carried,
) -> Result<Cookies, E> {
    let mut seal = String::with_capacity(seal_len);
    write_seal(&mut seal)?;
    save(config, &seal, carried).map_err(E::from)
}

/// The cookies that store `seal` (h3 2.x's `setChunkedCookie`, with the cap of [`MAX_CHUNKS`]).
pub(crate) fn save(
    config: &CookieConfig<'_>,
    seal: &str,
    carried: &Carried,
) -> Result<Cookies, TooLarge> {
    let name = config.cookie_name();
    let (_, carried_chunks) = carried.under(name);
    let line_len = config.set_cookie_line_len(name.len(), seal.len());
    let chunk_len = chunk_len(config).max(1);
    let fits_whole = if config.chunking() {
        seal.len() <= chunk_len
    } else {
        line_len <= MAX_SET_COOKIE_BYTES
    };
    if fits_whole {
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
        return Err(too_large(if carried.marker {
            Oversize::ChunkingOffButRequestChunked
        } else {
            Oversize::OneCookie
        }));
    }
    let needed = seal.len().div_ceil(chunk_len);
    if needed > MAX_CHUNKS {
        return Err(too_large(Oversize::TooManyChunks { needed }));
    }
    let mut cookies = Vec::with_capacity(needed + 1);
    cookies.push(config.set_cookie_line(name, &format!("{MARKER}{needed}")));
    // A seal is ASCII, so byte offsets are character boundaries.
    for (index, chunk) in seal.as_bytes().chunks(chunk_len).enumerate() {
        let chunk = String::from_utf8_lossy(chunk);
        cookies.push(config.set_cookie_line(&format!("{name}.{}", index + 1), &chunk));
    }
    expire_chunks(config, carried_chunks, needed, &mut cookies);
    Ok(cookies)
}

/// The cookies that end the session: the session cookie, always, and every chunk the request
/// carried (h3's `deleteChunkedCookie`).
pub(crate) fn destroy(config: &CookieConfig<'_>, carried: &Carried) -> Cookies {
    let name = config.cookie_name();
    let mut cookies = vec![config.deletion_line(name)];
    expire_chunks(config, carried.under(name).1, 0, &mut cookies);
    cookies
}

/// The cookies that delete exactly the session cookies the request carried, or `None` when it
/// carried none under the configuration's name.
pub(crate) fn destroy_carried(config: &CookieConfig<'_>, carried: &Carried) -> Option<Cookies> {
    let name = config.cookie_name();
    let (main, chunks) = carried.under(name);
    if !main && chunks == 0 {
        return None;
    }
    let mut cookies = Vec::new();
    if main {
        cookies.push(config.deletion_line(name));
    }
    expire_chunks(config, chunks, 0, &mut cookies);
    Some(cookies)
}

/// Expires the carried chunks after chunk `from`.
fn expire_chunks(config: &CookieConfig<'_>, carried: u128, from: usize, cookies: &mut Cookies) {
    let name = config.cookie_name();
    for index in from + 1..=H3_MAX_CHUNKS {
        if carried & (1 << index) != 0 {
            cookies.push(config.suffixed_deletion_line(name, &format!(".{index}")));
        }
    }
}

/// Whether a queued line sets one of h3's cookies of the session named `name`.
pub(crate) fn is_session_line(name: &str, line: &str) -> bool {
    is_h3_session_cookie(name, line_name(line))
}

#[cfg(test)]
mod tests;
