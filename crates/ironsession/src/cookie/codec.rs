//! The cookie codec: finding our cookie in `Cookie` headers exactly as the npm `cookie` package
//! (which iron-session uses) does, and writing `Set-Cookie` lines in its attribute order.

use std::borrow::Cow;
use std::sync::Arc;

/// The `SameSite` attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SameSite {
    /// Sent only with same-site requests.
    Strict,
    /// Sent with same-site requests and top-level navigations (iron-session's default).
    #[default]
    Lax,
    /// Sent with every request; browsers require `Secure` with it.
    None,
}

/// The `Priority` attribute (a Chromium extension that iron-session can set).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Priority {
    /// `Priority=Low`.
    Low,
    /// `Priority=Medium`.
    Medium,
    /// `Priority=High`.
    High,
}

/// The attributes written after `name=value` in `Set-Cookie`, already validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Attributes {
    pub(crate) http_only: bool,
    pub(crate) secure: bool,
    pub(crate) same_site: SameSite,
    pub(crate) path: String,
    pub(crate) domain: Option<String>,
    pub(crate) partitioned: bool,
    pub(crate) priority: Option<Priority>,
}

/// The session's cookie as the configuration writes it: its name, attributes and `Max-Age`, and
/// whether a long seal may be split into chunks. Borrowed from the
/// [`SessionConfig`](crate::SessionConfig) for one request step, so a capped `Max-Age` (an
/// absolute lifetime running out) costs no copy of the configuration.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CookieConfig<'a> {
    pub(crate) name: &'a Arc<str>,
    pub(crate) attributes: &'a Attributes,
    /// `None` for a browser-session cookie.
    pub(crate) max_age: Option<u64>,
    pub(crate) chunking: bool,
}

impl CookieConfig<'_> {
    /// The cookie name.
    pub(super) fn cookie_name(&self) -> &str {
        self.name
    }

    /// The cookie name, shared without copying it.
    pub(super) fn shared_cookie_name(&self) -> Arc<str> {
        self.name.clone()
    }

    /// Whether a session too large for one cookie is split across several.
    pub(super) fn chunking(&self) -> bool {
        self.chunking
    }

    /// The `Set-Cookie` value that stores `value` (a seal or a chunk of one) in cookie `name`.
    pub(super) fn set_cookie_line(&self, name: &str, value: &str) -> String {
        set_cookie_line(name, value, self.attributes, self.max_age)
    }

    /// The length of [`set_cookie_line`](Self::set_cookie_line) for a name and a value of these
    /// lengths.
    pub(super) fn set_cookie_line_len(&self, name_len: usize, value_len: usize) -> usize {
        set_cookie_line_len(name_len, value_len, self.attributes, self.max_age)
    }

    /// The start of a [`set_cookie_line`](Self::set_cookie_line) for cookie `name` followed by
    /// `name_suffix` (a chunk's `.N`, or nothing), up to its `=`, with room for the whole line
    /// with a value of `value_len` bytes. Write the value, then
    /// [`finish_set_cookie_line`](Self::finish_set_cookie_line).
    pub(super) fn start_set_cookie_line(
        &self,
        name: &str,
        name_suffix: &str,
        value_len: usize,
    ) -> String {
        start_line(name, name_suffix, value_len, self.attributes, self.max_age)
    }

    /// Appends the attributes to a line begun by
    /// [`start_set_cookie_line`](Self::start_set_cookie_line) and given its value.
    pub(super) fn finish_set_cookie_line(&self, line: &mut String) {
        push_attributes(line, self.attributes, self.max_age);
    }

    /// The `Set-Cookie` value that deletes cookie `name`: empty, `Max-Age=0`, same attributes.
    pub(super) fn deletion_line(&self, name: &str) -> String {
        self.suffixed_deletion_line(name, "")
    }

    /// [`deletion_line`](Self::deletion_line) of cookie `name` followed by `name_suffix` (a
    /// chunk's `.N`), built in one allocation.
    pub(super) fn suffixed_deletion_line(&self, name: &str, name_suffix: &str) -> String {
        let mut line = start_line(name, name_suffix, 0, self.attributes, Some(0));
        push_attributes(&mut line, self.attributes, Some(0));
        debug_assert_eq!(line.capacity(), line.len());
        line
    }
}

/// A `Set-Cookie` value: `name=value` and the attributes in the order the npm `cookie` package
/// writes them (Max-Age, Domain, Path, HttpOnly, Secure, Partitioned, Priority, SameSite).
///
/// Every part is visible ASCII without `;` (the name, path and domain were validated when the
/// configuration was built; a seal is base64url, hex, digits, `*`, `.` and `~`).
///
/// The line is allocated at its exact length: `http`'s `HeaderValue` then takes the buffer over
/// as it is, where a buffer with spare capacity costs it one more allocation.
pub(super) fn set_cookie_line(
    name: &str,
    value: &str,
    attributes: &Attributes,
    max_age: Option<u64>,
) -> String {
    let mut line = start_line(name, "", value.len(), attributes, max_age);
    line.push_str(value);
    push_attributes(&mut line, attributes, max_age);
    debug_assert_eq!(line.capacity(), line.len());
    line
}

/// The start of a [`set_cookie_line`] for cookie `name` followed by `name_suffix` (a chunk's
/// `.N`, or nothing), up to its `=`, in a buffer with room for the whole line with a value of
/// `value_len` bytes: the caller writes the value, then [`push_attributes`].
pub(super) fn start_line(
    name: &str,
    name_suffix: &str,
    value_len: usize,
    attributes: &Attributes,
    max_age: Option<u64>,
) -> String {
    let name_len = name.len() + name_suffix.len();
    let length = set_cookie_line_len(name_len, value_len, attributes, max_age);
    let mut line = String::with_capacity(length);
    line.push_str(name);
    line.push_str(name_suffix);
    line.push('=');
    line
}

/// Appends the attributes of a [`set_cookie_line`] to `line`, which holds `name=value`.
pub(super) fn push_attributes(line: &mut String, attributes: &Attributes, max_age: Option<u64>) {
    if let Some(seconds) = max_age {
        line.push_str(MAX_AGE);
        line.push_str(itoa::Buffer::new().format(seconds));
    }
    if let Some(domain) = &attributes.domain {
        line.push_str(DOMAIN);
        line.push_str(domain);
    }
    line.push_str(PATH);
    line.push_str(&attributes.path);
    for flag in flags(attributes) {
        line.push_str(flag);
    }
    line.push_str(priority(attributes));
    line.push_str(same_site(attributes));
}

/// The length in bytes of [`set_cookie_line`] for a name and a value of these lengths.
pub(super) fn set_cookie_line_len(
    name_len: usize,
    value_len: usize,
    attributes: &Attributes,
    max_age: Option<u64>,
) -> usize {
    name_len
        + "=".len()
        + value_len
        + max_age.map_or(0, |seconds| MAX_AGE.len() + decimal_digits(seconds))
        + attributes
            .domain
            .as_ref()
            .map_or(0, |domain| DOMAIN.len() + domain.len())
        + PATH.len()
        + attributes.path.len()
        + flags(attributes).map(str::len).sum::<usize>()
        + priority(attributes).len()
        + same_site(attributes).len()
}

const MAX_AGE: &str = "; Max-Age=";
const DOMAIN: &str = "; Domain=";
const PATH: &str = "; Path=";

/// The attributes without a value that are on, in their order.
fn flags(attributes: &Attributes) -> impl Iterator<Item = &'static str> {
    [
        (attributes.http_only, "; HttpOnly"),
        (attributes.secure, "; Secure"),
        (attributes.partitioned, "; Partitioned"),
    ]
    .into_iter()
    .filter_map(|(on, text)| on.then_some(text))
}

fn priority(attributes: &Attributes) -> &'static str {
    attributes.priority.map_or("", |priority| match priority {
        Priority::Low => "; Priority=Low",
        Priority::Medium => "; Priority=Medium",
        Priority::High => "; Priority=High",
    })
}

fn same_site(attributes: &Attributes) -> &'static str {
    match attributes.same_site {
        SameSite::Strict => "; SameSite=Strict",
        SameSite::Lax => "; SameSite=Lax",
        SameSite::None => "; SameSite=None",
    }
}

/// The number of digits of `n` in decimal.
fn decimal_digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
}

/// The values of the cookies that `slot_of` maps to an index of `found` (cookies of no interest
/// map to `None`): each slot gets the first value of its name across `headers` (several `Cookie`
/// headers read as one, joined with `; `, as Node joins them).
///
/// Rules of the npm `cookie` package: pairs are split on `;`, a pair without `=` is skipped,
/// spaces and tabs around names and values are trimmed, the first pair with a name wins, one pair
/// of surrounding double quotes is removed, and a value with `%` is percent-decoded as UTF-8 when
/// that succeeds (otherwise it is kept as it is).
///
/// One pass over the headers, however many cookies are looked for. The header is read as bytes
/// and only the values found are read as text (invalid UTF-8 replaced by U+FFFD, as Node reads a
/// header): a name that is not UTF-8 is none of ours, which are tokens.
pub(crate) fn find_cookies<'h>(
    headers: impl IntoIterator<Item = &'h [u8]>,
    slot_of: impl Fn(&str) -> Option<usize>,
    found: &mut [Option<String>],
) {
    for header in headers {
        for pair in pairs(header) {
            let Some(equals) = memchr::memchr(b'=', pair) else {
                continue;
            };
            let Ok(pair_name) = std::str::from_utf8(trim_sp_tab(&pair[..equals])) else {
                continue;
            };
            if let Some(slot) = slot_of(pair_name).and_then(|i| found.get_mut(i))
                && slot.is_none()
            {
                *slot = Some(decode_value(trim_sp_tab(&pair[equals + 1..])));
            }
        }
    }
}

/// The pairs of a `Cookie` header: the parts between its `;`s.
fn pairs(header: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(header);
    std::iter::from_fn(move || {
        let text = rest?;
        match memchr::memchr(b';', text) {
            Some(at) => {
                rest = Some(&text[at + 1..]);
                Some(&text[..at])
            }
            None => rest.take(),
        }
    })
}

fn trim_sp_tab(text: &[u8]) -> &[u8] {
    let is_sp_tab = |b: &u8| *b == b' ' || *b == b'\t';
    let start = text
        .iter()
        .position(|b| !is_sp_tab(b))
        .unwrap_or(text.len());
    let end = text
        .iter()
        .rposition(|b| !is_sp_tab(b))
        .map_or(start, |last| last + 1);
    &text[start..end]
}

fn decode_value(value: &[u8]) -> String {
    let value = value
        .strip_prefix(b"\"")
        .and_then(|rest| rest.strip_suffix(b"\""))
        .unwrap_or(value);
    // `from_utf8` checks a word at a time; `from_utf8_lossy` walks valid text byte by byte.
    let value = match std::str::from_utf8(value) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(value),
    };
    if memchr::memchr(b'%', value.as_bytes()).is_none() || !is_well_formed_percent_encoding(&value)
    {
        return value.into_owned();
    }
    match percent_encoding::percent_decode_str(&value).decode_utf8() {
        Ok(Cow::Borrowed(decoded)) => decoded.to_owned(),
        Ok(Cow::Owned(decoded)) => decoded,
        Err(_) => value.into_owned(),
    }
}

/// `decodeURIComponent` throws unless every `%` starts a two-hex-digit escape.
fn is_well_formed_percent_encoding(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let escape = bytes.get(i + 1..i + 3);
            if !escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

/// Whether `name` is a cookie name the npm `cookie` package accepts (an RFC 7230 token).
pub(crate) fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether `text` can stand as an attribute value: visible ASCII (or space) without `;`.
pub(crate) fn is_valid_attribute_value(text: &str) -> bool {
    text.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b';')
}

/// Whether `domain` is a host name as the npm `cookie` package accepts it: labels of letters,
/// digits and `-`, separated by dots, with an optional leading dot.
pub(crate) fn is_valid_domain(domain: &str) -> bool {
    let host = domain.strip_prefix('.').unwrap_or(domain);
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(headers: &[&str], name: &str) -> Option<String> {
        let mut found = [None];
        find_cookies(
            headers.iter().map(|h| h.as_bytes()),
            |pair| (pair == name).then_some(0),
            &mut found,
        );
        let [value] = found;
        value
    }

    #[test]
    fn first_occurrence_wins_within_and_across_headers() {
        assert_eq!(find(&["a=1; a=2"], "a").as_deref(), Some("1"));
        assert_eq!(
            find(&["b=0", "a=first", "a=second"], "a").as_deref(),
            Some("first")
        );
    }

    #[test]
    fn trims_only_spaces_and_tabs_and_strips_one_pair_of_quotes() {
        assert_eq!(find(&[" \ta = \"v\" ;b=2"], "a").as_deref(), Some("v"));
        assert_eq!(find(&["a=\"\"v\"\""], "a").as_deref(), Some("\"v\""));
        assert_eq!(find(&["\u{a0}a=1"], "a"), None);
    }

    #[test]
    fn percent_decodes_like_decode_uri_component() {
        assert_eq!(find(&["a=x%7E2"], "a").as_deref(), Some("x~2"));
        assert_eq!(find(&["a=%C3%A9"], "a").as_deref(), Some("é"));
        // Malformed escapes and invalid UTF-8 keep the raw value, as `tryDecode` does.
        assert_eq!(find(&["a=100%"], "a").as_deref(), Some("100%"));
        assert_eq!(find(&["a=%FF"], "a").as_deref(), Some("%FF"));
    }

    /// Invalid UTF-8 in a value reads as U+FFFD, as the header read as lossy UTF-8 would; a name
    /// with invalid UTF-8 is never the cookie looked for, and the pairs around it still count.
    #[test]
    fn invalid_utf8_is_replaced_in_values_and_matches_no_name() {
        let find_bytes = |header: &[u8], name: &str| {
            let mut found = [None];
            find_cookies([header], |pair| (pair == name).then_some(0), &mut found);
            let [value] = found;
            value
        };
        assert_eq!(
            find_bytes(b"x=\xff; a=\xc3\xa9\xff;b=1", "a").as_deref(),
            Some("\u{e9}\u{fffd}")
        );
        assert_eq!(find_bytes(b"a\xff=1; a=2", "a").as_deref(), Some("2"));
        // U+FFFD is text like any other for the percent-decoding that follows.
        assert_eq!(
            find_bytes(b"\xff\xfe; a=\"%7E\xff\"", "a").as_deref(),
            Some("~\u{fffd}")
        );
        assert_eq!(find_bytes(b"a=%7E\xc3", "a").as_deref(), Some("~\u{fffd}"));
    }

    #[test]
    fn pairs_without_equals_are_skipped() {
        assert_eq!(find(&["junk; a=1"], "a").as_deref(), Some("1"));
        assert_eq!(find(&["a"], "a"), None);
    }

    #[test]
    fn set_cookie_matches_iron_session_strings() {
        // The strings iron-session 8.0.4 wrote (reference §2.9), with `<seal>` as the value.
        let defaults = Attributes {
            http_only: true,
            secure: true,
            same_site: SameSite::Lax,
            path: "/".into(),
            domain: None,
            partitioned: false,
            priority: None,
        };
        assert_eq!(
            set_cookie_line("sess", "<seal>", &defaults, Some(1_209_540)),
            "sess=<seal>; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax"
        );
        let custom = Attributes {
            http_only: true,
            secure: false,
            same_site: SameSite::None,
            path: "/app".into(),
            domain: Some("example.com".into()),
            partitioned: true,
            priority: Some(Priority::High),
        };
        assert_eq!(
            set_cookie_line("sess", "", &custom, Some(0)),
            "sess=; Max-Age=0; Domain=example.com; Path=/app; HttpOnly; Partitioned; Priority=High; SameSite=None"
        );
    }

    #[test]
    fn set_cookie_lines_are_allocated_at_their_exact_length() {
        let mut attributes = Attributes {
            http_only: false,
            secure: false,
            same_site: SameSite::Strict,
            path: "/".into(),
            domain: None,
            partitioned: false,
            priority: None,
        };
        for max_age in [
            None,
            Some(0),
            Some(9),
            Some(10),
            Some(1_209_540),
            Some(u64::MAX),
        ] {
            let line = set_cookie_line("s", "v", &attributes, max_age);
            assert_eq!(line.capacity(), line.len(), "{line}");
        }
        attributes = Attributes {
            http_only: true,
            secure: true,
            same_site: SameSite::None,
            path: "/app".into(),
            domain: Some("example.com".into()),
            partitioned: true,
            priority: Some(Priority::Medium),
        };
        let line = set_cookie_line("s.0", "Fe26.2*1*x~2", &attributes, Some(34_560_000));
        assert_eq!(line.capacity(), line.len(), "{line}");
    }

    #[test]
    fn decimal_digits_counts_like_formatting() {
        for n in [0, 1, 9, 10, 99, 100, 999_999, 1_000_000, u64::MAX] {
            assert_eq!(decimal_digits(n), n.to_string().len());
        }
    }

    #[test]
    fn validators_follow_the_npm_cookie_rules() {
        assert!(is_valid_name("iron-session_demo.v2"));
        assert!(!is_valid_name("a b") && !is_valid_name("a;b") && !is_valid_name(""));
        assert!(is_valid_domain("example.com") && is_valid_domain(".example.com"));
        assert!(
            !is_valid_domain("exa mple.com")
                && !is_valid_domain("a..b")
                && !is_valid_domain("-a.com")
        );
        assert!(is_valid_attribute_value("/app/x"));
        assert!(!is_valid_attribute_value("/a;b") && !is_valid_attribute_value("/a\n"));
    }

    proptest::proptest! {
        /// The chunk budget is computed from `set_cookie_line_len`, so it must be the built line's
        /// length for every attribute combination, and the line is allocated at that length.
        #[test]
        fn the_computed_length_is_the_built_lines_length(
            name in "[a-z.-]{1,20}",
            value in "[A-Za-z0-9*~_-]{0,200}",
            max_age in proptest::option::of(proptest::prelude::any::<u64>()),
            domain in proptest::option::of("[a-z.]{1,30}"),
            path in "/[a-z/]{0,20}",
            flags in proptest::prelude::any::<(bool, bool, bool)>(),
            priority in proptest::option::of(proptest::sample::select(
                vec![Priority::Low, Priority::Medium, Priority::High],
            )),
            same_site in proptest::sample::select(
                vec![SameSite::Strict, SameSite::Lax, SameSite::None],
            ),
        ) {
            let (http_only, secure, partitioned) = flags;
            let attributes = Attributes {
                http_only,
                secure,
                same_site,
                path,
                domain,
                partitioned,
                priority,
            };
            let line = set_cookie_line(&name, &value, &attributes, max_age);
            let length = set_cookie_line_len(name.len(), value.len(), &attributes, max_age);
            proptest::prop_assert_eq!(line.len(), length);
            proptest::prop_assert_eq!(line.capacity(), length);
        }
    }
}
