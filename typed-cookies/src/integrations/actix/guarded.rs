//! actix-web for bound and tracked types: the [`Guarded<T>`] extractor (key ring and
//! [`Guard`] from `app_data`), the [`guarded`] middleware (opens once per request, carries
//! replay renewals and refreshes, clears refused cookies) and [`ResponseBuilderExt::issued`]
//! for a new session.

use std::future::Future;
use std::pin::Pin;

use ::actix_web::body::MessageBody;
use ::actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use ::actix_web::http::header::{HeaderValue, COOKIE, SET_COOKIE, USER_AGENT};
use ::actix_web::middleware::Next;
use ::actix_web::{web, FromRequest, HttpMessage as _, HttpRequest, ResponseError as _};

use super::{header_value, keys_of};
use crate::cookie::SealedCookie;
use crate::error::OpenError;
use crate::guard::{Checked, ClientContext, Guard};
use crate::integrations::guarded::{after_header, client_context, extracted, open_logged, Slot};
use crate::integrations::{sets_cookie_of, Guarded, SealedRejection};
use crate::keys::KeyRing;

/// The guard registered with `App::app_data`, as `web::Data<Guard>` or a plain `Guard`.
fn guard_of(req: &HttpRequest) -> Option<&Guard> {
    req.app_data::<web::Data<Guard>>()
        .map(|data| data.get_ref())
        .or_else(|| req.app_data::<Guard>())
}

/// The request's client context for `T`: `User-Agent`, and the IP from the guard's source (the
/// connection's peer, or `X-Forwarded-For` behind trusted proxies).
pub fn client_context_of<T: SealedCookie>(
    req: &HttpRequest,
    guard: &Guard,
) -> Result<ClientContext, SealedRejection> {
    let user_agent = req.headers().get(USER_AGENT).map(HeaderValue::as_bytes);
    let peer = req.peer_addr().map(|addr| addr.ip());
    let forwarded_for = req
        .headers()
        .get_all("x-forwarded-for")
        .map(HeaderValue::as_bytes);
    client_context::<T>(guard, user_agent, peer, forwarded_for)
}

/// The request's ring (relaxed for a loopback request in development mode) and the guard.
fn ring_and_guard(req: &HttpRequest) -> Result<(KeyRing, Guard), SealedRejection> {
    let keys = keys_of(req).cloned().ok_or(SealedRejection::NoKeyRing)?;
    let keys = super::request_keys(keys, req, false);
    let guard = guard_of(req).cloned().ok_or(SealedRejection::NoGuard)?;
    Ok((keys, guard))
}

async fn open_request<T: SealedCookie>(
    req: &HttpRequest,
) -> Result<Result<Option<Checked<T>>, OpenError>, SealedRejection> {
    let (keys, guard) = ring_and_guard(req)?;
    let ctx = client_context_of::<T>(req, &guard)?;
    let cookies = req.headers().get_all(COOKIE).map(HeaderValue::as_bytes);
    Ok(open_logged::<T>(&guard, &keys, cookies, &ctx).await)
}

async fn guarded_from_request<T: SealedCookie + 'static>(
    req: HttpRequest,
) -> Result<Guarded<T>, SealedRejection> {
    let slot = req.extensions().get::<Slot<T>>().cloned();
    if let Some(slot) = slot {
        return match slot.take() {
            Some(result) => extracted(result),
            None => Err(SealedRejection::NoGuardLayer {
                name: T::CONFIG.name(),
            }),
        };
    }
    if T::CONFIG.replay_grace().is_some() {
        return Err(SealedRejection::NoGuardLayer {
            name: T::CONFIG.name(),
        });
    }
    extracted(open_request::<T>(&req).await?)
}

/// `401` without a valid cookie (missing, tampered, expired, revoked, replayed, bound to
/// another client), `503` when the store is down and the type fails closed, `500` for a
/// configuration mistake (no `KeyRing` or `Guard` in `app_data`). `Option<Guarded<T>>` is
/// `None` in every case.
impl<T: SealedCookie + 'static> FromRequest for Guarded<T> {
    type Error = SealedRejection;
    type Future = Pin<Box<dyn Future<Output = Result<Self, SealedRejection>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        Box::pin(guarded_from_request(req.clone()))
    }
}

/// The middleware for a bound or tracked `T`, for
/// `App::wrap(actix_web::middleware::from_fn(guarded::<T, _>))`: opens `T`'s cookie once
/// through the guard and hands the result to the [`Guarded<T>`] extractor; after the
/// handler, appends (unless the response sets or removes the cookie itself) the renewed value
/// of a `replay` type, the reseal of a value due for a refresh, or the removal of a refused
/// cookie. Required for `replay` types.
pub async fn guarded<T: SealedCookie + 'static, B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<::actix_web::body::EitherBody<B>>, ::actix_web::Error> {
    let (keys, result) = match ring_and_guard(req.request()) {
        Ok((keys, _)) => match open_request::<T>(req.request()).await {
            Ok(result) => (keys, result),
            Err(rejection) => return Ok(reject(req, rejection)),
        },
        Err(rejection) => return Ok(reject(req, rejection)),
    };
    let after = after_header(&keys, &result);
    req.extensions_mut().insert(Slot::new(result));
    let mut response = next.call(req).await?;
    if let Some(header) = after {
        let sets_it = sets_cookie_of::<T, _>(&keys, || {
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
