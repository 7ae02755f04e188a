//! Compression (issue 16) through the public API: `#[cookie(compress)]` and
//! `SealerBuilder::compress()` round trip in every mode × codec, compress only when that makes
//! the value shorter, flag it in the header, bound the payload at seal, and a type without
//! `compress` refuses a compressed value. Authentic zip bombs and malformed streams need the
//! subkey, so they are unit tests of the runtime crate (`typed-cookies/src/seal/compress.rs`).

use serde::{Deserialize, Serialize};
use typed_cookies::time::Duration;
use typed_cookies::{
    inspect, OpenError, SealError, SealedCookie, Stateless, MAX_COOKIE_LEN, MAX_PAYLOAD_LEN,
};
use typed_cookies_testkit::{at, ring, T0};

/// Declares a cookie type with one `Vec<String>` field and the given attributes.
macro_rules! paths_cookie {
    ($name:ident, $($attr:tt)*) => {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, SealedCookie)]
        #[cookie($($attr)*)]
        struct $name {
            paths: Vec<String>,
        }
        impl $name {
            fn new(n: usize) -> Self {
                Self {
                    paths: (0..n).map(|i| format!("/shop/catalogue/item/{i:04}?ref=recent")).collect(),
                }
            }
        }
    };
}

paths_cookie!(
    SignedJson,
    name = "sj",
    salt = "compress.sj",
    max_age = "1h",
    compress
);
paths_cookie!(
    SignedPostcard,
    name = "sp",
    salt = "compress.sp",
    max_age = "1h",
    codec = "postcard",
    compress
);
paths_cookie!(
    EncryptedJson,
    name = "ej",
    salt = "compress.ej",
    max_age = "1h",
    encrypt,
    compress = "i_understand_compression_leaks_length"
);
paths_cookie!(
    EncryptedPostcard,
    name = "ep",
    salt = "compress.ep",
    max_age = "1h",
    encrypt,
    codec = "postcard",
    compress = "i_understand_compression_leaks_length"
);

/// A runtime sealer of `SignedJson`'s salt, mode and codec that does not compress. (Its
/// subkeys are another domain's, but compression is refused on the header, before any key.)
fn plain_signed() -> typed_cookies::Sealer {
    ring()
        .at(at(T0))
        .signed("compress.sj")
        .max_age(Duration::hours(1))
}

/// The same for `EncryptedJson`.
fn plain_encrypted() -> typed_cookies::Sealer {
    ring()
        .at(at(T0))
        .encrypted("compress.ej")
        .max_age(Duration::hours(1))
}

/// Seals `value`, checks what `inspect` says about compression, opens it back.
fn round_trip<T: Stateless + PartialEq + std::fmt::Debug>(value: &T, compressed: bool) -> String {
    let keys = ring().at(at(T0));
    let sealed = value.seal(&keys).unwrap();
    assert_eq!(
        inspect(&sealed).unwrap().compressed,
        compressed,
        "{}",
        std::any::type_name::<T>()
    );
    assert_eq!(&T::open(&keys, &sealed).unwrap(), value);
    sealed
}

#[test]
fn round_trips_in_every_mode_and_codec_compressed_only_when_shorter() {
    // One short path does not shrink (the flag stays clear); 40 repetitive ones do.
    round_trip(&SignedJson::new(1), false);
    round_trip(&SignedPostcard::new(1), false);
    round_trip(&EncryptedJson::new(1), false);
    round_trip(&EncryptedPostcard::new(1), false);
    let big = |v: String, plain: usize| {
        assert!(v.len() * 3 < plain, "{} vs {plain}", v.len());
    };
    let keys = ring().at(at(T0));
    let plain_len = plain_signed().seal(&SignedJson::new(40)).unwrap().len();
    big(round_trip(&SignedJson::new(40), true), plain_len);
    big(round_trip(&SignedPostcard::new(40), true), plain_len);
    big(round_trip(&EncryptedJson::new(40), true), plain_len);
    big(round_trip(&EncryptedPostcard::new(40), true), plain_len);
    // An uncompressed value of the same namespace still opens after `compress` was added.
    let old = SignedJsonBefore(SignedJson::new(40)).seal(&keys).unwrap();
    assert!(!inspect(&old).unwrap().compressed);
    assert_eq!(SignedJson::open(&keys, &old).unwrap().paths.len(), 40);
}

/// `SignedJson` before it declared `compress`: its configuration without it, written by hand
/// through the derive's own (hidden) entry point, as `tests/cookie/derive.rs` does for "the same
/// type, earlier".
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
struct SignedJsonBefore(SignedJson);
impl SealedCookie for SignedJsonBefore {
    const CONFIG: typed_cookies::CookieConfig = typed_cookies::__private::ConfigBuilder::new(
        "sj",
        "compress.sj",
        typed_cookies::Lifetime::MaxAgeSeconds(3600),
    )
    .build();
}
impl Stateless for SignedJsonBefore {}

#[test]
fn compression_lets_more_fit_in_a_cookie_up_to_the_payload_bound() {
    let keys = ring().at(at(T0));
    // ~6 KB of JSON: too large uncompressed, fits compressed.
    assert!(matches!(
        plain_signed().seal(&SignedJson::new(150)),
        Err(SealError::TooLarge { .. })
    ));
    let sealed = round_trip(&SignedJson::new(150), true);
    assert!(sealed.len() <= MAX_COOKIE_LEN);
    // A payload over MAX_PAYLOAD_LEN is refused before compressing, however well it would
    // compress; at the bound it seals.
    let sealer = keys
        .signed("compress.bound")
        .compress()
        .max_age(Duration::hours(1));
    let at_bound = " ".repeat(MAX_PAYLOAD_LEN - 2); // JSON adds the two quotes
    let sealed = sealer.seal(&at_bound).unwrap();
    assert!(sealed.len() < 200, "{}", sealed.len());
    assert_eq!(sealer.open::<String>(&sealed).unwrap(), at_bound);
    let over = " ".repeat(MAX_PAYLOAD_LEN - 1);
    assert!(matches!(
        sealer.seal(&over),
        Err(SealError::TooLarge { max: MAX_COOKIE_LEN, len }) if len > MAX_COOKIE_LEN
    ));
}

#[test]
fn a_type_without_compress_refuses_a_compressed_value() {
    let keys = ring().at(at(T0));
    let sealed = SignedJson::new(40).seal(&keys).unwrap();
    assert_eq!(
        plain_signed().open::<SignedJson>(&sealed),
        Err(OpenError::UnexpectedCompression)
    );
    let sealed = EncryptedJson::new(40).seal(&keys).unwrap();
    assert_eq!(
        plain_encrypted().open::<EncryptedJson>(&sealed),
        Err(OpenError::UnexpectedCompression)
    );
    let err = OpenError::UnexpectedCompression;
    assert_eq!(err.kind(), "unexpected_compression");
    assert!(
        err.to_string().contains("does not declare `compress`"),
        "{err}"
    );
    // Runtime sealers alike.
    let packed = keys.signed("compress.rt").compress().no_expiry();
    let plain = keys.signed("compress.rt").no_expiry();
    assert!(packed.compresses() && !plain.compresses());
    let value = packed.seal(&vec!["same"; 50]).unwrap();
    assert_eq!(
        plain.open::<Vec<String>>(&value),
        Err(OpenError::UnexpectedCompression)
    );
    assert_eq!(packed.open::<Vec<String>>(&value).unwrap().len(), 50);
}

#[test]
fn tampering_with_a_compressed_cookie_is_invalid() {
    let keys = ring().at(at(T0));
    let signed = SignedJson::new(40).seal(&keys).unwrap();
    let encrypted = EncryptedJson::new(40).seal(&keys).unwrap();
    type Open = Box<dyn Fn(&str) -> Result<(), OpenError>>;
    let k = keys.clone();
    let open_signed: Open = Box::new(move |v| SignedJson::open(&k, v).map(|_| ()));
    let k = keys.clone();
    let open_encrypted: Open = Box::new(move |v| EncryptedJson::open(&k, v).map(|_| ()));
    for (sealed, open) in [(signed, open_signed), (encrypted, open_encrypted)] {
        assert_eq!(open(&sealed), Ok(()));
        // Change one character of the body (past the 19 characters of the header).
        for i in [20, sealed.len() / 2, sealed.len() - 2] {
            let mut changed = sealed.clone();
            let c = if &sealed[i..=i] == "A" { "B" } else { "A" };
            changed.replace_range(i..=i, c);
            assert_eq!(open(&changed), Err(OpenError::Invalid), "{i}");
        }
    }
}

#[test]
#[should_panic(expected = "compress_leaking_length")]
fn the_runtime_builder_refuses_plain_compress_when_encrypted() {
    let _ = ring().encrypted("compress.enc").compress();
}

#[test]
fn compressing_encrypted_values_takes_the_loud_method() {
    let keys = ring().at(at(T0));
    let ids = keys
        .encrypted("compress.enc")
        .compress_leaking_length()
        .max_age(Duration::hours(1));
    let seen: Vec<u32> = (1000..1400).collect();
    let value = ids.seal(&seen).unwrap();
    assert!(inspect(&value).unwrap().compressed);
    assert_eq!(ids.open::<Vec<u32>>(&value).unwrap(), seen);
    assert!(SignedJson::CONFIG.compresses() && EncryptedPostcard::CONFIG.compresses());
}
