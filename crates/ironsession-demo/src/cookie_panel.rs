//! The "What is in my cookie?" panel: the session cookie taken apart into its Fe26.2 fields, and,
//! since the server holds the password, the JSON sealed inside, with a sentence on each part.

use iron_seal::SealParts;
use ironsession::{Passwords, SealError, UnsealError, VERSION_SUFFIX, unseal_data};

use crate::pages::escape_html;

/// The panel for the seal the request carried (`None`: no session cookie), opened with
/// `passwords`. `refused` is why the session refused that cookie, if it did: a seal that opens
/// can still be revoked or past its absolute lifetime, and the panel must not call its JSON
/// what the server reads. A seal the session refused for its length (longer than any cookie its
/// configuration writes, [`SealError::TooLong`]) is not opened either: the panel spends no more
/// on a forged cookie than the session does.
///
/// ```
/// use ironsession::{Passwords, Ttl, seal_data};
///
/// let passwords = Passwords::single(Passwords::generate()?)?;
/// let sealed = seal_data(&serde_json::json!({"visits": 3}), &passwords, Ttl::DEFAULT)?;
/// let panel = ironsession_demo::cookie_panel::cookie_panel(Some(&sealed), &passwords, None);
/// assert!(panel.contains("Fe26.2"));
/// assert!(panel.contains("&quot;visits&quot;: 3"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn cookie_panel(
    seal: Option<&str>,
    passwords: &Passwords,
    refused: Option<&UnsealError>,
) -> String {
    let body = match seal {
        None => "<p>No session cookie yet: log in and the server seals one.</p>".to_owned(),
        Some(seal) => fields(seal, passwords, refused),
    };
    format!(
        r#"<section class="card" id="cookie-panel">
<h2>What is in my cookie?</h2>
{body}</section>
"#
    )
}

fn fields(seal: &str, passwords: &Passwords, refused: Option<&UnsealError>) -> String {
    let without_suffix = seal.strip_suffix(VERSION_SUFFIX).unwrap_or(seal);
    let parts = match SealParts::parse(without_suffix) {
        Ok(parts) => parts,
        Err(error) => {
            return format!(
                "<p>The cookie is not a well-formed Fe26.2 seal ({}), so the server treats the \
                 session as empty.</p>\n",
                escape_html(&error.to_string())
            );
        }
    };
    let expiration = parts.expiration_ms().map_or_else(
        || "none (the seal never expires)".to_owned(),
        crate::pages::utc,
    );
    let rows = [
        (
            "prefix",
            "Fe26.2",
            "The format: Iron, version 2, the one iron-session and @hapi/iron write.",
        ),
        (
            "password id",
            parts.password_id(),
            "Which of the server's passwords sealed it: after a rotation, older ids still open.",
        ),
        (
            "encryption salt",
            parts.encryption_salt(),
            "Random for every seal; PBKDF2 turns the password and this salt into the AES-256 key.",
        ),
        (
            "IV",
            parts.iv(),
            "Random for every seal: the same session sealed twice never looks the same.",
        ),
        (
            "encrypted data",
            parts.ciphertext(),
            "The session's JSON, encrypted with AES-256-CBC. Without the password it is noise.",
        ),
        (
            "expiration",
            &expiration,
            "Inside the seal and covered by the MAC: after it the server refuses the cookie, \
             whatever the browser does.",
        ),
        (
            "integrity salt",
            parts.hmac_salt(),
            "Random for every seal; PBKDF2 turns it into the HMAC key.",
        ),
        (
            "MAC",
            parts.hmac(),
            "HMAC-SHA256 of everything before it. Change one character anywhere and the server \
             sees an empty session.",
        ),
    ];
    let mut html = format!(
        "<p>The browser holds {} characters. The server takes them apart like this:</p>\n<dl class=\"fields\">\n",
        seal.len()
    );
    for (name, value, meaning) in rows {
        html.push_str(&format!(
            "<dt>{name}</dt><dd><code>{}</code><span>{meaning}</span></dd>\n",
            escape_html(&shorten(value))
        ));
    }
    html.push_str("</dl>\n");
    if let Some(too_long @ SealError::TooLong { .. }) = refused.and_then(UnsealError::cause) {
        html.push_str(&format!(
            "<p>The session refused it before any cryptography ({}): no cookie of this server is \
             that long, so neither the session nor this panel checks its MAC.</p>\n",
            escape_html(&too_long.to_string())
        ));
        return html;
    }
    match unseal_data::<serde_json::Value>(seal, passwords) {
        Ok(json) => {
            let pretty = serde_json::to_string_pretty(&json).unwrap_or_default();
            let intro = match refused {
                None => "What the server reads after checking the MAC and decrypting: plain JSON \
                         that the browser never sees."
                    .to_owned(),
                Some(error) => format!(
                    "The MAC checks out and this decrypts, but the server refuses the session \
                     (<span id=\"cookie-refused\">{}</span>) and reads an empty one instead:",
                    escape_html(&error.to_string())
                ),
            };
            html.push_str(&format!(
                "<h3>Decrypted</h3>\n<p>{intro}</p>\n<pre id=\"cookie-json\">{}</pre>\n",
                escape_html(&pretty)
            ));
            html.push_str(&crate::explain::metadata(&json));
        }
        Err(error) => html.push_str(&format!(
            "<p>The server cannot open it ({}), so the session is empty.</p>\n",
            escape_html(&error.to_string())
        )),
    }
    html
}

/// Long fields cut in the middle, so a 4 KB ciphertext does not flood the page.
fn shorten(value: &str) -> String {
    const KEEP: usize = 24;
    if value.len() <= 2 * KEEP + 3 || !value.is_ascii() {
        return value.to_owned();
    }
    format!(
        "{}…{} ({} chars)",
        &value[..KEEP],
        &value[value.len() - KEEP..],
        value.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_passwords() -> Passwords {
        let password = Passwords::generate().expect("the OS random source works in tests");
        Passwords::single(password).expect("a generated password is accepted")
    }

    #[test]
    fn long_values_are_cut_in_the_middle() {
        let value = "a".repeat(24) + &"b".repeat(100) + &"c".repeat(24);
        let short = shorten(&value);
        assert!(short.starts_with(&"a".repeat(24)));
        assert!(short.contains(&format!("{} (148 chars)", "c".repeat(24))));
        assert_eq!(shorten("short"), "short");
    }

    #[test]
    fn a_foreign_cookie_is_explained_not_shown() {
        let passwords = random_passwords();
        let panel = cookie_panel(Some("not-a-seal"), &passwords, None);
        assert!(panel.contains("not a well-formed Fe26.2 seal"));
        assert!(!panel.contains("Decrypted"));
    }

    #[test]
    fn a_seal_that_opens_but_is_refused_says_so() {
        let passwords = random_passwords();
        let sealed = ironsession::seal_data(
            &serde_json::json!({"isLoggedIn": true}),
            &passwords,
            ironsession::Ttl::DEFAULT,
        )
        .expect("sealing a small JSON object with a generated password succeeds");
        let opened = cookie_panel(Some(&sealed), &passwords, None);
        assert!(opened.contains("What the server reads"));
        assert!(!opened.contains("cookie-refused"));

        // As a session past its absolute lifetime is refused, though its seal still opens.
        let refused = UnsealError::from(iron_seal::Error::Expired { expired_at_ms: 1 });
        let panel = cookie_panel(Some(&sealed), &passwords, Some(&refused));
        assert!(panel.contains(&format!(
            r#"the server refuses the session (<span id="cookie-refused">{refused}</span>)"#
        )));
        assert!(!panel.contains("What the server reads"));
        assert!(panel.contains("&quot;isLoggedIn&quot;: true"));
    }

    #[test]
    fn a_seal_the_session_refused_for_its_length_is_not_opened() {
        let passwords = random_passwords();
        // A seal that would open, longer than any cookie: only its length keeps it shut.
        let sealed = ironsession::seal_data(
            &serde_json::json!({"padding": "x".repeat(20_000)}),
            &passwords,
            ironsession::Ttl::DEFAULT,
        )
        .expect("sealing a large JSON object succeeds");
        let refused = UnsealError::from(iron_seal::Error::TooLong {
            length: sealed.len(),
            max: 16_352,
        });
        let panel = cookie_panel(Some(&sealed), &passwords, Some(&refused));
        assert!(panel.contains("<dt>MAC</dt>"), "{panel}");
        assert!(
            panel.contains("refused it before any cryptography"),
            "{panel}"
        );
        assert!(!panel.contains("Decrypted") && !panel.contains("padding"));
        // Refused for another reason, the same seal is opened and shown.
        let expired = UnsealError::from(iron_seal::Error::Expired { expired_at_ms: 1 });
        assert!(cookie_panel(Some(&sealed), &passwords, Some(&expired)).contains("padding"));
    }

    #[test]
    fn a_seal_under_another_password_shows_fields_but_no_json() {
        let sealed = ironsession::seal_data(
            &serde_json::json!({"secret": "x"}),
            &random_passwords(),
            ironsession::Ttl::DEFAULT,
        )
        .expect("sealing a small JSON object with a generated password succeeds");
        let panel = cookie_panel(Some(&sealed), &random_passwords(), None);
        assert!(panel.contains("<dt>MAC</dt>"));
        assert!(panel.contains("cannot open it"));
        assert!(!panel.contains("secret"));
    }
}
