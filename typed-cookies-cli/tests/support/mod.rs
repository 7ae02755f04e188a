//! What the CLI's test binaries share: the binary itself (without a `TC_KEYS` from the
//! environment), a run with secrets in `TC_KEYS`, its JSON output, and private secret files.
//! Each binary uses some of these.
#![allow(dead_code)]

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

/// The `typed-cookies` binary, with no `TC_KEYS` inherited.
pub fn bin() -> Command {
    let mut cmd = Command::cargo_bin("typed-cookies").unwrap();
    cmd.env_remove("TC_KEYS");
    cmd
}

/// Runs with `TC_KEYS` = `secrets`: exit code, stdout, stderr.
pub fn run(args: &[&str], secrets: &str) -> (Option<i32>, String, String) {
    let out = bin()
        .args(args)
        .args(["--keys-env", "TC_KEYS"])
        .env("TC_KEYS", secrets)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `stdout` as JSON.
pub fn json_of(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap()
}

/// A private file with `contents` (mode 600 on Unix), in a folder of this test process.
pub fn secret_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("typed-cookies-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}
