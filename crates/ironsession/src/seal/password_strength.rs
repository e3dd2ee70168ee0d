//! Refusing passwords anyone could guess: published samples, short patterns repeated, runs of
//! neighbouring characters, and passwords made of a handful of characters.
//!
//! A sealing password is a server secret that anyone holding it can use to forge a login, so it
//! must come from a random generator ([`Passwords::generate`](crate::Passwords::generate),
//! `ironsession gen-password`, `openssl rand -base64 32` or `openssl rand -hex 16`). The rules
//! below are cheap and catch what people type by hand or copy from documentation; a random
//! password passes them (for 32 random hex digits the odds of failing are below one in a
//! billion).

use std::collections::BTreeSet;
use std::fmt;

/// Why a password is considered weak. See [`PasswordError::Weak`](crate::PasswordError::Weak).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Weakness {
    /// The password is published in documentation, examples or test suites of iron-session or
    /// Iron, so it is the first thing an attacker tries.
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
        }
    }
}

/// Sample passwords from public documentation, examples and test suites, refused verbatim.
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
];

/// Fewer different characters than this is weak. 32 random hex digits have fewer than 7
/// different ones with a probability of about 2·10⁻¹⁰.
const MIN_DISTINCT_CHARACTERS: usize = 7;

/// The share of neighbouring pairs (in quarters) that may be equal or consecutive. Random hex has
/// about 18% such pairs; a password with 75% or more is a typed run.
const MAX_SEQUENTIAL_QUARTERS: usize = 3;

/// The first weakness found in `password`, or `None` for a password that looks random enough.
///
/// ```
/// use ironsession::{Weakness, password_weakness};
///
/// assert_eq!(password_weakness(&"password".repeat(4)), Some(Weakness::RepeatedPattern { pattern_length: 8 }));
/// assert_eq!(password_weakness("complex_password_at_least_32_characters_long"), Some(Weakness::KnownSample));
/// assert_eq!(password_weakness("0b7cf2e4a1d9586e3f2c4b1a9d8e7f60"), None); // openssl rand -hex 16
/// ```
pub fn password_weakness(password: &str) -> Option<Weakness> {
    if KNOWN_SAMPLES.contains(&password) {
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
    None
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
}
