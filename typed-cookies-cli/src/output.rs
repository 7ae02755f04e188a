//! Everything the command writes goes through here, escaped ([`typed_cookies_cli::escape`]):
//! plain text in Rust's `\u{..}` form, JSON with JSON's `\uXXXX`. A value's payload, claims or
//! names come from whoever wrote it and must not reach the terminal as control or bidi
//! characters. Writing never panics: a closed stdout (`| head`) is an error (exit 2), a
//! closed stderr is ignored.

use std::io::Write;
use std::process::ExitCode;

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

/// What clap has to say instead of a parsed command line — an argument error (stderr, exit
/// 2), or `--help` / `--version` (stdout, exit 0), clap's exit codes — as plain text (`Cli`
/// has no styles: no colors) with each line escaped: clap quotes a rejected argument as
/// given, and that argument may be a value from a request (`typed-cookies inspect "$cookie"`,
/// where a value starting with `-` reads as a flag) holding ESC sequences, `\r`, C1 controls
/// or bidi overrides. Help that cannot be written is exit 2, as any output.
pub fn clap_error(error: &clap::Error) -> ExitCode {
    // The text as rendered, the argument's own ESC sequences included (`Display` would strip
    // those silently): escaped, they show what the argument held.
    let escaped = escape_lines(&error.render().ansi().to_string());
    let code = u8::try_from(error.exit_code()).unwrap_or(2);
    if error.use_stderr() {
        let _ = std::io::stderr().lock().write_all(escaped.as_bytes());
        return ExitCode::from(code);
    }
    match rendered(&escaped) {
        Ok(()) => ExitCode::from(code),
        Err(failure) => {
            note(&failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// `text` with each line (between `\n`s) escaped, the newlines kept.
fn escape_lines(text: &str) -> String {
    text.split('\n')
        .map(escape::text)
        .collect::<Vec<_>>()
        .join("\n")
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
