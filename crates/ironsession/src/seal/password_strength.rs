//! Refusing passwords anyone could guess: published samples, short patterns repeated, runs of
//! neighbouring characters, passwords made of a handful of characters, and passwords that a
//! strength estimator (Dropbox's zxcvbn) finds in fewer than 10^20 guesses.
//!
//! A sealing password is a server secret that anyone holding it can use to forge a login, so it
//! must come from a random generator ([`Passwords::generate`](crate::Passwords::generate),
//! `ironsession gen-password`, `openssl rand -base64 32` or `openssl rand -hex 16`).
//!
//! # Why 10^20 guesses
//! Iron derives its keys with one iteration of PBKDF2-HMAC-SHA1, so checking a guess against a
//! captured cookie costs a handful of SHA-1 and SHA-256 compressions: one GPU tries on the order
//! of 10^9 to 10^10 guesses a second, offline, unnoticed. At 10^10 a second, 10^20 guesses take
//! over 300 years on one GPU and still months on a thousand. zxcvbn estimates the guesses of an
//! attacker who tries common words, names, keyboard patterns, dates, repetitions and l33t
//! spellings first. Typed phrases score far below the floor (this crate's former documentation
//! password, "a password of at least thirty-two characters", about 10^11.5), random output far
//! above it: the lowest estimates measured were 10^25 for `openssl rand -hex 16` (100 000 draws;
//! zxcvbn counts hex as 10 symbols a character, not 16), 10^34.6 for `openssl rand -base64 32`
//! (10 000), 10^39 for `ironsession gen-password` (10 000) and 10^23.5 for its shortest form, 32
//! characters (50 000).
//!
//! # How the estimate is made
//! zxcvbn counts guesses in a `u64` and multiplies them by the factorial of the number of
//! patterns, so on a long password its estimate saturates near 10^19.3 whatever the password.
//! The password is therefore rated word by word: it is split at every character that is not a
//! letter or a digit (separators are not counted, which only lowers the estimate) and where a
//! lower-case letter is followed by an upper-case one; words longer than 16 characters are cut
//! into pieces of 16 (at most 10^16 guesses each, below the saturation). Each distinct word,
//! ignoring case, is rated by zxcvbn with a vocabulary of the words an attacker of an
//! iron-session deployment tries first ([`VOCABULARY`]), and the estimates are multiplied. Only the
//! first 100 characters are rated, as zxcvbn itself does (long input can be slow): a longer
//! password is judged by its first 100 characters.
//!
//! The check runs when [`Passwords`](crate::Passwords) are built from text (about a millisecond,
//! plus a one-time set-up of zxcvbn's dictionaries of about 0.1 s), never per request: passwords
//! derived for a purpose are not checked again.

use std::collections::{BTreeSet, HashSet};
use std::fmt;

/// Why a password is considered weak. See [`PasswordError::Weak`](crate::PasswordError::Weak).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Weakness {
    /// The password is published in documentation, examples or test suites of iron-session,
    /// Iron or this crate (compared ignoring case and every character but letters and digits),
    /// so it is the first thing an attacker tries.
    KnownSample,
    /// The password is a short pattern repeated (`"password"` four times, `"ab"` sixteen times).
    RepeatedPattern {
        /// The length of the repeated pattern, in characters.
        pattern_length: usize,
    },
    /// Most neighbouring characters are equal or next to each other (`"1234567…"`, `"abcd…"`).
    Sequence,
    /// The password uses very few different characters.
    FewDistinctCharacters {
        /// How many different characters it has.
        distinct: usize,
    },
    /// A strength estimator (zxcvbn) finds the password in fewer than 10^20 guesses: it is made
    /// of words, names, dates or keyboard patterns rather than random characters.
    Guessable {
        /// The estimated number of guesses, as a power of ten (rounded down).
        guesses_log10: u8,
    },
}

impl fmt::Display for Weakness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Weakness::KnownSample => {
                f.write_str("it is a sample password published in documentation or tests")
            }
            Weakness::RepeatedPattern { pattern_length } => {
                write!(f, "it repeats a pattern of {pattern_length} character(s)")
            }
            Weakness::Sequence => {
                f.write_str("it is mostly a run of equal or consecutive characters")
            }
            Weakness::FewDistinctCharacters { distinct } => write!(
                f,
                "it uses only {distinct} different characters (at least {MIN_DISTINCT_CHARACTERS} are required)"
            ),
            Weakness::Guessable { guesses_log10 } => write!(
                f,
                "it is made of words or patterns: an attacker would need about 10^{guesses_log10} guesses (zxcvbn's estimate), and at least 10^{MIN_GUESSES_LOG10} are required"
            ),
        }
    }
}

/// Sample passwords from public documentation, examples and test suites, refused however they are
/// capitalised or punctuated (see [`normalized`]).
const KNOWN_SAMPLES: &[&str] = &[
    // iron-session's README (the single password and the rotation example).
    "complex_password_at_least_32_characters_long",
    "another_password_at_least_32_characters_long",
    // iron-session's Next.js example, copied into many deployed apps.
    "2gyZ3GDw3LHZQKDhPmPDL3sjREVRXPr8",
    // iron-session's test suite.
    "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0",
    // @hapi/iron's test suite.
    "some_not_random_password_that_is_also_long_enough",
    // This crate's API documentation and its demo, before they used random passwords.
    "a password of at least thirty-two characters",
    "ironsession-demo development password: NOT A SECRET",
];

/// Fewer different characters than this is weak. 32 random hex digits have fewer than 7
/// different ones with a probability of about 2·10⁻¹⁰.
const MIN_DISTINCT_CHARACTERS: usize = 7;

/// The share of neighbouring pairs (in quarters) that may be equal or consecutive. Random hex has
/// about 18% such pairs; a password with 75% or more is a typed run.
const MAX_SEQUENTIAL_QUARTERS: usize = 3;

/// The fewest guesses, as a power of ten, that zxcvbn must estimate (see the module
/// documentation).
const MIN_GUESSES_LOG10: u8 = 20;

/// Words an attacker of an iron-session deployment tries first, given to zxcvbn as its
/// application-specific dictionary.
const VOCABULARY: &[&str] = &[
    "ironsession",
    "iron",
    "session",
    "sessions",
    "seal",
    "sealed",
    "cookie",
    "cookies",
    "fe26",
    "hapi",
    "secret",
    "password",
    "passwords",
    "changeme",
    "demo",
    "example",
    "test",
    "development",
    "production",
    "dev",
    "prod",
    "node",
    "next",
    "nextjs",
    "redis",
    "axum",
    "actix",
    "rust",
    "characters",
    "chars",
    "long",
];

/// The longest word rated at once: 10^16 brute-force guesses stay below zxcvbn's saturation.
const MAX_WORD_CHARS: usize = 16;

/// How many characters are rated (zxcvbn's own bound).
const MAX_RATED_CHARS: usize = 100;

/// The first weakness found in `password`, or `None` for a password that looks random enough.
/// The cheap rules run first; the estimate (about a millisecond) last.
///
/// ```
/// use ironsession::{Weakness, password_weakness};
///
/// assert_eq!(password_weakness(&"password".repeat(4)), Some(Weakness::RepeatedPattern { pattern_length: 8 }));
/// assert_eq!(password_weakness("Complex-Password-At-Least-32-Characters-Long!"), Some(Weakness::KnownSample));
/// assert!(matches!(
///     password_weakness("my company's session secret, do not share it!"),
///     Some(Weakness::Guessable { .. })
/// ));
/// assert_eq!(password_weakness("0b7cf2e4a1d9586e3f2c4b1a9d8e7f60"), None); // openssl rand -hex 16
/// ```
pub fn password_weakness(password: &str) -> Option<Weakness> {
    let sample = normalized(password);
    if KNOWN_SAMPLES
        .iter()
        .any(|known| normalized(known) == sample)
    {
        return Some(Weakness::KnownSample);
    }
    let chars: Vec<char> = password.chars().collect();
    if let Some(pattern_length) = shortest_repeated_pattern(&chars) {
        return Some(Weakness::RepeatedPattern { pattern_length });
    }
    let pairs = chars.len().saturating_sub(1);
    let sequential = chars
        .windows(2)
        .filter(|pair| u32::from(pair[0]).abs_diff(u32::from(pair[1])) <= 1)
        .count();
    if pairs > 0 && sequential * 4 >= pairs * MAX_SEQUENTIAL_QUARTERS {
        return Some(Weakness::Sequence);
    }
    let distinct = chars.iter().collect::<BTreeSet<_>>().len();
    if distinct < MIN_DISTINCT_CHARACTERS {
        return Some(Weakness::FewDistinctCharacters { distinct });
    }
    let guesses_log10 = estimated_guesses_log10(&chars);
    if guesses_log10 < f64::from(MIN_GUESSES_LOG10) {
        // Below 20 and at least 0: the cast keeps the whole part.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let guesses_log10 = guesses_log10.max(0.0) as u8;
        return Some(Weakness::Guessable { guesses_log10 });
    }
    None
}

/// The letters and digits of `text`, lower-cased: how a published sample is compared.
fn normalized(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// zxcvbn's estimate of the guesses `chars` needs, as a power of ten, rated word by word (see the
/// module documentation).
fn estimated_guesses_log10(chars: &[char]) -> f64 {
    let mut seen = HashSet::new();
    words(&chars[..chars.len().min(MAX_RATED_CHARS)])
        .into_iter()
        .filter(|word| seen.insert(word.to_lowercase()))
        .map(|word| zxcvbn::zxcvbn(&word, VOCABULARY).guesses_log10())
        .sum()
}

/// `chars` split at every character that is not a letter or a digit (dropped) and before an
/// upper-case letter that follows a lower-case one, in pieces of at most [`MAX_WORD_CHARS`].
fn words(chars: &[char]) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Vec<char> = Vec::new();
    let mut end_word = |word: &mut Vec<char>| {
        words.extend(
            word.chunks(MAX_WORD_CHARS)
                .map(|piece| piece.iter().collect::<String>()),
        );
        word.clear();
    };
    for (index, &c) in chars.iter().enumerate() {
        let follows_lower_case = index > 0 && chars[index - 1].is_lowercase();
        if !c.is_alphanumeric() || (c.is_uppercase() && follows_lower_case) {
            end_word(&mut word);
        }
        if c.is_alphanumeric() {
            word.push(c);
        }
    }
    end_word(&mut word);
    words
}

/// The length of the shortest pattern that, repeated at least twice (the last copy may be cut
/// short), makes up `chars`.
fn shortest_repeated_pattern(chars: &[char]) -> Option<usize> {
    (1..=chars.len() / 2).find(|&period| {
        chars
            .iter()
            .zip(&chars[period..])
            .all(|(earlier, later)| earlier == later)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shortest_pattern_is_reported_even_with_a_cut_last_copy() {
        let chars: Vec<char> = "abcabcabcab".chars().collect();
        assert_eq!(shortest_repeated_pattern(&chars), Some(3));
        let chars: Vec<char> = "abcdefabcdeX".chars().collect();
        assert_eq!(shortest_repeated_pattern(&chars), None);
    }

    #[test]
    fn words_split_at_separators_and_case_changes_and_in_pieces_of_16() {
        let split = |text: &str| words(&text.chars().collect::<Vec<_>>());
        assert_eq!(
            split("a password, of-32_chars!"),
            ["a", "password", "of", "32", "chars"]
        );
        assert_eq!(
            split("CorrectHorseBATTERYStaple"),
            ["Correct", "Horse", "BATTERYStaple"]
        );
        assert_eq!(
            split("0b7cf2e4a1d9586e3f2c4b1a9d8e7f60"),
            ["0b7cf2e4a1d9586e", "3f2c4b1a9d8e7f60"]
        );
        assert_eq!(split("ünïcödé-🔑-Ω"), ["ünïcödé", "Ω"]);
        assert!(split("--- ").is_empty());
    }

    #[test]
    fn a_repeated_word_counts_once_and_only_the_first_100_characters_are_rated() {
        let estimate = |text: &str| estimated_guesses_log10(&text.chars().collect::<Vec<_>>());
        let once = estimate("correct horse battery staple");
        assert!(
            (estimate("correct horse battery staple Correct HORSE") - once).abs() < 1e-9,
            "{once}"
        );
        let random = "0b7cf2e4a1d9586e3f2c4b1a9d8e7f60";
        let padded = format!("{}{random}", "x".repeat(MAX_RATED_CHARS));
        assert!(estimate(random) > 20.0, "{}", estimate(random));
        assert!(estimate(&padded) < 10.0, "{}", estimate(&padded));
    }
}
