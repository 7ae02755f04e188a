//! Tampering: is every changed, forged or misdirected value refused? This binary is the one
//! place that answers it.
//!
//! - [`mutations`]: any change to a sealed value — properties over random mutations of the
//!   text and of the decoded bytes, header splicing, and exhaustive single-bit flips, byte
//!   inversions, character substitutions, truncations and extensions, a key-id swap — over
//!   every kind (signed/encrypted × JSON/postcard typed cookies, the low-level signer and
//!   sealer) is refused at or before authentication.
//! - [`cross`]: a value made for one purpose never opens for another — other salt (Invalid),
//!   other mode or codec (WrongFormat), other key (UnknownKey), between typed cookies and the
//!   low-level API; positive controls open.
//! - [`flood`]: more than a million random and structured-random inputs through every open
//!   path, the `Cookie:` header included; none accepted, none panics, exact errors where the
//!   input decides them.
//!
//! Elsewhere, by concept: the refusal of each forged literal with its exact error is a
//! known-answer vector in `wire.rs`; a planted look-alike cookie name is `cookie/lookup.rs`;
//! tampered cookies through the framework extractors are `adapter_scenarios`; the fuzz
//! targets (`fuzz/`) are the open-ended complement of the flood.

mod cross;
mod flood;
mod mutations;
