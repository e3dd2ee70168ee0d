//! `ironsession`: seal, unseal and inspect iron-session cookies from the command line, and
//! generate passwords. Passwords come from an environment variable or a file, never from an
//! argument (arguments show up in `ps` and shell history).
#![forbid(unsafe_code)]

mod gen_password;
mod password_source;
mod ttl_arg;

use std::io::{self, Read, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use ironsession::{Passwords, Ttl, TtlLimit, iron_seal};
// Shared with the library target, which the fuzz targets use.
use ironsession_cli::{error, inspect, paste};

use crate::error::CliError;
use crate::password_source::PasswordSource;

#[derive(Parser)]
#[command(
    name = "ironsession",
    version,
    about = "Seal, unseal and inspect iron-session (Fe26.2) cookies",
    after_help = "Examples:\n  echo '{\"userId\":42}' | IRON_SESSION_PASSWORD=... ironsession seal --ttl 1h\n  echo \"$COOKIE\" | ironsession unseal --password-file /run/secrets/session\n  echo 'Cookie: theme=dark; session=Fe26.2*...' | ironsession inspect --name session\n  ironsession gen-password\n\nunseal and inspect read what a browser's developer tools show: the seal alone, name=seal, or a whole Cookie header (a chunked session as its chunks name.0=...; name.1=...), on one line or several.\n\nExit status: 0 success, 1 the operation failed (the reason is on stderr), 2 usage or configuration error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read one JSON value on stdin and print its seal (with the `~2` suffix)
    #[command(
        after_help = "Example:\n  echo '{\"userId\":42,\"isLoggedIn\":true}' | IRON_SESSION_PASSWORD=\"$(cat pw)\" ironsession seal --ttl 1h"
    )]
    Seal {
        /// How long the seal stays valid: a duration such as 90s, 1h, 14d or 2w (a bare number is
        /// seconds), or `never` for a seal that never expires (0 is refused)
        #[arg(long, value_name = "DURATION", default_value = "14d", value_parser = ttl_arg::parse_ttl)]
        ttl: Ttl,
        #[command(flatten)]
        options: SealOptions,
    },
    /// Read a seal on stdin and print its JSON payload
    #[command(
        after_help = "Examples:\n  echo 'Fe26.2*1*...~2' | ironsession unseal --password-file secrets.json\n  echo 'Cookie: theme=dark; app.0=Fe26.2*...; app.1=...' | ironsession unseal --name app --times\n\nOn failure: exit 1 and one line on stderr starting with `expired`, `unknown password` or `invalid`."
    )]
    Unseal {
        /// Refuse a seal that never expires or expires later than now + DURATION (+ 60 s of clock
        /// skew), as a session with this longest ttl does (90s, 1h, 14d, or seconds)
        #[arg(long, value_name = "DURATION", value_parser = ttl_arg::parse_max_ttl)]
        max_ttl: Option<Ttl>,
        /// Also print, on stderr, when the seal expires and the session's id and times (from
        /// ironsession's `_is` metadata), as RFC 3339 UTC and relative to now
        #[arg(long)]
        times: bool,
        #[command(flatten)]
        cookie: CookieName,
        #[command(flatten)]
        options: SealOptions,
    },
    /// Read a seal on stdin and describe its parts, without any password (with --session, also
    /// its session id and times, with the password)
    #[command(
        after_help = "Example:\n  echo 'Fe26.2*1*...~2' | ironsession inspect\n  echo \"Cookie: $COOKIE_HEADER\" | ironsession inspect --name app --session --password-file secrets.json"
    )]
    Inspect {
        /// Also unseal it with the password and show the session's id, when it was created, last
        /// renewed and when it expires (from ironsession's `_is` metadata)
        #[arg(long)]
        session: bool,
        #[command(flatten)]
        cookie: CookieName,
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

/// Which cookie of a pasted `Cookie` header holds the seal.
#[derive(Args)]
struct CookieName {
    /// The session's cookie name, when the input is a Cookie header (its chunks NAME.0, NAME.1,
    /// … are joined); without it, the one cookie that holds a seal
    #[arg(long = "name", value_name = "COOKIE")]
    cookie_name: Option<String>,
}

impl CookieName {
    /// The seal in standard input, and where it came from.
    fn read_seal(&self) -> Result<(String, paste::Source), CliError> {
        paste::seal_from_paste(&read_stdin()?, self.cookie_name.as_deref())
    }
}

#[derive(Args)]
struct Clock {
    /// Use this clock reading (milliseconds since the Unix epoch) instead of the system clock:
    /// for tests, and to ask what a server would say at another time
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
        Ok(printed) => {
            eprint!("{}", printed.stderr);
            let mut stdout = io::stdout().lock();
            match stdout
                .write_all(printed.stdout.as_bytes())
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

/// What a command that succeeded prints.
#[derive(Default)]
struct Printed {
    stdout: String,
    /// Notes for the person at the terminal, kept off stdout so that it holds only the result.
    stderr: String,
}

impl Printed {
    fn stdout(stdout: String) -> Printed {
        Printed {
            stdout,
            ..Printed::default()
        }
    }
}

/// Runs one command and returns everything it prints, so a failure prints nothing on stdout.
fn run(command: Command) -> Result<Printed, CliError> {
    match command {
        Command::Seal { ttl, options } => {
            let passwords = options.passwords()?;
            let input = read_stdin()?;
            let value: serde_json::Value =
                serde_json::from_str(&input).map_err(|e| CliError::InvalidJson {
                    line: e.line(),
                    column: e.column(),
                })?;
            let sealed = ironsession::seal_data_at(
                &value,
                &passwords,
                ttl,
                options.clock.now_ms(),
                iron_seal::OsRandom,
            )?;
            Ok(Printed::stdout(format!("{sealed}\n")))
        }
        Command::Unseal {
            max_ttl,
            times,
            cookie,
            options,
        } => {
            let passwords = options.passwords()?;
            let (seal, _) = cookie.read_seal()?;
            let now_ms = options.clock.now_ms();
            if let Some(max_ttl) = max_ttl {
                TtlLimit::new(max_ttl)
                    .check_at(&seal, now_ms)
                    .map_err(CliError::Unseal)?;
            }
            let value = open(&seal, &passwords, now_ms)?;
            Ok(Printed {
                stdout: format!("{value}\n"),
                stderr: if times {
                    inspect::describe_session(&value, &seal, now_ms)
                } else {
                    String::new()
                },
            })
        }
        Command::Inspect {
            session,
            cookie,
            clock,
            password,
        } => {
            let (seal, source) = cookie.read_seal()?;
            let now_ms = clock.now_ms();
            let mut out = inspect::describe(&seal, now_ms)?;
            if source != paste::Source::Value {
                out.push_str(&format!("cookie: {source}\n"));
            }
            if session {
                let value = open(&seal, &password.load()?, now_ms)?;
                out.push_str(&inspect::describe_session(&value, &seal, now_ms));
            }
            Ok(Printed::stdout(out))
        }
        Command::GenPassword { length } => Ok(Printed::stdout(format!(
            "{}\n",
            gen_password::generate(usize::from(length))?
        ))),
    }
}

/// The JSON in `seal`, or why it does not open, in words an operator can act on.
fn open(seal: &str, passwords: &Passwords, now_ms: u64) -> Result<serde_json::Value, CliError> {
    ironsession::unseal_data_at(seal, passwords, now_ms)
        .map_err(|error| CliError::from_unseal(error, passwords.ids().collect(), now_ms))
}

fn read_stdin() -> Result<String, CliError> {
    let mut bytes = Vec::new();
    io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::Stdin(e.kind()))?;
    String::from_utf8(bytes).map_err(|_| CliError::NotUtf8)
}
