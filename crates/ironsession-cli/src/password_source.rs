//! Where the command's passwords come from: an environment variable or a file.
//!
//! The text is used verbatim, as Node uses `process.env.X`; a file loses exactly one trailing line
//! break (`\n` or `\r\n`), the one editors and `echo` add. Every copy this program makes is wiped
//! from memory when it is dropped (the process environment itself stays as the OS gave it).

use std::path::{Path, PathBuf};

use clap::Args;
use ironsession::{PasswordError, Passwords};
use zeroize::Zeroizing;

use crate::error::CliError;

/// The password options shared by `seal`, `unseal` and `inspect`.
#[derive(Args)]
pub struct PasswordSource {
    /// Read the password(s) from this environment variable: a password, or a JSON object of id to
    /// password like {"1":"...","2":"..."} (the highest id seals)
    #[arg(long, value_name = "NAME", default_value = "IRON_SESSION_PASSWORD")]
    password_env: String,
    /// Read the password(s) from this file instead, in the same forms (one trailing newline is
    /// dropped)
    #[arg(long, value_name = "PATH", conflicts_with = "password_env")]
    password_file: Option<PathBuf>,
    /// Accept a guessable password (a published sample, a repeated pattern, a run like 1234...):
    /// only to read or make seals of an existing deployment that still uses one
    #[arg(long)]
    allow_weak_password: bool,
}

impl PasswordSource {
    /// Reads and validates the passwords.
    pub fn load(&self) -> Result<Passwords, CliError> {
        let text = match &self.password_file {
            Some(path) => read_password_file(path)?,
            None => match std::env::var(&self.password_env) {
                Ok(text) => Zeroizing::new(text),
                Err(std::env::VarError::NotPresent) => {
                    return Err(CliError::MissingPassword {
                        variable: self.password_env.clone(),
                    });
                }
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(CliError::PasswordNotUnicode {
                        variable: self.password_env.clone(),
                    });
                }
            },
        };
        let parsed = if self.allow_weak_password {
            Passwords::dangerous_allow_weak_parse(&text)
        } else {
            Passwords::parse(&text)
        };
        parsed.map_err(|error| match error {
            PasswordError::Weak { .. } => CliError::WeakPassword(error),
            error => CliError::Passwords(error),
        })
    }
}

/// The file's text without its last line break.
fn read_password_file(path: &Path) -> Result<Zeroizing<String>, CliError> {
    let error = |source| CliError::PasswordFile {
        path: path.to_owned(),
        source,
    };
    let bytes = Zeroizing::new(std::fs::read(path).map_err(error)?);
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not valid UTF-8",
        ))
    })?;
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text);
    Ok(Zeroizing::new(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_file_loses_exactly_one_line_break_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        for (contents, expected) in [
            (" pw \n", " pw "),
            (" pw \r\n", " pw "),
            ("pw\n\n", "pw\n"),
            ("pw\r\n\r\n", "pw\r\n"),
            ("pw\r", "pw\r"),
            ("pw", "pw"),
            ("\tpw", "\tpw"),
        ] {
            let path = dir.path().join("password");
            std::fs::write(&path, contents).unwrap();
            // The type is part of the contract: the copy is wiped when dropped.
            let text: Zeroizing<String> = read_password_file(&path).unwrap();
            assert_eq!(text.as_str(), expected, "{contents:?}");
        }
    }
}
