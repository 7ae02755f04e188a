//! A test whose peer is missing fails unless the run opted out (`TYPED_COOKIES_SKIP_PEERS=1`),
//! and then it is written to the skipped log; under `CI=true` it fails whatever the opt-out.
//! The test runs itself again as a child for each environment (environment variables are
//! process-wide, so the cases cannot share one process).

use std::process::Command;

const TEST: &str = "a_missing_peer_fails_unless_the_run_opted_out";
const CHILD: &str = "TYPED_COOKIES_MISSING_PEER_CHILD";

/// Runs the child with `env`; whether it passed, its stderr, and the skipped log's content.
fn child(env: &[(&str, &str)]) -> (bool, String, String) {
    let log = std::env::temp_dir().join(format!(
        "typed-cookies-skipped-{}-{}",
        std::process::id(),
        env.iter()
            .map(|(k, v)| format!("{k}{v}"))
            .collect::<String>()
            .len()
    ));
    let _ = std::fs::remove_file(&log);
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env_remove("CI")
        .env_remove("TYPED_COOKIES_SKIP_PEERS")
        .env("TYPED_COOKIES_SKIPPED_LOG", &log);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        logged,
    )
}

#[test]
fn a_missing_peer_fails_unless_the_run_opted_out() {
    if std::env::var_os(CHILD).is_some() {
        typed_cookies_testkit::missing_peer(
            "the_child",
            "zz-peer is not installed; apt-get install zz",
        );
        return;
    }
    let (passed, stderr, logged) = child(&[]);
    assert!(!passed, "no opt-out: fails");
    assert!(
        stderr.contains("zz-peer is not installed")
            && stderr.contains("TYPED_COOKIES_SKIP_PEERS=1"),
        "{stderr}"
    );
    assert_eq!(logged, "");

    let (passed, stderr, logged) = child(&[("TYPED_COOKIES_SKIP_PEERS", "1")]);
    assert!(passed, "opted out: skipped");
    assert!(
        stderr.contains("SKIPPED the_child: zz-peer is not installed"),
        "{stderr}"
    );
    assert_eq!(
        logged,
        "the_child: zz-peer is not installed; apt-get install zz\n"
    );

    let (passed, stderr, logged) = child(&[("TYPED_COOKIES_SKIP_PEERS", "1"), ("CI", "true")]);
    assert!(!passed, "CI=true: fails whatever the opt-out");
    assert!(stderr.contains("fails the test under CI=true"), "{stderr}");
    assert_eq!(logged, "");

    let (passed, _, _) = child(&[("TYPED_COOKIES_SKIP_PEERS", "0")]);
    assert!(!passed, "an explicit 0 is no opt-out");
}
