//! actix-web for bound and tracked types: the [`Guarded<T>`] and [`MaybeGuarded<T>`]
//! extractors (key ring and [`Guard`] from `app_data`), the [`guarded`] middleware (opens once
//! per request, carries replay renewals and refreshes, clears refused cookies) and
//! [`ResponseBuilderExt::issued`] for a new session.
//!
//! [`ResponseBuilderExt::issued`]: super::ResponseBuilderExt::issued

use std::future::{ready, Ready};

use ::actix_web::body::MessageBody;
use ::actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use ::actix_web::http::header::{HeaderValue, SET_COOKIE, USER_AGENT, X_FORWARDED_FOR};
use ::actix_web::middleware::Next;
use ::actix_web::{web, FromRequest, HttpMessage as _, HttpRequest, ResponseError as _};

use super::{cookie_pairs_of, header_value, keys_of, view_of};
use crate::cookie::SealedCookie;
use crate::guard::{AppBinding, ClientContext, Guard};
use crate::request::guarded_outcome::{
    client_context, guarded_after_open, guarded_from_slot, open_for_client, optional, Guarded,
    Opening, Slot,
};
use crate::request::response::sets_cookie_of;
use crate::request::{RequestView, SealedRejection};

/// The guard registered with `App::app_data`, as `web::Data<Guard>` or a plain `Guard`.
fn guard_of(req: &HttpRequest) -> Option<&Guard> {
    req.app_data::<web::Data<Guard>>()
        .map(|data| data.get_ref())
        .or_else(|| req.app_data::<Guard>())
}

/// The request's client context for `T`, as the [`Guarded<T>`] and [`MaybeGuarded<T>`]
/// extractors and the [`guarded`] middleware build it (take it for [`Guard::issue`] at
/// sign-in): the `User-Agent`, the IP from the guard's source (the connection's peer, or
/// `X-Forwarded-For` behind trusted proxies) when `T` binds `ip`, and the [`AppBinding`] in the
/// request's extensions when `T` binds `app` (insert it in a `wrap_fn` or middleware of yours
/// that runs first). Refused with [`SealedRejection::NoClientIp`] or
/// [`SealedRejection::NoAppBinding`] when a bound part is missing.
pub fn client_context_of<T: SealedCookie>(
    req: &HttpRequest,
    guard: &Guard,
) -> Result<ClientContext, SealedRejection> {
    let user_agent = req.headers().get(USER_AGENT).map(HeaderValue::as_bytes);
    let peer = req.peer_addr().map(|addr| addr.ip());
    // Looked up only when `T` binds `ip` (the iterator is lazy), by a name parsed at compile
    // time.
    let forwarded_for = std::iter::once(req.headers())
        .flat_map(|headers| headers.get_all(X_FORWARDED_FOR).map(HeaderValue::as_bytes));
    client_context::<T>(guard, user_agent, peer, forwarded_for, || {
        req.extensions().get::<AppBinding>().cloned()
    })
}

/// The request's view of the ring (relaxed for a loopback request in development mode) and
/// the guard.
fn view_and_guard(req: &HttpRequest) -> Result<(RequestView, Guard), SealedRejection> {
    let keys = keys_of(req).cloned().ok_or(SealedRejection::NoKeyRing)?;
    let view = view_of(keys, req, false);
    let guard = guard_of(req).cloned().ok_or(SealedRejection::NoGuard)?;
    Ok((view, guard))
}

/// The request's view, what the guard found for `T`, and the client context it compared
/// (`None` for a request whose client address the configured source does not give:
/// [`open_for_client`]).
async fn open_request<T: SealedCookie>(
    req: &HttpRequest,
) -> Result<(RequestView, Opening<T>, Option<ClientContext>), SealedRejection> {
    let (view, guard) = view_and_guard(req)?;
    let cookies = cookie_pairs_of(req);
    let ctx = client_context_of::<T>(req, &guard);
    let find = |name| cookies.find_bytes(name);
    let (result, ctx) = open_for_client::<T>(&guard, &view, find, ctx).await?;
    Ok((view, result, ctx))
}

/// What the [`guarded`] middleware opened for this request; without the middleware (or a
/// second time in one request), [`SealedRejection::NoGuardLayer`].
fn guarded_from_request<T: SealedCookie + 'static>(
    req: &HttpRequest,
) -> Result<Guarded<T>, SealedRejection> {
    let app_now = Slot::<T>::app_now(|| req.extensions().get::<AppBinding>().cloned());
    guarded_from_slot(req.extensions_mut().get_mut::<Slot<T>>(), app_now.as_ref())
}

/// `401` without a valid cookie (missing, tampered, expired, revoked, replayed, bound to
/// another client), `503` when the store is down and the type fails closed, `500` for a
/// configuration mistake (no `KeyRing` or `Guard` in `app_data`; a route that `T`'s
/// [`guarded`] middleware does not cover, [`SealedRejection::NoGuardLayer`]: the extractor
/// takes what the middleware opened, and the middleware is what renews, reseals and clears
/// the cookie on the way out).
///
/// `Option<Guarded<T>>` is `None` in **every** one of these cases: actix-web's own extractor
/// for `Option<E>` turns any error into `None`, a store outage included, so a sign-out written
/// with it skips the revocation and still clears the cookie — the user believes they are
/// signed out while the session lives on. Use [`MaybeGuarded<T>`] instead: `None` only for a
/// missing or refused cookie, `503` when the store cannot answer.
impl<T: SealedCookie + 'static> FromRequest for Guarded<T> {
    type Error = SealedRejection;
    type Future = Ready<Result<Self, SealedRejection>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(guarded_from_request(req))
    }
}

/// A [`Guarded<T>`] if the request carries a valid one, `None` if it carries none or one that
/// is refused (the cases that are `401` for `Guarded<T>`); but a store outage (`503`) and a
/// configuration mistake (`500`, a route without `T`'s [`guarded`] middleware among them)
/// still reject the request. actix-web's `Option<Guarded<T>>`
/// cannot do this (its `Option<E>` extractor makes every error `None`): use `MaybeGuarded<T>`
/// wherever a handler takes an optional guarded session, above all a sign-out, which must not
/// clear the cookie and report success when the session could not be revoked. (axum's
/// `Option<Guarded<T>>` already behaves like this.)
///
/// **Duplicated cookies are rejected, not `None`.** A type whose name is not `__Host-`
/// prefixed can meet a second cookie of the same name, planted by a sibling subdomain for
/// the parent domain (cookie tossing); the request cannot say which one is the session. Were
/// that `None`, the sign-out below would revoke nothing, clear the cookie and answer as if
/// signed out, while the real session (and any stolen copy) stays valid. So `MaybeGuarded<T>`
/// answers `400 Bad Request` ([`SealedRejection::DuplicateCookie`]; the body names the cookie
/// and asks the user to clear the site's cookies) and the handler never runs. Sign-out with a
/// non-`__Host-` name can meet such duplicates: prefer a `__Host-` name, which browsers do
/// not let another host or path plant.
///
/// ```
/// use actix_web::{middleware::from_fn, web, App, HttpResponse};
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::guard::Guard;
/// use typed_cookies::integrations::actix::{guarded, MaybeGuarded, ResponseBuilderExt};
/// use typed_cookies::store::MemoryStore;
/// use typed_cookies::{Key, KeyRing, SealedCookie};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "docs.actix.maybe-guarded.v1", max_age = "8h", encrypt, revocable)]
/// struct Session { user: String }
///
/// // Reached with `None` when there is no session to revoke; never during a store outage
/// // (the extractor answers 503 first, and the cookie stays).
/// async fn sign_out(
///     MaybeGuarded(session): MaybeGuarded<Session>,
///     keys: web::Data<KeyRing>,
///     guard: web::Data<Guard>,
/// ) -> HttpResponse {
///     if let Some(session) = session {
///         if guard.revoke(&keys, session.opened()).await.is_err() {
///             return HttpResponse::ServiceUnavailable().finish();
///         }
///     }
///     HttpResponse::SeeOther().insert_header(("location", "/")).removal::<Session>().finish()
/// }
///
/// let app = App::new()
///     .app_data(web::Data::new(KeyRing::new(Key::generate())))
///     .app_data(web::Data::new(Guard::new(MemoryStore::new())))
///     .wrap(from_fn(guarded::<Session, _>))
///     .route("/sign-out", web::post().to(sign_out));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaybeGuarded<T>(pub Option<Guarded<T>>);

impl<T> MaybeGuarded<T> {
    /// The session, if the request had a valid one.
    pub fn into_option(self) -> Option<Guarded<T>> {
        self.0
    }
}

impl<T> std::ops::Deref for MaybeGuarded<T> {
    type Target = Option<Guarded<T>>;

    fn deref(&self) -> &Option<Guarded<T>> {
        &self.0
    }
}

impl<T> From<MaybeGuarded<T>> for Option<Guarded<T>> {
    fn from(maybe: MaybeGuarded<T>) -> Self {
        maybe.0
    }
}

/// `None` for a missing or refused cookie; `503` (store down, the type fails closed) and `500`
/// (configuration mistakes) reject as they do for [`Guarded<T>`]; a cookie name present twice
/// is `400 Bad Request` ([`SealedRejection::DuplicateCookie`]), never `None`.
impl<T: SealedCookie + 'static> FromRequest for MaybeGuarded<T> {
    type Error = SealedRejection;
    type Future = Ready<Result<Self, SealedRejection>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(optional(guarded_from_request::<T>(req)).map(MaybeGuarded))
    }
}

/// The middleware for a bound or tracked `T`, for
/// `App::wrap(actix_web::middleware::from_fn(guarded::<T, _>))`: opens `T`'s cookie once
/// through the guard and hands the result to the [`Guarded<T>`] extractor; after the
/// handler, appends (unless the response sets or removes the cookie itself) the renewed value
/// of a `replay` type, the reseal of a value due for a refresh, or the removal of a refused
/// cookie. Required wherever `Guarded<T>` or `MaybeGuarded<T>` is extracted (without it, a
/// logged `500`: [`SealedRejection::NoGuardLayer`]).
pub async fn guarded<T: SealedCookie + 'static, B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<::actix_web::body::EitherBody<B>>, ::actix_web::Error> {
    if req.extensions().get::<Slot<T>>().is_some() {
        // `T`'s middleware is wrapped twice and the outer one has opened the cookie (and
        // writes the response's renewal): opening it again would claim a `one_time` value
        // twice and rotate a `replay` nonce twice.
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let (view, result, ctx) = match open_request::<T>(req.request()).await {
        Ok(opened) => opened,
        Err(rejection) => return Ok(reject(req, rejection)),
    };
    let after = ctx
        .as_ref()
        .and_then(|ctx| guarded_after_open(&view, &result, ctx));
    let app = req.extensions().get::<AppBinding>().cloned();
    req.extensions_mut().insert(Slot::new(
        result,
        view.cookie_name(&T::CONFIG),
        app.as_ref(),
    ));
    let mut response = next.call(req).await?;
    if let Some(header) = after {
        let sets_it = sets_cookie_of::<T, _>(&view, || {
            response
                .headers()
                .get_all(SET_COOKIE)
                .map(HeaderValue::as_bytes)
        });
        if !sets_it {
            response
                .headers_mut()
                .append(SET_COOKIE, header_value(header));
        }
    }
    Ok(response.map_into_left_body())
}

fn reject<B>(
    req: ServiceRequest,
    rejection: SealedRejection,
) -> ServiceResponse<::actix_web::body::EitherBody<B>> {
    let response = rejection.error_response();
    req.into_response(response).map_into_right_body()
}
