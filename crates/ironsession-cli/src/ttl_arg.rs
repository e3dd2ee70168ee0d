//! `--ttl` and `--max-ttl`: durations as people write them (`90s`, `1h`, `14d`, `2w`, humantime's
//! units), a bare number of seconds as before, and `never` by name: no magic `0`, as in the
//! library's `Ttl`.

use std::time::Duration;

use ironsession::Ttl;

/// `seal --ttl`: a duration of at least one second, or `never`.
pub fn parse_ttl(text: &str) -> Result<Ttl, String> {
    if text.trim() == "never" {
        return Ok(Ttl::Never);
    }
    parse_duration(text, "write `--ttl never` for a seal that never expires").map(Ttl::After)
}

/// `unseal --max-ttl`: a duration of at least one second (without the option there is no limit).
pub fn parse_max_ttl(text: &str) -> Result<Ttl, String> {
    parse_duration(text, "leave --max-ttl out for no limit").map(Ttl::After)
}

fn parse_duration(text: &str, instead_of_zero: &str) -> Result<Duration, String> {
    let text = text.trim();
    let duration = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        Duration::from_secs(
            text.parse()
                .map_err(|_| format!("{text} seconds is too long"))?,
        )
    } else {
        humantime::parse_duration(text).map_err(|error| {
            format!("{error}: write a duration such as 90s, 1h, 14d or 2w, or a number of seconds")
        })?
    };
    if duration.is_zero() {
        return Err(format!("0 is not a ttl: {instead_of_zero}"));
    }
    if duration < Duration::from_secs(1) {
        return Err("a ttl is at least 1s".to_owned());
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_words_and_seconds() {
        for (text, seconds) in [
            ("90s", 90),
            ("1h", 3600),
            ("14d", 14 * 86_400),
            ("2w", 14 * 86_400),
            ("1h 30m", 5400),
            ("3600", 3600),
            ("1", 1),
            ("1500ms", 1),
        ] {
            let expected = if text == "1500ms" {
                Duration::from_millis(1500)
            } else {
                Duration::from_secs(seconds)
            };
            assert_eq!(parse_ttl(text), Ok(Ttl::After(expected)), "{text}");
            assert_eq!(parse_max_ttl(text), Ok(Ttl::After(expected)), "{text}");
        }
        assert_eq!(parse_ttl("never"), Ok(Ttl::Never));
    }

    #[test]
    fn zero_never_and_nonsense_are_refused() {
        for text in ["0", "0s", "0d", "000"] {
            let error = parse_ttl(text).unwrap_err();
            assert!(error.contains("`--ttl never`"), "{text}: {error}");
            assert!(parse_max_ttl(text).is_err(), "{text}");
        }
        for text in [
            "",
            "-5",
            "1.5",
            "soon",
            "999ms",
            "1 fortnight",
            "99999999999999999999",
        ] {
            assert!(parse_ttl(text).is_err(), "{text}");
        }
        assert!(parse_max_ttl("never").is_err());
    }
}
