//! Where the random bytes of a seal (two salts and an IV) come from.

use std::cell::RefCell;

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use zeroize::Zeroizing;

use crate::Error;

/// A source of random bytes. Sealing takes one as a parameter so that tests can make seals
/// reproducible; [`seal`](crate::seal) (and so every seal this crate and `ironsession` make in
/// production) uses [`ThreadRandom`], a per-thread ChaCha20 generator keyed from [`OsRandom`].
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

/// Random bytes from a ChaCha20 generator kept per thread and keyed from the OS random source:
/// the default source of [`seal`](crate::seal), several times cheaper than a system call per seal.
///
/// Everything a seal draws (two salts and an IV) is written in the clear in the seal; what must
/// hold is that nobody can predict them beforehand, which a ChaCha20 keystream under a secret OS
/// key guarantees. The generator is re-keyed from the OS after every MiB of output, and whenever
/// the process id changes, so a forked child never repeats its parent's bytes.
///
/// ```
/// use iron_seal::{RandomSource, ThreadRandom};
/// let mut a = [0u8; 32];
/// let mut b = [0u8; 32];
/// ThreadRandom.fill(&mut a).unwrap();
/// ThreadRandom.fill(&mut b).unwrap();
/// assert_ne!(a, b);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct ThreadRandom;

/// How many bytes a generator gives before it is re-keyed from the OS.
const REKEY_AFTER_BYTES: usize = 1 << 20;

struct ThreadGenerator {
    rng: ChaCha20Rng,
    process_id: u32,
    bytes_left: usize,
}

thread_local! {
    static GENERATOR: RefCell<Option<ThreadGenerator>> = const { RefCell::new(None) };
}

#[cfg(test)]
thread_local! {
    /// How many times [`ThreadRandom::fill`] read the process id on this thread (a system call on
    /// Linux): a counter for the test that shows a seal reads it once.
    pub(crate) static PROCESS_ID_READS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl RandomSource for ThreadRandom {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        if dest.len() > REKEY_AFTER_BYTES {
            return OsRandom.fill(dest);
        }
        #[cfg(test)]
        PROCESS_ID_READS.with(|count| count.set(count.get() + 1));
        let process_id = std::process::id();
        GENERATOR
            .try_with(|slot| fill_from(&mut slot.borrow_mut(), process_id, dest, &mut OsRandom))
            // The thread is being torn down and its generator is gone: ask the OS directly.
            .unwrap_or_else(|_| OsRandom.fill(dest))
    }
}

/// Fills `dest` from the generator in `slot`, first (re-)keying it from `seed_source` when there
/// is none yet, when it was made by another process, or when it has given its share of bytes.
fn fill_from(
    slot: &mut Option<ThreadGenerator>,
    process_id: u32,
    dest: &mut [u8],
    seed_source: &mut impl RandomSource,
) -> Result<(), Error> {
    let usable = slot
        .as_ref()
        .is_some_and(|g| g.process_id == process_id && g.bytes_left >= dest.len());
    if !usable {
        let mut seed = Zeroizing::new([0u8; 32]);
        seed_source.fill(seed.as_mut())?;
        *slot = Some(ThreadGenerator {
            rng: ChaCha20Rng::from_seed(*seed),
            process_id,
            bytes_left: REKEY_AFTER_BYTES,
        });
    }
    if let Some(generator) = slot {
        generator.rng.fill_bytes(dest);
        generator.bytes_left -= dest.len();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seeds from a counter and counts how often it was asked.
    struct CountingSeeds(u8);

    impl RandomSource for CountingSeeds {
        fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
            self.0 += 1;
            dest.fill(self.0);
            Ok(())
        }
    }

    #[test]
    fn keyed_once_then_streams() {
        let mut slot = None;
        let mut seeds = CountingSeeds(0);
        let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
        fill_from(&mut slot, 7, &mut a, &mut seeds).unwrap();
        fill_from(&mut slot, 7, &mut b, &mut seeds).unwrap();
        assert_eq!(seeds.0, 1);
        assert_ne!(a, b);
    }

    #[test]
    fn a_new_process_id_rekeys_so_a_forked_child_never_repeats_its_parent() {
        let mut parent = None;
        let mut seeds = CountingSeeds(0);
        let mut first = [0u8; 16];
        fill_from(&mut parent, 7, &mut first, &mut seeds).unwrap();
        // The child inherits the parent's generator state as it was at the fork.
        let mut child = Some(ThreadGenerator {
            rng: parent.as_ref().unwrap().rng.clone(),
            process_id: 7,
            bytes_left: REKEY_AFTER_BYTES,
        });
        let (mut in_parent, mut in_child) = ([0u8; 16], [0u8; 16]);
        fill_from(&mut parent, 7, &mut in_parent, &mut seeds).unwrap();
        fill_from(&mut child, 8, &mut in_child, &mut seeds).unwrap();
        assert_eq!(seeds.0, 2, "the child must have been re-keyed");
        assert_ne!(in_parent, in_child);
    }

    #[test]
    fn rekeyed_after_its_share_of_bytes() {
        let mut slot = None;
        let mut seeds = CountingSeeds(0);
        let mut chunk = vec![0u8; REKEY_AFTER_BYTES / 4];
        for _ in 0..4 {
            fill_from(&mut slot, 1, &mut chunk, &mut seeds).unwrap();
        }
        assert_eq!(seeds.0, 1);
        fill_from(&mut slot, 1, &mut chunk, &mut seeds).unwrap();
        assert_eq!(seeds.0, 2);
    }

    #[test]
    fn a_failing_os_source_is_an_error_not_a_weak_key() {
        struct Failing;
        impl RandomSource for Failing {
            fn fill(&mut self, _: &mut [u8]) -> Result<(), Error> {
                Err(Error::Random)
            }
        }
        let mut slot = None;
        assert_eq!(
            fill_from(&mut slot, 1, &mut [0u8; 16], &mut Failing),
            Err(Error::Random)
        );
        assert!(slot.is_none());
    }
}
