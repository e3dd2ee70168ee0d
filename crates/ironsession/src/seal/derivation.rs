//! What a password set needs to read other Iron writers: the PBKDF2 iteration counts of sealing
//! and unsealing (Iron's single iteration by default, as iron-session and h3 1.x; 8192 for h3
//! 2.x; a second count unsealing may try once), and seals that name no password id (h3's).

use std::num::NonZeroU32;

use iron_seal::{KeyDerivation, Options};

use crate::Passwords;

/// The iteration counts a password set derives its keys with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Derivation {
    iterations: NonZeroU32,
    fallback: Option<NonZeroU32>,
}

impl Default for Derivation {
    fn default() -> Self {
        Derivation {
            iterations: NonZeroU32::MIN,
            fallback: None,
        }
    }
}

impl Derivation {
    /// `options` deriving both keys with these counts (Iron's 256-bit salts).
    pub(super) fn apply(self, options: Options) -> Options {
        let derivation = KeyDerivation::IRON_DEFAULT.with_iterations(self.iterations);
        options
            .with_encryption_key_derivation(derivation)
            .with_integrity_key_derivation(derivation)
            .with_fallback_iterations(self.fallback)
    }
}

impl Passwords {
    /// Derives both keys of every seal, made or opened, with `iterations` rounds of PBKDF2
    /// (default 1, Iron's and iron-session's). The count is not written in the seal: a peer must
    /// use the same one, so change it only to pair with one that does (h3 2.x seals with 8192;
    /// [`SessionConfigBuilder::h3`](crate::SessionConfigBuilder::h3) sets it for you).
    ///
    /// # Cost
    /// Each count multiplies the price of a key derivation: at 8192, deriving the two keys of a
    /// seal seen for the first time takes milliseconds of CPU instead of microseconds, and so does
    /// refusing each forged seal (no cache can spare it, as a forger picks new salts each time;
    /// `iron-seal`'s `benches/forged.rs` measures it). Seals seen again, and this process's own
    /// recent seals, still open from the key cache and the key-reuse window without PBKDF2.
    ///
    /// ```
    /// use std::num::NonZeroU32;
    /// use ironsession::{seal_data, unseal_data, Passwords, Ttl};
    ///
    /// let passwords = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?;
    /// let h3 = passwords.clone().with_pbkdf2_iterations(NonZeroU32::new(8192).unwrap());
    /// assert_eq!(h3.pbkdf2_iterations().get(), 8192);
    /// let sealed = seal_data(&1, &h3, Ttl::DEFAULT)?;
    /// assert_eq!(unseal_data::<u8>(&sealed, &h3)?, 1);
    /// assert!(unseal_data::<u8>(&sealed, &passwords).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_pbkdf2_iterations(mut self, iterations: NonZeroU32) -> Self {
        self.derivation.iterations = iterations;
        self
    }

    /// The PBKDF2 iterations of both keys (see
    /// [`with_pbkdf2_iterations`](Passwords::with_pbkdf2_iterations)).
    pub fn pbkdf2_iterations(&self) -> NonZeroU32 {
        self.derivation.iterations
    }

    /// Lets unsealing try a second iteration count, once, for a seal whose HMAC does not match
    /// with [`pbkdf2_iterations`](Passwords::pbkdf2_iterations): how h3 2.x (8192) still reads
    /// the seals of h3 1.x (1). Sealing always uses the first count. `None` (the default): no
    /// second try.
    ///
    /// A forged seal then costs one more derivation of the integrity key at this count, never
    /// more: bounded by one retry per seal, and the encryption key is derived only for the count
    /// whose HMAC matched. A session that opened only with the fallback count is sealed again
    /// with the first count on the same response, as h3 2.x does.
    ///
    /// ```
    /// use std::num::NonZeroU32;
    /// use ironsession::{seal_data, unseal_data, Passwords, Ttl};
    ///
    /// let h3_v1 = Passwords::single("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg")?;
    /// let old_seal = seal_data(&1, &h3_v1, Ttl::DEFAULT)?;
    /// let h3_v2 = h3_v1
    ///     .with_pbkdf2_iterations(NonZeroU32::new(8192).unwrap())
    ///     .with_fallback_pbkdf2_iterations(Some(NonZeroU32::MIN));
    /// assert_eq!(unseal_data::<u8>(&old_seal, &h3_v2)?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_fallback_pbkdf2_iterations(mut self, iterations: Option<NonZeroU32>) -> Self {
        self.derivation.fallback = iterations;
        self
    }

    /// The iteration count unsealing tries once more, if any (see
    /// [`with_fallback_pbkdf2_iterations`](Passwords::with_fallback_pbkdf2_iterations)).
    pub fn fallback_pbkdf2_iterations(&self) -> Option<NonZeroU32> {
        self.derivation.fallback
    }

    /// Opens seals that name no password id (`Fe26.2**…`, what h3 and any Iron given one plain
    /// string password write) with the password that seals now (default: off, and such a seal is
    /// `unknown-password`, as in iron-session, which names an id in every seal).
    /// [`SessionConfigBuilder::h3`](crate::SessionConfigBuilder::h3) turns it on. Seals made here
    /// still name their id, which h3 ignores.
    ///
    /// ```
    /// use iron_seal::{seal, Options, Password, PasswordId};
    /// use ironsession::{unseal_data, Passwords};
    ///
    /// let text = "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg";
    /// let h3_seal = seal(b"{\"a\":1}", &PasswordId::NONE, &Password::from(text), &Options::default())?;
    /// let passwords = Passwords::single(text)?;
    /// assert!(unseal_data::<serde_json::Value>(&h3_seal, &passwords).is_err());
    /// let passwords = passwords.with_unnamed_seals(true);
    /// assert_eq!(unseal_data::<serde_json::Value>(&h3_seal, &passwords)?["a"], 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_unnamed_seals(mut self, on: bool) -> Self {
        self.unnamed_seals = on;
        self
    }

    /// Whether seals without a password id open (see
    /// [`with_unnamed_seals`](Passwords::with_unnamed_seals)).
    pub fn unnamed_seals(&self) -> bool {
        self.unnamed_seals
    }
}
