//! [actix-web](::actix_web) 4: the [`Sealed<T>`] and [`Opened<T>`] extractors for any
//! [`SealedCookie`] type, with the [`KeyRing`] taken from `app_data` (as `web::Data<KeyRing>`
//! or a plain `KeyRing`), [`ResponseBuilderExt`] to set or remove the cookie on a response, and
//! the [`refresh`] middleware that reseals due cookies.
//!
//! Three ways to ask for a cookie, from strict to lenient (the same for `Opened<T>`):
//!
//! | handler argument | no cookie | invalid, expired, duplicated cookie |
//! |---|---|---|
//! | `Sealed<T>` | `401 Unauthorized` ([`SealedRejection::Missing`]) | `401 Unauthorized` ([`SealedRejection::Invalid`]) |
//! | `Result<Sealed<T>, SealedRejection>` | `Err(Missing)` | `Err(Invalid { error, .. })` — the handler decides |
//! | `Option<Sealed<T>>` | `None` | `None` (like an expired session: not signed in) |
//!
//! No `KeyRing` in `app_data` is a configuration mistake, logged at `error` level on every
//! request that asks for a cookie: `Sealed<T>` responds `500 Internal Server Error`
//! ([`SealedRejection::NoKeyRing`]), `Option<Sealed<T>>` gives `None`, the `Result` form
//! `Err(NoKeyRing)`; the refresh middleware does nothing.
//!
//! **Bound and tracked types** (`bind`, `revocable`, `one_time`, `replay`) are extracted as
//! [`Guarded<T>`], with a [`Guard`](crate::guard::Guard) in `app_data` beside the ring and the
//! [`guarded`] middleware instead of `refresh` (they are not [`Stateless`]: `Sealed<T>`,
//! `Opened<T>`, `sealed_cookie` and `refresh` do not compile for them). Their optional form is [`MaybeGuarded<T>`],
//! **not** `Option<Guarded<T>>`: actix-web's extractor for `Option<E>` turns every error into
//! `None`, so `Option<Guarded<T>>` is also `None` while the revocation store is down, and a
//! sign-out written with it skips the revocation yet clears the cookie (the session lives on,
//! the user believes it ended). `MaybeGuarded<T>` is `None` for a missing or refused cookie,
//! answers `503` when the store cannot, and `400 Bad Request` when the cookie's name is present
//! twice (cookie tossing: a planted copy beside the real session must not make a sign-out a
//! silent no-op; prefer `__Host-` names, which cannot be planted). A `bind = "app"` type binds
//! to the [`AppBinding`](crate::guard::AppBinding) the application inserts into the request's
//! extensions (`req.extensions_mut().insert(..)`) in a `wrap_fn` or middleware registered after
//! `guarded` (so it runs first); without one, its requests are refused with
//! [`SealedRejection::NoAppBinding`] (500).
//!
//! **Plain http in development.** With a ring in development mode
//! ([`KeyRing::with_development_mode`]), add the [`development`] middleware as the outermost
//! `wrap`: loopback requests then get and send the unprefixed, non-`Secure` cookie; every other
//! request the type's own.
//!
//! ```
//! use actix_web::{middleware::from_fn, web, App, HttpResponse};
//! use serde::{Deserialize, Serialize};
//! use typed_cookies::integrations::actix::{refresh, ResponseBuilderExt, Sealed};
//! use typed_cookies::{Key, KeyRing, SealError, SealedCookie};
//!
//! #[derive(Serialize, Deserialize, SealedCookie)]
//! #[cookie(name = "__Host-sid", salt = "docs.actix.session.v1", max_age = "8h", idle = "30m", encrypt)]
//! struct Session { user: String }
//!
//! async fn me(Sealed(session): Sealed<Session>) -> String {
//!     format!("hello {}", session.user)   // 401 before we get here without a valid cookie
//! }
//!
//! async fn login(keys: web::Data<KeyRing>) -> Result<HttpResponse, SealError> {
//!     // A refused seal (e.g. over 4096 bytes) is a logged 500.
//!     Ok(HttpResponse::SeeOther()
//!         .insert_header(("location", "/me"))
//!         .sealed_cookie(&Session { user: "ann".into() }, &keys)?
//!         .finish())
//! }
//!
//! async fn logout() -> HttpResponse {
//!     HttpResponse::SeeOther()
//!         .insert_header(("location", "/"))
//!         .removal::<Session>()
//!         .finish()
//! }
//!
//! let keys = KeyRing::new(Key::generate());
//! let app = App::new()
//!     .app_data(web::Data::new(keys))
//!     .wrap(from_fn(refresh::<Session, _>)) // reseal due sessions, clear invalid ones
//!     .route("/me", web::get().to(me))
//!     .route("/login", web::post().to(login))
//!     .route("/logout", web::post().to(logout));
//! ```

use std::future::{ready, Ready};
use std::sync::Arc;

use ::actix_web::body::{BoxBody, MessageBody};
use ::actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use ::actix_web::http::header::{HeaderValue, COOKIE, HOST, SET_COOKIE};
use ::actix_web::http::StatusCode;
use ::actix_web::middleware::Next;
use ::actix_web::{
    web, FromRequest, HttpMessage as _, HttpRequest, HttpResponse, HttpResponseBuilder,
    ResponseError,
};

use crate::cookie::{CookieScope, SealedCookie, Stateless};
use crate::error::{OpenError, SealError};
use crate::keys::KeyRing;
use crate::request::cookies::{cached_pairs, extractor_cookies, CookiePairs};
use crate::request::layers::{check_refresh_layer, DevelopmentLayer, RefreshLayers};
use crate::request::origin::{view_of_request, RequestOrigin, FORWARDING_HEADERS};
use crate::request::outcome::{
    log_seal_error, open_found, open_parsed, plain_answer, refresh_header, seal_error_response,
};
use crate::request::response::{relaxed_set_cookie, sets_cookie_of};
use crate::request::RequestView;
use crate::seal::Opened;

pub use super::{Guarded, Sealed, SealedRejection};
pub use guarded::{client_context_of, guarded, MaybeGuarded};

mod guarded;

/// The ring registered with `App::app_data`, as `web::Data<KeyRing>` or a plain `KeyRing`.
fn keys_of(req: &HttpRequest) -> Option<&KeyRing> {
    req.app_data::<web::Data<KeyRing>>()
        .map(|data| data.get_ref())
        .or_else(|| req.app_data::<KeyRing>())
}

fn opened_from_request<T: Stateless>(req: &HttpRequest) -> Result<Opened<T>, SealedRejection> {
    let keys = keys_of(req).ok_or_else(|| {
        SealedRejection::NoKeyRing.log();
        SealedRejection::NoKeyRing
    })?;
    check_refresh_layer::<T>(|| {
        let extensions = req.extensions();
        let layers = extensions.get::<RefreshLayers>();
        layers.is_some_and(RefreshLayers::covers::<T>)
    });
    if keys.development_mode() {
        let view = view_of(keys.clone(), req, true);
        return plain_answer(&view, open_for_extractor::<T>(&view, req));
    }
    plain_answer(keys, open_for_extractor::<T>(keys, req))
}

/// Opens `T` for an extractor: from the split kept in the request's extensions, else from
/// the header directly when it is short, else from a new split, kept for the next reader
/// (see `request::cookies`).
fn open_for_extractor<T: Stateless>(
    scope: &impl CookieScope,
    req: &HttpRequest,
) -> Result<Option<Opened<T>>, OpenError> {
    let current = req.headers().get_all(COOKIE);
    let cookies = {
        let extensions = req.extensions();
        extractor_cookies(extensions.get(), || current.clone())
    };
    if let Some(split) = cookies.new_split() {
        req.extensions_mut().insert(split.clone());
    }
    open_found::<T>(scope, |name| cookies.find_bytes(name))
}

/// The request's `Cookie:` header values split into pairs: the split an earlier middleware or
/// extractor kept in the request's extensions if the header is still the one it split, else a
/// new one, kept there for the next (see `request::cookies`).
pub(crate) fn cookie_pairs_of(req: &HttpRequest) -> Arc<CookiePairs<HeaderValue>> {
    let current = req.headers().get_all(COOKIE);
    let (cookies, new) = {
        let extensions = req.extensions();
        cached_pairs(extensions.get(), || current.clone())
    };
    if new {
        req.extensions_mut().insert(cookies.clone());
    }
    cookies
}

impl<T: Stateless> FromRequest for Opened<T> {
    type Error = SealedRejection;
    type Future = Ready<Result<Self, SealedRejection>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(opened_from_request(req))
    }
}

impl<T: Stateless> FromRequest for Sealed<T> {
    type Error = SealedRejection;
    type Future = Ready<Result<Self, SealedRejection>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(opened_from_request(req).map(|opened| Sealed(opened.into_value())))
    }
}

/// The rejection's [`status`](SealedRejection::status) (401 for a missing or refused cookie;
/// 400, 503 or 500 as it says) with a plain-text body that names the cookie but not why it
/// failed to open; logged as [`SealedRejection`] describes (a refusal at `debug`, a
/// configuration mistake at `error`).
impl ResponseError for SealedRejection {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        if !matches!(self, SealedRejection::NoKeyRing) {
            // NoKeyRing was logged where it was found.
            self.log();
        }
        HttpResponse::build(self.status_code())
            .content_type("text/plain; charset=utf-8")
            .body(self.body())
    }
}

/// `500 Internal Server Error` (`503 Service Unavailable` when the revocation store could not
/// answer while issuing a tracked session; `409 Conflict` for [`SealError::Superseded`],
/// logged at `debug` only), logged without payload data (see the `integrations` module),
/// with a body that does not repeat the reason.
impl ResponseError for SealError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(seal_error_response(self).0)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        log_seal_error(self);
        HttpResponse::build(self.status_code())
            .content_type("text/plain; charset=utf-8")
            .body(seal_error_response(self).1)
    }
}

/// The refresh middleware for `T`, for `App::wrap(actix_web::middleware::from_fn(refresh::<T,
/// _>))`: after the handler, reseals `T`'s cookie when it is due and clears it when it does not
/// open (unless the type says `clear_invalid = false`), without handler code. A response that
/// sets or removes the cookie itself is left alone. The key ring (and its clock) is the one
/// in `app_data`. Only for a [`Stateless`] type: a guarded type's session is refreshed by the
/// [`guarded`] middleware. Without it, a `Sealed<T>` or `Opened<T>` of a type with `idle` or
/// `flash` logs a `warn` (once per type). The `Cookie:` header is split once per request for
/// every middleware and extractor (see the `integrations` module).
pub async fn refresh<T: Stateless, B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, ::actix_web::Error> {
    let Some(keys) = keys_of(req.request()).cloned() else {
        return next.call(req).await;
    };
    let view = view_of(keys, req.request(), false);
    let opened = open_parsed::<T, _>(&view, &cookie_pairs_of(req.request()));
    req.extensions_mut()
        .get_or_insert_with(RefreshLayers::default)
        .add::<T>();
    let mut response = next.call(req).await?;
    let sets_it = sets_cookie_of::<T, _>(&view, || {
        response
            .headers()
            .get_all(SET_COOKIE)
            .map(HeaderValue::as_bytes)
    });
    if let Some(header) = refresh_header(&view, opened, sets_it) {
        response
            .headers_mut()
            .append(SET_COOKIE, header_value(header));
    }
    Ok(response)
}

/// Sets or removes sealed cookies on an [`HttpResponseBuilder`].
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use typed_cookies::{Key, KeyRing, SealedCookie, SealError};
/// use actix_web::HttpResponse;
/// use typed_cookies::integrations::actix::ResponseBuilderExt;
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
/// assert!(matches!(err, SealError::TooLarge { .. }));
/// ```
pub trait ResponseBuilderExt {
    /// Seals `value` (a new session) and appends its `Set-Cookie` header. Refused with
    /// [`SealError::TooLarge`] when the cookie would be over 4096 bytes; return the error
    /// from the handler for a logged 500.
    fn sealed_cookie<T: Stateless>(
        &mut self,
        value: &T,
        keys: &impl CookieScope,
    ) -> Result<&mut Self, SealError>;

    /// Seals an opened (possibly changed) session again, keeping its creation time, and
    /// appends its `Set-Cookie` header.
    fn resealed_cookie<T: SealedCookie>(
        &mut self,
        opened: &Opened<T>,
        keys: &impl CookieScope,
    ) -> Result<&mut Self, SealError>;

    /// Appends the `Set-Cookie` header that deletes `T`'s cookie.
    fn removal<T: SealedCookie>(&mut self) -> &mut Self;

    /// Appends a new guarded session's `Set-Cookie` (from
    /// [`Guard::issue`](crate::guard::Guard::issue)).
    fn issued(&mut self, issued: &crate::guard::Issued) -> &mut Self;
}

impl ResponseBuilderExt for HttpResponseBuilder {
    fn sealed_cookie<T: Stateless>(
        &mut self,
        value: &T,
        keys: &impl CookieScope,
    ) -> Result<&mut Self, SealError> {
        let header = header_value(value.to_set_cookie(keys)?);
        Ok(self.append_header((SET_COOKIE, header)))
    }

    fn resealed_cookie<T: SealedCookie>(
        &mut self,
        opened: &Opened<T>,
        keys: &impl CookieScope,
    ) -> Result<&mut Self, SealError> {
        let header = header_value(opened.to_set_cookie(keys)?);
        Ok(self.append_header((SET_COOKIE, header)))
    }

    fn removal<T: SealedCookie>(&mut self) -> &mut Self {
        self.append_header((SET_COOKIE, header_value(T::removal())))
    }

    fn issued(&mut self, issued: &crate::guard::Issued) -> &mut Self {
        self.append_header((SET_COOKIE, header_value(issued.set_cookie().to_owned())))
    }
}

/// A `Set-Cookie` header value made by this crate: always valid (see the `http` adapter's
/// twin; actix-web has its own `HeaderValue` type).
fn header_value(text: String) -> HeaderValue {
    HeaderValue::try_from(text)
        .expect("a Set-Cookie made from a checked CookieConfig is a valid header value")
}

/// The development middleware, for `App::wrap(actix_web::middleware::from_fn(development))`
/// as the **outermost** `wrap` (the last one): when the ring in `app_data` is in development
/// mode ([`KeyRing::with_development_mode`]) and the request is local — its `Host` (and URL
/// authority, if any) is loopback, its peer address is loopback, and no
/// `Forwarded`/`X-Forwarded-*`/`X-Real-IP` header says a proxy sent it — it relaxes every
/// `Set-Cookie` of the response (no `Secure`, no `Partitioned`, no `__Host-`/`__Secure-`
/// prefix, see [`relax_set_cookie`](crate::development::relax_set_cookie)); the extractors and [`refresh`]
/// then read the unprefixed names for that request. Without development mode it only passes
/// the request on, so it can stay installed in production.
///
/// ```
/// use actix_web::{middleware::from_fn, web, App};
/// use typed_cookies::integrations::actix::development;
/// use typed_cookies::{Key, KeyRing};
/// # std::env::remove_var("TYPED_COOKIES_DEV");
/// // An error, not a panic, in a release build without TYPED_COOKIES_DEV=1.
/// let keys = KeyRing::new(Key::generate()).with_development_mode().unwrap();
/// let app = App::new().app_data(web::Data::new(keys)).wrap(from_fn(development));
/// ```
pub async fn development<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, ::actix_web::Error> {
    let Some(keys) = keys_of(req.request()) else {
        return next.call(req).await;
    };
    if !keys.development_mode() {
        return next.call(req).await;
    }
    let origin = origin(req.request());
    let local = origin.is_local();
    let host = origin
        .host_header
        .and_then(|host| std::str::from_utf8(host).ok())
        .map(str::to_owned);
    req.extensions_mut().insert(DevelopmentLayer);
    let mut response = next.call(req).await?;
    if local {
        let headers = response.headers_mut();
        let relaxed: Vec<(HeaderValue, Option<String>)> = headers
            .get_all(SET_COOKIE)
            .map(|value| {
                (
                    value.clone(),
                    relaxed_set_cookie(value.as_bytes(), host.as_deref()),
                )
            })
            .collect();
        if relaxed.iter().any(|(_, new)| new.is_some()) {
            headers.remove(SET_COOKIE);
            for (old, new) in relaxed {
                let new = new.and_then(|text| HeaderValue::try_from(text).ok());
                headers.append(SET_COOKIE, new.unwrap_or(old));
            }
        }
    }
    Ok(response)
}

/// What development mode looks at in a request: `Host`, the URL's authority, forwarding
/// headers and the peer address.
fn origin(req: &HttpRequest) -> RequestOrigin<'_> {
    let headers = req.headers();
    let mut hosts = headers.get_all(HOST);
    RequestOrigin {
        host_header: hosts.next().map(HeaderValue::as_bytes),
        several_hosts: hosts.next().is_some(),
        authority: req.uri().authority().map(|authority| authority.as_str()),
        forwarded: FORWARDING_HEADERS
            .iter()
            .any(|name| headers.contains_key(*name)),
        peer: req.peer_addr().map(|addr| addr.ip()),
    }
}

/// The view of one request: `keys`, relaxed for a local request in development mode (one
/// branch when development mode is off). `extractor`: warn once if the `development`
/// middleware did not run.
pub(crate) fn view_of(keys: KeyRing, req: &HttpRequest, extractor: bool) -> RequestView {
    view_of_request(
        keys,
        || origin(req),
        || extractor.then(|| req.extensions().get::<DevelopmentLayer>().is_some()),
    )
}
