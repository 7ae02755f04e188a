//! Reading keys and secrets: from an environment variable, a file or stdin, never from argv,
//! wiped from memory when dropped, and never put into a message.

use std::io::Read;
use std::path::Path;

use typed_cookies::KeyRing;
use zeroize::Zeroizing;

use crate::cli::KeySource;
use crate::Failure;

/// Secret text, wiped on drop.
pub type Secret = Zeroizing<String>;

/// Reads the source's text; `stdin_ok`: fall back to stdin when neither flag is given.
/// `None` when no source was given and stdin is not allowed.
pub fn read(source: &KeySource, stdin_ok: bool) -> Result<Option<Secret>, Failure> {
    if let Some(var) = &source.keys_env {
        return match std::env::var(var) {
            Ok(text) => Ok(Some(Zeroizing::new(text))),
            Err(_) => Err(Failure::usage(format!(
                "environment variable `{var}` is not set (or not UTF-8)"
            ))),
        };
    }
    if let Some(path) = &source.keys_file {
        warn_if_shared(path);
        let mut text = Zeroizing::new(String::new());
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_string(&mut text))
            .map_err(|e| {
                Failure::usage(format!(
                    "cannot read keys file {}: {}",
                    path.display(),
                    e.kind()
                ))
            })?;
        return Ok(Some(text));
    }
    if stdin_ok {
        let mut text = Zeroizing::new(String::new());
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::usage(format!("cannot read keys from stdin: {}", e.kind())))?;
        return Ok(Some(text));
    }
    Ok(None)
}

/// Like [`read`], but the keys are required.
pub fn require(source: &KeySource, stdin_ok: bool, what: &str) -> Result<Secret, Failure> {
    read(source, stdin_ok)?.ok_or_else(|| {
        Failure::usage(format!(
            "{what} needs keys: give --keys-env VAR or --keys-file PATH"
        ))
    })
}

/// A typed-cookies ring from the text (comma-separated base64 keys, primary first). The
/// library's errors name the entry's position, never its content.
pub fn ring(text: &str) -> Result<KeyRing, Failure> {
    KeyRing::from_base64_list(text).map_err(|e| Failure::usage(format!("bad key ring: {e}")))
}

/// One secret per non-empty line (trailing `\r` and surrounding whitespace removed).
pub fn lines(text: &str) -> Vec<Zeroizing<String>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Zeroizing::new(l.to_owned()))
        .collect()
}

/// Warns on stderr when a key file can be read by others than its owner (Unix).
#[cfg(unix)]
fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            crate::output::note(&format!(
                "warning: keys file {} is readable by group or others (mode {mode:03o}); run `chmod 600` on it",
                path.display()
            ));
        }
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path) {}
