//! Interop: each foreign format that has no folder of its own — Django, Flask and
//! itsdangerous, @hapi/iron and iron-session — against the real library, both ways, and
//! attacked; one module per format sharing the peer harness (`peer.rs`, also used by
//! `rails/`, `laravel/` and `express/`) and the fixed instant below.

use typed_cookies::time::OffsetDateTime;
use typed_cookies::Clock;

mod django;
mod flask;
mod iron;
mod peer;

/// The instant every peer and every sealer here is put at (2023-11-14T22:13:20Z).
const NOW: i64 = 1_700_000_000;

/// A clock fixed at `secs` seconds after the Unix epoch.
fn at(secs: i64) -> Clock {
    Clock::fixed(OffsetDateTime::from_unix_timestamp(secs).unwrap())
}
