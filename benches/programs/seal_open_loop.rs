//! Seals and opens one benchmark contender N times in a plain loop, for profilers that count
//! rather than time (`valgrind --tool=callgrind`, `perf stat`). Instructions per round trip =
//! the difference between runs of 2000 and 1000 iterations, divided by 1000:
//!
//! ```sh
//! cargo build --release --example seal_open_loop
//! valgrind --tool=callgrind target/release/examples/seal_open_loop encrypted-postcard 1000
//! ```
//!
//! Contenders: `encrypted-json`, `encrypted-postcard`, `signed-json`, `signed-postcard` (ours),
//! `floor-encrypted-json`, `floor-encrypted-postcard`, `floor-signed-json`,
//! `floor-signed-postcard`, `private-jar`, `signed-jar`, `jwt`; the ~1 KB session:
//! `big-encrypted-json`, `big-signed-json`, `big-floor-signed-json`, `big-private-jar`,
//! `big-signed-jar`.

use std::borrow::Cow;
use std::hint::black_box;

use typed_cookies_testkit::contenders as support;

use support::floor::{Encoding, Floor};
use support::ours::Ours;
use support::payload::*;
use support::peers::{CookieJarPeer, Jar, JwtPeer};
use support::Contender;

fn run<C: Contender>(contender: &C, rounds: usize) {
    for _ in 0..rounds {
        black_box(contender.open(Cow::Owned(black_box(contender.seal()))));
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(which), Some(rounds)) = (args.next(), args.next()) else {
        eprintln!("usage: seal_open_loop CONTENDER ROUNDS (see the source for the names)");
        std::process::exit(2);
    };
    let rounds: usize = rounds.parse().expect("ROUNDS is a number");
    let s = session();
    match which.as_str() {
        "encrypted-json" => run(&Ours::new(EncryptedJson::from(&s)), rounds),
        "encrypted-postcard" => run(&Ours::new(EncryptedPostcard::from(&s)), rounds),
        "signed-json" => run(&Ours::new(SignedJson::from(&s)), rounds),
        "signed-postcard" => run(&Ours::new(SignedPostcard::from(&s)), rounds),
        "floor-encrypted-json" => run(&Floor::encrypted(Encoding::Json, s), rounds),
        "floor-encrypted-postcard" => run(&Floor::encrypted(Encoding::Postcard, s), rounds),
        "floor-signed-json" => run(&Floor::signed(Encoding::Json, s), rounds),
        "floor-signed-postcard" => run(&Floor::signed(Encoding::Postcard, s), rounds),
        "private-jar" => run(&CookieJarPeer::new(Jar::Private, s), rounds),
        "signed-jar" => run(&CookieJarPeer::new(Jar::Signed, s), rounds),
        "jwt" => run(&JwtPeer::new(session_claims()), rounds),
        "big-encrypted-json" => run(&Ours::new(BigEncryptedJson::from(&big())), rounds),
        "big-signed-json" => run(&Ours::new(BigSignedJson::from(&big())), rounds),
        "big-floor-signed-json" => run(&Floor::signed(Encoding::Json, big()), rounds),
        "big-private-jar" => run(&CookieJarPeer::new(Jar::Private, big()), rounds),
        "big-signed-jar" => run(&CookieJarPeer::new(Jar::Signed, big()), rounds),
        other => {
            eprintln!("unknown contender {other:?} (see the source for the names)");
            std::process::exit(2);
        }
    }
}
