//! typed-cookies as a [`Contender`]: any [`Stateless`] `#[derive(SealedCookie)]` type, sealed
//! and opened through the public API exactly as an application would.

use std::borrow::Cow;

use typed_cookies::{Key, KeyRing, Stateless};

use super::Contender;

/// One of our cookie types with its sample value.
pub struct Ours<T> {
    keys: KeyRing,
    sample: T,
}

impl<T: Stateless> Ours<T> {
    /// `sample` sealed with a fixed key (one key in the ring, as most services have).
    pub fn new(sample: T) -> Self {
        let keys = KeyRing::new(Key::from_bytes(&KEY).expect("a valid key"));
        Self { keys, sample }
    }
}

/// The benchmark's master key (any high-entropy 32 bytes).
// Not all ASCII text: `Key::from_bytes` refuses text as key material.
const KEY: [u8; 32] = *b"N5f!q2Lr#8wzT0vKp6xY9mB3jH7cD1s\xa0";

impl<T: Stateless> Contender for Ours<T> {
    type Value = T;

    fn seal(&self) -> String {
        self.sample.seal(&self.keys).expect("seals")
    }

    fn open(&self, value: Cow<'static, str>) -> T {
        T::open(&self.keys, &value).expect("opens")
    }

    fn sample(&self) -> &T {
        &self.sample
    }
}
