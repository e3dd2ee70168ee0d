//! Where the command's passwords come from: an environment variable or a file.

use std::path::PathBuf;

use clap::Args;
use ironsession::Passwords;

use crate::error::CliError;

/// The password options shared by `seal` and `unseal`.
#[derive(Args)]
pub struct PasswordSource {
    /// Read the password(s) from this environment variable: a password, or a JSON object of id to
    /// password like {"1":"...","2":"..."} (the highest id seals)
    #[arg(long, value_name = "NAME", default_value = "IRON_SESSION_PASSWORD")]
    password_env: String,
    /// Read the password(s) from this file instead, in the same forms
    #[arg(long, value_name = "PATH", conflicts_with = "password_env")]
    password_file: Option<PathBuf>,
}

impl PasswordSource {
    /// Reads and validates the passwords.
    pub fn load(&self) -> Result<Passwords, CliError> {
        let text = match &self.password_file {
            Some(path) => std::fs::read_to_string(path).map_err(|e| CliError::PasswordFile {
                path: path.clone(),
                kind: e.kind(),
            })?,
            None => match std::env::var(&self.password_env) {
                Ok(text) => text,
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
        Ok(Passwords::parse(&text)?)
    }
}
