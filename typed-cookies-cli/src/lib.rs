//! The parts of the `typed-cookies` command that its tests and the `check_set_cookie` fuzz
//! target (`fuzz/`) call directly: the `Set-Cookie` checker behind `check-set-cookie`
//! ([`set_cookie`]) and the escaping of everything the command prints ([`escape`]); and,
//! hidden, what the fuzzer and the tests assert of the checker (`fuzzing`).
//!
//! The command itself is the `typed-cookies` binary; this library is no stable API (it follows
//! the command, not semver), and applications use the `typed-cookies` crate.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod escape;
#[doc(hidden)]
pub mod fuzzing;
pub mod set_cookie;
