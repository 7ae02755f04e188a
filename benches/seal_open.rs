//! Seal and open, signed and encrypted, JSON and postcard, against `cookie`'s `PrivateJar` and
//! `SignedJar`, `jsonwebtoken` HS256 and a hand-composed floor, all in one run.
//!
//! `cargo bench --bench seal_open` (about two minutes); `python3 benches/report.py` then turns
//! `target/criterion` into the BENCHMARKS.md table and `benches/seal_open.svg`. Under
//! `cargo test --benches` every benchmark runs once, untimed (CI does that).

#![allow(missing_docs)] // `criterion_group!` writes an undocumented `pub fn`

use std::borrow::Cow;
use std::fmt::Debug;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

use typed_cookies_testkit::contenders as support;

use support::floor::{Encoding, Floor};
use support::ours::Ours;
use support::payload::*;
use support::peers::{CookieJarPeer, Jar, JwtPeer};
use support::Contender;

/// Suffix of our encrypted contenders' ids: the AEAD backend of this build (`--features aws-lc`
/// swaps RustCrypto's AES-256-GCM-SIV for aws-lc-rs's in every `ours-encrypted-*` contender;
/// the peers, the floors and the signed contenders are the same in both builds).
const AEAD: &str = if cfg!(feature = "aws-lc") {
    "-aws-lc"
} else {
    ""
};

/// Benchmarks `contender` under `suite`: seal+open always, seal and open alone if `parts`.
fn bench<C>(c: &mut Criterion, suite: &str, id: &str, contender: &C, parts: bool)
where
    C: Contender,
    C::Value: PartialEq + Debug,
{
    // Not a test, a guard: every contender must really round-trip its sample.
    let sealed = contender.seal();
    assert_eq!(
        &contender.open(Cow::Owned(sealed.clone())),
        contender.sample(),
        "{id}"
    );

    c.benchmark_group(format!("{suite}/seal+open"))
        .bench_function(id, |b| {
            b.iter(|| black_box(contender.open(Cow::Owned(black_box(contender.seal())))))
        });
    if parts {
        c.benchmark_group(format!("{suite}/seal"))
            .bench_function(id, |b| b.iter(|| black_box(contender.seal())));
        let leaked: &'static str = Box::leak(sealed.into_boxed_str());
        c.benchmark_group(format!("{suite}/open"))
            .bench_function(id, |b| {
                b.iter(|| black_box(contender.open(Cow::Borrowed(black_box(leaked)))))
            });
    }
}

fn session(c: &mut Criterion) {
    let s = support::payload::session();
    let suite = "session";
    bench(
        c,
        suite,
        &format!("ours-encrypted-json{AEAD}"),
        &Ours::new(EncryptedJson::from(&s)),
        true,
    );
    bench(
        c,
        suite,
        &format!("ours-encrypted-postcard{AEAD}"),
        &Ours::new(EncryptedPostcard::from(&s)),
        true,
    );
    bench(
        c,
        suite,
        "floor-encrypted-json",
        &Floor::encrypted(Encoding::Json, s.clone()),
        true,
    );
    bench(
        c,
        suite,
        "floor-encrypted-postcard",
        &Floor::encrypted(Encoding::Postcard, s.clone()),
        true,
    );
    bench(
        c,
        suite,
        "cookie-private-jar",
        &CookieJarPeer::new(Jar::Private, s.clone()),
        true,
    );
    bench(
        c,
        suite,
        "ours-signed-json",
        &Ours::new(SignedJson::from(&s)),
        true,
    );
    bench(
        c,
        suite,
        "ours-signed-postcard",
        &Ours::new(SignedPostcard::from(&s)),
        true,
    );
    bench(
        c,
        suite,
        "floor-signed-json",
        &Floor::signed(Encoding::Json, s.clone()),
        true,
    );
    bench(
        c,
        suite,
        "floor-signed-postcard",
        &Floor::signed(Encoding::Postcard, s.clone()),
        true,
    );
    bench(
        c,
        suite,
        "cookie-signed-jar",
        &CookieJarPeer::new(Jar::Signed, s.clone()),
        true,
    );
    bench(
        c,
        suite,
        "jsonwebtoken-hs256",
        &JwtPeer::new(session_claims()),
        true,
    );
}

fn one_kilobyte(c: &mut Criterion) {
    let s = big();
    let suite = "1kb";
    bench(
        c,
        suite,
        &format!("ours-encrypted-json{AEAD}"),
        &Ours::new(BigEncryptedJson::from(&s)),
        false,
    );
    bench(
        c,
        suite,
        &format!("ours-encrypted-postcard{AEAD}"),
        &Ours::new(BigEncryptedPostcard::from(&s)),
        false,
    );
    bench(
        c,
        suite,
        "floor-encrypted-json",
        &Floor::encrypted(Encoding::Json, s.clone()),
        false,
    );
    bench(
        c,
        suite,
        "cookie-private-jar",
        &CookieJarPeer::new(Jar::Private, s.clone()),
        false,
    );
    bench(
        c,
        suite,
        "ours-signed-json",
        &Ours::new(BigSignedJson::from(&s)),
        false,
    );
    bench(
        c,
        suite,
        "ours-signed-postcard",
        &Ours::new(BigSignedPostcard::from(&s)),
        false,
    );
    bench(
        c,
        suite,
        "floor-signed-json",
        &Floor::signed(Encoding::Json, s.clone()),
        false,
    );
    bench(
        c,
        suite,
        "cookie-signed-jar",
        &CookieJarPeer::new(Jar::Signed, s.clone()),
        false,
    );
    bench(
        c,
        suite,
        "jsonwebtoken-hs256",
        &JwtPeer::new(big_claims()),
        false,
    );
}

/// Issue 16: the ~1 KB session with and without `compress`, every mode × codec, seal and open
/// apart too. Prints each value's length first (stderr).
fn compression(c: &mut Criterion) {
    let s = big();
    let suite = "1kb-compress";
    fn pair<P: Contender, Z: Contender>(
        c: &mut Criterion,
        suite: &str,
        id: &str,
        plain: &P,
        packed: &Z,
    ) where
        P::Value: PartialEq + Debug,
        Z::Value: PartialEq + Debug,
    {
        let (n, z) = (plain.seal().len(), packed.seal().len());
        eprintln!(
            "{suite} {id}: value {n} characters, compressed {z} ({:+.0} %)",
            (z as f64 / n as f64 - 1.0) * 100.0
        );
        bench(c, suite, id, plain, true);
        bench(c, suite, &format!("{id}-compressed"), packed, true);
    }
    pair(
        c,
        suite,
        "ours-signed-json",
        &Ours::new(BigSignedJson::from(&s)),
        &Ours::new(BigSignedJsonCompressed::from(&s)),
    );
    pair(
        c,
        suite,
        "ours-encrypted-json",
        &Ours::new(BigEncryptedJson::from(&s)),
        &Ours::new(BigEncryptedJsonCompressed::from(&s)),
    );
    pair(
        c,
        suite,
        "ours-signed-postcard",
        &Ours::new(BigSignedPostcard::from(&s)),
        &Ours::new(BigSignedPostcardCompressed::from(&s)),
    );
    pair(
        c,
        suite,
        "ours-encrypted-postcard",
        &Ours::new(BigEncryptedPostcard::from(&s)),
        &Ours::new(BigEncryptedPostcardCompressed::from(&s)),
    );
}

/// Short runs: 38 benchmarks × (0.5 s warm-up + 1.5 s) keeps `cargo bench` near two minutes.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = session, one_kilobyte, compression
}
criterion_main!(benches);
