//! [actix-web](::actix_web) 4: the [`Sealed<T>`] extractor for any [`SealedCookie`] type, with
//! the [`KeyRing`] taken from `app_data` (as `web::Data<KeyRing>` or a plain `KeyRing`), and
//! [`ResponseBuilderExt`] to set or remove the cookie on a response.
//!
//! Three ways to ask for a cookie, from strict to lenient:
//!
//! | handler argument | no cookie | invalid, expired, duplicated cookie |
//! |---|---|---|
//! | `Sealed<T>` | `401 Unauthorized` ([`SealedRejection::Missing`]) | `401 Unauthorized` ([`SealedRejection::Invalid`]) |
//! | `Result<Sealed<T>, SealedRejection>` | `Err(Missing)` | `Err(Invalid(OpenError))` — the handler decides |
//! | `Option<Sealed<T>>` | `None` | `None` (like an expired session: not signed in) |
//!
//! No `KeyRing` in `app_data` is a configuration mistake, logged at `error` level on every
//! request that asks for a cookie: `Sealed<T>` responds `500 Internal Server Error`
//! ([`SealedRejection::NoKeyRing`]), `Option<Sealed<T>>` gives `None`, the `Result` form
//! `Err(NoKeyRing)`.
//!
//! ```
//! use actix_web::{web, App, HttpResponse};
//! use serde::{Deserialize, Serialize};
//! use typed_cookies::integrations::actix::{ResponseBuilderExt, Sealed};
//! use typed_cookies::integrations::SetCookieError;
//! use typed_cookies::{Key, KeyRing, SealedCookie};
//!
//! #[derive(Serialize, Deserialize, SealedCookie)]
//! #[cookie(name = "__Host-sid", salt = "docs.actix.session.v1", max_age = "2h", encrypt)]
//! struct Session { user: String }
//!
//! async fn me(Sealed(session): Sealed<Session>) -> String {
//!     format!("hello {}", session.user)   // 401 before we get here without a valid cookie
//! }
//!
//! async fn login(keys: web::Data<KeyRing>) -> Result<HttpResponse, SetCookieError> {
//!     // A refused seal (e.g. over 4096 bytes) is a logged 500.
//!     Ok(HttpResponse::SeeOther()
//!         .insert_header(("location", "/me"))
//!         .sealed_cookie(&Session { user: "ann".into() }, &keys)?
//!         .finish())
//! }
//!
//! async fn logout() -> Result<HttpResponse, SetCookieError> {
//!     Ok(HttpResponse::SeeOther()
//!         .insert_header(("location", "/"))
//!         .remove_sealed_cookie::<Session>()?
//!         .finish())
//! }
//!
//! let keys = KeyRing::new(Key::generate());
//! let app = App::new()
//!     .app_data(web::Data::new(keys))
//!     .route("/me", web::get().to(me))
//!     .route("/login", web::post().to(login))
//!     .route("/logout", web::post().to(logout));
//! ```

use std::fmt;
use std::future::{ready, Ready};

use ::actix_web::body::BoxBody;
use ::actix_web::dev::Payload;
use ::actix_web::http::header::{HeaderValue, COOKIE, SET_COOKIE};
use ::actix_web::http::StatusCode;
use ::actix_web::{
    web, FromRequest, HttpRequest, HttpResponse, HttpResponseBuilder, ResponseError,
};
use time::OffsetDateTime;

use super::{open_from_cookie_headers, SetCookieError};
use crate::error::OpenError;
use crate::keyring::KeyRing;
use crate::sealed_cookie::SealedCookie;

pub use super::Sealed;

impl<T: SealedCookie> FromRequest for Sealed<T> {
    type Error = SealedRejection;
    type Future = Ready<Result<Self, SealedRejection>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(extract(req, OffsetDateTime::now_utc()))
    }
}

fn extract<T: SealedCookie>(
    req: &HttpRequest,
    now: OffsetDateTime,
) -> Result<Sealed<T>, SealedRejection> {
    let name = T::CONFIG.name();
    let keys = req
        .app_data::<web::Data<KeyRing>>()
        .map(|data| data.get_ref())
        .or_else(|| req.app_data::<KeyRing>())
        .ok_or_else(|| {
            tracing::error!(rejection = %SealedRejection::NoKeyRing, "cannot open sealed cookies");
            SealedRejection::NoKeyRing
        })?;
    let cookies = req.headers().get_all(COOKIE).map(HeaderValue::as_bytes);
    match open_from_cookie_headers::<T>(cookies, keys, now) {
        Ok(Some(value)) => Ok(Sealed(value)),
        Ok(None) => Err(SealedRejection::Missing { name }),
        Err(error) => Err(SealedRejection::Invalid { name, error }),
    }
}

/// Why [`Sealed<T>`] did not extract. As a response: `401 Unauthorized` (cookie missing or
/// invalid) or `500 Internal Server Error` (no key ring configured), with a plain-text body
/// that names the cookie but not why it failed to open.
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
    /// Neither `web::Data<KeyRing>` nor `KeyRing` is registered with `App::app_data`.
    NoKeyRing,
}

impl SealedRejection {
    /// The open error, when the cookie was there but did not open.
    pub fn open_error(&self) -> Option<&OpenError> {
        match self {
            SealedRejection::Invalid { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl fmt::Display for SealedRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealedRejection::Missing { name } => write!(f, "no cookie `{name}` in the request"),
            SealedRejection::Invalid { name, error } => write!(f, "cookie `{name}`: {error}"),
            SealedRejection::NoKeyRing => f.write_str(
                "no KeyRing in app_data: register one with `App::new().app_data(web::Data::new(keys))`",
            ),
        }
    }
}

impl std::error::Error for SealedRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.open_error().map(|e| e as _)
    }
}

impl ResponseError for SealedRejection {
    fn status_code(&self) -> StatusCode {
        match self {
            SealedRejection::NoKeyRing => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        match self {
            SealedRejection::Missing { name } | SealedRejection::Invalid { name, .. } => {
                tracing::debug!(rejection = %self, "rejecting a request without a valid sealed cookie");
                HttpResponse::Unauthorized()
                    .content_type("text/plain; charset=utf-8")
                    .body(format!("401 Unauthorized: no valid `{name}` cookie\n"))
            }
            SealedRejection::NoKeyRing => {
                // Logged when the extractor found no key ring.
                HttpResponse::InternalServerError()
                    .content_type("text/plain; charset=utf-8")
                    .body("500 Internal Server Error\n")
            }
        }
    }
}

/// `500 Internal Server Error`, with a body that does not say why. The kind of failure is
/// logged at `error` level; a serializer's own message ([`SealError::Serialize`](crate::SealError::Serialize)'s `reason`,
/// which a custom `Serialize` impl may fill with payload data) only at `debug` level.
impl ResponseError for SetCookieError {
    fn status_code(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        self.log();
        HttpResponse::InternalServerError()
            .content_type("text/plain; charset=utf-8")
            .body("500 Internal Server Error: could not set a cookie\n")
    }
}

/// Sets or removes sealed cookies on an [`HttpResponseBuilder`].
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use typed_cookies::{Key, KeyRing, SealedCookie, SealError};
/// use actix_web::HttpResponse;
/// use typed_cookies::integrations::{actix::ResponseBuilderExt, SetCookieError};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-prefs", salt = "docs.actix.prefs.v1", max_age = "7d")]
/// struct Prefs { theme: String }
///
/// let keys = KeyRing::new(Key::generate());
/// let response = HttpResponse::Ok()
///     .sealed_cookie(&Prefs { theme: "dark".into() }, &keys).unwrap()
///     .finish();
/// assert!(response.headers().get("set-cookie").unwrap().to_str().unwrap().starts_with("__Host-prefs="));
///
/// // Over 4096 bytes: refused at seal time, nothing is appended.
/// let err = HttpResponse::Ok().sealed_cookie(&Prefs { theme: "x".repeat(5000) }, &keys).err().unwrap();
/// assert!(matches!(err, SetCookieError::Seal(SealError::TooLarge { .. })));
/// ```
pub trait ResponseBuilderExt {
    /// Seals `value` now and appends its `Set-Cookie` header. Refused with
    /// [`SealError::TooLarge`](crate::SealError::TooLarge) (inside [`SetCookieError::Seal`])
    /// when the cookie would be over 4096 bytes; return the error from the handler for a
    /// logged 500.
    fn sealed_cookie<T: SealedCookie>(
        &mut self,
        value: &T,
        keys: &KeyRing,
    ) -> Result<&mut Self, SetCookieError> {
        self.sealed_cookie_at(value, keys, OffsetDateTime::now_utc())
    }

    /// [`ResponseBuilderExt::sealed_cookie`] as if it were `now`.
    fn sealed_cookie_at<T: SealedCookie>(
        &mut self,
        value: &T,
        keys: &KeyRing,
        now: OffsetDateTime,
    ) -> Result<&mut Self, SetCookieError>;

    /// Appends the `Set-Cookie` header that deletes `T`'s cookie. Fails only for a hand-built
    /// [`CookieConfig`](crate::CookieConfig) whose attributes hold control characters.
    fn remove_sealed_cookie<T: SealedCookie>(&mut self) -> Result<&mut Self, SetCookieError>;
}

impl ResponseBuilderExt for HttpResponseBuilder {
    fn sealed_cookie_at<T: SealedCookie>(
        &mut self,
        value: &T,
        keys: &KeyRing,
        now: OffsetDateTime,
    ) -> Result<&mut Self, SetCookieError> {
        let header = header_value::<T>(value.to_set_cookie_at(keys, now)?)?;
        Ok(self.append_header((SET_COOKIE, header)))
    }

    fn remove_sealed_cookie<T: SealedCookie>(&mut self) -> Result<&mut Self, SetCookieError> {
        let header = header_value::<T>(T::removal())?;
        Ok(self.append_header((SET_COOKIE, header)))
    }
}

fn header_value<T: SealedCookie>(text: String) -> Result<HeaderValue, SetCookieError> {
    HeaderValue::try_from(text).map_err(|_| SetCookieError::InvalidHeaderValue {
        name: T::CONFIG.name(),
    })
}
