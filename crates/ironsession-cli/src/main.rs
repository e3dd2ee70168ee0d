//! `ironsession`: seal, unseal and inspect iron-session cookies from the command line, and
//! generate passwords. Passwords come from an environment variable or a file, never from an
//! argument (arguments show up in `ps` and shell history).
#![forbid(unsafe_code)]

mod gen_password;
mod password_source;

use std::io::{self, Read, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use ironsession::{Ttl, TtlLimit, iron_seal};
// Shared with the library target, which the fuzz targets use.
use ironsession_cli::{error, inspect};

use crate::error::CliError;
use crate::password_source::PasswordSource;

#[derive(Parser)]
#[command(
    name = "ironsession",
    version,
    about = "Seal, unseal and inspect iron-session (Fe26.2) cookies",
    after_help = "Examples:\n  echo '{\"userId\":42}' | IRON_SESSION_PASSWORD=... ironsession seal\n  echo \"$COOKIE\" | ironsession unseal --password-file /run/secrets/session\n  echo \"$COOKIE\" | ironsession inspect\n  ironsession gen-password\n\nExit status: 0 success, 1 the operation failed (the reason is on stderr), 2 usage or configuration error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read one JSON value on stdin and print its seal (with the `~2` suffix)
    #[command(
        after_help = "Example:\n  echo '{\"userId\":42,\"isLoggedIn\":true}' | IRON_SESSION_PASSWORD=\"$(cat pw)\" ironsession seal --ttl 3600"
    )]
    Seal {
        /// Lifetime in seconds; 0 means the seal never expires
        #[arg(long, value_name = "SECONDS", default_value_t = 14 * 24 * 3600)]
        ttl: u64,
        #[command(flatten)]
        options: SealOptions,
    },
    /// Read a seal on stdin and print its JSON payload
    #[command(
        after_help = "Example:\n  echo 'Fe26.2*1*...~2' | ironsession unseal --password-file secrets.json\n\nOn failure: exit 1 and one line on stderr starting with `expired`, `unknown password` or `invalid`."
    )]
    Unseal {
        /// Refuse a seal that never expires or expires later than now + SECONDS (+ 60 s of clock
        /// skew), as a session with this longest ttl does
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
        max_ttl: Option<u64>,
        #[command(flatten)]
        options: SealOptions,
    },
    /// Read a seal on stdin and describe its parts, without any password (with --session, also
    /// its session id and times, with the password)
    #[command(
        after_help = "Example:\n  echo 'Fe26.2*1*...~2' | ironsession inspect\n  echo \"$COOKIE\" | ironsession inspect --session --password-file secrets.json"
    )]
    Inspect {
        /// Also unseal it with the password and show the session's id, when it was created, last
        /// renewed and when it expires (from ironsession's `_is` metadata)
        #[arg(long)]
        session: bool,
        #[command(flatten)]
        clock: Clock,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Print a random password from the OS random source, in a cookie-safe alphabet
    #[command(after_help = "Example:\n  ironsession gen-password --length 64")]
    GenPassword {
        /// Number of characters (at least 32)
        #[arg(long, default_value_t = 48, value_parser = clap::value_parser!(u16).range(32..))]
        length: u16,
    },
}

/// The options of `seal` and `unseal`, one struct so that whatever seals can be unsealed: the
/// purpose, the clock and the password.
#[derive(Args)]
struct SealOptions {
    #[command(flatten)]
    purpose: Purpose,
    #[command(flatten)]
    clock: Clock,
    #[command(flatten)]
    password: PasswordSource,
}

impl SealOptions {
    /// The passwords from the password source, bound to the purpose if one is given.
    fn passwords(&self) -> Result<ironsession::Passwords, CliError> {
        Ok(self.purpose.bind(self.password.load()?))
    }
}

#[derive(Args)]
struct Purpose {
    /// Seal or open a token bound to this purpose (a magic link, a confirmation): it opens only
    /// with the same purpose, never as a session cookie (see `Passwords::for_purpose`)
    #[arg(long = "purpose", value_name = "NAME")]
    name: Option<String>,
}

impl Purpose {
    /// The passwords for this purpose, or `passwords` when there is none.
    fn bind(&self, passwords: ironsession::Passwords) -> ironsession::Passwords {
        match &self.name {
            Some(name) => passwords.for_purpose(name),
            None => passwords,
        }
    }
}

#[derive(Args)]
struct Clock {
    /// Use this clock reading (milliseconds since the Unix epoch) instead of the system clock
    #[arg(long, value_name = "EPOCH_MS")]
    now_ms: Option<u64>,
}

impl Clock {
    fn now_ms(&self) -> u64 {
        self.now_ms.unwrap_or_else(iron_seal::system_now_ms)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(output) => {
            let mut stdout = io::stdout().lock();
            match stdout
                .write_all(output.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(1),
            }
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(error.exit_code())
        }
    }
}

/// Runs one command and returns everything it prints on stdout, so a failure prints nothing there.
fn run(command: Command) -> Result<String, CliError> {
    match command {
        Command::Seal { ttl, options } => {
            let passwords = options.passwords()?;
            let input = read_stdin()?;
            let value: serde_json::Value =
                serde_json::from_str(&input).map_err(|e| CliError::InvalidJson {
                    line: e.line(),
                    column: e.column(),
                })?;
            let ttl = if ttl == 0 {
                Ttl::Never
            } else {
                Ttl::seconds(ttl)
            };
            let sealed = ironsession::seal_data_at(
                &value,
                &passwords,
                ttl,
                options.clock.now_ms(),
                iron_seal::OsRandom,
            )?;
            Ok(format!("{sealed}\n"))
        }
        Command::Unseal { max_ttl, options } => {
            let passwords = options.passwords()?;
            let input = read_stdin()?;
            let seal = input.trim();
            if let Some(max_ttl) = max_ttl {
                TtlLimit::new(Ttl::seconds(max_ttl)).check_at(seal, options.clock.now_ms())?;
            }
            let value: serde_json::Value =
                ironsession::unseal_data_at(seal, &passwords, options.clock.now_ms())?;
            Ok(format!("{value}\n"))
        }
        Command::Inspect {
            session,
            clock,
            password,
        } => {
            let input = read_stdin()?;
            let now_ms = clock.now_ms();
            let mut out = inspect::describe(input.trim(), now_ms)?;
            if session {
                let value: serde_json::Value =
                    ironsession::unseal_data_at(input.trim(), &password.load()?, now_ms)?;
                out.push_str(&inspect::describe_session(&value, input.trim(), now_ms));
            }
            Ok(out)
        }
        Command::GenPassword { length } => Ok(format!(
            "{}\n",
            gen_password::generate(usize::from(length))?
        )),
    }
}

fn read_stdin() -> Result<String, CliError> {
    let mut bytes = Vec::new();
    io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::Stdin(e.kind()))?;
    String::from_utf8(bytes).map_err(|_| CliError::NotUtf8)
}
