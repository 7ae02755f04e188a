//! What the fuzz targets share — a fixed (public, test-only) key ring, a fixed clock, the
//! payload and the cookie types — lives in the workspace's unpublished `testkit` crate
//! (`typed_cookies_testkit::fuzz`), so that `tests/fuzz_corpus.rs` and
//! `tests/cookie/lookup.rs` in the root package use exactly these without compiling this
//! crate (which needs `cargo fuzz`) in. The `Set-Cookie` checker's oracle lives beside the
//! checker, in `typed_cookies_cli::fuzzing`, for the same reason.

pub use typed_cookies_testkit::fuzz::*;

/// A `Set-Cookie` line through the checker at the fuzzers' fixed clock, with every assertion
/// of [`typed_cookies_cli::fuzzing::check_set_cookie`].
pub fn check_set_cookie(line: &str) {
    typed_cookies_cli::fuzzing::check_set_cookie(line, now());
}
