//! HTTP header text: rendering `Set-Cookie` (and its removal) from a [`CookieConfig`] with the
//! `cookie` crate, and finding one cookie among a request's `Cookie:` headers with our own
//! byte-exact splitter (a general parser's Unicode trimming let look-alike names through).

use std::fmt::Write as _;

use ::cookie::{Cookie, CookieBuilder};
use time::{Duration, OffsetDateTime};

use crate::cookie::{CookieConfig, SameSite};
use crate::error::{OpenError, SealError};
use crate::wire::MAX_COOKIE_LEN;

/// The `Set-Cookie` header value carrying `value` under `config`, sealed at `now` (unix
/// seconds) for a session created at `created_at`.
///
/// `Max-Age` (and `Expires`) is how long the server would still accept the value if no other
/// request came: the idle window, or what is left of the absolute lifetime, whichever ends
/// first; none for `no_expiry` (a browser-session cookie).
pub(crate) fn set_cookie(
    config: &CookieConfig,
    value: &str,
    now: i64,
    created_at: i64,
) -> Result<String, SealError> {
    let len = config.name().len() + value.len();
    if len > MAX_COOKIE_LEN {
        return Err(SealError::TooLarge {
            len,
            max: MAX_COOKIE_LEN,
        });
    }
    let mut builder = with_attributes(Cookie::build((config.name(), value)), config);
    let mut expires = None;
    let remaining = config
        .max_age()
        .map(|max_age| max_age - Duration::seconds(now.saturating_sub(created_at)));
    let browser_max_age = match (remaining, config.idle()) {
        (Some(remaining), Some(idle)) => Some(remaining.min(idle)),
        (remaining, idle) => remaining.or(idle),
    };
    if let Some(max_age) = browser_max_age {
        let max_age = max_age.max(Duration::ZERO);
        let now = OffsetDateTime::from_unix_timestamp(now).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        builder = builder.max_age(max_age);
        expires = Some(now.checked_add(max_age).unwrap_or(now));
    }
    Ok(render(builder, config, value.len(), expires))
}

/// The `Set-Cookie` header value that deletes the cookie (same name, Path and Domain).
pub(crate) fn removal(config: &CookieConfig) -> String {
    let builder =
        with_attributes(Cookie::build((config.name(), "")), config).max_age(Duration::ZERO);
    render(builder, config, 0, Some(OffsetDateTime::UNIX_EPOCH))
}

/// The header text of `builder`, then `Expires` (the `cookie` crate's last attribute, written
/// here: its `time` format description cost about a tenth of a request's typed-cookies work)
/// and what the `cookie` crate cannot write: `Priority`. Sized up front (the name, the value
/// and room for the attributes), so the text is not reallocated and copied as it grows.
fn render(
    builder: CookieBuilder<'_>,
    config: &CookieConfig,
    value_len: usize,
    expires: Option<OffsetDateTime>,
) -> String {
    let mut text = String::with_capacity(config.name().len() + value_len + 160);
    write!(text, "{}", builder.build()).expect("writing to a String cannot fail");
    if let Some(at) = expires {
        text.push_str("; Expires=");
        push_http_date(&mut text, at);
    }
    if let Some(priority) = config.priority() {
        text.push_str("; Priority=");
        text.push_str(priority.as_str());
    }
    text
}

/// Appends `at` (in UTC) as an IMF-fixdate, `Thu, 01 Jan 2026 00:01:00 GMT`: byte for byte
/// what the `cookie` crate writes (its `FMT1`: zero-padded day and time, the year unpadded).
fn push_http_date(text: &mut String, at: OffsetDateTime) {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let at = at.to_offset(time::UtcOffset::UTC);
    let two = |text: &mut String, n: u8| {
        text.push(char::from(b'0' + n / 10));
        text.push(char::from(b'0' + n % 10));
    };
    text.push_str(DAYS[usize::from(at.weekday().number_days_from_monday())]);
    text.push_str(", ");
    two(text, at.day());
    text.push(' ');
    text.push_str(MONTHS[usize::from(u8::from(at.month()) - 1)]);
    write!(text, " {} ", at.year()).expect("writing to a String cannot fail");
    two(text, at.hour());
    text.push(':');
    two(text, at.minute());
    text.push(':');
    two(text, at.second());
    text.push_str(" GMT");
}

fn with_attributes<'c>(builder: CookieBuilder<'c>, config: &CookieConfig) -> CookieBuilder<'c> {
    let mut builder = builder
        .path(config.path())
        .secure(config.secure())
        .http_only(config.http_only())
        .partitioned(config.partitioned())
        .same_site(match config.same_site() {
            SameSite::Strict => ::cookie::SameSite::Strict,
            SameSite::Lax => ::cookie::SameSite::Lax,
            SameSite::None => ::cookie::SameSite::None,
        });
    if let Some(domain) = config.domain() {
        builder = builder.domain(domain);
    }
    builder
}

/// The `name=value` pairs of one `Cookie:` request header, split the way browsers write it and
/// store names: on `;`, with only SP and HTAB trimmed around each name and value. Nothing else
/// is trimmed, folded or decoded, so a name is compared byte for byte: `"\u{2000}__Host-sid"`
/// (which a browser stores as an unprefixed cookie any sibling subdomain may set) or
/// `"__host-sid"` is never `__Host-sid`. Pieces without `=` are skipped (browsers send a
/// nameless cookie as its bare value; it has no name to be ours).
pub(crate) fn pairs(header: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    // `memchr` (SIMD) finds the separators: a byte-at-a-time split walked every byte of a
    // ~250-character sealed value, a tenth of a request's typed-cookies work.
    let mut rest = Some(header);
    std::iter::from_fn(move || {
        let piece = rest?;
        Some(match memchr::memchr(b';', piece) {
            Some(semi) => {
                rest = Some(&piece[semi + 1..]);
                &piece[..semi]
            }
            None => {
                rest = None;
                piece
            }
        })
    })
    .filter_map(|piece| {
        let eq = memchr::memchr(b'=', piece)?;
        Some((trim_sp_htab(&piece[..eq]), trim_sp_htab(&piece[eq + 1..])))
    })
}

/// `bytes` without leading and trailing SP (0x20) and HTAB (0x09), the only whitespace of
/// RFC 6265's `OWS`. Unicode whitespace, CR, LF, VT and FF stay: they are part of the name.
fn trim_sp_htab(bytes: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = bytes.iter().position(|b| !is_ows(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// The value of the cookie `name` in a request's `Cookie:` headers (HTTP/2 may send several;
/// they are searched as one): `Ok(None)` when absent, [`OpenError::DuplicateCookie`] when
/// present more than once (cookie tossing: a sibling subdomain or another path can plant a
/// second cookie of the same name, and nothing in the header says which is ours), and
/// [`OpenError::Malformed`] when the one value is not UTF-8.
///
/// Names match byte-exactly (see [`pairs`]); a look-alike name beside ours is ignored, not
/// counted as a duplicate, so planting one can neither sign a user in nor out.
pub(crate) fn find<'h>(
    headers: impl IntoIterator<Item = &'h [u8]>,
    name: &'static str,
) -> Result<Option<&'h str>, OpenError> {
    let mut found = None;
    let mut count = 0;
    for header in headers {
        for (pair_name, value) in pairs(header) {
            if pair_name == name.as_bytes() {
                count += 1;
                found = Some(value);
            }
        }
    }
    match count {
        0 | 1 => found
            .map(std::str::from_utf8)
            .transpose()
            .map_err(|_| OpenError::Malformed),
        count => Err(OpenError::DuplicateCookie { name, count }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(header: &str) -> Vec<String> {
        pairs(header.as_bytes())
            .map(|(n, v)| {
                format!(
                    "{}={}",
                    String::from_utf8_lossy(n),
                    String::from_utf8_lossy(v)
                )
            })
            .collect()
    }

    #[test]
    fn splits_on_semicolons_and_trims_only_sp_and_htab() {
        assert_eq!(names("a=1; b=2;c=3"), ["a=1", "b=2", "c=3"]);
        assert_eq!(names(" \t a \t= \t1 \t;"), ["a=1"]);
        assert_eq!(names("a==b=; nameless; =v"), ["a==b=", "=v"]);
        assert_eq!(names("\u{a0}a=1\u{2000}"), ["\u{a0}a=1\u{2000}"]);
        assert_eq!(names("\na=1\r"), ["\na=1\r"]);
        assert_eq!(names(""), Vec::<String>::new());
    }

    #[test]
    fn partitioned_and_priority_in_set_cookie_and_removal() {
        use crate::__private::ConfigBuilder;
        use crate::cookie::{Lifetime, Priority};
        let config = ConfigBuilder::new("__Host-w", "s", Lifetime::MaxAgeSeconds(60))
            .same_site(SameSite::None)
            .partitioned(true)
            .priority(Priority::Low)
            .build();
        let now = 1_767_225_600;
        assert_eq!(
            set_cookie(&config, "v", now, now).unwrap(),
            "__Host-w=v; HttpOnly; SameSite=None; Partitioned; Secure; Path=/; Max-Age=60; \
             Expires=Thu, 01 Jan 2026 00:01:00 GMT; Priority=Low"
        );
        assert_eq!(
            removal(&config),
            "__Host-w=; HttpOnly; SameSite=None; Partitioned; Secure; Path=/; Max-Age=0; \
             Expires=Thu, 01 Jan 1970 00:00:00 GMT; Priority=Low"
        );
        let plain = ConfigBuilder::new("sid", "s", Lifetime::NoExpiry).build();
        assert_eq!(
            set_cookie(&plain, "v", now, now).unwrap(),
            "sid=v; HttpOnly; SameSite=Lax; Secure; Path=/"
        );
    }

    /// The hand-written `Expires` and the sized rendering give exactly what the `cookie`
    /// crate wrote with `.expires(..)`, for every day from 1970 to 2100 (and a few instants).
    #[test]
    fn set_cookie_is_byte_for_byte_the_cookie_crates() {
        use crate::__private::ConfigBuilder;
        use crate::cookie::{Lifetime, Priority};
        let configs = [
            ConfigBuilder::new("sid", "s", Lifetime::MaxAgeSeconds(7200)).build(),
            ConfigBuilder::new("__Host-w", "s", Lifetime::MaxAgeSeconds(59))
                .same_site(SameSite::None)
                .partitioned(true)
                .priority(Priority::High)
                .build(),
        ];
        let reference = |config: &CookieConfig, value: &str, now: i64, max_age: i64| {
            let at = OffsetDateTime::from_unix_timestamp(now).unwrap();
            let max_age = Duration::seconds(max_age);
            let mut text = with_attributes(Cookie::build((config.name(), value)), config)
                .max_age(max_age)
                .expires(at + max_age)
                .build()
                .to_string();
            if let Some(priority) = config.priority() {
                text.push_str("; Priority=");
                text.push_str(priority.as_str());
            }
            text
        };
        let mut now = 0i64;
        while now < 4_102_444_800 {
            for (config, max_age) in configs.iter().zip([7200, 59]) {
                assert_eq!(
                    set_cookie(config, "v", now, now).unwrap(),
                    reference(config, "v", now, max_age),
                    "{now}"
                );
            }
            now += 86_400 + 3_607;
        }
        for config in &configs {
            let reference = with_attributes(Cookie::build((config.name(), "")), config)
                .max_age(Duration::ZERO)
                .expires(OffsetDateTime::UNIX_EPOCH)
                .build()
                .to_string();
            assert!(removal(config).starts_with(&reference));
        }
    }

    #[test]
    fn finds_exact_names_only_across_headers() {
        fn find<'h>(headers: &[&'h str]) -> Result<Option<&'h str>, OpenError> {
            super::find(headers.iter().map(|h| h.as_bytes()), "__Host-sid")
        }
        assert_eq!(find(&[]), Ok(None));
        assert_eq!(find(&["x=1", "__Host-sid=v"]), Ok(Some("v")));
        assert_eq!(find(&["__host-sid=v; \u{2000}__Host-sid=w"]), Ok(None));
        assert_eq!(
            find(&["__Host-sid=v", "a=1; __Host-sid=w"]),
            Err(OpenError::DuplicateCookie {
                name: "__Host-sid",
                count: 2
            })
        );
        assert_eq!(
            find(std::slice::from_ref(&"__Host-sid=\u{fffd}")),
            Ok(Some("\u{fffd}"))
        );
        assert_eq!(
            super::find([&b"__Host-sid=\xff"[..]], "__Host-sid"),
            Err(OpenError::Malformed)
        );
    }
}
