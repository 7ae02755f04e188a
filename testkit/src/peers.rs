//! What a test does when a real component it needs (a peer: `redis-server`, Chromium, Django,
//! Rails, Node packages…) is not on this machine: [`missing_peer`].
//!
//! A test that did not run must never look like a pass. So a missing peer **fails** the test,
//! naming what to install — unless the run opted out explicitly with
//! `TYPED_COOKIES_SKIP_PEERS=1` (and never under `CI=true`, where `.ci/run` installs every
//! peer). Opted out, the test prints `SKIPPED …` and, when `TYPED_COOKIES_SKIPPED_LOG` names a
//! file, appends a line to it: `scripts/test` (the README's test command) sets both and lists
//! every skipped test, with what to install, at the end of its run.

use std::io::Write as _;

/// Whether a test whose peer is missing may skip: `None` means it may (after this printed and
/// logged why); a missing peer otherwise panics here, with `why` (what is missing and how to
/// install it).
///
/// # Panics
///
/// Under `CI=true`, and unless `TYPED_COOKIES_SKIP_PEERS=1`.
pub fn missing_peer(test: &str, why: &str) {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{test}: {why} (a missing peer fails the test under CI=true)");
    }
    if std::env::var("TYPED_COOKIES_SKIP_PEERS").as_deref() != Ok("1") {
        panic!(
            "{test}: {why}. Install it (bash .ci/run installs every peer), or skip the tests \
             that need it explicitly: TYPED_COOKIES_SKIP_PEERS=1 (scripts/test lists them at \
             the end)"
        );
    }
    // Straight to stderr: libtest captures `eprintln!` of passing tests, and a skip must be
    // seen.
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
    if let Ok(path) = std::env::var("TYPED_COOKIES_SKIPPED_LOG") {
        if let Ok(mut log) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let line = format!("{test}: {why}").replace('\n', " ");
            let _ = writeln!(log, "{line}");
        }
    }
}
