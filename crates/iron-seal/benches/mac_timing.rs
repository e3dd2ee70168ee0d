//! Does unsealing leak, through its running time, how much of a forged MAC is right? The classic
//! leak is an early-exit comparison: a MAC wrong in its first character is refused sooner than one
//! wrong only in its last, so an attacker can find the right MAC one character at a time. iron-seal
//! compares the 43 characters with `subtle::ConstantTimeEq` (`iron_seal::Mac`); this bench checks
//! it with dudect (Reparaz, Balasch and Verbauwhede, "Dude, is my code constant time?", 2017),
//! through the `dudect-bencher` crate: two classes of inputs, interleaved at random, each run
//! timed on its own, and Welch's t-test between the two classes' running times (on the whole
//! distribution and on 100 croppings of it; the largest |t| is printed as `max t`).
//!
//! A timing test on a shared machine is noisy, so this is a benchmark to run by hand, not a test.
//! `max t` under 4.5 means no difference was found at this number of samples (it does not prove
//! there is none); over 10 is a difference. Benches (Left / Right):
//!
//! - `unseal_same_text_wrong_first_vs_last`: `unseal_at` of forged seals made of a valid seal's
//!   body (a pool of 64 that share their salts, so their cached keys, and differ in IV,
//!   ciphertext and MAC) and a MAC text from a pool of texts, each a pool seal's MAC with its last
//!   character changed. Left pairs each body with a text wrong from its first character, Right
//!   with its own text, wrong only in the last. Both classes send the same bodies and the same
//!   texts equally often: only what the comparison finds differs.
//! - `unseal_same_text_unrelated_vs_near_right`: the same, Left pairing each body with a text that
//!   has no character in its place (what a random MAC of the right length is).
//! - `unseal_same_text_a_a_wrong_first_vs_wrong_first`: the A/A check, both classes wrong from the
//!   first character (different texts): the t that noise alone gives on this machine.
//! - `unseal_edited_mac_first_vs_last`: one valid seal whose MAC text the attacker edits, in the
//!   first or in the last character. This is the attacker's view, but the two classes send
//!   different text, and reading the MAC field (its alphabet check) takes a time that depends on
//!   the text: see the next bench.
//! - `mac_from_b64_edited_first_vs_last`: that alphabet check alone (`Mac::from_b64`) on the
//!   edited texts of the previous bench. No secret is involved.
//! - `mac_ct_eq_first_vs_last_char`: the comparison alone (`Mac::ct_eq`), the right MAC against
//!   the edited ones: far more sensitive, as nothing else runs in the timed region.
//! - `control_early_exit_eq_first_vs_last_char`: the positive control, a byte loop that returns at
//!   the first difference, on the same inputs. It must show a large t; if it does not, the run was
//!   too noisy or too short to say anything about the others.
//!
//! `-- --check` is the bounded check CI runs (`scripts/test.sh`, a few seconds): `Mac::ct_eq` and
//! the early-exit control on MACs wrong in the first or only in the last character, each timed
//! call on its own, the two classes interleaved at random, Welch's t over the timings (cropped at
//! several percentiles, the largest |t| kept). It fails when `Mac::ct_eq` gives |t| over
//! [`CHECK_FAIL_T`] (an early-exit comparison gives far more), and when the control gives less
//! (the run was too noisy to show anything).
//!
//! Run with `cargo bench -p iron-seal --bench mac_timing` (about a minute on a 2-core machine);
//! `-- NAME` runs the benches whose name contains NAME, `-- --continuous NAME` runs the first of
//! them until interrupted (Ctrl-C), printing the statistics as samples accumulate. How to read the
//! output, and a recorded run, are in `benches/README.md`.

use std::hint::black_box;
use std::path::PathBuf;

use dudect_bencher::ctbench::{BenchFn, BenchMetadata, BenchName, BenchOpts, run_benches_console};
use dudect_bencher::rand::RngExt;
use dudect_bencher::{BenchRng, Class, CtRunner};
use iron_seal::{Error, Mac, Options, Password, PasswordId, RandomSource, seal_at, unseal_at};
use subtle::ConstantTimeEq;

const PASSWORD: &str = "complex_password_at_least_32_characters_long";
const NOW: u64 = 1_700_000_000_000;
const TTL_MS: u64 = 14 * 24 * 60 * 60 * 1000;
/// The length of a MAC in a seal: 32 bytes in unpadded base64url.
const MAC_LEN: usize = 43;
const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Timed unseals per run of an unseal bench (each a few microseconds).
const UNSEAL_SAMPLES: usize = 2_000_000;
/// Timed calls per run of a bench of the comparison or the alphabet check alone.
const COMPARE_SAMPLES: usize = 4_000_000;

/// The random bytes of a seal: fixed salts, and an IV from `iv`.
struct SaltsAndIv {
    iv: u64,
}

impl RandomSource for SaltsAndIv {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        assert_eq!(dest.len(), 80, "32-byte salts and a 16-byte IV");
        dest.fill(7);
        dest[32..40].copy_from_slice(&self.iv.to_le_bytes());
        Ok(())
    }
}

/// A password, and the options and clock to open seals with. Its seals are of one payload, share
/// their salts (so their keys, which are cached) and differ in their IV.
struct Fixture {
    password: Password,
    options: Options,
    now: u64,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            password: Password::from(PASSWORD),
            options: Options::default().with_ttl_ms(Some(TTL_MS)),
            now: NOW + 3_600_000,
        }
    }

    /// A valid seal with IV number `iv`, opened once so that its keys are cached.
    fn seal(&self, iv: u64) -> String {
        let id = PasswordId::new("1").expect("id");
        let sealed = seal_at(
            br#"{"userId":42}"#,
            &id,
            &self.password,
            &self.options,
            NOW,
            SaltsAndIv { iv },
        )
        .expect("seal");
        self.unseal(&sealed).expect("a valid seal opens");
        sealed
    }

    fn unseal(&self, sealed: &str) -> Result<Vec<u8>, Error> {
        unseal_at(sealed, &self.password, &self.options, self.now)
    }
}

/// The MAC at the end of `sealed`.
fn mac_of(sealed: &str) -> [u8; MAC_LEN] {
    sealed.as_bytes()[sealed.len() - MAC_LEN..]
        .try_into()
        .expect("a seal ends with its MAC")
}

/// `sealed` with its MAC replaced by `mac`.
fn with_mac(sealed: &str, mac: &[u8; MAC_LEN]) -> String {
    format!("{}{}", &sealed[..sealed.len() - MAC_LEN], as_str(mac))
}

fn as_str(mac: &[u8; MAC_LEN]) -> &str {
    std::str::from_utf8(mac).expect("base64url is ASCII")
}

/// A base64url character other than `not`, of the same kind (alphanumeric, or `-`/`_`): the
/// alphabet check of a MAC field branches on the kind, so both classes then take its same path.
fn other_char(not: u8, rng: &mut BenchRng) -> u8 {
    let kind = |c: u8| c.is_ascii_alphanumeric();
    loop {
        let c = BASE64URL[rng.random_range(0..BASE64URL.len())];
        if c != not && kind(c) == kind(not) {
            return c;
        }
    }
}

/// The right MAC with the character at `index` changed.
fn wrong_at(mac: &[u8; MAC_LEN], index: usize, rng: &mut BenchRng) -> [u8; MAC_LEN] {
    let mut wrong = *mac;
    wrong[index] = other_char(mac[index], rng);
    wrong
}

fn random_class(rng: &mut BenchRng) -> Class {
    if rng.random::<bool>() {
        Class::Left
    } else {
        Class::Right
    }
}

/// A MAC wrong in its first character (Left) or only in its last (Right).
fn first_or_last_wrong(mac: &[u8; MAC_LEN], class: Class, rng: &mut BenchRng) -> [u8; MAC_LEN] {
    match class {
        Class::Left => wrong_at(mac, 0, rng),
        Class::Right => wrong_at(mac, MAC_LEN - 1, rng),
    }
}

/// Valid seals in the pool of the `unseal_same_text_*` benches.
const POOL: usize = 64;

/// How a forged MAC text relates to the right MAC of the body it is sent with.
#[derive(Clone, Copy)]
enum Pairing {
    /// The text is the body's own MAC but for its last character.
    NearRight,
    /// Wrong from the first character on (the text is another body's).
    WrongFirst,
    /// No character in its place (the text is another body's): what a random MAC is.
    Unrelated,
}

impl Pairing {
    fn holds(self, right: &[u8; MAC_LEN], text: &[u8; MAC_LEN]) -> bool {
        let differ = right.iter().zip(text).filter(|(r, t)| r != t).count();
        match self {
            Pairing::NearRight => differ == 1 && right[MAC_LEN - 1] != text[MAC_LEN - 1],
            Pairing::WrongFirst => right[0] != text[0],
            Pairing::Unrelated => differ == MAC_LEN,
        }
    }
}

/// Times `unseal_at` of forged seals made from a pool of valid seals (same salts, so the same
/// cached keys; their IVs, ciphertexts and MACs differ) and a pool of MAC texts, text `i` being
/// seal `i`'s MAC with its last character changed. The seals are put in a cycle `c` such that
/// body `c[i]` stands in the relation `left` to text `c[i + 1]` and `right` to text `c[i + shift]`
/// (`shift` 0 pairs a body with its own text). So both classes send every body and every text of
/// the cycle equally often; only which text goes with which body differs, and a difference in time
/// comes from what the comparison finds, not from the bytes sent. The chosen seal is copied into
/// one buffer before each timing, so both classes read the same memory.
fn unseal_same_text(
    runner: &mut CtRunner,
    rng: &mut BenchRng,
    left: Pairing,
    right: Pairing,
    shift: usize,
) {
    let fixture = Fixture::new();
    let bodies: Vec<String> = (0..POOL as u64).map(|iv| fixture.seal(iv)).collect();
    let macs: Vec<[u8; MAC_LEN]> = bodies.iter().map(|sealed| mac_of(sealed)).collect();
    let texts: Vec<[u8; MAC_LEN]> = macs
        .iter()
        .map(|mac| wrong_at(mac, MAC_LEN - 1, rng))
        .collect();
    let holds = |cycle: &[usize], i: usize| {
        let n = cycle.len();
        let body = cycle[i];
        left.holds(&macs[body], &texts[cycle[(i + 1) % n]])
            && right.holds(&macs[body], &texts[cycle[(i + shift) % n]])
    };
    // Greedily: append a seal whose text fits the bodies before it, then drop seals from the end
    // until the cycle closes.
    let mut cycle = vec![0];
    while let Some(next) = (0..POOL).find(|j| {
        !cycle.contains(j) && {
            let mut longer = cycle.clone();
            longer.push(*j);
            let n = longer.len();
            (n.saturating_sub(shift.max(1) + 1)..n - 1).all(|i| {
                let body = longer[i];
                (i + 1 >= n || left.holds(&macs[body], &texts[longer[i + 1]]))
                    && (i + shift >= n || right.holds(&macs[body], &texts[longer[i + shift]]))
            })
        }
    }) {
        cycle.push(next);
    }
    while cycle.len() > 8 && !(0..cycle.len()).all(|i| holds(&cycle, i)) {
        cycle.pop();
    }
    assert!(
        (0..cycle.len()).all(|i| holds(&cycle, i)),
        "no cycle of the pool fits"
    );
    let n = cycle.len();
    let pairs: Vec<(String, String)> = (0..n)
        .map(|i| {
            let body = &bodies[cycle[i]];
            let l = with_mac(body, &texts[cycle[(i + 1) % n]]);
            let r = with_mac(body, &texts[cycle[(i + shift) % n]]);
            assert_eq!(fixture.unseal(&l), Err(Error::BadMac));
            assert_eq!(fixture.unseal(&r), Err(Error::BadMac));
            (l, r)
        })
        .collect();
    let mut buffer = String::with_capacity(pairs[0].0.len());
    for _ in 0..UNSEAL_SAMPLES {
        let class = random_class(rng);
        let (l, r) = &pairs[rng.random_range(0..n)];
        buffer.clear();
        buffer.push_str(match class {
            Class::Left => l,
            Class::Right => r,
        });
        let sealed = buffer.as_str();
        runner.run_one(class, || fixture.unseal(black_box(sealed)));
    }
}

fn unseal_same_text_wrong_first_vs_last(runner: &mut CtRunner, rng: &mut BenchRng) {
    unseal_same_text(runner, rng, Pairing::WrongFirst, Pairing::NearRight, 0);
}

fn unseal_same_text_unrelated_vs_near_right(runner: &mut CtRunner, rng: &mut BenchRng) {
    unseal_same_text(runner, rng, Pairing::Unrelated, Pairing::NearRight, 0);
}

/// The A/A check: both classes send texts wrong from the first character (two different ones).
/// Nothing about the comparison differs between the classes, so this shows how large a t the
/// machine's noise and the pairing itself give.
fn unseal_same_text_a_a_wrong_first_vs_wrong_first(runner: &mut CtRunner, rng: &mut BenchRng) {
    unseal_same_text(runner, rng, Pairing::WrongFirst, Pairing::WrongFirst, 2);
}

fn unseal_edited_mac_first_vs_last(runner: &mut CtRunner, rng: &mut BenchRng) {
    let fixture = Fixture::new();
    let valid = fixture.seal(0);
    let right = mac_of(&valid);
    let mac_start = valid.len() - MAC_LEN;
    // Rewritten in place between timings, so both classes read the same memory.
    let mut sealed = valid.clone();
    for class in [Class::Left, Class::Right] {
        sealed.replace_range(
            mac_start..,
            as_str(&first_or_last_wrong(&right, class, rng)),
        );
        assert_eq!(fixture.unseal(&sealed), Err(Error::BadMac));
    }
    for _ in 0..UNSEAL_SAMPLES {
        let class = random_class(rng);
        sealed.replace_range(
            mac_start..,
            as_str(&first_or_last_wrong(&right, class, rng)),
        );
        let sealed = sealed.as_str();
        runner.run_one(class, || fixture.unseal(black_box(sealed)));
    }
}

/// Times `measure(right MAC, edited MAC)`, the edited MAC wrong in its first or only in its last
/// character.
fn edited_mac_with(
    runner: &mut CtRunner,
    rng: &mut BenchRng,
    measure: fn(&[u8; MAC_LEN], &[u8; MAC_LEN]) -> bool,
) {
    let right = mac_of(&Fixture::new().seal(0));
    for _ in 0..COMPARE_SAMPLES {
        let class = random_class(rng);
        let given = first_or_last_wrong(&right, class, rng);
        runner.run_one(class, || measure(black_box(&right), black_box(&given)));
    }
}

fn mac_from_b64_edited_first_vs_last(runner: &mut CtRunner, rng: &mut BenchRng) {
    edited_mac_with(runner, rng, |_, given| {
        Mac::from_b64(as_str(given)).is_some()
    });
}

fn mac_ct_eq_first_vs_last_char(runner: &mut CtRunner, rng: &mut BenchRng) {
    let right_text = mac_of(&Fixture::new().seal(0));
    let right = Mac::from_b64(as_str(&right_text)).expect("a seal's MAC");
    for _ in 0..COMPARE_SAMPLES {
        let class = random_class(rng);
        let given = first_or_last_wrong(&right_text, class, rng);
        let given = Mac::from_b64(as_str(&given)).expect("43 base64url characters");
        runner.run_one(class, || {
            bool::from(black_box(&right).ct_eq(black_box(&given)))
        });
    }
}

/// What the comparison must not be: returns at the first differing character.
fn early_exit_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return false;
        }
    }
    true
}

fn control_early_exit_eq_first_vs_last_char(runner: &mut CtRunner, rng: &mut BenchRng) {
    edited_mac_with(runner, rng, |right, given| early_exit_eq(right, given));
}

/// The |t| over which `--check` fails `Mac::ct_eq` (and under which the control fails the run): far
/// above what a constant-time comparison shows on a busy machine (under 4.5 in the recorded runs)
/// and far below what an early exit shows (|t| in the hundreds).
const CHECK_FAIL_T: f64 = 20.0;
/// Timed calls per comparison in `--check`.
const CHECK_SAMPLES: usize = 1_000_000;

/// The largest |t| of Welch's test between the two classes of `samples` (class, nanoseconds),
/// over the whole set and its croppings at the 50th, 90th and 99th percentile of all timings
/// (dropping what the scheduler added).
fn max_welch_t(samples: &[(bool, u64)]) -> f64 {
    let mut sorted: Vec<u64> = samples.iter().map(|&(_, time)| time).collect();
    sorted.sort_unstable();
    let crops = [50, 90, 99, 100].map(|percent| sorted[(sorted.len() - 1) * percent / 100]);
    crops
        .iter()
        .map(|&limit| {
            let mut sums = [(0f64, 0f64, 0f64); 2];
            for &(class, time) in samples.iter().filter(|&&(_, time)| time <= limit) {
                let time = time as f64;
                let sum = &mut sums[usize::from(class)];
                sum.0 += 1.0;
                sum.1 += time;
                sum.2 += time * time;
            }
            let [left, right] = sums.map(|(n, total, squares)| {
                let mean = total / n;
                (n, mean, (squares / n - mean * mean) * n / (n - 1.0))
            });
            let t = (left.1 - right.1) / (left.2 / left.0 + right.2 / right.0).sqrt();
            t.abs()
        })
        .fold(0.0, f64::max)
}

/// Times `compare(right, given)` for MACs (as `read` reads their text) wrong in the first
/// character (one class) or only in the last (the other), interleaved at random; returns the
/// largest |t|.
fn timed_first_vs_last<T>(
    rng: &mut BenchRng,
    read: impl Fn(&[u8; MAC_LEN]) -> T,
    compare: impl Fn(&T, &T) -> bool,
) -> f64 {
    let right_text = mac_of(&Fixture::new().seal(0));
    let right = read(&right_text);
    let inputs: Vec<(bool, T)> = (0..CHECK_SAMPLES)
        .map(|_| {
            let class = random_class(rng);
            let given = first_or_last_wrong(&right_text, class, rng);
            (matches!(class, Class::Left), read(&given))
        })
        .collect();
    let samples: Vec<(bool, u64)> = inputs
        .iter()
        .map(|(class, given)| {
            let start = std::time::Instant::now();
            black_box(compare(black_box(&right), black_box(given)));
            let elapsed = start.elapsed().as_nanos();
            (*class, u64::try_from(elapsed).unwrap_or(u64::MAX))
        })
        .collect();
    max_welch_t(&samples)
}

/// The bounded CI check (see the module documentation).
fn check() -> std::process::ExitCode {
    use dudect_bencher::rand::SeedableRng;
    // Which MAC characters are changed, to what: any seed will do.
    let seed = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.subsec_nanos()),
    );
    let mut rng = BenchRng::seed_from_u64(seed);
    let started = std::time::Instant::now();
    let ct_eq = timed_first_vs_last(
        &mut rng,
        |text| Mac::from_b64(as_str(text)).expect("43 base64url characters"),
        |right, given| bool::from(right.ct_eq(given)),
    );
    let control = timed_first_vs_last(
        &mut rng,
        |text| *text,
        |right, given| early_exit_eq(right, given),
    );
    println!(
        "mac_timing --check (seed {seed}, {CHECK_SAMPLES} calls each, {:.1} s): Mac::ct_eq max |t| = {ct_eq:.2}, early-exit control max |t| = {control:.2}, failing over {CHECK_FAIL_T}",
        started.elapsed().as_secs_f64()
    );
    if control < CHECK_FAIL_T {
        eprintln!(
            "mac_timing --check: the early-exit control shows no leak (|t| {control:.2}): the run was too noisy to judge; run it again"
        );
        return std::process::ExitCode::FAILURE;
    }
    if ct_eq > CHECK_FAIL_T {
        eprintln!(
            "mac_timing --check: Mac::ct_eq takes a time that depends on where the MACs differ (|t| {ct_eq:.2})"
        );
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}

fn main() -> std::process::ExitCode {
    let mut opts = BenchOpts::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            // `cargo bench` passes `--bench` to every bench binary.
            "--bench" => {}
            "--check" => return check(),
            "--continuous" => opts.continuous = true,
            "--out" => opts.file_out = args.next().map(PathBuf::from),
            name if !name.starts_with('-') => opts.filter = Some(name.to_owned()),
            other => {
                eprintln!(
                    "mac_timing: unknown argument {other}; takes [--check] [--continuous] [--out FILE] [NAME]"
                );
                std::process::exit(2);
            }
        }
    }
    let benches: [(&'static str, BenchFn); 7] = [
        (
            "unseal_same_text_a_a_wrong_first_vs_wrong_first",
            unseal_same_text_a_a_wrong_first_vs_wrong_first,
        ),
        (
            "unseal_same_text_wrong_first_vs_last",
            unseal_same_text_wrong_first_vs_last,
        ),
        (
            "unseal_same_text_unrelated_vs_near_right",
            unseal_same_text_unrelated_vs_near_right,
        ),
        (
            "unseal_edited_mac_first_vs_last",
            unseal_edited_mac_first_vs_last,
        ),
        (
            "mac_from_b64_edited_first_vs_last",
            mac_from_b64_edited_first_vs_last,
        ),
        ("mac_ct_eq_first_vs_last_char", mac_ct_eq_first_vs_last_char),
        (
            "control_early_exit_eq_first_vs_last_char",
            control_early_exit_eq_first_vs_last_char,
        ),
    ];
    let benches = benches
        .into_iter()
        .map(|(name, benchfn)| BenchMetadata {
            name: BenchName(name),
            // A fresh seed each run, printed with the results.
            seed: None,
            benchfn,
        })
        .collect();
    run_benches_console(opts, benches).expect("writing the results to stdout");
    std::process::ExitCode::SUCCESS
}
