//! `seal_data` and `unseal_data`: iron-session's data layer, with its `~2` version suffix.

use std::borrow::Cow;

use iron_seal::{Options, Password, PasswordId, RandomSource, ThreadRandom, system_now_ms};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Passwords, SealError, Ttl, UnsealError};

/// The suffix iron-session appends to every seal: `~` and its format's major version.
pub const VERSION_SUFFIX: &str = "~2";

/// How a session's seal is written and read around the Fe26.2 seal itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) enum SealFormat {
    /// iron-session's: the `~2` suffix on every seal, and every seal names its password id.
    #[default]
    IronSession,
    /// h3's: the bare seal (h3 would refuse the suffix as a bad HMAC).
    H3,
}

impl SealFormat {
    fn suffix(self) -> &'static str {
        match self {
            SealFormat::IronSession => VERSION_SUFFIX,
            SealFormat::H3 => "",
        }
    }
}

/// The longest seal (the part before `~`) [`unseal_data`] opens, in bytes: 1 MiB, far above
/// anything a cookie or a link carries, and low enough that a forged seal (whose HMAC is computed
/// over all of it before it can be refused) costs at most about a millisecond. Longer input is
/// refused with [`SealError::TooLong`] before any cryptography. iron-session has no limit; a
/// session cookie is held to a much tighter bound, the longest value its configuration writes.
pub const UNSEAL_DATA_MAX_LEN: usize = 1 << 20;

/// Seals `data` as iron-session's `sealData` does: JSON, sealed with the highest password id,
/// expiring after `ttl`, with the `~2` suffix. Salts and IV come from
/// [`ThreadRandom`](iron_seal::ThreadRandom), a per-thread ChaCha20 generator keyed from the OS;
/// the salts (and the keys derived from them) are reused for up to a minute unless
/// [`Passwords::with_seal_key_reuse`] turned that off, and the IV is fresh for every seal.
///
/// ```
/// use ironsession::{seal_data, unseal_data, Passwords, Ttl};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize, PartialEq, Debug)]
/// struct Login { user_id: u32 }
///
/// let passwords = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?;
/// let sealed = seal_data(&Login { user_id: 42 }, &passwords, Ttl::seconds(3600))?;
/// assert!(sealed.starts_with("Fe26.2*1*") && sealed.ends_with("~2"));
/// assert_eq!(unseal_data::<Login>(&sealed, &passwords)?, Login { user_id: 42 });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Tokens with a purpose
/// A token that is not a session cookie (a magic link, an e-mail confirmation) must not open as
/// one: seal it with [`Passwords::for_purpose`], and open it with the same. Such a token opens
/// neither as a session cookie, nor for another purpose, nor in a Node app that shares the
/// password (the derivation rule is in [`Passwords::for_purpose`]'s documentation, and a Node
/// peer that must read the tokens can follow it). Better still, give tokens a password of their own. Seals
/// without a purpose are exactly iron-session's.
///
/// # Errors
/// [`SealError::Serialize`] when `data` cannot be JSON; [`SealError::Random`] when the OS random
/// source fails.
pub fn seal_data<T: Serialize + ?Sized>(
    data: &T,
    passwords: &Passwords,
    ttl: Ttl,
) -> Result<String, SealError> {
    seal_data_at(data, passwords, ttl, system_now_ms(), ThreadRandom)
}

/// [`seal_data`] at the clock reading `now_ms` (milliseconds since the Unix epoch) with the given
/// random source, for reproducible tests.
///
/// # Errors
/// As [`seal_data`].
pub fn seal_data_at<T: Serialize + ?Sized>(
    data: &T,
    passwords: &Passwords,
    ttl: Ttl,
    now_ms: u64,
    random: impl RandomSource,
) -> Result<String, SealError> {
    let json = serde_json::to_vec(data).map_err(|e| SealError::Serialize(e.to_string()))?;
    seal_json_at(&json, passwords, ttl.as_millis(), now_ms, random)
}

/// Seals JSON text with the password that seals at `now_ms`, expiring `ttl_ms` after it (never
/// for `None`), with the `~2` suffix.
fn seal_json_at(
    json: &[u8],
    passwords: &Passwords,
    ttl_ms: Option<u64>,
    now_ms: u64,
    random: impl RandomSource,
) -> Result<String, SealError> {
    let sealing = JsonSealing::new(passwords, ttl_ms, now_ms, SealFormat::IronSession);
    let mut sealed = String::with_capacity(sealing.sealed_len(json.len()));
    sealing.seal_into(&mut sealed, json, random)?;
    Ok(sealed)
}

/// [`seal_json_at`] in two steps, for a caller that writes the seal into a buffer of its own (a
/// `Set-Cookie` line): the seal's exact length first, then the seal appended to the buffer.
pub(crate) struct JsonSealing<'p> {
    id: Cow<'p, PasswordId>,
    password: &'p Password,
    options: Options,
    now_ms: u64,
    suffix: &'static str,
}

impl<'p> JsonSealing<'p> {
    /// Sealing with the password that seals at `now_ms`, expiring `ttl_ms` after it (never for
    /// `None`), with the passwords' iteration count, in `format`.
    pub(crate) fn new(
        passwords: &'p Passwords,
        ttl_ms: Option<u64>,
        now_ms: u64,
        format: SealFormat,
    ) -> Self {
        let (id, password) = passwords.sealing_at(now_ms);
        let options = Options::IRON_DEFAULT
            .with_ttl_ms(ttl_ms)
            .with_key_reuse(passwords.key_reuse());
        JsonSealing {
            id,
            password,
            options: passwords.derivation.apply(options),
            now_ms,
            suffix: format.suffix(),
        }
    }

    /// The length in bytes of the seal of `json_len` bytes of JSON, its suffix included.
    pub(crate) fn sealed_len(&self, json_len: usize) -> usize {
        iron_seal::sealed_len(
            json_len,
            &self.id,
            self.password,
            &self.options,
            self.now_ms,
        ) + self.suffix.len()
    }

    /// Appends the seal of `json`, with its suffix (`~2` for iron-session), to `out` (nothing on
    /// error).
    pub(crate) fn seal_into(
        &self,
        out: &mut String,
        json: &[u8],
        random: impl RandomSource,
    ) -> Result<(), SealError> {
        iron_seal::seal_at_into(
            out,
            json,
            &self.id,
            self.password,
            &self.options,
            self.now_ms,
            random,
        )?;
        out.push_str(self.suffix);
        Ok(())
    }
}

/// Unseals what [`seal_data`] or iron-session's `sealData` made, by the system clock.
///
/// As iron-session 9 does, everything from the first `~` on is ignored, and an empty or `null`
/// payload reads as `{}`. A lone UTF-16 surrogate escaped in the JSON (`"\ud83c"`, half an emoji,
/// which JavaScript writes for a string cut in the middle of a character) reads as U+FFFD, the
/// replacement character. JSON nested [`iron_seal::MAX_JSON_DEPTH`] (128) levels deep or more is
/// refused ([`SealError::JsonTooDeep`]), and so are seals over [`UNSEAL_DATA_MAX_LEN`]. Seals without the suffix (next-iron-session's legacy `persistent`
/// format) are read as plain seals; their payload is not unwrapped, because the suffix is not
/// authenticated and honouring it would let anyone switch a seal to the legacy reading.
///
/// Like iron-session, it trusts the expiration written in the seal: a seal without one opens
/// forever, one that expires in ten years opens for ten years. To refuse what your own ttl would
/// never have written, call [`TtlLimit::check`](crate::TtlLimit::check) first (sessions do it by
/// default). A token sealed for a purpose opens only with
/// [`Passwords::for_purpose`] of the same purpose.
///
/// # Errors
/// [`UnsealError`], whose [`reason`](UnsealError::reason) is `Expired`, `UnknownPassword` or
/// `Invalid` (including JSON that does not fit `T`).
pub fn unseal_data<T: DeserializeOwned>(
    sealed: &str,
    passwords: &Passwords,
) -> Result<T, UnsealError> {
    unseal_data_at(sealed, passwords, system_now_ms())
}

/// [`unseal_data`] at the clock reading `now_ms`.
///
/// ```
/// use ironsession::{seal_data_at, unseal_data_at, Passwords, Ttl, UnsealReason};
///
/// let passwords = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?;
/// let sealed = seal_data_at(&[1, 2], &passwords, Ttl::seconds(60), 0, iron_seal::OsRandom)?;
/// assert_eq!(unseal_data_at::<Vec<u8>>(&sealed, &passwords, 119_999)?, [1, 2]);
/// let err = unseal_data_at::<Vec<u8>>(&sealed, &passwords, 120_000).unwrap_err();
/// assert_eq!(err.reason(), UnsealReason::Expired);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`unseal_data`].
pub fn unseal_data_at<T: DeserializeOwned>(
    sealed: &str,
    passwords: &Passwords,
    now_ms: u64,
) -> Result<T, UnsealError> {
    let opened = open_at(sealed, passwords, now_ms)?;
    Ok(iron_seal::parse_json(&opened.plaintext)?)
}

/// What [`open_at`] found inside a seal.
pub(crate) struct OpenedSeal {
    /// The JSON text.
    pub(crate) plaintext: Vec<u8>,
    /// Whether it opened only with the passwords' fallback iteration count (so it is due to be
    /// sealed again with their own).
    pub(crate) used_fallback: bool,
}

/// The JSON text inside a seal made by [`seal_data`], iron-session or h3, by the clock reading
/// `now_ms` (everything from a `~` on is ignored, so the format of the seal does not matter).
pub(crate) fn open_at(
    sealed: &str,
    passwords: &Passwords,
    now_ms: u64,
) -> Result<OpenedSeal, UnsealError> {
    let seal = without_version_suffix(sealed);
    let options = passwords
        .derivation
        .apply(Options::IRON_DEFAULT.with_max_seal_len(Some(UNSEAL_DATA_MAX_LEN)));
    let opened = iron_seal::unseal_detailed_at(seal, &passwords.at(now_ms), &options, now_ms)?;
    let used_fallback = opened.used_fallback();
    let mut plaintext = opened.into_plaintext();
    // iron-session turns Iron's `null` (an empty plaintext, or a sealed `null`) into `{}`.
    if plaintext.is_empty() || plaintext == b"null" {
        plaintext = b"{}".to_vec();
    }
    Ok(OpenedSeal {
        plaintext,
        used_fallback,
    })
}

/// The seal without iron-session's version suffix: everything before the first `~`.
pub(super) fn without_version_suffix(sealed: &str) -> &str {
    // `~` is ASCII, so its position is a character boundary.
    memchr::memchr(b'~', sealed.as_bytes()).map_or(sealed, |at| &sealed[..at])
}
