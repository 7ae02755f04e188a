//! The plain `http` crate (1.x): read a sealed cookie from a [`HeaderMap`], append its
//! `Set-Cookie`, append its removal.
//!
//! This is the base for any framework built on `http` (axum, hyper, tonic, warp, salvo, …):
//! get at the request's and the response's `HeaderMap` and call the methods of
//! [`CookieHeaders`]. The `axum` adapter is written on top of it.
//!
//! ```
//! use http::{HeaderMap, header};
//! use serde::{Deserialize, Serialize};
//! use typed_cookies::integrations::http::CookieHeaders;
//! use typed_cookies::{Key, KeyRing, SealedCookie};
//!
//! #[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
//! #[cookie(name = "__Host-sid", salt = "docs.http.session.v1", max_age = "2h", encrypt)]
//! struct Session { user_id: u64 }
//!
//! let keys = KeyRing::new(Key::generate());
//!
//! // Response: append the sealed cookie.
//! let mut response = HeaderMap::new();
//! response.append_sealed_cookie(&Session { user_id: 7 }, &keys).unwrap();
//! let set_cookie = response[header::SET_COOKIE].to_str().unwrap();
//! assert!(set_cookie.starts_with("__Host-sid=") && set_cookie.contains("HttpOnly"));
//!
//! // Request: the browser sends back `name=value`.
//! let pair = set_cookie.split(';').next().unwrap();
//! let mut request = HeaderMap::new();
//! request.insert(header::COOKIE, format!("theme=dark; {pair}").parse().unwrap());
//! assert_eq!(request.open_sealed_cookie::<Session>(&keys), Ok(Some(Session { user_id: 7 })));
//!
//! // No cookie: `Ok(None)`. Signing out: append the removal.
//! assert_eq!(HeaderMap::new().open_sealed_cookie::<Session>(&keys), Ok(None));
//! let mut response = HeaderMap::new();
//! response.append_cookie_removal::<Session>().unwrap();
//! assert!(response[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
//! ```

use ::http::header::{COOKIE, SET_COOKIE};
use ::http::{HeaderMap, HeaderValue};
use time::OffsetDateTime;

use super::{open_from_cookie_headers, SetCookieError};
use crate::error::OpenError;
use crate::keyring::KeyRing;
use crate::sealed_cookie::SealedCookie;

/// Sealed cookies on an [`http::HeaderMap`]: read from a request's headers, write to
/// a response's.
///
/// Implemented for `HeaderMap`; reach it with `request.headers()` /
/// `response.headers_mut()`.
pub trait CookieHeaders {
    /// `T`'s cookie from the `Cookie:` headers, opened now.
    ///
    /// Every `Cookie:` header is considered (HTTP/2 may send several). `Ok(None)` when no
    /// header holds the cookie; an [`OpenError`] when it does not open (tampered, forged,
    /// sealed for another salt, expired, …) or when its name appears more than once
    /// ([`OpenError::DuplicateCookie`]). Unparsable pieces of the headers are skipped; nothing
    /// here panics.
    fn open_sealed_cookie<T: SealedCookie>(&self, keys: &KeyRing) -> Result<Option<T>, OpenError> {
        self.open_sealed_cookie_at(keys, OffsetDateTime::now_utc())
    }

    /// [`CookieHeaders::open_sealed_cookie`] as if it were `now`.
    fn open_sealed_cookie_at<T: SealedCookie>(
        &self,
        keys: &KeyRing,
        now: OffsetDateTime,
    ) -> Result<Option<T>, OpenError>;

    /// Seals `value` now and appends its `Set-Cookie` header (other `Set-Cookie` headers are
    /// kept). Refused with [`SealError::TooLarge`](crate::SealError::TooLarge) (inside
    /// [`SetCookieError::Seal`]) when the cookie would be over 4096 bytes.
    fn append_sealed_cookie<T: SealedCookie>(
        &mut self,
        value: &T,
        keys: &KeyRing,
    ) -> Result<(), SetCookieError> {
        self.append_sealed_cookie_at(value, keys, OffsetDateTime::now_utc())
    }

    /// [`CookieHeaders::append_sealed_cookie`] as if it were `now`.
    fn append_sealed_cookie_at<T: SealedCookie>(
        &mut self,
        value: &T,
        keys: &KeyRing,
        now: OffsetDateTime,
    ) -> Result<(), SetCookieError>;

    /// Appends the `Set-Cookie` header that deletes `T`'s cookie ([`SealedCookie::removal`]).
    /// Fails only for a hand-built [`CookieConfig`](crate::CookieConfig) whose attributes hold
    /// control characters.
    fn append_cookie_removal<T: SealedCookie>(&mut self) -> Result<(), SetCookieError>;
}

impl CookieHeaders for HeaderMap {
    fn open_sealed_cookie_at<T: SealedCookie>(
        &self,
        keys: &KeyRing,
        now: OffsetDateTime,
    ) -> Result<Option<T>, OpenError> {
        open_from_cookie_headers(
            self.get_all(COOKIE).iter().map(HeaderValue::as_bytes),
            keys,
            now,
        )
    }

    fn append_sealed_cookie_at<T: SealedCookie>(
        &mut self,
        value: &T,
        keys: &KeyRing,
        now: OffsetDateTime,
    ) -> Result<(), SetCookieError> {
        self.append(SET_COOKIE, set_cookie_value_at(value, keys, now)?);
        Ok(())
    }

    fn append_cookie_removal<T: SealedCookie>(&mut self) -> Result<(), SetCookieError> {
        self.append(SET_COOKIE, removal_value::<T>()?);
        Ok(())
    }
}

/// `value`'s `Set-Cookie` header value, sealed as if it were `now`.
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use typed_cookies::{Key, KeyRing, SealedCookie, SealError};
/// use typed_cookies::integrations::{http::set_cookie_value_at, SetCookieError};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-big", salt = "docs.http.big.v1", max_age = "1h")]
/// struct Big { blob: String }
///
/// let keys = KeyRing::new(Key::generate());
/// let now = typed_cookies::time::OffsetDateTime::now_utc();
/// let err = set_cookie_value_at(&Big { blob: "x".repeat(5000) }, &keys, now).unwrap_err();
/// assert!(matches!(err, SetCookieError::Seal(SealError::TooLarge { .. })));
/// ```
pub fn set_cookie_value_at<T: SealedCookie>(
    value: &T,
    keys: &KeyRing,
    now: OffsetDateTime,
) -> Result<HeaderValue, SetCookieError> {
    header_value::<T>(value.to_set_cookie_at(keys, now)?)
}

/// The `Set-Cookie` header value that deletes `T`'s cookie.
pub fn removal_value<T: SealedCookie>() -> Result<HeaderValue, SetCookieError> {
    header_value::<T>(T::removal())
}

fn header_value<T: SealedCookie>(text: String) -> Result<HeaderValue, SetCookieError> {
    HeaderValue::try_from(text).map_err(|_| SetCookieError::InvalidHeaderValue {
        name: T::CONFIG.name(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CookieConfig, Key, Lifetime, SealError};
    use serde::{Deserialize, Serialize};
    use time::Duration;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Session {
        user: String,
    }

    impl SealedCookie for Session {
        const CONFIG: CookieConfig =
            CookieConfig::new("__Host-sid", "http.test.v1", Lifetime::MaxAgeSeconds(3600))
                .encrypted();
    }

    /// A hand-built config the derive would refuse.
    #[derive(Serialize, Deserialize)]
    struct Broken;

    impl SealedCookie for Broken {
        const CONFIG: CookieConfig =
            CookieConfig::new("b", "http.test.broken.v1", Lifetime::NoExpiry).path("/\n");
    }

    fn request(cookies: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for cookie in cookies {
            headers.append(COOKIE, HeaderValue::from_str(cookie).unwrap());
        }
        headers
    }

    #[test]
    fn round_trip_and_expiry_at_a_given_time() {
        let keys = KeyRing::new(Key::generate());
        let then = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let mut response = HeaderMap::new();
        response
            .append_sealed_cookie_at(&Session { user: "ann".into() }, &keys, then)
            .unwrap();
        let set_cookie = response[SET_COOKIE].to_str().unwrap();
        assert!(set_cookie.ends_with(
            "; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=3600; Expires=Tue, 14 Nov 2023 23:13:20 GMT"
        ), "{set_cookie}");
        let pair = set_cookie.split(';').next().unwrap();
        let headers = request(&["a=b", pair]);
        assert_eq!(
            headers.open_sealed_cookie_at::<Session>(&keys, then + Duration::minutes(59)),
            Ok(Some(Session { user: "ann".into() }))
        );
        assert!(matches!(
            headers.open_sealed_cookie_at::<Session>(&keys, then + Duration::minutes(61)),
            Err(OpenError::Expired { .. })
        ));
    }

    #[test]
    fn appends_and_keeps_other_set_cookies() {
        let keys = KeyRing::new(Key::generate());
        let mut response = HeaderMap::new();
        response.append(SET_COOKIE, HeaderValue::from_static("theme=dark"));
        response
            .append_sealed_cookie(&Session { user: "ann".into() }, &keys)
            .unwrap();
        response.append_cookie_removal::<Session>().unwrap();
        let all: Vec<_> = response.get_all(SET_COOKIE).iter().collect();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0], "theme=dark");
        assert_eq!(
            all[2],
            "__Host-sid=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        );
    }

    #[test]
    fn oversize_is_refused_at_seal_time() {
        let keys = KeyRing::new(Key::generate());
        let mut response = HeaderMap::new();
        let err = response
            .append_sealed_cookie(
                &Session {
                    user: "x".repeat(4096),
                },
                &keys,
            )
            .unwrap_err();
        assert!(
            matches!(
                err,
                SetCookieError::Seal(SealError::TooLarge { max: 4096, .. })
            ),
            "{err:?}"
        );
        assert!(response.is_empty());
    }

    #[test]
    fn control_characters_in_a_hand_built_config_are_an_error_not_a_panic() {
        let keys = KeyRing::new(Key::generate());
        let mut response = HeaderMap::new();
        assert_eq!(
            response.append_sealed_cookie(&Broken, &keys),
            Err(SetCookieError::InvalidHeaderValue { name: "b" })
        );
        assert_eq!(
            response.append_cookie_removal::<Broken>(),
            Err(SetCookieError::InvalidHeaderValue { name: "b" })
        );
    }

    #[test]
    fn bad_requests_never_yield_a_session() {
        let keys = KeyRing::new(Key::generate());
        let other = KeyRing::new(Key::generate());
        let value = Session { user: "ann".into() }.seal(&other).unwrap();
        let cases = [
            request(&[&format!("__Host-sid={value}")]),
            request(&["__Host-sid=AAAA"]),
            request(&["__Host-sid=not base64!"]),
            request(&[";;;=;__Host-sid"]),
        ];
        for headers in &cases {
            assert!(
                !matches!(headers.open_sealed_cookie::<Session>(&keys), Ok(Some(_))),
                "{headers:?}"
            );
        }
        let mut raw = HeaderMap::new();
        raw.append(COOKIE, HeaderValue::from_bytes(b"__Host-sid=\xff").unwrap());
        assert!(raw.open_sealed_cookie::<Session>(&keys).is_err());
    }
}
