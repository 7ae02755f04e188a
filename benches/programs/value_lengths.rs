//! Cookie value lengths for the benchmark's payloads (the session struct and the ~1 KB one):
//! ours in each mode × codec, the hand floor, `cookie`'s jars and `jsonwebtoken`, as the
//! Markdown table in BENCHMARKS.md. `cargo run --example value_lengths`

use std::borrow::Cow;

use typed_cookies_testkit::contenders as support;

use support::floor::{Encoding, Floor};
use support::ours::Ours;
use support::payload::*;
use support::peers::{CookieJarPeer, Jar, JwtPeer};
use support::Contender;

/// Seals the contender's sample, checks that it opens, and returns the value's length.
fn length<C: Contender>(contender: &C) -> usize
where
    C::Value: PartialEq + std::fmt::Debug,
{
    let value = contender.seal();
    assert_eq!(
        &contender.open(Cow::Owned(value.clone())),
        contender.sample()
    );
    value.len()
}

/// Length once every byte outside RFC 6265's `cookie-octet` set (`"`, `,`, `;`, `\\`, space,
/// controls, non-ASCII) is percent-encoded, as a server must before sending it.
fn as_cookie_octets(value: &str) -> usize {
    let octet = |b: u8| matches!(b, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e);
    value.bytes().map(|b| if octet(b) { 1 } else { 3 }).sum()
}

fn main() {
    let s = session();
    let b = big();
    let rows = [
        (
            "typed-cookies encrypted, JSON",
            length(&Ours::new(EncryptedJson::from(&s))),
            length(&Ours::new(BigEncryptedJson::from(&b))),
        ),
        (
            "typed-cookies encrypted, postcard",
            length(&Ours::new(EncryptedPostcard::from(&s))),
            length(&Ours::new(BigEncryptedPostcard::from(&b))),
        ),
        (
            "typed-cookies signed, JSON",
            length(&Ours::new(SignedJson::from(&s))),
            length(&Ours::new(BigSignedJson::from(&b))),
        ),
        (
            "typed-cookies signed, postcard",
            length(&Ours::new(SignedPostcard::from(&s))),
            length(&Ours::new(BigSignedPostcard::from(&b))),
        ),
        (
            "floor encrypted, JSON",
            length(&Floor::encrypted(Encoding::Json, s.clone())),
            length(&Floor::encrypted(Encoding::Json, b.clone())),
        ),
        (
            "floor signed, JSON",
            length(&Floor::signed(Encoding::Json, s.clone())),
            length(&Floor::signed(Encoding::Json, b.clone())),
        ),
        (
            "cookie PrivateJar + JSON",
            length(&CookieJarPeer::new(Jar::Private, s.clone())),
            length(&CookieJarPeer::new(Jar::Private, b.clone())),
        ),
        (
            "cookie SignedJar + JSON",
            length(&CookieJarPeer::new(Jar::Signed, s.clone())),
            length(&CookieJarPeer::new(Jar::Signed, b.clone())),
        ),
        (
            "jsonwebtoken HS256 (+ exp)",
            length(&JwtPeer::new(session_claims())),
            length(&JwtPeer::new(big_claims())),
        ),
    ];
    // SignedJar puts the JSON in the value as it is: quotes and commas must be encoded.
    let encoded_jar = (
        "cookie SignedJar + JSON, percent-encoded",
        as_cookie_octets(&CookieJarPeer::new(Jar::Signed, s.clone()).seal()),
        as_cookie_octets(&CookieJarPeer::new(Jar::Signed, b.clone()).seal()),
    );
    let json = serde_json::to_vec(&s).expect("serializes").len();
    let compact = postcard::to_allocvec(&s).expect("serializes").len();
    let big_json = serde_json::to_vec(&b).expect("serializes").len();
    let big_compact = postcard::to_allocvec(&b).expect("serializes").len();
    println!("payload: session {json} B JSON / {compact} B postcard; ~1 KB session {big_json} B JSON / {big_compact} B postcard\n");

    let private_jar = rows[6];
    println!("| value of | session | vs PrivateJar | ~1 KB session | vs PrivateJar |");
    println!("|---|---:|---:|---:|---:|");
    for (name, small, large) in rows.into_iter().chain([encoded_jar]) {
        let vs = |ours: usize, theirs: usize| {
            format!("{:+.0} %", (ours as f64 / theirs as f64 - 1.0) * 100.0)
        };
        println!(
            "| {name} | {small} | {} | {large} | {} |",
            vs(small, private_jar.1),
            vs(large, private_jar.2)
        );
    }
}
