//! Where the random bytes of a seal (two salts and an IV) come from.

use crate::Error;

/// A source of random bytes. Sealing takes one as a parameter so that tests can make seals
/// reproducible; production code uses [`OsRandom`].
///
/// ```
/// use iron_seal::{Error, RandomSource};
///
/// /// Fills with 0, 1, 2, ... : the counter the reference vectors were made with.
/// struct Counter(u8);
/// impl RandomSource for Counter {
///     fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
///         for byte in dest {
///             *byte = self.0;
///             self.0 = self.0.wrapping_add(1);
///         }
///         Ok(())
///     }
/// }
/// let mut buf = [0u8; 3];
/// Counter(5).fill(&mut buf).unwrap();
/// assert_eq!(buf, [5, 6, 7]);
/// ```
pub trait RandomSource {
    /// Fills `dest` entirely with random bytes.
    ///
    /// # Errors
    /// [`Error::Random`] when no random bytes can be had.
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error>;
}

/// The operating system's cryptographically secure random source (through `getrandom`).
///
/// ```
/// use iron_seal::{OsRandom, RandomSource};
/// let mut a = [0u8; 32];
/// let mut b = [0u8; 32];
/// OsRandom.fill(&mut a).unwrap();
/// OsRandom.fill(&mut b).unwrap();
/// assert_ne!(a, b);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        getrandom::fill(dest).map_err(|_| Error::Random)
    }
}

impl<R: RandomSource + ?Sized> RandomSource for &mut R {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        (**self).fill(dest)
    }
}
