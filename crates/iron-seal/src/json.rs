//! Sealing JSON values, as Iron does with `JSON.stringify` and `JSON.parse`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Error, Options, Password, PasswordId, PasswordLookup, seal, unseal};

/// Serializes `value` to JSON and seals it now, with salts and IV from
/// [`ThreadRandom`](crate::ThreadRandom).
///
/// ```
/// use iron_seal::{seal_json, unseal_json, Options, Password, PasswordId};
///
/// let password = Password::from("ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg");
/// let id = PasswordId::new("1").unwrap();
/// let sealed = seal_json(&vec![1, 2, 3], &id, &password, &Options::default()).unwrap();
/// let back: Vec<u32> = unseal_json(&sealed, &password, &Options::default()).unwrap();
/// assert_eq!(back, [1, 2, 3]);
/// ```
///
/// # Errors
/// [`Error::Serialize`] if `value` cannot be JSON (a map with non-string keys, say), and the
/// errors of [`seal`].
pub fn seal_json<T: Serialize + ?Sized>(
    value: &T,
    password_id: &PasswordId,
    password: &Password,
    options: &Options,
) -> Result<String, Error> {
    let json = serde_json::to_vec(value).map_err(|e| Error::Serialize(e.to_string()))?;
    seal(&json, password_id, password, options)
}

/// Opens a seal now and parses its JSON into `T`. An empty plaintext reads as JSON `null`, as
/// Iron returns `null` for it.
///
/// # Errors
/// [`Error::Json`] if the plaintext is not JSON for `T`, and the errors of [`unseal`].
pub fn unseal_json<T: DeserializeOwned>(
    sealed: &str,
    passwords: &impl PasswordLookup,
    options: &Options,
) -> Result<T, Error> {
    let plaintext = unseal(sealed, passwords, options)?;
    parse_json(&plaintext)
}

/// serde_json's recursion limit, which keeps parsing within a bounded stack: sealed JSON whose
/// arrays and objects nest this many levels deep or more fails with [`Error::JsonTooDeep`]
/// (127 levels parse).
/// (JavaScript's `JSON.parse` has no such limit; data that deep has no business in a cookie.)
pub const MAX_JSON_DEPTH: usize = 128;

/// Parses an unsealed plaintext as Iron does: empty means `null`. JSON errors name the line and
/// column only, never the plaintext.
///
/// A lone UTF-16 surrogate escape (`"\ud83c"`: half an emoji, which `JSON.stringify` writes when
/// a JavaScript string was cut in the middle of a character) is read as U+FFFD, the replacement
/// character, as `JSON.parse` reads it without complaint and Rust strings cannot hold it. Two keys
/// of one object that differ only there (`{"\ud800":1,"\udbff":2}`: two keys for `JSON.parse`)
/// would silently become one: that is [`Error::JsonKeysCollide`] instead.
///
/// ```
/// let value: Option<u8> = iron_seal::parse_json(b"").unwrap();
/// assert_eq!(value, None);
/// let name: String = iron_seal::parse_json(br#""\ud83c!""#).unwrap();
/// assert_eq!(name, "\u{fffd}!");
/// ```
///
/// # Errors
/// [`Error::JsonTooDeep`] at [`MAX_JSON_DEPTH`] levels of nesting or more,
/// [`Error::JsonKeysCollide`] for keys that lone surrogates alone tell apart, [`Error::Json`]
/// otherwise.
pub fn parse_json<T: DeserializeOwned>(plaintext: &[u8]) -> Result<T, Error> {
    let text: &[u8] = if plaintext.is_empty() {
        b"null"
    } else {
        plaintext
    };
    let replaced = replace_lone_surrogates(text);
    let value = serde_json::from_slice(&replaced).map_err(|e| describe_without_data(&e))?;
    // Only a replacement can make two keys one; the text is valid JSON once it parsed.
    if matches!(replaced, Cow::Owned(_)) && keys_collide_once_replaced(text) {
        return Err(Error::JsonKeysCollide);
    }
    Ok(value)
}

/// Whether two keys of one object of `json` (valid JSON, lone surrogates allowed) are different
/// strings of UTF-16 code units, as `JSON.parse` reads them, but the same text once every lone
/// surrogate is U+FFFD.
fn keys_collide_once_replaced(json: &[u8]) -> bool {
    /// An array, or an object with the keys read so far (as read here, to their code units) and
    /// whether the next string is a key.
    enum Container {
        Array,
        Object {
            keys: HashMap<String, Vec<u16>>,
            expecting_key: bool,
        },
    }
    let mut open: Vec<Container> = Vec::new();
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            b'{' => open.push(Container::Object {
                keys: HashMap::new(),
                expecting_key: true,
            }),
            b'[' => open.push(Container::Array),
            b'}' | b']' => {
                open.pop();
            }
            b',' => {
                if let Some(Container::Object { expecting_key, .. }) = open.last_mut() {
                    *expecting_key = true;
                }
            }
            b'"' => {
                let (units, end) = string_units(json, i + 1);
                if let Some(Container::Object {
                    keys,
                    expecting_key,
                }) = open.last_mut()
                    && *expecting_key
                {
                    *expecting_key = false;
                    match keys.entry(String::from_utf16_lossy(&units)) {
                        Entry::Occupied(earlier) if *earlier.get() != units => return true,
                        Entry::Occupied(_) => {}
                        Entry::Vacant(slot) => {
                            slot.insert(units);
                        }
                    }
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// The UTF-16 code units of the JSON string whose text starts at `start` (after its opening
/// quote), lone surrogates kept, and the index after its closing quote.
fn string_units(json: &[u8], start: usize) -> (Vec<u16>, usize) {
    let mut units = Vec::new();
    let copy = |units: &mut Vec<u16>, from: usize, to: usize| {
        units.extend(String::from_utf8_lossy(&json[from..to.min(json.len())]).encode_utf16());
    };
    let mut run = start;
    let mut i = start;
    while i < json.len() {
        match json[i] {
            b'"' => {
                copy(&mut units, run, i);
                return (units, i + 1);
            }
            b'\\' => {
                copy(&mut units, run, i);
                let escaped = json.get(i + 1).copied().unwrap_or(b'\\');
                if escaped == b'u' {
                    let hex = json
                        .get(i + 2..i + 6)
                        .and_then(|hex| std::str::from_utf8(hex).ok());
                    units.extend(hex.and_then(|hex| u16::from_str_radix(hex, 16).ok()));
                    i += 6;
                } else {
                    units.push(u16::from(match escaped {
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        other => other,
                    }));
                    i += 2;
                }
                run = i;
            }
            _ => i += 1,
        }
    }
    copy(&mut units, run, json.len());
    (units, json.len())
}

/// `text` with every `\uXXXX` escape of a lone surrogate (one not part of a high-low pair)
/// replaced by `\ufffd`; borrowed unchanged when there is none. Escaped backslashes are skipped,
/// so `\\ud83c` (a backslash, then the text `ud83c`) stays as it is.
fn replace_lone_surrogates(text: &[u8]) -> Cow<'_, [u8]> {
    const ESCAPE_LEN: usize = 6;
    let unit_at = |i: usize| -> Option<u16> {
        let escape = text.get(i..i + ESCAPE_LEN)?;
        if escape[0] != b'\\' || escape[1] != b'u' {
            return None;
        }
        let hex = std::str::from_utf8(&escape[2..]).ok()?;
        u16::from_str_radix(hex, 16).ok()
    };
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut i = 0;
    // From one backslash to the next: only escapes can be surrogates.
    while let Some(offset) = text.get(i..).and_then(|rest| memchr::memchr(b'\\', rest)) {
        i += offset;
        let Some(unit) = unit_at(i) else {
            // Any other escape: skip the backslash and the character it escapes.
            i += 2;
            continue;
        };
        let is_high = (0xD800..=0xDBFF).contains(&unit);
        let is_low = (0xDC00..=0xDFFF).contains(&unit);
        let pairs = is_high
            && unit_at(i + ESCAPE_LEN).is_some_and(|next| (0xDC00..=0xDFFF).contains(&next));
        if pairs {
            i += 2 * ESCAPE_LEN;
        } else if is_high || is_low {
            let buffer = out.get_or_insert_with(|| Vec::with_capacity(text.len()));
            buffer.extend_from_slice(&text[copied..i]);
            buffer.extend_from_slice(b"\\ufffd");
            i += ESCAPE_LEN;
            copied = i;
        } else {
            i += ESCAPE_LEN;
        }
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut buffer) => {
            buffer.extend_from_slice(&text[copied..]);
            Cow::Owned(buffer)
        }
    }
}

/// serde_json's own messages quote the offending value (`invalid type: string "..."`), which
/// would put the plaintext in logs; keep only the kind of error and where it is.
fn describe_without_data(error: &serde_json::Error) -> Error {
    use serde_json::error::Category;
    // serde_json reports its nesting limit only through the message of a syntax error.
    if error.classify() == Category::Syntax
        && error.to_string().starts_with("recursion limit exceeded")
    {
        return Error::JsonTooDeep {
            limit: MAX_JSON_DEPTH,
        };
    }
    let kind = match error.classify() {
        Category::Io => "i/o error",
        Category::Syntax => "syntax error",
        Category::Data => "unexpected data for the type",
        Category::Eof => "unexpected end of input",
    };
    Error::Json(format!(
        "{kind} at line {} column {}",
        error.line(),
        error.column()
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn nested(depth: usize) -> Vec<u8> {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes()
    }

    #[test]
    fn nesting_up_to_the_limit_parses_and_beyond_it_names_the_limit() {
        assert!(parse_json::<Value>(&nested(MAX_JSON_DEPTH - 1)).is_ok());
        let error = parse_json::<Value>(&nested(MAX_JSON_DEPTH)).unwrap_err();
        assert_eq!(error, Error::JsonTooDeep { limit: 128 });
        assert!(error.to_string().contains("nested 128 levels deep or more"));
        let objects = format!("{}1{}", r#"{"a":"#.repeat(200), "}".repeat(200));
        assert_eq!(
            parse_json::<Value>(objects.as_bytes()),
            Err(Error::JsonTooDeep { limit: 128 })
        );
    }

    #[test]
    fn lone_surrogates_read_as_the_replacement_character() {
        let read = |json: &str| parse_json::<Value>(json.as_bytes()).unwrap();
        assert_eq!(read(r#"{"name":"\ud83c"}"#)["name"], "\u{fffd}");
        assert_eq!(read(r#"{"name":"\uDC00x"}"#)["name"], "\u{fffd}x");
        // A high surrogate followed by another high one, or by a non-surrogate escape.
        assert_eq!(read(r#""\ud83c\ud83c\udf89""#), "\u{fffd}\u{1f389}");
        assert_eq!(read(r#""\ud83c\u0041""#), "\u{fffd}A");
        // Lone surrogates in keys too, and at the very end of the text.
        assert_eq!(read(r#"{"\ud800":1}"#)["\u{fffd}"], 1);
        assert_eq!(read(r#"["\udbff"]"#)[0], "\u{fffd}");
    }

    #[test]
    fn keys_that_only_lone_surrogates_tell_apart_are_refused() {
        let read = |json: &str| parse_json::<Value>(json.as_bytes());
        for colliding in [
            r#"{"\ud800":"a","\udbff":"b"}"#,
            r#"{"\ud800":"a","\ufffd":"b"}"#,
            "{\"\\ud800\":\"a\",\"\u{fffd}\":\"b\"}",
            r#"{"x\udc00y":1,"x\udfffy":2}"#,
            r#"{"a":[{"k\ud83c":1,"k\ud83d":2}]}"#,
            r#"[{"\ud800":{"\\\"":1},"\udbff":2}]"#,
        ] {
            assert_eq!(read(colliding), Err(Error::JsonKeysCollide), "{colliding}");
        }
        // The same key twice is one key for JSON.parse too (the last value wins), keys in
        // different objects never meet, and values are not keys.
        assert_eq!(
            read(r#"{"\ud800":1,"\ud800":2}"#).unwrap(),
            serde_json::json!({"\u{fffd}": 2})
        );
        for apart in [
            r#"[{"\ud800":1},{"\udbff":2}]"#,
            r#"{"\ud800":{"\udbff":1}}"#,
            r#"{"a":"\ud800","b":"\udbff"}"#,
            r#"{"\ud800":"a","x":"b","\\ud800":"c"}"#,
            r#"{"k":["\ud800","\udbff"],"\udbff":"v"}"#,
        ] {
            assert!(read(apart).is_ok(), "{apart}");
        }
        assert!(
            Error::JsonKeysCollide
                .to_string()
                .contains("differ only in lone surrogates")
        );
    }

    #[test]
    fn pairs_and_escaped_backslashes_are_left_alone() {
        let read = |json: &str| parse_json::<Value>(json.as_bytes()).unwrap();
        assert_eq!(read(r#""\ud83c\udf89""#), "\u{1f389}");
        assert_eq!(read(r#""\\ud83c""#), "\\ud83c");
        assert!(matches!(
            replace_lone_surrogates(br#"{"a":"\ud83c\udf89","b":"\\ud800"}"#),
            Cow::Borrowed(_)
        ));
        // A truncated escape is still a syntax error, not a replacement.
        assert!(matches!(
            parse_json::<Value>(br#""\ud8""#),
            Err(Error::Json(_))
        ));
    }
}
