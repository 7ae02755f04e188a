//! The plain `http` crate (1.x): read a sealed cookie from a [`HeaderMap`], append its
//! `Set-Cookie` or its removal, and [`refresh`] it on the way out.
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
//! response.append_removal::<Session>();
//! assert!(response[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
//! ```

use ::http::header::{COOKIE, SET_COOKIE};
use ::http::{HeaderMap, HeaderValue};

use crate::cookie::{CookieScope, SealedCookie, Stateless};
use crate::error::{OpenError, SealError};
use crate::keys::KeyRing;
use crate::request::origin::{view_of_request, RequestOrigin, FORWARDING_HEADERS};
use crate::request::outcome::{open_headers, refresh_header};
use crate::request::response::{relaxed_set_cookie, sets_cookie_of};
use crate::request::RequestView;
use crate::seal::Opened;

/// Sealed cookies on an [`http::HeaderMap`]: read from a request's headers, write to
/// a response's. Time comes from the ring's [`Clock`](crate::Clock). The methods take a
/// [`CookieScope`]: the ring, or the request's view ([`request_view`]) in development mode.
///
/// Implemented for `HeaderMap`; reach it with `request.headers()` /
/// `response.headers_mut()`. Opening and appending take [`Stateless`] types; a guarded type
/// is opened by [`Guard::open_from_cookie_headers`](crate::guard::Guard::open_from_cookie_headers)
/// and its `Set-Cookie` comes from [`Guard::issue`](crate::guard::Guard::issue), while
/// [`CookieHeaders::append_removal`] takes any type.
pub trait CookieHeaders {
    /// `T`'s cookie from the `Cookie:` headers.
    ///
    /// Every `Cookie:` header is considered (HTTP/2 may send several). `Ok(None)` when no
    /// header holds the cookie; an [`OpenError`] when it does not open (tampered, forged,
    /// sealed for another salt, expired, …) or when its name appears more than once
    /// ([`OpenError::DuplicateCookie`]). Nothing here panics.
    fn open_sealed_cookie<T: Stateless>(
        &self,
        keys: &impl CookieScope,
    ) -> Result<Option<T>, OpenError> {
        Ok(self
            .open_sealed_cookie_with_metadata::<T>(keys)?
            .map(Opened::into_value))
    }

    /// [`CookieHeaders::open_sealed_cookie`] with the value's [`Opened`] metadata.
    fn open_sealed_cookie_with_metadata<T: Stateless>(
        &self,
        keys: &impl CookieScope,
    ) -> Result<Option<Opened<T>>, OpenError>;

    /// Seals `value` (a new session) and appends its `Set-Cookie` header (other `Set-Cookie`
    /// headers are kept). Refused with [`SealError::TooLarge`] when the cookie would be over
    /// 4096 bytes; nothing is appended then.
    fn append_sealed_cookie<T: Stateless>(
        &mut self,
        value: &T,
        keys: &impl CookieScope,
    ) -> Result<(), SealError>;

    /// Appends the `Set-Cookie` header that deletes `T`'s cookie ([`SealedCookie::removal`]).
    fn append_removal<T: SealedCookie>(&mut self);
}

impl CookieHeaders for HeaderMap {
    fn open_sealed_cookie_with_metadata<T: Stateless>(
        &self,
        keys: &impl CookieScope,
    ) -> Result<Option<Opened<T>>, OpenError> {
        open_headers(keys, self.get_all(COOKIE).iter().map(HeaderValue::as_bytes))
    }

    fn append_sealed_cookie<T: Stateless>(
        &mut self,
        value: &T,
        keys: &impl CookieScope,
    ) -> Result<(), SealError> {
        self.append(SET_COOKIE, header_value(value.to_set_cookie(keys)?));
        Ok(())
    }

    fn append_removal<T: SealedCookie>(&mut self) {
        self.append(SET_COOKIE, header_value(T::removal()));
    }
}

/// The refresh step for `T` on one request/response pair, for any framework on `http`: opens
/// `T`'s cookie from the `request` headers and, unless the `response` already sets or removes
/// it, appends to the `response` the `Set-Cookie` of a reseal when the value is due
/// ([`Opened::refresh_due`]) or the removal of a cookie that does not open (when the type
/// clears invalid cookies). Returns whether it appended anything. In development mode, pass
/// the request's view ([`request_view`]), so the cookie is read and resealed under the name
/// that request uses.
///
/// ```
/// use http::{header, HeaderMap};
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::integrations::http::refresh;
/// use typed_cookies::time::{Duration, OffsetDateTime};
/// use typed_cookies::{Key, KeyRing, ManualClock, SealedCookie};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "docs.http.refresh.v1", max_age = "8h", idle = "30m")]
/// struct Session { user_id: u64 }
///
/// let clock = ManualClock::new(OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap());
/// let keys = KeyRing::new(Key::generate()).with_clock(clock.clone());
/// let mut request = HeaderMap::new();
/// let cookie = format!("__Host-sid={}", Session { user_id: 7 }.seal(&keys).unwrap());
/// request.insert(header::COOKIE, cookie.parse().unwrap());
///
/// let mut response = HeaderMap::new();
/// assert!(!refresh::<Session>(&keys, &request, &mut response)); // fresh: nothing to do
/// clock.advance(Duration::minutes(20));                           // past half the idle window
/// assert!(refresh::<Session>(&keys, &request, &mut response));
/// assert!(response[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=1800"));
/// ```
pub fn refresh<T: Stateless>(
    keys: &impl CookieScope,
    request: &HeaderMap,
    response: &mut HeaderMap,
) -> bool {
    let sets_it = sets_cookie_of::<T, _>(keys, || {
        response
            .get_all(SET_COOKIE)
            .iter()
            .map(HeaderValue::as_bytes)
    });
    if sets_it {
        // The handler wrote the cookie itself: nothing to decide, so nothing to open.
        return false;
    }
    let opened = request.open_sealed_cookie_with_metadata::<T>(keys);
    match refresh_header(keys, opened, sets_it) {
        Some(header) => {
            response.append(SET_COOKIE, header_value(header));
            true
        }
        None => false,
    }
}

/// The view of the request with these headers ([`RequestView`]): strict unless the ring is in
/// development mode ([`KeyRing::with_development_mode`]); then relaxed
/// ([`RequestView::relaxes_cookies`]) when the request is local — its `Host` is loopback and
/// no forwarding header (`Forwarded`, `X-Forwarded-For`, `-Host`, `-Proto`, `X-Real-IP`) says
/// a proxy sent it. Pass it to [`CookieHeaders`]' methods and to [`refresh`], and call
/// [`development`] on the response. (HTTP/2 requests may carry their host in the URL only:
/// without a `Host` header, strict.)
///
/// ```
/// use http::{header, HeaderMap};
/// use typed_cookies::integrations::http::request_view;
/// use typed_cookies::{Key, KeyRing};
/// # std::env::remove_var("TYPED_COOKIES_DEV");
/// let keys = KeyRing::new(Key::generate()).with_development_mode().unwrap();
/// let mut request = HeaderMap::new();
/// request.insert(header::HOST, "localhost:3000".parse().unwrap());
/// assert!(request_view(&keys, &request).relaxes_cookies());
/// request.insert("x-forwarded-for", "203.0.113.7".parse().unwrap());
/// assert!(!request_view(&keys, &request).relaxes_cookies());
/// ```
pub fn request_view(keys: &KeyRing, request: &HeaderMap) -> RequestView {
    view_of_request(keys.clone(), || origin(request, None), || None)
}

/// [`request_view`], under the name it had when it returned a relaxed ring.
pub fn request_keys(keys: &KeyRing, request: &HeaderMap) -> RequestView {
    request_view(keys, request)
}

/// What development mode looks at in request `headers` (and the URL's `authority`).
pub(crate) fn origin<'a>(headers: &'a HeaderMap, authority: Option<&'a str>) -> RequestOrigin<'a> {
    let mut hosts = headers.get_all(::http::header::HOST).iter();
    RequestOrigin {
        host_header: hosts.next().map(HeaderValue::as_bytes),
        several_hosts: hosts.next().is_some(),
        authority,
        forwarded: FORWARDING_HEADERS
            .iter()
            .any(|name| headers.contains_key(*name)),
        peer: None,
    }
}

/// The development step for any framework on `http`: when `keys` is in development mode and
/// the `request` is local (see [`request_view`]), relaxes every `Set-Cookie` of the
/// `response` ([`relax_set_cookie`](crate::development::relax_set_cookie): no `Secure`, no `Partitioned`,
/// no `__Host-`/`__Secure-` prefix), logging each relaxed cookie name once at `warn`. Returns
/// whether the request was local. Without development mode it does nothing.
///
/// ```
/// use http::{header, HeaderMap};
/// use typed_cookies::integrations::http::development;
/// use typed_cookies::{Key, KeyRing};
/// # std::env::remove_var("TYPED_COOKIES_DEV");
/// let keys = KeyRing::new(Key::generate()).with_development_mode().unwrap();
/// let mut request = HeaderMap::new();
/// request.insert(header::HOST, "127.0.0.1:3000".parse().unwrap());
/// let mut response = HeaderMap::new();
/// response.append(header::SET_COOKIE, "__Host-sid=v; HttpOnly; Secure; Path=/".parse().unwrap());
/// assert!(development(&keys, &request, &mut response));
/// assert_eq!(response[header::SET_COOKIE], "sid=v; HttpOnly; Path=/");
/// ```
pub fn development(keys: &KeyRing, request: &HeaderMap, response: &mut HeaderMap) -> bool {
    if !keys.development_mode() {
        return false;
    }
    let origin = origin(request, None);
    if !origin.is_local() {
        return false;
    }
    let host = origin.host_header.and_then(|h| std::str::from_utf8(h).ok());
    relax_response(response, host);
    true
}

/// Relaxes every `Set-Cookie` of `response`, keeping their order.
pub(crate) fn relax_response(response: &mut HeaderMap, host: Option<&str>) {
    let relaxed: Vec<Option<String>> = response
        .get_all(SET_COOKIE)
        .iter()
        .map(|value| relaxed_set_cookie(value.as_bytes(), host))
        .collect();
    if relaxed.iter().all(Option::is_none) {
        return;
    }
    let old: Vec<HeaderValue> = response.get_all(SET_COOKIE).iter().cloned().collect();
    response.remove(SET_COOKIE); // every value of it
    for (value, relaxed) in old.into_iter().zip(relaxed) {
        // The relaxed text only drops bytes of a valid value (and writes `SameSite=Lax`), so it
        // is valid too; should it not be, the original stays rather than a panic.
        let relaxed = relaxed.and_then(|text| HeaderValue::try_from(text).ok());
        response.append(SET_COOKIE, relaxed.unwrap_or(value));
    }
}

/// A `Set-Cookie` header value made by this crate. Cookie names, paths and domains are checked
/// when the type's configuration is built (at compile time, by the derive) and sealed values
/// are base64url, so the text is always a valid header value.
pub(crate) fn header_value(text: String) -> HeaderValue {
    HeaderValue::try_from(text)
        .expect("a Set-Cookie made from a checked CookieConfig is a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Key, ManualClock};
    use serde::{Deserialize, Serialize};
    use time::{Duration, OffsetDateTime};

    #[derive(Debug, PartialEq, Serialize, Deserialize, crate::SealedCookie)]
    #[cookie(
        crate = "crate",
        name = "__Host-sid",
        salt = "http.test.v1",
        max_age = "1h",
        encrypt
    )]
    struct Session {
        user: String,
    }

    fn request(cookies: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for cookie in cookies {
            headers.append(COOKIE, HeaderValue::from_str(cookie).unwrap());
        }
        headers
    }

    #[test]
    fn round_trip_and_expiry_by_the_rings_clock() {
        let then = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let clock = ManualClock::new(then);
        let keys = KeyRing::new(Key::generate()).with_clock(clock.clone());
        let mut response = HeaderMap::new();
        response
            .append_sealed_cookie(&Session { user: "ann".into() }, &keys)
            .unwrap();
        let set_cookie = response[SET_COOKIE].to_str().unwrap();
        assert!(set_cookie.ends_with(
            "; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=3600; Expires=Tue, 14 Nov 2023 23:13:20 GMT"
        ), "{set_cookie}");
        let pair = set_cookie.split(';').next().unwrap();
        let headers = request(&["a=b", pair]);
        clock.advance(Duration::minutes(59));
        assert_eq!(
            headers.open_sealed_cookie::<Session>(&keys),
            Ok(Some(Session { user: "ann".into() }))
        );
        clock.advance(Duration::minutes(2));
        assert!(matches!(
            headers.open_sealed_cookie::<Session>(&keys),
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
        response.append_removal::<Session>();
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
            matches!(err, SealError::TooLarge { max: 4096, .. }),
            "{err:?}"
        );
        assert!(response.is_empty());
    }

    #[test]
    fn refresh_clears_a_cookie_that_does_not_open_unless_the_response_sets_it() {
        let keys = KeyRing::new(Key::generate());
        let bad = request(&["__Host-sid=AAAA"]);
        let mut response = HeaderMap::new();
        assert!(refresh::<Session>(&keys, &bad, &mut response));
        assert_eq!(response[SET_COOKIE], Session::removal());
        let mut response = HeaderMap::new();
        response
            .append_sealed_cookie(&Session { user: "new".into() }, &keys)
            .unwrap();
        assert!(!refresh::<Session>(&keys, &bad, &mut response));
        assert_eq!(response.get_all(SET_COOKIE).iter().count(), 1);
        assert!(!refresh::<Session>(
            &keys,
            &request(&["a=1"]),
            &mut HeaderMap::new()
        ));
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
