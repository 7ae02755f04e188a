//! `typed-cookies`: generate and rotate keys, look inside sealed values, seal and open
//! typed-cookies, Django, Flask, iron-session, Rails, Express and Laravel values, and check
//! `Set-Cookie` headers.
//!
//! Exit codes: 0 valid, 1 invalid / expired / rejected, 2 usage or I/O (bad flags, missing
//! keys, output that cannot be written). Keys and secrets are read from an environment
//! variable or a file (or stdin), never from the command line, and never printed back (except
//! by `keygen` and `rotate`, whose output is the key material). No input makes it panic, and
//! what it prints from a value has its control and bidi characters escaped (`output`).
//!
//! The `Set-Cookie` checker and the escaping live in this package's library
//! (`typed_cookies_cli`), where the tests and the fuzzer reach them.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod claims;
mod cli;
mod commands;
mod duration;
mod interop;
mod ours;
mod output;
mod render;
mod secrets;
mod verdict;

use std::process::ExitCode;

use clap::Parser as _;

/// A failure that ends the command: its message (never containing a secret) and exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    /// Bad flags, missing or unreadable keys, unwritable output: exit 2.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }

    /// Invalid, expired, rejected: exit 1.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self {
            code: 1,
            message: message.into(),
        }
    }

    /// Exit 1 with the message already printed.
    pub(crate) fn silent_invalid() -> Self {
        Self {
            code: 1,
            message: String::new(),
        }
    }
}

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return output::clap_error(&error),
    };
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.message.is_empty() {
                output::note(&failure.message);
            }
            ExitCode::from(failure.code)
        }
    }
}
