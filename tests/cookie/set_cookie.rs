//! The hand-written `Set-Cookie` text and its per-thread attribute cache, attacked: every
//! header is exactly an independent reference rendering of its own type (never a neighbour's
//! cached tail, across types, seconds, days, rings and the end of `time`'s range), past year
//! 9999, at the deadline, with no header text injectable through the payload or subject, and
//! at the 4096-byte limit either refused or whole.

use serde::{Deserialize, Serialize};
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::store::MemoryStore;
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{OpenError, RequestView, SealError, SealedCookie};
use typed_cookies_testkit::{at, clocked, poll_ready, ring, t0};

use crate::{HostA, Revocable};

// ---------------------------------------------------------------------------------------------
// Cookie types with every attribute combination the derive allows.
// ---------------------------------------------------------------------------------------------

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
    let dev = base.with_development_mode().unwrap();
    assert!(dev.for_host("localhost:3000").relaxes_cookies());
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
                // The ring at `t` as a request sees it: relaxed (loopback) or strict.
                let view = |t: i64| {
                    if relaxed {
                        dev.at(at(t)).for_host("localhost:3000")
                    } else {
                        RequestView::strict(base.at(at(t)))
                    }
                };
                let keys = view(now);
                let text = format!("r{round}");
                macro_rules! one {
                    ($ty:ident) => {{
                        let header = $ty { text: text.clone() }.to_set_cookie(&keys).unwrap();
                        check::<$ty>(&header, now, now, relaxed);
                        // The same type, resealed later (remaining lifetime), after others.
                        let value = split(&header).1.to_owned();
                        if now + 37 <= 253_402_300_799 {
                            let later = view(now + 37);
                            if let Ok(opened) = $ty::open_with_metadata(later.keys(), &value) {
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
