//! Everything the command writes goes through here, escaped ([`typed_cookies_cli::escape`]):
//! plain text in Rust's `\u{..}` form, JSON with JSON's `\uXXXX`. A value's payload, claims or
//! names come from whoever wrote it and must not reach the terminal as control or bidi
//! characters. Writing never panics: a closed stdout (`| head`) is an error (exit 2), a
//! closed stderr is ignored.

use std::io::Write;

use serde_json::Value;
use typed_cookies_cli::escape;

use crate::Failure;

/// One line of plain text on stdout.
pub fn text(line: &str) -> Result<(), Failure> {
    write_stdout(&escape::text(line))
}

/// One line of JSON text on stdout (a value from elsewhere, already serialized).
pub fn json_text(line: &str) -> Result<(), Failure> {
    write_stdout(&escape::json(line))
}

/// A JSON value on one line of stdout.
pub fn json(value: &Value) -> Result<(), Failure> {
    json_text(&value.to_string())
}

/// Text already escaped by the one who rendered it, as is.
pub fn rendered(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(write_failure)
}

/// One line on stderr, prefixed `typed-cookies: `; lost if stderr is closed.
pub fn note(line: &str) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "typed-cookies: {}",
        escape::text(line)
    );
}

fn write_stdout(line: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(write_failure)
}

fn write_failure(error: std::io::Error) -> Failure {
    Failure::usage(format!("cannot write the output: {}", error.kind()))
}
