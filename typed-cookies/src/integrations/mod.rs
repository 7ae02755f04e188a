//! Framework adapters, each behind its own feature:
//!
//! | feature | module | what it gives |
//! |---|---|---|
//! | `http` | `integrations::http` | `CookieHeaders` on `http::HeaderMap`: read a sealed cookie, append its `Set-Cookie` or its removal — the base for any framework built on the `http` crate |
//! | `axum` | `integrations::axum` | the `Sealed<T>` extractor (keys from router state), `SetCookie` / `RemoveCookie<T>` response parts |
//! | `actix-web` | `integrations::actix` | the `Sealed<T>` extractor (keys from `app_data`), `ResponseBuilderExt` on the response builder |
//!
//! Every adapter reads cookies the same way: all of a request's `Cookie:` headers are
//! considered (HTTP/2 may split cookies over several), a cookie name present more than once
//! is [`OpenError::DuplicateCookie`], names are compared byte for byte as browsers store
//! them (a look-alike such as `"\u{2000}__Host-sid"` or `"__host-sid"` is another cookie and
//! is ignored), pieces without `=` are skipped, and a value that does not open (or is not
//! UTF-8) is an error — never a panic, never a session. Frameworks without an adapter use the header-string API directly:
//! [`SealedCookie::from_cookie_header`] and [`SealedCookie::to_set_cookie`].

use time::OffsetDateTime;

use crate::error::{OpenError, SealError};
use crate::header;
use crate::keyring::KeyRing;
use crate::sealed_cookie::SealedCookie;

#[cfg(feature = "actix-web")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "http")]
pub mod http;

/// An opened sealed cookie of type `T`, as a framework extractor: the axum and actix-web
/// adapters implement their extractor traits for it (see each module for what happens when
/// the cookie is absent or does not open).
#[cfg(any(feature = "axum", feature = "actix-web"))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed<T>(pub T);

#[cfg(any(feature = "axum", feature = "actix-web"))]
impl<T> Sealed<T> {
    /// The opened value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

#[cfg(any(feature = "axum", feature = "actix-web"))]
impl<T> std::ops::Deref for Sealed<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// Making a `Set-Cookie` header failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SetCookieError {
    /// Sealing the value failed; most often [`SealError::TooLarge`]: the cookie would be over
    /// the 4096 bytes browsers keep.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The rendered header holds characters an HTTP header cannot carry. Only a hand-built
    /// [`CookieConfig`](crate::CookieConfig) with control characters in its path or domain can
    /// cause this; `#[derive(SealedCookie)]` refuses such attributes at compile time.
    #[error("the Set-Cookie header of cookie `{name}` is not a valid HTTP header value (control characters in its path or domain?)")]
    InvalidHeaderValue {
        /// The cookie name.
        name: &'static str,
    },
}

#[cfg(any(feature = "axum", feature = "actix-web"))]
impl SetCookieError {
    /// What the adapters log when they turn this error into a 500. At `error` level only the
    /// kind of failure and data-free details (sizes, the cookie name); a serializer's own
    /// message ([`SealError::Serialize`]'s `reason`) goes to `debug` level only, because a
    /// custom `Serialize` impl may put payload data in it and error logs travel far.
    pub(crate) fn log(&self) {
        match self {
            SetCookieError::Seal(SealError::Serialize { reason }) => {
                tracing::error!(
                    kind = "serialize",
                    "could not make a sealed cookie: the payload could not be serialized \
                     (the serializer's message is logged at debug level)"
                );
                tracing::debug!(kind = "serialize", %reason, "the serializer's message");
            }
            SetCookieError::Seal(SealError::TooLarge { .. }) => {
                tracing::error!(kind = "too_large", error = %self, "could not make a sealed cookie");
            }
            SetCookieError::InvalidHeaderValue { .. } => {
                tracing::error!(kind = "invalid_header_value", error = %self, "could not make a sealed cookie");
            }
        }
    }
}

/// Opens `T` from every `Cookie:` header value of a request, searched as one header so a
/// name repeated across headers is caught as a duplicate like one repeated inside a header.
/// Bytes are matched as they are (no lossy UTF-8 conversion that could make a name ours).
pub(crate) fn open_from_cookie_headers<'a, T: SealedCookie>(
    values: impl IntoIterator<Item = &'a [u8]>,
    keys: &KeyRing,
    now: OffsetDateTime,
) -> Result<Option<T>, OpenError> {
    header::find(values, T::CONFIG.name())?
        .map(|value| T::open_at(keys, value, now))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CookieConfig, Key, Lifetime};
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Session {
        user: String,
    }

    impl SealedCookie for Session {
        const CONFIG: CookieConfig =
            CookieConfig::new("sid", "integrations.test.v1", Lifetime::MaxAgeSeconds(60))
                .encrypted();
    }

    fn open(headers: &[&[u8]], keys: &KeyRing) -> Result<Option<Session>, OpenError> {
        open_from_cookie_headers(headers.iter().copied(), keys, OffsetDateTime::now_utc())
    }

    #[test]
    fn scans_every_cookie_header() {
        let keys = KeyRing::new(Key::generate());
        let value = Session { user: "ann".into() }.seal(&keys).unwrap();
        let ours = format!("sid={value}");
        assert_eq!(open(&[], &keys), Ok(None));
        assert_eq!(open(&[b"a=1", b"b=2"], &keys), Ok(None));
        assert_eq!(
            open(&[b"a=1", ours.as_bytes()], &keys),
            Ok(Some(Session { user: "ann".into() }))
        );
        assert_eq!(
            open(&[ours.as_bytes(), b"x=1", ours.as_bytes()], &keys),
            Err(OpenError::DuplicateCookie {
                name: "sid",
                count: 2
            })
        );
    }

    #[test]
    fn garbage_is_absent_or_an_error_never_a_session() {
        let keys = KeyRing::new(Key::generate());
        assert_eq!(open(&[b"\xff\xfe;;;==;sid"], &keys), Ok(None));
        assert_eq!(open(&[b"sid=\xff\xfe"], &keys), Err(OpenError::Malformed));
        assert_eq!(open(&[b"sid="], &keys), Err(OpenError::Malformed));
        let huge = format!("sid={}", "A".repeat(1 << 20));
        assert!(matches!(
            open(&[huge.as_bytes()], &keys),
            Err(OpenError::TooLarge { .. })
        ));
    }
}
