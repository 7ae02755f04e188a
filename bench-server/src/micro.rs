//! In-process timing of what the typed-cookies handler does per request, for the ratio the
//! whole-server benchmark reports: `micro` is seal + open of [`Session`] (the micro-benchmark's
//! operation), `micro-adapter` the handler's own typed-cookies work instead — open with
//! metadata from a request's `Cookie:` header, reseal into a `Set-Cookie` header value.

use std::time::Instant;

use typed_cookies::integrations::axum::SetCookie;
use typed_cookies::integrations::http::CookieHeaders as _;
use typed_cookies::{Key, KeyRing, SealedCookie};

use crate::session::{next_user, seal_open, Session};

/// Runs the chosen operation `rounds` times (after a tenth as warm-up) and prints the
/// nanoseconds per round trip.
pub fn run(rounds: u32, adapter: bool) {
    let keys = KeyRing::new(Key::generate());
    let session = Session::new(next_user());
    let mut request = axum::http::HeaderMap::new();
    let sealed = session.seal(&keys).expect("seals");
    let cookie = format!("theme=dark; sid={sealed}; lang=en");
    request.insert(
        axum::http::header::COOKIE,
        cookie.parse().expect("a header value"),
    );
    let once = || -> u64 {
        if adapter {
            let mut opened = request
                .open_sealed_cookie_with_metadata::<Session>(&keys)
                .expect("opens")
                .expect("present");
            opened.value_mut().visits += 1;
            let header = SetCookie::resealed(&opened, &keys).expect("seals");
            std::hint::black_box(header.header_value().len() as u64)
        } else {
            seal_open(&session, &keys).expect("seals and opens")
        }
    };
    let mut sink = 0u64;
    for _ in 0..rounds / 10 {
        sink += once();
    }
    let start = Instant::now();
    for _ in 0..rounds {
        sink += once();
    }
    let ns = start.elapsed().as_nanos() as f64 / f64::from(rounds);
    std::hint::black_box(sink);
    println!("{ns:.0}");
}
