//! The seal in what an operator pastes: a seal alone (`Fe26.2*…`), one cookie (`name=Fe26.2*…`),
//! or a whole `Cookie:` header (chunked sessions as their chunks `name.0=…; name.1=…`), as copied
//! from a browser's developer tools, on one line or several.
//!
//! The cookies are read by the library, as a server reads the request: the whole cookie, else
//! `name.0`, `name.1`, … up to the first missing one (at most [`MAX_CHUNKS`]), each value with
//! its quotes removed and percent-decoded by the rules of the npm `cookie` package. The library
//! reads cookies only for a [`SessionConfig`], which needs passwords, so this module builds one
//! with a generated password that nothing ever seals or opens with. What this module parses itself
//! is only the cookie names, to choose the cookie and to explain what the library would make of a
//! paste (both the whole cookie and chunks: refused as ambiguous; a chunk missing: a seal cut
//! short).

use std::collections::HashSet;

use ironsession::{MAX_CHUNKS, Passwords, SessionConfig, SessionContext, is_session_cookie};

use crate::error::CliError;
use crate::shown::shown;

/// Where a pasted seal came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A seal on its own, not a cookie.
    Value,
    /// The whole cookie of this name.
    Cookie(String),
    /// This many chunks of the cookie of this name, `name.0` onwards.
    Chunks(String, usize),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Value => f.write_str("none (a seal on its own)"),
            Source::Cookie(name) => f.write_str(&shown(name, NAME_CHARS)),
            Source::Chunks(name, count) => {
                let name = shown(name, NAME_CHARS);
                write!(
                    f,
                    "{name}, in {count} chunks ({name}.0 to {name}.{})",
                    count - 1
                )
            }
        }
    }
}

/// The seal of `input` and where it came from. `name` picks the cookie; without it, the one
/// cookie whose value is a seal (or whose chunk `.0` starts one) is taken.
///
/// ```
/// use ironsession_cli::paste::{seal_from_paste, Source};
///
/// let (seal, source) = seal_from_paste("Cookie: theme=dark; app=\"Fe26.2*1*abc\"\n", None)?;
/// assert_eq!((seal.as_str(), source), ("Fe26.2*1*abc", Source::Cookie("app".into())));
///
/// let (seal, source) = seal_from_paste("app.0=Fe26.2*1*a; app.1=bc; x=1", Some("app"))?;
/// assert_eq!((seal.as_str(), source), ("Fe26.2*1*abc", Source::Chunks("app".into(), 2)));
///
/// let (seal, _) = seal_from_paste("  'Fe26.2%2A1%2Aabc'  ", None)?;
/// assert_eq!(seal, "Fe26.2*1*abc");
///
/// assert!(seal_from_paste(" \n", None).unwrap_err().to_string().starts_with("invalid: no seal given"));
/// # Ok::<(), ironsession_cli::error::CliError>(())
/// ```
///
/// # Errors
/// [`CliError::NoSeal`] for empty input or an empty cookie; [`CliError::Paste`] when the cookie
/// cannot be chosen or the chunks do not add up; [`CliError::CookieName`] for a `name` that is
/// not a cookie name.
pub fn seal_from_paste(input: &str, name: Option<&str>) -> Result<(String, Source), CliError> {
    let lines: Vec<&str> = input
        .lines()
        .map(without_header_name)
        .filter(|line| !line.is_empty())
        .collect();
    if lines.is_empty() {
        return Err(CliError::NoSeal("the input is empty".to_owned()));
    }
    if !lines.iter().any(|line| line.contains('=')) {
        // A seal on its own, perhaps wrapped over several lines. Only a value with `%` escapes
        // goes through the library's cookie reading, to be decoded: any other it would at most
        // cut at a `;`, which no seal has, and `inspect` shows a hostile seal whole.
        let value = lines.concat();
        if !value.contains('%') {
            return Ok((value, Source::Value));
        }
        let header = format!("{VALUE_COOKIE}={value}");
        let seal = read_cookie(&reader(VALUE_COOKIE)?, &[&header])
            .ok_or_else(|| CliError::NoSeal("the input is empty".to_owned()))?;
        return Ok((seal, Source::Value));
    }
    let cookies = Cookies::parse(&lines);
    let reader = match name {
        Some(name) => reader(name)?,
        // A name from the input that the library refuses is the input's fault, not a usage error.
        None => reader(&cookies.only_seal()?).map_err(|error| match error {
            CliError::CookieName(error) => CliError::Paste(error.to_string()),
            error => error,
        })?,
    };
    let name = reader.cookie_name();
    let source = cookies.source(name)?;
    let seal = read_cookie(&reader, &lines).ok_or_else(|| {
        CliError::NoSeal(format!("the cookie {} is empty", shown(name, NAME_CHARS)))
    })?;
    Ok((seal, source))
}

/// The name under which a seal pasted on its own is read.
const VALUE_COOKIE: &str = "pasted";

/// How much of a cookie name an error message shows.
const NAME_CHARS: usize = 32;

/// How many cookie names an error message lists.
const NAMES_LISTED: usize = 5;

/// `line` without surrounding whitespace and quotes, and without a leading `Cookie:` or
/// `Set-Cookie:` (in any case), as copied from a list of request or response headers.
fn without_header_name(line: &str) -> &str {
    let line = unquoted(line.trim());
    for header in ["cookie:", "set-cookie:"] {
        if let Some(prefix) = line.get(..header.len())
            && prefix.eq_ignore_ascii_case(header)
        {
            return unquoted(line[header.len()..].trim());
        }
    }
    line
}

/// `text` without one pair of surrounding single or double quotes.
fn unquoted(text: &str) -> &str {
    ['"', '\'']
        .into_iter()
        .find_map(|quote| text.strip_prefix(quote)?.strip_suffix(quote))
        .map_or(text, str::trim)
}

/// A configuration that reads the session cookie `name` and nothing else. Its password never
/// seals or opens anything (the seal is opened later with the operator's passwords), so it is a
/// placeholder: the weak-password check is skipped because it costs milliseconds (zxcvbn) on
/// every run, and a generated password would cost it twice.
fn reader(name: &str) -> Result<SessionConfig, CliError> {
    // The length rule, the only one left, holds for the 32 characters of the constant.
    let placeholder = Passwords::dangerous_allow_weak_single(PLACEHOLDER_PASSWORD)
        .expect("a 32-character password passes the length rule");
    SessionConfig::builder(name, placeholder)
        .build()
        .map_err(CliError::CookieName)
}

/// 32 characters, the shortest password the library takes; see [`reader`].
const PLACEHOLDER_PASSWORD: &str = "cookie-reader-opens-no-seal-0000";

/// The seal of the session `reader` reads, in the `Cookie` header lines `lines`.
fn read_cookie(reader: &SessionConfig, lines: &[&str]) -> Option<String> {
    SessionContext::from_cookie_headers(reader, lines.iter().map(|line| line.as_bytes()))
        .incoming_seal()
}

/// The cookies of pasted header lines: each name with whether its value is empty and whether it
/// starts a seal, the first of each name only (as the library reads them).
struct Cookies(Vec<(String, Value)>);

#[derive(Clone, Copy, PartialEq)]
enum Value {
    Empty,
    Seal,
    Other,
}

impl Cookies {
    fn parse(lines: &[&str]) -> Cookies {
        let mut cookies: Vec<(String, Value)> = Vec::new();
        let mut seen = HashSet::new();
        for pair in lines.iter().flat_map(|line| line.split(';')) {
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let name = name.trim_matches([' ', '\t']);
            let value = value.trim_matches([' ', '\t']);
            let value = value
                .strip_prefix('"')
                .and_then(|rest| rest.strip_suffix('"'))
                .unwrap_or(value);
            let value = if value.is_empty() {
                Value::Empty
            } else if value.starts_with(ironsession::iron_seal::PREFIX) {
                Value::Seal
            } else {
                Value::Other
            };
            if seen.insert(name) {
                cookies.push((name.to_owned(), value));
            }
        }
        Cookies(cookies)
    }

    /// The name of the one session whose whole cookie or first chunk holds a seal.
    fn only_seal(&self) -> Result<String, CliError> {
        let mut sessions: Vec<&str> = Vec::new();
        let mut seen = HashSet::new();
        for (name, value) in &self.0 {
            let session = name.strip_suffix(".0").unwrap_or(name);
            if *value == Value::Seal && !session.is_empty() && seen.insert(session) {
                sessions.push(session);
            }
        }
        match sessions.as_slice() {
            [session] => Ok((*session).to_owned()),
            [] => Err(CliError::Paste(format!(
                "none of the cookies holds a seal (cookies: {}); name the session's cookie with --name",
                listed(self.0.iter().map(|(name, _)| name.as_str()))
            ))),
            several => Err(CliError::Paste(format!(
                "several cookies hold seals ({}): pick one with --name",
                listed(several.iter().copied())
            ))),
        }
    }

    /// Which of the cookies of session `name` the library reads, refusing what it would
    /// misread: the whole cookie beside chunks, or a chunk missing before others.
    fn source(&self, name: &str) -> Result<Source, CliError> {
        let carried = |cookie: &str| {
            self.0
                .iter()
                .any(|(seen, value)| seen == cookie && *value != Value::Empty)
        };
        let chunks: Vec<bool> = (0..MAX_CHUNKS)
            .map(|index| carried(&format!("{name}.{index}")))
            .collect();
        let count = chunks.iter().take_while(|carried| **carried).count();
        let shown_name = shown(name, NAME_CHARS);
        if carried(name) {
            if let Some(index) = chunks.iter().position(|carried| *carried) {
                return Err(CliError::Paste(format!(
                    "both the cookie {shown_name} and its chunk {shown_name}.{index} are given: \
                     paste one or the other (a server refuses such a request as ambiguous: neither \
                     is read)"
                )));
            }
            return Ok(Source::Cookie(name.to_owned()));
        }
        if let Some(after) = chunks.iter().skip(count).position(|carried| *carried) {
            return Err(CliError::Paste(format!(
                "chunk {shown_name}.{count} is missing but {shown_name}.{} is given: paste every chunk",
                count + after
            )));
        }
        if count > 0 {
            return Ok(Source::Chunks(name.to_owned(), count));
        }
        let named = self.0.iter().any(|(seen, _)| is_session_cookie(name, seen));
        if named {
            return Err(CliError::NoSeal(format!(
                "the cookie {shown_name} is empty"
            )));
        }
        Err(CliError::Paste(format!(
            "no cookie {shown_name} (nor chunks {shown_name}.0, …) in the input (cookies: {})",
            listed(self.0.iter().map(|(name, _)| name.as_str()))
        )))
    }
}

/// Cookie names for a message: a few, each shortened and escaped.
fn listed<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> String {
    let total = names.len();
    let mut list: Vec<String> = names
        .take(NAMES_LISTED)
        .map(|name| shown(name, NAME_CHARS))
        .collect();
    if total > NAMES_LISTED {
        list.push(format!("and {} more", total - NAMES_LISTED));
    }
    if list.is_empty() {
        "none".to_owned()
    } else {
        list.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(input: &str, name: Option<&str>) -> Result<(String, Source), String> {
        seal_from_paste(input, name).map_err(|error| error.to_string())
    }

    #[test]
    fn header_names_and_quotes_are_removed_line_by_line() {
        for input in [
            "Fe26.2*x",
            "\"Fe26.2*x\"",
            "'Fe26.2*x'\n",
            "Cookie: s=Fe26.2*x",
            "cookie:s=Fe26.2*x; other=1",
            "COOKIE: 's=Fe26.2*x'",
            "Set-Cookie: s=Fe26.2*x; Path=/; HttpOnly",
            "s=\"Fe26.2*x\"",
        ] {
            assert_eq!(seal(input, None).unwrap().0, "Fe26.2*x", "{input:?}");
        }
    }

    #[test]
    fn a_seal_on_several_lines_is_joined() {
        assert_eq!(
            seal("Fe26.2*1*ab\n  cd*ef\r\n~2\n", None).unwrap(),
            ("Fe26.2*1*abcd*ef~2".to_owned(), Source::Value)
        );
    }

    #[test]
    fn chunks_on_separate_lines_are_joined_in_order() {
        let input = "Set-Cookie: s.1=bb; Path=/\nSet-Cookie: s.0=Fe26.2*aa; Path=/\ns.2=cc\n";
        assert_eq!(
            seal(input, None).unwrap(),
            ("Fe26.2*aabbcc".to_owned(), Source::Chunks("s".into(), 3))
        );
    }

    #[test]
    fn the_first_cookie_of_a_name_wins_as_in_the_library() {
        assert_eq!(seal("s=Fe26.2*a; s=Fe26.2*b", None).unwrap().0, "Fe26.2*a");
    }

    #[test]
    fn refusals_say_why() {
        for (input, name, message) in [
            ("", None, "invalid: no seal given: the input is empty"),
            (
                "\n  \n\"\"",
                None,
                "invalid: no seal given: the input is empty",
            ),
            (
                "s=; t=1",
                Some("s"),
                "invalid: no seal given: the cookie s is empty",
            ),
            (
                "a=1; b=2",
                None,
                "invalid: none of the cookies holds a seal (cookies: a, b); name the session's cookie with --name",
            ),
            (
                "a=Fe26.2*1; b.0=Fe26.2*2; b.1=3",
                None,
                "invalid: several cookies hold seals (a, b): pick one with --name",
            ),
            (
                "s=Fe26.2*1; s.0=Fe26.2*2",
                None,
                "invalid: both the cookie s and its chunk s.0 are given: paste one or the other (a server refuses such a request as ambiguous: neither is read)",
            ),
            (
                "s.0=Fe26.2*1; s.2=x",
                None,
                "invalid: chunk s.1 is missing but s.2 is given: paste every chunk",
            ),
            (
                "a=1; b=Fe26.2*x",
                Some("s"),
                "invalid: no cookie s (nor chunks s.0, …) in the input (cookies: a, b)",
            ),
            (
                "c1=1; c2=1; c3=1; c4=1; c5=1; c6=1; c7=1",
                None,
                "invalid: none of the cookies holds a seal (cookies: c1, c2, c3, c4, c5, and 2 more); name the session's cookie with --name",
            ),
        ] {
            assert_eq!(seal(input, name).unwrap_err(), message, "{input:?}");
        }
    }

    #[test]
    fn a_bad_name_is_a_usage_error_and_a_bad_name_in_the_input_is_not() {
        let error = seal_from_paste("a=1", Some("bad name")).unwrap_err();
        assert_eq!(error.exit_code(), 2);
        assert!(
            error
                .to_string()
                .starts_with("bad --name: invalid cookie name"),
            "{error}"
        );
        let error = seal_from_paste("bad name=Fe26.2*x", None).unwrap_err();
        assert_eq!(error.exit_code(), 1);
        assert!(
            error
                .to_string()
                .starts_with("invalid: invalid cookie name"),
            "{error}"
        );
        // A seal under an empty name is not a session's cookie.
        for input in ["=Fe26.2*x", ".0=Fe26.2*x"] {
            assert!(
                seal(input, None)
                    .unwrap_err()
                    .contains("none of the cookies holds a seal")
            );
        }
    }

    #[test]
    fn a_long_header_lists_a_few_names_and_counts_the_rest() {
        let header: String = (0..20_000).map(|i| format!("c{i}=Fe26.2*{i};")).collect();
        let message = seal(&header, None).unwrap_err();
        assert_eq!(
            message,
            "invalid: several cookies hold seals (c0, c1, c2, c3, c4, and 19995 more): pick one with --name"
        );
        assert_eq!(seal(&header, Some("c19999")).unwrap().0, "Fe26.2*19999");
    }

    #[test]
    fn hostile_cookie_names_are_escaped_and_shortened() {
        let name = format!("\u{1b}]0;x\u{7}{}", "n".repeat(100));
        let message = seal(&format!("{name}=1"), None).unwrap_err();
        assert!(!message.contains('\u{1b}'), "{message}");
        assert!(message.len() < 200, "{message}");
    }
}
