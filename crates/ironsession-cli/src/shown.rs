//! Text from the input (a seal's fields, cookie names) as the command shows it: shortened and
//! escaped, so a hostile cookie cannot flood the terminal or write escape sequences to it.

/// At most `max_chars` characters of `text` (an ellipsis marks a cut), with control characters
/// escaped.
///
/// ```
/// use ironsession_cli::shown::shown;
///
/// assert_eq!(shown("session", 64), "session");
/// assert_eq!(shown("a\u{1b}[31m", 64), "a\\u{1b}[31m");
/// assert_eq!(shown("abcdef", 3), "abc…");
/// ```
pub fn shown(text: &str, max_chars: usize) -> String {
    let mut chars = text.chars();
    let mut short: String = chars.by_ref().take(max_chars).collect();
    if chars.next().is_some() {
        short.push('…');
    }
    short.escape_debug().to_string()
}
