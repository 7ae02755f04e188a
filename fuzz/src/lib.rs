//! What the fuzz targets share — a fixed (public, test-only) key ring, a fixed clock, the
//! payload and the cookie types — lives in the workspace's unpublished `testkit` crate
//! (`typed_cookies_testkit::fuzz`), so that `tests/fuzz_corpus.rs` and
//! `tests/cookie_names.rs` in the root package use exactly these without compiling this
//! crate (which needs `cargo fuzz`) in.

pub use typed_cookies_testkit::fuzz::*;
