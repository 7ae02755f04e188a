//! What the benchmark, the value-length example and the peer test share: the payloads, our
//! cookie types, the peers (`cookie`'s jars, `jsonwebtoken`) and the hand-composed floor, each
//! behind one [`Contender`] interface.
//!
//! Used by `benches/seal_open.rs`, `benches/programs/seal_open_loop.rs`,
//! `benches/programs/value_lengths.rs` and `tests/peers.rs`, so each sees exactly the same code.

pub mod floor;
pub mod ours;
pub mod payload;
pub mod peers;

use std::borrow::Cow;

/// One library (or the floor) sealing its sample value and opening it again.
pub trait Contender {
    /// What opening gives back.
    type Value;

    /// Seals the contender's sample value, now.
    fn seal(&self) -> String;

    /// Verifies (or decrypts) and decodes `value`, now; panics if it is not authentic. Takes a
    /// `Cow` because `cookie`'s jars need an owned or `'static` value: a round trip hands over
    /// the fresh `String`, an open-only benchmark a leaked `&'static str`, so neither copies.
    fn open(&self, value: Cow<'static, str>) -> Self::Value;

    /// The sample value, to compare what [`Contender::open`] returns with.
    fn sample(&self) -> &Self::Value;
}
