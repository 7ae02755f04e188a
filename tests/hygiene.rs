//! Secret hygiene: no key material — master keys or their per-namespace subkeys, as hex
//! (either case), base64 (standard or URL-safe, padded or not), a `[u8]` debug list or raw
//! text — appears in the `Debug` or `Display` of `Key`, `KeyId`, `KeyRing`, `Sealer`,
//! `Opened`, `CookieConfig`, or of any `KeyError`, `SealError` or `OpenError` the library
//! produces with that key. Neither does the plaintext of an encrypted value.
//!
//! Memory after free: this binary's global allocator (`typed_cookies_testkit::ScanningAlloc`,
//! the one place with `unsafe`, in the unpublished `testkit` crate) searches every freed block
//! for watched bytes. Decoding a key (either base64 alphabet) and sealing a value too large
//! for a cookie leave neither key bytes nor plaintext in freed memory. The per-nonce POLYVAL
//! key lives on the stack, out of a heap scan's reach: that `polyval`'s `zeroize` feature
//! stays on is checked in the manifests instead.
//!
//! Also asserted at compile time: `Key: ZeroizeOnDrop`, and `Key`/`KeyRing` implement neither
//! `Display` nor `Serialize` (so a key can't be printed with `{}` or serialized into a log or
//! cookie by mistake). Constant-time tag comparison is a code-review fact documented in
//! SECURITY.md.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use typed_cookies::time::Duration;
use typed_cookies::{Key, KeyError, KeyRing, OpenError, SealError, SealedCookie};
use typed_cookies_testkit::{t0, watch, ScanningAlloc};

#[global_allocator]
static ALLOC: ScanningAlloc = ScanningAlloc;

/// Compile-time: `Key` wipes its material when dropped (its clones too).
const _: fn() = || {
    fn zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    zeroize_on_drop::<Key>();
};

/// Compile-time: `T` does not implement the trait behind `$marker`. If it did, the call
/// below would be ambiguous between the two impls and the crate would not compile (the
/// technique of `static_assertions::assert_not_impl_any!`).
macro_rules! assert_not_impl {
    ($ty:ty, $($bound:tt)+) => {
        const _: fn() = || {
            trait AmbiguousIfImpl<A> {
                fn some_item() {}
            }
            impl<T: ?Sized> AmbiguousIfImpl<()> for T {}
            #[allow(dead_code)]
            struct Invalid;
            impl<T: ?Sized + $($bound)+> AmbiguousIfImpl<Invalid> for T {}
            let _ = <$ty as AmbiguousIfImpl<_>>::some_item;
        };
    };
}
assert_not_impl!(Key, std::fmt::Display);
assert_not_impl!(Key, serde::Serialize);
assert_not_impl!(KeyRing, std::fmt::Display);
assert_not_impl!(KeyRing, serde::Serialize);

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "h_sid", salt = "hygiene.session", max_age = "1h", encrypt)]
struct Session {
    secret: String,
}

const PLAINTEXT: &str = "PLAINTEXT-CANARY-7f3a9c";

/// Every way a byte string might be written out.
fn renderings(bytes: &[u8]) -> Vec<String> {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut out = vec![
        hex.clone(),
        hex.to_uppercase(),
        STANDARD.encode(bytes),
        STANDARD_NO_PAD.encode(bytes),
        URL_SAFE.encode(bytes),
        URL_SAFE_NO_PAD.encode(bytes),
        format!("{bytes:?}"),
        format!("{bytes:02x?}"),
    ];
    if let Ok(text) = std::str::from_utf8(bytes) {
        out.push(text.to_owned());
    }
    // Partial leaks: any 12-byte slice of the key in hex or base64.
    for window in bytes.windows(12).step_by(4) {
        let hex: String = window.iter().map(|b| format!("{b:02x}")).collect();
        out.push(hex.to_uppercase());
        out.push(hex);
        out.push(STANDARD_NO_PAD.encode(window));
        out.push(URL_SAFE_NO_PAD.encode(window));
    }
    out
}

/// HKDF-SHA256(master, info) — the subkey of a namespace, derived here independently.
fn subkey(master: &[u8], info: &str) -> [u8; 32] {
    let mut okm = [0u8; 32];
    Hkdf::<Sha256>::new(None, master)
        .expand(info.as_bytes(), &mut okm)
        .unwrap();
    okm
}

/// Key material of the tests: a text-like key (so a raw-text leak is visible), a byte pattern
/// and a random key.
fn materials() -> Vec<Vec<u8>> {
    vec![
        // Not all ASCII (the em dash), so accepted as a key, and still text for the raw check.
        "correct horse battery staple \u{2014} longer and longer"
            .as_bytes()
            .to_vec(),
        (0u8..32)
            .map(|i| i.wrapping_mul(37).wrapping_add(11))
            .collect(),
        STANDARD.decode(Key::generate().to_base64()).unwrap(),
    ]
}

/// Everything printable the library produces while using `key` (as primary, next to a
/// fallback) in every way: seal, open, fail.
fn everything_printed(key: &Key) -> Vec<String> {
    let fallback = Key::generate();
    let ring = KeyRing::with_fallbacks(key.clone(), [fallback.clone()]).unwrap();
    let signer = ring.signed("hygiene.low").max_age(Duration::hours(1));
    let sealer = ring
        .encrypted("hygiene.low")
        .max_age(Duration::hours(1))
        .clock_skew(Duration::seconds(5));
    let now = t0();

    let mut printed: Vec<String> = Vec::new();
    let mut debug_and_display = |d: &dyn std::fmt::Debug, s: Option<&dyn std::fmt::Display>| {
        printed.push(format!("{d:?}"));
        printed.push(format!("{d:#?}"));
        if let Some(s) = s {
            printed.push(s.to_string());
        }
    };
    debug_and_display(key, None);
    debug_and_display(&key.id(), Some(&key.id()));
    debug_and_display(&ring, None);
    debug_and_display(&ring.key_ids(), None);
    debug_and_display(&signer, None);
    debug_and_display(&sealer, None);
    debug_and_display(&Session::CONFIG, None);

    let secret = Session {
        secret: PLAINTEXT.into(),
    };
    let value = secret.seal(&ring.at(now)).unwrap();
    let opened = Session::open_with_metadata(&ring.at(now), &value).unwrap();
    debug_and_display(&opened.issued_at(), Some(&opened.issued_at()));

    // Every OpenError, produced with this ring.
    let low = sealer.at(now).seal(&PLAINTEXT).unwrap();
    let mut errors: Vec<OpenError> = vec![
        sealer
            .at(now)
            .open::<String>(&"A".repeat(5000))
            .unwrap_err(),
        sealer.at(now).open::<String>("not base64!").unwrap_err(),
        sealer
            .at(now)
            .open::<String>(&URL_SAFE_NO_PAD.encode([3u8; 20]))
            .unwrap_err(),
        signer.at(now).open::<String>(&low).unwrap_err(),
        KeyRing::new(Key::generate())
            .encrypted("hygiene.low")
            .no_expiry()
            .at(now)
            .open::<String>(&low)
            .unwrap_err(),
        ring.encrypted("hygiene.other")
            .no_expiry()
            .at(now)
            .open::<String>(&low)
            .unwrap_err(),
        sealer
            .at(now + Duration::hours(2))
            .open::<String>(&low)
            .unwrap_err(),
        sealer
            .at(now - Duration::minutes(1))
            .open::<String>(&low)
            .unwrap_err(),
        sealer.at(now).open::<u64>(&low).unwrap_err(),
        Session::open(&ring.at(now), &low).unwrap_err(),
        Session::from_cookie_header(&ring.at(now), &format!("h_sid={value}; h_sid={value}"))
            .unwrap_err(),
    ];
    // The tampered encrypted value (its plaintext must not leak through the error either).
    let mut tampered = value.into_bytes();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'A' { b'Q' } else { b'A' };
    errors.push(Session::open(&ring.at(now), &String::from_utf8(tampered).unwrap()).unwrap_err());
    let kinds: std::collections::BTreeSet<String> = errors
        .iter()
        .map(|e| {
            format!("{e:?}")
                .split([' ', '('])
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds.len(),
        10,
        "every OpenError variant is exercised: {kinds:?}"
    );
    for e in &errors {
        debug_and_display(e, Some(e));
    }

    // KeyErrors made from this very key's text.
    let text = key.to_base64();
    let key_errors: Vec<KeyError> = vec![
        Key::from_base64(&format!("{text}!")).unwrap_err(),
        Key::from_base64(&text[..20]).unwrap_err(),
        KeyRing::from_base64_list(&format!("{text},{text}")).unwrap_err(),
        KeyRing::from_base64_list(&format!("{text},%%%{text}")).unwrap_err(),
        KeyRing::from_env("TYPED_COOKIES_HYGIENE_SURELY_UNSET").unwrap_err(),
        Key::from_bytes(&[9; 40]).unwrap_err(),
        Key::from_bytes(&[key.to_base64().as_bytes(), &[0; 9]].concat()).unwrap_err(),
        Key::from_bytes(key.to_base64().as_bytes()).unwrap_err(),
        KeyRing::from_base64_list(&format!("{text}, {}", STANDARD.encode(text.as_bytes())))
            .unwrap_err(),
    ];
    for e in &key_errors {
        debug_and_display(e, Some(e));
    }

    // SealErrors.
    let seal_errors: Vec<SealError> = vec![
        sealer.at(now).seal(&"x".repeat(5000)).unwrap_err(),
        sealer
            .at(now)
            .seal(&std::collections::BTreeMap::from([((1, 2), 3)]))
            .unwrap_err(),
        Session {
            secret: PLAINTEXT.repeat(300),
        }
        .seal(&ring.at(now))
        .unwrap_err(),
    ];
    for e in &seal_errors {
        debug_and_display(e, Some(e));
    }
    printed
}

#[test]
fn no_key_material_in_any_debug_or_display() {
    for material in materials() {
        let key = Key::from_bytes(&material).unwrap();
        let printed = everything_printed(&key);
        assert!(printed.len() > 60, "{} renderings", printed.len());
        // The master key, and the subkeys of the namespaces used above.
        let mut secrets = vec![material.clone()];
        for info in [
            "typed-cookies/v1/signed/hygiene.low",
            "typed-cookies/v1/encrypted/hygiene.low",
            "typed-cookies/v1/encrypted/hygiene.session",
        ] {
            secrets.push(subkey(&material, info).to_vec());
        }
        for secret in &secrets {
            for needle in renderings(secret) {
                for out in &printed {
                    assert!(
                        !out.contains(&needle),
                        "key material {needle:?} printed in {out:?}"
                    );
                }
            }
        }
        for out in &printed {
            assert!(!out.contains(PLAINTEXT), "plaintext printed in {out:?}");
        }
    }
}

#[test]
fn key_debug_shows_only_the_id() {
    let key = Key::from_bytes(&materials()[0]).unwrap();
    assert_eq!(format!("{key:?}"), format!("Key({})", key.id()));
    let ring = KeyRing::new(key.clone());
    assert_eq!(
        format!("{ring:?}"),
        format!(
            "KeyRing {{ primary: KeyId({}), fallbacks: [], clock: Clock::System }}",
            key.id()
        )
    );
}

/// The one method that exposes the key says so, and round-trips: it is the export path for a
/// secret store, not a display path.
#[test]
fn to_base64_is_the_only_exposure_and_round_trips() {
    for material in materials() {
        let key = Key::from_bytes(&material).unwrap();
        assert_eq!(key.to_base64(), STANDARD.encode(&material));
        assert_eq!(Key::from_base64(&key.to_base64()).unwrap().id(), key.id());
    }
}

/// A random key whose URL-safe base64 has no `-` or `_` in its first 24 characters but has
/// one before the end: decoding it with the standard alphabet first gets 18 bytes in before
/// failing, which is where an unwiped buffer used to be freed.
fn url_safe_only_key() -> ([u8; 32], String) {
    loop {
        let bytes: [u8; 32] = rand::random();
        let text = URL_SAFE_NO_PAD.encode(bytes);
        if let Some(at) = text.find(['-', '_']) {
            if at >= 24 && Key::from_bytes(&bytes).is_ok() {
                return (bytes, text);
            }
        }
    }
}

#[test]
fn decoding_a_key_leaves_no_key_bytes_in_freed_memory() {
    for _ in 0..20 {
        let (bytes, url) = url_safe_only_key();
        let other = Key::generate().to_base64();
        let texts = [
            url.clone(),
            format!("{url}="),
            STANDARD.encode(bytes),
            format!("  {url}\n"),
        ];
        let list = format!("{other}, {url}");
        let watched = watch(&[&bytes[..12], &bytes[4..16], &bytes[20..32]]);
        for text in &texts {
            let key = Key::from_base64(text).unwrap();
            assert_eq!(key.to_base64(), STANDARD.encode(bytes));
        }
        let ring = KeyRing::from_base64_list(&list).unwrap();
        drop(ring);
        assert_eq!(
            watched.hits(),
            [0; 4],
            "freed blocks held bytes of a key decoded from base64"
        );
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "h_big",
    salt = "hygiene.residue",
    max_age = "1h",
    encrypt,
    codec = "postcard"
)]
struct Compact {
    secret: String,
}

const RESIDUE: &str = "RESIDUE-CANARY-51d0e8c2";

#[test]
fn sealing_leaves_no_plaintext_in_freed_memory() {
    let keys = KeyRing::new(Key::generate());
    let sealer = keys
        .encrypted("hygiene.residue")
        .max_age(Duration::hours(1));
    // Over twice a cookie (and the engine's 8 KiB buffer), as one value and in parts.
    let big = RESIDUE.repeat(600);
    let parts = vec![RESIDUE.to_owned(); 600];
    let small = RESIDUE.to_owned();
    let compact = Compact {
        secret: big.clone(),
    };
    let session = Session {
        secret: big.clone(),
    };
    let watched = watch(&[RESIDUE.as_bytes()]);
    for _ in 0..3 {
        assert!(matches!(sealer.seal(&big), Err(SealError::TooLarge { .. })));
        assert!(matches!(
            sealer.seal(&parts),
            Err(SealError::TooLarge { .. })
        ));
        assert!(matches!(
            compact.seal(&keys),
            Err(SealError::TooLarge { .. })
        ));
        assert!(matches!(
            session.seal(&keys),
            Err(SealError::TooLarge { .. })
        ));
        let sealed = sealer.seal(&small).unwrap();
        let opened: String = sealer.open(&sealed).unwrap();
        assert_eq!(opened, small);
        // The opened value is the caller's: kept alive past the check.
        std::mem::forget(opened);
    }
    assert_eq!(watched.hits(), [0; 4], "a freed block held plaintext");
}

#[test]
fn compressing_leaves_no_plaintext_in_freed_memory() {
    let keys = KeyRing::new(Key::generate());
    let sealer = keys
        .encrypted("hygiene.compress")
        .compress_leaking_length()
        .max_age(Duration::hours(1));
    // Fits once compressed (~2.3 KB of JSON); and over the 16 KiB payload bound.
    let fits = RESIDUE.repeat(100);
    let over = RESIDUE.repeat(800);
    let watched = watch(&[RESIDUE.as_bytes()]);
    for _ in 0..3 {
        assert!(matches!(
            sealer.seal(&over),
            Err(SealError::TooLarge { .. })
        ));
        let sealed = sealer.seal(&fits).unwrap();
        let opened: String = sealer.open(&sealed).unwrap();
        assert_eq!(opened, fits);
        std::mem::forget(opened);
    }
    assert_eq!(watched.hits(), [0; 4], "a freed block held plaintext");
}

/// The per-nonce POLYVAL key is on the stack inside `aes-gcm-siv`, which a heap scan cannot
/// see, so this checks the manifests: `polyval` is a dependency of the runtime crate with its
/// `zeroize` feature. (polyval 0.6 wipes on drop only in its portable backend; see SECURITY.md.)
#[test]
fn polyval_is_built_with_zeroize() {
    let workspace = include_str!("../Cargo.toml");
    let runtime = include_str!("../typed-cookies/Cargo.toml");
    let line = workspace
        .lines()
        .find(|l| l.trim_start().starts_with("polyval ="))
        .expect("polyval in [workspace.dependencies]");
    assert!(line.contains("\"zeroize\""), "{line}");
    assert!(
        runtime
            .lines()
            .any(|l| l.trim() == "polyval = { workspace = true }"),
        "typed-cookies depends on the workspace's polyval"
    );
}
