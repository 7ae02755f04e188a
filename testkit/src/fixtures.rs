//! Fixed keys, rings and instants.

use typed_cookies::time::OffsetDateTime;
use typed_cookies::{Key, KeyRing, ManualClock};

/// The fixed instant, in unix seconds: 2026-01-01T00:00:00Z.
pub const T0: i64 = 1_767_225_600;

/// The fixed instant of the tests: 2026-01-01T00:00:00Z. Values are sealed and opened at it
/// unless a test moves the clock.
pub fn t0() -> OffsetDateTime {
    at(T0)
}

/// The instant `secs` seconds after the unix epoch.
pub fn at(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).expect("a representable instant")
}

/// The primary key of the fixtures: the bytes `0x00..=0x1f` (the key of the known-answer
/// vectors; its id is [`PRIMARY_KEY_ID`]).
pub fn primary_key() -> Key {
    Key::from_bytes(&(0u8..32).collect::<Vec<_>>()).expect("a valid key")
}

/// The id of [`primary_key`]: `HKDF-SHA256(key, "typed-cookies/v1/key-id")[..4]`, as it
/// appears in the header of every value it seals.
pub const PRIMARY_KEY_ID: [u8; 4] = [0x65, 0xe6, 0xb8, 0xb0];

/// The fallback key of [`keys`]: the bytes `0xa0..=0xbf`.
pub fn fallback_key() -> Key {
    Key::from_bytes(&(160u8..192).collect::<Vec<_>>()).expect("a valid key")
}

/// A key in neither ring: the bytes `0x64..=0x83` (a retired key, another server's key).
pub fn other_key() -> Key {
    Key::from_bytes(&(100u8..132).collect::<Vec<_>>()).expect("a valid key")
}

/// A ring of [`primary_key`] alone.
pub fn ring() -> KeyRing {
    KeyRing::new(primary_key())
}

/// A ring of [`primary_key`] with [`fallback_key`] as fallback, so a changed key id can land
/// on a key the ring knows and rotation is always in play.
pub fn keys() -> KeyRing {
    KeyRing::with_fallbacks(primary_key(), [fallback_key()]).expect("distinct keys")
}

/// `ring` on a [`ManualClock`] standing at [`t0`], and the clock: seal, move the clock,
/// open — through the derive, the low-level sealers and the adapters alike, no sleeping.
pub fn clocked(ring: &KeyRing) -> (KeyRing, ManualClock) {
    let clock = ManualClock::new(t0());
    (ring.with_clock(clock.clone()), clock)
}
