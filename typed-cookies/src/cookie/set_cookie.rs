//! Writing `Set-Cookie` header text: the header that sets a cookie from its [`CookieConfig`]
//! and a sealed value ([`set_cookie_with`]), and the one that removes it ([`removal`]).
//!
//! Byte for byte what the `cookie` crate writes for the same attributes (its attribute order,
//! its IMF-fixdate; a test compares the two), straight into one buffer sized up front: the
//! sealed value is encoded into it after `name=`, then the attributes follow. Formatting
//! through the `cookie` crate's `Display` and a separate value string cost about a quarter of
//! what a request's typed-cookies work adds to seal + open. The attribute text is cached per
//! thread for the second it was written for.

use std::cell::RefCell;

use time::{Duration, OffsetDateTime};

use crate::cookie::{CookieConfig, SameSite};
use crate::error::SealError;
use crate::wire::MAX_COOKIE_LEN;

/// The `Set-Cookie` header value of a value of `value_len` bytes, sealed at `now` (unix
/// seconds) for a session created at `created_at`: `name=`, the value (appended by
/// `write_value`), then the attributes. Refused with [`SealError::TooLarge`] when name and
/// value are over [`MAX_COOKIE_LEN`].
///
/// The text is allocated once, at exactly its length: a `String` whose capacity is its length
/// becomes an `http::HeaderValue` without another allocation (a `Bytes` made from a `Vec`
/// with spare capacity boxes a shared header for it).
///
/// `Max-Age` (and `Expires`) is how long the server would still accept the value if no other
/// request came: the idle window, or what is left of the absolute lifetime, whichever ends
/// first; none for `no_expiry` (a browser-session cookie).
pub(crate) fn set_cookie_with(
    config: &CookieConfig,
    value_len: usize,
    now: i64,
    created_at: i64,
    write_value: impl FnOnce(&mut String),
) -> Result<String, SealError> {
    let len = config.name().len() + value_len;
    if len > MAX_COOKIE_LEN {
        return Err(SealError::TooLarge {
            len,
            max: MAX_COOKIE_LEN,
        });
    }
    let key = AttributesKey::new(config, now, created_at);
    let text = with_attributes(&key, config, |attributes| {
        let mut text = String::with_capacity(len + 1 + attributes.len());
        text.push_str(config.name());
        text.push('=');
        write_value(&mut text);
        text.push_str(attributes);
        text
    });
    Ok(text)
}

/// The `Set-Cookie` header value carrying `value` under `config` (see [`set_cookie_with`]).
#[cfg(test)]
pub(crate) fn set_cookie(
    config: &CookieConfig,
    value: &str,
    now: i64,
    created_at: i64,
) -> Result<String, SealError> {
    set_cookie_with(config, value.len(), now, created_at, |text| {
        text.push_str(value)
    })
}

/// The `Set-Cookie` header value that deletes the cookie (same name, Path and Domain).
pub(crate) fn removal(config: &CookieConfig) -> String {
    let mut text = format!("{}=", config.name());
    push_attributes(
        &mut text,
        config,
        Some((0, OffsetDateTime::UNIX_EPOCH.unix_timestamp())),
    );
    text
}

/// Everything the attribute text of a `Set-Cookie` depends on: the cookie's attributes, its
/// `Max-Age` and its `Expires` instant (unix seconds), when it has them.
#[derive(Clone, PartialEq, Eq)]
struct AttributesKey {
    http_only: bool,
    same_site: SameSite,
    partitioned: bool,
    secure: bool,
    path: &'static str,
    domain: Option<&'static str>,
    priority: Option<crate::cookie::Priority>,
    lifetime: Option<(i64, i64)>,
}

impl AttributesKey {
    fn new(config: &CookieConfig, now: i64, created_at: i64) -> Self {
        let remaining = config
            .max_age()
            .map(|max_age| max_age - Duration::seconds(now.saturating_sub(created_at)));
        let browser_max_age = match (remaining, config.idle()) {
            (Some(remaining), Some(idle)) => Some(remaining.min(idle)),
            (remaining, idle) => remaining.or(idle),
        };
        Self {
            http_only: config.http_only(),
            same_site: config.same_site(),
            partitioned: config.partitioned(),
            secure: config.secure(),
            path: config.path(),
            domain: config.domain(),
            priority: config.priority(),
            lifetime: browser_max_age.map(|max_age| {
                let secs = max_age.max(Duration::ZERO).whole_seconds();
                (secs, now.saturating_add(secs))
            }),
        }
    }
}

/// The last attribute text written on this thread, with what it was written for.
struct LastAttributes {
    key: Option<AttributesKey>,
    text: String,
}

thread_local! {
    /// A server writes the same attributes (the same `Max-Age`, the same `Expires` second)
    /// into every response of a second, so they are formatted once a second, not once a
    /// response (hyper caches its `Date` header the same way).
    static LAST_ATTRIBUTES: RefCell<LastAttributes> =
        const { RefCell::new(LastAttributes { key: None, text: String::new() }) };
}

/// Runs `f` with the attribute text for `key` (`config`'s): this thread's last one when `key`
/// is the same, else written now (and kept for next time).
fn with_attributes<R>(key: &AttributesKey, config: &CookieConfig, f: impl FnOnce(&str) -> R) -> R {
    LAST_ATTRIBUTES.with(|cell| {
        let Ok(mut last) = cell.try_borrow_mut() else {
            // Re-entered (`f` only encodes and copies today, so not reachable): no cache.
            let mut text = String::new();
            push_attributes(&mut text, config, key.lifetime);
            return f(&text);
        };
        if last.key.as_ref() != Some(key) {
            // Forgotten first, so a text left half-written can never be served as `key`'s.
            last.key = None;
            last.text.clear();
            push_attributes(&mut last.text, config, key.lifetime);
            last.key = Some(key.clone());
        }
        f(&last.text)
    })
}

/// The attributes, in the `cookie` crate's order (`HttpOnly`, `SameSite`, `Partitioned`,
/// `Secure`, `Path`, `Domain`, `Max-Age`, `Expires`), then what it cannot write: `Priority`.
/// `lifetime` is `Max-Age` in seconds and the `Expires` instant (unix seconds), when the
/// cookie has them; an instant `time` cannot represent is written as the epoch.
fn push_attributes(text: &mut String, config: &CookieConfig, lifetime: Option<(i64, i64)>) {
    if config.http_only() {
        text.push_str("; HttpOnly");
    }
    text.push_str(match config.same_site() {
        SameSite::Strict => "; SameSite=Strict",
        SameSite::Lax => "; SameSite=Lax",
        SameSite::None => "; SameSite=None",
    });
    if config.partitioned() {
        text.push_str("; Partitioned");
    }
    // As the `cookie` crate: a partitioned cookie is always `Secure`.
    if config.secure() || config.partitioned() {
        text.push_str("; Secure");
    }
    text.push_str("; Path=");
    text.push_str(config.path());
    if let Some(domain) = config.domain() {
        // One leading dot dropped, as the `cookie` crate does: browsers ignore it anyway
        // (RFC 6265 5.2.3), and the header stays byte for byte the `cookie` crate's.
        text.push_str("; Domain=");
        text.push_str(domain.strip_prefix('.').unwrap_or(domain));
    }
    if let Some((max_age, expires)) = lifetime {
        text.push_str("; Max-Age=");
        text.push_str(itoa::Buffer::new().format(max_age));
        text.push_str("; Expires=");
        // Past what `time` represents (year 9999, reachable only with a far-off clock): the
        // last second it can write, not the epoch (an `Expires` in the past).
        let at = OffsetDateTime::from_unix_timestamp(expires).unwrap_or(if expires > 0 {
            time::PrimitiveDateTime::MAX.assume_utc()
        } else {
            OffsetDateTime::UNIX_EPOCH
        });
        push_http_date(text, at);
    }
    if let Some(priority) = config.priority() {
        text.push_str("; Priority=");
        text.push_str(priority.as_str());
    }
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
    text.push(' ');
    text.push_str(itoa::Buffer::new().format(at.year()));
    text.push(' ');
    two(text, at.hour());
    text.push(':');
    two(text, at.minute());
    text.push(':');
    two(text, at.second());
    text.push_str(" GMT");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitioned_and_priority_in_set_cookie_and_removal() {
        use crate::cookie::builder::ConfigBuilder;
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

    #[test]
    fn an_expiry_past_year_9999_is_the_last_second_of_9999_not_the_epoch() {
        use crate::cookie::builder::ConfigBuilder;
        use crate::cookie::Lifetime;
        let config = ConfigBuilder::new("sid", "s", Lifetime::MaxAgeSeconds(60)).build();
        let last_second = 253_402_300_799; // Fri, 31 Dec 9999 23:59:59 GMT
        for now in [last_second - 60, last_second, i64::MAX - 60] {
            let text = set_cookie(&config, "v", now, now).unwrap();
            assert!(
                text.ends_with("Max-Age=60; Expires=Fri, 31 Dec 9999 23:59:59 GMT"),
                "{text}"
            );
        }
    }

    /// The `cookie` crate's rendering of `config`'s cookie: the reference ours must match.
    fn reference(
        config: &CookieConfig,
        value: &str,
        lifetime: Option<(Duration, OffsetDateTime)>,
    ) -> String {
        use ::cookie::Cookie;
        let mut builder = Cookie::build((config.name(), value))
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
        if let Some((max_age, expires)) = lifetime {
            builder = builder.max_age(max_age).expires(expires);
        }
        let mut text = builder.build().to_string();
        if let Some(priority) = config.priority() {
            text.push_str("; Priority=");
            text.push_str(priority.as_str());
        }
        text
    }

    /// The hand-written rendering gives exactly what the `cookie` crate writes for the same
    /// attributes: every combination of the flags, with and without `Domain`, a longer
    /// `Path`, with and without a lifetime, for every day from 1970 to 2100 (and a few
    /// instants), and the removal.
    #[test]
    fn set_cookie_is_byte_for_byte_the_cookie_crates() {
        use crate::cookie::builder::ConfigBuilder;
        use crate::cookie::{Lifetime, Priority};
        let mut configs = Vec::new();
        for flags in 0u8..64 {
            let bit = |n: u8| flags & (1 << n) != 0;
            let lifetime = if bit(5) {
                Lifetime::NoExpiry
            } else {
                Lifetime::MaxAgeSeconds(7200)
            };
            let mut builder = ConfigBuilder::new("__Secure-w", "s", lifetime)
                .secure(bit(0))
                .http_only(bit(1))
                .partitioned(bit(2) && bit(0))
                .same_site(match flags % 3 {
                    0 => SameSite::Lax,
                    1 => SameSite::Strict,
                    _ => SameSite::None,
                });
            if bit(3) {
                // A leading dot (and capitals) half the time: the `cookie` crate drops one dot.
                let domain = if flags % 2 == 0 {
                    "example.com"
                } else {
                    ".Example.com"
                };
                builder = builder.domain(domain).path("/app/v2");
            }
            if bit(4) {
                builder = builder.priority(
                    [Priority::Low, Priority::Medium, Priority::High][usize::from(flags % 3)],
                );
            }
            configs.push(builder.build());
        }
        configs.push(
            ConfigBuilder::new("sid", "s", Lifetime::MaxAgeSeconds(7200))
                .idle(1800)
                .build(),
        );
        let value = "AQL_-Y5ZAAAAAGsIhUSkwq52bJGe0s2t";
        for config in &configs {
            let lifetime = |now: i64| {
                let at = OffsetDateTime::from_unix_timestamp(now).unwrap();
                let max_age = match (config.max_age(), config.idle()) {
                    (Some(max_age), Some(idle)) => Some(max_age.min(idle)),
                    (max_age, idle) => max_age.or(idle),
                };
                max_age.map(|max_age| (max_age, at + max_age))
            };
            let mut now = 0i64;
            while now < 4_102_444_800 {
                assert_eq!(
                    set_cookie(config, value, now, now).unwrap(),
                    reference(config, value, lifetime(now)),
                    "{now} {config:?}"
                );
                now += 86_400 * 7 + 3_607;
            }
            assert_eq!(
                removal(config),
                reference(
                    config,
                    "",
                    Some((Duration::ZERO, OffsetDateTime::UNIX_EPOCH))
                )
            );
        }
        // A declared leading dot is dropped, once, as the `cookie` crate does.
        let dotted = ConfigBuilder::new("sid", "s", Lifetime::NoExpiry)
            .domain(".Example.com")
            .build();
        assert_eq!(
            set_cookie(&dotted, "v", 0, 0).unwrap(),
            "sid=v; HttpOnly; SameSite=Lax; Secure; Path=/; Domain=Example.com"
        );
        assert_eq!(
            removal(&dotted),
            reference(
                &dotted,
                "",
                Some((Duration::ZERO, OffsetDateTime::UNIX_EPOCH))
            )
        );
        // Every day, for the date itself.
        let mut now = 0i64;
        while now < 4_102_444_800 {
            assert_eq!(
                set_cookie(&configs[0], "v", now, now).unwrap(),
                reference(
                    &configs[0],
                    "v",
                    Some((
                        Duration::hours(2),
                        OffsetDateTime::from_unix_timestamp(now + 7200).unwrap()
                    ))
                ),
                "{now}"
            );
            now += 86_400 + 3_607;
        }
    }

    /// The per-thread attribute cache answers for the instant and the attributes asked,
    /// whether they are the cached ones or not; an instant `time` cannot represent is its last
    /// second (see the next test); the text is allocated at exactly its length.
    #[test]
    fn attribute_cache_answers_for_what_is_asked() {
        use crate::cookie::builder::ConfigBuilder;
        use crate::cookie::Lifetime;
        let one = ConfigBuilder::new("a", "s", Lifetime::MaxAgeSeconds(60)).build();
        let other = ConfigBuilder::new("b", "s", Lifetime::MaxAgeSeconds(60))
            .same_site(SameSite::Strict)
            .build();
        let now = 1_767_225_600;
        for _ in 0..2 {
            for (config, same_site) in [(&one, "Lax"), (&other, "Strict"), (&one, "Lax")] {
                let name = config.name();
                let text = set_cookie(config, "v", now, now).unwrap();
                assert_eq!(
                    text,
                    format!("{name}=v; HttpOnly; SameSite={same_site}; Secure; Path=/; Max-Age=60; Expires=Thu, 01 Jan 2026 00:01:00 GMT")
                );
                assert_eq!(text.capacity(), text.len());
                assert!(set_cookie(config, "v", now + 1, now + 1)
                    .unwrap()
                    .ends_with("Max-Age=60; Expires=Thu, 01 Jan 2026 00:01:01 GMT"));
                assert!(set_cookie(config, "v", now + 1, now)
                    .unwrap()
                    .ends_with("Max-Age=59; Expires=Thu, 01 Jan 2026 00:01:00 GMT"));
            }
            assert!(set_cookie(&one, "v", i64::MAX, i64::MAX)
                .unwrap()
                .ends_with("Expires=Fri, 31 Dec 9999 23:59:59 GMT"));
        }
    }
}
