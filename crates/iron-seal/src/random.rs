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
/// key guarantees. The generator is re-keyed from the OS after every MiB of output, and in a
/// forked child before its first draw, so a child never repeats its parent's bytes.
///
/// A fork is noticed without a system call per draw where the platform has `pthread_atfork`
/// (every Unix): a handler the child runs after `fork` counts forks (the `forkguard` crate), and
/// each draw compares the count with the one its generator was keyed under. A child made by a
/// raw `clone` system call, bypassing the C library's `fork`, runs no such handler and is not
/// noticed. Should the handler not register, each draw compares process ids instead (one
/// `getpid` system call).
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

/// Tells whether this process is a fork of the one that made it, once per fork.
trait ForkDetector {
    fn detected_fork(&mut self) -> bool;
}

/// The production [`ForkDetector`]: `forkguard`'s counter of forks, bumped by a `pthread_atfork`
/// handler in the child, or, should the handler not register, its process id check.
enum ForkGuard {
    Counter(forkguard::Guard),
    #[cfg(unix)]
    ProcessId(forkguard::pid::Guard),
}

impl ForkGuard {
    fn new() -> Self {
        #[cfg(unix)]
        return match forkguard::Guard::try_new() {
            Ok(guard) => ForkGuard::Counter(guard),
            Err(_) => ForkGuard::ProcessId(forkguard::pid::Guard::default()),
        };
        #[cfg(not(unix))]
        ForkGuard::Counter(forkguard::Guard::default())
    }
}

impl ForkDetector for ForkGuard {
    fn detected_fork(&mut self) -> bool {
        #[cfg(test)]
        FORK_CHECKS.with(|count| count.set(count.get() + 1));
        match self {
            ForkGuard::Counter(guard) => guard.detected_fork(),
            #[cfg(unix)]
            ForkGuard::ProcessId(guard) => guard.detected_fork(),
        }
    }
}

struct ThreadGenerator<F> {
    rng: ChaCha20Rng,
    /// Whether the process forked since the generator was keyed.
    forks: F,
    bytes_left: usize,
}

thread_local! {
    static GENERATOR: RefCell<Option<ThreadGenerator<ForkGuard>>> = const { RefCell::new(None) };
}

#[cfg(test)]
thread_local! {
    /// How many times [`ThreadRandom::fill`] checked for a fork on this thread: a counter for the
    /// test that shows a seal checks once.
    pub(crate) static FORK_CHECKS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl RandomSource for ThreadRandom {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        if dest.len() > REKEY_AFTER_BYTES {
            return OsRandom.fill(dest);
        }
        GENERATOR
            .try_with(|slot| fill_from(&mut slot.borrow_mut(), dest, &mut OsRandom, ForkGuard::new))
            // The thread is being torn down and its generator is gone: ask the OS directly.
            .unwrap_or_else(|_| OsRandom.fill(dest))
    }
}

/// Fills `dest` from the generator in `slot`, first (re-)keying it from `seed_source` when there
/// is none yet, when the process forked since it was keyed, or when it has given its share of
/// bytes. A new generator watches for forks with a detector from `new_detector`, made after it
/// is keyed.
fn fill_from<F: ForkDetector>(
    slot: &mut Option<ThreadGenerator<F>>,
    dest: &mut [u8],
    seed_source: &mut impl RandomSource,
    new_detector: impl FnOnce() -> F,
) -> Result<(), Error> {
    let usable = slot
        .as_mut()
        .is_some_and(|g| !g.forks.detected_fork() && g.bytes_left >= dest.len());
    if !usable {
        let mut seed = Zeroizing::new([0u8; 32]);
        seed_source.fill(seed.as_mut())?;
        *slot = Some(ThreadGenerator {
            rng: ChaCha20Rng::from_seed(*seed),
            forks: new_detector(),
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
    use std::cell::Cell;
    use std::rc::Rc;

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

    /// A fork counter of one simulated process: `fork` bumps it, as `forkguard`'s handler does in
    /// a real child.
    #[derive(Clone, Default)]
    struct Process(Rc<Cell<u32>>);

    impl Process {
        fn detector(&self) -> SimulatedForks {
            SimulatedForks {
                process: self.clone(),
                seen: self.0.get(),
            }
        }

        fn fork(&self) -> Process {
            Process(Rc::new(Cell::new(self.0.get() + 1)))
        }
    }

    /// What a generator of `process` knows: the fork count when it last looked.
    struct SimulatedForks {
        process: Process,
        seen: u32,
    }

    impl ForkDetector for SimulatedForks {
        fn detected_fork(&mut self) -> bool {
            let now = self.process.0.get();
            std::mem::replace(&mut self.seen, now) != now
        }
    }

    #[test]
    fn keyed_once_then_streams() {
        let process = Process::default();
        let mut slot = None;
        let mut seeds = CountingSeeds(0);
        let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
        fill_from(&mut slot, &mut a, &mut seeds, || process.detector()).unwrap();
        fill_from(&mut slot, &mut b, &mut seeds, || process.detector()).unwrap();
        assert_eq!(seeds.0, 1);
        assert_ne!(a, b);
    }

    #[test]
    fn a_forked_child_rekeys_so_it_never_repeats_its_parent() {
        let parent = Process::default();
        let mut in_parent = None;
        let mut seeds = CountingSeeds(0);
        let mut first = [0u8; 16];
        fill_from(&mut in_parent, &mut first, &mut seeds, || parent.detector()).unwrap();
        // The child inherits the parent's generator as it was at the fork, and its fork count
        // is one higher.
        let child = parent.fork();
        let generator = in_parent.as_ref().unwrap();
        let mut in_child = Some(ThreadGenerator {
            rng: generator.rng.clone(),
            forks: SimulatedForks {
                process: child.clone(),
                seen: generator.forks.seen,
            },
            bytes_left: generator.bytes_left,
        });
        let (mut next_in_parent, mut next_in_child) = ([0u8; 16], [0u8; 16]);
        fill_from(&mut in_parent, &mut next_in_parent, &mut seeds, || {
            parent.detector()
        })
        .unwrap();
        fill_from(&mut in_child, &mut next_in_child, &mut seeds, || {
            child.detector()
        })
        .unwrap();
        assert_eq!(seeds.0, 2, "the child must have been re-keyed");
        assert_ne!(next_in_parent, next_in_child);
        // Once only: the child's new generator streams on, until the child forks in turn.
        fill_from(&mut in_child, &mut next_in_child, &mut seeds, || {
            child.detector()
        })
        .unwrap();
        assert_eq!(seeds.0, 2);
        let grandchild = child.fork();
        in_child.as_mut().unwrap().forks.process = grandchild.clone();
        fill_from(&mut in_child, &mut next_in_child, &mut seeds, || {
            grandchild.detector()
        })
        .unwrap();
        assert_eq!(seeds.0, 3);
    }

    /// On Unix the production detector is the fork counter of a `pthread_atfork` handler, not a
    /// `getpid` per draw; and it sees no fork in the process that made it.
    #[test]
    fn the_production_detector_counts_forks_without_a_system_call() {
        let mut guard = ForkGuard::new();
        #[cfg(unix)]
        assert!(matches!(
            &guard,
            ForkGuard::Counter(counter)
                if counter.flavor() == forkguard::Flavor::Atfork
        ));
        assert!(!guard.detected_fork());
    }

    #[test]
    fn rekeyed_after_its_share_of_bytes() {
        let process = Process::default();
        let mut slot = None;
        let mut seeds = CountingSeeds(0);
        let mut chunk = vec![0u8; REKEY_AFTER_BYTES / 4];
        for _ in 0..4 {
            fill_from(&mut slot, &mut chunk, &mut seeds, || process.detector()).unwrap();
        }
        assert_eq!(seeds.0, 1);
        fill_from(&mut slot, &mut chunk, &mut seeds, || process.detector()).unwrap();
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
        let process = Process::default();
        let mut slot = None;
        assert_eq!(
            fill_from(&mut slot, &mut [0u8; 16], &mut Failing, || process
                .detector()),
            Err(Error::Random)
        );
        assert!(slot.is_none());
    }
}
