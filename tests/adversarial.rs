//! Hostile input against the cookie layer, through the public API only (from an attack review):
//!
//! 1. the hand-written `Set-Cookie` text and its per-thread attribute cache (header injection,
//!    stale attributes across types / seconds / days / rings, end-of-time dates, prefixes);
//! 2. `Cookie:` headers read as bytes (look-alike, quoted, percent-encoded and non-UTF-8
//!    names, duplicates across headers, oversized and garbage input);
//! 3. `SealError::EmptySubject` and the runtime one-time sealers' own HKDF namespace;
//! 4. actix-web's `MaybeGuarded<T>` and axum's `Option<Guarded<T>>` (revoked, replayed,
//!    unbound, duplicated cookies; outages).
//!
//! Every test asserts what the library does today: an attack that is refused. The review's one
//! finding (a planted duplicate made sign-out through `MaybeGuarded` a silent no-op) is fixed;
//! its tests, `cookie_tossing_makes_*_sign_out_fail_visibly_not_silently`, now assert the fix.

use std::sync::Arc;

use actix_web::http::header::{COOKIE, USER_AGENT};
use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{test as atest, web, App, HttpResponse};
use serde::{Deserialize, Serialize};
use typed_cookies::guard::{ClientContext, Guard, SignOutError};
use typed_cookies::integrations::actix::{guarded, Guarded, MaybeGuarded, ResponseBuilderExt};
use typed_cookies::store::MemoryStore;
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{KeyRing, OpenError, SealError, SealedCookie};
use typed_cookies_testkit::{at, clocked, poll_ready, ring, t0, SwitchableStore};

mod actix_support;
mod axum_guard_state;

use actix_support::call;

// ---------------------------------------------------------------------------------------------
// Cookie types with every attribute combination the derive allows.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-a", salt = "attack.a.v1", max_age = "1h")]
struct HostA {
    text: String,
}

/// Same attributes as `HostA` except the name: shares the cached tail.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-twin", salt = "attack.twin.v1", max_age = "1h")]
struct HostTwin {
    text: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "plain",
    salt = "attack.plain.v1",
    max_age = "2h",
    idle = "10m",
    path = "/admin",
    domain = "example.com",
    same_site = "strict",
    secure = false,
    http_only = false,
    priority = "high"
)]
struct Plain {
    text: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Secure-embed",
    salt = "attack.embed.v1",
    no_expiry,
    partitioned,
    same_site = "none",
    domain = ".Example.com",
    encrypt
)]
struct Embed {
    text: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-long",
    salt = "attack.long.v1",
    max_age = "400d",
    encrypt,
    priority = "low"
)]
struct Long {
    text: String,
}

/// What a `Set-Cookie` must say, computed independently (the `cookie` crate's rendering, with
/// `Priority` appended as the library documents).
fn reference<T: SealedCookie>(
    name: &str,
    value: &str,
    lifetime: Option<(i64, i64)>,
    relaxed: bool,
) -> String {
    use cookie::Cookie;
    let config = T::CONFIG;
    let mut builder = Cookie::build((name.to_owned(), value.to_owned()))
        .path(config.path())
        .secure(!relaxed && config.secure())
        .http_only(config.http_only())
        .partitioned(!relaxed && config.partitioned())
        .same_site(match (config.same_site(), relaxed) {
            (typed_cookies::SameSite::Strict, _) => cookie::SameSite::Strict,
            (typed_cookies::SameSite::Lax, _) | (typed_cookies::SameSite::None, true) => {
                cookie::SameSite::Lax
            }
            (typed_cookies::SameSite::None, false) => cookie::SameSite::None,
        });
    if let Some(domain) = config.domain() {
        builder = builder.domain(domain.to_owned());
    }
    if let Some((max_age, expires)) = lifetime {
        // Past what `time` can write: its last second (see the year-9999 test).
        let expires = OffsetDateTime::from_unix_timestamp(expires)
            .unwrap_or(typed_cookies::time::PrimitiveDateTime::MAX.assume_utc());
        builder = builder
            .max_age(cookie::time::Duration::seconds(max_age))
            .expires(
                cookie::time::OffsetDateTime::from_unix_timestamp(expires.unix_timestamp())
                    .unwrap(),
            );
    }
    // The `cookie` crate drops one leading dot of `Domain` (`.Example.com` is written
    // `Domain=Example.com`); the library must write the same (browsers ignore the dot either
    // way, RFC 6265 5.2.3).
    let mut text = builder.build().to_string();
    if let Some(priority) = config.priority() {
        text.push_str("; Priority=");
        text.push_str(priority.as_str());
    }
    text
}

/// `header` split into the pair and the attribute tail.
fn split(header: &str) -> (&str, &str, &str) {
    let (pair, tail) = header.split_once(';').unwrap_or((header, ""));
    let (name, value) = pair.split_once('=').unwrap();
    (name, value, tail)
}

/// The browser lifetime a type's `Set-Cookie` must carry at `now` for a session created at
/// `created`: the idle window or what is left of `max_age`, whichever ends first.
fn lifetime<T: SealedCookie>(now: i64, created: i64) -> Option<(i64, i64)> {
    let config = T::CONFIG;
    let remaining = config
        .max_age()
        .map(|m| m.whole_seconds() - (now - created));
    let idle = config.idle().map(|d| d.whole_seconds());
    let secs = match (remaining, idle) {
        (Some(r), Some(i)) => Some(r.min(i)),
        (r, i) => r.or(i),
    }?;
    let secs = secs.max(0);
    Some((secs, now + secs))
}

fn check<T: SealedCookie>(header: &str, now: i64, created: i64, relaxed: bool) {
    let (name, value, _) = split(header);
    let expected_name = if relaxed {
        T::CONFIG.development_name()
    } else {
        T::CONFIG.name()
    };
    assert_eq!(name, expected_name, "{header}");
    assert!(
        value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "value is base64url only: {header}"
    );
    assert_eq!(
        header,
        reference::<T>(expected_name, value, lifetime::<T>(now, created), relaxed),
        "now={now} created={created}"
    );
    // Valid header text with no control bytes at all.
    assert!(http::HeaderValue::from_str(header).is_ok());
    assert!(
        header.bytes().all(|b| (0x20..0x7f).contains(&b)),
        "{header}"
    );
}

/// The attribute cache, attacked: five types with different attributes, sealed and resealed
/// interleaved on one thread at instants that cross seconds, a day, a year, a leap day, the
/// epoch, and the end of `time`'s range; a relaxed (development, loopback) ring interleaved with
/// the strict one. Every header must be exactly the reference rendering of its own type, never
/// a neighbour's cached tail.
#[test]
fn set_cookie_attribute_cache_never_serves_a_stale_or_foreign_tail() {
    std::env::remove_var("TYPED_COOKIES_DEV");
    let base = ring();
    let dev = base
        .with_development_mode()
        .unwrap()
        .for_host("localhost:3000");
    assert!(dev.relaxes_cookies());
    let instants = [
        0,
        1,
        59,
        60,
        86_399,
        86_400,
        951_782_399, // 2000-02-28T23:59:59
        951_782_400, // 2000-02-29 (leap day)
        1_767_225_599,
        1_767_225_600,
        1_767_225_601,
        1_798_761_599, // 2026-12-31T23:59:59
        1_798_761_600,
        253_402_300_799 - 7200, // two hours before the end of year 9999
        253_402_300_799 - 1,
    ];
    for round in 0..3 {
        for &now in &instants {
            for relaxed in [false, true] {
                let keys = if relaxed { &dev } else { &base }.at(at(now));
                let text = format!("r{round}");
                macro_rules! one {
                    ($ty:ident) => {{
                        let header = $ty { text: text.clone() }.to_set_cookie(&keys).unwrap();
                        check::<$ty>(&header, now, now, relaxed);
                        // The same type, resealed later (remaining lifetime), after others.
                        let value = split(&header).1.to_owned();
                        if now + 37 <= 253_402_300_799 {
                            let later = keys.at(at(now + 37));
                            if let Ok(opened) = $ty::open_with_metadata(&later, &value) {
                                let resealed = opened.to_set_cookie(&later).unwrap();
                                check::<$ty>(&resealed, now + 37, now, relaxed);
                            }
                        }
                        header
                    }};
                }
                let a = one!(HostA);
                let p = one!(Plain);
                let t = one!(HostTwin);
                let e = one!(Embed);
                let l = one!(Long);
                let a2 = one!(HostA);
                // Removal in between (uncached path) and the twins' shared tail.
                assert!(HostA::removal().contains("Max-Age=0"));
                assert_eq!(split(&a).2, split(&t).2, "same attributes, same tail");
                assert_eq!(split(&a).2, split(&a2).2);
                assert_ne!(split(&a).2, split(&p).2);
                assert_ne!(split(&e).2, split(&l).2);
            }
        }
    }
}

/// At the end of `time`'s range, `Expires` cannot be written: the fallback is the last second
/// `time` can write (not the epoch, an `Expires` in the past), with `Max-Age` still right
/// (browsers honour `Max-Age` over `Expires`). No panic, no garbage date.
#[test]
fn set_cookie_past_year_9999_writes_max_age_and_the_last_second_of_9999() {
    let end = 253_402_300_799; // 9999-12-31T23:59:59Z
    let keys = ring().at(at(end - 10));
    let header = HostA { text: "x".into() }.to_set_cookie(&keys).unwrap();
    assert!(
        header.ends_with("; Max-Age=3600; Expires=Fri, 31 Dec 9999 23:59:59 GMT"),
        "{header}"
    );
    let header = Long { text: "x".into() }.to_set_cookie(&keys).unwrap();
    assert!(header.contains("; Max-Age=34560000; Expires=Fri, 31 Dec 9999 23:59:59 GMT"));
    // The value itself still opens there.
    let value = split(&header).1;
    assert!(Long::open(&keys, value).is_ok());
    // Before the epoch: a real date, not a panic.
    let keys = ring().at(at(-86_400 * 365));
    let header = HostA { text: "x".into() }.to_set_cookie(&keys).unwrap();
    assert!(
        header.ends_with("Expires=Wed, 01 Jan 1969 01:00:00 GMT"),
        "{header}"
    );
}

/// A session resealed exactly at its absolute deadline gets `Max-Age=0` (the browser drops it
/// at once) and one second later does not open at all: the cache key includes the lifetime, so
/// the previous second's `Max-Age=1` is not served.
#[test]
fn set_cookie_at_the_deadline_is_max_age_zero_not_a_cached_one() {
    let (keys, clock) = clocked(&ring());
    let value = HostA { text: "x".into() }.seal(&keys).unwrap();
    clock.advance(Duration::seconds(3599));
    let one = HostA::open_with_metadata(&keys, &value)
        .unwrap()
        .to_set_cookie(&keys)
        .unwrap();
    assert!(
        one.contains("; Max-Age=1; Expires=Thu, 01 Jan 2026 01:00:00 GMT"),
        "{one}"
    );
    clock.advance(Duration::seconds(1));
    let zero = HostA::open_with_metadata(&keys, &value)
        .unwrap()
        .to_set_cookie(&keys)
        .unwrap();
    assert!(
        zero.contains("; Max-Age=0; Expires=Thu, 01 Jan 2026 01:00:00 GMT"),
        "{zero}"
    );
    clock.advance(Duration::seconds(1));
    assert!(matches!(
        HostA::open_with_metadata(&keys, &value),
        Err(OpenError::Expired { .. })
    ));
}

/// Header injection through the payload or the subject: CR, LF, `;`, `,`, NUL, quotes and
/// non-ASCII in every user-controlled field never reach the header (the value is base64url).
#[test]
fn set_cookie_payload_and_subject_cannot_inject_header_text() {
    let keys = ring().at(t0());
    let evil = "x\r\nSet-Cookie: __Host-a=evil; Path=/\r\n\r\n<script>;,\"\0\u{2028}é\u{ffff}";
    for header in [
        HostA { text: evil.into() }.to_set_cookie(&keys).unwrap(),
        Plain { text: evil.into() }.to_set_cookie(&keys).unwrap(),
        Embed { text: evil.into() }.to_set_cookie(&keys).unwrap(),
    ] {
        assert_eq!(header.matches("Set-Cookie").count(), 0);
        assert!(
            header.bytes().all(|b| (0x20..0x7f).contains(&b)),
            "{header}"
        );
    }
    let header = HostA { text: evil.into() }.to_set_cookie(&keys).unwrap();
    check::<HostA>(&header, t0().unix_timestamp(), t0().unix_timestamp(), false);
    // `domain = ".Example.com"`: one leading dot dropped, as the `cookie` crate writes it.
    let header = Embed { text: evil.into() }.to_set_cookie(&keys).unwrap();
    assert!(header.contains("; Domain=Example.com"), "{header}");
    assert!(Embed::removal().contains("; Domain=Example.com"));
    let guard = Guard::new(MemoryStore::new());
    let issued = poll_ready(guard.issue(
        &keys,
        &Revocable { user: evil.into() },
        Some(evil),
        &ClientContext::new(),
    ))
    .unwrap();
    assert!(issued
        .set_cookie()
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b)));
    assert!(!issued.set_cookie().contains('\n'));
    let checked =
        poll_ready(guard.open::<Revocable>(&keys, issued.value(), &ClientContext::new())).unwrap();
    assert_eq!(checked.opened().subject(), Some(evil));
}

// ---------------------------------------------------------------------------------------------
// 2. Cookie headers read as bytes.
// ---------------------------------------------------------------------------------------------

/// Names that Chromium 156 stores and sends but that are not ours (checked by the reviewer in
/// headless Chromium: a sibling subdomain can plant `"__Host-sid"=` with quotes and
/// `__Host%2Dsid=`; nameless `=__Host-sid=…`, `__host-sid` and a Domain'ed `__Host-sid` are
/// refused by the browser), plus look-alikes no browser sends: none of them opens as ours,
/// and none counts as a duplicate beside the real one.
#[test]
fn cookie_lookalike_names_never_open_and_never_count_as_duplicates() {
    let keys = ring().at(t0());
    let real = HostA {
        text: "mine".into(),
    }
    .seal(&keys)
    .unwrap();
    let planted = HostA {
        text: "attacker".into(),
    }
    .seal(&keys)
    .unwrap();
    let lookalikes = [
        format!("\"__Host-a\"={planted}"),
        format!("__Host%2Da={planted}"),
        format!("__Host-a%3D={planted}"),
        format!("__host-a={planted}"),
        format!("__HOST-A={planted}"),
        format!("\u{2000}__Host-a={planted}"),
        format!("\u{a0}__Host-a={planted}"),
        format!("\u{feff}__Host-a={planted}"),
        format!("__Host-a\u{200b}={planted}"),
        format!("\x0b__Host-a={planted}"),
        format!("__Host-a\0={planted}"),
        format!("$__Host-a={planted}"),
        format!("__Host-a.={planted}"),
        format!("=__Host-a={planted}"),
        format!("__Host-ab={planted}"),
        format!("_Host-a={planted}"),
    ];
    for lookalike in &lookalikes {
        assert_eq!(
            HostA::from_cookie_header(&keys, lookalike),
            Ok(None),
            "{lookalike:?}"
        );
        for header in [
            format!("{lookalike}; __Host-a={real}"),
            format!("__Host-a={real}; {lookalike}"),
        ] {
            assert_eq!(
                HostA::from_cookie_header(&keys, &header)
                    .unwrap()
                    .unwrap()
                    .text,
                "mine",
                "{header:?}"
            );
        }
    }
    // What the browser's own OWS trimming allows stays ours (SP and HTAB only).
    assert_eq!(
        HostA::from_cookie_header(&keys, &format!(" \t__Host-a \t= \t{real} \t;"))
            .unwrap()
            .unwrap()
            .text,
        "mine"
    );
    // A value in DQUOTEs (RFC 6265 allows them) or with junk is refused, never "repaired".
    for value in [
        format!("\"{real}\""),
        format!("{real}="),
        format!("{real} x"),
        format!("{real}\u{2000}"),
    ] {
        assert_eq!(
            HostA::from_cookie_header(&keys, &format!("__Host-a={value}")),
            Err(OpenError::Malformed),
            "{value:?}"
        );
    }
}

/// Duplicates anywhere — one header, several headers (HTTP/2), an empty value beside the real
/// one — are refused, never resolved in favour of either copy; non-UTF-8 bytes elsewhere in
/// the header do not stop ours from opening; our value with non-UTF-8 bytes is Malformed;
/// an oversized value is refused before decoding; garbage never panics.
#[test]
fn cookie_headers_as_bytes_duplicates_non_utf8_and_garbage() {
    let keys = ring().at(t0());
    let real = HostA {
        text: "mine".into(),
    }
    .seal(&keys)
    .unwrap();
    let pair = format!("__Host-a={real}");
    let open = |headers: &[&[u8]]| {
        HostA::opened_from_cookie_headers(&keys, headers.iter().copied())
            .map(|o| o.map(|o| o.into_value().text))
    };
    let dup = Err(OpenError::DuplicateCookie {
        name: "__Host-a",
        count: 2,
    });
    assert_eq!(open(&[pair.as_bytes(), pair.as_bytes()]), dup);
    assert_eq!(open(&[pair.as_bytes(), b"__Host-a="]), dup);
    assert_eq!(open(&[b"__Host-a=", pair.as_bytes()]), dup);
    assert_eq!(open(&[format!("{pair};{pair}").as_bytes()]), dup);
    assert_eq!(
        open(&[b"x=\xff\xfe; \xc3(=1", pair.as_bytes()]),
        Ok(Some("mine".into()))
    );
    assert_eq!(
        open(&[&[b"\xff=1; ".as_slice(), pair.as_bytes()].concat()]),
        Ok(Some("mine".into()))
    );
    assert_eq!(open(&[b"__Host-a=\xff\xfe"]), Err(OpenError::Malformed));
    let mut raw = pair.clone().into_bytes();
    raw.push(0x80);
    assert_eq!(open(&[&raw]), Err(OpenError::Malformed));
    let huge = format!("__Host-a={}", "A".repeat(1 << 20));
    assert!(matches!(
        open(&[huge.as_bytes()]),
        Err(OpenError::TooLarge { .. })
    ));
    let many = "a=1;".repeat(100_000) + &pair;
    assert_eq!(open(&[many.as_bytes()]), Ok(Some("mine".into())));
    // Every byte value as a one-byte header, and every byte after our name: no panic.
    for b in 0u8..=255 {
        let _ = open(&[&[b]]);
        let _ = open(&[&[b"__Host-a=".as_slice(), &[b]].concat()]);
        let _ = open(&[&[b"__Host-a".as_slice(), &[b], b"=x".as_slice()].concat()]);
    }
    // The guard path reads the same way.
    let guard = Guard::new(MemoryStore::new());
    let issued = poll_ready(guard.issue(
        &keys,
        &Revocable { user: "u".into() },
        Some("u"),
        &ClientContext::new(),
    ))
    .unwrap();
    let pair = format!("__Host-rev={}", issued.value());
    let headers: [&[u8]; 2] = [pair.as_bytes(), pair.as_bytes()];
    assert_eq!(
        poll_ready(guard.open_from_cookie_headers::<Revocable>(
            &keys,
            headers,
            &ClientContext::new()
        ))
        .err(),
        Some(OpenError::DuplicateCookie {
            name: "__Host-rev",
            count: 2
        })
    );
    let headers: [&[u8]; 2] = [
        b"\"__Host-rev\"=x; __host-rev=y; \xff=\xfe",
        pair.as_bytes(),
    ];
    assert!(poll_ready(guard.open_from_cookie_headers::<Revocable>(
        &keys,
        headers,
        &ClientContext::new()
    ))
    .unwrap()
    .is_some());
}

// ---------------------------------------------------------------------------------------------
// 3. Empty subjects and one-time namespaces.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-rev",
    salt = "attack.shared.v1",
    max_age = "1h",
    revocable
)]
struct Revocable {
    user: String,
}

/// A derived `one_time` type under the salt the runtime one-time sealers below also use.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-once",
    salt = "attack.once.v1",
    max_age = "1h",
    one_time
)]
struct Once {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-bound",
    salt = "attack.bound.v1",
    max_age = "1h",
    bind = "user_agent"
)]
struct Bound {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-rep",
    salt = "attack.rep.v1",
    max_age = "1h",
    replay = "5s",
    encrypt
)]
struct Replay {
    user: String,
}

/// `Some("")` is refused for every kind of type (tracked or not), before the store is asked;
/// 255 bytes pass, 256 do not, in `issue` and `sign_out_everywhere` alike; the latter refuses
/// `""` and does not touch anonymous sessions.
#[test]
fn empty_subject_is_refused_for_every_type_and_anonymous_sessions_have_no_epoch() {
    let keys = ring().at(t0());
    let store = Arc::new(SwitchableStore::default());
    let guard = Guard::from_arc(store.clone());
    let ctx = ClientContext::new().user_agent("UA");
    store.set_down(true);
    // Refused as EmptySubject even while the store is down (not StoreUnavailable).
    assert_eq!(
        poll_ready(guard.issue(&keys, &Revocable { user: "".into() }, Some(""), &ctx)).err(),
        Some(SealError::EmptySubject)
    );
    store.set_down(false);
    assert_eq!(
        poll_ready(guard.issue(&keys, &Once { user: "".into() }, Some(""), &ctx)).err(),
        Some(SealError::EmptySubject)
    );
    assert_eq!(
        poll_ready(guard.issue(&keys, &Bound { user: "".into() }, Some(""), &ctx)).err(),
        Some(SealError::EmptySubject)
    );
    assert_eq!(
        poll_ready(guard.issue(&keys, &Replay { user: "".into() }, Some(""), &ctx)).err(),
        Some(SealError::EmptySubject)
    );
    assert_eq!(
        poll_ready(guard.issue(&keys, &HostA { text: "".into() }, Some(""), &ctx)).err(),
        Some(SealError::EmptySubject)
    );
    let long = "é".repeat(128); // 256 bytes
    assert_eq!(
        poll_ready(guard.issue(&keys, &Revocable { user: "".into() }, Some(&long), &ctx)).err(),
        Some(SealError::SubjectTooLong { len: 256 })
    );
    let ok = "a".repeat(255);
    assert!(
        poll_ready(guard.issue(&keys, &Revocable { user: "".into() }, Some(&ok), &ctx)).is_ok()
    );
    // Anonymous sessions are not "the empty subject".
    let anonymous =
        poll_ready(guard.issue(&keys, &Revocable { user: "".into() }, None, &ctx)).unwrap();
    // "Sign out everywhere" of the empty subject (or one no session can carry) is refused
    // before the store is asked, and does not touch anonymous sessions.
    assert_eq!(
        poll_ready(guard.sign_out_everywhere(&keys, "")),
        Err(SignOutError::EmptySubject)
    );
    assert_eq!(
        poll_ready(guard.sign_out_everywhere(&keys, &"a".repeat(1 << 20))),
        Err(SignOutError::SubjectTooLong { len: 1 << 20 })
    );
    assert_eq!(
        poll_ready(guard.sign_out_everywhere(&keys, &long)),
        Err(SignOutError::SubjectTooLong { len: 256 })
    );
    let opened = poll_ready(guard.open::<Revocable>(&keys, anonymous.value(), &ctx)).unwrap();
    assert_eq!(opened.opened().subject(), None);
    // A whitespace subject is a real subject, and "sign out everywhere" ends it.
    let spaced =
        poll_ready(guard.issue(&keys, &Revocable { user: "".into() }, Some(" "), &ctx)).unwrap();
    poll_ready(guard.sign_out_everywhere(&keys, " ")).unwrap();
    assert_eq!(
        poll_ready(guard.open::<Revocable>(&keys, spaced.value(), &ctx)).err(),
        Some(OpenError::Revoked)
    );
}

/// One-time tokens and sessions never open as each other, in any direction, under the same
/// salt, in both modes: runtime one-time sealer, derived `one_time` type, derived `revocable`
/// type, plain runtime sealer, and salts crafted to look like another namespace's HKDF label.
#[test]
fn one_time_tokens_and_sessions_never_cross_namespaces() {
    let keys = ring().at(t0());
    let guard = Guard::new(MemoryStore::new());
    let ctx = ClientContext::new();
    for salt in ["attack.once.v1", "attack.shared.v1"] {
        for signed in [true, false] {
            let builder = |s: &str| {
                if signed {
                    keys.signed(s)
                } else {
                    keys.encrypted(s)
                }
            };
            let runtime_once = builder(salt).one_time(Duration::hours(1));
            let plain = builder(salt).max_age(Duration::hours(1));
            let token = runtime_once.seal(&Once { user: "t".into() }).unwrap();
            // token -> derived one_time / revocable session, plain sealer: refused.
            assert!(poll_ready(guard.open::<Once>(&keys, &token, &ctx)).is_err());
            assert!(poll_ready(guard.open::<Revocable>(&keys, &token, &ctx)).is_err());
            assert!(plain.open::<Once>(&token).is_err());
            // (`Once::from_cookie_header`, the plain path, does not compile: `one_time` types
            // are not `Stateless`.)
            // Sessions / derived one-time values -> the runtime one-time sealer: refused.
            let once = poll_ready(guard.issue(&keys, &Once { user: "s".into() }, Some("s"), &ctx))
                .unwrap();
            let rev =
                poll_ready(guard.issue(&keys, &Revocable { user: "s".into() }, Some("s"), &ctx))
                    .unwrap();
            for value in [once.value(), rev.value()] {
                assert!(
                    matches!(
                        poll_ready(runtime_once.open::<Revocable>(&guard, value)),
                        Err(OpenError::Invalid | OpenError::WrongFormat { .. })
                    ),
                    "{salt} {signed}"
                );
            }
            // Crafted salts that spell another namespace's label.
            for crafted in [
                format!("{salt}+one-time"),
                format!("+one-time/{salt}"),
                format!("../signed+one-time/{salt}"),
                format!("../encrypted+one-time/{salt}"),
                format!("{salt}\0"),
            ] {
                let other_once = builder(&crafted).one_time(Duration::hours(1));
                let other_plain = builder(&crafted).max_age(Duration::hours(1));
                assert!(
                    poll_ready(other_once.open::<Once>(&guard, &token)).is_err(),
                    "{crafted}"
                );
                assert!(other_plain.open::<Once>(&token).is_err(), "{crafted}");
            }
            // The token itself: once.
            assert_eq!(
                poll_ready(runtime_once.open::<Once>(&guard, &token)),
                Ok(Once { user: "t".into() })
            );
            assert_eq!(
                poll_ready(runtime_once.open::<Once>(&guard, &token)),
                Err(OpenError::AlreadyUsed)
            );
        }
    }
}

/// A one-time token cannot be used twice at its very last second (claim and expiry share the
/// same `until`), nor after a clock moved backwards (the claim outlives the token).
#[test]
fn one_time_token_claim_covers_its_whole_life() {
    let (keys, clock) = clocked(&ring());
    let guard = Guard::new(MemoryStore::new());
    let once = keys.signed("attack.reset").one_time(Duration::seconds(60));
    let token = once.seal(&1u8).unwrap();
    clock.advance(Duration::seconds(60));
    assert_eq!(poll_ready(once.open::<u8>(&guard, &token)), Ok(1));
    assert_eq!(
        poll_ready(once.open::<u8>(&guard, &token)),
        Err(OpenError::AlreadyUsed)
    );
    clock.set(t0());
    assert_eq!(
        poll_ready(once.open::<u8>(&guard, &token)),
        Err(OpenError::AlreadyUsed)
    );
    clock.set(t0() + Duration::seconds(61));
    assert!(matches!(
        poll_ready(once.open::<u8>(&guard, &token)),
        Err(OpenError::Expired { .. })
    ));
    // Store down: refused, not accepted.
    let store = Arc::new(SwitchableStore::default());
    let down = Guard::from_arc(store.clone());
    store.set_down(true);
    clock.set(t0());
    let token = once.seal(&2u8).unwrap();
    assert_eq!(
        poll_ready(once.open::<u8>(&down, &token)),
        Err(OpenError::StoreUnavailable)
    );
    assert_eq!(
        poll_ready(once.open::<u8>(&Guard::stateless(), &token)),
        Err(OpenError::StoreUnavailable)
    );
}

// ---------------------------------------------------------------------------------------------
// 4. actix-web MaybeGuarded<T>.
// ---------------------------------------------------------------------------------------------

/// Unprefixed, so that a sibling subdomain can toss a second cookie of the same name.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "sid",
    salt = "attack.actix.session.v1",
    max_age = "8h",
    domain = "example.com",
    revocable,
    bind = "user_agent",
    encrypt
)]
struct Session {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-paranoid",
    salt = "attack.actix.paranoid.v1",
    max_age = "8h",
    replay = "5s"
)]
struct Paranoid {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-ticket",
    salt = "attack.actix.ticket.v1",
    max_age = "8h",
    one_time
)]
struct Ticket {
    user: String,
}

async fn sign_in(
    req: actix_web::HttpRequest,
    keys: web::Data<KeyRing>,
    guard: web::Data<Guard>,
) -> Result<HttpResponse, SealError> {
    let ua = req
        .headers()
        .get(USER_AGENT)
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let issued = guard
        .issue(
            &keys,
            &Session { user: "ann".into() },
            Some("ann"),
            &ClientContext::new().user_agent(ua),
        )
        .await?;
    Ok(HttpResponse::Ok().issued(&issued).finish())
}

async fn paranoid_sign_in(
    keys: web::Data<KeyRing>,
    guard: web::Data<Guard>,
) -> Result<HttpResponse, SealError> {
    let issued = guard
        .issue(
            &keys,
            &Paranoid { user: "ann".into() },
            None,
            &ClientContext::new(),
        )
        .await?;
    Ok(HttpResponse::Ok().issued(&issued).finish())
}

async fn ticket_issue(
    keys: web::Data<KeyRing>,
    guard: web::Data<Guard>,
) -> Result<HttpResponse, SealError> {
    let issued = guard
        .issue(
            &keys,
            &Ticket { user: "ann".into() },
            None,
            &ClientContext::new(),
        )
        .await?;
    Ok(HttpResponse::Ok().issued(&issued).finish())
}

async fn me(session: Guarded<Session>) -> String {
    format!("hello {}", session.user)
}

/// The documented sign-out.
async fn sign_out(
    MaybeGuarded(session): MaybeGuarded<Session>,
    keys: web::Data<KeyRing>,
    guard: web::Data<Guard>,
) -> HttpResponse {
    let had = session.is_some();
    if let Some(session) = session {
        if guard.revoke(&keys, session.opened()).await.is_err() {
            return HttpResponse::ServiceUnavailable().body("try again");
        }
    }
    HttpResponse::Ok()
        .removal::<Session>()
        .body(if had { "revoked" } else { "nothing" })
}

async fn paranoid_maybe(MaybeGuarded(session): MaybeGuarded<Paranoid>) -> String {
    session.map_or("none".into(), |s| format!("some {}", s.user))
}

async fn ticket_maybe(MaybeGuarded(ticket): MaybeGuarded<Ticket>) -> String {
    ticket.map_or("none".into(), |t| format!("some {}", t.user))
}

const FIREFOX: &str = "Mozilla/5.0 Firefox/140";

macro_rules! actix_app {
    ($keys:expr, $guard:expr) => {
        atest::init_service(
            App::new()
                .app_data(web::Data::new($keys))
                .app_data(web::Data::new($guard))
                .wrap(from_fn(guarded::<Paranoid, _>))
                .wrap(from_fn(guarded::<Session, _>))
                .wrap(from_fn(guarded::<Ticket, _>))
                .route("/sign-in", web::post().to(sign_in))
                .route("/me", web::get().to(me))
                .route("/sign-out", web::post().to(sign_out))
                .route("/paranoid/sign-in", web::post().to(paranoid_sign_in))
                .route("/paranoid", web::get().to(paranoid_maybe))
                .route("/ticket/issue", web::post().to(ticket_issue))
                .route("/ticket", web::get().to(ticket_maybe)),
        )
        .await
    };
}

/// `MaybeGuarded` never lets a refused cookie through as `Some`: a revoked session, an old
/// copy of a replay-detected session (which also revokes the current one), a one-time value
/// used twice, another browser's copy, a cookie sealed for another type, non-UTF-8 and garbage.
#[actix_web::test]
async fn maybe_guarded_refused_cookies_are_none_never_some() {
    let app = actix_app!(ring(), Guard::new(MemoryStore::new()));
    let sid = call(
        &app,
        atest::TestRequest::post().uri("/sign-in"),
        &[],
        FIREFOX,
    )
    .await
    .pair("sid")
    .unwrap();
    // Another browser: None, and its "sign-out" revoked nothing.
    let out = call(
        &app,
        atest::TestRequest::post().uri("/sign-out"),
        &[sid.as_bytes()],
        "curl/8",
    )
    .await;
    assert_eq!((out.status, out.body.as_str()), (StatusCode::OK, "nothing"));
    let me = call(
        &app,
        atest::TestRequest::get().uri("/me"),
        &[sid.as_bytes()],
        FIREFOX,
    )
    .await;
    assert_eq!(me.status, StatusCode::OK);
    // Revoked: None afterwards.
    let out = call(
        &app,
        atest::TestRequest::post().uri("/sign-out"),
        &[sid.as_bytes()],
        FIREFOX,
    )
    .await;
    assert_eq!(out.body, "revoked");
    let out = call(
        &app,
        atest::TestRequest::post().uri("/sign-out"),
        &[sid.as_bytes()],
        FIREFOX,
    )
    .await;
    assert_eq!(out.body, "nothing");
    // Garbage, non-UTF-8, another type's value under our name.
    let foreign = HostA { text: "x".into() }.seal(&ring()).unwrap();
    for cookie in [
        b"sid=\xff\xfe".to_vec(),
        b"sid=".to_vec(),
        format!("sid={foreign}").into_bytes(),
        format!("\"sid\"={}", &sid[4..]).into_bytes(),
    ] {
        let out = call(
            &app,
            atest::TestRequest::post().uri("/sign-out"),
            &[&cookie],
            FIREFOX,
        )
        .await;
        assert_eq!(
            (out.status, out.body.as_str()),
            (StatusCode::OK, "nothing"),
            "{cookie:?}"
        );
    }
    // Replay: rotate once, then present the old copy after the grace window.
    let (keys, clock) = clocked(&ring());
    let app = actix_app!(keys, Guard::new(MemoryStore::new()));
    let first = call(
        &app,
        atest::TestRequest::post().uri("/paranoid/sign-in"),
        &[],
        FIREFOX,
    )
    .await
    .pair("__Host-paranoid")
    .unwrap();
    let out = call(
        &app,
        atest::TestRequest::get().uri("/paranoid"),
        &[first.as_bytes()],
        FIREFOX,
    )
    .await;
    assert_eq!(out.body, "some ann");
    let second = out.pair("__Host-paranoid").expect("renewed");
    clock.advance(Duration::seconds(6));
    let out = call(
        &app,
        atest::TestRequest::get().uri("/paranoid"),
        &[first.as_bytes()],
        FIREFOX,
    )
    .await;
    assert_eq!((out.status, out.body.as_str()), (StatusCode::OK, "none"));
    let out = call(
        &app,
        atest::TestRequest::get().uri("/paranoid"),
        &[second.as_bytes()],
        FIREFOX,
    )
    .await;
    assert_eq!(
        out.body, "none",
        "the whole session was revoked by the replay"
    );
    // One-time: Some once, then None.
    let ticket = call(
        &app,
        atest::TestRequest::post().uri("/ticket/issue"),
        &[],
        FIREFOX,
    )
    .await
    .pair("__Host-ticket")
    .unwrap();
    let out = call(
        &app,
        atest::TestRequest::get().uri("/ticket"),
        &[ticket.as_bytes()],
        FIREFOX,
    )
    .await;
    assert_eq!(out.body, "some ann");
    let out = call(
        &app,
        atest::TestRequest::get().uri("/ticket"),
        &[ticket.as_bytes()],
        FIREFOX,
    )
    .await;
    assert_eq!(out.body, "none");
}

/// Outages are never `None`: a down store, and a `Guard::stateless()` for tracked types, are
/// 503 through `MaybeGuarded` — for a revocable session, a one-time value (not consumed: it
/// works once the store is back) and a replay type behind the `guarded` middleware.
#[actix_web::test]
async fn maybe_guarded_outages_are_503_for_every_tracking_kind() {
    let store = Arc::new(SwitchableStore::default());
    let app = actix_app!(ring(), Guard::from_arc(store.clone()));
    let sid = call(
        &app,
        atest::TestRequest::post().uri("/sign-in"),
        &[],
        FIREFOX,
    )
    .await
    .pair("sid")
    .unwrap();
    let ticket = call(
        &app,
        atest::TestRequest::post().uri("/ticket/issue"),
        &[],
        FIREFOX,
    )
    .await
    .pair("__Host-ticket")
    .unwrap();
    let paranoid = call(
        &app,
        atest::TestRequest::post().uri("/paranoid/sign-in"),
        &[],
        FIREFOX,
    )
    .await
    .pair("__Host-paranoid")
    .unwrap();
    store.set_down(true);
    for (uri, cookie) in [
        ("/sign-out", &sid),
        ("/ticket", &ticket),
        ("/paranoid", &paranoid),
    ] {
        let request = if uri == "/sign-out" {
            atest::TestRequest::post()
        } else {
            atest::TestRequest::get()
        };
        let out = call(&app, request.uri(uri), &[cookie.as_bytes()], FIREFOX).await;
        assert_eq!(
            out.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{uri}: {}",
            out.body
        );
        assert!(out.set_cookies.is_empty(), "{uri}: {:?}", out.set_cookies);
    }
    store.set_down(false);
    let out = call(
        &app,
        atest::TestRequest::get().uri("/ticket"),
        &[ticket.as_bytes()],
        FIREFOX,
    )
    .await;
    assert_eq!(out.body, "some ann", "not consumed during the outage");
    let out = call(
        &app,
        atest::TestRequest::post().uri("/sign-out"),
        &[sid.as_bytes()],
        FIREFOX,
    )
    .await;
    assert_eq!(out.body, "revoked");

    let stateless = actix_app!(ring(), Guard::stateless());
    let out = call(
        &stateless,
        atest::TestRequest::post().uri("/sign-out"),
        &[sid.as_bytes()],
        FIREFOX,
    )
    .await;
    assert_eq!(out.status, StatusCode::SERVICE_UNAVAILABLE);
}

/// Regression (attack review, low): cookie tossing used to defeat the documented `MaybeGuarded`
/// sign-out. A sibling subdomain (or any page on the parent domain) plants a second `sid` for
/// `Domain=example.com`; the browser now sends both. The lookup refuses the duplicate
/// (`DuplicateCookie`), and `MaybeGuarded` turned that into `None`: the handler revoked
/// nothing and answered "signed out" with a removal, while the real session (and any stolen
/// copy of it) stayed valid. Now `MaybeGuarded` rejects the request with 400 (the handler never
/// runs, no cookie is cleared, the body names the cookie and no secret); an absent or refused
/// cookie is still `None`.
#[actix_web::test]
async fn cookie_tossing_makes_sign_out_fail_visibly_not_silently() {
    let app = actix_app!(ring(), Guard::new(MemoryStore::new()));
    let sid = call(
        &app,
        atest::TestRequest::post().uri("/sign-in"),
        &[],
        FIREFOX,
    )
    .await
    .pair("sid")
    .unwrap();
    let value = &sid["sid=".len()..];
    // The victim's browser sends its own cookie and the planted one (any value, either order,
    // in one `Cookie:` header or two).
    let planted_after = format!("{sid}; sid=planted");
    let planted_before = format!("sid=planted; {sid}");
    let cases: [&[&[u8]]; 3] = [
        &[planted_after.as_bytes()],
        &[planted_before.as_bytes()],
        &[sid.as_bytes(), b"sid=planted"],
    ];
    for cookies in cases {
        let out = call(
            &app,
            atest::TestRequest::post().uri("/sign-out"),
            cookies,
            FIREFOX,
        )
        .await;
        assert_eq!(out.status, StatusCode::BAD_REQUEST, "{}", out.body);
        assert!(
            out.body.starts_with("400 Bad Request: ") && out.body.contains("`sid` cookie"),
            "{}",
            out.body
        );
        assert!(!out.body.contains(value) && !out.body.contains("planted"));
        assert!(
            out.set_cookies.is_empty(),
            "nothing cleared: {:?}",
            out.set_cookies
        );
    }
    // The session is still there (the user can clear the planted cookie and sign out), and an
    // absent or refused cookie is still `None`, not 400.
    let me = call(
        &app,
        atest::TestRequest::get().uri("/me"),
        &[sid.as_bytes()],
        FIREFOX,
    )
    .await;
    assert_eq!((me.status, me.body.as_str()), (StatusCode::OK, "hello ann"));
    for cookies in [&[][..], &[&b"sid=planted"[..]][..]] {
        let out = call(
            &app,
            atest::TestRequest::post().uri("/sign-out"),
            cookies,
            FIREFOX,
        )
        .await;
        assert_eq!((out.status, out.body.as_str()), (StatusCode::OK, "nothing"));
    }
    // With the planted cookie gone, the sign-out revokes for real: the copy no longer works.
    let out = call(
        &app,
        atest::TestRequest::post().uri("/sign-out"),
        &[sid.as_bytes()],
        FIREFOX,
    )
    .await;
    assert_eq!((out.status, out.body.as_str()), (StatusCode::OK, "revoked"));
    let me = call(
        &app,
        atest::TestRequest::get().uri("/me"),
        &[sid.as_bytes()],
        FIREFOX,
    )
    .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
}

/// The same attack on axum's `Option<Guarded<T>>`, the optional form its docs give for a
/// sign-out: a duplicated name is 400, not `None`, so the handler never runs.
#[tokio::test]
async fn cookie_tossing_makes_an_axum_sign_out_fail_visibly_not_silently() {
    use axum::extract::State;
    use axum::routing::{get, post};
    use tower::ServiceExt as _;
    use typed_cookies::integrations::axum::{client_context_of, Guarded as AxumGuarded, Removal};

    use crate::axum_guard_state::AppState;

    async fn sign_in(
        State(state): State<AppState>,
        request: axum::extract::Request,
    ) -> Result<String, SealError> {
        let (parts, _) = request.into_parts();
        let ctx = client_context_of::<Session>(&parts, &state.guard).unwrap();
        let issued = state
            .guard
            .issue(
                &state.keys,
                &Session { user: "ann".into() },
                Some("ann"),
                &ctx,
            )
            .await?;
        Ok(issued.set_cookie().to_owned())
    }
    async fn sign_out(
        State(state): State<AppState>,
        session: Option<AxumGuarded<Session>>,
    ) -> axum::response::Response {
        use axum::response::IntoResponse as _;
        let had = session.is_some();
        if let Some(session) = session {
            if state
                .guard
                .revoke(&state.keys, session.opened())
                .await
                .is_err()
            {
                return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "try again").into_response();
            }
        }
        (
            Removal::<Session>::new(),
            if had { "revoked" } else { "nothing" },
        )
            .into_response()
    }
    let state = AppState {
        keys: ring(),
        guard: Guard::new(MemoryStore::new()),
    };
    let app = axum::Router::new()
        .route("/sign-in", post(sign_in))
        .route("/sign-out", post(sign_out))
        .route(
            "/me",
            get(|s: AxumGuarded<Session>| async move { format!("hello {}", s.user) }),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            typed_cookies::integrations::axum::guarded::<Session, AppState>,
        ))
        .with_state(state);
    let send = |method: &str, uri: &str, cookies: &[&str]| {
        let mut request = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .header(USER_AGENT.as_str(), FIREFOX);
        for cookie in cookies {
            request = request.header(COOKIE.as_str(), *cookie);
        }
        let request = request.body(axum::body::Body::empty()).unwrap();
        let app = app.clone();
        async move {
            let response = app.oneshot(request).await.unwrap();
            let status = response.status().as_u16();
            let set_cookies = response
                .headers()
                .get_all("set-cookie")
                .iter()
                .map(|v| v.to_str().unwrap().to_owned())
                .collect::<Vec<_>>();
            let body = axum::body::to_bytes(response.into_body(), 1 << 16)
                .await
                .unwrap();
            (
                status,
                set_cookies,
                String::from_utf8(body.to_vec()).unwrap(),
            )
        }
    };
    let (_, _, set_cookie) = send("POST", "/sign-in", &[]).await;
    let sid = set_cookie.split(';').next().unwrap().to_owned();
    let value = &sid["sid=".len()..];
    let planted_after = format!("{sid}; sid=planted");
    let planted_before = format!("sid=planted; {sid}");
    let cases: [&[&str]; 3] = [
        &[&planted_after],
        &[&planted_before],
        &[&sid, "sid=planted"],
    ];
    for cookies in cases {
        let (status, set_cookies, body) = send("POST", "/sign-out", cookies).await;
        assert_eq!(status, 400, "{body}");
        assert!(
            body.starts_with("400 Bad Request: ") && body.contains("`sid` cookie"),
            "{body}"
        );
        assert!(!body.contains(value) && !body.contains("planted"));
        assert!(set_cookies.is_empty(), "nothing cleared: {set_cookies:?}");
    }
    assert_eq!(send("GET", "/me", &[&sid]).await.0, 200, "still signed in");
    for cookies in [&[][..], &["sid=planted"][..]] {
        let (status, _, body) = send("POST", "/sign-out", cookies).await;
        assert_eq!((status, body.as_str()), (200, "nothing"));
    }
    let (status, _, body) = send("POST", "/sign-out", &[&sid]).await;
    assert_eq!((status, body.as_str()), (200, "revoked"));
    assert_eq!(send("GET", "/me", &[&sid]).await.0, 401, "revoked for real");
}

/// Length accounting at the 4096-byte limit: for every payload size around it, `to_set_cookie`
/// either refuses with `TooLarge` or writes a header whose `name=value` is at most 4096 bytes
/// and opens back from a `Cookie:` header; never a panic, never a truncated value.
#[test]
fn set_cookie_length_at_the_limit_is_refused_or_whole() {
    let keys = ring().at(t0());
    let mut last_ok = 0;
    for len in 2900..3200 {
        let value = HostA {
            text: "x".repeat(len),
        };
        match value.to_set_cookie(&keys) {
            Ok(header) => {
                let (name, sealed, _) = split(&header);
                assert!(name.len() + sealed.len() <= typed_cookies::MAX_COOKIE_LEN);
                let back = HostA::from_cookie_header(&keys, &format!("{name}={sealed}"))
                    .unwrap()
                    .unwrap();
                assert_eq!(back.text.len(), len);
                last_ok = len;
            }
            Err(SealError::TooLarge { len: total, max }) => {
                assert_eq!(max, typed_cookies::MAX_COOKIE_LEN);
                assert!(total > max, "{total} {max}");
            }
            Err(other) => panic!("{other:?}"),
        }
    }
    assert!(last_ok > 2900, "the limit was reached inside the range");
}
