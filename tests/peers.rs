//! The benchmark's contenders are correct and the size claims of BENCHMARKS.md hold: every
//! contender opens what it sealed (and refuses a changed value), and the compact encrypted
//! value is at least 25 % shorter than `cookie`'s `PrivateJar` with JSON. Nothing is timed.

use std::borrow::Cow;
use std::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};

use typed_cookies_testkit::contenders as support;

use support::floor::{Encoding, Floor};
use support::ours::Ours;
use support::payload::*;
use support::peers::{CookieJarPeer, Jar, JwtPeer};
use support::Contender;

/// Round trip, refusal of a changed value; returns the value's length.
fn check<C: Contender>(contender: &C) -> usize
where
    C::Value: PartialEq + Debug,
{
    let value = contender.seal();
    assert_eq!(
        &contender.open(Cow::Owned(value.clone())),
        contender.sample()
    );
    let mut changed = value.clone().into_bytes();
    let middle = changed.len() / 2;
    changed[middle] = if changed[middle] == b'A' { b'B' } else { b'A' };
    let changed = String::from_utf8(changed).expect("ASCII");
    let refused = catch_unwind(AssertUnwindSafe(|| contender.open(Cow::Owned(changed))));
    assert!(refused.is_err(), "a changed value was accepted");
    value.len()
}

#[test]
fn every_contender_round_trips_and_refuses_changes() {
    let (s, b) = (session(), big());
    check(&Ours::new(SignedJson::from(&s)));
    check(&Ours::new(EncryptedJson::from(&s)));
    check(&Ours::new(SignedPostcard::from(&s)));
    check(&Ours::new(BigEncryptedJson::from(&b)));
    check(&Ours::new(BigSignedJson::from(&b)));
    check(&Ours::new(BigSignedPostcard::from(&b)));
    check(&Ours::new(BigEncryptedPostcard::from(&b)));
    for encoding in [Encoding::Json, Encoding::Postcard] {
        check(&Floor::encrypted(encoding, s.clone()));
        check(&Floor::signed(encoding, s.clone()));
        check(&Floor::signed(encoding, b.clone()));
    }
    check(&CookieJarPeer::new(Jar::Signed, s.clone()));
    check(&CookieJarPeer::new(Jar::Private, b.clone()));
    check(&JwtPeer::new(session_claims()));
    check(&JwtPeer::new(big_claims()));
}

#[test]
fn compact_encrypted_is_a_quarter_shorter_than_private_jar() {
    let s = session();
    let ours = check(&Ours::new(EncryptedPostcard::from(&s)));
    let private_jar = check(&CookieJarPeer::new(Jar::Private, s.clone()));
    assert!(
        ours * 4 <= private_jar * 3,
        "{ours} vs PrivateJar's {private_jar}"
    );
    // JSON costs the 14-byte header over PrivateJar's nonce + tag, base64url-encoded.
    let json = check(&Ours::new(EncryptedJson::from(&s)));
    assert_eq!(json, private_jar + 16);
}
