//! axum 0.8: the [`Sealed<T>`] extractor for any [`SealedCookie`] type, with the
//! [`KeyRing`] taken from router state through [`FromRef`], and the [`SetCookie`] /
//! [`RemoveCookie<T>`] response parts.
//!
//! Three ways to ask for a cookie, from strict to lenient:
//!
//! | handler argument | no cookie | invalid, expired, duplicated cookie |
//! |---|---|---|
//! | `Sealed<T>` | `401 Unauthorized` ([`SealedRejection::Missing`]) | `401 Unauthorized` ([`SealedRejection::Invalid`]) |
//! | `Result<Sealed<T>, SealedRejection>` | `Err(Missing)` | `Err(Invalid(OpenError))` — the handler decides |
//! | `Option<Sealed<T>>` | `None` | `None` (like an expired session: not signed in) |
//!
//! Rejections are logged with `tracing` at `debug` level; the response body names the cookie
//! but never why it failed to open.
//!
//! ```
//! use axum::{extract::FromRef, response::{IntoResponse, Redirect}, routing::{get, post}, Router};
//! use serde::{Deserialize, Serialize};
//! use typed_cookies::integrations::axum::{RemoveCookie, Sealed, SetCookie};
//! use typed_cookies::integrations::SetCookieError;
//! use typed_cookies::{Key, KeyRing, SealedCookie};
//!
//! #[derive(Serialize, Deserialize, SealedCookie)]
//! #[cookie(name = "__Host-sid", salt = "docs.axum.session.v1", max_age = "2h", encrypt)]
//! struct Session { user: String }
//!
//! #[derive(Clone)]
//! struct AppState { keys: KeyRing }
//!
//! impl FromRef<AppState> for KeyRing {
//!     fn from_ref(state: &AppState) -> KeyRing { state.keys.clone() }
//! }
//!
//! async fn me(Sealed(session): Sealed<Session>) -> String {
//!     format!("hello {}", session.user)   // 401 before we get here without a valid cookie
//! }
//!
//! async fn maybe(session: Option<Sealed<Session>>) -> &'static str {
//!     if session.is_some() { "signed in" } else { "not signed in" }
//! }
//!
//! async fn login(axum::extract::State(state): axum::extract::State<AppState>)
//!     -> Result<impl IntoResponse, SetCookieError>   // a refused seal becomes a logged 500
//! {
//!     let cookie = SetCookie::new(&Session { user: "ann".into() }, &state.keys)?;
//!     Ok((cookie, Redirect::to("/me")))
//! }
//!
//! async fn logout() -> impl IntoResponse {
//!     (RemoveCookie::<Session>::new(), Redirect::to("/"))
//! }
//!
//! let app: Router = Router::new()
//!     .route("/me", get(me))
//!     .route("/maybe", get(maybe))
//!     .route("/login", post(login))
//!     .route("/logout", post(logout))
//!     .with_state(AppState { keys: KeyRing::new(Key::generate()) });
//! ```

use std::fmt;
use std::marker::PhantomData;

use ::axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use ::axum::http::header::SET_COOKIE;
use ::axum::http::request::Parts;
use ::axum::http::{HeaderValue, StatusCode};
use ::axum::response::{IntoResponse, IntoResponseParts, Response, ResponseParts};
use time::OffsetDateTime;

use super::http::{removal_value, set_cookie_value_at, CookieHeaders};
use super::SetCookieError;
use crate::error::OpenError;
use crate::keyring::KeyRing;
use crate::sealed_cookie::SealedCookie;

pub use super::Sealed;

impl<S, T> FromRequestParts<S> for Sealed<T>
where
    T: SealedCookie,
    KeyRing: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = SealedRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let keys = KeyRing::from_ref(state);
        let name = T::CONFIG.name();
        match parts.headers.open_sealed_cookie::<T>(&keys) {
            Ok(Some(value)) => Ok(Sealed(value)),
            Ok(None) => Err(SealedRejection::Missing { name }),
            Err(error) => Err(SealedRejection::Invalid { name, error }),
        }
    }
}

impl<S, T> OptionalFromRequestParts<S> for Sealed<T>
where
    T: SealedCookie,
    KeyRing: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <Self as FromRequestParts<S>>::from_request_parts(parts, state).await {
            Ok(sealed) => Ok(Some(sealed)),
            Err(rejection) => {
                if let SealedRejection::Invalid { .. } = &rejection {
                    tracing::debug!(%rejection, "ignoring a sealed cookie that does not open");
                }
                Ok(None)
            }
        }
    }
}

/// Why [`Sealed<T>`] did not extract. As a response: `401 Unauthorized` with a plain-text body
/// that names the cookie but not the reason (the reason is logged at `debug`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SealedRejection {
    /// The request carries no such cookie.
    Missing {
        /// The cookie name.
        name: &'static str,
    },
    /// The cookie is there but does not open: tampered, forged, sealed for another salt,
    /// expired, present twice, …
    Invalid {
        /// The cookie name.
        name: &'static str,
        /// Why it does not open.
        error: OpenError,
    },
}

impl SealedRejection {
    /// The status the rejection responds with: always `401 Unauthorized`.
    pub fn status(&self) -> StatusCode {
        StatusCode::UNAUTHORIZED
    }

    /// The open error, when the cookie was there but did not open.
    pub fn open_error(&self) -> Option<&OpenError> {
        match self {
            SealedRejection::Missing { .. } => None,
            SealedRejection::Invalid { error, .. } => Some(error),
        }
    }
}

impl fmt::Display for SealedRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealedRejection::Missing { name } => write!(f, "no cookie `{name}` in the request"),
            SealedRejection::Invalid { name, error } => write!(f, "cookie `{name}`: {error}"),
        }
    }
}

impl std::error::Error for SealedRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.open_error().map(|e| e as _)
    }
}

impl IntoResponse for SealedRejection {
    fn into_response(self) -> Response {
        tracing::debug!(rejection = %self, "rejecting a request without a valid sealed cookie");
        let name = match &self {
            SealedRejection::Missing { name } | SealedRejection::Invalid { name, .. } => name,
        };
        (
            self.status(),
            format!("401 Unauthorized: no valid `{name}` cookie\n"),
        )
            .into_response()
    }
}

/// A response part that appends a sealed cookie's `Set-Cookie` header. Sealing happens in
/// [`SetCookie::new`], so a refused seal (e.g. [`SealError::TooLarge`](crate::SealError::TooLarge))
/// is a `Result` the handler sees; returning that error from the handler responds
/// `500 Internal Server Error` and logs the reason (see [`SetCookieError`]'s `IntoResponse`).
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use typed_cookies::{Key, KeyRing, SealedCookie};
/// use axum::response::IntoResponse;
/// use typed_cookies::integrations::axum::SetCookie;
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-prefs", salt = "docs.axum.prefs.v1", max_age = "7d")]
/// struct Prefs { theme: String }
///
/// let keys = KeyRing::new(Key::generate());
/// let response = (SetCookie::new(&Prefs { theme: "dark".into() }, &keys).unwrap(), "saved").into_response();
/// assert!(response.headers()["set-cookie"].to_str().unwrap().starts_with("__Host-prefs="));
/// ```
#[derive(Clone)]
pub struct SetCookie {
    header: HeaderValue,
}

/// Shows the cookie name only: the value (a signed cookie's payload is readable) stays out of
/// logs.
impl fmt::Debug for SetCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.header.as_bytes();
        let name = bytes.split(|&b| b == b'=').next().unwrap_or_default();
        f.debug_struct("SetCookie")
            .field("name", &String::from_utf8_lossy(name))
            .finish_non_exhaustive()
    }
}

impl SetCookie {
    /// Seals `value` now into its `Set-Cookie` header.
    pub fn new<T: SealedCookie>(value: &T, keys: &KeyRing) -> Result<Self, SetCookieError> {
        Self::new_at(value, keys, OffsetDateTime::now_utc())
    }

    /// [`SetCookie::new`] as if it were `now`.
    pub fn new_at<T: SealedCookie>(
        value: &T,
        keys: &KeyRing,
        now: OffsetDateTime,
    ) -> Result<Self, SetCookieError> {
        Ok(Self {
            header: set_cookie_value_at(value, keys, now)?,
        })
    }

    /// The `Set-Cookie` header value.
    pub fn header_value(&self) -> &HeaderValue {
        &self.header
    }
}

impl IntoResponseParts for SetCookie {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        res.headers_mut().append(SET_COOKIE, self.header);
        Ok(res)
    }
}

impl IntoResponse for SetCookie {
    fn into_response(self) -> Response {
        (self, ()).into_response()
    }
}

/// A response part that appends the `Set-Cookie` header deleting `T`'s cookie.
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use typed_cookies::SealedCookie;
/// use axum::response::{IntoResponse, Redirect};
/// use typed_cookies::integrations::axum::RemoveCookie;
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "docs.axum.remove.v1", max_age = "2h")]
/// struct Session { user: String }
///
/// let response = (RemoveCookie::<Session>::new(), Redirect::to("/")).into_response();
/// assert!(response.headers()["set-cookie"].to_str().unwrap().starts_with("__Host-sid=; "));
/// ```
pub struct RemoveCookie<T>(PhantomData<fn() -> T>);

impl<T: SealedCookie> RemoveCookie<T> {
    /// The removal of `T`'s cookie.
    pub fn new() -> Self {
        RemoveCookie(PhantomData)
    }
}

impl<T: SealedCookie> Default for RemoveCookie<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: SealedCookie> fmt::Debug for RemoveCookie<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RemoveCookie")
            .field(&T::CONFIG.name())
            .finish()
    }
}

impl<T: SealedCookie> IntoResponseParts for RemoveCookie<T> {
    type Error = SetCookieError;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        res.headers_mut().append(SET_COOKIE, removal_value::<T>()?);
        Ok(res)
    }
}

impl<T: SealedCookie> IntoResponse for RemoveCookie<T> {
    fn into_response(self) -> Response {
        (self, ()).into_response()
    }
}

/// `500 Internal Server Error`, with a body that does not say why. The kind of failure is
/// logged at `error` level; a serializer's own message ([`SealError::Serialize`](crate::SealError::Serialize)'s `reason`,
/// which a custom `Serialize` impl may fill with payload data) only at `debug` level.
impl IntoResponse for SetCookieError {
    fn into_response(self) -> Response {
        self.log();
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "500 Internal Server Error: could not set a cookie\n",
        )
            .into_response()
    }
}
