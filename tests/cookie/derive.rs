//! `#[derive(SealedCookie)]` at run time: round trips, the attribute's max age, namespaces,
//! exact `Set-Cookie` strings, the `Cookie:` header path, and the codecs.

use serde::{Deserialize, Serialize};
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{
    Codec, CookieConfig, KeyRing, Lifetime, OpenError, SealError, SealedCookie, Stateless,
};
use typed_cookies_testkit::{clocked, t0};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-drv",
    salt = "tests.session.v1",
    max_age = "2h",
    encrypt
)]
struct Session {
    user_id: u64,
    csrf: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-drv",
    salt = "tests.other-session.v1",
    max_age = "2h",
    encrypt,
    // Deliberately the same browser cookie as `Session`: without this, a compile error.
    replaces = "Session"
)]
struct OtherSession {
    user_id: u64,
    csrf: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "prefs",
    salt = "tests.prefs.v1",
    max_age = 90,
    path = "/app",
    domain = "example.com",
    same_site = "strict",
    secure = false,
    http_only = false
)]
struct Prefs {
    theme: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Secure-flash",
    salt = "tests.flash.v1",
    no_expiry,
    same_site = "none"
)]
enum Flash {
    Saved,
    Error(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "cart",
    salt = "tests.cart.v1",
    max_age = "7d",
    encrypt,
    codec = "postcard"
)]
struct Cart(Vec<u32>, String);

fn keys() -> KeyRing {
    typed_cookies_testkit::ring()
}

fn session() -> Session {
    Session {
        user_id: 42,
        csrf: "f3a9c1".into(),
    }
}

#[test]
fn round_trips() {
    let keys = keys();
    assert_eq!(
        Session::open(&keys, &session().seal(&keys).unwrap()).unwrap(),
        session()
    );
    let prefs = Prefs {
        theme: "dark".into(),
    };
    assert_eq!(
        Prefs::open(&keys, &prefs.seal(&keys).unwrap()).unwrap(),
        prefs
    );
    for flash in [Flash::Saved, Flash::Error("nope".into())] {
        assert_eq!(
            Flash::open(&keys, &flash.seal(&keys).unwrap()).unwrap(),
            flash
        );
    }
    let cart = Cart(vec![1, 2, 3], "EUR".into());
    assert_eq!(Cart::open(&keys, &cart.seal(&keys).unwrap()).unwrap(), cart);
}

#[test]
fn the_attribute_max_age_is_enforced() {
    // The ring's manual clock: seal, move it, open.
    let (keys, clock) = clocked(&keys());
    let value = session().seal(&keys).unwrap();
    let end = t0() + Duration::hours(2);
    clock.set(end - Duration::seconds(1));
    assert_eq!(Session::open(&keys, &value).unwrap(), session());
    clock.set(end + Duration::seconds(1));
    assert_eq!(
        Session::open(&keys, &value),
        Err(OpenError::Expired { at: end })
    );

    clock.set(t0());
    let prefs = Prefs {
        theme: "dark".into(),
    }
    .seal(&keys)
    .unwrap();
    clock.advance(Duration::seconds(89));
    assert!(Prefs::open(&keys, &prefs).is_ok());
    clock.advance(Duration::seconds(2));
    assert!(Prefs::open(&keys, &prefs).is_err());

    // no_expiry: still opens years later.
    clock.set(t0());
    let flash = Flash::Saved.seal(&keys).unwrap();
    clock.advance(Duration::days(3650));
    assert_eq!(Flash::open(&keys, &flash).unwrap(), Flash::Saved);
}

#[test]
fn the_now_forms_read_the_system_clock() {
    let keys = keys();
    // The system clock is read coarsely (one kernel tick, at most 10 ms, behind a precise read).
    let before = (OffsetDateTime::now_utc() - Duration::milliseconds(50)).unix_timestamp();
    let opened = Session::open_with_metadata(&keys, &session().seal(&keys).unwrap()).unwrap();
    let after = OffsetDateTime::now_utc().unix_timestamp();
    assert_eq!(opened.value(), &session());
    assert!(opened.sealed_with_primary());
    let issued = opened.issued_at().unix_timestamp();
    assert!(
        before <= issued && issued <= after,
        "{before} {issued} {after}"
    );

    // Sealed three hours ago under a two-hour max age: every now-form refuses it.
    let stale = session()
        .seal(&keys.at(OffsetDateTime::now_utc() - Duration::hours(3)))
        .unwrap();
    assert!(matches!(
        Session::open(&keys, &stale),
        Err(OpenError::Expired { .. })
    ));
    assert!(matches!(
        Session::open_with_metadata(&keys, &stale),
        Err(OpenError::Expired { .. })
    ));
}

#[test]
fn types_with_different_salts_never_open_each_others_values() {
    let keys = keys();
    let value = session().seal(&keys).unwrap();
    assert_eq!(OtherSession::open(&keys, &value), Err(OpenError::Invalid));
    let other = OtherSession {
        user_id: 42,
        csrf: "f3a9c1".into(),
    }
    .seal(&keys)
    .unwrap();
    assert_eq!(Session::open(&keys, &other), Err(OpenError::Invalid));
    // Same cookie name, so even the Cookie header path refuses it.
    assert_eq!(
        Session::from_cookie_header(&keys, &format!("__Host-drv={other}")),
        Err(OpenError::Invalid)
    );
}

#[test]
fn exact_set_cookie_strings() {
    let keys = keys();
    // Signed values are deterministic for a fixed key and time.
    let prefs = Prefs {
        theme: "dark".into(),
    };
    let value = prefs.seal(&keys.at(t0())).unwrap();
    assert_eq!(
        prefs.to_set_cookie(&keys.at(t0())).unwrap(),
        format!(
            "prefs={value}; SameSite=Strict; Path=/app; Domain=example.com; Max-Age=90; \
             Expires=Thu, 01 Jan 2026 00:01:30 GMT"
        )
    );

    let header = session().to_set_cookie(&keys.at(t0())).unwrap();
    let (pair, attributes) = header.split_once("; ").unwrap();
    assert!(pair.starts_with("__Host-drv=A"));
    assert_eq!(
        attributes,
        "HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=7200; Expires=Thu, 01 Jan 2026 02:00:00 GMT"
    );

    let flash = Flash::Saved.to_set_cookie(&keys.at(t0())).unwrap();
    assert!(
        flash.ends_with("; HttpOnly; SameSite=None; Secure; Path=/"),
        "{flash}"
    );
    assert!(!flash.contains("Max-Age") && !flash.contains("Expires"));
}

#[test]
fn removal_headers_match_path_and_domain() {
    assert_eq!(
        Session::removal(),
        "__Host-drv=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    );
    assert_eq!(
        Prefs::removal(),
        "prefs=; SameSite=Strict; Path=/app; Domain=example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    );
}

#[test]
fn from_cookie_header_finds_opens_and_refuses() {
    let keys = keys();
    let value = session().seal(&keys.at(t0())).unwrap();
    let header = format!("theme=dark; __Host-drv={value}; _ga=GA1.2.3; empty=");
    assert_eq!(
        Session::from_cookie_header(&keys.at(t0()), &header).unwrap(),
        Some(session())
    );
    assert_eq!(
        Session::from_cookie_header(&keys.at(t0()), "theme=dark; _ga=1").unwrap(),
        None
    );
    assert_eq!(
        Session::from_cookie_header(&keys.at(t0()), "").unwrap(),
        None
    );
    // A cookie of a similar name is not ours.
    assert_eq!(
        Session::from_cookie_header(&keys.at(t0()), &format!("__host-drv={value}")).unwrap(),
        None
    );

    let mut tampered = value.clone();
    tampered.replace_range(20..21, if &value[20..21] == "A" { "B" } else { "A" });
    assert!(
        Session::from_cookie_header(&keys.at(t0()), &format!("a=1; __Host-drv={tampered}"))
            .is_err()
    );

    let later = t0() + Duration::hours(3);
    assert!(matches!(
        Session::from_cookie_header(&keys.at(later), &format!("__Host-drv={value}")),
        Err(OpenError::Expired { .. })
    ));
}

#[test]
fn a_cookie_name_sent_twice_is_refused_as_tossing() {
    let keys = keys();
    let mine = session().seal(&keys.at(t0())).unwrap();
    let theirs = Session {
        user_id: 666,
        csrf: "x".into(),
    }
    .seal(&keys.at(t0()))
    .unwrap();
    for header in [
        format!("__Host-drv={mine}; __Host-drv={theirs}"),
        format!("__Host-drv={mine}; __Host-drv=garbage"),
        format!("__Host-drv=garbage; x=1; __Host-drv={mine}"),
    ] {
        assert_eq!(
            Session::from_cookie_header(&keys.at(t0()), &header),
            Err(OpenError::DuplicateCookie {
                name: "__Host-drv",
                count: 2
            })
        );
    }
}

#[test]
fn malformed_cookie_headers_never_yield_a_session() {
    let keys = keys();
    for header in [
        ";;;",
        "=",
        "__Host-drv",
        "__Host-drv=",
        "__Host-drv=\"\"",
        "\u{0}=\u{0}",
        "__Host-drv=%%%",
    ] {
        let result = Session::from_cookie_header(&keys.at(t0()), header);
        assert!(!matches!(result, Ok(Some(_))), "{header:?}: {result:?}");
    }
    let huge = format!(
        "a={}; __Host-drv={}",
        "x".repeat(100_000),
        "A".repeat(10_000)
    );
    assert!(matches!(
        Session::from_cookie_header(&keys.at(t0()), &huge),
        Err(OpenError::TooLarge { .. })
    ));
}

#[test]
fn set_cookie_over_the_limit_is_refused() {
    #[derive(Serialize, Deserialize, SealedCookie)]
    #[cookie(name = "big", salt = "tests.big.v1", max_age = "1h")]
    struct Big(String);
    let err = Big("x".repeat(5000)).to_set_cookie(&keys()).unwrap_err();
    assert!(matches!(err, SealError::TooLarge { .. }), "{err:?}");
}

/// Version 2 of `Session` adds a field with a default: JSON values sealed by version 1 still
/// open. (A hand-written impl reusing `Session`'s config stands for "the same type, later".)
#[derive(Debug, Serialize, Deserialize)]
struct SessionV2 {
    user_id: u64,
    csrf: String,
    #[serde(default)]
    locale: Option<String>,
}
impl SealedCookie for SessionV2 {
    const CONFIG: CookieConfig = Session::CONFIG;
}
// A hand-written impl also says by hand that the type is stateless (no defence in its config),
// which the derive does itself.
impl Stateless for SessionV2 {}

#[test]
fn json_values_survive_an_added_default_field() {
    let keys = keys();
    let v2 = SessionV2::open(&keys, &session().seal(&keys).unwrap()).unwrap();
    assert_eq!((v2.user_id, v2.locale), (42, None));
}

/// `Cart` with its fields swapped, under the same salt: with the derive's fingerprint the old
/// value is refused; with the old fingerprint (a hand-written config) postcard would have
/// decoded the bytes positionally into the wrong fields, which is what the fingerprint prevents.
#[derive(Debug, Serialize, Deserialize)]
struct CartV2(String, Vec<u32>);
impl SealedCookie for CartV2 {
    // What the derive would write for the old shape; built through the derive's own (hidden)
    // entry point, as no public API builds a configuration.
    const CONFIG: CookieConfig = typed_cookies::__private::ConfigBuilder::new(
        "cart",
        "tests.cart.v1",
        Lifetime::MaxAgeSeconds(604_800),
    )
    .encrypted()
    .codec(Codec::Postcard, 0x5eed)
    .build();
}
impl Stateless for CartV2 {}

#[test]
fn postcard_values_do_not_open_after_the_schema_changes() {
    let keys = keys();
    let old = Cart(vec![1, 2, 3], "EUR".into()).seal(&keys).unwrap();
    assert_eq!(CartV2::open(&keys, &old).unwrap_err(), OpenError::Invalid);
    assert_eq!(Cart::CONFIG.format().codec, Codec::Postcard);
}

#[test]
fn postcard_values_are_shorter() {
    #[derive(Serialize, Deserialize, SealedCookie)]
    #[cookie(name = "j", salt = "tests.len.json", max_age = "1h", encrypt)]
    struct J {
        user_id: u64,
        name: String,
        roles: Vec<String>,
    }
    #[derive(Serialize, Deserialize, SealedCookie)]
    #[cookie(
        name = "p",
        salt = "tests.len.postcard",
        max_age = "1h",
        encrypt,
        codec = "postcard"
    )]
    struct P {
        user_id: u64,
        name: String,
        roles: Vec<String>,
    }
    let keys = keys();
    let roles = vec!["admin".to_owned(), "ops".to_owned()];
    let j = J {
        user_id: 1_000_001,
        name: "Grace Hopper".into(),
        roles: roles.clone(),
    }
    .seal(&keys)
    .unwrap();
    let p = P {
        user_id: 1_000_001,
        name: "Grace Hopper".into(),
        roles,
    }
    .seal(&keys)
    .unwrap();
    assert!(
        p.len() * 4 < j.len() * 3,
        "postcard {} vs json {}",
        p.len(),
        j.len()
    );
    // The codec is part of the value's identity.
    assert!(matches!(
        J::open(&keys, &p),
        Err(OpenError::WrongFormat { .. })
    ));
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "remember", salt = "tests.weeks.v1", max_age = "2w")]
struct Remember {
    user_id: u64,
}

/// `w` is a unit, as on the CLI's `--max-age`: two weeks to the second.
#[test]
fn max_age_in_weeks() {
    let keys = keys();
    let header = Remember { user_id: 1 }
        .to_set_cookie(&keys.at(t0()))
        .unwrap();
    assert!(
        header.ends_with("; Max-Age=1209600; Expires=Thu, 15 Jan 2026 00:00:00 GMT"),
        "{header}"
    );
    let value = Remember { user_id: 1 }.seal(&keys.at(t0())).unwrap();
    let last = keys.at(t0() + Duration::weeks(2));
    assert_eq!(Remember::open(&last, &value).unwrap().user_id, 1);
    assert!(matches!(
        Remember::open(
            &keys.at(t0() + Duration::weeks(2) + Duration::seconds(1)),
            &value
        ),
        Err(OpenError::Expired { .. })
    ));
}
