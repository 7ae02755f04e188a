//! HTTP header text: rendering `Set-Cookie` (and its removal) from a [`CookieConfig`], and
//! finding one cookie among a request's `Cookie:` header, via the `cookie` crate.

use ::cookie::{Cookie, CookieBuilder};
use time::{Duration, OffsetDateTime};

use crate::config::{CookieConfig, SameSite};
use crate::error::{OpenError, SealError};
use crate::seal::format::MAX_COOKIE_LEN;

/// The `Set-Cookie` header value carrying `value` under `config`, sealed at `now`.
pub(crate) fn set_cookie(
    config: &CookieConfig,
    value: String,
    now: OffsetDateTime,
) -> Result<String, SealError> {
    let len = config.name().len() + value.len();
    if len > MAX_COOKIE_LEN {
        return Err(SealError::TooLarge {
            len,
            max: MAX_COOKIE_LEN,
        });
    }
    let mut builder = with_attributes(Cookie::build((config.name(), value)), config);
    if let Some(max_age) = config.max_age() {
        builder = builder.max_age(max_age).expires(now + max_age);
    }
    Ok(builder.build().to_string())
}

/// The `Set-Cookie` header value that deletes the cookie (same name, Path and Domain).
pub(crate) fn removal(config: &CookieConfig) -> String {
    with_attributes(Cookie::build((config.name(), "")), config)
        .max_age(Duration::ZERO)
        .expires(OffsetDateTime::UNIX_EPOCH)
        .build()
        .to_string()
}

fn with_attributes<'c>(builder: CookieBuilder<'c>, config: &CookieConfig) -> CookieBuilder<'c> {
    let mut builder = builder
        .path(config.path_attr())
        .secure(config.is_secure())
        .http_only(config.is_http_only())
        .same_site(match config.same_site_attr() {
            SameSite::Strict => ::cookie::SameSite::Strict,
            SameSite::Lax => ::cookie::SameSite::Lax,
            SameSite::None => ::cookie::SameSite::None,
        });
    if let Some(domain) = config.domain_attr() {
        builder = builder.domain(domain);
    }
    builder
}

/// The value of the cookie `name` in a `Cookie:` request header: `Ok(None)` when absent,
/// [`OpenError::DuplicateCookie`] when present more than once (cookie tossing: a sibling
/// subdomain or another path can plant a second cookie of the same name, and nothing in the
/// header says which is ours). Unparsable pieces of the header are skipped.
pub(crate) fn find(header: &str, name: &'static str) -> Result<Option<String>, OpenError> {
    let mut found = None;
    let mut count = 0;
    for cookie in Cookie::split_parse(header).flatten() {
        if cookie.name() == name {
            count += 1;
            found = Some(cookie.value().to_owned());
        }
    }
    match count {
        0 => Ok(None),
        1 => Ok(found),
        count => Err(OpenError::DuplicateCookie { name, count }),
    }
}
